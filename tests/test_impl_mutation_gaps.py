"""Behaviour that mutation testing of ``impl`` found untested: each test fails for a named
kind of wrong code (in its docstring) and passes for ``impl``.

Comparisons are exact where the computation is the same one (identical inputs and shapes
give identical BLAS results, and multiplying by a power of two is exact); elsewhere the
tolerance comes from ``error_bounds``.
"""

from __future__ import annotations

import numpy as np
import pytest
from error_bounds import SAFETY, loss_error

from impl import Network, check_directional_derivatives, check_gradients, numerical_gradients
from impl.gradcheck import relative_error
from impl.network import EVALUATION_CHUNK

SECOND_CHUNK = EVALUATION_CHUNK // 2  # a power of two, like EVALUATION_CHUNK


def _two_chunk_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    m = EVALUATION_CHUNK + SECOND_CHUNK
    return rng.uniform(-1, 1, (3, m)), rng.integers(0, 2, m)


def test_evaluate_sums_the_loss_and_the_hits_of_every_chunk() -> None:
    """Kills ``total_loss = ...`` / ``correct = ...`` instead of ``+=`` (MNIST has 60,000
    columns). With chunks of 2¹³ and 2¹² columns, chunk sum = chunk mean × its size exactly,
    so the whole mean is reproduced bit for bit."""
    net = Network([3, 4, 2], seed=0)
    X, y = _two_chunk_data()
    first = net.evaluate(X[:, :EVALUATION_CHUNK], y[:EVALUATION_CHUNK])
    second = net.evaluate(X[:, EVALUATION_CHUNK:], y[EVALUATION_CHUNK:])
    m = X.shape[1]
    loss, accuracy = net.evaluate(X, y)
    assert loss == (first[0] * EVALUATION_CHUNK + second[0] * SECOND_CHUNK) / m
    hits = round(first[1] * EVALUATION_CHUNK) + round(second[1] * SECOND_CHUNK)
    assert accuracy == hits / m


def test_loss_of_many_columns_is_within_its_rounding_bound_of_the_small_batches() -> None:
    """The same through ``loss``, against the bound of both evaluations (``error_bounds``)."""
    net = Network([3, 4, 2], seed=1)
    X, y = _two_chunk_data()
    Y = np.eye(2)[:, y]
    parts = [(slice(0, EVALUATION_CHUNK)), slice(EVALUATION_CHUNK, None)]
    weighted = sum(net.loss(X[:, part], y[part]) * X[:, part].shape[1] for part in parts)
    bound = loss_error(net, X, Y) + sum(loss_error(net, X[:, p], Y[:, p]) for p in parts)
    assert abs(net.loss(X, y) - weighted / X.shape[1]) <= SAFETY * bound


def test_predict_proba_joins_the_chunks_along_the_example_axis() -> None:
    """Kills concatenation along axis 0 (or dropping a chunk): shape (n_L, m), and each
    chunk's columns are exactly those computed for that chunk alone."""
    net = Network([3, 5, 4], seed=0)
    X, _ = _two_chunk_data()
    probabilities = net.predict_proba(X)
    assert probabilities.shape == (4, X.shape[1])
    np.testing.assert_array_equal(
        probabilities[:, EVALUATION_CHUNK:], net.predict_proba(X[:, EVALUATION_CHUNK:])
    )
    np.testing.assert_array_equal(
        probabilities[:, :EVALUATION_CHUNK], net.predict_proba(X[:, :EVALUATION_CHUNK])
    )
    np.testing.assert_array_equal(net.predict(X), np.argmax(probabilities, axis=0))


def _sigmoid_outputs(a: list[float]) -> Network:
    """Network([1, K], output='sigmoid') whose outputs at x = 0 are ``a`` (z = b = logit a)."""
    net = Network([1, len(a)], output="sigmoid", seed=0)
    net.weights[0][:] = 0.0
    net.biases[0][:] = np.log(np.array(a) / (1 - np.array(a)))[:, None]
    return net


