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
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sympy as sp

from derivations.engine import Claim, Definition, Step
from derivations.rendering.content import DocumentContent, NotProvenError, collect
from derivations.rendering.latex import latex, latex_lines
from derivations.rendering.prose import one_line
from impl.commands import docs as docs_command

ROOT = pathlib.Path(__file__).resolve().parents[1]
GENERATED = ("derivations.tex", "derivations.md", "errata.md", "mistakes.md")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@dataclass(frozen=True)
class Generated:
    content: DocumentContent
    out: pathlib.Path

    def text(self, name: str) -> str:
        return (self.out / name).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    """Run every proof once, then the real command (``main``) on that content, no PDF."""
    content = collect()
    out = tmp_path_factory.mktemp("docs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(docs_command, "collect", lambda: content)
        assert docs_command.main(["--out", str(out), "--no-pdf"]) == 0
    yield Generated(content, out)


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
    for proven in generated.content.claims:
        claim = proven.claim
        assert proven.result.proven, claim.name
        assert f"\\label{{claim:{claim.name}}}" in tex
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
    for assessment in generated.content.seeds:
        statement = assessment.statement
        assert f"`{statement.key}`" in errata_md  # in the table of all seed claims
        if assessment.verdict in {"refuted", "proven under assumption"}:
            assert f"## `{statement.key}`: {assessment.verdict}" in errata_md
            assert one_line(statement.quote) in errata_md
            assert latex(statement.claimed) in errata_md
            if assessment.truth_value is not None:
                assert assessment.counterexample is not None
                assert assessment.counterexample.describe() in errata_md
                assert f"${latex(assessment.truth_value)}$" in errata_md
                assert f"${latex(assessment.claimed_value)}$" in errata_md
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


def _markdown_formulas(text: str) -> list[tuple[str, str]]:
    """(kind, body) of every ``$$...$$`` display and ``$...$`` inline formula."""
    formulas = [("display", body) for body in re.findall(r"^\$\$\n(.*?)\n\$\$$", text, re.M | re.S)]
    text = re.sub(r"^\$\$\n.*?\n\$\$$", "", text, flags=re.M | re.S)
    text = re.sub(r"(`+).*?\1", "", text)  # code spans hold seed quotes, not formulas
    formulas += [("inline", body) for body in re.findall(r"(?<![\\$])\$([^$\n]+?)\$", text)]
    return formulas


#: LaTeX commands the generated Markdown may use: all of them are in GitHub's MathJax
MATHJAX_COMMANDS = {
    "aligned", "alpha", "ast", "begin", "cases", "cdot", "delta", "dots", "end", "frac", "geq",
    "left", "leq", "log", "mathrm", "matrix", "max", "neq", "odot", "operatorname", "partial",
    "quad", "right", "sigma", "sum", "tanh", "text", "tfrac", "|",
    "eta", "in", "infty", "nabla", "phi", "theta", "to", "varphi",
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
        collect(claims=[wrong], seed_statements=[], extra_statements=[])


def test_command_exits_non_zero_and_writes_nothing_when_a_proof_fails(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def refuse() -> DocumentContent:
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
