"""Training throughput of ``Network([784, 30, 10])`` against its peers, and the hardware limit.

Contenders (sigmoid hidden layer, softmax cross-entropy, plain SGD, one epoch per timed run over
the same synthetic MNIST-shaped data; every rate is examples per second of **CPU time** of the
process, ``time.process_time``, so that work handed to helper threads counts too):

``impl (whole fit)``
    one whole :meth:`impl.network.Network.fit` call for one epoch, as a user calls it, with its
    defaults (progress bar on, drawn to a null device; whatever it evaluates by default):
    input checks, the copy into row order if needed, the epoch, the checks after it.
``impl (epoch inside fit)``
    the same calls, timed by ``fit`` itself: the epoch's shuffle, gathers and steps only
    (``history["cpu_seconds"]``), the figure comparable to a step loop.
``loop``
    the sources' per-example loop, :func:`impl.per_example.gradient_descent_by_loop`: the
    reference baseline, timed on a subset of the examples (its rate does not depend on the
    data set size).
PyTorch and JAX peers
    see :mod:`impl.bench.peers`: PyTorch plain tensors and ``nn.Sequential`` + autograd, JAX
    jit step and jit + ``lax.scan`` over the epoch. For them the whole call *is* the epoch.

All of them run on the same number of threads: NumPy's BLAS through threadpoolctl, PyTorch
through ``torch.set_num_threads``, XLA through ``XLA_FLAGS`` (:func:`impl.bench.peers.prepare_jax`).

The hardware limit: the matrix products of one training step of 784-30-10 at mini-batch m are
timed on their own with the best of the four operand layouts (C/F order of each factor), with
NumPy's BLAS and with PyTorch's. A step can be no faster than its products, so
``m / (sum of the products' best times)`` is a compute-bound ceiling in examples per second.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from impl import kernels
from impl.bench.peers import jax_runner, torch_nn_runner, torch_plain_runner
from impl.bench.timing import Stats, calls_for, interleaved, seconds_per_call
from impl.network import Network
from impl.per_example import gradient_descent_by_loop

SIZES = (784, 30, 10)
LEARNING_RATE = 0.5
CLASSES = SIZES[-1]

IMPL_FIT = "impl (whole Network.fit call, defaults)"
IMPL = "impl (epoch inside Network.fit)"
LOOP = "per-example loop (as in the sources, reference baseline)"
TORCH_PLAIN = "PyTorch plain tensors (manual backward)"
TORCH_NN = "PyTorch nn.Sequential + autograd + optim.SGD"
JAX_STEP = "JAX jit step (jax.grad)"
JAX_SCAN = "JAX jit + lax.scan over the epoch"
TORCH_CONTENDERS = (TORCH_PLAIN, TORCH_NN)
JAX_CONTENDERS = (JAX_STEP, JAX_SCAN)
PEERS = (*TORCH_CONTENDERS, *JAX_CONTENDERS)
CONTENDERS = (IMPL_FIT, IMPL, LOOP, *PEERS)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class TrainingData:
    """MNIST-shaped examples stored one per row (C order), in one dtype.

    ``rows`` has shape (n, 784): pixels in [0, 1], about 80 % exactly 0 like MNIST;
    ``target_rows`` (n, 10) one-hot; ``labels`` (n,) int64. ``rows.T`` is the (784, n) layout
    :class:`~impl.network.Network` takes, without a copy.
    """

    rows: np.ndarray
    target_rows: np.ndarray
    labels: np.ndarray

    @property
    def count(self) -> int:
        """Number of examples n."""
        return int(self.rows.shape[0])

    def astype(self, dtype: Any) -> TrainingData:
        """The same data in another float dtype."""
        return TrainingData(self.rows.astype(dtype), self.target_rows.astype(dtype), self.labels)


def mnist_like(count: int, seed: int = 0, dtype: Any = np.float64) -> TrainingData:
    """``count`` synthetic MNIST-shaped examples from ``numpy.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    rows = rng.random((count, SIZES[0]))
    rows *= rng.random((count, SIZES[0])) < 0.2
    labels = rng.integers(0, CLASSES, count)
    target_rows = np.eye(CLASSES)[labels]
    return TrainingData(rows.astype(dtype, copy=False), target_rows.astype(dtype), labels)


