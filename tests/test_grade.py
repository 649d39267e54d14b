"""``verified-backprop grade``: a generated class graded in one command — every correct
submission full credit, every wrong one less, every broken one zero — with ``grades.csv`` and
Gradescope's ``results.json`` written for each submission."""

from __future__ import annotations

import csv
import json
import pathlib

import pytest

from impl.commands import main
from impl.testing.grading import PROPERTY_POINTS, find_submissions

TESTS = pathlib.Path(__file__).resolve().parent
#: the class is graded once (a module fixture): its tests run in one worker, not one per worker
pytestmark = pytest.mark.xdist_group("grade")

HEADER = f"import sys\nsys.path.insert(0, {str(TESTS)!r})\nimport numpy as np\n"

CORRECT = {
    "vectorised": "from student_backward import student\nbackward = student(None)\n",
    "loop": "from student_backward import per_example_loop as backward\n",
    "noisy": "from student_backward import student\n_b = student(None)\n"
    "def backward(w, b, X, Y):\n    print('debug' * 1000)\n    return _b(w, b, X, Y)\n",
}
MISTAKES = [
    "extra-output-derivative",
    "sum-instead-of-mean",
    "one-over-m-twice",
    "missing-activation-derivative",
    "activation-derivative-of-a",
    "weight-gradient-of-wrong-layer",
]
BROKEN = {
    "raises": "def backward(w, b, X, Y):\n    raise NotImplementedError('todo')\n",
    "exits": "import os\ndef backward(w, b, X, Y):\n    os._exit(3)\n",
    "exit-at-import": "sys.exit(0)\n",
    "hangs": "def backward(w, b, X, Y):\n    while True:\n        pass\n",
    "memory-hog": "def backward(w, b, X, Y):\n    return np.ones(8 << 30)\n",
    "segfault": "import ctypes\ndef backward(w, b, X, Y):\n    ctypes.string_at(0)\n",
    "no-function": "def forward(X):\n    return X\n",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[pathlib.Path, dict[str, dict[str, str]], int]:
    """Grade one generated class once; (the results folder, CSV rows by name, exit status)."""
    folder = tmp_path_factory.mktemp("class")
    for name, body in CORRECT.items():
        (folder / f"correct-{name}.py").write_text(HEADER + body)
    for bug in MISTAKES:
        body = f"from student_backward import student\nbackward = student({bug!r})\n"
        (folder / f"mistake-{bug}.py").write_text(HEADER + body)
    for name, body in BROKEN.items():
        (folder / f"broken-{name}.py").write_text(HEADER + body)
    inside = folder / "correct-in-a-folder"
    inside.mkdir()
    (inside / "solution.py").write_text(HEADER + CORRECT["vectorised"])
    out = folder.parent / (folder.name + "-results")
    status = main(
        [
            *("grade", str(folder), "--function", "backward", "--hidden", "sigmoid"),
            *("--output", "softmax", "--out", str(out), "--time-limit", "2", "--examples", "60"),
        ]
    )
    with (out / "grades.csv").open(newline="") as handle:
        rows = {row["submission"]: row for row in csv.DictReader(handle)}
    return out, rows, status


def test_grade_exits_0_and_writes_a_row_per_submission(graded) -> None:
    out, rows, status = graded
    assert status == 0
    expected = {f"correct-{n}" for n in CORRECT} | {f"mistake-{b}" for b in MISTAKES}
    expected |= {f"broken-{n}" for n in BROKEN} | {"correct-in-a-folder"}
    assert set(rows) == expected
    header = (out / "grades.csv").read_text().splitlines()[0]
    assert header == "submission,score,max_score,verdict,diagnosis"


def test_every_correct_submission_gets_full_credit(graded) -> None:
    _, rows, _ = graded
    for name, row in rows.items():
        if name.startswith("correct"):
            assert row["verdict"] == "correct", row
            assert float(row["score"]) == float(row["max_score"]) > 0, row


def test_every_known_mistake_gets_less_and_is_named(graded) -> None:
    _, rows, _ = graded
    for bug in MISTAKES:
        row = rows[f"mistake-{bug}"]
        assert row["verdict"] == "wrong", row
        assert float(row["score"]) <= float(row["max_score"]) - PROPERTY_POINTS, row
        assert bug in row["diagnosis"].split("; "), row


def test_every_broken_submission_gets_zero_with_the_reason(graded) -> None:
    _, rows, _ = graded
    reasons = {
        "raises": "NotImplementedError",
        "exits": "exit status 3",
        "exit-at-import": "sys.exit(0) at import",
        "hangs": "no answer within 2 s",
        "memory-hog": "MemoryError",
        "segfault": "segmentation fault",
        "no-function": "has no function 'backward'",
    }
    for name, reason in reasons.items():
        row = rows[f"broken-{name}"]
        assert float(row["score"]) == 0.0, row
        assert row["verdict"] == "error", row
        assert reason in row["diagnosis"], row


def test_each_submission_has_gradescope_results(graded) -> None:
    out, rows, _ = graded
    for name, row in rows.items():
        data = json.loads((out / name / "results.json").read_text())
        assert set(data) >= {"score", "tests", "output"}
        assert data["score"] == float(row["score"])
        assert data["tests"], name
        for test in data["tests"]:
            assert set(test) >= {"name", "score", "max_score", "output"}
            assert isinstance(test["name"], str) and isinstance(test["output"], str)
            assert 0 <= test["score"] <= test["max_score"]
        assert sum(t["score"] for t in data["tests"]) == data["score"]
        assert sum(t["max_score"] for t in data["tests"]) == float(row["max_score"])


def test_partial_credit_is_per_array(graded) -> None:
    out, _, _ = graded
    data = json.loads((out / "mistake-missing-activation-derivative" / "results.json").read_text())
    scores = {test["name"].split(":")[0]: test["score"] for test in data["tests"]}
    # the output layer's gradients do not use the hidden activation's derivative
    assert scores["dW3"] == scores["db3"] == 1.0
    assert scores["dW1"] == scores["db1"] == 0.0


def test_a_folder_holding_several_files_takes_the_one_defining_the_function(tmp_path) -> None:
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "helpers.py").write_text("def sigmoid(z):\n    return z\n")
    (tmp_path / "alice" / "main.py").write_text("def backward(w, b, X, Y):\n    return w, b\n")
    (tmp_path / "bob").mkdir()
    found = {name: (path, why) for name, path, why in find_submissions(tmp_path, "backward")}
    assert found["alice"][0] == tmp_path / "alice" / "main.py"
    assert found["bob"][0] is None and "no .py file" in found["bob"][1]


def test_grade_refuses_a_missing_folder_with_status_2(tmp_path, capsys) -> None:
    status = main(
        [
            *("grade", str(tmp_path / "nothing"), "--hidden", "sigmoid", "--output", "softmax"),
            *("--out", str(tmp_path / "out")),
        ]
    )
    assert status == 2
    assert "no such folder" in capsys.readouterr().err
