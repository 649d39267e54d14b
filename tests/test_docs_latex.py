"""The LaTeX printer of the generated documents reads the way a mathematician writes."""

from __future__ import annotations

import re

import pytest
import sympy as sp

from derivations.claims import activations, all_claims, batch, network, recursion
from derivations.notation import J, K, a, g, i, j, k, m, r, sigma, x, y, z
from derivations.rendering.latex import indexed_base_latex, latex, latex_lines, natural_key
from derivations.rendering.terminal import pretty
from derivations.sources.catalogue import source_dZ


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (recursion.z_next[k], "z^{l+1}_{k}"),
        (recursion.W_next[k, r], "W^{l+1}_{k,r}"),
        (recursion.delta_next[k], r"\delta^{l+1}_{k}"),
        (recursion.a_prev[r], "a^{l-1}_{r}"),
        (recursion.W_l[r, k], "W^{l}_{r,k}"),
        (source_dZ[r, i], r"\mathrm{d}Z^{[l]}_{r,i}"),
        (batch.dZ[r, i], r"\mathrm{d}Z_{r,i}"),
        (z[j], "z_{j}"),
    ],
)
def test_indexed_objects_have_clean_super_and_subscripts(expr, expected) -> None:
    assert latex(expr) == expected


def test_indexed_base_names_are_split_into_stem_and_superscript() -> None:
    assert indexed_base_latex("z^(l+1)") == ("z", "l+1")
    assert indexed_base_latex("dZ^{[l]}") == (r"\mathrm{d}Z", "[l]")
    assert indexed_base_latex("W") == ("W", "")


def test_squared_entry_with_a_superscript_is_bracketed() -> None:
    assert latex(recursion.z_l[r] ** 2) == r"\left(z^{l}_{r}\right)^{2}"
    assert latex(z[r] ** 2) == "z_{r}^{2}"


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (sp.Derivative(g(x), x), "g'(x)"),
        (sp.Derivative(sigma(x), x), r"\sigma'(x)"),
        (sp.Derivative(activations.relu_f(x), x), r"\operatorname{ReLU}'(x)"),
        (sp.Derivative(J, z[j]), r"\frac{\partial J}{\partial z_{j}}"),
        (sp.Derivative(a[i], z[j]), r"\frac{\partial a_{i}}{\partial z_{j}}"),
        (sp.Heaviside(x), "H(x)"),
        (sp.KroneckerDelta(i, j), r"[i = j]"),
        (sigma(z[j]), r"\sigma(z_{j})"),
        (activations.softplus_f(x), r"\operatorname{softplus}(x)"),
        (activations.leaky_f(x), r"\operatorname{LeakyReLU}(x)"),
        (activations.tanh_f(x), r"\tanh(x)"),
        (sp.log(a[j]), r"\log a_{j}"),
        (sp.Sum(y[k], (k, 1, K)), r"\sum_{k=1}^{K} y_{k}"),
    ],
)
def test_functions_derivatives_and_sums(expr, expected) -> None:
    assert latex(expr) == expected


def test_the_derivative_of_g_evaluated_at_a_point_prints_as_g_prime() -> None:
    # SymPy's own printers give \left. \frac{d}{d\xi} g(\xi) \right|_{\xi = z^1_r} and a bar
    z1 = network.network(2, "softmax_ce").z(1)
    r1, _ = network.row_indices(1)
    at = network.g_prime_at(z1[r1])
    assert isinstance(at, sp.Subs)
    assert latex(at) == "g'(z^{1}_{r_{1}})"
    assert latex(at * z1[r1]) == "z^{1}_{r_{1}} g'(z^{1}_{r_{1}})"
    assert latex(sp.Subs(sp.Derivative(g(x), (x, 2)), x, z[j])) == "g''(z_{j})"
    printed = pretty(at, indent=0)
    assert printed.strip() == "g′(z^1[r_1])", printed
    assert "ξ" not in printed and "│" not in printed


def test_derivatives_inside_a_matrix_are_written_on_one_line() -> None:
    column = sp.ImmutableMatrix([sp.Derivative(J, z[1]), sp.Derivative(J, z[2])])
    assert r"\partial J/\partial z_{1}" in latex(column)
    assert r"\frac" not in latex(column)


def test_double_sum_is_nested_outermost_first() -> None:
    expr = sp.Sum(sp.Sum(batch.Z[r, i], (r, 1, sp.Symbol("n"))), (i, 1, m))
    assert latex(expr) == r"\sum_{i=1}^{m} \sum_{r=1}^{n} Z_{r,i}"


def test_products_read_in_order() -> None:
    # the derivative stays out of the fraction; a mean is written (1/m) Σ
    assert latex(y[j] / a[j] * sp.Derivative(a[j], z[k])) == (
        r"\frac{y_{j}}{a_{j}} \frac{\partial a_{j}}{\partial z_{k}}"
    )
    assert latex(sp.Sum(batch.dZ[r, i], (i, 1, m)) / m) == (
        r"\frac{1}{m} \sum_{i=1}^{m} \mathrm{d}Z_{r,i}"
    )
    assert latex(sigma(x) * (1 - sigma(x))) == r"\sigma(x) \left(1 - \sigma(x)\right)"


def test_sums_of_terms_put_positive_terms_first_in_natural_order() -> None:
    ys = sp.symbols("y_1:12")
    printed = latex(sum(ys))
    assert printed.index("y_{2}") < printed.index("y_{10}")
    assert latex(-x + 1) == "1 - x"
    assert natural_key("y_2") < natural_key("y_10")


def test_long_sums_are_broken_into_lines() -> None:
    ys = sp.symbols("y_1:13")
    lines = latex_lines(-sum(ys), terms_per_line=5)
    assert len(lines) == 3
    assert lines[0].startswith("- y_{1}") and lines[1].startswith("- y_{6}")
    assert latex_lines(x + 1) == ["1 + x"]


def test_no_default_printer_noise_anywhere_in_the_catalogue() -> None:
    """No ``{z^{(l+1)}}_{r}`` braces, no ``\\operatorname{Indexed}``, no ``\\frac{d}{d x}``."""
    for claim in all_claims().values():
        formulas = [claim.lhs, claim.result, *(step.expr for step in claim.steps)]
        formulas += [definition.expr for definition in claim.definitions]
        for formula in formulas:
            printed = latex(formula)
            assert "Indexed" not in printed, (claim.name, printed)
            assert not re.search(r"\{[A-Za-z\\]+\^\{[^}]*\}\}_", printed), (claim.name, printed)
            assert r"\frac{d}{d" not in printed, (claim.name, printed)
            assert r"\theta" not in printed, (claim.name, printed)


def test_a_claim_prints_as_its_derivation_not_its_repr() -> None:
    from derivations.claims import get_claim

    claim = get_claim("softmax_ce_delta")
    tex = latex(claim)
    assert "Claim(" not in tex and "mathtt" not in tex
    assert tex.startswith("\\begin{aligned}") and "&& \\text{(4)}" in tex
    for step in claim.steps:
        assert latex(step.expr) in tex
