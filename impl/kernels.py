"""Optional compiled (numba) kernels for the element-wise work of a training step.

At small mini-batches a step of :meth:`impl.network.Network.train_step` is dominated by the
fixed cost of its NumPy calls on tiny arrays (about 15 groups of calls per step for 784-30-10
at m = 10, see docs/benchmarks.md), not by arithmetic. These kernels fuse the work *between*
the matrix products into a few compiled calls; every matrix product stays a NumPy call
(``np.matmul``, the same BLAS as the NumPy path), so the two paths differ only where noted
below. Notation and conventions are those of :mod:`impl.network` (columns are examples;
D^l = scale * dZ^l with scale = 1/m for gradients and eta/m for a descent step).

What each kernel computes, and the verified claim each line comes from (``verified-backprop
show <name>``):

* :func:`bias_activation` — Z^l <- Z^l + b^l, A^l = g(Z^l) for a hidden layer, with
  sigmoid(z) = e^{min(z,0)} / (e^{min(z,0)} + e^{-max(z,0)}) (``sigmoid_stable_form``),
  tanh, or relu(z) = max(z, 0).
* :func:`bias_output` — Z^L <- Z^L + b^L, A^L = h(Z^L): softmax_k = e^{z_k - c} / sum_j
  e^{z_j - c}, c = max_j z_j (``softmax_shift_invariance``), or the sigmoid above.
* :func:`output_delta` — D^L = scale * (A^L - Y) for both cross-entropy pairings
  (``batch_softmax_ce_delta``, ``batch_sigmoid_bce_delta``), D^L = scale * (A^L - Y) *
  A^L (1 - A^L) for the quadratic cost (``quadratic_sigmoid_delta``), and the bias gradient
  grad_b^L = D^L 1 (``batch_bias_gradient``).
* :func:`hidden_delta` — D^l <- D^l * g'(Z^l) on D^l = (W^{l+1})^T D^{l+1} already computed
  by BLAS (``layer_recursion``), with sigmoid' = a (1 - a), tanh' = 1 - a^2, relu' = [z > 0]
  (``sigmoid_derivative``, ``tanh_derivative``, ``relu_derivative``), and grad_b^l = D^l 1
  (``batch_bias_gradient``). The weight gradient grad_W^l = D^l (A^{l-1})^T
  (``batch_weight_gradient``) is a NumPy product.
* :func:`descend` — W^l <- W^l - grad_W^l, b^l <- b^l - grad_b^l for one layer (the scale
  eta/m is already inside D^l).
* :func:`train_steps` — a run of training steps in one compiled call (``fit`` calls it once
  per about 4,096 examples): each step copies its mini-batch's rows (the examples
  ``order[s b : (s + 1) b]`` of a per-epoch permutation drawn by ``fit`` from the network's
  generator, as on the NumPy path) into a buffer by a compiled loop, then runs the kernels
  above with the matrix products inside the loop (numba's ``np.dot``), with no Python or NumPy
  call between steps.

Every kernel performs the same floating-point operations in the same order as the NumPy path
(:mod:`impl.activations`, :mod:`impl.losses`, :func:`impl.network.backward_into`), in the
array's own dtype, except in two places:

1. e^x and tanh x come from the C math library (through LLVM) instead of NumPy's own
   vectorised routines; both are within 4 ulp of the exact value (tests/error_bounds.py, LIBM),
   so one activation of the two paths can differ by a few ulp;
2. a sum, over the m columns (a bias gradient D^l 1) or over the K classes (the softmax's
   denominator), is taken left to right instead of in BLAS's or NumPy's order (NumPy's
   ``np.add.reduce`` sums pairwise, in blocks of 8): each order is within
   gamma_n sum_i |term_i| of the exact sum;
3. in :func:`train_steps` the matrix products are numba's ``np.dot``, which calls SciPy's
   BLAS instead of NumPy's (in float32 the gradient dW^1 = D^1 X^T is NumPy's own cblas
   gemm, called directly, :func:`gemm_for`): another order of the same dot products, within
   the same gamma_n sum_i |term_i| (the BLAS threads are capped by ``fit`` for both
   libraries).

Values that are not finite: each kernel reports whether what it wrote is finite (by a sum
of it, which is inf or NaN when any term is); a pass that meets inf or NaN, and a step whose
parameters are read-only, is redone on the NumPy path before any parameter changes, so
that inf, NaN, overflow warnings and errors are exactly the NumPy path's
(tests/test_impl_kernels_behave_like_numpy.py).

For finite values, tests/test_impl_kernels.py derives from these two facts the bound within
which the two paths agree, and checks it.

Which path runs (:func:`use`, :func:`using`): ``"auto"`` (the default) takes
:func:`train_steps` for a fit's steps when numba is installed, the step is small enough for
the fixed cost of NumPy's calls to matter, and the loop is ready without compiling (compiled
in this process, or in the disk cache) or the fit is long enough to pay for compiling it
(:func:`steps_pay`); the per-step kernels likewise for single training steps
(:func:`kernels_pay`). ``"numba"`` takes them for every forward and backward pass as well
(numba must be installed; the tests use it), ``"numpy"`` never does. numba is an optional
dependency (``pip install 'verified-backprop[fast]'``); without it everything runs on NumPy.

Disk cache: compiled kernels are kept in the user's cache folder (:func:`cache_folder`:
``$VERIFIED_BACKPROP_CACHE_DIR/numba``, else ``$XDG_CACHE_HOME/verified-backprop/numba``,
else ``~/.cache/verified-backprop/numba``; never next to this file nor in the working
folder), so they are compiled once per machine, Python and numba version and source of this
module, and later processes load them. A folder that cannot be created gives no disk cache; a
read-only one is read but not written; unreadable files are compiled over. In each case the
kernels are compiled in memory instead, with the same results. Deleting the folder clears it.
"""

