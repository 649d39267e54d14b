"""Input checks with messages a student can act on.

Every check raises ``ValueError`` naming the argument, its shape or value, and what was
expected. Conventions: columns are examples, so inputs X have shape (n_0, m) and targets Y have
shape (n_L, m); integer class labels may be given instead of Y as a 1-D int array of length m.
"""

from __future__ import annotations

import itertools
import numbers
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

#: Column sums of a probability target may differ from 1 by this much (rounding in user data).
PROBABILITY_SUM_ATOL = 1e-6


def _shape(shape: tuple[int, ...]) -> str:
    """Format a shape the way NumPy prints it: (3,) or (784, 10)."""
    return str(tuple(int(n) for n in shape))


def check_sizes(sizes: object) -> tuple[int, ...]:
    """Layer widths: a sequence of at least two positive integers, e.g. [784, 30, 10]."""
    if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence | np.ndarray):
        raise ValueError(
            f"sizes must be a list of layer widths such as [784, 30, 10]; got {sizes!r}"
        )
    widths = list(sizes)
    if len(widths) < 2:
        raise ValueError(
            f"sizes is {widths!r} with {len(widths)} entr{'y' if len(widths) == 1 else 'ies'}, "
            "but a network needs at least 2 layers (an input and an output layer), "
            "e.g. [784, 30, 10]"
        )
    for index, width in enumerate(widths):
        if isinstance(width, bool | np.bool_) or not isinstance(width, numbers.Integral):
            raise ValueError(
                f"sizes[{index}] is {width!r} ({type(width).__name__}), but layer widths must "
                "be positive integers such as 30"
            )
        if width <= 0:
            raise ValueError(
                f"sizes[{index}] is {width}, but every layer needs at least one unit "
                "(a positive integer)"
            )
    return tuple(int(width) for width in widths)


def total_memory_bytes() -> int | None:
    """The machine's physical memory in bytes, or None where the OS does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def parameter_count(sizes: Sequence[int]) -> int:
    """Weights and biases of a network with these widths: sum_l n_l (n_{l-1} + 1) (exact int)."""
    return sum(n_out * (n_in + 1) for n_in, n_out in itertools.pairwise(sizes))


def check_memory(sizes: Sequence[int], dtype: np.dtype) -> None:
    """Refuse widths whose parameters alone would need more than the machine's memory.

    Counted with Python integers (no overflow): bytes = itemsize * sum_l n_l (n_{l-1} + 1).
    """
    needed = parameter_count(sizes) * dtype.itemsize
    available = total_memory_bytes()
    if available is not None and needed > available:
        raise ValueError(
            f"sizes {list(sizes)} needs {parameter_count(sizes):,} parameters, "
            f"{needed / 2**30:,.1f} GiB as {dtype.name}, but this machine has "
            f"{available / 2**30:,.1f} GiB of memory: choose smaller layer widths"
        )


def check_output_units(sizes: Sequence[int], output: str) -> None:
    """Refuse a softmax over a single unit: its output is always 1, so J = 0 and dJ = 0."""
    if output == "softmax" and sizes[-1] == 1:
        raise ValueError(
            f"sizes {list(sizes)} ends in 1 unit with output='softmax', but a softmax over one "
            "unit is always 1, so the loss and every gradient are always 0 and nothing can be "
            "learned: for one binary output use output='sigmoid', for K classes end in K units"
        )


def check_parameters(
    weights: object, biases: object, sizes: Sequence[int], dtype: np.dtype
) -> None:
    """weights[k] must be an array of shape (sizes[k+1], sizes[k]) and biases[k] one of shape
    (sizes[k+1], 1), both of ``dtype``; a ValueError names the first array that is not.

    Checked at every use, not only at construction: parameters assigned by hand (e.g. biases
    of shape (n,) copied from another library) would otherwise broadcast silently.
    """
    layers = len(sizes) - 1
    for argument, arrays in (("weights", weights), ("biases", biases)):
        if not isinstance(arrays, list | tuple) or len(arrays) != layers:
            count = len(arrays) if isinstance(arrays, list | tuple) else type(arrays).__name__
            raise ValueError(
                f"net.{argument} must be a list of {layers} arrays for sizes {list(sizes)}, "
                f"found {count}"
            )
    for k in range(layers):
        n_in, n_out = sizes[k], sizes[k + 1]
        for argument, value, shape in (
            ("weights", weights[k], (n_out, n_in)),  # type: ignore[index]
            ("biases", biases[k], (n_out, 1)),  # type: ignore[index]
        ):
            if not isinstance(value, np.ndarray) or value.shape != shape or value.dtype != dtype:
                found = (
                    f"shape {_shape(value.shape)} and dtype {value.dtype}"
                    if isinstance(value, np.ndarray)
                    else f"a {type(value).__name__}"
                )
                hint = ""
                if isinstance(value, np.ndarray) and value.shape in ((n_out,), (1, n_out)):
                    hint = f"; use np.reshape(b, ({n_out}, 1)), a column vector"
                elif isinstance(value, np.ndarray) and value.shape == shape:
                    hint = f"; use .astype(np.{dtype.name})"
                raise ValueError(
                    f"net.{argument}[{k}] has {found}, but sizes {list(sizes)} needs a "
                    f"numpy array of shape {_shape(shape)} and dtype {dtype.name}{hint}"
                )


def check_choice(argument: str, value: object, choices: Sequence[str]) -> str:
    """A name from a fixed menu, e.g. hidden_activation in ('sigmoid', 'tanh', 'relu')."""
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{argument} is {value!r} but must be one of {options}")
    return value


def check_positive_int(argument: str, value: object) -> int:
    """A count such as epochs or batch_size: an integer >= 1."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{argument} is {value!r} but must be a positive integer")
    return int(value)


