"""Sigmoid + binary (multi-label) cross-entropy, for a symbolic number of outputs K.

With ``a_c = σ(z_c)`` and ``J = −Σ_c [y_c log a_c + (1 − y_c) log(1 − a_c)]``:

    ∂J/∂z_j = a_j − y_j   for every real y (soft labels included): no hypothesis needed.
"""

from __future__ import annotations

import sympy as sp

from derivations.claims.shared import J_IN_RANGE, SIGMOID, SIGMOID_OUTPUT
from derivations.kernel.language import Claim, Definition, Step
from derivations.notation import J, K, a, c, j, y, z

#: J := −Σ_c [y_c log a_c + (1 − y_c) log(1 − a_c)]
BINARY_CE_LOSS = Definition(
    J,
    -sp.Sum(y[c] * sp.log(a[c]) + (1 - y[c]) * sp.log(1 - a[c]), (c, 1, K)),
    text="binary cross-entropy summed over the outputs",
)

DELTA_OUTPUT = a[j] - y[j]


def claims() -> list[Claim]:
    return [
        Claim(
            name="sigmoid_bce_delta",
            title="Sigmoid + binary cross-entropy: δ = a − y, elementwise",
            lhs=sp.Derivative(J, z[j]),
            result=DELTA_OUTPUT,
            steps=(
                Step(
                    -sp.Sum(
                        (y[c] / a[c] - (1 - y[c]) / (1 - a[c])) * sp.Derivative(a[c], z[j]),
                        (c, 1, K),
                    ),
                    "chain rule through both logarithms",
                ),
                Step(
                    -sp.Sum(
                        (y[c] / a[c] - (1 - y[c]) / (1 - a[c]))
                        * a[c]
                        * (1 - a[c])
                        * sp.KroneckerDelta(c, j),
                        (c, 1, K),
                    ),
                    "σ′ = σ(1 − σ), and a_c depends on z_j only when c = j",
                ),
                Step(
                    -(y[j] * (1 - a[j]) - (1 - y[j]) * a[j]),
                    "sum the indicator [c = j] over c (1 ≤ j ≤ K) and cancel",
                ),
                Step(DELTA_OUTPUT, "expand: the a_j y_j terms cancel"),
            ),
            definitions=(BINARY_CE_LOSS, SIGMOID_OUTPUT, SIGMOID),
            ranges=(J_IN_RANGE,),
            sizes="symbolic K",
            summary="δ^H = a^H − y for sigmoid outputs with binary cross-entropy, any real y.",
        )
    ]
