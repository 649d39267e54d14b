"""Verdicts on claims made by others: proven, proven under an assumption, or refuted.

A :class:`CheckedStatement` pairs what a source *claims* (an expression typed from the
source) with the *truth* (an unevaluated derivative that SymPy computes from the
definitions).  It must first be well-formed (:mod:`derivations.kernel.wellformed`); then
:func:`assess` decides, in this order:

1. **proven** if SymPy confirms ``truth == claimed`` with no hypothesis *and* the
   independent witness (:mod:`derivations.kernel.witness`) agrees at concrete sizes and points;
2. **proven under assumption** if both confirm it only with the stated assumption (witness
   points satisfy it), *and* there is a point where the assumption fails and so does the
   statement (the given counterexample, or one the witness search finds);
3. **refuted** at a counterexample (given, or found by the search) where both sides are
   finite and defined, away from kinks, inside the symbols' domain, and where two separate
   evaluations (the engine's and the witness's explicit form) certify that they differ —
   nan, zoo and kinks are never counterexamples, and a numeric zero SymPy cannot simplify
   (atan ½ + atan ⅓ − π/4) is never "different";
4. otherwise **undecided** ("cannot decide"; never expected: it makes
   ``verified-backprop verify`` fail).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import sympy as sp

from derivations.kernel.binding import rename_bound
from derivations.kernel.counterexamples import differ, evaluate, find_counterexample
from derivations.kernel.explicit import describe_assignments
from derivations.kernel.language import Definition, Hypothesis, IndexRange
from derivations.kernel.rewriting import check_lengths, equivalent, unfold
from derivations.kernel.wellformed import Subject, problems
from derivations.kernel.witness import witness


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
        return describe_assignments({**self.sizes, **self.indices}, self.values)


@dataclass(frozen=True)
class CheckedStatement:
    """A claim from a source, in our notation, with what is needed to judge it."""

    key: str
    source: str
    section: str
    wording: str
    #: the source's own text, verbatim (a test checks it is in the source file)
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
    #: how the quote is written in the source, so the documents can typeset it: "text",
    #: "markdown" (prose with $...$ or \[...\] formulas, or a Markdown table row), "latex"
    #: (a bare formula) or "code"
    quote_format: str = "text"


@dataclass
class Assessment:
    statement: CheckedStatement
    verdict: Verdict
    detail: str
    seconds: float
    truth_value: sp.Expr | None = None
    claimed_value: sp.Expr | None = None
    #: the point the values were taken at: the statement's own, or one the search found
    counterexample: Counterexample | None = None

    @property
    def as_expected(self) -> bool:
        return self.verdict == self.statement.expected


def shown(value: object) -> str:
    """A value for a sentence: a column of values as ``(0, 1/2)``, not ``Matrix([[0], [1/2]])``."""
    if isinstance(value, sp.MatrixBase):
        return "(" + ", ".join(str(entry) for entry in value) + ")"
    return str(value)


def evaluate_at(expr: sp.Expr, definitions: Sequence[Definition], point: Counterexample) -> sp.Expr:
    """The exact value of ``expr`` (derivatives evaluated by SymPy) at a concrete point."""
    value = rename_bound(unfold(expr, definitions))
    check_lengths(value)
    value = value.doit().subs(dict(point.sizes)).subs(dict(point.indices))
    check_lengths(value)
    value = value.doit()
    value = value.subs(dict(point.values)).doit()
    return sp.simplify(value)


def _is_concrete(value: sp.Basic) -> bool:
    if isinstance(value, sp.MatrixBase):
        return all(_is_concrete(entry) for entry in value)
    return (
        bool(value.is_number)
        and not value.free_symbols
        and not value.has(sp.nan, sp.zoo, sp.oo, -sp.oo)
        and value.is_finite is not False
    )


def _subject(statement: CheckedStatement) -> Subject:
    return Subject(
        lhs=statement.truth,
        right_sides=(statement.claimed,),
        definitions=tuple(statement.definitions),
        hypotheses=(statement.assumption,) if statement.assumption is not None else (),
        ranges=tuple(statement.ranges),
        lhs_words="the true value",
    )


def _point_problems(statement: CheckedStatement, point: Counterexample) -> list[str]:
    """A counterexample is a point of the statement's domain: exact rational values for
    plain atoms (symbols and entries), every index inside its range, every value inside its
    symbol's declared domain (x ≠ 0 where x is declared so)."""
    problems = []
    everything = {**point.sizes, **point.indices, **point.values}
    for atom, value in everything.items():
        value = sp.sympify(value)
        if not isinstance(atom, sp.Symbol | sp.Indexed):
            problems.append(f"{atom} is not a variable: a point gives values to variables")
            continue
        if not value.is_Rational:
            problems.append(f"{atom} = {value} is not an exact rational number")
            continue
        symbol = atom.base.label if isinstance(atom, sp.Indexed) else atom
        for key, wanted in (getattr(symbol, "_assumptions_orig", {}) or {}).items():
            if key != "commutative" and getattr(value, f"is_{key}", None) is not wanted:
                problems.append(f"{atom} = {value} is outside the domain ({key}={wanted})")
    for atom in point.values:
        if isinstance(atom, sp.Symbol) and atom.is_integer:
            problems.append(
                f"{atom} is an integer size or index: give it in the point's sizes or indices"
            )
    integers = {k: sp.sympify(v) for k, v in everything.items() if isinstance(k, sp.Symbol)}
    for index_range in statement.ranges:
        if index_range.index not in integers:
            continue
        lo = sp.sympify(index_range.lo).xreplace(integers)
        hi = sp.sympify(index_range.hi).xreplace(integers)
        value = integers[index_range.index]
        if not (lo.is_Integer and hi.is_Integer) or not lo <= value <= hi:
            problems.append(
                f"{index_range.index} = {value} is outside its range "
                f"{index_range.lo} ≤ {index_range.index} ≤ {index_range.hi}"
            )
    return problems


