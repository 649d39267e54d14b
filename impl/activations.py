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

Sigmoid is computed for real z as sigma(z) = e^{min(z,0)} / (e^{min(z,0)} + e^{-max(z,0)}), which
equals 1/(1 + e^{-z}) but only ever exponentiates non-positive numbers: it cannot overflow and it
keeps full relative accuracy in both tails (sigma(-35) = 6.3e-16 to the last digits). For complex
z it uses the analytic identity sigma(z) = (1 + tanh(z/2)) / 2 instead.
The derivatives are written in terms of the activation a = g(z), as in the sources:

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
    """Logistic function sigma(z) = 1 / (1 + e^{-z}), overflow-free, accurate in both tails.

    Real z: sigma(z) = e^{min(z,0)} / (e^{min(z,0)} + e^{-max(z,0)}) (exponents never positive).
    Complex z: sigma(z) = (1 + tanh(z / 2)) / 2, analytic, for the complex-step derivative.
    ``out`` (same shape, may be ``z`` itself) receives the result.
    """
    if np.iscomplexobj(z):
        out = np.multiply(z, 0.5, out=out)
        np.tanh(out, out=out)
        out *= 0.5
        out += 0.5
        return out
    exp_negative_part = np.minimum(z, 0.0)
    out = np.subtract(z, exp_negative_part, out=out)  # max(z, 0)
    np.negative(out, out=out)
    np.exp(out, out=out)  # e^{-max(z, 0)}
    np.exp(exp_negative_part, out=exp_negative_part)  # e^{min(z, 0)}
    out += exp_negative_part
    np.divide(exp_negative_part, out, out=out)
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
