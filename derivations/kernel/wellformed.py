"""What may be stated: the rules a claim (or a statement to judge) must meet before any step
is checked.  Each rule closes a way to "prove" something false through the public API.

* **Binders** — only constructs whose bound variables :mod:`derivations.kernel.binding` models
  (``Sum``, ``Product``, ``Integral``, ``Subs``, ``Lambda``); no ``Dummy`` symbols.
* **Names** — two different objects may not print the same (``IndexedBase("z")`` twice with
  different assumptions, a symbol and a function both called ``g``).
* **Assumptions are the domain** — every assumption on a symbol (positive, even, nonzero, …)
  is printed with the verdict (:func:`domain`); assumptions outside a small vocabulary are
  refused; an assumption on a *defined* name must follow from its definition.
* **Definitions** — each name once, acyclic (a cycle is named), used with one arity, never
  a differentiation variable, never a SymPy function under its own name unless it *is* that
  function (tanh may be defined by exponentials; ``exp := x²`` is refused).
* **Integrals** — an integrand must be finite everywhere: every denominator shown never 0,
  every logarithm's argument shown positive (SymPy integrates across poles), and free of
  kinks (SymPy's integrals of |sin 2t| have been found wrong).
* **Bound variables** — a variable bound by an integral, ``Subs`` or ``Lambda`` may be
  declared real, nothing more (SymPy simplifies with a declaration its binder contradicts).
* **One meaning for a definition** — a defined name may not be used under a binder (a
  ``Sum``, ``Product``, ``Integral``, ``Subs`` or ``Lambda``) that binds one of the free
  symbols of its body (:func:`_capture_problems`).
* **Indices** — every index, Kronecker-delta argument and summation variable is an integer;
  every index range is provably non-empty; every sum has provably non-negative length.
* **Kinks** — a derivative of Heaviside, sign, Abs, Max, Min, DiracDelta or Piecewise needs
  the kink excluded by the symbols' assumptions (ReLU′ is proven for ``x ≠ 0``); SymPy's
  ``Heaviside(0) = 1/2`` is a convention, not a derivative.  A fractional power under a
  derivative needs a base SymPy shows positive (the principal root jumps across the
  negative axis: √w·√w̄ is |w| beside it and −1 on it).
* **Premises** — a definition resting on a premise (J's first-order form Σ_k δ_k z_k) may be
  differentiated once, and not with respect to the quantities it holds fixed.
* **Identities** — the left-hand side must be built from defined objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits
from sympy.core.function import AppliedUndef, UndefinedFunction

from derivations.kernel.binding import UnsupportedConstructError, rename_bound, symbols_free_in
from derivations.kernel.language import definition_lookup
from derivations.kernel.rewriting import MAX_TERMS, is_zero, unfold, unjustified_substitutions

if TYPE_CHECKING:
    from derivations.kernel.language import Definition, Hypothesis, IndexRange

__all__ = ["Subject", "domain", "problems"]

#: assumptions a symbol may carry, with how they are printed in the claim's domain
PRINTABLE_ASSUMPTIONS: dict[tuple[str, bool], str] = {
    ("commutative", True): "",
    ("finite", True): "finite",
    ("real", True): "real",
    ("rational", True): "rational",
    ("integer", True): "integer",
    ("even", True): "even",
    ("odd", True): "odd",
    ("positive", True): "positive",
    ("negative", True): "negative",
    ("nonnegative", True): "nonnegative",
    ("nonpositive", True): "nonpositive",
    ("nonzero", True): "nonzero",
    ("zero", False): "nonzero",
}

#: functions without a derivative where their kink expression vanishes
_KINKED = (sp.Abs, sp.sign, sp.Heaviside, sp.DiracDelta, sp.Max, sp.Min, sp.Piecewise)
#: what may appear inside an expression that is differentiated: functions analytic on the
#: whole real line (or with poles only, where the value is not finite), the kinked ones
#: above under their rule, abstract functions ("any differentiable g"), and the structure
#: around them.  Anything else (atan2, asech, SingularityFunction, floor, re, …) is refused:
#: SymPy's derivative rule for it may be a convention or wrong off its real domain.
_DIFFERENTIABLE = (
    sp.Add,
    sp.Mul,
    sp.Pow,
    sp.exp,
    sp.log,
    sp.sin,
    sp.cos,
    sp.tan,
    sp.cot,
    sp.sec,
    sp.csc,
    sp.sinh,
    sp.cosh,
    sp.tanh,
    sp.coth,
    sp.sech,
    sp.csch,
    sp.atan,
    sp.asinh,
    sp.erf,
    sp.erfc,
    sp.KroneckerDelta,
    sp.Sum,
    sp.Product,
    sp.Integral,
    sp.Derivative,
    sp.Subs,
    sp.Tuple,
    AppliedUndef,
    sp.Indexed,
    sp.IndexedBase,
    sp.Symbol,
    sp.Number,
    sp.NumberSymbol,
    sp.core.relational.Relational,
    # conditions are comparisons joined by and/or/not: a predicate such as Q.positive(x)
    # would hide a kink from every rule that looks for comparisons
    sp.And,
    sp.Or,
    sp.Not,
    sp.logic.boolalg.BooleanTrue,
    sp.logic.boolalg.BooleanFalse,
    sp.functions.elementary.piecewise.ExprCondPair,
    *_KINKED,
)
#: what may appear anywhere in a statement: the above, and definite integrals' parts
_VOCABULARY = (*_DIFFERENTIABLE, sp.Lambda, sp.core.containers.Tuple)


@dataclass(frozen=True)
class Subject:
    """What the rules look at: a claim's or a judged statement's expressions and context."""

    lhs: sp.Basic
    #: everything stated equal to ``lhs``: the steps and the result (or the claimed value)
    right_sides: tuple[sp.Basic, ...]
    definitions: Sequence[Definition] = ()
    hypotheses: Sequence[Hypothesis] = ()
    ranges: Sequence[IndexRange] = ()
    kind: str = "derivative"
    #: "the left-hand side" for a claim, "the true value" for a judged statement
    lhs_words: str = "the left-hand side"
    extra: tuple[sp.Basic, ...] = field(default=())

    def expressions(self) -> Iterator[sp.Basic]:
        """Every expression the subject contains, definitions and hypotheses included."""
        yield self.lhs
        yield from self.right_sides
        yield from self.extra
        for hypothesis in self.hypotheses:
            for old, new in hypothesis.substitutions:
                yield sp.sympify(old)
                yield sp.sympify(new)
        for definition in self.definitions:
            yield definition.lhs
            yield definition.expr
        for index_range in self.ranges:
            yield index_range.index
            yield sp.sympify(index_range.lo)
            yield sp.sympify(index_range.hi)


def _entries(expr: sp.Basic) -> Iterator[sp.Basic]:
    if isinstance(expr, sp.MatrixBase):
        yield from expr
    else:
        yield expr


def _walk(expr: sp.Basic) -> Iterator[sp.Basic]:
    for entry in _entries(expr):
        yield from sp.preorder_traversal(entry)


# --------------------------------------------------------------------------- names


def _named_objects(subject: Subject) -> tuple[set[sp.Basic], set[sp.Basic], set[sp.Basic]]:
    """(symbols and indexed bases, undefined functions, entries) anywhere in the subject."""
    objects: set[sp.Basic] = set()
    functions: set[sp.Basic] = set()
    entries: set[sp.Basic] = set()
    for expr in subject.expressions():
        for entry in _entries(expr):
            stack = [entry]
            while stack:
                node = stack.pop()
                if isinstance(node, sp.IndexedBase):
                    objects.add(node)
                    continue
                if isinstance(node, sp.Indexed):
                    # an entry x[1] must not print like a symbol named "x[1]"
                    entries.add(node)
                if isinstance(node, sp.Symbol):
                    objects.add(node)
                    continue
                if isinstance(node, AppliedUndef):
                    functions.add(node.func)
                stack.extend(node.args)
    for definition in subject.definitions:
        if isinstance(definition.name, UndefinedFunction):
            functions.add(definition.name)
    return objects, functions, entries


def _assumptions_of(obj: sp.Basic) -> dict[str, bool]:
    symbol = obj.label if isinstance(obj, sp.IndexedBase) else obj
    return dict(getattr(symbol, "_assumptions_orig", {}) or {})


def _name_problems(subject: Subject) -> list[str]:
    problems = []
    objects, functions, entries = _named_objects(subject)
    if any(isinstance(obj, sp.Dummy) for obj in objects):
        problems.append(
            "a Dummy symbol is used: it prints like an ordinary symbol but is a different "
            "one; use sympy.Symbol"
        )
    if any(isinstance(obj, sp.Wild) for obj in objects):
        problems.append("a Wild symbol is a pattern for matching, not a variable; use sympy.Symbol")
    defined = {d.name for d in subject.definitions if isinstance(d.name, UndefinedFunction)}
    for obj in sorted((*objects, *functions), key=str):
        problem = _printed_name_problem(obj, defined)
        if problem:
            problems.append(problem)
    by_name: dict[str, set[sp.Basic]] = {}
    for obj in (*objects, *functions, *entries):
        by_name.setdefault(str(obj), set()).add(obj)
    for name, group in sorted(by_name.items()):
        if len(group) > 1:
            kinds = ", ".join(
                sorted(f"{type(obj).__name__}{_assumptions_of(obj)}" for obj in group)
            )
            problems.append(
                f"{len(group)} different objects print as {name!r} ({kinds}): a proof about "
                "one would read as a proof about the other"
            )
    for function in functions:
        declared = {k: v for k, v in (getattr(function, "_kwargs", {}) or {}).items()}
        declared.pop("commutative", None)
        if declared:
            problems.append(
                f"the function {function} is declared with assumptions ({', '.join(declared)}): "
                "they would be hidden hypotheses about it; state them as hypotheses instead"
            )
    for obj in objects:
        for key, value in _assumptions_of(obj).items():
            if (key, value) not in PRINTABLE_ASSUMPTIONS:
                allowed = ", ".join(
                    sorted({word for word in PRINTABLE_ASSUMPTIONS.values() if word})
                )
                problems.append(
                    f"{obj} is declared with the assumption {key}={value}, which is not part of "
                    f"the printed domain (allowed: {allowed}); state it as a hypothesis instead"
                )
    return problems


#: a symbol's or function's name: an ASCII identifier (x, n_1, J_softmax, ReLU)
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
#: a matrix's name may carry a layer superscript: z^l, W^(l+1), dZ^{[l]}, a^softmax
_MATRIX_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\^[A-Za-z0-9_+\-(){}\[\]]+)?")
#: names SymPy prints for its own constants
_CONSTANT_NAMES = frozenset(
    {"pi", "E", "I", "oo", "zoo", "nan", "EulerGamma", "GoldenRatio", "Catalan"}
)


def _printed_name_problem(obj: sp.Basic, defined: set[sp.Basic]) -> str:
    """Why ``obj``'s name would print like something else ("" when it cannot): a name that
    is not an ASCII identifier can look like another (Cyrillic х, "2*x", "x^2", a trailing
    space); a symbol named like a constant reads as that constant (pi); an abstract
    function named like one of SymPy's reads as it (sqrt)."""
    if isinstance(obj, sp.IndexedBase):
        name, pattern, what = str(obj.label), _MATRIX_NAME, "the matrix"
    elif isinstance(obj, UndefinedFunction):
        name, pattern, what = str(obj), _IDENTIFIER, "the function"
    elif isinstance(obj, sp.Symbol):
        name, pattern, what = obj.name, _IDENTIFIER, "the symbol"
    else:
        return ""
    if not pattern.fullmatch(name):
        return (
            f"{what} {name!r} has a name that is not a plain ASCII identifier (letters, digits, "
            "_; a matrix may add a superscript such as ^l): it could print like another "
            "name or like an expression"
        )
    if name in _CONSTANT_NAMES:
        return f"{what} {name!r} has the name of SymPy's constant {name}: it would read as it"
    if (
        isinstance(obj, UndefinedFunction)
        and obj not in defined
        and _sympy_function(name) is not None
    ):
        return (
            f"the abstract function {name} has the name of SymPy's own {name}: a statement "
            "about it would read as one about SymPy's function"
        )
    return ""


