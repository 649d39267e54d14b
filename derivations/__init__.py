"""SymPy proofs of the backpropagation equations for cross-entropy classifiers.

* :mod:`derivations.engine` — claims, hypotheses, steps and their machine check;
* :mod:`derivations.claims` — the claims, one module per topic, for symbolic sizes;
* :mod:`derivations.sources` — the seed documents' claims with computed verdicts;
* :mod:`derivations.catalog` — every claim by name.

``python -m derivations`` (or ``verified-backprop verify``) runs them all.
"""

from derivations.catalog import UnknownClaimError, all_claims, get_claim
from derivations.engine import Claim, ProofError, verify

__all__ = ["Claim", "ProofError", "UnknownClaimError", "all_claims", "get_claim", "verify"]
