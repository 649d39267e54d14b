"""``derivations.tex``: the document model printed as a standalone LaTeX article.

The renderer walks the :class:`~derivations.rendering.model.Document` that
:func:`derivations.rendering.build.build_document` built (the one the Markdown and the web
site print too).  Every formula in it was printed by
:func:`derivations.rendering.latex.latex` from the SymPy objects that
:func:`derivations.kernel.engine.verify` and :func:`derivations.kernel.verdicts.assess`
checked; every piece of prose goes through :mod:`derivations.rendering.prose`, so the file
is pure ASCII and compiles with ``pdflatex`` using only texlive-latex-base and
texlive-latex-recommended.  A page is narrower than a screen: each kind of table has its
own columns here (:data:`_COLUMNS`, :meth:`_Latex.row`).
"""

from __future__ import annotations

import re

from derivations.rendering.latex import numbered_chains, paired_equations
from derivations.rendering.model import (
    MISTAKES,
    Aside,
    Block,
    Definitions,
    Derivation,
    Display,
    Document,
    Equations,
    Facts,
    Field,
    Fields,
    Hypothesis,
    ItemList,
    Link,
    Math,
    Paragraph,
    Quote,
    Renderer,
    RunIn,
    Section,
    Table,
    TableRow,
    Text,
    Words,
    plain_text,
)
from derivations.rendering.prose import latex_code, latex_plain, one_line, to_latex

__all__ = ["MACROS", "PREAMBLE", "label", "render_tex", "section_latex"]

#: the macros a section uses (a claim's justification beside its step, its name)
MACROS = r"""\newcommand{\whybox}[2]{%
  \text{\parbox[t]{#1\linewidth}{\everymath{\textstyle}\raggedright\small #2}}}
\newcommand{\why}[1]{\whybox{0.30}{#1}}
\newcommand{\whynarrow}[1]{\whybox{0.21}{#1}}
\newcommand{\whyshort}[1]{\text{\everymath{\textstyle}\small #1}}
\newcommand{\claimname}[1]{\texttt{#1}}
"""

