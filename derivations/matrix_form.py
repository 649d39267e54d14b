"""Bridge from matrix statements (as the source documents write them) to the indexed forms we prove.

SymPy writes an entry of a matrix expression with symbolic shape as a sum over 0-based
indices, e.g. ``(Wᵀδ)[r, 0] = Σ_{k=0}^{p-1} W[k, r] δ[k, 0]``.  :func:`matrix_entry`
turns that into our 1-based ``Indexed`` notation, so that "the r-th entry of the matrix
formula equals the proven indexed result" is itself checked by SymPy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

if TYPE_CHECKING:
    from derivations.kernel.language import IndexRange

__all__ = ["matrix_entry", "matrix_entry_check"]


def _one_based(expr: sp.Basic, entries: Mapping[str, Callable[..., sp.Expr]]) -> sp.Basic:
    if isinstance(expr, sp.Sum):
        body, limits = expr.function, []
        for var, lo, hi in expr.limits:
            body = body.xreplace({var: var - 1})
            limits.append((var, lo + 1, hi + 1))
        return sp.Sum(_one_based(body, entries), *limits)
    if isinstance(expr, MatrixElement):
        matrix, row, col = expr.args
        return entries[matrix.name](row + 1, col + 1)
    if not expr.args:
        return expr
    return expr.func(*(_one_based(arg, entries) for arg in expr.args))


def matrix_entry(
    matrix_expr: sp.MatrixExpr,
    row: sp.Expr,
    col: sp.Expr,
    entries: Mapping[str, Callable[..., sp.Expr]],
) -> sp.Expr:
    """Entry ``(row, col)`` (1-based) of ``matrix_expr``, written with ``Indexed`` objects.

    ``entries`` maps each ``MatrixSymbol`` name to a function ``(i, j) -> expression`` giving
    its 1-based entry in our notation (e.g. ``lambda i, j: W[i, j]`` or, for a column vector,
    ``lambda i, _: delta[i]``).
    """
    raw = matrix_expr[row - 1, col - 1]
    return _one_based(raw, entries)


def matrix_entry_check(
    matrix_expr: sp.MatrixExpr,
    row: sp.Expr,
    col: sp.Expr,
    entries: Mapping[str, Callable[..., sp.Expr]],
    indexed_result: sp.Expr,
    ranges: Sequence[IndexRange] = (),
) -> Callable[[], str | None]:
    """An extra check for a claim: the matrix formula's entry equals the indexed result."""
    from derivations.kernel.rewriting import equivalent

    def check() -> str | None:
        entry = matrix_entry(matrix_expr, row, col, entries)
        if equivalent(entry, indexed_result, ranges=ranges):
            return None
        return f"entry ({row}, {col}) of {matrix_expr} is {entry}, not {indexed_result}"

    return check
