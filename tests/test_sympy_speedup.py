"""The faster ``Sum.free_symbols`` (derivations.sympy_speedup) returns what SymPy's does.

The replacement is under the trust base of every proof (SymPy decides "does not depend on
x" by it), so it is checked against SymPy's own property on generated nested sums,
products and integrals, with plain and non-symbol limit variables, limits that mention
other bound variables, and one-element limits; and it is installed only over the exact
SymPy code it repeats.
"""

from __future__ import annotations

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from sympy.concrete.expr_with_limits import ExprWithLimits

import derivations  # noqa: F401  (installs the replacement)
from derivations import sympy_speedup

i, j, k, n = sp.symbols("i j k n", integer=True)
t = sp.Symbol("t")
x = sp.IndexedBase("x")
f = sp.Function("f")
PLAIN = [i, j, k, n, t]
ATOMS = [*PLAIN, x[i], x[j], f(t), sp.Integer(2)]
NON_SYMBOL_VARIABLES = [x[i], x[j], f(t)]


@st.composite
def _bodies(draw: st.DrawFn, depth: int = 3) -> sp.Expr:
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(ATOMS))
    kind = draw(st.sampled_from(["add", "mul", "exp", "limits"]))
    if kind == "add":
        return draw(_bodies(depth - 1)) + draw(_bodies(depth - 1))
    if kind == "mul":
        return draw(_bodies(depth - 1)) * draw(_bodies(depth - 1))
    if kind == "exp":
        return sp.exp(draw(_bodies(depth - 1)))
    return draw(_with_limits(depth - 1))


@st.composite
def _with_limits(draw: st.DrawFn, depth: int = 3) -> sp.Expr:
    body = draw(_bodies(depth))
    cls = draw(st.sampled_from([sp.Sum, sp.Product, sp.Integral]))
    limits = []
    for _ in range(draw(st.integers(1, 2))):
        pool = PLAIN + (NON_SYMBOL_VARIABLES if cls is sp.Integral else [])
        variable = draw(st.sampled_from(pool))
        if cls is sp.Integral and draw(st.booleans()):
            limits.append((variable,))
            continue
        low = draw(st.sampled_from([sp.Integer(1), *PLAIN]))
        high = draw(st.sampled_from([n, k, sp.Integer(3), *PLAIN]))
        limits.append((variable, low, high))
    return cls(body, *limits)


@given(_with_limits())
def test_sum_free_symbols_equals_sympys_own_on_generated_nested_sums(expr: sp.Expr) -> None:
    assert sympy_speedup._sum_free_symbols(expr) == sympy_speedup.original_free_symbols(expr)


def test_sum_free_symbols_equals_sympys_own_with_non_symbol_limit_variables() -> None:
    examples = [
        sp.Sum(x[i] * x[j], (x[i], 1, n)),
        sp.Integral(t * f(t), (f(t), 0, 1)),
        sp.Integral(n * t, t),
        sp.Sum(sp.Sum(i * j, (j, 1, i)), (i, 1, n)),
        sp.Sum(sp.Sum(i * j, (j, 1, k)), (i, 1, j)),  # j free in the outer limit only
    ]
    for expr in examples:
        assert sympy_speedup._sum_free_symbols(expr) == sympy_speedup.original_free_symbols(expr)


def test_speedup_is_installed_over_the_pinned_sympy() -> None:
    # fails when SymPy's code changes: re-check the replacement against the new code
    assert sympy_speedup.installed()
    assert ExprWithLimits.free_symbols.fget is sympy_speedup._sum_free_symbols
    total = sp.Sum(x[i] * t, (i, 1, n))
    assert total.free_symbols == sympy_speedup.original_free_symbols(total)
    assert t in total.free_symbols and n in total.free_symbols and i not in total.free_symbols


def test_speedup_is_not_installed_over_code_it_was_not_checked_against(monkeypatch) -> None:
    sympys_own = property(sympy_speedup.original_free_symbols)
    monkeypatch.setattr(ExprWithLimits, "free_symbols", sympys_own)
    monkeypatch.setattr(sympy_speedup, "CHECKED_SOURCE_SHA256", "another SymPy's code")
    assert not sympy_speedup.install()
    assert ExprWithLimits.free_symbols.fget is sympy_speedup.original_free_symbols
