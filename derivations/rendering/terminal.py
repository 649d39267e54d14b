"""One derivation for the terminal, in Unicode as ``sympy.pprint`` prints it (``show``).

:func:`render_claim` prints a claim of the catalogue, after its proof has just been run
(:class:`~derivations.rendering.content.ProvenClaim`): title, sizes, definitions, hypotheses,
statement, each step with its justification, and the verdict.  :func:`render_statement` prints
a claim of a source document with the verdict SymPy computed for it, and
:func:`render_census_entry` a statement of the census with its verdict and evidence.  The
formulas are the very SymPy objects that the proofs check, printed by SymPy's pretty printer.
"""

from __future__ import annotations

import re
import textwrap

import sympy as sp
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm, stringPict

from derivations.kernel.language import Claim, ClaimResult
from derivations.kernel.verdicts import Assessment, CheckedStatement
from derivations.rendering.common import layer_order, matrix_rows, row_chains
from derivations.rendering.content import ProvenClaim
from derivations.rendering.latex import derivative_at
from derivations.sources.catalogue import symbols_of
from derivations.sources.census import CensusEntry, CensusVerdict
from derivations.sources.documents import document_of

__all__ = [
    "census_evidence",
    "plain_quote",
    "pretty",
    "render_census_entry",
    "render_claim",
    "render_failed_claim",
    "render_statement",
]

WIDTH = 100


class _Printer(PrettyPrinter):
    """SymPy's Unicode pretty printer, with g′(z) for the derivative of g evaluated at z."""

    def _print_Subs(self, expr: sp.Subs) -> prettyForm:
        prime = derivative_at(expr)
        if prime is None:
            return super()._print_Subs(expr)
        function, count, point = prime
        name = getattr(function.func, "__name__", str(function.func))
        return self._print(sp.Function(name + "′" * count)(point))


def _form(expr: sp.Basic) -> prettyForm:
    return _Printer({"use_unicode": True, "wrap_line": False})._print(expr)


def pretty(expr: sp.Basic, indent: int = 4) -> str:
    """``expr`` as SymPy's Unicode pretty printer draws it, indented."""
    return textwrap.indent(str(_form(expr).render(wrap_line=False)), " " * indent)


def _equals(expr: sp.Basic, indent: int = 4, tag: str = "") -> str:
    """``= expr`` with the sign (and ``tag`` after the formula) on the formula's baseline."""
    form = prettyForm(*stringPict.next(stringPict("= "), _form(expr), stringPict(tag)))
    return textwrap.indent(form.render(wrap_line=False), " " * indent)


def _wrapped(text: str, indent: int = 0) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=" " * indent, subsequent_indent=" " * indent)


def render_claim(proven: ProvenClaim) -> str:
    """The whole derivation of one proven claim, for the terminal."""
    claim = proven.claim
    lines = [f"{claim.name}: {claim.title}"]
    if claim.sizes:
        lines.append(f"sizes: {claim.sizes}")
    if claim.summary:
        lines += ["", _wrapped(claim.summary)]
    if claim.definitions:
        lines += ["", "Definitions"]
        for definition in claim.definitions:
            if definition.text:
                lines.append(_wrapped(definition.text + ":", 2))
            lines.append(pretty(sp.Eq(definition.lhs, definition.expr, evaluate=False)))
    for hypothesis in claim.hypotheses:
        lines += ["", _wrapped(f"Hypothesis ({hypothesis.name}): {hypothesis.text}")]
        lines.append(pretty(hypothesis.statement))
    if claim.name.startswith("network_"):
        lines += _network_statement_and_derivation(claim)
    else:
        lines += ["", "Statement", pretty(claim.statement), "", "Derivation", pretty(claim.lhs)]
        for number, step in enumerate(claim.steps, start=1):
            lines.append(_equals(step.expr, 2))
            lines.append(_wrapped(f"({number}) {step.why}", 6))
    premises = "".join(f" Premise: {premise}" for premise in dict.fromkeys(claim.premises))
    witness = proven.result.witness
    lines += [
        "",
        _wrapped(
            f"Verdict: {proven.verdict}. SymPy checked each of the {len(claim.steps)} steps "
            f"against the one before."
            + (f" Independent witness: {witness}." if witness else "")
            + premises
        ),
    ]
    return "\n".join(lines) + "\n"


def _network_statement_and_derivation(claim: Claim) -> list[str]:
    """A whole-network claim row by row, from the output layer down (as in the docs): each
    row's equation, then each row's entry after every step that changes it, numbered by the
    step, then the numbered justifications (a wall of nested sums otherwise)."""
    equations = matrix_rows(claim.lhs, claim.result)
    order = layer_order(len(equations))
    lines = ["", "Statement"]
    for row in order:
        left, right = equations[row]
        lines.append(pretty(sp.Eq(left, right, evaluate=False)))
    lines += ["", "Derivation, row by row (the number is the step's, below)"]
    chains = row_chains(claim)
    for at, row in enumerate(order):
        lines += [*([""] if at else []), pretty(equations[row][0])]
        lines += [_equals(entry, 2, f"    ({number})") for number, entry in chains[row]]
    lines += ["", "Steps"]
    lines += [
        _wrapped(f"({number}) {step.why}", 2) for number, step in enumerate(claim.steps, start=1)
    ]
    return lines


