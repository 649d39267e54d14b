"""``verified-backprop bench``: training throughput, hardware limit, gradient checks, symbolic side.

Runs, in one process and side by side (interleaved repeats, medians with min-max ranges):

1. training throughput of ``Network([784, 30, 10])`` (the whole ``fit`` call as a user makes it,
   and the epoch inside it) against the sources' per-example loop, PyTorch (plain tensors;
   ``nn.Sequential`` + autograd + ``optim.SGD``) and JAX (a jit step; jit + ``lax.scan`` over
   the epoch) on the CPU, float64 and float32, mini-batches 10, 128 and 1024, in CPU time
   (:mod:`impl.bench.training`, :mod:`impl.bench.peers`), and one table of ratios against the
   best peer;
2. the hardware limit: GFLOP/s of the step's matrix products, FLOPs per example, the
   compute-bound ceiling in examples/s and everyone's share of it, and where impl's step
   spends its time;
3. the cost of checking every parameter's gradient (:mod:`impl.bench.gradcheck`);
4. the time of every proof and lambdified vs hand-written output deltas
   (:mod:`impl.bench.symbolic`);

then writes the tables, the targets' verdicts and the machine description to
``docs/benchmarks.md`` (``--out``).  A ``--quick`` run is rougher: it writes a report only
when ``--out`` names a file, so it never replaces the committed full report unless asked.

What it prints explains itself: each target is a speed the project aims for on this machine,
"met" or "MISSED" with the measured figure and the shortfall.  A missed target is a finding,
not an error: the exit status is 0 unless ``--strict`` is given (then 1 when one is missed).

PyTorch and JAX are optional (``pip install -e ".[bench]"``): without them their rows say
"not installed". Run it pinned to one idle core for reproducible figures, e.g.
``taskset -c 1 verified-backprop bench``.

BLAS environment: ``OPENBLAS_CORETYPE`` / ``OPENBLAS_L2_SIZE`` force a slower OpenBLAS kernel
on this NumPy. OpenBLAS reads them when it is loaded, so when either is set the command
re-runs itself in a subprocess without them (``--keep-blas-env`` measures as is) and says so
in the report, with the kernel that actually ran (from threadpoolctl).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from derivations.host import usable_cores
from impl import kernels
from impl.atomic import write_text_atomically
from impl.bench.gradcheck import GradcheckSettings, gradcheck_problem, measure_gradcheck
from impl.bench.peers import jax_available, prepare_jax, torch_available
from impl.bench.report import (
    BenchResults,
    Target,
    ceiling_targets,
    gradcheck_targets,
    lambdify_targets,
    render,
    training_targets,
)
from impl.bench.symbolic import time_deltas, time_proofs
from impl.bench.training import (
    IMPL,
    JAX_CONTENDERS,
    KERNEL_CACHE_STATE,
    KERNEL_COMPILE_SECONDS,
    LEARNING_RATE,
    SIZES,
    TORCH_CONTENDERS,
    Breakdown,
    copy_bandwidth,
    fresh_process_fits,
    measure_hardware_limit,
    measure_throughput,
    mnist_like,
    peak_gflops,
    step_breakdown,
)
from impl.validation import check_output_file

DEFAULT_OUT = Path("docs/benchmarks.md")
BLAS_ENVIRONMENT = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
#: set in the re-run subprocess: JSON of the variables removed from its environment
CHILD_MARKER = "VERIFIED_BACKPROP_BENCH_REMOVED_ENV"
PROFILE_EPOCHS = 3


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
    breakdown_budget: float  # seconds for the step breakdown at one batch size
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
        breakdown_budget=1.5,
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
        breakdown_budget=0.4,
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
        breakdown_budget=0.05,
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


# --------------------------------------------------------------------------- machine


def cpu_model() -> str:
    """The CPU's ``model name`` from /proc/cpuinfo (platform.processor() elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _kernels_text() -> str:
    """Which path impl's fit took: the compiled kernels (with their compile time) or NumPy."""
    if not kernels.AVAILABLE:
        return "numba not installed: NumPy only (pip install '.[fast]' for the kernels)"
    if kernels.mode() != "auto":
        return f"mode {kernels.mode()!r} chosen"
    ready = ", ".join(
        f"{name} {KERNEL_CACHE_STATE.get(name, '?')}: {seconds:.2f} s"
        for name, seconds in KERNEL_COMPILE_SECONDS.items()
    )
    return (
        f"numba {kernels.numba.__version__}; disk cache {kernels.CACHE_FOLDER or 'off'}; made "
        f"ready before timing ({ready or 'not needed'}; cold: compiled and written to the "
        "cache, warm: loaded from it), as JAX's jit compiles in its warm-up; fit (mode auto) "
        "runs steps of at most "
        f"{kernels.AUTO_MAX_ACTIVATIONS} activations (m ≤ {kernels.largest_small_batch(SIZES)} "
        "here) in the compiled loop (impl.kernels.train_steps), larger ones on NumPy"
    )


