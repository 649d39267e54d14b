"""Grade a folder of backward passes: a verdict, partial credit and feedback per submission.

A submission is a ``.py`` file in the folder, or a sub-folder holding one (if it holds
several, the one whose text defines the function).  Each is loaded and called only in its own
child process (:mod:`impl.testing.isolation`): an infinite loop, ``sys.exit``, ``os._exit``, a
segmentation fault or a huge allocation costs that submission only, and the verdict is
computed here, in a process no submission ran in.

**Score.**  Each gradient array of the grading network (dW1, db1, …, dWL, dbL) is worth one
point, earned when the array is right on every grading case (:func:`grading_cases`: fixed
seeds, m = 1, 2, 3 and 5, the declared labels).  The property check (:func:`check_backward`'s
search over every declared network and batch) is worth two more.  A correct submission gets
full marks; a wrong one loses at least the two points of the property check; one that never
returns gradients (it fails to import, raises on every case, exits, crashes, hangs or runs out
of memory) gets zero.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from derivations.host import write_json
from impl.atomic import write_text_atomically
from impl.testing.calling import location
from impl.testing.check import Declared, run_check, validate
from impl.testing.conventions import Convention, array_names
from impl.testing.isolation import DEFAULT_MEMORY, DEFAULT_TIMEOUT, IsolatedFunction
from impl.testing.judging import Checker
from impl.testing.strategies import Case, parameters
from impl.testing.verdict import BackwardCheck, describe, error_lines

__all__ = ["PROPERTY_POINTS", "Grade", "find_submissions", "grade", "grading_cases", "write"]

#: the points of the property check (every declared network and batch)
PROPERTY_POINTS = 2
#: the batch sizes of the grading cases (m = 1 included: some bugs show only there)
GRADING_BATCHES = (1, 2, 3, 5)


@dataclass
class Test:
    """One line of the Gradescope results: a name, points and the feedback."""

    name: str
    score: float
    max_score: float
    output: str


@dataclass
class Grade:
    """One submission's grade: verdict, score, feedback, and the tests behind the score."""

    submission: str
    path: Path | None
    verdict: str
    score: float
    max_score: float
    diagnosis: str
    feedback: str
    seconds: float
    tests: list[Test] = field(default_factory=list)

    def results_json(self) -> dict[str, Any]:
        """Gradescope's autograder format (``results.json``)."""
        return {
            "score": self.score,
            "execution_time": round(self.seconds, 3),
            "output": self.feedback,
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": [
                {
                    "name": test.name,
                    "score": test.score,
                    "max_score": test.max_score,
                    "output": test.output,
                    "visibility": "visible",
                }
                for test in self.tests
            ],
        }


def find_submissions(
    folder: Path, function: str, exclude: Path | None = None
) -> list[tuple[str, Path | None, str]]:
    """(name, the .py file or None, why not) for every submission in ``folder``, sorted."""
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")) or entry.name == "__pycache__":
            continue
        if exclude is not None and entry.resolve() == exclude.resolve():
            continue
        if entry.is_file() and entry.suffix == ".py":
            found.append((entry.stem, entry, ""))
        elif entry.is_dir():
            files = sorted(p for p in entry.glob("*.py") if not p.name.startswith("."))
            if len(files) == 1:
                found.append((entry.name, files[0], ""))
                continue
            pattern = re.compile(rf"^\s*def\s+{re.escape(function)}\s*\(", re.M)
            defining = [p for p in files if pattern.search(p.read_text(errors="replace"))]
            if len(defining) == 1:
                found.append((entry.name, defining[0], ""))
            elif not files:
                found.append((entry.name, None, "the folder holds no .py file"))
            else:
                names = ", ".join(p.name for p in (defining or files))
                found.append(
                    (
                        entry.name,
                        None,
                        f"the folder holds several .py files ({names}); "
                        f"expected one that defines {function}",
                    )
                )
    return found


