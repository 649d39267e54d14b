"""Statements at concrete sizes: explicit finite forms, evaluated in 60-digit arithmetic.

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

A disagreement is *certified*: the difference is evaluated with ``evalf(strict=True)``, so a
value is only called non-zero when mpmath proves enough digits of it.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mpmath
import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits
from sympy.core.function import AppliedUndef, UndefinedFunction
from sympy.printing.pycode import MpmathPrinter

from derivations.kernel.binding import free_symbols, rename_bound, substitute, symbols_free_in
from derivations.kernel.language import definition_lookup

if TYPE_CHECKING:
    from derivations.kernel.language import Definition, Hypothesis, IndexRange

__all__ = ["Point"]

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
        parts = [f"{key} = {value}" for key, value in self.integers.items()]
        parts += [f"{key} = {value}" for key, value in sorted(self.values.items(), key=str)]
        parts += [f"{name} = {body}" for name, body in self.functions.items()]
        return ", ".join(parts) or "the only point (nothing is free)"


class _SkipError(Exception):
    """This point or instance cannot be used (not finite, at a kink, hypothesis unsolvable)."""


# --------------------------------------------------------------------------- explicit forms


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


#: how many points the witness draws, at most, for each point it needs
_DRAWS_PER_POINT = 3

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


# --------------------------------------------------------------------------- points


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


#: the largest size the witness instantiates (explicit expressions grow fast with it)
LARGEST_SIZE = 8


def _large_size(problem: _Problem) -> int:
    """A size past every integer constant in the statement, at least 4, at most 8."""
    constants = [0]
    expressions = [problem.lhs, *(e for _, e in problem.rights)]
    expressions += [d.expr for d in problem.definitions]
    expressions += [sp.sympify(h.lhs) - sp.sympify(h.rhs) for h in problem.hypotheses]
    expressions += [sp.sympify(r.lo) + sp.sympify(r.hi) for r in problem.ranges]
    for expr in expressions:
        for entry in _entries(expr):
            constants += [abs(int(n)) for n in entry.atoms(sp.Integer)]
    return min(LARGEST_SIZE, max(4, max(constants) + 2))


def _is_finite_number(value: sp.Basic) -> bool:
    return bool(value.is_number) and value.is_finite is True and not value.has(sp.nan, sp.zoo)


def _numeric(value: sp.Basic) -> sp.Expr:
    """The value at 60 digits; not a finite number → the point is skipped."""
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
    """Is a 60-digit value (SymPy or mpmath) real, up to rounding in its last digits?
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


# --------------------------------------------------------------------------- the witness


@dataclass
class _Problem:
    lhs: sp.Basic
    rights: Sequence[tuple[str, sp.Basic]]
    definitions: Sequence[Definition]
    hypotheses: Sequence[Hypothesis]
    ranges: Sequence[IndexRange]


def _entries(expr: sp.Basic) -> list[sp.Basic]:
    return list(expr) if isinstance(expr, sp.MatrixBase) else [expr]


def _integer_symbols(problem: _Problem) -> tuple[list[sp.Symbol], list[IndexRange]]:
    """(sizes and other integer free symbols without a range, the free indices' ranges)."""
    found: set[sp.Symbol] = set()
    expressions = [problem.lhs, *(expr for _, expr in problem.rights)]
    for definition in problem.definitions:
        expressions.append(definition.expr)
    for hypothesis in problem.hypotheses:
        expressions += [sp.sympify(hypothesis.lhs), sp.sympify(hypothesis.rhs)]
    for index_range in problem.ranges:
        expressions += [sp.sympify(index_range.lo), sp.sympify(index_range.hi)]
    bound_in_definitions = {
        index for definition in problem.definitions for index in definition.indices
    }
    for expr in expressions:
        for entry in _entries(expr):
            for symbol in free_symbols(entry):
                if isinstance(symbol, sp.Symbol) and symbol.is_integer:
                    found.add(symbol)
    indexed = {index_range.index for index_range in problem.ranges}
    # a definition's own index symbols are bound by the definition, unless used freely
    free_elsewhere: set[sp.Symbol] = set()
    for expr in [problem.lhs, *(expr for _, expr in problem.rights)]:
        for entry in _entries(expr):
            free_elsewhere |= {s for s in free_symbols(entry) if isinstance(s, sp.Symbol)}
    for hypothesis in problem.hypotheses:
        free_elsewhere |= free_symbols(sp.sympify(hypothesis.lhs) - sp.sympify(hypothesis.rhs))
    sizes = sorted(
        (s for s in found - indexed if s not in bound_in_definitions or s in free_elsewhere),
        key=str,
    )
    return sizes, list(problem.ranges)


