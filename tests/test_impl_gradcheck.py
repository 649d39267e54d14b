"""Gradient checking: it passes on correct networks, fails on wrong ones, and is fast.

Tolerances are the checker's defaults (central differences 1e-5, complex step 1e-10), justified
in impl/gradcheck.py: observed errors are ~1e-8 and ~1e-15, a wrong backward pass gives ~1e-1.
The complex step's 1e-10 holds for a correct backward pass whenever the error bound of
``error_bounds`` (backward's plus the complex step's) is below it: the random-network test
asserts a pass exactly then, and otherwise that the errors stay within the bound.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from error_bounds import (
    CLIBM,
    SAFETY,
    SUBNORMAL_ERROR,
    backward_error,
    complex_step_error,
    forward_error,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from impl import Network, check_directional_derivatives, check_gradients, numerical_gradients
from impl.activations import HIDDEN_ACTIVATIONS
from impl.gradcheck import DEFAULT_TOLERANCES, cost_with_parameters, relative_error
from impl.losses import OUTPUT_LAYERS

OUTPUTS = sorted(OUTPUT_LAYERS)
HIDDEN = sorted(HIDDEN_ACTIVATIONS)


def targets_for(net: Network, m: int, rng: np.random.Generator) -> np.ndarray:
    if net.output == "softmax":
        return rng.integers(0, net.sizes[-1], m)  # integer labels
    return rng.random((net.sizes[-1], m))  # soft multi-label targets in [0, 1]


def mnist_like_batch(m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """784 pixels in [0, 1], mostly black (zero) like MNIST, and labels 0..9."""
    rng = np.random.default_rng(seed)
    X = rng.random((784, m)) * (rng.random((784, m)) < 0.2)
    return X, rng.integers(0, 10, m)


def naive_central_differences(
    net: Network, X: np.ndarray, Y: np.ndarray, step: float = 1e-6
) -> list[np.ndarray]:
    """Textbook reference: perturb one parameter at a time and rerun the whole forward pass."""
    targets = net.check_targets(Y, X.shape[1])
    gradients = []
    for array in net.weights + net.biases:
        gradient = np.empty_like(array)
        for index in np.ndindex(array.shape):
            saved = array[index]
            array[index] = saved + step
            plus = cost_with_parameters(net, net.weights, net.biases, X, targets)
            array[index] = saved - step
            minus = cost_with_parameters(net, net.weights, net.biases, X, targets)
            array[index] = saved
            gradient[index] = (plus - minus) / (2 * step)
        gradients.append(gradient)
    return gradients


class SeedBugNetwork(Network):
    """Seed 000's backward pass: delta = (a_H - y) * sigmoid'(z_H), wrong for cross-entropy."""

    def backward(self, X, Y):  # type: ignore[override]
        X = self.check_inputs(X)
        Y = self.check_targets(Y, X.shape[1])
        return hand_written_backward(self, X, Y, extra_sigma_prime=True)


class HandWrittenNetwork(Network):
    """The same hand-written backward pass without the bug: it must pass."""

    def backward(self, X, Y):  # type: ignore[override]
        X = self.check_inputs(X)
        Y = self.check_targets(Y, X.shape[1])
        return hand_written_backward(self, X, Y, extra_sigma_prime=False)


def hand_written_backward(
    net: Network, X: np.ndarray, Y: np.ndarray, extra_sigma_prime: bool
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    cache = net.forward(X)
    m = X.shape[1]
    A_out = cache.output
    delta = A_out - Y
    if extra_sigma_prime:
        delta = delta * A_out * (1 - A_out)
    dW: list[np.ndarray] = [np.empty(0)] * net.num_layers
    db: list[np.ndarray] = [np.empty(0)] * net.num_layers
    for k in range(net.num_layers - 1, -1, -1):
        dW[k] = delta @ cache.A[k].T / m
        db[k] = delta.sum(axis=1, keepdims=True) / m
        if k:
            g_prime = net.hidden.derivative(cache.Z[k - 1], cache.A[k])
            delta = (net.weights[k].T @ delta) * g_prime
    return dW, db


# ---------------------------------------------------------------- the fast numeric gradient
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_structured_central_differences_equal_naive_one_at_a_time_differences(
    hidden: str, output: str
) -> None:
    net = Network([4, 3, 3, 2], hidden_activation=hidden, output=output, seed=1)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(4, 5))
    Y = targets_for(net, 5, rng)
    fast_W, fast_b = numerical_gradients(net, X, Y, method="central")
    naive = naive_central_differences(net, X, Y)
    # Both are central differences with h = 1e-6; they differ only in rounding, ~eps*J/h ~ 1e-10.
    for fast, slow in zip(fast_W + fast_b, naive, strict=True):
        assert_allclose(fast, slow, rtol=0, atol=1e-8)


def test_complex_step_numeric_gradient_equals_central_differences() -> None:
    net = Network([5, 4, 3], hidden_activation="tanh", seed=3)
    X, y = np.random.default_rng(4).normal(size=(5, 6)), np.array([0, 1, 2, 0, 1, 2])
    central_W, central_b = numerical_gradients(net, X, y, method="central")
    complex_W, complex_b = numerical_gradients(net, X, y, method="complex")
    for a, b in zip(central_W + central_b, complex_W + complex_b, strict=True):
        assert_allclose(a, b, rtol=0, atol=1e-8)  # the central-difference rounding level


def test_cost_with_parameters_is_the_networks_loss() -> None:
    net = Network([5, 4, 3], output="sigmoid", seed=3)
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(5, 6)), rng.random((3, 6))
    assert cost_with_parameters(net, net.weights, net.biases, X, Y) == pytest.approx(
        net.loss(X, Y), rel=1e-13
    )


# ---------------------------------------------------------------- passes on correct networks
@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    widths=st.lists(st.integers(1, 6), min_size=2, max_size=4),
    hidden=st.sampled_from(HIDDEN),
    output=st.sampled_from(OUTPUTS),
    init=st.sampled_from(["normal", "xavier", "he"]),
    m=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
)
def test_gradcheck_passes_on_random_networks_of_every_activation_and_loss(
    widths: list[int], hidden: str, output: str, init: str, m: int, seed: int
) -> None:
    if output == "softmax" and widths[-1] == 1:
        widths = [*widths[:-1], 2]  # a one-class softmax has a constant loss; still checkable
    net = Network(widths, hidden_activation=hidden, output=output, init=init, seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(widths[0], m))
    Y = targets_for(net, m, rng)
    bound_W, bound_b = complex_check_bounds(net, X, Y)
    exact = check_gradients(net, X, Y, method="complex")
    assert_complex_check_within_bound(net, X, Y, exact, bound_W + bound_b)
    central = check_gradients(net, X, Y, method="central")
    if not central.notes:  # no ReLU pre-activation within reach of the kink
        assert central.passed, str(central)


def complex_check_bounds(
    net: Network, X: np.ndarray, Y: object
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """SAFETY × (backward's rounding bound + the complex step's bound), per parameter."""
    targets = net.check_targets(Y, X.shape[1])
    forward = forward_error(net, X)
    backward_W, backward_b = backward_error(net, X, targets, forward)
    step_W, step_b = complex_step_error(net, X, targets, forward=forward)
    return (
        [SAFETY * (a + b) for a, b in zip(backward_W, step_W, strict=True)],
        [SAFETY * (a + b) for a, b in zip(backward_b, step_b, strict=True)],
    )


def assert_complex_check_within_bound(net, X, Y, result, bounds) -> None:
    """The check passes whenever each array's bound, relative to its largest gradient entry,
    is within the tolerance; every array's error is within its bound in any case."""
    dW, db = net.backward(X, Y)
    gradients = [*dW, *db]
    labels = [f"W{k + 1}" for k in range(len(dW))] + [f"b{k + 1}" for k in range(len(db))]
    must_pass = True
    for label, gradient, bound in zip(labels, gradients, bounds, strict=True):
        scale = float(np.max(np.abs(gradient)))
        relative_bound = float(np.max(bound)) / scale if scale else float("inf")
        if relative_bound > result.tolerance:
            must_pass = False
        if scale:
            assert result.errors[label] <= relative_bound, (label, str(result))
    if must_pass:
        assert result.passed, str(result)


