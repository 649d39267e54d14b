"""The kernel refuses every forgery of the second adversarial review, family by family.

Families: (1) capture through a definition — a defined name used under a binder that binds
one of its free symbols; (2) a perturbation below the witness's old tolerance (10⁻⁵⁰);
(3) Kronecker deltas of stride 2 inside a Product, and a witness that tried a free index at
its ends only; (4) a sign-flipped formula refuted only at a point inside the stated
assumption (one-hot labels); (5) enclosures that enclose (mpmath issue 1181).  Each family
has the reviewer's example and at least one member built here.  Families 6–9 come from the
third review; 10–15 from the fourth: (10) SymPy's product of square roots; (11) objects that
pretend to be SymPy's or the kernel's (a class claiming a SymPy module, subclasses of
Definition, Hypothesis, Claim, Step); (12) assumptions hidden on a matrix rather than its
name; (13) a hypothesis that substitutes for a function value inside a derivative; (14) a
kink hidden by a Subs that swaps its variables; (15) a true statement refuted through a
wrong closed form of a smooth integral.
"""

from __future__ import annotations

import dataclasses

import mpmath
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from derivations.claims import get_claim
from derivations.kernel.counterexamples import evaluate
from derivations.kernel.engine import verify
from derivations.kernel.intervals import enclose, sign
from derivations.kernel.language import Claim, Definition, Hypothesis, IndexRange, Step
from derivations.kernel.rewriting import unfold
from derivations.kernel.verdicts import CheckedStatement, Counterexample, Verdict, assess
from derivations.kernel.wellformed import Subject, problems
from derivations.kernel.witness import witness
from derivations.notation import K
from derivations.user_claims import statement_for

x = sp.Symbol("x", real=True)
t = sp.Symbol("t", real=True)
c = sp.Symbol("c", integer=True)
d = sp.Symbol("d", integer=True)
j = sp.Symbol("j", integer=True)
y = sp.IndexedBase("y", real=True)
L, J, M, G, F = sp.symbols("L J M G F", real=True)


def _claim(lhs, result, definitions, *, ranges=(), kind="derivative") -> Claim:
    return Claim(
        "forgery", "forgery", lhs, result, (Step(result, "claimed"),), tuple(definitions),
        (), tuple(ranges), kind=kind,
    )  # fmt: skip


def _refused(claim: Claim, *words: str) -> str:
    result = verify(claim)
    assert not result.proven, f"a false statement was proven: {claim.lhs} = {claim.result}"
    text = " | ".join(result.failures)
    for word in words:
        assert word in text, text
    return text


# --------------------------------------------------------------------------- 1. capture

CAPTURED = (Definition(L, x * y[c]), Definition(J, sp.Sum(L, (c, 1, K))))
C_RANGE = (IndexRange(c, 1, K),)


@pytest.mark.parametrize(
    "result",
    [K * y[c], sp.Sum(y[d], (d, 1, K)), K * y[c] + sp.Rational(1, 10**50) * (K * y[c])],
    ids=["K*y_c (the atom reading)", "sum of y (the unfolded reading)", "perturbed"],
)
def test_a_definition_whose_free_index_a_sum_binds_is_refused_naming_both(result) -> None:
    _refused(
        _claim(sp.Derivative(J, x), result, CAPTURED, ranges=C_RANGE),
        "binder binds c",
        "definition of L",
    )


@pytest.mark.parametrize(
    ("lhs", "result"),
    [
        (sp.Sum(L, (c, 1, K)), K * x * y[c]),
        (sp.Product(L, (c, 1, K)), (x * y[c]) ** K),
        (sp.Subs(L, c, 2), x * y[c]),
    ],
    ids=["sum", "product", "subs"],
)
def test_identities_that_capture_through_a_definition_are_refused(lhs, result) -> None:
    definitions = (Definition(L, x * y[c]),)
    _refused(_claim(lhs, result, definitions, ranges=C_RANGE, kind="identity"), "binder binds c")