def _abstract_functions(problem: _Problem) -> list[UndefinedFunction]:
    defined = {d.name for d in problem.definitions if d.is_function}
    found: set[UndefinedFunction] = set()
    expressions = [problem.lhs, *(expr for _, expr in problem.rights)]
    expressions += [definition.expr for definition in problem.definitions]
    for expr in expressions:
        for entry in _entries(expr):
            for node in sp.preorder_traversal(entry):
                if isinstance(node, AppliedUndef) and node.func not in defined:
                    found.add(node.func)
    return sorted(found, key=str)


#: at the small sizes every combination of values of the free indices that occur together
#: in one entry of the statement is tried, up to this many combinations per group
MAX_INDEX_TUPLES = 64


def _index_groups(problem: _Problem, ranges: Sequence[IndexRange]) -> list[list[IndexRange]]:
    """The free indices in groups that must be tried in every combination: two indices are
    in one group when they occur free in the same entry of the statement (or a hypothesis,
    or one's range mentions the other).  A whole network's entry ∂J/∂W^l_{rs} has the two
    indices r_l, s_l; a scalar statement has one group of all its indices."""
    indices = [index_range.index for index_range in ranges]
    parent = {index: index for index in indices}

    def root(index: sp.Symbol) -> sp.Symbol:
        while parent[index] != index:
            index = parent[index]
        return index

    def join(together: set) -> None:
        members = [index for index in indices if index in together]
        for other in members[1:]:
            parent[root(other)] = root(members[0])

    sides = [problem.lhs, *(expr for _, expr in problem.rights)]
    entries = [_entries(side) for side in sides]
    for position in range(max(len(e) for e in entries)):
        together: set = set()
        for side in entries:
            if position < len(side):
                together |= symbols_free_in(side[position])
        join(together)
    for hypothesis in problem.hypotheses:
        join(set(symbols_free_in(sp.sympify(hypothesis.lhs) - sp.sympify(hypothesis.rhs))))
    for index_range in ranges:
        bounds = sp.sympify(index_range.lo) + sp.sympify(index_range.hi)
        join({index_range.index, *symbols_free_in(bounds)})
    groups: dict[sp.Symbol, list[IndexRange]] = {}
    for index_range in ranges:
        groups.setdefault(root(index_range.index), []).append(index_range)
    return list(groups.values())


def _group_tuples(
    ranges: Sequence[IndexRange], integers: Mapping[sp.Symbol, sp.Integer]
) -> list[dict[sp.Symbol, sp.Integer]] | None:
    """Every combination of values of one group's indices (ranges may depend on earlier
    indices), at most :data:`MAX_INDEX_TUPLES` (past it: combinations in which each index
    takes each of its values), or None when a range is empty or not concrete."""
    tuples: list[dict[sp.Symbol, sp.Integer]] = [{}]
    for index_range in ranges:
        extended = []
        for partial in tuples:
            known = {**integers, **partial}
            lo = sp.sympify(index_range.lo).xreplace(known)
            hi = sp.sympify(index_range.hi).xreplace(known)
            if not (lo.is_Integer and hi.is_Integer) or hi < lo:
                return None
            extended += [
                {**partial, index_range.index: sp.Integer(v)} for v in range(int(lo), int(hi) + 1)
            ]
        tuples = extended
    if len(tuples) <= MAX_INDEX_TUPLES:
        return tuples
    # too many: tuple k gives every index its k-th value (cycling), so each value occurs
    values = {r.index: sorted({t[r.index] for t in tuples}) for r in ranges}
    longest = max(len(v) for v in values.values())
    return [{index: v[k % len(v)] for index, v in values.items()} for k in range(longest)]


