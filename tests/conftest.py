"""Shared test configuration: Hypothesis profiles, and the kernels' cache folder.

* ``ci``: derandomized (the same examples every run), no example database, enough examples
  to matter; loaded automatically when ``CI=true``.
* ``dev``: fast, for the edit-test loop (the default elsewhere).
* ``thorough``: many examples, for a release: ``HYPOTHESIS_PROFILE=thorough pytest``.
"""

from __future__ import annotations

import os
import tempfile

# The compiled kernels' disk cache (impl.kernels, read when it is imported): the tests compile
# and load kernels in a folder of the system's temporary directory, one per user, never in the
# user's own cache folder (~/.cache/verified-backprop). It persists between runs, so a run
# after the first loads the kernels instead of compiling them; tests of the cache itself run
# in fresh interpreters with their own folders (tests/test_impl_kernel_cache.py).
os.environ["VERIFIED_BACKPROP_CACHE_DIR"] = os.path.join(
    tempfile.gettempdir(), f"verified-backprop-tests-{os.getuid()}"
)

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

#: the environment variable naming the folder that holds the two source documents
SOURCES_VARIABLE = "VERIFIED_BACKPROP_SOURCES"
#: the titles of the source documents, as a user knows them
SOURCE_TITLES = (
    "“Deriving Backpropagation with Cross-Entropy Loss”",
    "“Neural Networks: Core Concepts and Backpropagation Derivations”",
)
#: their files, as the project's catalogue names them
SOURCE_FILES = (
    "000_435a14ef32276ca9.txt",
    "000_435a14ef32276ca9.utf8.txt",
    "001_340bb29d14a240f1.txt",
)
#: where the project's own checkout keeps them (beside the repository); used when the
#: environment variable is not set
_BESIDE_THE_PROJECT = pathlib.Path(__file__).resolve().parents[2] / "shared" / "seeds"


def sources_folder() -> tuple[pathlib.Path | None, str]:
    """The folder holding the source documents, or None and why (in a user's words)."""
    given = os.environ.get(SOURCES_VARIABLE, "").strip()
    folder = pathlib.Path(given).expanduser() if given else _BESIDE_THE_PROJECT
    missing = [name for name in SOURCE_FILES if not (folder / name).is_file()]
    if not missing:
        return folder, ""
    documents = " and ".join(SOURCE_TITLES)
    if given:
        return None, (
            f"{SOURCES_VARIABLE}={given} does not hold the source documents {documents} "
            f"(missing: {', '.join(missing)})"
        )
    return None, (
        f"the source documents {documents} are not available: set {SOURCES_VARIABLE} to the "
        f"folder holding {', '.join(SOURCE_FILES)} to check every quote against them"
    )


@pytest.fixture
def source_documents() -> pathlib.Path:
    """The folder of the two source documents, read-only (skipped, saying how to give
    them, when they are not available)."""
    folder, reason = sources_folder()
    if folder is None:
        pytest.skip(reason)
    return folder


@pytest.fixture(autouse=True)
def _kernels_as_in_a_fresh_process(monkeypatch):
    """No test depends on an earlier one having compiled impl.kernels: mode "auto" starts
    with nothing compiled in every test (a test may still choose a mode itself)."""
    from impl import kernels

    monkeypatch.setattr(kernels, "_compiled", set())


# ---------------------------------------------------------------------- what was verified

#: the test modules whose passing tests are cross-checks (NumPy against the proofs, finite
#: differences, the complex step, extreme logits, and wrong backward passes rejected)
CROSSCHECK_PREFIX = "test_crosscheck_"
QUICK_PREFIXES = ("test_impl_", CROSSCHECK_PREFIX)


#: the cross-check against the symbolic gradient of whole networks: building each network's
#: gradient takes SymPy seconds, cached per process (``derivations.numeric.symbolic_network``),
#: and two modules run it (NumPy's path and the compiled kernels' path)
SYMBOLIC_GRADIENT_TEST = "test_impl_backward_equals_the_symbolic_gradient_to_its_rounding_bound"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the implementation's tests and the cross-checks ``quick``: ``pytest -m quick``
    runs them alone, in under a minute, with no SymPy (so not the cross-check against the
    symbolic gradient of whole networks, which SymPy takes about a minute to build); and send
    every test that builds a network's symbolic gradient to one worker, so that each
    gradient is built once."""
    for item in items:
        symbolic = getattr(item, "originalname", item.name) == SYMBOLIC_GRADIENT_TEST
        if symbolic:
            item.add_marker(pytest.mark.xdist_group("symbolic_networks"))
        elif item.path.name.startswith(QUICK_PREFIXES) and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.quick)


_VERIFIED: list[tuple[str, str, str]] = []
_CROSSCHECKS: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect what each passing test verified (in the controlling process with xdist: the
    workers send their reports, with the ``verified`` properties the tests recorded)."""
    if report.when != "call" or not report.passed:
        return
    for name, value in report.user_properties:
        if name == "verified":
            _VERIFIED.append(tuple(value))
    if pathlib.PurePath(report.nodeid.split("::")[0]).name.startswith(CROSSCHECK_PREFIX):
        _CROSSCHECKS.append(report.nodeid)


def _counted(kind: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for recorded_kind, _, verdict in dict.fromkeys(_VERIFIED):
        if recorded_kind == kind:
            counts[verdict] = counts.get(verdict, 0) + 1
    return counts


def _spelled(counts: dict[str, int]) -> str:
    return ", ".join(f"{number} {verdict}" for verdict, number in counts.items())


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Close the run with what was verified: claims proven, verdicts on the sources, census
    verdicts, cross-checks, and what was not run."""
    if not (_VERIFIED or _CROSSCHECKS):
        return
    write = terminalreporter.write_line
    terminalreporter.section("what was verified", sep="-")
    lines = []
    claims = _counted("claim")
    if claims:
        lines.append(
            f"{sum(claims.values())} claims of the project proven by SymPy, each step checked "
            f"and each re-evaluated by the independent witness ({_spelled(claims)})"
        )
    sources = _counted("source")
    if sources:
        lines.append(
            f"{sum(sources.values())} claims of the two source documents given the verdict "
            f"expected ({_spelled(sources)})"
        )
    beyond = _counted("beyond")
    if beyond:
        lines.append(
            f"{sum(beyond.values())} counterexamples: a hypothesis dropped, the claim refuted"
        )
    census = _counted("census")
    if census:
        lines.append(
            f"{sum(census.values())} census verdicts on every other statement of the sources "
            f"({_spelled(census)})"
        )
    if _CROSSCHECKS:
        rejected = sum("reject" in nodeid for nodeid in _CROSSCHECKS)
        lines.append(
            f"{len(_CROSSCHECKS)} cross-checks passed: NumPy against the proven formulas, "
            "finite differences and the complex step, extreme logits"
            + (
                f"; among them {rejected} show that the same checks reject a deliberately "
                "wrong backward pass"
                if rejected
                else ""
            )
        )
    for line in lines:
        write("  " + line)
    if "not slow" in (config.option.markexpr or ""):
        write(
            "  not run: the whole-network proofs of the quadratic cost with 2 and 3 hidden "
            "layers (marked slow, minutes each): python3 -m pytest -m slow"
        )
    folder, reason = sources_folder()
    if folder is None:
        write(f"  not checked: the quotes against the source documents: {reason}")


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory):
    """The documents and the web site as ``verified-backprop docs`` writes them, every proof
    run once per session (tests/generated_docs.py)."""
    from generated_docs import generate

    return generate(tmp_path_factory.mktemp("docs"))
