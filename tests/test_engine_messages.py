"""What a failed proof says: exact values where they are rational, the point where a step
disagrees, and SymPy's own failures reported as failed checks (never a traceback)."""

from __future__ import annotations

import dataclasses

import sympy as sp

from derivations.catalog import get_claim
from derivations.engine import _shown, _timed, verify


def test_a_rational_value_is_shown_exactly_and_an_irrational_one_to_twelve_digits() -> None:
    assert _shown(sp.Rational(-1, 3)) == sp.Rational(-1, 3)
    assert _shown(sp.Integer(2)) == 2
    shown = _shown(sp.sqrt(2))
    assert isinstance(shown, sp.Float) and str(shown) == "1.41421356237"


def test_a_check_that_sympy_cannot_do_is_a_failed_check_naming_it() -> None:
    def cannot() -> bool:
        raise NotImplementedError("no closed form")

    ok, seconds, message = _timed(cannot)
    assert (ok, message) == (False, "SymPy cannot do this: no closed form")
    assert seconds >= 0


def test_a_check_that_raises_anything_else_is_a_failed_check_naming_the_error() -> None:
    def broken() -> bool:
        raise ZeroDivisionError("1/0")

    ok, _, message = _timed(broken)
    assert (ok, message) == (False, "ZeroDivisionError: 1/0")


def test_a_check_that_passes_reports_no_message() -> None:
    ok, _, message = _timed(lambda: True)
    assert (ok, message) == (True, "")


def test_a_wrong_step_names_the_point_and_both_exact_values() -> None:
    """Step 4 of softmax_ce_delta without Σy = 1: at K = 1 the left side a₁Σy − y₁ is 0."""
    claim = get_claim("softmax_ce_delta")
    steps = list(claim.steps)
    steps[3] = dataclasses.replace(steps[3], uses=())
    [failure] = verify(dataclasses.replace(claim, steps=tuple(steps))).failures
    assert "does not follow from step 3: at K = 1, j = 1, y[1] = " in failure
    assert ", step 3 is 0 and step 4 is " in failure
