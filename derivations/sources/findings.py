"""Computed findings on the sources that are not equalities: float64 arithmetic and shapes.

Each function computes a :class:`Finding` — a verdict (proven, proven under an assumption,
refuted) with the input where the statement fails — and types no answer in:

* **float64** (:func:`sigmoid_code_in_float64`, :func:`cross_entropy_from_sigmoid_in_float64`,
  :func:`softmax_formula_in_float64`): the formula is evaluated as written with NumPy in
  float64 at z = 0, ±1, ±2, … and compared with its exact value enclosed by interval
  arithmetic (:func:`derivations.kernel.intervals.enclose`); the first input where the float64
  result is not within a few units in the last place of the exact value is the
  counterexample.  The corrections are proven equal to the formulas (claims
  ``sigmoid_stable_form``, ``softmax_shift_invariance``).
* **shapes** (:func:`forward_shapes`, :func:`backward_shapes_001`,
  :func:`backward_shapes_000`, :func:`code_gradient_shapes_000`): SymPy's matrix expressions
  with symbolic sizes n = n^{[l]}, q = n^{[l−1]}, p = n^{[l+1]}, m compute the shape of each
  side; where a sum needs equal shapes, SymPy solves for the sizes that make them equal, and
  the smallest concrete sizes where SymPy refuses the sum (``ShapeError``) are the
  counterexample.
* **convergence** (:func:`convergence_to_minimiser`): the claims ``loss_has_no_minimiser``
  and ``loss_not_convex_in_weights`` as a verdict on "the weights converge to values that
  minimise the loss".
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from derivations.claims import convexity
from derivations.kernel.intervals import approximately, enclose
from derivations.kernel.verdicts import Verdict
from derivations.notation import m, n, p, q

__all__ = ["FINDINGS", "Finding"]

#: how far (in units in the last place of the exact value) float64 may be off and still agree
ULPS = 4
#: for a loss computed through a cancellation: the relative error that counts as wrong
RELATIVE = 1e-8


@dataclass(frozen=True)
class Finding:
    """A computed verdict with its evidence and, when it fails, the input where it does."""

    verdict: Verdict
    detail: str
    counterexample: str = ""


# ------------------------------------------------------------------ float64


def _float(value: float) -> str:
    return f"{value:.17g}" if np.isfinite(value) else str(value)


def _agrees(computed: float, exact, relative: float | None = None) -> bool:
    """Is the float64 result within ULPS units in the last place of the exact interval (or
    within ``relative`` of it, when given)?"""
    if not np.isfinite(computed):
        return False
    centre = float(mpmath.mpf(exact.mid))
    if relative is not None:
        tolerance = relative * abs(centre)
    else:
        tolerance = ULPS * float(np.spacing(abs(centre))) if centre != 0 else 0.0
    return bool(exact.a - tolerance <= computed <= exact.b + tolerance)


def _shown(box) -> str:
    """The enclosed value to 20 significant digits (the enclosure is far narrower)."""
    return "≈ " + approximately(box, 20)


def _sizes(solutions: list[dict]) -> str:
    return " or ".join(
        ", ".join(f"{size} = {value}" for size, value in solution.items()) for solution in solutions
    )


def _first_failure(
    computed: Callable[[np.float64], float],
    exact: Callable[[int], sp.Expr],
    points: range,
    relative: float | None = None,
) -> tuple[int, float, object] | None:
    """The first integer point where float64 disagrees with the exact value.

    Each point is screened against the exact value in 40-digit arithmetic; the point found
    is then certified with an interval enclosure (and screening goes on if it is not)."""
    variable = sp.Symbol("point")
    screen = sp.lambdify(variable, exact(variable), "mpmath")
    with np.errstate(all="ignore"), warnings.catch_warnings(), mpmath.workdps(40):
        warnings.simplefilter("ignore")
        for point in points:
            value = float(computed(np.float64(point)))
            approximate = mpmath.mpf(screen(point))
            if _agrees(value, mpmath.iv.mpf([approximate, approximate]), relative):
                continue
            box = enclose(exact(point))
            if not _agrees(value, box, relative):
                return point, value, box
    return None


def _sigmoid_code(z: np.float64) -> float:
    """Source 000's code line, verbatim: ``return 1 / (1 + np.exp(-z))``."""
    return 1 / (1 + np.exp(-z))


