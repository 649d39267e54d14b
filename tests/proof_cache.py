"""Each catalogue claim verified, and each statement of the sources assessed, once per test
process.

``verify`` and ``assess`` are deterministic for a given claim or statement (the witness and
the counterexample search draw from seeds fixed by it), and the whole catalogue takes more
than a minute; the tests that need every proof or verdict (every claim proven, the census,
the generated documents, the ``verify`` command's report, the notebook display) share these
results instead of proving everything several times.  They all carry the mark
``xdist_group("proofs")`` (:data:`SHARED`), so that with ``pytest -n`` (``--dist loadgroup``)
they run in one worker process and the proofs still run once.  A claim that is not the
catalogue's own object, or a statement that differs from the catalogue's in any field (a
test's modified copy), is always verified afresh: nothing is
remembered between sessions, so a changed proof is always run.
"""

from __future__ import annotations

import pytest

from derivations.claims import all_claims
from derivations.kernel.engine import verify
from derivations.kernel.language import Claim, ClaimResult
from derivations.kernel.verdicts import Assessment, CheckedStatement, assess
from derivations.sources.catalogue import beyond_sources, statements

#: the mark of the test modules that share these results (one xdist worker runs them all)
SHARED = pytest.mark.xdist_group("proofs")

_RESULTS: dict[str, ClaimResult] = {}
_ASSESSMENTS: dict[str, Assessment] = {}
_OWN: dict[str, CheckedStatement] = {}


def verified(claim: Claim) -> ClaimResult:
    """``verify(claim)``, computed once per process for a claim of the catalogue."""
    if all_claims().get(claim.name) is not claim:
        return verify(claim)
    if claim.name not in _RESULTS:
        _RESULTS[claim.name] = verify(claim)
    return _RESULTS[claim.name]


def assessed(statement: CheckedStatement) -> Assessment:
    """``assess(statement)``, computed once per process for a statement of the catalogue."""
    if not _OWN:
        _OWN.update({s.key: s for s in (*statements(), *beyond_sources())})
    if _OWN.get(statement.key) != statement:  # equal in every field, formulas included
        return assess(statement)
    if statement.key not in _ASSESSMENTS:
        _ASSESSMENTS[statement.key] = assess(statement)
    return _ASSESSMENTS[statement.key]


def share_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every ``verify`` and ``assess`` reached through the kernel's modules (the census,
    the runner, the documents) use the shared results, for one test."""
    from derivations import verification
    from derivations.kernel import engine, verdicts
    from derivations.rendering import content

    for module in (engine, verification, content):
        monkeypatch.setattr(module, "verify", verified)
    for module in (verdicts, verification, content):
        monkeypatch.setattr(module, "assess", assessed)


def proven_so_far() -> dict[str, ClaimResult]:
    """The catalogue's claims verified in this process so far, by name."""
    return dict(_RESULTS)


def assessed_so_far() -> dict[str, Assessment]:
    """The catalogue's statements assessed in this process so far, by key."""
    return dict(_ASSESSMENTS)
