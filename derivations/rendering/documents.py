"""``verified-backprop docs``: write the derivation documents from the verified claims.

Runs every proof and every seed assessment (:func:`derivations.rendering.content.collect`),
refuses with exit status 1 if anything is not confirmed, then writes into ``--out``
(default ``docs/``):

* ``derivations.tex`` (standalone LaTeX), ``derivations.md`` (GitHub Markdown), ``errata.md``;
* ``derivations.pdf`` when ``pdflatex`` is on PATH (compiled in a temporary directory; only
  the PDF is copied), unless ``--no-pdf``.

The output is deterministic: the same claims give byte-identical files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from derivations.rendering.content import DocumentContent, NotProvenError, collect
from derivations.rendering.markdown import render_errata_markdown, render_markdown
from derivations.rendering.tex import render_tex

__all__ = ["TEX_NAME", "LatexResult", "build_documents", "compile_latex", "main"]

TEX_NAME = "derivations.tex"
PDF_NAME = "derivations.pdf"
INSTALL_HINT = (
    "apt-get install -y --no-install-recommends texlive-latex-base texlive-latex-recommended"
)


@dataclass(frozen=True)
class LatexResult:
    """The outcome of compiling a LaTeX file: the PDF bytes, or the log explaining why not."""

    ok: bool
    pdf: bytes
    log: str
    seconds: float

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.splitlines()[-lines:])


def build_documents(content: DocumentContent) -> dict[str, str]:
    """File name → text of every generated document."""
    return {
        TEX_NAME: render_tex(content),
        "derivations.md": render_markdown(content),
        "errata.md": render_errata_markdown(content),
    }


def compile_latex(
    source: str, runs: int = 2, pdflatex: str = "pdflatex", workdir: Path | None = None
) -> LatexResult:
    """Compile ``source`` with ``pdflatex`` (twice, for the contents and references).

    The work happens in ``workdir`` if given (it keeps the log), else in a temporary
    directory that is removed afterwards.
    """
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        return _compile_in(source, runs, pdflatex, workdir)
    with tempfile.TemporaryDirectory(prefix="verified-backprop-tex-") as temporary:
        return _compile_in(source, runs, pdflatex, Path(temporary))


def _compile_in(source: str, runs: int, pdflatex: str, workdir: Path) -> LatexResult:
    start = time.perf_counter()
    tex_path = workdir / TEX_NAME
    tex_path.write_text(source, encoding="utf-8")
    command = [pdflatex, "-interaction=nonstopmode", "-halt-on-error", TEX_NAME]
    log = ""
    for _ in range(runs):
        done = subprocess.run(
            command,
            cwd=workdir,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=300,
            check=False,
        )
        log_path = tex_path.with_suffix(".log")
        log = log_path.read_text(errors="replace") if log_path.exists() else done.stdout
        if done.returncode != 0:
            return LatexResult(False, b"", log, time.perf_counter() - start)
    pdf_path = tex_path.with_suffix(".pdf")
    pdf = pdf_path.read_bytes() if pdf_path.exists() else b""
    return LatexResult(bool(pdf), pdf, log, time.perf_counter() - start)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verified-backprop docs",
        description="Run every proof, then write derivations.tex, derivations.md and "
        "errata.md (and derivations.pdf if pdflatex is installed) from the verified claims.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("docs"),
        metavar="DIR",
        help="directory to write into (default: docs/)",
    )
    parser.add_argument("--no-pdf", action="store_true", help="do not compile the PDF")
    return parser


def _unusable_folder(folder: Path) -> str:
    """Why ``folder`` cannot be created or written (empty if it can), without creating it."""
    existing = folder.resolve()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    if not os.access(existing, os.W_OK):
        return f"{existing} is not writable"
    return ""


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``verified-backprop docs``; returns the exit status."""
    args = _parser().parse_args(argv)
    problem = _unusable_folder(args.out)  # checked before ten seconds of proofs
    if problem:
        print(f"verified-backprop docs: cannot create --out {args.out}: {problem}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        content = collect()
    except NotProvenError as error:
        print(f"verified-backprop docs: {error}", file=sys.stderr)
        return 1
    proofs_seconds = time.perf_counter() - started
    documents = build_documents(content)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, text in documents.items():
            (args.out / name).write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {args.out / name}")
        # an older PDF would no longer match the documents just written
        (args.out / PDF_NAME).unlink(missing_ok=True)
    except OSError as error:
        print(f"verified-backprop docs: cannot write into {args.out}: {error}", file=sys.stderr)
        return 1
    print(
        f"{len(content.claims)} claims proven and {len(content.seeds) + len(content.beyond)} "
        f"seed verdicts computed in {proofs_seconds:.1f} s"
    )
    if args.no_pdf:
        return 0
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        print(f"pdflatex not found: no PDF written (to get one: {INSTALL_HINT})")
        return 0
    result = compile_latex(documents[TEX_NAME], pdflatex=pdflatex)
    if not result.ok:
        print(
            f"verified-backprop docs: pdflatex failed on {TEX_NAME}; end of its log:\n"
            f"{result.log_tail()}",
            file=sys.stderr,
        )
        return 1
    (args.out / PDF_NAME).write_bytes(result.pdf)
    print(f"wrote {args.out / PDF_NAME} (pdflatex: {result.seconds:.1f} s)")
    return 0
