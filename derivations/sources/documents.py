"""The two source documents, named by their titles (a reader of the project has no copy).

Each statement of :mod:`derivations.sources.catalogue` names the file it was read from
(``statement.source``); :func:`document_of` turns that into the document's title, so that
every verdict, in ``verify``, the generated documents and the errata, reads completely
without the files.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CORE_CONCEPTS",
    "DERIVING_BACKPROPAGATION",
    "DOCUMENTS",
    "THIS_PROJECT",
    "SourceDocument",
    "document_of",
]


@dataclass(frozen=True)
class SourceDocument:
    """A document whose claims are judged: its title, a short form for tables, its file."""

    title: str
    short: str
    file: str

    def cite(self, section: str = "") -> str:
        """``“Title”, section “…”`` (or the title alone)."""
        if self is THIS_PROJECT:
            return f"this project: {section}" if section else "this project"
        quoted = f"“{self.title}”"
        return f"{quoted}, section “{section}”" if section else quoted


DERIVING_BACKPROPAGATION = SourceDocument(
    title="Deriving Backpropagation with Cross-Entropy Loss",
    short="Deriving Backpropagation",
    file="000_435a14ef32276ca9.txt",
)
CORE_CONCEPTS = SourceDocument(
    title="Neural Networks: Core Concepts and Backpropagation Derivations",
    short="Core Concepts",
    file="001_340bb29d14a240f1.txt",
)
#: the project's own counterexamples (what goes wrong when a hypothesis is dropped)
THIS_PROJECT = SourceDocument(title="verified-backprop", short="this project", file="")

#: the documents in the order their claims are listed
DOCUMENTS = (DERIVING_BACKPROPAGATION, CORE_CONCEPTS)
_BY_FILE = {document.file: document for document in DOCUMENTS}


def document_of(source: str) -> SourceDocument:
    """The document a statement's ``source`` names (its file, or ``"verified-backprop"``)."""
    if source == THIS_PROJECT.title:
        return THIS_PROJECT
    try:
        return _BY_FILE[source]
    except KeyError:
        known = ", ".join(sorted(_BY_FILE))
        raise ValueError(f"unknown source {source!r}; the sources are {known}") from None
