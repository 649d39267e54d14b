"""Stable activations and losses: right values, no overflow, complex-safe derivatives.

pyproject turns every warning into an error, so each test here that feeds logits of +-1000 also
proves that no NumPy overflow/invalid/divide warning is emitted.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from impl.activations import HIDDEN_ACTIVATIONS, relu_derivative, sigmoid, sigmoid_derivative
from impl.losses import (
    OUTPUT_LAYERS,
    log_sum_exp,
    quadratic_cost,
    sigmoid_cross_entropy,
    softmax,
    softmax_cross_entropy,
    softplus,
)

EXTREME = np.array([[-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0]])
# Rounding only: these compare two float64 formulas of the same quantity, a few ulps apart.
RTOL_FORMULA = 1e-12
# The complex step has no cancellation: Im f(z + ih)/h matches f' to rounding.
RTOL_COMPLEX_STEP = 1e-12
COMPLEX_STEP = 1e-20


def naive_sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


# Closed forms with full relative accuracy also for large |z| (used as references only).
EXACT_DERIVATIVES = {
    "sigmoid": lambda z: np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))) ** 2,
    "tanh": lambda z: 4 * np.exp(-2 * np.abs(z)) / (1 + np.exp(-2 * np.abs(z))) ** 2,
    "relu": lambda z: (z > 0).astype(float),
}


@pytest.mark.parametrize("name", sorted(HIDDEN_ACTIVATIONS))
def test_hidden_activations_are_finite_at_plus_minus_1000(name: str) -> None:
    activation = HIDDEN_ACTIVATIONS[name]
    a = activation.forward(EXTREME)
    derivative = activation.derivative(EXTREME, a)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(derivative))


def test_sigmoid_matches_the_textbook_formula_where_that_formula_is_safe() -> None:
    z = np.linspace(-700, 700, 1401)  # 1/(1 + e^{-z}) does not overflow for |z| <= 700
    assert_allclose(sigmoid(z), naive_sigmoid(z), rtol=RTOL_FORMULA)
    assert_array_equal(sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])


def test_sigmoid_writes_into_a_given_buffer() -> None:
    z = np.linspace(-3, 3, 7)
    out = np.empty_like(z)
    assert sigmoid(z, out=out) is out
    assert_allclose(out, naive_sigmoid(z), rtol=RTOL_FORMULA)


def test_activation_derivatives_match_their_formulas() -> None:
    z = np.linspace(-6, 6, 49)
    s = naive_sigmoid(z)
    assert_allclose(sigmoid_derivative(z, sigmoid(z)), s * (1 - s), rtol=1e-10, atol=1e-17)
    tanh = HIDDEN_ACTIVATIONS["tanh"]
    assert_allclose(tanh.derivative(z, tanh.forward(z)), 1 / np.cosh(z) ** 2, rtol=1e-10)


def test_relu_derivative_at_the_kink_is_zero_by_convention() -> None:
    z = np.array([-2.0, -0.0, 0.0, 1e-300, 3.0])
    assert_array_equal(relu_derivative(z, np.maximum(z, 0)), [0.0, 0.0, 0.0, 1.0, 1.0])
    out = np.empty_like(z)
    assert_array_equal(relu_derivative(z, None, out=out), [0.0, 0.0, 0.0, 1.0, 1.0])


@pytest.mark.parametrize("name", sorted(HIDDEN_ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_activation_and_derivative_write_into_the_given_buffer_in_its_dtype(
    name: str, dtype: type
) -> None:
    """The training step hands preallocated buffers to g and g': the result is that buffer
    (no new array per step), and without a buffer it has the dtype of z — float32 networks
    compute g' in float32 (a bool or float64 array would silently widen the product)."""
    activation = HIDDEN_ACTIVATIONS[name]
    z = np.linspace(-3, 3, 7, dtype=dtype)
    a = activation.forward(z)
    expected = activation.derivative(z, a)
    assert a.dtype == dtype and expected.dtype == dtype
    out = np.full_like(z, np.nan)
    assert activation.derivative(z, a, out=out) is out
    assert_array_equal(out, expected)
    out = np.full_like(z, np.nan)
    assert activation.forward(z, out=out) is out
    assert_array_equal(out, a)


@pytest.mark.parametrize("name", sorted(HIDDEN_ACTIVATIONS))
def test_complex_safe_activation_gives_the_derivative_by_complex_step(name: str) -> None:
    """Also in saturation (|z| = 35), where g' = a(1 - a) or 1 - a^2 rounds to 0 but the
    complex step still resolves the true derivative (e^-35 for sigmoid, 4 e^-70 for tanh)."""
    activation = HIDDEN_ACTIVATIONS[name]
    z = np.array([-35.0, -3.0, -0.7, 0.4, 2.5, 35.0])
    exact = EXACT_DERIVATIVES[name](z)
    shifted = activation.complex_forward(z + 1j * COMPLEX_STEP)
    # The complex sigmoid (1 + tanh(z/2))/2 is accurate to 1e-16 absolutely, not relatively, in
    # its lower tail; only the imaginary part matters for the derivative.
    assert_allclose(shifted.real, activation.forward(z), rtol=RTOL_FORMULA, atol=2e-16)
    assert_allclose(shifted.imag / COMPLEX_STEP, exact, rtol=RTOL_COMPLEX_STEP, atol=1e-300)