def _vocabulary_problems(subject: Subject) -> list[str]:
    """Exact real statements in a known vocabulary: no floating-point numbers, no imaginary
    unit or other non-real constant, and only the functions on the allowlist anywhere, as
    SymPy itself defines them (SymPy's closed forms for sums of binomials, its integrals of
    |sin t cos t| and other functions outside the list have been found wrong; what the
    engine cannot vouch for it does not accept)."""
    problems = []
    for expr in subject.expressions():
        for node in _walk(expr):
            if isinstance(node, sp.Float):
                problems.append(f"{node} is an inexact number: write it as an exact rational")
            elif node == sp.I:
                problems.append("the imaginary unit I appears: claims are about real values")
            elif not isinstance(node, _VOCABULARY):
                problems.append(
                    f"{type(node).__name__} ({node}) is not among the functions the engine accepts"
                )
            elif _foreign(node):
                problems.append(_foreign(node))
            elif isinstance(node, sp.Pow) and node.is_number and node.is_extended_real is False:
                problems.append(
                    f"{node} is not a real number (SymPy reads a negative base with a "
                    "fractional exponent as a complex root): claims are about real values"
                )
    return list(dict.fromkeys(problems))


#: what SymPy itself puts into the class of an undefined function ``Function("g")``
_UNDEFINED_FUNCTION_ATTRIBUTES = frozenset(
    {
        "__doc__",
        "__module__",
        "_explicit_class_assumptions",
        "_kwargs",
        "_nargs",
        "_prop_handler",
        "_sage_",
        "default_assumptions",
        "name",
        "nargs",
    }
)


