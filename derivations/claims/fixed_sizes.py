"""Independent cross-check: softmax cross-entropy for each fixed K = 1..10, plain symbols.

No ``Sum``, no ``KroneckerDelta``, no index ranges: the loss is written out term by term
with ordinary symbols z_1..z_K, y_1..y_K, so this check shares none of the machinery that
the symbolic-K proof in :mod:`derivations.claims.softmax_ce` relies on.
"""

from __future__ import annotations

import sympy as sp

from derivations.kernel.language import Claim, Definition, Hypothesis, Step
from derivations.notation import J

FIXED_SIZES = tuple(range(1, 11))


def softmax_ce_fixed(classes: int) -> Claim:
    """∇_z J = a Σy − y, and = a − y under y_1 + … + y_K = 1, for K = ``classes``."""
    zs = sp.symbols(f"z_1:{classes + 1}", real=True)
    ys = sp.symbols(f"y_1:{classes + 1}", real=True)
    outs = sp.symbols(f"a_1:{classes + 1}", positive=True)
    normaliser = sum(sp.exp(logit) for logit in zs)
    definitions = (
        Definition(J, -sum(label * sp.log(out) for label, out in zip(ys, outs, strict=True))),
        *(Definition(out, sp.exp(logit) / normaliser) for out, logit in zip(outs, zs, strict=True)),
    )
    label_sum = sum(ys)
    sums_to_one = Hypothesis(
        "labels sum to one",
        "y_1 + … + y_K = 1",
        label_sum,
        sp.Integer(1),
        extra_substitutions=((ys[-1], 1 - sum(ys[:-1])),),
    )
    gradient_any = sp.ImmutableMatrix(
        [out * label_sum - label for out, label in zip(outs, ys, strict=True)]
    )
    gradient = sp.ImmutableMatrix([out - label for out, label in zip(outs, ys, strict=True)])
    return Claim(
        name=f"softmax_ce_delta_K{classes}",
        title=f"Softmax cross-entropy δ = a − y for K = {classes} (plain symbols)",
        lhs=sp.ImmutableMatrix([sp.Derivative(J, logit) for logit in zs]),
        result=gradient,
        steps=(
            Step(gradient_any, "differentiate and put over the common denominator"),
            Step(gradient, "substitute the hypothesis y_1 + … + y_K = 1", (sums_to_one,)),
        ),
        definitions=definitions,
        hypotheses=(sums_to_one,),
        sizes=f"fixed K = {classes}",
    )


def claims() -> list[Claim]:
    return [softmax_ce_fixed(classes) for classes in FIXED_SIZES]
