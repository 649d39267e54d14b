"""Statements at concrete sizes: explicit finite forms, evaluated in 80-digit arithmetic.

The machinery shared by the proof witness (:mod:`derivations.kernel.witness`) and the
counterexample search (:mod:`derivations.kernel.counterexamples`), a code path apart from the
symbolic engine (it imports neither :mod:`~derivations.kernel.rewriting` nor
:mod:`~derivations.kernel.wellformed`):

1. an *instance* fixes every symbolic size at a small value, every free index inside its
   range, and every abstract function (the "any g") to a concrete smooth function;
2. the *explicit finite* form of an expression at an instance has every sum written out
   term by term and every defined object replaced by its body — no Kronecker-delta
   collapsing, no ``refine``, no simplification;
3. explicit forms are compiled once (``lambdify`` to mpmath) and evaluated at rational
   points; a derivative on the left is valued by mpmath's numerical derivative
   (``mpmath.diff``) of the explicit undifferentiated expression — no rule of SymPy's;
4. points satisfy the hypotheses (solved for), respect every symbol's assumptions and avoid
   kinks; a point where a side is not finite or not real is skipped, never counted.

This module holds step 2 (:class:`_Instance`), the working precision and :class:`Point`;
step 1 is :mod:`derivations.kernel.instances`, step 3 :mod:`derivations.kernel.compiled`, and
the values of step 4 :mod:`derivations.kernel.points`.

A disagreement is *certified*: the difference is evaluated with ``evalf(strict=True)``, so a
value is only called non-zero when mpmath proves enough digits of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sympy as sp
from sympy.core.function import AppliedUndef, UndefinedFunction

from derivations.kernel.binding import rename_bound, substitute, symbols_free_in
from derivations.kernel.language import definition_lookup

if TYPE_CHECKING:
    from derivations.kernel.language import Definition

__all__ = ["Point", "describe_assignments"]


#: digits of the working precision of every evaluation
DIGITS = 80


#: digits the evaluation of an explicit form may lose to rounding.  Each of its operations
#: rounds with relative error at most 10^-DIGITS; an explicit form has at most
#: MAX_WRITTEN_TERMS = 2·10^4 terms, each a product or quotient of at most ~10^2 factors
#: and function values (≤ 10^6 roundings, 6 digits), and the cancellation between terms in
#: the sums the statements write out (softmax: Σ_c y_c − a_j Σ_c y_c) magnifies the relative
#: error of a sum by its condition number, taken ≤ 10^6 at the rational points drawn (6
#: more digits).  A difference quotient (mpmath.diff) works with at least 10 extra digits.
GUARD_DIGITS = 12


#: agreement means |left − right| ≤ 10^-AGREE · max(1, |left|): the rounding bound above, so
#: a difference of 10^-50 (or anything above 10^-68) is a disagreement, certified before it
#: is reported
AGREE = DIGITS - GUARD_DIGITS


#: smooth concrete functions that stand in for an abstract one-argument function
_ONE_ARGUMENT = (
    lambda u: sp.sin(u) + u / 3,
    lambda u: sp.exp(u / 2) - u**2 / 5,
    lambda u: u**3 / 7 + 1 / (1 + u**2),
    lambda u: 2 * sp.cos(u) / 3 + u / 5,
    lambda u: sp.log(1 + u**2) + u / 2,
    lambda u: u / (2 + sp.sin(u)) - u**2 / 9,
)


def _many_arguments(variant: int):
    def function(*args):
        weighted = sum((k + variant + 1) * arg for k, arg in enumerate(args))
        return sp.sin(weighted) + sum(arg**2 for arg in args) / (5 + variant)

    return function


@dataclass(frozen=True)
class Point:
    """Concrete sizes and indices (integers) and values (exact numbers) of the free atoms."""

    integers: Mapping[sp.Symbol, int]
    values: Mapping[sp.Basic, sp.Expr]
    functions: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        values = dict(sorted(self.values.items(), key=str))
        text = describe_assignments(self.integers, values, self.functions)
        return text or "the only point (nothing is free)"


def describe_assignments(*groups: Mapping) -> str:
    """``key = value`` for every entry of every group, in order: how a point is printed."""
    return ", ".join(f"{key} = {value}" for group in groups for key, value in group.items())


class _SkipError(Exception):
    """This point or instance cannot be used (not finite, at a kink, hypothesis unsolvable)."""


#: the most terms the witness writes out for one expression (all its sums together)
MAX_WRITTEN_TERMS = 20_000


def _expand_sums(expr: sp.Basic, budget: list[int] | None = None) -> sp.Basic:
    """Write every sum and product with concrete limits out term by term (at most
    :data:`MAX_WRITTEN_TERMS` terms in all: a longer one makes the instance unusable)."""
    if budget is None:
        budget = [MAX_WRITTEN_TERMS]
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(lambda entry: _expand_sums(entry, [MAX_WRITTEN_TERMS]))
    if not expr.args or isinstance(expr, sp.IndexedBase | sp.Symbol):
        return expr
    if isinstance(expr, sp.Sum | sp.Product):
        *inner, (var, lo, hi) = expr.limits
        lo, hi = _expand_sums(lo, budget), _expand_sums(hi, budget)
        if not (lo.is_Integer and hi.is_Integer):
            raise _SkipError(f"the limits of {expr} are not concrete")
        budget[0] -= max(0, int(hi - lo + 1))
        if budget[0] < 0:
            raise _SkipError(f"writing the sums out would take more than {MAX_WRITTEN_TERMS} terms")
        body = type(expr)(expr.function, *inner) if inner else expr.function
        terms = [
            _expand_sums(body.xreplace({var: sp.Integer(value)}), budget)
            for value in range(lo, hi + 1)
        ]
        if isinstance(expr, sp.Sum):
            return sp.Add(*terms)
        return sp.Mul(*terms)
    args = tuple(_expand_sums(arg, budget) for arg in expr.args)
    return expr if args == expr.args else expr.func(*args)


#: what an explicit expression may still hold unevaluated once its sums are written out
_LEFT_TO_EVALUATE = (sp.Derivative, sp.Subs, sp.Sum, sp.Product)


def _rebuild(
    expr: sp.Basic,
    change: Callable[[sp.Basic], sp.Basic | None],
    *,
    bottom_up: bool = False,
    memo: dict[sp.Basic, sp.Basic] | None = None,
) -> sp.Basic:
    """``expr`` with every node for which ``change`` gives a value replaced by it.

    Like ``replace``, but each distinct subexpression is handled once (a memo), so the
    thousands of repeated subtrees of an explicit network cost one visit each.  Top-down
    (the default): a replaced node's value is not searched again (the caller loops);
    ``bottom_up``: a node's arguments are rebuilt first and ``change`` sees the new node.
    ``memo`` may be shared between calls that use the same ``change``.
    """
    if memo is None:
        memo = {}
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(lambda entry: _rebuild(entry, change, bottom_up=bottom_up, memo=memo))

    def visit(node: sp.Basic) -> sp.Basic:
        if node in memo:
            return memo[node]
        result = None if bottom_up else change(node)
        if result is None:
            if node.args and not isinstance(node, sp.IndexedBase | sp.Symbol):
                args = tuple(visit(arg) for arg in node.args)
                rebuilt = node if args == node.args else node.func(*args)
            else:
                rebuilt = node
            result = change(rebuilt) if bottom_up else None
            if result is None:
                result = rebuilt
        memo[node] = result
        return result

    return visit(sp.sympify(expr))


def _evaluate_left_over(node: sp.Basic) -> sp.Basic | None:
    """A derivative, ``Subs``, sum or product left in an explicit form, evaluated (integrals
    stay: mpmath integrates them numerically)."""
    return node.doit(integrals=False) if isinstance(node, _LEFT_TO_EVALUATE) else None


class _Instance:
    """One choice of sizes, indices and concrete functions, with the explicit definitions."""

    def __init__(
        self,
        integers: Mapping[sp.Symbol, int],
        functions: Mapping[UndefinedFunction, object],
        definitions: Sequence[Definition],
        base_equalities: Mapping[sp.IndexedBase, sp.IndexedBase],
        shared: dict[str, dict] | None = None,
    ) -> None:
        self.integers = {key: sp.Integer(value) for key, value in integers.items()}
        self.functions = dict(functions)
        self.definitions = tuple(definitions)
        self.base_equalities = dict(base_equalities)
        # instances at the same sizes and stand-ins that differ only in the free indices
        # may share ``shared``: these caches are keyed by concrete nodes (a[2]), whose
        # explicit form does not depend on the free indices
        shared = {} if shared is None else shared
        #: each defined object expanded once per instance (``a[2]`` occurs in many places)
        self._expanded: dict[sp.Basic, sp.Basic] = shared.setdefault("expanded", {})
        self._explicit: dict[sp.Basic, sp.Basic] = {}
        #: each subexpression with its definitions written out (shared by all expressions)
        self._written: dict[sp.Basic, sp.Basic] = shared.setdefault("written", {})
        #: the free indices (their values differ between instances that share the caches)
        self._indices: frozenset[sp.Symbol] = frozenset(shared.get("indices", ()))
        #: each expression at the sizes alone, sums written out (shared): the free indices'
        #: values are put in afterwards (bound variables are renamed apart by then)
        self._sized: dict[sp.Basic, sp.Basic] = shared.setdefault("sized", {})
        self._explicit_shared: dict[sp.Basic, sp.Basic] = shared.setdefault("explicit", {})
        #: each concrete subtree with what is left in it evaluated (a function of the subtree)
        self._evaluated: dict[sp.Basic, sp.Basic] = shared.setdefault("evaluated", {})

    def _concrete(self, expr: sp.Basic) -> sp.Basic:
        indices = {k: v for k, v in self.integers.items() if k in self._indices}
        if indices:
            if expr not in self._sized:
                try:
                    self._sized[expr] = self._concrete_at(expr, self.integers.keys() - indices)
                except _SkipError:  # a sum whose limits mention a free index
                    self._sized[expr] = None
            sized = self._sized[expr]
            if sized is not None:
                return sized.xreplace(indices)
        return self._concrete_at(expr, self.integers.keys())

    def _concrete_at(self, expr: sp.Basic, known: Iterable[sp.Symbol]) -> sp.Basic:
        """``expr`` with the integers of ``known`` put in, the stand-ins for the abstract
        functions, the hypotheses' equal bases, and every sum and product written out."""
        expr = rename_bound(expr)
        integers = {key: self.integers[key] for key in known}
        if integers:
            expr = substitute(expr, integers)
        if self.functions:
            expr = expr.replace(
                lambda node: isinstance(node, AppliedUndef) and node.func in self.functions,
                lambda node: self.functions[node.func](*node.args),
            )
        for old, new in self.base_equalities.items():
            expr = expr.replace(
                lambda node, old=old: isinstance(node, sp.Indexed) and node.base == old,
                lambda node, new=new: new[node.indices],
            )
        return _expand_sums(expr)

    def _expand_definition(self, definition: Definition, node: sp.Basic) -> sp.Basic:
        if node not in self._expanded:
            self._expanded[node] = self._expand_definition_once(definition, node)
        return self._expanded[node]

    def _expand_definition_once(self, definition: Definition, node: sp.Basic) -> sp.Basic:
        if definition.is_function:
            arguments = node.args
        elif definition.indices:
            arguments = node.indices
            if not all(argument.is_Integer for argument in arguments):
                raise _SkipError(f"{node} has indices that are not concrete")
        else:
            arguments = ()
        body = substitute(definition.expr, dict(zip(definition.indices, arguments, strict=True)))
        return self._concrete(body)

    def explicit(self, expr: sp.Basic) -> sp.Basic:
        """``expr`` at this instance: definitions replaced, sums written out, then ``doit``
        (each expression once: a derivation's last step is its result, every row of a
        network's gradient differentiates the same J)."""
        # an expression without a free index (J itself) is the same at every tuple of them
        cache = self._explicit
        if self._indices and not (symbols_free_in(expr) & self._indices):
            cache = self._explicit_shared
        if expr not in cache:
            cache[expr] = self._explicit_once(expr)
        return cache[expr]

    def _explicit_once(self, expr: sp.Basic) -> sp.Basic:
        lookup = definition_lookup(self.definitions)

        def written(node: sp.Basic, nesting: int) -> sp.Basic:
            """``node`` with every defined object replaced by its explicit body, each
            distinct subexpression once per instance (the steps share z^1 with J)."""
            if node in self._written:
                return self._written[node]
            if (definition := lookup(node)) is not None:
                if nesting == len(self.definitions):
                    raise _SkipError("the definitions do not unfold (circular)")
                result = written(self._expand_definition(definition, node), nesting + 1)
            elif isinstance(node, sp.Subs) and not any(
                lookup(inner) is not None for inner in _nodes(node.expr)
            ):
                # g′ at a point: evaluated while the point is still a name (z^1_2), not once
                # it is written out (SymPy prints a Subs' point to make it)
                done = node.doit(integrals=False)
                result = node if done == node else written(done, nesting)
            elif not node.args or isinstance(node, sp.IndexedBase | sp.Symbol):
                result = node
            else:
                args = tuple(written(arg, nesting) for arg in node.args)
                result = node if args == node.args else node.func(*args)
            self._written[node] = result
            return result

        concrete = self._concrete(expr)
        if isinstance(concrete, sp.MatrixBase):
            explicit = concrete.applyfunc(lambda entry: written(entry, 0))
        else:
            explicit = written(concrete, 0)
        # only what is left to evaluate (sums are written out already): a deep doit rebuilds
        # every node of the tree, seconds for a whole network; integrals stay unevaluated:
        # mpmath integrates them numerically, so a closed form SymPy gets wrong cannot agree
        # with itself here
        return _rebuild(
            explicit,
            _evaluate_left_over,
            bottom_up=True,
            memo=self._evaluated,
        )

    def describe_functions(self) -> dict[str, str]:
        """Each abstract function's stand-in, written at the argument ``u``."""
        u = sp.Symbol("u")
        return {str(function): str(concrete(u)) for function, concrete in self.functions.items()}


def _nodes(expr: sp.Basic) -> dict[sp.Basic, None]:
    """Every distinct subexpression of ``expr``, each visited once, in the order met.

    An explicit network repeats the same subtrees thousands of times (``z^1_1`` occurs in
    every unit above it); SymPy shares them in memory, and ``atoms``/``preorder_traversal``
    visit every occurrence.  A record of visited nodes makes a walk linear in the distinct
    ones; a dict keeps the order of the walk, which (unlike a set's) does not depend on the
    hash seed.
    """
    entries = list(expr) if isinstance(expr, sp.MatrixBase) else [sp.sympify(expr)]
    seen: dict[sp.Basic, None] = {}
    todo = entries[::-1]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen[node] = None
        todo.extend(reversed(node.args))
    return seen
