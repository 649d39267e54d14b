"""The training tests again, on the NumPy path, when numba is installed.

With numba installed, ``fit`` takes the compiled kernels for small mini-batches (mode
``"auto"``, :mod:`impl.kernels`), so tests/test_impl_training.py exercises them; here the same
tests run with ``impl.kernels`` in mode ``"numpy"``, so the NumPy path stays tested too.
Without numba the NumPy path is the only one and test_impl_training.py already runs it.
"""

from __future__ import annotations

import pytest

from impl import kernels

if not kernels.AVAILABLE:
    pytest.skip("numba is not installed: test_impl_training runs NumPy", allow_module_level=True)

from test_impl_training import *  # noqa: F403


@pytest.fixture(scope="module", autouse=True)
def numpy_path():
    """Every test of this module on NumPy."""
    with kernels.using("numpy"):
        yield


def test_this_module_runs_on_numpy() -> None:
    assert kernels.mode() == "numpy"
