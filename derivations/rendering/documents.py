"""The derivation documents as files: their texts, and the PDF compiled from the LaTeX.

:func:`build_documents` turns the verified content
(:func:`derivations.rendering.content.collect`) into the text of every generated file, each
printed from the one document model (:func:`derivations.rendering.build.build_document`,
built once for a content):

* ``derivations.tex`` (standalone LaTeX, :mod:`derivations.rendering.tex`), ``derivations.md``
  and ``errata.md`` (GitHub Markdown, :mod:`derivations.rendering.markdown`), and
  ``mistakes.md`` (:mod:`derivations.rendering.mistakes`);

:func:`build_site_files` makes the web site (the folder :data:`HTML_FOLDER`) from the same
model (:mod:`derivations.rendering.html`);

and :func:`compile_latex` makes ``derivations.pdf`` with ``pdflatex`` (in a temporary
directory unless told otherwise), running it until the contents list (``.toc``) and the
cross-references (``.aux``) no longer change, so the page numbers in the contents and the
references are those of the final layout. ``verified-backprop docs`` (:mod:`impl.commands.docs`)
writes them.

The output is deterministic: the same claims give byte-identical files.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from derivations.rendering.build import build_document
from derivations.rendering.content import DocumentContent
from derivations.rendering.html import render_site
from derivations.rendering.markdown import render_errata_markdown, render_markdown
from derivations.rendering.mistakes import render_mistakes_markdown
from derivations.rendering.model import Document
from derivations.rendering.tex import render_tex

__all__ = [
    "HTML_FOLDER",
    "INSTALL_HINT",
    "PDF_NAME",
    "TEX_NAME",
    "LatexResult",
    "build_documents",
    "build_site_files",
    "compile_latex",
    "document_of",
]

TEX_NAME = "derivations.tex"
#: the web site's folder, beside the other documents (not committed, like the PDF)
HTML_FOLDER = "html"
PDF_NAME = "derivations.pdf"
INSTALL_HINT = (
    "apt-get install -y --no-install-recommends texlive-latex-base texlive-latex-recommended"
)
#: pdflatex runs at most this many times before giving up on a stable contents list
MAX_RUNS = 6


@dataclass(frozen=True)
class LatexResult:
    """The outcome of compiling a LaTeX file: the PDF bytes, or the log explaining why not."""

    ok: bool
    pdf: bytes
    log: str
    seconds: float
    runs: int = 0

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.splitlines()[-lines:])


#: the document model of the content last rendered (the documents and the site print one)
_BUILT: list[tuple[DocumentContent, Document]] = []


def document_of(content: DocumentContent) -> Document:
    """The document model of ``content``, built once however many files print it."""
    if not _BUILT or _BUILT[0][0] is not content:
        _BUILT[:] = [(content, build_document(content))]
    return _BUILT[0][1]


def build_documents(content: DocumentContent) -> dict[str, str]:
    """File name → text of every generated document."""
    document = document_of(content)
    return {
        TEX_NAME: render_tex(document),
        "derivations.md": render_markdown(document),
        "errata.md": render_errata_markdown(document),
        "mistakes.md": render_mistakes_markdown(),
    }


def build_site_files(content: DocumentContent) -> dict[str, str]:
    """File name → text of every file of the web site (``index.html``, the pages, the CSS)."""
    return render_site(document_of(content))


def compile_latex(
    source: str,
    runs: int | None = None,
    pdflatex: str = "pdflatex",
    workdir: Path | None = None,
) -> LatexResult:
    """Compile ``source`` with ``pdflatex``, again until the ``.toc`` and ``.aux`` are stable.

    ``runs`` forces exactly that many passes (a test compares against a converged run);
    by default it stops when a pass changed neither file (at most :data:`MAX_RUNS` passes).
    The work happens in ``workdir`` if given (it keeps the log), else in a temporary
    directory that is removed afterwards.
    """
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        return _compile_in(source, runs, pdflatex, workdir)
    with tempfile.TemporaryDirectory(prefix="verified-backprop-tex-") as temporary:
        return _compile_in(source, runs, pdflatex, Path(temporary))


def _state(tex_path: Path) -> tuple[bytes, bytes]:
    """The files whose change means another pass is needed: the contents and the labels."""
    return tuple(  # type: ignore[return-value]
        path.read_bytes() if path.exists() else b""
        for path in (tex_path.with_suffix(".toc"), tex_path.with_suffix(".aux"))
    )


def _compile_in(source: str, runs: int | None, pdflatex: str, workdir: Path) -> LatexResult:
    start = time.perf_counter()
    tex_path = workdir / TEX_NAME
    tex_path.write_text(source, encoding="utf-8")
    command = [pdflatex, "-interaction=nonstopmode", "-halt-on-error", TEX_NAME]
    log = ""
    passes = 0
    converged = False
    while passes < (runs if runs is not None else MAX_RUNS):
        before = _state(tex_path)
        done = subprocess.run(
            command,
            cwd=workdir,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=300,
            check=False,
        )
        passes += 1
        log_path = tex_path.with_suffix(".log")
        log = log_path.read_text(errors="replace") if log_path.exists() else done.stdout
        if done.returncode != 0:
            return LatexResult(False, b"", log, time.perf_counter() - start, passes)
        converged = _state(tex_path) == before
        if runs is None and converged:
            break
    if runs is None and not converged:
        log += f"\nthe contents list still changed after {passes} pdflatex runs\n"
        return LatexResult(False, b"", log, time.perf_counter() - start, passes)
    pdf_path = tex_path.with_suffix(".pdf")
    pdf = pdf_path.read_bytes() if pdf_path.exists() else b""
    return LatexResult(bool(pdf), pdf, log, time.perf_counter() - start, passes)
