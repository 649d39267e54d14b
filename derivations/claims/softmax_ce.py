"""Softmax + categorical cross-entropy, for a symbolic number of classes K.

With ``a_c = e^{z_c}/Σ_k e^{z_k}`` and ``J = -Σ_c y_c log a_c``:

    ∂J/∂z_j = a_j Σ_c y_c − y_j,   and so   ∂J/∂z_j = a_j − y_j   when Σ_c y_c = 1.

Without Σ y = 1 the simple form is false: see the multi-hot counterexample in
:mod:`derivations.sources.catalogue`.
"""

from __future__ import annotations

import sympy as sp

from derivations.claims.shared import J_IN_RANGE, LABELS_SUM_TO_ONE, SOFTMAX
from derivations.kernel.language import Claim, Definition, Step
from derivations.notation import J, K, a, c, j, y, z

#: J := −Σ_c y_c log a_c
SOFTMAX_CE_LOSS = Definition(
    J, -sp.Sum(y[c] * sp.log(a[c]), (c, 1, K)), text="categorical cross-entropy"
)

#: ∂J/∂z_j = a_j Σ_c y_c − y_j, for any real labels
DELTA_ANY_LABELS = a[j] * sp.Sum(y[c], (c, 1, K)) - y[j]
#: ∂J/∂z_j = a_j − y_j, when the labels sum to one
DELTA_OUTPUT = a[j] - y[j]


def claims() -> list[Claim]:
    definitions = (SOFTMAX_CE_LOSS, SOFTMAX)
    steps = (
        Step(
            -sp.Sum(y[c] / a[c] * sp.Derivative(a[c], z[j]), (c, 1, K)),
            "chain rule through the logarithm",
        ),
        Step(
            -sp.Sum(y[c] * (sp.KroneckerDelta(c, j) - a[j]), (c, 1, K)),
            "softmax Jacobian ∂a_c/∂z_j = a_c([c = j] − a_j)",
        ),
        Step(DELTA_ANY_LABELS, "sum the indicator [c = j] over c (1 ≤ j ≤ K)"),
    )
    general = Claim(
        name="softmax_ce_delta_any_labels",
        title="Softmax cross-entropy gradient for arbitrary labels",
        lhs=sp.Derivative(J, z[j]),
        result=DELTA_ANY_LABELS,
        steps=steps,
        definitions=definitions,
        ranges=(J_IN_RANGE,),
        sizes="symbolic K",
        summary="For any real labels y: ∂J/∂z_j = a_j Σ_c y_c − y_j.",
    )
    one_hot = Claim(
        name="softmax_ce_delta",
        title="Softmax cross-entropy: δ = a − y when the labels sum to one",
        lhs=sp.Derivative(J, z[j]),
        result=DELTA_OUTPUT,
        steps=(
            *steps,
            Step(DELTA_OUTPUT, "substitute the hypothesis Σ_c y_c = 1", (LABELS_SUM_TO_ONE,)),
        ),
        definitions=definitions,
        hypotheses=(LABELS_SUM_TO_ONE,),
        ranges=(J_IN_RANGE,),
        sizes="symbolic K",
        summary="δ^H = a^H − y for softmax + categorical cross-entropy, needs Σ_c y_c = 1.",
    )
    return [general, one_hot]
