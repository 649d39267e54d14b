"""``verified-backprop check-claim KIND FORMULA``: judge a user's formula like the catalogue.

The formula is judged by :func:`derivations.user_claims.judge` (the engine, the witness and
the counterexample search that judge the source documents).  Exit 0 for proven (or proven
under an assumption), 1 for refuted, 2 for bad input (unknown kind, option, name, or a
formula that does not parse) — one line on standard error — and 3 when the engine cannot
decide.
"""

from __future__ import annotations

import argparse
import sys

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


def _option(args: argparse.Namespace) -> str:
    options = options_of(args.kind)
    wanted = "--activation" if args.kind == "activation-derivative" else "--output"
    given = args.activation if wanted == "--activation" else args.output
    if given is None:
        raise FormulaError(f"{args.kind} needs {wanted} (one of {', '.join(options)})")
    return given


def run(args: argparse.Namespace) -> int:
    try:
        check_json_destination(args.json)  # before any work: the path and why it cannot be used
    except ValueError as error:
        print(f"check-claim: {error}", file=sys.stderr)
        return 2
    try:
        result = judge(args.kind, _option(args), args.formula)
    except FormulaError as error:
        print(f"check-claim: {error}", file=sys.stderr)
        return 2
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
    for entry in result.mistakes:
        lines.append(f"  known mistake {entry.id}: {entry.explanation}")
    lines.append(f"  proof of the right formula: {result.proof_link}")
    print("\n".join(lines), file=sys.stderr if args.json == "-" else sys.stdout)
    data: dict[str, object] = {
        "kind": result.kind,
        "option": result.option,
        "formula": result.formula,
        "verdict": result.verdict.value,
        "detail": assessment.detail,
        "mistakes": [entry.id for entry in result.mistakes],
        "proof": result.proof_link,
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
