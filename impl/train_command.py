"""``verified-backprop train``: train a network on the digits (default) or on MNIST.

Writes exactly three files into the output directory (default ``runs/<timestamp>/``):
``model.npz`` (the trained network, see :mod:`impl.serialization`), ``history.json`` (the
per-epoch history plus the run's settings and final test scores) and ``training.png`` (loss and
accuracy per epoch). The held-out test split is evaluated after every epoch for the history
only: it is never used for training or for choosing anything.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from impl.activations import HIDDEN_ACTIVATIONS
from impl.data import load_digits_split, load_mnist
from impl.initializers import INITIALIZERS
from impl.network import Network

DEFAULT_EPOCHS = 30
DEFAULT_BATCH_SIZE = 10
DEFAULT_LEARNING_RATE = 3.0
DEFAULT_SEED = 0
HIDDEN_UNITS = 30


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``verified-backprop train``."""
    parser = argparse.ArgumentParser(
        prog="verified-backprop train",
        description=(
            "Train Network([64, 30, 10]) on scikit-learn's 8x8 digits (or Network([784, 30, 10]) "
            "on MNIST with --mnist) by mini-batch gradient descent on the softmax cross-entropy, "
            "print the test accuracy and write model.npz, history.json and training.png."
        ),
    )
    parser.add_argument(
        "--mnist",
        metavar="DIR",
        type=Path,
        help="train on MNIST read from the IDX files in DIR (train-images-idx3-ubyte, ...)",
    )
    parser.add_argument(
        "--epochs", type=_positive_int, default=DEFAULT_EPOCHS, help="default %(default)s"
    )
    parser.add_argument(
        "--batch-size",
        type=_positive_int,
        default=DEFAULT_BATCH_SIZE,
        help="mini-batch size m (default %(default)s)",
    )
    parser.add_argument(
        "--learning-rate",
        type=_positive_float,
        default=DEFAULT_LEARNING_RATE,
        help="step size eta (default %(default)s)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help="seed of initialisation and shuffling (default %(default)s)",
    )
    parser.add_argument(
        "--hidden-activation",
        choices=tuple(HIDDEN_ACTIVATIONS),
        default="sigmoid",
        help="default %(default)s",
    )
    parser.add_argument(
        "--init",
        choices=INITIALIZERS,
        default="normal",
        help="weight initialisation (default %(default)s: standard normal, as in the seeds)",
    )
    parser.add_argument(
        "--out", type=Path, help="output directory (default runs/<timestamp>/)", default=None
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def _default_out_directory() -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = Path("runs") / stamp
    suffix = 1
    while candidate.exists():
        suffix += 1
        candidate = Path("runs") / f"{stamp}-{suffix}"
    return candidate


def _plot_history_here_only(history: dict, path: Path) -> Path:
    """Plot with matplotlib without letting it write its font cache under ``~/.cache``.

    matplotlib caches fonts in ``MPLCONFIGDIR`` (default ``~/.matplotlib`` or
    ``~/.cache/matplotlib``); unless the user set it, point it at a temporary directory for
    this run, so the command writes only into ``--out``.  Costs about 0.5 s.
    """
    if "MPLCONFIGDIR" in os.environ or "matplotlib" in sys.modules:
        from impl.plotting import plot_history

        return plot_history(history, path, validation_label="test")
    with tempfile.TemporaryDirectory(prefix="verified-backprop-matplotlib-") as config:
        os.environ["MPLCONFIGDIR"] = config
        try:
            from impl.plotting import plot_history

            return plot_history(history, path, validation_label="test")
        finally:
            del os.environ["MPLCONFIGDIR"]


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the process exit status (0 on success)."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.mnist is not None:
            data = load_mnist(args.mnist)
            dataset = f"MNIST from {args.mnist}"
        else:
            data = load_digits_split()  # the fixed split, whatever --seed is
            dataset = "scikit-learn digits (8x8)"
    except (OSError, ValueError) as error:
        print(f"verified-backprop train: cannot load the data: {error}", file=sys.stderr)
        return 2
    sizes = [data.X_train.shape[0], HIDDEN_UNITS, 10]
    network = Network(
        sizes, hidden_activation=args.hidden_activation, init=args.init, seed=args.seed
    )
    print(
        f"training {network!r} on {dataset}: {data.X_train.shape[1]} training and "
        f"{data.X_test.shape[1]} test examples, {args.epochs} epochs, mini-batches of "
        f"{args.batch_size}, learning rate {args.learning_rate:g}, seed {args.seed}"
    )
    started = time.perf_counter()
    history = network.fit(
        data.X_train,
        data.y_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        validation_data=(data.X_test, data.y_test),
        progress=not args.no_progress,
    )
    seconds = time.perf_counter() - started
    test_loss, test_accuracy = network.evaluate(data.X_test, data.y_test)

    out = args.out if args.out is not None else _default_out_directory()
    try:
        out.mkdir(parents=True, exist_ok=True)
        model_path = network.save(out / "model.npz")
        record = {
            "network": repr(network),
            "dataset": dataset,
            "settings": {
                "sizes": list(network.sizes),
                "hidden_activation": network.hidden_activation,
                "output": network.output,
                "init": network.init,
                "epochs": args.epochs,
                "batch_size": args.batch_size,
                "learning_rate": args.learning_rate,
                "seed": args.seed,
            },
            "training_seconds": seconds,
            "test_loss": test_loss,
            "test_accuracy": test_accuracy,
            "history": history,
            "note": "val_loss/val_accuracy are measured on the held-out test split",
        }
        history_path = out / "history.json"
        history_path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        plot_path = _plot_history_here_only(history, out / "training.png")
    except OSError as error:
        print(f"verified-backprop train: cannot write to {out}: {error}", file=sys.stderr)
        return 1
    print(f"test accuracy: {test_accuracy:.2%} (test loss {test_loss:.4f}) after {seconds:.1f} s")
    print(f"wrote {model_path}, {history_path} and {plot_path}")
    return 0
