"""Line coverage of the census: every line of a source is an entry's quote, a skip, or structure.

:func:`uncovered` finds every line of a source's text that neither an entry's quote nor a
:class:`~derivations.sources.census.model.Skip` covers and that no line rule of
:data:`LINE_RULES` accounts for (Markdown headings, the table of contents, images, code
fences); a test requires it to find none, so no sentence is left out silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from derivations.sources.census import SKIPPED, entries

__all__ = ["LINE_RULES", "skipped_by_rule", "skipped_lines", "uncovered"]

#: lines that are structure, not statements: (reason, pattern)
LINE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("heading (a title; a heading that asserts a name has an entry)", re.compile(r"^\s*#")),
    ("table of contents", re.compile(r"^\s*(\d+\.|-)\s*\[[^\]]*\]\(#[^)]*\)\s*$")),
    ("image (its content is not in the text)", re.compile(r"^\s*(<img\b|!\[)")),
    ("code fence", re.compile(r"^\s*```")),
)


def skipped_by_rule(line: str) -> str:
    """The reason a line is structure rather than a statement, or ''."""
    for why, pattern in LINE_RULES:
        if pattern.search(line):
            return why
    return ""


def _covered_mask(text: str, quotes: Sequence[str]) -> list[bool]:
    covered = [False] * len(text)
    for quote in quotes:
        start = text.find(quote)
        while start != -1:
            for position in range(start, start + len(quote)):
                covered[position] = True
            start = text.find(quote, start + 1)
    return covered


def uncovered(source: str, text: str) -> list[str]:
    """The lines of ``text`` (source ``source``) with a letter or digit that no entry's quote,
    no skip and no line rule accounts for."""
    quotes = [e.quote for e in entries() if e.source == source]
    quotes += [skip.quote for skip in SKIPPED if skip.source == source]
    covered = _covered_mask(text, quotes)
    missing, offset = [], 0
    for line in text.split("\n"):
        if not skipped_by_rule(line):
            loose = [
                character
                for position, character in enumerate(line)
                if character.isalnum() and not covered[offset + position]
            ]
            if loose:
                missing.append(line)
        offset += len(line) + 1
    return missing


def skipped_lines(text: str) -> dict[str, int]:
    """How many lines of ``text`` each line rule skips."""
    counts: dict[str, int] = {}
    for line in text.split("\n"):
        why = skipped_by_rule(line)
        if why and any(character.isalnum() for character in line):
            counts[why] = counts.get(why, 0) + 1
    return counts
