"""The census of “Neural Networks: Core Concepts and Backpropagation Derivations”.

Data only: one :class:`~derivations.sources.census.model.CensusEntry` per statement, each built
with named fields (the statements the catalogue already judges by :func:`catalogued`).
"""

from __future__ import annotations

from derivations.kernel.verdicts import Verdict
from derivations.sources.census.model import CensusEntry, Kind, Skip, catalogued
from derivations.sources.documents import CORE_CONCEPTS

__all__ = ["SKIPPED", "entries"]

MATHEMATICAL, DEF, TERM = Kind.MATHEMATICAL, Kind.DEFINITION, Kind.TERMINOLOGY
UNDECIDABLE = Kind.NOT_DECIDABLE
PROVEN, QUALIFIED, REFUTED = Verdict.PROVEN, Verdict.PROVEN_UNDER_ASSUMPTION, Verdict.REFUTED


def entries() -> list[CensusEntry]:
    """Every census entry of the document, in the order of the text."""
    s = CORE_CONCEPTS.file
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
        CensusEntry(
            key=f"001-shape-{name}",
            source=s,
            section=shapes,
            kind=DEF,
            quote=quote,
            reading="the shape of one symbol (columns are examples)",
            why="it fixes a shape; the table's consistency with z = W a + b is 001-z-shapes",
        )
        for name, quote in rows
    ]
    return [
        CensusEntry(
            key="001-table-model",
            source=s,
            section=table,
            kind=DEF,
            quote="| Model               | f(x) = wᵀx + b       | f(x) = W₂ σ(W₁x + b₁) + b₂       "
            "   |",
            reading="a linear model against a network with one sigmoid hidden layer and a linear "
            "output",
            why="it defines the two models compared",
        ),
        CensusEntry(
            key="001-table-optimization",
            source=s,
            section=table,
            kind=TERM,
            quote="| Optimization        | Gradient Descent     | Gradient Descent + "
            "Backpropagation  |",
            reading="networks are trained by gradient descent, with gradients from backpropagation",
            why="backpropagation is how the gradient is computed, gradient descent the update that "
            "uses it: right when read so",
        ),
        CensusEntry(
            key="001-table-cost",
            source=s,
            section=table,
            kind=TERM,
            quote="| Cost Function       | MSE / Cross-Entropy  | Cross-Entropy (mostly)           "
            "   |",
            reading="the usual costs of each model",
            why="a linear model with cross-entropy on a sigmoid output is logistic regression, not "
            "linear regression; 'mostly' is a claim about practice",
        ),
        CensusEntry(
            key="001-table-regularization",
            source=s,
            section=table,
            kind=TERM,
            quote="| Regularization      | L2 / L1              | Dropout / Weight Decay           "
            "   |",
            reading="the usual regularisers of each model",
            why="for plain gradient descent, weight decay W := (1 − αλ)W − α dW is L2 "
            "regularisation (λ/2)‖W‖² under another name (its gradient is λW); which is usual "
            "is a matter of practice",
        ),
        CensusEntry(
            key="001-table-features",
            source=s,
            section=table,
            kind=UNDECIDABLE,
            quote="| Feature Engineering | Manual               | Learned automatically            "
            "   |",
            reading="networks learn their features",
            why="a description of practice, not a mathematical statement",
        ),
        CensusEntry(
            key="001-neuron-two-steps",
            source=s,
            section="1. Forward Propagation",
            kind=DEF,
            quote=r"A single neuron in layer $[l]$ processes the activations $\mathbf{a}^{[l-1]}$ "
            "from the previous layer in two steps: a linear combination and a non-linear "
            "activation.",
            reading="z = W a + b, then a = g(z)",
            why="it describes the layer",
        ),
        CensusEntry(
            key="001-linear-combination",
            source=s,
            section="1.A",
            kind=DEF,
            quote="This calculates the weighted sum of inputs plus the bias.",
            reading="z_r = Σ_s W_rs a_s + b_r",
            why="it describes the next equation",
        ),
        CensusEntry(
            key="001-z-definition",
            source=s,
            section="1.A",
            kind=DEF,
            quote=r"$$\mathbf{z}^{[l]} = \mathbf{W}^{[l]} \mathbf{a}^{[l-1]} + \mathbf{b}^{[l]}$$",
            reading="z^{[l]} = W^{[l]} a^{[l−1]} + b^{[l]}",
            why="it defines the pre-activations",
        ),
        CensusEntry(
            key="001-z-shapes",
            source=s,
            section=shapes,
            kind=MATHEMATICAL,
            quote=r"$$\mathbf{z}^{[l]} = \mathbf{W}^{[l]} \mathbf{a}^{[l-1]} + \mathbf{b}^{[l]}$$",
            reading="with the table's shapes, W^{[l]} a^{[l−1]} + b^{[l]} is a well-defined "
            "(n^{[l]}, m) matrix",
            expected=QUALIFIED,
            findings=("forward_shapes",),
            correction="W a is (n^{[l]}, m) and b is (n^{[l]}, 1): b is added to every column, "
            "z = W a + b 1ᵀ (NumPy's broadcasting). As a matrix sum it is defined only for "
            "m = 1.",
        ),
        *shape_rows,
        CensusEntry(
            key="001-activation-step",
            source=s,
            section="1.B",
            kind=DEF,
            quote="The linear result is passed through a non-linear activation function $g$.",
            reading="a = g(z), entry by entry",
            why="it describes the next equation",
        ),
        CensusEntry(
            key="001-a-definition",
            source=s,
            section="1.B",
            kind=DEF,
            quote=r"$$\mathbf{a}^{[l]} = g(\mathbf{z}^{[l]})$$",
            reading="a^{[l]} = g(z^{[l]})",
            why="it defines the activations",
        ),
        catalogued("001-sigmoid-derivative"),
        CensusEntry(
            key="001-sigmoid-use",
            source=s,
            section="1.B activation table, Sigmoid row",
            kind=UNDECIDABLE,
            quote="| Output layer for Binary Classification |",
            reading="sigmoid is the output layer of binary classification",
            why="a usage recommendation; what it buys, δ = a − y with binary cross-entropy, is "
            "001-output-dZ",
        ),
        catalogued("001-relu-derivative"),
        CensusEntry(
            key="001-relu-use",
            source=s,
            section="1.B activation table, ReLU row",
            kind=UNDECIDABLE,
            quote="| Hidden layers (most common) |",
            reading="ReLU is the most common hidden activation",
            why="a claim about practice",
        ),
        catalogued("001-tanh-derivative"),
        CensusEntry(
            key="001-tanh-use",
            source=s,
            section="1.B activation table, Tanh row",
            kind=UNDECIDABLE,
            quote="| Hidden layers (often better than Sigmoid) |",
            reading="tanh hidden layers often train better than sigmoid ones",
            why="an empirical claim about training runs; the computable facts behind it (tanh is "
            "zero-centred, tanh′(0) = 1 against σ′(0) = 1/4) do not decide 'better'",
        ),
        CensusEntry(
            key="001-bce-name",
            source=s,
            section="2.A",
            kind=TERM,
            quote="The standard loss for a single example $i$ is **Binary Cross-Entropy Loss (Log "
            "Loss)**.",
            reading="binary cross-entropy is also called log loss",
            why="right: the two names denote the same loss",
        ),
        CensusEntry(
            key="001-bce-definition",
            source=s,
            section="2.A",
            kind=DEF,
            quote=r"$$L(y^{(i)}, \hat{y}^{(i)}) = - \left[ y^{(i)} \log(\hat{y}^{(i)}) + "
            r"(1-y^{(i)}) \log(1-\hat{y}^{(i)}) \right]$$",
            reading="L = −[y log a + (1 − y) log(1 − a)] with a = a^{[L]} the prediction",
            why="it defines the loss",
        ),
        CensusEntry(
            key="001-cost-average",
            source=s,
            section="2.B",
            kind=DEF,
            quote="The overall cost is the average loss across all $m$ training examples.",
            reading="J = (1/m) Σ_i L_i",
            why="it defines the cost",
        ),
        CensusEntry(
            key="001-cost-definition",
            source=s,
            section="2.B",
            kind=DEF,
            quote=r"$$J(\mathbf{W}, \mathbf{b}) = \frac{1}{m} \sum_{i=1}^{m} L(y^{(i)}, "
            r"\hat{y}^{(i)}) \quad \text{where } \hat{y} = a^{[L]}$$",
            reading="J = (1/m) Σ_i L(y_i, a^{[L]}_i)",
            why="it defines the cost",
        ),
        CensusEntry(
            key="001-backprop-chain-rule",
            source=s,
            section="3",
            kind=MATHEMATICAL,
            quote=r"Backpropagation is the efficient calculation of $\frac{\partial J}{\partial "
            r"\mathbf{W}}$ and $\frac{\partial J}{\partial \mathbf{b}}$ using the **Chain "
            "Rule**, working backward from the final layer $L$.",
            reading="the chain rule, applied from layer L down, gives every ∂J/∂W^{[l]} and "
            "∂J/∂b^{[l]}",
            expected=PROVEN,
            claims=(
                "network_sigmoid_bce_3_hidden",
                "layer_recursion",
                "weight_gradient",
                "bias_gradient",
                "input_gradient",
                "activation_backward",
            ),
        ),
        CensusEntry(
            key="001-backprop-efficient",
            source=s,
            section="3",
            kind=UNDECIDABLE,
            quote="Backpropagation is the efficient calculation",
            reading="backpropagation is cheap",
            why="a claim about cost: per layer the backward pass does two matrix products for the "
            "forward pass's one; this project counts no operations",
        ),
        CensusEntry(
            key="001-backprop-updates",
            source=s,
            section="3",
            kind=TERM,
            quote="It is the algorithm used to update the weights in a neural network by "
            "propagating "
            "the error backward from the output layer to the input layer.",
            reading="backpropagation updates the weights",
            why="backpropagation propagates the error to compute the gradient; the update is "
            "gradient descent (section 4)",
        ),
        CensusEntry(
            key="001-backprop-is-gradient-descent",
            source=s,
            section="3",
            kind=TERM,
            quote="It’s essentially gradient descent applied to multi-layer networks.",
            reading="backpropagation is gradient descent for networks",
            why="backpropagation is reverse-mode differentiation (it computes the gradient); "
            "gradient descent is the optimiser that uses it, and other optimisers use the same "
            "gradient",
        ),
        catalogued(
            "001-output-dZ",
            quote="For a network using **Sigmoid** activation and **Cross-Entropy Loss**, the "
            r"derivative of the cost $J$ with respect to the linear term $\mathbf{Z}^{[L]}$ is "
            "remarkably simple:\n\n"
            r"$$\mathbf{d Z}^{[L]} = \frac{\partial J}{\partial \mathbf{Z}^{[L]}} = "
            r"\mathbf{A}^{[L]} - \mathbf{Y}$$",
        ),
        CensusEntry(
            key="001-intuition",
            source=s,
            section="3.A",
            kind=MATHEMATICAL,
            quote=r"* **Intuition:** The complex calculus of $\frac{\partial L}{\partial "
            r"\mathbf{A}^{[L]}}$ and $\frac{\partial \mathbf{A}^{[L]}}{\partial "
            r"\mathbf{Z}^{[L]}}$ simplifies entirely to the basic **(Prediction - Actual)** "
            "error term.",
            reading="per example, ∂L/∂a · ∂a/∂z = a − y for a sigmoid output with binary "
            "cross-entropy",
            expected=PROVEN,
            claims=("sigmoid_bce_delta",),
        ),
        CensusEntry(
            key="001-cornerstone",
            source=s,
            section="3.A",
            kind=UNDECIDABLE,
            quote="This is the cornerstone of NN learning.",
            reading="δ = a − y is central to learning",
            why="a judgement of importance",
        ),
        CensusEntry(
            key="001-general-layer",
            source=s,
            section="3.B",
            kind=DEF,
            quote="For any general layer $l$ (where $l < L$):",
            reading="the next equations hold for hidden layers",
            why="it fixes the range of l",
        ),
        catalogued(
            "001-dA",
            quote=r"The error signal $d\mathbf{Z}^{[l]}$ is passed to the previous layer via the "
            r"weights $\mathbf{W}^{[l]}$."
            "\n\n"
            r"$$\mathbf{d A}^{[l-1]} = (\mathbf{W}^{[l]})^T \mathbf{d Z}^{[l]}$$",
        ),
        catalogued(
            "001-dZ-hidden",
            quote="The error passed from the subsequent layer is scaled by the **derivative of "
            "the activation function** $g'$ used in layer $l-1$.\n\n"
            r"$$\mathbf{d Z}^{[l-1]} = \mathbf{d A}^{[l-1]} \ * \ g'(\mathbf{Z}^{[l-1]})$$",
        ),
        CensusEntry(
            key="001-hadamard",
            source=s,
            section="3.B.2",
            kind=TERM,
            quote="> *(Note: The asterisk $(*)$ here denotes element-wise multiplication, often "
            "called the Hadamard product).*",
            reading="* is the entrywise (Hadamard) product",
            why="right: the entrywise product is the Hadamard product",
        ),
        CensusEntry(
            key="001-averaged",
            source=s,
            section="3.B.3",
            kind=MATHEMATICAL,
            quote="These derivatives are averaged over the $m$ training examples and represent the "
            "direction and magnitude for the parameter update.",
            reading="dW and db are the means over the m examples of the per-example gradients, "
            "i.e. "
            "∂J/∂W and ∂J/∂b",
            expected=QUALIFIED,
            statements=("001-dW", "001-db"),
        ),
        catalogued("001-dW"),
        catalogued("001-db"),
        CensusEntry(
            key="001-backward-shapes",
            source=s,
            section="3.B",
            kind=MATHEMATICAL,
            quote=r"$$\mathbf{d W}^{[l]} = \frac{1}{m} \mathbf{d Z}^{[l]} (\mathbf{A}^{[l-1]})^T$$",
            reading="with the table's shapes, dA^{[l−1]}, dZ^{[l−1]}, dW^{[l]} and db^{[l]} have "
            "the "
            "shapes of A^{[l−1]}, Z^{[l−1]}, W^{[l]} and b^{[l]} (db summing dZ's columns)",
            expected=PROVEN,
            findings=("backward_shapes_001",),
        ),
        CensusEntry(
            key="001-update-simultaneous",
            source=s,
            section="4",
            kind=DEF,
            quote="The parameters are updated simultaneously for all layers using the calculated "
            r"gradients and a learning rate $\alpha$.",
            reading="every layer's parameters are updated from the same backward pass",
            why="it defines the update",
        ),
        CensusEntry(
            key="001-update-W",
            source=s,
            section="4",
            kind=DEF,
            quote=r"$$\mathbf{W}^{[l]} := \mathbf{W}^{[l]} - \alpha \ \mathbf{d W}^{[l]}$$",
            reading="W := W − α dW",
            why="an assignment, the gradient-descent step",
        ),
        CensusEntry(
            key="001-update-b",
            source=s,
            section="4",
            kind=DEF,
            quote=r"$$\mathbf{b}^{[l]} := \mathbf{b}^{[l]} - \alpha \ \mathbf{d b}^{[l]}$$",
            reading="b := b − α db",
            why="an assignment, the gradient-descent step",
        ),
    ]


#: text that is not a statement, with the reason (beyond the line rules of the coverage)
SKIPPED: tuple[Skip, ...] = (
    Skip(
        CORE_CONCEPTS.file,
        "| Concept             | In Linear Regression | In Neural Networks                  |",
        "table header",
    ),
    Skip(CORE_CONCEPTS.file, "| Variable | Description | Shape (Example) |", "table header"),
    Skip(
        CORE_CONCEPTS.file,
        "| Activation $g(z)$ | Derivative $g'(z)$ (for Backprop) | Use Case |",
        "table header",
    ),
)