def _cache_state() -> str:
    """The disk cache's state as the timed fits met it: warm, or cold (compiled by the bench)."""
    if not kernels.AVAILABLE or kernels.CACHE_FOLDER is None:
        return "off"
    states = set(KERNEL_CACHE_STATE.values())
    if not states:
        return "not used"
    return "warm" if states == {"warm"} else "warm (written by this run's warm-up; was cold)"


def blas_description() -> str:
    """NumPy's BLAS as threadpoolctl sees it: library, version, kernel, threading."""
    numpy_dir = Path(np.__file__).parent.parent
    entries = [e for e in threadpool_info() if e.get("user_api") == "blas"]
    own = [e for e in entries if Path(e.get("filepath", "")).is_relative_to(numpy_dir)]
    descriptions = []
    for entry in own or entries[:1]:
        descriptions.append(
            f"{entry.get('internal_api')} {entry.get('version')}, kernel "
            f"{entry.get('architecture', '?')}, {entry.get('threading_layer', '?')} threading "
            f"({Path(entry.get('filepath', '')).name})"
        )
    return "; ".join(descriptions) or "unknown (threadpoolctl found no BLAS)"


def torch_description(threads: int) -> str:
    """PyTorch's version, BLAS and CPU capability (or 'not installed')."""
    if not torch_available():
        return 'not installed (pip install -e ".[bench]")'
    import torch

    blas = "MKL" if torch.backends.mkl.is_available() else "its bundled BLAS"
    capability = torch.backends.cpu.get_cpu_capability()
    return (
        f"{torch.__version__}, {blas} (CPU capability {capability}), "
        f"torch.set_num_threads({threads})"
    )


def load_average() -> str:
    """The 1/5/15-minute load averages."""
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:  # pragma: no cover
        return "unknown"


# --------------------------------------------------------------------------- profiles


