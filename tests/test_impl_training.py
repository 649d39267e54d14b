"""fit: shuffled mini-batch SGD that is reproducible, reports a history and learns the digits."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from impl import Network, kernels, load_digits_split
from impl.training import TrainingDivergedError


@pytest.fixture(scope="module")
def digits():
    return load_digits_split()


def toy_problem(m: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Two well separated blobs in 4-D: class = sign of the first coordinate."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, m)
    X = rng.normal(scale=0.3, size=(4, m))
    X[0] += np.where(labels == 1, 1.5, -1.5)
    return X, labels


def test_history_has_one_entry_per_epoch_for_every_metric() -> None:
    X, y = toy_problem()
    net = Network([4, 5, 2], seed=0)
    history = net.fit(
        X,
        y,
        epochs=4,
        batch_size=8,
        learning_rate=0.5,
        validation_data=(X, y),
        progress=False,
        evaluate_every=1,
    )
    assert set(history) == {
        "epoch",
        "seconds",
        "cpu_seconds",
        "evaluated_epoch",
        "loss",
        "accuracy",
        "val_loss",
        "val_accuracy",
    }
    assert history["epoch"] == history["evaluated_epoch"] == [1, 2, 3, 4]
    assert all(len(values) == 4 for values in history.values())
    assert history["val_loss"] == pytest.approx(history["loss"])  # same data, same numbers
    assert history["loss"][-1] == pytest.approx(net.evaluate(X, y)[0])


def test_by_default_fit_evaluates_nothing_on_the_training_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    X, y = toy_problem()
    net = Network([4, 3, 2], seed=0)
    evaluated: list[int] = []
    original = net.evaluate_validated
    monkeypatch.setattr(
        net,
        "evaluate_validated",
        lambda a, b, on_kernels: evaluated.append(a.shape[1]) or original(a, b, on_kernels),
    )
    history = net.fit(X, y, 3, 10, 0.1, progress=False)
    assert set(history) == {"epoch", "seconds", "cpu_seconds"}
    assert history["epoch"] == [1, 2, 3] and evaluated == []
    assert all(seconds >= 0 for seconds in history["seconds"] + history["cpu_seconds"])


def test_validation_data_alone_is_evaluated_after_every_epoch() -> None:
    X, y = toy_problem()
    history = Network([4, 3, 2], seed=0).fit(
        X, y, 3, 10, 0.1, validation_data=(X[:, :20], y[:20]), progress=False
    )
    assert "loss" not in history and "accuracy" not in history
    assert history["evaluated_epoch"] == [1, 2, 3]
    assert len(history["val_loss"]) == len(history["val_accuracy"]) == 3


def test_evaluate_every_k_evaluates_every_kth_epoch_and_the_last() -> None:
    X, y = toy_problem()
    net = Network([4, 3, 2], seed=0)
    history = net.fit(X, y, 7, 10, 0.1, validation_data=(X, y), progress=False, evaluate_every=3)
    assert history["epoch"] == [1, 2, 3, 4, 5, 6, 7]
    assert history["evaluated_epoch"] == [3, 6, 7]
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert len(history[key]) == 3, key
    assert history["loss"][-1] == pytest.approx(net.evaluate(X, y)[0])


def test_evaluate_every_must_be_a_positive_integer() -> None:
    X, y = toy_problem()
    with pytest.raises(ValueError, match=r"evaluate_every is 0 but must be a positive integer"):
        Network([4, 3, 2], seed=0).fit(X, y, 1, 10, 0.1, progress=False, evaluate_every=0)


def test_the_same_training_with_or_without_evaluation() -> None:
    """Evaluating does not touch the generator or the parameters: the same trained network."""
    X, y = toy_problem()
    quiet, evaluated = Network([4, 5, 2], seed=3), Network([4, 5, 2], seed=3)
    quiet.fit(X, y, 3, 7, 0.5, progress=False)
    evaluated.fit(X, y, 3, 7, 0.5, validation_data=(X, y), progress=False, evaluate_every=1)
    for a, b in zip(
        quiet.weights + quiet.biases, evaluated.weights + evaluated.biases, strict=True
    ):
        assert_array_equal(a, b)


def test_history_without_validation_data_has_no_validation_keys() -> None:
    X, y = toy_problem()
    history = Network([4, 3, 2], seed=0).fit(X, y, 1, 10, 0.1, progress=False, evaluate_every=1)
    assert "val_loss" not in history and "val_accuracy" not in history
    assert history["evaluated_epoch"] == [1]


def test_fit_is_reproducible_for_a_fixed_seed() -> None:
    X, y = toy_problem()
    first, again = Network([4, 5, 2], seed=3), Network([4, 5, 2], seed=3)
    history = first.fit(X, y, 3, 7, 0.5, progress=False, evaluate_every=1)
    history_again = again.fit(X, y, 3, 7, 0.5, progress=False, evaluate_every=1)
    assert history["loss"] == history_again["loss"]
    for a, b in zip(first.weights + first.biases, again.weights + again.biases, strict=True):
        assert_array_equal(a, b)


def test_fit_shuffles_with_the_networks_generator() -> None:
    """Same initial parameters, different shuffling state: different trained parameters."""
    X, y = toy_problem()
    first, second = Network([4, 5, 2], seed=3), Network([4, 5, 2], seed=3)
    second.rng = np.random.default_rng(99)
    first.fit(X, y, 1, 7, 0.5, progress=False)
    second.fit(X, y, 1, 7, 0.5, progress=False)
    assert not np.array_equal(first.weights[0], second.weights[0])


def test_one_epoch_with_the_whole_set_as_one_batch_is_one_gradient_step() -> None:
    X, y = toy_problem(20)
    fitted, stepped = Network([4, 3, 2], seed=1), Network([4, 3, 2], seed=1)
    fitted.fit(X, y, 1, 20, 0.3, progress=False)
    stepped.gradient_descent(X, y, 0.3)  # order of columns does not matter for a batch mean
    for a, b in zip(fitted.weights + fitted.biases, stepped.weights + stepped.biases, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)  # summation order only


def test_uneven_last_mini_batch_is_used() -> None:
    X, y = toy_problem(23)
    net = Network([4, 3, 2], seed=2)
    before = [W.copy() for W in net.weights]
    net.fit(X, y, 1, 10, 0.3, progress=False)  # batches of 10, 10 and 3
    assert not np.array_equal(before[0], net.weights[0])


def test_fit_learns_a_separable_toy_problem() -> None:
    X, y = toy_problem()
    history = Network([4, 5, 2], init="xavier", seed=0).fit(
        X, y, 20, 10, 1.0, progress=False, evaluate_every=1
    )
    assert history["loss"][-1] < history["loss"][0]
    assert history["accuracy"][-1] == 1.0


def test_progress_bar_goes_to_stderr_and_can_be_disabled(
    capsys: pytest.CaptureFixture[str],
) -> None:
    X, y = toy_problem()
    Network([4, 3, 2], seed=0).fit(X, y, 2, 10, 0.1, progress=False)
    quiet = capsys.readouterr()
    assert quiet.out == "" and quiet.err == ""
    Network([4, 3, 2], seed=0).fit(X, y, 2, 10, 0.1, progress=True)
    shown = capsys.readouterr()
    assert shown.out == "" and "training" in shown.err and "ex" in shown.err


def test_float32_training_works_and_stays_single_precision(digits) -> None:
    net = Network([64, 30, 10], seed=0, dtype=np.float32)
    net.fit(digits.X_train, digits.y_train, 3, 10, 3.0, progress=False)
    assert net.weights[0].dtype == np.float32
    assert net.evaluate(digits.X_train, digits.y_train)[1] > 0.8


def test_the_seed_network_reaches_95_percent_on_the_digits_test_split(digits) -> None:
    """Network([64, 30, 10]) with the seeds' standard-normal init, softmax + cross-entropy."""
    net = Network([64, 30, 10], seed=0)
    net.fit(
        digits.X_train, digits.y_train, epochs=30, batch_size=10, learning_rate=3.0, progress=False
    )
    _, accuracy = net.evaluate(digits.X_test, digits.y_test)
    assert accuracy >= 0.95


