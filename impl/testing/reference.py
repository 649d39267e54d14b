"""The verified gradients of a case, and the bound on rounding that judges agreement with them.

The verified gradients are those of :class:`impl.Network` (the implementation the suite
cross-checks against the lambdified proofs, central differences and the complex step) with
the case's parameters.

**Tolerance.**  Any evaluation order of the backward pass in float64 computes each entry as
sums of products of the same terms, so its rounding error is at most γ_n · (the same sums
taken in absolute value), γ_n = nε/(1 − nε) with n the number of operations along the
longest path (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1).  That bound
is :func:`magnitudes`: the backward pass run on |W|, |A|, with δ̄ᴸ = |a| + |y| (≥ |a − y|,
and × sup|σ′| = 1/4 for the quadratic cost) and sup|g′| (1/4 for σ, 1 for tanh and ReLU) in
place of g′(zˡ).  With depth ≤ 4, widths ≤ 8 and m ≤ 8, n ≲ 100, and the activations add a
few ε per layer, so an honest implementation is within ~1e-13 of the bound; agreement is
required to ``RELATIVE_TOLERANCE`` = 1e-9 of it (a margin of 10⁴), while every known mistake
changes entries by a fraction of order one of it (a factor σ′ ≤ 1/4, a factor m ≥ 2, a
different matrix).

**Other sizes and float32.**  The same argument with the unit roundoff u of the precision the
user's code computes in gives :func:`tolerance`.  The longest path of operations behind one
entry is at most n = 2 Σₗ nₗ + m + 8L + 8: the forward pass sums nₗ₋₁ products and a bias
and applies an activation (a few roundings, counted as 4) per layer, the backward pass sums
nₗ₊₁ products and multiplies by g′ (3) per layer, the output delta and the batch sum add
K + 3 and m + 2, and rounding float64 inputs to float32 adds one more.  For the sizes the
check draws (L ≤ 4, nₗ ≤ 8, m ≤ 8), n ≤ 128.  In float64 the tolerance is
max(``RELATIVE_TOLERANCE``, 10⁴ γ_n): 1e-9 for those sizes, growing only for much larger
declared networks.  In float32 (u = 2⁻²⁴) it is 16 γ_n ≈ 1.2e-4 at n = 128: a margin of 16
over the bound, where every known mistake still changes entries by a fraction of order one.

**Underflow.**  The relative model fl(x ∘ y) = (x ∘ y)(1 + δ) fails below the smallest normal
number: a product of a subnormal input (Hypothesis draws 5e-324) can round to 0 in one order
of evaluation and to ±5e-324 in another.  With underflow each operation also adds an absolute
error of at most the smallest normal number (Higham §2.1), so :func:`absolute_tolerance` adds
the same margin times n such errors: 1e4 · 128 · 2.2e-308 in float64, far below any gradient
a known mistake changes.
"""

from __future__ import annotations

import numpy as np

from impl.network import Network
from impl.testing.strategies import Case

__all__ = [
    "PRECISIONS",
    "RELATIVE_TOLERANCE",
    "absolute_tolerance",
    "agrees",
    "magnitudes",
    "operation_count",
    "tolerance",
    "verified_gradients",
    "verified_network",
]

RELATIVE_TOLERANCE = 1e-9
#: the unit roundoff of each precision a user's code may compute in
PRECISIONS = {"float64": 2.0**-53, "float32": 2.0**-24}
#: the margin over the rounding bound γ_n in each precision (module docstring)
_MARGIN = {"float64": 1e4, "float32": 16.0}
#: sup |g′| of each hidden activation, sup |h′| of the output's loss delta factor
_SLOPE_BOUND = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}
_OUTPUT_FACTOR = {"softmax": 1.0, "sigmoid": 1.0, "sigmoid_quadratic": 0.25}


def verified_network(case: Case, hidden: str, output: str) -> Network:
    """A :class:`Network` with the case's architecture and parameters (float64)."""
    network = Network(list(case.sizes), hidden_activation=hidden, output=output, seed=0)
    network.weights = [np.array(w, dtype=np.float64) for w in case.weights]
    network.biases = [np.array(b, dtype=np.float64) for b in case.biases]
    return network


def verified_gradients(
    case: Case, hidden: str, output: str
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(∂J/∂Wˡ, ∂J/∂bˡ) for every layer, J = (1/m) Σᵢ Lᵢ, by the verified implementation."""
    dW, db = verified_network(case, hidden, output).backward(case.X, case.Y)
    return [np.array(g) for g in dW], [np.array(g) for g in db]


def magnitudes(case: Case, hidden: str, output: str) -> list[np.ndarray]:
    """The rounding bound's scale for [dW¹, …, dWᴸ, db¹, …, dbᴸ] (module docstring)."""
    cache = verified_network(case, hidden, output).forward(case.X)
    delta = (np.abs(cache.A[-1]) + np.abs(case.Y)) * _OUTPUT_FACTOR[output]
    dW: list[np.ndarray] = [np.empty(0)] * case.depth
    db: list[np.ndarray] = [np.empty(0)] * case.depth
    for k in range(case.depth - 1, -1, -1):
        dW[k] = delta @ np.abs(cache.A[k]).T / case.m
        db[k] = delta.sum(axis=1, keepdims=True) / case.m
        delta = np.abs(case.weights[k]).T @ delta * _SLOPE_BOUND[hidden]
    return dW + db


def operation_count(case: Case) -> int:
    """n, the longest path of roundings behind one gradient entry (module docstring)."""
    return 2 * sum(case.sizes) + case.m + 8 * case.depth + 8


def tolerance(case: Case, precision: str = "float64") -> float:
    """The relative tolerance for the case in ``precision`` (module docstring)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision is {precision!r}; expected one of {', '.join(PRECISIONS)}")
    n, u = operation_count(case), PRECISIONS[precision]
    gamma = n * u / (1 - n * u)
    bound = _MARGIN[precision] * gamma
    return max(RELATIVE_TOLERANCE, bound) if precision == "float64" else bound


def absolute_tolerance(case: Case, precision: str = "float64") -> float:
    """The absolute slack for underflow: margin · n · the smallest normal number."""
    tiny = float(np.finfo(np.float64 if precision == "float64" else np.float32).tiny)
    return _MARGIN[precision] * operation_count(case) * tiny


def agrees(
    got: np.ndarray, want: np.ndarray, scale: np.ndarray, relative: float = RELATIVE_TOLERANCE
) -> bool:
    """Every entry within ``relative`` (by default ``RELATIVE_TOLERANCE``) of its rounding
    scale."""
    return bool(np.all(np.abs(got - want) <= relative * scale))
