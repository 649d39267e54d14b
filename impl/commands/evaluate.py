"""``verified-backprop evaluate MODEL``: score a saved model on the test split, show predictions.

Loads a ``model.npz`` written by ``verified-backprop train`` (or ``net.save``), evaluates it on
the held-out test split of the digits (or of MNIST with ``--mnist DIR``) and prints the test
loss, the test accuracy, the accuracy of always guessing the most common class, and, with
``--show N``, the first N test examples' predicted class, its probability and the true class.
Writes nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from impl.data import load_digits_split, load_mnist
from impl.network import Network
from impl.outcome import chance_accuracy

HELP = "score a saved model on the test split and show its predictions"
DESCRIPTION = (
    "Load a model.npz written by 'verified-backprop train', print its test loss and accuracy "
    "on the digits (or MNIST with --mnist) and, with --show N, its predictions for the first N "
    "test examples."
)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``verified-backprop evaluate``."""
    parser.add_argument("model", type=Path, metavar="MODEL", help="a model.npz to load")
    parser.add_argument(
        "--mnist", metavar="DIR", type=Path, help="use MNIST's test split from the IDX files in DIR"
    )
    parser.add_argument(
        "--show",
        type=_count,
        default=0,
        metavar="N",
        help="print the predictions for the first N test examples (default %(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    """Evaluate the model; returns the exit status (2 for a file or data problem)."""
    try:
        network = Network.load(args.model)
    except (OSError, ValueError, MemoryError) as error:
        print(f"verified-backprop evaluate: cannot load the model: {error}", file=sys.stderr)
        return 2
    try:
        data = load_mnist(args.mnist) if args.mnist is not None else load_digits_split()
    except (OSError, ValueError) as error:
        print(f"verified-backprop evaluate: cannot load the data: {error}", file=sys.stderr)
        return 2
    dataset = f"MNIST from {args.mnist}" if args.mnist is not None else "the digits (8x8)"
    labels = data.y_test if data.y_test.ndim == 1 else np.argmax(data.y_test, axis=0)
    inputs, classes = data.X_test.shape[0], int(labels.max()) + 1
    if network.sizes[0] != inputs or network.sizes[-1] != classes:
        print(
            f"verified-backprop evaluate: the model {network.sizes} takes {network.sizes[0]} "
            f"inputs and gives {network.sizes[-1]} outputs, but {dataset} has {inputs} inputs "
            f"and {classes} classes"
            + (
                "; an MNIST model needs --mnist DIR"
                if network.sizes[0] == 784 and args.mnist is None
                else ""
            ),
            file=sys.stderr,
        )
        return 2
    loss, accuracy = network.evaluate(data.X_test, data.y_test)
    print(f"{network!r} on the test split of {dataset} ({data.X_test.shape[1]} examples)")
    print(
        f"test accuracy: {accuracy:.2%} (always guessing the most common class: "
        f"{chance_accuracy(data.y_test):.2%})"
    )
    print(f"test loss: {loss:.4f}")
    shown = min(args.show, data.X_test.shape[1])
    if shown:
        probabilities = network.predict_proba(data.X_test[:, :shown])
        predicted = np.argmax(probabilities, axis=0)
        truth = labels[:shown]
        print(f"\n{'example':>7}  {'predicted':>9}  {'probability':>11}  {'true':>4}")
        for index in range(shown):
            mark = "" if predicted[index] == truth[index] else "  wrong"
            probability = probabilities[predicted[index], index]
            print(
                f"{index:>7}  {predicted[index]:>9}  {probability:>11.3f}  {truth[index]:>4}{mark}"
            )
    return 0
