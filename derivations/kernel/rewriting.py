"""How the engine decides that two expressions are equal.

:func:`equivalent` unfolds the definitions, collapses the ``KroneckerDelta`` sums that
symbolic sizes produce (``doit`` → ``refine`` of ``Piecewise`` conditions with the index
ranges → split and factor the sums → canonical names of bound variables, to a fixed point),
applies the hypotheses a step names as substitutions, and accepts only if ``cancel`` or
``simplify`` of the difference is exactly ``0``.  Every substitution is capture-free
(:mod:`derivations.kernel.binding`).  Nothing here is trusted alone: every claim is also evaluated
independently at concrete sizes by :mod:`derivations.kernel.witness`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import sympy as sp
from sympy.concrete.delta import _has_simple_delta, deltasummation
from sympy.concrete.expr_with_limits import ExprWithLimits
from sympy.concrete.summations import eval_sum
from sympy.core.function import AppliedUndef
from sympy.simplify.simplify import factor_sum

from derivations.kernel.binding import (
    canonical,
    canonical_at,
    first_level,
    rename_bound,
    symbols_free_in,
)
from derivations.kernel.language import definition_lookup

if TYPE_CHECKING:
    from derivations.kernel.language import Definition, Hypothesis, IndexRange

__all__ = [
    "MAX_TERMS",
    "CannotDecideError",
    "CircularDefinitionError",
    "apply_hypothesis",
    "check_lengths",
    "collapse",
    "equivalent",
    "evaluate",
    "is_zero",
    "unfold",
    "unjustified_substitutions",
]


class CannotDecideError(ValueError):
    """SymPy would be asked to do something it does unsoundly; the engine declines."""


class CircularDefinitionError(ValueError):
    """Unfolding does not terminate: the definitions refer to each other in a cycle."""


#: the most terms a sum or product with concrete bounds may have: SymPy writes such a sum
#: out term by term, and Σ_{c=1}^{10^7} would not finish
MAX_TERMS = 1000


def check_lengths(expr: sp.Basic) -> None:
    """Refuse (:class:`CannotDecideError`) to evaluate a sum or product with concrete bounds
    and more than :data:`MAX_TERMS` terms — also one that became concrete by a hypothesis
    (K = 10⁷) or by using a definition at an entry (a_{10⁷} with a_j := Σ_{c ≤ j} x_c)."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Sum | sp.Product):
            for _, lo, hi in (limit for limit in node.limits if len(limit) == 3):
                length = hi - lo + 1
                if length.is_Integer and length > MAX_TERMS:
                    raise CannotDecideError(
                        f"the {type(node).__name__.lower()} over {node.limits[0][0]} from {lo} "
                        f"to {hi} has {length} terms; the engine writes out at most {MAX_TERMS}"
                    )


# --------------------------------------------------------------------------- unfolding


def unfold(expr: sp.Basic, definitions: Iterable[Definition]) -> sp.Basic:
    """Replace every defined object by its definition, repeatedly (definitions may nest).

    Acyclic definitions nest at most ``len(definitions)`` deep: an object whose unfolding
    goes deeper refers to itself through a cycle, which is refused rather than cut off (a
    truncated unfolding of ``J := 2J − x`` would "prove" dJ/dx = −3).  Each distinct
    subexpression is unfolded once (every row of a network's gradient holds the same J).
    """
    definitions = tuple(definitions)
    lookup = definition_lookup(definitions)
    memo: dict[sp.Basic, sp.Basic] = {}

    def unfolded(node: sp.Basic, nesting: int) -> sp.Basic:
        """``node`` unfolded; ``nesting`` counts the definitions whose bodies it sits in.

        Arguments first (σ(σ(x)) nests σ through its argument, not through its body), then
        the node itself; only what a body brings in is one definition deeper."""
        if node in memo:
            return memo[node]
        if node.args and not isinstance(node, sp.IndexedBase | sp.Symbol):
            args = tuple(unfolded(arg, nesting) for arg in node.args)
            node_now = node if args == node.args else node.func(*args)
        else:
            node_now = node
        definition = lookup(node_now)
        if definition is None:
            result = node_now
        elif nesting == len(definitions):
            names = ", ".join(d.printed_name for d in definitions)
            raise CircularDefinitionError(
                f"the definitions of {names} do not unfold: they refer in a cycle"
            )
        else:
            result = unfolded(definition.expand_node(node_now), nesting + 1)
        memo[node] = memo[result] = result
        return result

    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(lambda entry: unfolded(entry, 0))
    return unfolded(sp.sympify(expr), 0)


