"""A user's formula for a known quantity, judged exactly as the source documents are.

``check-claim KIND FORMULA`` states: "the quantity KIND equals FORMULA".  The quantity comes
from a claim of the catalogue (its unevaluated derivative, its definitions, its index ranges
and its hypothesis), the formula is the user's; together they make a
:class:`~derivations.kernel.verdicts.CheckedStatement` that
:func:`derivations.kernel.verdicts.assess` judges with every rule of the engine and the
witness: **proven**, **proven under assumption** (the claim's hypothesis, e.g. Σ_c y_c = 1,
with a found point where it fails and so does the formula), or **refuted** at the simplest
point :func:`derivations.kernel.counterexamples.find_counterexample` finds.  A refuted formula
is then compared (by :func:`derivations.kernel.engine.equivalent`) with the wrong formulas of
:mod:`derivations.mistakes`, to name the mistake.

Kinds (the names a formula may use):

* ``output-delta`` — ∂L/∂z_j for one example, ``--output softmax|sigmoid|sigmoid_quadratic``
  (claims ``softmax_ce_delta``, ``sigmoid_bce_delta``, ``quadratic_sigmoid_delta``): ``a``,
  ``y``, ``z`` (entry j), ``K``, ``sum(…)`` over the classes;
* ``batch-output-delta`` — ∂J/∂Z[j, t] with J = (1/m) Σ_i L_i, ``--output softmax|sigmoid``
  (claims ``batch_softmax_ce_delta``, ``batch_sigmoid_bce_delta``): the same and ``m``;
* ``activation-derivative`` — g′(z), ``--activation sigmoid|tanh|relu|softplus|leaky_relu``
  (the activation claims): ``z``, ``a`` = g(z), and ``alpha`` for leaky ReLU.

Every kind may use numbers, + − * / ** ^, ``exp``, ``log``, ``sqrt``, ``sigmoid`` (not with
ReLU), the activation itself (``tanh``, ``relu``, …), and ``Piecewise``, ``Heaviside``,
``Max``, ``Min``, ``Abs``, ``sign`` with comparisons.

**Hostile input.**  The text is parsed by Python's :mod:`ast` first and refused unless every
node is arithmetic, a number, a comparison, a tuple, ``True``/``False``, an allowed name, or a
call of an allowed function by name (no attributes, subscripts, keywords, lambdas or
comprehensions; exponents that are towers or above 100 are refused).  Only then does
``sympy.parse_expr`` evaluate it, with the allowed names as its only namespace and no
builtins.  An unknown name is a :class:`FormulaError` naming it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy as sp
from sympy.parsing.sympy_parser import (
    convert_xor,
    parse_expr,
    rationalize,
    standard_transformations,
)

from derivations.catalog import get_claim
from derivations.claims import batch
from derivations.claims.activations import LEAKY_RELU, RELU, SOFTPLUS, TANH, alpha
from derivations.claims.shared import SIGMOID
from derivations.kernel.engine import Definition, equivalent, unfold
from derivations.kernel.verdicts import Assessment, CheckedStatement, Verdict, assess
from derivations.mistakes import KNOWN_MISTAKES, KnownMistake
from derivations.notation import K, a, c, j, m, y, z
from derivations.numeric import ACTIVATION_CLAIMS

__all__ = [
    "KINDS",
    "FormulaError",
    "UserVerdict",
    "activation_formula",
    "judge",
    "options_of",
    "parse_formula",
    "statement_for",
]

#: kind -> option -> the claim whose quantity the formula must equal
KINDS: dict[str, dict[str, str]] = {
    "output-delta": {
        "softmax": "softmax_ce_delta",
        "sigmoid": "sigmoid_bce_delta",
        "sigmoid_quadratic": "quadratic_sigmoid_delta",
    },
    "batch-output-delta": {
        "softmax": "batch_softmax_ce_delta",
        "sigmoid": "batch_sigmoid_bce_delta",
    },
    "activation-derivative": dict(ACTIVATION_CLAIMS),
}
#: the longest formula accepted, in characters
MAX_LENGTH = 400
#: the largest constant exponent accepted (a bigger one is a denial of service, not maths)
MAX_EXPONENT = 100

_ELEMENTARY: dict[str, object] = {
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "Piecewise": sp.Piecewise,
    "Heaviside": sp.Heaviside,
    "Max": sp.Max,
    "Min": sp.Min,
    "Abs": sp.Abs,
    "sign": sp.sign,
}
_ACTIVATION_NAMES = {
    TANH.name: ("tanh",),
    RELU.name: ("relu", "ReLU"),
    SOFTPLUS.name: ("softplus",),
    LEAKY_RELU.name: ("leaky_relu", "LeakyReLU"),
    SIGMOID.name: ("sigmoid", "sigma", "σ"),
}


class FormulaError(ValueError):
    """The formula cannot be read: a parse error, a forbidden construct or an unknown name."""


def options_of(kind: str) -> list[str]:
    """The options (outputs or activations) a kind accepts; ``FormulaError`` for an unknown
    kind."""
    if kind not in KINDS:
        raise FormulaError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
    return list(KINDS[kind])


def _too_high(node: ast.AST) -> bool:
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow | ast.BitXor)):
        return False
    exponent = node.right
    if isinstance(exponent, ast.UnaryOp):
        exponent = exponent.operand
    if isinstance(exponent, ast.Constant):
        return isinstance(exponent.value, int | float) and abs(exponent.value) > MAX_EXPONENT
    return any(
        isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Pow | ast.BitXor)
        for inner in ast.walk(exponent)
    )


_ALLOWED_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.Tuple,
    ast.Load,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Pow,
    ast.BitXor,
    ast.USub,
    ast.UAdd,
    ast.Gt,
    ast.Lt,
    ast.GtE,
    ast.LtE,
)


def _check_syntax(text: str, names: Mapping[str, object]) -> None:
    """Refuse anything but arithmetic on allowed names (see the module docstring)."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is {len(text)} characters long; at most {MAX_LENGTH}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise FormulaError(
            f"cannot parse the formula: {error.msg} (column {error.offset})"
        ) from None
    unknown = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in names]
    if unknown:
        raise FormulaError(
            f"unknown name{'s' if len(set(unknown)) > 1 else ''} "
            f"{', '.join(dict.fromkeys(unknown))}: the formula may use {', '.join(names)}"
        )
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            continue
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.keywords:
                raise FormulaError("only calls like exp(z) are allowed: a function by name")
        elif isinstance(node, ast.Constant):
            if not isinstance(node.value, int | float) and node.value not in (True, False):
                raise FormulaError(f"{node.value!r} is not a number")
        elif not isinstance(node, _ALLOWED_NODES):
            raise FormulaError(f"{type(node).__name__} is not allowed in a formula")
        if _too_high(node):
            raise FormulaError(f"exponents are limited to ±{MAX_EXPONENT} and no towers")


