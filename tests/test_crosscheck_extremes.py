"""Extreme inputs: logits up to ±1000, tiny and huge inputs, batches of 1 and 4096.

No NaN or inf, no floating-point warning (pytest turns warnings into errors, and the checks
below also run under ``np.errstate(over/invalid/divide="raise")``), and δᴴ = aᴴ − y still
holds to float64 precision.  The reference for "float64 precision" is the proven δ
evaluated in 50-digit arithmetic: ``lambdify`` of the same SymPy objects with
``modules="mpmath"``.
"""

from __future__ import annotations

from functools import cache

import mpmath
import numpy as np
import pytest
import sympy as sp
from crosscheck_support import finite, labels
from error_bounds import SAFETY, SUBNORMAL_ULP, U, output_delta_error
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from derivations.claims import get_claim
from derivations.kernel.rewriting import unfold
from derivations.notation import K, j, y, z
from impl import Network
from impl.losses import OUTPUT_LAYERS

STRICT = {"over": "raise", "invalid": "raise", "divide": "raise", "under": "ignore"}
CLAIM_OF = {"softmax": "softmax_ce_delta", "sigmoid": "sigmoid_bce_delta"}


@cache
def exact_delta(output: str, classes: int):
    """δ_j(z, y) from the proven claim, definitions unfolded, for K = ``classes``, in mpmath."""
    claim = get_claim(CLAIM_OF[output])
    formula = unfold(claim.result, claim.definitions).subs(K, classes).doit()
    logits = [z[unit] for unit in range(1, classes + 1)]
    targets = [y[unit] for unit in range(1, classes + 1)]
    entries = [formula.subs(j, unit).doit() for unit in range(1, classes + 1)]
    return sp.lambdify([logits, targets], entries, modules="mpmath")


def reference_delta(output: str, logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    function = exact_delta(output, logits.shape[0])
    with mpmath.workdps(50):
        columns = [
            [
                float(value)
                for value in function(
                    [mpmath.mpf(v) for v in logits[:, col]],
                    [mpmath.mpf(v) for v in targets[:, col]],
                )
            ]
            for col in range(logits.shape[1])
        ]
    return np.array(columns).T


huge_logits = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 6), st.integers(1, 5)),
    elements=st.one_of(st.sampled_from([-1000.0, 1000.0, 0.0]), finite(-1000, 1000)),
)


@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
@given(logits=huge_logits, data=st.data())
def test_output_delta_is_exact_to_float64_for_logits_up_to_1000(output, logits, data) -> None:
    _check_output_delta(output, logits, data.draw(labels(output, *logits.shape)))


def test_output_delta_bound_covers_a_subnormal_output() -> None:
    """Found by Hypothesis under the default profile: softmax a₂ = e^(284.875 − 1000)/2 ≈
    1.3e−311 is subnormal and one ulp off; a relative bound alone allowed 0 there."""
    logits = np.array([[-1000.0], [284.875], [1000.0], [1000.0]])
    _check_output_delta("softmax", logits, np.array([[1.0], [0.0], [0.0], [0.0]]))


def _check_output_delta(output: str, logits: np.ndarray, targets: np.ndarray) -> None:
    layer = OUTPUT_LAYERS[output]
    with np.errstate(**STRICT):
        outputs = layer.activation(logits.copy())
        delta = layer.delta(outputs, targets)
        losses = layer.loss(logits, targets)
    assert np.all(np.isfinite(outputs)) and np.all(np.isfinite(delta))
    # L ≥ 0 survives rounding exactly: softmax terms are y (log S − s) with S ≥ 1 (one term is
    # e⁰) and s ≤ 0; binary CE terms are softplus(z) − yz with fl(softplus(z)) ≥ max(z, 0)
    # ≥ fl(yz) for 0 ≤ y ≤ 1 (rounding is monotone and z is a float)
    assert np.all(np.isfinite(losses)) and np.all(losses >= 0)
    # |δ̂ − δ| ≤ the rounding bound of a − y from impl's a (``error_bounds``), plus the
    # reference's rounding to float64 (half a subnormal ulp below the normal range)
    exact = reference_delta(output, logits, targets)
    allowed = (
        SAFETY * output_delta_error(output, outputs, targets)
        + U * np.abs(exact)
        + SUBNORMAL_ULP / 2
    )
    assert np.all(np.abs(delta - exact) <= allowed)


@pytest.mark.parametrize("output", ["softmax", "sigmoid", "sigmoid_quadratic"])
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("scale", [1e-300, 1e3], ids=["tiny-inputs", "huge-inputs"])
def test_backward_is_finite_and_silent_for_extreme_inputs(hidden, output, scale) -> None:
    rng = np.random.default_rng(7)
    net = Network([20, 12, 10], hidden_activation=hidden, output=output, seed=3)
    X = scale * rng.standard_normal((20, 4096))
    Y = np.eye(10)[:, rng.integers(0, 10, 4096)]
    with np.errstate(**STRICT):
        dW, db = net.backward(X, Y)
        loss = net.loss(X, Y)
    assert np.isfinite(loss)
    assert all(np.all(np.isfinite(g)) for g in (*dW, *db))


@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_single_example_with_logits_of_1000_has_the_exact_output_gradient(output) -> None:
    """A one-layer net whose logits are ±1000: ∂J/∂b = δᴴ = aᴴ − y exactly (m = 1)."""
    net = Network([1, 3], output=output, seed=0)
    net.weights[0][:] = np.array([[1000.0], [-1000.0], [0.0]])
    net.biases[0][:] = 0.0
    X = np.ones((1, 1))
    Y = np.array([[0.0], [1.0], [0.0]])
    with np.errstate(**STRICT):
        _, db = net.backward(X, Y)
    logits = net.weights[0] @ X + net.biases[0]  # exact: 1000·1 + 0
    exact = reference_delta(output, logits, Y)
    outputs = OUTPUT_LAYERS[output].activation(logits.copy())
    allowed = SAFETY * output_delta_error(output, outputs, Y) + U * np.abs(exact)
    assert np.all(np.abs(db[0] - exact) <= allowed)
