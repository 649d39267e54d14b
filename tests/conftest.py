"""Shared test configuration: Hypothesis profiles.

* ``ci``: derandomized (the same examples every run), no example database, enough examples
  to matter; loaded automatically when ``CI=true``.
* ``dev``: fast, for the edit-test loop (the default elsewhere).
* ``thorough``: many examples, for a release: ``HYPOTHESIS_PROFILE=thorough pytest``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=60,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=15, deadline=None)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

_default = "ci" if os.environ.get("CI", "").lower() in {"1", "true", "yes"} else "dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _default))

from derivations.kernel import sympy_speedup  # noqa: E402

# as the commands do: SymPy's Sum.free_symbols remembered (VERIFIED_BACKPROP_SYMPY_MEMO=off
# runs the suite with SymPy's own property)
sympy_speedup.install_unless_disabled()


import pathlib  # noqa: E402

import pytest  # noqa: E402

SEEDS_DIR = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


@pytest.fixture
def seeds_dir() -> pathlib.Path:
    """The seed documents beside the project (``../shared/seeds``), read-only."""
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS_DIR}")
    return SEEDS_DIR


@pytest.fixture(autouse=True)
def _kernels_as_in_a_fresh_process(monkeypatch):
    """No test depends on an earlier one having compiled impl.kernels: mode "auto" starts
    with nothing compiled in every test (a test may still choose a mode itself)."""
    from impl import kernels

    monkeypatch.setattr(kernels, "_compiled", set())


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory):
    """The documents and the web site as ``verified-backprop docs`` writes them, every proof
    run once per session (tests/generated_docs.py)."""
    from generated_docs import generate

    return generate(tmp_path_factory.mktemp("docs"))
