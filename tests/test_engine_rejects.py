"""A proof that can't fail proves nothing: wrong derivatives, steps and hypotheses fail."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from derivations.claims import UnknownClaimError, get_claim
from derivations.claims.quadratic import QUADRATIC_LOSS
from derivations.claims.shared import LABELS_SUM_TO_ONE
from derivations.kernel.engine import verify
from derivations.kernel.language import ProofError
from derivations.kernel.rewriting import equivalent
from derivations.kernel.verdicts import CheckedStatement, Counterexample, Verdict, assess
from derivations.notation import K, a, c, j, y


def _replace_step(claim, number: int, **changes):
    steps = list(claim.steps)
    steps[number - 1] = dataclasses.replace(steps[number - 1], **changes)
    return dataclasses.replace(claim, steps=tuple(steps))


def test_wrong_loss_makes_the_first_step_fail_against_the_computed_derivative() -> None:
    """Same derivation, but J is the quadratic cost: SymPy's derivative disagrees."""
    claim = get_claim("softmax_ce_delta")
    definitions = (QUADRATIC_LOSS, *claim.definitions[1:])
    wrong = dataclasses.replace(claim, definitions=definitions)
    result = verify(wrong)
    assert not result.proven
    assert result.failures[0].startswith("step 1 (chain rule through the logarithm)")
    assert "does not follow from the left-hand side: at K = " in result.failures[0]


def test_wrong_result_is_rejected_even_if_typed_in_as_the_last_step() -> None:
    """Claim the quadratic-cost delta for cross-entropy: the last step cannot verify."""
    claim = get_claim("sigmoid_bce_delta")
    wrong_result = (a[j] - y[j]) * a[j] * (1 - a[j])
    wrong = _replace_step(claim, len(claim.steps), expr=wrong_result)
    wrong = dataclasses.replace(wrong, result=wrong_result)
    result = verify(wrong)
    assert not result.proven
    assert any(f"step {len(claim.steps)} " in failure for failure in result.failures)


def test_a_wrong_intermediate_step_is_named_in_the_error() -> None:
    claim = get_claim("softmax_ce_delta")
    # drop the minus sign of step 2
    wrong = _replace_step(claim, 2, expr=-claim.steps[1].expr)
    result = verify(wrong)
    assert not result.proven
    assert [s.ok for s in result.steps] == [True, False, False, True]
    with pytest.raises(ProofError, match=r"step 2 \(softmax Jacobian"):
        result.raise_if_failed()


def test_missing_hypothesis_in_the_claim_makes_the_proof_fail() -> None:
    """The step names Σy = 1 but the claim does not state it."""
    claim = get_claim("softmax_ce_delta")
    wrong = dataclasses.replace(claim, hypotheses=())
    result = verify(wrong)
    assert not result.proven
    assert (
        "uses hypothesis labels sum to one which the claim does not state" in (result.failures[0])
    )


def test_step_that_needs_a_hypothesis_it_does_not_name_fails() -> None:
    claim = get_claim("softmax_ce_delta")
    wrong = _replace_step(claim, 4, uses=())
    result = verify(wrong)
    assert not result.proven
    [failure] = result.failures
    assert failure.startswith(
        "step 4 (substitute the hypothesis Σ_c y_c = 1) does not follow from step 3: at K = "
    )


def test_derivation_must_end_at_the_claimed_result() -> None:
    claim = get_claim("softmax_ce_delta")
    wrong = dataclasses.replace(claim, result=a[j] - 2 * y[j])
    assert "the derivation does not end at the claimed result" in verify(wrong).failures


def test_left_hand_side_must_be_computed_not_typed_in() -> None:
    claim = get_claim("softmax_ce_delta")
    wrong = dataclasses.replace(claim, lhs=a[j] - y[j])
    result = verify(wrong)
    assert not result.proven
    assert "unevaluated derivative" in result.failures[0]


def test_hypothesis_substitution_is_needed_for_the_softmax_delta() -> None:
    delta_any = a[j] * sp.Sum(y[c], (c, 1, K)) - y[j]
    assert not equivalent(delta_any, a[j] - y[j])
    assert equivalent(delta_any, a[j] - y[j], hypotheses=(LABELS_SUM_TO_ONE,))


