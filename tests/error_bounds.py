"""A priori error bounds behind every float64 tolerance of the cross-check tests.

Floating-point model (IEEE double, round to nearest): each basic operation ○ gives
fl(x ○ y) = (x ○ y)(1 + ρ), |ρ| ≤ U = 2⁻⁵³. A sum or dot product of n terms has absolute error
at most γₙ Σ|terms|, γₙ = nU / (1 − nU), in any summation order (BLAS included). NumPy's
transcendental functions (exp, log, log1p, tanh, and those in logaddexp) are documented
to be accurate within 4 ulp = 8U relative (``LIBM``). The bounds below are *first-order*
running-error bounds (Higham, Accuracy and Stability of Numerical Algorithms, §3): they
neglect terms of order U², which are smaller than the first-order terms by a factor of
about nU ≤ 1e-13 here, so every comparison multiplies them by ``SAFETY = 2``.

Three bounds, each computed from the data of one example (no constant tolerance):

* :func:`forward_error` — |Ẑˡ − Zˡ| and |Âˡ − Aˡ| entry by entry for ``impl``'s forward pass;
* :func:`backward_error` — |dŴ − dW|, |db̂ − db| for ``Network.backward``;
* :func:`loss_error` — |Ĵ − J| for ``Network.loss``;
* :func:`central_difference_error` — |ĝ_fd − ∂J/∂θ| for one central difference of
  ``Network.loss``: truncation h²/6 · sup|J'''| plus rounding ΔJ/h plus the rounding of the step
  itself; sup|J'''| comes from the chain rule (Faà di Bruno) with the suprema of |g'|, |g''|,
  |g'''| of the activations and of the loss derivatives, so it holds on the whole interval
  [θ − h, θ + h].
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

U = 2.0**-53
LIBM = 8 * U
SAFETY = 2.0

#: sup over real z of (|g'|, |g''|, |g'''|): σ' ≤ 1/4, |σ''| ≤ 1/(6√3) < 0.0963,
#: |σ'''| ≤ 1/8; tanh' ≤ 1, |tanh''| ≤ 4/(3√3) < 0.7699, |tanh'''| ≤ 2; ReLU away from 0.
HIDDEN_DERIVATIVE_SUPREMA = {
    "sigmoid": (0.25, 0.0963, 0.125),
    "tanh": (1.0, 0.7699, 2.0),
    "relu": (1.0, 0.0, 0.0),
}
#: relative error of impl's hidden activation: sigmoid = e^{min(z,0)} / (e^{min(z,0)} +
#: e^{-max(z,0)}) is two exps, an addition and a division (2·8U + 2U); tanh one libm call
HIDDEN_RELATIVE_ERROR = {"sigmoid": 18 * U, "tanh": LIBM, "relu": 0.0}
SIGMOID_RELATIVE_ERROR = HIDDEN_RELATIVE_ERROR["sigmoid"]


def gamma(n: int) -> float:
    """γₙ = nU / (1 − nU): the error factor of a sum of n terms."""
    return n * U / (1 - n * U)


@dataclass
class ForwardError:
    """The computed Z, A of a forward pass and entrywise bounds on their rounding errors."""

    Z: list[np.ndarray]
    A: list[np.ndarray]
    z_error: list[np.ndarray]
    a_error: list[np.ndarray]


def _output_activation_error(output: str, z: np.ndarray, a: np.ndarray, dz: np.ndarray):
    if output == "softmax":
        # ‖∂a/∂z‖∞ = max_i 2aᵢ(1 − aᵢ) ≤ 1/2; implementation: s = z − max z (error U|s|),
        # e^s (8U + U|s|), the sum S = Σ e^{sⱼ} (relative Σ aⱼ(8U + U|sⱼ|) + γ_K), the division
        shifted = np.abs(z - z.max(axis=0, keepdims=True))
        weighted = (a * shifted).sum(axis=0)
        relative = U * shifted + U * weighted + 2 * LIBM + gamma(z.shape[0]) + U
        return 0.5 * dz.max(axis=0) + a * relative
    return 0.25 * dz + SIGMOID_RELATIVE_ERROR * a


def forward_error(net, X: np.ndarray) -> ForwardError:
    """Bounds on the forward pass: Ẑˡ = fl(Wˡ Âˡ⁻¹ + bˡ) has error γₙ₊₁(|W||Â| + |b|) + |W| ΔA;
    Âˡ = g(Ẑˡ) adds sup|g'| ΔZ and the activation's own rounding."""
    cache = net.forward(X)
    dA = [np.zeros_like(X)]
    dZ = []
    last = net.num_layers - 1
    for k, (W, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        magnitude = np.abs(W) @ np.abs(cache.A[k]) + np.abs(b)
        dz = gamma(W.shape[1] + 1) * magnitude + np.abs(W) @ dA[k]
        dZ.append(dz)
        a = cache.A[k + 1]
        if k < last:
            slope = HIDDEN_DERIVATIVE_SUPREMA[net.hidden_activation][0]
            dA.append(slope * dz + HIDDEN_RELATIVE_ERROR[net.hidden_activation] * np.abs(a))
        else:
            output = "softmax" if net.output == "softmax" else "sigmoid"
            dA.append(_output_activation_error(output, cache.Z[k], a, dz))
    if net.hidden_activation == "relu":
        for z, dz in zip(cache.Z[:-1], dZ[:-1], strict=True):
            # ReLU' is exact only if the computed pre-activation has the exact one's sign
            assert np.all(np.abs(z) > dz), "a ReLU pre-activation is within rounding of 0"
    return ForwardError(cache.Z, cache.A, dZ, dA)


def _hidden_derivative_error(name: str, a: np.ndarray, da: np.ndarray) -> np.ndarray:
    """|ĝ' − g'| for g' computed from the computed â: σ' = a(1 − a), tanh' = 1 − a², ReLU'."""
    if name == "sigmoid":
        return da + 2 * U * a * (1 - a)  # |∂(a(1 − a))/∂a| = |1 − 2a| ≤ 1
    if name == "tanh":
        return 2 * np.abs(a) * da + 2 * U * (a * a + np.abs(1 - a * a))
    return np.zeros_like(a)


def backward_error(
    net, X: np.ndarray, Y: np.ndarray, forward: ForwardError | None = None
) -> tuple[list, list]:
    """Bounds on |dŴ − dW| and |db̂ − db| for ``net.backward(X, Y)`` (Y as a (K, m) array)."""
    forward = forward_error(net, X) if forward is None else forward
    A, dA, m = forward.A, forward.a_error, X.shape[1]
    a, da = A[-1], dA[-1]
    residual = a - Y
    if net.output == "sigmoid_quadratic":
        slope = a * (1 - a)
        d_residual = da + U * np.abs(residual)
        d_slope = da + 2 * U * slope
        delta = residual * slope
        d_delta = slope * d_residual + np.abs(residual) * d_slope + U * np.abs(delta)
    else:
        delta = residual
        d_delta = da + U * np.abs(residual)
    D = delta / m
    dD = d_delta / m + 2 * U * np.abs(D)  # scaled by fl(1/m)
    grad_W, grad_b = [], []
    for k in range(net.num_layers - 1, -1, -1):
        absD = np.abs(D)
        grad_W.append(dD @ np.abs(A[k]).T + absD @ dA[k].T + gamma(m) * absD @ np.abs(A[k]).T)
        grad_b.append((dD + gamma(m) * absD).sum(axis=1, keepdims=True))
        if k:
            W = net.weights[k]
            product = W.T @ D
            d_product = np.abs(W).T @ dD + gamma(W.shape[0]) * np.abs(W).T @ absD
            slope = net.hidden.derivative(forward.Z[k - 1], A[k].copy())
            d_slope = _hidden_derivative_error(net.hidden_activation, A[k], dA[k])
            D = product * slope
            dD = np.abs(slope) * d_product + np.abs(product) * d_slope + U * np.abs(D)
    return grad_W[::-1], grad_b[::-1]


def _per_example_loss_error(output: str, z: np.ndarray, dz: np.ndarray, Y: np.ndarray):
    """(|L̂ − L| per example from rounding in the loss formula and from |Ẑᴸ − Zᴸ| ≤ dz, |L|)."""
    K = z.shape[0]
    if output == "softmax":
        s = z - z.max(axis=0, keepdims=True)
        total = np.exp(s).sum(axis=0, keepdims=True)
        a = np.exp(s) / total
        log_total = np.log(total)
        terms = log_total - s
        # e^s: 8U + U|s|, the sum γ_K, log: relative error of the sum + 8U |log S|
        d_log = (a * (LIBM + U * np.abs(s))).sum(axis=0) + gamma(K) + LIBM * log_total
        d_terms = d_log + U * np.abs(s) + 2 * U * np.abs(terms)
        rounding = (Y * d_terms).sum(axis=0) + gamma(K) * (Y * terms).sum(axis=0)
        propagated = (np.abs(a * Y.sum(axis=0) - Y) * dz).sum(axis=0)
        return rounding + propagated, (Y * terms).sum(axis=0)
    a = 1 / (1 + np.exp(-z))
    if output == "sigmoid":
        softplus = np.logaddexp(0.0, z)
        terms = softplus - Y * z
        # logaddexp(0, z) = max(z, 0) + log1p(e^{-|z|}): exp and log1p 8U each, the sum U
        d_terms = (U + 2 * LIBM) * softplus + U * np.abs(Y * z) + U * np.abs(terms)
        rounding = d_terms.sum(axis=0) + gamma(K) * np.abs(terms).sum(axis=0)
        propagated = (np.abs(a - Y) * dz).sum(axis=0)
        return rounding + propagated, terms.sum(axis=0)
    residual = a - Y
    d_residual = SIGMOID_RELATIVE_ERROR * a + U * np.abs(residual)
    squares = residual * residual
    rounding = (2 * np.abs(residual) * d_residual / 2 + U * squares).sum(axis=0)
    rounding += gamma(K) * squares.sum(axis=0)
    propagated = (np.abs(residual) * a * (1 - a) * dz).sum(axis=0)
    return rounding + propagated, 0.5 * squares.sum(axis=0)


def loss_error(net, X: np.ndarray, Y: np.ndarray, forward: ForwardError | None = None) -> float:
    """Bound on |Ĵ − J| for ``net.loss(X, Y)``: per-example bounds, then the float64 sum over m
    (γₘ Σ|Lᵢ|) and the division by m (U|J|)."""
    forward = forward_error(net, X) if forward is None else forward
    per_example, losses = _per_example_loss_error(net.output, forward.Z[-1], forward.z_error[-1], Y)
    m = X.shape[1]
    total = np.abs(losses).sum()
    return float(per_example.sum() / m + gamma(m) * total / m + U * total / m)


#: sup over z of Σ|∂L/∂zᵢ|, Σ|∂²L/∂zᵢ∂zⱼ|, Σ|∂³L/∂zᵢ∂zⱼ∂zₖ| per example, as functions of the
#: labels y (K, m). Softmax CE with s = Σy: ∂ᵢL = aᵢs − yᵢ (≤ 2s), ∂ᵢⱼL = s(aᵢδᵢⱼ − aᵢaⱼ)
#: (≤ 2s), the third derivatives are three terms each summing to ≤ 2s (≤ 6s). Binary CE:
#: ∂ᵢL = σ − yᵢ (≤ 1 per unit), then σ' ≤ 1/4, |σ''| < 0.0963 per unit. Quadratic:
#: ∂ᵢL = (σ − y)σ', ∂ᵢᵢL = σ'² + (σ − y)σ'', ∂ᵢᵢᵢL = 3σ'σ'' + (σ − y)σ''' per unit.
def _loss_derivative_suprema(output: str, Y: np.ndarray):
    K = Y.shape[0]
    if output == "softmax":
        s = np.abs(Y).sum(axis=0)
        return 2 * s, 2 * s, 6 * s
    if output == "sigmoid":
        ones = np.ones(Y.shape[1])
        return K * ones, 0.25 * K * ones, 0.0963 * K * ones
    spread = (1 + np.abs(Y)).sum(axis=0)  # Σ sup|σ − y|
    s1, s2, s3 = HIDDEN_DERIVATIVE_SUPREMA["sigmoid"]
    return (
        s1 * spread,
        K * s1 * s1 + s2 * spread,
        3 * K * s1 * s2 + s3 * spread,
    )


@dataclass(frozen=True)
class CentralDifference:
    """One central difference of ``Network.loss``: θ = ``name[index]``, evaluated at the
    parameters θ⁺ = fl(θ + h) and θ⁻ = fl(θ − h), divided by their exact distance."""

    name: str
    index: tuple[int, ...]
    theta: float
    plus: float
    minus: float
    value: float


def central_difference_error(
    net,
    forward: ForwardError,
    Y: np.ndarray,
    difference: CentralDifference,
    step: float,
    cost_error: float,
) -> float:
    """Bound on |(Ĵ(θ⁺) − Ĵ(θ⁻)) / (θ⁺ − θ⁻) − ∂J/∂θ(θ)| for one parameter θ = ``name[index]``.

    θ⁺ = fl(θ + h) and θ⁻ = fl(θ − h) are the parameters actually evaluated (``plus`` and
    ``minus``); the quotient is taken over their true distance. Terms:

    * truncation: with uneven steps h₊ = θ⁺ − θ, h₋ = θ − θ⁻, Taylor's theorem gives
      |h₊ − h₋|/2 · sup|J''| + (h₊² + h₋²)/6 · sup|J'''| (first term 0 when the steps agree);
    * rounding: (ΔĴ(θ⁺) + ΔĴ(θ⁻)) / (h₊ + h₋), with ΔĴ bounded at θ by ``cost_error`` (the
      parameters differ by h, which changes the bound by a relative O(h));
    * the subtraction and the division: 3U |quotient|.

    sup|J''| and sup|J'''| along θ use, per example, the growth of the pre-activations:
    z at the perturbed layer changes at rate d₁ = |Aˡ⁻¹[j, :]| (1 for a bias) in one row;
    through g and Wᵏ, d₁ ← |Wᵏ| (g₁ d₁), d₂ ← |Wᵏ| (g₂ d₁² + g₁ d₂),
    d₃ ← |Wᵏ| (g₃ d₁³ + 3 g₂ d₁ d₂ + g₁ d₃) with the suprema gᵢ of |g⁽ⁱ⁾|; then
    |φ''| ≤ T₂ d₁² + T₁ d₂ and |φ'''| ≤ T₃ d₁³ + 3 T₂ d₁ d₂ + T₁ d₃ with the loss suprema Tᵢ
    and dᵢ = max over the output units. For ReLU the bound needs the segment to cross no kink:
    it returns inf when a hidden pre-activation is within h·d₁ of 0 (the caller assumes).
    """
    name, index = difference.name, difference.index
    layer = int(name[1:]) - 1
    row = index[0]
    cache = forward
    m = Y.shape[1]
    width = net.sizes[layer + 1]
    d1 = np.zeros((width, m))
    d1[row] = np.abs(cache.A[layer][index[1]]) if name[0] == "W" else 1.0
    d2 = np.zeros_like(d1)
    d3 = np.zeros_like(d1)
    g1, g2, g3 = HIDDEN_DERIVATIVE_SUPREMA[net.hidden_activation]
    for k in range(layer + 1, net.num_layers):
        if net.hidden_activation == "relu" and np.any(np.abs(cache.Z[k - 1]) <= 2 * step * d1):
            return float("inf")
        W = np.abs(net.weights[k])
        d1, d2, d3 = (
            W @ (g1 * d1),
            W @ (g2 * d1**2 + g1 * d2),
            W @ (g3 * d1**3 + 3 * g2 * d1 * d2 + g1 * d3),
        )
    t1, t2, t3 = _loss_derivative_suprema(net.output, Y)
    e1, e2, e3 = d1.max(axis=0), d2.max(axis=0), d3.max(axis=0)
    second = float(np.mean(t2 * e1**2 + t1 * e2))
    third = float(np.mean(t3 * e1**3 + 3 * t2 * e1 * e2 + t1 * e3))
    up = float(Fraction(difference.plus) - Fraction(difference.theta))
    down = float(Fraction(difference.theta) - Fraction(difference.minus))
    truncation = abs(up - down) / 2 * second + (up**2 + down**2) / 6 * third
    rounding = 2 * cost_error / (up + down)
    return truncation + rounding + 3 * U * abs(difference.value)


#: one subnormal ulp: below the normal range (2⁻¹⁰²²) a rounding errs by up to half of it in
#: absolute terms, which a relative bound U·|x| does not cover (gradual underflow)
SUBNORMAL_ULP = 2.0**-1074


def output_delta_error(output: str, a: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Bound on |δ̂ − δ| for an output delta computed from the computed activation â of exact
    logits: δ = a Σy − y (softmax, any labels; a − y when Σy = 1), a − y (binary CE) or
    (a − y) a (1 − a) (quadratic). The error of â is the activation's own rounding.

    Each operation whose result is subnormal adds an absolute error of at most one subnormal
    ulp (libm's exp, ≤ 1 ulp) or half of one (division, product, difference): for softmax
    e^(z−max)/S, then a·Σy and − y: ≤ (1 + ½)·Σ|y| + ½ + ½ ulps, bounded by 2 + 2Σ|y|; for the
    sigmoid ≤ 2 ulps (exp, division, difference)."""
    K = a.shape[0]
    if output == "softmax":
        logits = np.log(np.maximum(a, np.finfo(float).tiny))  # a = softmax(log a)
        a_error = _output_activation_error("softmax", logits, a, np.zeros_like(a))
        label_sum = np.abs(Y).sum(axis=0)
        return (
            label_sum * a_error
            + gamma(K) * a * label_sum
            + 2 * U * (a * label_sum + np.abs(Y))
            + (2 + 2 * label_sum) * SUBNORMAL_ULP
        )
    a_error = SIGMOID_RELATIVE_ERROR * a
    residual = a - Y
    if output == "sigmoid":
        return a_error + U * np.abs(residual) + 2 * SUBNORMAL_ULP
    slope = a * (1 - a)
    return (
        slope * (a_error + U * np.abs(residual))
        + np.abs(residual) * (a_error + 2 * U * slope)
        + U * np.abs(residual * slope)
    )


def output_difference_error(
    output: str, logits: np.ndarray, Y: np.ndarray, unit: int, plus: np.ndarray, minus: np.ndarray
) -> np.ndarray:
    """Bound per example on |(L̂(z⁺) − L̂(z⁻)) / (z⁺ − z⁻) − ∂L/∂z_unit| for a central difference
    in logit ``unit``, z± = fl(z ± h) (rows ``plus``, ``minus``): the truncation bound of
    :func:`central_difference_error` with d₁ = 1, d₂ = d₃ = 0 (so |φ''| ≤ T₂, |φ'''| ≤ T₃),
    rounding of the loss at both points over the step, and 3U of the quotient."""
    zero = np.zeros_like(logits)
    _, t2, t3 = _loss_derivative_suprema(output, Y)
    bounds = []
    for shifted_row in (plus, minus):
        shifted = logits.copy()
        shifted[unit] = shifted_row
        bounds.append(_per_example_loss_error(output, shifted, zero, Y))
    (rounding_plus, loss_plus), (rounding_minus, loss_minus) = bounds
    up = np.array(
        [float(Fraction(p) - Fraction(z)) for p, z in zip(plus, logits[unit], strict=True)]
    )
    down = np.array(
        [float(Fraction(z) - Fraction(q)) for z, q in zip(logits[unit], minus, strict=True)]
    )
    quotient = np.abs(loss_plus - loss_minus) / (up + down)
    truncation = np.abs(up - down) / 2 * t2 + (up**2 + down**2) / 6 * t3
    return truncation + (rounding_plus + rounding_minus) / (up + down) + 3 * U * quotient


def softmax_error(z: np.ndarray) -> np.ndarray:
    """Bound on |â − a| for impl's softmax of exact logits z (units on axis 0)."""
    a = np.exp(z - z.max(axis=0)) / np.exp(z - z.max(axis=0)).sum(axis=0)
    return _output_activation_error("softmax", z, a, np.zeros_like(z))