def blas_thread_counts() -> list[int]:
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_fit_runs_every_step_on_one_blas_thread_and_restores_the_count_afterwards(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from threadpoolctl import threadpool_limits

    X, y = toy_problem()
    seen_during: list[list[int]] = []
    original_step = Network.train_step

    def recording_step(self: Network, *args: object) -> None:
        seen_during.append(blas_thread_counts())
        original_step(self, *args)  # type: ignore[arg-type]

    def recording_steps(*args: object) -> int:  # the compiled loop: one record per step
        first, stop = args[5], args[6]
        seen_during.extend([blas_thread_counts()] * (stop - first))  # type: ignore[operator]
        return original_steps(*args)

    monkeypatch.setattr(Network, "train_step", recording_step)
    original_steps = kernels.train_steps
    monkeypatch.setattr(kernels, "train_steps", recording_steps)
    with threadpool_limits(2, "blas"):  # two threads before, whatever the machine's core count
        before = blas_thread_counts()
        assert before and all(count == 2 for count in before), before
        Network([4, 3, 2], seed=0).fit(X, y, 2, 10, 0.1, progress=False)
        assert len(seen_during) == 2 * 6  # 60 examples in mini-batches of 10, two epochs
        assert all(counts == [1] * len(before) for counts in seen_during), seen_during[:3]
        assert blas_thread_counts() == before  # restored

        seen_during.clear()
        Network([4, 3, 2], seed=0).fit(X, y, 1, 10, 0.1, progress=False, blas_threads=None)
        assert seen_during and all(counts == before for counts in seen_during)  # left alone


def test_capping_blas_threads_does_not_change_the_results() -> None:
    X, y = toy_problem()
    uncapped, capped = Network([4, 3, 2], seed=0), Network([4, 3, 2], seed=0)
    uncapped.fit(X, y, 1, 10, 0.1, progress=False, blas_threads=None)
    capped.fit(X, y, 1, 10, 0.1, progress=False)
    assert uncapped.loss(X, y) == pytest.approx(capped.loss(X, y), rel=1e-12)  # same maths


def test_fit_rejects_a_bad_blas_thread_count() -> None:
    X, y = toy_problem()
    with pytest.raises(ValueError, match=r"blas_threads is 0 but must be a positive integer"):
        Network([4, 3, 2], seed=0).fit(X, y, 1, 10, 0.1, progress=False, blas_threads=0)


# ---------------------------------------------------------------- divergence
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_a_diverging_fit_stops_with_a_clear_error_and_no_numpy_warning(
    digits, hidden: str, output: str
) -> None:
    """learning_rate 1e300 overflows in the first epoch (warnings are errors in this suite)."""
    net = Network([64, 30, 10], hidden_activation=hidden, output=output, seed=0)
    with pytest.raises(
        TrainingDivergedError,
        match=r"^training diverged at epoch 1 of 30 \((W|b)\d contains inf or nan\): the "
        r"learning rate is too large; lower learning_rate, now 1e\+300",
    ) as error:
        net.fit(digits.X_train, digits.y_train, 30, 10, 1e300, progress=False)
    assert isinstance(error.value, ValueError)
    assert (error.value.epoch, error.value.learning_rate) == (1, 1e300)


def test_a_non_finite_epoch_loss_with_finite_parameters_counts_as_divergence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    X, y = toy_problem()
    net = Network([4, 3, 2], seed=0)
    losses = iter([(0.5, 0.9), (float("inf"), 0.5)])
    monkeypatch.setattr(net, "evaluate_validated", lambda inputs, targets, _: next(losses))
    with pytest.raises(TrainingDivergedError, match=r"at epoch 2 of 5 \(loss is inf\)"):
        net.fit(X, y, 5, 10, 0.1, progress=False, evaluate_every=1)


def test_a_non_finite_validation_loss_counts_as_divergence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    X, y = toy_problem()
    net = Network([4, 3, 2], seed=0)
    losses = iter([(0.5, 0.9), (float("nan"), 0.5)])
    monkeypatch.setattr(net, "evaluate_validated", lambda inputs, targets, _: next(losses))
    with pytest.raises(TrainingDivergedError, match=r"epoch 1 of 5 \(validation loss is nan\)"):
        net.fit(X, y, 5, 10, 0.1, validation_data=(X, y), progress=False, evaluate_every=1)


def test_overflowing_pre_activations_with_finite_parameters_count_as_divergence() -> None:
    """Inputs too large for float32 overflow Z^1 although every parameter stays finite: found
    from the last mini-batch's own pre-activations, without evaluating anything."""
    _, y = toy_problem()
    net = Network([4, 3, 2], hidden_activation="sigmoid", seed=0, dtype=np.float32)
    huge = np.zeros((4, y.size), np.float32)
    huge[0] = 3e38  # one input: Z^1_j = W1[j, 0] 3e38 + b_j, inf where |W1[j, 0]| > 1.14
    net.weights[0][0, 0] = 2.0  # so Z^1_1 = inf (one term: never inf - inf = nan)
    with pytest.raises(
        TrainingDivergedError,
        match=r"epoch 1 of 2 \(the pre-activations Z\^1 of the last mini-batch overflowed",
    ):
        net.fit(huge, y, 2, 10, 0.1, progress=False)
    assert net.first_non_finite_parameter() is None  # sigma'(+-inf) = 0: W1 never moved


def test_numpy_error_settings_are_restored_after_fit() -> None:
    X, y = toy_problem()
    before = np.geterr()
    Network([4, 3, 2], seed=0).fit(X, y, 1, 10, 0.1, progress=False)
    with pytest.raises(TrainingDivergedError):
        Network([4, 3, 2], seed=0).fit(X, y, 1, 10, 1e300, progress=False)
    assert np.geterr() == before
