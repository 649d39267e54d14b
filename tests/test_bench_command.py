"""``verified-backprop bench`` runs end to end on tiny sizes and writes a well-formed report.

Nothing here is a timed test: no figure is checked, only that the command runs, writes the one
file it is given (inside ``tmp_path``) and that the file has every section, well-formed
tables and a verdict for every target. PyTorch and JAX are optional (CI does not install the
bench extra): one test hides both, one (skipped without them) uses them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from impl import kernels
from impl.bench import blas_environment, runner
from impl.bench.targets import Target
from impl.bench.training import PEERS
from impl.commands import bench as bench_command

SECTIONS = (
    "# Benchmarks",
    "## Targets",
    "## Against the best peer",
    "## 1. Training throughput",
    "## 2. Hardware limit",
    "### Where impl's training step spends its time",
    "## 3. Gradient checking cost",
    "## 4. Symbolic side",
    "### Proofs",
    "### Lambdified output deltas vs hand-written NumPy",
)
VERDICTS = {"**met**", "**MISSED**", "**not evaluated**"}


def cells(line: str) -> list[str]:
    """The cells of a Markdown table row (escaped pipes stay inside their cell)."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def tables(text: str) -> list[list[list[str]]]:
    """Every Markdown table outside code fences, as rows of cells (header first)."""
    found, current, fenced = [], [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("|"):
            current.append(cells(line))
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def check_report(text: str, sections: tuple[str, ...] = SECTIONS) -> list[list[list[str]]]:
    for section in sections:
        assert f"\n{section}\n" in f"\n{text}", f"missing section {section!r}"
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert text.count("```") % 2 == 0
    found = tables(text)
    assert len(found) >= 8
    for rows in found:
        header, separator, *body = rows
        assert all(re.fullmatch(r":?-+:?", mark) for mark in separator), separator
        assert len(separator) == len(header)
        assert body, f"table without rows: {header}"
        for row in body:
            assert len(row) == len(header), (header, row)
    return found


def table_with(found: list[list[list[str]]], first_header: str) -> list[list[str]]:
    return next(rows for rows in found if rows[0][0] == first_header)


def run_tiny(
    tmp_path: Path, sections: tuple[str, ...] = SECTIONS
) -> tuple[str, list[list[list[str]]]]:
    out = tmp_path / "nested" / "benchmarks.md"
    assert bench_command.main(["--tiny", "--out", str(out)]) == 0
    written = sorted(path for path in tmp_path.rglob("*") if path.is_file())
    assert written == [out], f"bench wrote other files: {written}"
    text = out.read_text(encoding="utf-8")
    return text, check_report(text, sections)


def test_bench_writes_a_well_formed_report_without_pytorch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(runner, "torch_available", lambda: False)
    monkeypatch.setattr(runner, "jax_available", lambda: False)
    text, found = run_tiny(tmp_path, sections=SECTIONS[:2] + SECTIONS[3:])

    machine = dict(row[:2] for row in table_with(found, "")[2:])
    for key in ("date", "command", "CPU", "NumPy", "PyTorch", "JAX", "threads", "timer"):
        assert machine.get(key), f"machine description lacks {key!r}"
    assert machine["PyTorch"].startswith("not installed")
    assert machine["JAX"].startswith("not installed")
    assert "## Against the best peer" not in text  # no peer, no ratios
    assert "verified-backprop bench --tiny --out" in machine["command"]
    assert "BLAS:" in machine["NumPy"]
    # which path impl's fit took, and what compiling the kernels cost (timed apart, as JAX's)
    if kernels.AVAILABLE:
        assert re.match(
            r"numba \S+; disk cache .+; made ready before timing \(float64 (cold|warm): "
            r"\d+\.\d\d s",
            machine["impl kernels"],
        ), machine["impl kernels"]
    else:
        assert machine["impl kernels"].startswith("numba not installed")

    # the first fit of a fresh process beside the second, and the cache state it met
    assert re.search(r"First fit of a session: .* float64 \d\.\d+ s then \d\.\d+ s CPU", text)
    assert re.search(r"disk cache was (warm|off|not used)", text)

    targets = table_with(found, "target")[2:]
    assert targets and all(row[2] in VERDICTS for row in targets)
    assert any("best peer" in row[0] and row[2] == "**not evaluated**" for row in targets)

    throughput = table_with(found, "mini-batch")[2:]
    by_name = {row[1]: row for row in throughput}
    for peer in PEERS:
        assert by_name[peer][2] == "not installed", peer
    for impl_row in (
        "**impl (whole Network.fit call, defaults)**",
        "**impl (epoch inside Network.fit)**",
    ):
        assert float(by_name[impl_row][2].replace(",", "")) > 0
    assert any("per-example loop" in name and "reference baseline" in name for name in by_name)

    gradcheck = table_with(found, "method")[2:]
    assert any("EXTRAPOLATED" in row[5] for row in gradcheck)  # the naive loop, labelled
    assert any(
        row[0].startswith("torch.autograd") and row[2] == "not installed" for row in gradcheck
    )
    assert "95,880" in text  # FLOPs per example of 784-30-10
    assert "wrote" in capsys.readouterr().out


def test_bench_with_pytorch_and_jax_fills_their_rows_and_the_ratio_table(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("jax")
    text, found = run_tiny(tmp_path)
    throughput = {row[1]: row for row in table_with(found, "mini-batch")[2:]}
    for name in PEERS:
        assert float(throughput[name][2].replace(",", "")) > 0, name
    header, _, *ratios = table_with(found, "dtype")
    assert header[:4] == ["dtype", "m", "best peer", "best peer ex/s"] and len(ratios) == 1
    assert "1×" in ratios[0][4:]  # the best peer against itself
    gradcheck = {row[0]: row for row in table_with(found, "method")[2:]}
    assert gradcheck["torch.autograd.gradcheck (every parameter)"][6] == "passed"
    assert "not installed" not in text


def test_help_documents_the_options_and_hides_tiny() -> None:
    text = bench_command.build_parser().format_help()
    for option in ("--quick", "--out", "--threads", "--no-torch", "--no-jax", "--keep-blas-env"):
        assert option in text
    assert "--tiny" not in text


def test_openblas_overrides_make_the_command_rerun_itself_without_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    launched = {}

    class Done:
        returncode = 0

    def fake_run(command: list[str], env: dict[str, str], check: bool) -> Done:
        launched.update(command=command, env=env)
        return Done()

    monkeypatch.setattr(blas_environment.subprocess, "run", fake_run)
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.delenv("OPENBLAS_L2_SIZE", raising=False)
    monkeypatch.delenv(bench_command.CHILD_MARKER, raising=False)
    assert bench_command.main(["--quick", "--out", "x.md"]) == 0
    assert launched["command"][-3:] == ["--quick", "--out", "x.md"]
    assert "OPENBLAS_CORETYPE" not in launched["env"]
    assert json.loads(launched["env"][bench_command.CHILD_MARKER]) == {
        "OPENBLAS_CORETYPE": "Haswell"
    }


def test_bad_thread_count_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_command.main(["--tiny", "--threads", "0"]) == 2
    assert "--threads" in capsys.readouterr().err


def refuse_to_run(*args: object, **kwargs: object) -> None:
    raise AssertionError("the benchmark ran before --out was checked")


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        (
            "under a file",
            r"--out '.*blocker/x\.md' cannot be written: .*'.*blocker' is an existing",
        ),
        ("a directory", r"--out '.*' is a directory, but must be a file name"),
    ],
)
def test_an_unusable_output_path_is_refused_before_the_benchmark_runs(
    tmp_path: Path,
    layout: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "blocker").write_text("x")
    out = tmp_path / "blocker" / "x.md" if layout == "under a file" else tmp_path
    monkeypatch.setattr(bench_command, "run_benchmarks", refuse_to_run)
    monkeypatch.setattr(bench_command, "rerun_without_blas_environment", refuse_to_run)
    assert bench_command.main(["--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert "Traceback" not in err
    assert [path.name for path in tmp_path.iterdir()] == ["blocker"]


def test_a_failure_to_write_the_report_is_a_message_and_exit_status_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports" / "benchmarks.md"

    def run_while_the_directory_is_replaced_by_a_file(*args: object, **kwargs: object) -> object:
        (tmp_path / "reports").write_text("not a directory any more")
        return object()

    monkeypatch.setattr(
        bench_command, "run_benchmarks", run_while_the_directory_is_replaced_by_a_file
    )
    monkeypatch.setattr(bench_command, "render", lambda results: "# Benchmarks\n")
    assert bench_command.main(["--tiny", "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert f"bench: cannot write {str(out)!r}" in captured.err
    assert "wrote" not in captured.out


def test_a_quick_run_leaves_the_committed_report_alone_and_explains_its_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    committed = tmp_path / "docs" / "benchmarks.md"
    committed.parent.mkdir()
    committed.write_text("the full run\n", encoding="utf-8")
    assert bench_command.main(["--tiny", "--quick"]) == 0
    assert committed.read_text(encoding="utf-8") == "the full run\n"
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == [committed]
    out = capsys.readouterr().out
    assert "no report written" in out and "add --out FILE" in out
    assert "a measurement, not an error" in out and "measured: " in out


def fake_results(met: bool | None) -> SimpleNamespace:
    target = Target(
        "float64, mini-batch 10: impl ≥ 5× the per-example loop",
        "4.1×",
        met,
        "" if met else "short",
    )
    return SimpleNamespace(targets=[target], wall_seconds=1.0)


@pytest.mark.parametrize(
    ("arguments", "met", "status"),
    [
        (["--quick"], False, 0),
        (["--quick", "--strict"], False, 1),
        (["--quick", "--strict"], True, 0),
    ],
)
def test_a_missed_target_fails_the_command_only_with_strict(
    arguments: list[str], met: bool, status: int, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setattr(bench_command, "run_benchmarks", lambda *a, **k: fake_results(met))
    monkeypatch.setenv(bench_command.CHILD_MARKER, "{}")  # no re-run without the BLAS variables
    assert bench_command.main(arguments) == status
    out = capsys.readouterr().out
    assert ("MISSED  float64" in out) is (not met)
    assert "measured: 4.1×" + ("" if met else " (short)") in out