# --------------------------------------------------------------------------- hypotheses


def _replace_alpha(expr: sp.Basic, old: sp.Basic, new: sp.Basic) -> sp.Basic:
    target = canonical(old)
    return expr.replace(lambda node: canonical(node) == target, lambda node: new)


def _substitute_equal(expr: sp.Basic, old: sp.Expr, new: sp.Expr) -> sp.Basic:
    """Rewrite ``old`` (free occurrences, up to bound names) to ``new`` in ``expr``."""
    expr = rename_bound(expr)
    if old.has(sp.Sum, sp.Product, sp.Integral, sp.Subs, sp.Lambda):
        return _replace_alpha(expr, old, new)
    return expr.subs(old, new)


def unjustified_substitutions(hypothesis: Hypothesis) -> list[str]:
    """Extra substitutions that SymPy cannot derive from the statement (must be none).

    ``old → new`` is licensed when ``old − new`` becomes 0 once ``lhs`` is replaced by
    ``rhs``; e.g. ``y_K → 1 − y_1 − … − y_{K−1}`` from ``y_1 + … + y_K = 1``.
    """
    problems = []
    for old, new in hypothesis.extra_substitutions:
        residual = _substitute_equal(sp.expand(old - new), hypothesis.lhs, hypothesis.rhs)
        if not is_zero(residual):
            problems.append(f"{old} → {new}")
    return problems


def apply_hypothesis(expr: sp.Basic, hypothesis: Hypothesis) -> sp.Basic:
    """Rewrite ``expr`` with every substitution ``hypothesis`` licenses, each checked first."""
    unjustified = unjustified_substitutions(hypothesis)
    if unjustified:
        raise CannotDecideError(
            f"hypothesis {hypothesis.name!r} licenses {', '.join(unjustified)}, which does not "
            f"follow from its statement {hypothesis.lhs} = {hypothesis.rhs}"
        )
    for old, new in hypothesis.substitutions:
        expr = _substitute_equal(expr, old, new)
    return expr


# --------------------------------------------------------------------------- collapsing


#: nodes whose ``doit`` does one evaluation of their own (their arguments are done first);
#: a Derivative is differentiated by :func:`evaluate` itself, sums and products by the
#: exact rules below
_EVALUATED_NODES = (sp.Subs, sp.Integral)


def _unit_stride(delta: sp.KroneckerDelta, var: sp.Symbol) -> bool:
    """Is ``delta`` free of ``var`` or of the form δ_(±var + integer, ·)?"""
    difference = delta.args[0] - delta.args[1]
    if not difference.has(var):
        return True
    slope = sp.diff(difference, var)
    rest = sp.expand(difference - slope * var)
    return slope in (1, -1) and not rest.has(var) and rest.is_integer is True


