"""How equality is decided (derivations.rewriting), one mechanism per test: hypotheses as
substitutions (alpha-matching of sums, algebraic matching of sums of entries), the check of
licensed substitutions, and the refusal of Kronecker sums SymPy evaluates unsoundly."""

from __future__ import annotations

import pytest
import sympy as sp

from derivations.engine import Hypothesis, IndexRange
from derivations.notation import K, c, j, k, y
from derivations.rewriting import (
    CannotDecideError,
    apply_hypothesis,
    collapse,
    equivalent,
    unjustified_substitutions,
)

LABELS = Hypothesis("labels sum to one", "", sp.Sum(y[c], (c, 1, K)), sp.Integer(1))
y1, y2, y3 = sp.symbols("y1 y2 y3", real=True)


def test_a_sum_hypothesis_matches_the_same_sum_under_another_index_name() -> None:
    assert apply_hypothesis(3 * sp.Sum(y[k], (k, 1, K)), LABELS) == 3


def test_a_sum_hypothesis_does_not_match_a_sum_over_other_limits() -> None:
    other = sp.Sum(y[k], (k, 2, K))
    assert apply_hypothesis(other, LABELS).has(sp.Sum)


def test_a_sum_hypothesis_does_not_match_a_sum_whose_body_has_a_free_index_of_that_name() -> None:
    """Σ_k (y_k + c) with a free c is not Σ_c y_c + …: renaming k to c would capture it."""
    tricky = sp.Sum(y[k] + c, (k, 1, K))
    assert apply_hypothesis(tricky, LABELS).has(sp.Sum)


def test_a_sum_of_plain_symbols_is_substituted_inside_a_longer_sum() -> None:
    two = Hypothesis("first two", "", y1 + y2, sp.Integer(1))
    assert sp.expand(apply_hypothesis(y1 + y2 + y3, two)) == 1 + y3


def test_a_licensed_substitution_that_follows_from_the_statement_is_accepted() -> None:
    fixed = Hypothesis(
        "sum", "", y1 + y2 + y3, sp.Integer(1), extra_substitutions=((y3, 1 - y1 - y2),)
    )
    assert unjustified_substitutions(fixed) == []
    assert sp.expand(apply_hypothesis(y3 * 2, fixed)) == sp.expand(2 * (1 - y1 - y2))


def test_a_licensed_substitution_that_does_not_follow_is_named_and_refused() -> None:
    sneaky = Hypothesis(
        "sum", "", y1 + y2 + y3, sp.Integer(1), extra_substitutions=((y3, sp.Integer(0)),)
    )
    assert unjustified_substitutions(sneaky) == ["y3 → 0"]
    with pytest.raises(CannotDecideError, match="does not follow from its statement"):
        apply_hypothesis(y3, sneaky)


def test_equivalence_needs_the_hypothesis_and_the_index_range() -> None:
    delta_any = sp.Sum(y[c] * (sp.KroneckerDelta(c, j) - y[j]), (c, 1, K))
    ranges = (IndexRange(j, sp.Integer(1), K),)
    assert not equivalent(delta_any, y[j] - y[j] * sp.Sum(y[c], (c, 1, K)))
    assert equivalent(delta_any, y[j] - y[j] * sp.Sum(y[c], (c, 1, K)), ranges=ranges)
    assert equivalent(delta_any, sp.Integer(0), hypotheses=(LABELS,), ranges=ranges)


def test_a_kronecker_sum_with_stride_two_is_declined() -> None:
    with pytest.raises(CannotDecideError, match="not of the form"):
        collapse(sp.Sum(y[c] * sp.KroneckerDelta(2 * c, j), (c, 1, K)))


def test_the_unit_stride_kronecker_sum_collapses_inside_its_range() -> None:
    ranges = (IndexRange(j, sp.Integer(1), K),)
    assert collapse(sp.Sum(y[c] * sp.KroneckerDelta(c, j), (c, 1, K)), ranges) == y[j]
    # outside 1..K the delta never fires: never y_j (SymPy may leave it undecided)
    outside = (IndexRange(j, K + 1, 2 * K),)
    assert collapse(sp.Sum(y[c] * sp.KroneckerDelta(c, j), (c, 1, K)), outside) != y[j]
