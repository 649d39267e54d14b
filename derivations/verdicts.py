"""Verdicts on claims made by others: proven, proven under an assumption, or refuted.

A :class:`CheckedStatement` pairs what a source *claims* (an expression typed from the
source) with the *truth* (an unevaluated derivative that SymPy computes from the
definitions).  :func:`assess` decides, in this order:

1. **proven** if SymPy confirms ``truth == claimed`` with no hypothesis;
2. **proven under assumption** if it confirms it only with the stated assumption; the
   counterexample, when given, must then show the claim fails *without* it;
3. **refuted** if, at the counterexample (concrete sizes and values), the exact values of
   ``truth`` and ``claimed`` differ;
4. otherwise **undecided** (never expected: it makes ``verified-backprop verify`` fail).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import sympy as sp

from derivations.engine import Definition, Hypothesis, IndexRange, equivalent, unfold


class Verdict(StrEnum):
    PROVEN = "proven"
    PROVEN_UNDER_ASSUMPTION = "proven under assumption"
    REFUTED = "refuted"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class Counterexample:
    """A concrete point: sizes (``K = 3``), free indices (``j = 1``) and values (``z_1 = 0``)."""

    sizes: Mapping[sp.Symbol, int] = field(default_factory=dict)
    indices: Mapping[sp.Symbol, int] = field(default_factory=dict)
    values: Mapping[sp.Expr, sp.Expr] = field(default_factory=dict)

    def describe(self) -> str:
        parts = [f"{key} = {value}" for key, value in {**self.sizes, **self.indices}.items()]
        parts += [f"{key} = {value}" for key, value in self.values.items()]
        return ", ".join(parts)


@dataclass(frozen=True)
class CheckedStatement:
    """A claim from a source, in our notation, with what is needed to judge it."""

    key: str
    source: str
    section: str
    wording: str
    #: the seed's own text, verbatim (a test checks it is in the seed file)
    quote: str
    truth: sp.Expr
    claimed: sp.Expr
    expected: Verdict
    definitions: Sequence[Definition] = ()
    ranges: Sequence[IndexRange] = ()
    assumption: Hypothesis | None = None
    counterexample: Counterexample | None = None
    proof: str = ""
    correction: str = ""


@dataclass
class Assessment:
    statement: CheckedStatement
    verdict: Verdict
    detail: str
    seconds: float
    truth_value: sp.Expr | None = None
    claimed_value: sp.Expr | None = None

    @property
    def as_expected(self) -> bool:
        return self.verdict == self.statement.expected


def evaluate_at(expr: sp.Expr, definitions: Sequence[Definition], point: Counterexample) -> sp.Expr:
    """The exact value of ``expr`` (derivatives evaluated by SymPy) at a concrete point."""
    value = unfold(expr, definitions).doit()
    value = value.subs(dict(point.sizes)).subs(dict(point.indices)).doit()
    value = value.subs(dict(point.values)).doit()
    return sp.simplify(value)


def _is_concrete(value: sp.Basic) -> bool:
    if isinstance(value, sp.MatrixBase):
        return all(_is_concrete(entry) for entry in value)
    return bool(value.is_number) and not value.free_symbols


def _differ_at(statement: CheckedStatement) -> tuple[bool | None, sp.Expr, sp.Expr]:
    """(do the exact values differ?, true value, claimed value) at the counterexample.

    ``None`` when the point leaves a size, index or value symbolic: no verdict then.
    """
    point = statement.counterexample
    assert point is not None
    truth = evaluate_at(statement.truth, statement.definitions, point)
    claimed = evaluate_at(statement.claimed, statement.definitions, point)
    if not (_is_concrete(truth) and _is_concrete(claimed)):
        return None, truth, claimed
    difference = sp.simplify(truth - claimed)
    if isinstance(difference, sp.MatrixBase):
        return any(entry != 0 for entry in difference), truth, claimed
    return difference != 0, truth, claimed


def assess(statement: CheckedStatement) -> Assessment:
    """Compute the verdict on ``statement`` (see the module docstring for the rules)."""
    start = time.perf_counter()

    def done(verdict: Verdict, detail: str, truth=None, claimed=None) -> Assessment:
        return Assessment(statement, verdict, detail, time.perf_counter() - start, truth, claimed)

    args = (statement.definitions,)
    try:
        if equivalent(statement.truth, statement.claimed, *args, ranges=statement.ranges):
            return done(Verdict.PROVEN, "SymPy confirms it with no assumption")
        if statement.assumption is not None and equivalent(
            statement.truth,
            statement.claimed,
            *args,
            hypotheses=(statement.assumption,),
            ranges=statement.ranges,
        ):
            detail = f"holds when {statement.assumption.text}"
            if statement.counterexample is not None:
                differ, truth, claimed = _differ_at(statement)
                if not differ:
                    return done(
                        Verdict.UNDECIDED,
                        "the example meant to show the assumption is needed does not "
                        "(values equal, or not fully concrete)",
                    )
                detail += (
                    f"; without it, at {statement.counterexample.describe()}: "
                    f"true value {truth}, claimed {claimed}"
                )
                return done(Verdict.PROVEN_UNDER_ASSUMPTION, detail, truth, claimed)
            return done(Verdict.PROVEN_UNDER_ASSUMPTION, detail)
        if statement.counterexample is not None:
            differ, truth, claimed = _differ_at(statement)
            if differ is None:
                return done(
                    Verdict.UNDECIDED,
                    f"the counterexample leaves symbols free: true value {truth}, "
                    f"claimed {claimed}",
                )
            if differ:
                return done(
                    Verdict.REFUTED,
                    f"at {statement.counterexample.describe()}: true value {truth}, "
                    f"claimed {claimed}",
                    truth,
                    claimed,
                )
        return done(Verdict.UNDECIDED, "neither proven nor refuted by SymPy")
    except Exception as error:  # a crash inside SymPy is an undecided verdict, not a traceback
        return done(Verdict.UNDECIDED, f"SymPy raised {type(error).__name__}: {error}")
