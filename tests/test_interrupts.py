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


def _interrupted(argv: list[str], tmp_path: pathlib.Path) -> tuple[int, str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, *argv],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        first = process.stdout.readline()  # the command is at work
        assert first, process.stderr.read()
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode, err


@pytest.mark.parametrize(
    "argv",
    [
        ["-m", "impl.commands", "verify", "--jobs", "2"],
        ["-m", "derivations", "--jobs", "2"],
        ["-m", "impl.commands", "train", "--epochs", "200", "--no-progress", "--out", "run"],
        ["-m", "impl.commands", "show", "network_softmax_ce_3_hidden"],
    ],
    ids=["verify", "python -m derivations", "train", "show"],
)
def test_ctrl_c_ends_a_command_with_one_line_and_status_130(argv, tmp_path) -> None:
    if argv[-1] == "network_softmax_ce_3_hidden":  # show prints only at the end: make it talk
        argv = ["-c", _SHOW_AFTER_A_LINE]  # the console script, as installed
    status, err = _interrupted(argv, tmp_path)
    assert status == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "interrupted (Ctrl-C)" in lines[0], err


#: the console script (``verified_backprop_cli.main``) running ``show`` on the largest proof,
#: after a first line: the interrupt lands while the commands load, or in the proof
_SHOW_AFTER_A_LINE = (
    "import sys; print('started', flush=True); import verified_backprop_cli; "
    "sys.argv = ['verified-backprop', 'show', 'network_softmax_ce_3_hidden']; "
    "sys.exit(verified_backprop_cli.main())"
)


def test_an_interrupted_train_writes_nothing(tmp_path) -> None:
    argv = ["-m", "impl.commands", "train", "--epochs", "200", "--no-progress", "--out", "run"]
    status, _ = _interrupted(argv, tmp_path)
    assert status == 130 and not (tmp_path / "run").exists()