def _sum_exactly(body: sp.Expr, limit: tuple) -> sp.Expr | None:
    """Σ_{v=lo}^{hi} body by a rule that is exact and cannot be slow, or None.

    The rules are SymPy's own (``eval_sum``): a body free of ``v``, a single term, the
    Kronecker delta (``deltasummation``), a polynomial in ``v`` (Faulhaber), a term with no
    unknown entries or functions in it (geometric, hypergeometric).  A body with entries
    ``x_v`` or an abstract ``g`` is left as a sum: SymPy's search for a closed form costs
    seconds on the sums of a network and cannot find one for unknown entries, and not
    evaluating is always sound.
    """
    var, lo, hi = limit
    if body == 0:
        return sp.Integer(0)
    if var not in symbols_free_in(body):
        return body * (hi - lo + 1)
    if lo == hi:
        return body.subs(var, lo)
    if body.has(sp.KroneckerDelta) and any(
        delta.has(var) for delta in body.atoms(sp.KroneckerDelta)
    ):
        # SymPy's rule for a delta it can sum; any other (a delta inside a nested sum, say)
        # would fall through eval_sum to the closed-form search.  A delta SymPy sums
        # unsoundly (δ_(2c, j), a non-integer offset) is left for _check_kronecker_sums.
        if not all(_unit_stride(delta, var) for delta in body.atoms(sp.KroneckerDelta)):
            return None
        return deltasummation(body, limit) if _has_simple_delta(body, var) else None
    length = hi - lo
    if (length.is_Integer and 0 <= length < 100) or body.is_polynomial(var):
        return eval_sum(body, limit)
    if not body.has(sp.Indexed, AppliedUndef, sp.Derivative, sp.Subs, sp.Sum):
        return eval_sum(body, limit)  # a closed-form term: Σ (−1)^c, Σ 2^{−c}, …
    if isinstance(body, sp.Piecewise) and not any(condition.has(var) for _, condition in body.args):
        # the conditions do not depend on v: sum each piece
        return sp.Piecewise(
            *(
                (_sum_exactly(piece, limit) or sp.Sum(piece, limit), condition)
                for piece, condition in body.args
            )
        )
    return None


def _product_exactly(body: sp.Expr, limit: tuple) -> sp.Expr | None:
    """Π_{v=lo}^{hi} body by a rule that is exact, or None (the product stays).

    A body free of ``v`` is raised to the number of factors, a single factor is
    substituted; otherwise SymPy's ``Product.doit`` — except for a body in which a Kronecker
    delta or a condition (Piecewise, Heaviside, …) depends on ``v``: SymPy's
    ``deltaproduct`` solves ``δ(2c, j)`` as ``c = j/2`` without asking whether ``j/2`` is an
    integer; and except for a body with a non-integer power depending on ``v``: SymPy
    takes Π √b_v to √(Π b_v), which is −√(Π b_v) when an odd number of the b_v are
    negative.  Such products are never evaluated (not evaluating is always sound).
    """
    var, lo, hi = limit
    if var not in symbols_free_in(body):
        return body ** (hi - lo + 1)
    if lo == hi:
        return body.subs(var, lo)
    conditional = (sp.KroneckerDelta, sp.Piecewise, sp.Heaviside, sp.DiracDelta)
    if any(node.has(var) for node in body.atoms(*conditional)):
        return None
    # a power whose exponent is not an integer: SymPy turns Π √b_v into √(Π b_v), false when
    # an odd number of the b_v are negative (and the root's branch is lost in general)
    if any(node.exp.is_integer is not True and node.has(var) for node in body.atoms(sp.Pow)):
        return None
    done = sp.Product(body, limit).doit(deep=False)
    return None if isinstance(done, sp.Product) else done


