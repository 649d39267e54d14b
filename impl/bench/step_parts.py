"""Where one training step's CPU time goes: impl's compiled loop beside JAX's scanned epoch.

Both sides are timed as a *ladder* of three compiled epochs over the same data, each a whole
pass over a fresh permutation in mini-batches of m, pinned like the rest of the benchmark and
timed in CPU time of the process (``time.process_time``):

1. **gather**: read each mini-batch's rows from the data set in the permutation's order (impl:
   the compiled copy into the step's row buffers that :func:`impl.kernels.train_steps` does;
   JAX: ``jnp.take`` of the rows added into a carried array, so that they are read);
2. **gather + products + update**: the same, then the step's five matrix products (Z^1 = W^1 X,
   Z^2 = W^2 Z^1, dW^2 = D^2 (Z^1)^T, D^1 = (W^2)^T D^2, dW^1 = D^1 X^T, with the loop's
   buffers and layouts for impl, ``@`` for JAX) and the update W^l <- W^l - step, with no
   activation: the skeleton of a step without its element-wise work;
3. **whole step**: impl's :func:`impl.kernels.train_steps` over the epoch in one call, and
   JAX's jit + ``lax.scan`` epoch of :mod:`impl.bench.peers` (its rate as a peer).

Differences of neighbouring rungs give the parts: products and update = (2) - (1), element-wise
work (bias, activations, softmax, output delta, g', bias sums) = (3) - (2). For impl a fourth
rung, interleaved with the others, is one whole ``Network.fit`` call of one epoch (fit's
defaults, as the throughput table times it), which gives two more parts: Python between the
compiled calls (the epoch inside ``fit``, ``history["cpu_seconds"]``, per step, minus (3)) and
``fit``'s own work around the epoch (the whole call minus the epoch). Every figure is
microseconds of CPU per training step, the median of interleaved repeats.

The JAX skeleton (2) carries its weights through the scan (W^l - 1e-12 step), so that XLA
cannot hoist a product out of the loop; impl's subtracts a zero step, because a compiled call
to BLAS is never hoisted. Neither computes anything a user would want: only the time matters.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from impl import kernels
from impl.network import Network

GATHER = "gather"
SKELETON = "gather + products + update"
WHOLE = "whole step"
WHOLE_FIT = "whole fit"


@dataclass
class StepParts:
    """CPU microseconds per step of the ladder's rungs (:data:`GATHER`, :data:`SKELETON`,
    :data:`WHOLE`) for impl's compiled loop and for JAX, at one dtype and mini-batch size."""

    dtype: str
    batch: int
    impl: dict[str, float] = field(default_factory=dict)
    jax: dict[str, float] = field(default_factory=dict)
    epoch_in_fit: float | None = None  # per step, the epoch inside the whole fit rung
    whole_fit: float | None = None  # per step, the whole fit rung
    fit_on_loop: bool = True  # whether fit ran these steps in the compiled loop

    @staticmethod
    def parts_of(rungs: dict[str, float]) -> dict[str, float]:
        """gather, products + update, element-wise work and the whole step, from the rungs."""
        if not all(key in rungs for key in (GATHER, SKELETON, WHOLE)):
            return {}
        return {
            "gather": rungs[GATHER],
            "products + update": rungs[SKELETON] - rungs[GATHER],
            "element-wise": rungs[WHOLE] - rungs[SKELETON],
            "whole compiled step": rungs[WHOLE],
        }


