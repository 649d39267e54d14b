"""Adversarial cases for impl.kernels: the compiled path must behave like the NumPy path.

The claim under test (impl/kernels.py): the kernels perform the NumPy path's operations
(impl.network.forward_into/backward_into, impl.activations, impl.losses) except e^x/tanh x
from libm and left-to-right bias sums, so the two paths agree within 2 SAFETY E
(tests/test_impl_kernels.py, inequality (1)) and behave identically on bad or extreme input:
same exceptions, same messages, same NaN/inf behaviour, same warnings.

The first group pins five differences an adversarial review found (each failed on the first
version of the kernels): the kernels now hand every pass that meets a value that is not
finite, or read-only parameters, to the NumPy path, and the mode and the planned steps are
local to a thread.  The second group pins adversarial cases that held from the start.
"""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest
from error_bounds import SAFETY, backward_error

from impl import Network, kernels
from impl.training import TrainingDivergedError

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="numba is not installed")


def _outcome(mode: str, action) -> tuple[str, str]:
    """(exception class name, message) of ``action()`` on one path, or ("ok", "")."""
    with kernels.using(mode):
        try:
            action()
        except Exception as error:  # any exception: the point is to compare them
            return type(error).__name__, str(error)
    return "ok", ""


# ------------------------------------------------------------------ differences found, fixed


@pytest.mark.parametrize(
    ("hidden", "output"),
    [("sigmoid", "softmax"), ("sigmoid", "sigmoid_quadratic"), ("relu", "sigmoid")],
)
def test_a_step_with_pre_activations_of_minus_inf_diverges_alike_on_both_paths(hidden, output):
    """Finite X = ±1e308 makes Z^1 = ±inf in a training step. The NumPy sigmoid computes
    z - min(z, 0) = -inf - (-inf) = NaN for z = -inf, so the step makes W1 NaN and
    gradient_descent raises "diverged ... made W1 non-finite". The kernel's sigmoid is
    e^{-|z|} / (e^{-|z|} + 1) = 0 at z = -inf: sigmoid hidden layers take the step silently
    with finite parameters; a sigmoid output after relu reports W2 instead of W1."""
    X = np.array([[1e308, -1e308], [1e308, 1e308], [-1e308, 1e308]])
    y = np.array([0, 1])

    def step() -> None:
        net = Network([3, 4, 2], hidden_activation=hidden, output=output, seed=0)
        net.gradient_descent(X, y, 0.1)

    numpy_outcome = _outcome("numpy", step)
    assert numpy_outcome[0] == "ValueError" and "made W1 non-finite" in numpy_outcome[1]
    assert _outcome("numba", step) == numpy_outcome


def test_fit_detects_an_overflowing_mini_batch_on_both_paths() -> None:
    """One float32 example of ±3e38 (finite) in a mini-batch that is not an epoch's last:
    on NumPy, sigmoid(-inf) = NaN reaches W1 and fit raises TrainingDivergedError after
    epoch 1; on the kernels sigmoid(-inf) = 0, the parameters stay finite, the last
    mini-batch's Z is finite, and fit returns normally as if nothing had overflowed."""
    rng = np.random.default_rng(1)
    X = rng.random((3, 40)).astype(np.float32)
    X[:, 5] = [3e38, -3e38, 3e38]
    y = rng.integers(0, 2, 40)

    def train() -> None:
        net = Network([3, 4, 2], seed=0, dtype=np.float32)
        net.fit(X, y, epochs=2, batch_size=10, learning_rate=0.1, progress=False)

    numpy_outcome = _outcome("numpy", train)
    assert numpy_outcome[0] == TrainingDivergedError.__name__
    assert _outcome("numba", train) == numpy_outcome


@pytest.mark.parametrize(("dtype", "weight"), [(np.float64, 0.7e308), (np.float32, 1.2e38)])
def test_an_overflowing_bias_gradient_warns_on_both_paths(dtype, weight) -> None:
    """db^1 = D^1 1 overflows while dW^1 = D^1 (A^0)^T does not (A^0 = 1e-10): three columns
    of D^1 = 3 * weight / 3 each sum past the largest float. NumPy's np.matmul(D, ones)
    emits "RuntimeWarning: overflow encountered in matmul" (an error under pytest -W error);
    the kernel's left-to-right sum returns the same inf silently."""
    net = Network([1, 1, 3], hidden_activation="relu", output="sigmoid", seed=0, dtype=dtype)
    net.weights = [np.ones((1, 1), dtype), np.full((3, 1), weight, dtype)]
    net.biases = [np.zeros((1, 1), dtype), np.zeros((3, 1), dtype)]
    X, Y = np.full((1, 3), 1e-10, dtype), np.zeros((3, 3), dtype)
    emitted = {}
    for mode in ("numpy", "numba"):
        with kernels.using(mode), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _, grad_b = net.backward(X, Y)
        assert np.isinf(grad_b[0]).all(), mode
        emitted[mode] = [(type(w.message).__name__, str(w.message)) for w in caught]
    assert emitted["numpy"] == [("RuntimeWarning", "overflow encountered in matmul")]
    assert emitted["numba"] == emitted["numpy"]


