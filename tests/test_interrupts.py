"""Ctrl-C ends every command with one line on standard error and exit status 130.

Each command runs in its own process group, as a shell's foreground job does, and gets
SIGINT on the whole group (what Ctrl-C sends) once it has printed its first line, so it is
in the middle of its work (verify's proof workers included).
"""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


#: run in the child before the command: SIGINT as a shell's foreground job has it (a test
#: runner's worker may ignore it, and an ignored SIGINT stays ignored in its children), then
#: exec the command (no preexec_fn: forking the multi-threaded test process runs at-fork
#: handlers there)
_DEFAULT_INTERRUPT_HANDLING = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def _interrupted(argv: list[str], tmp_path: pathlib.Path, ready: str = "") -> tuple[int, str]:
    """Run ``python argv`` as a foreground job, send Ctrl-C once it has printed its first
    line (or, with ``ready``, once Python reports importing the module ``ready``), and return its
    exit status and standard error."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        [sys.executable, "-c", _DEFAULT_INTERRUPT_HANDLING, sys.executable, *argv],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            before = ""
            if ready:
                while not before or before.splitlines()[-1].split("|")[-1].strip() != ready:
                    line = process.stderr.readline()
                    assert line, before
                    before += line
            else:
                first = process.stdout.readline()  # the command is at work
                assert first, process.stderr.read()
            os.killpg(process.pid, signal.SIGINT)
            _, err = process.communicate(timeout=600)
            err = before + err
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
    return process.returncode, err


@pytest.mark.parametrize(
    "argv",
    [
        ["-m", "impl.commands", "verify", "--jobs", "2"],
        ["-m", "derivations", "--jobs", "2"],
        ["-m", "impl.commands", "train", "--epochs", "200", "--no-progress", "--out", "run"],
    ],
    ids=["verify", "python -m derivations", "train"],
)
def test_ctrl_c_ends_a_command_with_one_line_and_status_130(argv, tmp_path) -> None:
    status, err = _interrupted(argv, tmp_path)
    assert status == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "interrupted (Ctrl-C)" in lines[0], err


#: the console script's entry running ``show`` on the largest proof; Python reports each
#: module it has imported (-X importtime), so the interrupt can land while ``main`` loads the
#: commands (seconds of imports, before ``impl.commands.main`` could catch anything)
_CONSOLE_SCRIPT = [
    "-X",
    "importtime",
    "-c",
    "import sys; from verified_backprop_cli import main; "
    "sys.argv = ['verified-backprop', 'show', 'network_softmax_ce_3_hidden']; sys.exit(main())",
]


def test_ctrl_c_while_the_console_script_loads_the_commands_ends_with_one_line(tmp_path) -> None:
    status, err = _interrupted(_CONSOLE_SCRIPT, tmp_path, ready="sympy")
    lines = [line for line in err.splitlines() if line and not line.startswith("import time:")]
    assert status == 130, err
    assert len(lines) == 1 and "interrupted (Ctrl-C)" in lines[0], lines


def test_an_interrupted_train_writes_nothing(tmp_path) -> None:
    argv = ["-m", "impl.commands", "train", "--epochs", "200", "--no-progress", "--out", "run"]
    status, _ = _interrupted(argv, tmp_path)
    assert status == 130 and not (tmp_path / "run").exists()
