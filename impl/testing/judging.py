"""Judging a user's backward pass: one case against the verified gradient, the search for
the smallest failing case, and the known mistakes that reproduce what it returned.

A :class:`Checker` holds the user's call, the pairing (hidden, output) and the convention;
:meth:`Checker.judge` compares one case within the rounding bound of
:mod:`impl.testing.reference`, :meth:`Checker.search` lets Hypothesis shrink to the smallest
failing case, :meth:`Checker.diagnose` names the mistakes of :mod:`impl.testing.mistakes`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from hypothesis import HealthCheck, Verbosity, given, reject, settings
from hypothesis import strategies as st

from impl.gradcheck import numerical_gradients, relative_error
from impl.testing.conventions import Convention, Gradients, array_names
from impl.testing.isolation import Failure, Returned
from impl.testing.reference import (
    absolute_tolerance,
    magnitudes,
    tolerance,
    verified_gradients,
    verified_network,
)
from impl.testing.strategies import Case
from impl.testing.verdict import ArrayError

if TYPE_CHECKING:
    from derivations.mistakes import KnownMistake


@dataclass
class Outcome:
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
    def __init__(self, outcome: Outcome) -> None:
        super().__init__("the backward pass is wrong")
        self.outcome = outcome


class _Stop(BaseException):
    """Ends a search at once: the child is gone, or the time budget is spent."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _WrongError(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__("the backward pass is wrong")
        self.outcome = outcome


class _Stop(BaseException):
    """Ends a search at once: the child is gone, or the time budget is spent."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Checker:
    """One user's function, its declared networks and convention: judges cases."""

    call: Callable[[list[Any]], Returned | Failure]
    hidden: str
    output: str
    convention: Convention
    user_file: str | None = None

    def judge(self, case: Case) -> Outcome:
        values = []
        for args in self.convention.calls(case):
            answer = self.call(args)
            if isinstance(answer, Failure):
                return Outcome(case, failure=answer)
            values.append(answer.value)
        with np.errstate(all="ignore"):
            read = self.convention.gradients(values, case)
            return self._compare(case, read)

    def _compare(self, case: Case, read: Gradients) -> Outcome:
        precision = "float32" if self.convention.dtype == "float32" else read.precision
        outcome = Outcome(
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
    ) -> tuple[Outcome | None, int, str]:
        """(the smallest failing outcome or None, cases judged, why it stopped early or "").

        ``returned_only``: fail only on wrong numbers in the arrays that were returned (a
        missing or unreadable array is let pass), to show what else is wrong.
        """

        def fails(outcome: Outcome) -> bool:
            return bool(outcome.wrong) if returned_only else not outcome.passed

        memo: dict[bytes, Outcome] = {}
        count = 0
        smallest: Outcome | None = None

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

    def diagnose(self, outcome: Outcome) -> list[KnownMistake]:
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


def hardened(case: Case, output: str) -> Case:
    """The case with hard labels (each soft column replaced by its most likely class)."""
    if output == "softmax":
        Y = np.eye(case.Y.shape[0])[:, np.argmax(case.Y, axis=0)]
    else:
        Y = np.rint(case.Y)
    return Case(case.sizes, case.weights, case.biases, case.X, Y)


def as_float32(case: Case) -> Case:
    def rounded(array: np.ndarray) -> np.ndarray:
        return array.astype(np.float32).astype(np.float64)

    return Case(
        case.sizes,
        tuple(rounded(w) for w in case.weights),
        tuple(rounded(b) for b in case.biases),
        rounded(case.X),
        rounded(case.Y),
    )