def evaluate(expr: sp.Basic) -> sp.Basic:
    """``expr.doit()``, except that a sum is evaluated only by :func:`_sum_exactly`.

    Derivatives, ``Subs`` and integrals are evaluated as ``doit`` does (after their
    arguments), products by :func:`_product_exactly`; what they return is evaluated again
    (the derivative of a sum is a sum).  Limits are summed innermost first; a limit that
    cannot be summed exactly stays, with the limits outside it.
    """
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(evaluate)
    if not expr.args or isinstance(expr, sp.Indexed | sp.IndexedBase | sp.Symbol):
        return expr
    if isinstance(expr, sp.Sum | sp.Product):
        exactly = _sum_exactly if isinstance(expr, sp.Sum) else _product_exactly
        body = evaluate(expr.function)
        limits = [(var, evaluate(lo), evaluate(hi)) for var, lo, hi in expr.limits]
        while limits:
            value = exactly(body, limits[0])
            if value is None:
                break
            body = evaluate(value)
            limits.pop(0)
        return type(expr)(body, *limits) if limits else body
    args = tuple(evaluate(arg) for arg in expr.args)
    node = expr if args == expr.args else expr.func(*args)
    if isinstance(node, sp.Derivative):
        # differentiate only: Derivative.doit would also ``doit`` the result, summing with
        # SymPy's closed-form search every sum the derivative of a sum gives
        done = sp.Derivative(node.expr, *node.variable_count, evaluate=True)
        return node if done == node else evaluate(done)
    if isinstance(node, _EVALUATED_NODES) and not _is_derivative_at(node):
        done = node.doit(deep=False)
        return node if done == node else evaluate(done)
    return node


def _is_derivative_at(node: sp.Basic) -> bool:
    """Is ``node`` an abstract function's derivative at a point, g′(z) =
    ``Subs(Derivative(g(ξ), ξ), ξ, z)``?  Nothing in it can be evaluated; ``doit`` would only
    rewrite it as ``Derivative(g(z), z)`` when z is an entry ``z_j``, a derivative with
    respect to an entry that a named quantity could then hide."""
    if not isinstance(node, sp.Subs) or not isinstance(node.expr, sp.Derivative):
        return False
    inner = node.expr
    return (
        isinstance(inner.expr, AppliedUndef)
        and set(inner.variables) <= set(node.variables)
        and set(inner.expr.args) == set(node.variables)
    )


def _split_sum(node: sp.Sum) -> sp.Expr:
    """Σ (f + g) → Σ f + Σ g, then pull factors that do not depend on the index out."""
    # exp(a + Σ b) stays as it is (power_exp would make it a Product here, not elsewhere)
    terms = sp.Add.make_args(sp.expand(node.function, power_exp=False))
    return sp.Add(*(factor_sum(sp.Sum(term, *node.limits)) for term in terms))


def _split_sums(expr: sp.Basic) -> sp.Basic:
    return expr.replace(lambda node: isinstance(node, sp.Sum), _split_sum)


def _delta_limits_inward(node: sp.Sum) -> sp.Sum:
    """Move the limits whose variable sits in a Kronecker delta innermost, so ``doit`` sums
    the delta first.  Finite sums commute when no limit's bounds mention another limit's
    variable; otherwise the order is left as it is."""
    limits = list(node.limits)
    variables = {limit[0] for limit in limits}
    if len(limits) < 2 or any(bound.has(*variables) for limit in limits for bound in limit[1:]):
        return node
    in_delta = {
        var
        for delta in node.function.atoms(sp.KroneckerDelta)
        for var in variables
        if delta.has(var)
    }
    ordered = sorted(limits, key=lambda limit: limit[0] not in in_delta)
    return node if ordered == limits else sp.Sum(node.function, *ordered)


def _deltas_inward(expr: sp.Basic) -> sp.Basic:
    return expr.replace(lambda node: isinstance(node, sp.Sum), _delta_limits_inward)


def _merge_nested_sum(node: sp.Sum) -> sp.Sum:
    """Σ_L (c · Σ_M f) → Σ_{M, L} c f: a finite sum times a factor is the sum of the factor
    times each term.  Every sum factor of the body is merged (a product of sums is the sum
    over all pairs of terms).  Bound variables must be fresh (``rename_bound``), so no
    variable of an inner sum occurs in ``c`` or in the outer limits."""
    factors = sp.Mul.make_args(node.function)
    inner = [factor for factor in factors if isinstance(factor, sp.Sum)]
    if not inner:
        return node
    body = sp.Mul(*(factor for factor in factors if not isinstance(factor, sp.Sum)))
    limits: list[tuple] = []
    for nested in inner:
        body *= nested.function
        limits += nested.limits
    return sp.Sum(body, *limits, *node.limits)