def test_sums_that_differ_only_in_index_name_are_equal_but_different_sums_are_not() -> None:
    k = sp.Symbol("k", integer=True)
    assert equivalent(sp.Sum(y[c], (c, 1, K)), sp.Sum(y[k], (k, 1, K)))
    assert not equivalent(sp.Sum(y[c], (c, 1, K)), sp.Sum(y[k], (k, 2, K)))


def test_unknown_claim_name_gives_a_clear_error_with_suggestions() -> None:
    with pytest.raises(UnknownClaimError, match="Did you mean softmax_ce_delta"):
        get_claim("softmax_ce_delt")


def test_refutation_needs_a_point_where_the_values_really_differ() -> None:
    """ReLU′ = x agrees with the true derivative at x = 1: no verdict can be drawn there."""
    from derivations.sources.catalogue import statements

    relu = next(s for s in statements() if s.key == "001-relu-derivative")
    from derivations.claims.activations import x_nonzero

    at_one = dataclasses.replace(relu, counterexample=Counterexample(values={x_nonzero: 1}))
    assert assess(at_one).verdict == Verdict.UNDECIDED
    assert assess(relu).verdict == Verdict.REFUTED


def test_a_true_statement_is_never_refuted() -> None:
    from derivations.sources.catalogue import statements

    sigmoid = next(s for s in statements() if s.key == "000-sigmoid-delta")
    assert isinstance(sigmoid, CheckedStatement)
    assert assess(sigmoid).verdict == Verdict.PROVEN


def test_unfolding_never_captures_an_index_with_a_summation_index() -> None:
    """J written with summation index i, while z^{l+1}_i's definition sums over i too."""
    from derivations.claims.recursion import Z_NEXT, W_next, delta_next, z_l, z_next
    from derivations.kernel.language import Claim, Definition, IndexRange, Step
    from derivations.notation import J as COST
    from derivations.notation import g, i, k, n, p, r

    first_order = Definition(COST, sp.Sum(delta_next[i] * z_next[i], (i, 1, p)))
    slope = sp.Derivative(g(z_l[r]), z_l[r])
    wrong = sp.Sum(delta_next[k], (k, 1, p)) * W_next[r, r] * slope
    right = sp.Sum(W_next[k, r] * delta_next[k], (k, 1, p)) * slope
    results = {}
    for name, result in [("wrong", wrong), ("right", right)]:
        claim = Claim(
            name=name,
            title=name,
            lhs=sp.Derivative(COST, z_l[r]),
            result=result,
            steps=(Step(result, "chain rule"),),
            definitions=(first_order, Z_NEXT),
            ranges=(IndexRange(r, sp.Integer(1), n),),
        )
        results[name] = verify(claim).proven
    assert results == {"wrong": False, "right": True}


def test_a_hypothesis_cannot_license_a_substitution_its_statement_does_not_imply() -> None:
    claim = get_claim("softmax_ce_delta")
    sneaky = dataclasses.replace(LABELS_SUM_TO_ONE, extra_substitutions=((y[j], sp.Integer(0)),))
    wrong = dataclasses.replace(
        claim,
        result=a[j],
        hypotheses=(sneaky,),
        steps=(*claim.steps[:-1], dataclasses.replace(claim.steps[-1], expr=a[j], uses=(sneaky,))),
    )
    result = verify(wrong)
    assert not result.proven
    assert "does not follow from its statement" in result.failures[0]


def test_a_derivative_multiplied_by_a_typed_in_formula_is_not_accepted_as_computed() -> None:
    claim = get_claim("softmax_ce_delta")
    x = sp.Symbol("x")
    wrong = dataclasses.replace(claim, lhs=sp.Derivative(x, x) * (a[j] - y[j]))
    assert "unevaluated derivative" in verify(wrong).failures[0]


def test_a_name_defined_twice_is_rejected() -> None:
    claim = get_claim("softmax_ce_delta")
    wrong = dataclasses.replace(claim, definitions=(*claim.definitions, claim.definitions[0]))
    assert "defined 2 times" in verify(wrong).failures[0]


def test_a_counterexample_that_leaves_symbols_free_gives_no_verdict() -> None:
    from derivations.sources.catalogue import statements

    code_line = next(s for s in statements() if s.key == "000-code-output-delta")
    vague = dataclasses.replace(code_line, counterexample=Counterexample(indices={j: 1}))
    assert assess(vague).verdict == Verdict.UNDECIDED
    assert assess(code_line).verdict == Verdict.REFUTED
