"""What a failed proof says: exact values where they are rational, the point where a step
disagrees, and SymPy's own failures reported as failed checks (never a traceback)."""

from __future__ import annotations

import dataclasses
import time

import pytest
import sympy as sp

from derivations.claims import get_claim
from derivations.claims.shared import LABELS_SUM_TO_ONE
from derivations.kernel import engine
from derivations.kernel.engine import _shown, _timed, verify
from derivations.kernel.language import Claim, Definition, Hypothesis, IndexRange, Step, StepResult
from derivations.kernel.witness import Point, WitnessReport
from derivations.notation import K, a, c, j, y

x = sp.Symbol("x", real=True)
F = sp.Function("F")
J = sp.Symbol("J")
xs = sp.IndexedBase("x", real=True)


def test_a_rational_value_is_shown_exactly_and_an_irrational_one_to_twelve_digits() -> None:
    assert _shown(sp.Rational(-1, 3)) == sp.Rational(-1, 3)
    assert _shown(sp.Integer(2)) == 2
    shown = _shown(sp.sqrt(2))
    assert isinstance(shown, sp.Float) and str(shown) == "1.41421356237"


def test_a_check_that_sympy_cannot_do_is_a_failed_check_naming_it() -> None:
    def cannot() -> bool:
        raise NotImplementedError("no closed form")

    ok, seconds, message = _timed(cannot)
    assert (ok, message) == (False, "SymPy cannot do this: no closed form")
    assert seconds >= 0


def test_a_check_that_sympy_cannot_do_without_saying_why_says_not_implemented() -> None:
    def cannot() -> bool:
        raise NotImplementedError

    assert _timed(cannot)[::2] == (False, "SymPy cannot do this: not implemented")


def test_a_check_that_raises_anything_else_is_a_failed_check_naming_the_error() -> None:
    def broken() -> bool:
        raise ZeroDivisionError("1/0")

    ok, _, message = _timed(broken)
    assert (ok, message) == (False, "ZeroDivisionError: 1/0")


def test_a_check_that_passes_reports_no_message() -> None:
    ok, _, message = _timed(lambda: True)
    assert (ok, message) == (True, "")


def test_a_wrong_step_names_the_point_and_both_exact_values() -> None:
    """Step 4 of softmax_ce_delta without Σy = 1: at K = 1 the left side a₁Σy − y₁ is 0."""
    claim = get_claim("softmax_ce_delta")
    steps = list(claim.steps)
    steps[3] = dataclasses.replace(steps[3], uses=())
    [failure] = verify(dataclasses.replace(claim, steps=tuple(steps))).failures
    assert "does not follow from step 3: at K = 1, j = 1, y[1] = " in failure
    assert ", step 3 is 0 and step 4 is " in failure


def test_a_claim_with_no_steps_is_refused_saying_so_and_nothing_else() -> None:
    claim = dataclasses.replace(get_claim("sigmoid_derivative"), steps=())
    result = verify(claim)
    assert result.failures == ("the derivation has no steps",)
    assert result.steps == ()


def test_a_step_with_unstated_hypotheses_names_them_all_and_the_next_step_follows_from_it() -> None:
    """Step 4 of softmax_ce_delta uses Σy = 1 and an impostor; the claim states neither.
    Step 4 fails without being checked; step 5 is checked against step 4's expression."""
    claim = get_claim("softmax_ce_delta")
    impostor = Hypothesis("y_j vanishes", "y_j = 0", y[j], sp.Integer(0))
    steps = list(claim.steps)
    steps[3] = dataclasses.replace(steps[3], uses=(LABELS_SUM_TO_ONE, impostor))
    steps.append(Step(-(y[j] - a[j]), "reorder"))
    forged = dataclasses.replace(claim, steps=tuple(steps), hypotheses=(), result=-(y[j] - a[j]))
    result = verify(forged)
    message = (
        f"step 4 ({steps[3].why}) uses hypothesis labels sum to one, y_j vanishes which the "
        "claim does not state (a step may use only a hypothesis equal to a stated one)"
    )
    assert result.failures == (message,)
    assert result.steps[3] == StepResult(4, steps[3].why, False, 0.0, message)
    assert [(s.number, s.why, s.ok, s.message) for s in result.steps[4:]] == [
        (5, "reorder", True, "")
    ]