def _impl_functions() -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The compiled gather rung and skeleton rung (numba, compiled in memory, never cached)."""
    import numba

    descend = kernels.descend
    gemm_rows = kernels._gemm_rows

    @numba.njit(cache=False, nogil=True)
    def gather(rows, target_rows, order, x_rows, y_rows, steps):  # type: ignore[no-untyped-def]
        batch = x_rows.shape[0]
        for step in range(steps):
            start = step * batch
            for j in range(batch):
                example = order[start + j]
                for c in range(rows.shape[1]):
                    x_rows[j, c] = rows[example, c]
                for c in range(target_rows.shape[1]):
                    y_rows[j, c] = target_rows[example, c]
        return steps

    @numba.njit(cache=False, nogil=True)
    def skeleton(  # type: ignore[no-untyped-def]
        rows,
        target_rows,
        order,
        x_rows,
        y_rows,
        steps,
        W1,
        b1,
        W2,
        b2,
        Z1,
        Z2,
        D1,
        gW1,
        gW2,
        zero_W1,
        zero_b1,
        zero_W2,
        zero_b2,
        gemm,
        gradient_on_gemm,
    ):
        batch = x_rows.shape[0]
        for step in range(steps):
            start = step * batch
            for j in range(batch):
                example = order[start + j]
                for c in range(rows.shape[1]):
                    x_rows[j, c] = rows[example, c]
                for c in range(target_rows.shape[1]):
                    y_rows[j, c] = target_rows[example, c]
            # train_steps' products, in its layouts and libraries, Z2 standing in for D^2
            np.dot(W1, x_rows.T, Z1)
            np.dot(W2, Z1, Z2)
            np.dot(Z2, Z1.T, gW2)
            np.dot(W2.T, Z2, D1)
            if gradient_on_gemm:  # as train_steps does (kernels.gemm_for)
                gemm_rows(gemm, D1, x_rows, gW1)
            else:
                np.dot(D1, x_rows, gW1)
            descend(W1, zero_W1, b1, zero_b1)
            descend(W2, zero_W2, b2, zero_b2)
        return steps

    return gather, skeleton


def _jax_functions() -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The JAX gather rung and skeleton rung: jit + lax.scan over the permutation's batches."""
    import jax
    import jax.numpy as jnp

    def gather(X: Any, Y: Any, batches: Any) -> Any:
        batch = batches.shape[1]

        def body(carry: tuple[Any, Any], indices: Any) -> tuple[tuple[Any, Any], None]:
            x_sum, y_sum = carry
            return (
                x_sum + jnp.take(X, indices, axis=0),
                y_sum + jnp.take(Y, indices, axis=0),
            ), None

        start = (jnp.zeros((batch, X.shape[1]), X.dtype), jnp.zeros((batch, Y.shape[1]), Y.dtype))
        return jax.lax.scan(body, start, batches)[0]

    def skeleton(params: tuple[Any, ...], X: Any, Y: Any, batches: Any) -> tuple[Any, ...]:
        def body(carry: tuple[Any, ...], indices: Any) -> tuple[tuple[Any, ...], None]:
            W1, b1, W2, b2 = carry
            xb = jnp.take(X, indices, axis=0)
            yb = jnp.take(Y, indices, axis=0)
            z1 = xb @ W1.T
            z2 = z1 @ W2.T
            d2 = z2 - yb
            gW2 = d2.T @ z1
            d1 = d2 @ W2
            gW1 = d1.T @ xb
            small = jnp.asarray(1e-12, X.dtype)
            return (W1 - small * gW1, b1, W2 - small * gW2, b2), None

        return jax.lax.scan(body, params, batches)[0]

    return jax.jit(gather), jax.jit(skeleton, donate_argnums=0)


