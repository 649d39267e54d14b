"""Capture-free substitution and alpha-equivalence (derivations.kernel.binding), piece by piece.

Every rewrite of the engine goes through this module, so each scoping rule is pinned here:
the variable of limit i of a Sum is bound in the body and in the bounds of the inner limits,
not in its own bounds; Subs and Lambda bind in their body only; Derivative binds nothing.
"""

from __future__ import annotations

import pytest
import sympy as sp

from derivations.kernel.binding import (
    UnsupportedConstructError,
    alpha_equal,
    canonical,
    free_symbols,
    rename_bound,
    substitute,
)

x, t, w = sp.symbols("x t w", real=True)
c, d, e, K = sp.symbols("c d e K", integer=True)
X = sp.IndexedBase("x")
g = sp.Function("g")


def test_substituting_into_an_integral_never_captures_the_argument() -> None:
    result = substitute(sp.Integral(x * t, (t, 0, 1)), {x: t})
    assert result.doit() == t / 2


def test_substituting_into_a_product_and_a_sum_never_captures() -> None:
    assert sp.expand(substitute(sp.Product(x + c, (c, 1, 2)), {x: c}).doit()) == sp.expand(
        (c + 1) * (c + 2)
    )
    assert substitute(sp.Sum(X[c] * x, (c, 1, 3)), {x: c}).doit() == c * (X[1] + X[2] + X[3])


def test_a_bound_variable_is_never_replaced() -> None:
    assert alpha_equal(substitute(sp.Sum(X[c], (c, 1, K)), {c: 5}), sp.Sum(X[c], (c, 1, K)))


def test_free_occurrences_in_limits_are_replaced() -> None:
    assert substitute(sp.Sum(X[c], (c, 1, K)), {K: 2}).doit() == X[1] + X[2]


def test_merged_nested_sums_keep_the_outer_variable_bound_in_the_inner_limit() -> None:
    merged = sp.Sum(sp.Sum(X[c], (c, 1, d)), (d, 1, K))
    assert len(merged.limits) == 2  # SymPy merged them
    renamed = rename_bound(merged)
    _, _, inner_hi = renamed.limits[0]
    outer_var = renamed.limits[1][0]
    assert inner_hi == outer_var and d not in renamed.atoms(sp.Symbol)
    assert free_symbols(merged) == {K, X.label}
    assert alpha_equal(substitute(merged, {d: 7, K: 2}), sp.Sum(sp.Sum(X[c], (c, 1, d)), (d, 1, 2)))


def test_subs_and_lambda_bind_their_variables() -> None:
    subs = sp.Subs(g(x) * w, x, t)
    assert alpha_equal(substitute(subs, {x: w}), subs)  # x is bound: nothing to replace
    assert substitute(subs, {t: x}).doit() == g(x) * w
    lam = sp.Lambda(x, x + w)
    assert alpha_equal(substitute(lam, {x: t}), lam)
    assert substitute(lam, {w: x})(1) == 1 + x


def test_a_derivative_binds_nothing_and_becomes_subs_at_an_expression() -> None:
    derivative = sp.Derivative(g(x), x)
    # d/dx g(x) at x = t: g′(t), kept as Subs until evaluated
    assert substitute(derivative, {x: t}).doit() == sp.Derivative(g(t), t)
    assert substitute(sp.Derivative(x * w, x), {x: w}).doit() == w  # not d/dw (w·w)
    at_expression = substitute(derivative, {x: 2 * w})
    assert isinstance(at_expression, sp.Subs)
    assert at_expression.doit() == sp.Subs(sp.Derivative(g(x), x), x, 2 * w).doit()


def test_an_index_inside_a_derivative_variable_is_replaced_structurally() -> None:
    assert substitute(sp.Derivative(g(X[c]), X[c]), {c: 1}) == sp.Derivative(g(X[1]), X[1])


def test_alpha_equal_ignores_only_bound_names() -> None:
    assert alpha_equal(sp.Sum(X[c], (c, 1, K)), sp.Sum(X[d], (d, 1, K)))
    assert not alpha_equal(sp.Sum(X[c], (c, 1, K)), sp.Sum(X[d], (d, 2, K)))
    # the free c on the left is not the bound c on the right
    assert not alpha_equal(sp.Sum(X[d] + c, (d, 1, K)), sp.Sum(X[c] + c, (c, 1, K)))
    assert alpha_equal(sp.Integral(x * t, (t, 0, 1)), sp.Integral(x * w, (w, 0, 1)))
    assert not alpha_equal(sp.Integral(x * t, (t, 0, 1)), sp.Integral(t * t, (t, 0, 1)))


