"""``verified-backprop docs``: the generated documents, regenerated once per test session.

* the committed ``docs/derivations.{md,tex}`` and ``docs/errata.md`` are up to date;
* every formula in them is printed from the verified SymPy objects;
* the LaTeX compiles with a real ``pdflatex`` (skipped locally without it; a failure under
  ``CI=true``, where ``.ci/run`` installs it);
* the Markdown's formulas are valid LaTeX using only commands GitHub's MathJax knows;
* the README's excerpt is the generated softmax derivation, verbatim;
* the command refuses to write anything for a claim that is not proven.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil

import pytest
import sympy as sp
from generated_docs import Generated
from proof_cache import SHARED

from derivations.kernel.language import Claim, Definition, Step
from derivations.rendering.common import first_and_last, matrix_rows, quote_pieces, values_latex
from derivations.rendering.content import DocumentContent, NotProvenError, collect
from derivations.rendering.latex import latex, latex_lines
from derivations.rendering.outline import ClaimTable, arrange
from derivations.rendering.prose import latex_code, latex_plain, one_line
from impl.commands import docs as docs_command

ROOT = pathlib.Path(__file__).resolve().parents[1]
GENERATED = ("derivations.tex", "derivations.md", "errata.md", "mistakes.md")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

pytestmark = SHARED  # every proof, shared with test_proofs.py and the verify tests


def _pdflatex_or_skip() -> str:
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        message = (
            "pdflatex is not installed; install it with: apt-get install -y "
            "--no-install-recommends texlive-latex-base texlive-latex-recommended"
        )
        if IN_CI:
            pytest.fail(f"CI=true but {message} (.ci/run should have done it)")
        pytest.skip(message)
    return pdflatex


# ---------------------------------------------------------------------- up to date


@pytest.mark.parametrize("name", GENERATED)
def test_committed_documents_are_up_to_date(generated: Generated, name: str) -> None:
    committed = ROOT / "docs" / name
    assert committed.exists(), f"docs/{name} is missing: run `verified-backprop docs`"
    assert committed.read_text(encoding="utf-8") == generated.text(name), (
        f"docs/{name} is out of date with the claims: run `verified-backprop docs` "
        "and commit the result"
    )


def test_the_pdf_is_not_committed() -> None:
    assert "docs/*.pdf" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


# ---------------------------------------------------------------------- one source of truth


def test_every_formula_is_printed_from_the_verified_objects(generated: Generated) -> None:
    tex, markdown = generated.text("derivations.tex"), generated.text("derivations.md")
    tables = [
        item
        for arranged in arrange(generated.content.claims)
        for item in arranged.items
        if isinstance(item, ClaimTable)
    ]
    featured = {table.featured.claim.name for table in tables if table.featured is not None}
    tabled = {proven.claim.name for table in tables for proven in table.claims} - featured
    for proven in generated.content.claims:
        claim = proven.claim
        assert proven.result.proven, claim.name
        assert f"\\label{{claim:{claim.name}}}" in tex
        if claim.name in featured:  # printed row by row: every entry of every step
            for left, right in matrix_rows(claim.lhs, claim.result):
                assert f"{latex(left)} &= {latex(right)}" in tex, (claim.name, left)
                assert f"{latex(left)} &= {latex(right)}" in markdown, (claim.name, left)
            for step in claim.steps:
                for entry in step.expr:
                    assert f"&= {latex(entry)} && " in tex, (claim.name, step.why)
                    assert f"&= {latex(entry)} && " in markdown, (claim.name, step.why)
            for definition in claim.definitions:
                assert f"{latex(definition.lhs)} := {latex(definition.expr)}" in markdown
                for line in latex_lines(definition.expr):
                    assert line in tex, (claim.name, definition.lhs)
        if claim.name in tabled or claim.name in featured:
            # one row of a table: its statement, first and last entry
            row = first_and_last(matrix_rows(claim.lhs, claim.result))
            assert row in tex and row in markdown, claim.name
            continue
        assert latex(claim.statement) in tex and latex(claim.statement) in markdown
        for step in claim.steps:
            assert latex(step.expr) in tex, (claim.name, step.why)
            assert latex(step.expr) in markdown, (claim.name, step.why)
        for definition in claim.definitions:
            for line in latex_lines(definition.expr):
                assert line in tex, (claim.name, definition.lhs)
        for hypothesis in claim.hypotheses:
            assert latex(hypothesis.statement) in tex, (claim.name, hypothesis.name)


def test_errata_list_every_refuted_or_assumption_claim(generated: Generated) -> None:
    errata_md = generated.text("errata.md")
    for assessment in generated.content.sources:
        statement = assessment.statement
        assert f"`{statement.key}`" in errata_md  # in the table of all the sources' claims
        if assessment.verdict in {"refuted", "proven under assumption"}:
            assert f"## `{statement.key}`: {assessment.verdict}" in errata_md
            for kind, piece in quote_pieces(statement):  # the document's words, typeset
                assert piece in errata_md, (statement.key, kind, piece)
            for _, claimed in matrix_rows(statement.truth, statement.claimed):
                assert latex(claimed) in errata_md
            if assessment.truth_value is not None:
                assert assessment.counterexample is not None
                assert assessment.counterexample.describe() in errata_md
                assert f"${values_latex(assessment.truth_value)}$" in errata_md
                assert f"${values_latex(assessment.claimed_value)}$" in errata_md
    assert "000-code-output-delta`: refuted" in errata_md
    assert "001-relu-derivative`: refuted" in errata_md


def test_output_has_no_timings(generated: Generated) -> None:
    for name in GENERATED:
        assert not re.search(r"\d+\.\d+ ?s\b", generated.text(name)), name


# ---------------------------------------------------------------------- LaTeX and Markdown


def test_latex_compiles_with_pdflatex(generated: Generated, tmp_path: pathlib.Path) -> None:
    pdflatex = _pdflatex_or_skip()
    tex = generated.text("derivations.tex")
    assert tex.isascii()
    result = docs_command.compile_latex(tex, pdflatex=pdflatex, workdir=tmp_path)
    log_path = tmp_path / "derivations.log"
    assert result.ok, f"pdflatex failed; end of {log_path}:\n{result.log_tail()}"
    assert result.pdf.startswith(b"%PDF")
    assert "undefined references" not in result.log, result.log_tail()
    assert "Rerun to get" not in result.log, result.log_tail()


def _toc_pages(toc: str) -> dict[str, str]:
    """hyperref anchor of each contents entry -> the page number the contents print."""
    found = re.findall(r"^\\contentsline .*\{(\d+)\}\{([\w.*]+)\}%$", toc, re.M)
    return {anchor: page for page, anchor in found}


def _label_pages(aux: str) -> dict[str, str]:
    """hyperref anchor of each labelled section -> the page it really is on."""
    found = re.findall(r"^\\newlabel\{[^}]*\}\{\{[^}]*\}\{(\d+)\}.*\{([\w.*]+)\}\{\}\}$", aux, re.M)
    return {anchor: page for page, anchor in found}


def test_the_pdf_contents_give_the_pages_of_a_converged_run(
    generated: Generated, tmp_path: pathlib.Path
) -> None:
    pdflatex = _pdflatex_or_skip()
    tex = generated.text("derivations.tex")
    result = docs_command.compile_latex(tex, pdflatex=pdflatex, workdir=tmp_path)
    assert result.ok and result.runs >= 2, result.log_tail()
    toc = (tmp_path / "derivations.toc").read_text(encoding="utf-8")
    listed, actual = _toc_pages(toc), _label_pages((tmp_path / "derivations.aux").read_text())
    checked = {anchor for anchor in listed if anchor in actual}
    assert len(checked) >= 30, "too few labelled sections matched: the regexes are stale"
    wrong = {a: (listed[a], actual[a]) for a in checked if listed[a] != actual[a]}
    assert not wrong, f"contents page != real page (listed, real): {wrong}"
    # one more pass changes nothing: the contents are those of the final layout
    again = docs_command.compile_latex(tex, runs=1, pdflatex=pdflatex, workdir=tmp_path)
    assert again.ok and (tmp_path / "derivations.toc").read_text(encoding="utf-8") == toc


def test_the_pdf_has_bookmarks_and_links(generated: Generated, tmp_path: pathlib.Path) -> None:
    pdflatex = _pdflatex_or_skip()
    result = docs_command.compile_latex(
        generated.text("derivations.tex"), pdflatex=pdflatex, workdir=tmp_path
    )
    assert result.ok
    # hyperref's outline: titles in UTF-16, written as octal escapes
    outline = (tmp_path / "derivations.out").read_text(encoding="utf-8")
    bookmarks = re.sub(r"\\(\d{3})", lambda code: chr(int(code.group(1), 8)), outline)
    bookmarks = bookmarks.replace("\0", "").replace("\376\377", "")
    for title in ("Activations", "The output layer", "Errata", "The whole algorithm"):
        assert title in bookmarks, title
    assert r"\hyperref[claim:softmax_ce_delta]" in generated.text("derivations.tex")


def _markdown_formulas(text: str) -> list[tuple[str, str]]:
    """(kind, body) of every ``$$...$$`` display and ``$...$`` inline formula."""
    formulas = [("display", body) for body in re.findall(r"^\$\$\n(.*?)\n\$\$$", text, re.M | re.S)]
    text = re.sub(r"^\$\$\n.*?\n\$\$$", "", text, flags=re.M | re.S)
    text = re.sub(r"(`+).*?\1", "", text)  # code spans hold seed quotes, not formulas
    formulas += [("inline", body) for body in re.findall(r"(?<![\\$])\$([^$\n]+?)\$", text)]
    return formulas


#: LaTeX commands the generated Markdown may use: all of them are in GitHub's MathJax
MATHJAX_COMMANDS = {
    "aligned", "alpha", "ast", "begin", "cases", "cdot", "Delta", "delta", "dots", "end", "frac",
    "geq",
    "left", "leq", "log", "mathbf", "mathrm", "matrix", "max", "neq", "odot", "operatorname",
    "partial", "quad", "right", "sigma", "sum", "tanh", "text", "tfrac", "|",
    "eta", "hat", "in", "infty", "nabla", "phi", "theta", "to", "varphi",
}  # fmt: skip


def test_markdown_formulas_use_only_mathjax_commands(generated: Generated) -> None:
    for name in ("derivations.md", "errata.md"):
        for _, body in _markdown_formulas(generated.text(name)):
            # "\\" is a line break (and "\\|" the table-cell escape of the norm bar "\|")
            commands = set(re.findall(r"\\(\\|[A-Za-z]+|\|)", body)) - {"\\"}
            assert commands <= MATHJAX_COMMANDS, (name, commands - MATHJAX_COMMANDS, body)
            assert body.strip() == body, (name, body)  # GitHub: no space inside $...$


def test_markdown_formulas_compile(generated: Generated, tmp_path: pathlib.Path) -> None:
    pdflatex = _pdflatex_or_skip()
    lines = [r"\documentclass{article}", r"\usepackage{amsmath,amssymb}", r"\begin{document}"]
    for name in ("derivations.md", "errata.md"):
        for kind, body in _markdown_formulas(generated.text(name)):
            body = body.replace(r"\\|", r"\|")  # undo the table-cell escape
            lines.append(rf"\[ {body} \]" if kind == "display" else f"${body}$\n")
    lines.append(r"\end{document}")
    result = docs_command.compile_latex("\n".join(lines), pdflatex=pdflatex, workdir=tmp_path)
    assert result.ok, f"a Markdown formula is not valid LaTeX:\n{result.log_tail()}"


# ---------------------------------------------------------------------- README


def _block(text: str, name: str) -> str:
    match = re.search(rf"<!-- derivation:{name} -->\n.*?<!-- /derivation:{name} -->", text, re.S)
    assert match is not None, f"no derivation block for {name}"
    return match.group(0)


def test_readme_excerpt_is_the_generated_derivation(generated: Generated) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Generated derivations" in readme
    for link in ("docs/derivations.md", "docs/derivations.tex", "docs/errata.md"):
        assert f"({link})" in readme, link
    expected = _block(generated.text("derivations.md"), "softmax_ce_delta")
    assert _block(readme, "softmax_ce_delta") == expected, (
        "the README excerpt differs from docs/derivations.md: paste the block between the "
        "<!-- derivation:softmax_ce_delta --> markers from the generated file"
    )


# ---------------------------------------------------------------------- refusal


def test_an_unproven_claim_is_refused() -> None:
    t = sp.Symbol("t", real=True)
    wrong = Claim(
        name="wrong_square",
        title="A wrong derivative",
        lhs=sp.Derivative(sp.Symbol("F"), t),
        result=3 * t,
        steps=(Step(3 * t, "power rule, misremembered"),),
        definitions=(Definition(sp.Symbol("F"), t**2),),
    )
    with pytest.raises(NotProvenError, match="wrong_square"):
        collect(claims=[wrong], source_statements=[], extra_statements=[])


def test_command_exits_non_zero_and_writes_nothing_when_a_proof_fails(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def refuse(**options: object) -> DocumentContent:
        raise NotProvenError("claim 'wrong_square' is not proven: step 1 does not follow")

    monkeypatch.setattr(docs_command, "collect", refuse)
    assert docs_command.main(["--out", str(tmp_path / "docs")]) == 1
    assert "wrong_square" in capsys.readouterr().err
    assert not (tmp_path / "docs").exists()


def test_an_unusable_output_folder_is_refused_before_the_proofs_run(tmp_path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert docs_command.main(["--out", str(blocker / "docs"), "--no-pdf"]) == 2
    assert "cannot create --out" in capsys.readouterr().err


# ---------------------------------------------------------------------- read as a student


def test_contents_link_texts_hold_no_formula(generated: Generated) -> None:
    text = generated.text("derivations.md")
    contents = text.split("## Contents", 1)[1].split("## Conventions", 1)[0]
    links = re.findall(r"\[([^\]]*)\]\(#", contents)
    assert len(links) >= 30
    assert not [link for link in links if "$" in link or "\\" in link]


def test_the_documents_are_in_parts_ending_with_errata_and_the_whole_algorithm(
    generated: Generated,
) -> None:
    headings = re.findall(r"^## (.*)$", generated.text("derivations.md"), re.M)
    assert headings == [
        "Contents",
        "Conventions",
        "Activations",
        "What cross-entropy measures",
        "The output layer",
        "One layer",
        "Backpropagation for a whole network",
        "The batch",
        "Curvature",
        "Convergence and the loss landscape",
        "Computing without overflow",
        "Errata",
        "The whole algorithm",
    ]
    tex_sections = re.findall(r"^\\section\{(.*?)\}", generated.text("derivations.tex"), re.M)
    assert tex_sections[-2:] == ["Errata", "The whole algorithm"]


def test_every_proven_claim_is_in_the_documents_once(generated: Generated) -> None:
    markdown = generated.text("derivations.md")
    for proven in generated.content.claims:
        assert markdown.count(f'<a id="claim-{proven.claim.name}"></a>') == 1, proven.claim.name


def test_the_fixed_size_checks_are_one_table_not_ten_sections(generated: Generated) -> None:
    markdown = generated.text("derivations.md")
    assert not re.search(r"^#+ .*for \$K = \d+\$", markdown, re.M)
    rows = re.findall(r"^\| <a id=\"claim-softmax_ce_delta_K(\d+)\"></a>", markdown, re.M)
    assert rows == [str(k) for k in range(1, 11)]
    # with a section per K the whole document had 1,547 lines; measured on the table's own
    # section (19 lines), so that claims added around it do not count
    section = markdown.split('<a id="claim-fixed_sizes"></a>', 1)[1].split("\n<a id=", 1)[0]
    section = section.split("\n### ", 2)[1]  # its heading, introduction and table only
    assert len(section.splitlines()) < 30


def test_the_shared_verdict_explanation_is_said_once(generated: Generated) -> None:
    for name in ("derivations.md", "derivations.tex"):
        text = generated.text(name)
        assert text.count("the last step is the claimed result") == 1, name
        assert "from the one before; the last step is the claimed result" not in text


def test_delta_means_an_error_signal_and_the_indicator_is_a_bracket(generated: Generated) -> None:
    for name in ("derivations.md", "derivations.tex", "errata.md"):
        text = generated.text(name)
        assert not re.search(r"\\delta_\{[a-z],?[a-z]\}", text), name  # no Kronecker δ_ij
    assert r"\left([c = j] - a_{j}\right)" in generated.text("derivations.md")


def test_the_documents_quote_rendered_not_raw_latex(generated: Generated) -> None:
    for name in ("derivations.tex", "errata.md"):
        text = generated.text(name)
        assert "seed" not in text.lower(), name
        assert "The document says" in text
        assert r"\texttt{\textbackslash{}" not in text  # LaTeX source in typewriter type
    errata_md = generated.text("errata.md")
    assert "$$\n\\mathbf{d Z}^{[L]} = \\frac{\\partial J}{\\partial \\mathbf{Z}^{[L]}}" in errata_md
    assert "“Neural Networks: Core Concepts and Backpropagation Derivations”" in errata_md


def test_a_claim_about_two_outputs_is_checked_as_two_equations(generated: Generated) -> None:
    errata_md = generated.text("errata.md")
    entry = errata_md.split("`000-same-delta`: proven under assumption", 1)[1].split("###")[0]
    assert "\\begin{matrix}" not in entry and "whether both" in entry
    assert r"\left(0, \frac{1}{2}\right)" in entry


def test_the_counterexamples_beyond_the_sources_sit_inside_their_section(
    generated: Generated,
) -> None:
    tex = generated.text("derivations.tex")
    beyond = tex.split(r"\subsection{Counterexamples beyond the sources}", 1)[1]
    beyond = beyond.split(r"\section{", 1)[0].split(r"\subsection{The census of the sources}")[0]
    assert r"\subsubsection{\texttt{softmax-delta-multi-hot}" in beyond
    assert r"\subsection{" not in beyond


def test_justifications_are_numbered_under_the_derivation_not_in_a_column(
    generated: Generated,
) -> None:
    tex = generated.text("derivations.tex")
    assert r"\why{" not in tex.split(r"\begin{document}")[1].split("Derivation.")[1]
    section = tex.split(r"\label{claim:softmax_ce_delta}", 1)[1].split(r"\subsection", 1)[0]
    assert r"&& \text{(4)}" in section
    assert r"\item substitute the hypothesis" in section


def test_the_census_is_in_the_errata_the_markdown_and_the_pdf(generated: Generated) -> None:
    census = generated.content.census
    assert len(census) > 90
    errata_md, markdown = generated.text("errata.md"), generated.text("derivations.md")
    tex = generated.text("derivations.tex")
    assert "## The census of the sources" in errata_md
    assert "### The census of the sources" in markdown
    assert r"\subsection{The census of the sources}\label{census}" in tex
    assert r"\subsubsection{Every statement of the sources}" in tex
    for verdict in census:
        key = verdict.entry.key
        for text in (errata_md, markdown):
            assert f"| `{key}` |" in text, key  # in the table of every statement
        assert latex_code(key) in tex, key
        if verdict.is_erratum:
            assert f"### `{key}`: {verdict.verdict}" in errata_md, key
            heading = rf"\subsubsection{{\texttt{{{latex_plain(key)}}}: {verdict.verdict}}}"
            assert heading in tex, key
    for text in (errata_md, markdown, tex):
        lowered = text.lower()
        for word in ("seed", "source 000", "source 001", "000 §", "001 §", "000_435a14ef"):
            assert word not in lowered, word
    row = next(line for line in errata_md.splitlines() if line.startswith("| `000-one-hot` |"))
    assert "Deriving Backpropagation, Categorical Cross-Entropy (Softmax)" in row
    assert "The true labels $y$ are one-hot encoded" in row  # \\( y \\) rendered, ** dropped


# ---------------------------------------------------------------------- the whole network


def _network_part(text: str, start: str, end: str) -> str:
    assert start in text, start
    return text.split(start, 1)[1].split(end, 1)[0]


def _network_claims(generated: Generated) -> list:
    return [p for p in generated.content.claims if p.claim.name.startswith("network_")]


def test_the_whole_network_section_exists_and_names_every_network_claim(
    generated: Generated,
) -> None:
    markdown = _network_part(
        generated.text("derivations.md"), "\n## Backpropagation for a whole network\n", "\n## "
    )
    tex = _network_part(
        generated.text("derivations.tex"),
        "\\section{Backpropagation for a whole network}",
        "\\section{",
    )
    networks = _network_claims(generated)
    depths = {name.rsplit("_", 2)[-2] for name in (p.claim.name for p in networks)}
    assert len(networks) >= 7 and depths == {"1", "2", "3"}
    for proven in networks:
        name = proven.claim.name
        assert f"`{name}`" in markdown, name
        assert latex_plain(name) in tex, name
    # one network end to end, the rest in one table (no section of 8-row matrices each)
    assert markdown.count("<!-- derivation:network_") == 1
    assert "<!-- derivation:network_softmax_ce_2_hidden -->" in markdown
    assert markdown.count("\\begin{matrix}") == 0 and tex.count("\\begin{matrix}") == 0
    assert "### Every network proven, at every depth" in markdown
    assert "| claim | hidden layers | output and loss | rows proven |" in markdown
    for group in ("The forward pass", "The loss", "The error signals, named"):
        assert f"*{group}*" in markdown and f"\\textit{{{group}}}" in tex, group


def test_the_featured_network_derivation_names_the_error_signals_row_by_row(
    generated: Generated,
) -> None:
    markdown = _block(generated.text("derivations.md"), "network_softmax_ce_2_hidden")
    # the output layer's row first, finished by step 1; layer 1's last, finished by step 3
    assert markdown.index(r"\frac{\partial J}{\partial W^{3}_{r_{3},s_{3}}} &= ") < markdown.index(
        r"\frac{\partial J}{\partial W^{1}_{r_{1},s_{1}}} &= "
    )
    assert r"&= a^{0}_{s_{1}} \delta^{1}_{r_{1}} && \text{(3)}" in markdown
    assert r"&= a^{2}_{s_{3}} \delta^{3}_{r_{3}} && \text{(1)}" in markdown
    for layer in (1, 2, 3):  # the named quantities appear, not only nested sums
        assert rf"\delta^{{{layer}}}" in markdown, layer
    assert "2. swap the finite sums over $k_{3}$ and $k_{2}$ in the rows below layer 2" in markdown
    assert "3. definition of $\\delta^{1}" in markdown


def test_g_prime_at_a_point_is_printed_as_g_prime(generated: Generated) -> None:
    for name in ("derivations.md", "derivations.tex"):
        text = generated.text(name)
        assert "g'(z^{1}_{r_{1}})" in text, name
        assert "g'(z^{2}_{k_{2}})" in text, name
        for noise in (r"\left.", r"\substack", r"\xi", "Subs(", "Derivative("):
            assert noise not in text, (name, noise)


def test_the_network_claims_rest_on_no_premise_and_the_layer_claims_say_theirs(
    generated: Generated,
) -> None:
    markdown = generated.text("derivations.md")
    tex = generated.text("derivations.tex")
    network_md = _network_part(markdown, "\n## Backpropagation for a whole network\n", "\n## ")
    for proven in _network_claims(generated):
        assert proven.claim.premises == [], proven.claim.name
        row = next(
            line
            for line in network_md.splitlines()
            if f"`{proven.claim.name}`" in line and line.startswith("| ")
        )
        assert "| none |" in row, row
    assert "It rests on no premise" in network_md
    assert "It rests on no premise" in _network_part(
        tex, "\\section{Backpropagation for a whole network}", "\\section{"
    )
    layer_md = _network_part(markdown, "\n## One layer\n", "\n<a id=")
    assert "induction step" in layer_md and "premise" in layer_md
    assert "base cases" in network_md.split("\n<a id=", 1)[0]
    for name in ("layer_recursion", "weight_gradient", "bias_gradient", "batch_weight_gradient"):
        section = markdown.split(f'<a id="claim-{name}"></a>', 1)[1].split("<a id=", 1)[0]
        premise = "rests on the chain rule: $j$ enters through its first-order form"
        assert premise in section.lower(), name


# ---------------------------------------------------------------------- the PDF's layout


def _table_lines(tex: str) -> list[range]:
    """The source lines (1-based) of every longtable of ``tex``."""
    lines = tex.splitlines()
    starts = [n for n, line in enumerate(lines, 1) if line.startswith(r"\begin{longtable}")]
    ends = [n for n, line in enumerate(lines, 1) if line.startswith(r"\end{longtable}")]
    return [range(start, end + 1) for start, end in zip(starts, ends, strict=True)]


def test_no_table_of_the_pdf_runs_past_its_column_or_the_margin(
    generated: Generated, tmp_path: pathlib.Path
) -> None:
    pdflatex = _pdflatex_or_skip()
    tex = generated.text("derivations.tex")
    result = docs_command.compile_latex(tex, runs=1, pdflatex=pdflatex, workdir=tmp_path)
    assert result.ok, result.log_tail()
    tables = _table_lines(tex)
    assert len(tables) >= 5
    overfull = re.findall(
        r"^Overfull \\hbox \(([\d.]+)pt too wide\) in (?:paragraph|alignment) at lines (\d+)--",
        result.log,
        re.M,
    )
    in_tables = [
        (float(points), int(line))
        for points, line in overfull
        if float(points) > 1 and any(int(line) in table for table in tables)
    ]
    assert not in_tables, f"(pt too wide, line of derivations.tex): {in_tables}"


def test_the_whole_algorithm_prints_each_line_of_code_whole(generated: Generated) -> None:
    from derivations.rendering.algorithm import BACKWARD_PASS

    tex = generated.text("derivations.tex")
    algorithm = tex.split(r"\section{The whole algorithm}", 1)[1]
    assert r"\allowbreak" not in algorithm.split(r"\end{longtable}", 1)[0]
    for line in BACKWARD_PASS:
        code = latex_plain(one_line(line.code))
        assert rf"{{\small\texttt{{{code}}}}} \\*" in algorithm, line.code