@pytest.mark.parametrize(
    ("targets", "accuracy"),
    [
        # one-hot: argmax rule; outputs (0.4, 0.3) pick unit 0 = the label, although 0.4 < 1/2
        ([[1.0], [0.0]], 1.0),
        # multi-hot (1, 1): every unit must be on the right side of 1/2; both are below
        ([[1.0], [1.0]], 0.0),
        # all zero: per-unit rule, both outputs below 1/2 are right (argmax would say wrong)
        ([[0.0], [0.0]], 1.0),
        # soft (0.5, 0.5) sums to one but is not one-hot: per-unit rule, 0.4 < 0.5 is wrong
        ([[0.5], [0.5]], 0.0),
        # one-hot on unit 1: argmax picks unit 0, wrong (and unit 1 is below 1/2)
        ([[0.0], [1.0]], 0.0),
    ],
)
def test_sigmoid_accuracy_uses_argmax_only_for_one_hot_columns(targets, accuracy) -> None:
    """Kills wrong one-hot detection (``|`` for ``&``, ``!= 1``, a sum over the wrong axis)."""
    net = _sigmoid_outputs([0.4, 0.3])
    assert net.evaluate(np.zeros((1, 1)), np.array(targets))[1] == accuracy


def test_one_hot_detection_looks_at_every_column() -> None:
    """Column 1 is multi-hot: the per-unit rule for all, so column 0 (argmax-right,
    threshold-wrong) counts as wrong."""
    net = _sigmoid_outputs([0.4, 0.3])
    Y = np.array([[1.0, 1.0], [0.0, 1.0]])
    assert net.evaluate(np.zeros((1, 2)), Y)[1] == 0.0


def _small_problem() -> tuple[Network, np.ndarray, np.ndarray]:
    net = Network([3, 4, 2], seed=0)
    X = np.linspace(-1, 1, 6).reshape(3, 2)
    return net, X, np.array([0, 1])


def test_check_gradients_uses_the_step_it_is_given() -> None:
    """Kills ignoring ``step``: with h = 0.5 the central difference of this smooth net is
    off by its truncation error h²/6·J''' (relative ~1e-2), far above the tolerance 1e-5;
    with the default h = 1e-6 it passes."""
    net, X, y = _small_problem()
    coarse = check_gradients(net, X, y, step=0.5)
    assert coarse.step == 0.5 and not coarse.passed and coarse.max_error > 1e-3
    assert check_gradients(net, X, y).passed


def test_check_gradients_uses_the_method_it_is_given() -> None:
    """Kills ignoring ``method``: the complex step at h = 0.5 has truncation −h²J'''/6 and
    central differences +h²J'''/6, so the two estimates differ by h²|J'''|/3."""
    net, X, y = _small_problem()
    complex_W, _ = numerical_gradients(net, X, y, method="complex", step=0.5)
    central_W, _ = numerical_gradients(net, X, y, method="central", step=0.5)
    assert np.max(np.abs(complex_W[0] - central_W[0])) > 1e-4
    result = check_gradients(net, X, y, method="complex")
    assert result.method == "complex" and result.step == 1e-20 and result.tolerance == 1e-10


def test_directional_check_compares_with_its_tolerance() -> None:
    """Kills ignoring ``tolerance``: central differences are never exact (|error| > 0 here),
    so a tolerance of 1e-300 fails while the default passes."""
    net, X, y = _small_problem()
    strict = check_directional_derivatives(net, X, y, tolerance=1e-300)
    assert strict.tolerance == 1e-300 and not strict.passed and strict.max_error > 0
    assert check_directional_derivatives(net, X, y).passed


def test_directional_check_runs_the_number_of_directions_asked_for() -> None:
    net, X, y = _small_problem()
    result = check_directional_derivatives(net, X, y, directions=5, method="complex")
    assert list(result.errors) == [f"direction {k}" for k in range(1, 6)] and result.passed


