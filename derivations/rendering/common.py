"""What the document says about the verified content, worked out once for the model's builder.

The sentences here are Unicode prose in the style of the claims' own texts (the builder,
:mod:`derivations.rendering.build`, splits them into the model's inline pieces); the
formulas come from :mod:`derivations.rendering.latex`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from derivations.claims.network import PAIRINGS
from derivations.kernel.engine import PROVEN_RESTS_ON, subject_of
from derivations.kernel.language import Claim, Definition, IndexRange
from derivations.kernel.verdicts import CheckedStatement, Verdict
from derivations.kernel.wellformed import domain
from derivations.rendering.content import ProvenClaim
from derivations.rendering.latex import indexed_base_latex, latex
from derivations.sources.census import CensusEntry
from derivations.sources.documents import THIS_PROJECT, document_of

__all__ = [
    "HOW_TO_READ",
    "INTRODUCTION",
    "WHAT_PROVEN_RESTS_ON",
    "NetworkRow",
    "claim_facts",
    "definition_groups",
    "errata_introduction",
    "first_and_last",
    "layer_order",
    "matrix_rows",
    "network_row",
    "premise_sentence",
    "proof_names",
    "quote_pieces",
    "range_latex",
    "row_chains",
    "source_citation",
    "values_latex",
    "verdict_sentence",
]

INTRODUCTION = (
    "Every formula below is printed from the SymPy objects that the proofs check: the "
    "claims, their definitions, hypotheses and steps in derivations/claims, and the verdicts "
    "on the two source documents, “Deriving Backpropagation with Cross-Entropy Loss” and "
    "“Neural Networks: Core Concepts and Backpropagation Derivations”, in "
    "derivations/sources/catalogue.py. The document is written by the command "
    "“verified-backprop docs”, which runs every proof first and refuses to write anything "
    "that SymPy does not confirm. In each derivation, SymPy computes the derivative on the "
    "left from the definitions itself, and checks every step against the one before it; "
    "the justification beside a step is the reason given for it, the check is SymPy's."
)

#: what "proven" rests on: the same paragraph as ``verified-backprop verify --help``
WHAT_PROVEN_RESTS_ON = PROVEN_RESTS_ON

#: said once, instead of under every claim
HOW_TO_READ = (
    "Each claim below gives its definitions, the hypotheses it assumes (if any), its "
    "statement and its derivation. SymPy computes the derivative on the left from the "
    "definitions itself (or, for an identity, unfolds the definitions) and checks every step "
    "against the one before; the last step is the claimed result. The number beside a step "
    "refers to its justification, listed under the derivation: the justification is the "
    "reason given, the check is SymPy's. A hypothesis is used only where a step names it. "
    "Each claim's verdict line then says whether it needed a hypothesis, what the "
    "independent witness found, and any premise it rests on. Notation: δ is always an error "
    "signal ∂J/∂z; [i = j] is 1 when i = j and 0 otherwise (the Kronecker delta)."
)


def claim_facts(claim: Claim) -> list[tuple[str, str]]:
    """Short labelled facts printed under a claim's title: sizes, and the domain (every
    assumption on a symbol, as the engine prints it)."""
    facts = []
    if claim.sizes:
        facts.append(("sizes", claim.sizes))
    printed = domain(subject_of(claim))
    if printed:
        facts.append(("domain", "; ".join(printed)))
    return facts


def range_latex(index_range: IndexRange) -> str:
    """``1 \\leq j \\leq K`` from the range object the proof uses."""
    return f"{latex(index_range.lo)} \\leq {latex(index_range.index)} \\leq {latex(index_range.hi)}"


def verdict_sentence(proven: ProvenClaim) -> str:
    """The claim's verdict in one short paragraph (what every claim shares is in
    :data:`HOW_TO_READ`; no timings: the documents are deterministic)."""
    claim = proven.claim
    steps = len(claim.steps)
    checked = "its single step" if steps == 1 else f"its {steps} steps"
    if proven.verdict == Verdict.PROVEN_UNDER_ASSUMPTION:
        names = ", ".join(f"“{hypothesis.name}”" for hypothesis in claim.hypotheses)
        label = "hypothesis" if len(claim.hypotheses) == 1 else "hypotheses"
        verdict = f"Proven under the {label} {names}; SymPy checked {checked}."
    else:
        verdict = f"Proven, with no hypothesis; SymPy checked {checked}."
    checks = ""
    if claim.extra_checks:
        checks = " Further checks passed: " + "; ".join(name for name, _ in claim.extra_checks)
        checks += "."
    premises = "".join(f" Premise: {premise}" for premise in dict.fromkeys(claim.premises))
    witnessed = f" Witness: {proven.result.witness}." if proven.result.witness else ""
    return verdict + checks + witnessed + premises


def source_citation(statement: CheckedStatement | CensusEntry, *, short: bool = False) -> str:
    """Where a statement comes from: the document's title and the section."""
    document = document_of(statement.source)
    if short:
        return document.short + ("" if document is THIS_PROJECT else f", {statement.section}")
    return document.cite(statement.section)


