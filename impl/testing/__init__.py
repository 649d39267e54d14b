"""Check your own backpropagation: a user's backward pass judged against the verified one.

* :mod:`impl.testing.check` — the entry :func:`check_backward` (the declared networks and
  convention checked, the search run) and :func:`assert_backward_correct` for a user's pytest;
* :mod:`impl.testing.verdict` — the result (:class:`BackwardCheck`: verdict, smallest failing
  case, wrong arrays, known mistakes), its report and its JSON;
* :mod:`impl.testing.judging` — one case judged against the verified gradient, the search for
  the smallest failing case, the known mistakes that reproduce it;
* :mod:`impl.testing.calling` — the user's function called here (its own random state) or in
  a child process, and the user's line in a failure;
* :mod:`impl.testing.strategies` — the Hypothesis strategies it draws from (architectures,
  batches, inputs, labels, whole cases), public for a user's own property tests;
* :mod:`impl.testing.reference` — the verified gradients of a case and the rounding bound;
* :mod:`impl.testing.mistakes` — each known mistake reproduced in a whole backward pass;
* :mod:`impl.testing.conventions` — the conventions people write backprop in (examples as
  rows, one example per call, a parameter dict, a summed or climbed objective), converted at
  the boundary to this project's own;
* :mod:`impl.testing.isolation` — the user's function in a child process (time and memory
  limits, plain data back, never pickle); :mod:`impl.testing._worker` is the child's side,
  run as a script that imports only the standard library and NumPy;
* :mod:`impl.testing.grading` — a folder of submissions graded: partial credit per array,
  ``grades.csv`` and Gradescope's ``results.json``.

Dependencies run one way: ``grading -> check -> judging -> verdict``, ``judging -> mistakes
-> reference -> strategies``, ``check -> calling -> isolation -> _worker``, ``judging ->
conventions -> isolation``, and ``reference -> impl.network``.
This package imports :mod:`derivations` (an allowed edge, listed in
``tests/test_layout.py``) for two things only: the catalogue of known mistakes with
the proofs they link to (:mod:`derivations.mistakes`), and the lambdified proven and refuted
formulas that reproduce each mistake (:mod:`derivations.numeric`,
:func:`derivations.user_claims.activation_formula`) — one source of truth for every formula.
Hypothesis is a run-time dependency of this package.
"""

from impl.testing import strategies
from impl.testing.check import (
    ArrayError,
    BackwardCheck,
    assert_backward_correct,
    check_backward,
)

__all__ = [
    "ArrayError",
    "BackwardCheck",
    "assert_backward_correct",
    "check_backward",
    "strategies",
]
