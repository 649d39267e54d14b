"""`verified-backprop train`: trains, prints the test accuracy and writes exactly three files."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from derivations.cli import main as cli_main
from impl import Network
from impl.train_command import main

OUTPUT_FILES = {"model.npz", "history.json", "training.png"}


def test_default_run_reaches_95_percent_on_the_digits_and_writes_its_three_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert main(["--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "test accuracy:" in printed
    assert {path.name for path in out.iterdir()} == OUTPUT_FILES
    record = json.loads((out / "history.json").read_text())
    assert record["test_accuracy"] >= 0.95
    assert f"{record['test_accuracy']:.2%}" in printed
    assert record["settings"]["sizes"] == [64, 30, 10]
    assert record["settings"]["init"] == "normal"
    assert len(record["history"]["loss"]) == record["settings"]["epochs"]
    model = Network.load(out / "model.npz")
    assert model.sizes == (64, 30, 10)
    assert (out / "training.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_runs_with_the_same_seed_are_identical(tmp_path: Path) -> None:
    arguments = ["--epochs", "3", "--seed", "4", "--no-progress"]
    assert main([*arguments, "--out", str(tmp_path / "a")]) == 0
    assert main([*arguments, "--out", str(tmp_path / "b")]) == 0
    first = json.loads((tmp_path / "a" / "history.json").read_text())
    second = json.loads((tmp_path / "b" / "history.json").read_text())
    assert first["history"]["loss"] == second["history"]["loss"]
    assert first["test_accuracy"] == second["test_accuracy"]


def test_options_reach_the_network_and_the_optimiser(tmp_path: Path) -> None:
    arguments = ["--epochs", "2", "--batch-size", "32", "--learning-rate", "0.5", "--seed", "9"]
    arguments += ["--hidden-activation", "tanh", "--init", "xavier", "--no-progress"]
    assert main([*arguments, "--out", str(tmp_path)]) == 0
    settings = json.loads((tmp_path / "history.json").read_text())["settings"]
    assert settings["epochs"] == 2 and settings["batch_size"] == 32
    assert settings["learning_rate"] == 0.5 and settings["seed"] == 9
    assert settings["hidden_activation"] == "tanh" and settings["init"] == "xavier"


def test_default_output_directory_is_a_timestamp_under_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--epochs", "1", "--no-progress"]) == 0
    assert main(["--epochs", "1", "--no-progress"]) == 0  # same second: a distinct directory
    runs = sorted((tmp_path / "runs").iterdir())
    assert len(runs) == 2
    assert [path.name for path in tmp_path.iterdir()] == ["runs"]  # nothing written elsewhere
    assert all({path.name for path in run.iterdir()} == OUTPUT_FILES for run in runs)


def test_the_console_script_dispatches_train(tmp_path: Path) -> None:
    assert cli_main(["train", "--epochs", "1", "--no-progress", "--out", str(tmp_path)]) == 0
    assert {path.name for path in tmp_path.iterdir()} == OUTPUT_FILES


def write_tiny_mnist(directory: Path) -> None:
    rng = np.random.default_rng(0)
    for prefix, count in (("train", 40), ("t10k", 10)):
        images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, count, dtype=np.uint8)
        (directory / f"{prefix}-images-idx3-ubyte").write_bytes(
            bytes([0, 0, 8, 3]) + struct.pack(">3I", count, 28, 28) + images.tobytes()
        )
        (directory / f"{prefix}-labels-idx1-ubyte").write_bytes(
            bytes([0, 0, 8, 1]) + struct.pack(">I", count) + labels.tobytes()
        )


def test_mnist_option_trains_a_784_30_10_network(tmp_path: Path) -> None:
    data, out = tmp_path / "mnist", tmp_path / "out"
    data.mkdir()
    write_tiny_mnist(data)
    assert main(["--mnist", str(data), "--epochs", "1", "--no-progress", "--out", str(out)]) == 0
    assert Network.load(out / "model.npz").sizes == (784, 30, 10)


def test_unreadable_mnist_directory_is_reported_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08")
    assert main(["--mnist", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "cannot load the data" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "arguments", [["--epochs", "0"], ["--learning-rate", "-1"], ["--batch-size", "x"]]
)
def test_bad_options_are_rejected_by_the_parser(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(arguments)
    assert exit_info.value.code == 2
    assert "verified-backprop train" in capsys.readouterr().err
