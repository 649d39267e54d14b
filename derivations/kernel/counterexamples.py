"""Counterexamples: a statement evaluated at one point, and the search for the simplest
point where two sides differ (used by verdicts on claims made by others).

Built on the explicit forms of :mod:`derivations.kernel.explicit`; every difference it
reports is certified (``evalf(strict=True)``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mpmath
import sympy as sp

from derivations.kernel.compiled import (
    QUOTIENT_AGREE,
    _agree,
    _Compiled,
    _difference_quotients,
    _shape,
)
from derivations.kernel.explicit import (
    _ONE_ARGUMENT,
    DIGITS,
    Point,
    _Instance,
    _SkipError,
)
from derivations.kernel.instances import (
    _abstract_functions,
    _entries,
    _integer_symbols,
    _linear_in,
    _Problem,
    _seed,
    _stand_ins,
)
from derivations.kernel.points import (
    _SIMPLE_VALUES,
    _at_a_kink,
    _certainly_different,
    _free_atoms,
    _integer_choices,
    _kinks,
    _numeric,
    _random_value,
    _required,
    _satisfies,
)

if TYPE_CHECKING:
    from derivations.kernel.language import Definition, Hypothesis, IndexRange

__all__ = ["SearchResult", "differ", "evaluate", "find_counterexample"]


@dataclass(frozen=True)
class SearchResult:
    """What the counterexample search found: ``found`` when a certified disagreement exists
    at ``point`` (the two sides' 80-digit values in ``values``), after ``tries`` points."""

    found: bool
    tries: int
    message: str
    point: Point | None = None
    values: tuple[sp.Expr, sp.Expr] | None = None


#: digits to which SymPy's closed form of an integral must match mpmath's quadrature before
#: a value resting on it can refute anything (SymPy has integrated smooth functions wrongly;
#: quadrature of a smooth integrand on a finite range gives far more than these digits)
QUADRATURE_DIGITS = 20


def _quadrature_agrees(written: sp.Basic, value: sp.Basic) -> bool:
    """Does the integral-holding ``written`` (unevaluated) have ``value`` by quadrature?"""
    try:
        by_quadrature = written.evalf(QUADRATURE_DIGITS + 10)
        if not by_quadrature.is_number or by_quadrature.has(sp.Integral):
            return False
        difference = abs(sp.N(by_quadrature - value, QUADRATURE_DIGITS + 10))
        scale = max(abs(sp.N(value, QUADRATURE_DIGITS + 10)), 1)
        return bool(difference <= scale * sp.Rational(10) ** -QUADRATURE_DIGITS)
    except Exception:
        return False


def evaluate(
    expr: sp.Basic,
    definitions: Sequence[Definition],
    integers: Mapping[sp.Symbol, int],
    values: Mapping[sp.Basic, sp.Expr],
    base_equalities: Mapping[sp.IndexedBase, sp.IndexedBase] | None = None,
) -> tuple[sp.Basic, sp.Basic]:
    """(exact value, 80-digit value) of ``expr`` at a concrete point, by the explicit form.

    Raises ``ValueError`` when the point leaves a symbol free, makes a side non-finite, or
    sits at a kink: such a point is never a counterexample.
    """
    instance = _Instance(integers, {}, definitions, base_equalities or {})
    values = {key: sp.sympify(value) for key, value in values.items()}
    try:
        explicit = instance.explicit(expr)
        if _at_a_kink(_kinks(explicit), values):
            raise _SkipError("the point is at a kink, where no derivative exists")
        written = [sp.sympify(e.xreplace(dict(values))) for e in _entries(explicit)]
        exact = [e.doit() for e in written]
        numeric = [_numeric(e) for e in exact]
        for before, value in zip(written, numeric, strict=True):
            if before.has(sp.Integral) and not _quadrature_agrees(before, value):
                raise _SkipError(
                    "SymPy's value of an integral here disagrees with numerical quadrature: "
                    "the point is no evidence"
                )
        quotients = _difference_quotients(expr, instance)
        for number, body, variables in quotients:
            compiled = _Compiled([body], sorted(_free_atoms(body), key=str))
            compiled.check_real(values)
            slope = compiled.partial(values, variables)
            with mpmath.workdps(DIGITS):
                symbolic = sp.sympify(numeric[number])._to_mpmath(mpmath.mp.prec)
            if not _agree(symbolic, slope, digits=QUOTIENT_AGREE):
                raise _SkipError(
                    "the derivative SymPy computes there disagrees with the difference "
                    "quotient: the function has no derivative at this point"
                )
    except _SkipError as skip:
        raise ValueError(str(skip)) from None
    if isinstance(explicit, sp.MatrixBase):
        return sp.ImmutableMatrix(explicit.shape[0], explicit.shape[1], exact), sp.ImmutableMatrix(
            explicit.shape[0], explicit.shape[1], numeric
        )
    return exact[0], numeric[0]


def differ(left: sp.Basic, right: sp.Basic) -> bool:
    """Certified: do two concrete values (or matrices of them) differ?"""
    return any(
        _certainly_different(a, b) for a, b in zip(_entries(left), _entries(right), strict=True)
    )


def _simplest_ranks(caps: Sequence[int], total: int) -> Iterator[tuple[int, ...]]:
    """Every tuple of ranks ``0 <= r_i < caps[i]`` with ``sum(r) == total``, lexicographic."""
    if not caps:
        if total == 0:
            yield ()
        return
    head, *rest = caps
    for rank in range(min(head - 1, total) + 1):
        for tail in _simplest_ranks(rest, total - rank):
            yield (rank, *tail)


def _simplest_assignments(
    variables: Sequence[sp.Basic], options: Sequence[Sequence[object]]
) -> Iterator[dict[sp.Basic, object]]:
    """Assignments of ``options[i]`` (listed simplest first) to ``variables[i]``, in order of
    increasing total rank: all simplest first, then one variable one step less simple, …"""
    caps = [len(choices) for choices in options]
    if any(cap == 0 for cap in caps):
        return
    for total in range(sum(cap - 1 for cap in caps) + 1):
        for ranks in _simplest_ranks(caps, total):
            pairs = enumerate(zip(variables, ranks, strict=True))
            yield {variable: options[n][rank] for n, (variable, rank) in pairs}


def _simplest_instances(problem: _Problem) -> Iterator[tuple[dict, dict]]:
    """Sizes from the smallest (each size among its 4 smallest values, by total rank), every
    free index in its range from the lowest, each abstract function by each concrete
    stand-in in turn."""
    sizes, ranges = _integer_symbols(problem)
    functions = _abstract_functions(problem)
    size_options = [_integer_choices(size)[:4] for size in sizes]
    for variant in range(len(_ONE_ARGUMENT) if functions else 1):
        concrete = _stand_ins(functions, variant)
        for assignment in _simplest_assignments(sizes, size_options):
            integers = {key: sp.Integer(value) for key, value in assignment.items()}
            index_options = []
            for index_range in ranges:
                lo = sp.sympify(index_range.lo).xreplace(integers)
                hi = sp.sympify(index_range.hi).xreplace(integers)
                if not (lo.is_Integer and hi.is_Integer) or hi < lo:
                    break
                index_options.append([sp.Integer(v) for v in range(int(lo), int(hi) + 1)])
            else:
                indices = [index_range.index for index_range in ranges]
                for chosen in _simplest_assignments(indices, index_options):
                    yield {**integers, **chosen}, concrete


def _pivots(equations: Sequence[sp.Expr]) -> list[sp.Basic] | None:
    """One atom per equation, linear in it and not taken by an earlier one (by name, so the
    choice is the same every run), or None when an equation has no such atom."""
    pivots: list[sp.Basic] = []
    for equation in equations:
        if equation == 0:
            continue
        candidates = sorted(
            (a for a in _free_atoms(equation) if a not in pivots and _linear_in(equation, a)),
            key=str,
        )
        if not candidates:
            return None
        pivots.append(candidates[0])
    return pivots


def _solved(
    equations: Sequence[sp.Expr], pivots: Sequence[sp.Basic], values: Mapping[sp.Basic, sp.Expr]
) -> dict[sp.Basic, sp.Expr] | None:
    """``values`` with the pivots solved for so every equation holds exactly, or None (no
    unique rational solution inside the pivots' domains)."""
    remaining = [equation.xreplace(values) for equation in equations]
    solutions = sp.solve(remaining, list(pivots), dict=True)
    if len(solutions) != 1 or len(solutions[0]) != len(pivots):
        return None
    solution = solutions[0]
    if not all(solution[p].is_Rational and _satisfies(solution[p], _required(p)) for p in pivots):
        return None
    point = {**values, **solution}
    if not all(equation.xreplace(point) == 0 for equation in equations):
        return None
    return point


def find_counterexample(
    lhs: sp.Basic,
    right: sp.Basic,
    definitions: Sequence[Definition] = (),
    ranges: Sequence[IndexRange] = (),
    *,
    within: Sequence[Hypothesis] = (),
    tries: int = 400,
    per_instance: int = 80,
) -> SearchResult:
    """The simplest certified point where ``lhs ≠ right``, searched systematically.

    Sizes go from the smallest (K = 1 before K = 2; several sizes by their total), free
    indices from the lowest, and the values of the free atoms run through the simple values
    0, 1, −1, 2, 1/2, −2, −1/2, 3, … in order of total simplicity (every atom 0 first, then
    one atom 1, …), each inside its symbol's domain.  The first point where both sides are
    finite, no kink is hit, and the difference is certified non-zero
    (:func:`_certainly_different`) is returned (``found=True``, the point in ``point``);
    at most ``per_instance`` points per choice of sizes and ``tries`` in all.

    ``within``: only points where these hypotheses hold (Σ_c y_c = 1: one-hot labels
    first).  Each equation is solved for one atom it is linear in (the first by name); the
    other atoms run through the simple values, and a point whose solved atom falls outside
    its symbol's domain is passed over.
    """
    problem = _Problem(lhs, [("claimed", right)], definitions, tuple(within), ranges)
    rng = random.Random(_seed(problem))
    attempts = 0
    for integers, functions in _simplest_instances(problem):
        if attempts >= tries:
            break
        instance = _Instance(integers, functions, definitions, {})
        try:
            left = instance.explicit(lhs)
            claimed = instance.explicit(right)
            # the functions the derivatives differentiate: real at a counterexample
            differentiated = [
                _Compiled([body], sorted(_free_atoms(body), key=str))
                for _, body, _ in _difference_quotients(lhs, instance)
            ]
        except Exception:
            continue
        if _shape(left) != _shape(claimed):
            continue
        try:
            equations = [
                sp.expand(instance.explicit(sp.sympify(h.lhs) - sp.sympify(h.rhs))) for h in within
            ]
        except Exception:
            continue
        found_atoms = _free_atoms(left) | _free_atoms(claimed)
        for equation in equations:
            found_atoms |= _free_atoms(equation)
        pivots = _pivots(equations)
        if pivots is None:
            continue
        atoms = sorted(found_atoms - set(pivots), key=str)
        kinks = _kinks(left) + _kinks(claimed)
        try:
            options = [
                [v for v in _SIMPLE_VALUES if _satisfies(v, _required(atom))]
                or [_random_value(rng, _required(atom)) for _ in range(3)]
                for atom in atoms
            ]
        except _SkipError:
            continue
        for count, values in enumerate(_simplest_assignments(atoms, options)):
            if count >= per_instance or attempts >= tries:
                break
            attempts += 1
            try:
                if pivots:
                    values = _solved(equations, pivots, values)
                    if values is None:
                        continue
                if _at_a_kink(kinks, values):
                    continue
                for body in differentiated:
                    body.check_real(values)
                lv = [_numeric(e.xreplace(values)) for e in _entries(left)]
                rv = [_numeric(e.xreplace(values)) for e in _entries(claimed)]
            except Exception:
                continue
            for le, re_, a, b in zip(_entries(left), _entries(claimed), lv, rv, strict=True):
                if _certainly_different(le.xreplace(values), re_.xreplace(values)):
                    point = Point(integers, values, instance.describe_functions())
                    return SearchResult(True, attempts, point.describe(), point, (a, b))
    return SearchResult(False, attempts, f"no disagreement in {attempts} tries")
