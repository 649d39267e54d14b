"""Rigorous enclosures of closed-form real numbers, with mpmath's interval arithmetic.

:func:`enclose` evaluates a SymPy number built from integers, rationals, ``+``, ``×``,
integer powers, ``exp`` and ``log`` in :mod:`mpmath.iv`: every operation rounds outwards, so
the true value lies inside the returned interval.  A sign is *certified* (:func:`sign`) only
when the whole interval lies on one side of 0.  This is what the certified counterexamples
use (``loss_not_convex_in_weights``, the float64 findings of the source census): an
inequality between transcendental numbers is shown by an enclosure, never by a rounded
floating-point comparison.
"""

from __future__ import annotations

import mpmath
import sympy as sp

__all__ = ["approximately", "enclose", "sign"]


def _enclose(expr: sp.Basic, iv) -> object:
    if isinstance(expr, sp.Integer):
        return iv.mpf(int(expr))
    if isinstance(expr, sp.Rational):
        return iv.mpf(int(expr.p)) / iv.mpf(int(expr.q))
    if expr is sp.E:
        return iv.exp(iv.mpf(1))
    if isinstance(expr, sp.Add):
        total = iv.mpf(0)
        for term in expr.args:
            total = total + _enclose(term, iv)
        return total
    if isinstance(expr, sp.Mul):
        product = iv.mpf(1)
        for factor in expr.args:
            product = product * _enclose(factor, iv)
        return product
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer:
        base, power = _enclose(expr.base, iv), int(expr.exp)
        result = iv.mpf(1)
        for _ in range(abs(power)):
            result = result * base
        return 1 / result if power < 0 else result
    if isinstance(expr, sp.exp):
        return iv.exp(_enclose(expr.args[0], iv))
    if isinstance(expr, sp.log) and len(expr.args) == 1:
        inner = _enclose(expr.args[0], iv)
        if not inner.a > 0:
            raise ValueError(f"log of an interval that reaches 0 or below: {expr}")
        return iv.log(inner)
    raise ValueError(f"cannot enclose {expr!r}: only + × integer powers exp log and rationals")


def enclose(expr: sp.Basic, digits: int = 50):
    """An interval (``mpmath.iv.mpf``) certain to contain the value of the closed form ``expr``."""
    expr = sp.sympify(expr)
    if expr.free_symbols:
        raise ValueError(f"{expr} has free symbols {expr.free_symbols}: not a number")
    iv = mpmath.iv
    saved = iv.dps
    iv.dps = digits
    try:
        return _enclose(expr, iv)
    finally:
        iv.dps = saved


def sign(expr: sp.Basic, digits: int = 50) -> int:
    """+1 or −1 when the enclosure of ``expr`` lies strictly on one side of 0, else 0."""
    box = enclose(expr, digits)
    if box.a > 0:
        return 1
    if box.b < 0:
        return -1
    return 0


def approximately(box, digits: int = 20) -> str:
    """The lower end of an enclosure to ``digits`` significant digits, for printing."""
    return mpmath.iv.nstr(box.a, digits).strip("[]").split(",")[0]