def parse_formula(text: str, names: Mapping[str, object]) -> sp.Expr:
    """The formula as a SymPy expression, built only from ``names`` (and numbers)."""
    _check_syntax(text, names)
    namespace = {"__builtins__": {}, "Integer": sp.Integer, "Float": sp.Float}
    namespace["Rational"] = sp.Rational
    transformations = (*standard_transformations, convert_xor, rationalize)
    try:
        expr = parse_expr(
            text.strip(),
            local_dict=dict(names),
            global_dict=namespace,
            transformations=transformations,
        )
    except (TypeError, ValueError, SyntaxError, AttributeError, ZeroDivisionError) as error:
        raise FormulaError(f"cannot read the formula: {error}") from None
    expr = sp.sympify(expr)
    if not isinstance(expr, sp.Expr) or isinstance(expr, sp.logic.boolalg.Boolean):
        raise FormulaError("the formula is not a number-valued expression")
    return expr


@dataclass(frozen=True)
class _Quantity:
    """What a kind's formula is compared with, and the names it may use."""

    truth: sp.Expr
    definitions: tuple[Definition, ...]
    ranges: tuple
    assumption: object
    names: dict[str, object]
    claim: str
    #: how the engine's variables are shown to the user (the activation's x is their z)
    shown_as: dict[sp.Basic, str]


def _class_sum(entries: Mapping[sp.Basic, sp.Basic]) -> Callable[[sp.Expr], sp.Expr]:
    def class_sum(body: sp.Expr) -> sp.Expr:
        return sp.Sum(sp.sympify(body).xreplace(dict(entries)), (c, 1, K))

    return class_sum


def _function_names(definitions: tuple[Definition, ...]) -> dict[str, object]:
    return {
        spelling: definition.name
        for definition in definitions
        if definition.is_function
        for spelling in _ACTIVATION_NAMES.get(definition.name, ())
    }


