"""The peers ``verified-backprop bench`` trains against: PyTorch and JAX on the CPU.

Every peer trains the same 784-30-10 network (sigmoid hidden layer, softmax cross-entropy,
plain SGD with the same η) on the same rows of the same data, one epoch per run: a fresh
permutation, every mini-batch gathered from it, one update per mini-batch. A runner returns
the epoch's rate in examples per second of **CPU time** (``time.process_time``: every thread
of the process, so work a library hands to a helper thread is counted too).

``torch plain``
    PyTorch tensors with a hand-written forward and backward pass (``addmm``, in-place updates,
    ``index_select`` into reused buffers, ``torch.no_grad``).
``torch nn``
    ``nn.Sequential(Linear, Sigmoid, Linear)`` + ``CrossEntropyLoss`` + autograd +
    ``torch.optim.SGD``: the idiomatic PyTorch program.
``jax step``
    one ``jax.jit``-compiled step (gather the mini-batch, ``jax.grad`` of the mean
    cross-entropy, the update; parameters donated), called from a Python loop.
``jax scan``
    the whole epoch in one ``jax.jit``-compiled call: ``lax.scan`` of the same step over the
    permutation cut into full mini-batches (a smaller last mini-batch goes through the jit step).

Both libraries are optional (the ``bench`` extra): :func:`torch_available` and
:func:`jax_available` say whether they can be imported. JAX needs ``jax_enable_x64`` for
float64, and reads its thread settings (``XLA_FLAGS``) once, when its CPU backend starts:
:func:`prepare_jax` sets both before the first JAX computation of the process.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

#: a contender: run(count) trains on the first ``count`` examples for one epoch, returns ex/s
Runner = Callable[[int], float]

#: XLA's CPU backend on one thread (Eigen's pool and the intra-op pool), as --threads 1 asks
ONE_THREAD_XLA_FLAGS = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


def torch_available() -> bool:
    """True when PyTorch can be imported."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def jax_available() -> bool:
    """True when JAX (with its CPU backend, jaxlib) can be imported."""
    try:
        import jax  # noqa: F401
        import jaxlib  # noqa: F401
    except ImportError:
        return False
    return True


def prepare_jax(threads: int) -> str:
    """Enable float64 in JAX and, for one thread, cap XLA's CPU thread pools; returns a summary.

    Must run before the first JAX computation of the process (XLA reads ``XLA_FLAGS`` when
    its backend starts); an ``XLA_FLAGS`` the user set is kept as it is.
    """
    if threads == 1 and "XLA_FLAGS" not in os.environ:
        os.environ["XLA_FLAGS"] = ONE_THREAD_XLA_FLAGS
    import jax

    jax.config.update("jax_enable_x64", True)
    flags = os.environ.get("XLA_FLAGS", "")
    return f"{jax.__version__} ({jax.default_backend()}), XLA_FLAGS={flags or '(not set)'}"


def _torch_dtype(torch: Any, dtype: np.dtype) -> Any:
    return torch.float64 if dtype == np.float64 else torch.float32


def torch_plain_runner(
    rows: np.ndarray, target_rows: np.ndarray, batch: int, eta: float, seed: int = 0
) -> Runner:
    """PyTorch tensors, forward and backward written out (rows are examples, as in PyTorch)."""
    import torch

    dtype = _torch_dtype(torch, rows.dtype)
    inputs = torch.from_numpy(rows)
    targets = torch.from_numpy(target_rows)
    generator = torch.Generator().manual_seed(seed)
    n_in, n_out = rows.shape[1], target_rows.shape[1]
    n_hidden = 30
    W1 = torch.randn(n_hidden, n_in, generator=generator, dtype=dtype)
    b1 = torch.randn(n_hidden, generator=generator, dtype=dtype)
    W2 = torch.randn(n_out, n_hidden, generator=generator, dtype=dtype)
    b2 = torch.randn(n_out, generator=generator, dtype=dtype)
    x_buffer = torch.empty(batch, n_in, dtype=dtype)
    y_buffer = torch.empty(batch, n_out, dtype=dtype)

    def run(count: int) -> float:
        started = time.process_time()
        with torch.no_grad():
            order = torch.randperm(count, generator=generator)
            for start in range(0, count, batch):
                indices = order[start : start + batch]
                size = int(indices.shape[0])
                xb = x_buffer if size == batch else torch.empty(size, n_in, dtype=dtype)
                yb = y_buffer if size == batch else torch.empty(size, n_out, dtype=dtype)
                torch.index_select(inputs, 0, indices, out=xb)
                torch.index_select(targets, 0, indices, out=yb)
                a1 = torch.sigmoid(torch.addmm(b1, xb, W1.t()))
                d2 = torch.softmax(torch.addmm(b2, a1, W2.t()), dim=1)
                d2.sub_(yb).mul_(eta / size)  # eta/m * dL/dz^2, one row per example
                d1 = torch.mm(d2, W2).mul_(a1).mul_(1.0 - a1)  # * sigma'(z^1) = a(1 - a)
                W2.sub_(torch.mm(d2.t(), a1))
                b2.sub_(d2.sum(dim=0))
                W1.sub_(torch.mm(d1.t(), xb))
                b1.sub_(d1.sum(dim=0))
        return count / (time.process_time() - started)

    return run


