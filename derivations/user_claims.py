"""A user's formula for a known quantity, judged exactly as the source documents are.

``check-claim KIND FORMULA`` states: "the quantity KIND equals FORMULA".  The quantity comes
from a claim of the catalogue (its unevaluated derivative, its definitions, its index ranges
and its hypothesis), the formula is the user's; together they make a
:class:`~derivations.kernel.verdicts.CheckedStatement` that
:func:`derivations.kernel.verdicts.assess` judges with every rule of the engine and the
witness: **proven**, **proven under assumption** (the claim's hypothesis, e.g. Σ_c y_c = 1,
with a found point where it fails and so does the formula), or **refuted** at the simplest
point :func:`derivations.kernel.counterexamples.find_counterexample` finds.  A refuted formula
is then compared (by :func:`derivations.kernel.rewriting.equivalent`) with the wrong formulas of
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
import io
import tokenize
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import sympy as sp
from sympy.parsing.sympy_parser import (
    parse_expr,
    rationalize,
    standard_transformations,
)

from derivations.claims import batch, get_claim
from derivations.claims.activations import LEAKY_RELU, RELU, SOFTPLUS, TANH, alpha
from derivations.claims.shared import SIGMOID
from derivations.kernel.language import Definition
from derivations.kernel.rewriting import equivalent, unfold
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
#: a claim proven under an assumption -> the claim of the same quantity that needs none
WITHOUT_ASSUMPTION = {"softmax_ce_delta": "softmax_ce_delta_any_labels"}
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


#: look-alike characters people paste from documents, mapped to the operators they mean
_TYPED_OPERATORS = str.maketrans({"−": "-", "–": "-", "×": "*", "·": "*", "⋅": "*", "÷": "/"})
#: the largest exact number a formula may build, in bits (about 3,900 digits: Python prints
#: at most 4,300)
MAX_BITS = 13_000
#: the largest decimal exponent of a number typed in the formula (1e1000)
MAX_DIGITS = 1000


def normalise(text: str) -> str:
    """The formula as Python reads it: NFKC-normalised (a full-width ``ａ`` is ``a``, as
    Python's own identifiers are), typographic minus, times and division signs as ``-``,
    ``*``, ``/``, and ``^`` as ``**`` (grouping right to left, as SymPy's ``convert_xor``
    reads it), so that every check below sees what SymPy will evaluate."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPED_OPERATORS).strip()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):  # unbalanced brackets: ast.parse says where
        return text
    if not any(token.type == tokenize.OP and token.string == "^" for token in tokens):
        return text
    pieces = []
    for token in tokens:
        if token.type == tokenize.OP and token.string == "^":
            token = token._replace(string="**")
        pieces.append((token.type, token.string))
    return tokenize.untokenize(pieces).strip()


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _constant(node: ast.AST, text_of: Callable[[ast.AST], str]) -> Fraction | None:
    """The exact value of ``node`` when it is built from numbers alone (else None), refusing
    any power whose exponent is not a number in [−MAX_EXPONENT, MAX_EXPONENT] and any number
    beyond MAX_BITS: SymPy would compute such a number exactly while it parses, for hours."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float | complex):
            return None
        if isinstance(value, complex):
            raise FormulaError(f"{text_of(node)} is an imaginary number: formulas are real")
        if isinstance(value, int):
            return _bounded(Fraction(value))
        # a decimal literal, read as SymPy will (exactly: 0.1 is 1/10), its size bounded first
        literal = Decimal(text_of(node).replace("_", ""))
        if abs(literal.adjusted()) > MAX_DIGITS:
            raise FormulaError(
                f"the number {text_of(node)} is beyond 10^±{MAX_DIGITS}: write it smaller"
            )
        return _bounded(Fraction(literal))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _constant(node.operand, text_of)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return _power(node, text_of)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
        left, right = _constant(node.left, text_of), _constant(node.right, text_of)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Add):
            value = left + right
        elif isinstance(node.op, ast.Sub):
            value = left - right
        elif isinstance(node.op, ast.Mult):
            value = left * right
        elif right == 0:
            raise FormulaError("the formula divides by zero")
        else:
            value = left / right
        return _bounded(value)
    for child in ast.iter_child_nodes(node):
        _constant(
            child, text_of
        )  # the powers inside a call, a comparison or a tuple are checked too
    return None


def _bounded(value: Fraction) -> Fraction:
    if value.numerator.bit_length() + value.denominator.bit_length() > MAX_BITS:
        raise FormulaError(
            f"the formula builds a number of more than {MAX_BITS * 3 // 10:,} digits; "
            "write it with smaller numbers"
        )
    return value


def _power(node: ast.BinOp, text_of: Callable[[ast.AST], str]) -> Fraction | None:
    """``base ** exponent``: the exponent must be a number (not a formula in names) of at most
    MAX_EXPONENT in size; a power of a number is computed, within MAX_BITS."""
    exponent = _constant(node.right, text_of)
    if exponent is None:
        raise FormulaError(
            f"an exponent must be a number from -{MAX_EXPONENT} to {MAX_EXPONENT} "
            "(like a**2 or (1 + exp(-z))**-1), not an expression in names; "
            "use exp(...) for e to a power"
        )
    if abs(exponent) > MAX_EXPONENT:
        shown = f"{float(exponent):.4g}" if exponent.denominator != 1 else _digits(exponent)
        raise FormulaError(
            f"an exponent is {shown}: exponents are limited to ±{MAX_EXPONENT} "
            "(^ and ** group right to left: 10^100^100 is 10^(100^100))"
        )
    base = _constant(node.left, text_of)
    if base is None or exponent.denominator != 1:
        return None  # a power of a name, or an irrational number such as 2**(1/2)
    if base == 0 and exponent < 0:
        raise FormulaError("the formula divides by zero (0 to a negative power)")
    size = base.numerator.bit_length() + base.denominator.bit_length()
    if size * abs(exponent) > MAX_BITS:
        raise FormulaError(
            f"the formula builds a number of more than {MAX_BITS * 3 // 10:,} digits; "
            "write it with smaller numbers"
        )
    return _bounded(base**exponent)


def _digits(value: Fraction) -> str:
    text = str(value.numerator)
    return text if len(text) <= 12 else f"a number of {len(text)} digits"


def _check_syntax(text: str, names: Mapping[str, object]) -> None:
    """Refuse anything but arithmetic on allowed names (see the module docstring); ``text``
    is already :func:`normalise`-d."""
    try:
        tree = ast.parse(text, mode="eval")
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
    # every number and power bounded, before SymPy evaluates any
    _constant(tree.body, lambda node: ast.get_source_segment(text, node) or "")


def parse_formula(text: str, names: Mapping[str, object]) -> sp.Expr:
    """The formula as a SymPy expression, built only from ``names`` (and numbers)."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is {len(text)} characters long; at most {MAX_LENGTH}")
    text = normalise(text)
    _check_syntax(text, names)
    namespace = {"__builtins__": {}, "Integer": sp.Integer, "Float": sp.Float}
    namespace["Rational"] = sp.Rational
    transformations = (*standard_transformations, rationalize)
    try:
        expr = parse_expr(
            text,
            local_dict=dict(names),
            global_dict=namespace,
            transformations=transformations,
        )
    except (
        TypeError,
        ValueError,
        SyntaxError,
        AttributeError,
        ZeroDivisionError,
        NameError,
        ArithmeticError,
        RecursionError,
    ) as error:
        raise FormulaError(f"cannot read the formula: {_first_line(error)}") from None
    expr = sp.sympify(expr)
    if not isinstance(expr, sp.Expr) or isinstance(expr, sp.logic.boolalg.Boolean):
        raise FormulaError("the formula is not a number-valued expression")
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise FormulaError(
            f"the formula is undefined or infinite as written (SymPy reads it as {expr}, "
            "as for a division by zero)"
        )
    if expr.has(sp.I):
        raise FormulaError(f"the formula is not real (SymPy reads it as {expr})")
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
    def proof(self) -> str:
        """The claim proving the right formula: for a formula proven with no assumption, the
        claim that needs none either (``softmax_ce_delta_any_labels``) when there is one."""
        proof = self.assessment.statement.proof
        if self.verdict == Verdict.PROVEN:
            return WITHOUT_ASSUMPTION.get(proof, proof)
        return proof

    @property
    def proof_command(self) -> str:
        """The command that prints that proof (it works wherever the package is installed)."""
        return f"verified-backprop show {self.proof}"

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
