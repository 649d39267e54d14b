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
  ``docs/derivations.md`` (:mod:`derivations.rendering.markdown`); Jupyter, JupyterLab and VS
  Code prefer it and typeset its formulas;
* ``_repr_latex_``: LaTeX in text mode that needs only ``amsmath`` (a test compiles it with
  pdflatex); what ``nbconvert --to pdf`` puts into its document.  Its derivation is
  ``derivations.rendering.latex.latex(claim)``, the same aligned block;
* ``str()`` (and IPython's plain-text display): the Unicode text ``verified-backprop show``
  prints (:mod:`derivations.rendering.terminal`), for a front end without MathJax.

A claim's verdict needs its proof: displaying a :class:`Claim` runs
:func:`~derivations.kernel.engine.verify` once per claim object (seconds; a whole network
takes a minute on a busy machine).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from derivations.kernel.language import Claim, ClaimResult
from derivations.rendering.latex import latex
from derivations.rendering.prose import latex_code, latex_plain, to_latex, unhandled_characters

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


# ---------------------------------------------------------------------- LaTeX (amsmath only)


def _prose(text: str) -> str:
    """Prose with inline formulas for LaTeX text mode; a character the tables of
    :mod:`derivations.rendering.prose` lack is written as its code point, never left to
    break the document."""
    for char in unhandled_characters(text):
        text = text.replace(char, f"[U+{ord(char):04X}]")
    return to_latex(text)


def _head(label: str) -> str:
    return rf"\par\medskip\noindent\textbf{{{label}}}"


def _result_latex(claim: Claim, verdict: str) -> str:
    """A claim as the documents show it, in LaTeX that compiles with amsmath alone."""
    lines = [rf"\par\noindent\textbf{{Claim \texttt{{{latex_plain(claim.name)}}}:}} "]
    lines[0] += _prose(claim.title)
    if claim.sizes:
        lines.append(r"\par\noindent\textit{sizes:} " + _prose(claim.sizes))
    if claim.summary:
        lines += [r"\par\smallskip\noindent " + _prose(claim.summary)]
    if claim.definitions:
        rows = []
        for definition in claim.definitions:
            row = f"{latex(definition.lhs)} &:= {latex(definition.expr)}"
            if definition.text:
                row += rf" && \text{{{_prose(definition.text)}}}"
            rows.append(row)
        lines += [_head("Definitions."), r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]
    for hypothesis in claim.hypotheses:
        lines += [
            _head(f"Hypothesis ({latex_plain(hypothesis.name)}).") + " " + _prose(hypothesis.text),
            rf"\[ {latex(hypothesis.statement)} \]",
        ]
    lines += [_head("Statement."), rf"\[ {latex(claim.statement)} \]"]
    lines += [_head("Derivation."), rf"\[ {latex(claim)} \]"]
    if claim.steps:
        lines += [r"\begin{enumerate}"]
        lines += [rf"\item {_prose(step.why)}" for step in claim.steps]
        lines += [r"\end{enumerate}"]
    lines += [_head("Verdict.") + " " + _prose(verdict)]
    return "\n".join(lines) + "\n"


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
    from derivations.rendering.content import ProvenClaim
    from derivations.rendering.markdown import section
    from derivations.rendering.terminal import render_claim, render_failed_claim

    result = item if isinstance(item, ClaimResult) else _result_of(item)
    claim = result.claim
    if not result.proven:
        text = render_failed_claim(result)
        verdict = "Not proven: " + "; ".join(result.failures)
        markdown = "\n\n".join(
            [f"**Claim `{claim.name}`**: {claim.title}", f"**Verdict.** {verdict}"]
        )
        return Shown(
            claim.name,
            text,
            lambda: _result_latex(claim, verdict),
            lambda: markdown,
            ok=False,
        )
    proven = ProvenClaim(claim, result)
    from derivations.rendering.common import verdict_sentence

    return Shown(
        claim.name,
        render_claim(proven),
        lambda: _result_latex(claim, verdict_sentence(proven)),
        lambda: section(claim_section(proven, Context())),
    )


# ---------------------------------------------------------------------- source statements


def _checked_latex(truth: sp.Basic, claimed: sp.Basic) -> list[str]:
    if isinstance(truth, sp.MatrixBase):
        pairs = list(zip(truth, claimed, strict=True))
    else:
        pairs = [(truth, claimed)]
    return [rf"\[ {latex(left)} = {latex(right)} \]" for left, right in pairs]


def _computed_once(
    forms: Callable[[], tuple[str, str]],
) -> tuple[Callable[[], str], Callable[[], str]]:
    """(LaTeX, Markdown) getters of ``forms``, which builds both at once: called once."""
    pair = functools.cache(forms)
    return (lambda: pair()[0]), (lambda: pair()[1])


def _statement_shown(assessment: Any) -> Shown:
    """A claim of a source document with the verdict SymPy computed."""
    from derivations.rendering.terminal import render_statement

    return Shown(
        assessment.statement.key,
        render_statement(assessment),
        *_computed_once(lambda: _statement_forms(assessment)),
        ok=assessment.as_expected,
    )


def _statement_forms(assessment: Any) -> tuple[str, str]:
    """A source's claim with its verdict: (LaTeX, Markdown)."""
    from derivations.sources.catalogue import symbols_of
    from derivations.sources.documents import document_of

    statement = assessment.statement
    document = document_of(statement.source)
    verdict = f"{assessment.verdict}: {assessment.detail}"
    lines = [
        rf"\par\noindent\textbf{{\texttt{{{latex_plain(statement.key)}}}:}} "
        + _prose(str(assessment.verdict)),
        r"\par\noindent " + _prose(document.cite(statement.section)),
    ]
    markdown = [
        f"**`{statement.key}`**: {assessment.verdict}",
        "",
        document.cite(statement.section),
    ]
    if statement.quote:
        lines += [_head("The document says:"), r"\par\noindent " + latex_code(statement.quote)]
        markdown += ["", "The document says:", "", *_quoted(statement.quote)]
    lines += [_head("Our reading:") + " " + _prose(statement.wording)]
    lines += [_head("Checked: whether"), *_checked_latex(statement.truth, statement.claimed)]
    lines += [_head("Verdict:") + " " + _prose(verdict)]
    markdown += ["", f"Our reading: {_markdown(statement.wording)}", "", "Checked: whether", ""]
    markdown += [
        line.replace(r"\[", "$$").replace(r"\]", "$$")
        for line in _checked_latex(statement.truth, statement.claimed)
    ]
    markdown += ["", f"**Verdict:** {_markdown(verdict)}"]
    where = symbols_of(statement.key)
    if where:
        lines += [_head("Where") + " " + _prose(where)]
        markdown += ["", f"**Where** {_markdown(where)}"]
    if statement.correction:
        lines += [_head("Correct statement:") + " " + _prose(statement.correction)]
        markdown += ["", f"**Correct statement:** {_markdown(statement.correction)}"]
    if statement.proof:
        command = f"verified-backprop show {statement.proof.split(', ')[0]}"
        lines += [_head("Proof:") + r" \texttt{" + latex_plain(command) + "}"]
        markdown += ["", f"**Proof:** `{command}`"]
    return "\n".join(lines) + "\n", "\n".join(markdown) + "\n"


def _census_shown(verdict: Any) -> Shown:
    """A statement of the census of the sources, with its verdict and its evidence."""
    from derivations.rendering.terminal import render_census_entry

    return Shown(
        verdict.entry.key,
        render_census_entry(verdict),
        *_computed_once(lambda: _census_forms(verdict)),
        ok=verdict.as_expected,
    )


def _census_forms(verdict: Any) -> tuple[str, str]:
    """A census entry with its verdict and evidence: (LaTeX, Markdown)."""
    from derivations.rendering.terminal import census_evidence
    from derivations.sources.documents import document_of

    entry = verdict.entry
    document = document_of(entry.source)
    lines = [
        rf"\par\noindent\textbf{{\texttt{{{latex_plain(entry.key)}}}:}} " + _prose(verdict.verdict),
        r"\par\noindent " + _prose(document.cite(entry.section)),
        _head("The document says:"),
        r"\par\noindent " + latex_code(entry.quote),
        _head("Our reading:") + " " + _prose(entry.reading),
    ]
    markdown = [f"**`{entry.key}`**: {verdict.verdict}", "", document.cite(entry.section), ""]
    markdown += ["The document says:", "", *_quoted(entry.quote), ""]
    markdown += [f"Our reading: {_markdown(entry.reading)}", ""]
    for label, text in census_evidence(verdict):
        lines.append(_head(f"{latex_plain(label)}:") + " " + _prose(text))
        markdown += [f"**{label}:** {_markdown(text)}", ""]
    return "\n".join(lines) + "\n", "\n".join(markdown) + "\n"


def _quoted(text: str) -> list[str]:
    return ["> " + line if line.strip() else ">" for line in text.strip().splitlines()]


def _markdown(text: str) -> str:
    from derivations.rendering.prose import to_markdown

    for char in unhandled_characters(text):
        text = text.replace(char, f"[U+{ord(char):04X}]")
    return to_markdown(text)


def show(name: str) -> Shown:
    """What ``verified-backprop show NAME`` shows, for a notebook: a proof's name, a source
    claim's name (``001-relu-derivative``) or a census entry's (``000-converges-to-minimiser``),
    as ``verified-backprop verify --list`` prints them; ``UnknownClaimError`` (with the names
    that come close) for any other.  The proof or verdict is computed first."""
    from derivations.kernel.verdicts import assess
    from derivations.report import select_claims
    from derivations.sources.census import judge

    claims, chosen, census = select_claims([name])
    if claims:
        return displayed(claims[0])
    if chosen:
        return _statement_shown(assess(chosen[0]))
    return _census_shown(judge(census[0]))


def attach() -> None:
    """Give :class:`Claim` and :class:`ClaimResult` their notebook display (idempotent)."""
    for kind in (Claim, ClaimResult):
        kind._repr_latex_ = lambda self: displayed(self).latex  # type: ignore[attr-defined]
        kind._repr_markdown_ = lambda self: displayed(self).markdown  # type: ignore[attr-defined]
