"""The census of the sources, the theorems they invite, and the computed findings.

Every census entry gets a verdict of its kind; every line of both sources is accounted for;
each new theorem is proven and a wrong variant of it fails; each refutation's counterexample
is checked again here, exactly or with interval arithmetic.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import mpmath
import numpy as np
import pytest
import sympy as sp
from proof_cache import SHARED, share_results, verified

from derivations.claims import all_claims, convexity, information, stability
from derivations.kernel.engine import verify
from derivations.kernel.intervals import enclose, sign
from derivations.kernel.language import Step
from derivations.kernel.verdicts import Verdict
from derivations.notation import K, a, c, j, k, sigma, x, z
from derivations.sources import findings
from derivations.sources.catalogue import statements
from derivations.sources.census import READABLE_COPY, Kind, entries
from derivations.sources.census.coverage import uncovered
from derivations.verification import judge_census

pytestmark = SHARED  # the proofs and verdicts the entries cite, shared with test_proofs.py

ENTRIES = {entry.key: entry for entry in entries()}
CLAIMS = all_claims()


# ------------------------------------------------------------------ the census


@pytest.mark.parametrize("key", list(ENTRIES))
def test_census_entry_gets_the_verdict_of_its_kind(key: str, monkeypatch, record_property) -> None:
    share_results(monkeypatch)  # each cited proof and verdict computed once per session
    entry = ENTRIES[key]
    verdict = judge_census([entry])[0]
    if entry.kind == Kind.MATHEMATICAL:
        assert entry.basis, f"{key} cites nothing that decides it"
        assert verdict.verdict == str(entry.expected), verdict.detail
    else:
        assert verdict.verdict == str(entry.kind)
        assert entry.why, f"{key}: a verdict of kind {entry.kind} must say why"
    record_property("verified", ("census", key, str(verdict.verdict)))


def test_every_line_of_both_sources_is_in_the_census_or_skipped_for_a_reason(
    source_documents,
) -> None:
    for source, copy in READABLE_COPY.items():
        text = (source_documents / copy).read_text(encoding="utf-8")
        assert uncovered(source, text) == [], source


def test_census_quotes_are_verbatim_from_the_sources(source_documents) -> None:
    texts = {
        s: (source_documents / c).read_text(encoding="utf-8") for s, c in READABLE_COPY.items()
    }
    for entry in entries():
        assert entry.quote in texts[entry.source], entry.key


def test_census_reuses_every_catalogue_statement_and_cites_only_what_exists() -> None:
    catalogue = {statement.key for statement in statements()}
    cited = {name for entry in entries() for name in entry.statements}
    assert catalogue <= cited
    for entry in entries():
        assert set(entry.statements) <= catalogue, entry.key
        assert set(entry.claims) <= set(CLAIMS), entry.key
        assert set(entry.findings) <= set(findings.FINDINGS), entry.key


def test_uncovered_finds_a_sentence_missing_from_the_census() -> None:
    source = next(iter(READABLE_COPY))
    assert uncovered(source, "A sentence that no entry quotes.") == [
        "A sentence that no entry quotes."
    ]
    assert uncovered(source, "# a heading\n```python\n") == []


def test_a_wrong_expected_verdict_is_reported_as_unexpected() -> None:
    entry = replace(ENTRIES["000-ce-probabilistic"], expected=Verdict.REFUTED)
    assert not judge_census([entry])[0].as_expected


# ------------------------------------------------------------------ cross-entropy and KL


def test_cross_entropy_is_entropy_plus_kl_for_symbolic_K() -> None:
    claim = CLAIMS["cross_entropy_entropy_kl"]
    assert verify(claim).proven


def test_cross_entropy_is_not_entropy_minus_kl() -> None:
    claim = CLAIMS["cross_entropy_entropy_kl"]
    wrong = replace(
        claim,
        result=information.H - information.KL,
        steps=(*claim.steps[:-1], Step(information.H - information.KL, "wrong sign")),
    )
    assert not verify(wrong).proven


def test_kl_is_a_sum_of_nonnegative_terms_for_probability_vectors() -> None:
    assert verified(CLAIMS["kl_divergence_gibbs"]).proven
    assert information.phi_is_nonnegative_and_zero_only_at_one() is None


def test_kl_sum_of_terms_needs_both_vectors_to_sum_to_one() -> None:
    claim = CLAIMS["kl_divergence_gibbs"]
    result = verify(replace(claim, hypotheses=(information.P_SUMS_TO_ONE,)))
    assert not result.proven


def test_phi_is_zero_exactly_at_one_and_positive_elsewhere() -> None:
    phi = information.PHI.expr
    t = information.t
    assert phi.subs(t, 1) == 0
    for value in (sp.Rational(1, 3), sp.Integer(2), sp.Integer(7)):
        assert sign(phi.subs(t, value)) == 1


# ------------------------------------------------------------------ convexity


def _loss_from_definition(point: tuple) -> sp.Expr:
    """J at θ straight from the definition −log softmax(z)_1, not the closed form."""
    return convexity.J_NET.expr.xreplace(dict(zip(convexity.PARAMETERS, point, strict=True)))


def _explicit(expr: sp.Expr) -> sp.Expr:
    return expr.replace(sigma, lambda argument: 1 / (1 + sp.exp(-argument)))


def test_loss_is_not_convex_in_the_weights_certified_by_interval_arithmetic() -> None:
    assert verified(CLAIMS["loss_not_convex_in_weights"]).proven
    violation = convexity.midpoint_violation()
    assert violation.midpoint == tuple(
        (p + q) / 2 for p, q in zip(violation.theta_a, violation.theta_b, strict=True)
    )
    gap = (
        _loss_from_definition(violation.midpoint)
        - (_loss_from_definition(violation.theta_a) + _loss_from_definition(violation.theta_b)) / 2
    )
    box = enclose(_explicit(gap))
    assert box.a > 0
    assert sp.N(_explicit(gap), 50) > 0
    assert abs(sp.N(_explicit(gap - violation.gap), 50)) < sp.Float(10) ** -45


def test_a_convex_direction_gives_no_midpoint_violation() -> None:
    """Moving only the output bias c_1 moves only a logit: J is convex there (wrong variant)."""
    theta_a = (0, 0, 0, 0, 1, 0)
    theta_b = (0, 0, 0, 0, -1, 0)
    gap = (
        convexity.loss_at((0,) * 6) - (convexity.loss_at(theta_a) + convexity.loss_at(theta_b)) / 2
    )
    assert sign(gap) == -1


def test_loss_has_no_minimiser_and_no_stationary_point() -> None:
    assert verified(CLAIMS["loss_has_no_minimiser"]).proven
    assert convexity._no_minimiser() is None


def test_loss_closed_form_without_the_logit_term_fails() -> None:
    claim = CLAIMS["loss_has_no_minimiser"]
    wrong_form = sp.log(sp.exp(convexity._z1) + sp.exp(convexity._z2))
    wrong = replace(claim, result=wrong_form, steps=(Step(wrong_form, "dropped − z_1"),))
    assert not verify(wrong).proven


# ------------------------------------------------------------------ stable forms


def test_stable_forms_are_proven() -> None:
    for claim in stability.claims():
        assert verified(CLAIMS[claim.name]).proven, claim.name


def test_wrong_stable_sigmoid_fails() -> None:
    claim = CLAIMS["sigmoid_stable_form"]
    wrong_form = sp.exp(x) / (1 + sp.exp(-x))
    assert not verify(replace(claim, result=wrong_form, steps=(Step(wrong_form, "wrong"),))).proven


def test_shifting_only_the_numerator_changes_the_softmax() -> None:
    claim = CLAIMS["softmax_shift_invariance"]
    wrong_form = sp.exp(z[j] - stability.SHIFT) / sp.Sum(sp.exp(z[k]), (k, 1, K))
    wrong = replace(claim, result=wrong_form, steps=(Step(wrong_form, "shift one side"),))
    assert not verify(wrong).proven
    assert a[j] != wrong_form and c is not None


# ------------------------------------------------------------------ float64 findings


def _quietly(function, *args):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args)


def test_sigmoid_code_returns_zero_at_minus_710_where_sigma_is_a_positive_float64() -> None:
    finding = findings.sigmoid_code_in_float64()
    assert finding.verdict == Verdict.REFUTED
    assert finding.counterexample == "z = -710"
    assert _quietly(findings._sigmoid_code, np.float64(-710)) == 0.0
    exact = enclose(1 / (1 + sp.exp(710)))
    assert exact.a > mpmath.mpf(2) ** -1074  # above the smallest positive float64
    one_before = enclose(1 / (1 + sp.exp(709)))
    assert findings._agrees(_quietly(findings._sigmoid_code, np.float64(-709)), one_before)


def test_cross_entropy_from_rounded_sigmoid_is_infinite_at_z_37() -> None:
    finding = findings.cross_entropy_from_sigmoid_in_float64()
    assert finding.verdict == Verdict.REFUTED
    assert finding.counterexample == "y = 0, z = 37"
    assert _quietly(lambda: -np.log(1 - findings._sigmoid_code(np.float64(37)))) == np.inf
    exact = sp.log(1 + sp.exp(37))
    assert sign(exact - 37) == 1
    assert sign(exact - 37 - sp.Rational(1, 10**15)) == -1


def test_softmax_as_written_is_nan_at_710_and_the_shifted_form_is_right() -> None:
    finding = findings.softmax_formula_in_float64()
    assert finding.counterexample == "z = (710, 0)"
    logits = np.array([710.0, 0.0])
    naive = _quietly(lambda: np.exp(logits) / np.exp(logits).sum())
    assert np.isnan(naive[0])
    shifted = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    assert findings._agrees(float(shifted[0]), enclose(1 / (1 + sp.exp(-710))))


# ------------------------------------------------------------------ shapes


def test_adding_an_n_by_1_bias_to_an_n_by_m_product_needs_broadcasting() -> None:
    finding = findings.forward_shapes()
    assert finding.verdict == Verdict.PROVEN_UNDER_ASSUMPTION
    assert finding.counterexample == "n = 1, q = 1, m = 2"
    with pytest.raises(sp.ShapeError):
        sp.MatrixSymbol("W", 1, 1) * sp.MatrixSymbol("A", 1, 2) + sp.MatrixSymbol("b", 1, 1)
    product = sp.ones(1, 1) * sp.Matrix([[1, 2]])
    assert product + sp.Matrix([[5]]) * sp.ones(1, 2) == sp.Matrix([[6, 7]])


def test_backward_equations_have_the_shapes_of_what_they_update() -> None:
    assert findings.backward_shapes_001().verdict == Verdict.PROVEN
    assert findings.backward_shapes_000().verdict == Verdict.PROVEN


def test_code_bias_gradient_has_the_shape_of_b_only_for_one_example() -> None:
    finding = findings.code_gradient_shapes_000()
    assert finding.verdict == Verdict.PROVEN_UNDER_ASSUMPTION
    assert finding.counterexample == "n = 1, m = 2"


def test_convergence_to_a_minimiser_is_refuted() -> None:
    finding = findings.convergence_to_minimiser()
    assert finding.verdict == Verdict.REFUTED


# ------------------------------------------------------------------ intervals


def test_interval_enclosures_contain_the_value_and_certify_signs() -> None:
    value = sp.log(2) - sp.Rational(1, 2)  # 0.19314718…
    assert sign(value - sp.Rational(193147, 10**6)) == 1
    assert sign(value - sp.Rational(193148, 10**6)) == -1
    assert sign(sp.exp(-1000)) == 1
    assert sign(sp.Integer(0)) == 0
    with pytest.raises(ValueError):
        enclose(sp.Symbol("x"))
