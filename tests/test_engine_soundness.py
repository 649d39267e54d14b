"""Forgeries through the public API, one family at a time: each false statement is refused
with a message that names why; each true version is proven, or refused with "cannot
decide" — never with "does not follow" when the step is right.

Families (from the soundness issue): hypotheses that only share a name, unchecked licensed
substitutions, capture by bound variables (Sum, merged sums, Integral, Product), free-index
ranges leaking into bound indices, circular definitions, derivatives at kinks, numeric
zeros SymPy cannot simplify, 0/0 and poles as "counterexamples", hidden symbol assumptions,
look-alike symbols, non-integer indices, contradictory hypotheses and empty ranges,
identities about nothing, a premise differentiated twice, checks that raise.
"""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from derivations.claims import get_claim
from derivations.claims.recursion import Z_NEXT, delta_next, first_order_cost, z_l, z_next
from derivations.claims.shared import LABELS_SUM_TO_ONE
from derivations.kernel.engine import verify
from derivations.kernel.language import Claim, Definition, Hypothesis, IndexRange, Step
from derivations.kernel.verdicts import CheckedStatement, Counterexample, Verdict, assess
from derivations.notation import K, a, c, j, n, p, r, y

x = sp.Symbol("x", real=True)
t = sp.Symbol("t", real=True)
J = sp.Symbol("J")
F = sp.Function("F")
d = sp.Symbol("d", integer=True)
xs = sp.IndexedBase("x", real=True)


def _claim(lhs, result, definitions=(), *, steps=None, hypotheses=(), ranges=(), kind="derivative"):
    return Claim(
        name="forgery",
        title="forgery",
        lhs=lhs,
        result=result,
        steps=steps if steps is not None else (Step(result, "claimed"),),
        definitions=tuple(definitions),
        hypotheses=tuple(hypotheses),
        ranges=tuple(ranges),
        kind=kind,
    )


def _refused(claim: Claim, *words: str) -> str:
    result = verify(claim)
    assert not result.proven, f"a false statement was proven: {claim.lhs} = {claim.result}"
    text = " | ".join(result.failures)
    for word in words:
        assert word in text, f"{word!r} not in {text!r}"
    return text


def _proven_or_undecided(claim: Claim) -> None:
    """A true statement: proven, or 'cannot decide', never 'does not follow'."""
    result = verify(claim)
    text = " | ".join(result.failures)
    assert result.proven or "cannot decide" in text, text
    assert "does not follow" not in text, text
    assert "witness refuses" not in text, text


# ------------------------------------------------------------- 1. hypotheses by value


def _softmax_with_last_step_using(hypothesis: Hypothesis, *, stated=(LABELS_SUM_TO_ONE,)):
    claim = get_claim("softmax_ce_delta")
    last = dataclasses.replace(claim.steps[-1], expr=a[j], uses=(hypothesis,))
    return dataclasses.replace(
        claim, result=a[j], steps=(*claim.steps[:-1], last), hypotheses=stated
    )


def test_a_hypothesis_that_only_shares_the_stated_ones_name_is_refused() -> None:
    impostor = Hypothesis(LABELS_SUM_TO_ONE.name, LABELS_SUM_TO_ONE.text, y[j], sp.Integer(0))
    _refused(_softmax_with_last_step_using(impostor), "which the claim does not state")


def test_the_stated_hypothesis_with_an_extra_substitution_in_a_step_is_refused() -> None:
    extended = dataclasses.replace(LABELS_SUM_TO_ONE, extra_substitutions=((y[j], sp.Integer(0)),))
    _refused(_softmax_with_last_step_using(extended), "which the claim does not state")


def test_an_unjustified_extra_substitution_is_refused_even_when_stated() -> None:
    extended = dataclasses.replace(LABELS_SUM_TO_ONE, extra_substitutions=((y[j], sp.Integer(0)),))
    claim = _softmax_with_last_step_using(extended, stated=(extended,))
    _refused(claim, "does not follow from its statement")


