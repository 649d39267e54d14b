"""Hidden-layer activation functions g and their derivatives g'.

Every function works column-wise on arrays whose columns are examples, never overflows and
never emits a NumPy warning, whatever the size of its argument (|z| = 1000 included).

Two families live here:

* the *training* functions (``forward``/``derivative``) take an optional ``out`` buffer so the
  training step can reuse preallocated memory, and work on real arrays;
* the *complex-safe* functions (``complex_forward``) accept complex arrays too and are analytic
  wherever the real function is smooth, so that the complex-step derivative
  Im g(z + ih) / h = g'(z) + O(h^2) is exact to rounding. They are used only by
  :mod:`impl.gradcheck`.

Sigmoid is computed as sigma(z) = 1/(1 + e^{-z}) = (1 + tanh(z/2)) / 2, an identity that needs
no exponential of a large argument and therefore cannot overflow; it holds for complex z too.
The derivatives are written in terms of the activation a = g(z), as in the seeds:

    sigmoid  g'(z) = a (1 - a)
    tanh     g'(z) = 1 - a^2
    relu     g'(z) = 1 if z > 0 else 0      (ReLU'(0) = 0 by convention)

ReLU is not differentiable at z = 0; the value 0 chosen there is the convention of most
frameworks. Its complex-safe version max(Re z, 0)-style selection is analytic only away from
the kink, so gradient checks of ReLU networks are meaningful only when no pre-activation lies
within the finite-difference step of 0 (see :mod:`impl.gradcheck`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ArrayFunction = Callable[..., np.ndarray]


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Logistic function sigma(z) = 1 / (1 + e^{-z}) = (1 + tanh(z / 2)) / 2, overflow-free.

    Works for real and complex ``z``; ``out`` (same shape, may be ``z`` itself) avoids a
    temporary.
    """
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def sigmoid_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """sigma'(z) = a (1 - a) with a = sigma(z)."""
    out = np.subtract(1.0, a, out=out)
    out *= a
    return out


def tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Hyperbolic tangent tanh(z) = (e^z - e^{-z}) / (e^z + e^{-z}); real or complex."""
    return np.tanh(z, out=out)


def tanh_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """tanh'(z) = 1 - a^2 with a = tanh(z)."""
    out = np.multiply(a, a, out=out)
    np.subtract(1.0, out, out=out)
    return out


def relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Rectified linear unit relu(z) = max(z, 0) for real z."""
    return np.maximum(z, 0.0, out=out)


def relu_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """relu'(z) = 1 if z > 0 else 0; the value at the kink z = 0 is 0 by convention."""
    if out is None:
        return (z > 0).astype(z.dtype)
    return np.greater(z, 0.0, out=out)


def relu_complex_safe(z: np.ndarray) -> np.ndarray:
    """relu for real or complex z: z where Re z > 0, else 0 (analytic away from Re z = 0)."""
    return np.where(z.real > 0, z, 0)


@dataclass(frozen=True)
class HiddenActivation:
    """A hidden-layer activation: g (with ``out``), g' from (z, a), and a complex-safe g."""

    name: str
    forward: ArrayFunction
    derivative: ArrayFunction
    complex_forward: ArrayFunction
    #: True when g is smooth everywhere, so finite differences never straddle a kink.
    smooth: bool


HIDDEN_ACTIVATIONS: dict[str, HiddenActivation] = {
    "sigmoid": HiddenActivation("sigmoid", sigmoid, sigmoid_derivative, sigmoid, smooth=True),
    "tanh": HiddenActivation("tanh", tanh, tanh_derivative, tanh, smooth=True),
    "relu": HiddenActivation("relu", relu, relu_derivative, relu_complex_safe, smooth=False),
}
