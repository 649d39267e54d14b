"""Lambdified proofs vs the NumPy implementation (vs finite differences where it adds a leg).

Every reference function here comes from ``derivations.numeric``, i.e. from ``lambdify`` of
the SymPy objects the proofs verify.
"""

from __future__ import annotations

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
from error_bounds import SAFETY, U, backward_error, forward_error, loss_error
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose

from derivations import numeric
from impl import Network
from impl.activations import HIDDEN_ACTIVATIONS
from impl.losses import OUTPUT_LAYERS, softmax, softmax_cross_entropy

# |x| <= 30 keeps the exp-based proven formulas (e^{30} ~ 1e13) far from overflow
moderate = hnp.arrays(np.float64, st.integers(1, 50), elements=finite(-30, 30))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
@given(x=moderate)
def test_lambdified_activation_derivative_equals_impl(name: str, x: np.ndarray) -> None:
    if name == "relu":
        x = x[np.abs(x) > 1e-12]  # ReLU′ is proven for x ≠ 0; 0 is a convention
        assume(x.size > 0)
    hidden = HIDDEN_ACTIVATIONS[name]
    proven = numeric.activation_derivative(name)(x)
    implemented = hidden.derivative(x, hidden.forward(x.copy()))
    # relative 1e-12: the same function evaluated in different orders; absolute 4ε ≈ 9e-16
    # because both formulas are 1 − a² (or a − a²) in float64, which cancels where g′ → 0
    assert_allclose(implemented, proven, rtol=1e-12, atol=4 * np.finfo(float).eps)


@given(x=moderate)
def test_lambdified_softplus_derivative_is_the_implemented_sigmoid(x: np.ndarray) -> None:
    sigmoid = HIDDEN_ACTIVATIONS["sigmoid"].forward
    assert_allclose(numeric.activation_derivative("softplus")(x), sigmoid(x.copy()), rtol=1e-12)


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
    )()
    check_delta_against_finite_differences(
        lambda a, y: layer.delta(a, y),
        activation,
        layer.loss,
        lambda classes, batch: labels(output, classes, batch),
    )()


def test_softmax_delta_for_any_labels_is_the_gradient_of_the_implemented_loss() -> None:
    """a Σy − y (proven for any labels) matches impl's softmax cross-entropy, multi-hot too."""
    check_delta_against_finite_differences(
        numeric.softmax_delta_any_labels,
        lambda z: softmax(z.copy()),
        softmax_cross_entropy,
        multi_hot_labels,
    )()


def _central_jacobian(function, z: np.ndarray) -> np.ndarray:
    columns = []
    for unit in range(z.shape[0]):
        step = np.zeros_like(z)
        step[unit] = CENTRAL_STEP
        columns.append((function(z + step) - function(z - step)) / (2 * CENTRAL_STEP))
    return np.stack(columns, axis=1)


@given(z=hnp.arrays(np.float64, st.integers(1, 8), elements=finite(-6, 6)))
def test_lambdified_softmax_jacobian_matches_differences_of_impl_softmax(z: np.ndarray) -> None:
    a = softmax(z[:, None].copy())[:, 0]
    numeric_jacobian = _central_jacobian(lambda v: softmax(v[:, None].copy())[:, 0], z)
    # entries are ≤ 1/4; central differences: ~1e-10 absolute
    assert_allclose(numeric.softmax_jacobian(a), numeric_jacobian, rtol=1e-6, atol=1e-9)


@given(z=hnp.arrays(np.float64, st.integers(1, 8), elements=finite(-6, 6)), data=st.data())
def test_lambdified_hessian_matches_differences_of_impl_gradient_and_is_psd(z, data) -> None:
    classes = z.shape[0]
    y = data.draw(labels("softmax", classes, 1))[:, 0]
    a = softmax(z[:, None].copy())[:, 0]
    layer = OUTPUT_LAYERS["softmax"]

    def gradient(v):
        return layer.delta(softmax(v[:, None].copy()), y[:, None])[:, 0]

    hessian = numeric.softmax_ce_hessian(a)
    assert_allclose(hessian, _central_jacobian(gradient, z), rtol=1e-6, atol=1e-9)
    assert_allclose(hessian, hessian.T, atol=1e-15)
    # positive semidefinite: eigenvalues ≥ 0 up to rounding of entries ≤ 1/4
    assert np.linalg.eigvalsh(hessian).min() >= -1e-14


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
