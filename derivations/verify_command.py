"""``verified-backprop verify``: run every proof and every seed verdict, print a table.

Exit status 0 only if every claim of the suite is proven and every seed claim receives the
verdict the catalogue expects.  ``--json PATH`` writes the same rows as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from derivations.catalog import UnknownClaimError, all_claims, get_claim
from derivations.engine import ClaimResult, verify
from derivations.seeds import statements
from derivations.verdicts import Assessment, Verdict, assess


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
        "sizes": claim.sizes,
        "steps": len(claim.steps),
        "seconds": round(result.seconds, 3),
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


def _print_row(cells: Sequence[str], widths: Sequence[int]) -> None:
    print(
        "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)), flush=True
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verified-backprop verify",
        description="Run every SymPy proof of the suite and compute a verdict for every "
        "claim of the seed documents.",
    )
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.list:
        for name, claim in all_claims().items():
            print(f"{name:<32} {claim.title}")
        return 0
    try:
        claims = (
            [get_claim(name) for name in args.claim] if args.claim else list(all_claims().values())
        )
    except UnknownClaimError as error:
        print(f"verified-backprop verify: {error}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    out = sys.stderr if args.json is not None and str(args.json) == "-" else sys.stdout
    stdout, sys.stdout = sys.stdout, out
    try:
        claim_rows, seed_rows = [], []
        print(f"Proofs ({len(claims)} claims; every derivative computed by SymPy)")
        widths = (32, 24, 30, 7)
        _print_row(("claim", "verdict", "sizes", "time"), widths)
        for claim in claims:
            result = verify(claim)
            row = claim_row(result)
            claim_rows.append(row)
            _print_row((claim.name, row["verdict"], claim.sizes, f"{result.seconds:5.2f}s"), widths)
            for failure in result.failures:
                print(f"    FAILED: {failure}")

        if not args.claim:
            seed_statements = statements()
            print(f"\nSeed claims ({len(seed_statements)}; verdicts computed, not typed in)")
            widths = (24, 54, 24, 7)
            _print_row(("claim", "source", "verdict", "time"), widths)
            for statement in seed_statements:
                assessment = assess(statement)
                row = seed_row(assessment)
                seed_rows.append(row)
                source = f"{statement.source[:3]} § {statement.section}"
                _print_row(
                    (statement.key, source[:54], row["verdict"], f"{assessment.seconds:5.2f}s"),
                    widths,
                )
                if not assessment.as_expected:
                    print(f"    UNEXPECTED: expected {statement.expected}: {assessment.detail}")
                elif assessment.verdict != Verdict.PROVEN:
                    print(f"    {assessment.detail}")

        elapsed = time.perf_counter() - started
        unproven = [row["claim"] for row in claim_rows if row["failures"]]
        unexpected = [row["claim"] for row in seed_rows if not row["as_expected"]]
        ok = not unproven and not unexpected
        print(
            f"\n{len(claim_rows) - len(unproven)}/{len(claim_rows)} claims proven, "
            f"{len(seed_rows) - len(unexpected)}/{len(seed_rows)} seed verdicts as expected, "
            f"in {elapsed:.1f} s. {'OK' if ok else 'FAILED'}"
        )
    finally:
        sys.stdout = stdout

    if args.json is not None:
        report = {
            "ok": ok,
            "seconds": round(elapsed, 3),
            "claims": claim_rows,
            "seed_claims": seed_rows,
        }
        text = json.dumps(report, indent=2, ensure_ascii=False)
        if str(args.json) == "-":
            print(text)
        else:
            args.json.write_text(text + "\n", encoding="utf-8")
    return 0 if ok else 1