@pytest.mark.parametrize("variable", [t, x], ids=["dG/dt", "dG/dx"])
def test_an_integral_that_binds_a_definitions_free_symbol_is_refused(variable) -> None:
    definitions = (Definition(F, x * t), Definition(G, sp.Integral(F, (t, 0, 1))))
    wrong = x if variable == t else t
    _refused(_claim(sp.Derivative(G, variable), wrong, definitions), "binder binds t")


def test_capture_through_a_chain_of_definitions_is_refused() -> None:
    """M := L, L := x·y_c: M's body has no c, but what it stands for does."""
    definitions = (Definition(L, x * y[c]), Definition(M, L), Definition(J, sp.Sum(M, (c, 1, K))))
    _refused(
        _claim(sp.Derivative(J, x), K * y[c], definitions, ranges=C_RANGE),
        "binder binds c",
        "definition of M",
    )


def test_the_dependence_stated_as_an_index_is_proven() -> None:
    """The well-formed way to say it: L_c := x·y_c, J := Σ_c L_c, dJ/dx = Σ_c y_c."""
    entry = sp.IndexedBase("L", real=True)
    definitions = (Definition(entry, x * y[d], d), Definition(J, sp.Sum(entry[c], (c, 1, K))))
    result = sp.Sum(y[c], (c, 1, K))
    assert verify(_claim(sp.Derivative(J, x), result, definitions)).proven


#: bodies for a named quantity L, each with its free symbols
BODIES = {
    "x*y_c": x * y[c],
    "x+y_d": x + y[d],
    "x*c": x * c,
    "x**2": x**2,
    "t*x": t * x,
}
#: binders around L: (name, the symbols it binds, build)
BINDERS = {
    "sum over c": ({c}, lambda body: sp.Sum(body, (c, 1, 3))),
    "sum over d": ({d}, lambda body: sp.Sum(body, (d, 1, 2))),
    "product over c": ({c}, lambda body: sp.Product(body, (c, 1, 2))),
    "subs c=2": ({c}, lambda body: sp.Subs(body, c, 2)),
    "integral over t": ({t}, lambda body: sp.Integral(body, (t, 0, 1))),
}


@given(
    body=st.sampled_from(sorted(BODIES)),
    binder=st.sampled_from(sorted(BINDERS)),
    point=st.tuples(*(st.fractions(-3, 3, max_denominator=7) for _ in range(5))),
)
def test_a_definition_under_a_binder_has_one_meaning_or_is_refused(body, binder, point) -> None:
    """Drawn definitions and binders: refused exactly when the binder binds a free symbol of
    the body; otherwise the engine's reading (unfolding) and the witness's (the explicit
    form) give the same value at a point."""
    bound, build = BINDERS[binder]
    definitions = (Definition(L, BODIES[body]), Definition(J, build(L)))
    subject = Subject(lhs=J, right_sides=(J,), definitions=definitions, kind="identity")
    captured = bool(bound & BODIES[body].free_symbols)
    refused = any("binder binds" in problem for problem in problems(subject))
    assert refused == captured
    if captured:
        return
    values = dict(zip([x, t, y[1], y[2], y[3]], map(sp.Rational, point), strict=True))
    integers = {c: 1, d: 2}
    engine = unfold(J, definitions).doit().xreplace(integers).xreplace(values)
    explicit, _ = evaluate(J, definitions, integers, values)
    assert sp.simplify(sp.N(engine - explicit, 50)) == 0


# --------------------------------------------------------------------------- 2. tolerance


@pytest.mark.parametrize("size", [sp.Rational(1, 10**50), sp.Rational(1, 10**60)])
def test_a_perturbation_far_below_the_old_tolerance_is_caught_by_the_witness(size) -> None:
    """softmax_ce_delta's result plus 10⁻⁵⁰·z_j: the witness alone (no SymPy step check)
    finds the difference and certifies it."""
    claim = get_claim("softmax_ce_delta")
    z = sp.IndexedBase("z", real=True)
    perturbed = claim.result + size * z[claim.ranges[0].index]
    report = witness(
        claim.lhs, [("perturbed", perturbed)], claim.definitions, claim.hypotheses, claim.ranges
    )
    assert not report.ok and report.disagreement is not None, report.message


# --------------------------------------------------------------------------- 3. strides