def _index_tuples(
    problem: _Problem, ranges: Sequence[IndexRange], integers: Mapping[sp.Symbol, sp.Integer]
) -> list[dict[sp.Symbol, sp.Integer]] | None:
    """Tuples of free-index values in which every group of :func:`_index_groups` takes each
    of its combinations (tuple k takes group g's k-th combination, cycling): every entry
    of the statement is tried at every combination of its own indices."""
    per_group = []
    for group in _index_groups(problem, ranges):
        tuples = _group_tuples(group, integers)
        if tuples is None:
            return None
        per_group.append(tuples)
    if not per_group:
        return [{}]
    longest = max(len(tuples) for tuples in per_group)
    combined = []
    for k in range(longest):
        chosen: dict[sp.Symbol, sp.Integer] = {}
        for tuples in per_group:
            chosen.update(tuples[k % len(tuples)])
        combined.append(chosen)
    return combined


def _instances(problem: _Problem, rng: random.Random, count: int):
    """(integers, stand-ins, key) for each instance the witness evaluates: the sizes at
    their 1st, 2nd and 3rd smallest values with every tuple of free-index values
    (:func:`_index_tuples`), then ``count − 4`` random small sizes and one size past every
    integer constant of the statement, each with the lowest, the highest or a random value
    of each index.  ``key`` names the sizes and stand-ins (instances that share it share
    the definitions' explicit forms)."""
    sizes, ranges = _integer_symbols(problem)
    functions = _abstract_functions(problem)
    choices = {size: _integer_choices(size) for size in sizes}
    if any(not options for options in choices.values()):
        return
    assignments: list[tuple[dict[sp.Symbol, int], bool]] = []
    if sizes:
        for position in range(3):  # each size takes its 1st, 2nd, 3rd smallest value
            assignments.append(
                ({s: choices[s][min(position, len(choices[s]) - 1)] for s in sizes}, True)
            )
        # an integer not declared positive is tried at 0 and below too: its domain says
        # "integer", and a statement may hold for positive values only
        for value in (0, -1, -2):
            if any(value in choices[s] for s in sizes):
                assignments.append(
                    ({s: value if value in choices[s] else choices[s][0] for s in sizes}, True)
                )
        for _ in range(max(0, count - 4)):
            assignments.append(({s: rng.choice(choices[s][:4]) for s in sizes}, False))
        # one instance past every integer constant of the statement (a closed form SymPy
        # derived wrongly may hold at 1..3 only: Σ binomial(c − 5, c − 5))
        large = _large_size(problem)
        assignments.append(
            (
                {
                    s: min(
                        (v for v in _integer_choices(s, upto=large) if abs(v) >= large),
                        key=abs,
                        default=choices[s][-1],
                    )
                    for s in sizes
                },
                False,
            )
        )
        # each size assignment once, with every tuple if any of its occurrences asks for it
        first: dict[tuple, tuple[dict[sp.Symbol, int], bool]] = {}
        for a, every in assignments:
            key = tuple(sorted(a.items(), key=str))
            first[key] = (a, every or first.get(key, (a, False))[1])
        unique = list(first.values())
    else:
        # no sizes: every tuple, each abstract function by each stand-in in turn
        variants = len(_ONE_ARGUMENT) if functions else 1
        unique = [({}, True) for _ in range(variants)]
    for number, (assignment, every) in enumerate(unique):
        integers = {key: sp.Integer(value) for key, value in assignment.items()}
        stand_ins = _stand_ins(functions, number)
        key = (tuple(sorted(assignment.items(), key=str)), number)
        if every:
            tuples = _index_tuples(problem, ranges, integers)
            for chosen in tuples or []:
                yield {**integers, **chosen}, stand_ins, key
            continue
        for turn, index_range in enumerate(ranges):
            lo = sp.sympify(index_range.lo).xreplace(integers)
            hi = sp.sympify(index_range.hi).xreplace(integers)
            if not (lo.is_Integer and hi.is_Integer) or hi < lo:
                break
            options = list(range(int(lo), int(hi) + 1))
            pick = (number + turn) % 3
            integers[index_range.index] = sp.Integer(
                options[0] if pick == 0 else options[-1] if pick == 1 else rng.choice(options)
            )
        else:
            yield integers, stand_ins, key