def test_assess_checks_the_substitutions_of_its_assumption_too() -> None:
    from derivations.sources.catalogue import statements

    statement = next(s for s in statements() if s.key == "000-softmax-delta")
    sneaky = dataclasses.replace(statement.assumption, extra_substitutions=((y[j], sp.Integer(0)),))
    forged = dataclasses.replace(statement, claimed=a[j], assumption=sneaky)
    verdict = assess(forged)
    assert verdict.verdict == Verdict.UNDECIDED
    assert "does not follow from its statement" in verdict.detail


# ------------------------------------------------------------- 2. capture by bound variables


def _nested_sum_claim(result):
    nested = Definition(J, sp.Sum(sp.Sum(xs[c], (c, 1, d)), (d, 1, K)))
    return _claim(
        sp.Derivative(J, xs[d]), result, (nested,), ranges=(IndexRange(d, sp.Integer(1), K),)
    )


def test_merged_nested_sums_cannot_prove_a_wrong_derivative() -> None:
    """SymPy merges the sums; the outer d also sits in the inner limit."""
    _refused(_nested_sum_claim(K), "does not follow")


def test_merged_nested_sums_true_derivative_is_not_refused() -> None:
    _proven_or_undecided(_nested_sum_claim(K - d + 1))


def _integral_claim(result):
    definition = Definition(F, sp.Integral(x * t, (t, 0, 1)), index=x)
    return _claim(sp.Derivative(F(t), t), result, (definition,))


def test_an_integral_cannot_capture_the_argument_of_a_definition() -> None:
    _refused(_integral_claim(sp.Integer(0)), "does not follow")


def test_the_integral_definition_true_derivative_one_half_is_accepted() -> None:
    _proven_or_undecided(_integral_claim(sp.Rational(1, 2)))


def test_a_product_cannot_capture_the_argument_of_a_definition() -> None:
    """H(x) := Π_{k=1}^{2} (x + k), used at x = k·w with a free k: the truth is
    d/dw (kw + 1)(kw + 2) = 2k²w + 3k; capture would give d/dw (w + 1)(2w + 2) = 4(w + 1)."""
    k = sp.Symbol("k", integer=True)
    w = sp.Symbol("w", real=True)
    h = sp.Function("H")
    definitions = (Definition(h, sp.Product(x + k, (k, 1, 2)), index=x), Definition(J, h(k * w)))
    _refused(_claim(sp.Derivative(J, w), 4 * (w + 1), definitions), "does not follow")
    _proven_or_undecided(_claim(sp.Derivative(J, w), 2 * k**2 * w + 3 * k, definitions))


def test_differentiating_with_respect_to_an_integer_is_refused() -> None:
    k = sp.Symbol("k", integer=True)
    definition = Definition(F, x**2, index=x)
    _refused(_claim(sp.Derivative(F(k), k), 2 * k, (definition,)), "integer")


def test_a_free_index_range_does_not_leak_into_a_bound_index_of_the_same_name() -> None:
    """J = Σ_{c=1}^{2K} (x_c if c ≤ K else 2 x_c); the free c ranges over 1..K only.
    For K < e ≤ 2K the truth is ∂J/∂x_e = 2; a leaked range would make it 1."""
    e = sp.Symbol("e", integer=True)
    body = sp.Sum(sp.Piecewise((xs[c], c <= K), (2 * xs[c], True)), (c, 1, 2 * K))
    ranges = (IndexRange(e, K + 1, 2 * K), IndexRange(c, sp.Integer(1), K))
    wrong = _claim(sp.Derivative(J, xs[e]), sp.Integer(1), (Definition(J, body),), ranges=ranges)
    _refused(wrong, "does not follow")
    right = dataclasses.replace(wrong, result=sp.Integer(2), steps=(Step(sp.Integer(2), "x"),))
    _proven_or_undecided(right)


# ------------------------------------------------------------- 3. definitions


def test_a_circular_definition_is_refused_and_named() -> None:
    _refused(
        _claim(sp.Derivative(J, x), sp.Integer(-3), (Definition(J, 2 * J - x),)),
        "circular: J → J",
    )


def test_a_cycle_through_two_definitions_is_refused_and_named() -> None:
    b = sp.Symbol("b")
    definitions = (Definition(J, b + x), Definition(b, J - x))
    _refused(_claim(sp.Derivative(J, x), sp.Integer(7), definitions), "circular", "J", "b")