@pytest.mark.parametrize("name", ["u", "t", "s", "w"])
@pytest.mark.parametrize("stride", [2, 3])
def test_a_product_of_kronecker_deltas_with_a_stride_is_refused_under_every_name(
    name: str, stride: int
) -> None:
    """Π_{c=1}^{K} (1 + (u − 1)·δ(2c, j)) = 1 + [2 ≤ j ≤ 2K](u − 1) is false for odd j."""
    u = sp.Symbol(name, real=True)
    P = sp.Symbol("P", real=True)
    body = 1 + (u - 1) * sp.KroneckerDelta(stride * c, j)
    definitions = (Definition(P, sp.Product(body, (c, 1, K))),)
    result = 1 + sp.Piecewise((u - 1, (j >= stride) & (j <= stride * K)), (0, True))
    ranges = (IndexRange(j, 1, stride * K),)
    _refused(_claim(P, result, definitions, ranges=ranges, kind="identity"), "does not follow")


@pytest.mark.parametrize("name", ["u", "t", "s", "w"])
def test_the_witness_alone_tries_every_value_of_a_free_index(name: str) -> None:
    """A statement false only strictly inside the range (j = 2 at K = 3): the witness by
    itself refuses it, whatever the symbols are called."""
    u = sp.Symbol(name, real=True)
    middle = sp.Piecewise((u + 1, sp.Eq(j, 2) & sp.Eq(K, 3)), (u, True))
    report = witness(u, [("claimed", middle)], (), (), (IndexRange(j, 1, K),))
    assert not report.ok and report.disagreement is not None, report.message
    assert report.disagreement.integers[j] == 2


# --------------------------------------------------------------------------- 4. assumption


@pytest.mark.parametrize(
    ("kind", "formula", "output"),
    [
        ("output-delta", "y - a", "softmax"),
        ("output-delta", "2*(a - y)", "softmax"),
        ("batch-output-delta", "(y - a)/m", "softmax"),
    ],
)
def test_a_wrong_formula_is_refuted_at_a_point_that_satisfies_the_assumption(
    kind: str, formula: str, output: str
) -> None:
    assessment = assess(statement_for(kind, output, formula))
    assert assessment.verdict == "refuted", assessment.detail
    point = assessment.counterexample
    labels = {k: v for k, v in point.values.items() if str(k).startswith("y")}
    per_example: dict = {}
    for atom, value in labels.items():
        per_example.setdefault(atom.indices[1:] if len(atom.indices) > 1 else (), []).append(value)
    for values in per_example.values():
        assert sum(values) == 1, assessment.detail


# --------------------------------------------------------------------------- 5. enclosures


def test_the_enclosure_of_exp_contains_it_where_mpmath_iv_does_not() -> None:
    """mpmath issue 1181: iv.exp(−2⁻⁵³) at 15 digits misses exp(−2⁻⁵³); Arb's ball holds it."""
    point = -sp.Rational(1, 2**53)
    with mpmath.workdps(300):
        true = mpmath.exp(-(mpmath.mpf(2) ** -53))
    for digits in (15, 30, 50):
        box = enclose(sp.exp(point), digits)
        assert box.a <= true <= box.b
    assert sign(sp.exp(point) - 1) == -1


@given(st.fractions(-50, 50, max_denominator=2**60))
def test_every_enclosure_of_exp_and_log_contains_the_value(value) -> None:
    with mpmath.workdps(200):
        true_exp = mpmath.exp(mpmath.mpf(value.numerator) / value.denominator)
        true_log = mpmath.log(1 + abs(mpmath.mpf(value.numerator) / value.denominator))
    rational = sp.Rational(value.numerator, value.denominator)
    box = enclose(sp.exp(rational), 15)
    assert box.a <= true_exp <= box.b
    box = enclose(sp.log(1 + abs(rational), evaluate=False), 15)
    assert box.a <= true_log <= box.b


# --------------------------------------------------------------------------- 6. integrals


def test_an_integral_across_a_pole_is_refused() -> None:
    """∫₀² dt/(t − x)² diverges for 0 ≤ x ≤ 2; SymPy's antiderivative says −1/(2−x) − 1/x."""
    definitions = (Definition(F, sp.Integral(1 / (t - x) ** 2, (t, 0, 2))),)
    claimed = -1 / (2 - x) - 1 / x
    _refused(_claim(F, claimed, definitions, kind="identity"), "never 0")
    _refused(_claim(sp.Derivative(F, x), sp.diff(claimed, x), definitions), "never 0")