def _stand_ins(functions: Sequence[UndefinedFunction], variant: int) -> dict:
    """Concrete smooth functions for the abstract ones, the ``variant``-th choice."""
    concrete = {}
    for turn, function in enumerate(functions):
        position = (variant + turn) % len(_ONE_ARGUMENT)
        concrete[function] = _ONE_ARGUMENT[position]
        if getattr(function, "nargs", None) and 1 not in function.nargs:
            concrete[function] = _many_arguments(position)
    return concrete


def _base_equalities(hypotheses: Sequence[Hypothesis]) -> dict[sp.IndexedBase, sp.IndexedBase]:
    return {
        h.lhs: h.rhs
        for h in hypotheses
        if isinstance(h.lhs, sp.IndexedBase) and isinstance(h.rhs, sp.IndexedBase)
    }


def _solve_hypotheses(
    equations: Sequence[sp.Expr],
    atoms: set[sp.Basic],
    rng: random.Random,
) -> dict[sp.Basic, sp.Expr]:
    """Random values for the atoms, with some solved for so every equation holds exactly."""
    equations = [sp.expand(eq) for eq in equations if eq != 0]
    pivots: list[sp.Basic] = []
    for equation in equations:
        candidates = sorted(
            (
                atom
                for atom in _free_atoms(equation)
                if atom not in pivots and _linear_in(equation, atom)
            ),
            key=str,
        )
        if candidates:
            # a different atom at different points: every branch of y·z = 0 gets sampled
            pivots.append(rng.choice(candidates))
        elif _free_atoms(equation):
            raise _SkipError(f"cannot solve the hypothesis {equation} = 0 for a point")
    every = (
        set(atoms) | set().union(*(_free_atoms(eq) for eq in equations))
        if equations
        else set(atoms)
    )
    for _ in range(8):
        # in a fixed order: the random values must not depend on the hash seed of the run
        values = {
            atom: _random_value(rng, _required(atom))
            for atom in sorted(every, key=str)
            if atom not in pivots
        }
        remaining = [eq.xreplace(values) for eq in equations]
        if not pivots:
            if all(sp.simplify(eq) == 0 for eq in remaining):
                return values
            raise _SkipError("the hypotheses do not hold at this size")
        solutions = sp.solve(remaining, pivots, dict=True)
        for solution in solutions:
            if len(solution) != len(pivots):
                continue
            if all(solution[p].is_number and _satisfies(solution[p], _required(p)) for p in pivots):
                values.update(solution)
                if all(sp.simplify(eq.xreplace(values)) == 0 for eq in equations):
                    return values
    raise _SkipError("no point satisfies the hypotheses at this size")


def _linear_in(equation: sp.Expr, atom: sp.Basic) -> bool:
    try:
        return bool(equation.is_polynomial(atom)) and sp.degree(equation, atom) == 1
    except (sp.PolynomialError, ValueError, TypeError):
        return False


def _seed(problem: _Problem) -> int:
    """The same seed for every statement: which points are drawn must not depend on how the
    statement is printed (a renamed symbol would otherwise move the draws)."""
    del problem
    return 0x5EED


#: the largest argument (in bits of magnitude) the witness hands to exp, sin, …: mpmath
#: reduces an argument t with log2|t| extra bits, so exp(exp(exp(exp(9)))) would not finish
_LARGEST_ARGUMENT_BITS = 20_000


def _guarded(function):
    def guarded(*args):
        for arg in args:
            if (
                isinstance(arg, mpmath.mpf | mpmath.mpc)
                and mpmath.mag(arg) > _LARGEST_ARGUMENT_BITS
            ):
                raise OverflowError(f"an argument of {function.__name__} too large to evaluate")
        return function(*args)

    return guarded


