"""The census of the two source documents: every statement, with a verdict of its kind.

Beyond the displayed equations and code lines the catalogue judges
(:mod:`derivations.sources.catalogue`), both sources were read sentence by sentence, every
table row and every code line; each statement that asserts something is an entry:

* :mod:`~derivations.sources.census.model` — what an entry, a skip and a verdict are;
* :mod:`~derivations.sources.census.deriving_backpropagation` and
  :mod:`~derivations.sources.census.core_concepts` — the entries of each document (data, with
  named fields), and the text of each that is not a statement (:data:`SKIPPED`);
* :mod:`~derivations.sources.census.coverage` — every line of a source is an entry's quote, a
  skip, or structure (headings, the table of contents, images, code fences): a test requires
  :func:`~derivations.sources.census.coverage.uncovered` to find none;
* :mod:`~derivations.sources.census.judging` — an entry's verdict from the verdicts of what it
  cites, given as typed results (it computes nothing itself).

This package is the census's data and what it is: :func:`entries` lists every entry of both
documents, in the order of the text.  Running the proofs and verdicts an entry cites is the
runner's job (:func:`derivations.verification.judge_census`), printing them the report's.

Dependencies run one way: the census imports the kernel's verdicts, the catalogue of the
sources' claims, the findings and the documents' names; the runner, the report and the
documents import it, never the reverse.
"""

from __future__ import annotations

from functools import cache

from derivations.sources.census import core_concepts, deriving_backpropagation
from derivations.sources.census.model import (
    INTRODUCTION,
    READABLE_COPY,
    CensusEntry,
    CensusVerdict,
    Evidence,
    Kind,
    Skip,
)

__all__ = [
    "INTRODUCTION",
    "READABLE_COPY",
    "SKIPPED",
    "CensusEntry",
    "CensusVerdict",
    "Evidence",
    "Kind",
    "Skip",
    "entries",
]

#: the documents' census modules, in the order of the sources
DOCUMENT_MODULES = (deriving_backpropagation, core_concepts)

#: text of either source that is not a statement, with the reason (beyond the line rules of
#: :mod:`~derivations.sources.census.coverage`)
SKIPPED: tuple[Skip, ...] = tuple(skip for module in DOCUMENT_MODULES for skip in module.SKIPPED)


@cache
def entries() -> tuple[CensusEntry, ...]:
    """Every census entry of both sources, in the order of the text."""
    found = tuple(entry for module in DOCUMENT_MODULES for entry in module.entries())
    keys = [entry.key for entry in found]
    duplicates = {key for key in keys if keys.count(key) > 1}
    if duplicates:
        raise RuntimeError(f"census keys used twice: {sorted(duplicates)}")
    return found
