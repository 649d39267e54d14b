"""Bound variables, handled once: capture-free substitution and alpha-equivalence.

SymPy's ``Sum``, ``Product`` and ``Integral`` (every ``ExprWithLimits``), ``Subs`` and
``Lambda`` *bind* variables.  ``xreplace`` and ``subs`` do not respect that: substituting
``x → t`` into ``∫₀¹ x·t dt`` gives ``∫₀¹ t² dt`` (the free ``x`` is *captured* by the bound
``t``), and SymPy merges ``Σ_{d=1}^{K} Σ_{c=1}^{d} x_c`` into one ``Sum`` with two limits in
which the outer variable ``d`` also occurs in the inner *limit*.

Scoping rule (the one SymPy uses for evaluation): in ``Sum(f, L_0, L_1, …, L_n)`` the
variable of limit ``L_i`` is bound in ``f`` and in the bounds of the inner limits
``L_0 … L_{i−1}``, and not in its own bounds; in ``Subs(f, vars, point)`` and
``Lambda(vars, f)`` the variables are bound in ``f`` only.  ``Derivative(f, x)`` binds
nothing: it is a function of ``x``.

Every rewrite of the engine goes through this module:

* :func:`rename_bound` gives every bound variable a fresh ``Dummy`` (same assumptions), so a
  later ``xreplace``/``subs``/``refine`` can never touch or capture a bound variable;
* :func:`substitute` is capture-free substitution built on it;
* :func:`canonical` renames bound variables by their binding depth (de Bruijn levels), so
  two expressions that differ only in the names of bound variables become identical;
* :func:`free_symbols` computes the free symbols correctly for merged sums (SymPy's own
  ``free_symbols`` reports the bound ``c`` of ``Σ_{d} Σ_{c ≤ d} x_c`` as free).

A construct that binds variables in a way not listed above (``Limit``, sets, …) raises
:class:`UnsupportedConstructError`: it is refused, never guessed at.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping

import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits

__all__ = [
    "UnsupportedConstructError",
    "alpha_equal",
    "canonical",
    "canonical_at",
    "first_level",
    "free_symbols",
    "rename_bound",
    "substitute",
    "symbols_free_in",
]

#: SymPy constructs that bind variables in ways this module does not model: refused
_UNSUPPORTED_BINDERS: tuple[type, ...] = (sp.Limit, sp.Order, sp.RootSum, sp.Set)

_fresh_counter = itertools.count()
#: dummy indices of canonical names are far from the ones SymPy hands out
_CANONICAL_BASE = 10**15


class UnsupportedConstructError(ValueError):
    """An expression uses a variable-binding construct the engine cannot handle soundly."""


def _assumptions(symbol: sp.Symbol) -> dict[str, bool]:
    return dict(symbol._assumptions_orig)


def _atomic(node: sp.Basic) -> bool:
    # IndexedBase is rebuilt without its assumptions by func(*args): never rebuild it
    return not node.args or isinstance(node, sp.IndexedBase | sp.Symbol)


def _check_supported(node: sp.Basic) -> None:
    if isinstance(node, _UNSUPPORTED_BINDERS):
        raise UnsupportedConstructError(
            f"{type(node).__name__} binds variables in a way the engine does not handle: {node}"
        )
    if isinstance(node, sp.Integral) and any(len(limit) != 3 for limit in node.limits):
        # ∫ x dx is x²/2 + C: its variable is free, not bound, and C is not determined
        raise UnsupportedConstructError(
            f"the indefinite integral {node} is not a function of its variable; give bounds"
        )


def _relabel(
    node: sp.Basic,
    fresh: Callable[[sp.Symbol, int, bool], sp.Symbol],
    depth: int,
    env: Mapping[sp.Symbol, sp.Symbol] | None = None,
    memo: dict | None = None,
) -> sp.Basic:
    """Rename every bound variable below ``node``; ``fresh(var, level)`` makes the new name.

    ``env`` maps the variables bound around ``node`` to their new names; an occurrence is
    renamed where it is met, so the tree is walked once (a binder's own ``xreplace`` over
    its body walked the body again at every level of nesting).  An inner binder of the same
    variable shadows the outer one, as in SymPy's evaluation.  All renaming at a node is
    simultaneous, so names swapped between binders (a piece of a canonical form renamed
    again) cannot capture each other.

    ``memo`` (only for names that depend on the level alone, never for fresh ones: two
    copies of a subtree must not share fresh names) reuses the result for a subtree met
    again at the same depth under the same renaming."""
    env = env or {}
    if memo is not None and node.args and not isinstance(node, sp.MatrixBase):
        key = (node, depth, frozenset(env.items()))
        if key not in memo:
            memo[key] = _relabel_node(node, fresh, depth, env, memo)
        return memo[key]
    return _relabel_node(node, fresh, depth, env, memo)


def _relabel_node(
    node: sp.Basic,
    fresh: Callable[[sp.Symbol, int, bool], sp.Symbol],
    depth: int,
    env: Mapping[sp.Symbol, sp.Symbol],
    memo: dict | None,
) -> sp.Basic:
    if isinstance(node, sp.MatrixBase):
        return node.applyfunc(lambda entry: _relabel(entry, fresh, depth, env, memo))
    if isinstance(node, sp.Symbol):
        return env.get(node, node)
    if _atomic(node):
        return node
    _check_supported(node)
    if isinstance(node, ExprWithLimits):
        limits = node.limits
        level = depth + len(limits)
        inner = dict(env)
        new_limits: list[tuple] = [()] * len(limits)
        # from the outermost limit inwards: the bounds of limit i see the variables of i+1..n
        for position in reversed(range(len(limits))):
            var, *bounds = limits[position]
            new_bounds = [_relabel(bound, fresh, level, inner, memo) for bound in bounds]
            new_var = fresh(var, depth + position, isinstance(node, sp.Sum | sp.Product))
            inner[var] = new_var
            new_limits[position] = (new_var, *new_bounds)
        body = _relabel(node.function, fresh, level, inner, memo)
        return type(node)(body, *new_limits)
    if isinstance(node, sp.Subs):
        expr, variables, point = node.args
        new_vars = [fresh(var, depth + n, False) for n, var in enumerate(variables)]
        inner = {**env, **dict(zip(variables, new_vars, strict=True))}
        body = _relabel(expr, fresh, depth + len(new_vars), inner, memo)
        return sp.Subs(
            body, tuple(new_vars), tuple(_relabel(p, fresh, depth, env, memo) for p in point)
        )
    if isinstance(node, sp.Lambda):
        variables, expr = node.signature, node.expr
        new_vars = [fresh(var, depth + n, False) for n, var in enumerate(variables)]
        inner = {**env, **dict(zip(variables, new_vars, strict=True))}
        return sp.Lambda(tuple(new_vars), _relabel(expr, fresh, depth + len(new_vars), inner, memo))
    if getattr(node, "bound_symbols", None):
        raise UnsupportedConstructError(
            f"{type(node).__name__} binds {node.bound_symbols}, which the engine does not handle"
        )
    args = tuple(_relabel(arg, fresh, depth, env, memo) for arg in node.args)
    return node if args == node.args else node.func(*args)


def _fresh_dummy(var: sp.Symbol, _level: int, summation: bool) -> sp.Symbol:
    return sp.Dummy(var.name, **_bound_assumptions(var, summation))


def _level_dummy(var: sp.Symbol, level: int, summation: bool) -> sp.Symbol:
    # same level and same assumptions → the same symbol: alike binders become identical
    return sp.Dummy(
        f"_b{level}", dummy_index=_CANONICAL_BASE + level, **_bound_assumptions(var, summation)
    )


def _bound_assumptions(var: sp.Symbol, summation: bool) -> dict[str, bool]:
    """A summation variable ranges over integers whatever it was declared with; other bound
    variables keep their declared assumptions."""
    return {"integer": True} if summation else _assumptions(var)


def rename_bound(expr: sp.Basic) -> sp.Basic:
    """``expr`` with every bound variable renamed to a fresh ``Dummy`` (same assumptions)."""
    return _relabel(sp.sympify(expr), _fresh_dummy, 0)


def _is_level_name(symbol: sp.Basic) -> bool:
    """Is ``symbol`` a name :func:`_level_dummy` gives?  (SymPy's own dummies, such as the
    ξ of a derivative's ``Subs``, may have any index, so the name is compared too.)"""
    return (
        isinstance(symbol, sp.Dummy)
        and symbol.dummy_index >= _CANONICAL_BASE
        and symbol.name == f"_b{symbol.dummy_index - _CANONICAL_BASE}"
    )


def canonical(expr: sp.Basic) -> sp.Basic:
    """``expr`` with bound variables named by binding depth: alpha-equivalent → identical.

    The renaming is simultaneous (:func:`_relabel`), so bound variables that already carry
    level names (a piece of an earlier canonical form, e.g. what summing a Kronecker delta
    leaves) are renamed among themselves without capture: ``Σ_j g(Σ_i W_{j,i} a_i)`` never
    becomes ``Σ_j g(Σ_i W_{i,i} a_i)``.  A piece cut out of a canonical form may hold
    *free* level names (the variables of the sums around it): its own binders are then named
    from the level after the highest of them, so none can capture one — and two
    alpha-equivalent pieces, having the same free names, start at the same level.
    """
    expr = sp.sympify(expr)
    return _relabel(expr, _level_dummy, first_level(expr), memo={})


def first_level(expr: sp.Basic) -> int:
    """The level :func:`canonical` names ``expr``'s outermost binders from: past the highest
    level name free in ``expr`` (0 when none is).  Whoever renames the binders of a canonical
    expression by position again (:func:`canonical_at`) must start there too, or an outer
    binder gets the name of a free level name inside it and captures it."""
    expr = sp.sympify(expr)
    entries = list(expr) if isinstance(expr, sp.MatrixBase) else [expr]
    free = [s for entry in entries for s in symbols_free_in(entry) if _is_level_name(s)]
    return 1 + max((symbol.dummy_index - _CANONICAL_BASE for symbol in free), default=-1)


def canonical_at(expr: sp.Basic, depth: int) -> sp.Basic:
    """The canonical names of ``expr`` as it has them when it sits under ``depth`` bound
    variables of a canonical expression (its own binders named from level ``depth`` on).

    ``expr`` must already be canonical inside a canonical whole (its free variables are the
    level names of the binders around it, levels below ``depth``, which no binder inside
    it takes).
    """
    return _relabel(sp.sympify(expr), _level_dummy, depth, memo={})


def alpha_equal(left: sp.Basic, right: sp.Basic) -> bool:
    """Are ``left`` and ``right`` the same up to the names of their bound variables?"""
    return canonical(left) == canonical(right)


def substitute(expr: sp.Basic, mapping: Mapping[sp.Basic, sp.Basic]) -> sp.Basic:
    """Replace the *free* occurrences of each key by its value, capturing nothing.

    Bound variables are renamed first, so no value can be captured and no bound variable is
    replaced.  A derivative with respect to a replaced variable becomes ``Subs`` (SymPy's
    ``subs``), so ``F(x) := g′(x)`` at ``x = 2y`` is ``g′`` evaluated at ``2y``, and
    ``d/dx (x y)`` at ``x = y`` stays ``y``; an index inside a derivative variable (``z_j``
    with ``j = 1``) is replaced structurally.
    """
    if not mapping:
        return expr
    renamed = rename_bound(expr)
    if any(
        variable in mapping for node in renamed.atoms(sp.Derivative) for variable in node.variables
    ):
        # d/dx (x y) at x = y is y, not d/dy (y y): SymPy's subs keeps the derivative's own
        # variable apart (Subs) from the value put in for it
        return renamed.subs(dict(mapping), simultaneous=True)
    return renamed.xreplace(dict(mapping))


def free_symbols(expr: sp.Basic) -> set[sp.Basic]:
    """The free symbols of ``expr`` (bound variables excluded, also in merged sums)."""
    renamed = rename_bound(expr)
    return {
        symbol
        for symbol in renamed.free_symbols
        if not any(isinstance(part, sp.Dummy) for part in symbol.free_symbols)
    }


@functools.lru_cache(maxsize=1 << 16)
def symbols_free_in(node: sp.Basic) -> frozenset[sp.Symbol]:
    """The symbols that occur free in ``node``, by the scoping rule of the module docstring
    (an entry's indices count, the name of an ``IndexedBase`` does not).

    Memoized per subtree (a pure function of the expression): SymPy's ``free_symbols`` of a
    sum rewrites the whole body every time it is asked, seconds for a network's nested sums.
    """
    if isinstance(node, sp.Symbol):
        return frozenset({node})
    if _atomic(node):
        return frozenset()
    if isinstance(node, ExprWithLimits):
        found = symbols_free_in(node.function)
        for var, *bounds in node.limits:  # innermost first
            found = found - {var}
            for bound in bounds:
                found |= symbols_free_in(bound)
        return found
    if isinstance(node, sp.Subs):
        expr, variables, point = node.args
        return (symbols_free_in(expr) - set(variables)) | symbols_free_in(point)
    if isinstance(node, sp.Lambda):
        return symbols_free_in(node.expr) - set(node.signature)
    return frozenset().union(*(symbols_free_in(arg) for arg in node.args))
