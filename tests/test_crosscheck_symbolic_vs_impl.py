"""Lambdified proofs vs the NumPy implementation (vs finite differences where it adds a leg).

Every reference function here comes from ``derivations.numeric``, i.e. from ``lambdify`` of
the SymPy objects the proofs verify.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from crosscheck_support import (
    CENTRAL_STEP,
    OUTPUTS,
    check_delta_against_finite_differences,
    finite,
    labels,
    multi_hot_labels,
)
from error_bounds import (
    HIDDEN_RELATIVE_ERROR,
    SAFETY,
    U,
    backward_error,
    derivative_from_activation_error,
    forward_error,
    loss_error,
    softmax_column_difference_error,
    softmax_error,
    softmax_jacobian_formula_error,
    symmetric_eigenvalue_error,
)
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from derivations import numeric
from impl import Network
from impl.activations import HIDDEN_ACTIVATIONS
from impl.losses import OUTPUT_LAYERS, softmax, softmax_cross_entropy

# |x| <= 30 keeps the exp-based proven formulas (e^{30} ~ 1e13) far from overflow
moderate = hnp.arrays(np.float64, st.integers(1, 50), elements=finite(-30, 30))


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
@given(x=moderate)
def test_impl_activation_derivative_is_the_proven_one_to_its_rounding_bound(
    name: str, x: np.ndarray
) -> None:
    """impl's g'(x) against the proven g' evaluated in 50 digits: within impl's bound
    (``error_bounds.derivative_from_activation_error``) plus the final rounding, U|g'|."""
    hidden = HIDDEN_ACTIVATIONS[name]
    a = hidden.forward(x.copy())
    implemented = hidden.derivative(x, a.copy())
    exact = numeric.exact_activation_derivative(name, x)
    allowed = SAFETY * derivative_from_activation_error(name, a) + U * np.abs(exact)
    assert np.all(np.abs(implemented - exact) <= allowed)


@given(x=moderate)
def test_lambdified_relu_derivative_equals_impl_away_from_the_kink(x: np.ndarray) -> None:
    x = x[np.abs(x) > 0]  # ReLU′ is proven for x ≠ 0; its value at 0 is a convention
    assume(x.size > 0)
    hidden = HIDDEN_ACTIVATIONS["relu"]
    implemented = hidden.derivative(x, hidden.forward(x.copy()))
    np.testing.assert_array_equal(implemented, numeric.activation_derivative("relu")(x))


@given(x=moderate)
def test_proven_softplus_derivative_is_the_implemented_sigmoid(x: np.ndarray) -> None:
    """softplus' = σ evaluated in 50 digits; impl's σ has relative error ≤ 18U."""
    sigmoid = HIDDEN_ACTIVATIONS["sigmoid"].forward(x.copy())
    exact = numeric.exact_activation_derivative("softplus", x)
    allowed = SAFETY * HIDDEN_RELATIVE_ERROR["sigmoid"] * exact + U * exact
    assert np.all(np.abs(sigmoid - exact) <= allowed)


@pytest.mark.parametrize("output", OUTPUTS)
def test_lambdified_output_delta_is_the_gradient_of_the_implemented_loss(output: str) -> None:
    """Three ways: proven δ(a, y), impl's loss L(z, y) by central differences, impl's δ."""
    layer = OUTPUT_LAYERS[output]

    def activation(z):
        return layer.activation(z.copy())

    check_delta_against_finite_differences(
        numeric.output_delta(output),
        activation,
        layer.loss,
        lambda classes, batch: labels(output, classes, batch),
        output,
    )()
    check_delta_against_finite_differences(
        lambda a, y: layer.delta(a, y),
        activation,
        layer.loss,
        lambda classes, batch: labels(output, classes, batch),
        output,
    )()


def test_softmax_delta_for_any_labels_is_the_gradient_of_the_implemented_loss() -> None:
    """a Σy − y (proven for any labels) matches impl's softmax cross-entropy, multi-hot too."""
    check_delta_against_finite_differences(
        numeric.softmax_delta_any_labels,
        lambda z: softmax(z.copy()),
        softmax_cross_entropy,
        multi_hot_labels,
        "softmax",
    )()


def _central_jacobian(function, z: np.ndarray, extra) -> tuple[np.ndarray, np.ndarray]:
    """Columns (f(z⁺) − f(z⁻)) / (z⁺ − z⁻) for each logit, z± = fl(z ± h), and their error
    bounds (``error_bounds.softmax_column_difference_error``; ``extra(z)`` is the rounding f
    adds to the softmax)."""
    columns, bounds = [], []
    for unit in range(z.shape[0]):
        plus, minus = z.copy(), z.copy()
        plus[unit] += CENTRAL_STEP
        minus[unit] -= CENTRAL_STEP
        up = float(Fraction(plus[unit]) - Fraction(z[unit]))
        down = float(Fraction(z[unit]) - Fraction(minus[unit]))
        column = (function(plus) - function(minus)) / (up + down)
        columns.append(column)
        rounding = extra(plus) + extra(minus)
        bounds.append(softmax_column_difference_error(z, unit, up, down, column, rounding))
    return np.stack(columns, axis=1), np.stack(bounds, axis=1)


def _impl_softmax(v: np.ndarray) -> np.ndarray:
    return softmax(v[:, None].copy())[:, 0]


