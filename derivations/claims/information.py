"""Cross-entropy and distributions: CE = H + KL, and KL ≥ 0 with equality only at Q = P.

What "cross-entropy aligns the model's distribution with the true distribution" means, for
symbolic K, with P the true distribution (the labels y) and Q the model's (the outputs a):

* ``cross_entropy_entropy_kl``: CE(P, Q) = H(P) + KL(P ‖ Q), where CE(P, Q) := −Σ_c P_c log Q_c,
  H(P) := −Σ_c P_c log P_c and KL(P ‖ Q) := Σ_c P_c log(P_c/Q_c), for every P_c > 0, Q_c > 0
  (no normalisation needed). H(P) does not depend on Q, so minimising CE over Q is
  minimising KL(P ‖ Q).
* ``kl_divergence_gibbs``: when Σ_c P_c = 1 and Σ_c Q_c = 1,
  KL(P ‖ Q) = Σ_c P_c φ(Q_c/P_c) with φ(t) := t − 1 − log t.  Its extra check shows with
  SymPy that φ(t) ≥ 0 for t > 0 with equality only at t = 1 (φ′ = 1 − 1/t vanishes only at
  1, φ″ = 1/t² > 0, φ(1) = 0).  Since every P_c > 0, KL(P ‖ Q) ≥ 0 with equality exactly
  when Q = P (Gibbs' inequality): over probability vectors Q, CE(P, Q) ≥ H(P) and the
  minimum is attained exactly at Q = P.

The conditions are part of the claims' domains: P and Q strictly positive (a softmax output
is; a one-hot label is not — for a one-hot y with zero entries the terms 0·log 0 are read as
0, the minimiser Q = y has zero entries, and softmax outputs, all positive, only approach it
as the logits diverge: see ``loss_has_no_minimiser``).
"""

from __future__ import annotations

import sympy as sp

from derivations.kernel.language import Claim, Definition, Hypothesis, Step
from derivations.notation import K, c

__all__ = ["CE", "KL", "PHI", "H", "P", "Q", "claims"]

#: the true distribution (the labels) and the model's distribution (the outputs)
P = sp.IndexedBase("P", positive=True)
Q = sp.IndexedBase("Q", positive=True)
CE, H, KL = sp.symbols("CE H KL")
phi = sp.Function("phi")
t = sp.Symbol("t", positive=True)

CROSS_ENTROPY = Definition(CE, -sp.Sum(P[c] * sp.log(Q[c]), (c, 1, K)), text="cross-entropy")
ENTROPY = Definition(H, -sp.Sum(P[c] * sp.log(P[c]), (c, 1, K)), text="entropy of P")
DIVERGENCE = Definition(
    KL, sp.Sum(P[c] * sp.log(P[c] / Q[c]), (c, 1, K)), text="Kullback-Leibler divergence"
)
#: φ(t) := t − 1 − log t
PHI = Definition(phi, t - 1 - sp.log(t), index=t, text="φ(t) = t − 1 − log t")

P_SUMS_TO_ONE = Hypothesis(
    "P sums to one",
    "P is a probability vector (the labels sum to 1)",
    sp.Sum(P[c], (c, 1, K)),
    sp.Integer(1),
)
Q_SUMS_TO_ONE = Hypothesis(
    "Q sums to one",
    "Q is a probability vector (softmax outputs sum to 1: claim softmax_sums_to_one)",
    sp.Sum(Q[c], (c, 1, K)),
    sp.Integer(1),
)


def phi_is_nonnegative_and_zero_only_at_one() -> str | None:
    """φ(t) = t − 1 − log t ≥ 0 on t > 0, = 0 only at t = 1: SymPy finds every critical
    point, the second derivative's sign and the value there (so 1 is the strict global
    minimum of the strictly convex φ)."""
    body = PHI.expr
    critical = sp.solveset(sp.diff(body, t), t, sp.Interval.open(0, sp.oo))
    if critical != sp.FiniteSet(1):
        return f"critical points of φ on t > 0 are {critical}, expected {{1}}"
    if sp.diff(body, t, 2).is_positive is not True:
        return f"SymPy cannot show φ″ = {sp.diff(body, t, 2)} > 0 on t > 0"
    if body.subs(t, 1) != 0:
        return f"φ(1) = {body.subs(t, 1)}, expected 0"
    return None


def claims() -> list[Claim]:
    log_ratio = sp.Sum(P[c] * (sp.log(P[c]) - sp.log(Q[c])), (c, 1, K))
    entropy_kl = Claim(
        name="cross_entropy_entropy_kl",
        title="Cross-entropy is entropy plus KL divergence: CE(P, Q) = H(P) + KL(P ‖ Q)",
        lhs=CE,
        result=H + KL,
        steps=(
            Step(
                -sp.Sum(P[c] * sp.log(P[c]), (c, 1, K)) + log_ratio,
                "add and subtract Σ_c P_c log P_c",
            ),
            Step(H + KL, "log(P_c/Q_c) = log P_c − log Q_c, as P_c > 0 and Q_c > 0"),
        ),
        definitions=(CROSS_ENTROPY, ENTROPY, DIVERGENCE),
        sizes="symbolic K",
        kind="identity",
        summary="H(P) does not depend on Q: minimising the cross-entropy over the model's "
        "distribution Q is minimising KL(P ‖ Q).",
    )
    terms = sp.Sum(P[c] * phi(Q[c] / P[c]), (c, 1, K))
    gibbs = Claim(
        name="kl_divergence_gibbs",
        title="Gibbs' inequality: KL(P ‖ Q) = Σ_c P_c φ(Q_c/P_c) ≥ 0, zero only at Q = P",
        lhs=KL,
        result=terms,
        steps=(
            Step(
                terms - sp.Sum(Q[c], (c, 1, K)) + sp.Sum(P[c], (c, 1, K)),
                "P_c φ(Q_c/P_c) = Q_c − P_c + P_c log(P_c/Q_c)",
            ),
            Step(terms - 1 + sp.Sum(P[c], (c, 1, K)), "Σ_c Q_c = 1", (Q_SUMS_TO_ONE,)),
            Step(terms, "Σ_c P_c = 1", (P_SUMS_TO_ONE,)),
        ),
        definitions=(DIVERGENCE, PHI),
        hypotheses=(P_SUMS_TO_ONE, Q_SUMS_TO_ONE),
        sizes="symbolic K",
        kind="identity",
        summary="Every term P_c φ(Q_c/P_c) is ≥ 0 and is 0 only when Q_c = P_c, since "
        "P_c > 0 and φ(t) = t − 1 − log t ≥ 0 with equality only at t = 1. So "
        "CE(P, Q) = H(P) + KL(P ‖ Q) ≥ H(P), with equality exactly when Q = P.",
        extra_checks=(
            (
                "φ(t) ≥ 0 for t > 0, with equality only at t = 1",
                phi_is_nonnegative_and_zero_only_at_one,
            ),
        ),
    )
    return [entropy_kl, gibbs]
