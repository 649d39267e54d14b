"""Check a network's analytic gradients (its ``backward``) against numerical derivatives.

Two numerical derivatives of the cost J(theta) = (1/m) sum_i L_i are available:

central differences, step h (default 1e-6)
    dJ/dtheta ~ (J(theta + h) - J(theta - h)) / (2h). Truncation error ~ h^2 J''' / 6 ~ 1e-12;
    rounding error ~ eps |J| / h ~ 2.2e-16 * |J| / 1e-6 ~ 1e-10 in absolute terms. Relative to
    a layer's largest gradient entry (typically 1e-3..1) that is ~1e-7 or less, so the default
    tolerance is 1e-5: two orders of magnitude of headroom, yet a wrong backward pass (errors of
    the size of the gradient itself, relative error ~1e-1..1) fails by four orders.
    Caveat: a layer whose whole gradient is below ~1e-5 (e.g. saturated sigmoids) cannot be
    verified this way; use the complex step.

complex step, step h = 1e-20
    dJ/dtheta = Im J(theta + i h) / h + O(h^2). There is no subtraction, hence no
    cancellation. This needs J to be evaluated in complex arithmetic with analytic formulas:
    the activations and losses have complex-safe versions (branches chosen on Re z; no abs,
    max or conj of a complex value). The default tolerance 1e-10 is derived from an error
    bound (tests/error_bounds.py, ``complex_step_error``, written out there):

        |g_cs - g| <= h^2/6 sup|J'''|  +  <R^l, |z'^l|>  +  2u |dJ/dZ^l| |z'^l|

    The first term is the truncation (1.7e-41 sup|J'''| at h = 1e-20). The imaginary parts
    carry the forward-mode tangent z' of every pre-activation, each step rounded relatively
    (u = 2^-53 per operation, gamma_2n for the complex matrix products, 32u for NumPy's
    complex tanh, exp and log, checked against mpmath), so the rounding is a backward pass
    in absolute values, R^k = |g'| (|W^{k+1}|^T R^{k+1}) + (32u |g'| + sup|g''| dZ^k)
    |(W^{k+1})^T dJ/dZ^{k+1}| + gamma_2n |g'| (|W^{k+1}|^T |dJ/dZ^{k+1}|), of the same form
    as backward's own rounding bound. Both are c u sum|path products| with c of the order of
    the depth and widths, so with K = (bound of backward + bound of the complex step) /
    (u max|g|) per parameter array, the normwise error is at most K u: the check passes a
    correct backward pass whenever K <= 1e-10 / (2u) = 4.5e5 (2 = SAFETY, for the neglected
    u^2 terms). Measured K for random networks of widths <= 8: median 1e3, 99th percentile
    1e5; a wrong backward pass gives errors ~1e-1. K is large only where the gradient is
    tiny next to its terms, e.g. saturated tanh or sigmoid layers (1 - a^2 from a rounded
    a ~ 1 has absolute error u): there even a correct backward pass can fail the check, and
    central differences cannot resolve the gradient either.
    ReLU is not analytic at 0: with the complex step its derivative 1[Re z > 0] is still
    exact away from z = 0 (the imaginary perturbation never crosses the kink); central
    differences straddle the kink when a pre-activation is within h * |a| of 0, which the
    result reports in ``notes``.

The *error* reported per parameter array (W^l or b^l) is normwise:

    error = max_i |g_i - g~_i| / max(max_i |g_i|, max_i |g~_i|)

(analytic g, numerical g~), i.e. the largest discrepancy relative to the array's largest
gradient entry; 0 when both vanish. It is scale-free and is not dominated by entries that are
zero up to rounding (e.g. weights of always-black MNIST pixels).

Checking every parameter cheaply. Perturbing W^l[i, j] by s changes only row i of
Z^l = W^l A^{l-1} + b^l, by s * A^{l-1}[j, :], and therefore changes Z^{l+1} by the rank-one term
W^{l+1}[:, i] (g(Z^l[i, :] + s A^{l-1}[j, :]) - A^l[i, :]). So P perturbed networks are evaluated
together from the cached clean forward pass, as a stack of shape (P, n_{l+1}, m), without
recomputing layers below l and without ever forming a perturbed copy of the parameters
(the cost: docs/benchmarks.md, section 3).

The directional check (as ``jax.test_util.check_grads`` does) compares the analytic directional
derivative <grad J, V> with (J(theta + hV) - J(theta - hV)) / 2h, or with Im J(theta + ihV) / h,
for a few random directions V with standard-normal entries: one or two forward passes each.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from impl.network import ForwardCache, Network
from impl.validation import check_positive_int, check_positive_number, check_seed

CENTRAL_STEP = 1e-6
COMPLEX_STEP = 1e-20
DEFAULT_STEPS = {"central": CENTRAL_STEP, "complex": COMPLEX_STEP}
#: complex: 1e-10 = SAFETY x 4.5e5 u, the bound of the module docstring for K <= 4.5e5
DEFAULT_TOLERANCES = {"central": 1e-5, "complex": 1e-10}
METHODS = tuple(DEFAULT_STEPS)

#: Largest number of array elements in one stack of perturbed networks (memory bound).
CHUNK_ELEMENTS = 1 << 20


@dataclass(frozen=True)
class GradCheckResult:
    """Outcome of a gradient check.

    ``errors`` maps a label ("W1", "b1", ... for the full check; "direction 1", ... for the
    directional check) to its relative error; ``layer_errors[l - 1]`` is the worst error of
    layer l (max over W^l and b^l) for the full check. ``passed`` is True when every error is
    finite and at most ``tolerance``.
    """

    method: str
    tolerance: float
    step: float
    errors: dict[str, float]
    layer_errors: tuple[float, ...]
    parameters_checked: int
    seconds: float
    notes: tuple[str, ...] = ()
    passed: bool = field(init=False)

    def __post_init__(self) -> None:
        values = np.array(list(self.errors.values()), dtype=np.float64)
        ok = bool(np.all(np.isfinite(values)) and np.all(values <= self.tolerance))
        object.__setattr__(self, "passed", ok)

    @property
    def max_error(self) -> float:
        """The largest error over all checked arrays or directions."""
        return max(self.errors.values(), default=0.0)

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else "FAILED"
        lines = [
            f"gradient check ({self.method}, h={self.step:g}, tolerance {self.tolerance:g}): "
            f"{verdict}, {self.parameters_checked} parameters in {self.seconds:.3f} s"
        ]
        lines += [
            f"  {label:<12} relative error {error:.3e}" for label, error in self.errors.items()
        ]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def relative_error(analytic: np.ndarray, numerical: np.ndarray) -> float:
    """max_i |g_i - g~_i| / max(max_i |g_i|, max_i |g~_i|); 0 if both are identically 0."""
    scale = max(float(np.max(np.abs(analytic))), float(np.max(np.abs(numerical))))
    difference = float(np.max(np.abs(analytic - numerical)))
    if scale == 0.0:
        return 0.0 if difference == 0.0 else float("inf")
    return difference / scale


def _method_step_tolerance(
    method: str, step: float | None, tolerance: float | None
) -> tuple[float, float]:
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method is {method!r} but must be one of 'central', 'complex'")
    step = DEFAULT_STEPS[method] if step is None else check_positive_number("step", step)
    tolerance = (
        DEFAULT_TOLERANCES[method]
        if tolerance is None
        else check_positive_number("tolerance", tolerance)
    )
    return step, tolerance


def _checked_float64(net: Network, X: object, Y: object) -> tuple[np.ndarray, np.ndarray]:
    if net.dtype != np.float64:
        raise ValueError(
            f"the network has dtype {net.dtype.name}, but gradient checking needs float64 "
            "(single precision cannot resolve finite differences to the tolerances used)"
        )
    inputs = net.check_inputs(X)
    return inputs, net.check_targets(Y, inputs.shape[1])


def cost_with_parameters(
    net: Network,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
) -> complex | float:
    """J = (1/m) sum_i L_i of ``net``'s architecture with the given (real or complex) parameters.

    Uses only the complex-safe forward formulas, so it is the function whose derivative the
    complex-step method takes.
    """
    activation = X
    last = len(weights) - 1
    logits = X
    for k, (W, b) in enumerate(zip(weights, biases, strict=True)):
        logits = W @ activation + b
        if k < last:
            activation = net.hidden.complex_forward(logits)
    return np.mean(net.output_layer.loss(logits, Y))


def _perturbed_costs(
    net: Network,
    cache: ForwardCache,
    Y: np.ndarray,
    layer: int,
    rows: np.ndarray,
    row_changes: np.ndarray,
) -> np.ndarray:
    """J of P networks; network p has row rows[p] of Z[layer] changed by row_changes[p] (m,).

    Changing W[layer][i, j] by s is exactly the row change s * A[layer][j, :]; changing
    b[layer][i] by s is the row change s * 1. Returns shape (P,), complex if the changes are.
    """
    hidden = net.hidden
    Z, A = cache.Z, cache.A
    last = net.num_layers - 1
    count = rows.shape[0]
    changed_rows = Z[layer][rows, :] + row_changes  # (P, m)
    if layer == last:
        logits = np.empty((count, *Z[layer].shape), dtype=changed_rows.dtype)
        logits[...] = Z[layer]
        logits[np.arange(count), rows, :] = changed_rows
    else:
        activation_change = hidden.complex_forward(changed_rows) - A[layer + 1][rows, :]
        outgoing = net.weights[layer + 1][:, rows].T  # (P, n_{layer+2}): W^{l+1}[:, i] per p
        logits = Z[layer + 1] + outgoing[:, :, None] * activation_change[:, None, :]
        for k in range(layer + 1, last):
            logits = net.weights[k + 1] @ hidden.complex_forward(logits) + net.biases[k + 1]
    return np.mean(net.output_layer.loss(logits, Y), axis=-1)


def _row_derivatives(
    net: Network,
    cache: ForwardCache,
    Y: np.ndarray,
    layer: int,
    rows: np.ndarray,
    directions: np.ndarray | None,
    method: str,
    step: float,
) -> np.ndarray:
    """dJ/ds for each perturbation p: Z[layer][rows[p], :] += s * directions[p] (ones if None)."""
    count = rows.shape[0]
    m = Y.shape[1]
    widest = max(net.sizes[layer + 1 :])
    chunk = max(1, CHUNK_ELEMENTS // (widest * m))
    derivatives = np.empty(count)
    for start in range(0, count, chunk):
        stop = min(start + chunk, count)
        block = rows[start:stop]
        change = np.ones((stop - start, m)) if directions is None else directions[start:stop]
        if method == "central":
            plus = _perturbed_costs(net, cache, Y, layer, block, step * change)
            minus = _perturbed_costs(net, cache, Y, layer, block, -step * change)
            derivatives[start:stop] = (plus - minus) / (2 * step)
        else:
            shifted = _perturbed_costs(net, cache, Y, layer, block, (1j * step) * change)
            derivatives[start:stop] = shifted.imag / step
    return derivatives


def numerical_gradients(
    net: Network, X: np.ndarray, Y: np.ndarray, method: str = "central", step: float | None = None
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Numerical dJ/dW^l and dJ/db^l for every parameter (central differences or complex step).

    Uses the rank-one structure described in the module docstring; X of shape (n_0, m), Y of
    shape (n_L, m) or integer labels.
    """
    step, _ = _method_step_tolerance(method, step, None)
    inputs, targets = _checked_float64(net, X, Y)
    return _numerical_gradients(net, inputs, targets, method, step, net.kernels_for_passes())


