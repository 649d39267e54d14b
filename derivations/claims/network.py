"""Backpropagation for a whole network, from the loss itself: no premise.

A network with one hidden layer, every width a symbol (``n_0`` inputs, ``n_1`` hidden units,
``K`` outputs) and any differentiable hidden activation ``g``:

    z^1_j = Σ_{i=1}^{n_0} W^1_{j,i} a^0_i + b^1_j,   a^1_j = g(z^1_j),
    z^2_k = Σ_{j=1}^{n_1} W^2_{k,j} a^1_j + b^2_k,   a^2 = output(z^2),

and J the loss of ``a^2`` written out in full.  SymPy differentiates J itself with respect to
every parameter of both layers, and the engine proves the backpropagation formulas

    δ^2 = a^2 − y,   δ^1 = (W^2)ᵀ δ^2 ⊙ g′(z^1),
    ∂J/∂W^l = δ^l (a^{l−1})ᵀ,   ∂J/∂b^l = δ^l   (l = 1, 2).

δ^1 and δ^2 are *named intermediate quantities* (definitions), so the statement reads like
the formulas above while J, and everything SymPy differentiates, is the whole network.
Unlike :mod:`derivations.claims.recursion`, nothing here rests on J's first-order form.

Output pairings:

* sigmoid outputs with binary cross-entropy: any real labels.  J is written with the logits,
  ``J = Σ_k [log(1 + e^{z^2_k}) − y_k z^2_k]``; claim ``bce_with_logits`` proves this is
  ``−Σ_k [y_k log σ(z^2_k) + (1 − y_k) log(1 − σ(z^2_k))]`` term by term;
* softmax outputs with categorical cross-entropy, under Σ_c y_c = 1.

The induction step for any depth is :mod:`derivations.claims.recursion` (claims
``layer_recursion``, ``weight_gradient``, ``bias_gradient``), which rests on the chain rule
(premise P1); these claims are its base case for one hidden layer.

**Not yet in the catalogue.**  Both network claims are proven (tests/test_network_claims.py
proves the W^1 rows), but each costs far more than ``verified-backprop verify``'s 60 s budget
allows (measured 2026-11-26 on the shared 2-core machine, user CPU: sigmoid 84 s, softmax
139 s; the independent witness alone ≈ 13 s for the sigmoid W^1 row), so
:data:`derivations.catalog.CLAIM_MODULES` does not list this module and the source-document
verdicts still cite the P1 claims.

**Deeper networks** are not proven here: for two hidden layers SymPy's derivative comes out
as Σ_k Σ_j …, the backpropagation form as Σ_j Σ_k …, and the engine cannot show that two
finite sums with independent limits commute.
"""

from __future__ import annotations

import sympy as sp

from derivations.claims.shared import LABELS_SUM_TO_ONE
from derivations.engine import Claim, Definition, Step
from derivations.language import IndexRange
from derivations.notation import J, K, c, g, i, j, k, r, s, sigma, sigmoid_expr, u, v, y

__all__ = ["PARAMETERS", "claims", "network_claim", "network_definitions"]

#: sizes: n_0 inputs, n_1 hidden units (K outputs comes from the notation)
n0 = sp.Symbol("n_0", integer=True, positive=True)
n1 = sp.Symbol("n_1", integer=True, positive=True)

#: the input, the parameters (free, real) and the layer quantities (defined: no assumptions)
a0 = sp.IndexedBase("a^0", real=True)
W1, b1 = sp.IndexedBase("W^1", real=True), sp.IndexedBase("b^1", real=True)
W2, b2 = sp.IndexedBase("W^2", real=True), sp.IndexedBase("b^2", real=True)
z1, a1 = sp.IndexedBase("z^1"), sp.IndexedBase("a^1")
z2, a2 = sp.IndexedBase("z^2"), sp.IndexedBase("a^2")
delta1, delta2 = sp.IndexedBase("delta^1"), sp.IndexedBase("delta^2")

#: the real variable of g′ (g′(z^1_r) is g′ evaluated at z^1_r, a defined quantity)
xi = sp.Symbol("xi", real=True)


def g_prime_at(point: sp.Expr) -> sp.Expr:
    """g′(point): the derivative of g evaluated at ``point`` (printed g′(z^1_r))."""
    return sp.Subs(sp.Derivative(g(xi), xi), xi, point)


