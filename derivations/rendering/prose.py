"""Prose with a little mathematics in it, for LaTeX and for Markdown.

The claims' titles, justifications and readings are written for people, in Unicode, with
formulas inline: ``"softmax Jacobian ∂a_c/∂z_j = a_c([c = j] − a_j)"``.  This module splits
such a string into prose, inline mathematics and code (claim names), and renders it

* for LaTeX (:func:`to_latex`): ASCII only, so that it compiles with plain ``pdflatex``;
  mathematics as ``$a_{c}(\\delta_{cj} - a_{j})$``, code as ``\\texttt{...}``;
* for Markdown (:func:`to_markdown`): mathematics as ``$...$`` for GitHub's MathJax.

Every non-ASCII character must be in one of the tables below; :func:`unhandled_characters`
lists those that are not (a test runs it over every text of the catalogue), and rendering
such a character raises :class:`UntranslatableCharacterError` rather than writing LaTeX
that does not compile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "MATH_CHARACTERS",
    "TEXT_CHARACTERS",
    "Segment",
    "UntranslatableCharacterError",
    "latex_code",
    "latex_plain",
    "markdown_code",
    "markdown_plain",
    "math_latex",
    "segments",
    "to_latex",
    "to_markdown",
    "to_math_mode",
    "unhandled_characters",
]


class UntranslatableCharacterError(ValueError):
    """A non-ASCII character that has no LaTeX translation in this module's tables."""


#: Unicode → LaTeX math (used inside ``$...$``)
MATH_CHARACTERS: dict[str, str] = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon",
    "η": r"\eta", "θ": r"\theta", "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi",
    "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau", "φ": r"\varphi", "χ": r"\chi",
    "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta",
    "Λ": r"\Lambda", "Π": r"\Pi", "Σ": r"\sum", "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega",
    "∂": r"\partial", "−": "-", "≤": r"\leq", "≥": r"\geq", "≠": r"\neq", "⊙": r"\odot",
    "·": r"\cdot", "×": r"\times", "→": r"\to", "∈": r"\in", "∞": r"\infty", "…": r"\dots",
    "‖": r"\|", "½": r"\tfrac{1}{2}", "′": "'", "″": "''", "≈": r"\approx",
    "∇": r"\nabla", "𝜂": r"\eta",
}  # fmt: skip

#: superscript and subscript letters → what they raise or lower
SUPERSCRIPTS: dict[str, str] = {
    "ᵀ": "T", "ᴴ": "H", "ᴸ": "L", "ˡ": "l", "⁺": "+", "⁻": "-", "⁰": "0", "¹": "1",
    "²": "2", "³": "3", "ⁱ": "i", "ʲ": "j", "ᵏ": "k", "ⁿ": "n",
}  # fmt: skip
SUBSCRIPTS: dict[str, str] = {
    "ᵢ": "i", "ⱼ": "j", "ₖ": "k", "ₗ": "l", "ₘ": "m", "ₙ": "n", "₀": "0", "₁": "1", "₂": "2",
}  # fmt: skip

#: Unicode → LaTeX text mode (punctuation that is not mathematics)
TEXT_CHARACTERS: dict[str, str] = {
    "—": "---", "–": "--", "‘": "`", "’": "'", "“": "``", "”": "''", "é": r"\'e",
    "\u00a0": "~",
}  # fmt: skip

#: words that are functions when written f(x), f′ or f²
_FUNCTION_WORDS = {
    "tanh": r"\tanh", "log": r"\log", "exp": r"\exp", "max": r"\max", "min": r"\min",
    "diag": r"\operatorname{diag}", "softmax": r"\operatorname{softmax}",
    "softplus": r"\operatorname{softplus}", "ReLU": r"\operatorname{ReLU}",
}  # fmt: skip
_GREEK_NAMES = {"alpha", "delta", "sigma", "epsilon", "lambda"}

