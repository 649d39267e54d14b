"""The conventions people write backprop in: a correct function in each reads back as the
verified gradient (a round trip through ``Convention.calls`` and ``Convention.gradients``),
passes ``check_backward`` with the options its author would declare, and fails without them.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from styles_backward import user_backward

from impl.testing import check_backward, strategies
from impl.testing.conventions import Convention
from impl.testing.isolation import plain_in_process
from impl.testing.reference import verified_gradients

STYLES = [
    {},
    {"layout": "rows"},
    {"layout": "rows", "bias": "row"},
    {"per_example": True},
    {"per_example": True, "layout": "rows", "returns": "db,dW"},
    {"parameters": "dict", "layout": "rows", "labels": "integer"},
    {"parameters": "dict", "per_example": True, "labels": "integer"},
    {"objective": "sum"},
    {"objective": "log-likelihood", "layout": "rows"},
    {"objective": "mean-log-likelihood", "bias": "flat"},
]


def _name(style: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in style.items()) or "default"


@given(
    case=strategies.cases("softmax", label_kind="one-hot"),
    style=st.sampled_from(STYLES),
)
def test_each_convention_round_trips_to_the_verified_gradient(case, style) -> None:
    convention = Convention(**style)
    function = user_backward(**style)
    values = [plain_in_process(function(*args)) for args in convention.calls(case)]
    read = convention.gradients(values, case)
    assert not read.problem and not read.problems, (read.problem, read.problems)
    dW, db = verified_gradients(case, "sigmoid", "softmax")
    for got, want in zip(read.arrays, dW + db, strict=True):
        assert got is not None and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("style", STYLES, ids=_name)
def test_a_correct_function_in_each_convention_passes_when_declared(style) -> None:
    labels = style.get("labels", "one-hot")
    options = {**style, "labels": labels}
    result = check_backward(
        user_backward(**style), hidden="sigmoid", output="softmax", max_examples=40, **options
    )
    assert result.passed, result.report()


@pytest.mark.parametrize(
    ("style", "undeclared"),
    [
        ({"layout": "rows"}, {}),
        ({"objective": "sum"}, {}),
        ({"parameters": "dict"}, {}),
        ({"returns": "db,dW"}, {}),
    ],
    ids=lambda value: _name(value) if isinstance(value, dict) else str(value),
)
def test_a_convention_not_declared_is_not_passed(style, undeclared) -> None:
    result = check_backward(
        user_backward(**style), hidden="sigmoid", output="softmax", max_examples=40, **undeclared
    )
    assert not result.passed


def test_the_worst_entry_is_given_in_the_users_layout() -> None:
    style = {"layout": "rows"}
    correct = user_backward(**style)

    def doubled_first_layer(weights, biases, X, Y):
        dW, db = correct(weights, biases, X, Y)
        return [2 * dW[0], *dW[1:]], db

    result = check_backward(doubled_first_layer, hidden="sigmoid", output="softmax", **style)
    assert not result.passed
    (error,) = [e for e in result.wrong if e.name == "dW1"]
    assert error.ratio == pytest.approx(2.0)
    assert error.yours == pytest.approx(2 * error.true)
    # the index is in the user's layout: rows of their dW1 are inputs, columns hidden units
    case = result.case
    assert case is not None
    assert error.index[0] < case.sizes[0] and error.index[1] < case.sizes[1]
    assert "yours = 2 × true in every entry" in result.report()
    assert "max|yours − true| / max(max|yours|, max|true|)" in result.report()


@pytest.mark.parametrize(
    ("option", "value"),
    list(
        itertools.chain(
            (("layout", "diagonal"),),
            (("objective", "median"),),
            (("labels", "fuzzy"),),
            (("dtype", "float16"),),
        )
    ),
)
def test_an_unknown_convention_is_refused_with_the_choices(option, value) -> None:
    with pytest.raises(ValueError, match=f"{option} is '{value}'; expected one of"):
        Convention(**{option: value})


def test_code_taking_class_indices_passes_when_one_hot_labels_are_declared() -> None:
    style = {"parameters": "dict", "layout": "rows", "labels": "integer"}
    options = {**style, "labels": "one-hot"}
    result = check_backward(
        user_backward(**style), hidden="sigmoid", output="softmax", max_examples=40, **options
    )
    assert result.passed, result.report()
    assert result.convention.labels == "integer"
    assert any("class indices" in note for note in result.notes)