def _differ_at(
    statement: CheckedStatement, point: Counterexample
) -> tuple[bool | None, sp.Expr, sp.Expr, str]:
    """(do the values certainly differ?, true value, claimed value, why not decided).

    Two evaluations must agree that they differ: the engine's (unfold, ``doit``, substitute)
    and the witness's (explicit finite expressions).  ``None`` when the point leaves a
    symbol free, makes a side non-finite (nan, zoo: a 0/0), sits at a kink or outside the
    domain: such a point is never a counterexample.
    """
    outside = _point_problems(statement, point)
    if outside:
        return None, sp.nan, sp.nan, "; ".join(outside)
    truth = evaluate_at(statement.truth, statement.definitions, point)
    claimed = evaluate_at(statement.claimed, statement.definitions, point)
    if not (_is_concrete(truth) and _is_concrete(claimed)):
        return (
            None,
            truth,
            claimed,
            f"not finite and concrete: true value {shown(truth)}, claimed {shown(claimed)}",
        )
    integers = {**point.sizes, **point.indices}
    try:
        witness_truth, _ = evaluate(statement.truth, statement.definitions, integers, point.values)
        witness_claimed, _ = evaluate(
            statement.claimed, statement.definitions, integers, point.values
        )
    except ValueError as error:
        return None, truth, claimed, str(error)
    engine_says = differ(truth, claimed)
    witness_says = differ(witness_truth, witness_claimed)
    if engine_says and witness_says:
        return True, truth, claimed, ""
    if not engine_says and not witness_says:
        return False, truth, claimed, "the values are equal there"
    return None, truth, claimed, "the engine and the witness disagree at this point"


def _assumption_holds_at(assumption: Hypothesis, statement: CheckedStatement, point) -> bool | None:
    """Does the assumption hold at the point: True only when it holds exactly, False only
    when it certainly fails, None when that cannot be told (a refutation needs True, a
    "the assumption is needed" example needs False).  A residue below the rounding bound
    (x = y + e^-200 at x = y) is not "holds"."""
    if isinstance(assumption.lhs, sp.IndexedBase) and isinstance(assumption.rhs, sp.IndexedBase):
        defined = {d.name for d in statement.definitions}
        if assumption.lhs in defined or assumption.rhs in defined:
            return None  # a defined matrix's entries are not given by the point
        # two names for one matrix: it holds where every entry given a value agrees
        values = {key: sp.sympify(value) for key, value in point.values.items()}
        for atom, value in values.items():
            if isinstance(atom, sp.Indexed) and atom.base == assumption.lhs:
                partner = assumption.rhs[atom.indices]
                if partner in values and sp.simplify(value - values[partner]) != 0:
                    return False if differ(value, values[partner]) else None
        return True
    integers = {**point.sizes, **point.indices}
    try:
        value, _ = evaluate(
            assumption.lhs - assumption.rhs, statement.definitions, integers, point.values
        )
    except ValueError:
        return None
    if sp.simplify(value) == 0:
        return True
    return False if differ(value, sp.Integer(0)) else None


