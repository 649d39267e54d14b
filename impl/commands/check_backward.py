"""``verified-backprop check-backward FILE.py:FUNCTION``: judge a user's backward pass.

Loads ``FUNCTION`` from ``FILE.py`` and runs :func:`impl.testing.check_backward` on it.
Exit 0 when it is correct, 1 when it is wrong (the report: smallest failing case, wrong
arrays, known mistakes with links to their proofs), 2 for a usage error (no such file, no
such function, not callable, the file fails to import) — one line on standard error.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis.configuration import set_hypothesis_home_dir

from impl.activations import HIDDEN_ACTIVATIONS
from impl.commands.output import check_json_destination, write_json
from impl.losses import OUTPUT_LAYERS
from impl.testing import check_backward

HELP = "check your own backward pass: verdict, smallest failing case, known mistakes"
DESCRIPTION = (
    "Check FUNCTION(weights, biases, X, Y) -> (dW, db) from FILE.py against the verified "
    "gradients of J = (1/m) sum_i L_i on networks drawn by Hypothesis (depth 1-4, widths 1-8, "
    "m = 1-8). weights[k] has shape (n_{k+1}, n_k), biases[k] (n_{k+1}, 1), X (n_0, m), "
    "Y (n_L, m). Exit status: 0 correct, 1 wrong, 2 usage error."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="FILE.py:FUNCTION", help="the backward function")
    parser.add_argument("--hidden", required=True, choices=tuple(HIDDEN_ACTIVATIONS))
    parser.add_argument("--output", required=True, choices=tuple(OUTPUT_LAYERS))
    parser.add_argument(
        "--json", metavar="PATH", help="also write the result as JSON (- for stdout)"
    )
    parser.add_argument(
        "--examples", type=int, default=200, help="cases to try before passing (default 200)"
    )


class UsageError(Exception):
    """The function cannot be loaded (exit 2)."""


def load_function(target: str) -> Callable[..., object]:
    """``FILE.py:FUNCTION`` -> the function (``UsageError`` saying what is missing)."""
    file_name, separator, function_name = target.rpartition(":")
    if not separator or not file_name or not function_name:
        raise UsageError(f"expected FILE.py:FUNCTION, got {target!r}")
    path = Path(file_name)
    if not path.is_file():
        raise UsageError(f"no such file: {file_name}")
    spec = importlib.util.spec_from_file_location(f"user_backward_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise UsageError(f"cannot load {file_name} as Python")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.resolve().parent))  # its own modules, as `python FILE.py`
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the user's file: its error, in one line
        raise UsageError(f"{file_name} fails to import: {type(error).__name__}: {error}") from None
    finally:
        sys.path.remove(str(path.resolve().parent))
    if not hasattr(module, function_name):
        raise UsageError(f"{file_name} has no function {function_name!r}")
    function = getattr(module, function_name)
    if not callable(function):
        raise UsageError(f"{function_name} in {file_name} is not callable")
    return function


def run(args: argparse.Namespace) -> int:
    try:
        check_json_destination(args.json)  # before any work: the path and why it cannot be used
    except ValueError as error:
        print(f"check-backward: {error}", file=sys.stderr)
        return 2
    try:
        function = load_function(args.target)
    except UsageError as error:
        print(f"check-backward: {error}", file=sys.stderr)
        return 2
    if args.examples < 1:
        print("check-backward: --examples must be at least 1", file=sys.stderr)
        return 2
    # Hypothesis caches what it learns of the user's code under ./.hypothesis: the command
    # writes nothing but what it is asked to, so that cache lives in a temporary folder
    with tempfile.TemporaryDirectory(prefix="verified-backprop-") as scratch:
        set_hypothesis_home_dir(scratch)
        try:
            result = check_backward(
                function, hidden=args.hidden, output=args.output, max_examples=args.examples
            )
        finally:
            set_hypothesis_home_dir(None)
    print(result.report(), file=sys.stderr if args.json == "-" else sys.stdout)
    write_json(result.to_json(), args.json)
    return 0 if result.passed else 1
