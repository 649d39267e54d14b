"""``verified-backprop check-backward FILE.py:FUNCTION``: judge a user's backward pass.

Runs :func:`impl.testing.check_backward` on ``FUNCTION`` from ``FILE.py``, which is loaded and
called only in a child process (:mod:`impl.testing.isolation`): a time limit per call, a
memory limit, and the verdict computed here.  Exit 0 when it is correct, 1 when it is wrong or
fails (raises, exits, crashes, times out: the report says which, where, and on what network),
2 for a usage error (a bad option, no such file or function, a file that fails to import) —
one line on standard error.

The options that describe the user's code (:func:`add_convention_arguments`) are shared with
``verified-backprop grade``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from hypothesis.configuration import set_hypothesis_home_dir

from impl.activations import HIDDEN_ACTIVATIONS
from impl.commands.output import check_json_destination, write_json
from impl.losses import OUTPUT_LAYERS
from impl.testing import check_backward
from impl.testing.check import DEFAULT_BUDGET
from impl.testing.conventions import BIAS_SHAPES, DTYPES, LAYOUTS, OBJECTIVES, RETURNS
from impl.testing.isolation import DEFAULT_MEMORY, DEFAULT_TIMEOUT
from impl.testing.strategies import LABEL_KINDS

HELP = "check your own backward pass: verdict, smallest failing case, known mistakes"
DESCRIPTION = (
    "Check FUNCTION(weights, biases, X, Y) -> (dW, db) from FILE.py against the verified "
    "gradients of J = (1/m) sum_i L_i on networks drawn by Hypothesis (depth 1-4, widths 1-8, "
    "m = 1-8). weights[k] has shape (n_{k+1}, n_k), biases[k] (n_{k+1}, 1), X (n_0, m), "
    "Y (n_L, m); other conventions: --layout, --per-example, --parameters, --objective. "
    "The function runs in a separate process with a time and memory limit. "
    "Exit status: 0 correct, 1 wrong (or it raised, exited, crashed, timed out), 2 usage error."
)


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected widths like 4,3,2; got {text!r}") from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected at least two widths ≥ 1; got {text!r}")
    return sizes


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number; got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0; got {text!r}")
    return value


def add_convention_arguments(parser: argparse.ArgumentParser) -> None:
    """The options saying what the user's code handles and how it takes its arguments."""
    parser.add_argument("--hidden", required=True, choices=tuple(HIDDEN_ACTIVATIONS))
    parser.add_argument("--output", required=True, choices=tuple(OUTPUT_LAYERS))
    network = parser.add_argument_group("what your code handles")
    network.add_argument(
        "--hidden-layers",
        type=int,
        metavar="N",
        help="only networks with N hidden layers (default: 0-3)",
    )
    network.add_argument("--sizes", type=_sizes, metavar="n0,...,nL", help="only this architecture")
    network.add_argument(
        "--labels",
        choices=LABEL_KINDS,
        default="soft",
        help="soft (default: hard and soft), one-hot (hard only) or integer (class indices)",
    )
    style = parser.add_argument_group("your convention (see README: conventions)")
    style.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="columns",
        help="columns (X (n0, m), W (n_out, n_in)) or rows (X (m, n0), W (n_in, n_out))",
    )
    style.add_argument(
        "--per-example",
        action="store_true",
        help="FUNCTION takes one example (x, y) per call; we average",
    )
    style.add_argument(
        "--parameters",
        choices=("lists", "dict"),
        default="lists",
        help="lists: FUNCTION(weights, biases, X, Y); dict: FUNCTION(params, X, Y) with keys "
        "W1, b1, ... returning grads (or (loss, grads))",
    )
    style.add_argument(
        "--objective",
        choices=tuple(OBJECTIVES),
        default="mean",
        help="the gradient returned: of the mean loss (default), the summed loss, or the "
        "(mean) log-likelihood that is climbed",
    )
    style.add_argument(
        "--returns", choices=RETURNS, default="dW,db", help="the order of the returned pair"
    )
    style.add_argument(
        "--bias-shape",
        choices=BIAS_SHAPES,
        help="biases given as column (n,1), row (1,n) or flat (n,) (default: column for "
        "columns, flat for rows)",
    )
    style.add_argument("--dtype", choices=DTYPES, default="float64", help="inputs' precision")
    limits = parser.add_argument_group("limits")
    limits.add_argument(
        "--time-limit",
        type=_positive,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"per call of your function (default {DEFAULT_TIMEOUT:g})",
    )
    limits.add_argument(
        "--memory-limit",
        type=_positive,
        default=DEFAULT_MEMORY / 2**30,
        metavar="GIB",
        help=f"address space of the process running it (default {DEFAULT_MEMORY / 2**30:g})",
    )
    limits.add_argument(
        "--budget",
        type=_positive,
        default=DEFAULT_BUDGET,
        metavar="SECONDS",
        help=f"for the whole check; it stops drawing cases then (default {DEFAULT_BUDGET:g})",
    )
    limits.add_argument(
        "--examples", type=int, default=200, help="cases to try before passing (default 200)"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="FILE.py:FUNCTION", help="the backward function")
    add_convention_arguments(parser)
    parser.add_argument(
        "--json", metavar="PATH", help="also write the result as JSON (- for stdout)"
    )