def test_a_step_sympy_cannot_simplify_but_the_witness_confirms_is_undecided_not_proven() -> None:
    """d/dx [x (atan ½ + atan ⅓)] = π/4 is true, but simplify misses the numeric zero."""
    definition = Definition(
        F, x * (sp.atan(sp.Rational(1, 2)) + sp.atan(sp.Rational(1, 3))), index=x
    )
    claim = Claim(
        "atan",
        "atan",
        sp.Derivative(F(x), x),
        sp.pi / 4,
        (Step(sp.pi / 4, "numeric"),),
        (definition,),
    )
    result = verify(claim)
    [failure] = result.failures
    assert failure.startswith(
        "step 1 (numeric): cannot decide whether it follows from the left-hand side — SymPy "
        "could not show the difference is 0 (agrees at "
    )
    assert [(s.ok, s.message) for s in result.steps] == [(False, failure)]


def test_a_step_whose_check_raises_says_what_failed_then_the_error_in_brackets() -> None:
    """J = Σ_c x_{2c}: ∂J/∂x_j = 1 is false for odd j; collapsing the sum raises."""
    definition = Definition(J, sp.Sum(xs[2 * c], (c, 1, K)))
    claim = Claim(
        "stride",
        "stride",
        sp.Derivative(J, xs[j]),
        sp.Integer(1),
        (Step(sp.Integer(1), "claimed"),),
        (definition,),
        ranges=(IndexRange(j, sp.Integer(1), 2 * K),),
    )
    [failure] = verify(claim).failures
    assert failure.startswith(
        "step 1 (claimed) does not follow from the left-hand side: at K = 1, j = 1, the "
        "left-hand side is 0 and step 1 is 1 [CannotDecideError: the sum over "
    )
    assert failure.endswith("SymPy evaluates such sums unsoundly]")