def test_numpy_complex_functions_meet_the_assumed_accuracy_in_the_complex_step_regime() -> None:
    """The premise of ``complex_step_error``: the imaginary parts of NumPy's complex tanh, exp,
    log and log1p at Im z ~ 1e-20 are within CLIBM (16 ulp) of 50-digit mpmath, or within
    SUBNORMAL_ERROR where they underflow (exp of −700 times 1e-20)."""
    rng = np.random.default_rng(0)
    cases = [
        (np.tanh, mpmath.tanh, rng.uniform(-40, 40, 300)),
        (np.exp, mpmath.exp, rng.uniform(-745, 0, 300)),
        (np.log, mpmath.log, rng.uniform(1, 1e3, 300)),
        (np.log1p, mpmath.log1p, np.exp(rng.uniform(-745, 0, 300))),
    ]
    with mpmath.workdps(50):
        for function, exact_function, reals in cases:
            for x, y in zip(reals, 1e-20 * rng.uniform(-1e3, 1e3, reals.size), strict=True):
                got = mpmath.mpf(float(function(np.complex128(complex(x, y))).imag))
                exact = mpmath.im(exact_function(mpmath.mpc(float(x), float(y))))
                allowed = max(CLIBM * abs(exact), SUBNORMAL_ERROR)
                assert abs(got - exact) <= allowed, (function.__name__, x, y)


