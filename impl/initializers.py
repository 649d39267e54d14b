"""Weight initialisation schemes, all drawn from a seeded ``numpy.random.Generator``.

For the layer W (n_out x n_in), b (n_out x 1):

``normal``  W_ij ~ N(0, 1),                 b_i ~ N(0, 1)   (the sources' ``randn``; default)
``xavier``  W_ij ~ N(0, 2 / (n_in + n_out)), b_i = 0       (Glorot & Bengio 2010; sigmoid/tanh)
``he``      W_ij ~ N(0, 2 / n_in),           b_i = 0       (He et al. 2015; ReLU)

With standard-normal weights a unit fed by n_in inputs has a pre-activation of variance
~ n_in * E[x^2], so sigmoid units start saturated on wide inputs; the scaled schemes keep the
variance O(1).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

INITIALIZERS = ("normal", "xavier", "he")


def initialize_parameters(
    sizes: Sequence[int], init: str, rng: np.random.Generator, dtype: np.dtype
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return (weights, biases).

    weights[k] (that is W^{k+1}) has shape (sizes[k+1], sizes[k]); biases[k] has (sizes[k+1], 1).
    """
    weights: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    for n_in, n_out in itertools.pairwise(sizes):
        if init == "normal":
            biases.append(rng.standard_normal((n_out, 1)).astype(dtype, copy=False))
            weights.append(rng.standard_normal((n_out, n_in)).astype(dtype, copy=False))
            continue
        std = np.sqrt(2.0 / (n_in + n_out)) if init == "xavier" else np.sqrt(2.0 / n_in)
        weights.append((std * rng.standard_normal((n_out, n_in))).astype(dtype, copy=False))
        biases.append(np.zeros((n_out, 1), dtype=dtype))
    return weights, biases