from __future__ import annotations

import ctypes
import glob
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import numpy as np

try:
    import numba
    from numba.core import caching as _numba_caching
except ImportError:  # the optional extra is not installed: the NumPy path only
    numba = None
else:
    # SciPy's BLAS, which numba's np.dot calls, loaded now, so that fit's threadpool_limits
    # (one BLAS thread) reaches it as it reaches NumPy's (scikit-learn brings SciPy)
    with suppress(ImportError):
        import scipy.linalg.cython_blas  # noqa: F401

AVAILABLE = numba is not None

#: environment variable naming the cache folder (empty: no disk cache)
CACHE_ENV = "VERIFIED_BACKPROP_CACHE_DIR"
MODES = ("auto", "numba", "numpy")

#: codes the kernels take for the activations (``Network.hidden_activation``, ``.output``)
HIDDEN_CODES = {"sigmoid": 0, "tanh": 1, "relu": 2}
OUTPUT_CODES = {"softmax": 0, "sigmoid": 1, "sigmoid_quadratic": 2}

#: "auto" takes the kernels while a step's activations (sum of n_l over the layers, times the
#: mini-batch size m) number at most this many: 1,638 examples for 784-30-10, which covers the
#: mini-batch sizes the benchmark measures (10 to 1,024), where the compiled loop was measured
#: no slower than the NumPy path (docs/benchmarks.md). Larger steps, not measured, stay on
#: NumPy: they are dominated by their matrix products, and the kernels' scalar e^x is slower
#: per element than NumPy's vectorised one.
AUTO_MAX_ACTIVATIONS = 65536

#: "auto" compiles the kernels (about 2.7 s per dtype with the compiled loop, once per
#: machine with the disk cache) for a fit that finds them neither compiled nor cached only when
#: it plans at least this many small steps: the loop saves about 30 µs per step at m = 10, so
#: such a fit pays the compilation back (e.g. MNIST's 60,000 examples, 30 epochs of
#: mini-batches of 10: 180,000 steps).
AUTO_MIN_STEPS = 100_000

