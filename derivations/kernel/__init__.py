"""The trusted kernel: everything a "proven" verdict rests on, and nothing else.

A reviewer who wants to know why a claim is proven reads this folder only:

* :mod:`~derivations.kernel.language` — what proofs are written in: index ranges,
  definitions, hypotheses, steps, claims, and the immutable result of checking one;
* :mod:`~derivations.kernel.binding` — bound variables: capture-free substitution, renaming;
* :mod:`~derivations.kernel.wellformed` — what may be stated (the rules that close forgeries),
  with :mod:`~derivations.kernel.wellformed_binders` and
  :mod:`~derivations.kernel.wellformed_derivatives`, over :mod:`~derivations.kernel.subject`
  (what the rules look at, and the vocabulary);
* :mod:`~derivations.kernel.rewriting` — how two expressions are decided equal;
* :mod:`~derivations.kernel.engine` — :func:`verify`: a claim is proven only by checks that
  could fail;
* :mod:`~derivations.kernel.explicit` — statements at concrete sizes: explicit finite
  forms, with :mod:`~derivations.kernel.instances` (the sizes, index tuples and stand-in
  functions), :mod:`~derivations.kernel.points` (the values) and
  :mod:`~derivations.kernel.compiled` (evaluation at 80 digits), shared by the next two;
* :mod:`~derivations.kernel.witness` — the proof witness, a separate code path;
* :mod:`~derivations.kernel.counterexamples` — the search for the simplest counterexample;
* :mod:`~derivations.kernel.verdicts` — verdicts on claims made by others: proven, proven
  under an assumption, or refuted with a counterexample;
* :mod:`~derivations.kernel.intervals` — rigorous enclosures of real numbers (arb balls);
* :mod:`~derivations.kernel.sympy_speedup` — SymPy's ``Sum.free_symbols`` remembered per
  object (SymPy's own answer), installed by the entry points, never on import.

Dependencies run one way, inside the kernel only (``tests/test_layout.py`` checks that it
imports nothing else of the project)::

    verdicts  ->  engine  ->  wellformed (+ _binders, _derivatives)  ->  rewriting, subject
    rewriting  ->  binding, language
    verdicts, engine  ->  witness  ->  compiled  ->  instances  ->  points  ->  explicit
    explicit  ->  binding, language
    verdicts  ->  counterexamples  ->  compiled, instances, points, explicit
    (the explicit forms import neither rewriting nor wellformed: the separate code path)

Display in notebooks is attached from outside (:mod:`derivations.rendering`).
"""

from derivations.kernel.engine import verify
from derivations.kernel.language import (
    Claim,
    ClaimResult,
    Definition,
    Hypothesis,
    IndexRange,
    ProofError,
    Step,
)

__all__ = [
    "Claim",
    "ClaimResult",
    "Definition",
    "Hypothesis",
    "IndexRange",
    "ProofError",
    "Step",
    "verify",
]