def test_relative_error_of_an_all_zero_gradient_is_zero_and_of_a_tiny_one_is_one() -> None:
    """A dead ReLU layer: analytic and numerical gradients both exactly 0 → error 0, not NaN;
    0 against 1e-300 is a 100 % discrepancy."""
    zeros = np.zeros((3, 2))
    assert relative_error(zeros, zeros) == 0.0
    assert relative_error(zeros, np.full((3, 2), 1e-300)) == 1.0
    assert relative_error(np.array([2.0, -4.0]), np.array([2.0, -3.0])) == 0.25


def test_gradient_check_of_a_dead_relu_layer_passes_with_zero_error() -> None:
    net = Network([2, 3, 2], hidden_activation="relu", seed=0)
    net.biases[0][:] = -100.0  # every hidden pre-activation is ≤ −100 + |W x|: all dead
    X = np.array([[0.5, -0.5], [0.25, 1.0]])
    result = check_gradients(net, X, np.array([0, 1]), method="complex")
    assert result.errors["W1"] == 0.0 and result.errors["b1"] == 0.0 and result.passed


def test_float32_networks_compute_in_float32_everywhere() -> None:
    """Kills a float64 buffer or a dropped ``dtype``: every result of a float32 network is
    float32, and training keeps its parameters float32."""
    net = Network([3, 4, 2], seed=0, dtype=np.float32)
    X, y = np.linspace(-1, 1, 6).reshape(3, 2), np.array([0, 1])
    cache = net.forward(X)
    assert all(a.dtype == np.float32 for a in (*cache.Z, *cache.A))
    dW, db = net.backward(X, y)
    assert all(g.dtype == np.float32 for g in (*dW, *db))
    assert net.predict_proba(X).dtype == np.float32
    net.gradient_descent(X, y, 0.1)
    net.fit(X, y, epochs=1, batch_size=1, learning_rate=0.1, progress=False)
    assert all(p.dtype == np.float32 for p in (*net.weights, *net.biases))


def test_float32_training_buffers_are_float32() -> None:
    """Kills float64 work buffers (``_Workspace`` without ``dtype``): float32 parameters
    updated from float64 arithmetic would still *look* float32."""
    net = Network([3, 4, 2], seed=0, dtype=np.float32)
    net.gradient_descent(np.linspace(-1, 1, 6).reshape(3, 2), np.array([0, 1]), 0.1)
    (buffers,) = net._workspaces.values()
    arrays = [*buffers.Z, *buffers.A[1:], *buffers.delta, *buffers.work, buffers.ones]
    assert all(a.dtype == np.float32 for a in [*arrays, *buffers.grad_W, *buffers.grad_b])


def test_float32_loss_is_summed_in_float64() -> None:
    """J = (Σᵢ Lᵢ in float64) / m, bit for bit the same computation as here."""
    net = Network([3, 4, 2], seed=0, dtype=np.float32)
    X, y = np.linspace(-1, 1, 30).reshape(3, 10), np.arange(10) % 2
    Y = np.eye(2, dtype=np.float32)[:, y]
    losses = net.output_layer.loss(net.forward(X).Z[-1], Y)
    assert net.loss(X, y) == float(np.sum(losses, dtype=np.float64)) / 10


def test_softmax_accuracy_takes_the_argmax_of_soft_labels() -> None:
    """A softmax target (0.6, 0.4) is single-label whatever its form: argmax rule."""
    net = Network([1, 2], seed=0)
    net.weights[0][:] = 0.0
    net.biases[0][:] = np.array([[0.1], [0.0]])  # outputs ≈ (0.52, 0.48)
    assert net.evaluate(np.zeros((1, 1)), np.array([[0.6], [0.4]]))[1] == 1.0


