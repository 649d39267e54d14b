"""The order of the generated documents: parts, each a list of claim topics.

A *topic* is a module of :mod:`derivations.claims` (``"activations"``, ``"batch"``, ...).
Each part of the documents lists the topics it prints, in order; a topic in ``tables`` is
printed as one section with a table (claims that repeat one proof at fixed sizes, or at
several depths) instead of one section per claim.  A table may *feature* one of its claims:
that claim's derivation is printed in full, row by row, before the table (the whole-network
claims: one network end to end, then every network in a table).  To add a part or a claim
module, add it to :data:`PARTS`: :func:`arrange` refuses to leave a proven claim out of the
documents.  An entry of a part may also be one claim's name: that claim is printed there, at
that place, and not with the rest of its topic (a claim filed in one module for the proofs'
sake that a reader looks for elsewhere: ``softmax_sums_to_one`` is proven beside the softmax
Jacobian, ``bce_with_logits`` beside the networks that use it, and both are read with the
output layer).

The documents end with the errata and with "The whole algorithm"
(:mod:`derivations.rendering.algorithm`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from derivations.claims import topic_of
from derivations.rendering.content import ProvenClaim

__all__ = [
    "NETWORK_TABLE",
    "PARTS",
    "ArrangedPart",
    "ClaimTable",
    "Part",
    "TableSpec",
    "arrange",
]


@dataclass(frozen=True)
class TableSpec:
    """A topic printed as one section with a table: its title and what the table shows.

    ``columns`` names the table's layout (``"fixed_sizes"``: sizes, statement, steps,
    verdict, witness; ``"network"``: hidden layers, output and loss, the rows proven, steps,
    premise, witness).  ``prefix`` keeps only the topic's claims whose names start with it
    in the table (the others are printed as sections after it); ``featured`` names a claim
    of the table printed in full first, with ``featured_introduction`` before it.
    """

    topic: str
    title: str
    introduction: str
    columns: Literal["fixed_sizes", "network"] = "fixed_sizes"
    prefix: str = ""
    featured: str = ""
    featured_introduction: str = ""


@dataclass(frozen=True)
class Part:
    """One part of the documents: a title, a paragraph, the topics it holds (an entry may be
    a single claim's name instead: that claim is printed there, not with its topic)."""

    key: str
    title: str
    introduction: str
    topics: tuple[str, ...]
    #: topics printed as a single section with a table (one row per claim)
    tables: tuple[TableSpec, ...] = ()

    def table_for(self, topic: str) -> TableSpec | None:
        return next((spec for spec in self.tables if spec.topic == topic), None)


FIXED_SIZES_TABLE = TableSpec(
    "fixed_sizes",
    "Softmax cross-entropy δ = a − y at fixed K = 1..10 (plain symbols)",
    "An independent check of the proof for a symbolic number of classes: for each K from 1 "
    "to 10 the loss is written out term by term with plain symbols z_1..z_K, y_1..y_K (no "
    "sums, no indicator, no index ranges), SymPy differentiates it, puts the gradient over a "
    "common denominator (a Σ_c y_c − y) and substitutes the hypothesis y_1 + … + y_K = 1 to "
    "reach a − y.",
)


NETWORK_TABLE = TableSpec(
    "network",
    "Every network proven, at every depth",
    "Every whole-network claim, proven in the same way as the one above: SymPy differentiates "
    "the loss of the whole network with respect to one weight and one bias of every layer, and "
    "the engine checks each step down to that layer's error signal. Each row of the table is a "
    "separate proof, at symbolic widths and for any differentiable hidden activation g; none "
    "rests on a premise. The witness column says at how many points the independent witness "
    "compared the two sides at small sizes (“verified-backprop show” followed by the claim's "
    "name lists them).",
    columns="network",
    prefix="network_",
    featured="network_softmax_ce_2_hidden",
    featured_introduction="One network end to end: two hidden layers, so that the derivation "
    "shows both the step at the output layer and one step of the recursion from one hidden "
    "layer to the one below. The network is given as a list of named quantities: the forward "
    "pass, the loss, and the error signals δ^l that backpropagation computes. The derivation "
    "then treats each weight and bias as one row of a column: each row is shown on its own, "
    "with its value after each step that changes it and that step's number (a row is finished "
    "once its own layer's error signal is named; later steps leave it as it is). SymPy checks "
    "each step for all rows at once.",
)

PARTS: tuple[Part, ...] = (
    Part(
        "activations",
        "Activations",
        "The derivative of each activation function, computed by SymPy from its definition.",
        ("activations",),
    ),
    Part(
        "information",
        "What cross-entropy measures",
        "Cross-entropy is the entropy of the labels plus the KL divergence from the labels to "
        "the model's outputs, and the KL divergence is never negative: minimising the loss "
        "brings the model's distribution to the labels' (what “aligns the distributions” "
        "means, and when).",
        ("information",),
    ),
    Part(
        "output",
        "The output layer",
        "The error signal δ = ∂J/∂z at the output, for each pairing of output activation and "
        "loss: where the σ′ factor cancels, and where it does not.",
        (
            "sigmoid_ce",
            "bce_with_logits",
            "softmax_sums_to_one",
            "softmax_ce",
            "fixed_sizes",
            "quadratic",
        ),
        tables=(FIXED_SIZES_TABLE,),
    ),
    Part(
        "layer",
        "One layer",
        "From the error signal of one layer to the gradients of its weights and biases and "
        "to the error signal of the layer below. These claims are the induction step of "
        "backpropagation for a network of any depth, and they rest on a premise: J enters "
        "through its first-order form, which is the multivariable chain rule (each verdict "
        "below names it). The base cases, whole networks proven from the loss itself with no "
        "premise, are in the next part.",
        ("recursion",),
    ),
    Part(
        "network",
        "Backpropagation for a whole network",
        "The loss of a whole network, every width a symbol and the hidden activation any "
        "differentiable g, differentiated by SymPy with respect to one weight and one bias of "
        "every layer: the backpropagation formulas (the error signal of the output layer, the "
        "recursion from each layer's error signal to the one below, the gradient of every "
        "weight and bias) follow with no premise: nothing here assumes the chain rule, SymPy "
        "applies it to the loss written out in full. These claims are the base cases (one, two "
        "and three hidden layers) of the layer recursion of the previous part, which is the "
        "induction step for any depth and rests on the chain rule as a premise.",
        ("network",),
        tables=(NETWORK_TABLE,),
    ),
    Part(
        "batch",
        "The batch",
        "A mini-batch of m examples as the columns of Z, with the cost J the mean of their "
        "losses: where the 1/m goes. Like the layer claims, these rest on the chain rule as a "
        "premise (J's first-order form in Z).",
        ("batch",),
    ),
    Part(
        "curvature",
        "Curvature",
        "The softmax Jacobian and the Hessian of the softmax cross-entropy in the logits.",
        ("softmax_curvature",),
    ),
    Part(
        "convergence",
        "Convergence and the loss landscape",
        "The loss is convex in the output logits (the Hessian above) but not in the weights, "
        "and with one-hot labels it can have no minimiser at all: in what sense gradient "
        "descent “converges to values that minimise the loss”.",
        ("convexity",),
    ),
    Part(
        "stability",
        "Computing without overflow",
        "Rewritten forms of the sigmoid and the softmax that never overflow in floating "
        "point, proven equal to the formulas as written.",
        ("stability",),
    ),
)


@dataclass(frozen=True)
class ClaimTable:
    """Claims printed together as one table (see :class:`TableSpec`), and the claim among
    them printed in full before the table, if the spec features one."""

    spec: TableSpec
    claims: tuple[ProvenClaim, ...]
    featured: ProvenClaim | None = None


@dataclass(frozen=True)
class ArrangedPart:
    """A part with what it prints, in order: single claims and tables of claims."""

    part: Part
    items: tuple[ProvenClaim | ClaimTable, ...]

    def names(self) -> list[str]:
        names = []
        for item in self.items:
            group = item.claims if isinstance(item, ClaimTable) else (item,)
            names += [proven.claim.name for proven in group]
        return names


def arrange(claims: Sequence[ProvenClaim], parts: Sequence[Part] = PARTS) -> list[ArrangedPart]:
    """The proven claims sorted into ``parts`` (in the parts' topic order, then catalogue
    order; a claim a part names itself goes there); ValueError if a claim's topic is in no
    part (it would be missing from the documents)."""
    entries = {entry for part in parts for entry in part.topics}
    by_name = {proven.claim.name: proven for proven in claims if proven.claim.name in entries}
    by_topic: dict[str, list[ProvenClaim]] = {}
    for proven in claims:
        if proven.claim.name not in by_name:
            by_topic.setdefault(topic_of(proven.claim.name), []).append(proven)
    missing = sorted(set(by_topic) - entries)
    if missing:
        raise ValueError(
            f"the claims of {', '.join(missing)} are in no part of the documents: add each "
            "topic to a Part in derivations/rendering/outline.py (PARTS)"
        )
    arranged = []
    for part in parts:
        items: list[ProvenClaim | ClaimTable] = []
        for topic in part.topics:
            if topic in by_name:  # a single claim placed by its name
                items.append(by_name[topic])
                continue
            group = tuple(by_topic.get(topic, ()))
            spec = part.table_for(topic)
            tabled = tuple(p for p in group if spec and p.claim.name.startswith(spec.prefix))
            if spec is not None and tabled:
                featured = next((p for p in tabled if p.claim.name == spec.featured), None)
                if spec.featured and featured is None:
                    raise ValueError(
                        f"the table of {topic} features {spec.featured!r}, which is not among "
                        "its claims: change featured in derivations/rendering/outline.py"
                    )
                items.append(ClaimTable(spec, tabled, featured))
                names = {p.claim.name for p in tabled}
                items += [p for p in group if p.claim.name not in names]
            else:
                items += group
        if items:
            arranged.append(ArrangedPart(part, tuple(items)))
    return arranged
