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


@needs_numba
def test_auto_takes_the_kernels_for_small_steps_of_fits_long_enough_to_pay(monkeypatch) -> None:
    calls = []
    original = kernels.forward_into
    monkeypatch.setattr(kernels, "forward_into", lambda *a: calls.append(1) or original(*a))
    monkeypatch.setattr(kernels, "_compiled", set())  # as in a fresh process
    monkeypatch.setattr(kernels, "AUTO_MIN_STEPS", 8)
    rng = np.random.default_rng(0)
    X, y = rng.random((784, 300)), rng.integers(0, 10, 300)
    net = Network([784, 30, 10], seed=0)
    fit = {"learning_rate": 0.1, "progress": False}
    with kernels.using("auto"):
        # nothing compiled, no fit planned: compiling would cost more than it saves
        assert not kernels.kernels_pay(net.sizes, 10, dtype=net.dtype)
        net.fit(X[:, :64], y[:64], epochs=1, batch_size=16, **fit)  # 4 steps < 8
        assert calls == []
        with kernels.planned(8):
            assert kernels.kernels_pay(net.sizes, 10, dtype=net.dtype)
            assert not kernels.kernels_pay(net.sizes, 1024, dtype=net.dtype)
            assert not kernels.kernels_pay(net.sizes, 10, training=False, dtype=net.dtype)
        net.fit(X[:, :64], y[:64], epochs=2, batch_size=16, **fit)  # 8 steps: pays
        assert len(calls) == 8  # one per mini-batch
        # compiled now for float64: a short fit takes them too, float32 still does not
        net.fit(X[:, :64], y[:64], epochs=1, batch_size=16, **fit)
        assert len(calls) == 12
        assert not kernels.kernels_pay(net.sizes, 10, dtype=np.float32)
        net.backward(X[:, :10], y[:10])  # one-off passes stay on NumPy
        assert kernels.AUTO_MAX_ACTIVATIONS < 40 * 300
        net.fit(X, y, epochs=1, batch_size=300, **fit)
        assert len(calls) == 12  # a large step stays on NumPy
    with kernels.using("numpy"):
        net.fit(X[:, :64], y[:64], epochs=1, batch_size=16, **fit)
    assert len(calls) == 12
    with kernels.using("numba"):
        net.backward(X[:, :10], y[:10])
    assert len(calls) == 13


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


@needs_numba
def test_nothing_compiled_is_cached_on_disk() -> None:
    """No kernel has a disk cache (numba's NullCache: cache=False); no index files appear."""
    compiled = [
        kernels.bias_activation,
        kernels.bias_output,
        kernels.output_delta,
        kernels.hidden_delta,
        kernels.descend,
    ]
    with kernels.using("numba"):
        Network([5, 4, 3], seed=0).backward(np.ones((5, 2)), np.array([0, 2]))
    assert all(type(function._cache).__name__ == "NullCache" for function in compiled)
    assert not list((ROOT / "impl").rglob("*.nbi")) and not list((ROOT / "impl").rglob("*.nbc"))


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