def test_complex_check_fails_a_relative_error_above_the_bound() -> None:
    """A backward pass off by one part in 1e9 (above the bound, here ~1e-13 relative, and far
    below what central differences resolve) fails the complex check, by exactly that error."""

    class OffByOnePartInABillion(Network):
        def backward(self, X, Y):  # type: ignore[override]
            dW, db = super().backward(X, Y)
            return [g * (1 + 1e-9) for g in dW], db

    net = OffByOnePartInABillion([3, 4, 2], hidden_activation="tanh", seed=0)
    X, y = np.linspace(-1, 1, 6).reshape(3, 2), np.array([0, 1])
    result = check_gradients(net, X, y, method="complex")
    assert not result.passed and result.errors["W1"] == pytest.approx(1e-9, rel=1e-3)
    dW, _ = net.backward(X, y)
    numeric_W, _ = numerical_gradients(net, X, y, method="complex")
    assert relative_error(dW[0], numeric_W[0]) == result.errors["W1"]


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_gradcheck_passes_by_both_methods_for_each_pairing(hidden: str, output: str) -> None:
    net = Network([6, 5, 4, 3], hidden_activation=hidden, output=output, init="normal", seed=7)
    rng = np.random.default_rng(8)
    X, Y = rng.normal(size=(6, 8)), targets_for(net, 8, rng)
    for method in ("central", "complex"):
        result = check_gradients(net, X, Y, method=method)
        assert result.passed, str(result)
        assert result.notes == ()
        directional = check_directional_derivatives(net, X, Y, method=method)
        assert directional.passed, str(directional)


def test_hand_written_correct_backward_passes() -> None:
    """Guards the failure tests below: the subclass machinery itself is not what fails."""
    net = HandWrittenNetwork([5, 4, 3], seed=0)
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(5, 6)), rng.integers(0, 3, 6)
    assert check_gradients(net, X, y).passed
    assert check_gradients(net, X, y, method="complex").passed


# ---------------------------------------------------------------- fails on wrong networks
@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_gradcheck_fails_on_the_documents_extra_sigma_prime_factor(output: str) -> None:
    net = SeedBugNetwork([5, 4, 3], output=output, seed=0)
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(5, 6)), rng.integers(0, 3, 6)
    for method in ("central", "complex"):
        result = check_gradients(net, X, y, method=method)
        assert not result.passed
        assert result.max_error > 1e-2  # an O(1) discrepancy, far above any tolerance
        assert not check_directional_derivatives(net, X, y, method=method).passed


def test_gradcheck_fails_on_a_bias_gradient_summed_instead_of_averaged() -> None:
    class SummedBias(Network):
        def backward(self, X, Y):  # type: ignore[override]
            dW, db = super().backward(X, Y)
            return dW, [g * X.shape[1] for g in db]

    net = SummedBias([4, 3, 2], seed=0)
    rng = np.random.default_rng(2)
    result = check_gradients(net, rng.normal(size=(4, 5)), rng.integers(0, 2, 5))
    assert not result.passed
    assert result.errors["b1"] > 0.5 and result.errors["W1"] < DEFAULT_TOLERANCES["central"]


def test_gradcheck_detects_a_one_per_mille_error_in_one_layer() -> None:
    class SlightlyOff(Network):
        def backward(self, X, Y):  # type: ignore[override]
            dW, db = super().backward(X, Y)
            dW[0] = dW[0] * 1.001
            return dW, db

    net = SlightlyOff([4, 3, 2], seed=0)
    rng = np.random.default_rng(3)
    result = check_gradients(net, rng.normal(size=(4, 5)), rng.integers(0, 2, 5))
    assert not result.passed
    assert result.errors["W1"] == pytest.approx(1e-3, rel=0.01)
    assert result.layer_errors[1] < result.tolerance  # the other layer is still fine


# ---------------------------------------------------------------- ReLU kink
def test_relu_kink_within_reach_is_reported_and_the_complex_step_is_still_exact() -> None:
    # zero biases and an all-zero column make every hidden pre-activation exactly 0 there
    net = Network([3, 4, 2], hidden_activation="relu", init="he", seed=0)
    X = np.array([[0.0, 1.0], [0.0, -2.0], [0.0, 0.5]])
    y = np.array([0, 1])
    central = check_gradients(net, X, y, method="central")
    assert central.notes and "kink" in central.notes[0]
    # relu'(0) = 0 is the convention both sides use with the complex step
    assert check_gradients(net, X, y, method="complex").passed