def _counterexample(
    statement: CheckedStatement, within: Sequence[Hypothesis] = ()
) -> tuple[Counterexample | None, str]:
    """The statement's counterexample if it is one, else one found by the witness search
    (``within``: only among points where these hypotheses hold)."""
    if statement.counterexample is not None and not within:
        return statement.counterexample, ""
    found = find_counterexample(
        statement.truth,
        statement.claimed,
        statement.definitions,
        statement.ranges,
        within=within,
    )
    if not found.found or found.point is None:
        return None, found.message
    point = found.point
    indices = {r.index for r in statement.ranges}
    return (
        Counterexample(
            sizes={k: v for k, v in point.integers.items() if k not in indices},
            indices={k: v for k, v in point.integers.items() if k in indices},
            values=dict(point.values),
        ),
        "",
    )


def assess(statement: CheckedStatement) -> Assessment:
    """Compute the verdict on ``statement`` (see the module docstring for the rules)."""
    start = time.perf_counter()

    def done(verdict: Verdict, detail: str, truth=None, claimed=None, point=None) -> Assessment:
        return Assessment(
            statement, verdict, detail, time.perf_counter() - start, truth, claimed, point
        )

    args = (statement.definitions,)
    try:
        refused = problems(_subject(statement))
        if refused:
            return done(
                Verdict.UNDECIDED, "the statement is not well-formed: " + "; ".join(refused)
            )
        if equivalent(statement.truth, statement.claimed, *args, ranges=statement.ranges):
            report = witness(
                statement.truth, [("claimed", statement.claimed)], *args, (), statement.ranges
            )
            if not report.ok:
                return done(
                    Verdict.UNDECIDED,
                    f"SymPy confirms it but the independent witness does not: {report.message}",
                )
            return done(
                Verdict.PROVEN, f"SymPy confirms it with no assumption; witness {report.message}"
            )
        assumption = statement.assumption
        if assumption is not None and equivalent(
            statement.truth,
            statement.claimed,
            *args,
            hypotheses=(assumption,),
            ranges=statement.ranges,
        ):
            report = witness(
                statement.truth,
                [("claimed", statement.claimed)],
                *args,
                (assumption,),
                statement.ranges,
            )
            if not report.ok:
                return done(
                    Verdict.UNDECIDED,
                    "SymPy confirms it under the assumption but the independent witness does "
                    f"not: {report.message}",
                )
            point, why = _counterexample(statement)
            if point is None:
                return done(
                    Verdict.UNDECIDED,
                    f"holds when {assumption.text}, but no point was found where it fails "
                    f"without it ({why}), so the assumption is not shown to be needed",
                )
            differs, truth, claimed, why = _differ_at(statement, point)
            if not differs:
                return done(
                    Verdict.UNDECIDED,
                    "the example meant to show the assumption is needed does not "
                    f"({why or 'values equal'})",
                )
            if _assumption_holds_at(assumption, statement, point) is not False:
                return done(
                    Verdict.UNDECIDED,
                    "the example meant to show the assumption is needed is not shown to break it",
                )
            detail = (
                f"holds when {assumption.text}; without it, at {point.describe()}: "
                f"true value {shown(truth)}, claimed {shown(claimed)}"
            )
            return done(Verdict.PROVEN_UNDER_ASSUMPTION, detail, truth, claimed, point)
        point, why = _counterexample(statement)
        if point is not None:
            differs, truth, claimed, why = _differ_at(statement, point)
            if differs is None:
                return done(Verdict.UNDECIDED, f"no verdict at {point.describe()}: {why}")
            if (
                differs
                and assumption is not None
                and _assumption_holds_at(assumption, statement, point) is not True
            ):
                # the simplest point breaks the assumption: search inside it
                inside, why = _counterexample(statement, within=(assumption,))
                outside_point = point
                differs = None
                if inside is not None:
                    point = inside
                    differs, truth, claimed, why = _differ_at(statement, point)
                    if differs and _assumption_holds_at(assumption, statement, point) is not True:
                        differs = None
                if not differs:
                    return done(
                        Verdict.UNDECIDED,
                        f"at {outside_point.describe()} the values differ, but the stated "
                        "assumption is not shown to hold there, and no point where it holds was "
                        f"found where they differ ({why or 'values equal'}), so the "
                        "statement is not refuted",
                    )
            if differs:
                return done(
                    Verdict.REFUTED,
                    f"at {point.describe()}: true value {shown(truth)}, claimed {shown(claimed)}",
                    truth,
                    claimed,
                    point,
                )
        return done(Verdict.UNDECIDED, "cannot decide: neither proven nor refuted by SymPy")
    except Exception as error:  # a crash inside SymPy is an undecided verdict, not a traceback
        return done(
            Verdict.UNDECIDED, f"cannot decide: SymPy raised {type(error).__name__}: {error}"
        )