def _quantity(kind: str, option: str) -> _Quantity:
    options = options_of(kind)
    if option not in options:
        what = "--activation" if kind == "activation-derivative" else "--output"
        raise FormulaError(f"{kind} needs {what} one of {', '.join(options)}; got {option!r}")
    claim = get_claim(KINDS[kind][option])
    definitions = tuple(claim.definitions)
    if kind == "activation-derivative":
        (variable,) = claim.lhs.variables
        if variable.is_nonzero is not True and SIGMOID not in definitions:
            definitions += (SIGMOID,)
        names: dict[str, object] = {"z": variable, "a": claim.lhs.expr}
        if option == "leaky_relu":
            names["alpha"] = alpha
    else:
        if SIGMOID not in definitions:
            definitions += (SIGMOID,)
        if kind == "output-delta":
            entries = {a[j]: a[c], y[j]: y[c], z[j]: z[c]}
        else:
            entries = {
                batch.A[j, batch.t]: batch.A[c, batch.t],
                batch.Y[j, batch.t]: batch.Y[c, batch.t],
                batch.Z[j, batch.t]: batch.Z[c, batch.t],
            }
        names = dict(zip(("a", "y", "z"), entries, strict=True))
        names |= {"K": K, "sum": _class_sum(entries)}
        if kind == "batch-output-delta":
            names["m"] = m
    names |= _ELEMENTARY | _function_names(definitions)
    shown_as = {names["z"]: "z"} if kind == "activation-derivative" else {}
    return _Quantity(
        claim.lhs,
        definitions,
        tuple(claim.ranges),
        claim.hypotheses[0] if claim.hypotheses else None,
        names,
        claim.name,
        shown_as,
    )


def statement_for(kind: str, option: str, formula: str) -> CheckedStatement:
    """The statement "KIND (for OPTION) equals FORMULA", ready for :func:`assess`."""
    quantity = _quantity(kind, option)
    claimed = parse_formula(formula, quantity.names)
    return CheckedStatement(
        key=f"user-{kind}-{option}",
        source="user",
        section=kind,
        wording=f"{kind} ({option}) = {formula}",
        quote=formula,
        truth=quantity.truth,
        claimed=claimed,
        expected=Verdict.PROVEN,
        definitions=quantity.definitions,
        ranges=quantity.ranges,
        assumption=quantity.assumption,
        proof=quantity.claim,
    )


@dataclass
class UserVerdict:
    """The verdict on a user's formula, the known mistakes it is, and where the proof is."""

    kind: str
    option: str
    formula: str
    assessment: Assessment
    mistakes: list[KnownMistake]
    #: the engine's variables as the user named them
    shown_as: dict[sp.Basic, str]

    @property
    def verdict(self) -> Verdict:
        return self.assessment.verdict

    @property
    def proof_link(self) -> str:
        return f"docs/derivations.md#claim-{self.assessment.statement.proof}"

    @property
    def point(self) -> dict[str, str]:
        """The point the verdict was taken at (refuted, or where the assumption fails), in
        the user's names: sizes, indices, then the values of the variables."""
        point = self.assessment.counterexample
        if point is None:
            return {}
        shown = {}
        for atom, value in {**point.sizes, **point.indices, **point.values}.items():
            shown[self.shown_as.get(atom, str(atom))] = str(value)
        return shown


def _matching_mistakes(statement: CheckedStatement, kind: str, option: str) -> list[KnownMistake]:
    quantity = _quantity(kind, option)
    found = []
    for entry in KNOWN_MISTAKES:
        wrong = entry.formulas.get((kind, option))
        if wrong is None:
            continue
        try:
            same = equivalent(
                statement.claimed,
                parse_formula(wrong, quantity.names),
                statement.definitions,
                ranges=statement.ranges,
            )
        except Exception:  # SymPy could not decide: no diagnosis, never a crash
            same = False
        if same:
            found.append(entry)
    return found


def judge(kind: str, option: str, formula: str) -> UserVerdict:
    """Judge ``formula`` for ``kind`` (``FormulaError`` when it cannot be read)."""
    statement = statement_for(kind, option, formula)
    assessment = assess(statement)
    mistakes = (
        _matching_mistakes(statement, kind, option) if assessment.verdict == Verdict.REFUTED else []
    )
    shown_as = _quantity(kind, option).shown_as
    return UserVerdict(kind, option, formula, assessment, mistakes, shown_as)


def activation_formula(option: str, formula: str) -> Callable[..., object]:
    """The activation derivative ``formula`` (this module's syntax, ``z`` and ``a`` = g(z))
    as a NumPy function of z: parsed, definitions unfolded, lambdified — so a known wrong
    formula of :mod:`derivations.mistakes` runs exactly as it is written there."""
    quantity = _quantity("activation-derivative", option)
    expr = unfold(parse_formula(formula, quantity.names), quantity.definitions)
    return sp.lambdify([quantity.names["z"]], expr, modules="numpy")
