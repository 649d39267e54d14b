"""The objects a proof is written in: index ranges, definitions, hypotheses, steps, claims.

A :class:`Claim` states ``lhs = result``.  For a ``"derivative"`` claim ``lhs`` is an
*unevaluated* derivative (``sympy.Derivative``) of an object fixed by a :class:`Definition`
(``J := −Σ_c y_c log a_c``, ``a_c := e^{z_c}/Σ_k e^{z_k}``); for an ``"identity"`` claim it is
an expression built from defined objects.  Its derivation is the chain
``lhs = step_1 = … = step_n = result``; :func:`derivations.kernel.engine.verify` checks it.

These classes only hold data; every rule about them lives in :mod:`derivations.kernel.wellformed`
(what may be stated), :mod:`derivations.kernel.rewriting` (how equality is decided) and
:mod:`derivations.kernel.witness` (the independent evaluation at concrete sizes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sympy as sp

from derivations.kernel.binding import substitute

__all__ = [
    "Claim",
    "ClaimResult",
    "Definition",
    "Hypothesis",
    "IndexRange",
    "ProofError",
    "Step",
    "StepResult",
    "definition_lookup",
]


class ProofError(ValueError):
    """A claim that does not verify, with the step that failed named in the message."""


@dataclass(frozen=True)
class IndexRange:
    """An integer index with its range, ``lo <= index <= hi`` (``hi`` may be a symbol)."""

    index: sp.Symbol
    lo: sp.Expr
    hi: sp.Expr

    @property
    def predicate(self) -> sp.Basic:
        return sp.Q.ge(self.index, self.lo) & sp.Q.le(self.index, self.hi)


@dataclass(frozen=True)
class Definition:
    """``name := expr``.

    ``name`` is a ``Symbol`` (``J``), an ``IndexedBase`` (``a``) whose entries are defined by
    ``expr`` written with the free index ``index`` (``a_j := e^{z_j}/Σ_k e^{z_k}``; a tuple
    for several indices), or an undefined function (``σ(x) := 1/(1 + e^{−x})``, ``index=x``).
    """

    name: sp.Basic
    expr: sp.Expr
    index: sp.Symbol | tuple[sp.Symbol, ...] | None = None
    text: str = ""
    #: a modelling step the definition rests on that SymPy cannot check for symbolic sizes
    #: (e.g. "J enters through its first-order form": the chain rule); shown with the verdict
    premise: str = ""
    #: with a premise: the quantities the first-order form holds fixed (δ_k := ∂J/∂z_k);
    #: nothing may be differentiated with respect to them
    holds_fixed: tuple[sp.Basic, ...] = ()

    @property
    def indices(self) -> tuple[sp.Symbol, ...]:
        if self.index is None:
            return ()
        return self.index if isinstance(self.index, tuple) else (self.index,)

    @property
    def lhs(self) -> sp.Expr:
        """The defined object as printed: ``J``, ``a_j`` or ``σ(x)``."""
        if self.is_function:
            return self.name(*self.indices)
        if not self.indices:
            return self.name
        return self.name[self.indices]

    @property
    def is_function(self) -> bool:
        return isinstance(self.name, sp.core.function.UndefinedFunction)

    @property
    def printed_name(self) -> str:
        return str(self.name)

    def matches(self, node: sp.Basic) -> bool:
        """Is ``node`` an occurrence of the defined object (any arguments)?"""
        if self.is_function:
            return isinstance(node, sp.Function) and node.func == self.name
        if not self.indices:
            return node == self.name
        return (
            isinstance(node, sp.Indexed)
            and node.base == self.name
            and len(node.indices) == len(self.indices)
        )

    def expand_node(self, node: sp.Basic) -> sp.Expr:
        """The definition at ``node``'s arguments (``a_j`` → ``e^{z_j}/Σ_k e^{z_k}``).

        Capture-free (:func:`derivations.kernel.binding.substitute`): ``a_k`` never becomes
        ``e^{z_k}/Σ_k e^{z_k}`` with the argument caught by the summation index.
        """
        if not self.indices:
            return self.expr
        arguments = node.args if self.is_function else node.indices
        return substitute(self.expr, dict(zip(self.indices, arguments, strict=True)))


def definition_lookup(definitions: Sequence[Definition]) -> Callable[[sp.Basic], Definition | None]:
    """The definition a node is an occurrence of, or ``None`` — one dictionary look-up per
    node instead of one test per definition (unfolding visits every node of large trees)."""
    by_key: dict[tuple[str, sp.Basic, int], Definition] = {}
    for definition in definitions:
        if definition.is_function:
            key = ("function", definition.name, -1)
        elif definition.indices:
            key = ("indexed", definition.name, len(definition.indices))
        else:
            key = ("symbol", definition.name, 0)
        by_key.setdefault(key, definition)

    def lookup(node: sp.Basic) -> Definition | None:
        if isinstance(node, sp.Indexed):
            return by_key.get(("indexed", node.base, len(node.indices)))
        if isinstance(node, sp.Symbol):
            return by_key.get(("symbol", node, 0))
        if isinstance(node, sp.Function):
            return by_key.get(("function", node.func, -1))
        return None

    return lookup


@dataclass(frozen=True)
class Hypothesis:
    """An assumption a claim states explicitly, used by steps as a substitution.

    ``lhs = rhs`` is the statement (printed in the docs); ``extra_substitutions`` are further
    rewrites it licenses, each checked to follow from the statement.  A ``Sum`` on the left
    matches any sum that is the same up to the names of its bound variables.  Steps refer to
    a hypothesis by value: a step may use only a hypothesis *equal* to one the claim states.
    """

    name: str
    text: str
    lhs: sp.Expr
    rhs: sp.Expr
    extra_substitutions: tuple[tuple[sp.Expr, sp.Expr], ...] = ()

    @property
    def statement(self) -> sp.Eq:
        return sp.Eq(self.lhs, self.rhs, evaluate=False)

    @property
    def substitutions(self) -> tuple[tuple[sp.Expr, sp.Expr], ...]:
        """Every rewrite ``old → new`` the hypothesis licenses, the statement first."""
        return ((self.lhs, self.rhs), *self.extra_substitutions)


@dataclass(frozen=True)
class Step:
    """One link ``= expr`` of a derivation, with its justification and the hypotheses used."""

    expr: sp.Expr
    why: str
    uses: tuple[Hypothesis, ...] = ()


@dataclass(frozen=True)
class Claim:
    """A statement ``lhs = result`` with its derivation, hypotheses and definitions.

    Immutable: the sequences given are stored as tuples, so a claim cannot change after it
    is verified (a :class:`ClaimResult` holds the very claim it judged).

    The derivative of J := x² is 2x, in one step:

    >>> import sympy as sp
    >>> from derivations.kernel import Claim, Definition, Step
    >>> x, J = sp.Symbol("x", real=True), sp.Symbol("J")
    >>> square = Claim("square", "the derivative of x²", sp.Derivative(J, x), 2 * x,
    ...                [Step(2 * x, "power rule")], [Definition(J, x**2)])
    >>> square.statement
    Eq(Derivative(J, x), 2*x)
    >>> square.steps
    (Step(expr=2*x, why='power rule', uses=()),)
    """

    name: str
    title: str
    lhs: sp.Expr
    result: sp.Expr
    steps: Sequence[Step]
    definitions: Sequence[Definition] = ()
    hypotheses: Sequence[Hypothesis] = ()
    ranges: Sequence[IndexRange] = ()
    sizes: str = ""
    summary: str = ""
    #: "derivative": ``lhs`` must be an unevaluated derivative that SymPy computes;
    #: "identity": ``lhs`` is an expression built from defined objects, rewritten by the steps
    kind: str = "derivative"
    #: extra machine checks run after the chain (name, callable returning an error or None)
    extra_checks: Sequence[tuple[str, Callable[[], str | None]]] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in ("steps", "definitions", "hypotheses", "ranges", "extra_checks"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def statement(self) -> sp.Eq:
        return sp.Eq(self.lhs, self.result, evaluate=False)

    @property
    def premises(self) -> list[str]:
        """The premises of the definitions this claim uses (shown with its verdict)."""
        return [definition.premise for definition in self.definitions if definition.premise]


@dataclass(frozen=True)
class StepResult:
    number: int
    why: str
    ok: bool
    seconds: float
    message: str = ""


@dataclass(frozen=True)
class ClaimResult:
    """What :func:`derivations.kernel.engine.verify` found: immutable, with its verdict.

    Only ``verify`` makes one that says proven: ``failures`` empty means every check ran
    and passed.
    """

    claim: Claim
    computed: sp.Expr | None
    steps: tuple[StepResult, ...]
    failures: tuple[str, ...]
    seconds: float
    #: the claim's domain: every assumption on its symbols, as printed with the verdict
    domain: tuple[str, ...] = ()
    #: what the independent witness did (sizes, points), or why it could not
    witness: str = ""
    #: of ``seconds``, the time the independent witness took
    witness_seconds: float = 0.0

    def __post_init__(self) -> None:
        for name in ("steps", "failures", "domain"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def proven(self) -> bool:
        return not self.failures

    @property
    def verdict(self) -> str:
        """ "proven", "proven given its premise" (a definition carries one) or "not proven"."""
        if self.failures:
            return "not proven"
        return "proven given its premise" if self.claim.premises else "proven"

    def raise_if_failed(self) -> None:
        if self.failures:
            raise ProofError(
                f"claim {self.claim.name!r} is not proven: " + "; ".join(self.failures)
            )
