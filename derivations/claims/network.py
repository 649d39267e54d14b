"""Backpropagation for a whole network, from the loss itself: no premise.

A network with ``L`` hidden layers (``L = 1, 2, 3``), every width a symbol (``n_0`` inputs,
``n_1 … n_L`` hidden units, ``K`` outputs), any differentiable hidden activation ``g``, and
output layer ``H = L + 1``:

    z^l_j = Σ_{i=1}^{n_{l−1}} W^l_{j,i} a^{l−1}_i + b^l_j,   a^l_j = g(z^l_j)   (l = 1..L),
    z^H_k = Σ_{j=1}^{n_L} W^H_{k,j} a^L_j + b^H_k,            a^H = output(z^H),

with ``a^0`` the input and J the loss of ``a^H`` written out in full.  SymPy differentiates
J itself with respect to one weight ``W^l_{r,s}`` and one bias ``b^l_r`` of every layer, and
the engine proves the backpropagation formulas

    δ^H = a^H − y,   δ^l = (W^{l+1})ᵀ δ^{l+1} ⊙ g′(z^l),
    ∂J/∂W^l = δ^l (a^{l−1})ᵀ,   ∂J/∂b^l = δ^l        (l = 1..H).

The δ^l are *named intermediate quantities* (definitions), so each step of the derivation
names one more of them, from the output layer down: "the chain rule with δ^{l+1} named"
becomes "… with δ^l named" by swapping two finite sums and reading off δ^l's definition.
J, and everything SymPy differentiates, is the whole network: nothing here rests on J's
first-order form.

Output pairings (``PAIRINGS``):

* ``sigmoid_bce``: sigmoid outputs with binary cross-entropy, any real labels.  J is
  written with the logits, ``J = Σ_k [log(1 + e^{z^H_k}) − y_k z^H_k]``; claim
  ``bce_with_logits`` proves this is ``−Σ_k [y_k log σ(z^H_k) + (1 − y_k) log(1 − σ(z^H_k))]``
  term by term;
* ``softmax_ce``: softmax outputs with categorical cross-entropy, under Σ_c y_c = 1;
* ``quadratic``: sigmoid outputs with the quadratic cost ½ Σ_k (a^H_k − y_k)², for
  comparison: there δ^H = (a^H − y) ⊙ σ′(z^H), the factor cross-entropy cancels.

The same network on a batch of m examples, J the batch-mean cost: claim
``network_batch_sigmoid_bce_1_hidden`` (:mod:`derivations.claims.network_batch`).

The induction step for any depth is :mod:`derivations.claims.recursion` (claims
``layer_recursion``, ``weight_gradient``, ``bias_gradient``), which rests on the chain rule
(premise P1); the claims here are its base cases, proven with no premise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from derivations.claims import network_batch
from derivations.claims.network_parts import g_prime_at, row_indices
from derivations.claims.shared import LABELS_SUM_TO_ONE
from derivations.kernel.language import Claim, Definition, Hypothesis, IndexRange, Step
from derivations.notation import J, K, c, g, i, j, k, sigma, sigmoid_expr, y

__all__ = [
    "DEPTHS",
    "PAIRINGS",
    "Network",
    "claims",
    "network",
    "network_claim",
    "row_indices",
]

#: the depths (numbers of hidden layers) proven here
DEPTHS = (1, 2, 3)


def _width(layer: int, depth: int) -> sp.Symbol:
    """n_l, with the output layer's width called K."""
    if layer == depth + 1:
        return K
    return sp.Symbol(f"n_{layer}", integer=True, positive=True)


@dataclass(frozen=True)
class _Pairing:
    words: str
    hypotheses: tuple[Hypothesis, ...]
    #: δ^H's definition, as "δ^H := …" reads in the docs
    delta_words: str


PAIRINGS = {
    "sigmoid_bce": _Pairing(
        "sigmoid outputs, binary cross-entropy", (), "output delta δ^H := a^H − y"
    ),
    "softmax_ce": _Pairing(
        "softmax outputs, categorical cross-entropy",
        (LABELS_SUM_TO_ONE,),
        "output delta δ^H := a^H − y",
    ),
    "quadratic": _Pairing(
        "sigmoid outputs, quadratic cost",
        (),
        "output delta δ^H := (a^H − y) ⊙ σ′(z^H), with σ′ = σ(1 − σ)",
    ),
}