def test_sympys_own_function_cannot_be_redefined() -> None:
    exp = sp.Function("exp")
    _refused(
        _claim(sp.Derivative(exp(x), x), 2 * x, (Definition(exp, x**2, index=x),)),
        "SymPy's own function exp",
    )


def test_a_defined_object_cannot_be_a_differentiation_variable() -> None:
    softmax = get_claim("softmax_ce_delta").definitions[1]
    definitions = (Definition(J, -sp.Sum(y[c] * sp.log(a[c]), (c, 1, K))), softmax)
    claim = _claim(
        sp.Derivative(J, a[j]),
        -y[j] / a[j],
        definitions,
        ranges=(IndexRange(j, sp.Integer(1), K),),
    )
    _refused(claim, "with respect to the defined object a")


def test_an_assumption_on_a_defined_name_must_follow_from_its_definition() -> None:
    positive = sp.Symbol("P", positive=True)
    claim = _claim(sp.Derivative(positive, x), sp.Integer(-1), (Definition(positive, -x),))
    _refused(claim, "declared positive=True")


# ------------------------------------------------------------- 4. kinks


def _relu_claim(variable, result, hypotheses=()):
    relu = sp.Function("ReLU")
    return _claim(
        sp.Derivative(relu(variable), variable),
        result,
        (Definition(relu, sp.Max(0, variable), index=variable),),
        steps=(Step(result, "at the kink", tuple(hypotheses)),),
        hypotheses=hypotheses,
    )


def test_relu_derivative_at_the_kink_is_not_proven_from_heavisides_convention() -> None:
    at_zero = Hypothesis("at the kink", "x = 0", x, sp.Integer(0))
    _refused(_relu_claim(x, sp.Rational(1, 2), (at_zero,)), "no derivative where")


def test_a_hypothesis_contradicting_the_nonzero_domain_leaves_no_witness_point() -> None:
    x_nonzero = sp.Symbol("x", real=True, nonzero=True)
    at_zero = Hypothesis("at the kink", "x = 0", x_nonzero, sp.Integer(0))
    _refused(_relu_claim(x_nonzero, sp.Rational(1, 2), (at_zero,)), "witness")


def test_the_derivative_of_abs_needs_zero_excluded() -> None:
    absolute = Definition(F, sp.Abs(x), index=x)
    _refused(_claim(sp.Derivative(F(x), x), sp.sign(x), (absolute,)), "no derivative where")
    x_nonzero = sp.Symbol("x", real=True, nonzero=True)
    allowed = Definition(F, sp.Abs(x_nonzero), index=x_nonzero)
    _proven_or_undecided(
        _claim(sp.Derivative(F(x_nonzero), x_nonzero), sp.sign(x_nonzero), (allowed,))
    )


# ------------------------------------------------------------- 5. verdicts


def _statement(truth, claimed, definitions, counterexample=None, expected=Verdict.REFUTED):
    return CheckedStatement(
        key="forgery",
        source="test",
        section="",
        wording="",
        quote="",
        truth=truth,
        claimed=claimed,
        expected=expected,
        definitions=tuple(definitions),
        counterexample=counterexample,
    )


def test_a_numeric_zero_sympy_cannot_simplify_is_never_a_refutation() -> None:
    """d/dx [x (atan ½ + atan ⅓)] = π/4 is true."""
    definition = Definition(
        F, x * (sp.atan(sp.Rational(1, 2)) + sp.atan(sp.Rational(1, 3))), index=x
    )
    statement = _statement(
        sp.Derivative(F(x), x), sp.pi / 4, (definition,), Counterexample(values={x: 1})
    )
    verdict = assess(statement)
    assert verdict.verdict in {Verdict.PROVEN, Verdict.UNDECIDED}, verdict.detail
    # and a wrong constant is refused with a certified difference
    wrong = dataclasses.replace(statement, claimed=sp.pi / 4 + sp.Rational(1, 10**30))
    assert assess(wrong).verdict == Verdict.REFUTED


def test_a_zero_over_zero_point_is_never_a_counterexample() -> None:
    definition = Definition(F, (x**2 - 1) / (x - 1), index=x)
    statement = _statement(
        sp.Derivative(F(x), x), sp.Integer(1), (definition,), Counterexample(values={x: 1})
    )
    verdict = assess(statement)
    assert verdict.verdict != Verdict.REFUTED, verdict.detail


