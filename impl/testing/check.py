"""The entry :func:`check_backward`: the declared networks and convention checked, the search run.

``check_backward(backward, hidden=..., output=...)`` draws networks and batches with
Hypothesis (:func:`impl.testing.strategies.cases`: depth 1–4, widths 1–8 with square layers,
m = 1–8, hard and soft labels — or only the networks and labels the code is declared for:
``hidden_layers``, ``sizes``, ``labels``), calls the user's function on copies in the user's
convention (:mod:`impl.testing.conventions`: examples as rows, one example per call, a
parameter dict, a summed or climbed objective), and requires every array to equal the verified
gradient of J = (1/m) Σᵢ Lᵢ (:mod:`impl.testing.reference`) to within the rounding bound of the
precision it computes in (float64, or float32 when it returns float32 or ``dtype="float32"``).
On a failure Hypothesis shrinks to the smallest case it can find; the result names the wrong
arrays (the worst entry: its index in the user's layout, the true value and theirs; the error
against the verified gradient *and* against central differences,
:func:`impl.gradcheck.numerical_gradients`) and every known mistake (:mod:`derivations.mistakes`,
reproduced by :mod:`impl.testing.mistakes`) — alone or two together — that reproduces the
user's output at that case and changes something there (so no mistake is named for an output
that is right up to rounding).

``backward`` is a function (called in this process) or ``"FILE.py:FUNCTION"`` (called in a
child process, :mod:`impl.testing.isolation`: a time limit per call, a memory limit, and the
verdict computed here, where the user's code never ran).  What the function does besides
returning numbers is a finding of its own, never a gradient mismatch: an exception (its file
and line, and the network and labels that triggered it), ``sys.exit``, a crash, a time-out,
complex numbers, a result that is not arrays, different results for the same input.  When
the first failure is an exception or a malformed result, a second search on square layers
(where W and Wᵀ have the same shape) looks for a case with numbers to diagnose.  For ReLU, a
case where a hidden pre-activation is exactly 0 is never drawn: there is no derivative there,
so either convention passes.  A search that outlives ``budget`` seconds stops and says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from hypothesis import strategies as st

from impl.activations import HIDDEN_ACTIVATIONS
from impl.losses import OUTPUT_LAYERS
from impl.testing.calling import Backward, caller, location
from impl.testing.conventions import Convention
from impl.testing.isolation import DEFAULT_MEMORY, DEFAULT_TIMEOUT
from impl.testing.judging import Checker, Outcome, as_float32, hardened
from impl.testing.reference import absolute_tolerance, tolerance
from impl.testing.strategies import Case, cases, parameters
from impl.testing.verdict import ArrayError, BackwardCheck

__all__ = ["ArrayError", "BackwardCheck", "assert_backward_correct", "check_backward"]

#: the seconds a whole check may take before it stops drawing cases (and says so)
DEFAULT_BUDGET = 120.0


@dataclass(frozen=True)
class Declared:
    """The networks a user's code is written for (None: any)."""

    hidden_layers: int | None = None
    sizes: tuple[int, ...] | None = None

    def strategy(
        self, output: str, convention: Convention, square: bool | None = None
    ) -> st.SearchStrategy[Case]:
        depth = None if self.hidden_layers is None else self.hidden_layers + 1
        width = 1 if convention.labels == "integer" and output != "softmax" else None
        strategy = cases(
            output,
            square=square,
            depth=depth,
            sizes=self.sizes,
            label_kind=convention.labels,
            output_width=width,
        )
        return strategy.map(as_float32) if convention.dtype == "float32" else strategy

    def words(self) -> str:
        if self.sizes is not None:
            return f"sizes {list(self.sizes)}"
        if self.hidden_layers is not None:
            return f"{self.hidden_layers} hidden layer{'s' if self.hidden_layers != 1 else ''}"
        return "1–4 layers, widths 1–8"


