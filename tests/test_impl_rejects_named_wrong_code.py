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

from impl import (
    Network,
    check_directional_derivatives,
    check_gradients,
    kernels,
    numerical_gradients,
)
from impl.gradcheck import cost_with_parameters, relative_error
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
    complex_W, complex_b = numerical_gradients(net, X, y, method="complex", step=0.5)
    central_W, central_b = numerical_gradients(net, X, y, method="central", step=0.5)
    assert np.max(np.abs(complex_W[0] - central_W[0])) > 1e-4
    assert np.max(np.abs(complex_b[0] - central_b[0])) > 1e-4  # biases too
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
    """Kills float64 work buffers (``StepBuffers`` without ``dtype``): float32 parameters
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


def _directional_by_hand(net, X, y, method: str, step: float, seed: int = 0) -> list[float]:
    """The directional check's errors recomputed from its definition: V ~ N(0, 1) drawn from
    ``default_rng(seed)`` (weights, then biases, per direction), ⟨∇J, V⟩ from ``backward``
    against (J(θ + hV) − J(θ − hV)) / 2h or Im J(θ + ihV) / h."""
    targets = net.check_targets(y, X.shape[1])
    rng = np.random.default_rng(seed)
    dW, db = net.backward(X, y)
    errors = []
    for _ in range(3):
        VW = [rng.standard_normal(W.shape) for W in net.weights]
        Vb = [rng.standard_normal(b.shape) for b in net.biases]
        analytic = sum(float(np.vdot(g, v)) for g, v in zip(dW, VW, strict=True)) + sum(
            float(np.vdot(g, v)) for g, v in zip(db, Vb, strict=True)
        )

        def cost(s, VW=VW, Vb=Vb):
            weights = [W + s * V for W, V in zip(net.weights, VW, strict=True)]
            biases = [b + s * v for b, v in zip(net.biases, Vb, strict=True)]
            return cost_with_parameters(net, weights, biases, X, targets)

        if method == "central":
            numerical = float((cost(step) - cost(-step)) / (2 * step))
        else:
            numerical = float(np.imag(cost(1j * step)) / step)
        errors.append(abs(analytic - numerical) / max(abs(analytic), abs(numerical)))
    return errors


@pytest.mark.parametrize("method", ["central", "complex"])
def test_directional_check_errors_are_those_of_its_definition(method: str) -> None:
    """Kills a directional check that takes the wrong branch (``method == "CENTRAL"``: the
    complex step where central differences were asked for) or mixes up the two: at h = 0.5
    the two estimates differ by h²|J‴|/3, and each reported error is reproduced bit for bit."""
    net, X, y = _small_problem()
    result = check_directional_derivatives(net, X, y, method=method, step=0.5)
    assert list(result.errors.values()) == _directional_by_hand(net, X, y, method, 0.5)
    other = "complex" if method == "central" else "central"
    assert list(result.errors.values()) != _directional_by_hand(net, X, y, other, 0.5)


def test_directional_check_at_a_stationary_point_reports_zero_error() -> None:
    """Both directional derivatives exactly 0 (the zero-scale branch): error 0, passed. The
    quadratic cost with every output σ(0) = 1/2 equal to its target: the deltas are exactly 0,
    and the complex step's residual σ(ih) − 1/2 = i tan(h/2)/2 is purely imaginary, so
    Im (residual²) = 0 exactly."""
    net = Network([2, 2], output="sigmoid_quadratic", seed=0)
    net.weights[0][:] = 0.0
    net.biases[0][:] = 0.0
    X, Y = np.ones((2, 3)), np.full((2, 3), 0.5)
    dW, db = net.backward(X, Y)
    assert not any(np.any(g) for g in (*dW, *db))
    result = check_directional_derivatives(net, X, Y, method="complex")
    assert result.errors == {f"direction {k}": 0.0 for k in (1, 2, 3)} and result.passed


def test_softmax_accuracy_uses_argmax_even_where_the_per_unit_rule_disagrees() -> None:
    """Kills a softmax rule dropped from ``evaluate_validated`` (``and`` for ``or``, ``!=``):
    soft target (0.4, 0.35, 0.25) against outputs (0.3, 0.4, 0.3). Every unit is below 1/2 on
    both sides (per-unit rule: right), but the argmax differs (softmax rule: wrong)."""
    net = Network([1, 3], seed=0)
    net.weights[0][:] = 0.0
    net.biases[0][:] = np.log(np.array([[0.3], [0.4], [0.3]]))
    target = np.array([[0.4], [0.35], [0.25]])
    np.testing.assert_allclose(net.predict_proba(np.zeros((1, 1))), [[0.3], [0.4], [0.3]])
    assert net.evaluate(np.zeros((1, 1)), target)[1] == 0.0


def test_gradcheck_result_first_line_states_method_step_tolerance_verdict_and_count() -> None:
    """The report's first line, word for word, for a pass and for a failure."""
    from impl import GradCheckResult

    common = dict(method="central", tolerance=1e-5, step=1e-6, layer_errors=(), seconds=0.25)
    passed = GradCheckResult(errors={"W1": 1e-6}, parameters_checked=7, **common)
    failed = GradCheckResult(errors={"W1": 1e-4}, parameters_checked=7, **common)
    head = "gradient check (central, h=1e-06, tolerance 1e-05): "
    assert str(passed).split("\n")[0] == head + "PASSED, 7 parameters in 0.250 s"
    assert str(failed).split("\n")[0] == head + "FAILED, 7 parameters in 0.250 s"


