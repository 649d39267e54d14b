"""The well-formedness rules about derivatives (see :mod:`derivations.kernel.wellformed`): no
derivative at a kink the assumptions do not exclude, no fractional power under a derivative
without a base shown positive, a premise differentiated once and not with respect to what it
holds fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import sympy as sp

from derivations.kernel.binding import rename_bound
from derivations.kernel.rewriting import unfold
from derivations.kernel.subject import (
    DIFFERENTIABLE,
    KINKED,
    Subject,
    dependencies,
    entries_of,
    nodes_of,
)

if TYPE_CHECKING:
    from derivations.kernel.language import Definition

__all__ = ["derivative_problems"]


def _depends(expr: sp.Basic, variables: Sequence[sp.Basic]) -> bool:
    for variable in variables:
        if isinstance(variable, sp.Indexed):
            if any(
                isinstance(node, sp.Indexed) and node.base == variable.base
                for node in sp.preorder_traversal(expr)
            ):
                return True
        elif expr.has(variable):
            return True
    return False


def _kinks(node: sp.Basic) -> list[sp.Expr]:
    """Where ``node`` has no derivative: the expressions that vanish at its kinks."""
    if isinstance(node, sp.Abs | sp.sign | sp.Heaviside | sp.DiracDelta):
        return [node.args[0]]
    if isinstance(node, sp.Max | sp.Min):
        args = node.args
        return [args[i] - args[j] for i in range(len(args)) for j in range(i + 1, len(args))]
    if isinstance(node, sp.Piecewise):
        kinks = []
        for _, condition in node.args:
            for relation in sp.preorder_traversal(condition):
                if isinstance(relation, sp.core.relational.Relational):
                    kinks.append(relation.lhs - relation.rhs)
        return kinks
    return []


def _continuous_bound(node: sp.Basic) -> set[sp.Symbol]:
    """The bound variables of ``node`` that range over the reals (not summation indices)."""
    if isinstance(node, sp.Integral):
        return {limit[0] for limit in node.limits}
    if isinstance(node, sp.Lambda):
        return set(node.signature)
    return set()


def _differentiability_problems(
    node: sp.Derivative, body: sp.Basic, variables: Sequence[sp.Basic]
) -> list[str]:
    """Every function under the derivative is on the allowlist, and every kink that can be
    reached is excluded by the domain.  A kink in a real bound variable (an integral of
    |t|) is refused whenever its binder depends on the differentiation variables."""
    problems: list[str] = []

    def visit(expr: sp.Basic, continuous: frozenset) -> None:
        if not isinstance(expr, DIFFERENTIABLE):
            if _depends(expr, variables) or (continuous and expr.has(*continuous)):
                problems.append(
                    f"{node} differentiates {expr}: {type(expr).__name__} is not on the list "
                    "of functions whose derivative the engine accepts"
                )
            return
        if isinstance(expr, KINKED) and (_depends(expr, variables) or continuous):
            for kink in _kinks(expr):
                in_bound = bool(continuous) and kink.has(*continuous)
                if in_bound or (_depends(kink, variables) and kink.is_zero is not False):
                    problems.append(
                        f"{node} differentiates {expr}, which has no derivative where "
                        f"{kink} = 0; exclude that point in the domain (e.g. a symbol "
                        "declared nonzero) — SymPy's value there is a convention"
                    )
        if (
            isinstance(expr, sp.Pow)
            and expr.exp.is_integer is not True
            and (_depends(expr.base, variables) or (continuous and expr.base.has(*continuous)))
            and expr.base.is_positive is not True
        ):
            problems.append(
                f"{node} differentiates {expr}, a fractional power of {expr.base}, which SymPy "
                "may not show is positive: for a negative base SymPy takes the complex "
                "principal root, which jumps across the negative axis (no derivative there); "
                "declare the symbols so that the base is positive"
            )
        inner = continuous
        bound = _continuous_bound(expr)
        if bound and _depends(expr, variables):
            inner = continuous | frozenset(bound)
        for arg in expr.args:
            if isinstance(arg, sp.Basic):
                visit(arg, inner)

    for entry in entries_of(body):
        visit(entry, frozenset())
    return problems


def derivative_problems(subject: Subject) -> list[str]:
    problems: list[str] = []
    definitions = subject.definitions
    premised = [definition for definition in definitions if definition.premise]
    graph = dependencies(definitions)

    def reaches_premise(expr: sp.Basic) -> Definition | None:
        direct = {n for n, d in enumerate(definitions) if any(d.matches(x) for x in nodes_of(expr))}
        seen, todo = set(), list(direct)
        while todo:
            number = todo.pop()
            if number in seen:
                continue
            seen.add(number)
            todo.extend(graph.get(number, ()))
        for number in seen:
            if definitions[number].premise:
                return definitions[number]
        return None

    for expr in subject.expressions():
        for node in nodes_of(expr):
            if not isinstance(node, sp.Derivative):
                continue
            variables = [variable for variable, _ in node.variable_count]
            try:
                body = unfold(node.expr, definitions)
                # Subs and Lambda applications are plain substitutions: see through them, with
                # every bound variable renamed first, so that SymPy's one-at-a-time ``doit``
                # is simultaneous (Subs(|x|, (x, y), (y, x)) is |y|, not |x|)
                body = rename_bound(body).replace(
                    lambda e: isinstance(e, sp.Subs), lambda e: e.doit()
                )
            except Exception as error:
                problems.append(f"{node}: {error}")
                continue
            problems += _differentiability_problems(node, body, variables)
            if premised:
                premise = reaches_premise(node.expr)
                if premise is not None:
                    order = sum(count for _, count in node.variable_count)
                    if order != 1:
                        problems.append(
                            f"{node} differentiates {premise.printed_name} {order} times; its "
                            f"definition rests on a premise ({premise.premise}) that licenses "
                            "one derivative only"
                        )
                    if any(
                        isinstance(inner, sp.Derivative) and reaches_premise(inner.expr)
                        for inner in nodes_of(node.expr)
                    ):
                        problems.append(
                            f"{node} differentiates a derivative of {premise.printed_name}, "
                            "whose definition rests on a premise that licenses one derivative"
                        )
                    if not premise.holds_fixed:
                        problems.append(
                            f"the definition of {premise.printed_name} rests on a premise but "
                            "does not say which quantities it holds fixed (holds_fixed)"
                        )
                    for variable in variables:
                        target = variable.base if isinstance(variable, sp.Indexed) else variable
                        if target in premise.holds_fixed:
                            problems.append(
                                f"{node} differentiates {premise.printed_name} with respect to "
                                f"{variable}, which its first-order form holds fixed"
                            )
    return list(dict.fromkeys(problems))
