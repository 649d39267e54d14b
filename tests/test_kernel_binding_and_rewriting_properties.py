"""Behaviours of the kernel's binding and rewriting that no other test pinned (found by
mutation testing of derivations/kernel/binding.py and rewriting.py): each test states one
property the kernel must keep.

Several tests build expressions with *free level names* (``_b0``, ``_b1``: the canonical
names of binders around a piece cut out of a canonical form, as the engine meets them after
summing a Kronecker delta); a binder inside such a piece must be named past every free level
name, or it captures one and two different expressions get the same canonical form.
"""

from __future__ import annotations

import pytest
import sympy as sp

from derivations.kernel.binding import (
    UnsupportedConstructError,
    _level_dummy,
    alpha_equal,
    canonical,
    first_level,
    rename_bound,
    substitute,
)
from derivations.kernel.language import Definition
from derivations.kernel.rewriting import (
    MAX_TERMS,
    CannotDecideError,
    _delta_limits_inward,
    _partly_unfolded_is_zero,
    check_lengths,
    collapse,
    equivalent,
    evaluate,
)

x, y, t = sp.symbols("x y t", real=True)
c, d, K = sp.symbols("c d K", integer=True)
X = sp.IndexedBase("x")
g, h = sp.Function("g"), sp.Function("h")


def _free_level_name(level: int, like: sp.Symbol = c, summation: bool = True) -> sp.Dummy:
    """The canonical name of the binder at ``level`` (with the assumptions of ``like``), as
    it stands free in a piece cut out of a canonical form."""
    return _level_dummy(like, level, summation)


def test_canonical_forms_accept_plain_numbers() -> None:
    # steps may be given as Python numbers (a zero gradient): they are sympified, not refused
    assert canonical(2) == sp.Integer(2)
    assert first_level(0) == 0
    assert alpha_equal(0, sp.Integer(0))


def test_a_dummy_named_like_a_level_name_with_a_small_index_is_not_one() -> None:
    """Level names have dummy indices far from the ones SymPy hands out: a Dummy that only
    carries the printed name ``_b0`` (with an index SymPy could give it) is an ordinary free
    symbol, so a canonical form starts at level 0 beside it."""
    for index in (0, 1):
        lookalike = sp.Dummy("_b0", dummy_index=index, integer=True)
        expr = lookalike * sp.Sum(X[c], (c, 1, K))
        assert first_level(expr) == 0
        assert canonical(expr).has(lookalike)


# Each pair below swaps a bound variable with a free level name (F(v, b) against F(b, v)):
# the two are different expressions, and a binder named at the free level would capture the
# free name and make them identical.


def test_the_later_limits_of_a_sum_never_take_a_free_level_name() -> None:
    """Σ_{c,d} x_c x_d g(b0) against Σ_{c,d} x_c x_{b0} g(d): the limits are named from
    level 1 on (past b0), each limit a level of its own."""
    b0 = _free_level_name(0)
    left = sp.Sum(X[c] * X[d] * g(b0), (c, 1, K), (d, 1, K))
    right = sp.Sum(X[c] * X[b0] * g(d), (c, 1, K), (d, 1, K))
    assert not alpha_equal(left, right)


def test_the_body_of_a_sum_is_named_past_its_own_limits() -> None:
    """Σ_c x_c Σ_d x_d g(b1) against Σ_c x_c Σ_d x_{b1} g(d): c is at level 2 (past the
    free b1), the inner sum at level 3, never at the free level 1."""
    b1 = _free_level_name(1)
    left = sp.Sum(X[c] * sp.Sum(X[d] * g(b1), (d, 1, K)), (c, 1, K))
    right = sp.Sum(X[c] * sp.Sum(X[b1] * g(d), (d, 1, K)), (c, 1, K))
    assert not alpha_equal(left, right)


def test_the_variables_of_a_subs_never_take_a_free_level_name() -> None:
    b0 = _free_level_name(0, like=y, summation=False)
    left = sp.Subs(g(x, y) * h(b0), (x, y), (1, 2))
    right = sp.Subs(g(x, b0) * h(y), (x, y), (1, 2))
    assert not alpha_equal(left, right)


def test_a_sum_inside_a_subs_is_named_past_the_subs_variable() -> None:
    b0 = _free_level_name(0)
    left = sp.Subs(g(x) * sp.Sum(X[c] * h(b0), (c, 1, K)), x, 1)
    right = sp.Subs(g(x) * sp.Sum(X[b0] * h(c), (c, 1, K)), x, 1)
    assert not alpha_equal(left, right)