def _merge_nested_sums(expr: sp.Basic) -> sp.Basic:
    return rename_bound(expr).replace(lambda node: isinstance(node, sp.Sum), _merge_nested_sum)


#: more limits than this are left in the order they have (permutations grow as n!)
_MAX_COMMUTED_LIMITS = 5

#: binders inside which no sum is commuted
_NOT_COMMUTED_INSIDE = (sp.Subs, sp.Lambda)


def _commute_limits(expr: sp.Basic, depth: int = 0) -> sp.Basic:
    """Order the independent limits of every sum canonically, on a canonical expression.

    Finite sums whose limits do not mention each other's variables commute (Karr's
    convention included: both orders are the same signed double sum), so of the orders of
    such limits the one with the least printed canonical form is taken.  Two sums that
    differ only in the order of summation become identical.  Done top-down, so the
    variables of the binders around a sum already have their canonical names.
    """
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(lambda entry: _commute_limits(entry, depth))
    if not expr.args or isinstance(expr, sp.Indexed | sp.IndexedBase | sp.Symbol):
        return expr
    if isinstance(expr, sp.Sum):
        limits = expr.limits
        variables = {limit[0] for limit in limits}
        if 1 < len(limits) <= _MAX_COMMUTED_LIMITS and not any(
            bound.has(*variables) for limit in limits for bound in limit[1:]
        ):
            candidates = (
                canonical_at(sp.Sum(expr.function, *order), depth)
                for order in itertools.permutations(limits)
            )
            expr = min(candidates, key=str)
        body = _commute_limits(expr.function, depth + len(expr.limits))
        return expr if body == expr.function else sp.Sum(body, *expr.limits)
    if isinstance(expr, sp.Product | sp.Integral):
        body = _commute_limits(expr.function, depth + len(expr.limits))
        return expr if body == expr.function else type(expr)(body, *expr.limits)
    if isinstance(expr, _NOT_COMMUTED_INSIDE):
        return expr
    args = tuple(_commute_limits(arg, depth) for arg in expr.args)
    return expr if args == expr.args else expr.func(*args)


def _refine_in_scope(expr: sp.Basic, assumptions: sp.Basic) -> sp.Basic:
    """Decide the conditions of every ``Piecewise`` knowing the ranges of the free indices
    and of the sums that enclose it (``Σ_c f(c) δ_{cj}`` evaluates to such a ``Piecewise``).

    Bound variables carry canonical names distinct from every free symbol, so the range of
    a free index never leaks into a bound index of the same printed name.  Only conditions
    are refined: ``refine`` on whole expressions is slow and not needed.
    """
    if isinstance(expr, sp.Sum):
        inner = assumptions
        for var, lo, hi in expr.limits:
            inner = inner & sp.Q.ge(var, lo) & sp.Q.le(var, hi)
        return sp.Sum(_refine_in_scope(expr.function, inner), *expr.limits)
    if isinstance(expr, sp.Piecewise):
        pieces = [
            (_refine_in_scope(piece, assumptions), sp.refine(condition, assumptions))
            for piece, condition in expr.args
        ]
        return sp.Piecewise(*pieces)
    if not expr.args or isinstance(expr, sp.Indexed | sp.IndexedBase):
        return expr
    args = tuple(_refine_in_scope(arg, assumptions) for arg in expr.args)
    return expr if args == expr.args else expr.func(*args)


def _check_kronecker_sums(expr: sp.Basic) -> None:
    """SymPy sums ``Σ_c f(c) δ_{p(c), j}`` as ``f(j)`` even when ``p(c) = 2c`` (no integer
    solution for odd ``j``) or ``j`` is not an integer.  Allowed here: ``p(c) − j = ±c + e``
    with ``e`` an integer.  Anything else is declined."""
    for node in expr.atoms(sp.Sum, sp.Product):
        variables = [limit[0] for limit in node.limits]
        kind = "sum" if isinstance(node, sp.Sum) else "product"
        for delta in node.function.atoms(sp.KroneckerDelta):
            for var in variables:
                if not _unit_stride(delta, var):
                    raise CannotDecideError(
                        f"the {kind} over {var} of the Kronecker delta {delta} is not of the "
                        f"form δ_(±{var} + integer, ·): SymPy evaluates such {kind}s unsoundly"
                    )


