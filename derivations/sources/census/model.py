"""What a census entry is: a statement of a source, its kind, what decides it, and its verdict.

Both sources were read sentence by sentence, every table row and every code line.  Each
statement that asserts something gets a :class:`CensusEntry` (the entries themselves are the
data of :mod:`derivations.sources.census.deriving_backpropagation` and
:mod:`derivations.sources.census.core_concepts`): the verbatim quote, its section, our
reading, and

* for a **mathematical** statement, what decides it: catalogue statements
  (:mod:`derivations.sources.catalogue`), claims of the project (:mod:`derivations.claims`)
  and computed findings (:mod:`derivations.sources.findings`), with the verdict the project
  must compute;
* otherwise a kind of its own, with the reason: **definition** (it fixes what a symbol or a
  word means), **terminology** (a name or a description of a method, right or wrong by
  convention, not by computation), or **not decidable by computation** (practice, opinion,
  bibliography, text the source is missing).

A :class:`CensusVerdict` is what :func:`derivations.sources.census.judging.judge` makes of an
entry; a :class:`Skip` is text of a source that is not a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from derivations.kernel.verdicts import Verdict
from derivations.sources.catalogue import statement_of
from derivations.sources.documents import CORE_CONCEPTS, DERIVING_BACKPROPAGATION

__all__ = [
    "INTRODUCTION",
    "READABLE_COPY",
    "CensusEntry",
    "CensusVerdict",
    "Evidence",
    "Kind",
    "Skip",
    "catalogued",
    "quote_format_of",
]

#: the files the sources were read from (a statement's ``source``; the documents name them)
SOURCE_000, SOURCE_001 = DERIVING_BACKPROPAGATION.file, CORE_CONCEPTS.file

#: the paragraph that opens the census in the errata
INTRODUCTION = (
    "Beyond the displayed equations and code lines above, both sources were read sentence by "
    "sentence, every table row and code line. Every statement has an entry: the mathematical "
    "ones a verdict the project computes (from the sources' claims above, the proven claims, and "
    "computed findings: float64 evaluations against interval enclosures, shapes with symbolic "
    "sizes), the others a verdict of their kind (definition, terminology, or not decidable by "
    "computation, with the reason). The refuted and qualified entries come first, then the "
    "whole census. Headings, the table of contents, images, code fences, table headers and "
    "the byline are not statements and have no entry."
)
#: the text each source's quotes are checked against (000 through its repaired copy)
READABLE_COPY = {
    SOURCE_000: "000_435a14ef32276ca9.utf8.txt",
    SOURCE_001: "001_340bb29d14a240f1.txt",
}


class Kind(StrEnum):
    MATHEMATICAL = "mathematical"
    DEFINITION = "definition"
    TERMINOLOGY = "terminology"
    NOT_DECIDABLE = "not decidable by computation"


@dataclass(frozen=True, kw_only=True)
class CensusEntry:
    """One statement of a source with what decides it (built with named fields only)."""

    key: str
    source: str
    section: str
    quote: str
    reading: str
    kind: Kind
    #: catalogue statement keys, claim names and finding names whose verdicts decide it
    statements: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()
    #: the verdict the project must compute (mathematical entries)
    expected: Verdict | None = None
    #: for the other kinds: why it gets that verdict
    why: str = ""
    correction: str = ""
    #: how the quote is typeset ("markdown", "latex" or "code"); "" guesses from the quote
    quote_kind: str = ""

    @property
    def basis(self) -> tuple[str, ...]:
        return (*self.statements, *self.claims, *self.findings)

    @property
    def quote_format(self) -> str:
        """How the documents typeset the quote (see :func:`quote_format_of`)."""
        return self.quote_kind or quote_format_of(self.quote)


#: a line of Python in a quote (the sources' code samples)
_CODE = re.compile(r"```|\bnp\.|^\s*def |^\s*return |\bfor \w+ in |\w\[\w+\] = |@ ", re.M)
#: a LaTeX command outside of any $...$, \(...\) or \[...\] delimiters
_BARE_LATEX = re.compile(r"\\[A-Za-z]+")


def quote_format_of(quote: str) -> str:
    """``code`` for a quote with a line of Python, ``latex`` for a bare formula (a LaTeX
    command and no delimiters), otherwise ``markdown`` (prose with delimited formulas)."""
    if _CODE.search(quote):
        return "code"
    delimited = any(mark in quote for mark in ("$", "\\(", "\\["))
    if not delimited and _BARE_LATEX.search(quote):
        return "latex"
    return "markdown"


@dataclass(frozen=True)
class Skip:
    """Text of a source that is not a statement, with the reason."""

    source: str
    quote: str
    why: str


@dataclass(frozen=True)
class Evidence:
    """The verdict of one thing a census entry cites (a claim, a catalogue statement or a
    finding), with its detail."""

    verdict: Verdict
    detail: str


@dataclass(frozen=True)
class CensusVerdict:
    """An entry's verdict: its kind for a non-mathematical entry, else the weakest verdict of
    what it cites (``parts``, by name)."""

    entry: CensusEntry
    verdict: Verdict | Kind
    detail: str
    seconds: float
    #: the verdicts of what the entry cites, by name
    parts: dict[str, Evidence] = field(default_factory=dict)

    @property
    def as_expected(self) -> bool:
        if self.entry.kind != Kind.MATHEMATICAL:
            return True
        return self.verdict == self.entry.expected

    @property
    def is_erratum(self) -> bool:
        return self.verdict in (Verdict.REFUTED, Verdict.PROVEN_UNDER_ASSUMPTION)


def catalogued(key: str, *, quote: str = "") -> CensusEntry:
    """The census entry of a catalogue statement: its quote (or a longer one around it, when
    ``quote`` is given), section, reading, verdict and correction come from the catalogue, so
    that they are not typed twice."""
    statement = statement_of(key)
    return CensusEntry(
        key=key,
        source=statement.source,
        section=statement.section,
        kind=Kind.MATHEMATICAL,
        quote=quote or statement.quote,
        reading=statement.wording,
        statements=(key,),
        expected=statement.expected,
        correction=statement.correction,
        quote_kind="" if quote else statement.quote_format,
    )
