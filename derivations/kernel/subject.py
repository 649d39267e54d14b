"""What the well-formedness rules look at: the subject of a claim or of a judged statement
(its expressions, definitions, hypotheses and ranges), and the vocabulary it may be written in
(the functions SymPy differentiates, those with kinks, the assumptions a symbol may carry).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sympy as sp
from sympy.core.function import AppliedUndef

if TYPE_CHECKING:
    from derivations.kernel.language import Definition, Hypothesis, IndexRange

__all__ = [
    "DIFFERENTIABLE",
    "KINKED",
    "PRINTABLE_ASSUMPTIONS",
    "VOCABULARY",
    "Subject",
    "assumptions_of",
    "dependencies",
    "entries_of",
    "nodes_of",
]

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
KINKED = (sp.Abs, sp.sign, sp.Heaviside, sp.DiracDelta, sp.Max, sp.Min, sp.Piecewise)
#: what may appear inside an expression that is differentiated: functions analytic on the
#: whole real line (or with poles only, where the value is not finite), the kinked ones
#: above under their rule, abstract functions ("any differentiable g"), and the structure
#: around them.  Anything else (atan2, asech, SingularityFunction, floor, re, …) is refused:
#: SymPy's derivative rule for it may be a convention or wrong off its real domain.
DIFFERENTIABLE = (
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
    *KINKED,
)
#: what may appear anywhere in a statement: the above, and definite integrals' parts
VOCABULARY = (*DIFFERENTIABLE, sp.Lambda, sp.core.containers.Tuple)


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


def entries_of(expr: sp.Basic) -> Iterator[sp.Basic]:
    if isinstance(expr, sp.MatrixBase):
        yield from expr
    else:
        yield expr


def nodes_of(expr: sp.Basic) -> Iterator[sp.Basic]:
    for entry in entries_of(expr):
        yield from sp.preorder_traversal(entry)


def assumptions_of(obj: sp.Basic) -> dict[str, bool]:
    symbol = obj.label if isinstance(obj, sp.IndexedBase) else obj
    return dict(getattr(symbol, "_assumptions_orig", {}) or {})


def dependencies(definitions: Sequence[Definition]) -> dict[int, set[int]]:
    """Which definitions each one refers to (by position): the graph the cycle rule and the
    premise rule follow."""
    graph: dict[int, set[int]] = {}
    for number, definition in enumerate(definitions):
        graph[number] = {
            other
            for other, candidate in enumerate(definitions)
            if any(candidate.matches(node) for node in nodes_of(definition.expr))
        }
    return graph
