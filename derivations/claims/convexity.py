"""Convexity and minimisers: J is convex in the output logits but not in the weights.

Convex in the logits: the Hessian of softmax cross-entropy in z is diag(a) − a aᵀ, positive
semidefinite (claims ``softmax_ce_hessian``, ``softmax_ce_hessian_psd``).  In the *weights*
it is not, and a minimiser need not exist.  Both are shown on the smallest network of the
sources' kind, ``Network([1, 1, 2])``: one input x = 1, one sigmoid hidden unit, two softmax
outputs, one example with the one-hot label y = (1, 0).  With the six parameters
θ = (w, b, v_1, v_2, c_1, c_2) (hidden weight and bias, output weights and biases),

    h = σ(w + b),   z_k = v_k h + c_k,   J(θ) = −log(e^{z_1}/(e^{z_1} + e^{z_2})).

* ``loss_not_convex_in_weights``: J(θ_M) − (J(θ_A) + J(θ_B))/2, with θ_M the midpoint of
  θ_A and θ_B, equals an exact closed form whose value an interval enclosure
  (:func:`derivations.kernel.intervals.enclose`, outward rounding) certifies to be > 0: the
  midpoint has a higher loss than the mean of the ends, so J is not convex in θ.  The two
  settings are the first ones, θ_A = (s, 0, s, 0, 0, 0) and θ_B = −θ_A for s = 1, 2, …, whose
  gap is certified positive (:func:`midpoint_violation`): s = 1.
* ``loss_has_no_minimiser``: J(θ) = log(e^{z_1} + e^{z_2}) − z_1, which is log(1 + e^{−d}) with
  d = z_1 − z_2 = (v_1 − v_2)h + c_1 − c_2.  Its extra checks show with SymPy that J(θ) > 0 for
  every real θ, that J → 0 as c_1 → ∞ (so inf J = 0 is not attained: J has no minimiser), and
  that ∂J/∂c_1 < 0 everywhere (J has no
  stationary point). Gradient descent θ_{t+1} = θ_t − η∇J(θ_t) therefore cannot converge
  for any η > 0: if θ_t → θ*, then ∇J(θ_t) = (θ_t − θ_{t+1})/η → 0 and, ∇J being continuous,
  ∇J(θ*) = 0, which no θ* satisfies.  The loss decreases towards its infimum while the
  weights diverge.

So "the weights converge to values that minimise the loss" holds only in a weaker sense: for
a small enough step the loss decreases, and any limit point of the weights is a stationary
point — which may be no minimiser (J is not convex), and there may be no limit at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derivations.claims.shared import SIGMOID
from derivations.kernel.intervals import approximately, enclose, sign
from derivations.kernel.language import Claim, Definition, Step
from derivations.notation import sigma, sigmoid_expr

__all__ = ["J_NET", "PARAMETERS", "MidpointViolation", "claims", "loss_at", "midpoint_violation"]

#: θ = (w, b, v_1, v_2, c_1, c_2): hidden weight and bias, output weights and biases
PARAMETERS = sp.symbols("w b v_1 v_2 c_1 c_2", real=True)
w_, b_, v1, v2, c1, c2 = PARAMETERS
J_net = sp.Function("J_net")

_h = sigma(w_ + b_)
_z1, _z2 = v1 * _h + c1, v2 * _h + c2
#: J(θ) := −log softmax(z)_1 for the example x = 1, y = (1, 0)
J_NET = Definition(
    J_net,
    -sp.log(sp.exp(_z1) / (sp.exp(_z1) + sp.exp(_z2))),
    index=PARAMETERS,
    text="cross-entropy of Network([1, 1, 2]) on x = 1, y = (1, 0), as a function of its "
    "six parameters",
)
#: J(θ) = log(e^{z_1} + e^{z_2}) − z_1 (log-sum-exp form)
LOSS_LOG_SUM_EXP = sp.log(sp.exp(_z1) + sp.exp(_z2)) - _z1
#: J(θ) = log(1 + e^{−d}), d = z_1 − z_2 = (v_1 − v_2)h + c_1 − c_2
_margin = (v1 - v2) * _h + c1 - c2
LOSS_CLOSED_FORM = sp.log(1 + sp.exp(-_margin))


def loss_at(point: tuple[sp.Expr, ...]) -> sp.Expr:
    """J(θ) at a concrete θ in closed form, log(1 + e^{−d}) with σ written as σ(·)."""
    return LOSS_CLOSED_FORM.xreplace(dict(zip(PARAMETERS, point, strict=True)))


def _explicit(expr: sp.Expr) -> sp.Expr:
    """σ replaced by its definition 1/(1 + e^{−x})."""
    return expr.replace(sigma, lambda argument: sigmoid_expr(argument))


@dataclass(frozen=True)
class MidpointViolation:
    """Two parameter settings θ_A, θ_B whose midpoint has a higher loss than their mean."""

    theta_a: tuple[sp.Integer, ...]
    theta_b: tuple[sp.Integer, ...]
    midpoint: tuple[sp.Expr, ...]
    gap: sp.Expr  # J(θ_M) − (J(θ_A) + J(θ_B))/2, exact
    enclosure: object  # an mpmath interval certain to contain the gap

    def approximately(self, digits: int = 15) -> str:
        """The gap to ``digits`` significant digits, from its enclosure."""
        return approximately(self.enclosure, digits)

    def describe(self) -> str:
        def name(point: tuple[sp.Expr, ...]) -> str:
            return "(" + ", ".join(str(value) for value in point) + ")"

        return (
            f"θ_A = {name(self.theta_a)}, θ_B = {name(self.theta_b)}, midpoint "
            f"{name(self.midpoint)} in (w, b, v_1, v_2, c_1, c_2): J(θ_M) − (J(θ_A) + J(θ_B))/2 "
            f"≈ {self.approximately()} > 0 (interval enclosure)"
        )


def midpoint_violation(largest: int = 10) -> MidpointViolation:
    """The first s = 1, 2, … for which θ_A = (s, 0, s, 0, 0, 0), θ_B = −θ_A have a midpoint
    whose loss exceeds the mean of theirs, certified by an interval enclosure."""
    for s in range(1, largest + 1):
        theta_a = tuple(sp.Integer(value) for value in (s, 0, s, 0, 0, 0))
        theta_b = tuple(-value for value in theta_a)
        midpoint = tuple((p + q) / 2 for p, q in zip(theta_a, theta_b, strict=True))
        gap = loss_at(midpoint) - (loss_at(theta_a) + loss_at(theta_b)) / 2
        if sign(_explicit(gap)) > 0:
            return MidpointViolation(theta_a, theta_b, midpoint, gap, enclose(_explicit(gap)))
    raise ValueError(f"no certified midpoint violation for s ≤ {largest}")


def _gap_is_certified_positive(violation: MidpointViolation) -> str | None:
    box = enclose(_explicit(violation.gap))
    if not box.a > 0:
        return f"the enclosure [{box.a}, {box.b}] of the gap does not lie above 0"
    return None


def _no_minimiser() -> str | None:
    """J > 0 everywhere; J → 0 as c_1 → ∞ (at the other parameters 0); ∂J/∂c_1 < 0 everywhere.

    First, the proven log-sum-exp form equals log(1 + e^{−d}): their exponentials agree
    and exp is injective on the reals."""
    exponentials = sp.exp(LOSS_LOG_SUM_EXP) - (1 + sp.exp(-_margin))
    if sp.simplify(exponentials) != 0:
        return f"SymPy cannot show e^J = 1 + e^{{−d}}: difference {sp.simplify(exponentials)}"
    loss = _explicit(LOSS_CLOSED_FORM)
    if loss.is_positive is not True:
        return f"SymPy cannot show J = {loss} > 0 for every real θ"
    others = {w_: 0, b_: 0, v1: 0, v2: 0, c2: 0}
    limit = sp.limit(loss.subs(others), c1, sp.oo)
    if limit != 0:
        return f"J tends to {limit}, not 0, as c_1 → ∞"
    slope = sp.diff(loss, c1)
    if slope.is_negative is not True:
        return f"SymPy cannot show ∂J/∂c_1 = {slope} < 0 for every real θ"
    return None


def claims() -> list[Claim]:
    violation = midpoint_violation()
    lhs = J_net(*violation.midpoint) - (J_net(*violation.theta_a) + J_net(*violation.theta_b)) / 2
    not_convex = Claim(
        name="loss_not_convex_in_weights",
        title="Cross-entropy is not convex in the weights: a midpoint with a higher loss",
        lhs=lhs,
        result=violation.gap,
        steps=(
            Step(
                violation.gap,
                "J(θ) = log(1 + e^{−d}), d = (v_1 − v_2)σ(w + b) + c_1 − c_2, at each setting",
            ),
        ),
        definitions=(J_NET, SIGMOID),
        sizes="Network([1, 1, 2])",
        kind="identity",
        summary="The value is certified > 0 by interval arithmetic: the midpoint of θ_A and "
        "θ_B has a higher loss than the mean of their losses, so J is not convex in θ "
        "(while it is convex in the logits: claim softmax_ce_hessian_psd).",
        extra_checks=(
            (
                "the gap is > 0 (interval enclosure)",
                lambda: _gap_is_certified_positive(violation),
            ),
        ),
    )
    no_minimiser = Claim(
        name="loss_has_no_minimiser",
        title="With one-hot labels the loss can have no minimiser and no stationary point",
        lhs=J_net(*PARAMETERS),
        result=LOSS_LOG_SUM_EXP,
        steps=(Step(LOSS_LOG_SUM_EXP, "−log(p/q) = log q − log p, and log e^{z_1} = z_1"),),
        definitions=(J_NET, SIGMOID),
        sizes="Network([1, 1, 2])",
        kind="identity",
        summary="Equivalently J(θ) = log(1 + e^{−d}), d = z_1 − z_2, and J > 0 for every θ, "
        "J → 0 as c_1 → ∞ and ∂J/∂c_1 < 0 everywhere: inf J = 0 is not attained and ∇J "
        "never vanishes, so gradient descent's weights cannot converge (a limit would be a "
        "stationary point).",
        extra_checks=(("J > 0, inf J = 0, ∂J/∂c_1 < 0 everywhere", _no_minimiser),),
    )
    return [not_convex, no_minimiser]