def test_canonical_names_never_equal_a_user_symbol() -> None:
    form = canonical(sp.Sum(X[c], (c, 1, K)))
    (bound,) = [s for s in form.atoms(sp.Dummy)]
    assert bound != sp.Symbol(str(bound), integer=True)
    assert bound != sp.Dummy(str(bound), integer=True)


def test_summation_variables_are_renamed_to_integers_whatever_their_declaration() -> None:
    loose = sp.Symbol("c")
    renamed = rename_bound(sp.Sum(X[loose], (loose, 1, K)))
    assert renamed.limits[0][0].is_integer is True
    real_t = rename_bound(sp.Integral(t, (t, 0, 1))).limits[0][0]
    assert real_t.is_real is True and real_t.is_integer is not True


def test_matrices_are_renamed_entrywise() -> None:
    matrix = sp.ImmutableMatrix([sp.Sum(X[c], (c, 1, K)), x])
    assert substitute(matrix, {x: c})[1] == c
    assert alpha_equal(matrix[0], rename_bound(matrix)[0])


@pytest.mark.parametrize(
    "construct",
    [sp.Limit(x**2, x, 0), sp.ConditionSet(x, sp.Eq(x, 1), sp.S.Reals)],
    ids=["Limit", "ConditionSet"],
)
def test_an_unmodelled_binder_is_refused(construct) -> None:
    with pytest.raises(UnsupportedConstructError):
        rename_bound(construct + w if isinstance(construct, sp.Expr) else construct)


def test_an_empty_substitution_returns_the_expression_unchanged() -> None:
    expr = sp.Sum(X[c], (c, 1, K))
    assert substitute(expr, {}) is expr


def test_canonical_of_a_piece_of_a_canonical_form_never_captures() -> None:
    """Summing a Kronecker delta over k leaves the inner sums with the level names they had
    under the k-sum; renaming them again must keep Σ_j g(Σ_i W_{j,i} a_i) apart from the
    diagonal Σ_j g(Σ_i W_{i,i} a_i)."""
    W, V, A = sp.IndexedBase("W"), sp.IndexedBase("V"), sp.IndexedBase("a")
    i, j, k, u, m = sp.symbols("i j k u m", integer=True)
    inner = sp.exp(sp.Sum(g(sp.Sum(W[j, i] * A[i], (i, 1, K))) * V[k, j], (j, 1, m)))
    outer = canonical(sp.Sum(inner, (k, 1, K)))
    ((level_k, _, _),) = outer.limits
    piece = outer.function.xreplace({level_k: u})
    assert alpha_equal(piece, inner.xreplace({k: u}))
    level_j, level_i = sorted(piece.atoms(sp.Dummy), key=str)
    diagonal = piece.xreplace({W[level_j, level_i]: W[level_i, level_i]})
    assert not alpha_equal(piece, diagonal)


def test_canonical_names_of_a_piece_with_free_level_names_never_capture_them() -> None:
    """A piece cut out of a canonical form keeps the level name of the sum around it free;
    its own sum must not be given that name: g(Σ_i W_{j,i} a_i) with j free stays apart from
    the diagonal g(Σ_i W_{i,i} a_i)."""
    from derivations.kernel.binding import symbols_free_in

    W, A = sp.IndexedBase("W"), sp.IndexedBase("a")
    i, j = sp.symbols("i j", integer=True)
    whole = canonical(sp.Sum(g(sp.Sum(W[j, i] * A[i], (i, 1, K))), (j, 1, K)))
    piece = whole.function  # g(Σ_{level 1} W_{level 0, level 1} a_{level 1}), level 0 free
    (free,) = symbols_free_in(piece) - {K}
    renamed = canonical(piece)
    assert symbols_free_in(renamed) == {free, K}  # the free level name is kept
    inner = renamed.args[0]
    (bound,) = [limit[0] for limit in inner.limits]
    assert bound != free  # the inner sum did not take the free name
    assert alpha_equal(renamed, piece) and renamed.has(W[free, bound])


def test_symbols_free_in_follows_the_scoping_rule_where_sympy_does_not() -> None:
    """SymPy reports the bound c of Σ_d Σ_{c ≤ d} x_c as free (a merged sum); the scoping walk
    does not, and it counts an entry's index but not the name of an IndexedBase."""
    from derivations.kernel.binding import symbols_free_in

    d = sp.Symbol("d", integer=True)
    merged = sp.Sum(X[c], (c, 1, d), (d, 1, K))
    assert symbols_free_in(merged) == {K}
    assert symbols_free_in(X[c] * x) == {c, x}
    assert symbols_free_in(sp.Subs(sp.Derivative(g(t), t), t, x)) == {x}