#: the forward pass of the hidden layer and the output layer's pre-activation
FORWARD = (
    Definition(
        z1,
        sp.Sum(W1[j, i] * a0[i], (i, 1, n0)) + b1[j],
        index=j,
        text="pre-activation of the hidden layer (a^0 is the input x)",
    ),
    Definition(a1, g(z1[j]), index=j, text="hidden activation, any differentiable g"),
    Definition(
        z2,
        sp.Sum(W2[k, j] * a1[j], (j, 1, n1)) + b2[k],
        index=k,
        text="pre-activation of the output layer",
    ),
)

#: the named intermediate quantities of backpropagation
DELTAS = (
    Definition(delta2, a2[k] - y[k], index=k, text="output delta δ^2 := a^2 − y"),
    Definition(
        delta1,
        sp.Sum(W2[k, r] * delta2[k], (k, 1, K)) * g_prime_at(z1[r]),
        index=r,
        text="hidden delta δ^1 := (W^2)ᵀ δ^2 ⊙ g′(z^1)",
    ),
)

#: the two cross-entropy pairings: (name, loss, output activation, hypotheses, words)
SIGMOID_BCE_LOSS = Definition(
    J,
    sp.Sum(sp.log(1 + sp.exp(z2[k])) - y[k] * z2[k], (k, 1, K)),
    text="binary cross-entropy of σ(z^2), written with the logits (claim bce_with_logits)",
)
SIGMOID_OUTPUT = Definition(
    a2,
    sp.exp(z2[k]) / (1 + sp.exp(z2[k])),
    index=k,
    text="sigmoid outputs a^2_k = σ(z^2_k) = e^{z^2_k}/(1 + e^{z^2_k})",
)
SOFTMAX_CE_LOSS = Definition(
    J, -sp.Sum(y[c] * sp.log(a2[c]), (c, 1, K)), text="categorical cross-entropy"
)
SOFTMAX_OUTPUT = Definition(
    a2,
    sp.exp(z2[c]) / sp.Sum(sp.exp(z2[k]), (k, 1, K)),
    index=c,
    text="softmax outputs",
)

PAIRINGS = {
    "sigmoid_bce": ("sigmoid outputs, binary cross-entropy", (SIGMOID_BCE_LOSS, SIGMOID_OUTPUT)),
    "softmax_ce": ("softmax outputs, categorical cross-entropy", (SOFTMAX_CE_LOSS, SOFTMAX_OUTPUT)),
}


def network_definitions(pairing: str) -> tuple[Definition, ...]:
    """The loss, the output layer, the forward pass and the deltas, for ``pairing``."""
    return (*PAIRINGS[pairing][1], *FORWARD, *DELTAS)


#: one unit of binary cross-entropy, and the same written with the logit
L_unit = sp.Symbol("L")
w_logit, y_label = sp.Symbol("w", real=True), sp.Symbol("y", real=True)
BCE_UNIT = Definition(
    L_unit,
    -(y_label * sp.log(sigma(w_logit)) + (1 - y_label) * sp.log(1 - sigma(w_logit))),
    text="binary cross-entropy of one sigmoid unit with logit w and label y",
)
SIGMOID_W = Definition(sigma, sigmoid_expr(w_logit), index=w_logit, text="logistic sigmoid")


def _bce_with_logits() -> Claim:
    softplus = sp.log(1 + sp.exp(-w_logit))
    return Claim(
        name="bce_with_logits",
        title="Binary cross-entropy with the logit: −[y log σ(w) + (1 − y) log(1 − σ(w))] "
        "= log(1 + e^w) − y w",
        lhs=L_unit,
        result=sp.log(1 + sp.exp(w_logit)) - y_label * w_logit,
        steps=(
            Step(
                y_label * softplus + (1 - y_label) * (w_logit + softplus),
                "log σ(w) = −log(1 + e^{−w}) and log(1 − σ(w)) = −w − log(1 + e^{−w})",
            ),
            Step(softplus + w_logit - y_label * w_logit, "collect the terms in y"),
            Step(
                sp.log(1 + sp.exp(w_logit)) - y_label * w_logit,
                "log(1 + e^{−w}) + w = log(e^w + 1)",
            ),
        ),
        definitions=(BCE_UNIT, SIGMOID_W),
        kind="identity",
        sizes="scalar",
        summary="The loss the sigmoid network claims differentiate, unit by unit.",
    )