def test_softmax_columns_are_probabilities_even_for_huge_logits() -> None:
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1.0], [999.0, 1000.0, 2.0]])
    p = softmax(z)
    assert np.all(np.isfinite(p)) and np.all(p >= 0)
    assert_allclose(p.sum(axis=0), 1.0, rtol=1e-15)
    moderate = np.random.default_rng(0).normal(size=(4, 5))
    expected = np.exp(moderate) / np.exp(moderate).sum(axis=0)
    assert_allclose(softmax(moderate), expected, rtol=RTOL_FORMULA)


def test_log_sum_exp_does_not_overflow() -> None:
    z = np.array([[1000.0], [1000.0]])
    assert_allclose(log_sum_exp(z), [[1000.0 + np.log(2.0)]], rtol=1e-15)


def test_softplus_is_log_one_plus_exp_without_overflow() -> None:
    z = np.linspace(-20, 20, 41)
    assert_allclose(softplus(z), np.log1p(np.exp(z)), rtol=RTOL_FORMULA)
    assert_allclose(softplus(np.array([-1000.0, 1000.0])), [0.0, 1000.0])
    complex_values = softplus(np.array([-1000.0, 1000.0, 0.3]) + 0j)
    assert_allclose(complex_values.real, [0.0, 1000.0, np.log1p(np.exp(0.3))], rtol=1e-15)


def test_softmax_cross_entropy_matches_minus_sum_y_log_a_for_moderate_logits() -> None:
    rng = np.random.default_rng(1)
    z = rng.normal(scale=3, size=(5, 8))
    y = np.eye(5)[:, rng.integers(0, 5, 8)]
    expected = -np.sum(y * np.log(softmax(z)), axis=0)
    assert_allclose(softmax_cross_entropy(z, y), expected, rtol=RTOL_FORMULA)


def test_sigmoid_cross_entropy_matches_the_binary_formula_for_moderate_logits() -> None:
    rng = np.random.default_rng(2)
    z = rng.normal(scale=3, size=(4, 6))
    y = rng.random((4, 6))
    a = naive_sigmoid(z)
    expected = -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=0)
    assert_allclose(sigmoid_cross_entropy(z, y), expected, rtol=1e-10)


def test_quadratic_cost_is_half_squared_distance() -> None:
    z = np.array([[0.0, 2.0], [-1.0, 0.5]])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    a = naive_sigmoid(z)
    assert_allclose(quadratic_cost(z, y), 0.5 * np.sum((a - y) ** 2, axis=0), rtol=RTOL_FORMULA)


@pytest.mark.parametrize("output", sorted(OUTPUT_LAYERS))
def test_losses_and_output_deltas_are_finite_for_logits_of_plus_minus_1000(output: str) -> None:
    layer = OUTPUT_LAYERS[output]
    z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    y = np.array([[0.0, 0.0], [1.0, 1.0]])  # the first column is confidently wrong
    losses = layer.loss(z, y)
    delta = layer.delta(layer.activation(z), y)
    assert np.all(np.isfinite(losses)) and np.all(np.isfinite(delta))
    if output != "sigmoid_quadratic":
        assert losses[0] == pytest.approx(2000.0)  # a wrong logit margin of 2000 costs 2000
        assert losses[1] == pytest.approx(0.0, abs=1e-300)


@pytest.mark.parametrize("output", sorted(OUTPUT_LAYERS))
def test_output_delta_is_the_complex_step_gradient_of_the_loss(output: str) -> None:
    """dL/dz_k, one logit at a time by complex step, equals the closed-form output delta."""
    layer = OUTPUT_LAYERS[output]
    rng = np.random.default_rng(3)
    z = rng.normal(scale=4, size=(4, 1))
    y = np.eye(4)[:, [2]]
    delta = layer.delta(layer.activation(z), y)
    numeric = np.empty_like(z)
    for k in range(4):
        shifted = z.astype(complex)
        shifted[k] += 1j * COMPLEX_STEP
        numeric[k] = layer.loss(shifted, y).imag[0] / COMPLEX_STEP
    assert_allclose(numeric, delta, rtol=1e-10, atol=1e-15)


def test_quadratic_delta_uses_the_buffers_it_is_given() -> None:
    """(a − y)·a(1 − a) lands in ``out`` and σ' = a(1 − a) in the scratch buffer ``work``:
    the training step allocates nothing per mini-batch."""
    from impl.losses import quadratic_delta

    a, y = np.array([[0.25, 0.5], [0.75, 0.125]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    out, work = np.empty_like(a), np.empty_like(a)
    assert quadratic_delta(a, y, out=out, work=work) is out
    assert_array_equal(work, a * (1 - a))
    assert_array_equal(out, (a - y) * (a * (1 - a)))


def test_complex_sigmoid_writes_into_the_given_buffer() -> None:
    z = np.linspace(-3, 3, 7) + 1e-20j
    out = np.empty_like(z)
    assert sigmoid(z, out=out) is out
    assert_array_equal(out, sigmoid(z))
