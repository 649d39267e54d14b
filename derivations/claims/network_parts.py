"""The pieces the whole-network claims share: the row indices and g′ at a point.

Used by :mod:`derivations.claims.network` (one example) and
:mod:`derivations.claims.network_batch` (a batch of m examples).
"""

from __future__ import annotations

import sympy as sp

from derivations.notation import g

__all__ = ["g_prime_at", "row_indices", "xi"]

#: the real variable of g′ (g′(z^l_r) is g′ evaluated at z^l_r, a defined quantity)
xi = sp.Symbol("xi", real=True)


def row_indices(layer: int) -> tuple[sp.Symbol, sp.Symbol]:
    """The free indices of layer ``layer``'s rows: unit r_l of layer l, unit s_l of l − 1."""
    return sp.Symbol(f"r_{layer}", integer=True), sp.Symbol(f"s_{layer}", integer=True)


def g_prime_at(point: sp.Expr) -> sp.Expr:
    """g′(point): the derivative of g evaluated at ``point`` (printed g′(z^l_r))."""
    return sp.Subs(sp.Derivative(g(xi), xi), xi, point)
