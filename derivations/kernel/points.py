"""Points for the explicit forms (:mod:`derivations.kernel.explicit`): values drawn for the
symbols that respect their assumptions, numbers judged finite, real or certainly different
at the working precision, and kinks avoided."""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import mpmath
import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits

from derivations.kernel.explicit import (
    AGREE,
    DIGITS,
    _nodes,
    _SkipError,
)

if TYPE_CHECKING:
    pass


#: how many points the witness draws, at most, for each point it needs
_DRAWS_PER_POINT = 3


def _free_atoms(expr: sp.Basic) -> set[sp.Basic]:
    """The atoms a point must give values to: entries ``z[1]`` and plain symbols.

    Bound variables (of integrals, ``Subs``, …, and every ``Dummy``) are left out."""
    nodes = _nodes(expr)
    indexed = {node for node in nodes if isinstance(node, sp.Indexed)}
    labels = {atom.base.label for atom in indexed}
    bound = {
        variable
        for node in nodes
        if isinstance(node, ExprWithLimits | sp.Subs | sp.Lambda)
        for variable in node.bound_symbols
    }
    symbols = {
        node
        for node in nodes
        if isinstance(node, sp.Symbol) and node not in labels and node not in bound
    }
    return {atom for atom in indexed | symbols if not isinstance(atom, sp.Dummy)}


def _required(atom: sp.Basic) -> dict[str, bool]:
    symbol = atom.base.label if isinstance(atom, sp.Indexed) else atom
    return {
        key: value
        for key, value in (getattr(symbol, "_assumptions_orig", {}) or {}).items()
        if key != "commutative"
    }


def _satisfies(value: sp.Expr, required: Mapping[str, bool]) -> bool:
    return all(getattr(value, f"is_{key}", None) is wanted for key, wanted in required.items())


_SIMPLE_VALUES = tuple(
    sp.Rational(v)
    for v in ("0", "1", "-1", "2", "1/2", "-2", "-1/2", "3", "1/3", "-3", "3/2", "-3/2", "2/3")
)


def _random_value(rng: random.Random, required: Mapping[str, bool]) -> sp.Expr:
    for _ in range(200):
        if required.get("integer") or required.get("even") or required.get("odd"):
            value = sp.Integer(rng.randint(-4, 4))
        else:
            value = sp.Rational(rng.randint(-24, 24), rng.choice((3, 4, 5, 7, 8, 9, 11)))
        if _satisfies(value, required):
            return value
    raise _SkipError(f"no value satisfies the assumptions {required}")


def _integer_choices(symbol: sp.Symbol, upto: int = 6) -> list[int]:
    """Small integers of the symbol's declared domain, by size: 1, 2, 3, 4, 0, −1, −2, …"""
    required = _required(symbol)
    top = max(upto, 6) + 2
    pool = (1, 2, 3, 4, 0, -1, -2, -3, -4, *range(5, top), *range(-5, -top, -1))
    return [v for v in pool if _satisfies(sp.Integer(v), required)]


def _is_finite_number(value: sp.Basic) -> bool:
    return bool(value.is_number) and value.is_finite is True and not value.has(sp.nan, sp.zoo)


def _numeric(value: sp.Basic) -> sp.Expr:
    """The value at 80 digits; not a finite number → the point is skipped."""
    value = sp.sympify(value).doit()
    if not value.is_number:
        raise _SkipError(f"the value still has free symbols: {value.free_symbols}")
    number = sp.N(value, DIGITS)
    if not _is_finite_number(number):
        raise _SkipError(f"not a finite number: {value}")
    if not _is_real(number):
        raise _SkipError(f"not a real number: {value} (claims are about real values)")
    return number


def _is_real(number) -> bool:
    """Is a 80-digit value (SymPy or mpmath) real, up to rounding in its last digits?
    Claims are about real values: a point where a side is complex (√x at x < 0) is outside
    the domain, never evidence and never a counterexample."""
    with mpmath.workdps(DIGITS):
        value = number
        if isinstance(number, sp.Basic):
            real, imaginary = number.as_real_imag()
            value = mpmath.mpc(
                sp.N(real, DIGITS)._to_mpmath(mpmath.mp.prec),
                sp.N(imaginary, DIGITS)._to_mpmath(mpmath.mp.prec),
            )
        return bool(
            abs(mpmath.im(value)) <= mpmath.mpf(10) ** (-AGREE) * max(1, abs(mpmath.re(value)))
        )


def _certainly_different(left: sp.Expr, right: sp.Expr) -> bool:
    """Is ``left − right`` provably non-zero (enough digits certified by mpmath)?"""
    difference = sp.sympify(left - right)
    if difference == 0:
        return False
    try:
        value = difference.evalf(DIGITS, strict=True)
    except Exception:  # PrecisionExhausted: mpmath cannot tell it from 0
        return False
    scale = max(sp.Float(1, DIGITS), abs(sp.N(left, DIGITS)))
    return bool(abs(value) > sp.Float(10, DIGITS) ** (-AGREE) * scale)


def _kinks(expr: sp.Basic) -> list[sp.Expr]:
    kinks = []
    for node in _nodes(expr):
        if isinstance(node, sp.Abs | sp.sign | sp.Heaviside | sp.DiracDelta):
            kinks.append(node.args[0])
        elif isinstance(node, sp.Max | sp.Min):
            kinks += [a - b for a, b in itertools.combinations(node.args, 2)]
        elif isinstance(node, sp.Piecewise):
            for _, condition in node.args:
                for relation in sp.preorder_traversal(condition):
                    if isinstance(relation, sp.core.relational.Relational):
                        kinks.append(relation.lhs - relation.rhs)
    return kinks


def _at_a_kink(kinks: Sequence[sp.Expr], values: Mapping[sp.Basic, sp.Expr]) -> bool:
    for kink in kinks:
        value = sp.sympify(kink).xreplace(dict(values))
        if not value.free_symbols:
            try:
                if abs(sp.N(value, DIGITS)) < sp.Float(10, DIGITS) ** (-AGREE):
                    return True
            except TypeError:
                return True
    return False
