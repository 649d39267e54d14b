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
``docs/benchmarks.md`` (``--out``). The measuring is the library's (:mod:`impl.bench.runner`,
the Markdown :mod:`impl.bench.report`); this module reads the options, checks ``--out`` before
minutes of measuring, and writes and prints the results. A ``--quick`` run is rougher: it
writes a report only when ``--out`` names a file, so it never replaces the committed full
report unless asked.

What it prints explains itself: each target is a speed the project aims for on this machine,
"met" or "MISSED" with the measured figure and the shortfall.  A missed target is a finding,
not an error: the exit status is 0 unless ``--strict`` is given (then 1 when one is missed).

PyTorch and JAX are optional (``pip install -e ".[bench]"``): without them their rows say
"not installed". Run it pinned to one idle core for reproducible figures, e.g.
``taskset -c 1 verified-backprop bench``.

BLAS environment: when ``OPENBLAS_CORETYPE`` or ``OPENBLAS_L2_SIZE`` is set the command re-runs
itself in a subprocess without them (:mod:`impl.bench.blas_environment`; ``--keep-blas-env``
measures as is) and says so in the report.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import replace
from pathlib import Path

from derivations.host import usable_cores
from impl.atomic import write_text_atomically
from impl.bench.blas_environment import (
    CHILD_MARKER,
    removed_blas_environment,
    rerun_without_blas_environment,
)
from impl.bench.report import render
from impl.bench.runner import PRESETS, run_benchmarks
from impl.bench.targets import summary
from impl.validation import check_output_file

__all__ = ["CHILD_MARKER", "add_arguments", "build_parser", "main", "run"]

DEFAULT_OUT = Path("docs/benchmarks.md")


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
        code = rerun_without_blas_environment(["-m", "impl.commands", "bench", *argv])
        if code is not None:
            return code
    removed = removed_blas_environment()
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
        usable_cpus=usable_cores(),
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