@dataclass(frozen=True)
class Network:
    """The symbols and definitions of one network: ``depth`` hidden layers, ``pairing``."""

    depth: int
    pairing: str

    @property
    def output(self) -> int:
        """H, the number of the output layer."""
        return self.depth + 1

    def width(self, layer: int) -> sp.Symbol:
        return _width(layer, self.depth)

    def base(self, name: str, layer: int, *, real: bool = False) -> sp.IndexedBase:
        """W^l, b^l (free, real), z^l, a^l, δ^l (defined: no assumptions); a^0 is the input."""
        symbol = "delta" if name == "δ" else name
        return sp.IndexedBase(f"{symbol}^{layer}", **({"real": True} if real else {}))

    def W(self, layer: int) -> sp.IndexedBase:
        return self.base("W", layer, real=True)

    def b(self, layer: int) -> sp.IndexedBase:
        return self.base("b", layer, real=True)

    def z(self, layer: int) -> sp.IndexedBase:
        return self.base("z", layer)

    def a(self, layer: int) -> sp.IndexedBase:
        return self.base("a", layer, real=layer == 0)

    def delta(self, layer: int) -> sp.IndexedBase:
        return self.base("δ", layer)

    def unit(self, layer: int) -> sp.Symbol:
        """The summation index over the units of ``layer`` in the derivation's steps."""
        return sp.Symbol(f"k_{layer}", integer=True)

    # ------------------------------------------------------------------ definitions

    def forward(self) -> tuple[Definition, ...]:
        """z^l and a^l for the hidden layers, and z^H."""
        definitions = []
        for layer in range(1, self.output + 1):
            definitions.append(
                Definition(
                    self.z(layer),
                    sp.Sum(
                        self.W(layer)[j, i] * self.a(layer - 1)[i],
                        (i, 1, self.width(layer - 1)),
                    )
                    + self.b(layer)[j],
                    index=j,
                    text=f"pre-activation of layer {layer}"
                    + (" (a^0 is the input x)" if layer == 1 else ""),
                )
            )
            if layer <= self.depth:
                definitions.append(
                    Definition(
                        self.a(layer),
                        g(self.z(layer)[j]),
                        index=j,
                        text=f"activation of hidden layer {layer}, any differentiable g",
                    )
                )
        return tuple(definitions)

    def output_layer(self) -> tuple[Definition, ...]:
        """J and a^H for the pairing."""
        H = self.output
        zH, aH = self.z(H), self.a(H)
        if self.pairing == "softmax_ce":
            return (
                Definition(
                    J, -sp.Sum(y[c] * sp.log(aH[c]), (c, 1, K)), text="categorical cross-entropy"
                ),
                Definition(
                    aH,
                    sp.exp(zH[c]) / sp.Sum(sp.exp(zH[k]), (k, 1, K)),
                    index=c,
                    text="softmax outputs",
                ),
            )
        sigmoid_output = Definition(
            aH,
            sp.exp(zH[k]) / (1 + sp.exp(zH[k])),
            index=k,
            text=f"sigmoid outputs a^{H}_k = σ(z^{H}_k) = e^{{z^{H}_k}}/(1 + e^{{z^{H}_k}})",
        )
        if self.pairing == "sigmoid_bce":
            loss = Definition(
                J,
                sp.Sum(sp.log(1 + sp.exp(zH[k])) - y[k] * zH[k], (k, 1, K)),
                text=f"binary cross-entropy of σ(z^{H}), written with the logits "
                "(claim bce_with_logits)",
            )
        else:
            loss = Definition(
                J,
                sp.Rational(1, 2) * sp.Sum((aH[k] - y[k]) ** 2, (k, 1, K)),
                text="quadratic cost",
            )
        return (loss, sigmoid_output)

    def deltas(self) -> tuple[Definition, ...]:
        """δ^H from the pairing, then δ^l := (W^{l+1})ᵀ δ^{l+1} ⊙ g′(z^l) down to layer 1."""
        H = self.output
        aH = self.a(H)
        output_delta = aH[k] - y[k]
        if self.pairing == "quadratic":
            output_delta = (aH[k] - y[k]) * aH[k] * (1 - aH[k])
        definitions = [
            Definition(
                self.delta(H),
                output_delta,
                index=k,
                text=PAIRINGS[self.pairing].delta_words.replace("H", str(H)),
            )
        ]
        for layer in range(self.depth, 0, -1):
            definitions.append(
                Definition(
                    self.delta(layer),
                    sp.Sum(
                        self.W(layer + 1)[k, j] * self.delta(layer + 1)[k],
                        (k, 1, self.width(layer + 1)),
                    )
                    * g_prime_at(self.z(layer)[j]),
                    index=j,
                    text=f"delta of layer {layer}: δ^{layer} := (W^{layer + 1})ᵀ δ^{layer + 1} "
                    f"⊙ g′(z^{layer})",
                )
            )
        return tuple(definitions)

    def definitions(self) -> tuple[Definition, ...]:
        return (*self.output_layer(), *self.forward(), *self.deltas())

    # ------------------------------------------------------------------ the derivation

    def chain(self, layer: int, named: int, weight: bool) -> sp.Expr:
        """∂J/∂W^layer_{r,s} (or ∂J/∂b^layer_r) with δ^named named, ``named ≥ layer``:

            Σ_{k_m} δ^m_{k_m} Σ_{k_{m−1}} W^m_{k_m,k_{m−1}} g′(z^{m−1}_{k_{m−1}}) …
                W^{l+1}_{k_{l+1},r} g′(z^l_r) · a^{l−1}_s,

        the chain rule from layer m = ``named`` down to unit r of ``layer``.
        """
        r, s = row_indices(layer)
        factor = self.a(layer - 1)[s] if weight else sp.Integer(1)
        if named == layer:
            return self.delta(layer)[r] * factor

        def below(current: int, unit: sp.Expr) -> sp.Expr:
            """∂z^current_unit/∂(the parameter), for layer < current ≤ named."""
            if current == layer + 1:
                return self.W(current)[unit, r] * g_prime_at(self.z(layer)[r]) * factor
            inner = self.unit(current - 1)
            return sp.Sum(
                self.W(current)[unit, inner]
                * g_prime_at(self.z(current - 1)[inner])
                * below(current - 1, inner),
                (inner, 1, self.width(current - 1)),
            )

        top = self.unit(named)
        return sp.Sum(self.delta(named)[top] * below(named, top), (top, 1, self.width(named)))

    def derivative(self, layer: int, weight: bool) -> sp.Derivative:
        r, s = row_indices(layer)
        parameter = self.W(layer)[r, s] if weight else self.b(layer)[r]
        return sp.Derivative(J, parameter)

    def ranges(self, layers: Sequence[int]) -> tuple[IndexRange, ...]:
        """r_l over the units of layer l, s_l over those of layer l − 1."""
        found = []
        for layer in layers:
            r, s = row_indices(layer)
            found.append(IndexRange(r, sp.Integer(1), self.width(layer)))
            found.append(IndexRange(s, sp.Integer(1), self.width(layer - 1)))
        return tuple(found)