def _foreign(node: sp.Basic) -> str:
    """Why ``node`` is not SymPy's own object ("" when it is): a subclass, or an undefined
    function carrying rules of its own, could change how it is differentiated, evaluated or
    printed.  An undefined function must be exactly what ``sympy.Function("g")`` makes."""
    if isinstance(node, AppliedUndef):
        function = node.func
        # declared assumptions (is_positive, …) are refused by the name rules, by name
        declared = {f"is_{key}" for key in getattr(function, "_kwargs", {}) or {}}
        extra = sorted(set(vars(function)) - _UNDEFINED_FUNCTION_ATTRIBUTES - declared)
        if type(function) is not UndefinedFunction or function.__bases__ != (AppliedUndef,):
            return (
                f"the function {function} is not a plain sympy.Function({str(function)!r}): "
                "its own class could change how it is differentiated or evaluated"
            )
        if extra:
            return (
                f"the function {function} carries rules of its own ({', '.join(extra)}): "
                f"use a plain sympy.Function({str(function)!r})"
            )
        return ""
    if type(node).__module__.startswith("sympy."):
        return ""
    return (
        f"{node} is an object of the class {type(node).__qualname__} defined in "
        f"{type(node).__module__}, not SymPy's own: a subclass can change how it is "
        "differentiated, evaluated or printed"
    )


