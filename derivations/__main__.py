"""``python -m derivations``: the ``verify`` command's options, read and checked, then the report.

The options (:func:`add_arguments`) and their handling (:func:`run`) are this command's own;
``verified-backprop verify`` (:mod:`impl.commands.verify`) plugs the very same ones into its
parser, so that ``python -m derivations`` needs nothing from :mod:`impl`.  The work is the
report's (:func:`derivations.report.verify_and_print`), which asks the runner
(:mod:`derivations.verification`) for the results and prints them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from derivations import report
from derivations.claims import UnknownClaimError
from derivations.host import interrupted, reader_gone, usable_cores
from derivations.kernel import sympy_speedup
from derivations.kernel.engine import PROVEN_RESTS_ON

DESCRIPTION = (
    "Run every SymPy proof of the project and compute a verdict for every claim of the two "
    "source documents, “Deriving Backpropagation with Cross-Entropy Loss” and “Neural "
    "Networks: Core Concepts and Backpropagation Derivations”, then for every other statement "
    "of both documents (the census: prose, tables and code, each with a verdict of its kind)."
)
#: what "proven" rests on, shown by --help
EPILOG = PROVEN_RESTS_ON


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``verified-backprop verify`` (``--json``, ``--claim``, ``--jobs``,
    ``--list``)."""
    parser.add_argument(
        "--json",
        metavar="PATH",
        type=Path,
        help="also write the results as JSON to PATH ('-' for stdout)",
    )
    parser.add_argument(
        "--claim",
        action="append",
        default=[],
        metavar="NAME",
        help="verify only this claim (repeatable): a proof's name, a source claim's name or "
        "a census entry's name (as --list and the verdict tables print them)",
    )
    parser.add_argument(
        "--jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="verify the proofs in N processes (default: one per usable core); the results "
        "are the same, only the wall time changes",
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="list every name --claim accepts: the proofs, the source documents' claims and "
        "the census entries",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number of processes, not {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m derivations``: the same as ``verified-backprop verify``."""
    parser = argparse.ArgumentParser(
        prog="python -m derivations", description=DESCRIPTION, epilog=EPILOG
    )
    add_arguments(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the verification with the options of :func:`add_arguments`; returns the exit
    status: 0 if every verdict is the one expected, 1 if not (or the JSON could not be
    written), 2 for an unknown name or a JSON path that cannot be written."""
    if args.list:
        report.print_list()
        return 0
    if args.json is not None and str(args.json) != "-":
        folder = args.json.resolve().parent
        if not folder.is_dir() or not os.access(folder, os.W_OK) or args.json.is_dir():
            print(
                f"verified-backprop verify: cannot write the JSON report to {args.json}: "
                f"{folder} is not a writable folder"
                if not args.json.is_dir()
                else f"verified-backprop verify: --json {args.json} is a folder, not a file",
                file=sys.stderr,
            )
            return 2
    jobs = usable_cores() if args.jobs is None else args.jobs
    try:
        ok = report.verify_and_print(args.claim, jobs, args.json)
    except UnknownClaimError as error:
        print(f"verified-backprop verify: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader of the tables went away: not the JSON's fault
        raise
    except OSError as error:
        print(f"verified-backprop verify: cannot write {args.json}: {error}", file=sys.stderr)
        return 1
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """``python -m derivations [options]``; returns the exit status."""
    sympy_speedup.install_unless_disabled()
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    try:
        status = main(sys.argv[1:])
        sys.stdout.flush()  # here, so that a reader gone at the last write is caught too
    except BrokenPipeError:  # the reader went away (``python -m derivations --list | head``)
        status = reader_gone()
    except KeyboardInterrupt:  # Ctrl-C: one line, no traceback, the shell's status 130
        status = interrupted("python -m derivations")
    sys.exit(status)
