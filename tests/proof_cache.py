"""Each catalogue claim verified once per test session.

``verify`` is deterministic for a given claim (its witness draws from a seed fixed by the
claim), and the whole catalogue takes more than a minute; the tests that need every proof
(every claim proven, the generated documents, the ``verify`` command's report) share these
results instead of proving everything three times.  A claim that is not the catalogue's own
object (a test's modified copy) is always verified afresh.
"""

from __future__ import annotations

from derivations.catalog import all_claims
from derivations.kernel.engine import Claim, ClaimResult, verify

_RESULTS: dict[str, ClaimResult] = {}


def verified(claim: Claim) -> ClaimResult:
    """``verify(claim)``, computed once per session for a claim of the catalogue."""
    if all_claims().get(claim.name) is not claim:
        return verify(claim)
    if claim.name not in _RESULTS:
        _RESULTS[claim.name] = verify(claim)
    return _RESULTS[claim.name]
