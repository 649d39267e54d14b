"""Every bad input raises ValueError with a message naming the argument and what is expected."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from impl import Network
from impl.validation import check_output_directory, check_output_file

NET_784 = Network([784, 30, 10], seed=0)


def good_batch(m: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.random((784, m)), rng.integers(0, 10, m)


# ---------------------------------------------------------------- architecture
@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ([784], r"sizes is \[784\] with 1 entry, but a network needs at least 2 layers"),
        ([], r"sizes is \[\] with 0 entries"),
        ([784, 0, 10], r"sizes\[1\] is 0, but every layer needs at least one unit"),
        ([784, -3, 10], r"sizes\[1\] is -3, but every layer needs at least one unit"),
        ([784, 30.5, 10], r"sizes\[1\] is 30\.5 \(float\), but layer widths must be positive"),
        ([784, 30.0, 10], r"sizes\[1\] is 30\.0 \(float\)"),
        ([784, "30", 10], r"sizes\[1\] is '30' \(str\)"),
        ([True, 10], r"sizes\[0\] is True \(bool\)"),
        ("784", r"sizes must be a list of layer widths such as \[784, 30, 10\]"),
        (784, r"sizes must be a list of layer widths"),
    ],
)
def test_bad_sizes_are_rejected_with_the_offending_entry(sizes: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Network(sizes)  # type: ignore[arg-type]


def test_numpy_integer_sizes_are_accepted() -> None:
    assert Network(np.array([4, 3, 2]), seed=0).sizes == (4, 3, 2)


@pytest.mark.parametrize(
    ("keyword", "value", "message"),
    [
        (
            "hidden_activation",
            "softplus",
            r"hidden_activation is 'softplus' but must be one of 'sigmoid', 'tanh', 'relu'",
        ),
        (
            "output",
            "linear",
            r"output is 'linear' but must be one of 'softmax', 'sigmoid', 'sigmoid_quadratic'",
        ),
        ("init", "uniform", r"init is 'uniform' but must be one of 'normal', 'xavier', 'he'"),
        ("dtype", np.int32, r"dtype is .* but must be numpy\.float64 or numpy\.float32"),
        ("dtype", "not-a-dtype", r"dtype is 'not-a-dtype' but must be numpy\.float64"),
    ],
)
def test_unknown_names_are_rejected_with_the_menu(
    keyword: str, value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Network([4, 3], **{keyword: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        (-1, r"seed is -1 \(int\) but must be None or a non-negative integer such as 0 or 42"),
        ("a", r"seed is 'a' \(str\) but must be None or a non-negative integer"),
        (1.5, r"seed is 1\.5 \(float\)"),
        (True, r"seed is True \(bool\)"),
        (np.int64(-2), r"seed is .*-2.* but must be None or a non-negative integer"),
    ],
)
def test_a_bad_seed_is_rejected_by_name(seed: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Network([4, 3], seed=seed)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [None, 0, 2**70, np.uint32(7)])
def test_none_and_non_negative_integer_seeds_are_accepted(seed: object) -> None:
    Network([4, 3], seed=seed)  # type: ignore[arg-type]


# ---------------------------------------------------------------- output paths
def test_an_output_directory_under_a_file_is_refused_without_creating_anything(
    tmp_path: Path,
) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(
        ValueError, match=r"--out '.*file/run' cannot be used as output directory: .*is a file"
    ):
        check_output_directory("--out", tmp_path / "file" / "run")
    with pytest.raises(ValueError, match=r"is an existing file, not a directory"):
        check_output_directory("--out", tmp_path / "file")
    assert [path.name for path in tmp_path.iterdir()] == ["file"]


def test_a_missing_output_directory_is_accepted_but_not_created(tmp_path: Path) -> None:
    assert check_output_directory("--out", tmp_path / "a" / "b") == tmp_path / "a" / "b"
    assert check_output_file("--out", tmp_path / "a" / "report.md") == tmp_path / "a" / "report.md"
    assert not any(tmp_path.iterdir())


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only-mode directories")
def test_a_read_only_output_directory_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ValueError, match=r"you cannot write to the directory"):
            check_output_directory("--out", locked / "run")
        with pytest.raises(ValueError, match=r"you cannot write to the directory"):
            check_output_file("--out", locked / "report.md")
    finally:
        locked.chmod(0o700)


def test_a_directory_without_write_permission_is_refused_even_when_running_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("impl.validation.os.access", lambda path, mode: False)
    with pytest.raises(ValueError, match=r"'.*run' cannot be created because you cannot write"):
        check_output_directory("--out", tmp_path / "run")
    with pytest.raises(ValueError, match=r"cannot be written: you cannot write to the directory"):
        check_output_file("--out", tmp_path / "report.md")


def test_an_output_file_that_is_a_directory_or_lies_under_a_file_is_refused(
    tmp_path: Path,
) -> None:
    with pytest.raises(ValueError, match=r"is a directory, but must be a file name such as"):
        check_output_file("--out", tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match=r"--out '.*file/x\.md' cannot be written: .*is an "):
        check_output_file("--out", tmp_path / "file" / "x.md")


# ---------------------------------------------------------------- inputs X
@pytest.mark.parametrize("method", ["forward", "predict", "predict_proba"])
def test_wrong_input_shape_names_x_its_shape_and_the_expected_shape(method: str) -> None:
    message = (
        r"X has shape \(10, 5\) but the network's input layer has 784 units: "
        r"X must have shape \(784, m\), one column per example"
    )
    with pytest.raises(ValueError, match=message):
        getattr(NET_784, method)(np.zeros((10, 5)))


def test_transposed_inputs_get_a_hint_to_transpose() -> None:
    with pytest.raises(ValueError, match=r"X has shape \(5, 784\).*it looks transposed: pass X\.T"):
        NET_784.forward(np.zeros((5, 784)))


def test_a_single_example_as_a_1d_array_is_rejected_with_the_reshape_to_use() -> None:
    with pytest.raises(ValueError, match=r"X has shape \(784,\).*use X\.reshape\(784, 1\)"):
        NET_784.forward(np.zeros(784))


def test_three_dimensional_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"X has shape \(784, 2, 2\)"):
        NET_784.forward(np.zeros((784, 2, 2)))


def test_inputs_without_examples_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"X has shape \(784, 0\), i\.e\. no examples"):
        NET_784.forward(np.zeros((784, 0)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs_are_rejected_with_their_position(bad: float) -> None:
    X, y = good_batch()
    X[17, 3] = bad
    message = r"X \(shape \(784, 5\)\) contains 1 non-finite value\(s\).*row 17, column 3"
    with pytest.raises(ValueError, match=message):
        NET_784.backward(X, y)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_the_fast_finiteness_screen_of_large_inputs_misses_no_bad_value(
    bad: float, order: str, dtype: type
) -> None:
    """Large inputs are screened by their column sums (one BLAS product) before the exact
    test; a NaN or an infinity anywhere, even beside values whose sum overflows, is refused."""
    rng = np.random.default_rng(0)
    X = np.asarray(rng.random((784, 100)), dtype=dtype, order=order)  # above the screen's size
    X[:, 7] = np.finfo(dtype).max  # this column's sum overflows: the exact test decides
    X[500, 42] = bad
    message = r"X \(shape \(784, 100\)\) contains 1 non-finite value\(s\).*row 500, column 42"
    with pytest.raises(ValueError, match=message):
        NET_784.check_inputs(X)
    X[500, 42] = 0.5
    assert NET_784.check_inputs(X) is not None  # overflowing sums alone are no reason to refuse


@pytest.mark.parametrize("X", [np.full((784, 2), "a"), np.zeros((784, 2), dtype=complex)])
def test_inputs_that_are_not_real_numbers_are_rejected(X: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"X has dtype .* but must hold real numbers"):
        NET_784.forward(X)


# ---------------------------------------------------------------- targets Y
def test_targets_of_the_wrong_shape_name_y_and_the_expected_shape() -> None:
    X, _ = good_batch()
    message = r"Y has shape \(10, 4\) but must have shape \(10, 5\): one row per output unit"
    with pytest.raises(ValueError, match=message):
        NET_784.backward(X, np.zeros((10, 4)))


def test_transposed_targets_get_a_hint() -> None:
    X, y = good_batch()
    with pytest.raises(ValueError, match=r"Y has shape \(5, 10\).*it looks transposed: pass Y\.T"):
        NET_784.gradient_descent(X, np.eye(10)[:, y].T, 0.1)


def test_labels_of_the_wrong_length_are_rejected() -> None:
    X, _ = good_batch()
    message = r"Y has shape \(3,\) \(integer class labels\) but X has 5 columns"
    with pytest.raises(ValueError, match=message):
        NET_784.backward(X, np.array([1, 2, 3]))


@pytest.mark.parametrize("label", [10, -1])
def test_labels_outside_the_output_range_are_rejected(label: int) -> None:
    X, y = good_batch()
    y[2] = label
    message = (
        rf"contains the label {label}, but the output layer has 10 units, "
        r"so labels must be integers from 0 to 9"
    )
    with pytest.raises(ValueError, match=message):
        NET_784.backward(X, y)


@pytest.mark.parametrize(
    "labels", [np.array([0.0, 1, 2, 3, 4]), np.array([True, False] * 2 + [True])]
)
def test_one_dimensional_targets_must_be_integer_labels(labels: np.ndarray) -> None:
    X, _ = good_batch()
    with pytest.raises(ValueError, match=r"a 1-D Y must hold integer class labels"):
        NET_784.backward(X, labels)


def test_softmax_targets_must_be_columns_summing_to_one() -> None:
    X, y = good_batch()
    Y = np.eye(10)[:, y]
    Y[(y[3] + 1) % 10, 3] = 1.0  # column 3 has two ones: it sums to 2
    message = (
        r"column 3 of Y \(shape \(10, 5\)\) sums to 2, but softmax cross-entropy needs every column"
    )
    with pytest.raises(ValueError, match=message):
        NET_784.backward(X, Y)


def test_softmax_targets_must_lie_in_zero_one() -> None:
    X, _ = good_batch()
    Y = np.zeros((10, 5))
    Y[0], Y[1] = 2.0, -1.0  # columns still sum to 1
    message = (
        r"Y \(shape \(10, 5\)\) has entries from -1 to 2, "
        r"but softmax cross-entropy needs every target in \[0, 1\]"
    )
    with pytest.raises(ValueError, match=message):
        NET_784.backward(X, Y)


def test_binary_cross_entropy_targets_must_lie_in_zero_one() -> None:
    net = Network([3, 2], output="sigmoid", seed=0)
    message = (
        r"has entries from -0\.5 to 1, but binary cross-entropy needs every target in \[0, 1\]"
    )
    with pytest.raises(ValueError, match=message):
        net.backward(np.zeros((3, 2)), np.array([[1.0, 0.0], [-0.5, 1.0]]))


def test_multi_hot_targets_are_fine_for_binary_cross_entropy_and_quadratic_cost() -> None:
    Y = np.array([[1.0, 1.0], [1.0, 0.0]])  # two labels in the first column
    for output in ("sigmoid", "sigmoid_quadratic"):
        Network([3, 2], output=output, seed=0).backward(np.zeros((3, 2)), Y)


def test_non_finite_targets_are_rejected() -> None:
    net = Network([3, 2], output="sigmoid_quadratic", seed=0)
    with pytest.raises(ValueError, match=r"Y \(shape \(2, 2\)\) contains 1 non-finite value"):
        net.backward(np.zeros((3, 2)), np.array([[np.nan, 0.0], [1.0, 1.0]]))


# ---------------------------------------------------------------- training arguments
@pytest.mark.parametrize(
    ("keyword", "value", "message"),
    [
        ("epochs", 0, r"epochs is 0 but must be a positive integer"),
        ("epochs", 2.5, r"epochs is 2\.5 but must be a positive integer"),
        ("batch_size", 0, r"batch_size is 0 but must be a positive integer"),
        ("learning_rate", -0.1, r"learning_rate is -0\.1 but must be a positive finite number"),
        ("learning_rate", float("nan"), r"learning_rate is nan but must be a positive finite"),
        ("learning_rate", 0, r"learning_rate is 0 but must be a positive finite number"),
    ],
)
def test_bad_training_settings_are_rejected(keyword: str, value: object, message: str) -> None:
    X, y = good_batch()
    settings = {"epochs": 1, "batch_size": 2, "learning_rate": 0.1, keyword: value}
    with pytest.raises(ValueError, match=message):
        NET_784.fit(X, y, progress=False, **settings)  # type: ignore[arg-type]


def test_gradient_descent_rejects_a_bad_learning_rate() -> None:
    with pytest.raises(ValueError, match=r"learning_rate is -1 but must be a positive finite"):
        NET_784.gradient_descent(*good_batch(), learning_rate=-1)


def test_bad_validation_data_names_the_validation_argument() -> None:
    X, y = good_batch()
    net = Network([784, 30, 10], seed=0)
    with pytest.raises(ValueError, match=r"validation_data\[0\] has shape \(64, 3\)"):
        net.fit(X, y, 1, 2, 0.1, validation_data=(np.zeros((64, 3)), y[:3]), progress=False)
    with pytest.raises(
        ValueError,
        match=r"validation_data\[1\] has shape \(2,\).*validation_data\[0\] has 3 columns",
    ):
        net.fit(X, y, 1, 2, 0.1, validation_data=(np.zeros((784, 3)), y[:2]), progress=False)
    with pytest.raises(ValueError, match=r"validation_data must be a pair \(X_val, Y_val\)"):
        net.fit(X, y, 1, 2, 0.1, validation_data=X, progress=False)  # type: ignore[arg-type]


def test_a_rejected_call_leaves_the_parameters_untouched() -> None:
    net = Network([784, 30, 10], seed=0)
    before = [W.copy() for W in net.weights]
    X, y = good_batch()
    y[0] = 99
    with pytest.raises(ValueError):
        net.gradient_descent(X, y, 0.1)
    for W, saved in zip(net.weights, before, strict=True):
        np.testing.assert_array_equal(W, saved)
