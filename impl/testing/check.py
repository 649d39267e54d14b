"""Check a user's backward pass: verdict, smallest failing case, wrong arrays, known mistakes.

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

import inspect
import random
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from hypothesis import HealthCheck, Verbosity, given, reject, settings
from hypothesis import strategies as st

from impl.activations import HIDDEN_ACTIVATIONS
from impl.gradcheck import numerical_gradients, relative_error
from impl.losses import OUTPUT_LAYERS
from impl.testing.conventions import Convention, Gradients, array_names
from impl.testing.isolation import (
    DEFAULT_MEMORY,
    DEFAULT_TIMEOUT,
    Failure,
    Frame,
    IsolatedFunction,
    Returned,
    plain_in_process,
)
from impl.testing.reference import (
    absolute_tolerance,
    magnitudes,
    tolerance,
    verified_gradients,
    verified_network,
)
from impl.testing.strategies import Case, cases, parameters

if TYPE_CHECKING:
    from derivations.mistakes import KnownMistake

__all__ = ["ArrayError", "BackwardCheck", "assert_backward_correct", "check_backward"]

Backward = Callable[..., object]
#: the seconds a whole check may take before it stops drawing cases (and says so)
DEFAULT_BUDGET = 120.0
#: how the error of a wrong array is measured (printed beside it)
ERROR_MEASURE = "max|yours − true| / max(max|yours|, max|true|)"


@dataclass(frozen=True)
class ArrayError:
    """A wrong gradient array: its name (dW2, db1), expected shape and errors."""

    name: str
    shape: tuple[int, ...]
    #: max |yours − verified| / max(max |yours|, max |verified|) (normwise relative)
    error: float
    #: the same against central differences (h = 1e-6)
    error_central: float
    #: the worst entry: its index in the user's layout, the true value and the user's
    index: tuple[int, ...] = ()
    true: float = 0.0
    yours: float = 0.0
    #: yours / true when it is the same number in every entry (2.0 for a doubled gradient)
    ratio: float | None = None


@dataclass
class _Outcome:
    """What the user's function did on one case."""

    case: Case
    failure: Failure | None = None  # it raised, exited, crashed, timed out
    problem: str = ""  # a malformed result: nothing could be read
    array_problems: dict[str, str] = field(default_factory=dict)
    wrong: list[ArrayError] = field(default_factory=list)
    #: the arrays read (our layout, [dW¹…, db¹…]; None where unreadable)
    got: list[np.ndarray | None] | None = None
    precision: str = "float64"

    @property
    def passed(self) -> bool:
        return (
            self.failure is None
            and not self.problem
            and not self.array_problems
            and (not self.wrong)
        )

    @property
    def description(self) -> str:
        if self.failure is not None:
            return self.failure.message
        if self.problem:
            return self.problem
        return "; ".join(self.array_problems.values())


class _WrongError(Exception):
    def __init__(self, outcome: _Outcome) -> None:
        super().__init__("the backward pass is wrong")
        self.outcome = outcome


