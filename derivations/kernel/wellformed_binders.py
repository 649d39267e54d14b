"""The well-formedness rules about binders and indices (see :mod:`derivations.kernel.wellformed`
for all the rules and why): integrands finite everywhere, bound variables declared real at
most, no definition used under a binder that binds one of its free symbols (one meaning for a
definition), every index an integer and every range and sum provably non-empty.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits

from derivations.kernel.binding import symbols_free_in
from derivations.kernel.language import definition_lookup
from derivations.kernel.rewriting import MAX_TERMS, unfold
from derivations.kernel.subject import (
    KINKED,
    Subject,
    assumptions_of,
    entries_of,
    nodes_of,
)

if TYPE_CHECKING:
    from derivations.kernel.language import Definition

__all__ = ["bound_assumption_problems", "capture_problems", "index_problems", "integral_problems"]


# ------------------------------------------------------------------ integrals


def _no_root(base: sp.Expr, integral: sp.Integral) -> bool:
    """Is ``base`` (a polynomial in one integration variable with numeric limits, and no
    other symbol) shown never 0 on the integration range?  ``2 − t`` on [0, 1] is."""
    if len(integral.limits) != 1 or len(integral.limits[0]) != 3:
        return False
    variable, lo, hi = integral.limits[0]
    if base.free_symbols != {variable} or not (lo.is_number and hi.is_number):
        return False
    try:
        if not base.is_polynomial(variable):
            return False
        roots = sp.solveset(base, variable, sp.Interval(lo, hi))
    except Exception:
        return False
    return roots is sp.S.EmptySet


#: functions of the vocabulary with poles on the real line (a pole that is not a negative
#: power: the denominator rule cannot see it)
_WITH_POLES = (sp.tan, sp.cot, sp.sec, sp.csc, sp.coth, sp.csch)


def integral_problems(subject: Subject) -> list[str]:
    """An integral whose integrand may be singular is refused.

    SymPy integrates an antiderivative straight across a pole (∫₀² dt/(t − x)² comes out
    finite for 0 < x < 2, where the integral diverges) and differentiates under the integral
    sign at a singular point (∫₋₁¹ x/(x² + t²) dt jumps at x = 0).  So every denominator of
    an integrand (its definitions written in) must be one SymPy shows is never 0 (positive
    or negative for every value of its symbols), every logarithm's argument positive, and no
    function with a pole (tan, cot, sec, csc, coth, csch) may appear in it.
    """
    problems = []
    for expr in subject.expressions():
        for node in nodes_of(expr):
            if not isinstance(node, sp.Integral):
                continue
            kinked = [part for part in nodes_of(node.function) if isinstance(part, KINKED)]
            if kinked:
                problems.append(
                    f"the integral {node} has {type(kinked[0]).__name__} in its integrand: "
                    "SymPy's definite integrals of kinked functions have been found wrong "
                    "(∫₀⁴ |sin 2t| dt), so none is accepted"
                )
                continue
            try:
                body = unfold(node.function, subject.definitions)
            except Exception:
                continue  # reported by the definition rules
            for part in nodes_of(body):
                if isinstance(part, _WITH_POLES):
                    problems.append(
                        f"the integral {node} has {type(part).__name__} in its integrand, which "
                        "has poles on the real line: SymPy integrates across poles, so an "
                        "integrand must be finite everywhere"
                    )
                elif isinstance(part, sp.Pow) and part.exp.is_negative:
                    base = part.base
                    if not (base.is_positive or base.is_negative or _no_root(base, node)):
                        problems.append(
                            f"the integral {node} has the denominator {base}, which SymPy "
                            "cannot show is never 0: SymPy integrates across poles, so an "
                            "integrand must be finite everywhere"
                        )
                elif isinstance(part, sp.log) and not part.args[0].is_positive:
                    problems.append(
                        f"the integral {node} takes the logarithm of {part.args[0]}, which "
                        "SymPy cannot show is positive: an integrand must be finite everywhere"
                    )
    return list(dict.fromkeys(problems))


def bound_assumption_problems(subject: Subject) -> list[str]:
    """A variable bound by an integral, ``Subs`` or ``Lambda`` may be declared real, nothing
    more.  SymPy simplifies with a symbol's assumptions as soon as it meets it
    (``sqrt(t**2)`` is ``t`` for a positive ``t``), but the values such a variable takes are
    set by its binder (∫₋₁¹ … dt, the point of a ``Subs``), not by its declaration, and the
    printed domain speaks of free symbols only.  (A summation variable is an integer in its
    range whatever it was declared with: the binding module makes it one.)"""
    problems = []
    for expr in subject.expressions():
        for node in nodes_of(expr):
            if not isinstance(node, sp.Integral | sp.Subs | sp.Lambda):
                continue
            for variable in node.bound_symbols:
                extra = {
                    key: value
                    for key, value in assumptions_of(variable).items()
                    if key not in ("commutative", "real")
                }
                if extra:
                    problems.append(
                        f"{variable}, bound in {node}, is declared "
                        f"{', '.join(f'{k}={v}' for k, v in extra.items())}: a bound variable "
                        "may be declared real, nothing more (its values are set by the "
                        "binder, and SymPy would simplify with the declaration)"
                    )
    return list(dict.fromkeys(problems))


# -------------------------------------------------------------------- capture


def _parameters(definitions: Sequence[Definition]) -> dict[sp.Basic, frozenset[sp.Symbol]]:
    """Each definition's parameters: the symbols free in its body once every definition it
    uses is written in, less its own indices (or arguments).  Definitions are acyclic here."""
    lookup = definition_lookup(definitions)
    found: dict[sp.Basic, frozenset[sp.Symbol]] = {}

    def parameters(definition: Definition) -> frozenset[sp.Symbol]:
        if definition.name not in found:
            own = set(symbols_free_in(definition.expr))
            for node in nodes_of(definition.expr):
                used = lookup(node)
                if used is not None and used is not definition:
                    own |= parameters(used)
            found[definition.name] = frozenset(own - set(definition.indices))
        return found[definition.name]

    for definition in definitions:
        parameters(definition)
    return found


def _scoped(node: sp.Basic, scope: frozenset[sp.Symbol]) -> Iterator[tuple[sp.Basic, frozenset]]:
    """Every subexpression with the variables bound around it (the scoping rule of
    :mod:`derivations.kernel.binding`: a limit's variable binds the body and the bounds of
    the limits inside it; ``Subs`` and ``Lambda`` bind their variables in the body only)."""
    yield node, scope
    if isinstance(node, ExprWithLimits):
        variables = [limit[0] for limit in node.limits]
        yield from _scoped(node.function, scope | frozenset(variables))
        for position, (_variable, *bounds) in enumerate(node.limits):
            outer = scope | frozenset(variables[position + 1 :])
            for bound in bounds:
                yield from _scoped(bound, outer)
    elif isinstance(node, sp.Subs):
        expr, variables, point = node.args
        yield from _scoped(expr, scope | frozenset(variables))
        yield from _scoped(point, scope)
    elif isinstance(node, sp.Lambda):
        yield from _scoped(node.expr, scope | frozenset(node.signature))
    elif node.args and not isinstance(node, sp.Symbol | sp.IndexedBase):
        for arg in node.args:
            yield from _scoped(arg, scope)


def capture_problems(subject: Subject) -> list[str]:
    """A defined name used where a binder binds one of its parameters.

    ``L := x·y_c`` and ``J := Σ_{c=1}^{K} L`` could be read two ways: with the sum's ``c``
    capturing the body's (J = Σ_c x·y_c, what writing the definition in gives) or with
    ``L`` as one quantity that does not vary with the sum (J = K·L, what treating ``L`` as
    an atom gives).  Rather than choose, the kernel refuses the statement: every other path
    (unfolding, the opaque comparison, the witness) then reads every definition the same
    way, since a definition's body never meets a binder of one of its free symbols.  The
    dependence is stated instead as an index (``L_c := x·y_c``, used as ``L_c``), which
    substitution carries capture-free.
    """
    if not subject.definitions:
        return []
    parameters = _parameters(subject.definitions)
    lookup = definition_lookup(subject.definitions)
    found = []
    for expr in subject.expressions():
        for entry in entries_of(sp.sympify(expr)):
            for node, scope in _scoped(entry, frozenset()):
                definition = lookup(node) if scope else None
                if definition is None:
                    continue
                captured = parameters.get(definition.name, frozenset()) & scope
                if captured:
                    names = ", ".join(sorted(map(str, captured)))
                    found.append(
                        f"{node} is used where a binder binds {names}, on which the definition "
                        f"of {definition.printed_name} depends ({definition.lhs} := "
                        f"{definition.expr}): the binder would capture it; state the "
                        f"dependence as an index of {definition.printed_name} or rename the "
                        "bound variable"
                    )
    return found


# -------------------------------------------------------------------- indices


def _lowest(expr: sp.Expr, scope: Sequence[tuple[sp.Symbol, sp.Expr, sp.Expr]]) -> sp.Expr | None:
    """The least value of ``expr`` (linear in the scope's variables) over the scope's box,
    with the variables eliminated innermost first; ``None`` when that is not decidable."""
    for var, lo, hi in reversed(scope):
        if not expr.has(var):
            continue
        slope = sp.diff(expr, var)
        if slope.has(var):
            return None
        if slope.is_nonnegative:
            expr = expr.subs(var, lo)
        elif slope.is_nonpositive:
            expr = expr.subs(var, hi)
        else:
            return None
    return sp.expand(expr)


def _provably_nonnegative(expr: sp.Expr, scope: Sequence[tuple]) -> bool:
    lowest = _lowest(sp.expand(expr), scope)
    return lowest is not None and lowest.is_nonnegative is True


def _sum_problems(node: sp.Basic, scope: list[tuple], problems: list[str]) -> None:
    """Summation variables integer, bounds integer, lengths provably non-negative."""
    if isinstance(node, sp.Sum | sp.Product):
        inner = list(scope)
        limits = node.limits
        for position in reversed(range(len(limits))):
            var, lo, hi = limits[position]
            declared = {k: v for k, v in assumptions_of(var).items() if k != "commutative"}
            if declared != {"integer": True}:
                problems.append(
                    f"the summation variable {var} of {node} must be declared integer and "
                    f"nothing else (it is declared {declared or 'without assumptions'})"
                )
            for bound in (lo, hi):
                if bound.is_integer is not True:
                    problems.append(f"the bound {bound} of {node} is not an integer")
            length = hi - lo + 1
            if length.is_Integer and length > MAX_TERMS:
                problems.append(
                    f"the {type(node).__name__.lower()} over {var} from {lo} to {hi} has "
                    f"{length} terms; the engine writes out at most {MAX_TERMS}"
                )
            if not _provably_nonnegative(hi - lo + 1, inner):
                problems.append(
                    f"the {type(node).__name__.lower()} over {var} from {lo} to {hi} may have "
                    "negative length (SymPy's convention then gives it a sign): state sizes so "
                    "that it cannot"
                )
            inner.append((var, lo, hi))
        _sum_problems(node.function, inner, problems)
        return
    for arg in node.args:
        if isinstance(arg, sp.Basic):
            _sum_problems(arg, scope, problems)


def index_problems(subject: Subject) -> list[str]:
    problems: list[str] = []
    seen: set[sp.Symbol] = set()
    for index_range in subject.ranges:
        index = index_range.index
        if not isinstance(index, sp.Symbol) or index.is_integer is not True:
            problems.append(f"the index {index} of a range must be an integer symbol")
        if index in seen:
            problems.append(f"the index {index} has two ranges")
        seen.add(index)
        lo, hi = sp.sympify(index_range.lo), sp.sympify(index_range.hi)
        if lo.is_integer is not True or hi.is_integer is not True:
            problems.append(f"the range {lo} ≤ {index} ≤ {hi} must have integer bounds")
        elif not _provably_nonnegative(hi - lo, ()):
            problems.append(
                f"the range {lo} ≤ {index} ≤ {hi} may be empty, which would make any "
                "statement about it vacuous"
            )
    scope = [(r.index, sp.sympify(r.lo), sp.sympify(r.hi)) for r in subject.ranges]
    for expr in subject.expressions():
        for entry in entries_of(expr):
            for node in sp.preorder_traversal(entry):
                if isinstance(node, sp.Indexed):
                    for index in node.indices:
                        if index.is_integer is not True:
                            problems.append(f"the index {index} of {node} is not an integer")
                elif isinstance(node, sp.KroneckerDelta):
                    for argument in node.args:
                        if argument.is_integer is not True:
                            problems.append(
                                f"the Kronecker delta {node} has the non-integer argument "
                                f"{argument}"
                            )
            _sum_problems(entry, scope, problems)
    return list(dict.fromkeys(problems))