def test_the_variables_of_a_lambda_never_take_a_free_level_name() -> None:
    b0 = _free_level_name(0, like=y, summation=False)
    left = sp.Lambda((x, y), g(x, y) + h(b0))
    right = sp.Lambda((x, y), g(x, b0) + h(y))
    assert not alpha_equal(left, right)


def test_a_sum_inside_a_lambda_is_named_past_the_lambda_variable() -> None:
    b0 = _free_level_name(0)
    left = sp.Lambda(x, g(x) * sp.Sum(X[c] * h(b0), (c, 1, K)))
    right = sp.Lambda(x, g(x) * sp.Sum(X[b0] * h(c), (c, 1, K)))
    assert not alpha_equal(left, right)


def test_substitution_replaces_occurrences_not_algebraic_patterns() -> None:
    """Without a derivative in sight, :func:`substitute` replaces each key where it occurs
    as a subexpression, nothing more: x + y is not an occurrence inside x + y + t (SymPy's
    ``subs`` would match it algebraically), and x·y not inside x²y²."""
    assert substitute(x + y + t, {x + y: 1}) == x + y + t
    assert substitute(x**2 * y**2, {x * y: t}) == x**2 * y**2
    assert substitute(g(x) + x, {x: 2}) == g(2) + 2


def test_evaluate_never_sums_a_delta_of_stride_two_beside_a_delta_free_of_the_index() -> None:
    """Σ_c f(c) δ(2c, k) δ(j, m) is f(k/2)·δ(j, m) only for even k: SymPy's delta summation
    would give f(k/2) for odd k too.  A delta free of c (δ(j, m)) does not make the sum safe;
    :func:`evaluate` (which the engine applies to a claim's left-hand side before any check
    of its Kronecker sums) leaves it as a sum."""
    j, k, m = sp.symbols("j k m", integer=True)
    f = sp.Function("f")
    stride_two = sp.Sum(f(c) * sp.KroneckerDelta(2 * c, k) * sp.KroneckerDelta(j, m), (c, 1, K))
    assert evaluate(stride_two) == stride_two


def test_an_integral_with_any_indefinite_limit_is_refused() -> None:
    """∫₀¹ ∫ x·t dt dx: one limit without bounds is enough to make the integral not a
    function of its variables; it is refused like a wholly indefinite one."""
    with pytest.raises(UnsupportedConstructError):
        rename_bound(sp.Integral(x * t, (t,), (x, 0, 1)))
    with pytest.raises(UnsupportedConstructError):
        rename_bound(sp.Integral(x * t, (t, 0, 1), (x,)))


def test_limits_move_inward_to_their_delta_only_when_no_bound_depends_on_another() -> None:
    """Σ_{c=1}^{K} Σ_{d=1}^{K} x_c δ(d, j) is summed over d first (its limit moves inward);
    Σ_{d=1}^{K} Σ_{c=1}^{d} x_c δ(d, j) keeps its order: moving d inward would leave the d
    in c's bound outside the sum that binds it."""
    j = sp.Symbol("j", integer=True)
    free_bounds = sp.Sum(X[c] * sp.KroneckerDelta(d, j), (c, 1, K), (d, 1, K))
    assert _delta_limits_inward(free_bounds).limits == ((d, 1, K), (c, 1, K))
    dependent = sp.Sum(X[c] * sp.KroneckerDelta(d, j), (c, 1, d), (d, 1, K))
    assert _delta_limits_inward(dependent) == dependent


def test_canonical_names_start_past_the_highest_free_level_name() -> None:
    """With the level names b0 and b1 free, a binder is named at level 2: past the highest,
    not past the lowest (level 1 would capture b1)."""
    b0, b1 = _free_level_name(0), _free_level_name(1)
    left = g(b0) * sp.Sum(X[c] * h(b1), (c, 1, K))
    right = g(b0) * sp.Sum(X[b1] * h(c), (c, 1, K))
    assert first_level(left) == 2
    assert not alpha_equal(left, right)


