"""``verified-backprop evaluate MODEL``: a saved model's test scores and predictions."""

from __future__ import annotations

from pathlib import Path

import pytest

from impl import Network
from impl.commands import main as cli_main
from impl.commands.train import main as train


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    assert train(["--epochs", "5", "--no-progress", "--out", str(out)]) == 0
    return out / "model.npz"


def test_evaluate_prints_the_accuracy_train_reported_and_the_chance_level(
    model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["evaluate", str(model), "--show", "3"]) == 0
    out = capsys.readouterr().out
    network = Network.load(model)
    from impl.data import load_digits_split

    data = load_digits_split()
    loss, accuracy = network.evaluate(data.X_test, data.y_test)
    assert f"test accuracy: {accuracy:.2%}" in out and f"test loss: {loss:.4f}" in out
    assert "always guessing the most common class: 10.22%" in out
    rows = out.split("example  predicted  probability  true\n")[1].splitlines()
    assert len(rows) == 3
    assert [int(row.split()[1]) for row in rows] == list(network.predict(data.X_test[:, :3]))


def test_evaluate_a_missing_model_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert cli_main(["evaluate", str(tmp_path / "none.npz")]) == 2
    assert "cannot load the model" in capsys.readouterr().err


def test_evaluate_a_model_of_the_wrong_size_says_what_does_not_fit(tmp_path: Path, capsys) -> None:
    Network([784, 30, 10], seed=0).save(tmp_path / "mnist.npz")
    assert cli_main(["evaluate", str(tmp_path / "mnist.npz")]) == 2
    err = capsys.readouterr().err
    assert "takes 784 inputs" in err and "has 64 inputs" in err and "--mnist" in err