@pytest.mark.parametrize(
    ("targets", "accuracy"),
    [([[1.0], [1.0]], 1.0), ([[1.0, 0.0], [0.0, 1.0]], 0.5)],
)
def test_sigmoid_per_unit_rule_counts_an_output_of_one_half_as_on(targets, accuracy) -> None:
    """Outputs exactly 1/2 (z = 0) meet targets ≥ 1/2: multi-hot (1, 1) is right. Two one-hot
    columns use the argmax rule (both outputs 1/2: argmax 0, right for column 0 only)."""
    net = _sigmoid_outputs([0.5, 0.5])
    Y = np.array(targets)
    assert net.evaluate(np.zeros((1, Y.shape[1])), Y)[1] == accuracy


def test_check_gradients_reports_the_errors_of_the_method_and_step_asked_for() -> None:
    """Each reported error is relative_error(backward, numerical_gradients(method, step))."""
    net, X, y = _small_problem()
    dW, db = net.backward(X, y)
    for method, step in (("central", 0.5), ("complex", 0.5), ("central", 1e-6)):
        result = check_gradients(net, X, y, method=method, step=step)
        numeric_W, numeric_b = numerical_gradients(net, X, y, method=method, step=step)
        for layer in range(net.num_layers):
            assert result.errors[f"W{layer + 1}"] == relative_error(dW[layer], numeric_W[layer])
            assert result.errors[f"b{layer + 1}"] == relative_error(db[layer], numeric_b[layer])
        assert result.parameters_checked == net.n_parameters


def test_gradient_check_seconds_lie_within_the_call() -> None:
    """Not a timing test: the reported duration is non-negative and at most the whole call."""
    import time

    net, X, y = _small_problem()
    for check in (check_gradients, check_directional_derivatives):
        started = time.perf_counter()
        result = check(net, X, y)
        assert 0 <= result.seconds <= time.perf_counter() - started


def test_directional_check_defaults_and_report() -> None:
    """Default seed 0; the result carries the step, no layer errors and the parameter count;
    central differences (rounding ~1e-10) are less exact than the complex step here."""
    net, X, y = _small_problem()
    default = check_directional_derivatives(net, X, y)
    assert default.errors == check_directional_derivatives(net, X, y, seed=0).errors
    assert default.step == 1e-6 and default.layer_errors == ()
    assert default.parameters_checked == net.n_parameters
    exact = check_directional_derivatives(net, X, y, method="complex", step=1e-20)
    assert exact.step == 1e-20 and exact.method == "directional-complex"
    assert default.max_error > exact.max_error


def test_gradcheck_result_passes_at_exactly_the_tolerance_and_prints_its_verdict() -> None:
    from impl import GradCheckResult

    common = dict(method="central", tolerance=1e-5, step=1e-6, layer_errors=(), seconds=0.0)
    at = GradCheckResult(errors={"W1": 1e-5, "b1": 0.0}, parameters_checked=2, **common)
    over = GradCheckResult(errors={"W1": 2e-5}, parameters_checked=1, **common)
    assert at.passed and not over.passed
    lines = str(at).split("\n")
    assert "PASSED" in lines[0] and lines[1].strip().startswith("W1") and len(lines) == 3
    assert "FAILED" in str(over).split("\n")[0]


def test_softmax_and_log_sum_exp_work_on_stacks_of_matrices() -> None:
    """Axis -2 is the class axis also for (P, K, m) stacks (the gradient checker's)."""
    from impl.losses import log_sum_exp, softmax

    rng = np.random.default_rng(0)
    stack = rng.normal(size=(3, 4, 5))
    for p in range(3):
        np.testing.assert_array_equal(softmax(stack.copy())[p], softmax(stack[p].copy()))
        np.testing.assert_array_equal(log_sum_exp(stack)[p], log_sum_exp(stack[p]))
    assert log_sum_exp(stack).shape == (3, 1, 5)