class _Stop(BaseException):
    """Ends a search at once: the child is gone, or the time budget is spent."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
    #: when the smallest case is a crash: the smallest failing case on square layers (then
    #: ``wrong`` are the wrong arrays there)
    square_case: Case | None = None
    #: when some arrays are missing or unreadable: the smallest case where the arrays it
    #: did return are wrong, and those arrays
    returned_case: Case | None = None
    returned_wrong: list[ArrayError] = field(default_factory=list)
    #: correct, wrong (it returned wrong or malformed gradients) or error (it raised,
    #: exited, crashed, timed out, or could not be loaded)
    verdict: str = "correct"
    #: raised, exit, crash, timeout, memory, load (for an error)
    failure_kind: str = ""
    #: file:line of the user's code where it raised
    location: str = ""
    array_problems: dict[str, str] = field(default_factory=dict)
    #: what else the reader should know: the declared networks, the labels, the budget
    notes: list[str] = field(default_factory=list)
    convention: Convention = field(default_factory=Convention)
    #: the precision the result was judged in
    precision: str = "float64"

    def report(self) -> str:
        """The verdict for a person: smallest case, wrong arrays, known mistakes with links."""
        head = f"check-backward (hidden {self.hidden}, output {self.output}): "
        if self.passed:
            lines = [head + f"correct on {self.examples} cases ({self.seconds:.1f} s)"]
            lines += [f"note: {note}" for note in self.notes]
            return "\n".join(lines)
        word = "ERROR" if self.verdict == "error" else "WRONG"
        lines = [head + f"{word} (after {self.examples} cases, {self.seconds:.1f} s)"]
        if self.verdict == "error" and self.failure_kind != "load":
            lines.append(
                "your function did not return gradients (an error in the code, not a wrong "
                "gradient):"
            )
        if self.problem:
            lines.append(f"your function: {self.problem}")
        if self.case is not None:
            lines.append("on this case:" if self.verdict == "error" else "smallest failing case:")
            lines += ["  " + line for line in describe(self.case, self.convention)]
        for error in [] if self.square_case is not None else self.wrong:
            lines += _error_lines(error)
        if self.returned_case is not None:
            lines.append("the arrays it does return are wrong too; the smallest such case:")
            lines += ["  " + line for line in describe(self.returned_case, self.convention)]
            for error in self.returned_wrong:
                lines += _error_lines(error)
        if self.square_case is not None:
            lines.append("on square layers the smallest failing case is:")
            lines += ["  " + line for line in describe(self.square_case, self.convention)]
            for error in self.wrong:
                lines += _error_lines(error)
        if self.diagnosis:
            lines.append("diagnosis (known mistakes that reproduce your output there):")
            for entry in self.diagnosis:
                lines.append(f"  {entry.id}: {entry.explanation}")
                lines.append(f"    proof of the right formula: {entry.link}")
        elif self.verdict == "wrong":
            lines.append("diagnosis: no known mistake reproduces your output there")
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        """The result as JSON-ready data (``passed``, ``diagnosis`` as ids, the case)."""
        return {
            "passed": self.passed,
            "verdict": self.verdict,
            "hidden": self.hidden,
            "output": self.output,
            "examples": self.examples,
            "seconds": round(self.seconds, 3),
            "diagnosis": [entry.id for entry in self.diagnosis],
            "links": {entry.id: entry.link for entry in self.diagnosis},
            "problem": self.problem,
            "failure": self.failure_kind,
            "location": self.location,
            "array_problems": dict(self.array_problems),
            "notes": list(self.notes),
            "convention": self.convention.describe(),
            "precision": self.precision,
            "error_measure": ERROR_MEASURE,
            "wrong": [
                {
                    "array": e.name,
                    "shape": list(e.shape),
                    "error": e.error,
                    "error_central": e.error_central,
                    "worst_index": list(e.index),
                    "true": e.true,
                    "yours": e.yours,
                    "ratio": e.ratio,
                }
                for e in self.wrong
            ],
            "case": None if self.case is None else _case_json(self.case),
            "square_case": None if self.square_case is None else _case_json(self.square_case),
            "returned_case": (
                None if self.returned_case is None else _case_json(self.returned_case)
            ),
            "returned_wrong": [
                {
                    "array": e.name,
                    "error": e.error,
                    "worst_index": list(e.index),
                    "true": e.true,
                    "yours": e.yours,
                    "ratio": e.ratio,
                }
                for e in self.returned_wrong
            ],
        }


def _error_lines(error: ArrayError) -> list[str]:
    index = ", ".join(str(i) for i in error.index)
    worst = f"worst entry {error.name}[{index}]: true {error.true:.6g}, yours {error.yours:.6g}"
    if error.ratio is not None:
        worst += f" (yours = {error.ratio:.6g} × true in every entry)"
    return [
        f"  {error.name} {error.shape}: {worst}",
        f"    error {ERROR_MEASURE} = {error.error:.3g} against the verified gradient, "
        f"{error.error_central:.3g} against central differences",
    ]


def describe(case: Case, convention: Convention | None = None) -> list[str]:
    """The case as lines: sizes, m, X, Y, then the parameters (this project's layout)."""

    def show(array: np.ndarray) -> str:
        return np.array2string(array, precision=6, separator=", ").replace("\n", "")

    hidden = case.depth - 1
    layers = f"{case.depth} layer{'s' if case.depth > 1 else ''}, {hidden} hidden"
    hard = bool(np.all((case.Y == 0) | (case.Y == 1)))
    lines = [
        f"sizes {list(case.sizes)} ({layers}), m = {case.m}, "
        f"{'hard (one-hot or 0/1)' if hard else 'soft'} labels",
        f"X = {show(case.X)}",
        f"Y = {show(case.Y)}",
    ]
    for k, (w, b) in enumerate(zip(case.weights, case.biases, strict=True), start=1):
        lines.append(f"W{k} = {show(w)}, b{k} = {show(b)}")
    if convention is not None and not convention.is_default():
        lines.append(
            "(shown with examples in columns, W (n_out, n_in); your function got them with "
            f"{convention.describe()})"
        )
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


# ---------------------------------------------------------------------- calling it


def _in_process(function: Backward) -> Callable[[list[Any]], Returned | Failure]:
    """Call ``function`` here; its exception, ``sys.exit`` or a changed NumPy error state
    stay findings (the error state is restored after every call).

    Hypothesis seeds the global ``random`` and ``numpy.random`` states for every case, which
    would make a function that draws random numbers look deterministic: the function gets its
    own states instead, seeded from the operating system and carried from call to call.
    """
    own_random = random.Random().getstate()
    own_numpy = np.random.RandomState().get_state()

    def call(args: list[Any]) -> Returned | Failure:
        nonlocal own_random, own_numpy
        saved = np.geterr()
        saved_random, saved_numpy = random.getstate(), np.random.get_state()
        random.setstate(own_random)
        np.random.set_state(own_numpy)
        start = time.perf_counter()
        try:
            value = plain_in_process(function(*args))
        except SystemExit as stop:
            return Failure("exit", f"called sys.exit({stop.code!r})")
        except Exception as error:  # the user's code: its exception and where it was raised
            frames = tuple(
                Frame(f.filename, f.lineno or 0, f.name, f.line or "")
                for f in traceback.extract_tb(error.__traceback__)
                if Path(f.filename).resolve() != _HERE
            )
            text = (
                f"raised {type(error).__name__}: {error}"
                if str(error)
                else (f"raised {type(error).__name__}")
            )
            return Failure("raised", text, frames)
        finally:
            np.seterr(**saved)
            own_random, own_numpy = random.getstate(), np.random.get_state()
            random.setstate(saved_random)
            np.random.set_state(saved_numpy)
        return Returned(value, time.perf_counter() - start)

    return call


_HERE = Path(__file__).resolve()


def _location(failure: Failure, user_file: str | None) -> str:
    """file:line of the user's frame (the deepest in their file, else the deepest)."""
    if not failure.frames:
        return ""
    frames = list(failure.frames)
    if user_file is not None:
        mine = [f for f in frames if Path(f.file).resolve() == Path(user_file).resolve()]
        if mine:
            frames = mine
    last = frames[-1]
    code = f": {last.code}" if last.code else ""
    return f"{last.file}:{last.line} (in {last.function}{code})"


# ------------------------------------------------------------------------- judging


@dataclass
class _Checker:
    """One user's function, its declared networks and convention: judges cases."""

    call: Callable[[list[Any]], Returned | Failure]
    hidden: str
    output: str
    convention: Convention
    user_file: str | None = None

    def judge(self, case: Case) -> _Outcome:
        values = []
        for args in self.convention.calls(case):
            answer = self.call(args)
            if isinstance(answer, Failure):
                return _Outcome(case, failure=answer)
            values.append(answer.value)
        with np.errstate(all="ignore"):
            read = self.convention.gradients(values, case)
            return self._compare(case, read)

    def _compare(self, case: Case, read: Gradients) -> _Outcome:
        precision = "float32" if self.convention.dtype == "float32" else read.precision
        outcome = _Outcome(
            case,
            problem=read.problem,
            array_problems=dict(read.problems),
            got=None if read.problem else read.arrays,
            precision=precision,
        )
        if read.problem:
            return outcome
        dW, db = verified_gradients(case, self.hidden, self.output)
        want = dW + db
        scales = magnitudes(case, self.hidden, self.output)
        relative, slack = tolerance(case, precision), absolute_tolerance(case, precision)
        wrong_at = [
            n
            for n, got in enumerate(read.arrays)
            if got is not None and not np.all(np.abs(got - want[n]) <= relative * scales[n] + slack)
        ]
        if not wrong_at:
            return outcome
        network = verified_network(case, self.hidden, self.output)
        central_W, central_b = numerical_gradients(network, case.X, case.Y, method="central")
        central = list(central_W) + list(central_b)
        names = array_names(case.depth)
        for n in wrong_at:
            got = read.arrays[n]
            assert got is not None
            difference = np.abs(got - want[n])
            worst = np.unravel_index(int(np.argmax(difference)), difference.shape)
            index = tuple(int(i) for i in worst)
            outcome.wrong.append(
                ArrayError(
                    names[n],
                    want[n].shape,
                    relative_error(got, want[n]),
                    relative_error(got, central[n]),
                    self.convention.user_index(names[n], index),
                    float(want[n][index]),
                    float(got[index]),
                    _ratio(got, want[n]),
                )
            )
        return outcome

    # -- the search ----------------------------------------------------------------------

    def search(
        self,
        strategy: st.SearchStrategy[Case],
        max_examples: int,
        deadline: float,
        returned_only: bool = False,
    ) -> tuple[_Outcome | None, int, str]:
        """(the smallest failing outcome or None, cases judged, why it stopped early or "").

        ``returned_only``: fail only on wrong numbers in the arrays that were returned (a
        missing or unreadable array is let pass), to show what else is wrong.
        """

        def fails(outcome: _Outcome) -> bool:
            return bool(outcome.wrong) if returned_only else not outcome.passed

        memo: dict[bytes, _Outcome] = {}
        count = 0
        smallest: _Outcome | None = None

        @settings(
            max_examples=max_examples,
            database=None,
            derandomize=True,
            deadline=None,
            verbosity=Verbosity.quiet,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def backward_is_correct(case: Case) -> None:
            nonlocal count, smallest
            key = _key(case)
            outcome = memo.get(key)
            if outcome is None:
                if self.hidden == "relu":  # no derivative at z = 0: either is right there
                    cache_ = verified_network(case, self.hidden, self.output).forward(case.X)
                    if not all(np.all(z != 0.0) for z in cache_.Z[:-1]):
                        reject()
                if time.perf_counter() > deadline:
                    raise _Stop("budget")
                outcome = memo[key] = self.judge(case)
                count += 1
                if fails(outcome) and (smallest is None or _size(case) < _size(smallest.case)):
                    smallest = outcome
                if outcome.failure is not None and outcome.failure.process_lost:
                    raise _Stop("lost")
            if fails(outcome):
                raise _WrongError(outcome)

        try:
            backward_is_correct()
        except _WrongError as wrong:
            return wrong.outcome, count, ""
        except _Stop as stop:
            return smallest, count, stop.reason
        except BaseExceptionGroup as group:  # several distinct failures: report the first
            matched, _ = group.split(_WrongError)
            if matched is None:
                raise
            first = matched.exceptions[0]
            while isinstance(first, BaseExceptionGroup):
                first = first.exceptions[0]
            return first.outcome, count, ""
        return None, count, ""

    # -- the diagnosis -------------------------------------------------------------------

    def diagnose(self, outcome: _Outcome) -> list[KnownMistake]:
        """Every known mistake (alone, else two together) that reproduces the output at the
        case and changes the gradient there."""
        if outcome.got is None or all(g is None for g in outcome.got):
            return []
        from derivations.mistakes import mistake
        from impl.testing import mistakes as known

        case = outcome.case
        hidden, output = self.hidden, self.output
        dW, db = verified_gradients(case, hidden, output)
        truth = dW + db
        scales = magnitudes(case, hidden, output)
        relative = tolerance(case, outcome.precision)
        slack = absolute_tolerance(case, outcome.precision)
        found: list[str] = []
        with np.errstate(all="ignore"):
            for combination in known.combinations(case, hidden, output):
                if found and len(combination) > 1:
                    break  # a single mistake explains it: pairs would only add noise
                wrong_W, wrong_b = known.reproduce(combination, case, hidden, output)
                theirs_all = wrong_W + wrong_b
                factor = case.m if "sum-instead-of-mean" in combination else 1
                bounds = [factor * s + np.abs(t) for s, t in zip(scales, theirs_all, strict=True)]
                if all(  # the mistake changes nothing they returned: it cannot be what they did
                    np.all(np.abs(t - r) <= relative * b + slack)
                    for t, r, b, mine in zip(theirs_all, truth, bounds, outcome.got, strict=True)
                    if mine is not None
                ):
                    continue
                if all(
                    np.all(np.abs(mine - theirs) <= relative * bound + slack)
                    for mine, theirs, bound in zip(outcome.got, theirs_all, bounds, strict=True)
                    if mine is not None
                ):
                    found += [identifier for identifier in combination if identifier not in found]
        return [mistake(identifier) for identifier in found]


def _ratio(got: np.ndarray, want: np.ndarray) -> float | None:
    """got / want when it is one number in every entry (and want has no zeros)."""
    if want.size == 0 or np.any(want == 0):
        return None
    ratios = got / want
    first = float(ratios.flat[0])
    if np.all(np.abs(ratios - first) <= 1e-6 * max(1.0, abs(first))) and abs(first - 1) > 1e-6:
        return first
    return None


def _key(case: Case) -> bytes:
    parts = [np.asarray(case.sizes, dtype=np.int64).tobytes(), case.X.tobytes(), case.Y.tobytes()]
    parts += [array.tobytes() for array in (*case.weights, *case.biases)]
    return b"|".join(parts)


def _size(case: Case) -> tuple[int, int, int]:
    return (case.depth, sum(case.sizes), case.m)


def _hardened(case: Case, output: str) -> Case:
    """The case with hard labels (each soft column replaced by its most likely class)."""
    if output == "softmax":
        Y = np.eye(case.Y.shape[0])[:, np.argmax(case.Y, axis=0)]
    else:
        Y = np.rint(case.Y)
    return Case(case.sizes, case.weights, case.biases, case.X, Y)


def _as_float32(case: Case) -> Case:
    def rounded(array: np.ndarray) -> np.ndarray:
        return array.astype(np.float32).astype(np.float64)

    return Case(
        case.sizes,
        tuple(rounded(w) for w in case.weights),
        tuple(rounded(b) for b in case.biases),
        rounded(case.X),
        rounded(case.Y),
    )


# --------------------------------------------------------------------- the entry


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
        return strategy.map(_as_float32) if convention.dtype == "float32" else strategy

    def words(self) -> str:
        if self.sizes is not None:
            return f"sizes {list(self.sizes)}"
        if self.hidden_layers is not None:
            return f"{self.hidden_layers} hidden layer{'s' if self.hidden_layers != 1 else ''}"
        return "1–4 layers, widths 1–8"


def _validate(
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


def _caller(
    backward: Backward | str, isolate: bool | None, timeout: float, memory: int
) -> tuple[Callable[[list[Any]], Returned | Failure], IsolatedFunction | None, str | None]:
    """(call, the child if isolated, the user's file)."""
    if isinstance(backward, str):
        file_name, separator, function_name = backward.rpartition(":")
        if not separator or not file_name or not function_name:
            raise ValueError(f"expected FILE.py:FUNCTION, got {backward!r}")
        isolated = IsolatedFunction(Path(file_name), function_name, timeout, memory)
        return (lambda args: isolated.call(*args)), isolated, str(isolated.path)
    if not callable(backward):
        raise TypeError(f"backward is a {type(backward).__name__}, not a function")
    if isolate:
        source = inspect.getsourcefile(backward)  # type: ignore[arg-type]
        name = getattr(backward, "__qualname__", "")
        if source is None or not name.isidentifier():
            raise ValueError(
                "isolate=True needs a function defined at the top level of a .py file; "
                'pass "FILE.py:FUNCTION" instead'
            )
        return _caller(f"{source}:{name}", None, timeout, memory)
    file_name = getattr(getattr(backward, "__code__", None), "co_filename", None)
    return _in_process(backward), None, file_name


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
    """
    declared = Declared(hidden_layers, None if sizes is None else tuple(sizes))
    convention = Convention(
        layout, per_example, parameters, objective, returns, bias, labels, dtype
    )
    _validate(hidden, output, max_examples, declared, convention, timeout, budget)
    call, isolated, user_file = _caller(backward, isolate, timeout, memory)
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
                    location=_location(problem, user_file),
                    convention=convention,
                )
        checker = _Checker(call, hidden, output, convention, user_file)
        return _check(checker, declared, max_examples, start, budget)
    finally:
        if isolated is not None:
            isolated.close()


def _check(
    checker: _Checker, declared: Declared, max_examples: int, start: float, budget: float
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


def _takes_class_indices(checker: _Checker, declared: Declared) -> bool:
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
    integer = _Checker(checker.call, checker.hidden, checker.output, indices, checker.user_file)
    outcome = integer.judge(case)
    return outcome.failure is None and not outcome.problem and not outcome.array_problems


def _result(checker: _Checker, failing: _Outcome, count: int, notes: list[str]) -> BackwardCheck:
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
        result.location = _location(failure, checker.user_file)
        if result.location:
            result.problem += f" (at {result.location})"
    if failing.precision == "float32":
        notes.append("judged with the float32 rounding bound (your arrays are float32)")
    return result


def _hints(checker: _Checker, declared: Declared, failing: _Outcome, result: BackwardCheck) -> None:
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
        hard = checker.judge(_hardened(case, checker.output))
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
