"""``verified-backprop docs``: write the derivation documents from the verified claims.

Runs every proof and every verdict on the source documents
(:func:`derivations.rendering.content.collect`), refuses with exit status 1 if anything is
not confirmed, then writes into ``--out`` (default ``docs/``):

* ``derivations.tex`` (standalone LaTeX), ``derivations.md`` (GitHub Markdown), ``errata.md``,
  ``mistakes.md`` (the known mistakes);
* ``html/``: the web site (``html/index.html``, one page per part, the errata, the whole
  algorithm, the known mistakes, ``style.css``), formulas as MathML, no script and no
  network needed (:mod:`derivations.rendering.html`); pages left from an older run that the
  site no longer has are removed;
* ``derivations.pdf`` when ``pdflatex`` is on PATH (compiled in a temporary directory, run
  until the contents list is stable; only the PDF is copied), unless ``--no-pdf``.

Every file is written atomically (a complete new file or the old one).

The documents themselves are made in :mod:`derivations.rendering`; this module checks the
options, runs that and writes the files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from derivations.rendering.content import NotProvenError, collect
from derivations.rendering.documents import (
    HTML_FOLDER,
    INSTALL_HINT,
    PDF_NAME,
    TEX_NAME,
    build_documents,
    build_site_files,
    compile_latex,
)
from impl.atomic import write_atomically, write_text_atomically

HELP = "write the LaTeX/Markdown derivations and the HTML site into docs/"
DESCRIPTION = (
    "Run every proof, then write derivations.tex, derivations.md, errata.md and mistakes.md, "
    "the web site html/ (open html/index.html in a browser), and derivations.pdf if pdflatex "
    "is installed, from the verified claims."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``verified-backprop docs`` (``--out``, ``--no-pdf``)."""
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("docs"),
        metavar="DIR",
        help="directory to write into (default: docs/)",
    )
    parser.add_argument("--no-pdf", action="store_true", help="do not compile the PDF")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``verified-backprop docs`` on its own (the same as its sub-parser)."""
    parser = argparse.ArgumentParser(prog="verified-backprop docs", description=DESCRIPTION)
    add_arguments(parser)
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


def _write_site(folder: Path, files: dict[str, str]) -> None:
    """Write the site's files into ``folder``; remove the pages of an older run that the
    site no longer has (so that no stale page links to anchors that are gone)."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in sorted(folder.glob("*.html")):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        write_text_atomically(folder / name, text)


def main(argv: list[str] | None = None) -> int:
    """``verified-backprop docs [options]``; returns the exit status."""
    return run(build_parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Write the documents with the options of :func:`add_arguments`; returns the exit status."""
    problem = _unusable_folder(args.out)  # checked before ten seconds of proofs
    if problem:
        print(f"verified-backprop docs: cannot create --out {args.out}: {problem}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        print("running every proof and every verdict first (a few minutes on 2 cores):")
        content = collect(progress=lambda line: print(f"  {line}", flush=True))
    except NotProvenError as error:
        print(f"verified-backprop docs: {error}", file=sys.stderr)
        return 1
    proofs_seconds = time.perf_counter() - started
    documents = build_documents(content)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, text in documents.items():
            write_text_atomically(args.out / name, text)
            print(f"wrote {args.out / name}")
        # an older PDF would no longer match the documents just written
        (args.out / PDF_NAME).unlink(missing_ok=True)
        site = build_site_files(content)
        _write_site(args.out / HTML_FOLDER, site)
        print(f"wrote {args.out / HTML_FOLDER / 'index.html'} and {len(site) - 1} more files")
    except OSError as error:
        print(f"verified-backprop docs: cannot write into {args.out}: {error}", file=sys.stderr)
        return 1
    verdicts = f"{len(content.sources) + len(content.beyond)} verdicts on the sources' claims"
    if content.census:
        verdicts += f" and {len(content.census)} census verdicts"
    print(f"{len(content.claims)} claims proven, {verdicts} computed in {proofs_seconds:.1f} s")
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
    try:
        write_atomically(args.out / PDF_NAME, lambda handle: handle.write(result.pdf))
    except OSError as error:
        print(
            f"verified-backprop docs: cannot write {args.out / PDF_NAME}: {error}", file=sys.stderr
        )
        return 1
    print(
        f"wrote {args.out / PDF_NAME} (pdflatex: {result.runs} runs until the contents were "
        f"stable, {result.seconds:.1f} s)"
    )
    return 0
