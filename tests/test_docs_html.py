"""The web site that ``verified-backprop docs`` writes into ``html/``, read as a browser does.

* the formulas are MathML, converted from the documents' LaTeX; LaTeX the converter does not
  understand, and a link to an anchor no page holds, are errors when the site is built;
* every claim has its anchor, every step of a derivation its number and its own anchor,
  every page needs nothing from the network (no script, no CDN, no font download);
* Debian's Chromium, headless, renders every page: no raw TeX in the text it shows, every
  internal link resolves to an id of the page it names, and a screenshot of a derivation
  is drawn (skipped locally without ``chromium``; a failure under ``CI=true``, where
  ``.ci/run`` installs it).

The site is the one the real command wrote for tests/test_docs_generated.py (the session
fixture ``generated`` of conftest.py: the proofs run once).
"""

from __future__ import annotations

import html as html_module
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser

import pytest
from generated_docs import Generated
from proof_cache import SHARED

from derivations.rendering.html import (
    BrokenLinkError,
    MathConversionError,
    breakable,
    mathml,
    render_site,
)
from derivations.rendering.model import Code, Document, Link, Math, Paragraph, Section, Text
from derivations.rendering.model import inline as inline_pieces
from derivations.rendering.outline import ClaimTable, arrange
from impl.commands import docs as docs_command

ROOT = pathlib.Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
INSTALL = "apt-get install -y --no-install-recommends chromium"

pytestmark = SHARED  # the generated documents share every proof with the proof tests


def _site(generated: Generated) -> pathlib.Path:
    return generated.out / "html"


def _pages(generated: Generated) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in _site(generated).glob("*.html")}


# ---------------------------------------------------------------------- without a browser


def test_formulas_become_mathml_and_unknown_latex_is_an_error() -> None:
    converted = mathml(r"\frac{\partial J}{\partial z_{j}} = a_{j} - y_{j}")
    assert converted.startswith('<math display="inline">') and "<mfrac>" in converted
    assert 'display="block"' in mathml(r"\sum_{c=1}^{K} y_{c} = 1", block=True)
    assert "<mtable" in mathml("\\begin{aligned} a &= b \\\\ &= c \\end{aligned}")
    with pytest.raises(MathConversionError, match="notacommand"):
        mathml(r"\notacommand{x}")


def test_a_long_list_formula_may_break_between_its_items() -> None:
    witness = "(K = 1, j = 1, n_{0} = 1, n_{1} = 1; K = 2, j = 2, n_{0} = 2, n_{1} = 2)"
    assert breakable(witness) == [
        ("(K = 1, j = 1, n_{0} = 1, n_{1} = 1", "; "),
        ("K = 2, j = 2, n_{0} = 2, n_{1} = 2)", ""),
    ]
    rows = r"\frac{\partial J}{\partial W^{1}_{r,s}} = a^{0}_{s} \delta^{1}_{r}, \dots, b = c_{1,2}"
    assert [part for part, _ in breakable(rows)][1] == r"\dots"
    fenced = r"\left(0, \frac{1}{2}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15\right)"
    assert breakable(fenced) == [(fenced, "")]
    assert breakable("a, b") == [("a, b", "")]


def test_prose_splits_into_text_formulas_and_code_as_in_the_other_documents() -> None:
    pieces = inline_pieces("softmax Jacobian ∂a_c/∂z_j (claim softmax_ce_delta)")
    assert Math(r"\partial a_{c}/\partial z_{j}") in pieces
    assert Code("softmax_ce_delta") in pieces


def test_a_link_to_an_anchor_no_page_holds_is_refused() -> None:
    page = Section("part-x", (Text("X"),), (Paragraph((Link("claim-nowhere", (Text("?"),)),)),))
    with pytest.raises(BrokenLinkError, match="claim-nowhere"):
        render_site(Document("T", (), (page,)))


def test_the_command_writes_the_site_beside_the_documents(generated: Generated) -> None:
    pages = _pages(generated)
    assert "index.html" in pages and (_site(generated) / "style.css").is_file()
    parts = [arranged.part.key for arranged in arrange(generated.content.claims)]
    for name in ("conventions", *(f"part-{key}" for key in parts), "errata"):
        assert f"{name}.html" in pages, name
        assert f'href="{name}.html"' in pages["index.html"], name
    assert {"the-whole-algorithm.html", "mistakes.html"} <= set(pages)


def test_stale_pages_of_an_older_run_are_removed(tmp_path: pathlib.Path) -> None:
    folder = tmp_path / "html"
    folder.mkdir()
    (folder / "part-gone.html").write_text("old", encoding="utf-8")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    docs_command._write_site(folder, {"index.html": "new", "style.css": ""})
    assert sorted(path.name for path in folder.iterdir()) == [
        "index.html",
        "notes.txt",
        "style.css",
    ]


