"""The cross-checks and the training and network tests again, on the compiled kernels.

Every test imported below is collected a second time in this module and runs with
``impl.kernels`` in mode ``"numba"``: every forward pass, backward pass and training step of
``Network`` then goes through the kernels (:mod:`impl.kernels`), so the three-way cross-checks
(central differences and the complex step, the symbolic gradient evaluated in 50 digits, the
extreme inputs) hold for that path with the same rounding bounds as for the NumPy path: the
kernels perform the same operations, with e^x and tanh x within the same 4 ulp (``LIBM``) and
sums within the same gamma_n bound (tests/error_bounds.py). Skipped without numba.
"""

from __future__ import annotations

import pytest

from impl import kernels

if not kernels.AVAILABLE:
    pytest.skip("numba is not installed (pip install '.[fast]')", allow_module_level=True)

from test_crosscheck_extremes import (  # noqa: F401
    test_backward_is_finite_and_silent_for_extreme_inputs,
    test_single_example_with_logits_of_1000_has_the_exact_output_gradient,
)
from test_crosscheck_finite_differences import (  # noqa: F401
    test_backward_equals_central_differences_and_complex_step,
)
from test_crosscheck_symbolic_vs_impl import (  # noqa: F401
    test_impl_backward_equals_the_symbolic_gradient_to_its_rounding_bound,
)
from test_impl_network import *  # noqa: F403
from test_impl_training import *  # noqa: F403


@pytest.fixture(scope="module", autouse=True)
def kernel_path():
    """Every test of this module on the kernels (module scope: Hypothesis allows it)."""
    with kernels.using("numba"):
        yield


def test_this_module_runs_on_the_kernels() -> None:
    assert kernels.mode() == "numba"
