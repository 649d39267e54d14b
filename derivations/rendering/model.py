"""The document model: a small tree of blocks, built once from the verified content.

:func:`derivations.rendering.build.build_document` builds a :class:`Document` from
:class:`derivations.rendering.content.DocumentContent`; the renderers walk the tree and
print it: :mod:`derivations.rendering.markdown` (``derivations.md``, ``errata.md``),
:mod:`derivations.rendering.tex` (``derivations.tex``) and :mod:`derivations.rendering.html`
(the web site).  The model holds no format: mathematics is LaTeX (what
:func:`derivations.rendering.latex.latex` prints from the SymPy objects, or what a source
document wrote), prose is split into :data:`Inline` pieces once, with :func:`inline`, and
links name an anchor (``claim-softmax_ce_delta``), never a file: the renderer knows which
page holds which anchor.  ``kind`` fields say what a node is, for a renderer's layout.

* inline pieces: :class:`Text`, :class:`Math`, :class:`Code`, :class:`Strong`,
  :class:`Emph`, :class:`Link`, :class:`Words` (a source's own words), :class:`Either`
  (what a page with links says, and what a printed document says);
* blocks: :class:`Paragraph`, :class:`RunIn` (a run-in heading: "Statement"),
  :class:`Facts` (a claim's name and facts), :class:`Hypothesis`, :class:`Display` (one
  displayed equation), :class:`Equations` (several, from the output layer down),
  :class:`Derivation` (numbered equation rows, each with its reason), :class:`Definitions`,
  :class:`Fields` (labelled entries: source, verdict, ...), :class:`ItemList`,
  :class:`Table`, :class:`CodeBlock`, :class:`Quote`, :class:`Aside` (what only the web
  site shows: the sources' words beside a claim's verdict);
* :class:`Section` (a titled, anchored group of blocks and subsections; a top-level section
  is a page of the site) and :class:`Document`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from derivations.rendering.prose import docstring_pieces, segments

__all__ = [
    "BLOCK_METHODS",
    "MISTAKES",
    "Aside",
    "Block",
    "Code",
    "CodeBlock",
    "DefinitionItem",
    "Definitions",
    "Derivation",
    "Display",
    "Document",
    "Either",
    "Emph",
    "EquationRow",
    "Equations",
    "Facts",
    "Field",
    "Fields",
    "Hypothesis",
    "Inline",
    "ItemList",
    "Link",
    "Math",
    "Paragraph",
    "Quote",
    "Renderer",
    "RunIn",
    "Section",
    "Strong",
    "Table",
    "TableRow",
    "Text",
    "Words",
    "docstring_inline",
    "inline",
    "plain_text",
]


#: the anchor of the page of the known mistakes: the web site's; the printed documents leave
#: it out (``mistakes.md`` lists them: :mod:`derivations.rendering.mistakes`)
MISTAKES = "mistakes"


# ---------------------------------------------------------------------- inline


@dataclass(frozen=True)
class Text:
    """Prose, as written (no markup)."""

    text: str


@dataclass(frozen=True)
class Math:
    """An inline formula, LaTeX."""

    latex: str


@dataclass(frozen=True)
class Code:
    """Verbatim text: a claim's name (``kind="name"``), a line of code, a source's code or
    key (``kind="verbatim"``: long, to be broken anywhere it can)."""

    text: str
    kind: str = ""


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Emph:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Link:
    """A link to an anchor of the document (``target`` is the anchor, without ``#``)."""

    target: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Words:
    """A source document's own words, as ``quote_pieces`` splits them: (kind, text) with
    kind ``"text"``, ``"math"`` or ``"code"``; a renderer sets them apart by spaces."""

    pieces: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Either:
    """The same point made two ways: ``linked`` on a page with links (the web site),
    ``printed`` in a printed document (Markdown, LaTeX), where the link's target is a
    heading of its own."""

    linked: tuple[Inline, ...]
    printed: tuple[Inline, ...]


Inline = Text | Math | Code | Strong | Emph | Link | Words | Either


def inline(text: str) -> tuple[Inline, ...]:
    """Unicode prose with formulas in it (a claim's title, a reason) as inline pieces:
    the same split as the LaTeX and Markdown documents (:func:`prose.segments`)."""
    pieces: list[Inline] = []
    for segment in segments(text):
        if segment.kind == "math":
            pieces.append(Math(segment.content))
        elif segment.kind == "code":
            pieces.append(Code(segment.content))
        else:
            pieces.append(Text(segment.content))
    return tuple(pieces)


def docstring_inline(text: str) -> tuple[Inline, ...]:
    """A docstring paragraph (````x````, ``:mod:`x```, ``**x**``) as inline pieces."""
    pieces: list[Inline] = []
    for piece in docstring_pieces(text):
        if piece.kind == "math":
            pieces.append(Math(piece.content))
        elif piece.kind == "code":
            pieces.append(Code(piece.content))
        elif piece.kind == "bold":
            pieces.append(Strong(inline(piece.content)))
        else:
            pieces.extend(inline(piece.content))
    return tuple(pieces)


def plain_text(pieces: tuple[Inline, ...]) -> str:
    """The pieces as plain text (formulas as their LaTeX): for a page's ``<title>``."""
    out = []
    for piece in pieces:
        if isinstance(piece, Text | Code):
            out.append(piece.text)
        elif isinstance(piece, Math):
            out.append(piece.latex)
        elif isinstance(piece, Words):
            out.append(" ".join(text for _, text in piece.pieces))
        elif isinstance(piece, Either):
            out.append(plain_text(piece.linked))
        else:
            out.append(plain_text(piece.children))
    return "".join(out)


# ---------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``lead`` (bold, "Verdict.") starts it when given; ``kind`` names what
    it is (``"facts"``, ``"verdict"``, ``"witness"``) for the renderer's styling."""

    content: tuple[Inline, ...]
    lead: str = ""
    kind: str = ""


@dataclass(frozen=True)
class RunIn:
    """A run-in heading over the blocks that follow ("Statement"; "Derivation", with the
    ``note`` "row by row")."""

    title: str
    note: str = ""


@dataclass(frozen=True)
class Facts:
    """A claim's name and its facts (premise, sizes, index ranges ...), on one line."""

    name: str
    items: tuple[Field, ...]


@dataclass(frozen=True)
class Hypothesis:
    """A hypothesis of a claim: its name, what it says, and its formula (LaTeX)."""

    name: str
    text: tuple[Inline, ...]
    latex: str


@dataclass(frozen=True)
class Display:
    """One displayed equation (LaTeX), with an anchor when ``id`` is given."""

    latex: str
    id: str = ""


@dataclass(frozen=True)
class Equations:
    """Several equations shown together, ``(left, right)`` each (the rows of a claim about
    a column, from the output layer down; a printed document sets two to a line)."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class EquationRow:
    """One row of a derivation: ``left = right`` and the number of its step.

    ``left`` is empty on the rows that continue a chain; ``id`` is the row's anchor
    (``claim-softmax_ce_delta-eq-4``), so that a teacher can link one step."""

    left: str
    right: str
    number: int
    id: str = ""


@dataclass(frozen=True)
class Derivation:
    """A derivation: chains of numbered rows (one chain, or one per row of a column
    claim), then the reason for each step: (number, anchor, the reason)."""

    chains: tuple[tuple[EquationRow, ...], ...]
    reasons: tuple[tuple[int, str, tuple[Inline, ...]], ...]
    #: the claim's name (the Markdown marks a derivation with it, for the README to quote)
    name: str = ""


@dataclass(frozen=True)
class DefinitionItem:
    """``left := right``, what it is (``text``, prose as written), and ``lines``: the right
    side cut into lines for a narrow page (one line when short)."""

    left: str
    right: str
    text: str = ""
    lines: tuple[str, ...] = ()

    @property
    def label(self) -> tuple[Inline, ...]:
        return inline(self.text) if self.text else ()


@dataclass(frozen=True)
class Definitions:
    """Named quantities: ``left := right``, each with what it is."""

    items: tuple[DefinitionItem, ...]
    title: str = ""


@dataclass(frozen=True)
class Field:
    """One labelled entry of :class:`Fields`: an inline text and blocks under it;
    ``subject``, when given, is what the label speaks of ("Proven in" *a claim*)."""

    label: str
    content: tuple[Inline, ...] = ()
    blocks: tuple[Block, ...] = ()
    subject: tuple[Inline, ...] = ()


@dataclass(frozen=True)
class Fields:
    """Labelled entries (an erratum: source, the document says, our reading, verdict ...)."""

    items: tuple[Field, ...]


@dataclass(frozen=True)
class ItemList:
    items: tuple[tuple[Inline, ...], ...]
    ordered: bool = False


@dataclass(frozen=True)
class TableRow:
    """A row of a table; ``lead``, when given, is printed whole on a line of its own above
    the cells (a line of code, a long name: what must not be squeezed into a column)."""

    cells: tuple[tuple[Inline, ...], ...]
    id: str = ""
    lead: tuple[Inline, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table; ``kind`` names it (``"claims"``, ``"network"``, ``"sources"``,
    ``"census"``, ``"algorithm"``) for a renderer that lays each out its own way."""

    header: tuple[str, ...]
    rows: tuple[TableRow, ...]
    #: what the rows' leads are (the header of the line above the cells), if they have any
    lead: tuple[Inline, ...] = ()
    kind: str = ""


@dataclass(frozen=True)
class CodeBlock:
    text: str


@dataclass(frozen=True)
class Quote:
    """A source document's own words (prose, formulas, code), with where they come from."""

    blocks: tuple[Block, ...]
    cite: tuple[Inline, ...] = ()


@dataclass(frozen=True)
class Aside:
    """What only the web site shows (the sources' words beside a claim's verdict, linked
    to their errata); a printed document leaves it out."""

    blocks: tuple[Block, ...]


Block = (
    Paragraph
    | RunIn
    | Facts
    | Hypothesis
    | Display
    | Equations
    | Derivation
    | Definitions
    | Fields
    | ItemList
    | Table
    | CodeBlock
    | Quote
    | Aside
)


@dataclass(frozen=True)
class Section:
    """A titled section.  ``id`` is its anchor; ``short`` a plain title for the contents
    and the page's title (no formula); ``kind`` says what it is (``"claim"``, ``"part"``,
    ``"erratum"`` ...) for the renderer's styling."""

    id: str
    title: tuple[Inline, ...]
    blocks: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = ()
    short: str = ""
    kind: str = ""

    def walk(self) -> Iterator[Section]:
        """This section and every section under it, in document order."""
        yield self
        for section in self.sections:
            yield from section.walk()


@dataclass(frozen=True)
class Document:
    """The whole document: a title, an opening, and its top-level sections (pages)."""

    title: str
    opening: tuple[Block, ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------- renderers

#: what a renderer prints a block as (HTML: a string; Markdown, LaTeX: lines)
Printed = TypeVar("Printed")

#: the method of a :class:`Renderer` that prints each kind of block
BLOCK_METHODS: dict[type, str] = {
    Paragraph: "paragraph",
    RunIn: "run_in",
    Facts: "facts",
    Hypothesis: "hypothesis",
    Display: "display",
    Equations: "equations",
    Derivation: "derivation",
    Definitions: "definitions",
    Fields: "fields",
    ItemList: "item_list",
    Table: "table",
    CodeBlock: "code_block",
    Quote: "quote",
    Aside: "aside",
}


class Renderer(Generic[Printed]):
    """The walk over the model that every renderer shares: a renderer says how it prints
    each kind of inline piece (:meth:`text`, :meth:`math`, :meth:`code`, :meth:`strong`,
    :meth:`emph`, :meth:`link`) and of block (a method named after the block's class:
    :meth:`paragraph`, :meth:`run_in`, ... :meth:`aside`); ``linked`` says which side of an
    :class:`Either` it prints.  ``links=False`` where a link cannot be (inside a link, in a
    label): :meth:`link` prints its text alone."""

    linked = False

    def block(self, block: Block) -> Printed:
        """``block`` printed by the renderer's method for its kind (:data:`BLOCK_METHODS`)."""
        method = getattr(self, BLOCK_METHODS[type(block)], None)
        if method is None:
            raise TypeError(f"{type(self).__name__} prints no {type(block).__name__}")
        return method(block)

    def inline(self, pieces: tuple[Inline, ...], *, links: bool = True) -> str:
        out = []
        for piece in pieces:
            if isinstance(piece, Text):
                out.append(self.text(piece.text))
            elif isinstance(piece, Math):
                out.append(self.math(piece.latex))
            elif isinstance(piece, Code):
                out.append(self.code(piece.text, piece.kind))
            elif isinstance(piece, Words):
                out.append(self.words(piece))
            elif isinstance(piece, Either):
                chosen = piece.linked if self.linked else piece.printed
                out.append(self.inline(chosen, links=links))
            elif isinstance(piece, Strong):
                out.append(self.strong(self.inline(piece.children, links=links)))
            elif isinstance(piece, Emph):
                out.append(self.emph(self.inline(piece.children, links=links)))
            else:
                out.append(self.link(piece, links))
        return "".join(out)

    def text(self, text: str) -> str:
        raise NotImplementedError

    def math(self, latex: str) -> str:
        """An inline formula: ``$...$`` (the Markdown's and the LaTeX's)."""
        return f"${latex}$"

    def code(self, text: str, kind: str = "") -> str:
        raise NotImplementedError

    def words(self, words: Words) -> str:
        """A source's words: its pieces set apart by spaces (none before a comma)."""
        return " ".join(self.said(words)).replace(" ,", ",")

    def said(self, words: Words) -> list[str]:
        """The pieces of a source's words, each printed (its code verbatim)."""
        return [
            self.text(text)
            if kind == "text"
            else self.math(text)
            if kind == "math"
            else self.code(text, "verbatim")
            for kind, text in words.pieces
        ]

    def strong(self, inner: str) -> str:
        raise NotImplementedError

    def emph(self, inner: str) -> str:
        raise NotImplementedError

    def link(self, link: Link, links: bool) -> str:
        raise NotImplementedError