def test_differentiating_under_a_singular_integral_is_refused() -> None:
    """∫₋₁¹ x/(x² + t²) dt = 2·atan(1/x) jumps at x = 0: no derivative there."""
    definitions = (Definition(F, sp.Integral(x / (x**2 + t**2), (t, -1, 1))),)
    _refused(_claim(sp.Derivative(F, x), -2 / (1 + x**2), definitions), "never 0")


def test_a_smooth_integral_is_still_proven() -> None:
    integral = sp.Symbol("G")  # SymPy cannot show an integral real: G is declared nothing
    definitions = (Definition(integral, sp.Integral(x * t / (1 + t**2), (t, 0, 1))),)
    result = verify(_claim(sp.Derivative(integral, x), sp.log(2) / 2, definitions))
    assert result.proven, result.failures


# --------------------------------------------------------------------------- 7. folding


def test_folding_never_captures_a_bound_variable() -> None:
    """a_j := x_j·H(w): 3·a_1 is not Σ_{w=1}^{3} x_1·H(w) (the sum's w is its own), and the
    witness tries an integer not declared positive at 0 and below (3·x_1·H(−1) = 0)."""
    w = sp.Symbol("w", integer=True)
    xs = sp.IndexedBase("x", real=True)
    a = sp.IndexedBase("a", real=True)
    definitions = (Definition(a, xs[j] * sp.Heaviside(w), index=j),)
    right = sp.Sum(xs[1] * sp.Heaviside(w), (w, 1, 3))
    claim = Claim(
        "forgery", "forgery", 3 * a[1], right,
        (Step(3 * a[1], "as stated"), Step(right, "written out")), definitions, kind="identity",
    )  # fmt: skip
    _refused(claim)
    report = witness(3 * a[1], [("claimed", 3 * xs[1])], definitions)
    assert not report.ok and report.disagreement.integers[w] <= 0, report.message


# --------------------------------------------------------------------------- 8. bound variables


@pytest.mark.parametrize(
    ("declared", "make"),
    [
        ("positive", lambda v, f: sp.Integral(f(v), (v, -1, 1))),
        ("positive", lambda v, f: sp.Subs(f(v), v, -1)),
        ("integer", lambda v, f: sp.Subs(f(v), v, sp.Rational(1, 2))),
    ],
    ids=["integral over a positive t", "Subs at -1 of a positive t", "Subs at 1/2 of an integer n"],
)
def test_a_bound_variable_declared_more_than_real_is_refused(declared, make) -> None:
    """∫₋₁¹ √(t²) dt with t declared positive: SymPy simplifies √(t²) to t before the binder
    gives t its negative values, so the engine and the witness both compute 0 (true: 1)."""
    u = sp.Symbol("u", real=True)
    v = sp.Symbol("v", **{declared: True})
    f = sp.Function("f")
    definitions = (Definition(f, sp.sqrt(u**2), index=u),)
    _refused(_claim(make(v, f), sp.Integer(0), definitions, kind="identity"), "nothing more")


def test_an_integral_of_a_kinked_function_is_refused() -> None:
    """SymPy 1.14 gives ∫₀⁴ |sin 2t| dt = 3/2 + cos(8)/2; it is 5/2 − cos(8)/2."""
    S = sp.Symbol("S")
    definitions = (Definition(S, sp.Integral(sp.Abs(sp.sin(2 * t)), (t, 0, 4))),)
    _refused(_claim(S, sp.Rational(3, 2) + sp.cos(8) / 2, definitions, kind="identity"), "kinked")


# --------------------------------------------------------------------------- 9. assumptions


def _judged(truth, claimed, definitions, assumption):
    from derivations.kernel.verdicts import CheckedStatement, Verdict

    statement = CheckedStatement(
        key="forgery", source="", section="", wording="", quote="", truth=truth,
        claimed=claimed, expected=Verdict.PROVEN_UNDER_ASSUMPTION,
        definitions=tuple(definitions), assumption=assumption,
    )  # fmt: skip
    return assess(statement)