def test_a_pole_is_never_a_counterexample() -> None:
    definition = Definition(F, sp.log(x), index=x)
    statement = _statement(
        sp.Derivative(F(x), x), 1 / x, (definition,), Counterexample(values={x: 0})
    )
    assert assess(statement).verdict != Verdict.REFUTED


def test_a_counterexample_outside_the_declared_domain_is_refused() -> None:
    from derivations.claims.activations import x_nonzero
    from derivations.sources.catalogue import statements

    relu = next(s for s in statements() if s.key == "001-relu-derivative")
    at_zero = dataclasses.replace(relu, counterexample=Counterexample(values={x_nonzero: 0}))
    verdict = assess(at_zero)
    assert verdict.verdict == Verdict.UNDECIDED
    assert "outside the domain" in verdict.detail


def test_refuted_verdicts_without_a_given_counterexample_are_found_by_search() -> None:
    from derivations.sources.catalogue import statements

    code_line = next(s for s in statements() if s.key == "000-code-output-delta")
    found = assess(dataclasses.replace(code_line, counterexample=None))
    assert found.verdict == Verdict.REFUTED, found.detail


# ------------------------------------------------------------- 6. symbols and domains


def test_an_even_size_is_printed_in_the_domain() -> None:
    even = sp.Symbol("K", integer=True, positive=True, even=True)
    s = sp.Symbol("S")
    identity = _claim(
        s,
        sp.Integer(0),
        (Definition(s, sp.Sum((-1) ** c, (c, 1, even))),),
        kind="identity",
    )
    result = verify(identity)
    assert result.proven, result.failures
    assert any(line.startswith("K:") and "even" in line for line in result.domain)


def test_an_assumption_outside_the_printed_vocabulary_is_refused() -> None:
    prime = sp.Symbol("K", integer=True, positive=True, prime=True)
    s = sp.Symbol("S")
    claim = _claim(s, prime, (Definition(s, sp.Sum(1, (c, 1, prime))),), kind="identity")
    _refused(claim, "not part of the printed domain")


def test_a_positive_assumption_is_needed_and_shown_for_sqrt_of_a_square() -> None:
    positive = sp.Symbol("x", positive=True)
    root = Definition(F, sp.sqrt(positive**2), index=positive)
    result = verify(_claim(sp.Derivative(F(positive), positive), sp.Integer(1), (root,)))
    assert result.proven and "x: positive" in " ".join(result.domain)
    real_root = Definition(F, sp.sqrt(x**2), index=x)
    _refused(_claim(sp.Derivative(F(x), x), sp.Integer(1), (real_root,)))


def test_two_different_symbols_printed_alike_are_refused() -> None:
    plain_z = sp.IndexedBase("z")
    real_z = sp.IndexedBase("z", real=True)
    definition = Definition(J, plain_z[1] + real_z[1] ** 2)
    _refused(_claim(sp.Derivative(J, real_z[1]), 2 * real_z[1], (definition,)), "print as 'z'")


def test_a_dummy_symbol_is_refused() -> None:
    hidden = sp.Dummy("x", real=True)
    _refused(
        _claim(
            sp.Derivative(F(hidden), hidden), sp.Integer(1), (Definition(F, hidden, index=hidden),)
        ),
        "Dummy",
    )


# ------------------------------------------------------------- 7. indices and ranges


def test_a_real_index_is_refused() -> None:
    real_t = sp.Symbol("t", real=True)
    definition = Definition(J, sp.Sum(xs[c] * sp.KroneckerDelta(c, real_t), (c, 1, K)))
    _refused(_claim(sp.Derivative(J, xs[1]), sp.Integer(1), (definition,)), "non-integer argument")


def test_a_kronecker_sum_with_an_even_stride_is_not_collapsed_unsoundly() -> None:
    """J = Σ_c x_{2c}: ∂J/∂x_j is 0 for odd j; SymPy would give 1."""
    definition = Definition(J, sp.Sum(xs[2 * c], (c, 1, K)))
    claim = _claim(
        sp.Derivative(J, xs[j]),
        sp.Integer(1),
        (definition,),
        ranges=(IndexRange(j, sp.Integer(1), 2 * K),),
    )
    text = _refused(claim)
    assert "Kronecker" in text or "does not follow" in text


