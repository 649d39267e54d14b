"""The census of the two source documents: every statement, with a verdict of its kind.

Both sources were read sentence by sentence, every table row and every code line.  Each
statement that asserts something gets a :class:`CensusEntry`: the verbatim quote, its
section, our reading, and

* for a **mathematical** statement, a verdict the project computes (:func:`judge`): it is the
  weakest of the verdicts of what the entry cites — catalogue statements
  (:mod:`derivations.sources.catalogue`, judged by :func:`derivations.kernel.verdicts.assess`),
  claims (:mod:`derivations.catalog`, proven by :func:`derivations.kernel.engine.verify`: proven, or
  proven under assumption when the claim states a hypothesis) and computed findings
  (:mod:`derivations.sources.findings`: float64 against interval enclosures, shapes);
  proven < proven under assumption < refuted < undecided;
* otherwise a verdict of its own kind, with the reason: **definition** (it fixes what a
  symbol or a word means), **terminology** (a name or a description of a method, right or
  wrong by convention, not by computation), or **not decidable by computation** (practice,
  opinion, bibliography, text the source is missing).

What is *not* an entry is listed too: :data:`SKIPPED` (bylines, table headers) and the line
rules of :func:`skipped_by_rule` (Markdown headings, the table of contents, images, code
fences).  :func:`uncovered` finds every line of a source that neither an entry's quote nor a
skip covers; a test requires it to find none, so no sentence is left out silently.

Entries that the catalogue already judges are not typed twice: :func:`_catalogued` takes
their quote, section and reading from the catalogue statement.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

from derivations.kernel.verdicts import Verdict
from derivations.sources.catalogue import statements, symbols_of
from derivations.sources.documents import CORE_CONCEPTS, DERIVING_BACKPROPAGATION, document_of

__all__ = [
    "SKIPPED",
    "CensusEntry",
    "CensusVerdict",
    "Kind",
    "Skip",
    "entries",
    "judge",
    "report_census",
    "skipped_by_rule",
    "uncovered",
]

#: the files the sources were read from (a statement's ``source``; the documents name them)
SOURCE_000, SOURCE_001 = DERIVING_BACKPROPAGATION.file, CORE_CONCEPTS.file

#: the paragraph that opens the census in the errata
INTRODUCTION = (
    "Beyond the displayed equations and code lines above, both sources were read sentence by "
    "sentence, every table row and code line. Every statement has an entry: the mathematical "
    "ones a verdict the project computes (from the sources' claims above, the proven claims, and "
    "computed findings: float64 evaluations against interval enclosures, shapes with symbolic "
    "sizes), the others a verdict of their kind (definition, terminology, or not decidable by "
    "computation, with the reason). The refuted and qualified entries come first, then the "
    "whole census. Headings, the table of contents, images, code fences, table headers and "
    "the byline are not statements and have no entry."
)
#: the text each source's quotes are checked against (000 through its repaired copy)
READABLE_COPY = {
    SOURCE_000: "000_435a14ef32276ca9.utf8.txt",
    SOURCE_001: "001_340bb29d14a240f1.txt",
}


class Kind(StrEnum):
    MATHEMATICAL = "mathematical"
    DEFINITION = "definition"
    TERMINOLOGY = "terminology"
    NOT_DECIDABLE = "not decidable by computation"


@dataclass(frozen=True)
class CensusEntry:
    """One statement of a source with what decides it."""

    key: str
    source: str
    section: str
    quote: str
    reading: str
    kind: Kind
    #: catalogue statement keys, claim names and finding names whose verdicts decide it
    statements: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()
    #: the verdict the project must compute (mathematical entries)
    expected: Verdict | None = None
    #: for the other kinds: why it gets that verdict
    why: str = ""
    correction: str = ""
    #: how the quote is typeset ("markdown", "latex" or "code"); "" guesses from the quote
    quote_kind: str = ""

    @property
    def basis(self) -> tuple[str, ...]:
        return (*self.statements, *self.claims, *self.findings)

    @property
    def quote_format(self) -> str:
        """How the documents typeset the quote (see :func:`quote_format_of`)."""
        return self.quote_kind or quote_format_of(self.quote)


#: a line of Python in a quote (the sources' code samples)
_CODE = re.compile(r"```|\bnp\.|^\s*def |^\s*return |\bfor \w+ in |\w\[\w+\] = |@ ", re.M)
#: a LaTeX command outside of any $...$, \(...\) or \[...\] delimiters
_BARE_LATEX = re.compile(r"\\[A-Za-z]+")


def quote_format_of(quote: str) -> str:
    """``code`` for a quote with a line of Python, ``latex`` for a bare formula (a LaTeX
    command and no delimiters), otherwise ``markdown`` (prose with delimited formulas)."""
    if _CODE.search(quote):
        return "code"
    delimited = any(mark in quote for mark in ("$", "\\(", "\\["))
    if not delimited and _BARE_LATEX.search(quote):
        return "latex"
    return "markdown"


@dataclass(frozen=True)
class Skip:
    """Text of a source that is not a statement, with the reason."""

    source: str
    quote: str
    why: str


@dataclass
class CensusVerdict:
    entry: CensusEntry
    verdict: str
    detail: str
    seconds: float
    #: the parts' verdicts: name -> (verdict, detail)
    parts: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def as_expected(self) -> bool:
        if self.entry.kind != Kind.MATHEMATICAL:
            return True
        return self.verdict == str(self.entry.expected)

    @property
    def is_erratum(self) -> bool:
        return self.verdict in (Verdict.REFUTED, Verdict.PROVEN_UNDER_ASSUMPTION)


def _math(
    key: str,
    source: str,
    section: str,
    quote: str,
    reading: str,
    expected: Verdict,
    *,
    statements: tuple[str, ...] = (),
    claims: tuple[str, ...] = (),
    findings: tuple[str, ...] = (),
    correction: str = "",
) -> CensusEntry:
    return CensusEntry(
        key,
        source,
        section,
        quote,
        reading,
        Kind.MATHEMATICAL,
        statements,
        claims,
        findings,
        expected,
        correction=correction,
    )


def _other(
    kind: Kind, key: str, source: str, section: str, quote: str, reading: str, why: str
) -> CensusEntry:
    return CensusEntry(key, source, section, quote, reading, kind, why=why)


@cache
def _catalogue() -> dict:
    return {statement.key: statement for statement in statements()}


def _catalogued(key: str, *, quote: str = "") -> CensusEntry:
    """The census entry of a catalogue statement: its quote (or a longer one around it),
    section, reading, verdict and correction come from the catalogue."""
    statement = _catalogue()[key]
    return CensusEntry(
        key,
        statement.source,
        statement.section,
        quote or statement.quote,
        statement.wording,
        Kind.MATHEMATICAL,
        statements=(key,),
        expected=statement.expected,
        correction=statement.correction,
        quote_kind="" if quote else statement.quote_format,
    )


DEF, TERM, UNDECIDABLE = Kind.DEFINITION, Kind.TERMINOLOGY, Kind.NOT_DECIDABLE
PROVEN, QUALIFIED, REFUTED = Verdict.PROVEN, Verdict.PROVEN_UNDER_ASSUMPTION, Verdict.REFUTED
MULTI_LABEL = (
    "the case where several classes can be active at once, each with its own sigmoid and "
    "binary cross-entropy, is usually called multi-label; multi-class usually means one class "
    "out of K, the softmax case"
)
CONVERGENCE_CORRECTION = (
    "Only in a weaker sense: for a small enough learning rate the loss decreases, and any "
    "limit point of the weights is a stationary point (gradient 0). J is convex in the output "
    "logits (claim softmax_ce_hessian_psd) but not in the weights (claim "
    "loss_not_convex_in_weights), so a stationary point need not minimise J; and with one-hot "
    "labels J may have no minimiser at all, the loss tending to its infimum while the weights "
    "grow without bound (claim loss_has_no_minimiser)."
)


def _source_000() -> list[CensusEntry]:
    s = SOURCE_000
    return [
        _other(
            UNDECIDABLE,
            "000-based-on",
            s,
            "front matter",
            "**Based on:** *Implementing Backpropagation From Scratch in Python 3+*",
            "the document is based on the cited text",
            "a bibliographic attribution: deciding it needs the cited text, not a computation",
        ),
        _other(
            UNDECIDABLE,
            "000-overview-demonstrates",
            s,
            "Overview",
            "This project demonstrates the **derivation and implementation of backpropagation** "
            "in a **feedforward neural network**, using **Cross-Entropy Loss** as the objective "
            "function.",
            "the document derives and implements backpropagation for cross-entropy",
            "it describes the document itself; each result it states is judged in its own "
            "entry (the derivations are one sentence each: 'through the chain rule … simplifies "
            "to')",
        ),
        _other(
            TERM,
            "000-overview-cases",
            s,
            "Overview",
            "The derivation covers both **categorical** and **multi-class cross-entropy** cases",
            "the two cases are softmax with categorical cross-entropy and sigmoid outputs with "
            "binary cross-entropy, here called multi-class",
            MULTI_LABEL,
        ),
        _math(
            "000-overview-working-code",
            s,
            "Overview",
            "and connects the theory directly to a working Python implementation.",
            "the Python code shown computes the gradients derived in the text",
            REFUTED,
            statements=("000-code-output-delta",),
            correction="The code's output delta keeps a factor σ′(z_H) that the cross-entropy "
            "derivation cancels (000-code-output-delta); the forward pass and the update rule "
            "are not shown at all (000-forward-pass-missing, 000-update-missing).",
        ),
        _other(
            UNDECIDABLE,
            "000-overview-promise",
            s,
            "Overview",
            "By the end, you will understand how the gradients of the weights and biases are "
            "computed and used in **gradient descent** to minimize the loss in classification "
            "models.",
            "a promise to the reader",
            "it is about the reader's understanding, not about mathematics",
        ),
        _other(
            UNDECIDABLE,
            "000-ce-most-common",
            s,
            "Introduction",
            "There are many possible **loss functions** for neural networks, but when it comes "
            "to **classification**, **Cross-Entropy Loss** is the most commonly used",
            "cross-entropy is the loss most used for classification",
            "a claim about practice in the field: a survey decides it, not a computation",
        ),
        _math(
            "000-ce-probabilistic",
            s,
            "Introduction",
            "due to its probabilistic interpretation",
            "cross-entropy has a probabilistic meaning: CE(y, a) = H(y) + KL(y ‖ a), the "
            "entropy of the labels plus the divergence of the model's distribution from them",
            PROVEN,
            claims=("cross_entropy_entropy_kl",),
        ),
        _math(
            "000-ce-compatibility",
            s,
            "Introduction",
            "and compatibility with Softmax and Sigmoid activations.",
            "with softmax or sigmoid outputs, cross-entropy makes the output delta a − y",
            QUALIFIED,
            claims=("softmax_ce_delta", "sigmoid_bce_delta"),
            correction="For sigmoid outputs δ = a − y for any labels; for softmax only when "
            "the labels sum to 1 (otherwise δ = a Σ_c y_c − y).",
        ),
        _other(
            TERM,
            "000-goal-of-backprop",
            s,
            "Introduction",
            "The goal of backpropagation is to **adjust the weights (W)** and **biases (B)** in "
            "the network to minimize this loss.",
            "backpropagation adjusts the weights and biases to minimise the loss",
            "backpropagation computes the gradients ∂J/∂W and ∂J/∂b; adjusting the parameters "
            "with them is gradient descent (the source's own 'Gradient Descent' step). The "
            "biases are written B here and b in the equations",
        ),
        _other(
            DEF,
            "000-categorical-setting",
            s,
            "Categorical Cross-Entropy (Softmax)",
            "Used when each input belongs to exactly one class.",
            "categorical cross-entropy is for inputs of exactly one class",
            "it fixes the setting of the categorical case",
        ),
        _other(
            DEF,
            "000-one-hot",
            s,
            "Categorical Cross-Entropy (Softmax)",
            r"The true labels \( y \) are **one-hot encoded**",
            "y_c ∈ {0, 1} and Σ_c y_c = 1",
            "it fixes the labels; Σ_c y_c = 1 is the hypothesis under which 000-softmax-delta "
            "holds",
        ),
        _math(
            "000-softmax-probabilities",
            s,
            "Categorical Cross-Entropy (Softmax)",
            "and the last layer uses a **Softmax** activation to convert logits into "
            "probabilities.",
            "softmax outputs are a probability vector: every a_c = e^{z_c}/Σ_k e^{z_k} > 0 and "
            "Σ_c a_c = 1",
            PROVEN,
            claims=("softmax_sums_to_one",),
        ),
        _other(
            DEF,
            "000-categorical-ce",
            s,
            "Categorical Cross-Entropy (Softmax)",
            r"J = - \sum_{m} y_m \log(a_m)",
            "J = −Σ_c y_c log a_c for one example (m is a class index here, not a batch size)",
            "it defines the loss",
        ),
        _other(
            DEF,
            "000-softmax-definition",
            s,
            "Categorical Cross-Entropy (Softmax)",
            "where:\n" r"- \( a_m = \frac{e^{z_m}}{\sum_k e^{z_k}} \)",
            "a_c = e^{z_c}/Σ_k e^{z_k}",
            "it defines the softmax",
        ),
        _math(
            "000-softmax-float64",
            s,
            "Categorical Cross-Entropy (Softmax)",
            r"a_m = \frac{e^{z_m}}{\sum_k e^{z_k}}",
            "the formula, evaluated as written in float64 arithmetic, computes the softmax",
            REFUTED,
            claims=("softmax_shift_invariance",),
            findings=("softmax_formula_in_float64",),
            correction="Subtract M = max_k z_k from every logit first: the softmax is the same "
            "(claim softmax_shift_invariance) and no exponent is above 0, so nothing overflows.",
        ),
        _other(
            DEF,
            "000-pre-activation",
            s,
            "Categorical Cross-Entropy (Softmax)",
            r"- \( z_m \) is the pre-activation for neuron \( m \)",
            "z_c is the logit of output unit c",
            "it names a symbol",
        ),
        _math(
            "000-softmax-output-probability",
            s,
            "Categorical Cross-Entropy (Softmax)",
            r"- \( a_m \) is the Softmax output (probability)",
            "each a_c is a probability: a_c > 0 and Σ_c a_c = 1",
            PROVEN,
            claims=("softmax_sums_to_one",),
        ),
        _catalogued("000-softmax-delta"),
        _other(
            UNDECIDABLE,
            "000-elegantly",
            s,
            "Categorical Cross-Entropy (Softmax)",
            "This result elegantly connects the output probabilities to the true labels.",
            "δ = a − y is elegant",
            "an aesthetic judgement; the formula itself is 000-softmax-delta",
        ),
        _other(
            TERM,
            "000-multi-class-heading",
            s,
            "Multi-Class Cross-Entropy (Sigmoid)",
            "### Multi-Class Cross-Entropy (Sigmoid)",
            "sigmoid outputs with binary cross-entropy are called multi-class cross-entropy",
            MULTI_LABEL,
        ),
        _math(
            "000-sigmoid-for-several-classes",
            s,
            "Multi-Class Cross-Entropy (Sigmoid)",
            "When multiple classes can be active simultaneously (e.g., an image containing both "
            "a cat and a dog), we use **Sigmoid activations** instead of Softmax.",
            "with several classes active (Σ_c y_c > 1) sigmoid outputs with binary cross-entropy "
            "still give δ = a − y, while softmax with categorical cross-entropy gives "
            "δ = a Σ_c y_c − y",
            PROVEN,
            claims=("sigmoid_bce_delta", "softmax_ce_delta_any_labels"),
        ),
        _other(
            DEF,
            "000-bce-definition",
            s,
            "Multi-Class Cross-Entropy (Sigmoid)",
            r"J = - \sum_m \left[ y_m \log(a_m) + (1 - y_m)\log(1 - a_m) \right]",
            "J = −Σ_c [y_c log a_c + (1 − y_c) log(1 − a_c)]",
            "it defines the loss",
        ),
        _math(
            "000-bce-float64",
            s,
            "Multi-Class Cross-Entropy (Sigmoid)",
            r"(1 - y_m)\log(1 - a_m)",
            "J evaluated in float64 from a = sigmoid(z) (the source's code) is the binary "
            "cross-entropy",
            REFUTED,
            claims=("sigmoid_stable_form",),
            findings=("cross_entropy_from_sigmoid_in_float64",),
            correction="Compute the loss from the logits: −[y log σ(z) + (1 − y) log(1 − σ(z))] "
            "= log(1 + e^{z}) − y z, with log(1 + e^{z}) = max(z, 0) + log(1 + e^{−|z|}); never "
            "from a rounded a.",
        ),
        _other(
            DEF,
            "000-sigmoid-output",
            s,
            "Multi-Class Cross-Entropy (Sigmoid)",
            r"a_m = \sigma(z_m)",
            "a_c = σ(z_c), unit by unit",
            "it defines the outputs",
        ),
        _catalogued(
            "000-sigmoid-delta",
            quote="By differentiating and applying the chain rule, we obtain the same result as "
            "with Softmax:\n\n\\[\n\\delta^H = a^H - y\n\\]",
        ),
        _math(
            "000-consistent-equations",
            s,
            "Multi-Class Cross-Entropy (Sigmoid)",
            "Thus, the **backpropagation equations** remain consistent across both categorical "
            "and multi-class cases.",
            "the backpropagation equations are the same for both output layers",
            QUALIFIED,
            statements=("000-same-delta",),
        ),
        _other(
            DEF,
            "000-two-passes",
            s,
            "Backpropagation Derivation",
            "The backpropagation algorithm consists of two passes:",
            "a forward pass and a backward pass",
            "it describes the algorithm's structure",
        ),
        _other(
            DEF,
            "000-forward-pass",
            s,
            "Backpropagation Derivation",
            r"1. **Forward Pass:** Compute activations \( a^L \) and pre-activations \( z^L \) "
            "for each layer.",
            "the forward pass computes z^l and a^l for every layer",
            "it defines the forward pass",
        ),
        _other(
            DEF,
            "000-backward-pass",
            s,
            "Backpropagation Derivation",
            r"2. **Backward Pass:** Propagate the error \( \delta^L \) backward to compute "
            "gradients:",
            "the backward pass computes δ^l from the last layer down, and the gradients from δ",
            "it defines the backward pass; its three equations are the next entries",
        ),
        _catalogued("000-layer-recursion"),
        _catalogued("000-weight-gradient"),
        _catalogued("000-bias-gradient"),
        _math(
            "000-backward-shapes",
            s,
            "Backpropagation Derivation",
            r"\( \delta^L = (W^{L+1})^T \delta^{L+1} * \sigma'(z^L) \)",
            "for one example (column vectors), each side of the three backward equations has "
            "the shape of its left side",
            PROVEN,
            findings=("backward_shapes_000",),
        ),
        _other(
            DEF,
            "000-network-class",
            s,
            "Network Initialization",
            "We define a `Network` class with the following structure:\n```python\n"
            "model = Network([784, 30, 10])",
            "Network([784, 30, 10]) builds a network with these layer widths",
            "it introduces code whose class the source does not show",
        ),
        _other(
            DEF,
            "000-layer-widths",
            s,
            "Network Initialization",
            "Input layer: 784 neurons\n\nHidden layer: 30 neurons\n\nOutput layer: 10 neurons",
            "n⁰ = 784, n¹ = 30, n² = 10; with the shape table of “Neural Networks: Core "
            "Concepts and Backpropagation Derivations” W¹ is (30, 784), W² (10, 30)",
            "it fixes the widths",
        ),
        _other(
            UNDECIDABLE,
            "000-initialisation",
            s,
            "Network Initialization",
            "Weights (Wₙ) and biases (Bₙ) are initialized randomly from a standard normal "
            "distribution using NumPy’s randn().",
            "every weight and bias starts as an independent N(0, 1) sample",
            "it describes code the source does not show (the Network class)",
        ),
        _other(
            UNDECIDABLE,
            "000-forward-pass-missing",
            s,
            "Forward Pass",
            "Compute:",
            "the forward-pass equations",
            "the equations that should follow 'Compute:' are missing from the source; the "
            "forward pass is stated in 000-forward-pass and in "
            "“Neural Networks: Core Concepts and Backpropagation Derivations”, section 1",
        ),
        _other(
            DEF,
            "000-sigmoid-code",
            s,
            "Forward Pass",
            "**Sigmoid** is used as the activation function:\n\ndef sigmoid(z):\n"
            "    return 1 / (1 + np.exp(-z))",
            "every layer uses σ(z) = 1/(1 + e^{−z}), coded as shown",
            "in exact arithmetic the code is the definition of σ; its float64 behaviour is "
            "000-sigmoid-code-float64",
        ),
        _math(
            "000-sigmoid-code-float64",
            s,
            "Forward Pass",
            "return 1 / (1 + np.exp(-z))",
            "in float64 the code returns σ(z) to within rounding at every float64 input z",
            REFUTED,
            claims=("sigmoid_stable_form",),
            findings=("sigmoid_code_in_float64",),
            correction="For z < 0 compute e^{z}/(1 + e^{z}) (claim sigmoid_stable_form): no "
            "exponent is positive, nothing overflows, and tiny values of σ stay correct.",
        ),
        _math(
            "000-backward-uses-stored-values",
            s,
            "Backward Pass",
            "The backward pass calculates gradients layer-by-layer using stored activations and "
            "pre-activations.",
            "the gradients of layer l need only stored values: a^{l−1} (∂J/∂W^l = δ^l "
            "(a^{l−1})ᵀ), z^l (σ′(z^l)) and the δ^{l+1} of the layer above",
            PROVEN,
            claims=(
                "network_sigmoid_bce_2_hidden",
                "layer_recursion",
                "weight_gradient",
                "bias_gradient",
            ),
        ),
        _catalogued("000-code-output-delta"),
        _math(
            "000-code-gradients",
            s,
            "Backward Pass (code)",
            "The gradients are stored as:\n\ndW[L] = delta @ a_prev.T\ndb[L] = delta",
            "for one example, delta @ a_prev.T is ∂J/∂W^L and delta is ∂J/∂b^L (for delta "
            "the true δ^L)",
            QUALIFIED,
            statements=("000-weight-gradient", "000-bias-gradient"),
            findings=("code_gradient_shapes_000",),
            correction="Per example both lines are right. With a mini-batch stored as m columns, "
            "delta @ a_prev.T already sums the m per-example gradients, but db must be "
            "delta summed over the columns (shape (n, 1)), and both divided by m for the mean.",
        ),
        _other(
            UNDECIDABLE,
            "000-update-missing",
            s,
            "Gradient Descent",
            "Gradient Descent\n\nAfter accumulating gradients across a mini-batch, we update "
            "parameters:",
            "the update rule",
            "the update formula that should follow is missing from the source (only 'where η "
            "is the learning rate' remains); “Neural Networks: Core Concepts and "
            "Backpropagation Derivations”, section 4, gives W := W − α dW",
        ),
        _other(
            DEF,
            "000-learning-rate",
            s,
            "Gradient Descent",
            "where \n𝜂\nη is the learning rate.",
            "η is the step size of gradient descent",
            "it names a symbol",
        ),
        _other(
            DEF,
            "000-training-loop",
            s,
            "Training Example",
            "A training loop might look like:\n```bash\nfor epoch in range(epochs):\n"
            "    for mini_batch in dataset:\n"
            "        network.gradient_descent(mini_batch, learning_rate)",
            "one gradient-descent update per mini-batch, for every epoch",
            "it shows the shape of the training loop (gradient_descent is not shown)",
        ),
        _math(
            "000-converges-to-minimiser",
            s,
            "Training Example",
            "Over multiple epochs, the weights and biases converge to values that minimize the "
            "classification loss.",
            "gradient descent's weights and biases converge, and their limit minimises J",
            REFUTED,
            claims=(
                "loss_has_no_minimiser",
                "loss_not_convex_in_weights",
                "softmax_ce_hessian_psd",
            ),
            findings=("convergence_to_minimiser",),
            correction=CONVERGENCE_CORRECTION,
        ),
        _other(
            UNDECIDABLE,
            "000-reference",
            s,
            "References",
            "- Essam Wisam, Deriving Backpropagation with Cross-Entropy Loss\n"
            "[Medium Article, October 2, 2021]",
            "the cited article exists with this author, title and date",
            "a bibliographic reference: deciding it needs the cited article",
        ),
        _other(
            UNDECIDABLE,
            "000-illustrations",
            s,
            "References",
            "- Cute Dogs & Cats — Illustrations referenced in the original post.",
            "the original post has illustrations",
            "the illustrations are not part of the source",
        ),
        _math(
            "000-aligns-distributions",
            s,
            "Key Takeaways",
            "- Cross-Entropy Loss aligns the model’s probability distribution with the true "
            "distribution.",
            "minimising CE(y, a) over the model's distributions a makes a equal to y",
            QUALIFIED,
            claims=("cross_entropy_entropy_kl", "kl_divergence_gibbs"),
            correction="CE(y, a) = H(y) + KL(y ‖ a) ≥ H(y), with equality exactly when a = y, "
            "when y is a probability vector with every y_c > 0 and a > 0. With one-hot labels "
            "the minimiser a = y has zero entries, which a softmax output (all entries > 0) "
            "only approaches as the logits diverge: the infimum is not attained (claim "
            "loss_has_no_minimiser).",
        ),
        _catalogued("000-same-delta"),
        _other(
            UNDECIDABLE,
            "000-demystify",
            s,
            "Key Takeaways",
            "Implementing the algorithm from scratch helps demystify how neural networks "
            "actually learn.",
            "implementing backpropagation helps understanding",
            "a claim about learning, not mathematics",
        ),
        _other(
            UNDECIDABLE,
            "000-motto",
            s,
            "Author",
            "*“Derive, don’t just use — understand the math behind the magic.”*",
            "an exhortation",
            "it asserts nothing that could be true or false",
        ),
    ]


def _source_001() -> list[CensusEntry]:
    s = SOURCE_001
    table = "comparison table"
    shapes = "1.A shape table"
    rows = [
        ("z", r"| $\mathbf{z}^{[l]}$ | Linear component for layer $l$ | $(n^{[l]}, m)$ |"),
        ("W", r"| $\mathbf{W}^{[l]}$ | Weight matrix for layer $l$ | $(n^{[l]}, n^{[l-1]})$ |"),
        ("a", r"| $\mathbf{a}^{[l-1]}$ | Activations from previous layer | $(n^{[l-1]}, m)$ |"),
        ("b", r"| $\mathbf{b}^{[l]}$ | Bias vector for layer $l$ | $(n^{[l]}, 1)$ |"),
        ("m", r"| $m$ | Number of training examples | - |"),
        ("n", r"| $n^{[l]}$ | Number of neurons in layer $l$ | - |"),
    ]
    shape_rows = [
        _other(
            DEF,
            f"001-shape-{name}",
            s,
            shapes,
            quote,
            "the shape of one symbol (columns are examples)",
            "it fixes a shape; the table's consistency with z = W a + b is 001-z-shapes",
        )
        for name, quote in rows
    ]
    return [
        _other(
            DEF,
            "001-table-model",
            s,
            table,
            "| Model               | f(x) = wᵀx + b       | f(x) = W₂ σ(W₁x + b₁) + b₂          |",
            "a linear model against a network with one sigmoid hidden layer and a linear output",
            "it defines the two models compared",
        ),
        _other(
            TERM,
            "001-table-optimization",
            s,
            table,
            "| Optimization        | Gradient Descent     | Gradient Descent + Backpropagation  |",
            "networks are trained by gradient descent, with gradients from backpropagation",
            "backpropagation is how the gradient is computed, gradient descent the update that "
            "uses it: right when read so",
        ),
        _other(
            TERM,
            "001-table-cost",
            s,
            table,
            "| Cost Function       | MSE / Cross-Entropy  | Cross-Entropy (mostly)              |",
            "the usual costs of each model",
            "a linear model with cross-entropy on a sigmoid output is logistic regression, not "
            "linear regression; 'mostly' is a claim about practice",
        ),
        _other(
            TERM,
            "001-table-regularization",
            s,
            table,
            "| Regularization      | L2 / L1              | Dropout / Weight Decay              |",
            "the usual regularisers of each model",
            "for plain gradient descent, weight decay W := (1 − αλ)W − α dW is L2 "
            "regularisation (λ/2)‖W‖² under another name (its gradient is λW); which is usual "
            "is a matter of practice",
        ),
        _other(
            UNDECIDABLE,
            "001-table-features",
            s,
            table,
            "| Feature Engineering | Manual               | Learned automatically               |",
            "networks learn their features",
            "a description of practice, not a mathematical statement",
        ),
        _other(
            DEF,
            "001-neuron-two-steps",
            s,
            "1. Forward Propagation",
            r"A single neuron in layer $[l]$ processes the activations $\mathbf{a}^{[l-1]}$ "
            "from the previous layer in two steps: a linear combination and a non-linear "
            "activation.",
            "z = W a + b, then a = g(z)",
            "it describes the layer",
        ),
        _other(
            DEF,
            "001-linear-combination",
            s,
            "1.A",
            "This calculates the weighted sum of inputs plus the bias.",
            "z_r = Σ_s W_rs a_s + b_r",
            "it describes the next equation",
        ),
        _other(
            DEF,
            "001-z-definition",
            s,
            "1.A",
            r"$$\mathbf{z}^{[l]} = \mathbf{W}^{[l]} \mathbf{a}^{[l-1]} + \mathbf{b}^{[l]}$$",
            "z^{[l]} = W^{[l]} a^{[l−1]} + b^{[l]}",
            "it defines the pre-activations",
        ),
        _math(
            "001-z-shapes",
            s,
            shapes,
            r"$$\mathbf{z}^{[l]} = \mathbf{W}^{[l]} \mathbf{a}^{[l-1]} + \mathbf{b}^{[l]}$$",
            "with the table's shapes, W^{[l]} a^{[l−1]} + b^{[l]} is a well-defined "
            "(n^{[l]}, m) matrix",
            QUALIFIED,
            findings=("forward_shapes",),
            correction="W a is (n^{[l]}, m) and b is (n^{[l]}, 1): b is added to every column, "
            "z = W a + b 1ᵀ (NumPy's broadcasting). As a matrix sum it is defined only for "
            "m = 1.",
        ),
        *shape_rows,
        _other(
            DEF,
            "001-activation-step",
            s,
            "1.B",
            "The linear result is passed through a non-linear activation function $g$.",
            "a = g(z), entry by entry",
            "it describes the next equation",
        ),
        _other(
            DEF,
            "001-a-definition",
            s,
            "1.B",
            r"$$\mathbf{a}^{[l]} = g(\mathbf{z}^{[l]})$$",
            "a^{[l]} = g(z^{[l]})",
            "it defines the activations",
        ),
        _catalogued("001-sigmoid-derivative"),
        _other(
            UNDECIDABLE,
            "001-sigmoid-use",
            s,
            "1.B activation table, Sigmoid row",
            "| Output layer for Binary Classification |",
            "sigmoid is the output layer of binary classification",
            "a usage recommendation; what it buys, δ = a − y with binary cross-entropy, is "
            "001-output-dZ",
        ),
        _catalogued("001-relu-derivative"),
        _other(
            UNDECIDABLE,
            "001-relu-use",
            s,
            "1.B activation table, ReLU row",
            "| Hidden layers (most common) |",
            "ReLU is the most common hidden activation",
            "a claim about practice",
        ),
        _catalogued("001-tanh-derivative"),
        _other(
            UNDECIDABLE,
            "001-tanh-use",
            s,
            "1.B activation table, Tanh row",
            "| Hidden layers (often better than Sigmoid) |",
            "tanh hidden layers often train better than sigmoid ones",
            "an empirical claim about training runs; the computable facts behind it (tanh is "
            "zero-centred, tanh′(0) = 1 against σ′(0) = 1/4) do not decide 'better'",
        ),
        _other(
            TERM,
            "001-bce-name",
            s,
            "2.A",
            "The standard loss for a single example $i$ is **Binary Cross-Entropy Loss (Log "
            "Loss)**.",
            "binary cross-entropy is also called log loss",
            "right: the two names denote the same loss",
        ),
        _other(
            DEF,
            "001-bce-definition",
            s,
            "2.A",
            r"$$L(y^{(i)}, \hat{y}^{(i)}) = - \left[ y^{(i)} \log(\hat{y}^{(i)}) + "
            r"(1-y^{(i)}) \log(1-\hat{y}^{(i)}) \right]$$",
            "L = −[y log a + (1 − y) log(1 − a)] with a = a^{[L]} the prediction",
            "it defines the loss",
        ),
        _other(
            DEF,
            "001-cost-average",
            s,
            "2.B",
            "The overall cost is the average loss across all $m$ training examples.",
            "J = (1/m) Σ_i L_i",
            "it defines the cost",
        ),
        _other(
            DEF,
            "001-cost-definition",
            s,
            "2.B",
            r"$$J(\mathbf{W}, \mathbf{b}) = \frac{1}{m} \sum_{i=1}^{m} L(y^{(i)}, "
            r"\hat{y}^{(i)}) \quad \text{where } \hat{y} = a^{[L]}$$",
            "J = (1/m) Σ_i L(y_i, a^{[L]}_i)",
            "it defines the cost",
        ),
        _math(
            "001-backprop-chain-rule",
            s,
            "3",
            r"Backpropagation is the efficient calculation of $\frac{\partial J}{\partial "
            r"\mathbf{W}}$ and $\frac{\partial J}{\partial \mathbf{b}}$ using the **Chain "
            "Rule**, working backward from the final layer $L$.",
            "the chain rule, applied from layer L down, gives every ∂J/∂W^{[l]} and ∂J/∂b^{[l]}",
            PROVEN,
            claims=(
                "network_sigmoid_bce_3_hidden",
                "layer_recursion",
                "weight_gradient",
                "bias_gradient",
                "input_gradient",
                "activation_backward",
            ),
        ),
        _other(
            UNDECIDABLE,
            "001-backprop-efficient",
            s,
            "3",
            "Backpropagation is the efficient calculation",
            "backpropagation is cheap",
            "a claim about cost: per layer the backward pass does two matrix products for the "
            "forward pass's one; this project counts no operations",
        ),
        _other(
            TERM,
            "001-backprop-updates",
            s,
            "3",
            "It is the algorithm used to update the weights in a neural network by propagating "
            "the error backward from the output layer to the input layer.",
            "backpropagation updates the weights",
            "backpropagation propagates the error to compute the gradient; the update is "
            "gradient descent (section 4)",
        ),
        _other(
            TERM,
            "001-backprop-is-gradient-descent",
            s,
            "3",
            "It’s essentially gradient descent applied to multi-layer networks.",
            "backpropagation is gradient descent for networks",
            "backpropagation is reverse-mode differentiation (it computes the gradient); "
            "gradient descent is the optimiser that uses it, and other optimisers use the same "
            "gradient",
        ),
        _catalogued(
            "001-output-dZ",
            quote="For a network using **Sigmoid** activation and **Cross-Entropy Loss**, the "
            r"derivative of the cost $J$ with respect to the linear term $\mathbf{Z}^{[L]}$ is "
            "remarkably simple:\n\n"
            r"$$\mathbf{d Z}^{[L]} = \frac{\partial J}{\partial \mathbf{Z}^{[L]}} = "
            r"\mathbf{A}^{[L]} - \mathbf{Y}$$",
        ),
        _math(
            "001-intuition",
            s,
            "3.A",
            r"* **Intuition:** The complex calculus of $\frac{\partial L}{\partial "
            r"\mathbf{A}^{[L]}}$ and $\frac{\partial \mathbf{A}^{[L]}}{\partial "
            r"\mathbf{Z}^{[L]}}$ simplifies entirely to the basic **(Prediction - Actual)** "
            "error term.",
            "per example, ∂L/∂a · ∂a/∂z = a − y for a sigmoid output with binary cross-entropy",
            PROVEN,
            claims=("sigmoid_bce_delta",),
        ),
        _other(
            UNDECIDABLE,
            "001-cornerstone",
            s,
            "3.A",
            "This is the cornerstone of NN learning.",
            "δ = a − y is central to learning",
            "a judgement of importance",
        ),
        _other(
            DEF,
            "001-general-layer",
            s,
            "3.B",
            "For any general layer $l$ (where $l < L$):",
            "the next equations hold for hidden layers",
            "it fixes the range of l",
        ),
        _catalogued(
            "001-dA",
            quote=r"The error signal $d\mathbf{Z}^{[l]}$ is passed to the previous layer via the "
            r"weights $\mathbf{W}^{[l]}$."
            "\n\n"
            r"$$\mathbf{d A}^{[l-1]} = (\mathbf{W}^{[l]})^T \mathbf{d Z}^{[l]}$$",
        ),
        _catalogued(
            "001-dZ-hidden",
            quote="The error passed from the subsequent layer is scaled by the **derivative of "
            "the activation function** $g'$ used in layer $l-1$.\n\n"
            r"$$\mathbf{d Z}^{[l-1]} = \mathbf{d A}^{[l-1]} \ * \ g'(\mathbf{Z}^{[l-1]})$$",
        ),
        _other(
            TERM,
            "001-hadamard",
            s,
            "3.B.2",
            "> *(Note: The asterisk $(*)$ here denotes element-wise multiplication, often "
            "called the Hadamard product).*",
            "* is the entrywise (Hadamard) product",
            "right: the entrywise product is the Hadamard product",
        ),
        _math(
            "001-averaged",
            s,
            "3.B.3",
            "These derivatives are averaged over the $m$ training examples and represent the "
            "direction and magnitude for the parameter update.",
            "dW and db are the means over the m examples of the per-example gradients, i.e. "
            "∂J/∂W and ∂J/∂b",
            QUALIFIED,
            statements=("001-dW", "001-db"),
        ),
        _catalogued("001-dW"),
        _catalogued("001-db"),
        _math(
            "001-backward-shapes",
            s,
            "3.B",
            r"$$\mathbf{d W}^{[l]} = \frac{1}{m} \mathbf{d Z}^{[l]} (\mathbf{A}^{[l-1]})^T$$",
            "with the table's shapes, dA^{[l−1]}, dZ^{[l−1]}, dW^{[l]} and db^{[l]} have the "
            "shapes of A^{[l−1]}, Z^{[l−1]}, W^{[l]} and b^{[l]} (db summing dZ's columns)",
            PROVEN,
            findings=("backward_shapes_001",),
        ),
        _other(
            DEF,
            "001-update-simultaneous",
            s,
            "4",
            "The parameters are updated simultaneously for all layers using the calculated "
            r"gradients and a learning rate $\alpha$.",
            "every layer's parameters are updated from the same backward pass",
            "it defines the update",
        ),
        _other(
            DEF,
            "001-update-W",
            s,
            "4",
            r"$$\mathbf{W}^{[l]} := \mathbf{W}^{[l]} - \alpha \ \mathbf{d W}^{[l]}$$",
            "W := W − α dW",
            "an assignment, the gradient-descent step",
        ),
        _other(
            DEF,
            "001-update-b",
            s,
            "4",
            r"$$\mathbf{b}^{[l]} := \mathbf{b}^{[l]} - \alpha \ \mathbf{d b}^{[l]}$$",
            "b := b − α db",
            "an assignment, the gradient-descent step",
        ),
    ]


@cache
def entries() -> tuple[CensusEntry, ...]:
    """Every census entry of both sources, in the order of the text."""
    found = (*_source_000(), *_source_001())
    keys = [entry.key for entry in found]
    duplicates = {key for key in keys if keys.count(key) > 1}
    if duplicates:
        raise RuntimeError(f"census keys used twice: {sorted(duplicates)}")
    return found


#: text that is not a statement, with the reason (beyond the line rules of skipped_by_rule)
SKIPPED: tuple[Skip, ...] = (
    Skip(SOURCE_000, "- Simanga Mchunu", "byline: the author's name"),
    Skip(
        SOURCE_001,
        "| Concept             | In Linear Regression | In Neural Networks                  |",
        "table header",
    ),
    Skip(SOURCE_001, "| Variable | Description | Shape (Example) |", "table header"),
    Skip(
        SOURCE_001,
        "| Activation $g(z)$ | Derivative $g'(z)$ (for Backprop) | Use Case |",
        "table header",
    ),
)

#: lines that are structure, not statements: (reason, pattern)
LINE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("heading (a title; a heading that asserts a name has an entry)", re.compile(r"^\s*#")),
    ("table of contents", re.compile(r"^\s*(\d+\.|-)\s*\[[^\]]*\]\(#[^)]*\)\s*$")),
    ("image (its content is not in the text)", re.compile(r"^\s*(<img\b|!\[)")),
    ("code fence", re.compile(r"^\s*```")),
)


def skipped_by_rule(line: str) -> str:
    """The reason a line is structure rather than a statement, or ''."""
    for why, pattern in LINE_RULES:
        if pattern.search(line):
            return why
    return ""


def _covered_mask(text: str, quotes: Sequence[str]) -> list[bool]:
    covered = [False] * len(text)
    for quote in quotes:
        start = text.find(quote)
        while start != -1:
            for position in range(start, start + len(quote)):
                covered[position] = True
            start = text.find(quote, start + 1)
    return covered


def uncovered(source: str, text: str) -> list[str]:
    """The lines of ``text`` (source ``source``) with a letter or digit that no entry's quote,
    no skip and no line rule accounts for."""
    quotes = [e.quote for e in entries() if e.source == source]
    quotes += [skip.quote for skip in SKIPPED if skip.source == source]
    covered = _covered_mask(text, quotes)
    missing, offset = [], 0
    for line in text.split("\n"):
        if not skipped_by_rule(line):
            loose = [
                character
                for position, character in enumerate(line)
                if character.isalnum() and not covered[offset + position]
            ]
            if loose:
                missing.append(line)
        offset += len(line) + 1
    return missing


def skipped_lines(text: str) -> dict[str, int]:
    """How many lines of ``text`` each line rule skips."""
    counts: dict[str, int] = {}
    for line in text.split("\n"):
        why = skipped_by_rule(line)
        if why and any(character.isalnum() for character in line):
            counts[why] = counts.get(why, 0) + 1
    return counts


# ------------------------------------------------------------------ verdicts

_RANK = {
    Verdict.PROVEN: 0,
    Verdict.PROVEN_UNDER_ASSUMPTION: 1,
    Verdict.REFUTED: 2,
    Verdict.UNDECIDED: 3,
}


def _claim_verdict(name: str) -> tuple[str, str]:
    from derivations.catalog import get_claim
    from derivations.kernel.engine import verify

    result = verify(get_claim(name))
    if not result.proven:
        return str(Verdict.UNDECIDED), "; ".join(result.failures)
    hypotheses = result.claim.hypotheses
    if hypotheses:
        return str(Verdict.PROVEN_UNDER_ASSUMPTION), "when " + "; ".join(
            hypothesis.text for hypothesis in hypotheses
        )
    return str(Verdict.PROVEN), ""


def _statement_verdict(key: str) -> tuple[str, str]:
    from derivations.kernel.verdicts import assess

    assessment = assess(_catalogue()[key])
    return str(assessment.verdict), assessment.detail


def _finding_verdict(name: str) -> tuple[str, str]:
    from derivations.sources.findings import FINDINGS

    finding = FINDINGS[name]()
    return str(finding.verdict), finding.detail


def judge(
    entry: CensusEntry,
    claims: Mapping[str, tuple[str, str]] | None = None,
    statements: Mapping[str, tuple[str, str]] | None = None,
) -> CensusVerdict:
    """The entry's verdict: its kind for a non-mathematical entry; otherwise the weakest
    verdict of what it cites.  ``claims`` and ``statements`` give verdicts (and details)
    already computed in this run, by name; anything missing is computed here."""
    start = time.perf_counter()
    if entry.kind != Kind.MATHEMATICAL:
        return CensusVerdict(entry, str(entry.kind), entry.why, time.perf_counter() - start)
    claims = claims or {}
    statements = statements or {}
    parts: dict[str, tuple[str, str]] = {}
    sources: list[tuple[tuple[str, ...], Mapping, Callable[[str], tuple[str, str]]]] = [
        (entry.statements, statements, _statement_verdict),
        (entry.claims, claims, _claim_verdict),
        (entry.findings, {}, _finding_verdict),
    ]
    for names, known, compute in sources:
        for name in names:
            try:
                parts[name] = known[name] if name in known else compute(name)
            except Exception as error:  # a crash is an undecided verdict, not a traceback
                parts[name] = (str(Verdict.UNDECIDED), f"{type(error).__name__}: {error}")
    if not parts:
        verdict, detail = str(Verdict.UNDECIDED), "the entry cites nothing that decides it"
    else:
        verdict = max((part[0] for part in parts.values()), key=lambda v: _RANK[Verdict(v)])
        detail = "; ".join(
            f"{name}: {part[1]}" if part[1] else f"{name}: {part[0]}"
            for name, part in parts.items()
            if part[0] == verdict
        )
    return CensusVerdict(entry, verdict, detail, time.perf_counter() - start, parts)


def judge_all(
    claims: Mapping[str, tuple[str, str]] | None = None,
    statements: Mapping[str, tuple[str, str]] | None = None,
    only: Sequence[CensusEntry] | None = None,
) -> list[CensusVerdict]:
    """Every entry's verdict (or the verdicts of the entries ``only``), reusing the verdicts
    given (see :func:`judge`)."""
    statements = dict(statements or {})
    verdicts = []
    for entry in entries() if only is None else only:
        verdict = judge(entry, claims, statements)
        for name, part in verdict.parts.items():
            if name in entry.statements:
                statements.setdefault(name, part)
        verdicts.append(verdict)
    return verdicts


def summary(verdicts: Sequence[CensusVerdict]) -> str:
    """How many entries of each verdict, per source (named by its short title)."""
    lines = []
    for source in (SOURCE_000, SOURCE_001):
        counts: dict[str, int] = {}
        for verdict in verdicts:
            if verdict.entry.source == source:
                counts[verdict.verdict] = counts.get(verdict.verdict, 0) + 1
        total = sum(counts.values())
        if not total:
            continue
        shown = ", ".join(f"{count} {name}" for name, count in counts.items())
        lines.append(f"{document_of(source).short}: {_count(total, 'entry', 'entries')} ({shown})")
    return "; ".join(lines)


def _count(number: int, one: str, many: str) -> str:
    """``1 entry``, ``2 entries``."""
    return f"{number} {one if number == 1 else many}"


def report_census(
    say: Callable[..., None],
    claim_rows: Sequence[Mapping] = (),
    statement_rows: Sequence[Mapping] = (),
    only: Sequence[CensusEntry] | None = None,
) -> list[dict]:
    """Print every census entry (or the entries ``only``) with its verdict (``verified-backprop
    verify``); the rows of the claims and source claims already verified in this run are
    reused."""
    claims = {
        row["claim"]: (row["verdict"], "; ".join(row.get("assumptions", []))) for row in claim_rows
    }
    statements = {row["claim"]: (row["verdict"], row["detail"]) for row in statement_rows}
    verdicts = judge_all(claims, statements, only)
    documents = (DERIVING_BACKPROPAGATION, CORE_CONCEPTS)
    titles = "; ".join(f"{document.short} = “{document.title}”" for document in documents)
    counted = _count(len(verdicts), "statement", "statements")
    say(f"\nCensus of the sources ({counted}; {summary(verdicts)})")
    say(f"  Sources: {titles}.")
    sources = [f"{document_of(v.entry.source).short} § {v.entry.section}" for v in verdicts]
    widths = (
        max([len("entry"), *(len(v.entry.key) for v in verdicts)]),
        max([len("source"), *map(len, sources)]),
        max([len("verdict"), *(len(str(v.verdict)) for v in verdicts)]),
        7,
    )
    header = ("entry", "source", "verdict", "time")
    say("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    rows = []
    for verdict, source in zip(verdicts, sources, strict=True):
        entry = verdict.entry
        cells = (entry.key, source, verdict.verdict, f"{verdict.seconds:5.2f}s")
        say(
            "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
        )
        if not verdict.as_expected:
            say(f"    UNEXPECTED: expected {entry.expected}: {verdict.detail}")
        elif verdict.is_erratum:
            say(f"    {verdict.detail}")
            where = "; ".join(dict.fromkeys(filter(None, map(symbols_of, entry.statements))))
            if where:
                say(f"    where {where}")
        rows.append(
            {
                "entry": entry.key,
                "source": document_of(entry.source).title,
                "section": entry.section,
                "quote": entry.quote,
                "reading": entry.reading,
                "kind": str(entry.kind),
                "verdict": verdict.verdict,
                "expected": str(entry.expected) if entry.expected else str(entry.kind),
                "as_expected": verdict.as_expected,
                "basis": list(entry.basis),
                "detail": verdict.detail,
                "correction": entry.correction,
                "seconds": round(verdict.seconds, 3),
            }
        )
    return rows
