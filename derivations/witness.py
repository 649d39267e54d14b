"""The independent witness: every claim and verdict evaluated at concrete sizes and points.

A second code path behind the symbolic engine (defence in depth: a bug in
:mod:`derivations.rewriting` or in SymPy's simplifier cannot pass alone).  For a statement
``lhs = rhs_1 = … = rhs_n`` it

1. instantiates every symbolic size at small values (each of 1, 2, 3 at least, and mixed
   combinations), every free index inside its range (both ends included), and every
   abstract function (the "any g") with concrete smooth functions;
2. builds the *explicit finite* expressions directly from the definitions: every sum
   written out term by term, every defined object replaced by its body — no Kronecker-delta
   collapsing, no ``refine``, no simplification;
3. values a derivative on the left by mpmath's numerical derivative (``mpmath.diff``, in
   extra precision) of the explicit undifferentiated expression — no rule of SymPy's; SymPy
   differentiates the explicit form only to certify a disagreement, or where the left side
   is not a derivative;
4. evaluates both sides at random rational points with mpmath at 60 digits.  The points
   satisfy the hypotheses (solved for: labels normalised to sum 1, …), respect every
   symbol's assumptions (x ≠ 0, K even, …) and avoid kinks; a point where a side is not
   finite (nan, zoo: a 0/0) is skipped, never counted.

A disagreement is *certified*: the difference is evaluated with ``evalf(strict=True)``, so a
value is only called non-zero when mpmath proves enough digits of it.  The same machinery
evaluates a verdict's counterexample and searches for one (:func:`find_counterexample`).
"""

from __future__ import annotations

import itertools
import random
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mpmath
import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits
from sympy.core.function import AppliedUndef, UndefinedFunction
from sympy.printing.pycode import MpmathPrinter

from derivations.binding import free_symbols, rename_bound, substitute
from derivations.language import definition_lookup

if TYPE_CHECKING:
    from derivations.language import Definition, Hypothesis, IndexRange

__all__ = [
    "Point",
    "WitnessReport",
    "evaluate",
    "find_counterexample",
    "witness",
]

#: digits of the evaluation; agreement means |left − right| ≤ 10^-AGREE · max(1, |left|)
DIGITS = 60
AGREE = 40
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
        return ", ".join(parts)


@dataclass
class WitnessReport:
    """What the witness found: ``ok`` when every counted point agreed and enough counted."""

    ok: bool
    points: int
    message: str
    disagreement: Point | None = None
    #: when refuting: the two values at the disagreement
    values: tuple[sp.Expr, sp.Expr] | None = None


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
) -> sp.Basic:
    """``expr`` with every node for which ``change`` gives a value replaced by it.

    Like ``replace``, but each distinct subexpression is handled once (a memo), so the
    thousands of repeated subtrees of an explicit network cost one visit each.  Top-down
    (the default): a replaced node's value is not searched again (the caller loops);
    ``bottom_up``: a node's arguments are rebuilt first and ``change`` sees the new node.
    """
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(lambda entry: _rebuild(entry, change, bottom_up=bottom_up))
    memo: dict[sp.Basic, sp.Basic] = {}

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


class _Instance:
    """One choice of sizes, indices and concrete functions, with the explicit definitions."""

    def __init__(
        self,
        integers: Mapping[sp.Symbol, int],
        functions: Mapping[UndefinedFunction, object],
        definitions: Sequence[Definition],
        base_equalities: Mapping[sp.IndexedBase, sp.IndexedBase],
    ) -> None:
        self.integers = {key: sp.Integer(value) for key, value in integers.items()}
        self.functions = dict(functions)
        self.definitions = tuple(definitions)
        self.base_equalities = dict(base_equalities)
        #: each defined object expanded once per instance (``a[2]`` occurs in many places)
        self._expanded: dict[sp.Basic, sp.Basic] = {}
        self._explicit: dict[sp.Basic, sp.Basic] = {}
        #: each subexpression with its definitions written out (shared by all expressions)
        self._written: dict[sp.Basic, sp.Basic] = {}

    def _concrete(self, expr: sp.Basic) -> sp.Basic:
        expr = rename_bound(expr)
        if self.integers:
            expr = substitute(expr, self.integers)
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
        if expr not in self._explicit:
            self._explicit[expr] = self._explicit_once(expr)
        return self._explicit[expr]

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
            lambda node: (
                node.doit(integrals=False) if isinstance(node, _LEFT_TO_EVALUATE) else None
            ),
            bottom_up=True,
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