def validate(
    hidden: str,
    output: str,
    max_examples: object,
    declared: Declared,
    convention: Convention,
    timeout: float,
    budget: float,
) -> None:
    if hidden not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"hidden is {hidden!r}; expected one of {', '.join(HIDDEN_ACTIVATIONS)}")
    if output not in OUTPUT_LAYERS:
        raise ValueError(f"output is {output!r}; expected one of {', '.join(OUTPUT_LAYERS)}")
    if isinstance(max_examples, bool) or not isinstance(max_examples, int) or max_examples < 1:
        raise ValueError(f"max_examples is {max_examples!r}; it must be a whole number ≥ 1")
    layers = declared.hidden_layers
    if layers is not None and (isinstance(layers, bool) or not isinstance(layers, int)):
        raise ValueError(f"hidden_layers is {layers!r}; it must be a whole number ≥ 0")
    if layers is not None and not 0 <= layers <= 8:
        raise ValueError(f"hidden_layers is {layers}; it must be between 0 and 8")
    sizes = declared.sizes
    if sizes is not None:
        if len(sizes) < 2 or not all(isinstance(n, int) and 1 <= n <= 1024 for n in sizes):
            raise ValueError(
                f"sizes is {list(sizes)}; expected at least two widths n0, …, nL, each 1–1024"
            )
        if layers is not None and len(sizes) != layers + 2:
            raise ValueError(
                f"sizes {list(sizes)} has {len(sizes) - 2} hidden layers, but hidden_layers "
                f"is {layers}"
            )
        if output == "softmax" and sizes[-1] < 2:
            raise ValueError("a softmax output needs at least 2 units (the last of sizes)")
    if convention.labels == "integer" and output != "softmax" and sizes and sizes[-1] != 1:
        raise ValueError(
            "integer labels need a softmax output, or a sigmoid output of width 1 "
            f"(sizes ends in {sizes[-1]})"
        )
    if output == "sigmoid_quadratic" and convention.labels == "integer":
        raise ValueError("integer labels need a softmax or sigmoid output")
    for name, value in (("timeout", timeout), ("budget", budget)):
        if not isinstance(value, int | float) or not value > 0:
            raise ValueError(f"{name} is {value!r}; it must be a number of seconds > 0")


def check_backward(
    backward: Backward | str,
    *,
    hidden: str,
    output: str,
    max_examples: int = 200,
    hidden_layers: int | None = None,
    sizes: tuple[int, ...] | list[int] | None = None,
    labels: str = "soft",
    layout: str = "columns",
    per_example: bool = False,
    parameters: str = "lists",
    objective: str = "mean",
    returns: str = "dW,db",
    bias: str | None = None,
    dtype: str = "float64",
    isolate: bool | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    memory: int = DEFAULT_MEMORY,
    budget: float = DEFAULT_BUDGET,
) -> BackwardCheck:
    """Judge a user's backward pass (see the module docstring).

    ``backward`` is a function, called here, or ``"FILE.py:FUNCTION"``, called in a child
    process with ``timeout`` seconds per call and ``memory`` bytes of address space
    (``isolate=True`` does the same for a function defined at the top level of a file).
    ``hidden`` is ``sigmoid``, ``tanh`` or ``relu``; ``output`` is ``softmax``, ``sigmoid``
    or ``sigmoid_quadratic`` (the pairings of :class:`impl.Network`).  ``hidden_layers`` and
    ``sizes`` restrict the networks drawn to those the code is written for; ``labels``
    (``soft``, ``one-hot``, ``integer``) the labels; ``layout``, ``per_example``,
    ``parameters``, ``objective``, ``returns``, ``bias`` and ``dtype`` describe the user's
    convention (:class:`impl.testing.conventions.Convention`).

    A softmax regression (no hidden layer) judged right, then with the batch sum instead of
    the mean, a known mistake named in the diagnosis:

    >>> import numpy as np
    >>> def backward(weights, biases, X, Y):  # dJ/dW = (A - Y) X^T / m, dJ/db = (A - Y) 1 / m
    ...     (W,), (b,) = weights, biases
    ...     Z = W @ X + b
    ...     A = np.exp(Z - Z.max(axis=0))
    ...     A /= A.sum(axis=0)
    ...     dZ = (A - Y) / X.shape[1]
    ...     return [dZ @ X.T], [dZ.sum(axis=1, keepdims=True)]
    >>> options = dict(hidden="sigmoid", output="softmax", hidden_layers=0, max_examples=20)
    >>> check_backward(backward, **options).verdict
    'correct'
    >>> def summed(weights, biases, X, Y):
    ...     (dW,), (db,) = backward(weights, biases, X, Y)
    ...     return [X.shape[1] * dW], [X.shape[1] * db]
    >>> result = check_backward(summed, **options)
    >>> result.verdict, [mistake.id for mistake in result.diagnosis]
    ('wrong', ['sum-instead-of-mean'])
    """
    declared = Declared(hidden_layers, None if sizes is None else tuple(sizes))
    convention = Convention(
        layout, per_example, parameters, objective, returns, bias, labels, dtype
    )
    validate(hidden, output, max_examples, declared, convention, timeout, budget)
    call, isolated, user_file = caller(backward, isolate, timeout, memory)
    start = time.perf_counter()
    try:
        if isolated is not None:
            problem = isolated.load()
            if problem is not None:
                return BackwardCheck(
                    hidden,
                    output,
                    False,
                    0,
                    time.perf_counter() - start,
                    problem=problem.message,
                    verdict="error",
                    failure_kind="load",
                    location=location(problem, user_file),
                    convention=convention,
                )
        checker = Checker(call, hidden, output, convention, user_file)
        return run_check(checker, declared, max_examples, start, budget)
    finally:
        if isolated is not None:
            isolated.close()


