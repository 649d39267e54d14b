"""``verified-backprop train``: train a network on the digits (default) or on MNIST.

Writes exactly three files into the output directory (default ``runs/<timestamp>/``):
``model.npz`` (the trained network, see :mod:`impl.serialization`), ``history.json`` (the
per-epoch history plus the run's settings and final test scores) and ``training.png`` (loss and
accuracy per epoch). The training data and the held-out test split are evaluated after every
epoch (``evaluate_every=1``) for the history only: the test split is never used for training or
for choosing anything.

The output directory is checked before training, so a bad ``--out`` (or an empty name, or
one that already holds a run, unless ``--overwrite`` is given) fails at once; it is created
only when training succeeded. The files are written into a staging directory and moved into
place only when all three are complete, so a failed write leaves no partial run and never
damages an earlier one, and an interrupted ``--overwrite`` leaves the earlier run or the new
one, complete (see :func:`_write_run`). Training that diverges (``--learning-rate`` far too
large) is reported on stderr with exit status 1 and nothing is written.

A run that learned nothing is reported as *failed* (exit status 1, the reason on stderr, and
"FAILED" in the plot's title): when the test loss ends no lower than before training, or the
test accuracy is hardly better than always guessing the most common class (see
:mod:`impl.outcome`). Its three files are still written, so that the plot can be inspected,
and ``history.json`` records the reason under ``"failed"``.

Default learning rates (when ``--learning-rate`` is not given) depend on the hidden activation:
sigmoid 3.0, tanh 0.3, relu 0.2 (how they were chosen: docs/changelog.md).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import stat
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from impl.activations import HIDDEN_ACTIVATIONS
from impl.data import load_digits_split, load_mnist
from impl.initializers import INITIALIZERS
from impl.losses import OUTPUT_LAYERS
from impl.network import Network
from impl.outcome import chance_accuracy, failure_reason
from impl.training import TrainingDivergedError
from impl.validation import check_output_directory

DEFAULT_EPOCHS = 30
DEFAULT_BATCH_SIZE = 10
#: default step size per hidden activation (see the module docstring for the measurements)
DEFAULT_LEARNING_RATES = {"sigmoid": 3.0, "tanh": 0.3, "relu": 0.2}
DEFAULT_SEED = 0
HIDDEN_UNITS = (30,)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {text}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _hidden_sizes(text: str) -> tuple[int, ...]:
    """``"30"`` -> (30,), ``"64,32"`` -> (64, 32); ``""`` or ``"none"``: no hidden layer."""
    if text.strip().lower() in ("", "none"):
        return ()
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be hidden-layer widths separated by commas, like 30 or 64,32; got {text!r}"
        ) from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"every hidden width must be at least 1, got {text}")
    return sizes


def _directory_name(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "must name a directory, got an empty name (it would write into the current folder;"
            " say --out . if you mean that)"
        )
    return Path(text)


HELP = "train a verified network on the digits (or MNIST)"
DESCRIPTION = (
    "Train Network([64, 30, 10]) on scikit-learn's 8x8 digits (or Network([784, 30, 10]) "
    "on MNIST with --mnist) by mini-batch gradient descent (softmax + cross-entropy unless "
    "--output says otherwise), print the test accuracy and write model.npz, history.json "
    "and training.png. A run that learns nothing exits with status 1 and says why."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``verified-backprop train``."""
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
        default=None,
        help="step size eta (default depends on --hidden-activation: "
        + ", ".join(f"{name} {rate:g}" for name, rate in DEFAULT_LEARNING_RATES.items())
        + ")",
    )
    parser.add_argument(
        "--seed",
        type=_non_negative_int,
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
        "--hidden",
        type=_hidden_sizes,
        default=HIDDEN_UNITS,
        metavar="WIDTHS",
        help="hidden-layer widths, comma-separated, e.g. 64,32 (default 30; 'none' for no "
        "hidden layer)",
    )
    parser.add_argument(
        "--output",
        choices=tuple(OUTPUT_LAYERS),
        default="softmax",
        help="the output layer and its loss: softmax (categorical cross-entropy, default), "
        "sigmoid (binary cross-entropy per class) or sigmoid_quadratic (quadratic cost)",
    )
    parser.add_argument(
        "--init",
        choices=INITIALIZERS,
        default="normal",
        help="weight initialisation (default %(default)s: standard normal, as in the sources)",
    )
    parser.add_argument(
        "--out",
        type=_directory_name,
        help="output directory (default runs/<timestamp>/)",
        default=None,
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an earlier run in --out (default: refuse to overwrite it)",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``verified-backprop train`` on its own (the same as its sub-parser)."""
    parser = argparse.ArgumentParser(prog="verified-backprop train", description=DESCRIPTION)
    add_arguments(parser)
    return parser


def _default_out_directory() -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = Path("runs") / stamp
    suffix = 1
    while candidate.exists():
        suffix += 1
        candidate = Path("runs") / f"{stamp}-{suffix}"
    return candidate


def _plot_history_here_only(history: dict, path: Path, **labels: object) -> Path:
    """Plot with matplotlib without letting it write its font cache under ``~/.cache``.

    matplotlib caches fonts in ``MPLCONFIGDIR`` (default ``~/.matplotlib`` or
    ``~/.cache/matplotlib``); unless the user set it, point it at a temporary directory for
    this run, so the command writes only into ``--out``.
    """
    if "MPLCONFIGDIR" in os.environ or "matplotlib" in sys.modules:
        from impl.plotting import plot_history

        return plot_history(history, path, validation_label="test", **labels)
    with tempfile.TemporaryDirectory(prefix="verified-backprop-matplotlib-") as config:
        os.environ["MPLCONFIGDIR"] = config
        try:
            from impl.plotting import plot_history

            return plot_history(history, path, validation_label="test", **labels)
        finally:
            del os.environ["MPLCONFIGDIR"]


#: the files of one run, in the order they are written
RUN_FILES = ("model.npz", "history.json", "training.png")


def _check_no_earlier_run(out: Path, overwrite: bool) -> None:
    """Refuse an ``out`` that already holds a run's file, unless ``--overwrite`` was given."""
    earlier = [name for name in RUN_FILES if (out / name).exists()]
    if earlier and not overwrite:
        raise ValueError(
            f"--out {str(out)!r} already holds an earlier run ({', '.join(earlier)}): choose "
            "another --out, or give --overwrite to replace it"
        )


def _write_run(
    out: Path,
    network: Network,
    history_text: str,
    history: dict,
    **labels: object,
) -> None:
    """Write the run's three files so that ``out`` never lacks a file it had.

    All three are written into a staging folder beside ``out`` first; any failure there
    removes it and leaves ``out`` untouched.  A new ``out`` is then the staging folder,
    renamed (atomic).  An ``out`` that holds only an earlier run's files is swapped with the
    staging folder in one atomic step (Linux's ``renameat2(RENAME_EXCHANGE)``), so that even
    a kill at any moment leaves the earlier run or the new one, complete; the earlier run,
    now in the staging folder, is then removed.  Where that is not possible (``out`` holds
    other files too, or the system has no such call), each file replaces its earlier version
    with ``os.replace``, atomic per file: every file is always there, complete.
    """
    existed = out.is_dir()
    if not existed:
        out.parent.mkdir(parents=True, exist_ok=True)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.train-staging-", dir=out.parent))
    except OSError:
        if not existed:
            raise
        staging = Path(tempfile.mkdtemp(prefix=".train-staging-", dir=out))
    try:
        network.save(staging / RUN_FILES[0])
        (staging / RUN_FILES[1]).write_text(history_text, encoding="utf-8")
        _plot_history_here_only(history, staging / RUN_FILES[2], **labels)
        if not existed:
            os.chmod(staging, 0o777 & ~_umask())  # mkdtemp made it private
            os.rename(staging, out)
            return
        if staging.parent != out and _holds_only_a_run(out):
            os.chmod(staging, stat.S_IMODE(out.stat().st_mode))
            if exchange_atomically(staging, out):
                return  # staging now holds the earlier run: removed below
        for name in RUN_FILES:
            os.replace(staging / name, out / name)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _holds_only_a_run(folder: Path) -> bool:
    """Does ``folder`` hold nothing but files of a run (so it can be swapped whole)?"""
    return all(entry.name in RUN_FILES and entry.is_file() for entry in folder.iterdir())


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange_atomically(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2`` with ``RENAME_EXCHANGE``);
    False where the system or the file system cannot, and nothing was changed."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # a C library without renameat2 (glibc < 2.28)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    done = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return done == 0


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the process exit status (0 on success)."""
    return run(build_parser().parse_args(sys.argv[1:] if argv is None else argv))


def run(args: argparse.Namespace) -> int:
    """Train with the options of :func:`add_arguments`; returns the exit status (0 on success)."""
    out = args.out if args.out is not None else _default_out_directory()
    try:
        check_output_directory("--out", out)
        _check_no_earlier_run(out, args.overwrite)
    except ValueError as error:
        print(f"verified-backprop train: {error}", file=sys.stderr)
        return 2
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
    if args.learning_rate is None:
        learning_rate = DEFAULT_LEARNING_RATES[args.hidden_activation]
        rate_note = f" (the default for {args.hidden_activation})"
    else:
        learning_rate, rate_note = args.learning_rate, ""
    sizes = [data.X_train.shape[0], *args.hidden, 10]
    try:
        network = Network(
            sizes,
            hidden_activation=args.hidden_activation,
            output=args.output,
            init=args.init,
            seed=args.seed,
        )
    except (ValueError, MemoryError) as error:
        print(f"verified-backprop train: {error}", file=sys.stderr)
        return 2
    loss_before = network.evaluate(data.X_test, data.y_test)[0]
    chance = chance_accuracy(data.y_test)
    print(
        f"training {network!r} on {dataset}: {data.X_train.shape[1]} training and "
        f"{data.X_test.shape[1]} test examples, {args.epochs} epochs, mini-batches of "
        f"{args.batch_size}, learning rate {learning_rate:g}{rate_note}, seed {args.seed}"
    )
    started = time.perf_counter()
    try:
        history = network.fit(
            data.X_train,
            data.y_train,
            epochs=args.epochs,
            batch_size=args.batch_size,
            learning_rate=learning_rate,
            validation_data=(data.X_test, data.y_test),
            progress=not args.no_progress,
            validation_name="test",
            evaluate_every=1,  # the plot shows the training and test curves epoch by epoch
        )
    except TrainingDivergedError as error:
        print(
            f"verified-backprop train: training diverged at epoch {error.epoch} of "
            f"{error.epochs} ({error.symptom}): the learning rate {learning_rate:g} is too "
            f"large; try --learning-rate {learning_rate / 10:g} or less. Nothing was written.",
            file=sys.stderr,
        )
        return 1
    seconds = time.perf_counter() - started
    test_loss, test_accuracy = network.evaluate(data.X_test, data.y_test)
    failed = failure_reason(test_loss, test_accuracy, loss_before, chance)
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
            "learning_rate": learning_rate,
            "seed": args.seed,
        },
        "training_seconds": seconds,
        "test_loss_before_training": loss_before,
        "test_loss": test_loss,
        "test_accuracy": test_accuracy,
        "chance_accuracy": chance,
        "failed": failed,
        "history": history,
        "note": "val_loss/val_accuracy are measured on the held-out test split",
    }
    hidden = ", ".join(map(str, args.hidden)) or "none"
    title = (
        f"{'FAILED: ' if failed else ''}{dataset}, hidden {hidden} ({network.hidden_activation}), "
        f"output {network.output}, learning rate {learning_rate:g}, {args.epochs} epochs, "
        f"batch {args.batch_size}, seed {args.seed}\nfinal test accuracy {test_accuracy:.2%}, "
        f"test loss {test_loss:.4g} (chance {chance:.1%})"
    )
    try:
        history_text = json.dumps(record, indent=2, allow_nan=False) + "\n"  # strict JSON
        _write_run(
            out,
            network,
            history_text,
            history,
            title=title,
            chance=chance,
            loss_before=loss_before,
        )
    except (OSError, ValueError) as error:
        print(
            f"verified-backprop train: cannot write to {out}: {error}; nothing was written "
            "(an earlier run there is unchanged)",
            file=sys.stderr,
        )
        return 1
    model_path, history_path, plot_path = (out / name for name in RUN_FILES)
    print(f"test accuracy: {test_accuracy:.2%} (test loss {test_loss:.4f}) after {seconds:.1f} s")
    print(f"wrote {model_path}, {history_path} and {plot_path}")
    if failed:
        print(
            f"verified-backprop train: training FAILED: {failed}. The files above are kept for "
            "inspection.",
            file=sys.stderr,
        )
        return 1
    return 0
