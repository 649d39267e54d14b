"""``check_backward`` on a gallery of student code: every verdict right, every named mistake
diagnosed, the smallest failing case as small as the bug allows; and ``check-backward``.

Each call runs its own Hypothesis search with fixed settings (derandomized, 200 examples at
most), so the verdicts do not depend on the test profile.
"""

from __future__ import annotations

import json
import pathlib

import pytest
from student_backward import in_float32, one_hot_only, per_example_loop, student

from impl.commands import main
from impl.testing import assert_backward_correct, check_backward

#: bug -> (hidden, output)
GALLERY = {
    "extra-output-derivative": ("sigmoid", "softmax"),
    "sum-instead-of-mean": ("tanh", "softmax"),
    "one-over-m-twice": ("sigmoid", "softmax"),
    "untransposed-weights": ("tanh", "softmax"),
    "relu-derivative-is-z": ("relu", "softmax"),
    "missing-activation-derivative": ("sigmoid", "sigmoid"),
    "activation-derivative-of-a": ("sigmoid", "softmax"),
    "derivative-formula-on-z": ("tanh", "sigmoid"),
    "tanh-derivative-without-square": ("tanh", "softmax"),
    "weight-gradient-of-wrong-layer": ("sigmoid", "softmax"),
}


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_a_correct_vectorised_backward_passes(hidden: str, output: str) -> None:
    result = check_backward(student(None, hidden, output), hidden=hidden, output=output)
    assert result.passed, result.report()
    assert result.examples >= 100


def test_a_correct_per_example_loop_passes() -> None:
    assert_backward_correct(per_example_loop, hidden="sigmoid", output="softmax")


@pytest.mark.parametrize("bug", list(GALLERY))
def test_each_named_mistake_is_refuted_and_diagnosed(bug: str) -> None:
    hidden, output = GALLERY[bug]
    result = check_backward(student(bug, hidden, output), hidden=hidden, output=output)
    assert not result.passed
    assert [entry.id for entry in result.diagnosis] == [bug], result.report()
    assert result.wrong, "the wrong arrays are named"
    assert all(error.error > 1e-6 and error.error_central > 1e-6 for error in result.wrong)
    assert f"docs/derivations.md#claim-{result.diagnosis[0].proof}" in result.report()


def test_a_bug_that_needs_three_layers_is_found_at_three_layers() -> None:
    result = check_backward(
        student("stale-delta", "tanh", "softmax"), hidden="tanh", output="softmax"
    )
    assert not result.passed
    assert result.case is not None and result.case.depth == 3, result.report()


def test_a_bug_that_shows_only_for_one_example_is_found_at_m_1() -> None:
    result = check_backward(student("only-at-one-example"), hidden="sigmoid", output="softmax")
    assert not result.passed
    assert result.case is not None and result.case.m == 1, result.report()
    assert result.diagnosis == []


def test_the_smallest_case_is_small_for_a_missing_one_over_m() -> None:
    result = check_backward(student("sum-instead-of-mean"), hidden="sigmoid", output="softmax")
    assert result.case is not None
    assert result.case.m == 2 and result.case.depth == 1, result.report()


def test_a_function_that_raises_is_wrong_and_its_exception_is_shown() -> None:
    result = check_backward(student("raises"), hidden="sigmoid", output="softmax")
    assert not result.passed
    assert "RuntimeError: not implemented yet" in result.problem
    assert "student_backward.py" in result.problem


def test_a_wrong_shape_is_wrong_and_the_expected_shape_is_shown() -> None:
    result = check_backward(student("wrong-shape"), hidden="sigmoid", output="softmax")
    assert not result.passed
    assert "db1 has shape (" in result.problem and "; expected (" in result.problem


def test_a_wrong_number_of_arrays_is_wrong() -> None:
    result = check_backward(lambda W, b, X, Y: (W,), hidden="sigmoid", output="softmax")
    assert not result.passed and "expected a pair (dW, db)" in result.problem


def test_a_correct_float32_backward_passes_against_the_float32_bound() -> None:
    result = check_backward(in_float32(), hidden="sigmoid", output="softmax")
    assert result.passed, result.report()
    declared = check_backward(in_float32(), hidden="sigmoid", output="softmax", dtype="float32")
    assert declared.passed, declared.report()


@pytest.mark.parametrize("bug", ["one-over-m-twice", "missing-activation-derivative"])
def test_a_wrong_float32_backward_still_fails_and_is_diagnosed(bug: str) -> None:
    result = check_backward(in_float32(bug), hidden="sigmoid", output="softmax", dtype="float32")
    assert not result.passed and result.precision == "float32"
    assert [entry.id for entry in result.diagnosis] == [bug], result.report()


def test_code_for_one_hot_labels_is_told_to_declare_them() -> None:
    result = check_backward(one_hot_only, hidden="sigmoid", output="softmax")
    assert not result.passed
    assert "--labels one-hot" in result.report()
    declared = check_backward(one_hot_only, hidden="sigmoid", output="softmax", labels="one-hot")
    assert declared.passed, declared.report()


def test_a_missing_one_over_m_is_not_diagnosed_at_one_example() -> None:
    correct = student(None)
    result = check_backward(
        lambda w, b, X, Y: ([1.001 * g for g in correct(w, b, X, Y)[0]], correct(w, b, X, Y)[1]),
        hidden="sigmoid",
        output="softmax",
    )
    assert not result.passed and result.case is not None and result.case.m == 1
    assert "sum-instead-of-mean" not in [entry.id for entry in result.diagnosis]


def test_assert_backward_correct_raises_with_the_report() -> None:
    with pytest.raises(AssertionError, match="sum-instead-of-mean"):
        assert_backward_correct(student("sum-instead-of-mean"), hidden="sigmoid", output="softmax")