def test_relative_error_of_a_nan_against_a_zero_gradient_is_infinite() -> None:
    """A NaN numerical gradient next to an all-zero analytic one: Python's max(0.0, nan) is 0.0,
    so the scale is 0 while the difference is NaN. The error must be inf (a failed check),
    not the 0 of two vanishing gradients."""
    assert relative_error(np.zeros(2), np.array([np.nan, 0.0])) == float("inf")


def test_cost_with_parameters_refuses_lists_of_different_lengths() -> None:
    """A missing bias array is an error, not a network silently cut to the shorter list."""
    net = Network([3, 4, 2], seed=0)
    X, Y = np.zeros((3, 1)), np.array([[1.0], [0.0]])
    with pytest.raises(ValueError, match="zip"):
        cost_with_parameters(net, net.weights, net.biases[:1], X, Y)


def _relu_chain(W2: list[list[float]], b2: list[list[float]], x: float) -> Network:
    """Network([1, 1, n, 2], relu) with W¹ = 1, b¹ = 0 (so a¹ = relu(x)) and the given W², b²."""
    net = Network([1, 1, len(W2), 2], hidden_activation="relu", seed=0)
    net.weights[0][:] = 1.0
    net.biases[0][:] = 0.0
    net.weights[1][:] = np.array(W2)
    net.biases[1][:] = np.array(b2)
    return net


def test_relu_kink_note_scales_the_reach_by_the_largest_input_of_any_layer() -> None:
    """Kills a reach taken from X alone or from all but the last layer's input, or divided by
    the input size: a² = (100, 5e-5) feeds the output layer, so central differences with
    h = 1e-6 move pre-activations by up to 1e-4 — and 5e-5 is within that."""
    net = _relu_chain([[200.0], [1.0]], [[0.0], [-0.5 + 5e-5]], 0.5)
    X = np.array([[0.5]])
    cache = net.forward(X)
    assert cache.A[2][0, 0] == 100.0 and 0 < cache.Z[1][1, 0] < 1e-4
    (note,) = check_gradients(net, X, np.array([0]), method="central").notes
    nearest, reach = float(cache.Z[1][1, 0]), 1e-6 * 100.0
    assert note == (
        f"a ReLU pre-activation is {nearest:.1e} from the kink at 0, within the finite-"
        f"difference reach {reach:.1e}: central differences may straddle the kink there "
        "(use method='complex', or data whose pre-activations stay away from 0)"
    )
    assert check_gradients(net, X, np.array([0]), method="complex").notes == ()


@pytest.mark.parametrize(("pre_activation", "noted"), [(1e-6, True), (1.5e-6, False)])
def test_relu_kink_note_reach_is_the_step_for_inputs_at_most_one(
    pre_activation: float, noted: bool
) -> None:
    """Inputs ≤ 1: the reach is h = 1e-6 itself, inclusive (a pre-activation exactly h away
    is noted; 1.5h is not — a floor of 2 instead of 1 would note it)."""
    net = _relu_chain([[1.0], [1.0]], [[0.0], [0.0]], pre_activation)
    X = np.array([[pre_activation]])
    assert float(np.min(np.abs(net.forward(X).Z[1]))) == pre_activation
    notes = check_gradients(net, X, np.array([0]), method="central").notes
    assert bool(notes) == noted


def test_smooth_networks_get_no_kink_note_even_at_zero_pre_activations() -> None:
    """Kills ``smooth and central`` for ``smooth or central``: sigmoid has no kink."""
    net = Network([3, 4, 2], hidden_activation="sigmoid", init="he", seed=0)
    net.biases[0][:] = 0.0
    X = np.array([[0.0, 1.0], [0.0, -2.0], [0.0, 0.5]])  # column 0: every Z¹ is exactly 0
    assert check_gradients(net, X, np.array([0, 1]), method="central").notes == ()


