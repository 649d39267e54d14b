"""The derivations as one :class:`~derivations.rendering.model.Document`, built once from the
verified content, that every renderer prints (Markdown, LaTeX, the web site).

Every formula is printed by :func:`derivations.rendering.latex.latex` from the SymPy objects
that were just verified, every piece of prose comes from the claims, the sources'
catalogue and :mod:`derivations.rendering.common`.  The document's top-level sections are
the pages of the site (and the sections of ``derivations.md`` and ``derivations.tex``,
which leave out the known mistakes: ``mistakes.md`` lists them):

* ``conventions``; one page per part of :data:`derivations.rendering.outline.PARTS`
  (``part-output`` ...), each claim a section anchored ``claim-<name>``, its statement
  ``claim-<name>-statement``, every step of its derivation ``claim-<name>-eq-<n>`` and the
  reason for it ``claim-<name>-why-<n>``;
* ``errata``: the refuted and qualified claims of the sources, the table of all of them
  (rows anchored ``source-<key>``), the counterexamples beyond the sources and the census
  (``census-<key>``);
* ``the-whole-algorithm`` and ``mistakes`` (the known mistakes).

Beside a claim's verdict stand the words of the source documents that the claim decides,
quoted, with the verdict on them (an :class:`~derivations.rendering.model.Aside`: the web
site's alone).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from derivations.kernel.language import Claim
from derivations.kernel.verdicts import Assessment, Verdict
from derivations.mistakes import KNOWN_MISTAKES
from derivations.rendering.algorithm import BACKWARD_PASS
from derivations.rendering.algorithm import INTRODUCTION as ALGORITHM_INTRODUCTION
from derivations.rendering.common import (
    HOW_TO_READ,
    INTRODUCTION,
    WHAT_PROVEN_RESTS_ON,
    claim_facts,
    definition_groups,
    errata_introduction,
    first_and_last,
    layer_order,
    matrix_rows,
    network_row,
    premise_sentence,
    proof_names,
    proven_statements,
    quote_pieces,
    range_latex,
    row_chains,
    source_citation,
    values_latex,
    verdict_sentence,
)
from derivations.rendering.content import DocumentContent, ProvenClaim, errata
from derivations.rendering.latex import latex, latex_lines
from derivations.rendering.model import (
    MISTAKES,
    Aside,
    Block,
    Code,
    DefinitionItem,
    Definitions,
    Derivation,
    Display,
    Document,
    Either,
    EquationRow,
    Equations,
    Facts,
    Field,
    Fields,
    Hypothesis,
    Inline,
    ItemList,
    Link,
    Math,
    Paragraph,
    Quote,
    RunIn,
    Section,
    Strong,
    Table,
    TableRow,
    Text,
    Words,
    docstring_inline,
    inline,
)
from derivations.rendering.outline import ArrangedPart, ClaimTable, arrange
from derivations.rendering.prose import docstring_blocks, one_line
from derivations.sources.census import INTRODUCTION as CENSUS_INTRODUCTION
from derivations.sources.census import CensusEntry, CensusVerdict

__all__ = [
    "TITLE",
    "Context",
    "build_document",
    "census_section",
    "claim_anchor",
    "claim_section",
    "equation_anchor",
    "erratum_section",
    "reason_anchor",
]

TITLE = "Backpropagation, proven with SymPy"


def claim_anchor(name: str) -> str:
    """The anchor of a claim (the same as in ``derivations.md``): ``claim-softmax_ce_delta``."""
    return "claim-" + name


def equation_anchor(name: str, number: int) -> str:
    """The anchor of step ``number`` of a claim's derivation."""
    return f"claim-{name}-eq-{number}"


def reason_anchor(name: str, number: int) -> str:
    """The anchor of the reason given for step ``number`` of a claim's derivation."""
    return f"claim-{name}-why-{number}"


