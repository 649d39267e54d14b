"""What may be stated: the rules a claim (or a statement to judge) must meet before any step
is checked.  Each rule closes a way to "prove" something false through the public API.
:func:`problems` applies them all: the rules about names, definitions and shapes live here,
those about binders and indices in :mod:`derivations.kernel.wellformed_binders`, those about
derivatives in :mod:`derivations.kernel.wellformed_derivatives`; what they look at, and the
vocabulary, in :mod:`derivations.kernel.subject`.

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
import sys
from collections.abc import Callable, Sequence

import sympy as sp
from sympy.core.function import AppliedUndef, UndefinedFunction

from derivations.kernel.binding import UnsupportedConstructError, rename_bound
from derivations.kernel.language import Definition, Hypothesis, IndexRange
from derivations.kernel.rewriting import is_zero, unfold, unjustified_substitutions
from derivations.kernel.subject import (
    PRINTABLE_ASSUMPTIONS,
    VOCABULARY,
    Subject,
    assumptions_of,
    dependencies,
    entries_of,
    nodes_of,
)
from derivations.kernel.wellformed_binders import (
    bound_assumption_problems,
    capture_problems,
    index_problems,
    integral_problems,
)
from derivations.kernel.wellformed_derivatives import derivative_problems

__all__ = ["Subject", "domain", "problems"]


# ---------------------------------------------------------------------- names


def _named_objects(subject: Subject) -> tuple[set[sp.Basic], set[sp.Basic], set[sp.Basic]]:
    """(symbols and indexed bases, undefined functions, entries) anywhere in the subject."""
    objects: set[sp.Basic] = set()
    functions: set[sp.Basic] = set()
    entries: set[sp.Basic] = set()
    for expr in subject.expressions():
        for entry in entries_of(expr):
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
            kinds = ", ".join(sorted(f"{type(obj).__name__}{assumptions_of(obj)}" for obj in group))
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
        for key, value in assumptions_of(obj).items():
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
        for node in nodes_of(expr):
            if isinstance(node, sp.Float):
                problems.append(f"{node} is an inexact number: write it as an exact rational")
            elif node == sp.I:
                problems.append("the imaginary unit I appears: claims are about real values")
            elif not isinstance(node, VOCABULARY):
                problems.append(
                    f"{type(node).__name__} ({node}) is not among the functions the engine accepts"
                )
            elif _foreign(node):
                problems.append(_foreign(node))
            elif isinstance(node, sp.IndexedBase) and node.assumptions0 != node.label.assumptions0:
                # SymPy reads an entry's assumptions from the base, the rules and the printed
                # domain from the label: they must be the same ones
                problems.append(
                    f"the matrix {node} carries assumptions its name {node.label!r} does not: "
                    f"declare them on the name, sympy.IndexedBase({str(node.label)!r}, ...)"
                )
            elif isinstance(node, sp.Pow) and node.is_number and node.is_extended_real is False:
                problems.append(
                    f"{node} is not a real number (SymPy reads a negative base with a "
                    "fractional exponent as a complex root): claims are about real values"
                )
            elif isinstance(node, sp.Pow) and not node.is_number and not node.exp.is_Integer:
                problems += _negative_root_problems(node, subject.definitions)
    return list(dict.fromkeys(problems))


def _negative_root_problems(power: sp.Pow, definitions: Sequence[Definition]) -> list[str]:
    """A negative base to an exponent not shown an integer is a complex root unless the
    exponent happens to be an integer, and SymPy's assumptions about such powers have been
    found wrong ((-1)**(j/2) "not real" for every integer j).  The definitions are written
    into the base and the exponent, not into the whole power: SymPy would evaluate around
    the power as it is built, before any rule could see it."""
    try:
        base = unfold(power.base, definitions)
        exponent = unfold(power.exp, definitions)
    except Exception:
        return []  # reported by the definition rules
    if base.is_negative and exponent.is_integer is not True:
        return [
            f"{power} raises the negative {base} to {exponent}, which SymPy cannot show is an "
            "integer: claims are about real values"
        ]
    return []


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
    cls = type(node)
    module = sys.modules.get(cls.__module__) if cls.__module__.startswith("sympy.") else None
    # SymPy's own class is the one its module holds under that name: a class claiming a
    # SymPy module in ``__module__`` is not
    if module is not None and getattr(module, cls.__qualname__, None) is cls:
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
            for key, value in sorted(assumptions_of(obj).items())
        ]
        words = sorted({word for word in words if word})
        if words:
            shown = f"{obj} (every entry)" if isinstance(obj, sp.IndexedBase) else str(obj)
            lines.append(f"{shown}: {', '.join(words)}")
    return lines


# ---------------------------------------------------------------- definitions


def _sympy_function(name: str) -> Callable[..., sp.Basic] | None:
    """SymPy's own function of that name: a function class (exp, Max) or a Python function
    that builds an expression (sqrt, root, cbrt)."""
    candidate = getattr(sp, name, None)
    if callable(candidate) and not isinstance(candidate, UndefinedFunction):
        return candidate
    return None


def _cycle(definitions: Sequence[Definition]) -> list[str] | None:
    graph = dependencies(definitions)
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
        for node in nodes_of(expr):
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
    # a defined symbol is not a size or an index: those the witness chooses itself (1, 2,
    # 3, …), before any definition is written in, so N := 0 with N also an index in 1..K
    # would be witnessed at N = 1, 2, 3 and a contradiction proven vacuously
    for definition in definitions:
        if isinstance(definition.name, sp.Symbol) and definition.name.is_integer:
            problems.append(
                f"{definition.name} is defined ({definition.name} := {definition.expr}) and "
                "declared an integer: integer symbols are sizes and indices, which take every "
                "value of their range; give the defined quantity a name of its own"
            )
    # assumptions on a defined name must follow from its definition
    for definition in definitions:
        if not isinstance(definition.name, sp.Symbol | sp.IndexedBase):
            continue
        wanted = {
            key: value
            for key, value in assumptions_of(definition.name).items()
            if key != "commutative"
        }
        if not wanted:
            continue
        try:
            body = unfold(definition.expr, definitions)
        except Exception:
            continue  # reported by the cycle check
        # a matrix's entries may be used at any integer index (a_{-1}, a_j with j in a wider
        # range), not only where its index's own assumptions hold: the assumption must follow
        # for every integer index
        generic = {
            index: sp.Dummy(str(index), integer=True)
            for index in definition.indices
            if isinstance(definition.name, sp.IndexedBase)
        }
        body = body.xreplace(generic)
        for key, value in wanted.items():
            if getattr(body, f"is_{key}", None) is not value:
                problems.append(
                    f"{definition.name} is declared {key}={value}, but SymPy cannot show that "
                    f"its definition {definition.expr} is"
                    + (" at every integer index" if generic else "")
                )
    return problems


# ------------------------------------------------- shapes and the entry point


def _shape_problems(subject: Subject) -> list[str]:
    problems = []
    definitions = subject.definitions
    if subject.kind == "derivative":
        entries = list(entries_of(subject.lhs))
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
            definition.matches(node) for node in nodes_of(subject.lhs) for definition in definitions
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
    defined_names = {definition.name for definition in subject.definitions}
    for base in sorted(aliases & defined_names, key=str):
        # the witness writes an alias in before any definition, and never checks that the
        # alias holds: the definition and the alias could contradict each other unseen
        problems.append(
            f"a hypothesis makes the defined matrix {base} an alias of another: state what "
            f"{base}'s entries equal instead (an entry or a sum of entries, not the whole matrix)"
        )
    if aliases:
        for expr in subject.expressions():
            for node in nodes_of(expr):
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
        for old, _ in hypothesis.extra_substitutions:
            if not _substitutable(sp.sympify(old)):
                problems.append(
                    f"hypothesis {hypothesis.name!r} substitutes for {old}: like its left-hand "
                    "side, what it replaces must be a variable, an entry, a sum of entries or a "
                    "linear combination of them (a function value such as g(x) would also be "
                    "replaced inside derivatives of g)"
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


def _class_problems(subject: Subject) -> list[str]:
    """Definitions, hypotheses and ranges are the kernel's own classes, not subclasses: a
    subclass could give the engine one body (``expand_node``) and the witness another
    (``expr``), or compare equal to a hypothesis it is not."""
    problems = []
    for kind, objects in (
        (Definition, subject.definitions),
        (Hypothesis, subject.hypotheses),
        (IndexRange, subject.ranges),
    ):
        for obj in objects:
            if type(obj) is not kind:
                problems.append(
                    f"{obj!r} is a {type(obj).__qualname__}, not a {kind.__name__}: build "
                    f"statements from the kernel's own {kind.__name__}"
                )
    return problems


def problems(subject: Subject) -> list[str]:
    """Every rule the subject breaks (empty: it may be checked)."""
    found: list[str] = []
    for expr in subject.expressions():
        try:
            for entry in entries_of(expr):
                rename_bound(entry)
        except UnsupportedConstructError as error:
            found.append(str(error))
    if found:
        return found
    found += _class_problems(subject)
    if found:
        return found
    found += _vocabulary_problems(subject)
    found += _name_problems(subject)
    found += _definition_problems(subject)
    if _cycle(subject.definitions) is not None:  # the later rules unfold the definitions
        return found
    found += capture_problems(subject)
    found += integral_problems(subject)
    found += bound_assumption_problems(subject)
    found += index_problems(subject)
    found += _shape_problems(subject)
    found += derivative_problems(subject)
    return list(dict.fromkeys(found))