def _numerical_gradients(
    net: Network, X: np.ndarray, Y: np.ndarray, method: str, step: float, on_kernels: bool
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    cache = net.forward_validated(X, on_kernels)
    grad_W, grad_b = [], []
    for layer, W in enumerate(net.weights):
        n_out, n_in = W.shape
        rows = np.repeat(np.arange(n_out), n_in)  # row-major order of W.ravel()
        columns = np.tile(np.arange(n_in), n_out)
        directions = _LazyRows(cache.A[layer], columns)
        grad_W.append(
            _row_derivatives(net, cache, Y, layer, rows, directions, method, step).reshape(
                n_out, n_in
            )
        )
        bias_rows = np.arange(n_out)
        grad_b.append(
            _row_derivatives(net, cache, Y, layer, bias_rows, None, method, step).reshape(n_out, 1)
        )
    return grad_W, grad_b


class _LazyRows:
    """rows ``source[indices[a:b], :]`` gathered on demand, so P x m is never materialised."""

    def __init__(self, source: np.ndarray, indices: np.ndarray) -> None:
        self.source, self.indices = source, indices

    def __getitem__(self, item: slice) -> np.ndarray:
        return self.source[self.indices[item], :]


def _relu_kink_notes(
    net: Network, cache: ForwardCache, method: str, step: float
) -> tuple[str, ...]:
    if net.hidden.smooth or method != "central" or net.num_layers < 2:
        return ()
    nearest = min(float(np.min(np.abs(z))) for z in cache.Z[:-1])
    largest_input = max(float(np.max(np.abs(a))) for a in cache.A[:-1])
    reach = step * max(largest_input, 1.0)
    if nearest > reach:
        return ()
    return (
        f"a ReLU pre-activation is {nearest:.1e} from the kink at 0, within the finite-"
        f"difference reach {reach:.1e}: central differences may straddle the kink there "
        "(use method='complex', or data whose pre-activations stay away from 0)",
    )


def check_gradients(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    method: str = "central",
    step: float | None = None,
    tolerance: float | None = None,
) -> GradCheckResult:
    """Compare ``net.backward(X, Y)`` with numerical derivatives for EVERY parameter.

    ``method`` is ``"central"`` (default step 1e-6, tolerance 1e-5) or ``"complex"`` (step
    1e-20, tolerance 1e-10); see the module docstring for the error model behind the defaults.
    """
    step, tolerance = _method_step_tolerance(method, step, tolerance)
    inputs, targets = _checked_float64(net, X, Y)
    on_kernels = net.kernels_for_passes()  # once for the numerical side of the check
    started = time.perf_counter()
    analytic_W, analytic_b = net.backward(inputs, targets)  # the method under test
    numeric_W, numeric_b = _numerical_gradients(net, inputs, targets, method, step, on_kernels)
    seconds = time.perf_counter() - started
    errors: dict[str, float] = {}
    layer_errors = []
    for layer in range(net.num_layers):
        weight_error = relative_error(np.asarray(analytic_W[layer]), numeric_W[layer])
        bias_error = relative_error(np.asarray(analytic_b[layer]).reshape(-1, 1), numeric_b[layer])
        errors[f"W{layer + 1}"] = weight_error
        errors[f"b{layer + 1}"] = bias_error
        layer_errors.append(max(weight_error, bias_error))
    notes = _relu_kink_notes(net, net.forward_validated(inputs, on_kernels), method, step)
    return GradCheckResult(
        method=method,
        tolerance=tolerance,
        step=step,
        errors=errors,
        layer_errors=tuple(layer_errors),
        parameters_checked=net.n_parameters,
        seconds=seconds,
        notes=notes,
    )


def check_directional_derivatives(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    directions: int = 3,
    method: str = "central",
    step: float | None = None,
    tolerance: float | None = None,
    seed: int | None = 0,
) -> GradCheckResult:
    """Cheap check along random directions V (entries ~ N(0, 1)), as JAX's check_grads does.

    Compares <grad J, V> = sum_l <dW^l, V_W^l> + <db^l, V_b^l> from ``net.backward`` with
    (J(theta + hV) - J(theta - hV)) / 2h or Im J(theta + ihV) / h. Error per direction:
    |analytic - numerical| / max(|analytic|, |numerical|).
    """
    step, tolerance = _method_step_tolerance(method, step, tolerance)
    count = check_positive_int("directions", directions)
    inputs, targets = _checked_float64(net, X, Y)
    rng = np.random.default_rng(check_seed(seed))
    started = time.perf_counter()
    analytic_W, analytic_b = net.backward(inputs, targets)
    errors: dict[str, float] = {}
    for index in range(1, count + 1):
        tangent_W = [rng.standard_normal(W.shape) for W in net.weights]
        tangent_b = [rng.standard_normal(b.shape) for b in net.biases]
        analytic = sum(
            float(np.vdot(g, v)) for g, v in zip(analytic_W, tangent_W, strict=True)
        ) + sum(
            float(np.vdot(np.asarray(g).reshape(v.shape), v))
            for g, v in zip(analytic_b, tangent_b, strict=True)
        )
        if method == "central":
            plus = _cost_along(net, tangent_W, tangent_b, step, inputs, targets)
            minus = _cost_along(net, tangent_W, tangent_b, -step, inputs, targets)
            numerical = float((plus - minus) / (2 * step))
        else:
            shifted = _cost_along(net, tangent_W, tangent_b, 1j * step, inputs, targets)
            numerical = float(np.imag(shifted) / step)
        scale = max(abs(analytic), abs(numerical))
        difference = abs(analytic - numerical)
        errors[f"direction {index}"] = (
            difference / scale if scale else (0.0 if difference == 0 else float("inf"))
        )
    seconds = time.perf_counter() - started
    return GradCheckResult(
        method=f"directional-{method}",
        tolerance=tolerance,
        step=step,
        errors=errors,
        layer_errors=(),
        parameters_checked=net.n_parameters,
        seconds=seconds,
    )


def _cost_along(
    net: Network,
    tangent_W: list[np.ndarray],
    tangent_b: list[np.ndarray],
    step: complex,
    X: np.ndarray,
    Y: np.ndarray,
) -> complex | float:
    weights = [W + step * V for W, V in zip(net.weights, tangent_W, strict=True)]
    biases = [b + step * v for b, v in zip(net.biases, tangent_b, strict=True)]
    return cost_with_parameters(net, weights, biases, X, Y)
