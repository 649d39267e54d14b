"""Backpropagation for a mini-batch, from the batch-mean cost itself: no premise.

The network of :mod:`derivations.claims.network` with one hidden layer (the "2-layer
network": W^1, b^1, W^2, b^2), every width a symbol (``n_0`` inputs, ``n_1`` hidden units,
``K`` outputs), any differentiable hidden activation ``g``, and a symbolic batch size ``m``.
Examples are columns (column ``t`` is example ``t``, ``t = 1..m``), ``X`` is the input:

    Z^1[j, t] = Σ_{i=1}^{n_0} W^1[j, i] X[i, t] + b^1[j],   A^1[j, t] = g(Z^1[j, t]),
    Z^2[k, t] = Σ_{j=1}^{n_1} W^2[k, j] A^1[j, t] + b^2[k],  A^2[k, t] = σ(Z^2[k, t]),
    J = (1/m) Σ_{t=1}^{m} L_t,   L_t = Σ_{k=1}^{K} [log(1 + e^{Z^2[k, t]}) − Y[k, t] Z^2[k, t]],

L_t the binary cross-entropy of example t written with the logits (claim
``bce_with_logits``).  SymPy differentiates J itself with respect to one weight and one bias
of each layer, and the engine proves (claim ``network_batch_sigmoid_bce_1_hidden``)

    Δ^2 = A^2 − Y,   Δ^1 = (W^2)ᵀ Δ^2 ⊙ g′(Z^1),
    ∂J/∂W^l[r, s] = (1/m) Σ_t Δ^l[r, t] A^{l−1}[s, t],   ∂J/∂b^l[r] = (1/m) Σ_t Δ^l[r, t],

that is ∂J/∂W^l = (1/m) Δ^l (A^{l−1})ᵀ and ∂J/∂b^l = (1/m) Δ^l 1 with A^0 = X.  The Δ^l
are the per-example deltas, column by column, so the mean's 1/m appears exactly once, in
the parameter gradients: the convention of :mod:`derivations.notation` (dZ = Δ is the
per-example derivative, dZ = m ∂J/∂Z), here proven from the cost rather than from J's
first-order form (premise P2 of :mod:`derivations.claims.batch`).
"""

from __future__ import annotations

import sympy as sp

from derivations.claims.network_parts import g_prime_at, row_indices
from derivations.kernel.language import Claim, Definition, IndexRange, Step
from derivations.notation import J, K, g, i, j, k, m

__all__ = ["BatchNetwork", "claims", "network_batch_claim"]

#: the example index: column t of a batch is example t
t = sp.Symbol("t", integer=True)

#: the input, one example per column, and the labels
X = sp.IndexedBase("X", real=True)
Y = sp.IndexedBase("Y", real=True)
#: the per-example loss L_t
L = sp.IndexedBase("L")

n_0 = sp.Symbol("n_0", integer=True, positive=True)
n_1 = sp.Symbol("n_1", integer=True, positive=True)