def test_every_claim_and_every_step_has_an_anchor(generated: Generated) -> None:
    text = "\n".join(_pages(generated).values())
    tabled = {
        proven.claim.name
        for arranged in arrange(generated.content.claims)
        for item in arranged.items
        if isinstance(item, ClaimTable)
        for proven in item.claims
        if proven is not item.featured
    }
    for proven in generated.content.claims:
        name = proven.claim.name
        assert text.count(f'id="claim-{name}"') == 1, name
        if name in tabled:
            continue
        for number in range(1, len(proven.claim.steps) + 1):
            assert f'id="claim-{name}-eq-{number}"' in text, (name, number)
            assert f'id="claim-{name}-why-{number}"' in text, (name, number)


def test_the_softmax_derivation_page_has_its_steps_reasons_verdict_and_the_sources_words(
    generated: Generated,
) -> None:
    page = _pages(generated)["part-output.html"]
    section = page.split('<section id="claim-softmax_ce_delta"', 1)[1].split("</section>", 1)[0]
    for number in range(1, 5):
        assert f'<a href="#claim-softmax_ce_delta-why-{number}"' in section
    assert "substitute the hypothesis" in section
    assert "<strong>Verdict.</strong> Proven under the hypothesis" in section
    assert '<figure class="quote">' in section  # the source's words beside the verdict
    assert 'href="errata.html#erratum-000-softmax-delta"' in section
    assert section.count("<math") > 20


def test_the_site_needs_no_network_and_holds_no_tex(generated: Generated) -> None:
    for name, page in _pages(generated).items():
        assert "<script" not in page, name
        assert not re.search(r"""(src|href)=["'](https?:)?//""", page), name
        visible = _visible_text(page)
        assert "$" not in visible, (name, _around(visible, "$"))
        commands = re.findall(r"\\[A-Za-z]+", visible)
        assert not commands, (name, commands[:5])


def test_the_readme_says_how_to_open_and_publish_the_site() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "html/index.html" in readme
    assert "static" in readme.lower()


# ---------------------------------------------------------------------- in Chromium


def _chromium_or_skip() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    message = f"chromium is not installed; install it with: {INSTALL}"
    if IN_CI:
        pytest.fail(f"CI=true but {message} (.ci/run should have done it)")
    pytest.skip(message)


def _chromium(browser: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="verified-backprop-chromium-") as profile:
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            *arguments,
        ]
        return subprocess.run(
            command, capture_output=True, text=True, errors="replace", timeout=120, check=False
        )


class _Dom(HTMLParser):
    """The ids, the links and the number of math elements of a page, and its text outside
    ``<math>``, ``<code>``, ``<style>`` and ``<title>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.maths = 0
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag == "math":
            self.maths += 1
        if tag in {"math", "code", "style", "title"}:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"math", "code", "style", "title"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def _visible_text(page: str) -> str:
    dom = _Dom()
    dom.feed(page)
    return html_module.unescape(" ".join(dom.text))


def _around(text: str, needle: str) -> str:
    at = text.find(needle)
    return text[max(0, at - 60) : at + 60]


def test_chromium_renders_every_page_with_typeset_maths_and_working_links(
    generated: Generated,
) -> None:
    browser = _chromium_or_skip()
    site = _site(generated)
    rendered: dict[str, _Dom] = {}
    for path in sorted(site.glob("*.html")):
        done = _chromium(browser, "--dump-dom", path.as_uri())
        assert done.returncode == 0 and "<main" in done.stdout, (path.name, done.stderr[-2000:])
        dom = _Dom()
        dom.feed(done.stdout)
        rendered[path.name] = dom
        text = html_module.unescape(" ".join(dom.text))
        assert "$" not in text, (path.name, _around(text, "$"))
        assert not re.search(r"\\(frac|begin|left|right|sum|partial|mathrm)\b", text), path.name
    for name, dom in rendered.items():
        if name.startswith("part-") or name == "errata.html":
            assert dom.maths > 10, name
        for link in dom.links:
            page, _, anchor = link.partition("#")
            target = page or name
            assert target in rendered, (name, link)
            assert not anchor or anchor in rendered[target].ids, (name, link)
    assert sum(len(dom.links) for dom in rendered.values()) > 500


def test_chromium_draws_the_softmax_derivation(
    generated: Generated,
    tmp_path: pathlib.Path,
) -> None:
    browser = _chromium_or_skip()
    png = tmp_path / "softmax_ce_delta.png"
    page = _site(generated) / "part-output.html"
    done = _chromium(browser, f"--screenshot={png}", "--window-size=1200,1600", page.as_uri())
    assert done.returncode == 0 and png.is_file(), done.stderr[-2000:]
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 50_000  # a blank page is a few kB