def render_statement(assessment: Assessment) -> str:
    """A claim of a source document, in our notation, with the verdict SymPy computed."""
    statement = assessment.statement
    document = document_of(statement.source)
    lines = [f"{statement.key}: {assessment.verdict}", _wrapped(document.cite(statement.section))]
    if statement.quote:
        lines += ["", "The document says:", textwrap.indent(plain_quote(statement), "    ")]
    lines += ["", _wrapped(f"Our reading: {statement.wording}"), "", "Checked: whether"]
    truth, claimed = statement.truth, statement.claimed
    if isinstance(truth, sp.MatrixBase):
        pairs = list(zip(truth, claimed, strict=True))
    else:
        pairs = [(truth, claimed)]
    lines += [pretty(sp.Eq(left, right, evaluate=False)) for left, right in pairs]
    lines += ["", _wrapped(f"Verdict: {assessment.verdict}: {assessment.detail}")]
    if symbols_of(statement.key):
        lines.append(_wrapped(f"Where {symbols_of(statement.key)}."))
    if statement.correction:
        lines.append(_wrapped(f"Correct statement: {statement.correction}"))
    if statement.proof:
        lines.append(_wrapped(f"Proof: verified-backprop show {statement.proof.split(', ')[0]}"))
    return "\n".join(lines) + "\n"


def render_census_entry(verdict: CensusVerdict) -> str:
    """A statement of the census of the sources, with its verdict and what decided it."""
    entry = verdict.entry
    document = document_of(entry.source)
    lines = [f"{entry.key}: {verdict.verdict}", _wrapped(document.cite(entry.section))]
    lines += ["", "The document says:", textwrap.indent(plain_quote(entry), "    ")]
    lines += ["", _wrapped(f"Our reading: {entry.reading}"), ""]
    lines += [_wrapped(f"{label}: {text}") for label, text in census_evidence(verdict)]
    return "\n".join(lines) + "\n"


def census_evidence(verdict: CensusVerdict) -> list[tuple[str, str]]:
    """The labelled lines under a census entry: its verdict with the evidence, the correct
    statement, and what decided it, each name given with the command that shows it."""
    entry = verdict.entry
    lines = []
    if entry.why:
        lines.append(("Verdict", f"{verdict.verdict}: {entry.why}"))
    else:
        lines.append(("Verdict", f"{verdict.verdict}: {verdict.detail}"))
        if not verdict.as_expected:
            lines.append(("UNEXPECTED", f"the census expects {entry.expected}"))
    where = "; ".join(dict.fromkeys(filter(None, map(symbols_of, entry.statements))))
    if where and not entry.why:
        lines.append(("Where", where))
    if entry.correction:
        lines.append(("Correct statement", entry.correction))
    shown = [*entry.statements, *entry.claims]
    decided = []
    if shown:
        decided.append(
            ", ".join(shown) + " (each shown by verified-backprop show NAME)"
            if len(shown) > 1
            else f"{shown[0]} (verified-backprop show {shown[0]})"
        )
    if entry.findings:
        computed = ", ".join(entry.findings)
        decided.append(
            f"the computation{'s' if len(entry.findings) > 1 else ''} {computed} "
            "(its result is the evidence in the verdict above)"
        )
    if decided:
        lines.append(("Decided by", "; ".join(decided)))
    return lines


_MARKUP = re.compile(r"\*\*|\$")


def plain_quote(statement: CheckedStatement | CensusEntry) -> str:
    """A source's words for the terminal: a Markdown table row as its cells (``ReLU: z if
    z > 0, 0 otherwise``), bold markers and the dollars around formulas dropped; other
    quotes verbatim."""
    quote = statement.quote.strip()
    if statement.quote_format != "markdown":
        return quote
    if quote.startswith("|"):
        cells = [_MARKUP.sub("", cell).strip() for cell in quote.strip("|").split("|")]
        cells = [cell for cell in cells if cell]
        if len(cells) > 1:
            return f"{cells[0]}: {' | '.join(cells[1:])}  (a row of a table)"
    return _MARKUP.sub("", quote)


def render_failed_claim(result: ClaimResult) -> str:
    """A claim whose proof did not pass: its title and every failure."""
    claim = result.claim
    lines = [f"{claim.name}: {claim.title}", "", "Verdict: not proven."]
    lines += [_wrapped(f"- {failure}", 2) for failure in result.failures]
    return "\n".join(lines) + "\n"
