"""No silent success: everything a user's function can do besides returning gradients is a
finding — exiting, hanging, crashing, exhausting memory, returning complex numbers or objects
that are not arrays, changing NumPy's error state, giving different answers to the same input,
patching NumPy — and none of it can make a wrong function pass or stop the check.

The function runs in a child process ("FILE.py:FUNCTION", :mod:`impl.testing.isolation`)
unless a test says it runs here.
"""

from __future__ import annotations

import pathlib
import textwrap

import numpy as np
import pytest
from student_backward import student

from impl.commands import main
from impl.testing import check_backward

TESTS = pathlib.Path(__file__).resolve().parent
HEADER = f"import sys\nsys.path.insert(0, {str(TESTS)!r})\nimport numpy as np\n"
CORRECT = "from student_backward import student\n_correct = student(None, 'sigmoid', 'softmax')\n"
FAST = {"hidden": "sigmoid", "output": "softmax", "max_examples": 20}


def _submission(tmp_path: pathlib.Path, body: str, name: str = "mine.py") -> str:
    path = tmp_path / name
    path.write_text(HEADER + CORRECT + textwrap.dedent(body))
    return f"{path}:backward"


@pytest.mark.parametrize(
    ("body", "kind", "message"),
    [
        (
            "import os\ndef backward(w, b, X, Y):\n    os._exit(0)\n",
            "exit",
            "exit status 0",
        ),
        (
            "def backward(w, b, X, Y):\n    sys.exit(0)\n",
            "exit",
            "called sys.exit(0)",
        ),
        (
            "def backward(w, b, X, Y):\n    while True:\n        pass\n",
            "timeout",
            "no answer within 1 s",
        ),
        (
            "def backward(w, b, X, Y):\n    return np.ones(8 << 30)\n",
            "memory",
            "MemoryError",
        ),
        (
            "import ctypes\ndef backward(w, b, X, Y):\n    return ctypes.string_at(0)\n",
            "crash",
            "segmentation fault",
        ),
    ],
    ids=["os._exit", "sys.exit", "infinite-loop", "64-GiB", "segfault"],
)
def test_a_function_that_does_not_return_is_an_error_with_what_it_did(
    tmp_path, body, kind, message
) -> None:
    result = check_backward(_submission(tmp_path, body), timeout=1.0, **FAST)
    assert not result.passed
    assert result.verdict == "error" and result.failure_kind == kind
    assert message in result.problem
    assert result.case is not None, "the network that triggered it is shown"


def test_a_file_that_exits_at_import_is_not_a_pass(tmp_path, capsys) -> None:
    path = tmp_path / "mine.py"
    path.write_text("import sys\nsys.exit(0)\n")
    result = check_backward(f"{path}:backward", **FAST)
    assert not result.passed and result.failure_kind == "load"
    assert "sys.exit(0) at import" in result.problem
    status = main(
        ["check-backward", f"{path}:backward", "--hidden", "sigmoid", "--output", "softmax"]
    )
    err = capsys.readouterr().err
    assert status == 2 and "sys.exit(0) at import" in err and len(err.strip().splitlines()) == 1


def test_the_command_reports_a_function_that_exits(tmp_path, capsys) -> None:
    target = _submission(tmp_path, "def backward(w, b, X, Y):\n    sys.exit(0)\n")
    status = main(["check-backward", target, "--hidden", "sigmoid", "--output", "softmax"])
    out = capsys.readouterr().out
    assert status == 1
    assert "ERROR" in out and "called sys.exit(0)" in out