#: the mode of every thread that did not choose its own (:func:`use`)
_mode = "auto"
#: a mode chosen for one block of code (:func:`using`): local to its thread (and asyncio
#: task), so a block in one thread never changes the path of another
_block_mode: ContextVar[str | None] = ContextVar("kernel_block_mode", default=None)
#: the dtypes whose training step ran on the kernels in this process (compiled already)
_compiled: set[np.dtype] = set()
#: the small training steps the running fit plans (:func:`planned`), local like
#: ``_block_mode``: 0 outside a fit
_planned_steps: ContextVar[int] = ContextVar("kernel_planned_steps", default=0)


def _checked_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"kernel mode must be one of {MODES}, got {mode!r}")
    if mode == "numba" and not AVAILABLE:
        raise ValueError("kernel mode 'numba' needs numba: pip install 'verified-backprop[fast]'")
    return mode


def use(mode: str) -> str:
    """Select the path for every later step of every thread that is not inside a
    :func:`using` block: "auto", "numba" or "numpy"; returns the previous one."""
    global _mode
    previous, _mode = _mode, _checked_mode(mode)
    return previous


@contextmanager
def using(mode: str) -> Iterator[None]:
    """``with using("numpy"): ...`` runs the block on one path, in this thread only, then
    restores the previous."""
    token = _block_mode.set(_checked_mode(mode))
    try:
        yield
    finally:
        _block_mode.reset(token)


def mode() -> str:
    """The mode that applies here ("auto", "numba" or "numpy")."""
    block = _block_mode.get()
    return _mode if block is None else block


def planned_steps() -> int:
    """The training steps the running fit of this thread plans (0 outside a fit)."""
    return _planned_steps.get()


@contextmanager
def planned(steps: int) -> Iterator[None]:
    """``with planned(steps): ...`` — a fit of ``steps`` training steps runs in the block
    (in this thread: a fit in another thread plans its own)."""
    token = _planned_steps.set(steps)
    try:
        yield
    finally:
        _planned_steps.reset(token)


def kernels_pay(sizes: Sequence[int], batch: int, training: bool = True, dtype: Any = None) -> bool:
    """Whether a computation of ``sizes`` on ``batch`` columns runs on the kernels.

    Mode "numba": always; "numpy" (or numba not installed): never; "auto": only training steps
    (``training=True``) of at most :data:`AUTO_MAX_ACTIVATIONS` activations, and only once
    the compilation pays: the kernels are compiled for ``dtype`` already, or the running fit
    plans at least :data:`AUTO_MIN_STEPS` steps (:func:`planned`).  One-off forward and
    backward passes, and short fits, stay on NumPy in "auto", where compiling them (once per
    dtype and machine with the disk cache) would cost more than they save.
    """
    chosen = mode()
    if chosen == "numpy" or not AVAILABLE:
        return False
    if chosen == "numba":
        return True
    if not training or batch > largest_small_batch(sizes):
        return False
    return is_compiled(dtype) or planned_steps() >= AUTO_MIN_STEPS


def largest_small_batch(sizes: Sequence[int]) -> int:
    """The largest mini-batch whose step has at most :data:`AUTO_MAX_ACTIVATIONS` activations
    (sum of n_l over the layers after the input, times m): 1,638 for 784-30-10."""
    return AUTO_MAX_ACTIVATIONS // sum(sizes[1:])


def steps_pay(sizes: Sequence[int], batch: int, arguments: tuple) -> bool:
    """Whether a fit takes its full mini-batches of ``batch`` examples in :func:`train_steps`
    (whole runs of steps per compiled call) with these ``arguments``.

    Mode "numba": always; "numpy" (or numba not installed): never; "auto": for steps of at
    most :data:`AUTO_MAX_ACTIVATIONS` activations, when :func:`train_steps` is ready for
    these arguments without compiling (compiled in this process, or found in the disk cache,
    :func:`is_ready`) or the running fit plans at least :data:`AUTO_MIN_STEPS` steps, enough
    to pay for compiling it.
    """
    chosen = mode()
    if chosen == "numpy" or not AVAILABLE:
        return False
    if chosen == "numba":
        return True
    if batch > largest_small_batch(sizes):
        return False
    return planned_steps() >= AUTO_MIN_STEPS or is_ready(arguments)


