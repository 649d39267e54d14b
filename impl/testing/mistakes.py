"""Each known mistake (:mod:`derivations.mistakes`) reproduced in a whole backward pass.

:func:`reproduce` runs the backward pass with one or two known mistakes at a case; the
diagnosis of :func:`impl.testing.check_backward` names every mistake whose reproduction equals
the user's output there.  The pieces come from the proofs, not from a copy of a formula:

* the forward pass is :class:`impl.Network`'s;
* the output delta is the lambdified claim (:func:`derivations.numeric.output_delta`:
  a − y, or (a − y) ⊙ σ′(z) for the quadratic cost), and h′ for ``extra-output-derivative``
  is σ′ (:func:`derivations.numeric.activation_derivative`) or the diagonal of the proven
  softmax Jacobian (:func:`derivations.numeric.softmax_jacobian`);
* g′ is the lambdified proven derivative; a wrong g′ is the wrong formula *as written* in
  :mod:`derivations.mistakes`, parsed and lambdified
  (:func:`derivations.user_claims.activation_formula`);
* the structure is the proven recursion δˡ = (Wˡ⁺¹)ᵀδˡ⁺¹ ⊙ g′(zˡ), ∂J/∂Wˡ = (1/m) δˡ(aˡ⁻¹)ᵀ,
  ∂J/∂bˡ = (1/m) Σᵢ δˡ[:, i] (claims ``layer_recursion``, ``batch_weight_gradient``,
  ``batch_bias_gradient``), with the mistake in place of the right piece (the batch scale:
  1/m, or 1 for ``sum-instead-of-mean``, or 1/m² for ``one-over-m-twice``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from functools import cache

import numpy as np

from derivations import numeric
from derivations.mistakes import KNOWN_MISTAKES
from derivations.user_claims import activation_formula
from impl.testing.reference import verified_network
from impl.testing.strategies import Case

__all__ = ["combinations", "reproduce"]

#: which piece of the backward pass each mistake replaces (a combination changes each piece
#: at most once)
_PIECE = {
    "extra-output-derivative": "output",
    "missing-output-derivative": "output",
    "sum-instead-of-mean": "scale",
    "one-over-m-twice": "scale",
    "untransposed-weights": "recursion",
    "missing-activation-derivative": "slope",
    "relu-derivative-is-z": "slope",
    "activation-derivative-of-a": "slope",
    "derivative-formula-on-z": "slope",
    "tanh-derivative-without-square": "slope",
    "weight-gradient-of-wrong-layer": "weight",
}
assert set(_PIECE) == {entry.id for entry in KNOWN_MISTAKES}, "every known mistake has a piece"


@cache
def _wrong_slope(identifier: str, hidden: str):
    entry = next(e for e in KNOWN_MISTAKES if e.id == identifier)
    formula = entry.formulas.get(("activation-derivative", hidden))
    return None if formula is None else activation_formula(hidden, formula)


def applies(identifier: str, case: Case, hidden: str, output: str) -> bool:
    """Can the mistake run (and change anything) on this case?"""
    piece = _PIECE[identifier]
    if identifier == "extra-output-derivative":
        return output in ("softmax", "sigmoid")
    if identifier == "missing-output-derivative":
        return output == "sigmoid_quadratic"
    if piece == "scale":
        return True
    if piece == "weight":
        return all(w.shape[0] == w.shape[1] for w in case.weights)
    if case.depth < 2:
        return False
    if piece == "recursion":
        return all(w.shape[0] == w.shape[1] for w in case.weights[1:])
    if identifier == "missing-activation-derivative":
        return True
    return _wrong_slope(identifier, hidden) is not None


def combinations(case: Case, hidden: str, output: str) -> Iterator[tuple[str, ...]]:
    """Every applicable single mistake, then every applicable pair changing two pieces."""
    single = [e.id for e in KNOWN_MISTAKES if applies(e.id, case, hidden, output)]
    yield from ((identifier,) for identifier in single)
    for first, second in itertools.combinations(single, 2):
        if _PIECE[first] != _PIECE[second]:
            yield first, second


def _output_derivative(output: str, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    if output == "softmax":
        columns = [np.diag(numeric.softmax_jacobian(A[:, i])) for i in range(A.shape[1])]
        return np.stack(columns, axis=1)
    return np.asarray(numeric.activation_derivative("sigmoid")(Z), dtype=float)


def reproduce(
    mistakes: tuple[str, ...], case: Case, hidden: str, output: str
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(dW, db) of the backward pass with ``mistakes`` made (each must apply to the case)."""
    cache_ = verified_network(case, hidden, output).forward(case.X)
    Z, A = cache_.Z, cache_.A
    if "missing-output-derivative" in mistakes:
        delta = numeric.output_delta("sigmoid")(A[-1], case.Y)
    else:
        delta = numeric.output_delta(output)(A[-1], case.Y)
    if "extra-output-derivative" in mistakes:
        delta = delta * _output_derivative(output, Z[-1], A[-1])
    scale = 1.0 / case.m
    if "sum-instead-of-mean" in mistakes:
        scale = 1.0
    elif "one-over-m-twice" in mistakes:
        scale = 1.0 / case.m**2
    slope_mistake = next((k for k in mistakes if _PIECE[k] == "slope"), None)
    dW: list[np.ndarray] = [np.empty(0)] * case.depth
    db: list[np.ndarray] = [np.empty(0)] * case.depth
    for k in range(case.depth - 1, -1, -1):
        previous = A[k + 1] if "weight-gradient-of-wrong-layer" in mistakes else A[k]
        dW[k] = scale * delta @ previous.T
        db[k] = scale * delta.sum(axis=1, keepdims=True)
        if k == 0:
            break
        W = case.weights[k]
        back = W @ delta if "untransposed-weights" in mistakes else W.T @ delta
        if slope_mistake == "missing-activation-derivative":
            slope = np.ones_like(Z[k - 1])
        elif slope_mistake is not None:
            slope = _wrong_slope(slope_mistake, hidden)(Z[k - 1])
        else:
            slope = numeric.activation_derivative(hidden)(Z[k - 1])
        delta = back * np.broadcast_to(np.asarray(slope, dtype=float), back.shape)
    return dW, db