#: the parameters whose derivatives a network claim states, in order
PARAMETERS = ("W^1", "b^1", "W^2", "b^2")


def network_claim(pairing: str, parameters: tuple[str, ...] = PARAMETERS) -> Claim:
    """The whole-network claim for ``pairing``, stating ∂J/∂θ for each of ``parameters``.

    Row by row: SymPy's derivative of J; the chain rule with δ^2 named; the backpropagation
    formula (δ^1 (a^0)ᵀ, δ^1, δ^2 (a^1)ᵀ, δ^2).  A subset of ``parameters`` gives the same
    rows (the tests use the W^1 row alone, which carries the recursion).
    """
    words, _ = PAIRINGS[pairing]
    hypotheses = (LABELS_SUM_TO_ONE,) if pairing == "softmax_ce" else ()
    chain = sp.Sum(delta2[k] * W2[k, r], (k, 1, K)) * g_prime_at(z1[r])
    picked = sp.Sum(delta2[k] * sp.KroneckerDelta(k, u), (k, 1, K))
    rows = {
        "W^1": (sp.Derivative(J, W1[r, s]), chain * a0[s], delta1[r] * a0[s]),
        "b^1": (sp.Derivative(J, b1[r]), chain, delta1[r]),
        "W^2": (sp.Derivative(J, W2[u, v]), picked * a1[v], delta2[u] * a1[v]),
        "b^2": (sp.Derivative(J, b2[u]), picked, delta2[u]),
    }
    lhs, step_chain, result = (
        sp.ImmutableMatrix([rows[name][column] for name in parameters]) for column in range(3)
    )
    ranges = {
        "W^1": (IndexRange(r, sp.Integer(1), n1), IndexRange(s, sp.Integer(1), n0)),
        "b^1": (IndexRange(r, sp.Integer(1), n1),),
        "W^2": (IndexRange(u, sp.Integer(1), K), IndexRange(v, sp.Integer(1), n1)),
        "b^2": (IndexRange(u, sp.Integer(1), K),),
    }
    used_ranges = tuple(dict.fromkeys(rng for name in parameters for rng in ranges[name]))
    suffix = (
        ""
        if parameters == PARAMETERS
        else "_" + "_".join(name.replace("^", "") for name in parameters)
    )
    output_delta = (
        "∂J/∂z^2_k = a^2_k Σ_c y_c − y_k = a^2_k − y_k = δ^2_k (hypothesis Σ_c y_c = 1)"
        if hypotheses
        else "∂J/∂z^2_k = e^{z^2_k}/(1 + e^{z^2_k}) − y_k = a^2_k − y_k = δ^2_k"
    )
    return Claim(
        name=f"network_{pairing}_one_hidden{suffix}",
        title=f"Whole network, one hidden layer, {words}: backpropagation from the loss",
        lhs=lhs,
        result=result,
        steps=(
            Step(
                step_chain,
                "chain rule through the whole network: "
                + output_delta
                + "; ∂z^2_k/∂W^1_{r,s} = W^2_{k,r} g′(z^1_r) a^0_s (only unit r of the hidden "
                "layer depends on W^1_{r,s}), ∂z^2_k/∂W^2_{u,v} = δ_{ku} a^1_v",
                hypotheses,
            ),
            Step(
                result,
                "definition of δ^1 = (W^2)ᵀ δ^2 ⊙ g′(z^1); sum the Kronecker delta over k "
                "(1 ≤ u ≤ K)",
            ),
        ),
        definitions=network_definitions(pairing),
        hypotheses=hypotheses,
        ranges=used_ranges,
        sizes="symbolic n_0, n_1, K; any g; no premise",
        summary="∂J/∂W^l = δ^l (a^{l−1})ᵀ and ∂J/∂b^l = δ^l for both layers, with "
        "δ^1 = (W^2)ᵀ δ^2 ⊙ g′(z^1), computed by SymPy from the loss of the whole network.",
    )


def claims() -> list[Claim]:
    return [_bce_with_logits(), *(network_claim(pairing) for pairing in PAIRINGS)]
