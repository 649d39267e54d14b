"""Rigorous enclosures of closed-form real numbers, in Arb's ball arithmetic (python-flint).

:func:`enclose` evaluates a SymPy number built from integers, rationals, ``+``, ``×``,
integer powers, ``exp`` and ``log`` as an Arb ball (midpoint ± radius): every operation of
Arb returns a ball that contains the exact result of the operation applied to every point
of its argument balls, so the true value lies inside the returned :class:`Enclosure`.  A
sign is *certified* (:func:`sign`) only when the whole enclosure lies on one side of 0.
This is what the certified counterexamples use (``loss_not_convex_in_weights``, the
float64 findings of the source census): an inequality between transcendental numbers is
shown by an enclosure, never by a rounded floating-point comparison.

Arb, not ``mpmath.iv``: mpmath 1.3.0's interval ``exp`` can return an interval that does not
contain exp(x) (mpmath issue 1181, at x = −2⁻⁵³); Arb's containment is its specification
(Johansson, "Arb: efficient arbitrary-precision midpoint-radius interval arithmetic", IEEE
Trans. Computers 2017), and ``tests/test_intervals.py`` checks that input.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy as sp
from flint import arb, ctx

__all__ = ["Enclosure", "approximately", "enclose", "sign"]


def _exact_mpf(ball: arb) -> mpmath.mpf:
    """An exact binary number (a ball of radius 0: Arb's lower or upper end) as an mpmath
    number with enough bits to hold it unrounded."""
    mantissa, exponent = (int(part) for part in ball.man_exp())
    with mpmath.workprec(max(53, abs(mantissa).bit_length() + 8)):
        return mpmath.ldexp(mpmath.mpf(mantissa), exponent)


@dataclass(frozen=True)
class Enclosure:
    """``[a, b]`` certain to contain a real number; ``ball`` is Arb's midpoint ± radius,
    computed with ``bits`` of working precision."""

    ball: arb
    bits: int

    def _end(self, which: str) -> mpmath.mpf:
        # Arb rounds an end to the context's precision (outward), so read it at the
        # precision the ball was computed with
        saved = ctx.prec
        ctx.prec = self.bits
        try:
            return _exact_mpf(getattr(self.ball, which)())
        finally:
            ctx.prec = saved

    @property
    def a(self) -> mpmath.mpf:
        """The lower end (exact)."""
        return self._end("lower")

    @property
    def b(self) -> mpmath.mpf:
        """The upper end (exact)."""
        return self._end("upper")

    @property
    def mid(self) -> mpmath.mpf:
        """The midpoint (exact)."""
        return self._end("mid")


def _enclose(expr: sp.Basic) -> arb:
    if isinstance(expr, sp.Integer):
        return arb(int(expr))
    if isinstance(expr, sp.Rational):
        return arb(int(expr.p)) / arb(int(expr.q))
    if expr is sp.E:
        return arb(1).exp()
    if isinstance(expr, sp.Add):
        total = arb(0)
        for term in expr.args:
            total = total + _enclose(term)
        return total
    if isinstance(expr, sp.Mul):
        product = arb(1)
        for factor in expr.args:
            product = product * _enclose(factor)
        return product
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer:
        base, power = _enclose(expr.base), int(expr.exp)
        result = arb(1)
        for _ in range(abs(power)):
            result = result * base
        if power < 0:
            if result.contains(0):
                raise ValueError(f"division by an interval that contains 0: {expr}")
            return 1 / result
        return result
    if isinstance(expr, sp.exp):
        return _enclose(expr.args[0]).exp()
    if isinstance(expr, sp.log) and len(expr.args) == 1:
        inner = _enclose(expr.args[0])
        if not inner > 0:
            raise ValueError(f"log of an interval that reaches 0 or below: {expr}")
        return inner.log()
    raise ValueError(f"cannot enclose {expr!r}: only + × integer powers exp log and rationals")


def enclose(expr: sp.Basic, digits: int = 50) -> Enclosure:
    """An :class:`Enclosure` certain to contain the value of the closed form ``expr``,
    computed with ``digits`` decimal digits of working precision (the enclosure is valid at
    any precision; more digits make it narrower)."""
    expr = sp.sympify(expr)
    if expr.free_symbols:
        raise ValueError(f"{expr} has free symbols {expr.free_symbols}: not a number")
    saved = ctx.prec
    bits = int(digits * 3.33) + 16
    ctx.prec = bits
    try:
        return Enclosure(_enclose(expr), bits)
    finally:
        ctx.prec = saved


def sign(expr: sp.Basic, digits: int = 50) -> int:
    """+1 or −1 when the enclosure of ``expr`` lies strictly on one side of 0, else 0."""
    box = enclose(expr, digits).ball
    if box > 0:
        return 1
    if box < 0:
        return -1
    return 0


def approximately(box: Enclosure, digits: int = 20) -> str:
    """The enclosed value to ``digits`` significant digits, for printing (the midpoint: the
    enclosure is far narrower than the digits shown)."""
    return mpmath.nstr(box.mid, digits)