class Context:
    """What every section needs to know: the claims proven (to link their names) and, for
    each claim, the source statements it decides (quoted beside its verdict).  Without
    content (one claim shown in a notebook): nothing to link, no sources beside."""

    def __init__(self, content: DocumentContent | None = None) -> None:
        self.known = content.claim_names() if content else set()
        self.errata_keys = {a.statement.key for a in errata(content.sources)} if content else set()
        self.beyond_keys = {a.statement.key for a in content.beyond} if content else set()
        self.catalogued = {a.statement.key for a in content.sources} if content else set()
        self.decided: dict[str, list[Assessment]] = {}
        for assessment in (*content.sources, *content.beyond) if content else ():
            for name in proof_names(assessment.statement):
                self.decided.setdefault(name, []).append(assessment)

    def reference(self, name: str) -> Inline:
        """A claim's name linked to its proof, a source statement's key to its verdict
        (when the documents hold them)."""
        code = Code(name, "name")
        if name in self.known:
            return Link(claim_anchor(name), (code,))
        if name in self.catalogued or name in self.beyond_keys:
            return Link(self.statement_anchor(name), (code,))
        return code

    def references(self, names: Sequence[str]) -> tuple[Inline, ...]:
        pieces: list[Inline] = []
        for at, name in enumerate(names):
            if at:
                pieces.append(Text(", "))
            pieces.append(self.reference(name))
        return tuple(pieces)

    def statement_anchor(self, key: str) -> str:
        """Where a source statement's verdict is explained: its erratum, else its row."""
        if key in self.errata_keys or key in self.beyond_keys:
            return "erratum-" + key
        return "source-" + key


# ---------------------------------------------------------------------- claims


def _facts(claim) -> Facts:
    items = [Field(label, inline(value)) for label, value in claim_facts(claim)]
    if claim.ranges:
        ranges: list[Inline] = []
        for at, index_range in enumerate(claim.ranges):
            ranges += [Text(", ")] if at else []
            ranges.append(Math(range_latex(index_range)))
        items.append(Field("index ranges", tuple(ranges)))
    return Facts(claim.name, tuple(items))


def _definitions(definitions, title: str = "") -> Definitions:
    return Definitions(
        tuple(
            DefinitionItem(latex(d.lhs), latex(d.expr), d.text, tuple(latex_lines(d.expr)))
            for d in definitions
        ),
        title,
    )


def _hypotheses(claim) -> list[Block]:
    return [
        Hypothesis(hypothesis.name, inline(hypothesis.text), latex(hypothesis.statement))
        for hypothesis in claim.hypotheses
    ]


def _reasons(claim) -> tuple[tuple[int, str, tuple[Inline, ...]], ...]:
    return tuple(
        (number, reason_anchor(claim.name, number), inline(step.why))
        for number, step in enumerate(claim.steps, start=1)
    )


def _derivation(claim) -> Derivation:
    rows = tuple(
        EquationRow(
            latex(claim.lhs) if number == 1 else "",
            latex(step.expr),
            number,
            equation_anchor(claim.name, number),
        )
        for number, step in enumerate(claim.steps, start=1)
    )
    return Derivation((rows,), _reasons(claim), claim.name)


def _column_derivation(claim) -> Derivation:
    """A claim about a column, row by row from the output layer down: each row's entry
    after each step that changes it; a step's anchor is on its first row."""
    lefts = list(claim.lhs) if isinstance(claim.lhs, sp.MatrixBase) else [claim.lhs]
    chains = row_chains(claim)
    anchored: set[int] = set()
    rows = []
    for row in layer_order(len(chains)):
        chain = []
        for at, (number, entry) in enumerate(chains[row]):
            anchor = "" if number in anchored else equation_anchor(claim.name, number)
            anchored.add(number)
            chain.append(
                EquationRow(latex(lefts[row]) if at == 0 else "", latex(entry), number, anchor)
            )
        rows.append(tuple(chain))
    return Derivation(tuple(rows), _reasons(claim), claim.name)


