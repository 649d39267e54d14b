"""The verification report: run every proof and every seed verdict, print a table.

This is ``verified-backprop verify`` and ``python -m derivations``: its options
(:func:`add_arguments`) and its run (:func:`run`) live here, on the symbolic side, so that
``python -m derivations`` needs nothing from :mod:`impl`; :mod:`impl.commands.verify` only
plugs them into the ``verified-backprop`` parser.

Exit status 0 only if every claim of the suite is proven and every seed claim receives the
verdict the catalogue expects.  ``--json PATH`` writes the same rows as JSON.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from derivations.catalog import UnknownClaimError, all_claims, get_claim
from derivations.engine import PROVEN_RESTS_ON, Claim, ClaimResult, verify
from derivations.sources.catalogue import beyond_seeds, statements
from derivations.sources.census import report_census
from derivations.verdicts import Assessment, CheckedStatement, Verdict, assess


def claim_verdict(result: ClaimResult) -> Verdict:
    """Proven (no hypothesis), proven under assumption (stated hypotheses), or undecided."""
    if not result.proven:
        return Verdict.UNDECIDED
    return Verdict.PROVEN_UNDER_ASSUMPTION if result.claim.hypotheses else Verdict.PROVEN


def claim_row(result: ClaimResult) -> dict:
    claim = result.claim
    return {
        "claim": claim.name,
        "title": claim.title,
        "verdict": str(claim_verdict(result)),
        "assumptions": [hypothesis.text for hypothesis in claim.hypotheses],
        "premises": claim.premises,
        "sizes": claim.sizes,
        "steps": len(claim.steps),
        "domain": list(result.domain),
        "witness": result.witness,
        "seconds": round(result.seconds, 3),
        "witness_seconds": round(result.witness_seconds, 3),
        "failures": list(result.failures),
    }


def seed_row(assessment: Assessment) -> dict:
    statement = assessment.statement
    return {
        "claim": statement.key,
        "source": f"{statement.source} § {statement.section}",
        "wording": statement.wording,
        "verdict": str(assessment.verdict),
        "expected": str(statement.expected),
        "as_expected": assessment.as_expected,
        "detail": assessment.detail,
        "proof": statement.proof,
        "seconds": round(assessment.seconds, 3),
    }


def _format_row(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))


DESCRIPTION = (
    "Run every SymPy proof of the suite and compute a verdict for every claim of the seed "
    "documents."
)
#: what "proven" rests on, shown by --help
EPILOG = PROVEN_RESTS_ON


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``verified-backprop verify`` (``--json``, ``--claim``, ``--list``)."""
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
        help="verify only this claim (repeatable); skips the seed catalogue",
    )
    parser.add_argument("--list", action="store_true", help="list the claim names and exit")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m derivations``: the same as ``verified-backprop verify``."""
    parser = argparse.ArgumentParser(
        prog="verified-backprop verify", description=DESCRIPTION, epilog=EPILOG
    )
    add_arguments(parser)
    return parser


def _cited_by() -> dict[str, list[str]]:
    """claim name -> the seeds whose claims it proves or refutes (``000``, ``001``)."""
    cited: dict[str, list[str]] = {}
    for statement in statements():
        for name in statement.proof.split(", "):
            seed = statement.source.split("_")[0]
            if seed not in cited.setdefault(name, []):
                cited[name].append(seed)
    return cited


def _premise_marks(claim: Claim, premises: dict[str, int]) -> str:
    """`` [P1]`` for a claim resting on premise 1 (numbered in order of first use)."""
    marks = [f"P{premises.setdefault(text, len(premises) + 1)}" for text in claim.premises]
    return f" [{', '.join(dict.fromkeys(marks))}]" if marks else ""


def _report_claims(
    claims: Sequence[Claim], say: Callable[..., None], premises: dict[str, int]
) -> list[dict]:
    cited = _cited_by()
    rows = []
    say(f"Proofs ({len(claims)} claims; every derivative computed by SymPy)")
    widths = (32, 12, 24, 36, 7)
    say(_format_row(("claim", "source", "verdict", "sizes", "time"), widths))
    for claim in claims:
        result = verify(claim)
        row = claim_row(result)
        rows.append(row)
        sizes = claim.sizes + _premise_marks(claim, premises)
        source = "seed " + ", ".join(cited[claim.name]) if claim.name in cited else "suite"
        row["source"] = source
        cells = (claim.name, source, row["verdict"], sizes, f"{result.seconds:5.2f}s")
        say(_format_row(cells, widths))
        for failure in result.failures:
            say(f"    FAILED: {failure}")
    for text, number in premises.items():
        say(f"  [P{number}] {text}")
    proofs = sum(row["seconds"] for row in rows)
    witnessed = sum(row["witness_seconds"] for row in rows)
    say(
        f"  The independent witness took {witnessed:.1f} s of the {proofs:.1f} s of proofs "
        "(explicit expressions at sizes 1..3 and one larger size, 60-digit points)."
    )
    return rows


def _report_statements(
    heading: str,
    group: Sequence[CheckedStatement],
    say: Callable[..., None],
    premises: dict[str, int],
) -> list[dict]:
    rows = []
    say(f"\n{heading} ({len(group)}; verdicts computed, not typed in)")
    sources = [f"{s.source.split('_')[0]} § {s.section}" for s in group]
    widths = (26, max(map(len, sources)), 24, 36, 7)
    say(_format_row(("claim", "source", "verdict", "sizes", "time"), widths))
    for statement, source in zip(group, sources, strict=True):
        assessment = assess(statement)
        row = seed_row(assessment)
        rows.append(row)
        proof = all_claims()[statement.proof.split(", ")[0]]
        sizes = proof.sizes + _premise_marks(proof, premises)
        row["sizes"] = sizes
        cells = (statement.key, source, row["verdict"], sizes, f"{assessment.seconds:5.2f}s")
        say(_format_row(cells, widths))
        if not assessment.as_expected:
            say(f"    UNEXPECTED: expected {statement.expected}: {assessment.detail}")
        elif assessment.verdict != Verdict.PROVEN:
            say(f"    {assessment.detail}")
    return rows


def main(argv: list[str] | None = None) -> int:
    """``python -m derivations [options]``; returns the exit status."""
    return run(build_parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Run the verification with the options of :func:`add_arguments`; returns the exit status."""
    if args.list:
        for name, claim in all_claims().items():
            print(f"{name:<32} {claim.title}")
        return 0
    try:
        names = args.claim or list(all_claims())
        claims = [get_claim(name) for name in names]
    except UnknownClaimError as error:
        print(f"verified-backprop verify: {error}", file=sys.stderr)
        return 2

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

    started = time.perf_counter()
    # with "--json -" the table goes to stderr so that stdout is pure JSON
    to_stdout = args.json is not None and str(args.json) == "-"
    say = functools.partial(print, file=sys.stderr if to_stdout else sys.stdout, flush=True)

    premises: dict[str, int] = {}  # premise text -> its number, in order of first use
    claim_rows = _report_claims(claims, say, premises)
    seed_rows: list[dict] = []
    census_rows: list[dict] = []
    if not args.claim:
        seed_rows += _report_statements("Seed claims", statements(), say, premises)
        seed_rows += _report_statements(
            "Counterexamples beyond the seeds", beyond_seeds(), say, premises
        )
        census_rows = report_census(say, claim_rows, seed_rows)

    elapsed = time.perf_counter() - started
    unproven = [row["claim"] for row in claim_rows if row["failures"]]
    unexpected = [row["claim"] for row in seed_rows if not row["as_expected"]]
    unexpected_census = [row["entry"] for row in census_rows if not row["as_expected"]]
    ok = not unproven and not unexpected and not unexpected_census
    census = (
        f", {len(census_rows) - len(unexpected_census)}/{len(census_rows)} census verdicts as "
        "expected"
        if census_rows
        else ""
    )
    say(
        f"\n{len(claim_rows) - len(unproven)}/{len(claim_rows)} claims proven, "
        f"{len(seed_rows) - len(unexpected)}/{len(seed_rows)} seed verdicts as expected"
        f"{census}, in {elapsed:.1f} s. {'OK' if ok else 'FAILED'}"
    )

    if args.json is not None:
        report = {
            "ok": ok,
            "seconds": round(elapsed, 3),
            "claims": claim_rows,
            "seed_claims": seed_rows,
            "census": census_rows,
        }
        text = json.dumps(report, indent=2, ensure_ascii=False)
        if to_stdout:
            print(text)
        else:
            try:
                args.json.write_text(text + "\n", encoding="utf-8")
            except OSError as error:
                print(
                    f"verified-backprop verify: cannot write {args.json}: {error}", file=sys.stderr
                )
                return 1
    return 0 if ok else 1
