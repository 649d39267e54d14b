"""A LaTeX printer for the derivations that reads the way a mathematician writes.

:func:`latex` prints any SymPy object the engine checks (claims, steps, definitions,
hypotheses, seed statements) with :class:`DerivationLatexPrinter`, a subclass of SymPy's
``LatexPrinter``.  It changes only how things *look*, never what is printed:

* ``Indexed`` objects whose base is named like ``"z^(l+1)"``, ``"W^l"``, ``"delta^(l+1)"`` or
  ``"dZ^{[l]}"`` print as ``z^{l+1}_{r}``, ``W^{l}_{k,r}``, ``\\delta^{l+1}_{k}``,
  ``\\mathrm{d}Z^{[l]}_{u,i}`` (no ``{z^{(l+1)}}_{r}`` brace noise);
* ``Derivative(g(x), x)`` prints as ``g'(x)`` and ``Derivative(J, z_j)`` as
  ``\\frac{\\partial J}{\\partial z_{j}}``; the derivative of ``g`` evaluated at a point,
  ``Subs(Derivative(g(ξ), ξ), ξ, z^l_r)``, prints as ``g'(z^{l}_{r})``;
* ``Heaviside(x)`` is ``H(x)``, ``KroneckerDelta(i, j)`` is the indicator ``[i = j]`` (δ is
  kept for error signals, ∂J/∂z), ``log a`` loses
  its redundant brackets, multi-letter functions (ReLU, softplus, ...) are operator names;
* a sum over several indices prints as nested sums ``\\sum_{i=1}^{m} \\sum_{r=1}^{n}``;
* products put numbers first, then symbols and named functions (``σ(x)``), brackets,
  ``log``/``exp``, Kronecker deltas, derivatives and sums last
  (so ``\\frac{y_c}{a_c} \\frac{\\partial a_c}{\\partial z_j}`` rather than one big fraction), and
  ``Σ/m`` prints as ``\\frac{1}{m} \\sum``;
* sums list positive terms first, sums before plain terms, shorter terms first, and
  ``y_2`` before ``y_10`` (natural order).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter

__all__ = [
    "DerivationLatexPrinter",
    "claim_display",
    "derivative_at",
    "indexed_base_latex",
    "latex",
    "latex_lines",
    "natural_key",
    "numbered_chains",
    "numbered_row",
    "paired_equations",
]

#: function names printed with a LaTeX command of their own
_KNOWN_FUNCTIONS = {"tanh": r"\tanh", "sigma": r"\sigma", "exp": r"\exp", "log": r"\log"}

#: Greek letter names that may start an IndexedBase name (``delta^l``)
_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega",
}  # fmt: skip

_BASE_NAME = re.compile(r"^(?P<stem>[A-Za-z]+)(?:\^(?P<sup>.+))?$")


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that orders ``y_2`` before ``y_10`` (digit runs compare as numbers)."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", text)
        if part
    )


def _stem_latex(stem: str) -> str:
    """``delta`` → ``\\delta``, ``dZ`` → ``\\mathrm{d}Z``, ``z`` → ``z``, ``foo`` → roman."""
    if stem in _GREEK:
        return "\\" + stem
    if len(stem) == 1:
        return stem
    if len(stem) == 2 and stem[0] == "d" and stem[1].isupper():
        return r"\mathrm{d}" + stem[1]
    return r"\mathrm{" + stem + "}"


def indexed_base_latex(name: str) -> tuple[str, str]:
    """Split an IndexedBase name like ``"z^(l+1)"`` into LaTeX stem and superscript.

    ``"z^(l+1)"`` → ``("z", "l+1")``, ``"dZ^{[l]}"`` → ``("\\mathrm{d}Z", "[l]")``,
    ``"W"`` → ``("W", "")``.  Names that do not look like that are returned as they are.
    """
    match = _BASE_NAME.match(name)
    if match is None:
        return name, ""
    superscript = match.group("sup") or ""
    if len(superscript) >= 2 and (superscript[0], superscript[-1]) in {("(", ")"), ("{", "}")}:
        superscript = superscript[1:-1]
    return _stem_latex(match.group("stem")), superscript


def _is_simple(expr: sp.Basic) -> bool:
    """Atoms and indexed entries: things that need no brackets anywhere."""
    return bool(expr.is_Atom) or isinstance(expr, sp.Indexed)


class DerivationLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the notation of the derivation documents."""

    printmethod = "_derivation_latex"

    # ------------------------------------------------------------------ indexed objects
    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        stem, superscript = indexed_base_latex(str(expr.label))
        return f"{stem}^{{{superscript}}}" if superscript else stem

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        stem, superscript = indexed_base_latex(str(expr.base.label))
        indices = ",".join(self._print(index) for index in expr.indices)
        sup = f"^{{{superscript}}}" if superscript else ""
        return f"{stem}{sup}_{{{indices}}}"

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta, exp: str | None = None) -> str:
        # the indicator (Iverson bracket) [i = j]: δ means an error signal in these documents
        first, second = expr.args
        tex = rf"[{self._print(first)} = {self._print(second)}]"
        return rf"{tex}^{{{exp}}}" if exp is not None else tex

    # ------------------------------------------------------------------ claims
    def _print_Claim(self, claim: Any) -> str:
        """A claim as the documents print it: its derivation, one aligned display."""
        return claim_display(claim, self)

    # ------------------------------------------------------------------ functions
    def _arguments(self, args: tuple[sp.Basic, ...]) -> str:
        inner = ", ".join(self._print(arg) for arg in args)
        if all(_is_simple(arg) or isinstance(arg, sp.Function) for arg in args):
            return f"({inner})"
        return rf"\left({inner}\right)"

    def _function_name(self, name: str) -> str:
        if name in _KNOWN_FUNCTIONS:
            return _KNOWN_FUNCTIONS[name]
        if name in _GREEK:
            return "\\" + name
        if len(name) == 1:
            return name
        base, underscore, subscript = name.partition("_")
        if underscore and subscript and base:  # J_net: J with the subscript "net"
            return self._function_name(base) + r"_{\mathrm{" + subscript.replace("_", r"\_") + "}}"
        return r"\operatorname{" + name + "}"

    def _print_Function(self, expr: sp.Function, exp: str | None = None) -> str:
        if not isinstance(expr, AppliedUndef):
            return super()._print_Function(expr, exp)
        name = self._function_name(expr.func.__name__)
        if exp is not None:
            name = f"{name}^{{{exp}}}"
        return name + self._arguments(expr.args)

    def _print_log(self, expr: sp.log, exp: str | None = None) -> str:
        (argument,) = expr.args
        name = r"\log" if exp is None else rf"\log^{{{exp}}}"
        if _is_simple(argument):
            return f"{name} {self._print(argument)}"
        return rf"{name}\left({self._print(argument)}\right)"

    def _print_Heaviside(self, expr: sp.Heaviside, exp: str | None = None) -> str:
        name = "H" if exp is None else f"H^{{{exp}}}"
        return name + self._arguments(expr.args[:1])

    def _print_Max(self, expr: sp.Max, exp: str | None = None) -> str:
        name = r"\max" if exp is None else rf"\max^{{{exp}}}"
        return name + self._arguments(tuple(sorted(expr.args, key=sp.default_sort_key)))

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        rows = []
        for piece, condition in expr.args:
            if condition == sp.true:
                rows.append(rf"{self._print(piece)} & \text{{otherwise}}")
            else:
                rows.append(rf"{self._print(piece)} & \text{{if }} {self._print(condition)}")
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"

    # ------------------------------------------------------------------ matrices
    def _print_MatrixBase(self, expr: sp.MatrixBase) -> str:
        # inside a matrix, ∂J/∂z_1 is written on one line: stacked fractions would collide
        outer, self._inline_derivatives = getattr(self, "_inline_derivatives", False), True
        try:
            return super()._print_MatrixBase(expr)
        finally:
            self._inline_derivatives = outer

    def _print_ImmutableDenseMatrix(self, expr: sp.MatrixBase) -> str:
        return self._print_MatrixBase(expr)

    def _print_MutableDenseMatrix(self, expr: sp.MatrixBase) -> str:
        return self._print_MatrixBase(expr)

    # ------------------------------------------------------------------ calculus
    def _print_Derivative(self, expr: sp.Derivative) -> str:
        target, variables = expr.expr, expr.variable_count
        if len(variables) == 1 and variables[0][1] <= 3 and isinstance(target, sp.Function):
            variable, count = variables[0]
            if target.args == (variable,):
                # g'(x): the derivative of a one-argument function at its own argument
                if isinstance(target, AppliedUndef):
                    name = self._function_name(target.func.__name__)
                else:
                    name = self._print(target.func)
                return name + "'" * count + self._arguments(target.args)
        order = sum(count for _, count in variables)
        denominator = " ".join(
            rf"\partial {self._print(variable)}" + (f"^{{{count}}}" if count > 1 else "")
            for variable, count in reversed(variables)
        )
        top = r"\partial" if order == 1 else rf"\partial^{{{order}}}"
        if _is_simple(target) and getattr(self, "_inline_derivatives", False):
            return rf"{top} {self._print(target)}/{denominator}"
        if _is_simple(target):
            return rf"\frac{{{top} {self._print(target)}}}{{{denominator}}}"
        return rf"\frac{{{top}}}{{{denominator}}} \left({self._print(target)}\right)"

    def _print_Subs(self, expr: sp.Subs) -> str:
        # g'(z^l_r): the derivative of a one-argument function, evaluated at a point
        prime = derivative_at(expr)
        if prime is None:
            return super()._print_Subs(expr)
        function, count, point = prime
        if isinstance(function, AppliedUndef):
            name = self._function_name(function.func.__name__)
        else:
            name = self._print(function.func)
        return name + "'" * count + self._arguments((point,))

    def _print_Sum(self, expr: sp.Sum) -> str:
        signs = "".join(
            rf"\sum_{{{self._print(var)}={self._print(lo)}}}^{{{self._print(hi)}}} "
            for var, lo, hi in reversed(expr.limits)
        )
        body = expr.function
        if isinstance(body, sp.Add):
            return signs + rf"\left({self._print(body)}\right)"
        return signs + self._print(body)

    # ------------------------------------------------------------------ sums and products
    def _as_ordered_terms(self, expr: sp.Basic, order: str | None = None) -> list[sp.Basic]:
        terms = list(super()._as_ordered_terms(expr, order=order))
        return sorted(
            terms,
            key=lambda term: (
                bool(term.could_extract_minus_sign()),
                not term.has(sp.Sum),
                sp.count_ops(term),
                natural_key(str(term)),
            ),
        )

    @staticmethod
    def _factor_rank(factor: sp.Basic) -> int:
        if factor.is_Number:
            return 0
        if isinstance(factor, sp.Sum):
            return 7
        if isinstance(factor, sp.Derivative):
            return 6
        if isinstance(factor, sp.Subs):
            return 4  # g'(z^l_r) reads like a function, after the entries
        if isinstance(factor, sp.KroneckerDelta):
            return 5
        base = factor.base if isinstance(factor, sp.Pow) else factor
        if _is_simple(base) or isinstance(base, AppliedUndef):
            return 1  # symbols, entries and named functions: σ(x)(1 − σ(x)), not the reverse
        if isinstance(base, sp.Function | sp.Piecewise):
            return 4
        return 3  # brackets: sums of terms and their powers

    def _product(self, factors: list[sp.Basic], *, alone: bool = False) -> str:
        """Print factors side by side, in reading order, bracketing where needed.

        ``alone``: the product is a whole numerator or denominator, so a single sum of
        terms needs no brackets.
        """
        factors = sorted(factors, key=lambda f: (self._factor_rank(f), natural_key(str(f))))
        if alone and len(factors) == 1:
            return self._print(factors[0])
        pieces = []
        for position, factor in enumerate(factors):
            tex = self._print(factor)
            last = position == len(factors) - 1
            needs = isinstance(factor, sp.Add | sp.Piecewise) or (
                isinstance(factor, sp.Sum) and not last
            )
            if needs:
                tex = rf"\left({tex}\right)"
            if pieces and factor.is_Number and factors[position - 1].is_Number:
                pieces.append(r"\cdot")
            elif pieces and tex.startswith(r"\mathrm{d}"):
                tex = r"\," + tex  # Z_{r,i} \, dZ_{r,i}: a product, not a differential
            pieces.append(tex)
        return " ".join(pieces)

    def _print_Mul(self, expr: sp.Mul) -> str:
        if expr.could_extract_minus_sign():
            positive = -expr
            tex = self._print(positive)
            if isinstance(positive, sp.Add):
                tex = rf"\left({tex}\right)"
            return "- " + tex
        coefficient, factors = expr.as_coeff_mul()
        numerator: list[sp.Basic] = []
        denominator: list[sp.Basic] = []
        if coefficient.is_Rational:
            if coefficient.p != 1:
                numerator.append(sp.Integer(coefficient.p))
            if coefficient.q != 1:
                denominator.append(sp.Integer(coefficient.q))
        elif coefficient != 1:
            numerator.append(coefficient)
        for factor in factors:
            if isinstance(factor, sp.Pow) and factor.exp.is_Rational and factor.exp.is_negative:
                denominator.append(sp.Pow(factor.base, -factor.exp))
            else:
                numerator.append(factor)
        if not denominator:
            return self._product(numerator)

        bottom = self._product(denominator, alone=True)
        constants = [f for f in numerator if f.is_Number]
        rest = [f for f in numerator if not f.is_Number]
        big = any(isinstance(f, sp.Add | sp.Sum | sp.Derivative) for f in rest)
        if big and all(f.is_Symbol or f.is_Number for f in denominator):
            # (1/m) Σ ...   and   (1/2) Σ ...   and   (1/m)(A − Y)
            top = self._product(constants) if constants else "1"
            return rf"\frac{{{top}}}{{{bottom}}} {self._product(rest)}"
        trailing = [f for f in rest if isinstance(f, sp.Derivative)]
        if trailing:
            # y_c / a_c  ∂a_c/∂z_j : keep the derivative out of the fraction
            leading = constants + [f for f in rest if f not in trailing]
            top = self._product(leading, alone=True) if leading else "1"
            return rf"\frac{{{top}}}{{{bottom}}} {self._product(trailing)}"
        top = self._product(numerator, alone=True) if numerator else "1"
        return rf"\frac{{{top}}}{{{bottom}}}"

    def _print_Pow(self, expr: sp.Pow) -> str:
        if expr.exp.is_Rational and expr.exp.is_negative and expr.base.is_commutative:
            return self._print_Mul(expr)
        if isinstance(expr.base, sp.Indexed):
            base = self._print(expr.base)
            if "^" in base:
                base = rf"\left({base}\right)"
            return f"{base}^{{{self._print(expr.exp)}}}"
        if isinstance(expr.base, sp.Sum):
            return rf"\left({self._print(expr.base)}\right)^{{{self._print(expr.exp)}}}"
        return super()._print_Pow(expr)


