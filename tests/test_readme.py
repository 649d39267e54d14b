"""The README's commands and code example stay true."""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_python_example_runs(tmp_path, monkeypatch, capsys) -> None:
    (example,) = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    monkeypatch.chdir(tmp_path)  # the example saves model.npz into the working directory
    example = example.replace("learning_rate=3.0)", "learning_rate=3.0, progress=False)")
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)
    assert namespace["accuracy"] >= 0.95
    assert "PASSED" in capsys.readouterr().out
    assert (tmp_path / "model.npz").is_file()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    commands = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    test_command = next(command for command in commands if "pytest" in command)
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci_script.rstrip().splitlines()[-1] == test_command
    assert "set -euo pipefail" in ci_script


def test_readme_says_what_proven_rests_on_in_the_engines_words() -> None:
    from derivations.kernel.engine import PROVEN_RESTS_ON

    quoted = " ".join(
        line[2:] for line in README.splitlines() if line.startswith("> ") or line == ">"
    )
    assert PROVEN_RESTS_ON in quoted
