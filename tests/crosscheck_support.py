"""Strategies and property checks shared by the three-way cross-check tests.

The property checks are plain functions taking the implementation under test (a
``Network`` class, or a delta function), so the tests in ``test_crosscheck_power.py`` can
run *the same* checks on deliberately wrong implementations and see them fail.

Tolerances (float64). Every tolerance but one is an a priori bound computed for the very
network, batch and parameter being compared (``error_bounds``, which states the derivation):

* central differences with step h = 1e-6: |backward − difference| ≤ SAFETY × (the rounding
  bound of ``backward`` + the difference's truncation bound h²/6 · sup|J‴| from the chain
  rule with the suprema of the activations' and losses' derivatives + the rounding of J at
  both points divided by the exact step); a wrong gradient is off by O(|g|);
* symbolic vs implementation (``test_crosscheck_symbolic_vs_impl``): the proven gradient
  evaluated in 50 digits, against the rounding bound of ``backward``;
* complex step (``impl.gradcheck.numerical_gradients``, h = 1e-20): |backward − complex step|
  ≤ SAFETY × (the rounding bound of ``backward`` + ``complex_step_error``: truncation
  h²/6 · sup|J‴| and the rounding of the forward-mode tangent the imaginary parts carry, with
  NumPy's complex exp, tanh and log assumed within ``CLIBM``, which a test checks against
  mpmath); a wrong gradient is off by O(|g|).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np
from error_bounds import (
    SAFETY,
    CentralDifference,
    backward_error,
    central_difference_error,
    complex_step_error,
    forward_error,
    loss_error,
    output_delta_error,
    output_difference_error,
)
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from impl import Network, numerical_gradients

HIDDEN = ("sigmoid", "tanh", "relu")
OUTPUTS = ("softmax", "sigmoid", "sigmoid_quadratic")
CENTRAL_STEP = 1e-6
MAX_FD_COORDINATES = 120


def finite(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False, width=64)


def network_inputs() -> st.SearchStrategy[float]:
    """Input entries in [−2, 2]: zero or of magnitude ≥ 1e-100.

    Tinier inputs are excluded for one reason: the complex step perturbs W by ih with
    h = 1e-20, so Im z = h·x underflows to 0 when |x| ≲ 1e-300 and the complex-step
    derivative of W is lost (a limit of the method in float64, not of the implementation).
    Tiny inputs are covered by ``test_crosscheck_extremes``.
    """
    return finite(-2.0, 2.0).filter(lambda value: value == 0.0 or abs(value) >= 1e-100)


@st.composite
def architectures(draw, max_depth: int = 4, max_width: int = 12, equal_widths: bool = False):
    depth = draw(st.integers(1, max_depth))
    if equal_widths:
        width = draw(st.integers(2, max_width))
        return [width] * (depth + 1)
    return [draw(st.integers(1, max_width)) for _ in range(depth + 1)]


def multi_hot_labels(classes: int, batch: int) -> st.SearchStrategy[np.ndarray]:
    """Columns of 0s and 1s (any number of 1s): multi-label targets, as floats."""
    return hnp.arrays(np.int64, (classes, batch), elements=st.integers(0, 1)).map(
        lambda y: y.astype(float)
    )


@st.composite
def labels(draw, output: str, classes: int, batch: int) -> np.ndarray:
    """Hard or soft labels valid for the loss: one-hot / probability columns for softmax,
    {0, 1} or [0, 1] entries for the sigmoid outputs."""
    hard = draw(st.booleans())
    shape = (classes, batch)
    if output == "softmax":
        if hard:
            picks = draw(hnp.arrays(np.int64, batch, elements=st.integers(0, classes - 1)))
            return np.eye(classes)[:, picks]
        weights = draw(hnp.arrays(np.float64, shape, elements=finite(0.01, 1.0)))
        return weights / weights.sum(axis=0, keepdims=True)
    if hard:
        return draw(multi_hot_labels(classes, batch))
    return draw(hnp.arrays(np.float64, shape, elements=finite(0.0, 1.0)))


@st.composite
def problems(draw, hidden: str, output: str, network_class=Network, **architecture_options):
    """(network, X, Y): a random network of ``network_class`` with a batch and valid labels."""
    sizes = draw(architectures(**architecture_options))
    if output == "softmax":  # a softmax over one unit is refused (its loss is always 0)
        sizes[-1] = max(sizes[-1], 2)
    batch = draw(st.integers(1, 16))
    seed = draw(st.integers(0, 2**32 - 1))
    net = network_class(sizes, hidden_activation=hidden, output=output, seed=seed)
    X = draw(hnp.arrays(np.float64, (sizes[0], batch), elements=network_inputs()))
    Y = draw(labels(output, sizes[-1], batch))
    if hidden == "relu":  # ReLU is checked away from its kink
        cache = net.forward(X)
        assume(all(np.min(np.abs(z)) > 1e-4 for z in cache.Z[:-1]))
    return net, X, Y


def central_difference_gradients(
    net: Network, X: np.ndarray, Y: np.ndarray, rng
) -> list[CentralDifference]:
    """Central differences of ``net.loss`` for every parameter (or a random subset of
    MAX_FD_COORDINATES of them), perturbing the parameter arrays in place and restoring them.

    The quotient is taken over the exact distance θ⁺ − θ⁻ of the parameters actually
    evaluated (θ ± h rounds), so the step's rounding does not enter. Independent of
    impl.gradcheck.
    """
    arrays = [(f"W{k + 1}", W) for k, W in enumerate(net.weights)]
    arrays += [(f"b{k + 1}", b) for k, b in enumerate(net.biases)]
    coordinates = [
        (name, array, index) for name, array in arrays for index in np.ndindex(array.shape)
    ]
    if len(coordinates) > MAX_FD_COORDINATES:
        keep = rng.choice(len(coordinates), MAX_FD_COORDINATES, replace=False)
        coordinates = [coordinates[position] for position in sorted(keep)]
    differences = []
    for name, array, index in coordinates:
        original = float(array[index])
        array[index] = original + CENTRAL_STEP
        plus_parameter, plus = float(array[index]), net.loss(X, Y)
        array[index] = original - CENTRAL_STEP
        minus_parameter, minus = float(array[index]), net.loss(X, Y)
        array[index] = original
        distance = float(Fraction(plus_parameter) - Fraction(minus_parameter))
        differences.append(
            CentralDifference(
                name, index, original, plus_parameter, minus_parameter, (plus - minus) / distance
            )
        )
    return differences


def check_backward_against_finite_differences(
    network_class, hidden: str, output: str, **architecture_options
) -> Callable[[], None]:
    """Property: ``backward`` equals central differences and the complex step, everywhere.

    Central differences: |analytic − difference| ≤ SAFETY (backward's rounding bound +
    the difference's truncation and rounding bound), both from ``error_bounds`` for this
    very network and batch; examples where a ReLU kink lies within a step's reach are
    skipped (``assume``), since there no derivative exists to compare. Complex step:
    |analytic − complex step| ≤ SAFETY (backward's rounding bound + ``complex_step_error``).
    """

    @given(
        problem=problems(hidden, output, network_class, **architecture_options),
        subset_seed=st.integers(0, 2**16),
    )
    def check(problem, subset_seed: int) -> None:
        net, X, Y = problem
        dW, db = net.backward(X, Y)
        analytic = {f"W{k + 1}": g for k, g in enumerate(dW)}
        analytic |= {f"b{k + 1}": np.reshape(g, (-1, 1)) for k, g in enumerate(db)}
        forward = forward_error(net, X)
        bound_W, bound_b = backward_error(net, X, Y, forward)
        analytic_error = {f"W{k + 1}": e for k, e in enumerate(bound_W)}
        analytic_error |= {f"b{k + 1}": e for k, e in enumerate(bound_b)}
        cost_error = loss_error(net, X, Y, forward)
        rng = np.random.default_rng(subset_seed)
        for difference in central_difference_gradients(net, X, Y, rng):
            name, index = difference.name, difference.index
            numeric_error = central_difference_error(
                net, forward, Y, difference, CENTRAL_STEP, cost_error
            )
            assume(np.isfinite(numeric_error))
            allowed = SAFETY * (analytic_error[name][index] + numeric_error)
            assert abs(analytic[name][index] - difference.value) <= allowed, (
                f"d J / d {name}{list(index)} by central differences: backward gives "
                f"{analytic[name][index]!r}, the difference {difference.value!r}, "
                f"more apart than the bound {allowed:.3g}"
            )
        complex_W, complex_b = numerical_gradients(net, X, Y, method="complex")
        step_W, step_b = complex_step_error(net, X, Y, forward=forward)
        step_error = {f"W{k + 1}": e for k, e in enumerate(step_W)}
        step_error |= {f"b{k + 1}": e for k, e in enumerate(step_b)}
        for name, numeric in [
            *((f"W{k + 1}", g) for k, g in enumerate(complex_W)),
            *((f"b{k + 1}", g) for k, g in enumerate(complex_b)),
        ]:
            allowed = SAFETY * (analytic_error[name] + step_error[name])
            excess = np.abs(analytic[name] - numeric) - allowed
            assert np.all(excess <= 0), (
                f"d J / d {name} by the complex step: backward and the complex step differ by "
                f"more than their bound at {np.argwhere(excess > 0).tolist()}"
            )

    return check


def check_delta_against_finite_differences(
    delta: Callable[[np.ndarray, np.ndarray], np.ndarray],
    activation: Callable[[np.ndarray], np.ndarray],
    loss: Callable[[np.ndarray, np.ndarray], np.ndarray],
    label_strategy: Callable[[int, int], st.SearchStrategy[np.ndarray]],
    output: str,
) -> Callable[[], None]:
    """Property: ``delta(activation(z), y)`` is ∂L/∂z of the per-example ``loss(z, y)``.

    ``output`` names the pairing whose error bounds apply (``error_bounds``): |δ̂ − difference|
    ≤ SAFETY (the delta's rounding bound + the difference's truncation and rounding bound).
    """

    @given(data=st.data())
    def check(data) -> None:
        classes = data.draw(st.integers(1, 8), label="K")
        batch = data.draw(st.integers(1, 6), label="m")
        logits = data.draw(hnp.arrays(np.float64, (classes, batch), elements=finite(-6, 6)))
        targets = data.draw(label_strategy(classes, batch))
        a = activation(logits)
        got = delta(a, targets)
        delta_bound = output_delta_error(output, a, targets)
        for unit in range(classes):
            plus, minus = logits.copy(), logits.copy()
            plus[unit] += CENTRAL_STEP
            minus[unit] -= CENTRAL_STEP
            distance = np.array(
                [
                    float(Fraction(p) - Fraction(q))
                    for p, q in zip(plus[unit], minus[unit], strict=True)
                ]
            )
            numeric = (loss(plus, targets) - loss(minus, targets)) / distance
            allowed = SAFETY * (
                delta_bound[unit]
                + output_difference_error(output, logits, targets, unit, plus[unit], minus[unit])
            )
            assert np.all(np.abs(got[unit] - numeric) <= allowed), (
                f"dL/dz_{unit + 1}: delta {got[unit]}, differences {numeric}, bound {allowed}"
            )

    return check