def test_an_exception_names_the_users_line_and_the_network(tmp_path) -> None:
    body = """
    def backward(w, b, X, Y):
        if len(w) != 2:
            raise ValueError("written for one hidden layer")
        return _correct(w, b, X, Y)
    """
    result = check_backward(_submission(tmp_path, body), **FAST)
    assert result.verdict == "error" and result.failure_kind == "raised"
    assert "written for one hidden layer" in result.problem
    assert "mine.py:" in result.location
    assert "--hidden-layers" in result.report(), "the report says how to declare the network"
    assert "relative error" not in result.report(), "never shown as a gradient mismatch"
    declared = check_backward(_submission(tmp_path, body), hidden_layers=1, **FAST)
    assert declared.passed, declared.report()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            "def backward(w, b, X, Y):\n    dW, db = _correct(w, b, X, Y)\n"
            "    return [g + 1j for g in dW], db\n",
            "is complex",
        ),
        (
            "class Broken:\n    def __array__(self, *a, **k):\n        raise RuntimeError('no')\n"
            "def backward(w, b, X, Y):\n    dW, db = _correct(w, b, X, Y)\n"
            "    return [Broken() for _ in dW], db\n",
            "not an array",
        ),
        ("def backward(w, b, X, Y):\n    return None\n", "returned None"),
    ],
    ids=["complex", "__array__-raises", "None"],
)
def test_a_result_that_is_not_real_arrays_is_wrong_and_says_why(tmp_path, body, words) -> None:
    result = check_backward(_submission(tmp_path, body), **FAST)
    assert not result.passed and result.verdict == "wrong"
    assert words in result.problem
    assert result.diagnosis == [], "no mistake is named from the arrays that were not read"


def test_a_list_whose_len_lies_is_read_by_its_contents(tmp_path) -> None:
    body = """
    class Liar(list):
        def __len__(self):
            return 99
    def backward(w, b, X, Y):
        dW, db = _correct(w, b, X, Y)
        return Liar(dW), Liar(db)
    """
    result = check_backward(_submission(tmp_path, body), **FAST)
    assert result.passed, result.report()


@pytest.mark.parametrize("isolated", [True, False], ids=["child", "here"])
def test_numpy_error_state_set_by_the_user_does_not_reach_our_arithmetic(tmp_path, isolated):
    body = "def backward(w, b, X, Y):\n    out = _correct(w, b, X, Y)\n"
    body += "    np.seterr(all='raise')\n    return out\n"
    target = _submission(tmp_path, body)
    saved = np.geterr()
    try:
        if isolated:
            result = check_backward(target, **FAST)
        else:
            correct = student(None, "sigmoid", "softmax")

            def backward(w, b, X, Y):
                out = correct(w, b, X, Y)
                np.seterr(all="raise")
                return out

            result = check_backward(backward, **FAST)
        assert result.passed, result.report()
        assert np.geterr() == saved
    finally:
        np.seterr(**saved)


@pytest.mark.parametrize("isolated", [True, False], ids=["child", "here"])
def test_a_function_wrong_on_half_its_calls_is_wrong(tmp_path, isolated) -> None:
    body = """
    import random
    def backward(w, b, X, Y):
        dW, db = _correct(w, b, X, Y)
        if random.random() < 0.5:
            dW = [1.5 * g for g in dW]
        return dW, db
    """
    target = _submission(tmp_path, body)
    if not isolated:
        namespace: dict = {}
        exec(
            compile(pathlib.Path(target.rpartition(":")[0]).read_text(), "mine", "exec"), namespace
        )
        target = namespace["backward"]
    result = check_backward(target, hidden="sigmoid", output="softmax")
    assert not result.passed


def test_patching_numpy_and_this_project_in_the_submission_cannot_pass_it(tmp_path) -> None:
    body = """
    np.allclose = lambda *a, **k: True
    np.all = lambda *a, **k: True
    import impl.testing.reference as reference
    reference.agrees = lambda *a, **k: True
    reference.tolerance = lambda *a, **k: float("inf")
    def backward(w, b, X, Y):
        return [np.zeros_like(g) for g in w], [np.zeros_like(g) for g in b]
    """
    result = check_backward(_submission(tmp_path, body), **FAST)
    assert not result.passed and result.verdict == "wrong"


