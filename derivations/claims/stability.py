"""Numerically stable forms of the sources' formulas, proven equal to them.

The float64 findings of the source census (:mod:`derivations.sources.findings`) show where the
formulas as written overflow; these claims prove that the rewritten forms used instead
compute the same function, so the correction changes the arithmetic, not the mathematics:

* ``sigmoid_stable_form``: σ(x) = 1/(1 + e^{−x}) = e^{x}/(1 + e^{x}) for every real x — for
  x < 0 the right side needs only e^{x} < 1, which never overflows;
* ``softmax_shift_invariance``: e^{z_j}/Σ_k e^{z_k} = e^{z_j − M}/Σ_k e^{z_k − M} for every real
  M and symbolic K — with M = max_k z_k every exponent is ≤ 0 (the log-sum-exp trick).
"""

from __future__ import annotations

import sympy as sp

from derivations.claims.shared import J_IN_RANGE, SIGMOID, SOFTMAX
from derivations.kernel.language import Claim, Step
from derivations.notation import K, a, j, k, sigma, x, z

__all__ = ["SHIFT", "claims"]

#: the shift M (any real number; M = max_k z_k in practice)
SHIFT = sp.Symbol("M", real=True)


def claims() -> list[Claim]:
    stable_sigmoid = Claim(
        name="sigmoid_stable_form",
        title="Sigmoid without overflow: σ(x) = e^{x}/(1 + e^{x})",
        lhs=sigma(x),
        result=sp.exp(x) / (1 + sp.exp(x)),
        steps=(Step(sp.exp(x) / (1 + sp.exp(x)), "multiply numerator and denominator by e^{x}"),),
        definitions=(SIGMOID,),
        sizes="scalar",
        kind="identity",
        summary="For x < 0 use e^{x}/(1 + e^{x}), for x ≥ 0 use 1/(1 + e^{−x}): no exponent "
        "is positive, so nothing overflows.",
    )
    shifted = sp.exp(z[j] - SHIFT) / sp.Sum(sp.exp(z[k] - SHIFT), (k, 1, K))
    shift = Claim(
        name="softmax_shift_invariance",
        title="Softmax is unchanged by a shift of the logits (log-sum-exp trick)",
        lhs=a[j],
        result=shifted,
        steps=(
            Step(
                sp.exp(-SHIFT) * sp.exp(z[j]) / (sp.exp(-SHIFT) * sp.Sum(sp.exp(z[k]), (k, 1, K))),
                "multiply numerator and denominator by e^{−M}",
            ),
            Step(shifted, "e^{−M} e^{z_k} = e^{z_k − M}, inside the sum"),
        ),
        definitions=(SOFTMAX,),
        ranges=(J_IN_RANGE,),
        sizes="symbolic K",
        kind="identity",
        summary="With M = max_k z_k every exponent z_k − M is ≤ 0, so no e^{…} overflows and "
        "the largest term of the denominator is 1.",
    )
    return [stable_sigmoid, shift]
