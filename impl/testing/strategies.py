"""Hypothesis strategies for backpropagation tests: architectures, batches, labels, cases.

Public, for a user's own property tests (``from impl.testing import strategies``) and used by
:func:`impl.testing.check_backward`.  Conventions: columns are examples; ``sizes`` lists the
widths n₀, n₁, …, n_L; ``weights[k]`` has shape (n_{k+1}, n_k) and ``biases[k]`` (n_{k+1}, 1);
X has shape (n₀, m) and Y (n_L, m).

Everything shrinks towards the simplest case: depth 1, width 1, m = 1, inputs 0, hard labels,
parameter seed 0 — so a failing check reports the smallest network and batch it could find.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "LABEL_KINDS",
    "Case",
    "architectures",
    "batch_sizes",
    "cases",
    "inputs",
    "labels",
    "parameters",
]

#: the largest input entry: keeps every pre-activation moderate (no overflow, no saturation)
INPUT_BOUND = 2.0


@dataclass(frozen=True)
class Case:
    """One network and batch: the arguments of ``backward(weights, biases, X, Y)``."""

    sizes: tuple[int, ...]
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    X: np.ndarray
    Y: np.ndarray

    @property
    def m(self) -> int:
        """The batch size (number of columns of X)."""
        return int(self.X.shape[1])

    @property
    def depth(self) -> int:
        """The number of weight layers L."""
        return len(self.weights)


@st.composite
def architectures(
    draw: st.DrawFn,
    max_depth: int = 4,
    max_width: int = 8,
    square: bool | None = None,
    min_output: int = 1,
    depth: int | None = None,
    sizes: tuple[int, ...] | None = None,
    output_width: int | None = None,
) -> list[int]:
    """Layer widths [n₀, …, n_L] with 1 ≤ L ≤ ``max_depth`` and widths 1..``max_width``
    (the output width at least ``min_output``: 2 for a softmax, whose single unit would
    always be 1 and is refused by ``Network``).

    ``square=True`` gives equal widths (every W square, where W and Wᵀ have the same shape);
    ``None`` draws square and general architectures alike.  ``depth`` fixes L (the code is
    written for that many layers), ``output_width`` fixes n_L, and ``sizes`` fixes them all.
    """
    if sizes is not None:
        return list(sizes)
    layers = depth if depth is not None else draw(st.integers(1, max_depth))
    if square is None:
        square = draw(st.booleans()) if output_width is None else False
    if square:
        return [draw(st.integers(min_output, max_width))] * (layers + 1)
    hidden = [draw(st.integers(1, max_width)) for _ in range(layers)]
    if output_width is not None:
        return [*hidden, output_width]
    return [*hidden, draw(st.integers(min_output, max_width))]


def batch_sizes(max_batch: int = 8) -> st.SearchStrategy[int]:
    """The number of examples m, 1..``max_batch`` (m = 1 included)."""
    return st.integers(1, max_batch)


def inputs(features: int, batch: int) -> st.SearchStrategy[np.ndarray]:
    """X of shape (features, batch) with finite entries in [−2, 2]."""
    elements = st.floats(-INPUT_BOUND, INPUT_BOUND, allow_nan=False, width=64)
    return hnp.arrays(np.float64, (features, batch), elements=elements)


#: the labels a check draws: ``soft`` (hard and soft alike), ``one-hot`` (hard only) and
#: ``integer`` (hard only; the convention passes class indices instead of one-hot columns)
LABEL_KINDS = ("soft", "one-hot", "integer")


@st.composite
def labels(
    draw: st.DrawFn, output: str, classes: int, batch: int, kind: str = "soft"
) -> np.ndarray:
    """Y of shape (classes, batch), hard or soft, valid for the loss of ``output``:
    one-hot or probability columns for ``softmax``; entries in {0, 1} or [0, 1] for the
    sigmoid outputs.  ``kind`` other than ``soft`` draws hard labels only."""
    if kind not in LABEL_KINDS:
        raise ValueError(f"kind is {kind!r}; expected one of {', '.join(LABEL_KINDS)}")
    hard = True if kind != "soft" else not draw(st.booleans())
    shape = (classes, batch)
    if output == "softmax":
        if hard:
            picks = draw(hnp.arrays(np.int64, batch, elements=st.integers(0, classes - 1)))
            return np.eye(classes)[:, picks]
        weights = draw(hnp.arrays(np.float64, shape, elements=st.floats(0.01, 1.0)))
        return weights / weights.sum(axis=0, keepdims=True)
    if hard:
        return draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 1))).astype(float)
    return draw(hnp.arrays(np.float64, shape, elements=st.floats(0.0, 1.0)))


def parameters(
    sizes: list[int] | tuple[int, ...], seed: int
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """Weights N(0, 1/n_k) (Xavier-like: pre-activations stay of order 1) and biases
    N(0, 1/4), from ``seed``; biases are non-zero, so no ReLU unit sits exactly at its kink
    for zero inputs."""
    rng = np.random.default_rng(seed)
    weights = tuple(
        rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)
        for n_in, n_out in itertools.pairwise(sizes)
    )
    biases = tuple(0.5 * rng.standard_normal((n_out, 1)) for n_out in sizes[1:])
    return weights, biases


@st.composite
def cases(
    draw: st.DrawFn,
    output: str,
    max_depth: int = 4,
    max_width: int = 8,
    max_batch: int = 8,
    square: bool | None = None,
    depth: int | None = None,
    sizes: tuple[int, ...] | None = None,
    label_kind: str = "soft",
    output_width: int | None = None,
) -> Case:
    """A network (architecture and parameters) with a batch X and labels Y for ``output``:
    ``depth``, ``sizes`` and ``output_width`` restrict the architectures
    (:func:`architectures`), ``label_kind`` the labels (:func:`labels`)."""
    minimum = 2 if output == "softmax" else 1
    widths = draw(architectures(max_depth, max_width, square, minimum, depth, sizes, output_width))
    batch = draw(batch_sizes(max_batch))
    seed = draw(st.integers(0, 2**32 - 1))
    weights, biases = parameters(widths, seed)
    X = draw(inputs(widths[0], batch))
    Y = draw(labels(output, widths[-1], batch, label_kind))
    return Case(tuple(widths), weights, biases, X, Y)
