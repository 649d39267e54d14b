"""Wording shared by the LaTeX and Markdown renderers (prose only, never a formula).

The sentences here are Unicode prose in the style of the claims' own texts; each renderer
passes them through :mod:`derivations.rendering.prose`.  Formulas come from
:mod:`derivations.rendering.latex`.
"""

from __future__ import annotations

import sympy as sp

from derivations.engine import PROVEN_RESTS_ON, Claim, IndexRange, subject_of
from derivations.rendering.content import ProvenClaim
from derivations.rendering.latex import latex
from derivations.verdicts import CheckedStatement, Verdict
from derivations.wellformed import domain

__all__ = [
    "INTRODUCTION",
    "WHAT_PROVEN_RESTS_ON",
    "claim_facts",
    "errata_introduction",
    "proof_names",
    "range_latex",
    "seed_source",
    "verdict_sentence",
]

INTRODUCTION = (
    "Every formula below is printed from the SymPy objects that the proofs check: the "
    "claims, their definitions, hypotheses and steps in derivations/claims, and the seed "
    "verdicts in derivations/sources/catalogue.py. The document is written by the command "
    "“verified-backprop docs”, which runs every proof first and refuses to write anything "
    "that SymPy does not confirm. In each derivation, SymPy computes the derivative on the "
    "left from the definitions itself, and checks every step against the one before it; "
    "the justification beside a step is the reason given for it, the check is SymPy's."
)

#: what "proven" rests on: the same paragraph as ``verified-backprop verify --help``
WHAT_PROVEN_RESTS_ON = PROVEN_RESTS_ON


def claim_facts(claim: Claim) -> list[tuple[str, str]]:
    """Short labelled facts printed under a claim's title: sizes, and the domain (every
    assumption on a symbol, as the engine prints it)."""
    facts = []
    if claim.sizes:
        facts.append(("sizes", claim.sizes))
    printed = domain(subject_of(claim))
    if printed:
        facts.append(("domain", "; ".join(printed)))
    return facts


def range_latex(index_range: IndexRange) -> str:
    """``1 \\leq j \\leq K`` from the range object the proof uses."""
    return f"{latex(index_range.lo)} \\leq {latex(index_range.index)} \\leq {latex(index_range.hi)}"


def verdict_sentence(proven: ProvenClaim) -> str:
    """What was checked, in one paragraph (no timings: the documents are deterministic)."""
    claim = proven.claim
    steps = len(claim.steps)
    count = "the single step" if steps == 1 else f"each of the {steps} steps"
    if claim.kind == "derivative":
        start = "SymPy differentiated the definitions itself and confirmed "
    else:
        start = "SymPy unfolded the definitions and confirmed "
    sentence = start + count + " from the one before; the last step is the claimed result."
    if proven.verdict == Verdict.PROVEN_UNDER_ASSUMPTION:
        names = ", ".join(f"“{hypothesis.name}”" for hypothesis in claim.hypotheses)
        label = "hypothesis" if len(claim.hypotheses) == 1 else "hypotheses"
        verdict = f"Proven under the {label} {names}, used only where a step names it. "
    else:
        verdict = "Proven, with no hypothesis. "
    checks = ""
    if claim.extra_checks:
        checks = (
            " Further machine checks passed: "
            + "; ".join(name for name, _ in claim.extra_checks)
            + "."
        )
    premises = "".join(f" Premise: {premise}" for premise in dict.fromkeys(claim.premises))
    witnessed = (
        f" Independent witness (explicit finite expressions): {proven.result.witness}."
        if proven.result.witness
        else ""
    )
    return verdict + sentence + checks + witnessed + premises


def seed_source(statement: CheckedStatement, *, short: bool = False) -> str:
    """Where a statement comes from: seed file (or just its number) and section."""
    if statement.source == "verified-backprop":
        return f"this suite: {statement.section}"
    if short:
        return f"seed {statement.source.split('_')[0]}, {statement.section}"
    return f"seed {statement.source}, section “{statement.section}”"


def proof_names(statement: CheckedStatement) -> list[str]:
    """The claims of the suite that prove (or disprove) a seed statement."""
    return [name.strip() for name in statement.proof.split(",") if name.strip()]


def errata_introduction() -> str:
    """The paragraph that opens the errata."""
    return (
        "Every mathematical claim of the seed documents gets a verdict that SymPy computes: "
        "proven, proven only under an assumption, or refuted with a counterexample. The "
        "claims that are refuted or that need an assumption are listed first, each with the "
        "seed's verbatim text, our reading of it, the verdict, the exact values at the "
        "counterexample, and the correct statement; a table of all seed claims follows."
    )


def proven_statements(statement: CheckedStatement) -> list[tuple[str, str, str]]:
    """(claim name, LaTeX of its verified statement, LaTeX of its hypotheses or "") for the
    claims a seed entry cites.

    The errata's prose correction is backed by these: printed from the very ``Claim``
    objects that ``verify`` checks, so the formula shown as correct is the proven one.
    """
    from derivations.catalog import all_claims

    claims = all_claims()
    return [
        (
            name,
            latex(claims[name].statement),
            ", ".join(latex(hypothesis.statement) for hypothesis in claims[name].hypotheses),
        )
        for name in proof_names(statement)
        if name in claims and not isinstance(claims[name].lhs, sp.MatrixBase)
    ]