def _instances(problem: _Problem, rng: random.Random, count: int):
    sizes, ranges = _integer_symbols(problem)
    functions = _abstract_functions(problem)
    choices = {size: _integer_choices(size) for size in sizes}
    if any(not options for options in choices.values()):
        return
    assignments: list[dict[sp.Symbol, int]] = []
    if sizes:
        for position in range(3):  # each size takes its 1st, 2nd, 3rd smallest value
            assignments.append({s: choices[s][min(position, len(choices[s]) - 1)] for s in sizes})
        for _ in range(max(0, count - 4)):
            assignments.append({s: rng.choice(choices[s][:4]) for s in sizes})
        # one instance past every integer constant of the statement (a closed form SymPy
        # derived wrongly may hold at 1..3 only: Σ binomial(c − 5, c − 5))
        large = _large_size(problem)
        assignments.append(
            {
                s: min(
                    (v for v in _integer_choices(s, upto=large) if abs(v) >= large),
                    key=abs,
                    default=choices[s][-1],
                )
                for s in sizes
            }
        )
    else:
        assignments = [{} for _ in range(count if (ranges or functions) else 1)]
    unique = list({tuple(sorted(a.items(), key=str)): a for a in assignments}.values())
    if not sizes:
        unique = assignments
    for number, assignment in enumerate(unique):
        integers = {key: sp.Integer(value) for key, value in assignment.items()}
        for turn, index_range in enumerate(ranges):
            lo = sp.sympify(index_range.lo).xreplace(integers)
            hi = sp.sympify(index_range.hi).xreplace(integers)
            if not (lo.is_Integer and hi.is_Integer) or hi < lo:
                break
            options = list(range(int(lo), int(hi) + 1))
            pick = (number + turn) % 3
            integers[index_range.index] = (
                options[0] if pick == 0 else options[-1] if pick == 1 else rng.choice(options)
            )
        else:
            yield integers, _stand_ins(functions, number)


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
    return zlib.crc32(f"{problem.lhs}|{[str(e) for _, e in problem.rights]}".encode())


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


def _exact_left(
    instance: _Instance,
    lhs: sp.Basic,
    left: sp.Basic | None,
    entry: int,
    values: Mapping[sp.Basic, sp.Expr],
) -> sp.Basic | None:
    """The exact value of the left-hand side's ``entry`` at ``values``, to certify a
    disagreement: SymPy's explicit derivative, computed only now when the difference quotient
    stood for it (None if SymPy cannot compute it).  If SymPy's derivative happens to agree
    with the right-hand side, the difference is not certified and the point is skipped."""
    if left is not None:
        return _entries(left)[entry].xreplace(values)
    try:
        derivative = instance.explicit(_entries(lhs)[entry])
    except Exception:
        return None
    return derivative.xreplace(values)