# --------------------------------------------------------------------------- contenders

#: a contender: run(count) trains on the first ``count`` examples for one epoch, returns ex/s
Runner = Callable[[int], float]


def impl_runner(data: TrainingData, batch: int, epoch_rates: list[float], seed: int = 0) -> Runner:
    """One whole ``Network.fit`` call for one epoch, with fit's defaults; CPU-time rates.

    Returns the whole call's rate and appends the epoch's own rate (``history["cpu_seconds"]``)
    to ``epoch_rates``. The progress bar is on (the default) and drawn to a null device.
    """
    net = Network(list(SIZES), seed=seed, dtype=data.rows.dtype)

    def run(count: int) -> float:
        with open(os.devnull, "w") as null, contextlib.redirect_stderr(null):
            started = time.process_time()
            history = net.fit(
                data.rows[:count].T,
                data.target_rows[:count].T,
                epochs=1,
                batch_size=batch,
                learning_rate=LEARNING_RATE,
            )
            seconds = time.process_time() - started
        epoch_rates.append(count / history["cpu_seconds"][0])
        return count / seconds

    return run


#: seconds the compiled kernels took to be ready, per dtype name (this process, the bench's),
#: and whether they were compiled ("cold": not in the disk cache) or loaded from it ("warm")
KERNEL_COMPILE_SECONDS: dict[str, float] = {}
KERNEL_CACHE_STATE: dict[str, str] = {}


def compile_kernels(data: TrainingData, batch: int = 16) -> None:
    """Make :mod:`impl.kernels` ready for ``data``'s dtype before anything is timed (once).

    As JAX's jit compiles in its warm-up, so do the kernels here: a short fit with the
    kernels forced, timed on its own (:data:`KERNEL_COMPILE_SECONDS`), after noting whether
    the disk cache already held the compiled loop (:data:`KERNEL_CACHE_STATE`: "warm", only
    loaded, or "cold", compiled and written).  ``fit`` in its default mode "auto" then takes
    them for small steps.  Nothing happens without numba or outside "auto".
    """
    dtype = data.rows.dtype
    if not kernels.AVAILABLE or kernels.mode() != "auto" or dtype.name in KERNEL_CACHE_STATE:
        return
    net = Network(list(SIZES), seed=0, dtype=dtype)
    count = min(data.count, 2 * batch)
    rows, targets = data.rows[:count], data.target_rows[:count]
    arguments = net.steps_arguments(
        rows,
        targets,
        np.empty(0, np.intp),
        batch,
        LEARNING_RATE,
        np.empty((batch, SIZES[0]), dtype),
        np.empty((batch, CLASSES), dtype),
    )
    KERNEL_CACHE_STATE[dtype.name] = "warm" if kernels.is_ready(arguments) else "cold"
    started = time.process_time()
    with kernels.using("numba"), open(os.devnull, "w") as null, contextlib.redirect_stderr(null):
        net.fit(rows.T, targets.T, epochs=1, batch_size=batch, learning_rate=LEARNING_RATE)
    KERNEL_COMPILE_SECONDS[dtype.name] = time.process_time() - started


#: run in a fresh interpreter by :func:`fresh_process_fits`: the first and second whole fit
_FRESH_PROCESS_CODE = """
import json, os, sys, time
import numpy as np
from impl.bench.training import LEARNING_RATE, SIZES, mnist_like
count, batch = int(sys.argv[1]), int(sys.argv[2])
data = {name: mnist_like(count, seed=0, dtype=name) for name in sys.argv[3:]}
from impl import Network
result = {}
for name, training in data.items():
    net = Network(list(SIZES), seed=0, dtype=name)
    seconds = []
    for _ in range(2):
        started = time.process_time()
        net.fit(training.rows.T, training.target_rows.T, epochs=1, batch_size=batch,
                learning_rate=LEARNING_RATE, progress=False)
        seconds.append(time.process_time() - started)
    result[name] = seconds
print(json.dumps(result))
"""


#: run in a fresh interpreter by :func:`fresh_process_fits`: numba's start in a process alone
_NUMBA_START_CODE = """
import json, time
import impl.kernels
from numba.core.registry import cpu_target
started = time.process_time()
cpu_target.typing_context.refresh()
cpu_target.target_context.refresh()
print(json.dumps(time.process_time() - started))
"""