def network(depth: int, pairing: str) -> Network:
    if depth not in DEPTHS:
        raise ValueError(f"depth must be one of {DEPTHS} hidden layers, not {depth!r}")
    if pairing not in PAIRINGS:
        raise ValueError(f"pairing must be one of {', '.join(PAIRINGS)}, not {pairing!r}")
    return Network(depth, pairing)


def _first_step_words(net: Network) -> str:
    H = net.output
    output = {
        "softmax_ce": f"∂J/∂z^{H}_k = a^{H}_k Σ_c y_c − y_k = a^{H}_k − y_k "
        "(hypothesis Σ_c y_c = 1)",
        "sigmoid_bce": f"∂J/∂z^{H}_k = σ(z^{H}_k) − y_k = a^{H}_k − y_k",
        "quadratic": f"∂J/∂z^{H}_k = (a^{H}_k − y_k) σ′(z^{H}_k)",
    }[net.pairing]
    return (
        f"chain rule through the whole network, with δ^{H} := ∂J/∂z^{H} named: {output}; "
        f"only unit r_l of layer l depends on W^l_(r_l, s_l) and b^l_(r_l)"
    )


def network_claim(depth: int, pairing: str, layers: Sequence[int] | None = None) -> Claim:
    """∂J/∂W^l and ∂J/∂b^l, for every layer l, of the network of ``depth`` hidden layers.

    One row per parameter (W^1, b^1, …, W^H, b^H; or only those of ``layers``).  Step 1 is
    SymPy's derivative with the output layer's delta δ^H named, so it carries the
    pairing's algebra (and the hypothesis Σ_c y_c = 1 for softmax); step t + 1 names
    δ^{H−t}, swapping two finite sums; a row is finished at its own layer's delta.
    """
    net = network(depth, pairing)
    H = net.output
    layers = tuple(range(1, H + 1)) if layers is None else tuple(layers)
    if not layers or any(not 1 <= layer <= H for layer in layers):
        raise ValueError(f"layers must be among 1..{H} for {depth} hidden layer(s): {layers!r}")
    pairing_data = PAIRINGS[pairing]
    rows = [(layer, weight) for layer in layers for weight in (True, False)]
    lhs = sp.ImmutableMatrix([net.derivative(*row) for row in rows])
    steps = []
    for named in range(H, min(layers) - 1, -1):
        expr = sp.ImmutableMatrix(
            [net.chain(layer, max(named, layer), weight) for layer, weight in rows]
        )
        if named == H:
            steps.append(Step(expr, _first_step_words(net), pairing_data.hypotheses))
        else:
            definition = (
                f"definition of δ^{named} := (W^{named + 1})ᵀ δ^{named + 1} ⊙ g′(z^{named})"
            )
            if named > min(layers):  # the rows of the layers below also swap two sums
                definition = (
                    f"swap the finite sums over k_{named + 1} and k_{named} in the rows below "
                    f"layer {named}; {definition}"
                )
            steps.append(Step(expr, definition))
    widths = ", ".join(str(net.width(n)) for n in range(0, H + 1))
    hidden = f"{depth} hidden layer{'s' if depth > 1 else ''}"
    suffix = "" if layers == tuple(range(1, H + 1)) else "_layers" + "".join(map(str, layers))
    return Claim(
        name=f"network_{pairing}_{depth}_hidden{suffix}",
        title=f"Whole network, {hidden}, {pairing_data.words}: "
        "∂J/∂W^l = δ^l (a^(l−1))ᵀ and ∂J/∂b^l = δ^l for every layer",
        lhs=lhs,
        result=steps[-1].expr,
        steps=tuple(steps),
        definitions=net.definitions(),
        hypotheses=pairing_data.hypotheses,
        ranges=net.ranges(layers),
        sizes=f"symbolic widths {widths}; any g; no premise",
        summary=f"Backpropagation for a network with {hidden}, computed by SymPy from the loss "
        "of the whole network: every layer's gradient is δ^l (a^(l−1))ᵀ and δ^l.",
    )


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


#: the networks of the catalogue: both cross-entropy pairings at every depth, the quadratic
#: cost (for comparison) with one hidden layer; the deeper quadratic networks are proven by
#: the slow tests (``network_claim(depth, "quadratic")``)
CATALOGUED = (
    *((depth, pairing) for depth in DEPTHS for pairing in ("sigmoid_bce", "softmax_ce")),
    (1, "quadratic"),
)


def claims() -> list[Claim]:
    """``bce_with_logits``, the catalogued networks, then the batch network of
    :mod:`derivations.claims.network_batch`."""
    return [
        _bce_with_logits(),
        *(network_claim(depth, pairing) for depth, pairing in CATALOGUED),
        *network_batch.claims(),
    ]