def domain(subject: Subject) -> list[str]:
    """The assumptions on the subject's symbols, printed: ``K: integer, positive``."""
    objects, _, _ = _named_objects(subject)
    lines = []
    for obj in sorted(objects, key=str):
        words = [
            PRINTABLE_ASSUMPTIONS.get((key, value), f"{key}={value}")
            for key, value in sorted(_assumptions_of(obj).items())
        ]
        words = sorted({word for word in words if word})
        if words:
            shown = f"{obj} (every entry)" if isinstance(obj, sp.IndexedBase) else str(obj)
            lines.append(f"{shown}: {', '.join(words)}")
    return lines


# --------------------------------------------------------------------------- definitions


def _sympy_function(name: str) -> Callable[..., sp.Basic] | None:
    """SymPy's own function of that name: a function class (exp, Max) or a Python function
    that builds an expression (sqrt, root, cbrt)."""
    candidate = getattr(sp, name, None)
    if callable(candidate) and not isinstance(candidate, UndefinedFunction):
        return candidate
    return None


def _dependencies(definitions: Sequence[Definition]) -> dict[int, set[int]]:
    graph: dict[int, set[int]] = {}
    for number, definition in enumerate(definitions):
        graph[number] = {
            other
            for other, candidate in enumerate(definitions)
            if any(candidate.matches(node) for node in _walk(definition.expr))
        }
    return graph