def _said(statement) -> tuple[Paragraph | None, list[Display]]:
    """A source's words: inline pieces (prose, formulas, code) and its displayed formulas."""
    pieces = quote_pieces(statement)
    words = tuple(piece for piece in pieces if piece[0] != "display")
    displays = [Display(text) for kind, text in pieces if kind == "display"]
    return (Paragraph((Words(words),)) if words else None), displays


def _sources_beside(claim: Claim, context: Context) -> list[Block]:
    """The words of the sources that this claim decides, quoted, with the verdict on them."""
    blocks: list[Block] = []
    for assessment in context.decided.get(claim.name, []):
        statement = assessment.statement
        said, displays = _said(statement)
        quoted: list[Block] = [said] if said else []
        quoted += displays
        cite = (
            Text(source_citation(statement) + ": "),
            Strong((Text(str(assessment.verdict)),)),
            Text(" ("),
            Link(context.statement_anchor(statement.key), (Code(statement.key),)),
            Text(")"),
        )
        blocks.append(Quote(tuple(quoted), cite))
    return blocks


def _verdict(claim: Claim, context: Context, sentence: str) -> list[Block]:
    blocks: list[Block] = [Paragraph(inline(sentence), lead="Verdict.", kind="verdict")]
    beside = _sources_beside(claim, context)
    if beside:
        lead = Paragraph(
            (Text("What the source documents say about it, and the verdict on their words:"),),
            lead="The sources.",
        )
        blocks.append(Aside((lead, *beside)))
    return blocks


def claim_section(claim: Claim, verdict: str, context: Context) -> Section:
    """One claim's section: facts, definitions, hypotheses, statement, derivation, and the
    ``verdict`` (:func:`~derivations.rendering.common.verdict_sentence` of its proof)."""
    blocks: list[Block] = [_facts(claim)]
    if claim.summary:
        blocks.append(Paragraph(inline(claim.summary)))
    if claim.definitions:
        blocks += [RunIn("Definitions"), _definitions(claim.definitions)]
    blocks += _hypotheses(claim)
    statement = Display(latex(claim.statement), f"claim-{claim.name}-statement")
    blocks += [RunIn("Statement"), statement]
    blocks += [RunIn("Derivation"), _derivation(claim)]
    blocks += _verdict(claim, context, verdict)
    return Section(
        claim_anchor(claim.name), inline(claim.title), tuple(blocks), short=claim.name, kind="claim"
    )


def _featured_section(proven: ProvenClaim, introduction: str, context: Context) -> Section:
    claim = proven.claim
    blocks: list[Block] = [_facts(claim)]
    if introduction:
        blocks.append(Paragraph(inline(introduction)))
    if claim.summary:
        blocks.append(Paragraph(inline(claim.summary)))
    blocks.append(RunIn("The network, as named quantities"))
    blocks += [_definitions(group, title) for title, group in definition_groups(claim.definitions)]
    blocks += _hypotheses(claim)
    blocks.append(RunIn("Statement"))
    rows = matrix_rows(claim.lhs, claim.result)
    blocks.append(
        Equations(tuple((latex(rows[at][0]), latex(rows[at][1])) for at in layer_order(len(rows))))
    )
    blocks += [RunIn("Derivation", "row by row"), _column_derivation(claim)]
    blocks += _verdict(claim, context, f"{verdict_sentence(proven)} {premise_sentence(claim)}")
    return Section(
        claim_anchor(claim.name), inline(claim.title), tuple(blocks), short=claim.name, kind="claim"
    )


