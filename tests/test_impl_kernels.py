"""impl.kernels: the compiled path agrees with the NumPy path, is reproducible, optional.

Agreement bound. Both paths compute the same formulas with the same operations (the module
docstring of :mod:`impl.kernels` lists the two differences: e^x and tanh x from another
library, within the same 4 ulp, and bias-gradient sums in another order, within the same
gamma_m bound). So each path's gradient lies within SAFETY * E of the exact gradient, E being
``error_bounds.backward_error`` of the network and batch (the cross-checks assert exactly
this for both paths: tests/test_crosscheck_*.py and their re-run in test_impl_kernel_path.py),
and by the triangle inequality

    |grad_numba - grad_numpy| <= 2 SAFETY E.                                           (1)

One descent step W' = fl(W - S) with |S_path - eta grad| <= eta SAFETY E (the scale eta/m
enters D^L like 1/m, with the same relative rounding) gives

    |W'_numba - W'_numpy| <= 2 eta SAFETY E + SAFETY U (|W'_numba| + |W'_numpy|).      (2)

float32: every term of E is first order in the unit roundoff (a multiple of U: gamma_n ~ nU,
LIBM = 8U), so the float32 bound is E computed in float64 for the same numbers times
2^-24 / 2^-53 (NumPy's float32 e^x and tanh are within 4 ulp too).
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from crosscheck_support import HIDDEN, OUTPUTS, problems
from error_bounds import SAFETY, U, backward_error
from hypothesis import given
from numpy.testing import assert_array_equal

from impl import Network, kernels

needs_numba = pytest.mark.skipif(not kernels.AVAILABLE, reason="numba is not installed")
FLOAT32_PER_FLOAT64_ROUNDOFF = 2.0**-24 / 2.0**-53
ROOT = pathlib.Path(__file__).resolve().parents[1]


def _copy(arrays):
    return [np.array(a, copy=True) for a in arrays]


@needs_numba
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_both_paths_give_the_same_gradient_within_twice_the_rounding_bound(hidden, output):
    @given(problem=problems(hidden, output))
    def check(problem) -> None:
        net, X, Y = problem
        with kernels.using("numpy"):
            numpy_W, numpy_b = map(_copy, net.backward(X, Y))
            bound_W, bound_b = backward_error(net, X, Y)
        with kernels.using("numba"):
            kernel_W, kernel_b = net.backward(X, Y)
        for got, reference, bound in zip(
            [*kernel_W, *kernel_b], [*numpy_W, *numpy_b], [*bound_W, *bound_b], strict=True
        ):
            assert np.all(np.abs(got - reference) <= 2 * SAFETY * bound)  # (1)

    check()


@needs_numba
def test_both_paths_take_relu_derivative_zero_at_the_kink() -> None:
    """relu'(0) = 0 by convention (impl.activations.relu_derivative) on both paths: hidden
    pre-activations exactly 0 (zero input, zero hidden biases) pass no gradient back."""
    net = Network([3, 4, 2], hidden_activation="relu", seed=0)
    net.biases[0] = np.zeros((4, 1))
    X, y = np.zeros((3, 5)), np.array([0, 1, 0, 1, 1])
    with kernels.using("numpy"):
        numpy_W, numpy_b = map(_copy, net.backward(X, y))
    with kernels.using("numba"):
        kernel_W, kernel_b = net.backward(X, y)
    # Z^1 = 0 everywhere: relu'(Z^1) = 0, so layer 1's gradients are exactly 0 on both paths
    # (with relu'(0) = 1 its bias gradient would be (W^2ᵀ D^2) 1 ≠ 0; its weight gradient is
    # 0 either way, as X = 0)
    assert np.any(net.weights[1] != 0)
    for path_W, path_b in ((numpy_W, numpy_b), (kernel_W, kernel_b)):
        assert np.all(path_W[0] == 0) and np.all(path_b[0] == 0)


@needs_numba
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_both_paths_take_the_same_descent_step_within_its_bound(hidden, output):
    eta = 0.5

    @given(problem=problems(hidden, output))
    def check(problem) -> None:
        net, X, Y = problem
        start_W, start_b = _copy(net.weights), _copy(net.biases)
        with kernels.using("numpy"):
            bound_W, bound_b = backward_error(net, X, Y)
            net.gradient_descent(X, Y, eta)
            numpy_params = _copy([*net.weights, *net.biases])
        net.weights, net.biases = _copy(start_W), _copy(start_b)
        with kernels.using("numba"):
            net.gradient_descent(X, Y, eta)
        for got, reference, bound in zip(
            [*net.weights, *net.biases], numpy_params, [*bound_W, *bound_b], strict=True
        ):
            allowed = 2 * eta * SAFETY * bound + SAFETY * U * (np.abs(got) + np.abs(reference))
            assert np.all(np.abs(got - reference) <= allowed)  # (2)

    check()


@needs_numba
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_every_step_of_the_compiled_loop_is_the_numpy_step_within_its_bound(hidden, output):
    """kernels.train_steps, one step at a time over an epoch's order (mini-batches gathered
    by its own loop, products by numba's np.dot, i.e. SciPy's BLAS: any order of a sum stays
    within gamma_n, so E bounds it as it bounds NumPy's), from the parameters the NumPy path
    reached: each step within (2) of gradient_descent on the same columns."""
    eta = 0.5

    @given(problem=problems(hidden, output))
    def check(problem) -> None:
        net, X, Y = problem
        m = X.shape[1]
        batch = max(1, m // 3)
        order = np.random.default_rng(m).permutation(m)
        rows, target_rows = np.ascontiguousarray(X.T), np.ascontiguousarray(Y.T)
        buffers = np.empty((batch, X.shape[0])), np.empty((batch, Y.shape[0]))
        for step in range(m // batch):
            columns = order[step * batch : (step + 1) * batch]
            start = _copy([*net.weights, *net.biases])
            with kernels.using("numpy"):
                bound_W, bound_b = backward_error(net, X[:, columns], Y[:, columns])
                net.gradient_descent(X[:, columns], Y[:, columns], eta)
            numpy_params = _copy([*net.weights, *net.biases])
            layers = len(net.weights)
            net.weights, net.biases = start[:layers], start[layers:]
            arguments = net.steps_arguments(rows, target_rows, order, batch, eta, *buffers)
            head, tail = arguments[:4], arguments[7:]
            assert kernels.train_steps(*head, order, step, step + 1, *tail) == step + 1
            for got, reference, bound in zip(
                [*net.weights, *net.biases], numpy_params, [*bound_W, *bound_b], strict=True
            ):
                allowed = 2 * eta * SAFETY * bound + SAFETY * U * (np.abs(got) + np.abs(reference))
                assert np.all(np.abs(got - reference) <= allowed)  # (2)
            net.weights, net.biases = numpy_params[:layers], numpy_params[layers:]

    check()


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fit_draws_the_same_shuffles_on_the_compiled_loop_as_on_numpy(dtype) -> None:
    """Both paths take their permutations from the network's generator, one per epoch, and
    nothing else: after the same fit the generators are in the same state."""
    rng = np.random.default_rng(0)
    X, y = rng.random((12, 95)).astype(dtype), rng.integers(0, 3, 95)
    states = []
    for mode in ("numpy", "numba"):
        net = Network([12, 7, 3], seed=5, dtype=dtype)
        with kernels.using(mode):
            net.fit(X, y, epochs=3, batch_size=10, learning_rate=0.5, progress=False)
        states.append(net.rng.bit_generator.state)
    assert states[0] == states[1]


@needs_numba
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_float32_paths_agree_within_the_float32_rounding_bound(hidden, output):
    """(1) in float32: E from a float64 twin holding the same float32 numbers, times 2^29."""
    rng = np.random.default_rng(11)
    for sizes, batch in [([20, 12, 8, 5], 1), ([20, 12, 8, 5], 7), ([30, 16, 10], 16)]:
        net = Network(sizes, hidden_activation=hidden, output=output, seed=4, dtype=np.float32)
        X = rng.random((sizes[0], batch)).astype(np.float32)
        labels = rng.integers(0, sizes[-1], batch)
        Y = np.eye(sizes[-1], dtype=np.float32)[:, labels]
        twin = Network(sizes, hidden_activation=hidden, output=output, seed=4)
        twin.weights = [W.astype(np.float64) for W in net.weights]
        twin.biases = [b.astype(np.float64) for b in net.biases]
        if hidden == "relu":  # both paths form Z with the same BLAS call; keep |z| off 0 anyway
            assert all(np.min(np.abs(z)) > 1e-4 for z in net.forward(X).Z[:-1])
        bound_W, bound_b = backward_error(twin, X.astype(np.float64), Y.astype(np.float64))
        with kernels.using("numpy"):
            numpy_grads = [*map(_copy, net.backward(X, Y))]
        with kernels.using("numba"):
            kernel_grads = [*map(_copy, net.backward(X, Y))]
        for got, reference, bound in zip(
            [*kernel_grads[0], *kernel_grads[1]],
            [*numpy_grads[0], *numpy_grads[1]],
            [*bound_W, *bound_b],
            strict=True,
        ):
            assert got.dtype == np.float32
            allowed = 2 * SAFETY * FLOAT32_PER_FLOAT64_ROUNDOFF * bound
            assert np.all(np.abs(got.astype(np.float64) - reference) <= allowed)


@needs_numba
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_float32_steps_of_the_compiled_loop_are_the_numpy_steps_within_their_bound(hidden, output):
    """(2) in float32 for kernels.train_steps, whose gradient dW^1 = D^1 X^T is NumPy's own
    cblas_sgemm called from the loop (kernels.gemm_for; another order of the same sums, within
    the same gamma_n): E from a float64 twin holding the same float32 numbers, times 2^29, and
    U of float32 (2^-24) in the rounding of the update."""
    eta = 0.5
    rng = np.random.default_rng(12)
    uses_numpy_blas = kernels.gemm_for(np.float32)[1]
    for sizes, batch in [([20, 12, 8, 5], 7), ([30, 16, 10], 16)]:
        net = Network(sizes, hidden_activation=hidden, output=output, seed=4, dtype=np.float32)
        m = 3 * batch
        X = rng.random((sizes[0], m)).astype(np.float32)
        Y = np.eye(sizes[-1], dtype=np.float32)[:, rng.integers(0, sizes[-1], m)]
        order = rng.permutation(m)
        rows, target_rows = np.ascontiguousarray(X.T), np.ascontiguousarray(Y.T)
        x_rows = np.empty((batch, sizes[0]), np.float32)
        y_rows = np.empty((batch, sizes[-1]), np.float32)
        for step in range(3):
            columns = order[step * batch : (step + 1) * batch]
            start = _copy([*net.weights, *net.biases])
            twin = Network(sizes, hidden_activation=hidden, output=output, seed=4)
            twin.weights = [W.astype(np.float64) for W in net.weights]
            twin.biases = [b.astype(np.float64) for b in net.biases]
            bound_W, bound_b = backward_error(
                twin, X[:, columns].astype(np.float64), Y[:, columns].astype(np.float64)
            )
            with kernels.using("numpy"):
                net.gradient_descent(X[:, columns], Y[:, columns], eta)
            numpy_params = _copy([*net.weights, *net.biases])
            layers = len(net.weights)
            net.weights, net.biases = start[:layers], start[layers:]
            arguments = net.steps_arguments(rows, target_rows, order, batch, eta, x_rows, y_rows)
            assert arguments[-1] == uses_numpy_blas
            head, tail = arguments[:4], arguments[7:]
            assert kernels.train_steps(*head, order, step, step + 1, *tail) == step + 1
            for got, reference, bound in zip(
                [*net.weights, *net.biases], numpy_params, [*bound_W, *bound_b], strict=True
            ):
                assert got.dtype == np.float32
                got64, reference64 = got.astype(np.float64), reference.astype(np.float64)
                allowed = 2 * eta * SAFETY * FLOAT32_PER_FLOAT64_ROUNDOFF * bound + SAFETY * (
                    2.0**-24
                ) * (np.abs(got64) + np.abs(reference64))
                assert np.all(np.abs(got64 - reference64) <= allowed)  # (2), float32
            net.weights, net.biases = numpy_params[:layers], numpy_params[layers:]


def test_float32_gradient_uses_numpys_blas_when_numpy_ships_openblas() -> None:
    """NumPy's wheels bundle an ILP64 OpenBLAS (numpy.libs): then float32 steps of the loop
    take dW^1 from it; float64 never does (kernels.NUMPY_BLAS_PRODUCTS)."""
    if not kernels.AVAILABLE:
        pytest.skip("numba is not installed")
    assert kernels.gemm_for(np.float64)[1] is False
    found = kernels._numpy_gemm(np.dtype(np.float32)) is not None
    assert kernels.gemm_for(np.float32)[1] is found


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fit_on_the_kernels_is_reproducible_for_a_fixed_seed(dtype) -> None:
    rng = np.random.default_rng(0)
    X = rng.random((12, 200)).astype(dtype)
    y = rng.integers(0, 3, 200)
    results = []
    for _ in range(2):
        net = Network([12, 7, 3], seed=5, dtype=dtype)
        with kernels.using("numba"):
            net.fit(X, y, epochs=3, batch_size=10, learning_rate=0.5, progress=False)
        results.append([*net.weights, *net.biases])
    for first, second in zip(*results, strict=True):
        assert_array_equal(first, second)


class _Counting:
    """A kernel that counts its calls (and forwards everything else, e.g. ``overloads``)."""

    def __init__(self, kernel) -> None:
        self.kernel, self.calls = kernel, 0

    def __call__(self, *arguments):
        self.calls += 1
        return self.kernel(*arguments)

    def __getattr__(self, name):
        return getattr(self.kernel, name)


@needs_numba
def test_auto_takes_the_compiled_loop_for_small_steps_when_ready_or_worth_compiling(
    monkeypatch,
) -> None:
    steps = _Counting(kernels.train_steps)
    monkeypatch.setattr(kernels, "train_steps", steps)
    ready = {"value": False}  # as in a fresh process with a cold disk cache
    monkeypatch.setattr(kernels, "is_ready", lambda arguments: ready["value"])
    monkeypatch.setattr(kernels, "AUTO_MIN_STEPS", 8)
    rng = np.random.default_rng(0)
    X, y = rng.random((784, 2000)), rng.integers(0, 10, 2000)
    net = Network([784, 30, 10], seed=0)
    fit = {"learning_rate": 0.1, "progress": False}
    with kernels.using("auto"):
        net.fit(X[:, :64], y[:64], epochs=1, batch_size=16, **fit)  # 4 steps < 8: NumPy
        assert steps.calls == 0
        net.fit(X[:, :64], y[:64], epochs=2, batch_size=16, **fit)  # 8 steps: pays
        assert steps.calls == 2  # one call per epoch (4 steps < PROGRESS_EXAMPLES)
        ready["value"] = True  # compiled or found in the disk cache: a short fit takes it
        net.fit(X[:, :64], y[:64], epochs=1, batch_size=16, **fit)
        assert steps.calls == 3
        assert kernels.AUTO_MAX_ACTIVATIONS < 40 * 2000
        net.fit(X, y, epochs=1, batch_size=2000, **fit)
        assert steps.calls == 3  # a large step stays on NumPy
    with kernels.using("numpy"):
        net.fit(X[:, :64], y[:64], epochs=1, batch_size=16, **fit)
    assert steps.calls == 3
    with kernels.using("numba"):
        net.fit(X, y, epochs=1, batch_size=2000, **fit)
    assert steps.calls == 4


@needs_numba
def test_is_ready_once_the_compiled_loop_ran_for_those_argument_types() -> None:
    rng = np.random.default_rng(1)
    X, y = rng.random((6, 40)), rng.integers(0, 3, 40)
    net = Network([6, 5, 4, 3], seed=0)
    with kernels.using("numba"):
        net.fit(X, y, epochs=1, batch_size=8, learning_rate=0.1, progress=False)
    rows, targets = np.ascontiguousarray(X.T), np.eye(3)[y]
    buffers = np.empty((8, 6)), np.empty((8, 3))
    order = np.empty(0, np.intp)
    arguments = net.steps_arguments(rows, targets, order, 8, 0.1, *buffers)
    assert kernels.is_ready(arguments)
    for W in net.weights:  # parameters the kernels cannot update in place: no arguments
        W.flags.writeable = False
    assert net.steps_arguments(rows, targets, order, 8, 0.1, *buffers) is None


def test_the_mode_is_checked_and_restored() -> None:
    before = kernels.mode()
    with pytest.raises(ValueError, match="kernel mode must be one of"):
        kernels.use("fast")
    with kernels.using("numpy"):
        assert kernels.mode() == "numpy"
        assert not kernels.kernels_pay([4, 3, 2], 1)
    assert kernels.mode() == before


def test_a_using_block_chooses_the_path_of_its_own_thread_only() -> None:
    import threading

    inside, checked = threading.Event(), threading.Event()
    seen: list[str] = []

    def other_thread() -> None:
        with kernels.using("numpy"):
            inside.set()
            checked.wait(5)
            seen.append(kernels.mode())

    thread = threading.Thread(target=other_thread)
    before = kernels.mode()
    thread.start()
    inside.wait(5)
    assert kernels.mode() == before  # the other thread's block does not reach this one
    checked.set()
    thread.join(5)
    assert seen == ["numpy"] and kernels.mode() == before


def test_without_numba_everything_runs_on_numpy() -> None:
    """numba made unimportable in a fresh interpreter: AVAILABLE is False, "numba" is refused
    with the install hint, and fit trains on NumPy."""
    code = (
        "import sys; sys.modules['numba'] = None\n"
        "import numpy as np\n"
        "from impl import Network, kernels\n"
        "assert not kernels.AVAILABLE and not kernels.kernels_pay([4, 3, 2], 1)\n"
        "try:\n"
        "    kernels.use('numba')\n"
        "except ValueError as error:\n"
        "    assert 'fast' in str(error)\n"
        "else:\n"
        "    raise AssertionError('mode numba accepted without numba')\n"
        "rng = np.random.default_rng(0)\n"
        "net = Network([4, 3, 2], seed=0)\n"
        "net.fit(rng.random((4, 40)), rng.integers(0, 2, 40), 2, 8, 0.5, progress=False)\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