def test_read_only_parameters_are_refused_alike_on_both_paths() -> None:
    """Parameters assigned by hand may be read-only (np.load(..., mmap_mode="r"),
    np.broadcast_to); check_parameters accepts them. NumPy's ``W -= step`` raises
    ValueError("output array is read-only"); numba cannot compile ``descend`` for a
    read-only array and raises numba's TypingError, which is not a ValueError."""

    def step() -> None:
        net = Network([2, 3, 2], seed=0)
        for W in net.weights:
            W.flags.writeable = False
        net.gradient_descent(np.ones((2, 2)), np.array([0, 1]), 0.1)

    numpy_outcome = _outcome("numpy", step)
    assert numpy_outcome == ("ValueError", "output array is read-only")
    assert _outcome("numba", step) == numpy_outcome


def test_overlapping_fits_in_two_threads_leave_no_planned_steps_behind() -> None:
    """A long fit (200,000 steps) and a short one in another thread whose blocks overlap (A
    enters, B enters, A leaves, B leaves): with one global restored on exit, the planned
    steps stayed at 200,000 after both, so every later small step in "auto" compiled and
    took the kernels. kernels.planned is local to a thread now."""
    entered, left_first, done = threading.Event(), threading.Event(), threading.Event()
    before = kernels.planned_steps()

    def long_fit() -> None:
        with kernels.planned(200_000):
            entered.set()
            left_first.wait(5)
        done.set()

    def short_fit() -> None:
        entered.wait(5)
        with kernels.planned(3):
            left_first.set()
            done.wait(5)

    threads = [threading.Thread(target=long_fit), threading.Thread(target=short_fit)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert kernels.planned_steps() == before
    finally:
        for thread in threads:
            thread.join(10)


# ------------------------------------------------------------------ adversarial cases that hold


def _assert_within_bound_1(net: Network, X: np.ndarray, Y: np.ndarray) -> None:
    """|grad_numba - grad_numpy| <= 2 SAFETY E, inequality (1) of test_impl_kernels.py."""
    with kernels.using("numpy"):
        numpy_grads = [np.array(a) for part in net.backward(X, Y) for a in part]
        bound_W, bound_b = backward_error(net, np.asarray(X, np.float64), Y)
    with kernels.using("numba"):
        kernel_grads = [np.array(a) for part in net.backward(X, Y) for a in part]
    for got, reference, bound in zip(kernel_grads, numpy_grads, [*bound_W, *bound_b], strict=True):
        assert np.all(np.abs(got - reference) <= 2 * SAFETY * bound)


def test_one_example_with_ten_classes_agrees_within_the_bound() -> None:
    """m = 1, 10 softmax units: the (10, 1) logits are contiguous along the class axis, so
    NumPy's np.add.reduce sums e^{z - c} pairwise (8 accumulators) while the kernel sums left
    to right, an order difference the module docstring does not list; the gamma_K term of
    forward_error covers any order, so the paths still agree within (1)."""
    rng = np.random.default_rng(2)
    for seed in range(5):
        net = Network([6, 5, 10], hidden_activation="tanh", seed=seed)
        X = rng.standard_normal((6, 1)) * 3
        Y = np.eye(10)[:, [seed]]
        _assert_within_bound_1(net, X, Y)


def test_unusual_input_layouts_and_dtypes_agree_within_the_bound() -> None:
    """Fortran-ordered, strided, reversed, read-only and float32 X and Y in a float64
    network: check_inputs/check_targets pass views through, numba compiles one
    specialisation per layout, and the gradients agree within (1)."""
    rng = np.random.default_rng(3)
    X = rng.random((5, 12))
    Y = np.eye(3)[:, rng.integers(0, 3, 12)]
    read_only_X, read_only_Y = X.copy(), Y.copy()
    read_only_X.flags.writeable = read_only_Y.flags.writeable = False
    net = Network([5, 4, 3], hidden_activation="sigmoid", seed=0)
    for variant_X, variant_Y in [
        (np.asfortranarray(X), np.asfortranarray(Y)),
        (np.repeat(X, 2, axis=1)[:, ::2], np.repeat(Y, 2, axis=1)[:, ::2]),
        (X[:, ::-1], Y[:, ::-1]),
        (read_only_X, read_only_Y),
        (X.astype(np.float32), Y.astype(np.float32)),
    ]:
        Y64 = np.asarray(variant_Y, np.float64)
        _assert_within_bound_1(net, np.asarray(variant_X, np.float64), Y64)
        with kernels.using("numba"):  # the unconverted arrays take the same path
            net.backward(variant_X, variant_Y)


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_a_far_too_large_learning_rate_diverges_identically(hidden) -> None:
    """learning_rate 1e300: both paths stop with the same TrainingDivergedError message
    (same epoch, same symptom), in float64 and in float32."""
    rng = np.random.default_rng(4)
    X, y = rng.random((5, 30)), rng.integers(0, 3, 30)
    for dtype in (np.float64, np.float32):

        def train(dtype=dtype) -> None:
            net = Network([5, 6, 3], hidden_activation=hidden, seed=1, dtype=dtype)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                net.fit(X, y, epochs=3, batch_size=7, learning_rate=1e300, progress=False)

        numpy_outcome = _outcome("numpy", train)
        assert numpy_outcome[0] == TrainingDivergedError.__name__
        assert _outcome("numba", train) == numpy_outcome
