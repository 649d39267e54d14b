"""One benchmark run: the presets of its size, every section measured in turn, the results.

:func:`run_benchmarks` runs, in one process and side by side (interleaved repeats, medians with
min-max ranges): training throughput against the per-example loop, PyTorch and JAX
(:mod:`impl.bench.training`, :mod:`impl.bench.peers`), the hardware limit, the cost of
gradient checks (:mod:`impl.bench.gradcheck`) and the symbolic side
(:mod:`impl.bench.symbolic`); then judges the targets (:mod:`impl.bench.targets`), profiles the
missed ones (:mod:`impl.bench.profiling`) and describes the machine
(:mod:`impl.bench.machine`). It writes nothing: :func:`impl.bench.report.render` turns the
results into Markdown.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from threadpoolctl import threadpool_limits

from impl.bench.blas_environment import blas_environment_text
from impl.bench.gradcheck import GradcheckSettings, measure_gradcheck
from impl.bench.machine import cache_state, load_average, machine_rows, torch_description
from impl.bench.peers import jax_available, prepare_jax, torch_available
from impl.bench.profiling import profiles_of_missed_targets
from impl.bench.results import BenchResults
from impl.bench.step_parts import StepParts, measure_step_parts
from impl.bench.symbolic import time_deltas, time_proofs
from impl.bench.targets import (
    ceiling_targets,
    gradcheck_targets,
    lambdify_targets,
    training_targets,
)
from impl.bench.training import (
    JAX_CONTENDERS,
    TORCH_CONTENDERS,
    copy_bandwidth,
    fresh_process_fits,
    measure_hardware_limit,
    measure_throughput,
    mnist_like,
    numba_start_seconds,
    peak_gflops,
)


@dataclass(frozen=True)
class BenchConfig:
    """How much work one run does (see :data:`PRESETS`)."""

    mode: str
    batch_sizes: tuple[int, ...]
    dtypes: tuple[str, ...]
    examples: int  # synthetic training examples; one timed run = one epoch over them
    loop_examples: int  # the per-example loop trains on this many of them
    repeats: int  # interleaved timed rounds per comparison
    product_budget: float  # seconds to time one matrix product (all layouts, one library)
    peak_size: int  # side of the square reference product
    gradcheck: GradcheckSettings
    delta_shape: tuple[int, int]
    delta_repeats: int
    delta_calls: int
    claims: int | None  # verify only the first n claims (None: all)
    copy_megabytes: int = 256  # size of the array copied to measure the memory bandwidth


PRESETS: dict[str, BenchConfig] = {
    "full": BenchConfig(
        mode="full",
        batch_sizes=(10, 128, 1024),
        dtypes=("float64", "float32"),
        examples=20_000,
        loop_examples=3_000,
        repeats=9,
        product_budget=0.4,
        peak_size=1024,
        gradcheck=GradcheckSettings(
            repeats=5, naive_parameters=2_000, torch_budget=120.0, torch_subset=2_000
        ),
        delta_shape=(10, 10_000),
        delta_repeats=9,
        delta_calls=20,
        claims=None,
    ),
    "quick": BenchConfig(
        mode="quick",
        batch_sizes=(10, 128, 1024),
        dtypes=("float64",),
        examples=16_384,
        loop_examples=1_500,
        repeats=5,
        product_budget=0.1,
        peak_size=512,
        gradcheck=GradcheckSettings(
            repeats=2, naive_parameters=500, torch_budget=15.0, torch_subset=1_000
        ),
        delta_shape=(10, 10_000),
        delta_repeats=3,
        delta_calls=10,
        claims=None,
        copy_megabytes=128,
    ),
    "tiny": BenchConfig(
        mode="tiny (a smoke test of the command; the figures mean nothing)",
        batch_sizes=(10,),
        dtypes=("float64",),
        examples=300,
        loop_examples=40,
        repeats=1,
        product_budget=0.01,
        peak_size=64,
        gradcheck=GradcheckSettings(
            repeats=1, naive_parameters=10, torch_budget=0.0, torch_subset=20
        ),
        delta_shape=(10, 100),
        delta_repeats=1,
        delta_calls=2,
        claims=2,
        copy_megabytes=8,
    ),
}


def _progress(message: str, started: float) -> None:
    print(f"[bench {time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)


def run_benchmarks(
    config: BenchConfig,
    threads: int = 1,
    use_torch: bool = True,
    command: str = "verified-backprop bench",
    removed_environment: dict[str, str] | None = None,
    quiet: bool = False,
    use_jax: bool = True,
    usable_cpus: int | None = None,
) -> BenchResults:
    """Run every section with ``config`` and return the results (nothing is written).

    ``command`` is quoted in the report; ``removed_environment`` are the OpenBLAS variables a
    re-run left out (:mod:`impl.bench.blas_environment`); ``usable_cpus`` is the count of
    CPUs this process may use, as the caller counts them (default: ``os.cpu_count()``).
    """
    if usable_cpus is None:
        usable_cpus = os.cpu_count() or 1
    started = time.perf_counter()
    progress = (lambda _message: None) if quiet else (lambda m: _progress(m, started))
    with_torch = use_torch and torch_available()
    with_jax = use_jax and jax_available()
    missing = "not installed" if use_torch else "not used (--no-torch)"
    missing_jax = "not installed" if use_jax else "not used (--no-jax)"
    peers = {name: "" if with_torch else missing for name in TORCH_CONTENDERS}
    peers |= {name: "" if with_jax else missing_jax for name in JAX_CONTENDERS}
    if with_torch:
        import torch

        torch.set_num_threads(threads)
    jax_text = prepare_jax(threads) if with_jax else missing_jax
    load_before = load_average()
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")

    with threadpool_limits(limits=threads):
        progress("generating the synthetic data")
        base = mnist_like(config.examples, seed=0)
        data = {
            dtype: base if dtype == "float64" else base.astype(dtype) for dtype in config.dtypes
        }

        throughput = []
        for dtype in config.dtypes:
            for batch in config.batch_sizes:
                progress(f"training throughput, {dtype}, mini-batch {batch}")
                throughput.append(
                    measure_throughput(
                        data[dtype], batch, config.repeats, config.loop_examples, peers
                    )
                )

        progress("first and second fit in a fresh process")
        fresh = fresh_process_fits(config.examples, min(config.batch_sizes), config.dtypes)
        numba_start = numba_start_seconds()

        progress("memory bandwidth")
        copy_gbs = copy_bandwidth(config.copy_megabytes)
        limits, peaks = [], {}
        for dtype in config.dtypes:
            progress(f"hardware limit, {dtype}")
            peaks[dtype] = peak_gflops(np.dtype(dtype), config.peak_size, with_torch)
            for batch in config.batch_sizes:
                limits.append(
                    measure_hardware_limit(
                        np.dtype(dtype), batch, config.product_budget, with_torch
                    )
                )

        progress("where a step's CPU time goes, impl beside JAX")
        breakdowns: list[StepParts] = []
        for dtype in config.dtypes:
            for batch in config.batch_sizes:
                data_set = data[dtype]
                parts = measure_step_parts(
                    data_set.rows, data_set.target_rows, batch, config.repeats, with_jax
                )
                result = next(r for r in throughput if r.batch == batch and r.dtype == dtype)
                parts.fit_on_loop = result.on_kernels
                breakdowns.append(parts)

        progress("gradient checking")
        gradcheck = measure_gradcheck(config.gradcheck, with_torch, missing)

        progress("proofs")
        proofs = time_proofs(config.claims)
        progress("lambdified output deltas")
        deltas = time_deltas(config.delta_shape, config.delta_repeats, config.delta_calls)

        targets = [
            *training_targets(throughput),
            *ceiling_targets(throughput, limits),
            *gradcheck_targets(gradcheck),
            *lambdify_targets(deltas),
        ]
        progress("profiles of missed targets")
        profiles = profiles_of_missed_targets(targets, data, threads)

    machine = machine_rows(
        date=date,
        command=command,
        mode=config.mode,
        usable_cpus=usable_cpus,
        load_before=load_before,
        threads=threads,
        torch_text=torch_description(threads, torch_available()) if use_torch else missing,
        jax_text=jax_text if with_jax else missing_jax,
        blas_environment=blas_environment_text(removed_environment),
    )
    settings = [
        ("mini-batch sizes", ", ".join(map(str, config.batch_sizes))),
        ("dtypes", ", ".join(config.dtypes)),
        ("training examples per timed run", f"{config.examples:,}"),
        ("per-example loop examples per timed run", f"{config.loop_examples:,}"),
        ("interleaved repeats", str(config.repeats)),
        ("gradient-check repeats", str(config.gradcheck.repeats)),
    ]
    results = BenchResults(
        mode=config.mode,
        command=command,
        date=date,
        machine=machine,
        settings=settings,
        throughput=throughput,
        limits=limits,
        peaks=peaks,
        breakdowns=breakdowns,
        gradcheck=gradcheck,
        proofs=proofs,
        deltas=deltas,
        delta_shape=config.delta_shape,
        copy_gbs=copy_gbs,
        targets=targets,
        profiles=profiles,
    )
    batch = min(config.batch_sizes)
    results.notes.append(
        f"First fit of a session: one fit of one epoch ({config.examples:,} examples, "
        f"mini-batch {batch}) in a fresh process, then the same again: "
        + ", ".join(
            f"{name} {fresh[name][0]:.3f} s then {fresh[name][1]:.3f} s CPU "
            f"({config.examples / fresh[name][0]:,.0f} then {config.examples / fresh[name][1]:,.0f}"
            " ex/s)"
            for name in config.dtypes
        )
        + f"; the kernels' disk cache was {cache_state()} when it ran (the first fit loads "
        "them from it, which starts numba's compiler context in that process)"
        + (
            ""
            if numba_start is None
            else f". Starting numba's typing and target contexts, which loading the first "
            f"compiled kernel of a process needs, takes {numba_start:.3f} s of CPU in a fresh "
            "process on its own: that is the first fit's extra cost, paid once per process "
            "(only compiling ahead of time, outside numba's JIT, would remove it)"
        )
        + "."
    )
    results.wall_seconds = time.perf_counter() - started
    progress("done")
    return results