@pytest.mark.parametrize(
    "body",
    [
        "def backward(w, b, X, Y):\n    print('x' * 100_000)\n"
        "    print('y' * 100_000, file=sys.stderr)\n    return _correct(w, b, X, Y)\n",
        "def backward(w, b, X, Y):\n    out = _correct(w, b, X, Y)\n"
        "    X[...] = 0.0\n    w[0][...] = 7.0\n    return out\n",
    ],
    ids=["noisy", "mutates-its-arguments"],
)
def test_a_correct_function_that_prints_or_mutates_its_arguments_passes(tmp_path, body):
    result = check_backward(_submission(tmp_path, body), **FAST)
    assert result.passed, result.report()


def test_a_gradient_off_by_a_tiny_factor_is_not_called_a_known_mistake() -> None:
    correct = student(None, "sigmoid", "softmax")

    def almost(w, b, X, Y):
        dW, db = correct(w, b, X, Y)
        return [g * (1 + 1e-7) for g in dW], [g * (1 + 1e-7) for g in db]

    result = check_backward(almost, hidden="sigmoid", output="softmax")
    assert not result.passed
    assert result.diagnosis == [], result.report()


def test_a_function_that_calls_sys_exit_here_is_a_finding_not_an_exit() -> None:
    def leaves(w, b, X, Y):
        raise SystemExit(0)

    result = check_backward(leaves, **FAST)
    assert result.verdict == "error" and "sys.exit(0)" in result.problem


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_examples": 0}, "max_examples is 0"),
        ({"hidden_layers": -1}, "hidden_layers is -1"),
        ({"sizes": (3, 1), "output": "softmax"}, "softmax output needs at least 2"),
        ({"timeout": 0}, "timeout is 0"),
    ],
)
def test_bad_arguments_are_refused_before_any_work(options, message) -> None:
    arguments = {"hidden": "sigmoid", "output": "softmax", **options}
    with pytest.raises(ValueError, match=message):
        check_backward(student(None), **arguments)


@pytest.mark.parametrize(
    "extra",
    [
        ["--examples", "0"],
        ["--time-limit", "-1"],
        ["--sizes", "3,x"],
        ["--labels", "fuzzy"],
    ],
)
def test_the_command_refuses_bad_options_with_status_2(tmp_path, capsys, extra) -> None:
    target = _submission(tmp_path, "backward = _correct\n")
    with pytest.raises(SystemExit) as stop:
        status = main(
            ["check-backward", target, "--hidden", "sigmoid", "--output", "softmax", *extra]
        )
        raise SystemExit(status)
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip()


@pytest.mark.parametrize(
    ("body", "kind", "words"),
    [
        (
            "class Odd(Exception):\n    def __str__(self):\n        raise RuntimeError('no')\n"
            "def backward(w, b, X, Y):\n    raise Odd()\n",
            "raised",
            "raised Odd (its message could not be printed",
        ),
        (
            "def backward(w, b, X, Y):\n    raise KeyboardInterrupt\n",
            "raised",
            "raised KeyboardInterrupt",
        ),
        (
            "import os\ndef backward(w, b, X, Y):\n    os.closerange(0, 64)\n"
            "    return _correct(w, b, X, Y)\n",
            "exit",
            "connection to the checker",
        ),
    ],
    ids=["unprintable-message", "KeyboardInterrupt", "closes-its-pipes"],
)
def test_what_ended_the_call_is_named_not_an_exit_status_or_a_signal(
    tmp_path, body, kind, words
) -> None:
    result = check_backward(_submission(tmp_path, body), timeout=5.0, **FAST)
    assert result.verdict == "error" and result.failure_kind == kind, result.report()
    assert words in result.problem
    assert "exit status" not in result.problem and "SIGINT" not in result.problem


def test_an_unprintable_exception_here_is_named_too() -> None:
    class OddError(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    def backward(w, b, X, Y):
        raise OddError()

    result = check_backward(backward, **FAST)
    assert result.failure_kind == "raised"
    assert "raised OddError (its message could not be printed" in result.problem
