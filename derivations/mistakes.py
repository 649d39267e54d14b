"""The known mistakes of backpropagation, each tied to the claim that proves the right formula.

Every entry has a stable id (used by ``check-backward`` and ``check-claim`` and in their JSON),
a one-line explanation, the claim proving the correct formula (its section of
``docs/derivations.md`` is the link), the source statement it refutes when a source document
makes it, and — where the mistake can be written as a formula for one of the quantities
``check-claim`` judges — that wrong formula, in the same syntax a user types.

The numeric side (reproducing each mistake in a whole backward pass, to diagnose a user's
code) lives in :mod:`impl.testing.mistakes`, keyed by the same ids.

The proofs: the cross-entropy output delta a − y (``sigmoid_bce_delta``, ``softmax_ce_delta``),
the quadratic-cost delta (a − y) ⊙ σ′(z) (``quadratic_sigmoid_delta``), the batch mean
∂J/∂Z = (1/m)(A − Y) (``batch_sigmoid_bce_delta``), the recursion
δˡ = (Wˡ⁺¹)ᵀδˡ⁺¹ ⊙ g′(zˡ) (``layer_recursion``), ∂J/∂Wˡ = δˡ(aˡ⁻¹)ᵀ (``weight_gradient``) and
the activation derivatives (``sigmoid_derivative``, ``tanh_derivative``, ``relu_derivative``).
Both batch-scale mistakes (no 1/m, and 1/m twice) link to the proof that ∂J/∂Z carries
exactly one factor 1/m.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["DOCUMENT", "KNOWN_MISTAKES", "KnownMistake", "mistake"]

#: the generated document the links point into
DOCUMENT = "docs/derivations.md"


@dataclass(frozen=True)
class KnownMistake:
    """One known mistake: id, explanation, the proof of the right formula, wrong formulas."""

    id: str
    explanation: str
    #: the claim proving the correct formula (``verified-backprop verify --claim NAME``)
    proof: str
    #: the source statement that makes this mistake (a key of the source catalogue), if any
    refutes: str = ""
    #: (check-claim kind, option) -> the wrong formula in check-claim's syntax
    formulas: Mapping[tuple[str, str], str] = field(default_factory=dict)

    @property
    def link(self) -> str:
        """Where the proof of the right formula is written out."""
        return f"{DOCUMENT}#claim-{self.proof}"


KNOWN_MISTAKES: tuple[KnownMistake, ...] = (
    KnownMistake(
        "extra-output-derivative",
        "δᴸ multiplied by h′(zᴸ): (a − y) ⊙ σ′(z) is the quadratic cost's delta (the code line "
        "of “Deriving Backpropagation with Cross-Entropy Loss”); with cross-entropy h′ cancels "
        "and δᴸ = aᴸ − y",
        "sigmoid_bce_delta",
        refutes="000-code-output-delta",
        formulas={
            ("output-delta", "sigmoid"): "(a - y)*a*(1 - a)",
            ("output-delta", "softmax"): "(a - y)*a*(1 - a)",
            ("batch-output-delta", "sigmoid"): "(a - y)*a*(1 - a)/m",
            ("batch-output-delta", "softmax"): "(a - y)*a*(1 - a)/m",
        },
    ),
    KnownMistake(
        "missing-output-derivative",
        "the quadratic cost without h′(zᴸ): its delta is (a − y) ⊙ σ′(z); a − y is the "
        "cross-entropy delta",
        "quadratic_sigmoid_delta",
        formulas={("output-delta", "sigmoid_quadratic"): "a - y"},
    ),
    KnownMistake(
        "sum-instead-of-mean",
        "no 1/m: the gradient of the batch sum Σᵢ Lᵢ, m times the gradient of J = (1/m) Σᵢ Lᵢ "
        "(“Neural Networks: Core Concepts and Backpropagation Derivations” §3.A)",
        "batch_sigmoid_bce_delta",
        refutes="001-output-dZ",
        formulas={
            ("batch-output-delta", "sigmoid"): "a - y",
            ("batch-output-delta", "softmax"): "a - y",
        },
    ),
    KnownMistake(
        "one-over-m-twice",
        "1/m applied twice: ∂J/∂Z = (1/m)(A − Y) and then (1/m) again in ∂J/∂W = (∂J/∂Z) Aᵀ and "
        "∂J/∂b, so every gradient is 1/m times the gradient of J = (1/m) Σᵢ Lᵢ (a common slip "
        "in course code: the mean is taken once)",
        "batch_sigmoid_bce_delta",
        formulas={("batch-output-delta", "sigmoid"): "(a - y)/m**2"},
    ),
    KnownMistake(
        "untransposed-weights",
        "Wˡ⁺¹ δˡ⁺¹ where (Wˡ⁺¹)ᵀ δˡ⁺¹ belongs in the hidden recursion (only runs when the "
        "layers are square)",
        "layer_recursion",
    ),
    KnownMistake(
        "relu-derivative-is-z",
        "ReLU′(z) = z for z > 0 (the activation table of “Neural Networks: Core Concepts and "
        "Backpropagation Derivations”); it is 1 for z > 0 and 0 for z < 0",
        "relu_derivative",
        refutes="001-relu-derivative",
        formulas={("activation-derivative", "relu"): "Piecewise((z, z > 0), (0, True))"},
    ),
    KnownMistake(
        "missing-activation-derivative",
        "no ⊙ g′(zˡ) in the hidden recursion: δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ g′(zˡ)",
        "layer_recursion",
    ),
    KnownMistake(
        "activation-derivative-of-a",
        "g′ applied to aˡ = g(zˡ) instead of zˡ, e.g. σ(a)(1 − σ(a)) for σ′(z)",
        "activation_backward",
        formulas={
            ("activation-derivative", "sigmoid"): "sigmoid(a)*(1 - sigmoid(a))",
            ("activation-derivative", "tanh"): "1 - tanh(a)**2",
        },
    ),
    KnownMistake(
        "derivative-formula-on-z",
        "g′ written in terms of a (a(1 − a), 1 − a²) but given z: z(1 − z) or 1 − z²",
        "sigmoid_derivative",
        formulas={
            ("activation-derivative", "sigmoid"): "z*(1 - z)",
            ("activation-derivative", "tanh"): "1 - z**2",
        },
    ),
    KnownMistake(
        "tanh-derivative-without-square",
        "tanh′ = 1 − a: the square is missing, tanh′(z) = 1 − tanh²(z)",
        "tanh_derivative",
        formulas={("activation-derivative", "tanh"): "1 - a"},
    ),
    KnownMistake(
        "weight-gradient-of-wrong-layer",
        "∂J/∂Wˡ = δˡ (aˡ)ᵀ instead of δˡ (aˡ⁻¹)ᵀ: the activations of the layer's own output, "
        "not its input (only runs when the layers are square)",
        "weight_gradient",
    ),
)


def mistake(identifier: str) -> KnownMistake:
    """The known mistake with this id (``KeyError`` naming the ids if there is none)."""
    for entry in KNOWN_MISTAKES:
        if entry.id == identifier:
            return entry
    raise KeyError(
        f"no known mistake {identifier!r}; the ids are "
        + ", ".join(entry.id for entry in KNOWN_MISTAKES)
    )
