"""Behaviours of the proof witness (derivations/kernel/witness.py) that no other test pinned,
found by mutation testing of the witness: each test states one property the witness keeps
on its own, without the symbolic engine's step check in front of it."""

from __future__ import annotations

import sympy as sp

from derivations.kernel.language import Definition, IndexRange
from derivations.kernel.witness import witness

x = sp.Symbol("x", real=True)
j, K = sp.symbols("j K", integer=True, positive=True)
xs = sp.IndexedBase("x", real=True)


def test_a_column_is_never_witnessed_equal_to_a_row_with_the_same_entries() -> None:
    """Entry by entry (x, 2x) agrees with (x, 2x) written as a row: the shapes are compared
    first, for every right-hand side (one of two of the wrong shape is enough)."""
    column = sp.ImmutableMatrix([x, 2 * x])
    row = sp.ImmutableMatrix([[x, 2 * x]])
    for rights in ([("row", row)], [("column", column), ("row", row)]):
        report = witness(column, rights)
        assert not report.ok and "different shapes" in report.message, report.message
    assert witness(column, [("column", column)]).ok


def test_a_definition_that_names_a_free_index_is_written_out_at_each_of_its_values() -> None:
    """P := x_j with j free in 1..K: P = x_1 is false at j = 2 and refused; P = x_j holds.
    (The explicit forms of such a definition differ between values of j: they may not be
    shared across them.)"""
    # with a second definition that names no free index (one such definition is enough)
    definitions = (Definition(sp.Symbol("P", real=True), xs[j]), Definition(sp.Symbol("Q"), x))
    P = definitions[0].name
    ranges = (IndexRange(j, 1, K),)
    false = witness(P, [("claimed", xs[1])], definitions, (), ranges)
    assert not false.ok and false.disagreement is not None, false.message
    assert false.disagreement.integers[j] != 1
    true = witness(P, [("claimed", xs[j])], definitions, (), ranges)
    assert true.ok, true.message


def test_a_scalar_statement_is_witnessed_at_as_many_points_as_asked() -> None:
    """Ten points by default (the engine's setting), each counted once."""
    report = witness(sp.sin(x) ** 2, [("same", 1 - sp.cos(x) ** 2)])
    assert report.points == 10
    assert report.message == "agrees at 10 points (scalar)"
    assert witness(sp.sin(x) ** 2, [("same", 1 - sp.cos(x) ** 2)], points=4).points == 4
    # never fewer than two points per batch of instances
    assert witness(sp.sin(x) ** 2, [("same", 1 - sp.cos(x) ** 2)], points=1).points == 2


def test_three_agreeing_points_are_enough_and_two_are_not() -> None:
    """The default minimum is three usable points: asked for three, the witness agrees;
    asked for two (it then evaluates two), it does not."""
    assert witness(sp.sin(x) ** 2, [("same", 1 - sp.cos(x) ** 2)], points=3).ok
    two = witness(sp.sin(x) ** 2, [("same", 1 - sp.cos(x) ** 2)], points=2)
    assert not two.ok and "needs 3" in two.message, two.message


def test_a_point_where_the_differentiated_function_is_not_real_is_no_evidence() -> None:
    """d/dx log x = 1/|x| wherever log x is real (x > 0); at x < 0 log x is complex and its
    difference quotient 1/x differs from 1/|x|: such points are skipped, not counted against
    the statement."""
    report = witness(sp.Derivative(sp.log(x), x), [("claimed", 1 / sp.Abs(x))])
    assert report.ok, report.message
