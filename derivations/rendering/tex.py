"""``derivations.tex``: the derivations and the errata as a standalone LaTeX article.

Every formula is printed by :func:`derivations.rendering.latex.latex` from the SymPy
objects that :func:`derivations.engine.verify` and :func:`derivations.verdicts.assess`
checked; every piece of prose goes through :mod:`derivations.rendering.prose`, so the file
is pure ASCII and compiles with ``pdflatex`` using only texlive-latex-base and
texlive-latex-recommended.
"""

from __future__ import annotations

import sympy as sp

from derivations.rendering.common import (
    INTRODUCTION,
    WHAT_PROVEN_RESTS_ON,
    claim_facts,
    errata_introduction,
    proof_names,
    proven_statements,
    range_latex,
    seed_source,
    verdict_sentence,
)
from derivations.rendering.content import DocumentContent, ProvenClaim, errata
from derivations.rendering.latex import latex, latex_lines
from derivations.rendering.prose import (
    docstring_blocks,
    docstring_to_latex,
    latex_code,
    latex_plain,
    to_latex,
)
from derivations.verdicts import Assessment, Verdict

__all__ = ["render_tex"]

PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage[margin=2cm]{geometry}
\usepackage{longtable}
\usepackage{array}
\usepackage{booktabs}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6\baselineskip}
\newcommand{\whybox}[2]{%
  \text{\parbox[t]{#1\linewidth}{\everymath{\textstyle}\raggedright\small #2}}}
\newcommand{\why}[1]{\whybox{0.30}{#1}}
\newcommand{\whynarrow}[1]{\whybox{0.21}{#1}}
\newcommand{\whyshort}[1]{\text{\everymath{\textstyle}\small #1}}
\newcommand{\claimname}[1]{\texttt{#1}}
\makeatletter
\renewcommand*{\l@subsection}{\@dottedtocline{2}{1.5em}{3.3em}}
\makeatother
"""

#: justifications longer than this go in a narrow paragraph box beside the step
_SHORT_WHY = 34


def _why(text: str, *, narrow: bool = False) -> str:
    """A justification beside a formula; ``narrow`` beside wide (matrix) formulas."""
    rendered = to_latex(f"({text})")
    if len(text) <= _SHORT_WHY:
        return r"\whyshort{" + rendered + "}"
    return (r"\whynarrow{" if narrow else r"\why{") + rendered + "}"


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


def _claim_section(proven: ProvenClaim) -> str:
    claim = proven.claim
    lines = [
        rf"\section{{{to_latex(claim.title)}}}\label{{{_label(claim.name)}}}",
        "",
    ]
    facts = [rf"Claim \claimname{{{latex_plain(claim.name)}}}"]
    facts += [
        rf"\textbf{{{latex_plain(label)}:}} {to_latex(value)}"
        for label, value in claim_facts(claim)
    ]
    if claim.ranges:
        ranges = ", ".join("$" + range_latex(index_range) + "$" for index_range in claim.ranges)
        facts.append(rf"\textbf{{index ranges:}} {ranges}")
    lines.append(r" \quad ".join(facts))
    if claim.summary:
        lines += ["", to_latex(claim.summary)]
    if claim.definitions:
        lines += ["", r"\paragraph{Definitions.}", *_definitions(claim.definitions)]
    for hypothesis in claim.hypotheses:
        lines += [
            "",
            rf"\paragraph{{Hypothesis ({latex_plain(hypothesis.name)}).}} "
            + to_latex(hypothesis.text)
            + ":",
            rf"\[ {latex(hypothesis.statement)} \]",
        ]
    lines += ["", r"\paragraph{Statement.}", rf"\[ {latex(claim.statement)} \]"]
    rows = []
    narrow = isinstance(claim.lhs, sp.MatrixBase)
    for number, step in enumerate(claim.steps):
        left = latex(claim.lhs) if number == 0 else ""
        rows.append(f"{left} &= {latex(step.expr)} && {_why(step.why, narrow=narrow)}")
    lines += [
        "",
        r"\paragraph{Derivation.}",
        r"\begin{align*}",
        " \\\\\n".join(rows),
        r"\end{align*}",
        "",
        r"\paragraph{Verdict.} " + to_latex(verdict_sentence(proven)),
        "",
    ]
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


def _proof_references(names: list[str], known: set[str]) -> str:
    refs = []
    for name in names:
        ref = rf"\claimname{{{latex_plain(name)}}}"
        if name in known:
            ref += rf" (Section~\ref{{{_label(name)}}})"
        refs.append(ref)
    return ", ".join(refs)


def _erratum(assessment: Assessment, known: set[str]) -> str:
    statement = assessment.statement
    items = [(r"Source", latex_plain(seed_source(statement)))]
    if statement.quote:
        items.append(("The seed says", latex_code(statement.quote)))
    items.append(("Our reading", to_latex(statement.wording)))
    checked = rf"$\displaystyle {latex(statement.truth)} = {latex(statement.claimed)}$"
    items.append(("Checked", "whether " + checked))
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
                rf"value is ${latex(assessment.truth_value)}$ and the claimed formula gives "
                rf"${latex(assessment.claimed_value)}$.",
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
        rf"\subsection{{\texttt{{{latex_plain(statement.key)}}}: "
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
        r"\toprule claim & source & our reading & verdict \\ \midrule \endhead",
    ]
    for assessment in assessments:
        statement = assessment.statement
        lines.append(
            rf"{latex_code(statement.key)} & "
            rf"{latex_plain(seed_source(statement, short=True))} & {to_latex(statement.wording)} & "
            rf"{latex_plain(str(assessment.verdict))} \\"
        )
    lines += [r"\bottomrule", r"\end{longtable}"]
    return "\n".join(lines)


def _errata(content: DocumentContent) -> str:
    known = content.claim_names()
    lines = [r"\section{Errata}\label{errata}", "", to_latex(errata_introduction()), ""]
    lines += [_erratum(assessment, known) for assessment in errata(content.seeds)]
    lines += [r"\subsection{All seed claims}", "", _table(content.seeds), ""]
    if content.beyond:
        lines += [
            r"\subsection{Counterexamples beyond the seeds}",
            "",
            "What goes wrong when a hypothesis of the suite is dropped.",
            "",
        ]
        lines += [_erratum(assessment, known) for assessment in content.beyond]
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
        r"\tableofcontents",
        "",
        _conventions(content),
    ]
    parts += [_claim_section(proven) for proven in content.claims]
    parts += [_errata(content), r"\end{document}", ""]
    return "\n".join(parts)
