"""SymPy proofs of the backpropagation equations for cross-entropy classifiers.

* :mod:`derivations.engine` — :func:`verify`: a claim is proven only by checks that could fail;
* :mod:`derivations.language` — what proofs are written in: definitions, hypotheses, steps,
  claims;
* :mod:`derivations.binding` — bound variables: capture-free substitution, alpha-equivalence;
* :mod:`derivations.wellformed` — what may be stated (the rules that close forgeries);
* :mod:`derivations.rewriting` — how two expressions are decided equal;
* :mod:`derivations.witness` — the independent check at concrete sizes, 60-digit arithmetic;
* :mod:`derivations.verdicts` — verdicts on claims made by others: proven, proven under an
  assumption, or refuted with a counterexample;
* :mod:`derivations.notation` — the shared symbols, and the conventions stated once;
* :mod:`derivations.matrix_form` — from matrix statements to the indexed forms proven;
* :mod:`derivations.claims` — the claims, one module per topic, for symbolic sizes;
* :mod:`derivations.catalog` — every claim by name;
* :mod:`derivations.sources` — the source documents' claims with the verdicts they should get;
* :mod:`derivations.report` — runs them all and prints the verdict table (``verify``);
* :mod:`derivations.numeric` — the lambdify bridge: proven results as NumPy functions;
* :mod:`derivations.mistakes` — the known mistakes, each tied to the proof of the right formula;
* :mod:`derivations.user_claims` — a user's formula, parsed as hostile input and judged by
  :func:`~derivations.verdicts.assess` like the catalogue (``check-claim``);
* :mod:`derivations.rendering` — the generated documents (LaTeX, Markdown, errata);
* :mod:`derivations.sympy_speedup` — SymPy's ``Sum.free_symbols`` remembered per object
  instead of recomputed on every query (SymPy's own answer), installed on import.

``python -m derivations`` (or ``verified-backprop verify``) runs them all.

Dependencies run one way, from the documents down to the engine (no module imports one
above it)::

    rendering  ->  report  ->  catalog, sources  ->  claims  ->  engine, notation, matrix_form
    sources  ->  verdicts  ->  engine;   matrix_form  ->  engine;   numeric  ->  catalog, claims
    user_claims  ->  verdicts, mistakes, numeric, catalog;   rendering  ->  mistakes
    engine  ->  wellformed  ->  rewriting  ->  binding;   engine, witness, language  ->  binding
    (the witness imports neither rewriting nor wellformed: it is the separate code path)

Nothing here imports :mod:`impl`: the implementation and the commands import
:mod:`derivations` where they need it, never the reverse.
"""

from derivations import sympy_speedup as _sympy_speedup
from derivations.catalog import UnknownClaimError, all_claims, get_claim
from derivations.engine import Claim, ProofError, verify

_sympy_speedup.install()  # same results, faster: see derivations.sympy_speedup

__all__ = ["Claim", "ProofError", "UnknownClaimError", "all_claims", "get_claim", "verify"]
