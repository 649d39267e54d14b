"""Output layers: activation, per-example loss computed stably from the logits, output delta.

Arrays have the class (output unit) on axis -2 and the example on axis -1, so a matrix Z of
shape (n_L, m) holds one column of logits per example; stacks of shape (P, n_L, m) (used by the
gradient checker to evaluate P perturbed networks at once) work unchanged.

The three pairings, with z the logits of one example, a = h(z) the output activation and y the
target (per-example loss L; the cost is the batch mean J = (1/m) sum_i L_i):

``softmax`` (categorical cross-entropy, one class per example, columns of y sum to 1)
    a_k = e^{z_k} / sum_j e^{z_j},   L = -sum_k y_k log a_k = sum_k y_k (LSE(z) - z_k),
    with LSE(z) = c + log sum_j e^{z_j - c}, c = max_j z_j (log-sum-exp: no overflow).
    Output delta dL/dz = a - y  (uses sum_k y_k = 1; no Jacobian of the softmax is formed).

``sigmoid`` (binary cross-entropy per unit, multi-label, y in [0, 1])
    a_k = sigma(z_k),   L = -sum_k [y_k log a_k + (1 - y_k) log(1 - a_k)]
                          = sum_k [softplus(z_k) - y_k z_k],  softplus(z) = log(1 + e^z),
    softplus evaluated as logaddexp(0, z) (no overflow, no log(0)).
    Output delta dL/dz = a - y.

``sigmoid_quadratic`` (the quadratic cost, for comparison)
    a_k = sigma(z_k),   L = 1/2 sum_k (a_k - y_k)^2,
    Output delta dL/dz = (a - y) * sigma'(z) = (a - y) * a (1 - a).

All loss functions also accept complex logits and are then analytic (branches are chosen on the
real part only), which is what the complex-step gradient check needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from impl.activations import sigmoid, sigmoid_derivative

CLASS_AXIS = -2


def log_sum_exp(z: np.ndarray) -> np.ndarray:
    """LSE(z) = c + log sum_k e^{z_k - c} over the class axis, c = max_k Re z_k (keepdims).

    Any constant c gives the same value; choosing the maximum makes every exponent <= 0, so
    nothing overflows. c is taken from the real part so the formula stays analytic in z.
    """
    shift = np.max(z.real, axis=CLASS_AXIS, keepdims=True)
    return shift + np.log(np.sum(np.exp(z - shift), axis=CLASS_AXIS, keepdims=True))


def softmax(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """softmax(z)_k = e^{z_k - c} / sum_j e^{z_j - c}, c = max_j z_j, per column (real z)."""
    # ufunc.reduce directly: the np.max/np.sum wrappers cost a microsecond each per call
    shift = np.maximum.reduce(z, axis=CLASS_AXIS, keepdims=True)
    out = np.subtract(z, shift, out=out)
    np.exp(out, out=out)
    out /= np.add.reduce(out, axis=CLASS_AXIS, keepdims=True)
    return out


def softplus(z: np.ndarray) -> np.ndarray:
    """softplus(z) = log(1 + e^z) = max(z, 0) + log1p(e^{-|z|}), without overflow.

    Real z uses ``np.logaddexp(0, z)``; complex z uses the same identity with the branch
    chosen on Re z, which is analytic on each side.
    """
    if not np.iscomplexobj(z):
        return np.logaddexp(0.0, z)
    positive = z.real > 0
    non_positive_exponent = np.where(positive, -z, z)
    return np.where(positive, z, 0) + np.log1p(np.exp(non_positive_exponent))


def softmax_cross_entropy(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-example L = sum_k y_k (LSE(z) - z_k) = -sum_k y_k log softmax(z)_k, shape (..., m).

    Written as L = sum_k y_k (log sum_j e^{z_j - c} - (z_k - c)), c = max_j Re z_j. At
    finite logits whose spread exceeds the float range (z = (1e308, -1e308)), z_k - c
    overflows to -inf for the smallest logits; a class with y_k = 0 then contributes exactly
    0 (the limit of y_k log a_k, not 0 * inf = nan), and one with y_k > 0 contributes +inf,
    the correctly rounded value of a loss beyond the float range.
    """
    with np.errstate(over="ignore"):
        shifted = z - np.max(z.real, axis=CLASS_AXIS, keepdims=True)
    log_total = np.log(np.sum(np.exp(shifted), axis=CLASS_AXIS, keepdims=True))
    with np.errstate(over="ignore", invalid="ignore"):
        terms = np.where(y == 0, 0, y * (log_total - shifted))
        return np.sum(terms, axis=CLASS_AXIS)


def sigmoid_cross_entropy(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-example L = sum_k softplus(z_k) - y_k z_k (binary cross-entropy from logits).

    Each term is finite for finite z; only their sum can pass the float range (logits near
    1e308), and then +inf is the correctly rounded loss, so that overflow is not a warning.
    """
    with np.errstate(over="ignore"):
        return np.sum(softplus(z) - y * z, axis=CLASS_AXIS)


def quadratic_cost(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-example L = 1/2 sum_k (sigma(z_k) - y_k)^2 (no abs/conj: analytic for complex z)."""
    residual = sigmoid(z) - y
    return 0.5 * np.sum(residual * residual, axis=CLASS_AXIS)


def cross_entropy_delta(
    a: np.ndarray, y: np.ndarray, out: np.ndarray | None = None, work: np.ndarray | None = None
) -> np.ndarray:
    """Output delta dL/dz = a - y, shared by softmax+categorical and sigmoid+binary CE."""
    return np.subtract(a, y, out=out)


def quadratic_delta(
    a: np.ndarray, y: np.ndarray, out: np.ndarray | None = None, work: np.ndarray | None = None
) -> np.ndarray:
    """Output delta dL/dz = (a - y) * sigma'(z) = (a - y) * a (1 - a) for the quadratic cost."""
    out = np.subtract(a, y, out=out)
    out *= sigmoid_derivative(None, a, out=work)
    return out


@dataclass(frozen=True)
class OutputLayer:
    """Output activation h, its loss L(z, y) computed from the logits, and dL/dz."""

    name: str
    activation: Callable[..., np.ndarray]
    loss: Callable[[np.ndarray, np.ndarray], np.ndarray]
    delta: Callable[..., np.ndarray]
    description: str


OUTPUT_LAYERS: dict[str, OutputLayer] = {
    "softmax": OutputLayer(
        "softmax",
        softmax,
        softmax_cross_entropy,
        cross_entropy_delta,
        "softmax output with categorical cross-entropy",
    ),
    "sigmoid": OutputLayer(
        "sigmoid",
        sigmoid,
        sigmoid_cross_entropy,
        cross_entropy_delta,
        "sigmoid outputs with binary cross-entropy (multi-label)",
    ),
    "sigmoid_quadratic": OutputLayer(
        "sigmoid_quadratic",
        sigmoid,
        quadratic_cost,
        quadratic_delta,
        "sigmoid outputs with the quadratic cost 1/2 ||a - y||^2",
    ),
}
