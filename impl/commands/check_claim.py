"""``verified-backprop check-claim KIND FORMULA``: judge a user's formula like the catalogue.

The formula is judged by :func:`derivations.user_claims.judge` (the engine, the witness and
the counterexample search that judge the source documents).  Exit 0 for proven (or proven
under an assumption), 1 for refuted, 2 for bad input (unknown kind, option, name, or a
formula that does not parse) — one line on standard error — and 3 when the engine cannot
decide, or when deciding takes longer than ``--time-limit`` (default 120 s; "undecided: too
expensive to decide").  Never 1 for anything but a refutation.

The formula is read as people type it: NFKC-normalised (a full-width ``ａ`` is ``a``), ``−``
and ``×`` as ``-`` and ``*``, ``^`` as ``**``; exponents are numbers of at most 100 in size
and no number may exceed about 3,900 digits, checked before SymPy evaluates anything (see
:func:`derivations.user_claims.parse_formula`).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

import sympy as sp

from derivations.kernel.verdicts import Verdict
from derivations.user_claims import KINDS, FormulaError, judge, options_of
from impl.commands.output import check_json_destination, write_json

HELP = "check your own formula for a delta or an activation derivative"
DESCRIPTION = (
    "Judge FORMULA (SymPy syntax) as the value of KIND with the engine that judges the source "
    "documents. Kinds: output-delta (dL/dz_j in a, y, z, K, sum(...); --output "
    "softmax|sigmoid|sigmoid_quadratic), batch-output-delta (dJ/dZ[j, t] with J the batch "
    "mean; also m; --output softmax|sigmoid), activation-derivative (g'(z) in z and a = g(z); "
    "--activation sigmoid|tanh|relu|softplus|leaky_relu). Exit status: 0 proven (also under "
    "an assumption), 1 refuted, 2 bad input, 3 undecided."
)
#: seconds before a formula is declared too expensive to decide
DEFAULT_TIME_LIMIT = 120.0
EXIT = {
    Verdict.PROVEN: 0,
    Verdict.PROVEN_UNDER_ASSUMPTION: 0,
    Verdict.REFUTED: 1,
    Verdict.UNDECIDED: 3,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", metavar="KIND", help=", ".join(KINDS))
    parser.add_argument("formula", metavar="FORMULA", help="e.g. 'a - y' or 'a*(1 - a)'")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--output", help="the output layer, for the delta kinds")
    choice.add_argument("--activation", help="the activation, for activation-derivative")
    parser.add_argument(
        "--json", metavar="PATH", help="also write the result as JSON (- for stdout)"
    )
    parser.add_argument(
        "--time-limit",
        type=_positive_seconds,
        default=DEFAULT_TIME_LIMIT,
        metavar="SECONDS",
        help="answer 'undecided: too expensive to decide' (exit status 3) after this many "
        "seconds (default %(default)g)",
    )


def _option(args: argparse.Namespace) -> str:
    options = options_of(args.kind)
    wanted = "--activation" if args.kind == "activation-derivative" else "--output"
    given = args.activation if wanted == "--activation" else args.output
    if given is None:
        raise FormulaError(f"{args.kind} needs {wanted} (one of {', '.join(options)})")
    return given


class TooExpensive(BaseException):
    """The time limit passed (a BaseException, so that no ``except Exception`` inside SymPy
    takes it for a failure of its own)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`TooExpensive` in this (main) thread after ``seconds`` of wall time
    (SIGALRM; no limit where there is none, or outside the main thread)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TooExpensive

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text}")
    return value


def run(args: argparse.Namespace) -> int:
    try:
        check_json_destination(args.json)  # before any work: the path and why it cannot be used
    except ValueError as error:
        print(f"check-claim: {error}", file=sys.stderr)
        return 2
    try:
        with time_limit(args.time_limit):
            result = judge(args.kind, _option(args), args.formula)
    except FormulaError as error:
        print(f"check-claim: {error}", file=sys.stderr)
        return 2
    except TooExpensive:
        print(
            f"check-claim: undecided: too expensive to decide within {args.time_limit:g} s "
            "(--time-limit sets the limit)",
            file=sys.stderr,
        )
        return 3
    except (Exception, RecursionError) as error:  # the engine failed: undecided, not refuted
        reason = " ".join(str(error).split())[:200] or "no message"
        print(
            f"check-claim: undecided: SymPy could not decide this formula "
            f"({type(error).__name__}: {reason})",
            file=sys.stderr,
        )
        return 3
    assessment = result.assessment
    lines = [f"{result.kind} ({result.option}) = {result.formula}: {result.verdict.value}"]
    if result.verdict == Verdict.PROVEN_UNDER_ASSUMPTION:
        lines.append(f"  holds when {assessment.statement.assumption.text}; without it:")
    if result.point:
        where = ", ".join(f"{key} = {value}" for key, value in result.point.items())
        lines.append(
            f"  at {where}: true value {assessment.truth_value}, "
            f"your formula {assessment.claimed_value}"
        )
    else:
        lines.append(f"  {assessment.detail}")
    truth = assessment.statement.truth
    if (
        result.kind == "activation-derivative"
        and isinstance(truth, sp.Derivative)
        and truth.variables[0].is_nonzero
    ):
        # the claim is proven where the derivative exists: say so, and what 0 is given
        lines.append(
            f"  for z ≠ 0: {result.option} has no derivative at z = 0, so the check covers "
            "z ≠ 0 only (the value the implementation uses at 0 is a convention, not a derivative)"
        )
    for entry in result.mistakes:
        lines.append(f"  known mistake {entry.id}: {entry.explanation}")
    lines.append(f"  the proof of the right formula: {result.proof_command}")
    print("\n".join(lines), file=sys.stderr if args.json == "-" else sys.stdout)
    data: dict[str, object] = {
        "kind": result.kind,
        "option": result.option,
        "formula": result.formula,
        "verdict": result.verdict.value,
        "detail": assessment.detail,
        "mistakes": [entry.id for entry in result.mistakes],
        "proof": result.proof,
        "show": result.proof_command,
    }
    if result.point:
        data["counterexample"] = {
            "point": result.point,
            "true_value": str(assessment.truth_value),
            "claimed_value": str(assessment.claimed_value),
        }
    if result.verdict == Verdict.PROVEN_UNDER_ASSUMPTION:
        data["assumption"] = assessment.statement.assumption.text
    write_json(data, args.json)
    return EXIT[result.verdict]
