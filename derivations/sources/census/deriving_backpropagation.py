"""The census of “Deriving Backpropagation with Cross-Entropy Loss”: every statement, in order.

Data only: one :class:`~derivations.sources.census.model.CensusEntry` per statement, each built
with named fields (the statements the catalogue already judges by :func:`catalogued`).
"""

from __future__ import annotations

from derivations.kernel.verdicts import Verdict
from derivations.sources.census.model import CensusEntry, Kind, Skip, catalogued
from derivations.sources.documents import DERIVING_BACKPROPAGATION

__all__ = ["SKIPPED", "entries"]

MATHEMATICAL, DEF, TERM = Kind.MATHEMATICAL, Kind.DEFINITION, Kind.TERMINOLOGY
UNDECIDABLE = Kind.NOT_DECIDABLE
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


def entries() -> list[CensusEntry]:
    """Every census entry of the document, in the order of the text."""
    s = DERIVING_BACKPROPAGATION.file
    return [
        CensusEntry(
            key="000-based-on",
            source=s,
            section="front matter",
            kind=UNDECIDABLE,
            quote="**Based on:** *Implementing Backpropagation From Scratch in Python 3+*",
            reading="the document is based on the cited text",
            why="a bibliographic attribution: deciding it needs the cited text, not a computation",
        ),
        CensusEntry(
            key="000-overview-demonstrates",
            source=s,
            section="Overview",
            kind=UNDECIDABLE,
            quote="This project demonstrates the **derivation and implementation of "
            "backpropagation** "
            "in a **feedforward neural network**, using **Cross-Entropy Loss** as the objective "
            "function.",
            reading="the document derives and implements backpropagation for cross-entropy",
            why="it describes the document itself; each result it states is judged in its own "
            "entry (the derivations are one sentence each: 'through the chain rule … simplifies "
            "to')",
        ),
        CensusEntry(
            key="000-overview-cases",
            source=s,
            section="Overview",
            kind=TERM,
            quote="The derivation covers both **categorical** and **multi-class cross-entropy** "
            "cases",
            reading="the two cases are softmax with categorical cross-entropy and sigmoid outputs "
            "with "
            "binary cross-entropy, here called multi-class",
            why=MULTI_LABEL,
        ),
        CensusEntry(
            key="000-overview-working-code",
            source=s,
            section="Overview",
            kind=MATHEMATICAL,
            quote="and connects the theory directly to a working Python implementation.",
            reading="the Python code shown computes the gradients derived in the text",
            expected=REFUTED,
            statements=("000-code-output-delta",),
            correction="The code's output delta keeps a factor σ′(z_H) that the cross-entropy "
            "derivation cancels (000-code-output-delta); the forward pass and the update rule "
            "are not shown at all (000-forward-pass-missing, 000-update-missing).",
        ),
        CensusEntry(
            key="000-overview-promise",
            source=s,
            section="Overview",
            kind=UNDECIDABLE,
            quote="By the end, you will understand how the gradients of the weights and biases are "
            "computed and used in **gradient descent** to minimize the loss in classification "
            "models.",
            reading="a promise to the reader",
            why="it is about the reader's understanding, not about mathematics",
        ),
        CensusEntry(
            key="000-ce-most-common",
            source=s,
            section="Introduction",
            kind=UNDECIDABLE,
            quote="There are many possible **loss functions** for neural networks, but when it "
            "comes "
            "to **classification**, **Cross-Entropy Loss** is the most commonly used",
            reading="cross-entropy is the loss most used for classification",
            why="a claim about practice in the field: a survey decides it, not a computation",
        ),
        CensusEntry(
            key="000-ce-probabilistic",
            source=s,
            section="Introduction",
            kind=MATHEMATICAL,
            quote="due to its probabilistic interpretation",
            reading="cross-entropy has a probabilistic meaning: CE(y, a) = H(y) + KL(y ‖ a), the "
            "entropy of the labels plus the divergence of the model's distribution from them",
            expected=PROVEN,
            claims=("cross_entropy_entropy_kl",),
        ),
        CensusEntry(
            key="000-ce-compatibility",
            source=s,
            section="Introduction",
            kind=MATHEMATICAL,
            quote="and compatibility with Softmax and Sigmoid activations.",
            reading="with softmax or sigmoid outputs, cross-entropy makes the output delta a − y",
            expected=QUALIFIED,
            claims=("softmax_ce_delta", "sigmoid_bce_delta"),
            correction="For sigmoid outputs δ = a − y for any labels; for softmax only when "
            "the labels sum to 1 (otherwise δ = a Σ_c y_c − y).",
        ),
        CensusEntry(
            key="000-goal-of-backprop",
            source=s,
            section="Introduction",
            kind=TERM,
            quote="The goal of backpropagation is to **adjust the weights (W)** and **biases (B)** "
            "in "
            "the network to minimize this loss.",
            reading="backpropagation adjusts the weights and biases to minimise the loss",
            why="backpropagation computes the gradients ∂J/∂W and ∂J/∂b; adjusting the parameters "
            "with them is gradient descent (the source's own 'Gradient Descent' step). The "
            "biases are written B here and b in the equations",
        ),
        CensusEntry(
            key="000-categorical-setting",
            source=s,
            section="Categorical Cross-Entropy (Softmax)",
            kind=DEF,
            quote="Used when each input belongs to exactly one class.",
            reading="categorical cross-entropy is for inputs of exactly one class",
            why="it fixes the setting of the categorical case",
        ),
        CensusEntry(
            key="000-one-hot",
            source=s,
            section="Categorical Cross-Entropy (Softmax)",
            kind=DEF,
            quote=r"The true labels \( y \) are **one-hot encoded**",
            reading="y_c ∈ {0, 1} and Σ_c y_c = 1",
            why="it fixes the labels; Σ_c y_c = 1 is the hypothesis under which 000-softmax-delta "
            "holds",
        ),
        CensusEntry(
            key="000-softmax-probabilities",
            source=s,
            section="Categorical Cross-Entropy (Softmax)",
            kind=MATHEMATICAL,
            quote="and the last layer uses a **Softmax** activation to convert logits into "
            "probabilities.",
            reading="softmax outputs are a probability vector: every a_c = e^{z_c}/Σ_k e^{z_k} > 0 "
            "and "
            "Σ_c a_c = 1",
            expected=PROVEN,
            claims=("softmax_sums_to_one",),
        ),
        CensusEntry(
            key="000-categorical-ce",
            source=s,
            section="Categorical Cross-Entropy (Softmax)",
            kind=DEF,
            quote=r"J = - \sum_{m} y_m \log(a_m)",
            reading="J = −Σ_c y_c log a_c for one example (m is a class index here, not a batch "
            "size)",
            why="it defines the loss",
        ),
        CensusEntry(
            key="000-softmax-definition",
            source=s,
            section="Categorical Cross-Entropy (Softmax)",
            kind=DEF,
            quote="where:\n" r"- \( a_m = \frac{e^{z_m}}{\sum_k e^{z_k}} \)",
            reading="a_c = e^{z_c}/Σ_k e^{z_k}",
            why="it defines the softmax",
        ),
        CensusEntry(
            key="000-softmax-float64",
            source=s,
            section="Categorical Cross-Entropy (Softmax)",
            kind=MATHEMATICAL,
            quote=r"a_m = \frac{e^{z_m}}{\sum_k e^{z_k}}",
            reading="the formula, evaluated as written in float64 arithmetic, computes the softmax",
            expected=REFUTED,
            claims=("softmax_shift_invariance",),
            findings=("softmax_formula_in_float64",),
            correction="Subtract M = max_k z_k from every logit first: the softmax is the same "
            "(claim softmax_shift_invariance) and no exponent is above 0, so nothing overflows.",
        ),
        CensusEntry(
            key="000-pre-activation",
            source=s,
            section="Categorical Cross-Entropy (Softmax)",
            kind=DEF,
            quote=r"- \( z_m \) is the pre-activation for neuron \( m \)",
            reading="z_c is the logit of output unit c",
            why="it names a symbol",
        ),
        CensusEntry(
            key="000-softmax-output-probability",
            source=s,
            section="Categorical Cross-Entropy (Softmax)",
            kind=MATHEMATICAL,
            quote=r"- \( a_m \) is the Softmax output (probability)",
            reading="each a_c is a probability: a_c > 0 and Σ_c a_c = 1",
            expected=PROVEN,
            claims=("softmax_sums_to_one",),
        ),
        catalogued("000-softmax-delta"),
        CensusEntry(
            key="000-elegantly",
            source=s,
            section="Categorical Cross-Entropy (Softmax)",
            kind=UNDECIDABLE,
            quote="This result elegantly connects the output probabilities to the true labels.",
            reading="δ = a − y is elegant",
            why="an aesthetic judgement; the formula itself is 000-softmax-delta",
        ),
        CensusEntry(
            key="000-multi-class-heading",
            source=s,
            section="Multi-Class Cross-Entropy (Sigmoid)",
            kind=TERM,
            quote="### Multi-Class Cross-Entropy (Sigmoid)",
            reading="sigmoid outputs with binary cross-entropy are called multi-class "
            "cross-entropy",
            why=MULTI_LABEL,
        ),
        CensusEntry(
            key="000-sigmoid-for-several-classes",
            source=s,
            section="Multi-Class Cross-Entropy (Sigmoid)",
            kind=MATHEMATICAL,
            quote="When multiple classes can be active simultaneously (e.g., an image containing "
            "both "
            "a cat and a dog), we use **Sigmoid activations** instead of Softmax.",
            reading="with several classes active (Σ_c y_c > 1) sigmoid outputs with binary "
            "cross-entropy "
            "still give δ = a − y, while softmax with categorical cross-entropy gives "
            "δ = a Σ_c y_c − y",
            expected=PROVEN,
            claims=("sigmoid_bce_delta", "softmax_ce_delta_any_labels"),
        ),
        CensusEntry(
            key="000-bce-definition",
            source=s,
            section="Multi-Class Cross-Entropy (Sigmoid)",
            kind=DEF,
            quote=r"J = - \sum_m \left[ y_m \log(a_m) + (1 - y_m)\log(1 - a_m) \right]",
            reading="J = −Σ_c [y_c log a_c + (1 − y_c) log(1 − a_c)]",
            why="it defines the loss",
        ),
        CensusEntry(
            key="000-bce-float64",
            source=s,
            section="Multi-Class Cross-Entropy (Sigmoid)",
            kind=MATHEMATICAL,
            quote=r"(1 - y_m)\log(1 - a_m)",
            reading="J evaluated in float64 from a = sigmoid(z) (the source's code) is the binary "
            "cross-entropy",
            expected=REFUTED,
            claims=("sigmoid_stable_form",),
            findings=("cross_entropy_from_sigmoid_in_float64",),
            correction="Compute the loss from the logits: −[y log σ(z) + (1 − y) log(1 − σ(z))] "
            "= log(1 + e^{z}) − y z, with log(1 + e^{z}) = max(z, 0) + log(1 + e^{−|z|}); never "
            "from a rounded a.",
        ),
        CensusEntry(
            key="000-sigmoid-output",
            source=s,
            section="Multi-Class Cross-Entropy (Sigmoid)",
            kind=DEF,
            quote=r"a_m = \sigma(z_m)",
            reading="a_c = σ(z_c), unit by unit",
            why="it defines the outputs",
        ),
        catalogued(
            "000-sigmoid-delta",
            quote="By differentiating and applying the chain rule, we obtain the same result as "
            "with Softmax:\n\n\\[\n\\delta^H = a^H - y\n\\]",
        ),
        CensusEntry(
            key="000-consistent-equations",
            source=s,
            section="Multi-Class Cross-Entropy (Sigmoid)",
            kind=MATHEMATICAL,
            quote="Thus, the **backpropagation equations** remain consistent across both "
            "categorical "
            "and multi-class cases.",
            reading="the backpropagation equations are the same for both output layers",
            expected=QUALIFIED,
            statements=("000-same-delta",),
        ),
        CensusEntry(
            key="000-two-passes",
            source=s,
            section="Backpropagation Derivation",
            kind=DEF,
            quote="The backpropagation algorithm consists of two passes:",
            reading="a forward pass and a backward pass",
            why="it describes the algorithm's structure",
        ),
        CensusEntry(
            key="000-forward-pass",
            source=s,
            section="Backpropagation Derivation",
            kind=DEF,
            quote=r"1. **Forward Pass:** Compute activations \( a^L \) and pre-activations \( z^L "
            r"\) "
            "for each layer.",
            reading="the forward pass computes z^l and a^l for every layer",
            why="it defines the forward pass",
        ),
        CensusEntry(
            key="000-backward-pass",
            source=s,
            section="Backpropagation Derivation",
            kind=DEF,
            quote=r"2. **Backward Pass:** Propagate the error \( \delta^L \) backward to compute "
            "gradients:",
            reading="the backward pass computes δ^l from the last layer down, and the gradients "
            "from δ",
            why="it defines the backward pass; its three equations are the next entries",
        ),
        catalogued("000-layer-recursion"),
        catalogued("000-weight-gradient"),
        catalogued("000-bias-gradient"),
        CensusEntry(
            key="000-backward-shapes",
            source=s,
            section="Backpropagation Derivation",
            kind=MATHEMATICAL,
            quote=r"\( \delta^L = (W^{L+1})^T \delta^{L+1} * \sigma'(z^L) \)",
            reading="for one example (column vectors), each side of the three backward equations "
            "has "
            "the shape of its left side",
            expected=PROVEN,
            findings=("backward_shapes_000",),
        ),
        CensusEntry(
            key="000-network-class",
            source=s,
            section="Network Initialization",
            kind=DEF,
            quote="We define a `Network` class with the following structure:\n```python\n"
            "model = Network([784, 30, 10])",
            reading="Network([784, 30, 10]) builds a network with these layer widths",
            why="it introduces code whose class the source does not show",
        ),
        CensusEntry(
            key="000-layer-widths",
            source=s,
            section="Network Initialization",
            kind=DEF,
            quote="Input layer: 784 neurons\n\nHidden layer: 30 neurons\n\nOutput layer: 10 "
            "neurons",
            reading="n⁰ = 784, n¹ = 30, n² = 10; with the shape table of “Neural Networks: Core "
            "Concepts and Backpropagation Derivations” W¹ is (30, 784), W² (10, 30)",
            why="it fixes the widths",
        ),
        CensusEntry(
            key="000-initialisation",
            source=s,
            section="Network Initialization",
            kind=UNDECIDABLE,
            quote="Weights (Wₙ) and biases (Bₙ) are initialized randomly from a standard normal "
            "distribution using NumPy’s randn().",
            reading="every weight and bias starts as an independent N(0, 1) sample",
            why="it describes code the source does not show (the Network class)",
        ),
        CensusEntry(
            key="000-forward-pass-missing",
            source=s,
            section="Forward Pass",
            kind=UNDECIDABLE,
            quote="Compute:",
            reading="the forward-pass equations",
            why="the equations that should follow 'Compute:' are missing from the source; the "
            "forward pass is stated in 000-forward-pass and in "
            "“Neural Networks: Core Concepts and Backpropagation Derivations”, section 1",
        ),
        CensusEntry(
            key="000-sigmoid-code",
            source=s,
            section="Forward Pass",
            kind=DEF,
            quote="**Sigmoid** is used as the activation function:\n\ndef sigmoid(z):\n"
            "    return 1 / (1 + np.exp(-z))",
            reading="every layer uses σ(z) = 1/(1 + e^{−z}), coded as shown",
            why="in exact arithmetic the code is the definition of σ; its float64 behaviour is "
            "000-sigmoid-code-float64",
        ),
        CensusEntry(
            key="000-sigmoid-code-float64",
            source=s,
            section="Forward Pass",
            kind=MATHEMATICAL,
            quote="return 1 / (1 + np.exp(-z))",
            reading="in float64 the code returns σ(z) to within rounding at every float64 input z",
            expected=REFUTED,
            claims=("sigmoid_stable_form",),
            findings=("sigmoid_code_in_float64",),
            correction="For z < 0 compute e^{z}/(1 + e^{z}) (claim sigmoid_stable_form): no "
            "exponent is positive, nothing overflows, and tiny values of σ stay correct.",
        ),
        CensusEntry(
            key="000-backward-uses-stored-values",
            source=s,
            section="Backward Pass",
            kind=MATHEMATICAL,
            quote="The backward pass calculates gradients layer-by-layer using stored activations "
            "and "
            "pre-activations.",
            reading="the gradients of layer l need only stored values: a^{l−1} (∂J/∂W^l = δ^l "
            "(a^{l−1})ᵀ), z^l (σ′(z^l)) and the δ^{l+1} of the layer above",
            expected=PROVEN,
            claims=(
                "network_sigmoid_bce_2_hidden",
                "layer_recursion",
                "weight_gradient",
                "bias_gradient",
            ),
        ),
        catalogued("000-code-output-delta"),
        CensusEntry(
            key="000-code-gradients",
            source=s,
            section="Backward Pass (code)",
            kind=MATHEMATICAL,
            quote="The gradients are stored as:\n\ndW[L] = delta @ a_prev.T\ndb[L] = delta",
            reading="for one example, delta @ a_prev.T is ∂J/∂W^L and delta is ∂J/∂b^L (for delta "
            "the true δ^L)",
            expected=QUALIFIED,
            statements=("000-weight-gradient", "000-bias-gradient"),
            findings=("code_gradient_shapes_000",),
            correction="Per example both lines are right. With a mini-batch stored as m columns, "
            "delta @ a_prev.T already sums the m per-example gradients, but db must be "
            "delta summed over the columns (shape (n, 1)), and both divided by m for the mean.",
        ),
        CensusEntry(
            key="000-update-missing",
            source=s,
            section="Gradient Descent",
            kind=UNDECIDABLE,
            quote="Gradient Descent\n\nAfter accumulating gradients across a mini-batch, we update "
            "parameters:",
            reading="the update rule",
            why="the update formula that should follow is missing from the source (only 'where η "
            "is the learning rate' remains); “Neural Networks: Core Concepts and "
            "Backpropagation Derivations”, section 4, gives W := W − α dW",
        ),
        CensusEntry(
            key="000-learning-rate",
            source=s,
            section="Gradient Descent",
            kind=DEF,
            quote="where \n𝜂\nη is the learning rate.",
            reading="η is the step size of gradient descent",
            why="it names a symbol",
        ),
        CensusEntry(
            key="000-training-loop",
            source=s,
            section="Training Example",
            kind=DEF,
            quote="A training loop might look like:\n```bash\nfor epoch in range(epochs):\n"
            "    for mini_batch in dataset:\n"
            "        network.gradient_descent(mini_batch, learning_rate)",
            reading="one gradient-descent update per mini-batch, for every epoch",
            why="it shows the shape of the training loop (gradient_descent is not shown)",
        ),
        CensusEntry(
            key="000-converges-to-minimiser",
            source=s,
            section="Training Example",
            kind=MATHEMATICAL,
            quote="Over multiple epochs, the weights and biases converge to values that minimize "
            "the "
            "classification loss.",
            reading="gradient descent's weights and biases converge, and their limit minimises J",
            expected=REFUTED,
            claims=(
                "loss_has_no_minimiser",
                "loss_not_convex_in_weights",
                "softmax_ce_hessian_psd",
            ),
            findings=("convergence_to_minimiser",),
            correction=CONVERGENCE_CORRECTION,
        ),
        CensusEntry(
            key="000-reference",
            source=s,
            section="References",
            kind=UNDECIDABLE,
            quote="- Essam Wisam, Deriving Backpropagation with Cross-Entropy Loss\n"
            "[Medium Article, October 2, 2021]",
            reading="the cited article exists with this author, title and date",
            why="a bibliographic reference: deciding it needs the cited article",
        ),
        CensusEntry(
            key="000-illustrations",
            source=s,
            section="References",
            kind=UNDECIDABLE,
            quote="- Cute Dogs & Cats — Illustrations referenced in the original post.",
            reading="the original post has illustrations",
            why="the illustrations are not part of the source",
        ),
        CensusEntry(
            key="000-aligns-distributions",
            source=s,
            section="Key Takeaways",
            kind=MATHEMATICAL,
            quote="- Cross-Entropy Loss aligns the model’s probability distribution with the true "
            "distribution.",
            reading="minimising CE(y, a) over the model's distributions a makes a equal to y",
            expected=QUALIFIED,
            claims=("cross_entropy_entropy_kl", "kl_divergence_gibbs"),
            correction="CE(y, a) = H(y) + KL(y ‖ a) ≥ H(y), with equality exactly when a = y, "
            "when y is a probability vector with every y_c > 0 and a > 0. With one-hot labels "
            "the minimiser a = y has zero entries, which a softmax output (all entries > 0) "
            "only approaches as the logits diverge: the infimum is not attained (claim "
            "loss_has_no_minimiser).",
        ),
        catalogued("000-same-delta"),
        CensusEntry(
            key="000-demystify",
            source=s,
            section="Key Takeaways",
            kind=UNDECIDABLE,
            quote="Implementing the algorithm from scratch helps demystify how neural networks "
            "actually learn.",
            reading="implementing backpropagation helps understanding",
            why="a claim about learning, not mathematics",
        ),
        CensusEntry(
            key="000-motto",
            source=s,
            section="Author",
            kind=UNDECIDABLE,
            quote="*“Derive, don’t just use — understand the math behind the magic.”*",
            reading="an exhortation",
            why="it asserts nothing that could be true or false",
        ),
    ]


#: text that is not a statement, with the reason (beyond the line rules of the coverage)
SKIPPED: tuple[Skip, ...] = (
    Skip(DERIVING_BACKPROPAGATION.file, "- Simanga Mchunu", "byline: the author's name"),
)
