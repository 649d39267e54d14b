"""Prose with inline formulas becomes pure-ASCII LaTeX and GitHub Markdown."""

from __future__ import annotations

import inspect

import pytest

from derivations import notation
from derivations.claims import all_claims
from derivations.rendering.common import INTRODUCTION, errata_introduction
from derivations.rendering.prose import (
    UntranslatableCharacterError,
    latex_code,
    markdown_code,
    to_latex,
    to_markdown,
    unhandled_characters,
)
from derivations.sources.catalogue import beyond_sources, statements


def _catalogue_texts() -> list[tuple[str, str]]:
    """(where, text) for every piece of prose the documents print."""
    texts: list[tuple[str, str]] = []
    for claim in all_claims().values():
        texts += [(f"{claim.name}.title", claim.title), (f"{claim.name}.sizes", claim.sizes)]
        texts.append((f"{claim.name}.summary", claim.summary))
        texts += [(f"{claim.name}.step{n}", s.why) for n, s in enumerate(claim.steps, 1)]
        texts += [(f"{claim.name}.definition", d.text) for d in claim.definitions]
        texts += [(f"{claim.name}.hypothesis", h.text) for h in claim.hypotheses]
        texts += [(f"{claim.name}.hypothesis", h.name) for h in claim.hypotheses]
        texts += [(f"{claim.name}.check", name) for name, _ in claim.extra_checks]
    for statement in statements() + beyond_sources():
        for field in ("wording", "correction", "section", "source", "proof"):
            texts.append((f"{statement.key}.{field}", getattr(statement, field)))
        if statement.assumption is not None:
            texts.append((f"{statement.key}.assumption", statement.assumption.text))
    texts.append(("notation docstring", inspect.cleandoc(notation.__doc__ or "")))
    texts += [("introduction", INTRODUCTION), ("errata", errata_introduction())]
    return [(where, text) for where, text in texts if text]


def test_every_non_ascii_character_of_the_catalogue_has_a_translation() -> None:
    missing = {
        where: sorted(unhandled_characters(text))
        for where, text in _catalogue_texts()
        if unhandled_characters(text)
    }
    assert not missing, f"add these characters to derivations/rendering/prose.py: {missing}"


def test_every_catalogue_text_becomes_ascii_latex() -> None:
    for where, text in _catalogue_texts():
        rendered = to_latex(text)
        assert rendered.isascii(), (where, rendered)
        assert rendered.count("$") % 2 == 0, (where, rendered)


def test_seed_quotes_become_ascii_code() -> None:
    for statement in statements():
        assert latex_code(statement.quote).isascii(), statement.key


def test_an_unknown_character_is_an_error_not_broken_latex() -> None:
    with pytest.raises(UntranslatableCharacterError, match="U\\+2603"):
        to_latex("snow ☃ man")
    assert unhandled_characters("δ ☃") == {"☃"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "softmax Jacobian ∂a_c/∂z_j = a_c(δ_cj − a_j)",
            r"softmax Jacobian $\partial a_{c}/\partial z_{j} = a_{c}(\delta_{cj} - a_{j})$",
        ),
        (
            "sum the indicator [c = j] over c (1 ≤ j ≤ K)",
            r"sum the indicator $[c = j]$ over $c$ $(1 \leq j \leq K)$",
        ),
        ("δᴸ = (Wᴸ⁺¹)ᵀ δᴸ⁺¹", r"$\delta^{L} = (W^{L+1})^{T} \delta^{L+1}$"),
        ("tanh′ = 1 − tanh²", r"$\tanh' = 1 - \tanh^{2}$"),
        ("(a one-hot vector)", "(a one-hot vector)"),
        ("as section 3.A writes", "as section 3.A writes"),
        ("(claim softmax_ce_delta)", r"(claim \texttt{softmax\_ce\_delta})"),
        ("J depends only through z^(l+1)", r"$J$ depends only through $z^{l+1}$"),
        ("dZ = m ∂J/∂Z", r"$\mathrm{d}Z = m \partial J/\partial Z$"),
        ("100% & #1", r"100\% \& \#1"),
        ("every term is >= 0", r"every term is \ensuremath{>}= 0"),
    ],
)
def test_prose_to_latex(text: str, expected: str) -> None:
    assert to_latex(text) == expected


def test_prose_to_markdown_escapes_markdown_outside_formulas() -> None:
    assert to_markdown("a_j y_j terms, *not* [this]") == r"$a_{j} y_{j}$ terms, \*not\* \[this\]"
    assert to_markdown("(claim softmax_ce_delta)") == "(claim `softmax_ce_delta`)"


def test_code_spans_survive_backticks_and_latex() -> None:
    assert markdown_code("a `b` c") == "``a `b` c``"
    assert latex_code(r"\frac{a}{b}") == (
        r"\texttt{\textbackslash{}frac\{a\}\allowbreak{}\{b\}\allowbreak{}}"
    )
