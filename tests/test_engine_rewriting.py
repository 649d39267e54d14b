"""How equality is decided (derivations.kernel.rewriting), one mechanism per test: hypotheses as
substitutions (alpha-matching of sums, algebraic matching of sums of entries), the check of
licensed substitutions, and the refusal of Kronecker sums SymPy evaluates unsoundly."""

from __future__ import annotations

import pytest
import sympy as sp

from derivations.kernel.language import Hypothesis, IndexRange
from derivations.kernel.rewriting import (
    CannotDecideError,
    apply_hypothesis,
    collapse,
    equivalent,
    unjustified_substitutions,
)
from derivations.notation import K, c, j, k, y

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


# ------------------------------------------------------------- sums commute, steps fold


n_ = sp.Symbol("n", integer=True, positive=True)
x_ = sp.IndexedBase("x", real=True)
A_ = sp.IndexedBase("A", real=True)


def test_two_finite_sums_with_independent_limits_are_equal_in_either_order() -> None:
    """Σ_k Σ_j A_{k,j} x_j = Σ_j Σ_k A_{k,j} x_j: the sum over the hidden layer of a network
    and the sum over its outputs are swapped by every backpropagation step."""
    inner_first = sp.Sum(sp.Sum(A_[k, j] * x_[j], (j, 1, n_)), (k, 1, K))
    outer_first = sp.Sum(x_[j] * sp.Sum(A_[k, j], (k, 1, K)), (j, 1, n_))
    assert collapse(inner_first - outer_first) == 0
    assert equivalent(inner_first, outer_first)


def test_sums_whose_limits_depend_on_each_other_are_not_swapped() -> None:
    """Σ_{d=1}^K Σ_{c=1}^d x_c is not Σ_{c=1}^K Σ_{d=1}^K x_c (the first limit depends on d)."""
    d = sp.Symbol("d", integer=True)
    triangle = sp.Sum(sp.Sum(x_[c], (c, 1, d)), (d, 1, K))
    square = sp.Sum(sp.Sum(x_[c], (c, 1, K)), (d, 1, K))
    assert collapse(triangle - square) != 0
    assert not equivalent(triangle, square)
    # the order of dependent limits is never changed, whatever order prints first
    from derivations.kernel.binding import canonical
    from derivations.kernel.rewriting import _commute_limits

    for limits in (((c, 1, d), (d, 1, K)), ((d, 1, c), (c, 1, K))):
        merged = canonical(sp.Sum(x_[c] * A_[c, d], *limits))
        assert [limit[1:] for limit in _commute_limits(merged).limits] == [
            limit[1:] for limit in merged.limits
        ]
    # the same limits in the other order: d free in c's bound, the sum is K Σ_{c ≤ d} x_c
    reordered = sp.Sum(x_[c], (d, 1, K), (c, 1, d))
    assert not equivalent(triangle, reordered)


def test_a_swap_of_sums_that_changes_which_index_an_entry_uses_is_not_equal() -> None:
    """Σ_k Σ_j A_{k,j} x_j is not Σ_k Σ_j A_{j,k} x_j: commuting moves limits, not indices."""
    right = sp.Sum(sp.Sum(A_[k, j] * x_[j], (j, 1, n_)), (k, 1, K))
    transposed = sp.Sum(sp.Sum(A_[j, k] * x_[j], (j, 1, n_)), (k, 1, K))
    assert not equivalent(right, transposed)


def test_sums_are_evaluated_only_by_exact_rules_and_the_rest_is_left_alone() -> None:
    """A sum of unknown entries stays a sum (no closed form exists; SymPy's search for one
    takes seconds); a constant body, a polynomial, a Kronecker delta and a closed-form term
    are summed."""
    from derivations.kernel.rewriting import evaluate

    assert evaluate(sp.Sum(sp.exp(x_[k]), (k, 1, K))) == sp.Sum(sp.exp(x_[k]), (k, 1, K))
    assert evaluate(sp.Sum(3, (k, 1, K))) == 3 * K
    assert sp.expand(evaluate(sp.Sum(k, (k, 1, K))) - K * (K + 1) / 2) == 0
    assert evaluate(sp.Sum((-1) ** k, (k, 1, 2 * n_))) == 0
    summed = evaluate(sp.Sum(x_[k] * sp.KroneckerDelta(k, j), (k, 1, K)))
    assert summed.has(sp.Piecewise) and not summed.has(sp.Sum)
    # δ_(2k, j) has no solution for odd j: SymPy would sum it to x_(j/2); it is left alone
    stride = sp.Sum(x_[k] * sp.KroneckerDelta(2 * k, j), (k, 1, K))
    assert evaluate(stride) == stride


def test_folding_replaces_a_defined_entrys_unfolded_form_by_the_entry() -> None:
    from derivations.kernel.language import Definition
    from derivations.kernel.rewriting import fold, unfold

    z_ = sp.IndexedBase("z")
    b_ = sp.IndexedBase("b", real=True)
    pre = Definition(z_, sp.Sum(A_[j, c] * x_[c], (c, 1, n_)) + b_[j], index=j, text="z")
    written_out = sp.exp(unfold(z_[k], [pre])) * unfold(z_[2], [pre])
    assert fold(written_out, [pre]) == sp.exp(z_[k]) * z_[2]
    # a different entry of A is not the definition: left as it is
    other = sp.Sum(A_[c, j] * x_[c], (c, 1, n_)) + b_[j]
    assert fold(other, [pre]) == other


