"""The sources' per-example backpropagation, kept as a reference and as the benchmark baseline.

This is the textbook loop the vectorised :class:`impl.network.Network` replaces: every example x
(a column vector) is propagated forward and backward on its own, its gradients are accumulated,
and only then is the mini-batch update applied::

    for x, y in mini_batch:
        delta^L = a^L - y                    (cross-entropy; * sigma'(z^L) for quadratic)
        delta^l = (W^{l+1})^T delta^{l+1} * g'(z^l)
        nabla_W^l += delta^l (a^{l-1})^T,   nabla_b^l += delta^l
    W^l <- W^l - (eta / m) nabla_W^l,  b^l <- b^l - (eta / m) nabla_b^l

It uses the network's own (stable) activation and output functions, so the two
implementations differ only in how they organise the arithmetic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from impl.network import Network


def example_gradients(
    network: Network, x: np.ndarray, y: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """dL/dW^l and dL/db^l for ONE example x (shape (n_0, 1)) with target y (shape (n_L, 1))."""
    hidden, output = network.hidden, network.output_layer
    activation = x
    activations = [x]
    pre_activations = []
    last = network.num_layers - 1
    for k, (W, b) in enumerate(zip(network.weights, network.biases, strict=True)):
        z = W @ activation + b
        pre_activations.append(z)
        activation = hidden.forward(z) if k < last else output.activation(z)
        activations.append(activation)
    delta = output.delta(activations[-1], y)
    nabla_W = [np.empty_like(W) for W in network.weights]
    nabla_b = [np.empty_like(b) for b in network.biases]
    nabla_W[-1] = delta @ activations[-2].T
    nabla_b[-1] = delta
    for k in range(last - 1, -1, -1):
        delta = (network.weights[k + 1].T @ delta) * hidden.derivative(
            pre_activations[k], activations[k + 1]
        )
        nabla_W[k] = delta @ activations[k].T
        nabla_b[k] = delta
    return nabla_W, nabla_b


def _summed_example_gradients(
    network: Network, X: np.ndarray, Y: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """sum_i of :func:`example_gradients`, one column at a time, as the sources' loop does."""
    nabla_W = [np.zeros_like(W) for W in network.weights]
    nabla_b = [np.zeros_like(b) for b in network.biases]
    for i in range(X.shape[1]):
        delta_W, delta_b = example_gradients(network, X[:, i : i + 1], Y[:, i : i + 1])
        nabla_W = [total + part for total, part in zip(nabla_W, delta_W, strict=True)]
        nabla_b = [total + part for total, part in zip(nabla_b, delta_b, strict=True)]
    return nabla_W, nabla_b


def batch_gradients_by_loop(
    network: Network, X: np.ndarray, Y: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(1/m) sum_i of :func:`example_gradients` over the columns of X and Y (validated arrays)."""
    m = X.shape[1]
    nabla_W, nabla_b = _summed_example_gradients(network, X, Y)
    return [g / m for g in nabla_W], [g / m for g in nabla_b]


def gradient_descent_by_loop(
    network: Network, X: np.ndarray, Y: np.ndarray, learning_rate: float
) -> None:
    """The sources' ``update_mini_batch``: accumulate per-example gradients, then step once."""
    m = X.shape[1]
    nabla_W, nabla_b = _summed_example_gradients(network, X, Y)
    network.weights = [
        W - (learning_rate / m) * g for W, g in zip(network.weights, nabla_W, strict=True)
    ]
    network.biases = [
        b - (learning_rate / m) * g for b, g in zip(network.biases, nabla_b, strict=True)
    ]