def is_ready(arguments: tuple) -> bool:
    """Whether :func:`train_steps` runs on ``arguments`` without compiling: compiled for their
    types in this process, or held by the disk cache (:data:`CACHE_FOLDER`).

    Once true for arguments of one kind (:func:`_kind`: the array dtypes, dimensions, layouts
    and write flags numba types them by, and the scalar types), it is remembered: a compiled
    kernel stays compiled in its process, so later fits skip numba's typing of every argument.
    """
    if not AVAILABLE:
        return False
    kind = _kind(arguments)
    if kind in _ready_kinds:
        return True
    kernel = _TRAIN_STEPS
    signature = tuple(kernel.typeof_pyval(argument) for argument in arguments)
    if signature in kernel.overloads:
        _ready_kinds.add(kind)
        return True
    cache = kernel._cache
    return isinstance(cache, _DiskCache) and cache.holds(signature, kernel.targetctx.codegen())


#: the kinds of arguments (:func:`_kind`) for which :func:`train_steps` is compiled here
_ready_kinds: set[tuple] = set()


def _kind(value: Any) -> Any:
    """What numba's type of ``value`` depends on, cheaply: for an array its dtype, dimensions,
    layout (C, F or neither), whether it is writeable and aligned; a tuple element-wise; for
    anything else its Python type."""
    if isinstance(value, np.ndarray):
        flags = value.flags
        return (
            value.dtype,
            value.ndim,
            flags.c_contiguous,
            flags.f_contiguous,
            flags.writeable,
            flags.aligned,
        )
    if isinstance(value, tuple):
        return tuple(_kind(item) for item in value)
    return type(value)


def compiled(dtype: Any) -> None:
    """Record that a training step ran on the kernels in ``dtype`` (they are compiled)."""
    _compiled.add(np.dtype(dtype))


def is_compiled(dtype: Any) -> bool:
    """Whether a training step ran on the kernels in ``dtype`` in this process."""
    return np.dtype(dtype) in _compiled


def cache_folder() -> Path | None:
    """The folder of the kernels' disk cache, or None when there is none (see the module).

    ``$VERIFIED_BACKPROP_CACHE_DIR/numba`` when that variable is set (set and empty: no disk
    cache), else ``$XDG_CACHE_HOME/verified-backprop/numba``, else
    ``~/.cache/verified-backprop/numba``. Only an absolute folder is used: a relative one
    (or no home folder) gives None, so nothing is ever written relative to the working
    folder. Read from the environment when this module is imported.
    """
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        folder = Path(chosen).expanduser() if chosen else None
    else:
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not os.path.isabs(base):  # unset or relative: the XDG default, ~/.cache
            base = os.path.join(os.path.expanduser("~"), ".cache")
        folder = Path(base) / "verified-backprop"
    if folder is None or not folder.is_absolute():
        return None
    return folder / "numba"


#: the disk cache's folder for this process (None: the kernels compile in memory only)
CACHE_FOLDER = cache_folder() if AVAILABLE else None


#: the mini-batch gradient dW^1 = D^1 X^T of a float32 step is taken by NumPy's own BLAS in
#: :func:`train_steps` (numba's np.dot calls SciPy's): for these skinny products of 30 rows the
#: two OpenBLAS builds differ, and NumPy's is the faster one for this product in float32 only
#: (docs/benchmarks.md); float64 and every other product stay on np.dot
NUMPY_BLAS_PRODUCTS = {np.dtype(np.float32): True, np.dtype(np.float64): False}

_INT = ctypes.c_int
_INT64 = ctypes.c_int64
_POINTER = ctypes.c_void_p


def _gemm_argtypes(real: Any) -> list[Any]:
    # cblas_?gemm of an ILP64 OpenBLAS: order, transA, transB (C enums), M, N, K, alpha, A,
    # lda, B, ldb, beta, C, ldc
    return [_INT, _INT, _INT, _INT64, _INT64, _INT64, real, _POINTER, _INT64, _POINTER, _INT64]