def test_training_reuses_one_workspace_per_batch_size_and_keeps_at_most_four() -> None:
    """The training step's buffers are allocated once per batch size (kills a lookup that
    always misses); the cache is bounded (kills ``> 4`` or ``>= 5``): a fifth batch size
    empties it first."""
    net = Network([3, 4, 2], seed=0)
    rng = np.random.default_rng(0)

    def step(m: int) -> None:
        net.gradient_descent(rng.normal(size=(3, m)), rng.integers(0, 2, m), 0.1)

    step(2)
    first = net._workspaces[2]
    step(2)
    assert net._workspaces[2] is first
    for m in (3, 4, 5):
        step(m)
    assert sorted(net._workspaces) == [2, 3, 4, 5]
    step(6)
    assert sorted(net._workspaces) == [6]


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_training_step_computes_derivatives_in_its_preallocated_buffers(hidden: str) -> None:
    """Kills g' or σ' written to fresh arrays (``out=None``, no ``work``): after a step, the
    workspace's scratch buffers hold g'(Z^k) of each hidden layer and σ'(Z^L) of the
    quadratic cost's output — nothing is allocated per mini-batch. The NumPy path's buffers:
    the compiled kernels (impl.kernels, taken for small steps when numba is installed) fuse
    g' into the delta and need no scratch buffer."""
    net = Network([3, 4, 5, 2], hidden_activation=hidden, output="sigmoid_quadratic", seed=0)
    X, Y = np.linspace(-1, 1, 6).reshape(3, 2), np.array([[1.0, 0.0], [0.0, 1.0]])
    cache = net.forward(X)
    with kernels.using("numpy"):
        net.gradient_descent(X, Y, 0.1)
    (buffers,) = net._workspaces.values()
    for k in range(net.num_layers - 1):
        derivative = net.hidden.derivative(cache.Z[k], cache.A[k + 1].copy())
        np.testing.assert_array_equal(buffers.work[k], derivative)
    a = cache.output
    np.testing.assert_array_equal(buffers.work[-1], a * (1 - a))


def test_parameters_that_do_not_fit_in_free_memory_are_refused_with_their_size(
    monkeypatch,
) -> None:
    """numpy's MemoryError becomes a ValueError giving the parameter count and its GiB."""
    import impl.network

    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(impl.network, "initialize_parameters", out_of_memory)
    with pytest.raises(ValueError) as error:
        Network([8000, 1000])
    assert str(error.value) == (
        "sizes [8000, 1000] needs 8,001,000 parameters (0.1 GiB as float64), more memory "
        "than is free: choose smaller layer widths"
    )
    with pytest.raises(ValueError, match=r"\(0\.0 GiB as float32\)"):
        Network([4000, 1000], dtype=np.float32)  # 4,001,000 × 4 B = 0.015 GiB


@pytest.mark.parametrize("targets", [np.array([0, 1]), np.eye(2)])
def test_float32_network_targets_are_float32(targets: np.ndarray) -> None:
    """Labels (one-hot encoded) and float64 target arrays both become float32 for a float32
    network, so its loss and deltas are computed in float32, not promoted to float64."""
    net = Network([3, 2], seed=0, dtype=np.float32)
    assert net.check_targets(targets, 2).dtype == np.float32
    assert (
        net.output_layer.loss(
            net.forward(np.zeros((3, 2))).Z[-1], net.check_targets(targets, 2)
        ).dtype
        == np.float32
    )


def test_directional_check_fails_a_nan_numerical_derivative_against_a_zero_analytic_one() -> None:
    """At a stationary point (softmax outputs (1/2, 1/2) equal to the soft target: ∇J = 0
    exactly) a step of 1e308 with x = 100 overflows the logits, so J(θ ± hV) and the
    difference are NaN. Python's max(0.0, nan) is 0.0, so the scale is 0 while the
    difference is NaN: the error must be inf and the check failed, not the 0 of two
    vanishing derivatives."""
    net = Network([1, 2], seed=0)
    net.weights[0][:] = 0.0
    net.biases[0][:] = 0.0
    X, Y = np.full((1, 1), 100.0), np.array([[0.5], [0.5]])
    assert not any(np.any(g) for g in (*net.backward(X, Y)[0], *net.backward(X, Y)[1]))
    with np.errstate(all="ignore"):
        result = check_directional_derivatives(net, X, Y, step=1e308)
    assert result.errors == {f"direction {k}": float("inf") for k in (1, 2, 3)}
    assert not result.passed


@pytest.mark.parametrize("dropped", ["weights", "biases"])
def test_directional_check_refuses_a_backward_pass_that_omits_a_layer(dropped: str) -> None:
    """A backward pass returning one gradient array too few is an error, not a directional
    derivative over the layers it happened to return."""

    class MissingLayer(Network):
        def backward(self, X, Y):  # type: ignore[override]
            dW, db = super().backward(X, Y)
            return (dW[:-1], db) if dropped == "weights" else (dW, db[:-1])

    net = MissingLayer([3, 4, 2], seed=0)
    with pytest.raises(ValueError, match="zip"):
        check_directional_derivatives(net, np.zeros((3, 2)), np.array([0, 1]))