def _claim_table(table: ClaimTable, context: Context) -> list[Section]:
    sections = []
    if table.featured is not None:
        sections.append(
            _featured_section(table.featured, table.spec.featured_introduction, context)
        )
    rows = []
    if table.spec.columns == "network":
        header = (
            "hidden layers",
            "output and loss",
            "rows proven",
            "steps",
            "verdict",
            "premise",
            "witness",
        )
        for proven in table.claims:
            row = network_row(proven)
            name: tuple[Inline, ...] = (Code(row.name, "name"),)
            anchor = claim_anchor(row.name)
            if proven is table.featured:
                name = (Link(anchor, name), Text(" (above)"))
                anchor = ""
            cells = (
                (Text(row.hidden),),
                inline(row.output),
                (Text(f"{row.count} rows"), Text(": "), Math(row.rows)),
                (Text(str(row.steps)),),
                (Text(row.verdict),),
                inline(row.premise),
                (Text(row.witness),),
            )
            rows.append(TableRow(cells, anchor, lead=name))
    else:
        header = ("claim", "sizes", "statement", "steps", "verdict", "witness")
        for proven in table.claims:
            claim = proven.claim
            cells = (
                (Code(claim.name, "name"),),
                inline(claim.sizes),
                (Math(first_and_last(matrix_rows(claim.lhs, claim.result))),),
                (Text(str(len(claim.steps))),),
                (Text(str(proven.verdict)),),
                (Text(proven.result.witness or "-"),),
            )
            rows.append(TableRow(cells, claim_anchor(claim.name)))
    kind = "network" if table.spec.columns == "network" else "claims"
    lead: tuple[Inline, ...] = (Text("claim"),) if kind == "network" else ()
    blocks = (Paragraph(inline(table.spec.introduction)), Table(header, tuple(rows), lead, kind))
    sections.append(
        Section(
            claim_anchor(table.spec.topic),
            inline(table.spec.title),
            blocks,
            short=table.spec.topic,
            kind="table",
        )
    )
    return sections


def _part(arranged: ArrangedPart, context: Context) -> Section:
    part = arranged.part
    sections: list[Section] = []
    for item in arranged.items:
        if isinstance(item, ClaimTable):
            sections += _claim_table(item, context)
        else:
            sections.append(claim_section(item.claim, verdict_sentence(item), context))
    return Section(
        f"part-{part.key}",
        inline(part.title),
        (Paragraph(inline(part.introduction)),),
        tuple(sections),
        short=part.title,
        kind="part",
    )


# ---------------------------------------------------------------------- other pages


def _conventions(content: DocumentContent) -> Section:
    blocks: list[Block] = []
    for kind, items in docstring_blocks(content.conventions):
        if kind == "bullets":
            blocks.append(ItemList(tuple(docstring_inline(item) for item in items)))
        else:
            blocks.append(Paragraph(docstring_inline(items[0])))
    return Section("conventions", (Text("Conventions"),), tuple(blocks), short="Conventions")


def _checked(statement) -> list[Display]:
    return [
        Display(f"{latex(left)} = {latex(right)}")
        for left, right in matrix_rows(statement.truth, statement.claimed)
    ]


def erratum_section(assessment: Assessment, context: Context) -> Section:
    """A source's claim checked: its words, our reading, what was checked, the verdict."""
    statement = assessment.statement
    fields = [Field("Source", (Text(source_citation(statement)),))]
    if statement.quote:
        said, displays = _said(statement)
        fields.append(
            Field("The document says", (), (Quote(((said,) if said else ()) + tuple(displays)),))
        )
    fields.append(Field("Our reading", inline(statement.wording)))
    checked = _checked(statement)
    fields.append(
        Field("Checked", (Text("whether" + (" both" if len(checked) > 1 else "")),), tuple(checked))
    )
    verdict: list[Inline] = [Strong((Text(str(assessment.verdict)),))]
    if assessment.verdict == Verdict.PROVEN_UNDER_ASSUMPTION and statement.assumption:
        verdict += [
            Text(", only when "),
            *inline(statement.assumption.text),
            Text(": "),
            Math(latex(statement.assumption.statement)),
        ]
    fields.append(Field("Verdict", tuple(verdict)))
    if assessment.counterexample is not None and assessment.truth_value is not None:
        fields.append(
            Field(
                "Counterexample",
                (
                    Text("at "),
                    Code(assessment.counterexample.describe()),
                    Text(" the true value is "),
                    Math(values_latex(assessment.truth_value)),
                    Text(" and the claimed formula gives "),
                    Math(values_latex(assessment.claimed_value)),
                    Text("."),
                ),
            )
        )
    if statement.correction:
        fields.append(Field("Correct statement", inline(statement.correction)))
    for name, formula, condition in proven_statements(statement):
        when: tuple[Inline, ...] = (Text(" when "), Math(condition)) if condition else ()
        fields.append(
            Field("Proven in", (Math(formula), *when), subject=(context.reference(name),))
        )
    if statement.proof:
        fields.append(Field("Proof here", context.references(proof_names(statement))))
    title = (Code(statement.key), Text(f": {assessment.verdict}"))
    return Section("erratum-" + statement.key, title, (Fields(tuple(fields)),), kind="erratum")