class BatchNetwork:
    """The symbols and definitions of the one-hidden-layer network on a batch of m."""

    widths = (n_0, n_1, K)

    def width(self, layer: int) -> sp.Symbol:
        return self.widths[layer]

    @staticmethod
    def W(layer: int) -> sp.IndexedBase:
        return sp.IndexedBase(f"W^{layer}", real=True)

    @staticmethod
    def b(layer: int) -> sp.IndexedBase:
        return sp.IndexedBase(f"b^{layer}", real=True)

    @staticmethod
    def Z(layer: int) -> sp.IndexedBase:
        return sp.IndexedBase(f"Z^{layer}")

    @staticmethod
    def A(layer: int) -> sp.IndexedBase:
        """A^l; A^0 is the input X."""
        return X if layer == 0 else sp.IndexedBase(f"A^{layer}")

    @staticmethod
    def Delta(layer: int) -> sp.IndexedBase:
        return sp.IndexedBase(f"Delta^{layer}")

    @staticmethod
    def unit(layer: int) -> sp.Symbol:
        """The summation index over the units of ``layer`` in the derivation's steps."""
        return sp.Symbol(f"k_{layer}", integer=True)

    def definitions(self) -> tuple[Definition, ...]:
        Z1, Z2, A1, A2 = self.Z(1), self.Z(2), self.A(1), self.A(2)
        return (
            Definition(J, sp.Sum(L[t], (t, 1, m)) / m, text="the batch-mean cost"),
            Definition(
                L,
                sp.Sum(sp.log(1 + sp.exp(Z2[k, t])) - Y[k, t] * Z2[k, t], (k, 1, K)),
                index=t,
                text="binary cross-entropy of example t, written with the logits "
                "(claim bce_with_logits)",
            ),
            Definition(
                Z1,
                sp.Sum(self.W(1)[j, i] * X[i, t], (i, 1, n_0)) + self.b(1)[j],
                index=(j, t),
                text="pre-activations of layer 1, example t (column t of the input X)",
            ),
            Definition(
                A1,
                g(Z1[j, t]),
                index=(j, t),
                text="activations of the hidden layer, any differentiable g",
            ),
            Definition(
                Z2,
                sp.Sum(self.W(2)[k, j] * A1[j, t], (j, 1, n_1)) + self.b(2)[k],
                index=(k, t),
                text="pre-activations of the output layer",
            ),
            Definition(
                A2,
                sp.exp(Z2[k, t]) / (1 + sp.exp(Z2[k, t])),
                index=(k, t),
                text="sigmoid outputs A^2[k, t] = σ(Z^2[k, t])",
            ),
            Definition(
                self.Delta(2),
                A2[k, t] - Y[k, t],
                index=(k, t),
                text="output delta of example t: Δ^2 := A^2 − Y",
            ),
            Definition(
                self.Delta(1),
                sp.Sum(self.W(2)[k, j] * self.Delta(2)[k, t], (k, 1, K)) * g_prime_at(Z1[j, t]),
                index=(j, t),
                text="hidden delta of example t: Δ^1 := (W^2)ᵀ Δ^2 ⊙ g′(Z^1)",
            ),
        )

    def derivative(self, layer: int, weight: bool) -> sp.Derivative:
        r, s = row_indices(layer)
        return sp.Derivative(J, self.W(layer)[r, s] if weight else self.b(layer)[r])

    def chain(self, layer: int, named: int, weight: bool) -> sp.Expr:
        """∂J/∂W^layer[r, s] (or ∂J/∂b^layer[r]) with Δ^named named:

        (1/m) Σ_t Δ^layer[r, t] A^{layer−1}[s, t]                          (named = layer),
        (1/m) Σ_t Σ_{k_2} Δ^2[k_2, t] W^2[k_2, r] g′(Z^1[r, t]) X[s, t]    (layer 1, named 2).
        """
        r, s = row_indices(layer)
        factor = self.A(layer - 1)[s, t] if weight else sp.Integer(1)
        if named == layer:
            term = self.Delta(layer)[r, t] * factor
        else:
            top = self.unit(2)
            term = sp.Sum(
                self.Delta(2)[top, t] * self.W(2)[top, r] * g_prime_at(self.Z(1)[r, t]) * factor,
                (top, 1, K),
            )
        return sp.Sum(term, (t, 1, m)) / m

    def ranges(self) -> tuple[IndexRange, ...]:
        found = []
        for layer in (1, 2):
            r, s = row_indices(layer)
            found.append(IndexRange(r, sp.Integer(1), self.width(layer)))
            found.append(IndexRange(s, sp.Integer(1), self.width(layer - 1)))
        return tuple(found)


def network_batch_claim() -> Claim:
    """``network_batch_sigmoid_bce_1_hidden``: ∂J/∂W^l = (1/m) Δ^l (A^{l−1})ᵀ and
    ∂J/∂b^l = (1/m) Σ_t Δ^l[:, t] for l = 1, 2, J the batch-mean binary cross-entropy.

    Step 1 is SymPy's derivative of the whole batch cost with Δ^2 named; step 2 names Δ^1.
    """
    net = BatchNetwork()
    rows = [(layer, weight) for layer in (1, 2) for weight in (True, False)]
    lhs = sp.ImmutableMatrix([net.derivative(*row) for row in rows])
    first = sp.ImmutableMatrix([net.chain(layer, 2, weight) for layer, weight in rows])
    second = sp.ImmutableMatrix([net.chain(layer, layer, weight) for layer, weight in rows])
    steps = (
        Step(
            first,
            "chain rule through the whole network for each example t, with Δ^2 := ∂L_t/∂Z^2 "
            "named: ∂L_t/∂Z^2[k, t] = σ(Z^2[k, t]) − Y[k, t] = A^2[k, t] − Y[k, t]; only "
            "row r_l of Z^l depends on W^l_(r_l, s_l) and b^l_(r_l); the mean's 1/m stays "
            "outside the sum over the examples",
        ),
        Step(second, "definition of Δ^1 := (W^2)ᵀ Δ^2 ⊙ g′(Z^1), column by column"),
    )
    return Claim(
        name="network_batch_sigmoid_bce_1_hidden",
        title="Whole network on a batch of m, 1 hidden layer, sigmoid outputs, binary "
        "cross-entropy: ∂J/∂W^l = (1/m) Δ^l (A^(l−1))ᵀ and ∂J/∂b^l = (1/m) Σ_t Δ^l[:, t]",
        lhs=lhs,
        result=second,
        steps=steps,
        definitions=net.definitions(),
        ranges=net.ranges(),
        sizes="symbolic widths n_0, n_1, K and batch size m; any g; no premise",
        summary="Backpropagation for a batch of m examples, computed by SymPy from the mean "
        "cost of the whole network: every layer's gradient is (1/m) Δ^l (A^(l−1))ᵀ and "
        "(1/m) Σ_t Δ^l[:, t], the 1/m of the mean exactly once.",
    )


def claims() -> list[Claim]:
    return [network_batch_claim()]