def run_check(
    checker: Checker, declared: Declared, max_examples: int, start: float, budget: float
) -> BackwardCheck:
    notes: list[str] = []
    if _takes_class_indices(checker, declared):
        checker.convention = replace(checker.convention, labels="integer")
        notes.append(
            "your function takes class indices, not one-hot columns (it failed with one-hot "
            "labels and returned gradients with indices): judged with integer labels"
        )
    hidden, output, convention = checker.hidden, checker.output, checker.convention
    deadline = start + budget
    strategy = declared.strategy(output, convention)
    failing, count, stopped = checker.search(strategy, max_examples, deadline)
    if stopped == "budget":
        notes.append(
            f"the time budget of {budget:g} s ran out after {count} of {max_examples} cases; "
            "the verdict rests on those (give more time with --budget)"
        )
    if failing is None:
        result = BackwardCheck(hidden, output, True, count, 0.0, convention=convention, notes=notes)
        if convention.dtype == "float32":
            notes.append("judged with the float32 rounding bound (dtype float32)")
        result.seconds = time.perf_counter() - start
        return result
    result = _result(checker, failing, count, notes)
    result.diagnosis = checker.diagnose(failing)
    if stopped != "lost" and failing.got is None and declared.sizes is None:
        square_strategy = declared.strategy(output, convention, square=True)
        square, more, _ = checker.search(square_strategy, max_examples, deadline)
        result.examples += more
        if square is not None and square.got is not None:
            result.square_case = square.case
            result.wrong = square.wrong
            result.diagnosis = checker.diagnose(square)
    if stopped != "lost" and failing.array_problems and not failing.wrong:
        returned, more, _ = checker.search(strategy, max_examples, deadline, returned_only=True)
        result.examples += more
        if returned is not None:
            result.returned_case, result.returned_wrong = returned.case, returned.wrong
            result.diagnosis = result.diagnosis or checker.diagnose(returned)
    _hints(checker, declared, failing, result)
    result.seconds = time.perf_counter() - start
    return result


def probe_case(output: str, declared: Declared) -> Case:
    """One fixed case of the declared networks (n₀ = 3, hidden width 4, one hidden layer
    unless declared otherwise, 3 outputs), m = 3, hard labels."""
    if declared.sizes is not None:
        sizes = declared.sizes
    else:
        hidden = 1 if declared.hidden_layers is None else declared.hidden_layers
        sizes = (3, *([4] * hidden), 3)
    weights, biases = parameters(sizes, 1)
    X = np.linspace(-1.5, 1.5, sizes[0] * 3).reshape(sizes[0], 3)
    Y = np.eye(sizes[-1])[:, [i % sizes[-1] for i in (0, 1, 2)]]
    return Case(tuple(sizes), weights, biases, X, Y)


