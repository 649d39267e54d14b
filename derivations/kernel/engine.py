"""The derivation engine: a claim is proven only by computations that could have failed.

A :class:`Claim` states ``lhs = result`` where ``lhs`` is an *unevaluated* derivative
(``sympy.Derivative``) of objects fixed by :class:`Definition`\\ s (``J := -Σ y_m log a_m``,
``a_m := e^{z_m}/Σ_k e^{z_k}``), or, for an identity, an expression built from them.  Its
derivation is a chain ``lhs = step_1 = … = step_n (= result)`` and :func:`verify` proves it
only if **all** of these hold:

1. **Well-formed** (:mod:`derivations.kernel.wellformed`): definitions acyclic and named once,
   every assumption on a symbol printed in the claim's domain, indices integers with
   non-empty ranges, no derivative at a kink, a premise differentiated once, …;
2. **Computed**: SymPy differentiates the unfolded definitions itself (the starting point
   is never typed in);
3. **Every step** is confirmed equal to the previous one by :func:`equivalent`
   (:mod:`derivations.kernel.rewriting`), using only hypotheses *equal* (by value) to ones the
   claim states, each licensed substitution checked (a step the witness shows false at a
   point is refused there, before SymPy's ``simplify`` is tried);
4. the last step is literally the claimed ``result``;
5. **Witnessed** (:mod:`derivations.kernel.witness`): on a separate code path, the explicit
   finite expressions at sizes 1..3 (abstract functions replaced by concrete smooth ones)
   are differentiated numerically by mpmath (no rule of SymPy's) and every step and the
   result agree with them at random rational points (80 digits) that satisfy the
   hypotheses — so the hypotheses are satisfiable and nothing is proven vacuously.

What "proven" rests on: SymPy's differentiation and simplification (with
``Sum.free_symbols`` remembered per object, :mod:`derivations.kernel.sympy_speedup`), the
rules above, and the independent witness.  Claims whose definitions carry a premise (J's
first-order form, i.e. the chain rule) are proven *given* that premise, and say so.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import sympy as sp

from derivations.kernel.binding import rename_bound
from derivations.kernel.language import (
    Claim,
    ClaimResult,
    Hypothesis,
    Step,
    StepResult,
)
from derivations.kernel.rewriting import check_lengths, equivalent, evaluate, unfold
from derivations.kernel.wellformed import Subject, domain, problems
from derivations.kernel.witness import WitnessReport, witness

__all__ = ["PROVEN_RESTS_ON", "subject_of", "verify"]

#: one paragraph: what "proven" means here (printed by verify --help, the README, the docs)
PROVEN_RESTS_ON = (
    "“Proven” rests on the kernel, the folder derivations/kernel/, and on three things. (1) "
    "SymPy: it differentiates the definitions itself and every step must simplify to exactly 0 "
    "against the previous one (cancel or simplify); one of its properties, the free symbols of "
    "a sum, is remembered per object instead of recomputed on every query (SymPy's own code, "
    "used only over the SymPy release it was checked against). (2) The kernel's rules: "
    "capture-free substitution, one meaning for every definition (none used under a binder of "
    "its own free symbols), acyclic definitions, hypotheses used only as stated and each "
    "licensed rewrite checked, every assumption on a symbol printed in the claim's domain, "
    "integer indices with non-empty ranges, sums and products evaluated by exact rules only, "
    "no derivative at a kink, integrands finite everywhere, a premise differentiated once, "
    "only SymPy's own classes and plain ASCII names, real values only. (3) An independent "
    "witness: every claim and verdict is re-evaluated on a separate code path at sizes 1..3 "
    "and beyond, at every combination of the free indices that occur together, with concrete "
    "functions in place of abstract ones; a derivative is valued by mpmath's numerical "
    "derivative of the explicit finite expressions, not by SymPy; at rational points that "
    "satisfy the hypotheses, in 80-digit arithmetic, agreeing to within 10^-68. Claims "
    "marked with a premise (the chain rule, as the first-order form of J) are proven given "
    "that premise."
)


def subject_of(claim: Claim) -> Subject:
    """What the well-formedness rules look at for ``claim``."""
    return Subject(
        lhs=claim.lhs,
        right_sides=(*(step.expr for step in claim.steps), claim.result),
        definitions=tuple(claim.definitions),
        hypotheses=tuple(claim.hypotheses),
        ranges=tuple(claim.ranges),
        kind=claim.kind,
        extra=tuple(h for step in claim.steps for u in step.uses for h in (u.lhs, u.rhs)),
    )


def _timed(function: Callable[[], bool]) -> tuple[bool, float, str]:
    start = time.perf_counter()
    try:
        ok, message = function(), ""
    except NotImplementedError as error:
        ok, message = False, f"SymPy cannot do this: {str(error) or 'not implemented'}"
    except Exception as error:  # report, don't crash: a failed check is a failed proof
        ok, message = False, f"{type(error).__name__}: {error}"
    return ok, time.perf_counter() - start, message


def _shown(value: sp.Basic) -> sp.Basic:
    """An exact value as it is when rational, else to 12 digits."""
    value = sp.sympify(value).doit()
    return value if value.is_Rational else sp.N(value, 12)


def _step_message(claim: Claim, number: int, step: Step, report: WitnessReport, error: str) -> str:
    """Why a step failed: "does not follow" only with a witnessed disagreement."""
    origin = "the left-hand side" if number == 1 else f"step {number - 1}"
    if report.disagreement is not None and report.values is not None:
        left, right = (_shown(value) for value in report.values)
        message = (
            f"step {number} ({step.why}) does not follow from {origin}: at "
            f"{report.disagreement.describe()}, {origin} is {left} and step {number} is {right}"
        )
    else:
        message = (
            f"step {number} ({step.why}): cannot decide whether it follows from {origin} — "
            f"SymPy could not show the difference is 0 ({report.message})"
        )
    if error:
        message += f" [{error}]"
    return message


def _check_step(claim: Claim, number: int, step: Step, previous: sp.Basic) -> StepResult:
    """One step against the one before: exact rewriting and ``cancel`` first; where they do
    not show equality, the witness looks for a certified disagreement (then the step is
    refused, with the point) before SymPy's ``simplify`` is tried (which can take minutes
    on a false step of a whole network and cannot make a false step true)."""

    def check(thorough: bool) -> bool:
        return equivalent(
            previous, step.expr, claim.definitions, step.uses, claim.ranges, thorough=thorough
        )

    ok, seconds, error = _timed(lambda: check(False))
    if ok:
        return StepResult(number, step.why, True, seconds, "")
    report = witness(
        previous, [(f"step {number}", step.expr)], claim.definitions, step.uses, claim.ranges
    )
    if report.disagreement is None:
        ok, more, error = _timed(lambda: check(True))
        seconds += more
        if ok:
            return StepResult(number, step.why, True, seconds, "")
    return StepResult(
        number, step.why, False, seconds, _step_message(claim, number, step, report, error)
    )


def _class_problems(claim: Claim) -> list[str]:
    """The claim, its steps and the hypotheses they use are the kernel's own classes (a
    subclass could show the engine one expression and the witness another)."""
    found = []
    if type(claim) is not Claim:
        found.append(f"{type(claim).__qualname__} is not a Claim: build it from the kernel's Claim")
    for number, step in enumerate(getattr(claim, "steps", ()), start=1):
        if type(step) is not Step:
            found.append(f"step {number} is a {type(step).__qualname__}, not the kernel's Step")
        elif any(type(h) is not Hypothesis for h in step.uses):
            found.append(f"step {number} uses an object that is not the kernel's Hypothesis")
    return found


def _check_chain(claim: Claim, failures: list[str], steps: list[StepResult]) -> sp.Basic:
    unfolded = rename_bound(unfold(claim.lhs, claim.definitions))
    check_lengths(unfolded)
    computed = evaluate(unfolded)
    if not claim.steps:
        failures.append("the derivation has no steps")
    previous = computed  # the derivative SymPy computed stands for the left-hand side
    for number, step in enumerate(claim.steps, start=1):
        # a used hypothesis stands for the stated one it equals, which is what the rules
        # checked (its own objects, or its ``__eq__``, are never used)
        stated = [next((s for s in claim.hypotheses if s == h), None) for h in step.uses]
        unstated = [h.name for h, s in zip(step.uses, stated, strict=True) if s is None]
        step = Step(step.expr, step.why, tuple(s for s in stated if s is not None))
        if unstated:
            message = (
                f"step {number} ({step.why}) uses hypothesis {', '.join(unstated)} which the "
                "claim does not state (a step may use only a hypothesis equal to a stated one)"
            )
            steps.append(StepResult(number, step.why, False, 0.0, message))
            failures.append(message)
            previous = step.expr
            continue
        result = _check_step(claim, number, step, previous)
        if not result.ok:
            failures.append(result.message)
        steps.append(result)
        previous = step.expr
    if claim.steps and claim.steps[-1].expr != claim.result:
        failures.append("the derivation does not end at the claimed result")
    return computed


def verify(claim: Claim) -> ClaimResult:
    """Check ``claim`` (see the module docstring); never raises, reports what failed.

    >>> import dataclasses
    >>> import sympy as sp
    >>> from derivations.kernel import Claim, Definition, Step, verify
    >>> x, J = sp.Symbol("x", real=True), sp.Symbol("J")
    >>> square = Claim("square", "the derivative of x²", sp.Derivative(J, x), 2 * x,
    ...                [Step(2 * x, "power rule")], [Definition(J, x**2)])
    >>> verify(square).proven
    True
    >>> wrong = dataclasses.replace(square, result=3 * x, steps=(Step(3 * x, "a guess"),))
    >>> print(verify(wrong).failures[0])  # doctest: +ELLIPSIS
    step 1 (a guess) does not follow from the left-hand side: at x = ..., the left-hand side ...
    """
    start = time.perf_counter()
    failures: list[str] = []
    step_results: list[StepResult] = []
    computed = None
    printed_domain: list[str] = []
    witnessed = ""
    witness_seconds = 0.0
    try:
        failures += _class_problems(claim)
        if not failures:
            subject = subject_of(claim)
            failures += problems(subject)
            printed_domain = domain(subject)
        if not failures:
            computed = _check_chain(claim, failures, step_results)
            for check_name, extra_check in claim.extra_checks:
                try:
                    problem = extra_check()
                except Exception as error:
                    problem = f"raised {type(error).__name__}: {error}"
                if problem is not None:
                    failures.append(f"check {check_name!r} failed: {problem or repr(problem)}")
            if not failures:
                witness_start = time.perf_counter()
                report = witness(
                    claim.lhs,
                    [
                        *((f"step {n}", s.expr) for n, s in enumerate(claim.steps, start=1)),
                        ("the result", claim.result),
                    ],
                    claim.definitions,
                    claim.hypotheses,
                    claim.ranges,
                )
                witnessed = report.message
                witness_seconds = time.perf_counter() - witness_start
                if not report.ok:
                    failures.append(f"the independent witness refuses it: {report.message}")
    except Exception as error:  # a check that raises is a failed check, never a crash
        failures.append(f"the check raised {type(error).__name__}: {error}")
    return ClaimResult(
        claim,
        computed,
        step_results,
        failures,
        time.perf_counter() - start,
        printed_domain,
        witnessed,
        witness_seconds,
    )