_GREEK = "α-ωΑ-Ω"
_MODIFIERS = "".join(SUPERSCRIPTS) + "".join(SUBSCRIPTS) + "′″"
_SCRIPT = r"[_^](?:\{(?:[^{}]|\{[^{}]*\})*\}|\([^()]*\)|\[[^\[\]]*\]|[A-Za-z0-9" + _GREEK + r"]+)"
_TOKEN = re.compile(
    rf"(?P<ident>[A-Za-z{_GREEK}]+(?:{_SCRIPT})+)"
    rf"|(?P<word>[A-Za-z{_GREEK}]+)"
    rf"|(?P<mods>[{_MODIFIERS}]+)"
    r"|(?P<space>\s+)"
    r"|(?P<digits>[0-9]+)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_WEAK = set("=+-*/()[],.:;<>|!'") | {"…"}
_PUNCTUATION = set(",.;:")
_OPERATORS = set("=+-*/<>") | set("−⊙≤≥≠·×∈→")


@dataclass(frozen=True)
class Segment:
    """A piece of a text: ``"text"`` (prose), ``"math"`` (LaTeX, no dollars) or ``"code"``."""

    kind: Literal["text", "math", "code", "bold"]
    content: str


@dataclass
class _Token:
    kind: Literal["strong", "weak", "text", "code", "space"]
    source: str
    math: str = ""


# ---------------------------------------------------------------------- mathematics


def _math_chars(text: str) -> str:
    """Map the characters of a formula fragment to LaTeX math (no tokenising)."""
    out = []
    for char in text:
        if char in MATH_CHARACTERS:
            command = MATH_CHARACTERS[char]
            out.append(command + " " if command[-1].isalpha() else command)
        elif char in SUPERSCRIPTS:
            out.append("^{" + SUPERSCRIPTS[char] + "}")
        elif char in SUBSCRIPTS:
            out.append("_{" + SUBSCRIPTS[char] + "}")
        elif char.isascii():
            out.append(char)
        else:
            raise UntranslatableCharacterError(
                f"no LaTeX for {char!r} (U+{ord(char):04X}) in {text!r}: add it to "
                "derivations/rendering/prose.py"
            )
    return "".join(out)


def _stem(word: str) -> str:
    """The LaTeX for a name: ``z``, ``δ``/``delta`` → ``\\delta``, ``dZ`` → ``\\mathrm{d}Z``."""
    if word in _FUNCTION_WORDS:
        return _FUNCTION_WORDS[word]
    if word in _GREEK_NAMES:
        return "\\" + word
    if len(word) == 1:
        return _math_chars(word).strip()
    if len(word) == 2 and word[0] == "d" and word[1].isalpha():
        return r"\mathrm{d}" + word[1]  # dZ, dA, db: differentials
    return r"\mathrm{" + _math_chars(word) + "}"


def _modifiers(text: str) -> str:
    """``ˡ⁺¹`` → ``^{l+1}``, ``ᵢ`` → ``_{i}``, ``′`` → ``'`` (runs of one kind merged)."""
    out, sup, sub = [], [], []

    def flush() -> None:
        if sup:
            out.append("^{" + "".join(sup) + "}")
            sup.clear()
        if sub:
            out.append("_{" + "".join(sub) + "}")
            sub.clear()

    for char in text:
        if char in SUPERSCRIPTS:
            sup.append(SUPERSCRIPTS[char])
        elif char in SUBSCRIPTS:
            sub.append(SUBSCRIPTS[char])
        else:
            flush()
            out.append(MATH_CHARACTERS[char])
    flush()
    return "".join(out)


def _ident(source: str) -> str:
    """``z^(l+1)_k`` → ``z^{l+1}_{k}``, ``e^{-x}`` → ``e^{-x}``, ``Σ_c`` → ``\\sum_{c}``."""
    stem_match = re.match(rf"[A-Za-z{_GREEK}]+", source)
    assert stem_match is not None
    out = [_stem(stem_match.group(0))]
    for script in re.finditer(_SCRIPT, source[stem_match.end() :]):
        mark, body = script.group(0)[0], script.group(0)[1:]
        if len(body) >= 2 and (body[0], body[-1]) in {("(", ")"), ("{", "}")}:
            body = body[1:-1]
        out.append(mark + "{" + _math_chars(body) + "}")
    return "".join(out)


def math_latex(text: str) -> str:
    """A string that is a formula as a whole (``"dZ = m ∂J/∂Z"``) as LaTeX math."""
    parts = []
    for token in _tokens(text):
        if token.kind in {"strong", "weak"}:
            parts.append(token.math)
        elif token.kind == "space":
            parts.append(" ")
        else:  # a word or a code name inside a formula: upright
            parts.append(
                _stem(token.source)
                if token.source.isalpha()
                else _math_chars(token.source.replace("_", r"\_"))
            )
    return "".join(parts).strip()


# ---------------------------------------------------------------------- tokens


def _is_code_name(source: str) -> bool:
    """``softmax_ce_delta`` is a name (code); ``a_c``, ``z^l_r``, ``delta^(l+1)_k`` are math."""
    stem = re.match(rf"[A-Za-z{_GREEK}]+", source)
    assert stem is not None
    if len(stem.group(0)) < 2 or stem.group(0) in _GREEK_NAMES or "^" in source:
        return False
    parts = source[stem.end() :].split("_")[1:]
    return (
        bool(parts)
        and all(re.fullmatch(r"[A-Za-z0-9]+", part) for part in parts)
        and any(len(part) >= 2 for part in parts)
    )


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        kind, source = match.lastgroup, match.group(0)
        following = text[match.end() :]
        before = text[: match.start()]
        if kind == "ident":
            if _is_code_name(source):
                tokens.append(_Token("code", source))
            else:
                tokens.append(_Token("strong", source, _ident(source)))
        elif kind == "word":
            tokens.append(_word_token(source, before, following))
        elif kind == "mods":
            tokens.append(_Token("strong", source, _modifiers(source)))
        elif kind == "space":
            tokens.append(_Token("space", source, " "))
        elif kind == "digits":
            tokens.append(_Token("weak", source, source))
        elif source in MATH_CHARACTERS:
            kind_of = "weak" if source in _WEAK else "strong"
            tokens.append(_Token(kind_of, source, _math_chars(source)))
        elif source in _WEAK:
            # "*" as \ast: a bare asterisk in a Markdown formula could start emphasis
            tokens.append(_Token("weak", source, r"\ast " if source == "*" else source))
        else:
            tokens.append(_Token("text", source))
    return tokens


def _word_token(word: str, before: str, following: str) -> _Token:
    """Single letters and Greek letters are mathematics; English words are prose."""
    followed_by_math = following[:1] in set(_MODIFIERS) or following[:1] == "("
    if word in _FUNCTION_WORDS and followed_by_math:
        return _Token("strong", word, _FUNCTION_WORDS[word])
    if before[-1:] in set(_MODIFIERS) and len(word) <= 3 and word.isascii():
        return _Token("strong", word, word)  # "vᵀHv"
    if re.fullmatch(r"d[A-Z]", word):
        return _Token("strong", word, _stem(word))  # dZ, dW, dA
    if len(word) == 1:
        if before.endswith("'"):
            return _Token("text", word)  # the possessive: "3.B.3's"
        if word in "aA" and re.match(r" [a-z]{2}", following):
            return _Token("text", word)  # the article: "a one-hot vector"
        if re.search(r"[0-9]\.$", before) or re.match(r"\.[0-9A-Z]", following):
            return _Token("text", word)  # a section number: "3.A", "1.B"
        return _Token("strong", word, _stem(word))
    if all(char in MATH_CHARACTERS for char in word):
        return _Token("strong", word, _math_chars(word))
    return _Token("text", word)


def segments(text: str) -> list[Segment]:
    """Split ``text`` into prose, inline formulas and code names."""
    tokens = _tokens(text)
    result: list[Segment] = []
    run: list[_Token] = []

    def add(kind: Literal["text", "math", "code"], content: str) -> None:
        if result and result[-1].kind == kind and kind != "math":
            result[-1] = Segment(kind, result[-1].content + content)
        elif content:
            result.append(Segment(kind, content))

    def flush() -> None:
        if not run:
            return
        start, end = 0, len(run)
        while True:  # trim spaces, punctuation and unbalanced brackets off both ends
            changed = False
            while start < end and (run[start].kind == "space" or run[start].source in _PUNCTUATION):
                start, changed = start + 1, True
            while start < end and (
                run[end - 1].kind == "space" or run[end - 1].source in _PUNCTUATION
            ):
                end, changed = end - 1, True
            body = "".join(token.source for token in run[start:end])
            if start < end and run[end - 1].source in {"(", "["}:
                end, changed = end - 1, True  # "K = 3 (" + "plain symbols)"
            elif start < end and run[start].source in {"(", "["} and _unbalanced(body, True):
                start, changed = start + 1, True
            elif start < end and run[end - 1].source in {")", "]"} and _unbalanced(body, False):
                end, changed = end - 1, True
            if not changed:
                break
        core = run[start:end]
        for token in run[:start]:
            add("text", token.source)
        if any(token.kind == "strong" for token in core):
            formula = re.sub(r" {2,}", " ", "".join(token.math for token in core).strip())
            result.append(Segment("math", formula))
        else:
            add("text", "".join(token.source for token in core))
        for token in run[end:]:
            add("text", token.source)
        run.clear()

    depth = 0  # brackets open in the current formula
    for position, token in enumerate(tokens):
        if token.kind == "space" and run:
            following = tokens[position + 1].source if position + 1 < len(tokens) else ""
            previous = run[-1]
            if previous.source in _PUNCTUATION and depth <= 0:
                # "(1/m)(A − Y). A − Y is ...": a sentence or clause ends the formula
                flush()
                add("text", token.source)
                continue
            after_name = previous.kind == "strong" and previous.source not in _OPERATORS
            if following == "(" and (after_name or previous.source.isdigit()):
                # "over c (1 ≤ j ≤ K)": a bracket after a name is a remark, not an argument
                flush()
                add("text", token.source)
                continue
        if token.kind in {"strong", "weak", "space"}:
            if not run:
                depth = 0
            run.append(token)
            depth += token.source.count("(") + token.source.count("[")
            depth -= token.source.count(")") + token.source.count("]")
        else:
            flush()
            add("code" if token.kind == "code" else "text", token.source)
    flush()
    return result


def _unbalanced(body: str, opening: bool) -> bool:
    """Does ``body`` start with an unclosed bracket (or end with an unopened one)?"""
    pairs = {"(": ")", "[": "]"}
    if opening:
        open_char = body[0]
        return body.count(open_char) > body.count(pairs[open_char])
    close_char = body[-1]
    open_char = "(" if close_char == ")" else "["
    return body.count(close_char) > body.count(open_char)


# ---------------------------------------------------------------------- LaTeX


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\~{}",
    # not in the OT1 text fonts (">" would print as "¡"): take them from the math fonts
    "<": r"\ensuremath{<}", ">": r"\ensuremath{>}", "|": r"\ensuremath{|}",
}  # fmt: skip
#: typewriter fonts have every ASCII glyph: inside \texttt only TeX's specials are escaped
_TYPEWRITER_KEEP = set("<>|")