def _cycle(definitions: Sequence[Definition]) -> list[str] | None:
    graph = _dependencies(definitions)
    state: dict[int, int] = {}  # 1 visiting, 2 done

    def visit(node: int, path: list[int]) -> list[int] | None:
        state[node] = 1
        for successor in sorted(graph[node]):
            if state.get(successor) == 1:
                return (
                    [*path[path.index(successor) :], successor]
                    if successor in path
                    else [
                        node,
                        successor,
                    ]
                )
            if state.get(successor) is None:
                found = visit(successor, [*path, successor])
                if found:
                    return found
        state[node] = 2
        return None

    for start in graph:
        if state.get(start) is None:
            found = visit(start, [start])
            if found:
                return [definitions[number].printed_name for number in found]
    return None


def _definition_problems(subject: Subject) -> list[str]:
    problems = []
    definitions = subject.definitions
    names = [definition.name for definition in definitions]
    for name in dict.fromkeys(names):
        if names.count(name) > 1:
            problems.append(f"{name} is defined {names.count(name)} times")
    for definition in definitions:
        name = definition.name
        if not isinstance(name, sp.Symbol | sp.IndexedBase | UndefinedFunction) or isinstance(
            name, sp.Dummy
        ):
            problems.append(
                f"{name} cannot be defined: only a Symbol, an IndexedBase or an undefined "
                "function (sympy.Function('f')) can"
            )
            continue
        if isinstance(name, sp.Symbol) and definition.indices:
            problems.append(f"{name} is a Symbol and cannot take indices {definition.indices}")
        if isinstance(name, sp.IndexedBase | UndefinedFunction) and not definition.indices:
            problems.append(f"the definition of {name} needs its index or argument symbols")
        if len(set(definition.indices)) != len(definition.indices) or not all(
            isinstance(index, sp.Symbol) for index in definition.indices
        ):
            problems.append(f"the indices of {name}'s definition must be distinct symbols")
        if isinstance(name, sp.IndexedBase) and not all(
            index.is_integer is True for index in definition.indices
        ):
            problems.append(f"the indices of {name}'s definition must be integer symbols")
        if isinstance(name, UndefinedFunction):
            builtin = _sympy_function(str(name))
            if builtin is not None:
                try:
                    arguments = definition.indices
                    same = is_zero(
                        (definition.expr - builtin(*arguments)).rewrite(sp.exp)
                    ) or is_zero(definition.expr - builtin(*arguments))
                except Exception:
                    same = False
                if not same:
                    problems.append(
                        f"{name} is SymPy's own function {builtin.__name__}: it may be defined "
                        "under that name only as that very function"
                    )
    cycle = _cycle(definitions)
    if cycle:
        problems.append(f"the definitions are circular: {' → '.join(cycle)}")
        return problems
    # arity, bare uses, differentiation variables
    for expr in subject.expressions():
        for node in _walk(expr):
            for definition in definitions:
                if not definition.indices:
                    continue
                if not definition.matches(node) and not (
                    isinstance(node, sp.Indexed) and node.base == definition.name
                ):
                    continue
                arity = len(node.args) if definition.is_function else len(node.indices)
                if arity != len(definition.indices):
                    problems.append(
                        f"{node} uses {definition.name} with {arity} arguments; it is defined "
                        f"with {len(definition.indices)}"
                    )
            if isinstance(node, sp.Derivative):
                for variable, _count in node.variable_count:
                    if variable.is_integer:
                        problems.append(
                            f"{node} differentiates with respect to {variable}, an integer: a "
                            "derivative needs a variable that ranges over the reals"
                        )
                    target = variable.base if isinstance(variable, sp.Indexed) else variable
                    if any(definition.name == target for definition in definitions):
                        problems.append(
                            f"{node} differentiates with respect to the defined object {target}"
                        )
    # assumptions on a defined name must follow from its definition
    for definition in definitions:
        if not isinstance(definition.name, sp.Symbol | sp.IndexedBase):
            continue
        wanted = {
            key: value
            for key, value in _assumptions_of(definition.name).items()
            if key != "commutative"
        }
        if not wanted:
            continue
        try:
            body = unfold(definition.expr, definitions)
        except Exception:
            continue  # reported by the cycle check
        for key, value in wanted.items():
            if getattr(body, f"is_{key}", None) is not value:
                problems.append(
                    f"{definition.name} is declared {key}={value}, but SymPy cannot show that "
                    f"its definition {definition.expr} is"
                )
    return problems