def sigmoid_code_in_float64() -> Finding:
    """``1 / (1 + np.exp(-z))`` in float64 against σ(z) = 1/(1 + e^{−z}) enclosed exactly."""
    found = _first_failure(
        _sigmoid_code,
        lambda z: 1 / (1 + sp.exp(-sp.sympify(z))),
        range(0, -1101, -1),
    )
    if found is None:
        return Finding(Verdict.PROVEN, "float64 agrees with σ(z) at every integer −1100 ≤ z ≤ 0")
    z, value, box = found
    with np.errstate(all="ignore"):
        overflow = not np.isfinite(np.exp(-np.float64(z)))
    why = "np.exp(-z) overflows to inf, " if overflow else ""
    return Finding(
        Verdict.REFUTED,
        f"in float64 at z = {z}: {why}the code returns {_float(value)}, while "
        f"σ({z}) {_shown(box)} (interval enclosure) is a representable float64: relative "
        "error 1",
        f"z = {z}",
    )


def cross_entropy_from_sigmoid_in_float64() -> Finding:
    """J = −[y log a + (1 − y) log(1 − a)] with a from the code, y = 0, against the exact
    J = log(1 + e^{z}) (claim ``bce`` written with the logits: −log(1 − σ(z)))."""

    def loss(z: np.float64) -> float:
        return -np.log(1 - _sigmoid_code(z))

    exact = lambda z: sp.log(1 + sp.exp(sp.sympify(z)))  # noqa: E731
    found = _first_failure(loss, exact, range(0, 101), relative=RELATIVE)
    if found is None:
        return Finding(Verdict.PROVEN, "float64 agrees with the exact loss for 0 ≤ z ≤ 100")
    z, value, box = found
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        infinite = next(
            point for point in range(z, 1001) if not np.isfinite(loss(np.float64(point)))
        )
        at_infinite = enclose(exact(infinite))
    return Finding(
        Verdict.REFUTED,
        f"with y = 0, computing a = sigmoid(z) first and then −log(1 − a) in float64 is off "
        f"by more than {RELATIVE:g} (relative) from z = {z} (float64 {_float(value)}, exact "
        f"{_shown(box)}: 1 − a cancels) and gives inf from z = {infinite}, where a rounds to "
        f"1.0 while the exact J {_shown(at_infinite)} (interval enclosures)",
        f"y = 0, z = {infinite}",
    )


def softmax_formula_in_float64() -> Finding:
    """a_1 = e^{z_1}/Σ_k e^{z_k} as written, at z = (t, 0), against 1/(1 + e^{−t}) exactly."""

    def first(t: np.float64) -> float:
        logits = np.array([t, 0.0])
        return float(np.exp(logits)[0] / np.exp(logits).sum())

    found = _first_failure(first, lambda t: 1 / (1 + sp.exp(-sp.sympify(t))), range(0, 1101))
    if found is None:
        return Finding(Verdict.PROVEN, "float64 agrees with softmax at z = (t, 0), 0 ≤ t ≤ 1100")
    t, value, box = found
    return Finding(
        Verdict.REFUTED,
        f"in float64 at z = ({t}, 0): e^{t} overflows and the formula gives "
        f"{_float(value)}, while a_1 {_shown(box)} (interval enclosure); subtracting "
        "max_k z_k first gives the same softmax (claim softmax_shift_invariance) with no overflow",
        f"z = ({t}, 0)",
    )


# ------------------------------------------------------------------ shapes


def _matrix(name: str, rows: sp.Expr, columns: sp.Expr) -> sp.MatrixSymbol:
    return sp.MatrixSymbol(name, rows, columns)


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(size) for size in shape) + ")"