def _numpy_gemm(dtype: np.dtype) -> Any:
    """NumPy's own ``cblas_sgemm`` / ``cblas_dgemm`` (the ILP64 OpenBLAS of NumPy's wheels,
    ``numpy.libs/libscipy_openblas64_*``) as a ctypes function, or None when NumPy was built
    against another BLAS (then :func:`train_steps` uses np.dot for every product)."""
    letter = "s" if dtype == np.float32 else "d"
    real = ctypes.c_float if dtype == np.float32 else ctypes.c_double
    folder = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    for path in sorted(glob.glob(os.path.join(folder, "libscipy_openblas64_*.so*"))):
        try:
            function = getattr(ctypes.CDLL(path), f"scipy_cblas_{letter}gemm64_")
        except (OSError, AttributeError):
            continue
        function.restype = None
        function.argtypes = [*_gemm_argtypes(real), real, _POINTER, _INT64]
        return function
    return None


def _never_called(*_arguments: Any) -> None:  # pragma: no cover - never called
    raise AssertionError("the stand-in for NumPy's gemm is never called")


#: per dtype, the gemm :func:`train_steps` is passed and whether it uses it (see
#: :data:`NUMPY_BLAS_PRODUCTS`); without NumPy's gemm, a ctypes stand-in of the same signature
#: that is never called (the argument keeps one compiled signature either way)
_GEMMS: dict[np.dtype, tuple[Any, bool]] = {}


def gemm_for(dtype: Any) -> tuple[Any, bool]:
    """(gemm, use it): the last two arguments of :func:`train_steps` for ``dtype``."""
    dtype = np.dtype(dtype)
    chosen = _GEMMS.get(dtype)
    if chosen is None:
        function = _numpy_gemm(dtype) if NUMPY_BLAS_PRODUCTS.get(dtype, False) else None
        if function is not None:
            chosen = (function, True)
        else:
            real = ctypes.c_float if dtype == np.float32 else ctypes.c_double
            prototype = ctypes.CFUNCTYPE(None, *_gemm_argtypes(real), real, _POINTER, _INT64)
            chosen = (prototype(_never_called), False)
        _GEMMS[dtype] = chosen
    return chosen


if AVAILABLE:

    class _Locator(_numba_caching._SourceFileBackedLocatorMixin, _numba_caching._CacheLocator):
        """numba's cache files of this module go to :data:`CACHE_FOLDER` and nowhere else."""

        def __init__(self, py_func: Any, py_file: str) -> None:
            assert CACHE_FOLDER is not None
            self._py_file = py_file
            self._lineno = py_func.__code__.co_firstlineno
            self._cache_path = str(CACHE_FOLDER / self.get_suitable_cache_subpath(py_file))

        def get_cache_path(self) -> str:
            return self._cache_path

        def ensure_cache_path(self) -> None:
            # an existing folder is enough: a read-only one still loads (saving then fails,
            # silently, in _DiskCache.save_overload); a folder that cannot be made: no cache
            os.makedirs(self._cache_path, exist_ok=True)

    class _Impl(_numba_caching.CompileResultCacheImpl):
        def __init__(self, py_func: Any) -> None:
            # numba's own list of locators (next to the source, numba's user folder, or
            # NUMBA_CACHE_LOCATOR_CLASSES) is not consulted: only _Locator
            self._lineno = py_func.__code__.co_firstlineno
            locator = _Locator.from_function(py_func, py_func.__code__.co_filename)
            if locator is None:
                raise OSError(f"cannot create the kernel cache folder in {CACHE_FOLDER}")
            self._locator = locator
            name = f"{Path(py_func.__code__.co_filename).stem}.{py_func.__qualname__}"
            self._filename_base = self.get_filename_base(name, getattr(sys, "abiflags", ""))

    class _DiskCache(_numba_caching.FunctionCache):
        """numba's per-function disk cache, in :data:`CACHE_FOLDER`; a cache that cannot be
        read or written is passed over (the kernel is then compiled in memory)."""

        _impl_class = _Impl

        def load_overload(self, sig: Any, target_context: Any) -> Any:
            try:
                return super().load_overload(sig, target_context)
            except Exception:  # unreadable, truncated or foreign files: compile instead
                return None

        def save_overload(self, sig: Any, data: Any) -> None:
            # read-only, full, or an index that is not numba's: this process keeps its kernel
            with suppress(Exception):
                super().save_overload(sig, data)

        def holds(self, sig: Any, codegen: Any) -> bool:
            """Whether the folder holds a compiled kernel for ``sig`` (fresh for this source)."""
            try:
                return self._index_key(sig, codegen) in self._cache_file._load_index()
            except Exception:
                return False