def numba_start_seconds() -> float | None:
    """CPU seconds numba takes, in a fresh interpreter with impl imported, to start the typing
    and target contexts it needs before it can load a compiled kernel from the disk cache (the
    part of a session's first compiled fit that later fits do not pay); None without numba."""
    import json
    import subprocess
    import sys

    if not kernels.AVAILABLE:
        return None
    result = subprocess.run(
        [sys.executable, "-c", _NUMBA_START_CODE], capture_output=True, text=True, check=True
    )
    return float(json.loads(result.stdout.strip().splitlines()[-1]))


def fresh_process_fits(count: int, batch: int, dtypes: Sequence[str]) -> dict[str, Any]:
    """CPU seconds of the first and the second one-epoch fit in a fresh interpreter, per dtype
    (``{dtype: [first, second]}``), as a user's first fit of a session meets it: impl is
    imported before the first is timed; fit takes the kernels as ``auto`` decides (with a warm
    disk cache the first fit loads them, which starts numba's compiler context)."""
    import json
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS_CODE, str(count), str(batch), *dtypes],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def loop_runner(data: TrainingData, batch: int, seed: int = 0) -> Runner:
    """The sources' per-example loop: shuffle, cut into mini-batches, one update per batch."""
    net = Network(list(SIZES), seed=seed, dtype=data.rows.dtype)
    rng = np.random.default_rng(seed)

    def run(count: int) -> float:
        rows, targets = data.rows[:count], data.target_rows[:count]
        started = time.process_time()
        order = rng.permutation(count)
        for start in range(0, count, batch):
            indices = order[start : start + batch]
            gradient_descent_by_loop(net, rows[indices].T, targets[indices].T, LEARNING_RATE)
        return count / (time.process_time() - started)

    return run


def _torch_dtype(torch: Any, dtype: np.dtype) -> Any:
    return torch.float64 if dtype == np.float64 else torch.float32


@dataclass
class ThroughputResult:
    """Examples per second (CPU time) of every contender at one (dtype, mini-batch size)."""

    dtype: str
    batch: int
    examples: int
    loop_examples: int
    rates: dict[str, Stats | None]  # None: a peer that is not installed / not run
    missing: dict[str, str] = field(default_factory=dict)  # why a contender did not run
    #: whether impl's fit ran its element-wise work on the compiled kernels (impl.kernels)
    on_kernels: bool = False

    def median(self, name: str) -> float:
        """Median ex/s of ``name`` (NaN if it did not run)."""
        stats = self.rates.get(name)
        return stats.median if stats is not None else float("nan")

    def best_of(self, names: Sequence[str]) -> tuple[str, float] | None:
        """The contender among ``names`` with the highest median rate (None if none ran)."""
        medians = [(name, self.median(name)) for name in names if self.rates.get(name)]
        return max(medians, key=lambda item: item[1]) if medians else None

    def best_peer(self) -> tuple[str, float] | None:
        """The fastest PyTorch or JAX peer, or None when none is installed."""
        return self.best_of(PEERS)

    def best_torch(self) -> tuple[str, float] | None:
        """The PyTorch variant with the highest median rate, or None without PyTorch."""
        return self.best_of(TORCH_CONTENDERS)