def _smallest_refused(
    build: Callable[[dict], sp.MatrixExpr], sizes: tuple[sp.Symbol, ...]
) -> dict | None:
    """The smallest concrete sizes (1..3 each) at which SymPy refuses ``build`` (ShapeError)."""
    for values in sorted(itertools.product(range(1, 4), repeat=len(sizes)), key=sum):
        concrete = dict(zip(sizes, values, strict=True))
        try:
            build(concrete)
        except sp.ShapeError:
            return concrete
    return None


def forward_shapes() -> Finding:
    """z^{[l]} = W^{[l]} a^{[l−1]} + b^{[l]} with the table's shapes: W a is (n, m), b is (n, 1)."""
    product = _matrix("W", n, q) * _matrix("A", q, m)
    bias = _matrix("b", n, 1)
    if product.shape != (n, m):
        return Finding(Verdict.UNDECIDED, f"W a has shape {product.shape}, not (n, m)")
    equal_when = sp.solve(
        [lhs - rhs for lhs, rhs in zip(product.shape, bias.shape, strict=True)], dict=True
    )
    broadcast = product + bias * sp.OneMatrix(1, m)
    if broadcast.shape != (n, m):
        return Finding(Verdict.UNDECIDED, f"W a + b 1ᵀ has shape {broadcast.shape}")

    def literal(sizes: dict) -> sp.MatrixExpr:
        return _matrix("W", sizes[n], sizes[q]) * _matrix("A", sizes[q], sizes[m]) + _matrix(
            "b", sizes[n], 1
        )

    refused = _smallest_refused(literal, (n, q, m))
    if refused is None:
        return Finding(Verdict.UNDECIDED, "SymPy accepted W a + b at every size up to 3")
    where = ", ".join(f"{size} = {value}" for size, value in refused.items())
    return Finding(
        Verdict.PROVEN_UNDER_ASSUMPTION,
        f"W a has shape {_shape(product.shape)} and b {_shape(bias.shape)}: as a matrix sum "
        f"the shapes agree only when {_sizes(equal_when)} (one example); with b broadcast "
        f"across the m columns, W a + b 1ᵀ has shape {_shape(broadcast.shape)}, the table's "
        f"shape of z. SymPy refuses the literal sum at {where}",
        where,
    )


def _shapes_match(pairs: list[tuple[str, sp.MatrixExpr, tuple]]) -> Finding:
    mismatched = [
        f"{name}: {_shape(expr.shape)} ≠ {_shape(wanted)}"
        for name, expr, wanted in pairs
        if expr.shape != wanted
    ]
    if mismatched:
        return Finding(Verdict.REFUTED, "; ".join(mismatched))
    shown = "; ".join(f"{name}: {_shape(expr.shape)}" for name, expr, _ in pairs)
    return Finding(Verdict.PROVEN, f"every side has the shape of its left side: {shown}")


def backward_shapes_001() -> Finding:
    """Section 3.B's equations with the table's shapes, for symbolic n, q, m (db reads the sum
    over the m columns, dZ 1_m)."""
    dZ, A, W = _matrix("dZ", n, m), _matrix("A", q, m), _matrix("W", n, q)
    dA = W.T * dZ
    return _shapes_match(
        [
            ("dA^{[l−1]} = (W^{[l]})ᵀ dZ^{[l]}", dA, (q, m)),
            (
                "dZ^{[l−1]} = dA^{[l−1]} * g′(Z^{[l−1]})",
                sp.hadamard_product(_matrix("dA", q, m), _matrix("G", q, m)),
                (q, m),
            ),
            ("dW^{[l]} = (1/m) dZ^{[l]} (A^{[l−1]})ᵀ", dZ * A.T / m, W.shape),
            ("db^{[l]} = (1/m) Σ_i dZ^{[l]}[:, i]", dZ * sp.OneMatrix(m, 1) / m, (n, 1)),
        ]
    )