# ------------------------------------------------------------------ the command

STUDENT = pathlib.Path(__file__).with_name("student_backward.py")


def _file(tmp_path: pathlib.Path, body: str) -> pathlib.Path:
    path = tmp_path / "mine.py"
    path.write_text(f"import sys\nsys.path.insert(0, {str(STUDENT.parent)!r})\n" + body)
    return path


def test_check_backward_command_exits_0_for_a_correct_function(
    tmp_path, capsys, monkeypatch
) -> None:
    path = _file(tmp_path, "from student_backward import per_example_loop as backward\n")
    monkeypatch.chdir(tmp_path)
    assert (
        main(["check-backward", f"{path}:backward", "--hidden", "sigmoid", "--output", "softmax"])
        == 0
    )
    assert "correct on" in capsys.readouterr().out
    # nothing written but what was asked for: no .hypothesis cache in the working folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.py"]


def test_check_backward_command_exits_1_with_the_diagnosis_in_json(tmp_path, capsys) -> None:
    path = _file(
        tmp_path,
        "from student_backward import student\nbackward = student('extra-output-derivative')\n",
    )
    report = tmp_path / "report.json"
    status = main(
        [
            "check-backward",
            f"{path}:backward",
            "--hidden",
            "sigmoid",
            "--output",
            "softmax",
            "--json",
            str(report),
        ]
    )
    assert status == 1
    data = json.loads(report.read_text())
    assert data["passed"] is False
    assert data["diagnosis"] == ["extra-output-derivative"]
    assert "smallest failing case" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing.py:f", "no such file"),
        ("{path}:nothing", "has no function 'nothing'"),
        ("{path}:number", "is not callable"),
        ("{path}", "expected FILE.py:FUNCTION"),
        ("{folder}:backward", "is a folder, not a Python file"),
    ],
)
def test_check_backward_command_exits_2_with_one_line(tmp_path, capsys, target, message):
    path = _file(tmp_path, "number = 3\n")
    status = main(
        [
            *("check-backward", target.format(path=path, folder=tmp_path)),
            *("--hidden", "sigmoid", "--output", "softmax"),
        ]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert message in err and len(err.strip().splitlines()) == 1


#: a file that leaves a mark when it is imported: the check would have started
MARKING = "import pathlib\npathlib.Path(__file__).with_name('imported').write_text('')\n"


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_an_unwritable_json_path_is_refused_in_one_line_before_the_check(
    tmp_path, capsys, where
) -> None:
    path = _file(tmp_path, MARKING + "from student_backward import per_example_loop as backward\n")
    if where == "proc":  # root may write anywhere os.access can see; /proc still refuses it
        if not pathlib.Path("/proc/self").is_dir():
            pytest.skip("no /proc here")
        destination = "/proc/no-such-folder/report.json"
    else:
        (tmp_path / "a-file").write_text("")
        destination = str(tmp_path / "a-file" / "report.json")
    argv = ["check-backward", f"{path}:backward", "--hidden", "sigmoid", "--output", "softmax"]
    assert main([*argv, "--json", destination]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"check-backward: --json '{destination}' cannot be written")
    assert captured.err.count("\n") == 1 and captured.out == ""  # one line, no traceback
    assert not (tmp_path / "imported").exists(), "refused before the file was even loaded"


def _returns_none(weights, biases, X, Y):
    return None


def _one_hidden_layer_only(weights, biases, X, Y):
    if len(weights) != 2:
        raise ValueError("written for one hidden layer")
    return student(None)(weights, biases, X, Y)


def test_a_function_failing_on_every_call_is_told_so_not_to_declare_an_architecture() -> None:
    result = check_backward(_returns_none, hidden="sigmoid", output="softmax", max_examples=30)
    report = result.report()
    assert not result.passed
    assert "--hidden-layers N" not in report and "drew a network" not in report, report
    assert "failed on every case judged" in report
    assert "its first failure: returned None" in report
    # the header counts honestly: it failed on the first case, then shrinking judged more
    assert result.first_failure == 1
    assert f"failed on case 1; {result.examples} cases judged in all" in report.splitlines()[0]


def test_the_architecture_is_suggested_when_the_function_works_for_another_depth() -> None:
    result = check_backward(
        _one_hidden_layer_only, hidden="sigmoid", output="softmax", max_examples=60
    )
    report = result.report()
    assert result.verdict == "error"
    assert "--hidden-layers N" in report, report
    assert "it returned gradients for networks with 1 hidden layer." in report
    options = {"hidden": "sigmoid", "output": "softmax", "max_examples": 30}
    declared = check_backward(_one_hidden_layer_only, hidden_layers=1, **options)
    assert declared.passed, declared.report()


def _off_by_a_billionth(weights, biases, X, Y):
    dW, db = student(None)(weights, biases, X, Y)
    return [dW[0] * (1 + 1e-9), *dW[1:]], db


def test_a_tiny_relative_error_is_wrong_and_shown_with_the_digits_that_differ() -> None:
    result = check_backward(
        _off_by_a_billionth, hidden="sigmoid", output="softmax", hidden_layers=0, max_examples=30
    )
    assert result.verdict == "wrong" and result.wrong, result.report()  # never weakened
    error = next(e for e in result.wrong if e.name == "dW1")
    line = next(line for line in result.report().splitlines() if "worst entry dW1" in line)
    true = line.split("true ")[1].split(",")[0]
    yours = line.split("yours ")[1].split(" ")[0]
    assert true != yours, line
    assert float(true) == pytest.approx(error.true, rel=1e-9)
    assert "relative difference 1e-09" in line