def collapse(expr: sp.Basic, ranges: Sequence[IndexRange] = ()) -> sp.Basic:
    """Evaluate sums of Kronecker deltas and pull constants out of sums, to a fixed point.

    ``Σ_m f(m) δ_{jm}`` evaluates to ``f(j)`` only when SymPy knows ``1 <= j <= K``; the
    ranges of the free indices, and of the indices of enclosing sums, are passed to
    ``refine`` for that.  Bound variables are renamed canonically first (so they can never
    be confused with a free index) and after every round (so that the same sum written with
    two index names cancels).
    """
    assumptions = sp.And(*(r.predicate for r in ranges)) if ranges else sp.true
    expr = canonical(expr)
    for _ in range(12):
        before = expr
        _check_kronecker_sums(expr)
        check_lengths(expr)
        expr = evaluate(_deltas_inward(expr))
        expr = _refine_in_scope(expr, assumptions)
        expr = canonical(_merge_nested_sums(_split_sums(expr)))
        # from the level canonical started at (past the level names free in expr)
        expr = _commute_limits(expr, first_level(expr))
        if expr == before:
            break
    return expr


# --------------------------------------------------------------------------- zero test

#: exceptions by which SymPy gives up on a simplification: not proven, never a crash
_GAVE_UP = (
    StopIteration,
    sp.PolynomialError,
    TypeError,
    ValueError,
    NotImplementedError,
    RecursionError,
    AttributeError,
)


def is_zero(expr: sp.Basic, *, thorough: bool = True) -> bool:
    """Is ``expr`` identically 0 by ``cancel`` or (when ``thorough``) ``simplify``?  False
    when SymPy gives up."""
    if expr == 0:
        return True
    simplifiers = (
        sp.cancel,
        sp.simplify,
        # Heaviside/Max results compare with piecewise statements only once rewritten
        lambda e: sp.simplify(e.rewrite(sp.Piecewise)),
    )
    for simplifier in simplifiers if thorough else simplifiers[:1]:
        try:
            if simplifier(expr) == 0:
                return True
        except _GAVE_UP:
            continue
    return False


def equivalent(
    left: sp.Basic,
    right: sp.Basic,
    definitions: Sequence[Definition] = (),
    hypotheses: Sequence[Hypothesis] = (),
    ranges: Sequence[IndexRange] = (),
    *,
    thorough: bool = True,
) -> bool:
    """Does SymPy confirm ``left == right`` given the definitions, hypotheses and ranges?

    Without ``thorough`` only exact rewriting and ``cancel`` are tried, not ``simplify``
    (seconds to minutes on a false step of a whole network): a cheaper check that can only
    answer False more often, never True more often.

    Raises :class:`CannotDecideError` (a sum SymPy would evaluate unsoundly, an unjustified
    substitution) or :class:`CircularDefinitionError`; a caller reports those as not proven.
    """
    if isinstance(left, sp.MatrixBase) or isinstance(right, sp.MatrixBase):
        if not (isinstance(left, sp.MatrixBase) and isinstance(right, sp.MatrixBase)):
            return False
        if left.shape != right.shape:
            return False
        return all(
            equivalent(lhs_entry, rhs_entry, definitions, hypotheses, ranges, thorough=thorough)
            for lhs_entry, rhs_entry in zip(left, right, strict=True)
        )
    if _partly_unfolded_is_zero(left, right, definitions, hypotheses, ranges):
        return True
    difference = unfold(left - right, definitions)
    difference = collapse(difference, ranges)
    for hypothesis in hypotheses:
        difference = collapse(apply_hypothesis(difference, hypothesis), ranges)
    return is_zero(difference, thorough=thorough)