# --------------------------------------------------------------------------- integrals


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


def _integral_problems(subject: Subject) -> list[str]:
    """An integral whose integrand may be singular is refused.

    SymPy integrates an antiderivative straight across a pole (∫₀² dt/(t − x)² comes out
    finite for 0 < x < 2, where the integral diverges) and differentiates under the integral
    sign at a singular point (∫₋₁¹ x/(x² + t²) dt jumps at x = 0).  So every denominator of
    an integrand (its definitions written in) must be one SymPy shows is never 0 (positive
    or negative for every value of its symbols), and every logarithm's argument positive.
    """
    problems = []
    for expr in subject.expressions():
        for node in _walk(expr):
            if not isinstance(node, sp.Integral):
                continue
            kinked = [part for part in _walk(node.function) if isinstance(part, _KINKED)]
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
            for part in _walk(body):
                if isinstance(part, sp.Pow) and part.exp.is_negative:
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


def _bound_assumption_problems(subject: Subject) -> list[str]:
    """A variable bound by an integral, ``Subs`` or ``Lambda`` may be declared real, nothing
    more.  SymPy simplifies with a symbol's assumptions as soon as it meets it
    (``sqrt(t**2)`` is ``t`` for a positive ``t``), but the values such a variable takes are
    set by its binder (∫₋₁¹ … dt, the point of a ``Subs``), not by its declaration, and the
    printed domain speaks of free symbols only.  (A summation variable is an integer in its
    range whatever it was declared with: the binding module makes it one.)"""
    problems = []
    for expr in subject.expressions():
        for node in _walk(expr):
            if not isinstance(node, sp.Integral | sp.Subs | sp.Lambda):
                continue
            for variable in node.bound_symbols:
                extra = {
                    key: value
                    for key, value in _assumptions_of(variable).items()
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


# --------------------------------------------------------------------------- capture


def _parameters(definitions: Sequence[Definition]) -> dict[sp.Basic, frozenset[sp.Symbol]]:
    """Each definition's parameters: the symbols free in its body once every definition it
    uses is written in, less its own indices (or arguments).  Definitions are acyclic here."""
    lookup = definition_lookup(definitions)
    found: dict[sp.Basic, frozenset[sp.Symbol]] = {}

    def parameters(definition: Definition) -> frozenset[sp.Symbol]:
        if definition.name not in found:
            own = set(symbols_free_in(definition.expr))
            for node in _walk(definition.expr):
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


def _capture_problems(subject: Subject) -> list[str]:
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
        for entry in _entries(sp.sympify(expr)):
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


# --------------------------------------------------------------------------- indices


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
            declared = {k: v for k, v in _assumptions_of(var).items() if k != "commutative"}
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


def _index_problems(subject: Subject) -> list[str]:
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
        for entry in _entries(expr):
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


# --------------------------------------------------------------------------- derivatives


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
        if not isinstance(expr, _DIFFERENTIABLE):
            if _depends(expr, variables) or (continuous and expr.has(*continuous)):
                problems.append(
                    f"{node} differentiates {expr}: {type(expr).__name__} is not on the list "
                    "of functions whose derivative the engine accepts"
                )
            return
        if isinstance(expr, _KINKED) and (_depends(expr, variables) or continuous):
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

    for entry in _entries(body):
        visit(entry, frozenset())
    return problems


def _derivative_problems(subject: Subject) -> list[str]:
    problems: list[str] = []
    definitions = subject.definitions
    premised = [definition for definition in definitions if definition.premise]
    graph = _dependencies(definitions)

    def reaches_premise(expr: sp.Basic) -> Definition | None:
        direct = {n for n, d in enumerate(definitions) if any(d.matches(x) for x in _walk(expr))}
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
        for node in _walk(expr):
            if not isinstance(node, sp.Derivative):
                continue
            variables = [variable for variable, _ in node.variable_count]
            try:
                body = unfold(node.expr, definitions)
                # Subs and Lambda applications are plain substitutions: see through them
                body = body.replace(lambda e: isinstance(e, sp.Subs), lambda e: e.doit())
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
                        for inner in _walk(node.expr)
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


# --------------------------------------------------------------------------- entry point


def _shape_problems(subject: Subject) -> list[str]:
    problems = []
    definitions = subject.definitions
    if subject.kind == "derivative":
        entries = list(_entries(subject.lhs))
        if not all(
            isinstance(entry, sp.Derivative)
            and any(definition.matches(entry.expr) for definition in definitions)
            for entry in entries
        ):
            problems.append(
                f"{subject.lhs_words} must be an unevaluated derivative (sympy.Derivative) of a "
                "defined object, so that SymPy computes it from the definitions"
            )
    elif subject.kind == "identity":
        if not any(
            definition.matches(node) for node in _walk(subject.lhs) for definition in definitions
        ):
            problems.append(
                f"{subject.lhs_words} of an identity must be built from defined objects: "
                "otherwise it states nothing about them"
            )
    else:
        problems.append(f"unknown kind of claim {subject.kind!r}")
    aliases = {
        base
        for h in subject.hypotheses
        if isinstance(h.lhs, sp.IndexedBase) and isinstance(h.rhs, sp.IndexedBase)
        for base in (h.lhs, h.rhs)
    }
    if aliases:
        for expr in subject.expressions():
            for node in _walk(expr):
                if isinstance(node, sp.Derivative) and any(
                    isinstance(v, sp.Indexed) and v.base in aliases for v in node.variables
                ):
                    problems.append(
                        f"{node} differentiates with respect to an entry of a matrix that a "
                        "hypothesis makes an alias of another: whether the alias holds before "
                        "or after differentiating would change the result"
                    )
    for hypothesis in subject.hypotheses:
        if not _substitutable(sp.sympify(hypothesis.lhs)):
            problems.append(
                f"hypothesis {hypothesis.name!r} has the left-hand side {hypothesis.lhs}: it must "
                "be a variable, an entry, a sum of entries or a linear combination of them, so "
                "that substituting it is an equality (a function value such as g(x) would also "
                "be replaced inside derivatives of g)"
            )
        if not sp.sympify(hypothesis.lhs).free_symbols:
            problems.append(
                f"hypothesis {hypothesis.name!r} has no variable on its left-hand side "
                f"({hypothesis.lhs} = {hypothesis.rhs})"
            )
        for substitution in unjustified_substitutions(hypothesis):
            problems.append(
                f"hypothesis {hypothesis.name!r} licenses {substitution}, which does not "
                f"follow from its statement {hypothesis.lhs} = {hypothesis.rhs}"
            )
    return problems


def _substitutable(lhs: sp.Basic) -> bool:
    """Variable, entry, matrix name, sum of entries, or a linear combination of those."""
    if isinstance(lhs, sp.Symbol | sp.Indexed | sp.IndexedBase):
        return True
    if isinstance(lhs, sp.Sum):
        return _substitutable(lhs.function)
    if isinstance(lhs, sp.Mul):
        coefficient, rest = lhs.as_coeff_Mul()
        return coefficient.is_Rational and not isinstance(rest, sp.Mul) and _substitutable(rest)
    if isinstance(lhs, sp.Add):
        return all(term.is_Rational or _substitutable(term) for term in lhs.args)
    return False


def problems(subject: Subject) -> list[str]:
    """Every rule the subject breaks (empty: it may be checked)."""
    found: list[str] = []
    for expr in subject.expressions():
        try:
            for entry in _entries(expr):
                rename_bound(entry)
        except UnsupportedConstructError as error:
            found.append(str(error))
    if found:
        return found
    found += _vocabulary_problems(subject)
    found += _name_problems(subject)
    found += _definition_problems(subject)
    if any("circular" in problem for problem in found):
        return found
    found += _capture_problems(subject)
    found += _integral_problems(subject)
    found += _bound_assumption_problems(subject)
    found += _index_problems(subject)
    found += _shape_problems(subject)
    found += _derivative_problems(subject)
    return list(dict.fromkeys(found))
