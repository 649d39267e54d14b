"""``check-claim``: the source documents' three mistakes refuted at points the search found,
their correct forms proven, the known mistake named, and bad input refused with exit 2."""

from __future__ import annotations

import json

import pytest

from derivations.user_claims import FormulaError, judge, parse_formula
from impl.commands import main

#: (kind, option, wrong formula, its known mistake, the correct formula)
SOURCE_MISTAKES = [
    ("output-delta", "sigmoid", "(a - y)*a*(1 - a)", "extra-output-derivative", "a - y"),
    (
        "activation-derivative",
        "relu",
        "Piecewise((z, z > 0), (0, True))",
        "relu-derivative-is-z",
        "Piecewise((1, z > 0), (0, True))",
    ),
    ("batch-output-delta", "sigmoid", "a - y", "sum-instead-of-mean", "(a - y)/m"),
]


@pytest.mark.parametrize(("kind", "option", "wrong", "mistake", "right"), SOURCE_MISTAKES)
def test_a_source_mistake_is_refuted_at_a_found_point_and_named(
    kind, option, wrong, mistake, right
) -> None:
    verdict = judge(kind, option, wrong)
    assert verdict.verdict.value == "refuted", verdict.assessment.detail
    assert verdict.point, "the counterexample is the one the search found"
    assert verdict.assessment.truth_value != verdict.assessment.claimed_value
    assert [entry.id for entry in verdict.mistakes] == [mistake]
    assert judge(kind, option, right).verdict.value == "proven"


def test_the_softmax_delta_is_proven_under_the_labels_assumption() -> None:
    verdict = judge("output-delta", "softmax", "a - y")
    assert verdict.verdict.value == "proven under assumption"
    assert "sum to 1" in verdict.assessment.statement.assumption.text
    assert verdict.point == {"K": "1", "j": "1", "y[1]": "0"}


def test_the_found_counterexamples_are_the_simplest() -> None:
    assert judge("activation-derivative", "relu", "Piecewise((z, z > 0), (0, True))").point == {
        "z": "2"
    }
    assert judge("output-delta", "sigmoid", "(a - y)*a*(1 - a)").point == {
        "K": "1",
        "j": "1",
        "y[1]": "0",
        "z[1]": "0",
    }


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "(1).__class__",
        "[x for x in z]",
        "lambda: 1",
        "z.real",
        "exp(z, evaluate=False)",
    ],
)
def test_hostile_input_is_refused_before_any_evaluation(text: str) -> None:
    with pytest.raises(FormulaError):
        parse_formula(text, {"z": 1, "exp": None})


def test_an_unknown_name_is_named() -> None:
    with pytest.raises(FormulaError, match="unknown name w"):
        judge("activation-derivative", "tanh", "1 - w**2")


def test_check_claim_command_exit_codes_and_json(capsys) -> None:
    assert main(["check-claim", "output-delta", "a - y", "--output", "sigmoid"]) == 0
    assert main(["check-claim", "output-delta", "a - y", "--output", "softmax"]) == 0
    capsys.readouterr()
    status = main(
        [
            "check-claim",
            "activation-derivative",
            "z*(1 - z)",
            "--activation",
            "sigmoid",
            "--json",
            "-",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert status == 1
    assert data["verdict"] == "refuted"
    assert data["mistakes"] == ["derivative-formula-on-z"]
    assert data["counterexample"]["point"] == {"z": "0"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["output-delta", "a - q", "--output", "sigmoid"], "unknown name q"),
        (["output-delta", "a - ", "--output", "sigmoid"], "cannot parse"),
        (["nonsense", "a", "--output", "sigmoid"], "unknown kind"),
        (["output-delta", "a - y"], "needs --output"),
        (["output-delta", "a - y", "--output", "tanh"], "needs --output one of"),
    ],
)
def test_check_claim_bad_input_exits_2_with_one_line(capsys, argv, message) -> None:
    assert main(["check-claim", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_an_unwritable_json_path_is_refused_before_any_work(tmp_path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    argv = ["check-claim", "output-delta", "--output", "softmax", "a - y"]
    assert main([*argv, "--json", str(blocker / "result.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("check-claim: --json") and "is an existing file" in err
    assert err.count("\n") == 1  # one line, no traceback
    # a missing folder is created, as train --out and bench --out do
    target = tmp_path / "new" / "result.json"
    assert main([*argv, "--json", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["verdict"]


# ---------------------------------------------------------------------- formulas as typed


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("10^100^100", "exponents are limited to ±100"),  # ^ groups right to left, as **
        ("2^2^2^2^2^2", "an exponent is 65536"),
        ("3**(99*99*99*99)", "an exponent is 96059601"),
        ("a**(0*y + 10**100)", "not an expression in names"),
        ("(10**100)**100*a", "more than 3,900 digits"),
        ("1e99999*a", "beyond 10^±1000"),
        ("a/(y - y)", "undefined or infinite"),
        ("sqrt(-1)*a", "not real"),
    ],
)
def test_a_formula_that_would_make_sympy_compute_for_ever_is_refused_before_parsing(
    capsys, formula: str, message: str
) -> None:
    assert main(["check-claim", "output-delta", formula, "--output", "sigmoid"]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("formula", ["ａ*(1-ａ)", "a×(1 − a)", "a*(1-a)"])
def test_full_width_letters_and_typographic_signs_read_as_typed(capsys, formula: str) -> None:
    argv = ["check-claim", "activation-derivative", formula, "--activation", "sigmoid"]
    assert main(argv) == 0
    assert "proven" in capsys.readouterr().out


def test_an_engine_failure_is_undecided_not_refuted(capsys, monkeypatch) -> None:
    from impl.commands import check_claim

    def failing(*args):
        raise RuntimeError("SymPy gave up")

    monkeypatch.setattr(check_claim, "judge", failing)
    assert main(["check-claim", "output-delta", "a - y", "--output", "sigmoid"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("check-claim: undecided:") and "SymPy gave up" in err
    assert len(err.strip().splitlines()) == 1


def test_a_formula_too_expensive_to_decide_in_the_time_limit_is_undecided(
    capsys, monkeypatch
) -> None:
    from impl.commands import check_claim

    def endless(*args):
        while True:
            pass

    monkeypatch.setattr(check_claim, "judge", endless)
    argv = ["check-claim", "output-delta", "a - y", "--output", "sigmoid", "--time-limit", "0.2"]
    assert main(argv) == 3
    assert "undecided: too expensive to decide within 0.2 s" in capsys.readouterr().err


def test_a_formula_proven_with_no_assumption_points_at_the_proof_that_needs_none(
    capsys,
) -> None:
    argv = ["check-claim", "output-delta", "a*sum(y) - y", "--output", "softmax", "--json", "-"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "proven" and data["proof"] == "softmax_ce_delta_any_labels"
    assert data["show"] == "verified-backprop show softmax_ce_delta_any_labels"


@pytest.mark.parametrize("formula", ["Heaviside(z)", "Piecewise((1, z >= 0), (0, True))"])
def test_a_relu_derivative_proven_says_it_covers_z_nonzero_only(formula: str, capsys) -> None:
    """ReLU has no derivative at 0: a formula proven for ReLU′ is proven for z ≠ 0, and the
    output says so (whatever value it gives at 0)."""
    assert main(["check-claim", "activation-derivative", formula, "--activation", "relu"]) == 0
    assert "covers z ≠ 0 only" in capsys.readouterr().out