def latex_plain(text: str) -> str:
    """Prose for LaTeX text mode: specials escaped, Unicode translated, no formula detection."""
    out = []
    for char in text:
        if char in _LATEX_SPECIALS:
            out.append(_LATEX_SPECIALS[char])
        elif char in TEXT_CHARACTERS:
            out.append(TEXT_CHARACTERS[char])
        elif char.isascii():
            out.append(char)
        elif char in MATH_CHARACTERS or char in SUPERSCRIPTS or char in SUBSCRIPTS:
            out.append(r"\ensuremath{" + _math_chars(char) + "}")
        else:
            raise UntranslatableCharacterError(
                f"no LaTeX for {char!r} (U+{ord(char):04X}) in {text!r}: add it to "
                "derivations/rendering/prose.py"
            )
    return "".join(out)


def latex_code(text: str) -> str:
    """Verbatim text (a quote from a seed) as ``\\texttt{...}`` that compiles and can break
    after braces, equals signs, commas and hyphens (long LaTeX quotes have few spaces).
    Line breaks inside the quote become single spaces (a paragraph cannot end in ``\\texttt``)."""
    out = []
    for char in one_line(text):
        piece = char if char in _TYPEWRITER_KEEP else latex_plain(char)
        if char == "-":
            piece = "-{}"  # no -- ligature
        if char in "}=,-":
            piece += r"\allowbreak{}"
        out.append(piece)
    return r"\texttt{" + "".join(out) + "}"