def _named(expr: sp.Basic, lookup) -> set[Definition]:
    """The definitions of the defined objects that occur in ``expr``."""
    return {
        definition
        for node in sp.preorder_traversal(expr)
        if (definition := lookup(node)) is not None
    }


def _index_positions(definition: Definition) -> list[tuple[sp.IndexedBase, int]]:
    """Where the index of a one-index ``definition`` sits as a whole index of an entry in
    its body: (base, position in that entry)."""
    (index,) = definition.indices
    return [
        (node.base, position)
        for node in sp.preorder_traversal(definition.expr)
        if isinstance(node, sp.Indexed)
        for position, used in enumerate(node.indices)
        if used == index
    ]


def fold(expr: sp.Basic, definitions: Sequence[Definition]) -> sp.Basic:
    """Replace every occurrence of a defined entry's unfolded body by the entry itself.

    The inverse of :func:`unfold`, for the SymPy derivative of a whole network: the
    pre-activation ``b^1_e + Σ_i W^1_{e,i} a^0_i`` becomes ``z^1_e``, then ``g(z^1_e)``
    becomes ``a^1_e``, and so on outwards (``replace`` rebuilds bottom-up).  A node is
    replaced only when it is *identical*, up to the names of its bound variables, to the
    definition unfolded once at an index ``e`` read off the node: equal by construction; a
    sum identical to the negated unfolded definition becomes the negated entry.
    Definitions of symbols and functions are not folded.
    """
    indexed = [d for d in definitions if len(d.indices) == 1 and not d.is_function]
    patterns = [(d, _index_positions(d), d.expr.func) for d in indexed]

    bodies: dict[sp.Basic, tuple[sp.Basic, frozenset]] = {}

    def body_of(definition: Definition, entry: sp.Basic) -> tuple[sp.Basic, frozenset]:
        """The canonical body of ``entry`` and the bases it names (to skip most nodes)."""
        if entry not in bodies:
            body = canonical(definition.expand_node(entry))
            bodies[entry] = (body, _bases(body))
        return bodies[entry]

    def folded(node: sp.Basic) -> sp.Basic | None:
        target = None
        for definition, positions, head in patterns:
            if node.func != head or not positions:
                continue
            indexed = node.atoms(sp.Indexed)
            candidates = {
                entry.indices[position]
                for base, position in positions
                for entry in indexed
                if entry.base == base and len(entry.indices) > position
            }
            for value in candidates:
                entry = definition.name[value]
                body, bases = body_of(definition, entry)
                # alpha-equivalent trees name the same bases: a cheap necessary condition
                if bases != _bases(node):
                    continue
                target = canonical(node) if target is None else target
                if body == target:
                    return entry
        return None

    cache: dict[sp.Basic, sp.Basic | None] = {}

    def lookup(node: sp.Basic) -> sp.Basic | None:
        if node not in cache:
            cache[node] = folded(node)
            if cache[node] is None and isinstance(node, sp.Add):
                # −z written out: SymPy's derivative of log(e^z/Σ e^z) holds e^(−z)
                negated = folded(-node)
                cache[node] = None if negated is None else -negated
        return cache[node]

    memo: dict[tuple[sp.Basic, frozenset], sp.Basic] = {}

    def rebuild(node: sp.Basic, scope: frozenset) -> sp.Basic:
        """Bottom-up, knowing the variables bound around ``node``: a node is folded only if
        no symbol that folding removes is bound there (``x_1·H(w)`` under ``Σ_w`` is not
        ``a_1 := x_1·H(w)``: the sum's ``w`` is not the definition's)."""
        if (node, scope) in memo:
            return memo[(node, scope)]
        if not node.args or isinstance(node, sp.Symbol | sp.IndexedBase):
            result = node
        else:
            if isinstance(node, ExprWithLimits | sp.Subs | sp.Lambda):
                inner = scope | frozenset(node.bound_symbols)
            else:
                inner = scope
            args = tuple(rebuild(arg, inner) for arg in node.args)
            result = node if args == node.args else node.func(*args)
            replacement = lookup(result)
            if replacement is not None and not (
                (symbols_free_in(result) - symbols_free_in(replacement)) & scope
            ):
                result = replacement
        memo[(node, scope)] = result
        return result

    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(lambda entry: rebuild(entry, frozenset()))
    return rebuild(expr, frozenset())