def test_a_disagreement_without_certified_values_is_undecided_not_refuted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The witness reports a point but no exact values when SymPy's derivative disagrees with
    the difference quotient: that says nothing about the step, so "cannot decide"."""
    point = Point({}, {x: sp.Integer(1)})
    quotient = WitnessReport(False, 0, "no derivative there, or a wrong rule", point, None)
    monkeypatch.setattr(engine, "witness", lambda *args, **kwargs: quotient)
    claim = dataclasses.replace(
        get_claim("sigmoid_derivative"),
        steps=(Step(sp.Integer(7), "wrong"),),
        result=sp.Integer(7),
    )
    [failure] = verify(claim).failures
    assert failure == (
        "step 1 (wrong): cannot decide whether it follows from the left-hand side — SymPy could "
        "not show the difference is 0 (no derivative there, or a wrong rule)"
    )


# ------------------------------------------------------------- what verify reports


def test_verify_reports_sympys_derivative_of_the_definition_as_computed() -> None:
    claim = get_claim("sigmoid_derivative")
    [definition] = claim.definitions
    [variable] = claim.lhs.variables
    assert verify(claim).computed == sp.diff(definition.expr, variable)


def test_an_ill_formed_claim_computes_nothing_and_checks_no_step() -> None:
    circular = Definition(J, 2 * J - x)
    claim = Claim("circular", "circular", sp.Derivative(J, x), sp.Integer(-3), (), (circular,))
    result = verify(claim)
    assert not result.proven
    assert (result.computed, result.steps, result.witness, result.witness_seconds) == (
        None,
        (),
        "",
        0.0,
    )


def test_verify_reports_the_time_it_took_and_the_witness_share_of_it() -> None:
    start = time.perf_counter()
    result = verify(get_claim("sigmoid_derivative"))
    elapsed = time.perf_counter() - start
    assert result.proven, result.failures
    assert 0 < result.witness_seconds < result.seconds <= elapsed
    assert all(0 < step.seconds <= elapsed for step in result.steps)
    assert sum(step.seconds for step in result.steps) + result.witness_seconds < result.seconds


@pytest.mark.parametrize(
    ("returned", "failure"),
    [
        ("the sum is negative", "check 'extra' failed: the sum is negative"),
        ("", "check 'extra' failed: ''"),
        (False, "check 'extra' failed: False"),
    ],
)
def test_an_extra_check_that_returns_a_problem_fails_the_claim_quoting_it(
    returned: str | bool, failure: str
) -> None:
    claim = get_claim("sigmoid_derivative")
    broken = dataclasses.replace(claim, extra_checks=(("extra", lambda: returned),))
    result = verify(broken)
    assert result.failures == (failure,)
    assert result.witness == ""  # the witness is not asked once a check failed


def test_an_extra_check_that_raises_fails_the_claim_naming_the_error() -> None:
    def boom() -> str | None:
        raise NotImplementedError("no closed form")

    claim = dataclasses.replace(get_claim("sigmoid_derivative"), extra_checks=(("extra", boom),))
    assert verify(claim).failures == (
        "check 'extra' failed: raised NotImplementedError: no closed form",
    )


def test_an_extra_check_that_returns_none_passes() -> None:
    claim = get_claim("sigmoid_derivative")
    result = verify(dataclasses.replace(claim, extra_checks=(("extra", lambda: None),)))
    assert result.proven, result.failures


def test_a_claim_that_makes_a_check_raise_names_the_error_instead_of_crashing() -> None:
    claim = dataclasses.replace(get_claim("sigmoid_derivative"), definitions=(object(),))
    result = verify(claim)
    assert result.failures == (
        "the check raised AttributeError: 'object' object has no attribute 'lhs'",
    )
    assert (result.computed, result.steps, result.domain) == (None, (), ())


def test_the_witness_draws_a_free_index_only_from_its_stated_range() -> None:
    """∂/∂x_j Σ_{c=1}^{K} x_c = 1 holds for 1 ≤ j ≤ K only (it is 0 at K = 1, j = 4)."""
    definition = Definition(J, sp.Sum(xs[c], (c, 1, K)))
    claim = Claim(
        "sum",
        "sum",
        sp.Derivative(J, xs[j]),
        sp.Integer(1),
        (Step(sp.Integer(1), "differentiate the sum"),),
        (definition,),
        ranges=(IndexRange(j, sp.Integer(1), K),),
    )
    result = verify(claim)
    assert result.proven, result.failures
    assert result.witness.startswith("agrees at ")


def test_a_wrong_step_that_slips_past_the_simplifier_is_caught_by_the_witness_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Defence in depth: with ``equivalent`` broken (it accepts anything), the independent
    witness still refuses σ' = σ, naming step 2, the first wrong link."""
    monkeypatch.setattr(engine, "equivalent", lambda *args, **kwargs: True)
    claim = get_claim("sigmoid_derivative")
    [sigma] = claim.definitions
    [variable] = claim.lhs.variables
    wrong = sigma.lhs.func(variable)
    forged = dataclasses.replace(
        claim, steps=(*claim.steps, Step(wrong, "forged")), result=wrong, extra_checks=()
    )
    result = verify(forged)
    [failure] = result.failures
    assert failure.startswith(
        f"the independent witness refuses it: step {len(claim.steps) + 1} disagrees at x = "
    )
    assert failure == f"the independent witness refuses it: {result.witness}"
    assert all(step.ok for step in result.steps)


def test_the_hypotheses_a_step_uses_are_screened_like_the_claims_own() -> None:
    """An unstated hypothesis written with a hidden Dummy symbol is refused for the Dummy,
    before any step is checked."""
    hidden = sp.Dummy("y", real=True)
    claim = get_claim("softmax_ce_delta")
    impostor = Hypothesis("hidden", "a hidden symbol", y[j], hidden)
    steps = list(claim.steps)
    steps[3] = dataclasses.replace(steps[3], uses=(impostor,))
    result = verify(dataclasses.replace(claim, steps=tuple(steps)))
    assert result.steps == ()
    assert any("Dummy" in failure for failure in result.failures), result.failures