def derivative_at(expr: sp.Basic) -> tuple[sp.Function, int, sp.Basic] | None:
    """``(g(ξ), n, p)`` when ``expr`` is ``Subs(Derivative(g(ξ), (ξ, n)), ξ, p)``: the n-th
    derivative of a one-argument function evaluated at ``p`` (printed ``g'(p)``); else None."""
    if not isinstance(expr, sp.Subs) or len(expr.variables) != 1:
        return None
    derivative, (variable,), (point,) = expr.expr, expr.variables, expr.point
    if not isinstance(derivative, sp.Derivative) or len(derivative.variable_count) != 1:
        return None
    target, ((by, count),) = derivative.expr, derivative.variable_count
    if not isinstance(target, sp.Function) or target.args != (variable,) or by != variable:
        return None
    if count > 3:
        return None
    return target, int(count), point


def latex(expr: Any) -> str:
    """``expr`` (a SymPy object, or a claim) as LaTeX in the notation of the documents."""
    return DerivationLatexPrinter().doprint(expr)


def claim_display(
    claim: Any,
    printer: DerivationLatexPrinter | None = None,
    reasons: Sequence[str] | None = None,
) -> str:
    """The derivation of ``claim`` as one ``aligned`` block, each step numbered (n), followed
    by its reason when ``reasons`` (LaTeX for math mode, one per step) are given.

    ``claim`` is a :class:`derivations.kernel.language.Claim` (not imported: this module prints
    SymPy objects and imports nothing of the project).
    """
    printer = printer or DerivationLatexPrinter()
    rows = []
    for number, step in enumerate(claim.steps, start=1):
        left = printer._print(claim.lhs) if number == 1 else ""
        reason = rf"\; {reasons[number - 1]}" if reasons else ""
        rows.append(numbered_row(left, printer._print(step.expr), number) + reason)
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


