"""Compiled evaluation of explicit forms (:mod:`derivations.kernel.explicit`): compiled once
to mpmath (each function guarded against overflow), agreement within the rounding bound, the
denominators that must not vanish, and a derivative on the left valued by difference
quotients of the undifferentiated explicit form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import mpmath
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

from derivations.kernel.explicit import (
    AGREE,
    DIGITS,
    _Instance,
    _nodes,
    _rebuild,
    _SkipError,
)
from derivations.kernel.instances import (
    _entries,
)
from derivations.kernel.points import (
    _is_real,
)

if TYPE_CHECKING:
    pass


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
        # (J ~ 10^50 with a slope of 3 leaves nothing of 80 digits): work with that many more
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