def test_an_alias_of_a_defined_matrix_is_never_taken_to_hold_at_a_point() -> None:
    """a_i := 2x + i, F := x·a_1, assumption a = b: b_1 + 2x is dF/dx wherever b = a, so it
    must not be refuted at b_1 = 0, x = 0, where a_1 = 1 ≠ b_1."""
    from derivations.kernel.language import Hypothesis

    i = sp.Symbol("i", integer=True, positive=True)
    a, b = sp.IndexedBase("a", real=True), sp.IndexedBase("b", real=True)
    definitions = (Definition(F, x * a[1]), Definition(a, 2 * x + i, index=i))
    judged = _judged(sp.Derivative(F, x), b[1] + 2 * x, definitions, Hypothesis("alias", "", a, b))
    assert judged.verdict != "refuted", judged.detail


def test_an_assumption_off_by_less_than_the_rounding_bound_does_not_hold() -> None:
    """x = y + e^-200 does not hold at x = y = 0 (a residue of 10^-87), so a point there
    refutes nothing; atan ½ + atan ⅓ − π/4 is an exact 0 SymPy cannot show."""
    from derivations.kernel.language import Hypothesis

    yy = sp.Symbol("yy", real=True)
    zero = sp.atan(sp.Rational(1, 2)) + sp.atan(sp.Rational(1, 3)) - sp.pi / 4
    claimed = x + sp.exp(200) * (x - yy - sp.exp(-200)) + zero
    assumption = Hypothesis("offset", "", x, yy + sp.exp(-200))
    judged = _judged(sp.Derivative(F, x), claimed, (Definition(F, x**2 / 2),), assumption)
    assert judged.verdict != "refuted", judged.detail


# --------------------------------------------------------------------------- 10. products of roots

n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True)
P = sp.Symbol("P")


@pytest.mark.parametrize("first", [19, 7], ids=["false from n = 10", "false from n = 4"])
def test_a_product_of_square_roots_is_not_the_root_of_the_product(first) -> None:
    """Π_{k=1}^{n} √(c − 2k) = √(Π (c − 2k)) fails once an odd number of factors are negative
    (past the witness's largest size when c = 19): SymPy's Product.doit must not decide it."""
    rooted = sp.Product(sp.sqrt(first - 2 * k), (k, 1, n))
    claimed = sp.sqrt(sp.Product(first - 2 * k, (k, 1, n)))
    wrong_at = (first + 1) // 2 + 1  # the first size with an odd number of negative factors
    assert sp.N(rooted.subs(n, wrong_at).doit()) == -sp.N(claimed.subs(n, wrong_at).doit())
    _refused(_claim(P, claimed, (Definition(P, rooted),), kind="identity"))


def test_a_product_of_integer_powers_is_still_evaluated() -> None:
    powers = sp.Product(x**k, (k, 1, n))
    claimed = x ** (n * (n + 1) / 2)
    result = verify(_claim(P, claimed, (Definition(P, powers),), kind="identity"))
    assert result.proven, result.failures


# --------------------------------------------------------------------------- 11. impostors


def test_a_class_claiming_a_sympy_module_is_not_sympys_own() -> None:
    class sin(sp.sin):  # noqa: N801 - the impostor takes SymPy's name
        __module__ = "sympy.functions.elementary.trigonometric"

        def fdiff(self, argindex=1):
            return -sp.sin(self.args[0])

    claim = _claim(sp.Derivative(F, x), -sp.sin(x), (Definition(F, sin(x)),))
    _refused(claim, "not SymPy's own")


S = sp.Symbol("S", real=True)
FALSE_COUNT = n + sp.Mul(*[(n - i) for i in range(1, 9)])  # = n for n ≤ 8, not beyond


def test_a_definition_subclass_cannot_give_the_engine_another_body() -> None:
    @dataclasses.dataclass(frozen=True, eq=False)
    class TwoFaced(Definition):
        def expand_node(self, node):
            return FALSE_COUNT

    counted = TwoFaced(S, sp.Sum(1, (k, 1, n)))
    _refused(_claim(S, FALSE_COUNT, (counted,), kind="identity"), "not a Definition")