def _takes_class_indices(checker: Checker, declared: Declared) -> bool:
    """With ``labels="one-hot"`` and a softmax output, does the function take class indices
    instead (as course code often does: ``scores[range(m), y]``)?  Decided on one probe
    case: it fails with one-hot columns and returns readable gradients with indices."""
    if checker.convention.labels != "one-hot" or checker.output != "softmax":
        return False
    case = probe_case(checker.output, declared)
    one_hot = checker.judge(case)
    if one_hot.passed or (one_hot.failure is not None and one_hot.failure.process_lost):
        return False
    if one_hot.failure is None and not one_hot.problem:
        return False  # it returned gradients for one-hot labels: it takes them
    indices = replace(checker.convention, labels="integer")
    integer = Checker(checker.call, checker.hidden, checker.output, indices, checker.user_file)
    outcome = integer.judge(case)
    return outcome.failure is None and not outcome.problem and not outcome.array_problems


def _result(checker: Checker, failing: Outcome, count: int, notes: list[str]) -> BackwardCheck:
    failure = failing.failure
    result = BackwardCheck(
        checker.hidden,
        checker.output,
        False,
        count,
        0.0,
        failing.case,
        failing.description,
        failing.wrong,
        verdict="error" if failure is not None else "wrong",
        failure_kind="" if failure is None else failure.kind,
        array_problems=dict(failing.array_problems),
        notes=notes,
        convention=checker.convention,
        precision=failing.precision,
    )
    if failure is not None:
        result.location = location(failure, checker.user_file)
        if result.location:
            result.problem += f" (at {result.location})"
    if failing.precision == "float32":
        notes.append("judged with the float32 rounding bound (your arrays are float32)")
    return result


def _hints(checker: Checker, declared: Declared, failing: Outcome, result: BackwardCheck) -> None:
    """Notes that help the reader act: undeclared networks or labels, nondeterminism."""
    case = failing.case
    failure = failing.failure
    shape_trouble = (failure is not None and failure.kind == "raised") or bool(failing.problem)
    if shape_trouble and declared.sizes is None and declared.hidden_layers is None:
        result.notes.append(
            f"the check drew a network with {case.depth - 1} hidden layer"
            f"{'s' if case.depth != 2 else ''} (sizes {list(case.sizes)}); it draws 1–4 "
            "layers of widths 1–8 unless told otherwise. If your code is written for one "
            "architecture, declare it: --hidden-layers N (and --sizes n0,…,nL for fixed "
            "widths), or hidden_layers=/sizes= in Python; if it takes one-hot labels or class "
            "indices only, declare --labels one-hot (indices are then accepted too)"
        )
    soft = not np.all((case.Y == 0) | (case.Y == 1))
    alive = failure is None or not failure.process_lost
    if soft and checker.convention.labels == "soft" and alive:
        hard = checker.judge(hardened(case, checker.output))
        if hard.passed:
            result.notes.append(
                "your function is right on this case with hard (one-hot) labels and fails "
                "with these soft labels. If it is meant for one-hot labels only, declare "
                "--labels one-hot (or --labels integer for class indices)"
            )
    if failing.got is not None and failure is None:
        again = checker.judge(case)
        if again.got is not None and not _same(again.got, failing.got, case, failing.precision):
            result.notes.append(
                "your function gives different results for the same input (called twice on "
                "this case): a gradient is a function of its inputs"
            )


def _same(
    first: list[np.ndarray | None], second: list[np.ndarray | None], case: Case, precision: str
) -> bool:
    relative, slack = tolerance(case, precision), absolute_tolerance(case, precision)
    for a, b in zip(first, second, strict=True):
        if (a is None) != (b is None):
            return False
        if a is not None and b is not None:
            scale = np.maximum(np.abs(a), np.abs(b))
            with np.errstate(all="ignore"):
                if not np.all(np.abs(a - b) <= relative * scale + slack):
                    return False
    return True


def assert_backward_correct(
    backward: Backward | str, *, hidden: str, output: str, **options: Any
) -> None:
    """For a user's pytest: ``AssertionError`` with the report unless ``backward`` is right."""
    result = check_backward(backward, hidden=hidden, output=output, **options)
    if not result.passed:
        raise AssertionError(result.report())