def softmax_jacobian_formula_error(a: np.ndarray, a_error: np.ndarray) -> np.ndarray:
    """Bound on the error of aᵢ(δᵢⱼ − aⱼ) evaluated from â (K,) with |â − a| ≤ ``a_error``:
    first order in the error of each factor, plus 2U for the subtraction and the product."""
    identity = np.eye(a.shape[0])
    factor = np.abs(identity - a[None, :])
    return a_error[:, None] * factor + a[:, None] * a_error[None, :] + 2 * U * a[:, None] * factor


def softmax_column_difference_error(
    z: np.ndarray, unit: int, up: float, down: float, quotient: np.ndarray, extra: np.ndarray
) -> np.ndarray:
    """Bound on |(f(z⁺) − f(z⁻)) / (up + down) − ∂f/∂z_unit| for f = softmax(z) − y (y fixed),
    entry by entry: as a function of one logit every aᵢ is a logistic curve, so
    |∂²aᵢ| ≤ 0.0963 and |∂³aᵢ| ≤ 1/8 (the sigmoid suprema); rounding of f at both points
    (``softmax_error`` plus ``extra``, e.g. U|a − y| for a subtraction) over the step; 3U of
    the quotient."""
    _, second, third = HIDDEN_DERIVATIVE_SUPREMA["sigmoid"]
    plus, minus = z.copy(), z.copy()
    plus[unit] = z[unit] + up
    minus[unit] = z[unit] - down
    rounding = softmax_error(plus[:, None])[:, 0] + softmax_error(minus[:, None])[:, 0] + extra
    truncation = abs(up - down) / 2 * second + (up**2 + down**2) / 6 * third
    return truncation + rounding / (up + down) + 3 * U * np.abs(quotient)