def to_latex(text: str) -> str:
    """Prose with inline formulas, for LaTeX text mode (ASCII only)."""
    out = []
    for segment in segments(text):
        if segment.kind == "math":
            out.append("$" + segment.content + "$")
        elif segment.kind == "code":
            out.append(r"\texttt{" + latex_plain(segment.content) + "}")
        else:
            out.append(latex_plain(segment.content))
    return "".join(out)


def to_math_mode(text: str) -> str:
    """Prose with inline formulas, inside a display formula (a Jupyter notebook's MathJax):
    words in ``\\text{...}``, formulas as they are, code in ``\\texttt{...}``."""
    out = []
    for segment in segments(text):
        content = segment.content.replace("\\", "").replace("{", "").replace("}", "")
        if segment.kind == "math":
            out.append(segment.content)
        elif segment.kind == "code":
            out.append(r"\texttt{" + content + "}")
        else:
            out.append(r"\text{" + content + "}")
    return " ".join(out)


# ---------------------------------------------------------------------- Markdown

_MARKDOWN_SPECIALS = set("\\`*_<>[]$|")


def markdown_plain(text: str) -> str:
    """Prose for Markdown with the characters Markdown would interpret escaped."""
    return "".join("\\" + char if char in _MARKDOWN_SPECIALS else char for char in text)


