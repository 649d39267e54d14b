"""How claims, proof results and verdicts on the sources show themselves in a notebook.

The kernel's classes hold data only; :func:`attach` (called by ``import derivations``) gives
:class:`~derivations.kernel.language.Claim` and :class:`~derivations.kernel.language.ClaimResult`
their notebook display, and :func:`show` gives one for every name ``verified-backprop show``
accepts (a proof, a claim of a source document, a census entry).  Each display is a
:class:`Shown` with three forms of the same content, what the generated documents show:
the definitions, the hypotheses, the statement, the derivation with each step's reason, and
the verdict (for a source's claim: the document's words, our reading, what was checked and
the verdict with its evidence):

* ``_repr_markdown_``: Markdown with ``$…$`` formulas, the very text of the claim's section of
  ``docs/derivations.md`` (the section of the document model,
  :func:`derivations.rendering.build.claim_section`, printed by
  :mod:`derivations.rendering.markdown`); Jupyter, JupyterLab and VS Code prefer it and
  typeset its formulas;
* ``_repr_latex_``: the same section printed by :mod:`derivations.rendering.tex`, in text mode
  that needs only ``amsmath`` (a test compiles it with pdflatex); what ``nbconvert --to pdf``
  puts into its document;
* ``str()`` (and IPython's plain-text display): the Unicode text ``verified-backprop show``
  prints (:mod:`derivations.rendering.terminal`), for a front end without MathJax.

A claim's verdict needs its proof: displaying a :class:`Claim` runs
:func:`~derivations.kernel.engine.verify` once per claim object (seconds; a whole network
takes a minute on a busy machine).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from derivations.kernel.language import Claim, ClaimResult
from derivations.rendering.prose import unhandled_characters

__all__ = ["Shown", "attach", "claim_latex", "displayed", "show"]


@dataclass(frozen=True)
class Shown:
    """One thing displayed: its name, the terminal text, and whether its verdict is the one
    expected (a proof that passed, a source verdict as catalogued); its LaTeX and Markdown
    are made when a front end asks for them."""

    name: str
    text: str
    make_latex: Callable[[], str] = field(repr=False)
    make_markdown: Callable[[], str] = field(repr=False)
    ok: bool = True

    @property
    def latex(self) -> str:
        """LaTeX (text mode) that compiles in a document with amsmath."""
        return self.make_latex()

    @property
    def markdown(self) -> str:
        """Markdown with ``$…$`` formulas."""
        return self.make_markdown()

    def __str__(self) -> str:
        return self.text

    def _repr_latex_(self) -> str:
        return self.latex

    def _repr_markdown_(self) -> str:
        return self.markdown

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text)


# ---------------------------------------------------------------------- one section, two forms


def _printable(node: Any) -> Any:
    """``node`` (a section of the document model) with every character that the tables of
    :mod:`derivations.rendering.prose` lack written as its code point: a user's own claim
    never breaks the display."""
    if isinstance(node, str):
        for char in unhandled_characters(node):
            node = node.replace(char, f"[U+{ord(char):04X}]")
        return node
    if isinstance(node, tuple):
        return tuple(_printable(item) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {f.name: _printable(getattr(node, f.name)) for f in dataclasses.fields(node)}
        return dataclasses.replace(node, **changes)
    return node


def _forms(make: Callable[[], Any]) -> tuple[Callable[[], str], Callable[[], str]]:
    """(LaTeX, Markdown) getters of the section ``make`` builds: built once, when a front
    end first asks, and printed by the documents' own renderers."""
    from derivations.rendering.markdown import section as markdown_section
    from derivations.rendering.tex import section_latex

    built = functools.cache(lambda: _printable(make()))
    return (lambda: section_latex(built())), (lambda: markdown_section(built()))


def claim_latex(claim: Claim | ClaimResult) -> str:
    """The notebook's LaTeX for a claim (its proof run first) or for a proof's result."""
    return displayed(claim).latex


# ---------------------------------------------------------------------- claims and results

#: each displayed claim object's result, so that a notebook proves it once (the claim is
#: kept too, so that its id is not reused)
_RESULTS: dict[int, tuple[Claim, ClaimResult]] = {}