def torch_nn_runner(
    rows: np.ndarray, labels: np.ndarray, batch: int, eta: float, seed: int = 0
) -> Runner:
    """``nn.Sequential`` + ``CrossEntropyLoss`` + ``loss.backward()`` + ``optim.SGD``."""
    import torch

    dtype = _torch_dtype(torch, rows.dtype)
    inputs = torch.from_numpy(rows)
    label_tensor = torch.from_numpy(labels)
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    n_in, n_hidden, n_out = rows.shape[1], 30, 10
    model = torch.nn.Sequential(
        torch.nn.Linear(n_in, n_hidden), torch.nn.Sigmoid(), torch.nn.Linear(n_hidden, n_out)
    ).to(dtype)
    optimizer = torch.optim.SGD(model.parameters(), lr=eta)
    loss_function = torch.nn.CrossEntropyLoss()
    x_buffer = torch.empty(batch, n_in, dtype=dtype)
    label_buffer = torch.empty(batch, dtype=label_tensor.dtype)

    def run(count: int) -> float:
        started = time.process_time()
        order = torch.randperm(count, generator=generator)
        for start in range(0, count, batch):
            indices = order[start : start + batch]
            size = int(indices.shape[0])
            xb = x_buffer if size == batch else torch.empty(size, n_in, dtype=dtype)
            lb = label_buffer if size == batch else torch.empty(size, dtype=label_tensor.dtype)
            torch.index_select(inputs, 0, indices, out=xb)
            torch.index_select(label_tensor, 0, indices, out=lb)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_function(model(xb), lb)
            loss.backward()
            optimizer.step()
        return count / (time.process_time() - started)

    return run


def _jax_functions(eta: float) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The jit-compiled step and the jit-compiled ``lax.scan`` epoch (parameters donated)."""
    import jax
    import jax.numpy as jnp

    def cost(params: tuple[Any, ...], xb: Any, yb: Any) -> Any:
        W1, b1, W2, b2 = params
        a1 = jax.nn.sigmoid(xb @ W1.T + b1)
        z2 = a1 @ W2.T + b2
        return -jnp.mean(jnp.sum(yb * jax.nn.log_softmax(z2, axis=1), axis=1))

    def step(params: tuple[Any, ...], X: Any, Y: Any, indices: Any) -> tuple[Any, ...]:
        xb = jnp.take(X, indices, axis=0)
        yb = jnp.take(Y, indices, axis=0)
        grads = jax.grad(cost)(params, xb, yb)
        return tuple(p - eta * g for p, g in zip(params, grads, strict=True))

    def epoch(params: tuple[Any, ...], X: Any, Y: Any, batches: Any) -> tuple[Any, ...]:
        def body(carry: tuple[Any, ...], indices: Any) -> tuple[tuple[Any, ...], None]:
            return step(carry, X, Y, indices), None

        params, _ = jax.lax.scan(body, params, batches)
        return params

    return jax.jit(step, donate_argnums=0), jax.jit(epoch, donate_argnums=0)


def jax_runner(
    rows: np.ndarray,
    target_rows: np.ndarray,
    batch: int,
    eta: float,
    scan: bool,
    seed: int = 0,
) -> Runner:
    """JAX, jit step in a Python loop (``scan=False``) or the jit + ``lax.scan`` epoch.

    The data go to the device once, here; the permutation is drawn with NumPy (as impl's) and
    each run's indices are passed to the compiled code, which gathers the mini-batches itself.
    Call :func:`prepare_jax` first. The first run of each shape compiles: warm up with a run
    of the full count.
    """
    import jax
    import jax.numpy as jnp

    step, epoch = _jax_functions(eta)
    rng = np.random.default_rng(seed)
    n_in, n_out, n_hidden = rows.shape[1], target_rows.shape[1], 30
    dtype = rows.dtype
    shapes = ((n_hidden, n_in), (n_hidden,), (n_out, n_hidden), (n_out,))
    params = tuple(jnp.asarray(rng.standard_normal(shape).astype(dtype)) for shape in shapes)
    device_data: dict[int, tuple[Any, Any]] = {}
    state = {"params": params}

    def run(count: int) -> float:
        if count not in device_data:
            device_data[count] = (jnp.asarray(rows[:count]), jnp.asarray(target_rows[:count]))
        X, Y = device_data[count]
        params = state["params"]
        started = time.process_time()
        order = rng.permutation(count)
        full = count - count % batch
        if scan and full:
            params = epoch(params, X, Y, order[:full].reshape(-1, batch))
            starts = range(full, count, batch)
        else:
            starts = range(0, count, batch)
        for start in starts:
            params = step(params, X, Y, order[start : start + batch])
        jax.block_until_ready(params)
        seconds = time.process_time() - started
        state["params"] = params
        return count / seconds

    return run