def measure_throughput(
    data: TrainingData,
    batch: int,
    repeats: int,
    loop_examples: int,
    peers: dict[str, str],
) -> ThroughputResult:
    """Interleaved repeats of all contenders at one mini-batch size and dtype.

    ``peers`` maps each peer of :data:`PEERS` to "" (run it) or why it does not run ("not
    installed", "not used (--no-torch)"). JAX peers are warmed up with a full run (their first
    run of each shape compiles); the others with a short one.
    """
    count = data.count
    loop_count = min(loop_examples, count)
    warm = min(count, max(4 * batch, 256))
    compile_kernels(data)
    epoch_rates: list[float] = []
    runners: dict[str, tuple[Runner, int, int]] = {
        IMPL_FIT: (impl_runner(data, batch, epoch_rates), count, warm),
        LOOP: (loop_runner(data, batch), loop_count, min(warm, loop_count)),
    }
    rows, targets = data.rows, data.target_rows
    makers: dict[str, Callable[[], Runner]] = {
        TORCH_PLAIN: lambda: torch_plain_runner(rows, targets, batch, LEARNING_RATE),
        TORCH_NN: lambda: torch_nn_runner(rows, data.labels, batch, LEARNING_RATE),
        JAX_STEP: lambda: jax_runner(rows, targets, batch, LEARNING_RATE, scan=False),
        JAX_SCAN: lambda: jax_runner(rows, targets, batch, LEARNING_RATE, scan=True),
    }
    for name in PEERS:
        if not peers.get(name, "not installed"):
            runners[name] = (makers[name](), count, count if name in JAX_CONTENDERS else warm)
    contenders = {
        name: (lambda runner=runner, examples=examples: runner(examples))
        for name, (runner, examples, _) in runners.items()
    }
    warmups = {
        name: (lambda runner=runner, examples=warm_count: runner(examples))
        for name, (runner, _, warm_count) in runners.items()
    }
    stats = interleaved(contenders, repeats, warmups)
    epoch_rates = epoch_rates[-repeats:]  # the timed rounds (the warm-up came first)
    rates: dict[str, Stats | None] = {name: stats.get(name) for name in CONTENDERS}
    rates[IMPL] = Stats(tuple(epoch_rates))
    missing = {name: peers.get(name, "not installed") for name in PEERS if name not in runners}
    on_kernels = kernels.kernels_pay(SIZES, batch, dtype=data.rows.dtype)
    return ThroughputResult(
        data.rows.dtype.name, batch, count, loop_count, rates, missing, on_kernels
    )


# --------------------------------------------------------------------------- hardware limit


@dataclass(frozen=True)
class Product:
    """One matrix product (M x K)(K x N) of a training step."""

    label: str
    M: int
    K: int
    N: int

    @property
    def flops(self) -> int:
        """2 M K N floating-point operations (one multiply and one add per term)."""
        return 2 * self.M * self.K * self.N


def training_products(sizes: Sequence[int], batch: int) -> list[Product]:
    """The matrix products of one training step at mini-batch m (forward, then backward).

    Forward Z^l = W^l A^{l-1}; backward dW^l = D^l (A^{l-1})^T and, below the top layer,
    D^{l-1} = (W^l)^T D^l (no delta is propagated to the inputs).
    """
    products: list[Product] = []
    pairs = list(itertools.pairwise(sizes))
    for layer, (n_in, n_out) in enumerate(pairs, start=1):
        products.append(Product(f"W{layer} A{layer - 1} (forward)", n_out, n_in, batch))
    for layer in range(len(pairs), 0, -1):
        n_in, n_out = pairs[layer - 1]
        products.append(Product(f"D{layer} A{layer - 1}^T (dW{layer})", n_out, batch, n_in))
        if layer > 1:
            products.append(Product(f"W{layer}^T D{layer} (D{layer - 1})", n_in, n_out, batch))
    return products


def flops_per_example(sizes: Sequence[int]) -> int:
    """Matrix-product FLOPs per example of one forward + backward pass (batch-independent)."""
    return sum(product.flops for product in training_products(sizes, 1))


def _numpy_product_seconds(product: Product, dtype: np.dtype, budget: float) -> tuple[float, str]:
    rng = np.random.default_rng(0)
    best, best_layout = float("inf"), ""
    out = np.empty((product.M, product.N), dtype)
    for a_order, b_order in itertools.product("CF", repeat=2):
        a = np.asarray(rng.random((product.M, product.K)), dtype=dtype, order=a_order)
        b = np.asarray(rng.random((product.K, product.N)), dtype=dtype, order=b_order)

        def call(a: np.ndarray = a, b: np.ndarray = b) -> None:
            np.matmul(a, b, out=out)

        seconds = seconds_per_call(call, calls_for(call, budget / 12), blocks=3)
        if seconds < best:
            best, best_layout = seconds, a_order + b_order
    return best, best_layout