def test_an_empty_index_range_is_refused() -> None:
    claim = get_claim("softmax_ce_delta")
    empty = dataclasses.replace(claim, ranges=(IndexRange(j, K + 1, K),))
    _refused(empty, "may be empty")


def test_a_sum_of_possibly_negative_length_is_refused() -> None:
    integer = sp.Symbol("N", integer=True)
    definition = Definition(J, sp.Sum(x, (c, 1, integer)))
    _refused(_claim(sp.Derivative(J, x), integer, (definition,)), "negative length")


def test_contradictory_hypotheses_prove_nothing() -> None:
    claim = get_claim("softmax_ce_delta")
    two = Hypothesis("labels sum to two", "Σ_c y_c = 2", sp.Sum(y[c], (c, 1, K)), sp.Integer(2))
    last = dataclasses.replace(claim.steps[-1], uses=(LABELS_SUM_TO_ONE,))
    forged = dataclasses.replace(
        claim, hypotheses=(LABELS_SUM_TO_ONE, two), steps=(*claim.steps[:-1], last)
    )
    _refused(forged, "witness")


def test_a_hypothesis_that_no_point_satisfies_proves_nothing() -> None:
    impossible = Hypothesis("y = y + 1", "", y[1], y[1] + 1)
    claim = _claim(
        sp.Derivative(J, x),
        sp.Integer(5),
        (Definition(J, x * y[1]),),
        steps=(Step(sp.Integer(5), "use it", (impossible,)),),
        hypotheses=(impossible,),
    )
    _refused(claim)


def test_a_size_forced_to_zero_by_a_hypothesis_proves_nothing() -> None:
    claim = get_claim("softmax_ce_delta")
    zero = Hypothesis("no classes", "K = 0", K, sp.Integer(0))
    forged = dataclasses.replace(
        claim,
        result=sp.Integer(7),
        hypotheses=(zero,),
        steps=(Step(sp.Integer(7), "K = 0", (zero,)),),
    )
    _refused(forged)


# ------------------------------------------------------------- 8. identities and premises


def test_an_identity_with_no_defined_object_is_refused() -> None:
    _refused(_claim(x + 1, x + 1, kind="identity"), "built from defined objects")


def test_the_first_order_premise_cannot_be_differentiated_twice() -> None:
    definitions = (first_order_cost(delta_next, z_next, p), Z_NEXT)
    claim = _claim(
        sp.Derivative(J, z_l[r], 2),
        sp.Integer(0),
        definitions,
        ranges=(IndexRange(r, sp.Integer(1), n),),
    )
    _refused(claim, "licenses one derivative")


def test_the_first_order_premise_cannot_be_differentiated_by_what_it_holds_fixed() -> None:
    k = sp.Symbol("k", integer=True)
    definitions = (first_order_cost(delta_next, z_next, p), Z_NEXT)
    claim = _claim(
        sp.Derivative(J, delta_next[k]),
        z_next[k],
        definitions,
        ranges=(IndexRange(k, sp.Integer(1), p),),
    )
    _refused(claim, "holds fixed")


# ------------------------------------------------------------- 9. checks that raise


def test_an_extra_check_that_raises_or_returns_false_fails_the_claim() -> None:
    claim = get_claim("sigmoid_derivative")

    def boom() -> str | None:
        raise NotImplementedError("cannot")

    for check in (boom, lambda: False, lambda: ""):
        broken = dataclasses.replace(claim, extra_checks=(("extra", check),))
        _refused(broken, "check 'extra' failed")


def test_garbage_in_a_claim_is_a_failed_check_not_a_crash() -> None:
    claim = dataclasses.replace(get_claim("sigmoid_derivative"), definitions=(object(),))
    assert not verify(claim).proven


@pytest.mark.parametrize("name", ["softmax_ce_delta", "layer_recursion", "relu_derivative"])
def test_every_proven_claim_reports_its_witness_and_domain(name: str) -> None:
    result = verify(get_claim(name))
    assert result.proven, result.failures
    assert result.witness.startswith("agrees at ")
    assert result.domain
