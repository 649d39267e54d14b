"""SymPy proofs of the backpropagation equations for cross-entropy classifiers.

* :mod:`derivations.kernel` — the trusted kernel, everything "proven" rests on: the claim
  language, bound variables, the well-formedness rules, rewriting, the engine
  (:func:`verify`), the independent witness, the counterexample search, verdicts on claims
  made by others, interval enclosures and the SymPy property memo.  It imports nothing
  else of the project;
* :mod:`derivations.notation` — the shared symbols, and the conventions stated once;
* :mod:`derivations.matrix_form` — from matrix statements to the indexed forms proven;
* :mod:`derivations.claims` — the project's claims, one module per topic, for symbolic
  sizes, and all of them by name (:func:`all_claims`, :func:`get_claim`);
* :mod:`derivations.sources` — the source documents' claims with the verdicts they should
  get (the catalogue), the computed findings, and the census of every other statement (its
  data, its line coverage and its judging);
* :mod:`derivations.verification` — the runner: proves the claims, assesses the sources'
  claims and judges the census, returning typed results;
* :mod:`derivations.report` — prints those results as the ``verify`` tables and JSON;
* ``derivations/__main__.py`` — the ``verify`` command's options (``python -m derivations``;
  ``verified-backprop verify`` plugs in the same);
* :mod:`derivations.host` — what the commands of both packages need from the machine: usable
  cores, atomic JSON, the quiet exits;
* :mod:`derivations.numeric` — the lambdify bridge: proven results as NumPy functions;
* :mod:`derivations.mistakes` — the known mistakes, each tied to the proof of the right formula;
* :mod:`derivations.user_claims` — a user's formula, parsed as hostile input and judged by
  :func:`~derivations.kernel.verdicts.assess` like the catalogue (``check-claim``);
* :mod:`derivations.rendering` — the generated documents (LaTeX, Markdown, errata), and the
  notebook display of claims and results.

``python -m derivations`` (or ``verified-backprop verify``) runs them all.  In a notebook,
``get_claim(name)`` is a proof (it displays with its derivation and verdict), and
``show(name)`` displays anything ``verified-backprop show`` accepts: a proof, a claim of a
source document (``001-relu-derivative``) or a census entry.

Dependencies run one way, from the documents down to the kernel (no module imports one
above it)::

    __main__  ->  report  ->  verification  ->  claims, sources  ->  kernel
    rendering  ->  verification, sources, claims;   sources  ->  claims, kernel
    claims  ->  kernel, notation, matrix_form;   matrix_form  ->  kernel
    numeric  ->  claims;   user_claims  ->  kernel, mistakes, numeric, claims
    rendering  ->  mistakes;   __main__, report  ->  host (which imports nothing)

Nothing here imports :mod:`impl`: the implementation and the commands import
:mod:`derivations` where they need it, never the reverse.
"""

from derivations.claims import UnknownClaimError, all_claims, get_claim
from derivations.kernel.engine import verify
from derivations.kernel.language import Claim, ProofError
from derivations.rendering import notebook as _notebook
from derivations.rendering.notebook import show

_notebook.attach()  # a claim in Jupyter displays as in the documents

__all__ = [
    "Claim",
    "ProofError",
    "UnknownClaimError",
    "all_claims",
    "get_claim",
    "show",
    "verify",
]