def grading_sizes(output: str, declared: Declared, convention: Convention) -> tuple[int, ...]:
    """The grading network: the declared sizes, else n₀ = 3, hidden width 4 (two hidden
    layers unless declared otherwise: the input, a hidden-to-hidden and the output layer)."""
    if declared.sizes is not None:
        return declared.sizes
    hidden = 2 if declared.hidden_layers is None else declared.hidden_layers
    classes = 1 if convention.labels == "integer" and output != "softmax" else 3
    return (3, *([4] * hidden), classes)


def grading_cases(output: str, declared: Declared, convention: Convention) -> list[Case]:
    """The fixed cases each array is graded on (seeded: every submission gets the same)."""
    sizes = grading_sizes(output, declared, convention)
    rng = np.random.default_rng(20240)
    found = []
    for n, m in enumerate(GRADING_BATCHES):
        weights, biases = parameters(sizes, 1000 + n)
        X = rng.uniform(-2, 2, size=(sizes[0], m))
        soft = convention.labels == "soft" and n % 2 == 1
        K = sizes[-1]
        if output == "softmax":
            if soft:
                raw = rng.uniform(0.01, 1.0, size=(K, m))
                Y = raw / raw.sum(axis=0, keepdims=True)
            else:
                Y = np.eye(K)[:, rng.integers(0, K, size=m)]
        else:
            Y = rng.uniform(0, 1, size=(K, m)) if soft else rng.integers(0, 2, (K, m)) * 1.0
        case = Case(tuple(sizes), weights, biases, X, Y)
        if convention.dtype == "float32":
            case = Case(
                case.sizes,
                tuple(w.astype(np.float32).astype(float) for w in case.weights),
                tuple(b.astype(np.float32).astype(float) for b in case.biases),
                X.astype(np.float32).astype(float),
                Y.astype(np.float32).astype(float),
            )
        found.append(case)
    return found


def grade(
    folder: Path,
    *,
    function: str,
    hidden: str,
    output: str,
    max_examples: int = 200,
    hidden_layers: int | None = None,
    sizes: tuple[int, ...] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    memory: int = DEFAULT_MEMORY,
    budget: float = 120.0,
    exclude: Path | None = None,
    progress: Callable[[Iterator[Any], int], Iterator[Any]] | None = None,
    **convention_options: Any,
) -> list[Grade]:
    """Grade every submission in ``folder`` (module docstring); ``convention_options`` are
    those of :class:`impl.testing.conventions.Convention` (``layout``, ``labels``, …)."""
    declared = Declared(hidden_layers, None if sizes is None else tuple(sizes))
    convention = Convention(**convention_options)
    validate(hidden, output, max_examples, declared, convention, timeout, budget)
    submissions = find_submissions(folder, function, exclude)
    items: Iterator[Any] = iter(submissions)
    if progress is not None:
        items = progress(items, len(submissions))
    grades = []
    for name, path, why in items:
        start = time.perf_counter()
        if path is None:
            grades.append(_zero(name, None, declared, output, convention, why, "error", start))
            continue
        grades.append(
            _grade_one(
                name,
                path,
                function,
                hidden,
                output,
                declared,
                convention,
                max_examples,
                timeout,
                memory,
                budget,
                start,
            )
        )
    return grades


def _grade_one(
    name: str,
    path: Path,
    function: str,
    hidden: str,
    output: str,
    declared: Declared,
    convention: Convention,
    max_examples: int,
    timeout: float,
    memory: int,
    budget: float,
    start: float,
) -> Grade:
    with IsolatedFunction(path, function, timeout, memory) as isolated:
        problem = isolated.load()
        if problem is not None:
            where = location(problem, str(path))
            text = problem.message + (f" (at {where})" if where else "")
            return _zero(name, path, declared, output, convention, text, "error", start)
        checker = Checker(lambda args: isolated.call(*args), hidden, output, convention, str(path))
        result = run_check(checker, declared, max_examples, start, budget)
        lost = result.verdict == "error" and result.failure_kind not in ("raised", "")
        if lost:
            return _zero(
                name,
                path,
                declared,
                output,
                convention,
                result.report(),
                "error",
                start,
                diagnosis=result.problem,
            )
        tests = _array_tests(checker, output, declared, convention)
    tests.append(_property_test(result))
    score = float(sum(test.score for test in tests))
    max_score = float(sum(test.max_score for test in tests))
    verdict = result.verdict
    if verdict == "error" and score > 0:
        verdict = "wrong"  # it raised on some networks but returned gradients on others
    if score == 0 and verdict != "correct":
        verdict = "error" if result.verdict == "error" else verdict
    return Grade(
        name,
        path,
        verdict,
        score,
        max_score,
        _diagnosis_text(result),
        result.report(),
        time.perf_counter() - start,
        tests,
    )