def _njit(function: Any) -> Any:
    # no fastmath (it would reorder and contract the operations this module promises to keep),
    # no parallel (one thread like the BLAS calls); numba's own cache=True would write next to
    # this file (into the package): the disk cache is _DiskCache, in CACHE_FOLDER only
    if not AVAILABLE:
        return function
    dispatcher = numba.njit(function, cache=False, fastmath=False, nogil=True)
    if CACHE_FOLDER is not None:
        with suppress(OSError):  # no folder can be made: compiled in memory, every process
            dispatcher._cache = _DiskCache(function)
    return dispatcher


@_njit
def _sigmoid(z: Any, one: Any) -> Any:
    # e^{min(z,0)} / (e^{min(z,0)} + e^{-max(z,0)}): one of the two exps is e^0 = 1 exactly,
    # the other is e^{-|z|}, so this is the NumPy path's formula, operation for operation
    e = np.exp(-abs(z))
    return (one if z >= 0 else e) / (e + one)


@_njit
def bias_activation(Z: Any, b: Any, A: Any, code: int) -> bool:
    """Z <- Z + b (b broadcast over the columns), A = g(Z) for a hidden layer (see module).

    Returns whether every Z is finite (then so is every A): if not, the caller redoes the
    pass on the NumPy path (see :func:`forward_into`)."""
    one = Z.dtype.type(1)
    zero = Z.dtype.type(0)
    check = zero  # inf or nan in any z makes the sum inf or nan
    n, m = Z.shape
    for i in range(n):
        shift = b[i, 0]
        for j in range(m):
            z = Z[i, j] + shift
            Z[i, j] = z
            check += z
            if code == 0:
                A[i, j] = _sigmoid(z, one)
            elif code == 1:
                A[i, j] = np.tanh(z)
            else:
                A[i, j] = z if not z <= zero else zero  # max(z, 0), NaN stays NaN
    return np.isfinite(check)


@_njit
def bias_output(Z: Any, b: Any, A: Any, code: int) -> bool:
    """Z <- Z + b, A = h(Z): softmax per column (code 0) or the sigmoid (codes 1, 2).

    Returns whether every Z is finite (then so is every A), as :func:`bias_activation`."""
    one = Z.dtype.type(1)
    check = Z.dtype.type(0)
    n, m = Z.shape
    for i in range(n):
        shift = b[i, 0]
        for j in range(m):
            z = Z[i, j] + shift
            Z[i, j] = z
            check += z
    if not np.isfinite(check):
        return False
    if code != 0:
        for i in range(n):
            for j in range(m):
                A[i, j] = _sigmoid(Z[i, j], one)
        return True
    for j in range(m):
        c = Z[0, j]
        for i in range(1, n):
            z = Z[i, j]
            if z > c or np.isnan(z):  # the maximum, NaN propagating like np.maximum.reduce
                c = z
        total = Z.dtype.type(0)
        for i in range(n):
            e = np.exp(Z[i, j] - c)
            A[i, j] = e
            total += e
        for i in range(n):
            A[i, j] /= total
    return True