def test_a_hypothesis_that_equals_everything_is_not_a_stated_one() -> None:
    @dataclasses.dataclass(frozen=True, eq=False)
    class EqualsAll(Hypothesis):
        def __eq__(self, other):
            return True

        def __hash__(self):
            return 0

    stated = Hypothesis("trivial", "x = x", x, x)
    used = EqualsAll("trivial", "x = x", n, sp.Integer(1))  # really n = 1
    claim = Claim(
        "forgery", "forgery", S, FALSE_COUNT,
        (Step(FALSE_COUNT, "by the hypothesis", uses=(used,)),),
        (Definition(S, sp.Sum(1, (k, 1, n))),), (stated,), (), kind="identity",
    )  # fmt: skip
    _refused(claim, "not the kernel's Hypothesis")


def test_a_step_subclass_is_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class Shifty(Step):
        pass

    claim = dataclasses.replace(
        _claim(sp.Derivative(F, x), 2 * x, (Definition(F, x**2),)),
        steps=(Shifty(2 * x, "power rule"),),
    )
    _refused(claim, "not the kernel's Step")


# --------------------------------------------------------------------------- 12. hidden assumptions


@pytest.mark.parametrize("defined", [True, False], ids=["defined matrix", "free matrix"])
def test_an_assumption_on_a_matrix_but_not_its_name_is_refused(defined) -> None:
    """IndexedBase(Symbol("a"), positive=True): SymPy reads a_j as positive, the printed
    domain and the rule "an assumption on a defined name follows from its definition" read
    the name.  |a_j| = a_j with a_j := x_j, x real, is false for x_j < 0."""
    hidden = sp.IndexedBase(sp.Symbol("a"), positive=True)
    xs = sp.IndexedBase("x", real=True)
    definitions = (Definition(hidden, xs[j], index=j),) if defined else ()
    claim = _claim(
        sp.Abs(hidden[j], evaluate=False), hidden[j], definitions,
        ranges=(IndexRange(j, 1, K),), kind="identity",
    )  # fmt: skip
    _refused(claim, "carries assumptions its name")


# --------------------------------------------------------------------------- 13. function values


def test_a_hypothesis_may_not_substitute_for_a_function_value() -> None:
    """Given y = x, g(x) → g(y) is "licensed", but substituting inside ∂/∂x g(x) gives
    ∂/∂x g(y) = 0: dF/dx = 0 for F := g(x)·(n−1)…(n−8) would follow for every n."""
    yy = sp.Symbol("yy", real=True)
    g = sp.Function("g")
    same = Hypothesis("same", "yy = x", yy, x, extra_substitutions=((g(x), g(yy)),))
    body = g(x) * sp.Mul(*[(n - i) for i in range(1, 9)])
    claim = Claim(
        "forgery", "forgery", sp.Derivative(F, x), sp.Integer(0),
        (Step(sp.Integer(0), "given yy = x", uses=(same,)),),
        (Definition(F, body),), (same,), (),
    )  # fmt: skip
    _refused(claim, "substitutes for g(x)")


# --------------------------------------------------------------------------- 14. kinks behind Subs


def test_a_kink_behind_a_subs_that_swaps_its_variables_is_found() -> None:
    """Subs(|x|, (x, y), (y, x)) is |y| (simultaneous); SymPy's doit gives |x|."""
    yv = sp.Symbol("yv", real=True)
    swapped = sp.Subs(sp.Abs(x), (x, yv), (yv, x))
    claim = _claim(sp.Derivative(G, yv), sp.sign(yv), (Definition(G, swapped),))
    _refused(claim, "no derivative where yv = 0")


# --------------------------------------------------------------------------- 15. wrong integrals