def test_a_sum_of_exactly_max_terms_is_evaluated_and_one_more_is_refused() -> None:
    """MAX_TERMS is the most terms allowed, the bound included (1000 terms pass, 1001 not)."""
    check_lengths(sp.Sum(X[c], (c, 1, MAX_TERMS)))
    check_lengths(sp.Product(X[c], (c, 3, MAX_TERMS + 2)))
    with pytest.raises(CannotDecideError):
        check_lengths(sp.Sum(X[c], (c, 1, MAX_TERMS + 1)))


def test_a_sum_of_a_piecewise_whose_conditions_do_not_depend_on_the_index_is_summed() -> None:
    """Σ_c (f(j)·c if j > 0 else 0) is summed piece by piece: (K² + K)/2 · f(j) if j > 0."""
    j = sp.Symbol("j", integer=True)
    f = sp.Function("f")
    summed = evaluate(sp.Sum(sp.Piecewise((f(j) * c, j > 0), (0, True)), (c, 1, K)))
    assert not summed.has(sp.Sum)
    assert sp.simplify(summed - sp.Piecewise((f(j) * K * (K + 1) / 2, j > 0), (0, True))) == 0


def test_sums_inside_a_sum_that_differ_only_in_their_order_of_summation_collapse_alike() -> None:
    """Σ_a x_a g(Σ_{b,c} W_{a,b,c} y_b z_c) and the same with the inner limits swapped are
    one expression: the order of the inner sum's limits is made canonical below the outer
    sum too, so their difference collapses to exactly 0."""
    a, b = sp.symbols("a b", integer=True)
    M = sp.Symbol("M", integer=True)
    W, Y, Z = sp.IndexedBase("W"), sp.IndexedBase("y"), sp.IndexedBase("z")
    inner = W[a, b, c] * Y[b] * Z[c]
    left = sp.Sum(X[a] * g(sp.Sum(inner, (b, 1, K), (c, 1, M))), (a, 1, K))
    right = sp.Sum(X[a] * g(sp.Sum(inner, (c, 1, M), (b, 1, K))), (a, 1, K))
    assert collapse(left - right) == 0


def test_a_product_without_conditions_is_evaluated() -> None:
    """Π_{c=1}^{K} c is K!: only a product whose body has a condition (a Kronecker delta,
    a Piecewise, …) that depends on the index is left unevaluated."""
    assert evaluate(sp.Product(c, (c, 1, K))) == sp.factorial(K)


def test_only_summation_variables_become_integers() -> None:
    """The variables of a Subs and of a Lambda keep their assumptions (a real t stays real,
    not an integer): only a Sum's or Product's variable ranges over integers.  (SymPy's
    Lambda renames its variables to plain Dummies with no assumptions of their own.)"""
    for renamed in (
        rename_bound(sp.Subs(g(t), t, x)).variables[0],
        canonical(sp.Subs(g(t), t, x)).variables[0],
    ):
        assert renamed.is_real is True
        assert renamed.is_integer is None
    for renamed in (
        rename_bound(sp.Lambda(t, t)).signature[0],
        canonical(sp.Lambda(t, t)).signature[0],
    ):
        assert renamed.is_integer is None


def test_substitution_beside_a_derivative_is_simultaneous() -> None:
    """x ↔ y swapped in g′(x)·y is g′(y)·x: the keys are replaced at once, never x → y and
    then that y → x again."""
    swapped = substitute(sp.Derivative(g(x), x) * y, {x: y, y: x})
    assert alpha_equal(swapped, x * sp.Subs(sp.Derivative(g(x), x), x, y))


def test_matrices_are_equivalent_entrywise_and_only_at_the_same_shape() -> None:
    """Two matrices of one shape are compared entry by entry; matrices of different shapes
    (even where the extra entries are 0) or a matrix against a scalar are never equivalent."""
    column = sp.Matrix([x + y, 2 * x])
    assert equivalent(column, sp.Matrix([y + x, x + x]))
    assert not equivalent(column, sp.Matrix([x + y, 2 * y]))
    assert not equivalent(column, sp.Matrix([x + y, 2 * x, 0]))
    assert not equivalent(column, sp.Matrix([[x + y, 2 * x]]))
    assert not equivalent(column, x + y)