@_njit
def output_delta(A: Any, Y: Any, D: Any, grad_b: Any, code: int, scale: Any) -> bool:
    """D = scale * (A - Y) (codes 0, 1) or scale * (A - Y) * a (1 - a) (code 2); grad_b = D 1.

    Returns whether every bias-gradient sum is finite (then so is every D), as
    :func:`bias_activation`."""
    one = A.dtype.type(1)
    check = A.dtype.type(0)
    n, m = A.shape
    for i in range(n):
        total = A.dtype.type(0)
        for j in range(m):
            a = A[i, j]
            d = a - Y[i, j]
            if code == 2:
                d *= (one - a) * a
            d *= scale
            D[i, j] = d
            total += d
        grad_b[i, 0] = total
        check += total
    return np.isfinite(check)


@_njit
def hidden_delta(D: Any, Z: Any, A: Any, grad_b: Any, code: int) -> bool:
    """D <- D * g'(Z) with g' from A (see module), grad_b = D 1.

    Returns whether every bias-gradient sum is finite, as :func:`output_delta`."""
    one = D.dtype.type(1)
    zero = D.dtype.type(0)
    check = zero
    n, m = D.shape
    for i in range(n):
        total = D.dtype.type(0)
        for j in range(m):
            a = A[i, j]
            if code == 0:
                slope = (one - a) * a
            elif code == 1:
                slope = one - a * a
            else:
                slope = one if Z[i, j] > zero else zero
            d = D[i, j] * slope
            D[i, j] = d
            total += d
        grad_b[i, 0] = total
        check += total
    return np.isfinite(check)


@_njit
def _subtract(target: Any, step: Any) -> None:
    rows, columns = target.shape
    for i in range(rows):
        for j in range(columns):
            target[i, j] -= step[i, j]


@_njit
def descend(W: Any, grad_W: Any, b: Any, grad_b: Any) -> None:
    """W <- W - grad_W and b <- b - grad_b for one layer."""
    _subtract(W, grad_W)
    _subtract(b, grad_b)


def forward_into(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    hidden: int,
    output: int,
    X: np.ndarray,
    Z: list[np.ndarray],
    A: list[Any],
) -> bool:
    """:func:`impl.network.forward_into` on the kernels (codes from HIDDEN_/OUTPUT_CODES).

    Returns False, and stops, at the first layer whose Z is not finite: the caller then
    redoes the pass on the NumPy path, so that inf and NaN behave there exactly as on it."""
    A[0] = X
    last = len(weights) - 1
    for k in range(last + 1):
        np.matmul(weights[k], A[k], out=Z[k])
        if k < last:
            finite = bias_activation(Z[k], biases[k], A[k + 1], hidden)
        else:
            finite = bias_output(Z[k], biases[k], A[k + 1], output)
        if not finite:
            return False
    return True


def backward_into(
    weights: Sequence[np.ndarray],
    hidden: int,
    output: int,
    Y: np.ndarray,
    Z: list[np.ndarray],
    A: list[Any],
    delta: list[np.ndarray],
    grad_W: list[np.ndarray],
    grad_b: list[np.ndarray],
    scale: float,
) -> bool:
    """:func:`impl.network.backward_into` on the kernels: the same D^l, grad_W, grad_b.

    Returns False, and stops, at the first layer with a bias-gradient sum that is not finite
    (the NumPy path's ``D 1`` would warn of an overflow there): the caller then redoes the
    pass on the NumPy path, as for :func:`forward_into`."""
    last = len(weights) - 1
    scale_ = delta[last].dtype.type(scale)
    if not output_delta(A[-1], Y, delta[last], grad_b[last], output, scale_):
        return False
    for k in range(last, -1, -1):
        np.matmul(delta[k], A[k].T, out=grad_W[k])
        if k:
            np.matmul(weights[k].T, delta[k], out=delta[k - 1])
            if not hidden_delta(delta[k - 1], Z[k - 1], A[k], grad_b[k - 1], hidden):
                return False
    return True


@_njit
def _gemm_rows(gemm: Any, A: Any, B: Any, C: Any) -> None:
    # C = A B for C-ordered A (M x K), B (K x N), C (M x N): cblas row-major, no transposes
    M, K = A.shape
    N = B.shape[1]
    one = C.dtype.type(1)
    zero = C.dtype.type(0)
    gemm(101, 111, 111, M, N, K, one, A.ctypes.data, K, B.ctypes.data, N, zero, C.ctypes.data, N)


