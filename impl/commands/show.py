"""``verified-backprop show NAME``: one derivation in the terminal, in Unicode.

``NAME`` is a proof's name, a source claim's name or a census entry's name, as
``verified-backprop verify --list`` prints them.  The proof is run first; only what SymPy has
just confirmed is shown (exit status 1 otherwise).  The formulas are printed by SymPy's pretty
printer (:mod:`derivations.rendering.terminal`).
"""

from __future__ import annotations

import argparse
import sys

from derivations.catalog import UnknownClaimError
from derivations.kernel.engine import verify
from derivations.kernel.verdicts import assess
from derivations.rendering.content import ProvenClaim
from derivations.rendering.terminal import render_census_entry, render_claim, render_statement
from derivations.report import select_claims
from derivations.sources.census import judge

HELP = "print one derivation (or a source claim's verdict) in the terminal"
DESCRIPTION = (
    "Run one proof and print its derivation in Unicode: definitions, hypotheses, each step "
    "with its justification, and the verdict. A source claim's name (e.g. "
    "001-relu-derivative) prints the document's text, our reading and the verdict; a census "
    "entry's name (e.g. 000-converges-to-minimiser) prints its verdict and the evidence."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the argument of ``verified-backprop show`` (the claim's name)."""
    parser.add_argument(
        "name", metavar="NAME", help="a claim's name, as 'verified-backprop verify --list' prints"
    )


def run(args: argparse.Namespace) -> int:
    """Print the derivation of ``args.name``; returns the exit status."""
    try:
        claims, chosen, census = select_claims([args.name])
    except UnknownClaimError as error:
        print(f"verified-backprop show: {error}", file=sys.stderr)
        return 2
    if claims:
        result = verify(claims[0])
        if not result.proven:
            print(
                f"verified-backprop show: {args.name} is not proven: " + "; ".join(result.failures),
                file=sys.stderr,
            )
            return 1
        sys.stdout.write(render_claim(ProvenClaim(claims[0], result)))
        return 0
    if census:
        verdict = judge(census[0])
        sys.stdout.write(render_census_entry(verdict))
        return 0 if verdict.as_expected else 1
    assessment = assess(chosen[0])
    sys.stdout.write(render_statement(assessment))
    return 0 if assessment.as_expected else 1