def check_positive_number(argument: str, value: object) -> float:
    """A step size such as learning_rate: a finite real number > 0."""
    if (
        isinstance(value, bool | np.bool_)
        or not isinstance(value, numbers.Real)
        or not np.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{argument} is {value!r} but must be a positive finite number")
    return float(value)


def check_seed(value: object) -> int | None:
    """A random seed: None (fresh randomness every run) or a non-negative integer such as 0."""
    if value is None:
        return None
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(
            f"seed is {value!r} ({type(value).__name__}) but must be None or a non-negative "
            "integer such as 0 or 42"
        )
    return int(value)


def _directory_problem(directory: Path) -> str | None:
    """Why files cannot be written into ``directory`` (creating it if needed), or None."""
    if directory.exists():
        if not directory.is_dir():
            return f"{str(directory)!r} is an existing file, not a directory"
        if not os.access(directory, os.W_OK | os.X_OK):
            return f"you cannot write to the directory {str(directory)!r}"
        return None
    ancestor = directory.absolute().parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{str(directory)!r} cannot be created because {str(ancestor)!r} is a file"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return (
            f"{str(directory)!r} cannot be created because you cannot write to the directory "
            f"{str(ancestor)!r}"
        )
    return None


def check_output_directory(argument: str, directory: Path) -> Path:
    """A directory the program may write into: an existing writable one, or one it can create.

    Nothing is created here: the check lets a command refuse a bad output path *before* it
    spends minutes computing. (Permissions are judged with ``os.access``; writing can still
    fail later, e.g. on a full disk.)
    """
    problem = _directory_problem(directory)
    if problem is not None:
        raise ValueError(
            f"{argument} {str(directory)!r} cannot be used as output directory: {problem}"
        )
    return directory