def _census_said(entry: CensusEntry) -> tuple[Inline, ...]:
    """The source's words in one line: formulas rendered, code as code, the Markdown
    emphasis marks of the source dropped."""
    pieces: list[tuple[str, str]] = []
    for kind, text in quote_pieces(entry):
        if kind == "text":
            pieces.append(("text", text.replace("*", "")))
        elif kind in ("math", "display"):
            pieces.append(("math", one_line(text)))
        else:
            pieces.append(("code", text))
    return (Words(tuple(pieces)),)


def census_section(verdict: CensusVerdict, context: Context) -> Section:
    """A statement of the census of the sources, with its verdict and what decided it."""
    entry = verdict.entry
    fields = [
        Field("Source", (Text(source_citation(entry)),)),
        Field("The document says", (), (Quote((Paragraph(_census_said(entry)),)),)),
        Field("Our reading", inline(entry.reading)),
        Field("Verdict", (Strong((Text(verdict.verdict),)),)),
    ]
    if entry.key in context.catalogued:
        linked: tuple[Inline, ...] = (
            (Text("in "), Link("erratum-" + entry.key, (Text("the erratum of the same name"),)))
            if entry.key in context.errata_keys
            else (Text("in "), Link("source-" + entry.key, (Code(entry.key),)))
        )
        printed = (Text("in the erratum of the same name above."),)
        fields.append(Field("Details", (Either(linked, printed),)))
    else:
        fields.append(Field("Evidence (computed)", (Text(verdict.detail),)))
    if entry.correction:
        fields.append(Field("Correct statement", inline(entry.correction)))
    fields.append(Field("Decided by", context.references(list(entry.basis))))
    title = (Code(entry.key), Text(f": {verdict.verdict}"))
    return Section("census-" + entry.key, title, (Fields(tuple(fields)),), kind="erratum")


def _census(content: DocumentContent, context: Context) -> list[Section]:
    if not content.census:
        return []
    rows = []
    for verdict in content.census:
        entry = verdict.entry
        name: Inline = Code(entry.key, "verbatim")
        if verdict.is_erratum:
            name = Link("census-" + entry.key, (name,))
        cells = (
            (name,),
            (Text(source_citation(entry, short=True)),),
            _census_said(entry),
            inline(entry.reading),
            (Text(verdict.verdict),),
        )
        rows.append(TableRow(cells, "" if verdict.is_erratum else "census-" + entry.key))
    table = Section(
        "census-every-statement",
        (Text("Every statement of the sources"),),
        (
            Table(
                ("entry", "document, section", "the document says", "our reading", "verdict"),
                tuple(rows),
                kind="census",
            ),
        ),
        short="Every statement of the sources",
    )
    errata_sections = [census_section(v, context) for v in content.census if v.is_erratum]
    return [
        Section(
            "census",
            (Text("The census of the sources"),),
            (Paragraph(inline(CENSUS_INTRODUCTION)),),
            (*errata_sections, table),
            short="The census of the sources",
        )
    ]