#: the preamble of derivations.tex
PREAMBLE = (
    r"""\documentclass[11pt,a4paper]{article}
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
"""
    + MACROS
    + r"""% a formula in a table cell: shrunk if it is wider than the cell (it cannot break), to
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
)

#: justifications longer than this go in a narrow paragraph box beside the step
_SHORT_WHY = 34

#: an inline formula ``$...$`` (not an escaped dollar)
_INLINE_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")

#: the sectioning command of each depth
_HEADINGS = ("section", "subsection", "subsubsection")

#: anchors of the model whose LaTeX label is not the anchor itself
_LABELS = {"the-whole-algorithm": "algorithm"}

#: the columns of a table that the PDF leaves out (the claim's name says its sizes and
#: verdict) or puts in another (a whole network's steps go with its rows)
_LEFT_OUT = {"claims": ("sizes", "verdict"), "network": ("steps",)}

#: column widths of each kind of table (see :class:`derivations.rendering.model.Table`)
_COLUMNS = {
    "claims": r">{\raggedright}p{0.22\linewidth}>{\raggedright}p{0.40\linewidth}"
    r">{\raggedright}p{0.06\linewidth}>{\raggedright\arraybackslash}p{0.22\linewidth}",
    "network": r">{\raggedright}p{0.06\linewidth}>{\raggedright}p{0.20\linewidth}"
    r">{\raggedright}p{0.27\linewidth}>{\raggedright}p{0.12\linewidth}"
    r">{\raggedright}p{0.07\linewidth}>{\raggedright\arraybackslash}p{0.10\linewidth}",
    "sources": r">{\raggedright}p{0.20\linewidth}>{\raggedright}p{0.25\linewidth}"
    r">{\raggedright}p{0.33\linewidth}>{\raggedright\arraybackslash}p{0.12\linewidth}",
    "census": r">{\raggedright}p{0.16\linewidth}>{\raggedright}p{0.12\linewidth}"
    r">{\raggedright}p{0.27\linewidth}>{\raggedright}p{0.25\linewidth}"
    r">{\raggedright\arraybackslash}p{0.11\linewidth}",
    "algorithm": r">{\raggedright}p{0.55\linewidth}"
    r">{\raggedright\arraybackslash}p{0.39\linewidth}",
}


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


def label(section: Section) -> str:
    """The LaTeX label of a section that can be referred to (a page, a claim, the census),
    else ``""``: ``claim:softmax_ce_delta`` for the anchor ``claim-softmax_ce_delta``."""
    if section.id in _LABELS:
        return _LABELS[section.id]
    if section.id in ("conventions", "errata", "census"):
        return section.id
    if section.id.startswith("part-") or section.kind in ("claim", "table"):
        return section.id.replace("-", ":", 1)
    return ""


class _Latex(Renderer):
    """The LaTeX of the document; ``page_refs`` while a table refers to claims by page;
    ``alone`` for one section shown by itself (a notebook's): its heading unnumbered and
    unlabelled, for a document without hyperref."""

    def __init__(self, *, alone: bool = False) -> None:
        self.page_refs = False
        self.alone = alone

    # -------------------------------------------------------------- inline
    def text(self, text: str) -> str:
        return latex_plain(text)

    def code(self, text: str, kind: str = "") -> str:
        if kind == "name":
            return rf"\claimname{{{latex_plain(text)}}}"
        if kind == "verbatim":
            return latex_code(text)
        return rf"\texttt{{{latex_plain(text)}}}"

    def strong(self, inner: str) -> str:
        return rf"\textbf{{{inner}}}"

    def emph(self, inner: str) -> str:
        return rf"\textit{{{inner}}}"

    def link(self, link: Link, links: bool) -> str:
        """A link to a claim: its name and where it is (a section, or a page in a table)."""
        text = self.inline(link.children, links=False)
        if not links or not link.target.startswith("claim-"):
            return text
        target = link.target.replace("-", ":", 1)
        where = rf"p.~\pageref{{{target}}}" if self.page_refs else rf"Section~\ref{{{target}}}"
        return rf"\hyperref[{target}]{{{text}}} ({where})"

    # -------------------------------------------------------------- blocks
    def paragraph(self, block: Paragraph) -> list[str]:
        text = self.inline(block.content)
        return [rf"\paragraph{{{to_latex(block.lead)}}} {text}" if block.lead else text]

    @staticmethod
    def run_in(block: RunIn) -> list[str]:
        return [rf"\paragraph{{{block.title}{f', {block.note}' if block.note else ''}.}}"]

    def facts(self, block: Facts) -> list[str]:
        facts = [rf"Claim \claimname{{{latex_plain(block.name)}}}"]
        facts += [
            rf"\textbf{{{latex_plain(item.label)}:}} {self.inline(item.content)}"
            for item in block.items
        ]
        return [r" \quad ".join(facts)]

    def hypothesis(self, block: Hypothesis) -> list[str]:
        said = rf"\paragraph{{Hypothesis ({latex_plain(block.name)}).}} "
        return [said + self.inline(block.text) + ":", rf"\[ {block.latex} \]"]

    @staticmethod
    def display(block: Display) -> list[str]:
        return [rf"\[ {block.latex} \]"]

    @staticmethod
    def equations(block: Equations) -> list[str]:
        return [rf"\[ {paired_equations(block.rows)} \]"]

    def derivation(self, block: Derivation) -> list[str]:
        lines = [r"\begin{align*}", numbered_chains(block.chains, "[1.5ex]"), r"\end{align*}"]
        lines += [r"\begin{enumerate}"]
        lines += [rf"\item {self.inline(why)}" for _, _, why in block.reasons]
        return [*lines, r"\end{enumerate}"]

    def item_list(self, block: ItemList) -> list[str]:
        items = [r"\item " + self.inline(item) for item in block.items]
        return [r"\begin{itemize}", *items, r"\end{itemize}"]

    @staticmethod
    def definitions(block: Definitions) -> list[str]:
        rows = []
        for item in block.items:
            first, *more = item.lines
            row = f"{item.left} &:= {first}"
            if item.text:
                row += " && " + _why(item.text)
            rows.append(row)
            rows += [rf"&\quad {line}" for line in more]
        title = [rf"\textit{{{latex_plain(block.title)}}}"] if block.title else []
        return [*title, r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]

    def fields(self, block: Fields) -> list[str]:
        lines = [r"{\raggedright", r"\begin{description}"]
        lines += [rf"\item[{self.field_label(item)}:] {self.field(item)}" for item in block.items]
        return [*lines, r"\end{description}", r"\par}"]

    @staticmethod
    def field_label(item: Field) -> str:
        """A field's label; the name it speaks of in typewriter type (a label holds no link)."""
        if not item.subject:
            return item.label
        names = (rf"\texttt{{{latex_plain(plain_text((piece,)))}}}" for piece in item.subject)
        return f"{item.label} {' '.join(names)}"

    def field(self, item: Field) -> str:
        """A field's text: the source's words with its displayed formulas in line, what was
        checked as inline displays, a verdict's condition set ``$ x $``."""
        content = item.content
        if item.label == "Verdict" and content and isinstance(content[-1], Math):
            text = self.inline(content[:-1]) + f"$ {content[-1].latex} $"
        else:
            text = self.inline(content)
        displays = [child for child in item.blocks if isinstance(child, Display)]
        if displays:
            checked = r"$\displaystyle {}$"
            formulas = " and ".join(checked.replace("{}", d.latex, 1) for d in displays)
            return f"{text} {formulas}"
        said: list[str] = []
        for quote in item.blocks:
            assert isinstance(quote, Quote)
            for child in quote.blocks:
                if isinstance(child, Paragraph):
                    for piece in child.content:
                        said += (
                            self.said(piece)
                            if isinstance(piece, Words)
                            else [self.inline((piece,))]
                        )
                else:
                    said += self.block(child)
        return text + " ".join(said).replace(" ,", ",")

    def table(self, block: Table) -> list[str]:
        self.page_refs = block.kind == "algorithm"
        header = " & ".join(c for c in block.header if c not in _LEFT_OUT.get(block.kind, ()))
        if block.lead and block.kind != "network":  # a claim's name needs no header
            columns = len(block.header)
            header = rf"\multicolumn{{{columns}}}{{l}}{{{self.inline(block.lead)}}} \\ " + header
        lines = [rf"\begin{{longtable}}{{{_COLUMNS[block.kind]}}}"]
        lines.append(rf"\toprule {header} \\ \midrule \endhead")
        for row in block.rows:
            lines += self.row(block, row)
        lines += [r"\bottomrule", r"\end{longtable}"]
        self.page_refs = False
        if block.kind == "network":
            return [r"{\small", *lines, r"}"]
        if block.kind == "census":
            return [r"{\small", r"\setlength{\tabcolsep}{4pt}", *lines, "}"]
        return lines

    def row(self, block: Table, row: TableRow) -> list[str]:
        """One row of a table, laid out for its kind: the PDF's page is narrow, so the claims'
        table leaves out the sizes and the verdict (the name says them), the network table
        puts the steps with the rows, a row's lead has a line of its own."""
        cells = [self.inline(cell) for cell in row.cells]
        name = f"\\label{{{row.id.replace('-', ':', 1)}}}" if row.id.startswith("claim-") else ""
        if block.kind == "claims":
            witness = to_latex(plain_text(row.cells[5]))
            statement = rf"\fitmath{{{plain_text(row.cells[2])}}}"
            return [f"{cells[0]}{name} & {statement} & {cells[3]} & {witness} \\\\"]
        if block.kind == "census":
            return [" & ".join(_fit(cell) for cell in cells) + " \\\\"]
        if block.kind == "network":
            lead = self.inline(row.lead)
            if not row.id:  # the claim printed in full above
                link = next(piece for piece in row.lead if isinstance(piece, Link))
                target = link.target.replace("-", ":", 1)
                name = self.inline(link.children)
                lead = (
                    rf"\hyperref[{target}]{{{name}}} (printed in full in Section~\ref{{{target}}})"
                )
                name = ""
            count, _, rows = row.cells[2]
            rows_proven = (
                rf"{plain_text((count,))}, {cells[3]} steps: \fitmath{{{plain_text((rows,))}}}"
            )
            text = [cells[0], cells[1], rows_proven, cells[4], cells[5]]
            text.append(to_latex(plain_text(row.cells[6])))
            return [
                rf"\multicolumn{{6}}{{l}}{{{lead}{name}}} \\*",
                " & ".join(text) + r" \\[0.8ex]",
            ]
        if block.kind == "algorithm":
            code = r"\texttt{" + latex_plain(one_line(plain_text(row.lead))) + "}"
            proofs = "--" if row.cells[1] == (Text("-"),) else cells[1]
            return [
                rf"\multicolumn{{2}}{{@{{}}l}}{{\small{code}}} \\*",
                rf"\leftskip=1em\relax {cells[0]} & {proofs} \\[0.8ex]",
            ]
        return [" & ".join(cells) + " \\\\"]

    # -------------------------------------------------------------- sections
    def section(self, section: Section, depth: int) -> list[str]:
        title = self.inline(section.title)
        if self.alone:
            head = rf"\{_HEADINGS[depth]}*{{{title}}}"
        elif section.kind in ("claim", "table") and "$" in title:
            # a PDF bookmark cannot show a formula: the claim's name instead
            title = rf"\texorpdfstring{{{title}}}{{{latex_plain(section.short)}}}"
            head = rf"\{_HEADINGS[depth]}{{{title}}}"
        else:
            head = rf"\{_HEADINGS[depth]}{{{title}}}"
        if label(section) and not self.alone:
            head += rf"\label{{{label(section)}}}"
        if section.kind == "erratum":  # its fields right under the heading
            return [head, *self.blocks(section.blocks), ""]
        lines = [head, ""]
        if section.blocks:
            lines += [*self.blocks(section.blocks), ""]
        for child in section.sections:
            lines += self.section(child, depth + 1)
        return lines

    def blocks(self, blocks: tuple[Block, ...]) -> list[str]:
        """Blocks a blank line apart; a run-in heading on the block it heads, a list on the
        block after it, what only the web site shows left out."""
        shown = [block for block in blocks if not isinstance(block, Aside)]
        lines: list[str] = []
        for at, block in enumerate(shown):
            after = shown[at + 1] if at + 1 < len(shown) else None
            lines += self.block(block)
            runs_in = isinstance(block, RunIn)
            if runs_in and isinstance(after, Definitions) and after.title:
                lines[-1] += r"\mbox{}"  # over a titled group of definitions: a line of its own
                runs_in = False
            if after is not None and not runs_in and not isinstance(block, ItemList):
                lines.append("")
        return lines


def section_latex(section: Section) -> str:
    """One section by itself, in LaTeX that compiles in a document with amsmath alone (a
    notebook's display of a claim, of a source's claim, of a census entry)."""
    lines = _Latex(alone=True).section(section, 1)
    return MACROS.replace(r"\newcommand", r"\providecommand") + "\n".join(lines)


def render_tex(document: Document) -> str:
    """The whole ``derivations.tex``."""
    tex = _Latex()
    opening = []
    for block in document.opening:
        opening += [*tex.block(block), ""]
    parts = [
        PREAMBLE,
        rf"\title{{{latex_plain(document.title)}}}",
        r"\author{Generated by \texttt{verified-backprop docs} from the verified SymPy objects}",
        r"\date{}",
        "",
        r"\begin{document}",
        r"\maketitle",
        "",
        *opening,
        r"\tableofcontents",
        "",
    ]
    for page in document.sections:
        if page.id == MISTAKES:
            continue
        parts += tex.section(page, 0)
        if page.id == "conventions":
            parts.append("")
    return "\n".join([*parts, r"\end{document}", ""])
