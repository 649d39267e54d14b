"""The proof witness: a claim's whole chain evaluated at concrete sizes and points.

Defence in depth behind the symbolic engine: a bug in :mod:`derivations.kernel.rewriting`
or in SymPy's simplifier cannot pass alone.  For ``lhs = rhs_1 = … = rhs_n`` it builds the
explicit forms (:mod:`derivations.kernel.explicit`) at small sizes (each of 1, 2, 3 and one
past every integer constant of the statement), every value of every free index, and random
rational points that satisfy the hypotheses, and accepts only if every side agrees with the
left at every counted point (:func:`witness`, :class:`WitnessReport`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mpmath
import sympy as sp

from derivations.kernel.binding import symbols_free_in
from derivations.kernel.explicit import (
    _DRAWS_PER_POINT,
    _NEAR_ZERO,
    _STEEPEST_BITS,
    QUOTIENT_AGREE,
    Point,
    _agree,
    _at_a_kink,
    _base_equalities,
    _certainly_different,
    _Compiled,
    _denominators,
    _difference_quotients,
    _entries,
    _free_atoms,
    _Instance,
    _instances,
    _kinks,
    _Problem,
    _seed,
    _shape,
    _SkipError,
    _solve_hypotheses,
)

if TYPE_CHECKING:
    from derivations.kernel.language import Definition, Hypothesis, IndexRange

__all__ = ["WitnessReport", "witness"]


@dataclass
class WitnessReport:
    """What the witness found: ``ok`` when every counted point agreed and enough counted."""

    ok: bool
    points: int
    message: str
    disagreement: Point | None = None
    #: when refuting: the two values at the disagreement
    values: tuple[sp.Expr, sp.Expr] | None = None


def _exact_left(
    instance: _Instance,
    lhs: sp.Basic,
    left: sp.Basic | None,
    entry: int,
    values: Mapping[sp.Basic, sp.Expr],
) -> sp.Basic | None:
    """The exact value of the left-hand side's ``entry`` at ``values``, to certify a
    disagreement: SymPy's explicit derivative, computed only now when the difference quotient
    stood for it (None if SymPy cannot compute it).  If SymPy's derivative happens to agree
    with the right-hand side, the difference is not certified and the point is skipped."""
    if left is not None:
        return _entries(left)[entry].xreplace(values)
    try:
        derivative = instance.explicit(_entries(lhs)[entry])
    except Exception:
        return None
    return derivative.xreplace(values)


def witness(
    lhs: sp.Basic,
    rights: Sequence[tuple[str, sp.Basic]],
    definitions: Sequence[Definition] = (),
    hypotheses: Sequence[Hypothesis] = (),
    ranges: Sequence[IndexRange] = (),
    *,
    instances: int = 5,
    points: int = 10,
    minimum_points: int = 3,
) -> WitnessReport:
    """Check ``lhs = right`` for every ``(label, right)`` at concrete sizes and points.

    ``ok`` is True only if at least ``minimum_points`` points satisfying the hypotheses (and
    the assumptions, away from kinks, with every side finite) were evaluated and every
    right-hand side agreed with ``lhs`` at each of them (|difference| ≤ 10^-40 relative in
    60-digit arithmetic).  A disagreement is confirmed exactly (``evalf(strict=True)``)
    before it is reported.
    """
    problem = _Problem(lhs, rights, definitions, hypotheses, ranges)
    rng = random.Random(_seed(problem))
    counted = 0
    reasons: list[str] = []
    sizes_seen: list[str] = []
    base_equalities = _base_equalities(hypotheses)
    equations = [
        sp.sympify(h.lhs) - sp.sympify(h.rhs)
        for h in hypotheses
        if not (isinstance(h.lhs, sp.IndexedBase) and isinstance(h.rhs, sp.IndexedBase))
    ]
    built = list(_instances(problem, rng, instances))
    # points per choice of sizes; its further tuples of free-index values take one each
    per_sizes = max(2, -(-points // max(1, len({key for _, _, key in built}))))
    seen_keys: set[tuple] = set()
    shared: dict[tuple, dict[str, dict]] = {}
    # the definitions' explicit forms are shared across free-index values only when no
    # definition's body mentions a free index (then they are the same at every tuple)
    indices = {index_range.index for index_range in ranges}
    if any(indices & set(symbols_free_in(d.expr)) for d in definitions):
        built = [(i, f, (*key, tuple(sorted(i.items(), key=str)))) for i, f, key in built]
    for integers, functions, key in built:
        caches = shared.setdefault(key, {"indices": indices})
        instance = _Instance(integers, functions, definitions, base_equalities, caches)
        try:
            quotients = _difference_quotients(lhs, instance)
            # a derivative's value is its difference quotient: SymPy need not differentiate
            # the explicit form (seconds for a whole network), and its rules are not trusted
            left = None if quotients else instance.explicit(lhs)
            explicit_rights = [(label, instance.explicit(right)) for label, right in rights]
            explicit_equations = [instance.explicit(eq) for eq in equations]
            if any(_shape(right) != _shape(lhs) for _, right in explicit_rights):
                return WitnessReport(False, counted, "the two sides have different shapes")
            lefts = [body for _, body, _ in quotients] if left is None else _entries(left)
            atoms: set[sp.Basic] = set()
            for expr in (*lefts, *(right for _, right in explicit_rights)):
                atoms |= _free_atoms(expr)
            flat = ([] if left is None else lefts) + [
                e for _, right in explicit_rights for e in _entries(right)
            ]
            checked = flat + ([] if left is not None else lefts)
            # in the order met (sorting them by their printed form costs seconds on a network)
            denominators = list(dict.fromkeys(d for e in checked for d in _denominators(e)))
            for constant in {d for e in checked for d in _denominators(e, numbers=True)}:
                if not _certainly_different(constant, sp.Integer(0)):
                    raise _SkipError(f"the constant denominator {constant} may be 0 (0/0)")
            ordered = sorted(atoms, key=str)
            compiled = _Compiled(flat + denominators, ordered)
            # the differentiated body (J written out) is the same at every tuple of indices:
            # compiled once per choice of sizes, with its own atoms
            compiled_bodies = shared[key].setdefault("compiled", {})
            for _, body, _ in quotients:
                if body not in compiled_bodies:
                    compiled_bodies[body] = _Compiled([body], sorted(_free_atoms(body), key=str))
            bodies = [(compiled_bodies[body], variables) for _, body, variables in quotients]
        except _SkipError as skip:
            reasons.append(str(skip))
            continue
        except Exception as error:  # SymPy failed on the explicit form: no evidence
            reasons.append(f"{type(error).__name__}: {error}")
            continue
        kinks = [k for e in lefts for k in _kinks(e)]
        kinks += [k for _, right in explicit_rights for k in _kinks(right)]
        sizes_seen.append(", ".join(f"{k} = {v}" for k, v in integers.items()) or "scalar")
        size = len(_entries(lhs))
        # the rights' entries start here in ``numbers`` (after the left's, when SymPy's)
        offset = 0 if left is None else size
        usable = 0
        # a point that cannot be used (a kink, 0/0, an overflow) is replaced, a few times
        per_instance = 1 if key in seen_keys else per_sizes
        seen_keys.add(key)
        for _ in range(_DRAWS_PER_POINT * per_instance):
            if usable == per_instance:
                break
            try:
                values = _solve_hypotheses(explicit_equations, atoms, rng)
                if _at_a_kink(kinks, values):
                    raise _SkipError("at a kink")
                numbers = compiled(values)
                if any(abs(d) < _NEAR_ZERO for d in numbers[len(flat) :]):
                    raise _SkipError("a denominator vanishes at this point (0/0 is no evidence)")
                slopes = []
                for number, (body, variables) in enumerate(bodies):
                    body.check_real(values)
                    slope = body.partial(values, variables)
                    if mpmath.mag(slope) > _STEEPEST_BITS:
                        raise _SkipError("too steep here for a difference quotient")
                    if left is not None and not _agree(
                        slope, numbers[number], digits=QUOTIENT_AGREE
                    ):
                        point = Point(integers, values, instance.describe_functions())
                        return WitnessReport(
                            False,
                            counted,
                            f"SymPy's derivative {mpmath.nstr(numbers[number], 15)} disagrees "
                            f"with the difference quotient {mpmath.nstr(slope, 15)} at "
                            f"{point.describe()}: no derivative there, or a wrong rule",
                            point,
                        )
                    slopes.append(slope)
            except _SkipError as skip:
                reasons.append(str(skip))
                continue
            except Exception as error:
                reasons.append(f"{type(error).__name__}: {error}")
                continue
            left_values = slopes if left is None else numbers[:size]
            inconclusive = False
            for position, (label, _) in enumerate(explicit_rights):
                for entry in range(size):
                    lv = left_values[entry]
                    rv = numbers[offset + position * size + entry]
                    if _agree(lv, rv):
                        continue
                    exact_right = flat[offset + position * size + entry].xreplace(values)
                    exact_left = _exact_left(instance, lhs, left, entry, values)
                    if exact_left is None or not _certainly_different(exact_left, exact_right):
                        inconclusive = True  # differs in 60 digits, not certified: no evidence
                        continue
                    point = Point(integers, values, instance.describe_functions())
                    return WitnessReport(
                        False,
                        counted,
                        f"{label} disagrees at {point.describe()}: "
                        f"{mpmath.nstr(lv, 15)} vs {mpmath.nstr(rv, 15)}",
                        point,
                        (exact_left, exact_right),
                    )
            if inconclusive:
                reasons.append("a difference that could not be certified either way")
                continue
            counted += 1
            usable += 1
    if counted < minimum_points:
        why = "; ".join(dict.fromkeys(reasons)) or "no instance could be built"
        return WitnessReport(
            False,
            counted,
            f"the witness found only {counted} usable point(s) (needs {minimum_points}): {why}",
        )
    shown = "; ".join(dict.fromkeys(sizes_seen))
    return WitnessReport(True, counted, f"agrees at {counted} points ({shown})")