@given(z=hnp.arrays(np.float64, st.integers(1, 8), elements=finite(-6, 6)))
def test_lambdified_softmax_jacobian_matches_differences_of_impl_softmax(z: np.ndarray) -> None:
    a = _impl_softmax(z)
    differences, difference_error = _central_jacobian(_impl_softmax, z, np.zeros_like)
    formula_error = softmax_jacobian_formula_error(a, softmax_error(z[:, None])[:, 0])
    allowed = SAFETY * (difference_error + formula_error)
    assert np.all(np.abs(numeric.softmax_jacobian(a) - differences) <= allowed)


@given(z=hnp.arrays(np.float64, st.integers(1, 8), elements=finite(-6, 6)), data=st.data())
def test_lambdified_hessian_matches_differences_of_impl_gradient_and_is_psd(z, data) -> None:
    classes = z.shape[0]
    y = data.draw(labels("softmax", classes, 1))[:, 0]
    a = _impl_softmax(z)
    layer = OUTPUT_LAYERS["softmax"]

    def gradient(v):
        return layer.delta(softmax(v[:, None].copy()), y[:, None])[:, 0]

    def subtraction_error(v):  # a − y rounds once
        return U * np.abs(_impl_softmax(v) - y)

    hessian = numeric.softmax_ce_hessian(a)
    differences, difference_error = _central_jacobian(gradient, z, subtraction_error)
    formula_error = softmax_jacobian_formula_error(a, softmax_error(z[:, None])[:, 0])
    assert np.all(np.abs(hessian - differences) <= SAFETY * (difference_error + formula_error))
    # exactly symmetric: the off-diagonal entries are the products aᵢaⱼ and aⱼaᵢ
    np.testing.assert_array_equal(hessian, hessian.T)
    # positive semidefinite: diag(a) − aaᵀ is PSD for every a ≥ 0 with Σa ≤ 1 (Cauchy–Schwarz);
    # the computed a has Σâ ≤ 1 + (its rounding bound), and eigvalsh moves eigenvalues by at
    # most ``symmetric_eigenvalue_error``
    excess = max(0.0, float(np.sum(a) - 1)) + float(np.sum(softmax_error(z[:, None])))
    allowed = SAFETY * (symmetric_eigenvalue_error(hessian, formula_error) + excess)
    assert np.linalg.eigvalsh(hessian).min() >= -allowed


SYMBOLIC_NETWORKS = [
    ((4, 3), "sigmoid", "softmax", 4),
    ((3, 4, 2), "sigmoid", "softmax", 3),
    ((3, 5, 3), "relu", "sigmoid_quadratic", 2),
    ((3, 4, 3), "tanh", "sigmoid_quadratic", 2),
    ((2, 3, 2, 3), "sigmoid", "softmax", 2),
    ((2, 2, 3, 2), "relu", "sigmoid", 2),
]


#: the 50-digit evaluation's own error: 10⁻⁵⁰ times intermediate terms, which stay below 1e10
#: for these sizes and inputs (|W|, |b| ≲ 6, |x| ≤ 2); far below any float64 rounding
EXACT_EVALUATION_ERROR = 1e-40


@pytest.mark.parametrize("config", SYMBOLIC_NETWORKS, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}-m{c[3]}")
@given(data=st.data())
def test_impl_backward_equals_the_symbolic_gradient_to_its_rounding_bound(config, data) -> None:
    """The whole gradient, parameter by parameter, against SymPy's gradient evaluated in
    50 digits: |impl − exact| ≤ SAFETY × impl's first-order rounding bound (``error_bounds``)
    + the rounding of the exact value to float64. The loss likewise."""
    sizes, hidden, output, batch = config
    symbolic = numeric.symbolic_network(sizes, hidden, output, batch)
    net = Network(
        sizes,
        hidden_activation=hidden,
        output=output,
        seed=data.draw(st.integers(0, 2**32 - 1), label="seed"),
    )
    X = data.draw(hnp.arrays(np.float64, (sizes[0], batch), elements=finite(-2, 2)), label="X")
    Y = data.draw(labels(output, sizes[-1], batch), label="Y")
    if hidden == "relu":
        cache = net.forward(X)
        # at the kink SymPy's Heaviside(0) = 1/2 and impl's ReLU′(0) = 0 differ by convention
        assume(all(np.min(np.abs(z)) >= 1e-6 for z in cache.Z[:-1]))
    if output == "sigmoid":
        # the lambdified binary cross-entropy differentiates log(1 − 1/(1 + e^{−z})) as
        # written: 1 − σ(z) cancels, a relative error ≈ ε e^{|z|} (7e-9 at z = 18, seen with
        # inputs of 2); |z| ≤ 10 bounds it by 1.1e-16 · e^10 ≈ 2.4e-12, below the 1e-10 asserted
        assume(np.max(np.abs(net.forward(X).Z[-1])) <= 10)
    dW, db = net.backward(X, Y)
    exact_W, exact_b = symbolic.exact_gradient(net.weights, net.biases, X, Y)
    forward = forward_error(net, X)
    bound_W, bound_b = backward_error(net, X, Y, forward)
    for name, got, exact, bound in [
        *(("W", g, s, e) for g, s, e in zip(dW, exact_W, bound_W, strict=True)),
        *(("b", g, s, e) for g, s, e in zip(db, exact_b, bound_b, strict=True)),
    ]:
        allowed = SAFETY * bound + U * np.abs(exact) + EXACT_EVALUATION_ERROR
        assert np.all(np.abs(got - exact) <= allowed), (name, got, exact, allowed)
    exact_cost = symbolic.exact_cost_value(net.weights, net.biases, X, Y)
    allowed = SAFETY * loss_error(net, X, Y, forward) + U * abs(exact_cost)
    assert abs(net.loss(X, Y) - exact_cost) <= allowed + EXACT_EVALUATION_ERROR
