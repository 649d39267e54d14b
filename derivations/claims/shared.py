"""Definitions and hypotheses that more than one claim uses (so each is written once)."""

from __future__ import annotations

import sympy as sp

from derivations.kernel.language import Definition, Hypothesis, IndexRange
from derivations.notation import K, a, c, i, j, sigma, sigmoid_expr, softmax_expr, x, y, z

#: σ(x) := 1/(1 + e^{-x})
SIGMOID = Definition(sigma, sigmoid_expr(x), index=x, text="logistic sigmoid")

#: a_c := e^{z_c} / Σ_k e^{z_k}
SOFTMAX = Definition(a, softmax_expr(z, c, K), index=c, text="softmax output")

#: a_c := σ(z_c)
SIGMOID_OUTPUT = Definition(a, sigma(z[c]), index=c, text="sigmoid output, unit by unit")

#: Σ_c y_c = 1: one-hot labels, or any probability vector
LABELS_SUM_TO_ONE = Hypothesis(
    "labels sum to one",
    "the labels of the example sum to 1 (a one-hot vector, or any probability vector)",
    sp.Sum(y[c], (c, 1, K)),
    sp.Integer(1),
)

#: 1 <= j <= K, and the same for i
J_IN_RANGE = IndexRange(j, sp.Integer(1), K)
I_IN_RANGE = IndexRange(i, sp.Integer(1), K)
