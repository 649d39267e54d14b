"""Quadratic cost with sigmoid outputs: δ = (a − y) ⊙ σ′(z).

With ``a_c = σ(z_c)`` and ``J = ½ Σ_c (a_c − y_c)²``, for symbolic K:

    ∂J/∂z_j = (a_j − y_j) a_j (1 − a_j).

This is the code line of “Deriving Backpropagation with Cross-Entropy Loss”
(``delta = (a_H - y) * sigmoid_derivative(z_H)``):
correct for the quadratic cost, *not* for cross-entropy (refuted in
:mod:`derivations.sources.catalogue`).
"""

from __future__ import annotations

import sympy as sp

from derivations.claims.shared import J_IN_RANGE, SIGMOID, SIGMOID_OUTPUT
from derivations.kernel.language import Claim, Definition, Step
from derivations.notation import J, K, a, c, j, y, z

#: J := ½ Σ_c (a_c − y_c)²
QUADRATIC_LOSS = Definition(
    J, sp.Rational(1, 2) * sp.Sum((a[c] - y[c]) ** 2, (c, 1, K)), text="quadratic cost"
)

#: (a_j − y_j) σ′(z_j) with σ′ = σ(1 − σ)
DELTA_OUTPUT = (a[j] - y[j]) * a[j] * (1 - a[j])


def claims() -> list[Claim]:
    return [
        Claim(
            name="quadratic_sigmoid_delta",
            title="Quadratic cost with sigmoid outputs: δ = (a − y) ⊙ σ′(z)",
            lhs=sp.Derivative(J, z[j]),
            result=DELTA_OUTPUT,
            steps=(
                Step(
                    sp.Sum((a[c] - y[c]) * sp.Derivative(a[c], z[j]), (c, 1, K)),
                    "chain rule through the square",
                ),
                Step(DELTA_OUTPUT, "σ′ = σ(1 − σ); sum the indicator [c = j] over c"),
            ),
            definitions=(QUADRATIC_LOSS, SIGMOID_OUTPUT, SIGMOID),
            ranges=(J_IN_RANGE,),
            sizes="symbolic K",
            summary="The quadratic-cost delta keeps the σ′ factor that cross-entropy cancels.",
        )
    ]