#: a formula in Markdown: \[display\], $$display$$, $inline$ or \(inline\)
_QUOTED_MATH = re.compile(
    r"\\\[(?P<display>.*?)\\\]|\$\$(?P<block>.*?)\$\$|\$(?P<inline>[^$]+)\$"
    r"|\\\((?P<paren>.*?)\\\)",
    re.S,
)


def quote_pieces(statement: CheckedStatement | CensusEntry) -> list[tuple[str, str]]:
    """The source's words as (kind, text) pieces to typeset: ``text``, ``math`` (inline
    LaTeX), ``display`` (display LaTeX) or ``code``, following ``statement.quote_format``."""
    quote = statement.quote.strip()
    if statement.quote_format == "code":
        return [("code", quote)]
    if statement.quote_format == "latex":
        return [("display", quote)]
    if statement.quote_format == "text":
        return [("text", " ".join(quote.split()))]
    if quote.startswith("|"):  # a row of a Markdown table: its cells, bold marks removed
        cells = [cell.strip().strip("*").strip() for cell in quote.strip("|").split("|")]
        quote = f"{cells[0]}: " + " ".join(cells[1:]) + " (a row of the document's table)"
    pieces: list[tuple[str, str]] = []
    position = 0
    for match in _QUOTED_MATH.finditer(quote):
        if match.start() > position:
            pieces.append(("text", " ".join(quote[position : match.start()].split())))
        if match.group("inline") is not None or match.group("paren") is not None:
            pieces.append(("math", (match.group("inline") or match.group("paren")).strip()))
        else:
            pieces.append(("display", (match.group("display") or match.group("block")).strip()))
        position = match.end()
    if position < len(quote):
        pieces.append(("text", " ".join(quote[position:].split())))
    return [(kind, text) for kind, text in pieces if text]


def first_and_last(rows: list[tuple[sp.Basic, sp.Basic]]) -> str:
    """A column of equations in one line of LaTeX: all of them if two, else the first, …,
    the last."""
    shown = [f"{latex(left)} = {latex(right)}" for left, right in rows]
    if len(shown) > 2:
        shown = [shown[0], r"\dots", shown[-1]]
    return ", ".join(shown)


def matrix_rows(left: sp.Basic, right: sp.Basic) -> list[tuple[sp.Basic, sp.Basic]]:
    """``left = right`` as a list of scalar equations (one per row of a column of claims)."""
    if isinstance(left, sp.MatrixBase) and isinstance(right, sp.MatrixBase):
        return list(zip(left, right, strict=True))
    return [(left, right)]


def values_latex(value: sp.Basic) -> str:
    """A value for a sentence: a column of values as ``(0, \\frac{1}{2})``."""
    if isinstance(value, sp.MatrixBase):
        return r"\left(" + ", ".join(latex(entry) for entry in value) + r"\right)"
    return latex(value)


def proof_names(statement: CheckedStatement) -> list[str]:
    """The claims of the suite that prove (or disprove) a seed statement."""
    return [name.strip() for name in statement.proof.split(",") if name.strip()]


def errata_introduction() -> str:
    """The paragraph that opens the errata."""
    return (
        "Every mathematical claim of the two source documents, “Deriving Backpropagation with "
        "Cross-Entropy Loss” and “Neural Networks: Core Concepts and Backpropagation "
        "Derivations”, gets a verdict that SymPy computes: proven, proven only under an "
        "assumption, or refuted with a counterexample. The claims that are refuted or that "
        "need an assumption are listed first, each with the document's own words, our reading "
        "of it, the verdict, the exact values at the counterexample, and the correct "
        "statement; a table of all their claims follows."
    )


def proven_statements(statement: CheckedStatement) -> list[tuple[str, str, str]]:
    """(claim name, LaTeX of its verified statement, LaTeX of its hypotheses or "") for the
    claims a seed entry cites.

    The errata's prose correction is backed by these: printed from the very ``Claim``
    objects that ``verify`` checks, so the formula shown as correct is the proven one.
    """
    from derivations.claims import all_claims

    claims = all_claims()
    return [
        (
            name,
            latex(claims[name].statement),
            ", ".join(latex(hypothesis.statement) for hypothesis in claims[name].hypotheses),
        )
        for name in proof_names(statement)
        if name in claims and not isinstance(claims[name].lhs, sp.MatrixBase)
    ]


# ---------------------------------------------------------------------- whole networks