def profile_text(function: Callable[[], object], lines: int = 45) -> str:
    """A profile of one call: pyinstrument if installed, otherwise cProfile (top entries)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(function)
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(20)
        text = "cProfile (pyinstrument is not installed), sorted by own time\n" + stream.getvalue()
    else:
        profiler = Profiler(interval=0.0002)
        profiler.start()
        function()
        profiler.stop()
        session = profiler.last_session
        header = f"pyinstrument, {session.sample_count} samples, {session.duration:.3f} s"
        body = profiler.output_text(unicode=False, color=False).splitlines()
        start = next((i for i, line in enumerate(body) if line[:1].isdigit()), 0)
        text = "\n".join([header, *body[start:]])
    text = text.replace(f"{Path.cwd()}{os.sep}", "")  # paths relative to the working directory
    kept = [line for line in text.splitlines() if line.strip()]
    if len(kept) > lines:
        kept = [*kept[:lines], f"... ({len(kept) - lines} more lines)"]
    return "\n".join(kept)


def _profiles(
    targets: Sequence[Target], data: dict[str, Any], threads: int
) -> list[tuple[str, str]]:
    """Profiles of the code paths behind the missed targets (each path once)."""
    from impl.network import Network

    profiles, seen = [], set()
    for target in targets:
        if target.met is not False or not target.profile_key or target.profile_key in seen:
            continue
        seen.add(target.profile_key)
        kind = target.profile_key[0]
        if kind == "training":
            _, dtype, batch = target.profile_key
            training = data[dtype]
            net = Network([784, 30, 10], seed=0, dtype=training.rows.dtype)

            def epoch(net: Network = net, training: Any = training, batch: int = batch) -> None:
                net.fit(
                    training.rows.T,
                    training.target_rows.T,
                    epochs=PROFILE_EPOCHS,
                    batch_size=batch,
                    learning_rate=LEARNING_RATE,
                    progress=False,
                    blas_threads=threads,
                )

            epoch()  # warm-up
            title = f"impl, Network.fit for {PROFILE_EPOCHS} epochs, {dtype}, mini-batch {batch}"
            profiles.append((title, profile_text(epoch)))
        elif kind == "gradcheck":
            from impl.gradcheck import check_gradients

            problem = gradcheck_problem()
            title = "impl, check_gradients (central differences) of 784-30-10"
            profiles.append(
                (title, profile_text(lambda problem=problem: check_gradients(*problem)))
            )
    return profiles


# --------------------------------------------------------------------------- the run


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
) -> BenchResults:
    """Run every section with ``config`` and return the results (nothing is written)."""
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

        progress("where impl's step spends its time")
        breakdowns: list[Breakdown] = []
        for dtype in config.dtypes:
            for batch in config.batch_sizes:
                breakdown = step_breakdown(data[dtype], batch, config.breakdown_budget)
                result = next(r for r in throughput if r.batch == batch and r.dtype == dtype)
                breakdown.fit_total = 1e6 * batch / result.median(IMPL)
                breakdowns.append(breakdown)

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
        profiles = _profiles(targets, data, threads)

    if removed_environment:
        removed = ", ".join(f"{k}={v}" for k, v in removed_environment.items())
        plural = len(removed_environment) > 1
        environment = (
            f"{removed} {'were' if plural else 'was'} set; the benchmark re-ran itself in a "
            f"subprocess without {'them' if plural else 'it'} (they force a slower OpenBLAS "
            "kernel); tests and CI are unaffected"
        )
    else:
        environment = "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE not set: OpenBLAS chose its kernel"
        present = [name for name in BLAS_ENVIRONMENT if name in os.environ]
        if present:
            environment = f"{', '.join(present)} set and KEPT (--keep-blas-env or --tiny)"
    machine = [
        ("date", date),
        ("command", f"`{command}`"),
        ("mode", config.mode),
        ("CPU", f"{cpu_model()}, {os.cpu_count()} logical CPUs ({usable_cores()} usable)"),
        ("load average (1/5/15 min)", f"{load_before} at the start, {load_average()} at the end"),
        ("Python", platform.python_version()),
        ("NumPy", f"{np.__version__}; BLAS: {blas_description()}"),
        ("PyTorch", torch_description(threads) if use_torch else missing),
        ("JAX", jax_text if with_jax else missing_jax),
        (
            "threads",
            f"{threads} (NumPy's BLAS via threadpoolctl, PyTorch via set_num_threads, XLA via "
            "XLA_FLAGS); impl's whole fit uses fit's default, one BLAS thread",
        ),
        ("impl kernels", _kernels_text()),
        ("timer", "CPU time of the process (time.process_time) for training rates"),
        ("BLAS environment", environment),
    ]
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
        + f"; the kernels' disk cache was {_cache_state()} when it ran (the first fit loads "
        "them from it, which starts numba's compiler context in that process)."
    )
    results.wall_seconds = time.perf_counter() - started
    progress("done")
    return results


# --------------------------------------------------------------------------- command line


HELP = "benchmark training, gradient checking and lambdify"
DESCRIPTION = (
    "Benchmark impl's training against the per-example loop and PyTorch, measure the "
    "hardware limit, time gradient checks, proofs and lambdified deltas, and write "
    "the tables to a Markdown file."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``verified-backprop bench``."""
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer repeats, float64 only, smaller data (under 2 minutes)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"Markdown file to write (default {DEFAULT_OUT} for a full run; a --quick run "
        "writes a file only when --out is given)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 when a target is missed (default: report it, exit 0)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS / PyTorch threads for every contender (default %(default)s)",
    )
    parser.add_argument(
        "--no-torch", action="store_true", help="leave PyTorch out even when it is installed"
    )
    parser.add_argument(
        "--no-jax", action="store_true", help="leave JAX out even when it is installed"
    )
    parser.add_argument(
        "--keep-blas-env",
        action="store_true",
        help="measure with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE as set (default: re-run "
        "without them)",
    )
    parser.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # tests only


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``verified-backprop bench`` on its own (the same as its sub-parser)."""
    parser = argparse.ArgumentParser(prog="verified-backprop bench", description=DESCRIPTION)
    add_arguments(parser)
    return parser


def _rerun_without_blas_environment(argv: Sequence[str]) -> int | None:
    """Re-run this command in a subprocess without the OpenBLAS variables, if any is set."""
    removed = {name: os.environ[name] for name in BLAS_ENVIRONMENT if name in os.environ}
    if not removed or CHILD_MARKER in os.environ:
        return None
    environment = {k: v for k, v in os.environ.items() if k not in BLAS_ENVIRONMENT}
    environment[CHILD_MARKER] = json.dumps(removed)
    print(
        f"bench: {', '.join(removed)} set; re-running in a subprocess without "
        f"{'it' if len(removed) == 1 else 'them'} (--keep-blas-env to measure as is)",
        file=sys.stderr,
    )
    command = [sys.executable, "-m", "impl.commands", "bench", *argv]
    return subprocess.run(command, env=environment, check=False).returncode


def main(argv: list[str]) -> int:
    """``verified-backprop bench [--quick] [--out FILE] [--threads N] [--no-torch]``."""
    args = build_parser().parse_args(argv)
    args.argv = list(argv)
    return run(args)


def run(args: argparse.Namespace) -> int:
    """Benchmark with the options of :func:`add_arguments`; returns the exit status.

    ``args.argv`` holds the command's arguments as typed: the report quotes them and the
    re-run without the OpenBLAS variables passes them on.
    """
    argv = args.argv
    if args.threads < 1:
        print("bench: --threads must be at least 1", file=sys.stderr)
        return 2
    if args.out is None and not args.quick:
        args.out = DEFAULT_OUT
    try:  # before minutes of measuring, not after
        if args.out is not None:
            check_output_file("--out", args.out)
    except ValueError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    if not (args.tiny or args.keep_blas_env):
        code = _rerun_without_blas_environment(argv)
        if code is not None:
            return code
    removed = json.loads(os.environ.get(CHILD_MARKER, "{}"))
    config = PRESETS["tiny" if args.tiny else "quick" if args.quick else "full"]
    if args.tiny and args.quick:
        config = replace(config, mode=config.mode + ", --quick ignored")
    command = shlex.join(["verified-backprop", "bench", *argv])
    results = run_benchmarks(
        config,
        threads=args.threads,
        use_torch=not args.no_torch,
        command=command,
        removed_environment=removed,
        quiet=args.tiny,
        use_jax=not args.no_jax,
    )
    if args.out is not None:
        try:
            write_text_atomically(args.out, render(results))
        except OSError as error:
            print(f"bench: cannot write {str(args.out)!r}: {error}", file=sys.stderr)
            return 1
        print(f"wrote {args.out} ({results.wall_seconds:.0f} s)")
    else:
        print(
            f"quick run done in {results.wall_seconds:.0f} s; no report written (the committed "
            f"{DEFAULT_OUT} is a full run; add --out FILE to keep this one)"
        )
    print(summary(results.targets, config.mode))
    missed = [target for target in results.targets if target.met is False]
    return 1 if missed and args.strict else 0


def summary(targets: Sequence[Target], mode: str) -> str:
    """The targets as a reader needs them: what each figure is, met or missed, by how much."""
    met = sum(target.met is True for target in targets)
    missed = sum(target.met is False for target in targets)
    lines = [
        f"\nSpeed targets ({mode} run): {met} met, {missed} missed, "
        f"{len(targets) - met - missed} not evaluated.",
        "Each target is a speed the project aims for; the figure after it is what this "
        "machine measured (a median, with the range over interleaved rounds). 'MISSED' means "
        "slower than the aim here, by the shortfall given; it is a measurement, not an error"
        + (
            ", and a quick run's figures are rougher than a full run's." if mode == "quick" else "."
        ),
    ]
    for target in targets:
        shortfall = f" ({target.shortfall})" if target.shortfall else ""
        lines.append(f"  {target.verdict:>13}  {target.description}")
        lines.append(f"  {'':>13}  measured: {target.measured}{shortfall}")
    return "\n".join(lines)
