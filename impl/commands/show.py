"""``verified-backprop show NAME``: one derivation in the terminal, in Unicode.

``NAME`` is a proof's name, a source claim's name or a census entry's name, as
``verified-backprop verify --list`` prints them.  The proof is run first; only what SymPy has
just confirmed is shown (exit status 1 otherwise).  The formulas are printed by SymPy's pretty
printer (:mod:`derivations.rendering.terminal`).  The same display, with LaTeX and Markdown
for a notebook, is :func:`derivations.show` (:func:`derivations.rendering.notebook.show`).
"""

from __future__ import annotations

import argparse
import sys

from derivations.claims import UnknownClaimError, all_claims
from derivations.rendering.notebook import show

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
        shown = show(args.name)
    except UnknownClaimError as error:
        print(f"verified-backprop show: {error}", file=sys.stderr)
        return 2
    if not shown.ok and args.name in all_claims():
        print(f"verified-backprop show: {args.name} is not proven:", file=sys.stderr)
    sys.stdout.write(str(shown))
    return 0 if shown.ok else 1