def backward_shapes_000() -> Finding:
    """δ^L = (W^{L+1})ᵀ δ^{L+1} * σ′(z^L), ∂J/∂W^L = δ^L (a^{L−1})ᵀ, ∂J/∂b^L = δ^L, one example."""
    delta, delta_next = _matrix("delta", n, 1), _matrix("delta_next", p, 1)
    W_next, a_prev = _matrix("W_next", p, n), _matrix("a_prev", q, 1)
    return _shapes_match(
        [
            (
                "δ^L = (W^{L+1})ᵀ δ^{L+1} * σ′(z^L)",
                sp.hadamard_product(W_next.T * delta_next, _matrix("sigma_prime", n, 1)),
                (n, 1),
            ),
            ("∂J/∂W^L = δ^L (a^{L−1})ᵀ", delta * a_prev.T, (n, q)),
            ("∂J/∂b^L = δ^L", delta, (n, 1)),
        ]
    )


def code_gradient_shapes_000() -> Finding:
    """``dW[L] = delta @ a_prev.T``, ``db[L] = delta`` with delta holding m examples as columns."""
    delta, a_prev = _matrix("delta", n, m), _matrix("a_prev", q, m)
    dW, db = delta * a_prev.T, delta
    if dW.shape != (n, q):
        return Finding(Verdict.REFUTED, f"delta @ a_prev.T has shape {_shape(dW.shape)}")
    equal_when = sp.solve([lhs - rhs for lhs, rhs in zip(db.shape, (n, 1), strict=True)], dict=True)

    def update(sizes: dict) -> sp.MatrixExpr:
        return _matrix("b", sizes[n], 1) - _matrix("db", sizes[n], sizes[m])

    refused = _smallest_refused(update, (n, m))
    where = ", ".join(f"{size} = {value}" for size, value in (refused or {}).items())
    return Finding(
        Verdict.PROVEN_UNDER_ASSUMPTION,
        f"dW = delta @ a_prev.T has the shape {_shape(dW.shape)} of W (for m columns it is the "
        f"sum of the m per-example gradients), but db = delta has shape {_shape(db.shape)}, "
        f"the shape (n, 1) of b only when {_sizes(equal_when)}: one example at a time. SymPy "
        f"refuses b − η db at {where}",
        where,
    )


# ------------------------------------------------------------------ convergence


def convergence_to_minimiser() -> Finding:
    """ "The weights converge to values that minimise the loss", on Network([1, 1, 2])."""
    problem = convexity._no_minimiser()
    if problem is not None:
        return Finding(Verdict.UNDECIDED, problem)
    violation = convexity.midpoint_violation()
    return Finding(
        Verdict.REFUTED,
        "Network([1, 1, 2]) trained on the one example x = 1, y = (1, 0), with parameters "
        "θ = (w, b, v_1, v_2, c_1, c_2) (hidden weight and bias, output weights and biases) "
        "and d = z_1 − z_2 the difference of its two output logits: "
        "J(θ) = log(1 + e^{−d}) > 0 for every θ and J → 0 as c_1 → ∞, so no θ minimises J, "
        "and ∂J/∂c_1 < 0 everywhere, so no θ is stationary and gradient descent's weights "
        "cannot converge (claim loss_has_no_minimiser). Where minimisers exist, J is not "
        f"convex in θ: {violation.describe()} (claim loss_not_convex_in_weights)",
        "Network([1, 1, 2]), x = 1, y = (1, 0)",
    )


#: every finding, by the name a census entry cites
FINDINGS: dict[str, Callable[[], Finding]] = {
    "sigmoid_code_in_float64": sigmoid_code_in_float64,
    "cross_entropy_from_sigmoid_in_float64": cross_entropy_from_sigmoid_in_float64,
    "softmax_formula_in_float64": softmax_formula_in_float64,
    "forward_shapes": forward_shapes,
    "backward_shapes_001": backward_shapes_001,
    "backward_shapes_000": backward_shapes_000,
    "code_gradient_shapes_000": code_gradient_shapes_000,
    "convergence_to_minimiser": convergence_to_minimiser,
}