def check_output_file(argument: str, path: Path) -> Path:
    """A file the program may (over)write, in a directory that exists or can be created."""
    if path.is_dir():
        raise ValueError(
            f"{argument} {str(path)!r} is a directory, but must be a file name such as "
            f"{str(path / 'benchmarks.md')!r}"
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise ValueError(f"{argument} {str(path)!r} is a file you cannot write to")
    problem = _directory_problem(path.parent)
    if problem is not None:
        raise ValueError(f"{argument} {str(path)!r} cannot be written: {problem}")
    return path


def _first_bad_position(bad: np.ndarray) -> str:
    position = np.argwhere(bad)[0]
    if position.size == 2:
        return f"row {position[0]}, column {position[1]}"
    return f"index {position[0]}"


def _all_finite(array: np.ndarray) -> bool:
    """True when every entry of ``array`` is finite (no NaN, no infinity).

    A float matrix is first screened by one BLAS product, the column sums 1^T X: a sum with an
    infinite or NaN term is never finite, so finite sums prove every entry finite, reading the
    array once without the temporary boolean array of ``np.isfinite(X)``. Sums that overflow
    (or a genuinely non-finite entry) fall back to the exact entrywise test.
    """
    if array.ndim == 2 and array.dtype.kind == "f" and array.size >= 1 << 16:
        with np.errstate(over="ignore", invalid="ignore"):
            sums = np.ones(array.shape[0], array.dtype) @ array
        if np.isfinite(sums).all():
            return True
    return bool(np.isfinite(array).all())


def _refuse_non_finite(array: np.ndarray, argument: str, kinds: str, requirement: str) -> None:
    """ValueError naming ``argument``, its shape, the count and first position of NaN/inf."""
    if not _all_finite(array):
        bad = ~np.isfinite(array)
        raise ValueError(
            f"{argument} (shape {_shape(array.shape)}) contains {int(bad.sum())} non-finite "
            f"value(s){kinds}, the first at {_first_bad_position(bad)}: {requirement}"
        )


def as_array(value: object, argument: str) -> np.ndarray:
    """``np.asarray(value)``, or a ValueError naming ``argument`` (e.g. for a ragged list)."""
    try:
        return np.asarray(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{argument} cannot be read as a numeric array (are its rows of different "
            f"lengths?): {error}"
        ) from error


def check_inputs(X: object, n_inputs: int, dtype: np.dtype, argument: str = "X") -> np.ndarray:
    """Inputs of shape (n_inputs, m), m >= 1, finite real numbers; returned as ``dtype``."""
    array = as_array(X, argument)
    if array.dtype.kind not in "biuf":
        raise ValueError(
            f"{argument} has dtype {array.dtype} but must hold real numbers (float or int)"
        )
    if array.ndim == 1 and array.shape[0] == n_inputs:
        raise ValueError(
            f"{argument} has shape {_shape(array.shape)}, a single example as a 1-D array, "
            f"but must have shape ({n_inputs}, m), one column per example: "
            f"use {argument}.reshape({n_inputs}, 1)"
        )
    if array.ndim != 2 or array.shape[0] != n_inputs:
        hint = ""
        if array.ndim == 2 and array.shape[1] == n_inputs:
            hint = f" (it looks transposed: pass {argument}.T)"
        raise ValueError(
            f"{argument} has shape {_shape(array.shape)} but the network's input layer has "
            f"{n_inputs} units: {argument} must have shape ({n_inputs}, m), one column per "
            f"example{hint}"
        )
    if array.shape[1] == 0:
        raise ValueError(
            f"{argument} has shape {_shape(array.shape)}, i.e. no examples: at least one "
            "column is needed"
        )
    array = np.asarray(array, dtype=dtype)
    _refuse_non_finite(array, argument, " (NaN or infinity)", "all inputs must be finite numbers")
    return array


def one_hot(labels: np.ndarray, n_classes: int, dtype: np.dtype) -> np.ndarray:
    """Y[k, i] = 1 if labels[i] == k else 0, shape (n_classes, m)."""
    encoded = np.zeros((n_classes, labels.shape[0]), dtype=dtype)
    encoded[labels, np.arange(labels.shape[0])] = 1
    return encoded


def check_targets(
    Y: object,
    n_outputs: int,
    n_examples: int,
    output: str,
    dtype: np.dtype,
    argument: str = "Y",
    inputs_argument: str = "X",
) -> np.ndarray:
    """Targets of shape (n_outputs, m) suitable for the loss, or int labels of shape (m,).

    softmax (categorical CE): entries in [0, 1], every column sums to 1 (one-hot or a
    probability vector); sigmoid (binary CE): entries in [0, 1]; sigmoid_quadratic: any
    finite numbers. Integer labels l_i in 0..n_outputs-1 are one-hot encoded.
    """
    array = as_array(Y, argument)
    if array.ndim == 1:
        return _check_labels(array, n_outputs, n_examples, dtype, argument, inputs_argument)
    if array.dtype.kind not in "biuf":
        raise ValueError(
            f"{argument} has dtype {array.dtype} but must hold real numbers (float or int)"
        )
    expected = (n_outputs, n_examples)
    if array.shape != expected:
        hint = ""
        if array.shape == expected[::-1]:
            hint = f" (it looks transposed: pass {argument}.T)"
        raise ValueError(
            f"{argument} has shape {_shape(array.shape)} but must have shape "
            f"{_shape(expected)}: one row per output unit ({n_outputs}) and one column per "
            f"example ({inputs_argument} has {n_examples} columns){hint}; integer class labels "
            f"of shape ({n_examples},) are accepted too"
        )
    array = np.asarray(array, dtype=dtype)
    _refuse_non_finite(array, argument, "", "targets must be finite")
    if output in ("softmax", "sigmoid"):
        low, high = float(array.min()), float(array.max())
        if low < 0 or high > 1:
            loss = "softmax cross-entropy" if output == "softmax" else "binary cross-entropy"
            raise ValueError(
                f"{argument} (shape {_shape(array.shape)}) has entries from {low:g} to {high:g}, "
                f"but {loss} needs every target in [0, 1]"
            )
    if output == "softmax":
        column_sums = array.sum(axis=0)
        off = np.abs(column_sums - 1) > PROBABILITY_SUM_ATOL
        if off.any():
            column = int(np.argmax(off))
            raise ValueError(
                f"column {column} of {argument} (shape {_shape(array.shape)}) sums to "
                f"{column_sums[column]:g}, but softmax cross-entropy needs every column of "
                f"{argument} to be a probability distribution summing to 1 (e.g. one-hot); "
                "for several labels per example use output='sigmoid'"
            )
    return array


def _check_labels(
    labels: np.ndarray,
    n_outputs: int,
    n_examples: int,
    dtype: np.dtype,
    argument: str,
    inputs_argument: str,
) -> np.ndarray:
    if labels.dtype.kind not in "iu":
        raise ValueError(
            f"{argument} has shape {_shape(labels.shape)} and dtype {labels.dtype}: a 1-D "
            f"{argument} must hold integer class labels (dtype int); otherwise give a "
            f"({n_outputs}, {n_examples}) matrix of targets"
        )
    if labels.shape[0] != n_examples:
        raise ValueError(
            f"{argument} has shape {_shape(labels.shape)} (integer class labels) but "
            f"{inputs_argument} has {n_examples} columns: give exactly one label per example"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_outputs):
        bad = int(labels.min()) if labels.min() < 0 else int(labels.max())
        raise ValueError(
            f"{argument} (integer class labels, shape {_shape(labels.shape)}) contains the "
            f"label {bad}, but the output layer has {n_outputs} units, so labels must be "
            f"integers from 0 to {n_outputs - 1}"
        )
    return one_hot(labels, n_outputs, dtype)