def test_a_derivative_of_a_defined_entry_is_never_taken_with_the_entry_opaque() -> None:
    """Comparing steps with named quantities kept opaque would make ∂a_c/∂z_j = 0 for a
    defined a; the engine unfolds fully there, so the false step 0 is refused and the true
    one (the softmax Jacobian) is accepted."""
    from derivations.claims.shared import SOFTMAX
    from derivations.notation import a, z

    jacobian = sp.Derivative(a[c], z[j])
    ranges = [IndexRange(j, sp.Integer(1), K), IndexRange(c, sp.Integer(1), K)]
    assert not equivalent(jacobian, sp.Integer(0), [SOFTMAX], (), ranges)
    # both sides name a: the opaque comparison would see ∂a_c/∂z_j + a_j − a_j = 0
    assert not equivalent(jacobian + a[j], a[j], [SOFTMAX], (), ranges)
    true_form = a[c] * (sp.KroneckerDelta(c, j) - a[j])
    assert equivalent(jacobian, true_form, [SOFTMAX], (), ranges)


def test_a_negated_written_out_entry_folds_to_the_negated_entry_and_nothing_else_does() -> None:
    """SymPy's derivative of log(e^z/Σ e^z) holds e^(−z) written out: −b_j − Σ A_(j,c) x_c
    folds to −z_j; a sum that is not exactly the negated definition stays as it is."""
    from derivations.kernel.language import Definition
    from derivations.kernel.rewriting import fold

    z_ = sp.IndexedBase("z")
    b_ = sp.IndexedBase("b", real=True)
    pre = Definition(z_, sp.Sum(A_[j, c] * x_[c], (c, 1, n_)) + b_[j], index=j, text="z")
    negated = -sp.Sum(A_[k, c] * x_[c], (c, 1, n_)) - b_[k]
    assert fold(sp.exp(negated), [pre]) == sp.exp(-z_[k])
    near_miss = -sp.Sum(A_[k, c] * x_[c], (c, 1, n_)) + b_[k]
    assert fold(near_miss, [pre]) == near_miss


def test_the_derivative_of_an_abstract_function_at_an_entry_stays_a_derivative_at_a_point() -> None:
    """g′(z_j) = Subs(d/dξ g(ξ), ξ, z_j) is left as it is (doit would turn it into d/dz_j g(z_j),
    a derivative with respect to an entry that a named quantity could hide); a concrete
    function's derivative at the point is evaluated."""
    from derivations.kernel.rewriting import evaluate
    from derivations.notation import g

    xi = sp.Symbol("xi", real=True)
    z_ = sp.IndexedBase("z")
    at_entry = sp.Subs(sp.Derivative(g(xi), xi), xi, z_[j])
    assert evaluate(at_entry) == at_entry
    assert evaluate(sp.Subs(sp.Derivative(xi**3, xi), xi, z_[j])) == 3 * z_[j] ** 2


def test_a_quantity_named_on_one_side_is_reached_through_the_one_above_it_on_the_other() -> None:
    """z^2 on the left beside a^2 := σ(z^2) on the right: a^2 is unfolded (not z^2, which would
    unfold the whole network), so the opaque comparison proves the quadratic network's
    output rows without writing the network out."""
    from derivations.claims.network import network_claim
    from derivations.kernel.binding import rename_bound
    from derivations.kernel.rewriting import _partly_unfolded_is_zero, evaluate, unfold

    claim = network_claim(1, "quadratic", layers=[2])
    computed = evaluate(rename_bound(unfold(claim.lhs, claim.definitions)))
    step = claim.steps[0].expr
    for row in range(2):
        assert _partly_unfolded_is_zero(
            computed[row], step[row], claim.definitions, claim.hypotheses, claim.ranges
        )
    # the same comparison refuses a wrong step: twice the output delta
    wrong = 2 * step[1]
    assert not _partly_unfolded_is_zero(
        computed[1], wrong, claim.definitions, claim.hypotheses, claim.ranges
    )


def test_unfolding_refuses_a_definition_that_recurs_forever_through_its_index() -> None:
    """a_j := a_(j+1) never repeats a node, yet never ends: deeper than the definitions nest
    is a cycle."""
    from derivations.kernel.language import Definition
    from derivations.kernel.rewriting import CircularDefinitionError, unfold

    recurring = Definition(x_, x_[j + 1], index=j, text="recurring")
    with pytest.raises(CircularDefinitionError):
        unfold(x_[1], [recurring])


def test_a_function_applied_to_itself_unfolds_and_is_not_mistaken_for_a_cycle() -> None:
    """σ(σ(x)) nests σ through its argument, not through its body: it unfolds fully."""
    from derivations.kernel.language import Definition
    from derivations.kernel.rewriting import unfold

    t = sp.Symbol("t", real=True)
    sigma = sp.Function("sigma")
    logistic = Definition(sigma, 1 / (1 + sp.exp(-t)), index=t, text="logistic")
    twice = unfold(sigma(sigma(t)), [logistic])
    assert not twice.has(sigma)
    assert sp.simplify(twice - 1 / (1 + sp.exp(-1 / (1 + sp.exp(-t))))) == 0