# ---------------------------------------------------------------- 784-30-10
# (how long the checks take is measured by `verified-backprop bench`, not asserted here)
def test_every_one_of_23860_parameters_of_784_30_10_passes_central_differences() -> None:
    net = Network([784, 30, 10], seed=0)  # standard-normal init, as in the seed
    X, y = mnist_like_batch(16)
    result = check_gradients(net, X, y, method="central")
    assert result.passed, str(result)
    assert result.parameters_checked == 23_860 == net.n_parameters
    assert set(result.errors) == {"W1", "b1", "W2", "b2"}
    assert len(result.layer_errors) == 2


def test_784_30_10_passes_the_complex_step_check_to_near_machine_precision() -> None:
    net = Network([784, 30, 10], seed=1)
    X, y = mnist_like_batch(16, seed=1)
    result = check_gradients(net, X, y, method="complex")
    assert result.passed, str(result)
    assert result.max_error < 1e-12


def test_directional_checks_of_784_30_10_pass_with_both_methods_in_three_directions() -> None:
    net = Network([784, 30, 10], seed=2)
    X, y = mnist_like_batch(16, seed=2)
    for method in ("central", "complex"):
        result = check_directional_derivatives(net, X, y, method=method)
        assert result.passed, str(result)
        assert result.method == f"directional-{method}"
        assert len(result.errors) == 3


# ---------------------------------------------------------------- the result and bad calls
def test_result_reports_tolerance_step_per_layer_errors_and_a_verdict() -> None:
    net = Network([3, 4, 2], seed=0)
    rng = np.random.default_rng(0)
    result = check_gradients(net, rng.normal(size=(3, 4)), np.array([0, 1, 1, 0]), tolerance=1e-4)
    assert (result.method, result.tolerance, result.step) == ("central", 1e-4, 1e-6)
    assert set(result.errors) == {"W1", "b1", "W2", "b2"}
    assert result.layer_errors == (
        max(result.errors["W1"], result.errors["b1"]),
        max(result.errors["W2"], result.errors["b2"]),
    )
    assert result.passed and "PASSED" in str(result)


def test_gradcheck_rejects_unknown_methods_bad_steps_and_single_precision() -> None:
    net = Network([3, 2], seed=0)
    X, y = np.zeros((3, 2)), np.array([0, 1])
    with pytest.raises(
        ValueError, match=r"method is 'forward' but must be one of 'central', 'complex'"
    ):
        check_gradients(net, X, y, method="forward")
    with pytest.raises(ValueError, match=r"step is -1 but must be a positive finite number"):
        check_gradients(net, X, y, step=-1)
    with pytest.raises(ValueError, match=r"directions is 0 but must be a positive integer"):
        check_directional_derivatives(net, X, y, directions=0)
    with pytest.raises(
        ValueError,
        match=r"^the network has dtype float32, but gradient checking needs float64 \(single "
        r"precision cannot resolve finite differences to the tolerances used\)$",
    ):
        check_gradients(Network([3, 2], dtype=np.float32), X, y)
    with pytest.raises(ValueError, match=r"X has shape \(2, 2\)"):
        check_gradients(net, np.zeros((2, 2)), y)


def test_numerical_gradients_are_the_same_in_chunks_each_perturbation_once(monkeypatch) -> None:
    """With stacks limited to 24 elements (m = 3; above W¹ the widest layer is 5, so one
    network per stack; above W², W³ it is 4, so two) the perturbed networks are evaluated in
    chunks within that bound, every perturbation exactly once, and the gradients are bit for
    bit those of one stack."""
    import impl.gradcheck as gradcheck

    net = Network([3, 5, 2, 4], seed=0)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(3, 3)), np.array([0, 3, 1])
    whole = numerical_gradients(net, X, y, method="complex")
    stacks: list[tuple[int, np.ndarray]] = []
    perturbed_costs = gradcheck._perturbed_costs

    def recording(net, cache, Y, layer, rows, row_changes):
        stacks.append((layer, rows.copy()))
        return perturbed_costs(net, cache, Y, layer, rows, row_changes)

    monkeypatch.setattr(gradcheck, "CHUNK_ELEMENTS", 24)
    monkeypatch.setattr(gradcheck, "_perturbed_costs", recording)
    chunked = numerical_gradients(net, X, y, method="complex")
    for a, b in zip(whole[0] + whole[1], chunked[0] + chunked[1], strict=True):
        np.testing.assert_array_equal(a, b)
    for layer in range(net.num_layers):
        widest = max(net.sizes[layer + 1 :])
        sizes = [rows.size for stacked_layer, rows in stacks if stacked_layer == layer]
        assert all(size * widest * 3 <= 24 for size in sizes) and max(sizes) == 24 // (widest * 3)
        n_out, n_in = net.weights[layer].shape
        assert sum(sizes) == n_out * n_in + n_out  # each weight and bias once
