"""Softmax Jacobian, the cross-entropy Hessian in the logits, and its positive semidefiniteness.

For symbolic K, with a = softmax(z) and J the categorical cross-entropy:

* Σ_c a_c = 1;
* ∂a_i/∂z_j = a_i([i = j] − a_j);
* ∂²J/∂z_i∂z_j = (Σ_c y_c) a_i([i = j] − a_j), i.e. diag(a) − a aᵀ when Σ_c y_c = 1;
* vᵀ(diag(a) − a aᵀ)v = Σ_i a_i (v_i − Σ_k a_k v_k)²  ≥ 0 for every real v, since a_i > 0:
  the Hessian is positive semidefinite, so J is convex in the logits.
"""

from __future__ import annotations

import sympy as sp

from derivations.claims.shared import I_IN_RANGE, J_IN_RANGE, LABELS_SUM_TO_ONE, SOFTMAX
from derivations.claims.softmax_ce import SOFTMAX_CE_LOSS
from derivations.kernel.language import Claim, Definition, Step
from derivations.notation import J, K, a, c, i, j, k, softmax_expr, y, z

H = sp.IndexedBase("H", real=True)  # the Hessian entries
w = sp.IndexedBase("v", real=True)  # an arbitrary direction v

#: ∂a_i/∂z_j = a_i([i = j] − a_j)
SOFTMAX_JACOBIAN = a[i] * (sp.KroneckerDelta(i, j) - a[j])
#: H_ij := a_i([i = j] − a_j)
HESSIAN = Definition(H, SOFTMAX_JACOBIAN, index=(i, j), text="softmax cross-entropy Hessian")

_weighted_mean = sp.Sum(a[k] * w[k], (k, 1, K))
#: Σ_i a_i (v_i − Σ_k a_k v_k)²
QUADRATIC_FORM_SQUARES = sp.Sum(a[i] * (w[i] - _weighted_mean) ** 2, (i, 1, K))


def _summand_is_nonnegative() -> str | None:
    """Each term a_i(v_i − v̄)² is ≥ 0: a_i = e^{z_i}/Σ e^{z_k} > 0 and a square is ≥ 0."""
    a_i = softmax_expr(z, i, K)
    if a_i.is_positive is not True:
        return f"SymPy cannot show a_i = {a_i} > 0"
    v_bar = sp.Symbol("vbar", real=True)
    term = a_i * (w[i] - v_bar) ** 2
    if term.is_nonnegative is not True:
        return f"SymPy cannot show {term} >= 0"
    return None


def claims() -> list[Claim]:
    sum_to_one = Claim(
        name="softmax_sums_to_one",
        title="Softmax outputs sum to one",
        lhs=sp.Sum(a[c], (c, 1, K)),
        result=sp.Integer(1),
        steps=(
            Step(
                sp.Sum(sp.exp(z[c]), (c, 1, K)) / sp.Sum(sp.exp(z[k]), (k, 1, K)),
                "the denominator does not depend on c",
            ),
            Step(sp.Integer(1), "numerator and denominator are the same sum"),
        ),
        definitions=(SOFTMAX,),
        sizes="symbolic K",
        kind="identity",
    )
    jacobian = Claim(
        name="softmax_jacobian",
        title="Softmax Jacobian ∂a_i/∂z_j = a_i([i = j] − a_j)",
        lhs=sp.Derivative(a[i], z[j]),
        result=SOFTMAX_JACOBIAN,
        steps=(
            Step(
                (
                    sp.exp(z[i]) * sp.KroneckerDelta(i, j) * sp.Sum(sp.exp(z[k]), (k, 1, K))
                    - sp.exp(z[i]) * sp.exp(z[j])
                )
                / sp.Sum(sp.exp(z[k]), (k, 1, K)) ** 2,
                "quotient rule; ∂/∂z_j Σ_k e^{z_k} = e^{z_j} (1 ≤ j ≤ K)",
            ),
            Step(SOFTMAX_JACOBIAN, "divide through by (Σ_k e^{z_k})²"),
        ),
        definitions=(SOFTMAX,),
        ranges=(I_IN_RANGE, J_IN_RANGE),
        sizes="symbolic K",
    )
    hessian = Claim(
        name="softmax_ce_hessian",
        title="Hessian of softmax cross-entropy in the logits: diag(a) − a aᵀ",
        lhs=sp.Derivative(J, z[i], z[j]),
        result=SOFTMAX_JACOBIAN,
        steps=(
            Step(
                sp.Derivative(a[i] * sp.Sum(y[c], (c, 1, K)) - y[i], z[j]),
                "the gradient ∂J/∂z_i = a_i Σ_c y_c − y_i (claim softmax_ce_delta_any_labels)",
            ),
            Step(
                sp.Sum(y[c], (c, 1, K)) * SOFTMAX_JACOBIAN,
                "softmax Jacobian; y does not depend on z",
            ),
            Step(SOFTMAX_JACOBIAN, "substitute the hypothesis Σ_c y_c = 1", (LABELS_SUM_TO_ONE,)),
        ),
        definitions=(SOFTMAX_CE_LOSS, SOFTMAX),
        hypotheses=(LABELS_SUM_TO_ONE,),
        ranges=(I_IN_RANGE, J_IN_RANGE),
        sizes="symbolic K",
    )
    psd = Claim(
        name="softmax_ce_hessian_psd",
        title="The softmax cross-entropy Hessian is positive semidefinite",
        lhs=sp.Sum(sp.Sum(w[i] * H[i, j] * w[j], (j, 1, K)), (i, 1, K)),
        result=QUADRATIC_FORM_SQUARES,
        steps=(
            Step(
                sp.Sum(a[i] * w[i] ** 2, (i, 1, K)) - _weighted_mean**2,
                "sum the indicator [i = j] over j",
            ),
            Step(
                QUADRATIC_FORM_SQUARES,
                "complete the square, using Σ_i a_i = 1 (claim softmax_sums_to_one)",
            ),
        ),
        definitions=(HESSIAN, SOFTMAX),
        sizes="symbolic K",
        kind="identity",
        summary="vᵀHv = Σ_i a_i (v_i − Σ_k a_k v_k)² ≥ 0 because every a_i > 0.",
        extra_checks=(("every term of the sum of squares is >= 0", _summand_is_nonnegative),),
    )
    return [sum_to_one, jacobian, hessian, psd]