def witness(
    lhs: sp.Basic,
    rights: Sequence[tuple[str, sp.Basic]],
    definitions: Sequence[Definition] = (),
    hypotheses: Sequence[Hypothesis] = (),
    ranges: Sequence[IndexRange] = (),
    *,
    instances: int = 5,
    points: int = 10,
    minimum_points: int = 3,
) -> WitnessReport:
    """Check ``lhs = right`` for every ``(label, right)`` at concrete sizes and points.

    ``ok`` is True only if at least ``minimum_points`` points satisfying the hypotheses (and
    the assumptions, away from kinks, with every side finite) were evaluated and every
    right-hand side agreed with ``lhs`` at each of them (|difference| ≤ 10^-40 relative in
    60-digit arithmetic).  A disagreement is confirmed exactly (``evalf(strict=True)``)
    before it is reported.
    """
    problem = _Problem(lhs, rights, definitions, hypotheses, ranges)
    rng = random.Random(_seed(problem))
    counted = 0
    reasons: list[str] = []
    sizes_seen: list[str] = []
    base_equalities = _base_equalities(hypotheses)
    equations = [
        sp.sympify(h.lhs) - sp.sympify(h.rhs)
        for h in hypotheses
        if not (isinstance(h.lhs, sp.IndexedBase) and isinstance(h.rhs, sp.IndexedBase))
    ]
    built = list(_instances(problem, rng, instances))
    per_instance = max(2, -(-points // max(1, len(built))))
    for integers, functions in built:
        instance = _Instance(integers, functions, definitions, base_equalities)
        try:
            quotients = _difference_quotients(lhs, instance)
            # a derivative's value is its difference quotient: SymPy need not differentiate
            # the explicit form (seconds for a whole network), and its rules are not trusted
            left = None if quotients else instance.explicit(lhs)
            explicit_rights = [(label, instance.explicit(right)) for label, right in rights]
            explicit_equations = [instance.explicit(eq) for eq in equations]
            if any(_shape(right) != _shape(lhs) for _, right in explicit_rights):
                return WitnessReport(False, counted, "the two sides have different shapes")
            lefts = [body for _, body, _ in quotients] if left is None else _entries(left)
            atoms: set[sp.Basic] = set()
            for expr in (*lefts, *(right for _, right in explicit_rights)):
                atoms |= _free_atoms(expr)
            flat = ([] if left is None else lefts) + [
                e for _, right in explicit_rights for e in _entries(right)
            ]
            checked = flat + ([] if left is not None else lefts)
            # in the order met (sorting them by their printed form costs seconds on a network)
            denominators = list(dict.fromkeys(d for e in checked for d in _denominators(e)))
            for constant in {d for e in checked for d in _denominators(e, numbers=True)}:
                if not _certainly_different(constant, sp.Integer(0)):
                    raise _SkipError(f"the constant denominator {constant} may be 0 (0/0)")
            ordered = sorted(atoms, key=str)
            compiled = _Compiled(flat + denominators, ordered)
            compiled_bodies: dict[sp.Basic, _Compiled] = {}
            for _, body, _ in quotients:
                if body not in compiled_bodies:
                    compiled_bodies[body] = _Compiled([body], ordered)
            bodies = [(compiled_bodies[body], variables) for _, body, variables in quotients]
        except _SkipError as skip:
            reasons.append(str(skip))
            continue
        except Exception as error:  # SymPy failed on the explicit form: no evidence
            reasons.append(f"{type(error).__name__}: {error}")
            continue
        kinks = [k for e in lefts for k in _kinks(e)]
        kinks += [k for _, right in explicit_rights for k in _kinks(right)]
        sizes_seen.append(", ".join(f"{k} = {v}" for k, v in integers.items()) or "scalar")
        size = len(_entries(lhs))
        # the rights' entries start here in ``numbers`` (after the left's, when SymPy's)
        offset = 0 if left is None else size
        usable = 0
        # a point that cannot be used (a kink, 0/0, an overflow) is replaced, a few times
        for _ in range(_DRAWS_PER_POINT * per_instance):
            if usable == per_instance:
                break
            try:
                values = _solve_hypotheses(explicit_equations, atoms, rng)
                if _at_a_kink(kinks, values):
                    raise _SkipError("at a kink")
                numbers = compiled(values)
                if any(abs(d) < _NEAR_ZERO for d in numbers[len(flat) :]):
                    raise _SkipError("a denominator vanishes at this point (0/0 is no evidence)")
                slopes = []
                for number, (body, variables) in enumerate(bodies):
                    body.check_real(values)
                    slope = body.partial(values, variables)
                    if mpmath.mag(slope) > _STEEPEST_BITS:
                        raise _SkipError("too steep here for a difference quotient")
                    if left is not None and not _agree(
                        slope, numbers[number], digits=QUOTIENT_AGREE
                    ):
                        point = Point(integers, values, instance.describe_functions())
                        return WitnessReport(
                            False,
                            counted,
                            f"SymPy's derivative {mpmath.nstr(numbers[number], 15)} disagrees "
                            f"with the difference quotient {mpmath.nstr(slope, 15)} at "
                            f"{point.describe()}: no derivative there, or a wrong rule",
                            point,
                        )
                    slopes.append(slope)
            except _SkipError as skip:
                reasons.append(str(skip))
                continue
            except Exception as error:
                reasons.append(f"{type(error).__name__}: {error}")
                continue
            left_values = slopes if left is None else numbers[:size]
            inconclusive = False
            for position, (label, _) in enumerate(explicit_rights):
                for entry in range(size):
                    lv = left_values[entry]
                    rv = numbers[offset + position * size + entry]
                    if _agree(lv, rv):
                        continue
                    exact_right = flat[offset + position * size + entry].xreplace(values)
                    exact_left = _exact_left(instance, lhs, left, entry, values)
                    if exact_left is None or not _certainly_different(exact_left, exact_right):
                        inconclusive = True  # differs in 60 digits, not certified: no evidence
                        continue
                    point = Point(integers, values, instance.describe_functions())
                    return WitnessReport(
                        False,
                        counted,
                        f"{label} disagrees at {point.describe()}: "
                        f"{mpmath.nstr(lv, 15)} vs {mpmath.nstr(rv, 15)}",
                        point,
                        (exact_left, exact_right),
                    )
            if inconclusive:
                reasons.append("a difference that could not be certified either way")
                continue
            counted += 1
            usable += 1
    if counted < minimum_points:
        why = "; ".join(dict.fromkeys(reasons)) or "no instance could be built"
        return WitnessReport(
            False,
            counted,
            f"the witness found only {counted} usable point(s) (needs {minimum_points}): {why}",
        )
    shown = "; ".join(dict.fromkeys(sizes_seen))
    return WitnessReport(True, counted, f"agrees at {counted} points ({shown})")


def evaluate(
    expr: sp.Basic,
    definitions: Sequence[Definition],
    integers: Mapping[sp.Symbol, int],
    values: Mapping[sp.Basic, sp.Expr],
    base_equalities: Mapping[sp.IndexedBase, sp.IndexedBase] | None = None,
) -> tuple[sp.Basic, sp.Basic]:
    """(exact value, 60-digit value) of ``expr`` at a concrete point, by the explicit form.

    Raises ``ValueError`` when the point leaves a symbol free, makes a side non-finite, or
    sits at a kink: such a point is never a counterexample.
    """
    instance = _Instance(integers, {}, definitions, base_equalities or {})
    values = {key: sp.sympify(value) for key, value in values.items()}
    try:
        explicit = instance.explicit(expr)
        if _at_a_kink(_kinks(explicit), values):
            raise _SkipError("the point is at a kink, where no derivative exists")
        exact = [sp.sympify(e.xreplace(dict(values))).doit() for e in _entries(explicit)]
        numeric = [_numeric(e) for e in exact]
        quotients = _difference_quotients(expr, instance)
        for number, body, variables in quotients:
            compiled = _Compiled([body], sorted(_free_atoms(body), key=str))
            compiled.check_real(values)
            slope = compiled.partial(values, variables)
            with mpmath.workdps(DIGITS):
                symbolic = sp.sympify(numeric[number])._to_mpmath(mpmath.mp.prec)
            if not _agree(symbolic, slope, digits=QUOTIENT_AGREE):
                raise _SkipError(
                    "the derivative SymPy computes there disagrees with the difference "
                    "quotient: the function has no derivative at this point"
                )
    except _SkipError as skip:
        raise ValueError(str(skip)) from None
    if isinstance(explicit, sp.MatrixBase):
        return sp.ImmutableMatrix(explicit.shape[0], explicit.shape[1], exact), sp.ImmutableMatrix(
            explicit.shape[0], explicit.shape[1], numeric
        )
    return exact[0], numeric[0]


def differ(left: sp.Basic, right: sp.Basic) -> bool:
    """Certified: do two concrete values (or matrices of them) differ?"""
    return any(
        _certainly_different(a, b) for a, b in zip(_entries(left), _entries(right), strict=True)
    )


def _simplest_ranks(caps: Sequence[int], total: int) -> Iterator[tuple[int, ...]]:
    """Every tuple of ranks ``0 <= r_i < caps[i]`` with ``sum(r) == total``, lexicographic."""
    if not caps:
        if total == 0:
            yield ()
        return
    head, *rest = caps
    for rank in range(min(head - 1, total) + 1):
        for tail in _simplest_ranks(rest, total - rank):
            yield (rank, *tail)


def _simplest_assignments(
    variables: Sequence[sp.Basic], options: Sequence[Sequence[object]]
) -> Iterator[dict[sp.Basic, object]]:
    """Assignments of ``options[i]`` (listed simplest first) to ``variables[i]``, in order of
    increasing total rank: all simplest first, then one variable one step less simple, …"""
    caps = [len(choices) for choices in options]
    if any(cap == 0 for cap in caps):
        return
    for total in range(sum(cap - 1 for cap in caps) + 1):
        for ranks in _simplest_ranks(caps, total):
            pairs = enumerate(zip(variables, ranks, strict=True))
            yield {variable: options[n][rank] for n, (variable, rank) in pairs}


def _simplest_instances(problem: _Problem) -> Iterator[tuple[dict, dict]]:
    """Sizes from the smallest (each size among its 4 smallest values, by total rank), every
    free index in its range from the lowest, each abstract function by each concrete
    stand-in in turn."""
    sizes, ranges = _integer_symbols(problem)
    functions = _abstract_functions(problem)
    size_options = [_integer_choices(size)[:4] for size in sizes]
    for variant in range(len(_ONE_ARGUMENT) if functions else 1):
        concrete = _stand_ins(functions, variant)
        for assignment in _simplest_assignments(sizes, size_options):
            integers = {key: sp.Integer(value) for key, value in assignment.items()}
            index_options = []
            for index_range in ranges:
                lo = sp.sympify(index_range.lo).xreplace(integers)
                hi = sp.sympify(index_range.hi).xreplace(integers)
                if not (lo.is_Integer and hi.is_Integer) or hi < lo:
                    break
                index_options.append([sp.Integer(v) for v in range(int(lo), int(hi) + 1)])
            else:
                indices = [index_range.index for index_range in ranges]
                for chosen in _simplest_assignments(indices, index_options):
                    yield {**integers, **chosen}, concrete


def find_counterexample(
    lhs: sp.Basic,
    right: sp.Basic,
    definitions: Sequence[Definition] = (),
    ranges: Sequence[IndexRange] = (),
    *,
    tries: int = 400,
    per_instance: int = 80,
) -> WitnessReport:
    """The simplest certified point where ``lhs ≠ right``, searched systematically.

    Sizes go from the smallest (K = 1 before K = 2; several sizes by their total), free
    indices from the lowest, and the values of the free atoms run through the simple values
    0, 1, −1, 2, 1/2, −2, −1/2, 3, … in order of total simplicity (every atom 0 first, then
    one atom 1, …), each inside its symbol's domain.  The first point where both sides are
    finite, no kink is hit, and the difference is certified non-zero
    (:func:`_certainly_different`) is returned (``ok=True``, the point in ``disagreement``);
    at most ``per_instance`` points per choice of sizes and ``tries`` in all.
    """
    problem = _Problem(lhs, [("claimed", right)], definitions, (), ranges)
    rng = random.Random(_seed(problem))
    attempts = 0
    for integers, functions in _simplest_instances(problem):
        if attempts >= tries:
            break
        instance = _Instance(integers, functions, definitions, {})
        try:
            left = instance.explicit(lhs)
            claimed = instance.explicit(right)
            # the functions the derivatives differentiate: real at a counterexample
            differentiated = [
                _Compiled([body], sorted(_free_atoms(body), key=str))
                for _, body, _ in _difference_quotients(lhs, instance)
            ]
        except Exception:
            continue
        if _shape(left) != _shape(claimed):
            continue
        atoms = sorted(_free_atoms(left) | _free_atoms(claimed), key=str)
        kinks = _kinks(left) + _kinks(claimed)
        try:
            options = [
                [v for v in _SIMPLE_VALUES if _satisfies(v, _required(atom))]
                or [_random_value(rng, _required(atom)) for _ in range(3)]
                for atom in atoms
            ]
        except _SkipError:
            continue
        for count, values in enumerate(_simplest_assignments(atoms, options)):
            if count >= per_instance or attempts >= tries:
                break
            attempts += 1
            try:
                if _at_a_kink(kinks, values):
                    continue
                for body in differentiated:
                    body.check_real(values)
                lv = [_numeric(e.xreplace(values)) for e in _entries(left)]
                rv = [_numeric(e.xreplace(values)) for e in _entries(claimed)]
            except Exception:
                continue
            for le, re_, a, b in zip(_entries(left), _entries(claimed), lv, rv, strict=True):
                if _certainly_different(le.xreplace(values), re_.xreplace(values)):
                    point = Point(integers, values, instance.describe_functions())
                    return WitnessReport(True, attempts, point.describe(), point, (a, b))
    return WitnessReport(False, attempts, f"no disagreement in {attempts} tries")
