"""The verdict on a user's backward pass and how it reads: the result, its report, its JSON.

:class:`BackwardCheck` is what :func:`impl.testing.check_backward` returns: correct, wrong
(with the smallest failing case, the wrong arrays as :class:`ArrayError` and the known mistakes
that reproduce them) or error; :meth:`BackwardCheck.report` is its text for a person,
:meth:`BackwardCheck.to_json` its data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from impl.testing.conventions import Convention
from impl.testing.strategies import Case

if TYPE_CHECKING:
    from derivations.mistakes import KnownMistake

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
            lines += error_lines(error)
        if self.returned_case is not None:
            lines.append("the arrays it does return are wrong too; the smallest such case:")
            lines += ["  " + line for line in describe(self.returned_case, self.convention)]
            for error in self.returned_wrong:
                lines += error_lines(error)
        if self.square_case is not None:
            lines.append("on square layers the smallest failing case is:")
            lines += ["  " + line for line in describe(self.square_case, self.convention)]
            for error in self.wrong:
                lines += error_lines(error)
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
            "case": None if self.case is None else case_json(self.case),
            "square_case": None if self.square_case is None else case_json(self.square_case),
            "returned_case": (
                None if self.returned_case is None else case_json(self.returned_case)
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


def error_lines(error: ArrayError) -> list[str]:
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


def case_json(case: Case) -> dict[str, object]:
    return {
        "sizes": list(case.sizes),
        "m": case.m,
        "X": case.X.tolist(),
        "Y": case.Y.tolist(),
        "weights": [w.tolist() for w in case.weights],
        "biases": [b.tolist() for b in case.biases],
    }