def numbered_row(left: str, right: str, number: int) -> str:
    """One row of an aligned derivation, numbered: ``left &= right && \\text{(n)}``."""
    return rf"{left} &= {right} && \text{{({number})}}"


def numbered_chains(chains: Sequence[Sequence[Any]], gap: str) -> str:
    """Chains of rows (each with ``left``, ``right`` and ``number``, as the document model's
    ``EquationRow``) as the rows of one aligned display, ``gap`` (``[1ex]``) between chains."""
    return f" \\\\{gap}\n".join(
        " \\\\\n".join(numbered_row(row.left, row.right, row.number) for row in chain)
        for chain in chains
    )


def paired_equations(rows: Sequence[tuple[str, str]]) -> str:
    """Equations ``(left, right)`` as an ``aligned`` block, two to a line (the statement of a
    claim about a column, a layer's weight and bias to a line)."""
    equations = [f"{left} &= {right}" for left, right in rows]
    lines = [" &\\quad ".join(equations[at : at + 2]) for at in range(0, len(equations), 2)]
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def latex_lines(expr: sp.Basic, terms_per_line: int = 5) -> list[str]:
    """``expr`` as LaTeX, a long sum of terms broken into lines of ``terms_per_line`` terms.

    The first line starts with the first term; each further line starts with its sign
    (``+ t`` or ``- t``), ready for ``&\\quad`` in an aligned display.  Anything that is not
    a sum of more than ``terms_per_line`` terms is one line.
    """
    printer = DerivationLatexPrinter()
    if not isinstance(expr, sp.Add) or len(expr.args) <= terms_per_line:
        return [printer.doprint(expr)]
    lines: list[str] = []
    current = ""
    for position, term in enumerate(printer._as_ordered_terms(expr)):
        if position and position % terms_per_line == 0:
            lines.append(current)
            current = ""
        if term.could_extract_minus_sign():
            sign, term = "- ", -term
        else:
            sign = "+ " if position else ""
        tex = printer._print(term)
        if printer._needs_add_brackets(term):
            tex = rf"\left({tex}\right)"
        current += (" " if current else "") + sign + tex
    lines.append(current)
    return lines
