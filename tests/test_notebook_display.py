"""A claim, a proof's result and a verdict on the sources, displayed in a notebook.

The LaTeX display compiles in a document with amsmath alone (with a real ``pdflatex``:
skipped locally without it, a failure under ``CI=true``, where ``.ci/run`` installs it) and
shows what the documents show; the Markdown display is the documents' own section; every
name ``verified-backprop show`` accepts displays through :func:`derivations.show`.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import pytest
from proof_cache import SHARED, share_results, verified

import derivations
from derivations.claims import UnknownClaimError, get_claim
from derivations.rendering import notebook
from derivations.rendering.build import Context, claim_section
from derivations.rendering.common import verdict_sentence
from derivations.rendering.content import ProvenClaim
from derivations.rendering.latex import latex
from derivations.rendering.markdown import section

ROOT = pathlib.Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

DOCUMENT = r"""\documentclass{article}
\usepackage{amsmath}
\begin{document}
%s
\end{document}
"""


pytestmark = SHARED  # the proofs, shared with test_proofs.py


@pytest.fixture(autouse=True)
def _proofs_shared_with_the_session(monkeypatch) -> None:
    """The catalogue's proofs run once per test session (tests/proof_cache.py)."""
    monkeypatch.setattr(notebook, "_result_of", verified)
    share_results(monkeypatch)


def _compiles(tex: str, folder: pathlib.Path) -> None:
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        message = "pdflatex is not installed (apt-get install texlive-latex-base)"
        if IN_CI:
            pytest.fail(f"CI=true but {message}: .ci/run installs it")
        pytest.skip(message)
    (folder / "display.tex").write_text(DOCUMENT % tex, encoding="utf-8")
    done = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "display.tex"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]


def test_a_claims_latex_display_shows_definitions_hypothesis_steps_reasons_and_verdict() -> None:
    claim = get_claim("softmax_ce_delta")
    shown = claim._repr_latex_()
    assert r"\claimname{softmax\_ce\_delta}" in shown and "softmax_ce" not in shown
    assert r"\paragraph{Definitions.}" in shown and latex(claim.definitions[0].expr) in shown
    assert r"\paragraph{Hypothesis (labels sum to one).}" in shown
    # the derivation's rows are those of derivations.tex: one renderer, not two
    assert rf"{latex(claim.lhs)} &= {latex(claim.steps[0].expr)} && \text{{(1)}}" in shown
    for number, step in enumerate(claim.steps[1:], start=2):
        assert rf" &= {latex(step.expr)} && \text{{({number})}}" in shown
    assert r"\item chain rule through the logarithm" in shown
    assert r"\paragraph{Verdict.} Proven under the hypothesis" in shown


def test_the_latex_displays_compile_in_a_document_with_amsmath(tmp_path) -> None:
    claim = get_claim("softmax_ce_delta")
    pieces = [
        claim._repr_latex_(),
        verified(get_claim("relu_derivative"))._repr_latex_(),
        derivations.show("001-relu-derivative").latex,
        derivations.show("001-dW").latex,
        derivations.show("000-converges-to-minimiser").latex,
    ]
    _compiles("\n\\bigskip\n".join(pieces), tmp_path)


def test_the_markdown_display_is_the_claims_section_of_the_documents() -> None:
    claim = get_claim("sigmoid_bce_delta")
    proven = ProvenClaim(claim, verified(claim))
    expected = section(claim_section(claim, verdict_sentence(proven), Context()))
    assert claim._repr_markdown_() == expected
    assert expected in (ROOT / "docs" / "derivations.md").read_text(encoding="utf-8")


def test_a_claim_result_displays_with_its_verdict() -> None:
    result = verified(get_claim("tanh_derivative"))
    assert "Proven" in result._repr_latex_() and "tanh_derivative" in result._repr_markdown_()


def test_show_displays_every_kind_of_name_the_show_command_accepts() -> None:
    relu = derivations.show("001-relu-derivative")
    assert relu.ok and "refuted" in relu.markdown and "at `z = 2` the true value" in relu.markdown
    assert str(relu).startswith("001-relu-derivative: refuted")
    census = derivations.show("000-converges-to-minimiser")
    assert "Decided by" in census.markdown and "verified-backprop show" in census.markdown
    assert derivations.show("sigmoid_derivative").name == "sigmoid_derivative"


def test_get_claim_on_a_source_claims_name_points_at_show() -> None:
    with pytest.raises(UnknownClaimError, match=r"derivations\.show\('001-relu-derivative'\)"):
        get_claim("001-relu-derivative")