@_njit
def train_steps(
    weights: Any,
    biases: Any,
    rows: Any,
    target_rows: Any,
    order: Any,
    first: int,
    stop: int,
    hidden: int,
    output: int,
    scale: Any,
    Z: Any,
    A: Any,
    delta: Any,
    grad_W: Any,
    grad_b: Any,
    x_rows: Any,
    y_rows: Any,
    gemm: Any,
    gradient_on_gemm: bool,
) -> int:
    """Steps ``first`` .. ``stop - 1`` of an epoch in one compiled call: the training step of
    :meth:`impl.network.Network.train_step` (forward, backward, descent, as in
    :func:`forward_into`, :func:`backward_into`, :func:`descend`) on mini-batches of
    ``b = x_rows.shape[0]`` examples, mini-batch s made of the examples ``order[s b : (s + 1)
    b]`` (``rows``, ``target_rows``: one example per row), copied into ``x_rows``, ``y_rows``
    by a compiled loop (no NumPy call per step). ``scale`` = eta / b.

    Tuples: ``weights``, ``biases`` the parameters (updated in place), ``Z``, ``A`` the
    pre-activations and activations A^1..A^L (``A[k] = g(Z[k])``), ``delta``, ``grad_W``,
    ``grad_b`` the backward buffers, all of b columns.

    ``gemm``, ``gradient_on_gemm`` (:func:`gemm_for`): when the latter is true, dW^1 = D^1 X^T
    is taken by that cblas gemm (NumPy's BLAS) instead of np.dot (SciPy's).

    Returns the number of the first step not taken: ``stop`` when all were, or the step at
    which a value met was not finite, before any parameter changed in that step (the caller
    takes that step on the NumPy path, as :meth:`Network.train_step` does).
    """
    batch = x_rows.shape[0]
    last = len(weights) - 1
    n_in = rows.shape[1]
    n_out = target_rows.shape[1]
    for step in range(first, stop):
        start = step * batch
        for j in range(batch):
            example = order[start + j]
            for c in range(n_in):
                x_rows[j, c] = rows[example, c]
            for c in range(n_out):
                y_rows[j, c] = target_rows[example, c]
        # forward: Z[k] = W[k] A[k-1] (A[-1] = X = x_rows^T), then the bias and activation
        np.dot(weights[0], x_rows.T, Z[0])
        if last == 0:
            finite = bias_output(Z[0], biases[0], A[0], output)
        else:
            finite = bias_activation(Z[0], biases[0], A[0], hidden)
        if not finite:
            return step
        for k in range(1, last + 1):
            np.dot(weights[k], A[k - 1], Z[k])
            if k < last:
                finite = bias_activation(Z[k], biases[k], A[k], hidden)
            else:
                finite = bias_output(Z[k], biases[k], A[k], output)
            if not finite:
                return step
        # backward: D^L, then grad_W^l = D^l (A^{l-1})^T and D^{l-1} = (W^l)^T D^l * g'
        if not output_delta(A[last], y_rows.T, delta[last], grad_b[last], output, scale):
            return step
        for k in range(last, 0, -1):
            np.dot(delta[k], A[k - 1].T, grad_W[k])
            np.dot(weights[k].T, delta[k], delta[k - 1])
            if not hidden_delta(delta[k - 1], Z[k - 1], A[k - 1], grad_b[k - 1], hidden):
                return step
        contiguous = x_rows.flags.c_contiguous and delta[0].flags.c_contiguous
        if gradient_on_gemm and contiguous and grad_W[0].flags.c_contiguous:
            _gemm_rows(gemm, delta[0], x_rows, grad_W[0])  # NumPy's BLAS (see gemm_for)
        else:
            np.dot(delta[0], x_rows, grad_W[0])
        for k in range(last + 1):
            descend(weights[k], grad_W[k], biases[k], grad_b[k])
    return stop


#: the compiled loop itself, for :func:`is_ready` (``train_steps`` may be wrapped)
_TRAIN_STEPS = train_steps