def symmetric_eigenvalue_error(matrix: np.ndarray, entry_error: np.ndarray) -> float:
    """Bound on how far ``eigvalsh`` may move an eigenvalue: Weyl's inequality for the entries'
    errors (‖E‖₂ ≤ ‖E‖_F) plus LAPACK's backward error p(K) U ‖H‖₂, with p(K) = K² and
    ‖H‖₂ ≤ ‖H‖_F (the LAPACK Users' Guide calls p(n) a modestly growing function of n)."""
    size = matrix.shape[0]
    frobenius = float(np.sqrt(np.sum(matrix * matrix)))
    return float(np.sqrt(np.sum(entry_error * entry_error))) + size * size * U * frobenius


def derivative_from_activation_error(name: str, a: np.ndarray) -> np.ndarray:
    """Bound on |ĝ' − g'| for impl's g' computed from its own computed activation â, whose
    relative error is ``HIDDEN_RELATIVE_ERROR[name]`` = r: σ' = a(1 − a) moves by
    |1 − 2a| r a plus 2U for its two operations; tanh' = 1 − a² by 2a² r plus U a² (the
    square) and U|1 − a²| (the subtraction); ReLU' is exact away from 0."""
    r = HIDDEN_RELATIVE_ERROR[name]
    if name == "sigmoid":
        return np.abs(1 - 2 * a) * r * a + 2 * U * a * (1 - a)
    if name == "tanh":
        return 2 * a * a * r + U * a * a + U * np.abs(1 - a * a)
    return np.zeros_like(a)