def check_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of :func:`check_backward` from the options (``ValueError`` with
    a one-line message when they do not fit together)."""
    if args.examples < 1:
        raise ValueError("--examples must be at least 1")
    if args.hidden_layers is not None and args.hidden_layers < 0:
        raise ValueError("--hidden-layers must be 0 or more")
    if args.parameters == "dict" and args.returns != "dW,db":
        raise ValueError("--returns applies to --parameters lists, not dict")
    return {
        "hidden": args.hidden,
        "output": args.output,
        "max_examples": args.examples,
        "hidden_layers": args.hidden_layers,
        "sizes": args.sizes,
        "labels": args.labels,
        "layout": args.layout,
        "per_example": args.per_example,
        "parameters": args.parameters,
        "objective": args.objective,
        "returns": args.returns,
        "bias": args.bias_shape,
        "dtype": args.dtype,
        "timeout": args.time_limit,
        "memory": int(args.memory_limit * 2**30),
        "budget": args.budget,
    }


def run(args: argparse.Namespace) -> int:
    try:
        check_json_destination(args.json)  # before any work: the path and why it cannot be used
        options = check_options(args)
    except ValueError as error:
        print(f"check-backward: {error}", file=sys.stderr)
        return 2
    file_name, separator, function_name = args.target.rpartition(":")
    if not separator or not file_name or not function_name:
        print(f"check-backward: expected FILE.py:FUNCTION, got {args.target!r}", file=sys.stderr)
        return 2
    if Path(file_name).is_dir():
        print(f"check-backward: {file_name} is a folder, not a Python file", file=sys.stderr)
        return 2
    if not Path(file_name).is_file():
        print(f"check-backward: no such file: {file_name}", file=sys.stderr)
        return 2
    # Hypothesis caches what it learns of the user's code under ./.hypothesis: the command
    # writes nothing but what it is asked to, so that cache lives in a temporary folder
    with tempfile.TemporaryDirectory(prefix="verified-backprop-") as scratch:
        set_hypothesis_home_dir(scratch)
        try:
            result = check_backward(args.target, **options)
        except ValueError as error:
            print(f"check-backward: {error}", file=sys.stderr)
            return 2
        finally:
            set_hypothesis_home_dir(None)
    if result.failure_kind == "load":  # not a verdict on the function: the file is unusable
        print(f"check-backward: {result.problem.splitlines()[0]}", file=sys.stderr)
        return 2
    print(result.report(), file=sys.stderr if args.json == "-" else sys.stdout)
    problem = write_json(result.to_json(), args.json)
    if problem is not None:
        print(f"check-backward: {problem}", file=sys.stderr)
        return 2
    return 0 if result.passed else 1
