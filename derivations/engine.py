"""A small derivation engine: claims, hypotheses, steps, and their machine check.

A :class:`Claim` states ``lhs = result`` where ``lhs`` is an *unevaluated* derivative
(``sympy.Derivative``) of objects whose meaning is fixed by :class:`Definition`\\ s
(``J := -Σ y_m log a_m``, ``a_m := e^{z_m}/Σ_k e^{z_k}``, ...).  Its derivation is a chain

    lhs  =  step_1  =  step_2  = ...  =  step_n  (= result)

and the claim is *proven* only if

1. SymPy itself differentiates the definitions (``lhs`` with every definition unfolded,
   then ``.doit()``): the starting point is computed, never typed in;
2. every step is verified equal to the previous expression by SymPy, using only the
   hypotheses that the step names *and* the claim states;
3. the last step is literally the claimed ``result``.

Equality of two expressions is decided by :func:`equivalent`: unfold definitions, collapse
the ``KroneckerDelta`` sums that symbolic sizes produce (``doit`` → ``refine`` with the index
ranges → ``factor_sum`` → ``expand``, to a fixed point), apply the named hypotheses as
substitutions, and require that ``simplify`` of the difference is exactly ``0``.  A step
that SymPy cannot confirm fails; nothing is assumed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import sympy as sp
from sympy.simplify.simplify import factor_sum

__all__ = [
    "Claim",
    "ClaimResult",
    "Definition",
    "Hypothesis",
    "IndexRange",
    "ProofError",
    "Step",
    "StepResult",
    "collapse",
    "equivalent",
    "unfold",
    "verify",
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

    ``name`` is a ``Symbol`` (``J``) or an ``IndexedBase`` (``a``) whose entries are defined
    by ``expr`` written with the free index ``index`` (``a_j := e^{z_j}/Σ_k e^{z_k}``).
    For a two-index family pass a tuple of indices.
    """

    name: sp.Basic
    expr: sp.Expr
    index: sp.Symbol | tuple[sp.Symbol, ...] | None = None
    text: str = ""
    #: a modelling step the definition rests on that SymPy cannot check for symbolic sizes
    #: (e.g. "J enters through its first-order form": the chain rule); shown with the verdict
    premise: str = ""

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

    def matches(self, node: sp.Basic) -> bool:
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

        Summation indices inside the definition are first renamed to fresh dummies, so an
        argument can never be captured by them (``a_k`` must not become ``e^{z_k}/Σ_k e^{z_k}``
        with the outer ``k`` caught by the sum).
        """
        expr = _fresh_summation_indices(self.expr)
        if self.is_function:
            return expr.xreplace(dict(zip(self.indices, node.args, strict=True)))
        if not self.indices:
            return expr
        return expr.xreplace(dict(zip(self.indices, node.indices, strict=True)))


def _fresh_summation_indices(expr: sp.Basic) -> sp.Basic:
    """Rename every summation index in ``expr`` to a new ``Dummy`` (capture-free substitution)."""

    def rename(node: sp.Sum) -> sp.Sum:
        renaming = {var: sp.Dummy(var.name, integer=True) for var, _, _ in node.limits}
        limits = [(renaming[var], lo, hi) for var, lo, hi in node.limits]
        return sp.Sum(node.function.xreplace(renaming), *limits)

    return expr.replace(lambda node: isinstance(node, sp.Sum), rename)


@dataclass(frozen=True)
class Hypothesis:
    """An assumption a claim states explicitly, used by steps as a substitution.

    ``lhs = rhs`` is the statement (printed in the docs); ``substitutions`` are the sound
    rewrites it licenses (default ``{lhs: rhs}``).  A ``Sum`` on the left matches any sum
    that is the same up to the name of its summation index.
    """

    name: str
    text: str
    lhs: sp.Expr
    rhs: sp.Expr
    extra_substitutions: tuple[tuple[sp.Expr, sp.Expr], ...] = ()

    @property
    def statement(self) -> sp.Eq:
        return sp.Eq(self.lhs, self.rhs, evaluate=False)

    def unjustified_substitutions(self) -> list[str]:
        """Extra substitutions that SymPy cannot derive from ``lhs = rhs`` (must be none).

        ``old → new`` is licensed when ``old − new`` becomes 0 once ``lhs`` is replaced by
        ``rhs``; e.g. ``y_K → 1 − y_1 − … − y_{K−1}`` from ``y_1 + … + y_K = 1``.
        """
        problems = []
        for old, new in self.extra_substitutions:
            residual = _substitute(sp.expand(old - new), self.lhs, self.rhs)
            if not _is_zero(residual):
                problems.append(f"{old} → {new}")
        return problems

    def apply(self, expr: sp.Expr) -> sp.Expr:
        """Rewrite ``expr`` with every substitution this hypothesis licenses."""
        for old, new in ((self.lhs, self.rhs), *self.extra_substitutions):
            expr = _substitute(expr, old, new)
        return expr


@dataclass(frozen=True)
class Step:
    """One link ``= expr`` of a derivation, with its justification and the hypotheses used."""

    expr: sp.Expr
    why: str
    uses: tuple[Hypothesis, ...] = ()


@dataclass
class Claim:
    """A statement ``lhs = result`` with its derivation, hypotheses and definitions."""

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
    #: "identity": ``lhs`` is an expression rewritten by the steps (e.g. a quadratic form)
    kind: str = "derivative"
    #: extra machine checks run after the chain (name, callable returning an error or None)
    extra_checks: Sequence[tuple[str, Callable[[], str | None]]] = field(default_factory=tuple)

    @property
    def statement(self) -> sp.Eq:
        return sp.Eq(self.lhs, self.result, evaluate=False)

    @property
    def premises(self) -> list[str]:
        """The premises of the definitions this claim uses (shown with its verdict)."""
        return [definition.premise for definition in self.definitions if definition.premise]


@dataclass
class StepResult:
    number: int
    why: str
    ok: bool
    seconds: float
    message: str = ""


@dataclass
class ClaimResult:
    claim: Claim
    computed: sp.Expr | None
    steps: list[StepResult]
    failures: list[str]
    seconds: float

    @property
    def proven(self) -> bool:
        return not self.failures

    def raise_if_failed(self) -> None:
        if self.failures:
            raise ProofError(
                f"claim {self.claim.name!r} is not proven: " + "; ".join(self.failures)
            )


# --------------------------------------------------------------------------- rewriting


def unfold(expr: sp.Basic, definitions: Iterable[Definition]) -> sp.Basic:
    """Replace every defined object by its definition, repeatedly (definitions may nest)."""
    definitions = tuple(definitions)
    for _ in range(len(definitions) + 1):
        before = expr
        for definition in definitions:
            expr = expr.replace(definition.matches, definition.expand_node)
        if expr == before:
            return expr
    return expr


def _same_sum(candidate: sp.Basic, pattern: sp.Sum) -> bool:
    """Is ``candidate`` the sum ``pattern`` up to renaming its (single) summation index?"""
    if not isinstance(candidate, sp.Sum) or len(candidate.limits) != len(pattern.limits):
        return False
    renaming = {}
    for (var_c, lo_c, hi_c), (var_p, lo_p, hi_p) in zip(
        candidate.limits, pattern.limits, strict=True
    ):
        if lo_c != lo_p or hi_c != hi_p:
            return False
        renaming[var_c] = var_p
    return candidate.function.xreplace(renaming) == pattern.function


def _substitute(expr: sp.Basic, old: sp.Expr, new: sp.Expr) -> sp.Basic:
    if isinstance(old, sp.Sum):
        return expr.replace(lambda node: _same_sum(node, old), lambda node: new)
    return expr.subs(old, new)


def _split_sum(node: sp.Sum) -> sp.Expr:
    """Σ (f + g) → Σ f + Σ g, then pull factors that do not depend on the index out."""
    terms = sp.Add.make_args(sp.expand(node.function))
    return sp.Add(*(factor_sum(sp.Sum(term, *node.limits)) for term in terms))


def _split_sums(expr: sp.Basic) -> sp.Basic:
    return expr.replace(lambda node: isinstance(node, sp.Sum), _split_sum)


def _canonical_dummies(expr: sp.Basic, depth: int = 0) -> sp.Basic:
    """Rename every summation index to ``_sum<depth>``: alike sums become identical."""
    if isinstance(expr, sp.Sum):
        body, limits = expr.function, []
        for offset, (var, lo, hi) in enumerate(expr.limits):
            dummy = sp.Symbol(f"_sum{depth + offset}", integer=True)
            body = body.xreplace({var: dummy})
            limits.append((dummy, lo, hi))
        body = _canonical_dummies(body, depth + len(limits))
        return sp.Sum(body, *limits)
    if not expr.args or isinstance(expr, sp.Indexed | sp.IndexedBase):
        return expr
    args = tuple(_canonical_dummies(arg, depth) for arg in expr.args)
    return expr if args == expr.args else expr.func(*args)


def _refine_in_scope(expr: sp.Basic, assumptions: sp.Basic) -> sp.Basic:
    """Decide the conditions of every ``Piecewise`` knowing the ranges of the free indices
    and of the sums that enclose it (``Σ_c f(c) δ_{cj}`` evaluates to such a ``Piecewise``).

    Only conditions are refined: ``refine`` on whole expressions is slow and not needed.
    """
    if isinstance(expr, sp.Sum):
        inner = assumptions
        for var, lo, hi in expr.limits:
            inner = inner & sp.Q.ge(var, lo) & sp.Q.le(var, hi)
        return sp.Sum(_refine_in_scope(expr.function, inner), *expr.limits)
    if isinstance(expr, sp.Piecewise):
        pieces = [
            (_refine_in_scope(piece, assumptions), sp.refine(condition, assumptions))
            for piece, condition in expr.args
        ]
        return sp.Piecewise(*pieces)
    if not expr.args or isinstance(expr, sp.Indexed | sp.IndexedBase):
        return expr
    args = tuple(_refine_in_scope(arg, assumptions) for arg in expr.args)
    return expr if args == expr.args else expr.func(*args)


def collapse(expr: sp.Basic, ranges: Sequence[IndexRange] = ()) -> sp.Basic:
    """Evaluate sums of Kronecker deltas and pull constants out of sums, to a fixed point.

    ``Σ_m f(m) δ_{jm}`` evaluates to ``f(j)`` only when SymPy knows ``1 <= j <= K``; the
    ranges of the free indices, and of the indices of enclosing sums, are passed to
    ``refine`` for that.  Summation indices are renamed canonically so that the same sum
    written with two index names cancels.
    """
    assumptions = sp.And(*(r.predicate for r in ranges)) if ranges else sp.true
    for _ in range(12):
        before = expr
        expr = expr.doit()
        expr = _refine_in_scope(expr, assumptions)
        expr = _canonical_dummies(_split_sums(expr))
        if expr == before:
            break
    return expr


def _is_zero(expr: sp.Basic) -> bool:
    if expr == 0:
        return True
    simplifiers = (
        sp.cancel,
        sp.simplify,
        # Heaviside/Max results compare with piecewise statements only once rewritten
        lambda e: sp.simplify(e.rewrite(sp.Piecewise)),
    )
    for simplifier in simplifiers:
        try:
            if simplifier(expr) == 0:
                return True
        except (StopIteration, sp.PolynomialError, TypeError):  # SymPy gave up: not proven
            continue
    return False


def equivalent(
    left: sp.Basic,
    right: sp.Basic,
    definitions: Sequence[Definition] = (),
    hypotheses: Sequence[Hypothesis] = (),
    ranges: Sequence[IndexRange] = (),
) -> bool:
    """Does SymPy confirm ``left == right`` given the definitions, hypotheses and ranges?"""
    if isinstance(left, sp.MatrixBase) or isinstance(right, sp.MatrixBase):
        if not (isinstance(left, sp.MatrixBase) and isinstance(right, sp.MatrixBase)):
            return False
        if left.shape != right.shape:
            return False
        return all(
            equivalent(lhs_entry, rhs_entry, definitions, hypotheses, ranges)
            for lhs_entry, rhs_entry in zip(left, right, strict=True)
        )
    difference = unfold(left - right, definitions)
    difference = collapse(difference, ranges)
    for hypothesis in hypotheses:
        difference = collapse(hypothesis.apply(difference), ranges)
    return _is_zero(difference)


# --------------------------------------------------------------------------- verification


def _timed(function: Callable[[], bool]) -> tuple[bool, float, str]:
    start = time.perf_counter()
    try:
        ok, message = function(), ""
    except Exception as error:  # report, don't crash: a failed check is a failed proof
        ok, message = False, f"SymPy raised {type(error).__name__}: {error}"
    return ok, time.perf_counter() - start, message


def _is_derivative_of_a_definition(expr: sp.Basic, definitions: Sequence[Definition]) -> bool:
    """Is ``expr`` an unevaluated derivative (or a matrix of them) of a defined object?"""
    if isinstance(expr, sp.MatrixBase):
        return all(_is_derivative_of_a_definition(entry, definitions) for entry in expr)
    return isinstance(expr, sp.Derivative) and any(
        definition.matches(expr.expr) for definition in definitions
    )


def _definition_problems(claim: Claim) -> list[str]:
    problems = []
    names = [definition.name for definition in claim.definitions]
    for name in dict.fromkeys(names):
        if names.count(name) > 1:
            problems.append(f"{name} is defined {names.count(name)} times")
    for hypothesis in claim.hypotheses:
        for substitution in hypothesis.unjustified_substitutions():
            problems.append(
                f"hypothesis {hypothesis.name!r} licenses {substitution}, which does not "
                f"follow from its statement {hypothesis.lhs} = {hypothesis.rhs}"
            )
    return problems


def verify(claim: Claim) -> ClaimResult:
    """Check every link of ``claim``'s derivation; return what held and what did not."""
    start = time.perf_counter()
    failures: list[str] = []
    step_results: list[StepResult] = []
    stated = {hypothesis.name for hypothesis in claim.hypotheses}

    failures += _definition_problems(claim)
    if claim.kind == "derivative" and not _is_derivative_of_a_definition(
        claim.lhs, claim.definitions
    ):
        failures.append(
            "the left-hand side must be an unevaluated derivative (sympy.Derivative) of a "
            "defined object, so that SymPy computes it from the definitions"
        )
    if claim.kind not in {"derivative", "identity"}:
        failures.append(f"unknown kind of claim {claim.kind!r}")
    if failures:
        return ClaimResult(claim, None, [], failures, time.perf_counter() - start)

    try:
        computed = unfold(claim.lhs, claim.definitions).doit()
    except Exception as error:
        failures.append(f"SymPy could not differentiate the definitions: {error}")
        return ClaimResult(claim, None, [], failures, time.perf_counter() - start)

    if not claim.steps:
        failures.append("the derivation has no steps")
    previous = computed
    for number, step in enumerate(claim.steps, start=1):
        missing = [h.name for h in step.uses if h.name not in stated]
        if missing:
            message = (
                f"step {number} ({step.why}) uses hypothesis {', '.join(missing)} "
                f"which the claim does not state"
            )
            step_results.append(StepResult(number, step.why, False, 0.0, message))
            failures.append(message)
            previous = step.expr
            continue

        def check(previous: sp.Basic = previous, step: Step = step) -> bool:
            return equivalent(previous, step.expr, claim.definitions, step.uses, claim.ranges)

        ok, seconds, error = _timed(check)
        message = ""
        if not ok:
            origin = "the derivative SymPy computed" if number == 1 else f"step {number - 1}"
            message = f"step {number} ({step.why}) does not follow from {origin}"
            if error:
                message += f" [{error}]"
            failures.append(message)
        step_results.append(StepResult(number, step.why, ok, seconds, message))
        previous = step.expr

    if claim.steps and claim.steps[-1].expr != claim.result:
        failures.append("the derivation does not end at the claimed result")

    for check_name, extra_check in claim.extra_checks:
        try:
            problem = extra_check()
        except Exception as error:
            problem = f"raised {type(error).__name__}: {error}"
        if problem:
            failures.append(f"check {check_name!r} failed: {problem}")

    return ClaimResult(claim, computed, step_results, failures, time.perf_counter() - start)