def _diagnosis_text(result: BackwardCheck) -> str:
    if result.passed:
        return ""
    if result.diagnosis:
        return "; ".join(entry.id for entry in result.diagnosis)
    if result.problem:
        return result.problem.splitlines()[0][:300]
    names = ", ".join(e.name for e in result.wrong)
    return f"wrong {names} (no known mistake)" if names else "wrong"


def _array_tests(
    checker: Checker, output: str, declared: Declared, convention: Convention
) -> list[Test]:
    cases = grading_cases(output, declared, convention)
    depth = len(cases[0].sizes) - 1
    names = array_names(depth)
    failures: dict[str, str] = {}
    for case in cases:
        outcome = checker.judge(case)
        if outcome.failure is not None and outcome.failure.process_lost:
            for array in names:
                failures.setdefault(array, outcome.failure.message)
            break
        context = "on the grading case " + "; ".join(describe(case, convention)[:1])
        if outcome.failure is not None or outcome.problem:
            for array in names:
                failures.setdefault(array, f"{outcome.description} {context}")
            continue
        for array, why in outcome.array_problems.items():
            failures.setdefault(array, f"{why} {context}")
        for error in outcome.wrong:
            failures.setdefault(error.name, "\n".join(error_lines(error)).strip() + f"\n{context}")
    tests = []
    for array in names:
        kind = "weights" if array.startswith("dW") else "biases"
        title = f"{array}: gradient of layer {array[2:]}'s {kind}"
        if array in failures:
            tests.append(Test(title, 0.0, 1.0, failures[array]))
        else:
            tests.append(Test(title, 1.0, 1.0, f"correct on {len(cases)} grading cases"))
    return tests


def _property_test(result: BackwardCheck) -> Test:
    title = "every network and batch (property check)"
    if result.passed:
        return Test(title, float(PROPERTY_POINTS), float(PROPERTY_POINTS), result.report())
    return Test(title, 0.0, float(PROPERTY_POINTS), result.report())


def _zero(
    name: str,
    path: Path | None,
    declared: Declared,
    output: str,
    convention: Convention,
    why: str,
    verdict: str,
    start: float,
    diagnosis: str | None = None,
) -> Grade:
    depth = len(grading_sizes(output, declared, convention)) - 1
    tests = [
        Test(f"{array}: not graded", 0.0, 1.0, why.splitlines()[0]) for array in array_names(depth)
    ]
    tests.append(Test("every network and batch (property check)", 0.0, PROPERTY_POINTS, why))
    first = (diagnosis if diagnosis is not None else why).splitlines()[0][:300]
    return Grade(
        name,
        path,
        verdict,
        0.0,
        float(sum(t.max_score for t in tests)),
        first,
        why,
        time.perf_counter() - start,
        tests,
    )


def _folder_name(name: str, taken: set[str]) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "submission"
    candidate, n = safe, 2
    while candidate in taken or candidate in ("grades.csv",):
        candidate, n = f"{safe}-{n}", n + 1
    taken.add(candidate)
    return candidate


def write(grades: list[Grade], out: Path) -> Path:
    """``out/grades.csv`` (submission, score, max_score, verdict, diagnosis) and
    ``out/<submission>/results.json`` (Gradescope), each written atomically."""
    out.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    for entry in grades:
        folder = out / _folder_name(entry.submission, taken)
        write_json(entry.results_json(), folder / "results.json")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", "score", "max_score", "verdict", "diagnosis"])
    for entry in grades:
        writer.writerow(
            [
                entry.submission,
                f"{entry.score:g}",
                f"{entry.max_score:g}",
                entry.verdict,
                entry.diagnosis,
            ]
        )
    return write_text_atomically(out / "grades.csv", buffer.getvalue())