#: mpmath's functions as the compiled expressions call them, with the argument size guarded
_GUARDED = {
    name: _guarded(getattr(mpmath, name))
    for name in (
        *("exp", "log", "sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh"),
        *("coth", "sech", "csch", "atan", "asinh", "erf", "erfc", "power", "sqrt"),
    )
}


#: the most digits a difference quotient adds to DIGITS for a large value
_MOST_EXTRA_DIGITS = 400


def _cse(expressions: list) -> tuple:
    """SymPy's common subexpressions in the order they are found (sorting them canonically
    costs seconds on a network and changes nothing in the values)."""
    return sp.cse(expressions, order="none", list=True)


class _Compiled:
    """Explicit expressions compiled once (lambdify, mpmath) for evaluation at many points."""

    def __init__(self, expressions: Sequence[sp.Basic], atoms: Sequence[sp.Basic]) -> None:
        self.atoms = list(atoms)
        self.expressions = list(expressions)
        # plain identifiers, so lambdify need not rewrite the expressions (every free atom is
        # replaced, so these names cannot collide with anything left in them)
        placeholders = [sp.Symbol(f"_w{n}") for n in range(len(self.atoms))]
        names = dict(zip(self.atoms, placeholders, strict=True))
        # bound variables left (an integral's) get plain names too, so the printed code is
        # consistent (lambdify names a Dummy differently in the body and in the lambda)
        bound = sorted(
            {d for e in expressions for d in _nodes(e) if isinstance(d, sp.Dummy)}, key=str
        )
        names.update({d: sp.Symbol(f"_v{n}", **d._assumptions_orig) for n, d in enumerate(bound)})
        renamed = [_rebuild(e, names.get) for e in expressions]
        # common subexpressions shared (a network repeats z^1 in every unit above it), but
        # not out of an integral, whose bound variable they would take outside it
        # terms printed in SymPy's order cost a sort per sum; the module's functions are
        # printed by name as lambdify would (no implemented_function: use_imps=False)
        printer = MpmathPrinter(
            {
                "fully_qualified_modules": False,
                "inline": True,
                "allow_unknown_functions": True,
                "user_functions": {name: name for name in _GUARDED},
                "order": "none",
            }
        )
        self.function = sp.lambdify(
            placeholders,
            renamed,
            modules=[_GUARDED, "mpmath"],
            printer=printer,
            use_imps=False,
            dummify=False,
            cse=_cse if not bound else False,
        )

    def partial(self, values: Mapping[sp.Basic, sp.Expr], variables) -> mpmath.mpf:
        """mpmath's numerical partial derivative of the single compiled expression."""
        merged: dict[int, int] = {}
        for variable, count in variables:
            if variable not in self.atoms:
                return mpmath.mpf(0)
            position = self.atoms.index(variable)
            merged[position] = merged.get(position, 0) + int(count)
        positions, orders = list(merged), list(merged.values())
        # an atom the point leaves out does not occur in the derivative: any value will do
        given = [sp.Rational(values.get(a, sp.Rational(2, 7))) for a in self.atoms]
        with mpmath.workdps(DIGITS):
            try:
                value = self.function(*(mpmath.mpf(int(v.p)) / int(v.q) for v in given))[0]
                size = mpmath.mag(value) if mpmath.isfinite(value) and value != 0 else 0
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                size = 0
        # a difference quotient loses as many digits as the value has before the point
        # (J ~ 10^50 with a slope of 3 leaves nothing of 60 digits): work with that many more
        extra = max(0, int(size * 0.302)) + 10
        if extra > _MOST_EXTRA_DIGITS:
            raise _SkipError("the value is too large here for a difference quotient")
        with mpmath.workdps(DIGITS + extra):
            base = [mpmath.mpf(int(v.p)) / int(v.q) for v in given]

            def function(*moved):
                arguments = list(base)
                for position, value in zip(positions, moved, strict=True):
                    arguments[position] = value
                return self.function(*arguments)[0]

            try:
                return mpmath.diff(function, tuple(base[p] for p in positions), tuple(orders))
            except (ZeroDivisionError, ValueError, OverflowError) as error:
                raise _SkipError(f"no difference quotient here ({type(error).__name__})") from None

    def check_real(self, values: Mapping[sp.Basic, sp.Expr]) -> None:
        """Raise :class:`_SkipError` unless every compiled expression is finite and real at
        the point (an atom the point leaves out gets the value ``partial`` gives it).  For
        the function a derivative differentiates: a point where it is not real (log x at
        x < 0, whose derivative 1/x is real there) is outside the claim's real domain."""
        self({atom: values.get(atom, sp.Rational(2, 7)) for atom in self.atoms})

    def __call__(self, values: Mapping[sp.Basic, sp.Expr]) -> list:
        arguments = []
        with mpmath.workdps(DIGITS):
            for atom in self.atoms:
                value = sp.Rational(values[atom])
                arguments.append(mpmath.mpf(int(value.p)) / int(value.q))
            try:
                results = self.function(*arguments)
            except (ZeroDivisionError, ValueError, OverflowError) as error:
                raise _SkipError(f"not defined at this point ({type(error).__name__})") from None
        numbers = []
        for result in results:
            if isinstance(result, int | float | mpmath.mpf | mpmath.mpc):
                number = mpmath.mpmathify(result)
            else:
                try:
                    number = mpmath.mpmathify(complex(sp.N(sp.sympify(result), DIGITS)))
                except (TypeError, ValueError):
                    raise _SkipError(f"not a number: {result}") from None
            if not mpmath.isfinite(number):
                raise _SkipError("a side is not finite at this point")
            if not _is_real(number):
                raise _SkipError("a side is not real at this point (claims are about real values)")
            numbers.append(number)
        return numbers