def measure_step_parts(
    rows: np.ndarray,
    target_rows: np.ndarray,
    batch: int,
    repeats: int,
    with_jax: bool,
    seed: int = 0,
) -> StepParts:
    """The ladder (see the module) for impl and, with ``with_jax``, for JAX: interleaved
    ``repeats`` times after one untimed run of each rung; medians in CPU µs per step."""
    dtype = rows.dtype
    parts = StepParts(dtype.name, batch)
    count = rows.shape[0]
    steps = count // batch
    rng = np.random.default_rng(seed)
    runs: dict[str, Callable[[], float]] = {}

    if kernels.AVAILABLE:
        gather, skeleton = _impl_functions()
        net = Network([rows.shape[1], 30, target_rows.shape[1]], seed=seed, dtype=dtype)
        x_rows = np.empty((batch, rows.shape[1]), dtype)
        y_rows = np.empty((batch, target_rows.shape[1]), dtype)
        arguments = net.steps_arguments(
            rows, target_rows, np.empty(0, np.intp), batch, 0.5, x_rows, y_rows
        )
        assert arguments is not None
        head, tail = arguments[:4], arguments[7:]
        buffers = net.step_buffers(batch)
        W1, W2 = (W.copy() for W in net.weights)
        b1, b2 = (b.copy() for b in net.biases)
        zeros = [np.zeros_like(p) for p in (W1, b1, W2, b2)]
        Z1, Z2 = buffers.Z
        D1 = buffers.delta[0]
        gW1, gW2 = buffers.grad_W

        def timed(function: Callable[[np.ndarray], object]) -> Callable[[], float]:
            def run() -> float:
                order = rng.permutation(count)
                started = time.process_time()
                function(order)
                return 1e6 * (time.process_time() - started) / steps

            return run

        runs["impl " + GATHER] = timed(
            lambda order: gather(rows, target_rows, order, x_rows, y_rows, steps)
        )
        runs["impl " + SKELETON] = timed(
            lambda order: skeleton(
                rows,
                target_rows,
                order,
                x_rows,
                y_rows,
                steps,
                W1,
                b1,
                W2,
                b2,
                Z1,
                Z2,
                D1,
                gW1,
                gW2,
                *zeros,
                *kernels.gemm_for(dtype),
            )
        )
        runs["impl " + WHOLE] = timed(
            lambda order: kernels.train_steps(*head, order, 0, steps, *tail)
        )
        fit_net = Network([rows.shape[1], 30, target_rows.shape[1]], seed=seed, dtype=dtype)
        epochs_in_fit: list[float] = []

        def whole_fit() -> float:
            # one fit call as the throughput table times it (defaults, progress to a null device)
            with open(os.devnull, "w") as null, contextlib.redirect_stderr(null):
                started = time.process_time()
                history = fit_net.fit(
                    rows.T, target_rows.T, epochs=1, batch_size=batch, learning_rate=0.5
                )
                seconds = time.process_time() - started
            epochs_in_fit.append(1e6 * history["cpu_seconds"][0] * batch / count)
            return 1e6 * seconds * batch / count

        runs["impl " + WHOLE_FIT] = whole_fit

    if with_jax:
        import jax
        import jax.numpy as jnp

        from impl.bench.peers import jax_runner

        jax_gather, jax_skeleton = _jax_functions()
        X, Y = jnp.asarray(rows), jnp.asarray(target_rows)
        shapes = ((30, rows.shape[1]), (30,), (target_rows.shape[1], 30), (target_rows.shape[1],))
        state = {"params": tuple(jnp.asarray(rng.standard_normal(s).astype(dtype)) for s in shapes)}
        scan_epoch = jax_runner(rows, target_rows, batch, 0.5, scan=True, seed=seed)

        def jax_timed(function: Callable[[Any], object]) -> Callable[[], float]:
            def run() -> float:
                started = time.process_time()
                batches = rng.permutation(count)[: steps * batch].reshape(steps, batch)
                jax.block_until_ready(function(batches))
                return 1e6 * (time.process_time() - started) / steps

            return run

        def skeleton_epoch(batches: Any) -> Any:
            state["params"] = jax_skeleton(state["params"], X, Y, batches)
            return state["params"]

        runs["jax " + GATHER] = jax_timed(lambda batches: jax_gather(X, Y, batches))
        runs["jax " + SKELETON] = jax_timed(skeleton_epoch)
        # the peer's own epoch (its rate in ex/s of CPU time over the whole data set)
        runs["jax " + WHOLE] = lambda: 1e6 * batch / scan_epoch(count)

    for run in runs.values():  # warm-up: compile, first touch
        run()
    samples: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for round_ in range(repeats):
        shift = round_ % len(names) if names else 0
        for name in names[shift:] + names[:shift]:
            samples[name].append(runs[name]())
    for name, values in samples.items():
        side, rung = name.split(" ", 1)
        getattr(parts, side)[rung] = statistics.median(values)
    if "impl " + WHOLE_FIT in samples:
        parts.whole_fit = parts.impl.pop(WHOLE_FIT)
        parts.epoch_in_fit = statistics.median(epochs_in_fit[1:])  # not the warm-up's
    return parts
