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
from derivations.kernel.compiled import (
    _NEAR_ZERO,
    _STEEPEST_BITS,
    _agree,
    _Compiled,
    _denominators,
    _difference_quotients,
    _shape,
)
from derivations.kernel.explicit import (
    Point,
    _Instance,
    _SkipError,
)
from derivations.kernel.instances import (
    _base_equalities,
    _entries,
    _instances,
    _Problem,
    _seed,
    _solve_hypotheses,
)
from derivations.kernel.points import (
    _DRAWS_PER_POINT,
    _at_a_kink,
    _certainly_different,
    _free_atoms,
    _kinks,
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


@dataclass
class _Prepared:
    """One instance (sizes, free-index values, stand-ins) with its explicit forms."""

    instance: _Instance
    integers: Mapping[sp.Symbol, sp.Integer]
    left: sp.Basic | None
    lefts: list[sp.Basic]
    rights: list[tuple[str, sp.Basic]]
    flat: list[sp.Basic]
    bodies: list[tuple[_Compiled, list]]
    kinks: list[sp.Expr]
    #: where this instance's values start in the batch's compiled output
    start: int = 0


def _prepare(
    instance: _Instance,
    integers: Mapping[sp.Symbol, sp.Integer],
    lhs: sp.Basic,
    rights: Sequence[tuple[str, sp.Basic]],
    compiled_bodies: dict[sp.Basic, _Compiled],
) -> _Prepared:
    """The explicit forms of every side at one instance (raises :class:`_SkipError` or any
    error SymPy meets: the instance is then no evidence)."""
    quotients = _difference_quotients(lhs, instance)
    # a derivative's value is its difference quotient: SymPy need not differentiate the
    # explicit form (seconds for a whole network), and its rules are not trusted
    left = None if quotients else instance.explicit(lhs)
    explicit_rights = [(label, instance.explicit(right)) for label, right in rights]
    if any(_shape(right) != _shape(lhs) for _, right in explicit_rights):
        raise _ShapeError
    lefts = [body for _, body, _ in quotients] if left is None else _entries(left)
    flat = ([] if left is None else lefts) + [
        e for _, right in explicit_rights for e in _entries(right)
    ]
    checked = flat + ([] if left is not None else lefts)
    for constant in {d for e in checked for d in _denominators(e, numbers=True)}:
        if not _certainly_different(constant, sp.Integer(0)):
            raise _SkipError(f"the constant denominator {constant} may be 0 (0/0)")
    # the differentiated body (J written out) is the same at every tuple of indices:
    # compiled once per choice of sizes, with its own atoms
    for _, body, _ in quotients:
        if body not in compiled_bodies:
            compiled_bodies[body] = _Compiled([body], sorted(_free_atoms(body), key=str))
    bodies = [(compiled_bodies[body], variables) for _, body, variables in quotients]
    kinks = [k for e in lefts for k in _kinks(e)]
    kinks += [k for _, right in explicit_rights for k in _kinks(right)]
    return _Prepared(instance, integers, left, lefts, explicit_rights, flat, bodies, kinks)


class _ShapeError(Exception):
    """The two sides have different shapes."""


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
    right-hand side agreed with ``lhs`` at each of them, within the rounding bound of
    :data:`~derivations.kernel.explicit.AGREE` (10^-68 relative at 80 digits).  A
    disagreement is confirmed exactly (``evalf(strict=True)``) before it is reported.

    The instances at one choice of sizes (one per tuple of free-index values) are evaluated
    together: one compiled function for all of them, at the same points.  Every right is
    checked at the first tuple of each size; the last right (the claimed result) at every
    tuple.
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
    # the definitions' explicit forms are shared across free-index values only when no
    # definition's body mentions a free index (then they are the same at every tuple)
    indices = {index_range.index for index_range in ranges}
    if any(indices & set(symbols_free_in(d.expr)) for d in definitions):
        built = [(i, f, (*key, tuple(sorted(i.items(), key=str)))) for i, f, key in built]
    per_batch = max(2, -(-points // max(1, len({key for _, _, key in built}))))
    shared: dict[tuple, dict[str, dict]] = {}
    # batches: instances with the same sizes and stand-ins and the same explicit hypotheses;
    # a key's batches are checked as soon as its last instance is prepared, so a false
    # statement is refuted at the smallest size without building the larger ones
    batches: dict[tuple, list[_Prepared]] = {}
    batch_equations: dict[tuple, list[sp.Basic]] = {}
    last_of_key = {key: position for position, (_, _, key) in enumerate(built)}
    sizes_counted: set[tuple] = set()
    for position, (integers, functions, key) in enumerate(built):
        # every right at the first tuple of free-index values of a size, the last one (the
        # claimed result: what the statement asserts) at every further tuple — the steps
        # between are each checked symbolically, and witnessed at every size
        checked_rights = rights if key not in shared else rights[-1:]
        caches = shared.setdefault(key, {"indices": indices})
        instance = _Instance(integers, functions, definitions, base_equalities, caches)
        try:
            prepared = _prepare(
                instance, integers, lhs, checked_rights, caches.setdefault("compiled", {})
            )
            explicit_equations = [instance.explicit(eq) for eq in equations]
        except _ShapeError:
            return WitnessReport(False, counted, "the two sides have different shapes")
        except _SkipError as skip:
            reasons.append(str(skip))
        except Exception as error:  # SymPy failed on the explicit form: no evidence
            reasons.append(f"{type(error).__name__}: {error}")
        else:
            batch = (key, tuple(explicit_equations))
            batches.setdefault(batch, []).append(prepared)
            batch_equations[batch] = explicit_equations
            sizes_seen.append(", ".join(f"{k} = {v}" for k, v in integers.items()) or "scalar")
        if last_of_key[key] != position:
            continue
        for batch in [batch for batch in batches if batch[0] == key]:
            members = batches.pop(batch)
            found = _check_batch(members, batch_equations[batch], lhs, rng, per_batch, reasons)
            if isinstance(found, WitnessReport):
                return WitnessReport(
                    False, counted, found.message, found.disagreement, found.values
                )
            counted += found
            if found:
                sizes_counted.add(key[0])
    if counted < minimum_points:
        why = "; ".join(dict.fromkeys(reasons)) or "no instance could be built"
        return WitnessReport(
            False,
            counted,
            f"the witness found only {counted} usable point(s) (needs {minimum_points}): {why}",
        )
    if any(key[0] for _, _, key in built) and len(sizes_counted) < 2:
        why = "; ".join(dict.fromkeys(reasons)) or "the other sizes could not be built"
        return WitnessReport(
            False,
            counted,
            f"the witness found usable points at {len(sizes_counted)} choice of sizes only "
            f"(needs 2): {why}",
        )
    shown = "; ".join(dict.fromkeys(sizes_seen))
    return WitnessReport(True, counted, f"agrees at {counted} points ({shown})")


def _check_batch(
    members: list[_Prepared],
    equations: list[sp.Basic],
    lhs: sp.Basic,
    rng: random.Random,
    wanted: int,
    reasons: list[str],
) -> int | WitnessReport:
    """Evaluate every member at ``wanted`` usable points (each member's agreement at a point
    counts once); a certified disagreement is returned as a report."""
    atoms: set[sp.Basic] = set()
    for member in members:
        for expr in (*member.lefts, *(right for _, right in member.rights)):
            atoms |= _free_atoms(expr)
    expressions: list[sp.Basic] = []
    for member in members:
        member.start = len(expressions)
        expressions += member.flat
    checked = [e for member in members for e in member.flat + ([] if member.left else member.lefts)]
    # in the order met (sorting them by their printed form costs seconds on a network)
    denominators = list(dict.fromkeys(d for e in checked for d in _denominators(e)))
    first_denominator = len(expressions)
    try:
        compiled = _Compiled(expressions + denominators, sorted(atoms, key=str))
    except Exception as error:
        reasons.append(f"{type(error).__name__}: {error}")
        return 0
    kinks = [k for member in members for k in member.kinks]
    size = len(_entries(lhs))
    counted = usable = 0
    # a point that cannot be used (a kink, 0/0, an overflow) is replaced, a few times
    for _ in range(_DRAWS_PER_POINT * wanted):
        if usable == wanted:
            break
        try:
            values = _solve_hypotheses(equations, atoms, rng)
            if _at_a_kink(kinks, values):
                raise _SkipError("at a kink")
            numbers = compiled(values)
            if any(abs(d) < _NEAR_ZERO for d in numbers[first_denominator:]):
                raise _SkipError("a denominator vanishes at this point (0/0 is no evidence)")
            all_slopes = [_slopes(member, values) for member in members]
        except _SkipError as skip:
            reasons.append(str(skip))
            continue
        except Exception as error:
            reasons.append(f"{type(error).__name__}: {error}")
            continue
        inconclusive = False
        for member, slopes in zip(members, all_slopes, strict=True):
            found = _compare(member, lhs, size, values, numbers, slopes)
            if isinstance(found, WitnessReport):
                return found
            inconclusive = inconclusive or found
        if inconclusive:
            # the sides differ at the working precision and the difference cannot be
            # certified (an integral mpmath evaluates but cannot bound): no verdict can rest
            # on the other points
            return WitnessReport(
                False,
                0,
                "the sides differ at a point by more than the rounding bound, and the "
                "difference could not be certified either way: the witness cannot agree",
            )
        counted += len(members)
        usable += 1
    return counted


def _slopes(member: _Prepared, values: Mapping) -> list:
    """The left's derivatives at the point by difference quotients (none when the left is
    not a derivative: then it is valued by its explicit form)."""
    slopes = []
    for body, variables in member.bodies:
        body.check_real(values)
        slope = body.partial(values, variables)
        if mpmath.mag(slope) > _STEEPEST_BITS:
            raise _SkipError("too steep here for a difference quotient")
        slopes.append(slope)
    return slopes


def _compare(
    member: _Prepared, lhs: sp.Basic, size: int, values: Mapping, numbers: list, slopes: list
) -> bool | WitnessReport:
    """Every right against the left at the point: a certified disagreement as a report, or
    whether some difference could not be certified (no evidence either way)."""
    left_values = slopes if member.left is None else numbers[member.start : member.start + size]
    # the rights' entries start here (after the left's, when the left is SymPy's)
    offset = member.start + (0 if member.left is None else size)
    inconclusive = False
    for position, (label, _) in enumerate(member.rights):
        for entry in range(size):
            lv = left_values[entry]
            at = offset + position * size + entry
            rv = numbers[at]
            if _agree(lv, rv):
                continue
            exact_right = member.flat[at - member.start].xreplace(values)
            exact_left = _exact_left(member.instance, lhs, member.left, entry, values)
            if exact_left is None or not _certainly_different(exact_left, exact_right):
                inconclusive = True  # differs at the working precision, not certified
                continue
            point = Point(member.integers, values, member.instance.describe_functions())
            return WitnessReport(
                False,
                0,
                f"{label} disagrees at {point.describe()}: "
                f"{mpmath.nstr(lv, 15)} vs {mpmath.nstr(rv, 15)}",
                point,
                (exact_left, exact_right),
            )
    return inconclusive
