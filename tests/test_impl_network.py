"""Network: initialisation, forward equations, the vectorised backward pass, one descent step."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from impl import Network
from impl.activations import HIDDEN_ACTIVATIONS
from impl.losses import OUTPUT_LAYERS
from impl.per_example import batch_gradients_by_loop, gradient_descent_by_loop

# Vectorised and per-example code do the same float64 arithmetic in a different order (BLAS
# blocking, summation over the batch): they agree to a few ulps times the number of summands.
RTOL_REORDERED = 1e-11
ATOL_REORDERED = 1e-14

PAIRINGS = [(h, o) for h in sorted(HIDDEN_ACTIVATIONS) for o in sorted(OUTPUT_LAYERS)]


def random_batch(
    net: Network, m: int, seed: int = 0, multi_label: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(net.sizes[0], m))
    if multi_label:
        return X, (rng.random((net.sizes[-1], m)) < 0.4).astype(float)
    return X, np.eye(net.sizes[-1])[:, rng.integers(0, net.sizes[-1], m)]


def test_the_documents_network_784_30_10_has_the_documented_shapes() -> None:
    net = Network([784, 30, 10])
    assert [W.shape for W in net.weights] == [(30, 784), (10, 30)]
    assert [b.shape for b in net.biases] == [(30, 1), (10, 1)]
    assert net.n_parameters == 23_860
    assert (net.hidden_activation, net.output, net.init) == ("sigmoid", "softmax", "normal")


def test_default_initialisation_is_standard_normal_like_the_documents_randn() -> None:
    net = Network([784, 30, 10], seed=0)
    weights = net.weights[0].ravel()  # 23,520 draws: mean within ~4/sqrt(n) = 0.026 of 0
    assert abs(weights.mean()) < 0.03
    assert abs(weights.std() - 1.0) < 0.03
    assert np.all(net.biases[0] != 0)  # randn biases too, not zeros


@pytest.mark.parametrize(("init", "variance"), [("xavier", 2 / (784 + 30)), ("he", 2 / 784)])
def test_scaled_initialisations_have_their_variance_and_zero_biases(
    init: str, variance: float
) -> None:
    net = Network([784, 30, 10], init=init, seed=0)
    assert abs(net.weights[0].var() / variance - 1) < 0.05
    assert all(np.all(b == 0) for b in net.biases)


def test_same_seed_gives_identical_parameters_and_different_seeds_do_not() -> None:
    first, again, other = (
        Network([5, 4, 3], seed=7),
        Network([5, 4, 3], seed=7),
        Network([5, 4, 3], seed=8),
    )
    for a, b in zip(first.weights + first.biases, again.weights + again.biases, strict=True):
        assert_array_equal(a, b)
    assert not np.array_equal(first.weights[0], other.weights[0])


def test_initialisation_does_not_touch_numpys_global_random_state() -> None:
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    Network([20, 10, 5], seed=None)
    assert np.random.random() == expected


@pytest.mark.parametrize(("hidden", "output"), PAIRINGS)
def test_forward_computes_z_equals_w_a_plus_b_and_a_equals_g_of_z(hidden: str, output: str) -> None:
    net = Network([4, 5, 3, 2], hidden_activation=hidden, output=output, seed=1)
    X, _ = random_batch(net, 6)
    cache = net.forward(X)
    assert cache.A[0] is not None and np.array_equal(cache.A[0], X)
    g, h = HIDDEN_ACTIVATIONS[hidden], OUTPUT_LAYERS[output]
    activation = X
    for k, (W, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        z = W @ activation + b
        activation = g.forward(z) if k < net.num_layers - 1 else h.activation(z)
        assert_allclose(cache.Z[k], z, rtol=RTOL_REORDERED, atol=ATOL_REORDERED)
        assert_allclose(cache.A[k + 1], activation, rtol=RTOL_REORDERED, atol=ATOL_REORDERED)
    assert cache.output.shape == (2, 6)


def test_forward_returns_arrays_that_later_calls_do_not_overwrite() -> None:
    net = Network([3, 4, 2], seed=0)
    X, Y = random_batch(net, 5)
    cache = net.forward(X)
    kept = [a.copy() for a in cache.A[1:]]
    net.forward(X + 1.0)
    net.gradient_descent(X, Y, 0.1)
    for before, after in zip(kept, cache.A[1:], strict=True):
        assert_array_equal(before, after)


def test_softmax_outputs_are_probability_columns() -> None:
    net = Network([6, 8, 4], seed=2)
    probabilities = net.predict_proba(np.random.default_rng(0).normal(size=(6, 9)))
    assert_allclose(probabilities.sum(axis=0), 1.0, rtol=1e-14)
    assert np.all(probabilities > 0)


@pytest.mark.parametrize(("hidden", "output"), PAIRINGS)
@pytest.mark.parametrize("m", [1, 7])
def test_vectorised_backward_equals_the_mean_of_per_example_gradients(
    hidden: str, output: str, m: int
) -> None:
    net = Network([5, 6, 4, 3], hidden_activation=hidden, output=output, seed=3)
    X, Y = random_batch(net, m, seed=4, multi_label=output != "softmax")
    dW, db = net.backward(X, Y)
    loop_W, loop_b = batch_gradients_by_loop(net, X, Y)
    for vectorised, looped in zip(dW + db, loop_W + loop_b, strict=True):
        assert vectorised.shape == looped.shape
        assert_allclose(vectorised, looped, rtol=RTOL_REORDERED, atol=ATOL_REORDERED)


def test_gradient_shapes_follow_the_parameters_and_db_is_a_column() -> None:
    net = Network([7, 5, 3], seed=0)
    dW, db = net.backward(*random_batch(net, 4))
    assert [g.shape for g in dW] == [(5, 7), (3, 5)]
    assert [g.shape for g in db] == [(5, 1), (3, 1)]


def test_backward_is_a_batch_mean_so_duplicating_the_batch_changes_nothing() -> None:
    """J = (1/m) sum_i L_i: the gradient of [X, X] equals the gradient of X (not twice it)."""
    net = Network([5, 4, 3], seed=5)
    X, Y = random_batch(net, 6)
    single = net.backward(X, Y)
    doubled = net.backward(np.hstack([X, X]), np.hstack([Y, Y]))
    for a, b in zip(single[0] + single[1], doubled[0] + doubled[1], strict=True):
        assert_allclose(a, b, rtol=RTOL_REORDERED, atol=ATOL_REORDERED)


def test_output_delta_is_a_minus_y_for_cross_entropy_without_a_sigma_prime_factor() -> None:
    """One layer: dJ/db = (1/m) sum_i (a_i - y_i), without the seed's extra sigma' factor."""
    for output in ("softmax", "sigmoid"):
        net = Network([3, 4], output=output, seed=6)
        X, Y = random_batch(net, 5)
        _, db = net.backward(X, Y)
        A = net.forward(X).output
        assert_allclose(db[0], (A - Y).mean(axis=1, keepdims=True), rtol=RTOL_REORDERED)


def test_output_delta_for_the_quadratic_cost_has_the_sigma_prime_factor() -> None:
    net = Network([3, 4], output="sigmoid_quadratic", seed=6)
    X, Y = random_batch(net, 5)
    _, db = net.backward(X, Y)
    A = net.forward(X).output
    expected = ((A - Y) * A * (1 - A)).mean(axis=1, keepdims=True)
    assert_allclose(db[0], expected, rtol=RTOL_REORDERED)


def test_integer_labels_give_the_same_gradients_as_one_hot_columns() -> None:
    net = Network([4, 3, 5], seed=0)
    labels = np.array([0, 4, 2, 2, 1])
    X = np.random.default_rng(0).normal(size=(4, 5))
    from_labels = net.backward(X, labels)
    from_one_hot = net.backward(X, np.eye(5)[:, labels])
    for a, b in zip(
        from_labels[0] + from_labels[1], from_one_hot[0] + from_one_hot[1], strict=True
    ):
        assert_array_equal(a, b)


def test_gradient_descent_step_is_w_minus_eta_times_dw() -> None:
    net = Network([6, 5, 3], seed=8)
    X, Y = random_batch(net, 4)
    dW, db = net.backward(X, Y)
    expected_W = [W - 0.5 * g for W, g in zip(net.weights, dW, strict=True)]
    expected_b = [b - 0.5 * g for b, g in zip(net.biases, db, strict=True)]
    net.gradient_descent(X, Y, learning_rate=0.5)
    for new, expected in zip(net.weights + net.biases, expected_W + expected_b, strict=True):
        assert_allclose(new, expected, rtol=RTOL_REORDERED, atol=ATOL_REORDERED)


def test_gradient_descent_matches_the_seeds_update_mini_batch_over_many_steps() -> None:
    vectorised, looped = Network([8, 6, 4], seed=9), Network([8, 6, 4], seed=9)
    rng = np.random.default_rng(10)
    for _ in range(20):
        X = rng.random((8, 10))
        Y = np.eye(4)[:, rng.integers(0, 4, 10)]
        vectorised.gradient_descent(X, Y, 1.0)
        gradient_descent_by_loop(looped, X, Y, 1.0)
    for a, b in zip(
        vectorised.weights + vectorised.biases, looped.weights + looped.biases, strict=True
    ):
        assert_allclose(a, b, rtol=1e-10, atol=1e-12)  # 20 steps of reordered rounding


def test_gradient_descent_reduces_the_cost_for_a_small_step() -> None:
    net = Network([5, 7, 3], seed=11)
    X, Y = random_batch(net, 20)
    before = net.loss(X, Y)
    net.gradient_descent(X, Y, 0.05)
    assert net.loss(X, Y) < before


def test_float32_networks_train_in_single_precision() -> None:
    net = Network([6, 5, 3], seed=0, dtype=np.float32)
    X, Y = random_batch(net, 8)
    assert all(W.dtype == np.float32 for W in net.weights)
    dW, _ = net.backward(X, Y)
    assert dW[0].dtype == np.float32
    reference = Network([6, 5, 3], seed=0)
    reference_dW, _ = reference.backward(X, Y)
    # same parameters rounded to float32: gradients agree to single-precision rounding
    assert_allclose(dW[0], reference_dW[0], rtol=1e-4, atol=1e-6)
    net.gradient_descent(X, Y, 0.1)
    assert net.weights[0].dtype == np.float32


def test_predict_returns_the_argmax_class_of_each_column() -> None:
    net = Network([4, 6, 3], seed=12)
    X = np.random.default_rng(1).normal(size=(4, 10))
    assert_array_equal(net.predict(X), np.argmax(net.forward(X).output, axis=0))
    assert net.predict(X).shape == (10,)


def test_evaluate_returns_the_mean_loss_and_the_accuracy() -> None:
    net = Network([4, 6, 3], seed=13)
    X = np.random.default_rng(2).normal(size=(4, 12))
    labels = net.predict(X)
    labels[:3] = (labels[:3] + 1) % 3  # make exactly 3 of 12 wrong
    loss, accuracy = net.evaluate(X, labels)
    Z = net.forward(X).Z[-1]
    Y = np.eye(3)[:, labels]
    expected_loss = np.mean(-np.sum(Y * (Z - np.log(np.exp(Z).sum(axis=0))), axis=0))
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    assert accuracy == pytest.approx(9 / 12)


def test_multi_label_accuracy_requires_every_unit_right() -> None:
    net = Network([3, 4], output="sigmoid", seed=0)
    X = np.random.default_rng(3).normal(size=(3, 6))
    Y = (net.predict_proba(X) >= 0.5).astype(float)
    Y[:, 0] = 1 - Y[:, 0]  # one column with every unit wrong
    Y[0, 1] = 1 - Y[0, 1]  # one column with a single unit wrong
    assert net.evaluate(X, Y)[1] == pytest.approx(4 / 6)


def test_huge_logits_train_without_warnings_or_non_finite_values() -> None:
    """Logits of +-1000: the loss and the gradients stay finite (warnings are errors here)."""
    for output in sorted(OUTPUT_LAYERS):
        net = Network([2, 2], output=output, seed=0)
        net.weights[0][...] = [[1000.0, 0.0], [-1000.0, 0.0]]
        net.biases[0][...] = 0.0
        X = np.array([[1.0, -1.0], [0.0, 0.0]])
        Y = np.array([[0.0, 1.0], [1.0, 0.0]])  # both examples confidently wrong
        loss, _ = net.evaluate(X, Y)
        dW, db = net.backward(X, Y)
        assert np.isfinite(loss)
        assert all(np.all(np.isfinite(g)) for g in dW + db)
        net.gradient_descent(X, Y, 1.0)
        assert all(np.all(np.isfinite(p)) for p in net.weights + net.biases)


@pytest.mark.parametrize("hidden", sorted(HIDDEN_ACTIVATIONS))
def test_a_diverging_gradient_descent_step_raises_instead_of_warning(hidden: str) -> None:
    """Steps with learning_rate 1e300 overflow: a ValueError, no NumPy RuntimeWarning."""
    net = Network([4, 5, 3], hidden_activation=hidden, seed=0)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(4, 8)), rng.integers(0, 3, 8)
    with pytest.raises(
        ValueError,
        match=r"gradient descent diverged: the step with learning_rate 1e\+300 made [Wb]\d "
        r"non-finite \(inf or nan\).*lower learning_rate",
    ):
        for _ in range(5):  # the first step makes weights of ~1e300, a later one overflows
            net.gradient_descent(X, y, 1e300)
    assert net.first_non_finite_parameter() is not None


def test_first_non_finite_parameter_names_the_first_bad_array() -> None:
    net = Network([4, 5, 3], seed=0)
    assert net.first_non_finite_parameter() is None
    net.biases[1][2, 0] = np.nan
    assert net.first_non_finite_parameter() == "b2"
    net.weights[1][0, 0] = np.inf
    assert net.first_non_finite_parameter() == "W2"