def _bases(expr: sp.Basic) -> frozenset:
    """The indexed bases ``expr`` names (unchanged by renaming bound variables)."""
    return frozenset(entry.base for entry in expr.atoms(sp.Indexed))


def _below(definition: Definition, lookup) -> set[Definition]:
    """The definitions ``definition`` refers to, directly or through others."""
    found: set[Definition] = set()
    todo = [definition]
    while todo:
        for named in _named(todo.pop().expr, lookup):
            if named not in found:
                found.add(named)
                todo.append(named)
    return found


def _partly_unfolded_is_zero(
    left: sp.Basic,
    right: sp.Basic,
    definitions: Sequence[Definition],
    hypotheses: Sequence[Hypothesis],
    ranges: Sequence[IndexRange],
) -> bool:
    """Is ``left − right`` 0 with only the defined objects unfolded that one side names and
    the other does not?

    Two neighbouring steps of a long derivation usually differ in one named quantity
    (δ^1 beside (W^2)ᵀ δ^2 ⊙ g′(z^1)): unfolding δ^1 once, and keeping δ^2, z^1, … as opaque
    atoms on both sides, shows them equal at a fraction of the cost of unfolding the whole
    network.  Sound because an identity in opaque atoms holds for every value they take, in
    particular for their definitions: the atoms carry no assumption their definitions do
    not meet (:mod:`derivations.kernel.wellformed`), and no derivative may see an atom (the
    derivative of an opaque ``a_c`` would be 0, not the derivative of its definition), so
    where one could, only the full unfolding is tried.  Only an exact 0 (after collapsing,
    hypotheses and ``cancel``) counts; anything else falls through to the full unfolding.
    """
    lookup = definition_lookup(definitions)
    if not definitions:
        return False
    # a side with nothing named (SymPy's derivative of the whole network) is folded first
    try:
        if not _named(left, lookup):
            left = fold(collapse(fold(left, definitions), ranges), definitions)
        if not _named(right, lookup):
            right = fold(collapse(fold(right, definitions), ranges), definitions)
    except _GAVE_UP:
        return False
    for _ in range(len(definitions) + 1):
        on_left, on_right = _named(left, lookup), _named(right, lookup)
        if not on_left or not on_right:
            return False  # a side with nothing defined: only the full unfolding can match
        differing = on_left ^ on_right
        if not differing:
            break
        # unfold the highest of them: δ^1 (which names δ^2 and z^1), not δ^2 or z^1
        below = set().union(*(_below(definition, lookup) for definition in differing))
        expand = set()
        for highest in differing - below:
            other = on_right if highest in on_left else on_left
            # named on one side only, and below a quantity the other side names (z^2 beside
            # a^2 := σ(z^2)): unfold that quantity on both sides, not z^2
            above = {named.name for named in other if highest in _below(named, lookup)}
            expand |= above or {highest.name}
        if not expand:
            return False

        def one_level(expr: sp.Basic, expand: set = expand) -> sp.Basic:
            return expr.replace(
                lambda node: (found := lookup(node)) is not None and found.name in expand,
                lambda node: lookup(node).expand_node(node),
            )

        left, right = one_level(left), one_level(right)
    else:
        return False
    difference = left - right
    if any(_named(node, lookup) for node in difference.atoms(sp.Derivative)):
        return False
    try:
        difference = collapse(difference, ranges)
        for hypothesis in hypotheses:
            difference = collapse(apply_hypothesis(difference, hypothesis), ranges)
        return difference == 0 or sp.cancel(difference) == 0
    except _GAVE_UP:
        return False
