"""Check a user's backward pass: verdict, smallest failing case, wrong arrays, known mistakes.

``check_backward(backward, hidden=..., output=...)`` draws networks and batches with
Hypothesis (:func:`impl.testing.strategies.cases`: depth 1–4, widths 1–8 with square layers,
m = 1–8, hard and soft labels), calls ``backward(weights, biases, X, Y) -> (dW, db)`` on
copies, and requires every array to equal the verified gradient of J = (1/m) Σᵢ Lᵢ
(:mod:`impl.testing.reference`) to within the rounding bound written there.  On a failure
Hypothesis shrinks to the smallest case it can find; the result names the wrong arrays (with
their error against the verified gradient *and* against central differences,
:func:`impl.gradcheck.numerical_gradients`) and every known mistake
(:mod:`derivations.mistakes`, reproduced by :mod:`impl.testing.mistakes`) — alone or two
together — that reproduces the user's output at that case.

A function that raises, returns the wrong number of arrays or arrays of the wrong shape is
wrong; the result shows its exception or the expected shape.  If the smallest failing case
is such a crash, a second search on square layers (where W and Wᵀ have the same shape)
looks for a case with numbers to diagnose.  For ReLU, a case where a hidden pre-activation
is exactly 0 is never drawn: there is no derivative there, so either convention passes.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from hypothesis import HealthCheck, Verbosity, assume, given, settings
from hypothesis.errors import Flaky

from derivations.mistakes import KnownMistake, mistake
from impl.activations import HIDDEN_ACTIVATIONS
from impl.gradcheck import numerical_gradients, relative_error
from impl.losses import OUTPUT_LAYERS
from impl.testing import mistakes as known
from impl.testing.reference import agrees, magnitudes, verified_gradients, verified_network
from impl.testing.strategies import Case, cases

__all__ = ["ArrayError", "BackwardCheck", "assert_backward_correct", "check_backward"]

Backward = Callable[..., object]


@dataclass(frozen=True)
class ArrayError:
    """A wrong gradient array: its name (dW2, db1), expected shape and errors."""

    name: str
    shape: tuple[int, ...]
    #: max |yours − verified| / max |verified| (normwise relative)
    error: float
    #: the same against central differences (h = 1e-6)
    error_central: float


@dataclass
class _Outcome:
    """What the user's function did on one case."""

    case: Case
    problem: str = ""  # an exception or a malformed return value
    wrong: list[ArrayError] = field(default_factory=list)
    got: tuple[list[np.ndarray], list[np.ndarray]] | None = None

    @property
    def passed(self) -> bool:
        return not self.problem and not self.wrong


class _WrongError(Exception):
    def __init__(self, outcome: _Outcome) -> None:
        super().__init__("the backward pass is wrong")
        self.outcome = outcome


@dataclass
class BackwardCheck:
    """The verdict on a backward pass (``passed``), with the evidence when it is wrong."""

    hidden: str
    output: str
    passed: bool
    examples: int
    seconds: float
    #: the smallest failing case found, what went wrong there, and the known mistakes
    case: Case | None = None
    problem: str = ""
    wrong: list[ArrayError] = field(default_factory=list)
    diagnosis: list[KnownMistake] = field(default_factory=list)
    #: when the smallest case is a crash: the smallest failing case on square layers
    square_case: Case | None = None

    def report(self) -> str:
        """The verdict for a person: smallest case, wrong arrays, known mistakes with links."""
        head = f"check-backward (hidden {self.hidden}, output {self.output}): "
        if self.passed:
            return head + f"correct on {self.examples} cases ({self.seconds:.1f} s)"
        lines = [head + f"WRONG (after {self.examples} cases, {self.seconds:.1f} s)"]
        if self.case is not None:
            lines.append("smallest failing case:")
            lines += ["  " + line for line in describe(self.case)]
        if self.problem:
            lines.append(f"your function: {self.problem}")
        for error in self.wrong:
            lines.append(
                f"  {error.name} {error.shape}: relative error {error.error:.3g} against the "
                f"verified gradient, {error.error_central:.3g} against central differences"
            )
        if self.square_case is not None:
            lines.append("on square layers the smallest failing case is:")
            lines += ["  " + line for line in describe(self.square_case)]
        if self.diagnosis:
            lines.append("diagnosis (known mistakes that reproduce your output there):")
            for entry in self.diagnosis:
                lines.append(f"  {entry.id}: {entry.explanation}")
                lines.append(f"    proof of the right formula: {entry.link}")
        else:
            lines.append("diagnosis: no known mistake reproduces your output there")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        """The result as JSON-ready data (``passed``, ``diagnosis`` as ids, the case)."""
        return {
            "passed": self.passed,
            "hidden": self.hidden,
            "output": self.output,
            "examples": self.examples,
            "seconds": round(self.seconds, 3),
            "diagnosis": [entry.id for entry in self.diagnosis],
            "links": {entry.id: entry.link for entry in self.diagnosis},
            "problem": self.problem,
            "wrong": [
                {
                    "array": e.name,
                    "shape": list(e.shape),
                    "error": e.error,
                    "error_central": e.error_central,
                }
                for e in self.wrong
            ],
            "case": None if self.case is None else _case_json(self.case),
            "square_case": None if self.square_case is None else _case_json(self.square_case),
        }


