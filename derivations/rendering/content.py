"""What the generated documents say: every claim with its checked proof, every seed verdict.

:func:`collect` runs every proof (:func:`derivations.kernel.engine.verify`) and every seed
assessment (:func:`derivations.kernel.verdicts.assess`) and returns them together.  It refuses, with
:class:`NotProvenError`, when a claim is not proven or a seed verdict is not the one the
catalogue expects: the documents only ever show results that SymPy has just confirmed.
The document model (:mod:`derivations.rendering.build`) is built from these objects and
nothing else.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from derivations import notation
from derivations.claims import all_claims
from derivations.kernel.engine import verify
from derivations.kernel.language import Claim, ClaimResult
from derivations.kernel.verdicts import Assessment, CheckedStatement, Verdict, assess
from derivations.sources.catalogue import beyond_sources, statements
from derivations.sources.census import CensusVerdict, entries
from derivations.sources.census.judging import claim_verdict
from derivations.verification import judge_census

__all__ = ["DocumentContent", "NotProvenError", "ProvenClaim", "collect", "errata"]

#: verdicts that make a seed claim an erratum
ERRATUM_VERDICTS = (Verdict.REFUTED, Verdict.PROVEN_UNDER_ASSUMPTION)


class NotProvenError(RuntimeError):
    """A claim that SymPy did not prove, or a seed verdict that is not the expected one."""


@dataclass(frozen=True)
class ProvenClaim:
    """A claim together with the result of running its proof."""

    claim: Claim
    result: ClaimResult

    @property
    def verdict(self) -> Verdict:
        return claim_verdict(self.result)


@dataclass(frozen=True)
class DocumentContent:
    """Everything the documents print, computed by SymPy just now."""

    claims: tuple[ProvenClaim, ...]
    sources: tuple[Assessment, ...]
    beyond: tuple[Assessment, ...]
    conventions: str
    #: the census of the sources (empty when a test renders a smaller catalogue)
    census: tuple[CensusVerdict, ...] = ()

    def claim_names(self) -> set[str]:
        return {proven.claim.name for proven in self.claims}


def errata(assessments: Sequence[Assessment]) -> list[Assessment]:
    """The source claims that are refuted or that hold only under an assumption."""
    return [assessment for assessment in assessments if assessment.verdict in ERRATUM_VERDICTS]


def _check_assessments(assessments: Sequence[Assessment]) -> list[str]:
    problems = []
    for assessment in assessments:
        if assessment.verdict == Verdict.UNDECIDED or not assessment.as_expected:
            problems.append(
                f"claim of the sources {assessment.statement.key!r}: verdict {assessment.verdict}, "
                f"expected {assessment.statement.expected} ({assessment.detail})"
            )
    return problems


def collect(
    claims: Sequence[Claim] | None = None,
    source_statements: Sequence[CheckedStatement] | None = None,
    extra_statements: Sequence[CheckedStatement] | None = None,
    *,
    census: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> DocumentContent:
    """Run every proof and every seed assessment; refuse if anything is not as claimed.

    The arguments default to the whole catalogue, with the census of the sources; tests pass
    smaller lists (and get no census unless ``census=True``).  ``progress`` is told each
    proof's outcome as it finishes (``verified-backprop docs`` prints them).
    """
    if census is None:
        census = claims is None and source_statements is None and extra_statements is None
    claims = list(all_claims().values()) if claims is None else list(claims)
    source_statements = statements() if source_statements is None else list(source_statements)
    extra_statements = beyond_sources() if extra_statements is None else list(extra_statements)

    proven_list = []
    for number, claim in enumerate(claims, start=1):
        result = verify(claim)
        proven_list.append(ProvenClaim(claim, result))
        if progress is not None:
            state = "proven" if result.proven else "NOT PROVEN"
            progress(f"[{number}/{len(claims)}] {claim.name}: {state} ({result.seconds:.1f} s)")
    proven = tuple(proven_list)
    if progress is not None:
        progress(
            f"the verdicts on the sources' {len(source_statements) + len(extra_statements)} claims"
            + (" and the census" if census else "")
        )
    problems = [
        f"claim {item.claim.name!r} is not proven: " + "; ".join(item.result.failures)
        for item in proven
        if not item.result.proven
    ]
    sources = tuple(assess(statement) for statement in source_statements)
    beyond = tuple(assess(statement) for statement in extra_statements)
    problems += _check_assessments(sources) + _check_assessments(beyond)
    verdicts: tuple[CensusVerdict, ...] = ()
    if census:
        verdicts = tuple(
            judge_census(
                entries(),
                claims={item.claim.name: item.result for item in proven},
                statements={assessment.statement.key: assessment for assessment in sources},
            )
        )
        problems += [
            f"census entry {v.entry.key!r}: verdict {v.verdict}, expected {v.entry.expected} "
            f"({v.detail})"
            for v in verdicts
            if not v.as_expected
        ]
    if problems:
        raise NotProvenError(
            "refusing to write documents for results SymPy did not confirm:\n  - "
            + "\n  - ".join(problems)
        )
    conventions = inspect.cleandoc(notation.__doc__ or "")
    return DocumentContent(proven, sources, beyond, conventions, verdicts)