def premise_sentence(claim: Claim) -> str:
    """Whether ``claim`` rests on a premise, said plainly: the premises, or that there is
    none (what the documents say under a whole-network claim)."""
    premises = list(dict.fromkeys(claim.premises))
    if premises:
        return " ".join(f"Premise: {premise}" for premise in premises)
    return (
        "It rests on no premise: SymPy differentiated the loss of the whole network itself, "
        "and the first-order form of J (the chain rule) is not assumed anywhere."
    )


def row_chains(claim: Claim) -> list[list[tuple[int, sp.Basic]]]:
    """A claim about a column, row by row: for each row, (step number, the row's entry after
    that step) for each step that changes the row.

    A step that leaves a row as it was is left out of that row's chain (the whole-network
    claims finish a row at its own layer's error signal); the last entry of every chain is
    the row of the claimed result.  A claim about a single expression is one row.
    """
    rows = len(claim.lhs) if isinstance(claim.lhs, sp.MatrixBase) else 1
    chains: list[list[tuple[int, sp.Basic]]] = [[] for _ in range(rows)]
    for number, step in enumerate(claim.steps, start=1):
        entries = list(step.expr) if isinstance(step.expr, sp.MatrixBase) else [step.expr]
        for chain, entry in zip(chains, entries, strict=True):
            if not chain or chain[-1][1] != entry:
                chain.append((number, entry))
    return chains


def layer_order(rows: int) -> list[int]:
    """The rows of a whole-network column in the order backpropagation finds them: the rows
    come in pairs (the weight and the bias of one layer, from layer 1 up), printed from the
    output layer's pair down to layer 1's.  Rows that do not pair up keep their order."""
    if rows % 2:
        return list(range(rows))
    return [at + offset for at in range(rows - 2, -1, -2) for offset in (0, 1)]


def _stem_and_layer(definition: Definition) -> tuple[str, int]:
    """``("z", 2)`` for z^2, ``("delta", 3)`` for δ^3, ``("J", 0)`` for J."""
    stem, layer = indexed_base_latex(str(definition.name))
    return stem.lstrip("\\"), int(layer) if layer.isdigit() else 0


def definition_groups(definitions: Sequence[Definition]) -> list[tuple[str, list[Definition]]]:
    """A network's definitions as named quantities, in three groups: the forward pass
    (z^l and a^l, layer by layer from the input), the loss, and the error signals δ^l (in
    the claim's order, from the output layer down).  Empty groups are left out."""
    forward, loss, signals = [], [], []
    for definition in definitions:
        stem, _ = _stem_and_layer(definition)
        if stem == "delta":
            signals.append(definition)
        elif isinstance(definition.name, sp.IndexedBase):
            forward.append(definition)
        else:
            loss.append(definition)
    forward.sort(key=lambda d: (_stem_and_layer(d)[1], _stem_and_layer(d)[0] != "z"))
    groups = [
        ("The forward pass", forward),
        ("The loss", loss),
        ("The error signals, named", signals),
    ]
    return [(title, group) for title, group in groups if group]


_NETWORK_NAME = re.compile(
    r"^network_(?P<batch>batch_)?(?P<pairing>[a-z_]+?)_(?P<depth>\d+)_hidden"
)


@dataclass(frozen=True)
class NetworkRow:
    """One row of the table of whole-network claims (prose is Unicode, ``rows`` LaTeX)."""

    name: str
    hidden: str
    output: str
    #: the rows proven: the first and the last equation of the claimed column, LaTeX
    rows: str
    count: int
    steps: int
    verdict: str
    premise: str
    #: what the independent witness found, without the list of points (printed under the
    #: featured claim and by ``verified-backprop show``)
    witness: str


def network_row(proven: ProvenClaim) -> NetworkRow:
    """The table row of a whole-network claim ``network_<pairing>_<depth>_hidden``: its
    depth and output pairing (from its name), the rows it proves (from its statement)."""
    claim = proven.claim
    match = _NETWORK_NAME.match(claim.name)
    if match is None or match.group("pairing") not in PAIRINGS:
        raise ValueError(
            f"{claim.name!r} is not a whole-network claim (network_[batch_]<pairing>_<n>_hidden)"
        )
    rows = matrix_rows(claim.lhs, claim.result)
    premises = list(dict.fromkeys(claim.premises))
    return NetworkRow(
        name=claim.name,
        hidden=match.group("depth"),
        output=PAIRINGS[match.group("pairing")].words
        + (", mean over a batch of m examples" if match.group("batch") else ""),
        rows=first_and_last(rows),
        count=len(rows),
        steps=len(claim.steps),
        verdict=str(proven.verdict),
        premise="; ".join(premises) if premises else "none",
        witness=(proven.result.witness or "-").split(" (", 1)[0],
    )