def _result_of(claim: Claim) -> ClaimResult:
    from derivations.kernel.engine import verify

    kept = _RESULTS.get(id(claim))
    if kept is None or kept[0] is not claim:
        kept = (claim, verify(claim))
        _RESULTS[id(claim)] = kept
    return kept[1]


def displayed(item: Claim | ClaimResult) -> Shown:
    """The display of a claim (proven first) or of a proof's result."""
    from derivations.rendering.build import Context, claim_section
    from derivations.rendering.common import verdict_sentence
    from derivations.rendering.content import ProvenClaim
    from derivations.rendering.terminal import render_claim, render_failed_claim

    result = item if isinstance(item, ClaimResult) else _result_of(item)
    claim = result.claim
    if result.proven:
        proven = ProvenClaim(claim, result)
        text, verdict = render_claim(proven), verdict_sentence(proven)
    else:
        text, verdict = render_failed_claim(result), "Not proven: " + "; ".join(result.failures)
    forms = _forms(lambda: claim_section(claim, verdict, Context()))
    return Shown(claim.name, text, *forms, ok=result.proven)


# ---------------------------------------------------------------------- source statements


def _with_fields(section: Any, fields: list[Any]) -> Any:
    """``section`` with ``fields`` (labelled entries) after its own."""
    from derivations.rendering.model import Fields

    if not fields:
        return section
    return dataclasses.replace(section, blocks=(*section.blocks, Fields(tuple(fields))))


def _statement_shown(assessment: Any) -> Shown:
    """A claim of a source document with the verdict SymPy computed: its erratum's section,
    and where its symbols are defined and the command that shows its proof."""
    from derivations.rendering.build import Context, erratum_section
    from derivations.rendering.model import Code, Field, inline
    from derivations.rendering.terminal import render_statement
    from derivations.sources.catalogue import symbols_of

    def make() -> Any:
        statement = assessment.statement
        fields = []
        if symbols_of(statement.key):
            fields.append(Field("Where", inline(symbols_of(statement.key))))
        if statement.proof:
            command = f"verified-backprop show {statement.proof.split(', ')[0]}"
            fields.append(Field("Proof", (Code(command),)))
        return _with_fields(erratum_section(assessment, Context()), fields)

    return Shown(
        assessment.statement.key,
        render_statement(assessment),
        *_forms(make),
        ok=assessment.as_expected,
    )


def _census_shown(verdict: Any) -> Shown:
    """A statement of the census of the sources, with its verdict and its evidence, and the
    commands that show what decided it."""
    from derivations.rendering.build import Context, census_section
    from derivations.rendering.model import Code, Field, Text
    from derivations.rendering.terminal import render_census_entry

    def make() -> Any:
        entry = verdict.entry
        shown = [*entry.statements, *entry.claims]
        commands: list[Any] = []
        for name in shown:
            commands += [Text(", ")] if commands else []
            commands.append(Code(f"verified-backprop show {name}"))
        fields = [Field("Shown by", tuple(commands))] if commands else []
        return _with_fields(census_section(verdict, Context()), fields)

    return Shown(
        verdict.entry.key,
        render_census_entry(verdict),
        *_forms(make),
        ok=verdict.as_expected,
    )


def show(name: str) -> Shown:
    """What ``verified-backprop show NAME`` shows, for a notebook: a proof's name, a source
    claim's name (``001-relu-derivative``) or a census entry's (``000-converges-to-minimiser``),
    as ``verified-backprop verify --list`` prints them; ``UnknownClaimError`` (with the names
    that come close) for any other.  The proof or verdict is computed first."""
    from derivations.kernel.verdicts import assess
    from derivations.verification import judge_census, select

    selection = select([name])
    if selection.claims:
        return displayed(selection.claims[0])
    if selection.statements:
        return _statement_shown(assess(selection.statements[0]))
    return _census_shown(judge_census(selection.census)[0])


def attach() -> None:
    """Give :class:`Claim` and :class:`ClaimResult` their notebook display (idempotent)."""
    for kind in (Claim, ClaimResult):
        kind._repr_latex_ = lambda self: displayed(self).latex  # type: ignore[attr-defined]
        kind._repr_markdown_ = lambda self: displayed(self).markdown  # type: ignore[attr-defined]
