"""Activation derivatives: sigmoid, tanh, ReLU, softplus, leaky ReLU.

* σ′(x) = σ(x)(1 − σ(x))
* tanh′(x) = 1 − tanh²(x)  (tanh written out with exponentials, so SymPy's built-in rule for
  tanh is not what is being checked)
* ReLU′(x) = 1 for x > 0, 0 for x < 0; ReLU is not differentiable at 0 (one-sided difference
  quotients 0 and 1). Convention here and in ``impl``: ReLU′(0) := 0. SymPy's own
  ``Heaviside(0)`` is 1/2, so the convention is stated, never inherited.
* softplus′(x) = σ(x)
* leaky ReLU with slope α ∈ (0, 1): derivative 1 for x > 0, α for x < 0.
"""

from __future__ import annotations

import sympy as sp

from derivations.claims.shared import SIGMOID
from derivations.kernel.language import Claim, Definition, Step
from derivations.notation import sigma, x

tanh_f = sp.Function("tanh")
relu_f = sp.Function("ReLU")
softplus_f = sp.Function("softplus")
leaky_f = sp.Function("LeakyReLU")

#: a real, nonzero variable: where ReLU and leaky ReLU are differentiable
x_nonzero = sp.Symbol("x", real=True, nonzero=True)
#: the leaky slope, 0 < α < 1
alpha = sp.Symbol("alpha", positive=True)

TANH = Definition(tanh_f, (sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x)), index=x)
RELU = Definition(relu_f, sp.Max(0, x_nonzero), index=x_nonzero)
SOFTPLUS = Definition(softplus_f, sp.log(1 + sp.exp(x)), index=x)
LEAKY_RELU = Definition(
    leaky_f, sp.Piecewise((x_nonzero, x_nonzero > 0), (alpha * x_nonzero, True)), index=x_nonzero
)

#: the derivatives as proven (used by the seed catalogue and the numeric checks)
SIGMOID_PRIME = sigma(x) * (1 - sigma(x))
TANH_PRIME = 1 - tanh_f(x) ** 2
RELU_PRIME = sp.Piecewise((1, x_nonzero > 0), (0, True))
SOFTPLUS_PRIME = sigma(x)
LEAKY_RELU_PRIME = sp.Piecewise((1, x_nonzero > 0), (alpha, True))


def _relu_one_sided_quotients() -> str | None:
    """ReLU has no derivative at 0: the one-sided difference quotients are 0 and 1."""
    h = sp.Symbol("h", positive=True)
    right = sp.limit(sp.Max(0, h) / h, h, 0, "+")
    left = sp.limit(sp.Max(0, -h) / (-h), h, 0, "+")
    if (left, right) != (0, 1):
        return f"one-sided difference quotients at 0 are {left} and {right}, expected 0 and 1"
    return None


def claims() -> list[Claim]:
    return [
        Claim(
            name="sigmoid_derivative",
            title="Sigmoid derivative σ′ = σ(1 − σ)",
            lhs=sp.Derivative(sigma(x), x),
            result=SIGMOID_PRIME,
            steps=(
                Step(sp.exp(-x) / (1 + sp.exp(-x)) ** 2, "quotient rule"),
                Step(
                    sp.Mul(1 / (1 + sp.exp(-x)), sp.exp(-x) / (1 + sp.exp(-x)), evaluate=False),
                    "split the fraction",
                ),
                Step(SIGMOID_PRIME, "e^{-x}/(1 + e^{-x}) = 1 − σ(x)"),
            ),
            definitions=(SIGMOID,),
            sizes="scalar",
        ),
        Claim(
            name="tanh_derivative",
            title="tanh′ = 1 − tanh²",
            lhs=sp.Derivative(tanh_f(x), x),
            result=TANH_PRIME,
            steps=(
                Step(4 / (sp.exp(x) + sp.exp(-x)) ** 2, "quotient rule"),
                Step(TANH_PRIME, "(e^x + e^{-x})² − (e^x − e^{-x})² = 4"),
            ),
            definitions=(TANH,),
            sizes="scalar",
        ),
        Claim(
            name="relu_derivative",
            title="ReLU′(x) = 1 for x > 0 and 0 for x < 0 (x ≠ 0)",
            lhs=sp.Derivative(relu_f(x_nonzero), x_nonzero),
            result=RELU_PRIME,
            steps=(
                Step(sp.Heaviside(x_nonzero), "derivative of max(0, x)"),
                Step(RELU_PRIME, "Heaviside step, away from x = 0"),
            ),
            definitions=(RELU,),
            sizes="scalar, x ≠ 0",
            summary=(
                "Not differentiable at 0 (one-sided quotients 0 and 1); convention ReLU′(0) := 0."
            ),
            extra_checks=(("ReLU has no derivative at 0", _relu_one_sided_quotients),),
        ),
        Claim(
            name="softplus_derivative",
            title="softplus′ = σ",
            lhs=sp.Derivative(softplus_f(x), x),
            result=SOFTPLUS_PRIME,
            steps=(
                Step(sp.exp(x) / (1 + sp.exp(x)), "chain rule through the logarithm"),
                Step(SOFTPLUS_PRIME, "divide by e^x: e^x/(1 + e^x) = 1/(1 + e^{-x})"),
            ),
            definitions=(SOFTPLUS, SIGMOID),
            sizes="scalar",
        ),
        Claim(
            name="leaky_relu_derivative",
            title="Leaky ReLU′(x) = 1 for x > 0 and α for x < 0",
            lhs=sp.Derivative(leaky_f(x_nonzero), x_nonzero),
            result=LEAKY_RELU_PRIME,
            steps=(Step(LEAKY_RELU_PRIME, "differentiate each piece"),),
            definitions=(LEAKY_RELU,),
            sizes="scalar, x ≠ 0, 0 < α",
        ),
    ]