def describe(case: Case) -> list[str]:
    """The case as lines: sizes, m, X, Y, then the parameters."""

    def show(array: np.ndarray) -> str:
        return np.array2string(array, precision=6, separator=", ").replace("\n", "")

    lines = [
        f"sizes {list(case.sizes)}, m = {case.m}",
        f"X = {show(case.X)}",
        f"Y = {show(case.Y)}",
    ]
    for k, (w, b) in enumerate(zip(case.weights, case.biases, strict=True), start=1):
        lines.append(f"W{k} = {show(w)}, b{k} = {show(b)}")
    return lines


def _case_json(case: Case) -> dict[str, object]:
    return {
        "sizes": list(case.sizes),
        "m": case.m,
        "X": case.X.tolist(),
        "Y": case.Y.tolist(),
        "weights": [w.tolist() for w in case.weights],
        "biases": [b.tolist() for b in case.biases],
    }


def _names(depth: int) -> list[str]:
    return [f"dW{k}" for k in range(1, depth + 1)] + [f"db{k}" for k in range(1, depth + 1)]


def _expected_shapes(case: Case) -> list[tuple[int, ...]]:
    return [w.shape for w in case.weights] + [b.shape for b in case.biases]


def _call(backward: Backward, case: Case) -> tuple[list[np.ndarray] | None, str]:
    """The user's arrays [dW¹…, db¹…] in order, or None and what went wrong."""
    try:
        result = backward(
            [w.copy() for w in case.weights],
            [b.copy() for b in case.biases],
            case.X.copy(),
            case.Y.copy(),
        )
    except Exception as error:  # the user's code: show its exception and where it was raised
        frames = traceback.extract_tb(error.__traceback__)
        where = f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
        return None, f"raised {type(error).__name__}: {error}{where}"
    depth = case.depth
    if not isinstance(result, Sequence) or len(result) != 2:
        return None, (
            f"returned {type(result).__name__}; expected a pair (dW, db) of lists of "
            f"{depth} arrays each"
        )
    arrays = []
    for label, part in zip(("dW", "db"), result, strict=True):
        if not isinstance(part, Sequence) or len(part) != depth:
            count = len(part) if isinstance(part, Sequence) else type(part).__name__
            return None, f"{label} has {count} entries; expected one per layer: {depth}"
        arrays += list(part)
    converted = []
    for name, array, shape in zip(_names(depth), arrays, _expected_shapes(case), strict=True):
        try:
            value = np.asarray(array, dtype=np.float64)
        except (TypeError, ValueError) as error:
            return None, f"{name} is not an array of numbers ({error})"
        if value.shape != shape:
            return None, f"{name} has shape {value.shape}; expected {shape}"
        if not np.all(np.isfinite(value)):
            return None, f"{name} has entries that are not finite"
        converted.append(value)
    return converted, ""


def _judge(backward: Backward, case: Case, hidden: str, output: str) -> _Outcome:
    got, problem = _call(backward, case)
    if got is None:
        return _Outcome(case, problem)
    dW, db = verified_gradients(case, hidden, output)
    want = dW + db
    scales = magnitudes(case, hidden, output)
    outcome = _Outcome(case, got=(got[: case.depth], got[case.depth :]))
    wrong_at = [n for n in range(len(want)) if not agrees(got[n], want[n], scales[n])]
    if wrong_at:
        network = verified_network(case, hidden, output)
        central_W, central_b = numerical_gradients(network, case.X, case.Y, method="central")
        central = list(central_W) + list(central_b)
        for n in wrong_at:
            outcome.wrong.append(
                ArrayError(
                    _names(case.depth)[n],
                    want[n].shape,
                    relative_error(got[n], want[n]),
                    relative_error(got[n], central[n]),
                )
            )
    return outcome


