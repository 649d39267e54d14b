"""`verified-backprop train`: trains, prints the test accuracy and writes exactly three files."""

from __future__ import annotations

import json
import os
import re
import struct
from pathlib import Path

import numpy as np
import pytest

from impl import Network
from impl.commands import main as cli_main
from impl.commands import train as train_module
from impl.commands.train import DEFAULT_LEARNING_RATES, main

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


def test_mnist_option_trains_a_784_30_10_network(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out = tmp_path / "mnist", tmp_path / "out"
    data.mkdir()
    write_tiny_mnist(data)
    status = main(["--mnist", str(data), "--epochs", "1", "--no-progress", "--out", str(out)])
    assert Network.load(out / "model.npz").sizes == (784, 30, 10)
    # the tiny data set's labels are random: nothing can be learned, and the run says so
    assert status == 1 and "training FAILED" in capsys.readouterr().err


def test_unreadable_mnist_directory_is_reported_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08")
    assert main(["--mnist", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "cannot load the data" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--epochs", "0"], r"argument --epochs: must be a positive integer"),
        (["--learning-rate", "-1"], r"argument --learning-rate: must be a positive number"),
        (["--batch-size", "x"], r"argument --batch-size"),
        (["--seed", "-1"], r"argument --seed: must be a non-negative integer, got -1"),
        (["--seed", "a"], r"argument --seed: must be a non-negative integer, got 'a'"),
    ],
)
def test_bad_options_are_rejected_by_the_parser_naming_the_option(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(arguments)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "verified-backprop train: error:" in err and "Traceback" not in err
    assert re.search(message, err), err


def strict_json(text: str) -> dict:
    """json.loads that refuses NaN and Infinity (not part of JSON)."""

    def refuse(constant: str) -> None:
        raise ValueError(f"history.json contains {constant}, which is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_a_diverging_run_exits_1_with_a_message_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert main(["--learning-rate", "1e300", "--no-progress", "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "training diverged at epoch 1 of 30" in captured.err
    assert "the learning rate 1e+300 is too large; try --learning-rate 1e+299 or less" in (
        captured.err
    )
    assert "Nothing was written" in captured.err and "Traceback" not in captured.err
    assert not out.exists() and not any(tmp_path.iterdir())


def test_history_json_is_strict_json(tmp_path: Path) -> None:
    assert main(["--epochs", "1", "--no-progress", "--out", str(tmp_path)]) == 0
    record = strict_json((tmp_path / "history.json").read_text())
    assert record["history"]["epoch"] == [1]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_each_activations_default_learning_rate_reaches_90_percent_on_the_digits(
    tmp_path: Path, activation: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """With 3.0 (good for sigmoid) tanh reached 20 % and relu 10 %; each gets its own default."""
    arguments = ["--hidden-activation", activation, "--no-progress", "--out", str(tmp_path)]
    assert main(arguments) == 0
    rate = DEFAULT_LEARNING_RATES[activation]
    assert f"learning rate {rate:g} (the default for {activation})" in capsys.readouterr().out
    record = strict_json((tmp_path / "history.json").read_text())
    assert record["settings"]["learning_rate"] == rate
    assert record["test_accuracy"] >= 0.90


def test_an_explicit_learning_rate_overrides_the_activations_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["--hidden-activation", "relu", "--learning-rate", "0.05", "--epochs", "1"]
    assert main([*arguments, "--no-progress", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "learning rate 0.05, seed" in printed and "(the default" not in printed
    assert strict_json((tmp_path / "history.json").read_text())["settings"]["learning_rate"] == 0.05


def refuse_to_train(*args: object, **kwargs: object) -> None:
    raise AssertionError("the command trained before checking --out")


@pytest.mark.parametrize("layout", ["under a file", "an existing file"])
def test_a_bad_output_directory_is_refused_before_training(
    tmp_path: Path,
    layout: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = blocker / "run" if layout == "under a file" else blocker
    monkeypatch.setattr(Network, "fit", refuse_to_train)
    assert main(["--no-progress", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"verified-backprop train: --out {str(out)!r} cannot be used")
    assert "Traceback" not in err
    assert [path.name for path in tmp_path.iterdir()] == ["file"]


def test_a_failure_while_writing_is_reported_with_exit_status_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def disk_full(self: Network, path: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Network, "save", disk_full)
    assert main(["--epochs", "1", "--no-progress", "--out", str(tmp_path / "run")]) == 1
    assert "cannot write to" in capsys.readouterr().err


def test_a_run_that_learns_nothing_fails_says_why_and_keeps_its_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert (
        main(["--learning-rate", "1000", "--epochs", "5", "--no-progress", "--out", str(out)]) == 1
    )
    err = capsys.readouterr().err
    assert "training FAILED: the test loss rose from" in err
    assert "training made the network worse" in err and "Traceback" not in err
    assert {path.name for path in out.iterdir()} == OUTPUT_FILES
    record = strict_json((out / "history.json").read_text())
    assert record["failed"].startswith("the test loss rose")
    assert record["test_loss"] > record["test_loss_before_training"]
    assert record["chance_accuracy"] == pytest.approx(46 / 450)


def test_a_successful_run_records_no_failure(tmp_path: Path) -> None:
    assert main(["--epochs", "3", "--no-progress", "--out", str(tmp_path)]) == 0
    record = strict_json((tmp_path / "history.json").read_text())
    assert record["failed"] is None
    assert record["test_loss"] < record["test_loss_before_training"]


def test_hidden_widths_and_output_layer_are_options(tmp_path: Path) -> None:
    arguments = ["--epochs", "2", "--hidden", "20,12", "--output", "sigmoid", "--no-progress"]
    main([*arguments, "--out", str(tmp_path)])
    model = Network.load(tmp_path / "model.npz")
    assert model.sizes == (64, 20, 12, 10) and model.output == "sigmoid"


@pytest.mark.parametrize("widths", ["0", "30,x", "-3"])
def test_bad_hidden_widths_are_refused_naming_the_option(
    widths: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--hidden", widths])
    assert exit_info.value.code == 2
    assert "argument --hidden:" in capsys.readouterr().err


def test_the_progress_bar_calls_the_test_split_test(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--epochs", "1", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "test_acc=" in err and "val_" not in err


# ---------------------------------------------------------------------- --overwrite


def _run(out: Path, seed: int, *more: str) -> int:
    argv = ["--epochs", "1", "--no-progress", "--seed", str(seed), "--out", str(out), *more]
    return main(argv)


def test_an_overwrite_swaps_the_whole_run_in_one_step_and_leaves_nothing_beside_it(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    out = tmp_path / "run"
    assert _run(out, 1) == 0
    swaps = []
    exchange = train_module.exchange_atomically

    def spy(first: Path, second: Path) -> bool:
        swaps.append((first, second))
        return exchange(first, second)

    monkeypatch.setattr(train_module, "exchange_atomically", spy)
    assert _run(out, 2, "--overwrite") == 0
    assert len(swaps) == 1 and swaps[0][1] == out
    assert json.loads((out / "history.json").read_text())["settings"]["seed"] == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == ["run"]  # no staging left
    assert sorted(path.name for path in out.iterdir()) == sorted(train_module.RUN_FILES)


def test_an_overwrite_interrupted_between_two_files_leaves_every_file_complete(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """Where the folder cannot be swapped whole (it holds a file of the user's too), each
    file replaces its earlier version atomically: stopped after the first, the folder still
    has all three files, each a complete file of one run or the other."""
    out = tmp_path / "run"
    assert _run(out, 1) == 0
    (out / "notes.txt").write_text("mine")
    earlier = {name: (out / name).read_bytes() for name in train_module.RUN_FILES}
    replace = os.replace
    calls = []

    def interrupted_after_the_first(source, target) -> None:
        if Path(target).parent == out:  # a move into the run folder (not a save in staging)
            if calls:
                raise KeyboardInterrupt
            calls.append(target)
        replace(source, target)

    monkeypatch.setattr(train_module.os, "replace", interrupted_after_the_first)
    with pytest.raises(KeyboardInterrupt):
        _run(out, 2, "--overwrite")
    monkeypatch.setattr(train_module.os, "replace", replace)
    assert {path.name for path in out.iterdir()} == {*train_module.RUN_FILES, "notes.txt"}
    first = Path(calls[0]).name
    assert (out / first).read_bytes() != earlier[first]  # the new one, complete
    Network.load(out / "model.npz")
    for name in set(train_module.RUN_FILES) - {first}:
        assert (out / name).read_bytes() == earlier[name]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["run"]


def test_mnist_files_with_no_images_are_refused_naming_the_cause(tmp_path: Path, capsys) -> None:
    for stem, magic, shape in (
        ("train-images-idx3-ubyte", 0x0803, (0, 28, 28)),
        ("train-labels-idx1-ubyte", 0x0801, (0,)),
        ("t10k-images-idx3-ubyte", 0x0803, (0, 28, 28)),
        ("t10k-labels-idx1-ubyte", 0x0801, (0,)),
    ):
        header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in shape)
        (tmp_path / stem).write_bytes(header)
    assert main(["--mnist", str(tmp_path), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "holds 0 images" in err and "reshape" not in err