def test_a_wrong_closed_form_of_a_smooth_integral_refutes_nothing() -> None:
    """∫₀¹ √(2−t)·√(1/(2−t)) dt = 1, which SymPy integrates to −1: the true statement
    d/dx x = that integral must not be refuted (at a given point or a found one)."""
    claimed = sp.Integral(sp.sqrt(2 - t) * sp.sqrt(1 / (2 - t)), (t, 0, 1))
    assert claimed.doit() == -1 and abs(claimed.evalf(30) - 1) < 1e-25  # SymPy's error
    for point in (Counterexample(values={x: sp.Integer(0)}), None):
        statement = CheckedStatement(
            key="integral", source="test", section="", wording="", quote="",
            truth=sp.Derivative(F, x), claimed=claimed, expected=Verdict.PROVEN,
            definitions=(Definition(F, x),), counterexample=point,
        )  # fmt: skip
        assert assess(statement).verdict != Verdict.REFUTED


# --------------------------------------------------------------------------- 16. the witness alone


def test_the_witness_tries_indices_free_only_in_a_definition_at_distinct_values() -> None:
    """F := g(x)·Π_{pairs}(difference of i, j, k, l) vanishes unless the four indices differ
    (K ≥ 4): the witness alone must refute dF/dx = 0, though no index is free in the
    statement's own sides."""
    g = sp.Function("g")
    i, jj, kk, ll = sp.symbols("i jj kk ll", integer=True)
    vanishing = (i - jj) * (i - kk) * (i - ll) * (jj - kk) * (jj - ll) * (kk - ll)
    ranges = [IndexRange(v, 1, K) for v in (i, jj, kk, ll)]
    report = witness(sp.Derivative(F, x), [("claimed", sp.Integer(0))], [Definition(F, g(x) * vanishing)],  # noqa: E501
                     (), ranges)  # fmt: skip
    assert not report.ok and report.disagreement is not None, report.message


def test_the_witness_gives_four_abstract_functions_four_different_stand_ins() -> None:
    """g1(x) − g4(x) has a non-zero derivative unless g1 and g4 are the same function."""
    yv = sp.Symbol("yv", real=True)
    g1, g2, g3, g4 = (sp.Function(f"g{number}") for number in range(1, 5))
    body = g1(x) - g4(x) + g2(yv) + g3(yv)
    report = witness(sp.Derivative(F, x), [("claimed", sp.Integer(0))], [Definition(F, body)])
    assert not report.ok and report.disagreement is not None, report.message


# --------------------------------------------------------------------------- 17. poles and sizes


@pytest.mark.parametrize(
    ("integrand", "antiderivative"),
    [
        (sp.tan(t) ** 2, sp.tan(x / 8) - x / 8),
        (sp.sech(sp.tan(t)) * sp.sec(t) ** 2, 2 * sp.atan(sp.tanh(sp.tan(x / 8) / 2))),
    ],
    ids=["tan² across its pole", "a bounded integrand through tan's pole"],
)
def test_an_integrand_with_a_function_that_has_poles_is_refused(integrand, antiderivative) -> None:
    """∫₀^{x/8} tan² t dt = tan(x/8) − x/8 fails past x = 4π (the integral diverges); SymPy
    integrates across the pole, and the witness's points all lie below it."""
    integral = sp.Integral(integrand, (t, 0, x / 8))
    _refused(_claim(G, antiderivative, (Definition(G, integral),), kind="identity"), "poles")


def test_the_witness_needs_two_choices_of_sizes() -> None:
    """n + Σ_{k=1}^{30000(n−1)} 0 = 1 holds at n = 1 only; at n ≥ 2 the sum is too long to
    write out, and one size is not evidence."""
    k = sp.Symbol("k", integer=True)
    n = sp.Symbol("n", integer=True, positive=True)
    lhs = n + sp.Sum(sp.Integer(0) * k, (k, 1, 30000 * (n - 1)))
    report = witness(lhs, [("claimed", sp.Integer(1))])
    assert not report.ok, report.message


# --------------------------------------------------------------------------- 18. defined integers


def test_a_defined_symbol_declared_an_integer_is_refused() -> None:
    """N := 0 with N also an index in 1..K: the witness chose N = 1, 2, 3 before writing the
    definition in, and Σ_k δ(k, N) = [N ≤ K] — so 0 = 1 — was proven vacuously."""
    big_n = sp.Symbol("N", integer=True)
    kk = sp.Symbol("kk", integer=True)
    claimed = sp.Piecewise((1, big_n <= K), (0, True))
    claim = Claim(
        "forgery", "forgery", sp.Sum(sp.KroneckerDelta(kk, big_n), (kk, 1, K)), claimed,
        (Step(claimed, "the delta picks k = N"),), (Definition(big_n, sp.Integer(0)),), (),
        (IndexRange(big_n, 1, K),), kind="identity",
    )  # fmt: skip
    _refused(claim, "declared an integer")


