"""SymPy proofs of the backpropagation equations for cross-entropy classifiers.

* :mod:`derivations.engine` — claims, hypotheses, steps and their machine check;
* :mod:`derivations.verdicts` — verdicts on claims made by others: proven, proven under an
  assumption, or refuted with a counterexample;
* :mod:`derivations.notation` — the shared symbols, and the conventions stated once;
* :mod:`derivations.matrix_form` — from matrix statements to the indexed forms proven;
* :mod:`derivations.claims` — the claims, one module per topic, for symbolic sizes;
* :mod:`derivations.catalog` — every claim by name;
* :mod:`derivations.sources` — the seed documents' claims with the verdicts they should get;
* :mod:`derivations.report` — runs them all and prints the verdict table (``verify``);
* :mod:`derivations.numeric` — the lambdify bridge: proven results as NumPy functions;
* :mod:`derivations.rendering` — the generated documents (LaTeX, Markdown, errata).

``python -m derivations`` (or ``verified-backprop verify``) runs them all.

Dependencies run one way, from the documents down to the engine (no module imports one
above it)::

    rendering  ->  report  ->  catalog, sources  ->  claims  ->  engine, notation, matrix_form
    sources  ->  verdicts  ->  engine;   matrix_form  ->  engine;   numeric  ->  catalog, claims

Nothing here imports :mod:`impl`: the implementation and the commands import
:mod:`derivations` where they need it, never the reverse.
"""

from derivations.catalog import UnknownClaimError, all_claims, get_claim
from derivations.engine import Claim, ProofError, verify

__all__ = ["Claim", "ProofError", "UnknownClaimError", "all_claims", "get_claim", "verify"]