# ---------------------------------------------------------------- the complex step
#: NumPy's complex exp, tanh and log (the C99 cexp, ctanh, clog of the platform's libm; the
#: imaginary part of its complex log1p is an atan2) come with no documented accuracy. Assumed:
#: their imaginary parts are within 16 ulp = 32U relative where the imaginary argument is tiny,
#: the complex step's regime; ``test_impl_gradcheck`` checks it against 50-digit mpmath.
CLIBM = 32 * U
#: one operation whose imaginary part falls below the normal range (2⁻¹⁰²²) errs by an
#: absolute 16 subnormal ulps at most instead of a relative 16 ulps
SUBNORMAL_ERROR = 16 * 2.0**-1074


def _complex_loss_coefficients(output: str, z, a, Y, dz):
    """Per example i and output unit k: (c[k, i], |∂Lᵢ/∂z_k|) with |L̂̇ᵢ − L̇ᵢ| ≤ Σ_k c[k, i] |ż_k|
    for L̇ = Im L̂(z + iż)/h computed by ``impl.losses`` (ż real, the logits' tangent).

    softmax: Im e^{s_k + iż_k} = e^{s_k} ż_k (1 + CLIBM + U|s_k|) (s = z − max z rounded
    by U|s|), the sum over K (γ_K), Im log S = Im S / Re S with Re S off by
    δ_S = Σ aⱼ(LIBM + U|sⱼ|) + γ_K and clog's CLIBM, then y_k (Im log S − ż_k) (2U) summed
    (γ_K); |Im log S − ż_k| ≤ Σⱼ aⱼ|żⱼ| + |ż_k|. Binary CE: softplus's imaginary part is
    ż σ from a cexp and a log1p (atan2 after 1 + Re w: CLIBM + U), ż − ż(1 − σ) for Re z > 0
    (U), minus y ż (2U), summed (γ_K). Quadratic: Im σ(z) = ż σ'(1 + CLIBM) (σ = (1 +
    tanh(z/2))/2, whose real part errs by CLIBM + U), Im r² = 2 Re r Im r (3U), summed (γ_K).
    Every pairing adds Σⱼ|∂²L/∂z_k∂zⱼ| dzⱼ: the loss is differentiated at the computed logits
    (|Ẑ − Z| ≤ dz), softmax ≤ 2 Σ|y| a_k max dz, binary CE σ'_k dz_k, quadratic
    (σ'² + |r| sup|σ''|) dz_k."""
    K = z.shape[0]
    if output == "softmax":
        label_sum = np.abs(Y).sum(axis=0)
        shifted = np.abs(z - z.max(axis=0))
        sum_error = (a * (LIBM + U * shifted)).sum(axis=0) + gamma(K)
        relative = 2 * CLIBM + U + U * shifted + gamma(K) + sum_error
        magnitude = label_sum * a + np.abs(Y)
        coefficient = label_sum * a * relative + (2 * U + gamma(K)) * magnitude
        return coefficient + 2 * label_sum * a * dz.max(axis=0), magnitude
    if output == "sigmoid":
        coefficient = 2 * CLIBM + (3 * U + gamma(K)) * (1 + np.abs(Y)) + a * (1 - a) * dz
        return coefficient, a + np.abs(Y)
    slope, residual = a * (1 - a), np.abs(a - Y)
    second = HIDDEN_DERIVATIVE_SUPREMA["sigmoid"][1]
    coefficient = slope * (CLIBM + residual * (CLIBM + 4 * U + gamma(K)))
    return coefficient + (slope * slope + residual * second) * dz, residual * slope


