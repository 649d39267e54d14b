"""A census entry's verdict, from the typed results of what it cites: the weakest of them.

A mathematical entry cites catalogue statements (judged by
:func:`derivations.kernel.verdicts.assess`), claims of the project (proven by
:func:`derivations.kernel.engine.verify`) and computed findings
(:mod:`derivations.sources.findings`); its verdict is the weakest of theirs, on the scale
proven < proven under assumption < refuted < undecided.  Any other entry's verdict is its
kind, with the reason.  Nothing is computed here: the runner
(:func:`derivations.verification.judge_census`) passes the results in.
"""

from __future__ import annotations

from collections.abc import Mapping

from derivations.kernel.language import ClaimResult
from derivations.kernel.verdicts import Assessment, Verdict
from derivations.sources.census.model import CensusEntry, CensusVerdict, Evidence, Kind
from derivations.sources.findings import Finding

__all__ = ["RANK", "claim_evidence", "claim_verdict", "judge"]

#: the verdicts from the strongest to the weakest
RANK = {
    Verdict.PROVEN: 0,
    Verdict.PROVEN_UNDER_ASSUMPTION: 1,
    Verdict.REFUTED: 2,
    Verdict.UNDECIDED: 3,
}


def claim_verdict(result: ClaimResult) -> Verdict:
    """Proven (no hypothesis), proven under assumption (stated hypotheses), or undecided."""
    if not result.proven:
        return Verdict.UNDECIDED
    return Verdict.PROVEN_UNDER_ASSUMPTION if result.claim.hypotheses else Verdict.PROVEN


def claim_evidence(result: ClaimResult) -> Evidence:
    """A proof's verdict with its detail: the hypotheses it holds under, or its failures."""
    verdict = claim_verdict(result)
    if verdict == Verdict.UNDECIDED:
        return Evidence(verdict, "; ".join(result.failures))
    return Evidence(verdict, "; ".join(h.text for h in result.claim.hypotheses))


def judge(
    entry: CensusEntry,
    *,
    claims: Mapping[str, ClaimResult],
    statements: Mapping[str, Assessment],
    findings: Mapping[str, Finding],
    crashed: Mapping[str, str] | None = None,
    seconds: float = 0.0,
) -> CensusVerdict:
    """The entry's verdict: its kind for a non-mathematical entry; otherwise the weakest
    verdict of what it cites, found by name in ``claims``, ``statements`` and ``findings``.
    ``crashed`` names what raised an error when it was computed (an undecided part, with the
    error); ``seconds`` is the time computing what it cites took."""
    if entry.kind != Kind.MATHEMATICAL:
        return CensusVerdict(entry, entry.kind, entry.why, seconds)
    crashed = crashed or {}
    parts: dict[str, Evidence] = {}
    for name in entry.basis:
        if name in crashed:
            parts[name] = Evidence(Verdict.UNDECIDED, crashed[name])
        elif name in entry.statements and name in statements:
            assessment = statements[name]
            parts[name] = Evidence(assessment.verdict, assessment.detail)
        elif name in entry.claims and name in claims:
            parts[name] = claim_evidence(claims[name])
        elif name in entry.findings and name in findings:
            parts[name] = Evidence(findings[name].verdict, findings[name].detail)
        else:
            parts[name] = Evidence(Verdict.UNDECIDED, "no result was given for it")
    if not parts:
        return CensusVerdict(
            entry, Verdict.UNDECIDED, "the entry cites nothing that decides it", seconds
        )
    verdict = max((part.verdict for part in parts.values()), key=RANK.__getitem__)
    detail = "; ".join(
        f"{name}: {part.detail}" if part.detail else f"{name}: {part.verdict}"
        for name, part in parts.items()
        if part.verdict == verdict
    )
    return CensusVerdict(entry, verdict, detail, seconds, parts)
