"""The remembered ``Sum.free_symbols`` (derivations.kernel.sympy_speedup) is SymPy's own answer.

The memo is under the trust base of every proof (SymPy decides "does not depend on x" by
it), so its answers are checked against SymPy's own property (installed at every level) on
generated nested sums, products and integrals, with plain and non-symbol limit variables,
limits that mention other bound variables, one-element limits and unevaluated bodies, asked
inner sums first and twice; a caller changing a returned set changes nothing remembered;
the memory is bounded; and it is installed only over the exact SymPy code it remembers.
"""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from sympy.concrete.expr_with_limits import ExprWithLimits

from derivations import get_claim, verify
from derivations.kernel import sympy_speedup

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


def _sympys_own_answer(expr: sp.Basic) -> set[sp.Basic]:
    """``expr.free_symbols`` with SymPy's own property at every level (no memo anywhere)."""
    remembered = ExprWithLimits.free_symbols
    ExprWithLimits.free_symbols = property(sympy_speedup.original_free_symbols)
    try:
        return expr.free_symbols
    finally:
        ExprWithLimits.free_symbols = remembered


def _inner_sums_first(expr: sp.Basic) -> None:
    """Ask every nested sum first, so the outer answer is built from remembered ones."""
    for node in sp.postorder_traversal(expr):
        if isinstance(node, ExprWithLimits):
            node.free_symbols  # noqa: B018


@given(_with_limits())
def test_remembered_free_symbols_equal_sympys_own_on_generated_nested_sums(
    expr: sp.Expr,
) -> None:
    expected = _sympys_own_answer(expr)
    _inner_sums_first(expr)
    assert expr.free_symbols == expected
    assert expr.free_symbols == expected  # a second time: from the memo


def test_remembered_free_symbols_equal_sympys_own_with_unusual_limits_and_bodies() -> None:
    examples = [
        sp.Sum(x[i] * x[j], (x[i], 1, n)),  # a non-symbol limit variable
        sp.Integral(t * f(t), (f(t), 0, 1)),
        sp.Integral(n * t, t),  # a one-element limit
        sp.Sum(sp.Sum(i * j, (j, 1, i)), (i, 1, n)),
        sp.Sum(sp.Sum(i * j, (j, 1, k)), (i, 1, j)),  # j free in the outer limit only
        # unevaluated bodies: SymPy's own answer rebuilds (and so evaluates) the body
        sp.Sum(sp.Add(i, n, -n, evaluate=False), (i, 1, 3)),
        sp.Sum(sp.Mul(0, n, i, evaluate=False), (i, 1, 3)),
        sp.Sum(sp.Sum(sp.Add(i, j, n, -n, evaluate=False), (j, 1, 2)), (i, 1, k)),
    ]
    for expr in examples:
        expected = _sympys_own_answer(expr)
        _inner_sums_first(expr)
        assert expr.free_symbols == expected, expr
        assert expr.free_symbols == expected, expr


def test_changing_a_returned_set_does_not_change_the_next_answer() -> None:
    total = sp.Sum(x[i] * t, (i, 1, n))
    first = total.free_symbols
    first.add(k)
    first.discard(t)
    assert total.free_symbols == _sympys_own_answer(total)


def test_memo_keeps_at_most_memo_size_answers_and_stays_right(monkeypatch) -> None:
    monkeypatch.setattr(sympy_speedup, "MEMO_SIZE", 5)
    monkeypatch.setattr(sympy_speedup, "_MEMO", {})
    sums = [sp.Sum(x[i] * sp.Symbol(f"u{number}"), (i, 1, n)) for number in range(12)]
    for total in sums + sums:
        assert total.free_symbols == _sympys_own_answer(total)
        assert len(sympy_speedup._MEMO) <= 5


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


def test_sums_asked_from_many_threads_get_sympys_answers(monkeypatch) -> None:
    import threading

    monkeypatch.setattr(sympy_speedup, "MEMO_SIZE", 7)  # evictions all the time
    monkeypatch.setattr(sympy_speedup, "_MEMO", {})
    sums = [sp.Sum(x[i] * sp.Symbol(f"v{number}"), (i, 1, n)) for number in range(40)]
    expected = [_sympys_own_answer(total) for total in sums]
    failures: list[BaseException] = []

    def ask() -> None:
        try:
            for _ in range(20):
                for total, answer in zip(sums, expected, strict=True):
                    assert total.free_symbols == answer
        except BaseException as error:  # reported below, not lost in the thread
            failures.append(error)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(sympy_speedup._MEMO) <= 7


def _outcome(result) -> tuple:
    """What a verification says, without its times."""
    steps = tuple((step.number, step.ok, step.message) for step in result.steps)
    return result.proven, tuple(result.failures), steps, result.witness


@pytest.mark.parametrize(
    ("name", "also_wrong"),
    [
        ("softmax_ce_delta", True),
        ("layer_recursion", True),
        ("network_sigmoid_bce_1_hidden", False),
    ],
)
def test_verify_says_the_same_with_sympys_own_free_symbols(
    name: str, also_wrong: bool, monkeypatch
) -> None:
    """Differential check of the trust base: a proof, and the same claim with a wrong last
    step, give the same verdict, step messages and witness report either way (the wrong
    network is left out: its failing step costs seconds of simplify)."""
    claim = get_claim(name)
    claims = [claim]
    if also_wrong:
        last = dataclasses.replace(claim.steps[-1], expr=claim.steps[-1].expr * 2)
        claims.append(dataclasses.replace(claim, steps=(*claim.steps[:-1], last), result=last.expr))
    remembered = [_outcome(verify(each)) for each in claims]
    monkeypatch.setattr(
        ExprWithLimits, "free_symbols", property(sympy_speedup.original_free_symbols)
    )
    assert not sympy_speedup.installed()
    assert [_outcome(verify(each)) for each in claims] == remembered
    assert remembered[0][0]
    if also_wrong:  # refused because SymPy and the witness found the step wrong
        assert not remembered[1][0] and "does not follow" in " ".join(remembered[1][1])


def _installed_in_a_fresh_process(code: str, **environment: str) -> str:
    import os
    import subprocess
    import sys

    env = {**os.environ, **environment}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.strip()


def test_importing_the_library_changes_no_sympy_class() -> None:
    code = (
        "import derivations, impl, derivations.report, derivations.verification\n"
        "from derivations.kernel import sympy_speedup\n"
        "print(sympy_speedup.installed())"
    )
    assert _installed_in_a_fresh_process(code) == "False"


def test_the_entry_points_install_it_unless_the_variable_says_off() -> None:
    code = (
        "from derivations.kernel import sympy_speedup\n"
        "print(sympy_speedup.install_unless_disabled(), sympy_speedup.installed())"
    )
    assert _installed_in_a_fresh_process(code) == "True True"
    off = {sympy_speedup.DISABLE_VARIABLE: "off"}
    assert _installed_in_a_fresh_process(code, **off) == "False False"