def _third_derivative_bound(net, Y: np.ndarray, layer: int, rate: np.ndarray) -> float:
    """sup|J'''| along any one parameter of layer ``layer`` (0-based) whose pre-activation row
    changes at most at ``rate`` (m,) per example: the recursion of
    :func:`central_difference_error` started in every row at once (an upper bound for each)."""
    width, m = net.sizes[layer + 1], Y.shape[1]
    d1 = np.broadcast_to(rate, (width, m)).copy()
    d2, d3 = np.zeros_like(d1), np.zeros_like(d1)
    g1, g2, g3 = HIDDEN_DERIVATIVE_SUPREMA[net.hidden_activation]
    for k in range(layer + 1, net.num_layers):
        W = np.abs(net.weights[k])
        d1, d2, d3 = (
            W @ (g1 * d1),
            W @ (g2 * d1**2 + g1 * d2),
            W @ (g3 * d1**3 + 3 * g2 * d1 * d2 + g1 * d3),
        )
    t1, t2, t3 = _loss_derivative_suprema(net.output, Y)
    e1, e2, e3 = d1.max(axis=0), d2.max(axis=0), d3.max(axis=0)
    return float(np.mean(t3 * e1**3 + 3 * t2 * e1 * e2 + t1 * e3))


def complex_step_error(
    net, X: np.ndarray, Y: np.ndarray, step: float = 1e-20, forward: ForwardError | None = None
) -> tuple[list, list]:
    """Bounds on |ĝ − ∂J/∂θ| for the complex-step derivative ĝ = Im Ĵ(θ + ih)/h of every
    parameter θ, as ``numerical_gradients(net, X, Y, method="complex", step=h)`` computes it.

    * Truncation: Im J(θ + ih)/h = J'(θ) − h²J'''(θ)/6 + O(h⁴): at most h²/6 · sup|J'''| (the
      chain-rule suprema of :func:`central_difference_error`, one bound per layer; J''' off the
      real axis differs by h·sup|J''''|, neglected like the O(U²) terms). With h = 1e-20 this
      is 1.7e-41 · sup|J'''|.
    * Rounding. No subtraction of nearby values: the imaginary parts carry the forward-mode
      tangent ż of every pre-activation, ż^{k+1} = W^{k+1}(g'(Z^k) ⊙ ż^k), each step with a
      relative error (CLIBM for g' inside the complex tanh; γ₂ₙ for complex BLAS, which adds n
      zero products Im W · Re A). An error e in ż^k moves the result by ⟨∂J/∂Z^k, e⟩, so
      the total is ⟨Rˡ, |żˡ|⟩ with R^L the loss's coefficients (:func:`_complex_loss_coefficients`
      and the mean's γₘ + 3U) and, for hidden k,
      R^k = CLIBM |g'| ⊙ |Γ^k| + sup|g''| dZ^k ⊙ |Γ^k| + γ₂ₙ |g'| ⊙ |W^{k+1}|ᵀ|Δ^{k+1}|
      + |g'| ⊙ |W^{k+1}|ᵀ R^{k+1}, with Δ^k = ∂J/∂Z^k and Γ^k = (W^{k+1})ᵀΔ^{k+1} — a backward
      pass in absolute values. The term with dZ^k is the derivative taken at the computed
      pre-activations (the real parts), which err by at most dZ^k: ``forward_error`` scaled by
      max(2, CLIBM / its activation error), as the complex path rounds with γ₂ₙ and CLIBM.
      The seed żˡ = fl(h Aˡ⁻¹[j, :]) in row i and the final division by h add 2U |Δˡ|; the
      computed Aˡ⁻¹ itself is off by dAˡ⁻¹, adding |Δˡ| dAˡ⁻¹. So
      |ĝ_W − g_W| ≤ (Rˡ + 2U|Δˡ|) |Aˡ⁻¹|ᵀ + |Δˡ| (dAˡ⁻¹)ᵀ + truncation, biases with 1 for Aˡ⁻¹.
    * Underflow: imaginary parts of size h·|ż| may fall below 2⁻¹⁰²²; each such operation
      errs by at most SUBNORMAL_ERROR absolute, i.e. SUBNORMAL_ERROR/h in the result, times
      its adjoint (≤ the largest |Δ|, |Γ|, 1/m): 4 operations per unit and example.
    """
    forward = forward_error(net, X) if forward is None else forward
    Z, A, m, last = forward.Z, forward.A, X.shape[1], net.num_layers - 1
    hidden = net.hidden_activation
    own = HIDDEN_RELATIVE_ERROR[hidden]
    factor = max(2.0, CLIBM / own) if own else 2.0
    second = HIDDEN_DERIVATIVE_SUPREMA[hidden][1]
    z_error = [factor * e for e in forward.z_error]
    coefficient, magnitude = _complex_loss_coefficients(
        net.output, Z[last], A[last + 1], Y, z_error[last]
    )
    residual = A[last + 1] - Y
    if net.output == "softmax":
        delta = A[last + 1] * Y.sum(axis=0) - Y
    elif net.output == "sigmoid":
        delta = residual
    else:
        delta = residual * A[last + 1] * (1 - A[last + 1])
    deltas: list = [None] * (last + 1)
    remainders: list = [None] * (last + 1)
    deltas[last] = delta / m
    remainders[last] = (coefficient + (gamma(m) + 3 * U) * magnitude) / m
    largest_adjoint = max(float(np.max(np.abs(deltas[last]))), 1.0 / m)
    for k in range(last - 1, -1, -1):
        W = net.weights[k + 1]
        slope = np.abs(net.hidden.derivative(Z[k], A[k + 1].copy()))
        adjoint_of_activation = np.abs(W.T @ deltas[k + 1])
        deltas[k] = net.hidden.derivative(Z[k], A[k + 1].copy()) * (W.T @ deltas[k + 1])
        largest_adjoint = max(largest_adjoint, float(np.max(adjoint_of_activation)))
        remainders[k] = (
            CLIBM * slope * adjoint_of_activation
            + second * z_error[k] * adjoint_of_activation
            + gamma(2 * W.shape[1]) * slope * (np.abs(W).T @ np.abs(deltas[k + 1]))
            + slope * (np.abs(W).T @ remainders[k + 1])
        )
    underflow = SUBNORMAL_ERROR / step * largest_adjoint * 4 * sum(net.sizes[1:]) * m
    bound_W, bound_b = [], []
    for k in range(last + 1):
        seeded = remainders[k] + 2 * U * np.abs(deltas[k])
        truncation_W = step**2 / 6 * _third_derivative_bound(net, Y, k, np.abs(A[k]).max(axis=0))
        truncation_b = step**2 / 6 * _third_derivative_bound(net, Y, k, np.ones(m))
        inputs_error = np.abs(deltas[k]) @ forward.a_error[k].T
        bound_W.append(seeded @ np.abs(A[k]).T + inputs_error + truncation_W + underflow)
        bound_b.append(seeded.sum(axis=1, keepdims=True) + truncation_b + underflow)
    return bound_W, bound_b