def _torch_product_seconds(product: Product, dtype: np.dtype, budget: float) -> tuple[float, str]:
    import torch

    torch_dtype = _torch_dtype(torch, dtype)
    generator = torch.Generator().manual_seed(0)
    best, best_layout = float("inf"), ""
    out = torch.empty(product.M, product.N, dtype=torch_dtype)
    for a_order, b_order in itertools.product("CF", repeat=2):
        a = torch.rand(product.M, product.K, generator=generator, dtype=torch_dtype)
        b = torch.rand(product.K, product.N, generator=generator, dtype=torch_dtype)
        if a_order == "F":
            a = a.t().contiguous().t()
        if b_order == "F":
            b = b.t().contiguous().t()

        def call(a: Any = a, b: Any = b) -> None:
            torch.mm(a, b, out=out)

        seconds = seconds_per_call(call, calls_for(call, budget / 12), blocks=3)
        if seconds < best:
            best, best_layout = seconds, a_order + b_order
    return best, best_layout


@dataclass
class ProductTiming:
    """Best time of one product with NumPy's BLAS and (if installed) PyTorch's."""

    product: Product
    numpy_seconds: float
    numpy_layout: str
    torch_seconds: float | None = None
    torch_layout: str = ""

    @property
    def numpy_gflops(self) -> float:
        """GFLOP/s of the product with NumPy's BLAS."""
        return self.product.flops / self.numpy_seconds / 1e9

    @property
    def torch_gflops(self) -> float | None:
        """GFLOP/s of the product with PyTorch's BLAS (None without PyTorch)."""
        if self.torch_seconds is None:
            return None
        return self.product.flops / self.torch_seconds / 1e9


@dataclass
class HardwareLimit:
    """Product timings and the resulting compute-bound ceilings for one dtype and batch."""

    dtype: str
    batch: int
    timings: list[ProductTiming]

    @property
    def numpy_ceiling(self) -> float:
        """m / (sum of the products' best NumPy times): ex/s if a step were only its products."""
        return self.batch / sum(t.numpy_seconds for t in self.timings)

    @property
    def torch_ceiling(self) -> float | None:
        """The same ceiling with PyTorch's BLAS (None without PyTorch)."""
        if any(t.torch_seconds is None for t in self.timings):
            return None
        return self.batch / sum(t.torch_seconds or 0.0 for t in self.timings)

    @property
    def ceiling(self) -> float:
        """The machine's ceiling: the better of the NumPy and PyTorch BLAS ceilings."""
        torch_ceiling = self.torch_ceiling
        return max(self.numpy_ceiling, torch_ceiling or 0.0)

    @property
    def ceiling_source(self) -> str:
        """Which BLAS gives :attr:`ceiling`."""
        torch_ceiling = self.torch_ceiling
        return "PyTorch" if torch_ceiling and torch_ceiling > self.numpy_ceiling else "NumPy"


def measure_hardware_limit(
    dtype: np.dtype, batch: int, budget: float, with_torch: bool
) -> HardwareLimit:
    """Time every product of a 784-30-10 training step at mini-batch ``batch``."""
    timings = []
    for product in training_products(SIZES, batch):
        seconds, layout = _numpy_product_seconds(product, dtype, budget)
        timing = ProductTiming(product, seconds, layout)
        if with_torch:
            timing.torch_seconds, timing.torch_layout = _torch_product_seconds(
                product, dtype, budget
            )
        timings.append(timing)
    return HardwareLimit(np.dtype(dtype).name, batch, timings)


def peak_gflops(dtype: np.dtype, size: int, with_torch: bool) -> tuple[float, float | None]:
    """GFLOP/s of a square size x size x size product (NumPy, PyTorch): the BLAS at its best."""
    product = Product("square", size, size, size)
    numpy_seconds, _ = _numpy_product_seconds(product, dtype, budget=0.5)
    torch_gflops = None
    if with_torch:
        torch_seconds, _ = _torch_product_seconds(product, dtype, budget=0.5)
        torch_gflops = product.flops / torch_seconds / 1e9
    return product.flops / numpy_seconds / 1e9, torch_gflops


def copy_bandwidth(megabytes: int) -> float:
    """GB/s of ``np.copyto`` between two large arrays (bytes copied per second, best of 3).

    A reference for the mini-batch gather, which copies rows of the data set the same way.
    """
    source = np.ones(megabytes * (1 << 20) // 8)
    target = np.zeros_like(source)
    best = min(seconds_per_call(lambda: np.copyto(target, source), 1, blocks=1) for _ in range(3))
    return source.nbytes / best / 1e9