def one_line(text: str) -> str:
    """``text`` with every run of white space (line breaks included) folded to one space."""
    return " ".join(text.split())


def markdown_code(text: str) -> str:
    """Verbatim text as a Markdown code span (backticks inside are fenced correctly); line
    breaks become spaces, as a code span cannot hold a blank line."""
    text = one_line(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def to_markdown(text: str) -> str:
    """Prose with inline formulas, for GitHub Markdown (``$...$`` for MathJax)."""
    out = []
    for segment in segments(text):
        if segment.kind == "math":
            out.append("$" + segment.content + "$")
        elif segment.kind == "code":
            out.append(markdown_code(segment.content))
        else:
            out.append(markdown_plain(segment.content))
    return "".join(out)


def unhandled_characters(text: str) -> set[str]:
    """The non-ASCII characters of ``text`` that no table here translates."""
    known = MATH_CHARACTERS.keys() | SUPERSCRIPTS.keys() | SUBSCRIPTS.keys()
    known |= TEXT_CHARACTERS.keys()
    return {char for char in text if not char.isascii() and char not in known}


# ---------------------------------------------------------------------- docstrings

_INLINE_MARKUP = re.compile(
    r"``(?P<literal>[^`]+)``|:[a-z]+:`(?P<role>[^`]+)`|\*\*(?P<bold>[^*]+)\*\*"
)


def docstring_pieces(text: str) -> list[Segment]:
    """Split reStructuredText-style prose: ``x`` is a formula (or a lowercase name: code),
    :mod:`x` is code, **x** is bold, the rest is prose (still to be rendered as prose)."""
    pieces: list[Segment] = []
    position = 0
    for match in _INLINE_MARKUP.finditer(text):
        if match.start() > position:
            pieces.append(Segment("text", text[position : match.start()]))
        if match.group("role") is not None:
            pieces.append(Segment("code", match.group("role")))
        elif match.group("bold") is not None:
            pieces.append(Segment("bold", match.group("bold")))
        elif re.fullmatch(r"[a-z]{3,}(?:[._][a-z]+)*", match.group("literal")):
            pieces.append(Segment("code", match.group("literal")))
        else:
            pieces.append(Segment("math", math_latex(match.group("literal"))))
        position = match.end()
    if position < len(text):
        pieces.append(Segment("text", text[position:]))
    return pieces


def docstring_blocks(text: str) -> list[tuple[Literal["paragraph", "bullets"], list[str]]]:
    """Paragraphs and bullet lists (``* item``, continuation lines indented) of a docstring."""
    blocks: list[tuple[Literal["paragraph", "bullets"], list[str]]] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = chunk.splitlines()
        if lines and lines[0].startswith("* "):
            items: list[str] = []
            for line in lines:
                if line.startswith("* "):
                    items.append(line[2:].strip())
                else:
                    items[-1] += " " + line.strip()
            blocks.append(("bullets", items))
        else:
            blocks.append(("paragraph", [" ".join(line.strip() for line in lines)]))
    return blocks


def docstring_to_latex(text: str) -> str:
    """Inline markup of a docstring paragraph, for LaTeX."""
    out = []
    for piece in docstring_pieces(text):
        if piece.kind == "math":
            out.append("$" + piece.content + "$")
        elif piece.kind == "code":
            out.append(r"\texttt{" + latex_plain(piece.content) + "}")
        elif piece.kind == "bold":
            out.append(r"\textbf{" + to_latex(piece.content) + "}")
        else:
            out.append(to_latex(piece.content))
    return "".join(out)


def docstring_to_markdown(text: str) -> str:
    """Inline markup of a docstring paragraph, for Markdown."""
    out = []
    for piece in docstring_pieces(text):
        if piece.kind == "math":
            out.append("$" + piece.content + "$")
        elif piece.kind == "code":
            out.append(markdown_code(piece.content))
        elif piece.kind == "bold":
            out.append("**" + to_markdown(piece.content) + "**")
        else:
            out.append(to_markdown(piece.content))
    return "".join(out)
