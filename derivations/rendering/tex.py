"""``derivations.tex``: the derivations and the errata as a standalone LaTeX article.

Every formula is printed by :func:`derivations.rendering.latex.latex` from the SymPy
objects that :func:`derivations.kernel.engine.verify` and :func:`derivations.kernel.verdicts.assess`
checked; every piece of prose goes through :mod:`derivations.rendering.prose`, so the file
is pure ASCII and compiles with ``pdflatex`` using only texlive-latex-base and
texlive-latex-recommended.
"""

from __future__ import annotations

import re

from derivations.kernel.verdicts import Assessment, CheckedStatement, Verdict
from derivations.rendering.algorithm import BACKWARD_PASS
from derivations.rendering.algorithm import INTRODUCTION as ALGORITHM_INTRODUCTION
from derivations.rendering.common import (
    HOW_TO_READ,
    INTRODUCTION,
    WHAT_PROVEN_RESTS_ON,
    claim_facts,
    column_derivation_rows,
    column_statement,
    definition_groups,
    errata_introduction,
    first_and_last,
    matrix_rows,
    network_row,
    premise_sentence,
    proof_names,
    proven_statements,
    quote_pieces,
    range_latex,
    source_citation,
    values_latex,
    verdict_sentence,
)
from derivations.rendering.content import DocumentContent, ProvenClaim, errata
from derivations.rendering.latex import latex, latex_lines
from derivations.rendering.outline import ArrangedPart, ClaimTable, arrange
from derivations.rendering.prose import (
    docstring_blocks,
    docstring_to_latex,
    latex_code,
    latex_plain,
    one_line,
    to_latex,
)
from derivations.sources.census import INTRODUCTION as CENSUS_INTRODUCTION
from derivations.sources.census import CensusEntry, CensusVerdict

__all__ = ["render_tex"]

PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage[margin=2cm]{geometry}
\usepackage{longtable}
\usepackage{array}
\usepackage{booktabs}
\usepackage{graphicx}
\usepackage[hidelinks,bookmarksnumbered,bookmarksopen,pdfusetitle]{hyperref}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6\baselineskip}
\newcommand{\whybox}[2]{%
  \text{\parbox[t]{#1\linewidth}{\everymath{\textstyle}\raggedright\small #2}}}
\newcommand{\why}[1]{\whybox{0.30}{#1}}
\newcommand{\whynarrow}[1]{\whybox{0.21}{#1}}
\newcommand{\whyshort}[1]{\text{\everymath{\textstyle}\small #1}}
\newcommand{\claimname}[1]{\texttt{#1}}
% a formula in a table cell: shrunk if it is wider than the cell (it cannot break), to
% 0.9 of the cell's width, so that the punctuation after it still fits on its line
\newcommand{\fitmath}[1]{\sbox0{$#1$}%
  \ifdim\wd0>0.9\linewidth\resizebox{0.9\linewidth}{!}{\usebox0}\else\usebox0\fi}
\makeatletter
% names like softmax_ce_delta_any_labels may break after an underscore
\DeclareRobustCommand{\_}{\ifmmode\nfss@text{\textunderscore}\else\textunderscore\allowbreak\fi}
\renewcommand*{\l@subsection}{\@dottedtocline{2}{1.5em}{3.3em}}
\makeatother
\setcounter{tocdepth}{2}
"""

#: justifications longer than this go in a narrow paragraph box beside the step
_SHORT_WHY = 34

#: an inline formula ``$...$`` (not an escaped dollar)
_INLINE_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")


def _fit(cell: str) -> str:
    """A table cell's text with every inline formula in ``\\fitmath``: shrunk to the column
    when wider than it, instead of running into the next column or off the page."""
    return _INLINE_MATH.sub(lambda match: r"\fitmath{" + match.group(1) + "}", cell)


def _why(text: str, *, narrow: bool = False) -> str:
    """A justification beside a formula; ``narrow`` beside wide (matrix) formulas."""
    rendered = to_latex(f"({text})")
    if len(text) <= _SHORT_WHY:
        return r"\whyshort{" + rendered + "}"
    return (r"\whynarrow{" if narrow else r"\why{") + rendered + "}"


def _bookmarked(title: str, name: str) -> str:
    """A section title whose PDF bookmark is ``name`` (bookmarks cannot show formulas)."""
    if "$" not in title:
        return title
    return rf"\texorpdfstring{{{title}}}{{{latex_plain(name)}}}"


def _label(name: str) -> str:
    return "claim:" + name


def _definitions(definitions) -> list[str]:
    if not definitions:
        return []
    rows = []
    for definition in definitions:
        first, *more = latex_lines(definition.expr)
        row = f"{latex(definition.lhs)} &:= {first}"
        if definition.text:
            row += " && " + _why(definition.text)
        rows.append(row)
        rows += [rf"&\quad {line}" for line in more]
    return [r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]


def _facts(claim) -> str:
    facts = [rf"Claim \claimname{{{latex_plain(claim.name)}}}"]
    facts += [
        rf"\textbf{{{latex_plain(label)}:}} {to_latex(value)}"
        for label, value in claim_facts(claim)
    ]
    if claim.ranges:
        ranges = ", ".join("$" + range_latex(index_range) + "$" for index_range in claim.ranges)
        facts.append(rf"\textbf{{index ranges:}} {ranges}")
    return r" \quad ".join(facts)


def _hypotheses(claim) -> list[str]:
    lines = []
    for hypothesis in claim.hypotheses:
        lines += [
            "",
            rf"\paragraph{{Hypothesis ({latex_plain(hypothesis.name)}).}} "
            + to_latex(hypothesis.text)
            + ":",
            rf"\[ {latex(hypothesis.statement)} \]",
        ]
    return lines


def _section_head(claim) -> list[str]:
    """A claim's subsection heading (bookmarked, labelled) and its facts line."""
    return [
        rf"\subsection{{{_bookmarked(to_latex(claim.title), claim.name)}}}"
        rf"\label{{{_label(claim.name)}}}",
        "",
        _facts(claim),
    ]


def _derivation_and_verdict(claim, heading: str, aligned: str, verdict: str) -> list[str]:
    """The aligned derivation under ``heading``, its numbered justifications, the verdict."""
    return [
        "",
        rf"\paragraph{{{heading}}}",
        r"\begin{align*}",
        aligned,
        r"\end{align*}",
        r"\begin{enumerate}",
        *[rf"\item {to_latex(step.why)}" for step in claim.steps],
        r"\end{enumerate}",
        "",
        r"\paragraph{Verdict.} " + to_latex(verdict),
        "",
    ]


def _claim_section(proven: ProvenClaim) -> str:
    claim = proven.claim
    lines = _section_head(claim)
    if claim.summary:
        lines += ["", to_latex(claim.summary)]
    if claim.definitions:
        lines += ["", r"\paragraph{Definitions.}", *_definitions(claim.definitions)]
    lines += _hypotheses(claim)
    lines += ["", r"\paragraph{Statement.}", rf"\[ {latex(claim.statement)} \]"]
    rows = []
    for number, step in enumerate(claim.steps, start=1):
        left = latex(claim.lhs) if number == 1 else ""
        rows.append(f"{left} &= {latex(step.expr)} && \\text{{({number})}}")
    lines += _derivation_and_verdict(
        claim, "Derivation.", " \\\\\n".join(rows), verdict_sentence(proven)
    )
    return "\n".join(lines)


def _featured_section(proven: ProvenClaim, introduction: str) -> str:
    """One claim about a column printed in full for a student: the named quantities in
    groups, the statement two equations to a line, the derivation row by row (each row's
    entry after each step that changes it), then the numbered justifications."""
    claim = proven.claim
    lines = _section_head(claim)
    if introduction:
        lines += ["", to_latex(introduction)]
    if claim.summary:
        lines += ["", to_latex(claim.summary)]
    lines += ["", r"\paragraph{The network, as named quantities.}\mbox{}"]
    for title, group in definition_groups(claim.definitions):
        lines += ["", rf"\textit{{{latex_plain(title)}}}", *_definitions(group)]
    lines += _hypotheses(claim)
    lines += ["", r"\paragraph{Statement.}", rf"\[ {column_statement(claim)} \]"]
    chains = [" \\\\\n".join(rows) for rows in column_derivation_rows(claim)]
    verdict = f"{verdict_sentence(proven)} {premise_sentence(claim)}"
    lines += _derivation_and_verdict(
        claim, "Derivation, row by row.", " \\\\[1.5ex]\n".join(chains), verdict
    )
    return "\n".join(lines)


def _network_table(table: ClaimTable) -> list[str]:
    """One entry per whole-network claim: its name on a line of its own (typewriter names do
    not break), then what it proves."""
    lines = [
        r"{\small",
        r"\begin{longtable}{>{\raggedright}p{0.06\linewidth}>{\raggedright}p{0.20\linewidth}"
        r">{\raggedright}p{0.27\linewidth}>{\raggedright}p{0.12\linewidth}"
        r">{\raggedright}p{0.07\linewidth}>{\raggedright\arraybackslash}p{0.10\linewidth}}",
        r"\toprule hidden layers & output and loss & rows proven & verdict & premise & witness "
        r"\\ \midrule \endhead",
    ]
    for proven in table.claims:
        row = network_row(proven)
        name = rf"\claimname{{{latex_plain(row.name)}}}"
        if proven is table.featured:
            label = _label(row.name)
            name = rf"\hyperref[{label}]{{{name}}} (printed in full in Section~\ref{{{label}}})"
        else:
            name += rf"\label{{{_label(row.name)}}}"
        lines += [
            rf"\multicolumn{{6}}{{l}}{{{name}}} \\*",
            rf"{row.hidden} & {to_latex(row.output)} & "
            rf"{row.count} rows, {row.steps} steps: \fitmath{{{row.rows}}} & "
            rf"{latex_plain(row.verdict)} & {to_latex(row.premise)} & "
            rf"{to_latex(row.witness)} \\[0.8ex]",
        ]
    lines += [r"\bottomrule", r"\end{longtable}", r"}", ""]
    return lines


def _claim_table(table: ClaimTable) -> str:
    lines = []
    if table.featured is not None:
        lines += [_featured_section(table.featured, table.spec.featured_introduction)]
    lines += [
        rf"\subsection{{{_bookmarked(to_latex(table.spec.title), table.spec.topic)}}}"
        rf"\label{{{_label(table.spec.topic)}}}",
        "",
        to_latex(table.spec.introduction),
        "",
    ]
    if table.spec.columns == "network":
        return "\n".join(lines + _network_table(table))
    lines += [
        r"\begin{longtable}{>{\raggedright}p{0.22\linewidth}>{\raggedright}p{0.40\linewidth}"
        r">{\raggedright}p{0.06\linewidth}>{\raggedright\arraybackslash}p{0.22\linewidth}}",
        r"\toprule claim & statement & steps & witness \\ \midrule \endhead",
    ]
    for proven in table.claims:
        claim = proven.claim
        statement = rf"\fitmath{{{first_and_last(matrix_rows(claim.lhs, claim.result))}}}"
        lines.append(
            rf"\claimname{{{latex_plain(claim.name)}}}\label{{{_label(claim.name)}}} & "
            rf"{statement} & {len(claim.steps)} & {to_latex(proven.result.witness or '-')} \\"
        )
    lines += [r"\bottomrule", r"\end{longtable}", ""]
    return "\n".join(lines)


def _part(arranged: ArrangedPart) -> str:
    part = arranged.part
    lines = [
        rf"\section{{{to_latex(part.title)}}}\label{{part:{part.key}}}",
        "",
        to_latex(part.introduction),
        "",
    ]
    for item in arranged.items:
        lines.append(_claim_table(item) if isinstance(item, ClaimTable) else _claim_section(item))
    return "\n".join(lines)


def _algorithm(known: set[str]) -> str:
    """Each line of the backward pass whole, in typewriter type on a row of its own (a line
    of code broken inside its arguments misreads), then what it computes and the proofs."""
    lines = [
        r"\section{The whole algorithm}\label{algorithm}",
        "",
        to_latex(ALGORITHM_INTRODUCTION),
        "",
        r"\begin{longtable}{>{\raggedright}p{0.55\linewidth}"
        r">{\raggedright\arraybackslash}p{0.39\linewidth}}",
        r"\toprule \multicolumn{2}{l}{line of \texttt{backward\_into}} \\ "
        r"what it computes & proven by \\ \midrule \endhead",
    ]
    for line in BACKWARD_PASS:
        proofs = _proof_references(list(line.claims), known, short=True) if line.claims else "--"
        code = r"\texttt{" + latex_plain(one_line(line.code)) + "}"
        lines += [
            rf"\multicolumn{{2}}{{@{{}}l}}{{\small{code}}} \\*",
            rf"\leftskip=1em\relax {to_latex(line.meaning)} & {proofs} \\[0.8ex]",
        ]
    lines += [r"\bottomrule", r"\end{longtable}", ""]
    return "\n".join(lines)


def _conventions(content: DocumentContent) -> str:
    lines = [r"\section{Conventions}\label{conventions}", ""]
    for kind, items in docstring_blocks(content.conventions):
        if kind == "bullets":
            lines.append(r"\begin{itemize}")
            lines += [r"\item " + docstring_to_latex(item) for item in items]
            lines.append(r"\end{itemize}")
        else:
            lines += [docstring_to_latex(items[0]), ""]
    return "\n".join(lines) + "\n"


def _proof_references(names: list[str], known: set[str], *, short: bool = False) -> str:
    refs = []
    for name in names:
        ref = rf"\claimname{{{latex_plain(name)}}}"
        if name in known:
            ref = rf"\hyperref[{_label(name)}]{{{ref}}}"
            ref += (
                rf" (p.~\pageref{{{_label(name)}}})"
                if short
                else (rf" (Section~\ref{{{_label(name)}}})")
            )
        refs.append(ref)
    return ", ".join(refs)


def _quote(statement: CheckedStatement) -> str:
    """The source's own words, typeset: its formulas rendered, its code as code."""
    out = []
    for kind, text in quote_pieces(statement):
        if kind == "text":
            out.append(latex_plain(text))
        elif kind == "math":
            out.append(f"${text}$")
        elif kind == "code":
            out.append(latex_code(text))
        else:
            out.append(rf"\[ {text} \]")
    return " ".join(out).replace(" ,", ",")


def _erratum(assessment: Assessment, known: set[str], heading: str = "subsection") -> str:
    statement = assessment.statement
    items = [(r"Source", latex_plain(source_citation(statement)))]
    if statement.quote:
        items.append(("The document says", _quote(statement)))
    items.append(("Our reading", to_latex(statement.wording)))
    rows = matrix_rows(statement.truth, statement.claimed)
    checked = " and ".join(
        rf"$\displaystyle {latex(left)} = {latex(right)}$" for left, right in rows
    )
    items.append(("Checked", "whether " + ("both " if len(rows) > 1 else "") + checked))
    verdict = rf"\textbf{{{latex_plain(str(assessment.verdict))}}}"
    if assessment.verdict == Verdict.PROVEN_UNDER_ASSUMPTION and statement.assumption:
        verdict += (
            ", only when "
            + to_latex(statement.assumption.text)
            + rf": $ {latex(statement.assumption.statement)} $"
        )
    items.append(("Verdict", verdict))
    if assessment.counterexample is not None and assessment.truth_value is not None:
        items.append(
            (
                "Counterexample",
                rf"at \texttt{{{latex_plain(assessment.counterexample.describe())}}} the true "
                rf"value is ${values_latex(assessment.truth_value)}$ and the claimed formula "
                rf"gives ${values_latex(assessment.claimed_value)}$.",
            )
        )
    if statement.correction:
        items.append(("Correct statement", to_latex(statement.correction)))
    for name, formula, condition in proven_statements(statement):
        when = f" when ${condition}$" if condition else ""
        items.append((rf"Proven in \texttt{{{latex_plain(name)}}}", f"${formula}${when}"))
    if statement.proof:
        items.append(("Proof here", _proof_references(proof_names(statement), known)))
    lines = [
        rf"\{heading}{{\texttt{{{latex_plain(statement.key)}}}: "
        rf"{latex_plain(str(assessment.verdict))}}}",
        r"{\raggedright",
        r"\begin{description}",
    ]
    lines += [rf"\item[{label}:] {text}" for label, text in items]
    lines += [r"\end{description}", r"\par}", ""]
    return "\n".join(lines)


def _table(assessments: tuple[Assessment, ...]) -> str:
    lines = [
        r"\begin{longtable}{>{\raggedright}p{0.20\linewidth}>{\raggedright}p{0.25\linewidth}"
        r">{\raggedright}p{0.33\linewidth}>{\raggedright\arraybackslash}p{0.12\linewidth}}",
        r"\toprule claim & document, section & our reading & verdict \\ \midrule \endhead",
    ]
    for assessment in assessments:
        statement = assessment.statement
        lines.append(
            rf"{latex_code(statement.key)} & "
            rf"{latex_plain(source_citation(statement, short=True))} & "
            rf"{to_latex(statement.wording)} & "
            rf"{latex_plain(str(assessment.verdict))} \\"
        )
    lines += [r"\bottomrule", r"\end{longtable}"]
    return "\n".join(lines)


def _errata(content: DocumentContent) -> str:
    known = content.claim_names()
    lines = [r"\section{Errata}\label{errata}", "", to_latex(errata_introduction()), ""]
    lines += [_erratum(assessment, known) for assessment in errata(content.seeds)]
    lines += [r"\subsection{All claims of the source documents}", "", _table(content.seeds), ""]
    if content.beyond:
        lines += [
            r"\subsection{Counterexamples beyond the sources}",
            "",
            "What goes wrong when a hypothesis of this project is dropped.",
            "",
        ]
        lines += [_erratum(assessment, known, "subsubsection") for assessment in content.beyond]
    lines.append(_census(content))
    return "\n".join(lines)


def _census_quote(entry: CensusEntry) -> str:
    """The source's words, typeset inline: formulas rendered, code as code, the Markdown
    emphasis marks of the source dropped."""
    out = []
    for kind, text in quote_pieces(entry):
        if kind == "text":
            out.append(latex_plain(text.replace("*", "")))
        elif kind in ("math", "display"):
            out.append(f"${one_line(text)}$")
        else:
            out.append(latex_code(text))
    return " ".join(out).replace(" ,", ",")


def _census_erratum(verdict: CensusVerdict, catalogued: set[str], known: set[str]) -> str:
    entry = verdict.entry
    items = [
        ("Source", latex_plain(source_citation(entry))),
        ("The document says", _census_quote(entry)),
        ("Our reading", to_latex(entry.reading)),
        ("Verdict", rf"\textbf{{{latex_plain(verdict.verdict)}}}"),
    ]
    if entry.key in catalogued:
        items.append(("Details", "in the erratum of the same name above."))
    else:
        items.append(("Evidence (computed)", latex_plain(verdict.detail)))
    if entry.correction:
        items.append(("Correct statement", to_latex(entry.correction)))
    items.append(("Decided by", _proof_references(list(entry.basis), known)))
    lines = [
        rf"\subsubsection{{\texttt{{{latex_plain(entry.key)}}}: {latex_plain(verdict.verdict)}}}",
        r"{\raggedright",
        r"\begin{description}",
    ]
    lines += [rf"\item[{label}:] {text}" for label, text in items]
    lines += [r"\end{description}", r"\par}", ""]
    return "\n".join(lines)


def _census(content: DocumentContent) -> str:
    """The census of the sources: the refuted and qualified entries, then every entry."""
    if not content.census:
        return ""
    known = content.claim_names()
    catalogued = {assessment.statement.key for assessment in content.seeds}
    lines = [
        r"\subsection{The census of the sources}\label{census}",
        "",
        to_latex(CENSUS_INTRODUCTION),
        "",
    ]
    lines += [
        _census_erratum(verdict, catalogued, known)
        for verdict in content.census
        if verdict.is_erratum
    ]
    lines += [
        r"\subsubsection{Every statement of the sources}",
        "",
        r"{\small",
        r"\setlength{\tabcolsep}{4pt}",
        r"\begin{longtable}{>{\raggedright}p{0.16\linewidth}>{\raggedright}p{0.12\linewidth}"
        r">{\raggedright}p{0.27\linewidth}>{\raggedright}p{0.25\linewidth}"
        r">{\raggedright\arraybackslash}p{0.11\linewidth}}",
        r"\toprule entry & document, section & the document says & our reading & verdict \\ "
        r"\midrule \endhead",
    ]
    for verdict in content.census:
        entry = verdict.entry
        lines.append(
            rf"{latex_code(entry.key)} & {latex_plain(source_citation(entry, short=True))} & "
            rf"{_fit(_census_quote(entry))} & {_fit(to_latex(entry.reading))} & "
            rf"{latex_plain(verdict.verdict)} \\"
        )
    lines += [r"\bottomrule", r"\end{longtable}", "}", ""]
    return "\n".join(lines)


def render_tex(content: DocumentContent) -> str:
    """The whole ``derivations.tex``."""
    parts = [
        PREAMBLE,
        r"\title{Backpropagation, proven with SymPy}",
        r"\author{Generated by \texttt{verified-backprop docs} from the verified SymPy objects}",
        r"\date{}",
        "",
        r"\begin{document}",
        r"\maketitle",
        "",
        to_latex(INTRODUCTION),
        "",
        r"\paragraph{"
        + to_latex("What “proven” rests on.")
        + "} "
        + to_latex(WHAT_PROVEN_RESTS_ON),
        "",
        r"\paragraph{How to read a derivation.} " + to_latex(HOW_TO_READ),
        "",
        r"\tableofcontents",
        "",
        _conventions(content),
    ]
    parts += [_part(arranged) for arranged in arrange(content.claims)]
    parts += [_errata(content), _algorithm(content.claim_names()), r"\end{document}", ""]
    return "\n".join(parts)