def _diagnose(outcome: _Outcome, hidden: str, output: str) -> list[KnownMistake]:
    if outcome.got is None:
        return []
    case = outcome.case
    got = outcome.got[0] + outcome.got[1]
    scales = magnitudes(case, hidden, output)
    found: list[str] = []
    for combination in known.combinations(case, hidden, output):
        if found and len(combination) > 1:
            break  # a single mistake explains it: pairs would only add noise
        dW, db = known.reproduce(combination, case, hidden, output)
        factor = case.m if "sum-instead-of-mean" in combination else 1
        if all(
            agrees(mine, theirs, factor * scale + np.abs(theirs))
            for mine, theirs, scale in zip(got, dW + db, scales, strict=True)
        ):
            found += [identifier for identifier in combination if identifier not in found]
    return [mistake(identifier) for identifier in found]


def _search(
    backward: Backward, hidden: str, output: str, max_examples: int, square: bool | None
) -> tuple[_Outcome | None, int]:
    """(the smallest failing outcome Hypothesis found or None, examples run)."""
    count = 0

    @settings(
        max_examples=max_examples,
        database=None,
        derandomize=True,
        deadline=None,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases(output, square=square))
    def backward_is_correct(case: Case) -> None:
        nonlocal count
        if hidden == "relu":  # no derivative at z = 0: either convention is right there
            cache_ = verified_network(case, hidden, output).forward(case.X)
            assume(all(np.all(z != 0.0) for z in cache_.Z[:-1]))
        count += 1
        outcome = _judge(backward, case, hidden, output)
        if not outcome.passed:
            raise _WrongError(outcome)

    try:
        backward_is_correct()
    except _WrongError as wrong:
        return wrong.outcome, count
    except Flaky as flaky:
        raise _NotAFunctionError(str(flaky).splitlines()[0]) from None
    except BaseExceptionGroup as group:  # several distinct failures: report the first
        matched, _ = group.split(_WrongError)
        if matched is None:
            raise
        first = matched.exceptions[0]
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        return first.outcome, count
    return None, count


class _NotAFunctionError(Exception):
    """The backward pass gives different answers on the same input."""


def check_backward(
    backward: Backward, *, hidden: str, output: str, max_examples: int = 200
) -> BackwardCheck:
    """Judge ``backward(weights, biases, X, Y) -> (dW, db)`` (see the module docstring).

    ``hidden`` is ``sigmoid``, ``tanh`` or ``relu``; ``output`` is ``softmax``, ``sigmoid``
    or ``sigmoid_quadratic`` (the pairings of :class:`impl.Network`).
    """
    if hidden not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"hidden is {hidden!r}; expected one of {', '.join(HIDDEN_ACTIVATIONS)}")
    if output not in OUTPUT_LAYERS:
        raise ValueError(f"output is {output!r}; expected one of {', '.join(OUTPUT_LAYERS)}")
    if not callable(backward):
        raise TypeError(f"backward is a {type(backward).__name__}, not a function")
    start = time.perf_counter()
    try:
        failing, count = _search(backward, hidden, output, max_examples, None)
    except _NotAFunctionError as error:
        return BackwardCheck(
            hidden,
            output,
            False,
            0,
            time.perf_counter() - start,
            problem=f"gives different results for the same input ({error})",
        )
    if failing is None:
        return BackwardCheck(hidden, output, True, count, time.perf_counter() - start)
    result = BackwardCheck(
        hidden, output, False, count, 0.0, failing.case, failing.problem, failing.wrong
    )
    result.diagnosis = _diagnose(failing, hidden, output)
    if failing.got is None:
        try:
            square, more = _search(backward, hidden, output, max_examples, True)
        except _NotAFunctionError:
            square, more = None, 0
        result.examples += more
        if square is not None and square.got is not None:
            result.square_case = square.case
            result.diagnosis = _diagnose(square, hidden, output)
    result.seconds = time.perf_counter() - start
    return result


def assert_backward_correct(backward: Backward, *, hidden: str, output: str, **options) -> None:
    """For a user's pytest: ``AssertionError`` with the report unless ``backward`` is right."""
    result = check_backward(backward, hidden=hidden, output=output, **options)
    if not result.passed:
        raise AssertionError(result.report())