def _errata(content: DocumentContent, context: Context) -> Section:
    sections = [erratum_section(a, context) for a in errata(content.sources)]
    rows = []
    for assessment in content.sources:
        statement = assessment.statement
        key: Inline = Code(statement.key, "verbatim")
        if statement.key in context.errata_keys:
            key = Link("erratum-" + statement.key, (key,))
        cells = (
            (key,),
            (Text(source_citation(statement, short=True)),),
            inline(statement.wording),
            (Text(str(assessment.verdict)),),
        )
        rows.append(TableRow(cells, "source-" + statement.key))
    sections.append(
        Section(
            "sources-all-claims",
            (Text("All claims of the source documents"),),
            (
                Table(
                    ("claim", "document, section", "our reading", "verdict"),
                    tuple(rows),
                    kind="sources",
                ),
            ),
            short="All claims of the source documents",
        )
    )
    if content.beyond:
        sections.append(
            Section(
                "beyond-the-sources",
                (Text("Counterexamples beyond the sources"),),
                (
                    Paragraph(
                        (Text("What goes wrong when a hypothesis of this project is dropped."),)
                    ),
                ),
                tuple(erratum_section(a, context) for a in content.beyond),
                short="Counterexamples beyond the sources",
            )
        )
    sections += _census(content, context)
    return Section(
        "errata",
        (Text("Errata"),),
        (Paragraph(inline(errata_introduction())),),
        tuple(sections),
        short="Errata",
    )


def _algorithm(context: Context) -> Section:
    rows = []
    for line in BACKWARD_PASS:
        proofs = context.references(list(line.claims)) if line.claims else (Text("-"),)
        # the line of code whole above what it computes (a line broken inside its
        # arguments misreads)
        rows.append(TableRow((inline(line.meaning), proofs), lead=(Code(line.code),)))
    lead = (Text("line of "), Code("backward_into"))
    table = Table(("what it computes", "proven by"), tuple(rows), lead, "algorithm")
    return Section(
        "the-whole-algorithm",
        (Text("The whole algorithm"),),
        (Paragraph(inline(ALGORITHM_INTRODUCTION)), table),
        short="The whole algorithm",
    )


def _mistakes(context: Context) -> Section:
    sections = []
    for entry in KNOWN_MISTAKES:
        fields = [Field("Proof of the right formula", (context.reference(entry.proof),))]
        if entry.refutes:
            target = context.statement_anchor(entry.refutes)
            fields.append(
                Field("Refuted in the source documents", (Link(target, (Code(entry.refutes),)),))
            )
        for (kind, option), formula in entry.formulas.items():
            flag = "--activation" if kind == "activation-derivative" else "--output"
            fields.append(
                Field("Refuted", (Code(f"check-claim {kind} '{formula}' {flag} {option}"),))
            )
        sections.append(
            Section(
                "mistake-" + entry.id,
                (Code(entry.id),),
                (Paragraph((Text(entry.explanation + "."),)), Fields(tuple(fields))),
                kind="mistake",
            )
        )
    opening = (
        "verified-backprop check-backward names every one that reproduces a wrong backward "
        "pass at its smallest failing case; verified-backprop check-claim names the one a "
        "refuted formula is."
    )
    return Section(
        MISTAKES,
        (Text("Known mistakes"),),
        (Paragraph((Text(opening),)),),
        tuple(sections),
        short="Known mistakes",
    )


def build_document(content: DocumentContent) -> Document:
    """The whole document: the opening, then its pages (the web site's pages, the sections
    of ``derivations.md`` and ``derivations.tex``)."""
    context = Context(content)
    opening: tuple[Block, ...] = (
        Paragraph(inline(INTRODUCTION)),
        Paragraph(inline(WHAT_PROVEN_RESTS_ON), lead="What “proven” rests on."),
        Paragraph(inline(HOW_TO_READ), lead="How to read a derivation."),
    )
    pages = [_conventions(content)]
    pages += [_part(arranged, context) for arranged in arrange(content.claims)]
    pages += [_errata(content, context), _algorithm(context), _mistakes(context)]
    return Document(TITLE, opening, tuple(pages))
