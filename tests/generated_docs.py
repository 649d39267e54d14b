"""The documents as the real command writes them, once per test session.

``verified-backprop docs`` (its ``main``) run on the whole catalogue's content, every proof
verified once (:mod:`proof_cache`, shared with tests/test_proofs.py), no PDF: the
``generated`` fixture in conftest.py, shared by tests/test_docs_generated.py (the Markdown
and the LaTeX) and tests/test_docs_html.py (the web site).
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

import pytest
from proof_cache import share_results

from derivations.rendering.content import DocumentContent, collect
from impl.commands import docs as docs_command


@dataclass(frozen=True)
class Generated:
    content: DocumentContent
    out: pathlib.Path

    def text(self, name: str) -> str:
        return (self.out / name).read_text(encoding="utf-8")


def generate(out: pathlib.Path) -> Generated:
    """Run every proof once, then the real command (``main``) on that content into ``out``."""
    with pytest.MonkeyPatch.context() as patch:
        share_results(patch)
        content = collect()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(docs_command, "collect", lambda **options: content)
        assert docs_command.main(["--out", str(out), "--no-pdf"]) == 0
    return Generated(content, out)