def test_the_partial_unfolding_folds_a_side_that_names_nothing_and_accepts_only_zero() -> None:
    """The shortcut of :func:`equivalent` (unfold only what one side names): a side written
    out in full (w_1 v_1 + x beside a_1 + x, with a_j := w_j v_j) is folded first, on either
    side; and a difference of exactly 1 (J + 1 against J) is not 0.  Tested on the shortcut
    itself, since the full unfolding after it would hide a shortcut that gives up or
    accepts wrongly."""
    j = sp.Symbol("j", integer=True)
    A, W, V = sp.IndexedBase("a"), sp.IndexedBase("w"), sp.IndexedBase("v")
    entry = Definition(A, W[j] * V[j], j)
    assert _partly_unfolded_is_zero(A[1] + x, W[1] * V[1] + x, [entry], (), ())
    assert _partly_unfolded_is_zero(W[1] * V[1] + x, A[1] + x, [entry], (), ())
    J = sp.Symbol("J", real=True)
    loss = Definition(J, x**2)
    assert not _partly_unfolded_is_zero(J + 1, J, [loss], (), ())
    assert not equivalent(J + 1, J, [loss])


def test_one_term_sums_and_constant_products_are_evaluated_exactly() -> None:
    """Σ_{c=j}^{j} x_c f(c) is x_j f(j); Π_{c=1}^{K} x is x^K (K factors, not K + 2)."""
    j = sp.Symbol("j", integer=True)
    f = sp.Function("f")
    assert evaluate(sp.Sum(X[c] * f(c), (c, j, j))) == X[j] * f(j)
    assert evaluate(sp.Product(x, (c, 1, K))) == x**K
    assert evaluate(sp.Product(x, (c, 3, 7))) == x**5


def test_collapse_refuses_a_sum_too_long_to_write_out() -> None:
    with pytest.raises(CannotDecideError):
        collapse(sp.Sum(X[c], (c, 1, 10**7)))


def test_the_partial_unfolding_never_accepts_a_derivative_of_an_opaque_quantity() -> None:
    """J + dJ/dx against J with J := x²: as opaque atoms the derivative of J would be 0, so
    the shortcut must decline (dJ/dx = 2x, not 0)."""
    J = sp.Symbol("J", real=True)
    loss = Definition(J, x**2)
    left = sp.Derivative(J, x) + J
    assert not _partly_unfolded_is_zero(left, J, [loss], (), ())
    assert not equivalent(left, J, [loss])


def test_the_partial_unfolding_declines_when_collapsing_cannot_decide() -> None:
    """J + Σ_c f(c) δ(2c, k) against J: collapsing the difference is refused (a stride-2
    delta), which the shortcut reports as not shown (False), never as shown, and the full
    unfolding then refuses the comparison."""
    J = sp.Symbol("J", real=True)
    k = sp.Symbol("k", integer=True)
    f = sp.Function("f")
    loss = Definition(J, x**2)
    left = J + sp.Sum(f(c) * sp.KroneckerDelta(2 * c, k), (c, 1, K))
    assert _partly_unfolded_is_zero(left, J, [loss], (), ()) is False
    with pytest.raises(CannotDecideError):
        equivalent(left, J, [loss])


def test_a_sum_of_a_piecewise_whose_condition_depends_on_the_index_is_left_alone() -> None:
    """Σ_c (f(j)·c if c > 2 else 0): a condition on c cannot be kept outside the sum, so the
    sum is not split into pieces (doing so would leave c free)."""
    j = sp.Symbol("j", integer=True)
    f = sp.Function("f")
    summed = evaluate(sp.Sum(sp.Piecewise((f(j) * c, c > 2), (0, True)), (c, 1, K)))
    assert c not in summed.free_symbols


@pytest.mark.parametrize("where", ["fold", "collapse"])
@pytest.mark.parametrize("error", [NotImplementedError, ValueError, RecursionError])
def test_the_opaque_comparison_answers_no_when_sympy_gives_up(where, error, monkeypatch) -> None:
    """Where SymPy gives up while folding or collapsing, the shortcut has shown nothing: it
    must answer False (the full unfolding decides), never True."""
    import derivations.kernel.rewriting as rewriting

    def gives_up(*args, **kwargs):
        raise error("SymPy gave up")

    monkeypatch.setattr(rewriting, where, gives_up)
    x = sp.Symbol("x", real=True)
    a, b = sp.symbols("a b", real=True)
    definitions = (Definition(a, x**2), Definition(b, 2 * x))
    # the sides name different quantities, so the shortcut must fold or collapse to decide
    assert rewriting._partly_unfolded_is_zero(sp.Integer(7) * x, a, definitions, (), ()) is False
    assert rewriting._partly_unfolded_is_zero(a + b, b + a + 1, definitions, (), ()) is False