def _agree(left, right, digits: int = AGREE) -> bool:
    with mpmath.workdps(DIGITS):
        scale = max(mpmath.mpf(1), abs(left))
        return bool(abs(left - right) <= mpmath.mpf(10) ** (-digits) * scale)


#: a denominator below this at a point makes the point unusable (a 0/0 in disguise)
_NEAR_ZERO = mpmath.mpf(10) ** (-AGREE)
#: agreement of SymPy's derivative with mpmath's difference quotient: mpmath.diff works in
#: extra precision and is accurate to far more than 25 digits for analytic functions, while
#: a jump or a wrong rule is off by O(1) or by O(1/h)
QUOTIENT_AGREE = 25
#: a derivative beyond 2^this in size is no point for a difference quotient (its step is
#: too coarse for a function that steep): the point is skipped, not counted against it
_STEEPEST_BITS = 1000


def _shape(expr: sp.Basic) -> tuple[int, ...]:
    return tuple(expr.shape) if isinstance(expr, sp.MatrixBase) else ()


def _denominators(expr: sp.Basic, *, numbers: bool = False) -> list[sp.Expr]:
    """The bases of negative powers: with variables (checked at every point), or, with
    ``numbers=True``, constant ones (certified non-zero once)."""
    return [
        power.base
        for power in _nodes(expr)
        if isinstance(power, sp.Pow)
        and power.exp.is_negative
        and bool(power.base.is_number) == numbers
        # inside an integral: the quadrature meets it, and a pole there makes the value
        # non-finite, which skips the point
        and not power.base.has(sp.Dummy)
    ]


def _difference_quotients(lhs: sp.Basic, instance: _Instance) -> list:
    """For a derivative (or a matrix of them): (entry, explicit undifferentiated body,
    variables with their counts) — checked against mpmath's numerical derivative, a third
    computation that shares no rule with SymPy's differentiation."""
    quotients = []
    for number, entry in enumerate(_entries(lhs)):
        if not isinstance(entry, sp.Derivative):
            return []
        body = instance.explicit(entry.expr)
        variables = [
            (instance.explicit(variable), count) for variable, count in entry.variable_count
        ]
        quotients.append((number, body, variables))
    return quotients