# --------------------------------------------------------------------------- 19. defined matrices


def test_an_assumption_on_a_defined_matrix_must_hold_at_every_integer_index() -> None:
    """a_i := i with i positive, a declared positive: a_{-1} = −1 is an entry too, and SymPy
    read |a_{-1}| as a_{-1} from the declaration — so |a_{-1}| = −1 was proven."""
    ii = sp.Symbol("ii", integer=True, positive=True)
    a = sp.IndexedBase("a", positive=True)
    claim = _claim(sp.Abs(a[-1]), sp.Integer(-1), (Definition(a, ii, index=ii),), kind="identity")
    _refused(claim, "at every integer index")


def test_a_defined_matrix_may_not_be_made_an_alias_of_another() -> None:
    """W_i := x_i + 1 with the hypothesis W = x (never true): the witness wrote the alias in
    before the definition and never checked it, so W_1 = x_1 + 5(W_1 − x_1)… was proven."""
    ii = sp.Symbol("ii", integer=True)
    w, xs = sp.IndexedBase("W", real=True), sp.IndexedBase("xs", real=True)
    alias = Hypothesis("alias", "W = xs", w, xs)
    claimed = xs[1] + 5 * (w[1] - xs[1])
    claim = Claim(
        "forgery", "forgery", w[1], claimed, (Step(claimed, "the alias", uses=(alias,)),),
        (Definition(w, xs[ii] + 1, index=ii),), (alias,), (), kind="identity",
    )  # fmt: skip
    _refused(claim, "alias of another")


# --------------------------------------------------------------------------- 20. labels and roots


def test_an_integer_matrix_name_is_not_taken_for_a_size() -> None:
    """n_i := 3 with n declared integer and the hypothesis n_1 = n_2 + 2 (never true): the
    witness took the label n for a size, wrote 1[1] for n_1 and never saw n's definition."""
    ii = sp.Symbol("ii", integer=True)
    nn = sp.IndexedBase("nn", integer=True)
    never = Hypothesis("never", "nn_1 = nn_2 + 2", nn[1], nn[2] + 2)
    claim = Claim(
        "forgery", "forgery", nn[1], nn[2] + 2, (Step(nn[2] + 2, "given", uses=(never,)),),
        (Definition(nn, sp.Integer(3), index=ii),), (never,), (), kind="identity",
    )  # fmt: skip
    _refused(claim, "usable point")


def test_a_root_of_a_negative_base_is_refused() -> None:
    """(-1)**(j/2): SymPy 1.14 says it is not real for every integer j (it is 1 at j = 4),
    so Piecewise((1, Eq((-1)**(j/2), 1)), (0, True)) collapsed to 0 at a symbolic j."""
    half = sp.Symbol("half")
    ii = sp.Symbol("ii", integer=True)
    a = sp.IndexedBase("a")
    body = sp.Piecewise((1, sp.Eq((-1) ** (half * ii), 1)), (0, True))
    claim = _claim(
        a[j], sp.Integer(0), (Definition(half, sp.Rational(1, 2)), Definition(a, body, index=ii)),
        ranges=(IndexRange(j, 1, K),), kind="identity",
    )  # fmt: skip
    _refused(claim, "raises the negative")


def test_a_root_of_a_negative_base_named_by_a_definition_is_refused() -> None:
    m1, ii = sp.Symbol("m1"), sp.Symbol("ii", integer=True)
    a = sp.IndexedBase("a")
    body = sp.Piecewise((1, sp.Eq(m1 ** (ii / 2), 1)), (0, True))
    claim = _claim(
        a[j], sp.Integer(0), (Definition(m1, sp.Integer(-1)), Definition(a, body, index=ii)),
        ranges=(IndexRange(j, 1, K),), kind="identity",
    )  # fmt: skip
    _refused(claim, "raises the negative -1")
