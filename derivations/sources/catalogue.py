"""The catalogue of the source documents' mathematical claims, each with a verdict SymPy computes.

The sources are “Deriving Backpropagation with Cross-Entropy Loss” and “Neural Networks: Core
Concepts and Backpropagation Derivations” (:mod:`derivations.sources.documents` names them;
their files are not part of the project).  Each entry quotes its source, writes its formula in
our notation (``claimed``), and names the SymPy-computed quantity it must equal (``truth``).
Definitions are not claims and are not listed (e.g. the J = (1/m) Σ L of “Neural Networks:
Core Concepts and Backpropagation Derivations”, the update rule W := W − α dW).

No entry types a counterexample: each point shown in the errata is the simplest one
:func:`derivations.kernel.witness.find_counterexample` finds (smallest sizes, then the values 0, 1,
−1, 2, 1/2, … in order), the same search that judges a user's formula.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from derivations.claims import activations, batch, quadratic, recursion, sigmoid_ce, softmax_ce
from derivations.claims.shared import (
    J_IN_RANGE,
    LABELS_SUM_TO_ONE,
    SIGMOID,
    SIGMOID_OUTPUT,
    SOFTMAX,
)
from derivations.kernel.language import Definition, Hypothesis, IndexRange
from derivations.kernel.verdicts import CheckedStatement, Verdict
from derivations.notation import J, K, a, g, j, m, n, q, r, sigma, x, y, z
from derivations.sources.documents import CORE_CONCEPTS, DERIVING_BACKPROPAGATION, THIS_PROJECT

#: the variable of the activation table of “Neural Networks: Core Concepts and
#: Backpropagation Derivations”, named z as the document names it (the activation claims
#: call it x), with the assumptions of the claim each row is checked against
z_table = sp.Symbol("z", real=True)
z_table_nonzero = sp.Symbol("z", real=True, nonzero=True)

SOFTMAX_CE = (softmax_ce.SOFTMAX_CE_LOSS, SOFTMAX)
SIGMOID_BCE = (sigmoid_ce.BINARY_CE_LOSS, SIGMOID_OUTPUT, SIGMOID)

#: the source's dZ^{[l]}: a name of its own, related to our per-example dZ only by assumption
source_dZ = sp.IndexedBase("dZ^{[l]}", real=True)
PER_EXAMPLE_DZ = Hypothesis(
    "dZ is per example",
    "dZ[:, i] is the per-example derivative ∂L_i/∂z_i (so dZ = m ∂J/∂Z)",
    source_dZ,
    batch.dZ,
)


#: the two output layers side by side, under names of their own (J and a mean either)
J_SOFTMAX, J_SIGMOID = sp.Symbol("J_softmax"), sp.Symbol("J_sigmoid")
a_softmax, a_sigmoid = sp.IndexedBase("a^softmax"), sp.IndexedBase("a^sigmoid")
SAME_DELTA_DEFINITIONS = (
    Definition(
        J_SOFTMAX,
        softmax_ce.SOFTMAX_CE_LOSS.expr.xreplace({a: a_softmax}),
        text="categorical cross-entropy of the softmax outputs",
    ),
    Definition(a_softmax, SOFTMAX.expr, index=SOFTMAX.index, text="softmax output"),
    Definition(
        J_SIGMOID,
        sigmoid_ce.BINARY_CE_LOSS.expr.xreplace({a: a_sigmoid}),
        text="binary cross-entropy of the sigmoid outputs",
    ),
    Definition(a_sigmoid, SIGMOID_OUTPUT.expr, index=SIGMOID_OUTPUT.index, text="sigmoid output"),
    SIGMOID,
)


_OUTPUT = (
    "K: the number of classes; j: the class whose δ_j is checked; y[c], z[c]: the label and "
    "the logit of class c"
)
_LAYERS = "n, q: the widths of layers l and l − 1"
_PER_EXAMPLE = (
    "m: the batch size; A: A^[l−1], the activations of layer l − 1; dZ: the per-example "
    "derivatives, column i = ∂L_i/∂z_i (what the hypothesis asks for); dZ^{[l]}: the "
    "document's dZ^[l], the matrix its formula is given"
)
#: what the letters in a statement's verdict mean (sizes, indices, values of a counterexample)
SYMBOLS: dict[str, str] = {
    "000-softmax-delta": _OUTPUT,
    "000-sigmoid-delta": _OUTPUT,
    "000-same-delta": _OUTPUT,
    "000-code-output-delta": _OUTPUT,
    "softmax-delta-multi-hot": _OUTPUT,
    "quadratic-delta-is-not-ce": _OUTPUT,
    "000-layer-recursion": (
        "n, p: the widths of layers l and l + 1; r: the unit of layer l whose δ_r is checked"
    ),
    "000-weight-gradient": f"{_LAYERS}; u, v: the row and column of the entry W[u, v] checked",
    "000-bias-gradient": f"{_LAYERS}; u: the entry b[u] checked",
    "001-output-dZ": (
        "K: the number of output units; m: the batch size; j, t: the unit (row) and the "
        "example (column) of the entry checked; Y, Z: the labels and the output "
        "pre-activations of the batch"
    ),
    "001-dA": f"{_LAYERS}; v: the entry of dA^[l−1] checked",
    "001-dZ-hidden": "n: the width of layer l − 1; v: the entry of dZ^[l−1] checked",
    "001-dW": f"{_LAYERS}; u, v: the row and column of the entry of dW^[l] checked; {_PER_EXAMPLE}",
    "001-db": f"{_LAYERS}; u: the entry of db^[l] checked; {_PER_EXAMPLE}",
}


def symbols_of(key: str) -> str:
    """What the letters of the verdict on statement ``key`` mean ("" when it needs no key)."""
    return SYMBOLS.get(key, "")


def statement_of(key: str) -> CheckedStatement:
    """The claim of the source documents called ``key`` (the statements are built once)."""
    return _statements_by_key()[key]


@cache
def _statements_by_key() -> dict[str, CheckedStatement]:
    return {statement.key: statement for statement in statements()}


def statements() -> list[CheckedStatement]:
    """Every mathematical claim of the two source documents, in the order they appear."""
    layer = (recursion.first_order_cost(recursion.delta_l, recursion.z_l, n), recursion.Z_L)
    u, v = sp.symbols("u v", integer=True)
    u_range, v_range = IndexRange(u, sp.Integer(1), n), IndexRange(v, sp.Integer(1), q)
    t = sp.Symbol("t", integer=True)
    batch_ranges = (IndexRange(j, sp.Integer(1), K), IndexRange(t, sp.Integer(1), m))
    sigmoid_hidden = Definition(g, sigma(x), index=x, text="the hidden activation σ of the source")
    recursion_defs = (
        recursion.first_order_cost(
            recursion.delta_next, recursion.z_next, sp.Symbol("p", integer=True, positive=True)
        ),
        recursion.Z_NEXT,
        sigmoid_hidden,
        SIGMOID,
    )
    return [
        # ---------------------------------------- Deriving Backpropagation with Cross-Entropy Loss
        CheckedStatement(
            key="000-softmax-delta",
            quote_format="markdown",
            quote=(
                "Through the chain rule, the gradient for the last layer simplifies to:\n\n"
                "\\[\n\\delta^H = a^H - y\n\\]"
            ),
            source=DERIVING_BACKPROPAGATION.file,
            section="Categorical Cross-Entropy (Softmax)",
            wording="Through the chain rule, the gradient for the last layer simplifies to "
            "δᴴ = aᴴ − y (y one-hot, a = softmax(z))",
            truth=sp.Derivative(J, z[j]),
            claimed=a[j] - y[j],
            definitions=SOFTMAX_CE,
            ranges=(J_IN_RANGE,),
            assumption=LABELS_SUM_TO_ONE,
            expected=Verdict.PROVEN_UNDER_ASSUMPTION,
            proof="softmax_ce_delta",
            correction="∂J/∂z_j = a_j Σ_c y_c − y_j; it is a_j − y_j exactly when Σ_c y_c = 1, "
            "which one-hot labels satisfy and multi-hot labels do not.",
        ),
        CheckedStatement(
            key="000-sigmoid-delta",
            quote=(
                "By differentiating and applying the chain rule, we"
                " obtain the same result as with Softmax"
            ),
            source=DERIVING_BACKPROPAGATION.file,
            section="Multi-Class Cross-Entropy (Sigmoid)",
            wording="By differentiating and applying the chain rule, we obtain δᴴ = aᴴ − y",
            truth=sp.Derivative(J, z[j]),
            claimed=a[j] - y[j],
            definitions=SIGMOID_BCE,
            ranges=(J_IN_RANGE,),
            expected=Verdict.PROVEN,
            proof="sigmoid_bce_delta",
        ),
        CheckedStatement(
            key="000-same-delta",
            quote=(
                "Backpropagation with Softmax or Sigmoid yields the same"
                " simplified gradient at the output layer"
            ),
            source=DERIVING_BACKPROPAGATION.file,
            section="Multi-Class Cross-Entropy (Sigmoid); Key Takeaways",
            wording="Backpropagation with Softmax or Sigmoid yields the same simplified "
            "gradient at the output layer",
            truth=sp.ImmutableMatrix(
                [sp.Derivative(J_SOFTMAX, z[j]), sp.Derivative(J_SIGMOID, z[j])]
            ),
            claimed=sp.ImmutableMatrix([a_softmax[j] - y[j], a_sigmoid[j] - y[j]]),
            definitions=SAME_DELTA_DEFINITIONS,
            ranges=(J_IN_RANGE,),
            assumption=LABELS_SUM_TO_ONE,
            expected=Verdict.PROVEN_UNDER_ASSUMPTION,
            proof="softmax_ce_delta, sigmoid_bce_delta",
            correction="Both give δᴴ = aᴴ − y, but for softmax only when the labels sum to 1; "
            "for sigmoid outputs it holds for any labels.",
        ),
        CheckedStatement(
            key="000-layer-recursion",
            quote_format="latex",
            quote="\\delta^L = (W^{L+1})^T \\delta^{L+1} * \\sigma'(z^L)",
            source=DERIVING_BACKPROPAGATION.file,
            section="Backpropagation Derivation",
            wording="δᴸ = (Wᴸ⁺¹)ᵀ δᴸ⁺¹ * σ′(zᴸ)",
            truth=sp.Derivative(J, recursion.z_l[r]),
            claimed=sp.Sum(
                recursion.W_next[sp.Symbol("k", integer=True), r]
                * recursion.delta_next[sp.Symbol("k", integer=True)],
                (sp.Symbol("k", integer=True), 1, sp.Symbol("p", integer=True, positive=True)),
            )
            * sp.Derivative(sigma(recursion.z_l[r]), recursion.z_l[r]),
            definitions=recursion_defs,
            ranges=(IndexRange(r, sp.Integer(1), n),),
            expected=Verdict.PROVEN,
            proof="network_sigmoid_bce_2_hidden, network_softmax_ce_2_hidden, layer_recursion",
        ),
        CheckedStatement(
            key="000-weight-gradient",
            quote_format="latex",
            quote="\\frac{\\partial J}{\\partial W^L} = \\delta^L (a^{L-1})^T",
            source=DERIVING_BACKPROPAGATION.file,
            section="Backpropagation Derivation; Backward Pass (dW[L] = delta @ a_prev.T)",
            wording="∂J/∂Wᴸ = δᴸ (aᴸ⁻¹)ᵀ",
            truth=sp.Derivative(J, recursion.W_l[u, v]),
            claimed=recursion.delta_l[u] * recursion.a_prev[v],
            definitions=layer,
            ranges=(u_range, v_range),
            expected=Verdict.PROVEN,
            proof="network_sigmoid_bce_2_hidden, network_softmax_ce_2_hidden, weight_gradient",
        ),
        CheckedStatement(
            key="000-bias-gradient",
            quote_format="latex",
            quote="\\frac{\\partial J}{\\partial b^L} = \\delta^L",
            source=DERIVING_BACKPROPAGATION.file,
            section="Backpropagation Derivation; Backward Pass (db[L] = delta)",
            wording="∂J/∂bᴸ = δᴸ",
            truth=sp.Derivative(J, recursion.b_l[u]),
            claimed=recursion.delta_l[u],
            definitions=layer,
            ranges=(u_range,),
            expected=Verdict.PROVEN,
            proof="network_sigmoid_bce_2_hidden, network_softmax_ce_2_hidden, bias_gradient",
        ),
        CheckedStatement(
            key="000-code-output-delta",
            quote_format="code",
            quote="delta = (a_H - y) * sigmoid_derivative(z_H)",
            source=DERIVING_BACKPROPAGATION.file,
            section="Backward Pass (code)",
            wording="delta = (a_H - y) * sigmoid_derivative(z_H), as the output delta of the "
            "cross-entropy loss derived above",
            truth=sp.Derivative(J, z[j]),
            claimed=(a[j] - y[j]) * a[j] * (1 - a[j]),
            definitions=SIGMOID_BCE,
            ranges=(J_IN_RANGE,),
            expected=Verdict.REFUTED,
            proof="sigmoid_bce_delta, quadratic_sigmoid_delta",
            correction="For cross-entropy the σ′ factor cancels: delta = a_H − y. "
            "(a_H − y) ⊙ σ′(z_H) is the delta of the quadratic cost ½‖a − y‖² "
            "(claim quadratic_sigmoid_delta); with it, a saturated wrong output learns slowly.",
        ),
        # ------------- Neural Networks: Core Concepts and Backpropagation Derivations
        CheckedStatement(
            key="001-sigmoid-derivative",
            quote_format="markdown",
            quote="| **Sigmoid** | $g(z)(1-g(z))$",
            source=CORE_CONCEPTS.file,
            section="1.B activation table, Sigmoid row",
            wording="g′(z) = g(z)(1 − g(z))",
            truth=sp.Derivative(sigma(z_table), z_table),
            claimed=sigma(z_table) * (1 - sigma(z_table)),
            definitions=(SIGMOID,),
            expected=Verdict.PROVEN,
            proof="sigmoid_derivative",
        ),
        CheckedStatement(
            key="001-relu-derivative",
            quote_format="markdown",
            quote="| **ReLU** | $z$ if $z > 0$, $0$ otherwise",
            source=CORE_CONCEPTS.file,
            section="1.B activation table, ReLU row",
            wording="g′(z) = z if z > 0, 0 otherwise",
            truth=sp.Derivative(activations.relu_f(z_table_nonzero), z_table_nonzero),
            claimed=sp.Piecewise((z_table_nonzero, z_table_nonzero > 0), (0, True)),
            definitions=(activations.RELU,),
            expected=Verdict.REFUTED,
            proof="relu_derivative",
            correction="ReLU′(z) = 1 if z > 0 and 0 if z < 0 (undefined at 0; the convention "
            "here is ReLU′(0) = 0). The table gives ReLU itself, not its derivative.",
        ),
        CheckedStatement(
            key="001-tanh-derivative",
            quote_format="markdown",
            quote="| **Tanh** | $1 - (g(z))^2$",
            source=CORE_CONCEPTS.file,
            section="1.B activation table, Tanh row",
            wording="g′(z) = 1 − (g(z))²",
            truth=sp.Derivative(activations.tanh_f(z_table), z_table),
            claimed=1 - activations.tanh_f(z_table) ** 2,
            definitions=(activations.TANH,),
            expected=Verdict.PROVEN,
            proof="tanh_derivative",
        ),
        CheckedStatement(
            key="001-output-dZ",
            quote_format="latex",
            quote=(
                "\\mathbf{d Z}^{[L]} = \\frac{\\partial J}{\\partial"
                " \\mathbf{Z}^{[L]}} = \\mathbf{A}^{[L]} - \\mathbf{Y}"
            ),
            source=CORE_CONCEPTS.file,
            section="3.A Output Layer",
            wording="dZ^[L] = ∂J/∂Z^[L] = A^[L] − Y, with J = (1/m) Σᵢ L (sigmoid output, "
            "binary cross-entropy)",
            truth=sp.Derivative(J, batch.Z[j, t]),
            claimed=batch.A[j, t] - batch.Y[j, t],
            definitions=(batch.BATCH_BINARY_CE, batch.SIGMOID_ENTRIES, SIGMOID),
            ranges=batch_ranges,
            expected=Verdict.REFUTED,
            proof="batch_sigmoid_bce_delta",
            correction="With J the mean over m examples, ∂J/∂Z = (1/m)(A − Y). A − Y is the "
            "per-example derivative dZ = m ∂J/∂Z, which is the reading section 3.B.3's "
            "(1/m) dZ Aᵀ needs; read as ∂J/∂Z, the 1/m would be applied twice.",
        ),
        CheckedStatement(
            key="001-dA",
            quote_format="latex",
            quote="\\mathbf{d A}^{[l-1]} = (\\mathbf{W}^{[l]})^T \\mathbf{d Z}^{[l]}",
            source=CORE_CONCEPTS.file,
            section="3.B.1",
            wording="dA^[l−1] = (W^[l])ᵀ dZ^[l]",
            truth=sp.Derivative(J, recursion.a_prev[v]),
            claimed=sp.Sum(recursion.W_l[r, v] * recursion.delta_l[r], (r, 1, n)),
            definitions=layer,
            ranges=(v_range,),
            expected=Verdict.PROVEN,
            proof="input_gradient",
        ),
        CheckedStatement(
            key="001-dZ-hidden",
            quote_format="latex",
            quote="\\mathbf{d Z}^{[l-1]} = \\mathbf{d A}^{[l-1]} \\ * \\ g'(\\mathbf{Z}^{[l-1]})",
            source=CORE_CONCEPTS.file,
            section="3.B.2",
            wording="dZ^[l−1] = dA^[l−1] * g′(Z^[l−1]) (elementwise)",
            truth=sp.Derivative(J, recursion.z_l[v]),
            claimed=recursion.grad_a_l[v] * sp.Derivative(g(recursion.z_l[v]), recursion.z_l[v]),
            definitions=(
                recursion.first_order_cost(recursion.grad_a_l, recursion.a_l, n),
                recursion.A_L,
            ),
            ranges=(IndexRange(v, sp.Integer(1), n),),
            expected=Verdict.PROVEN,
            proof="activation_backward",
        ),
        CheckedStatement(
            key="001-dW",
            quote_format="latex",
            quote="\\mathbf{d W}^{[l]} = \\frac{1}{m} \\mathbf{d Z}^{[l]} (\\mathbf{A}^{[l-1]})^T",
            source=CORE_CONCEPTS.file,
            section="3.B.3",
            wording="dW^[l] = (1/m) dZ^[l] (A^[l−1])ᵀ",
            truth=sp.Derivative(J, batch.W[u, v]),
            claimed=sp.Sum(source_dZ[u, batch.i] * batch.A[v, batch.i], (batch.i, 1, m)) / m,
            definitions=(batch.MEAN_OF_PER_EXAMPLE_LOSSES, batch.Z_LAYER),
            ranges=(u_range, v_range),
            assumption=PER_EXAMPLE_DZ,
            expected=Verdict.PROVEN_UNDER_ASSUMPTION,
            proof="network_batch_sigmoid_bce_1_hidden, batch_weight_gradient",
            correction="True when dZ is the per-example derivative (dZ = m ∂J/∂Z), not "
            "∂J/∂Z as section 3.A writes.",
        ),
        CheckedStatement(
            key="001-db",
            quote_format="latex",
            quote="\\mathbf{d b}^{[l]} = \\frac{1}{m} \\sum_{i=1}^{m} \\mathbf{d Z}^{[l]}",
            source=CORE_CONCEPTS.file,
            section="3.B.3",
            wording="db^[l] = (1/m) Σᵢ dZ^[l]",
            truth=sp.Derivative(J, batch.b[u]),
            claimed=sp.Sum(source_dZ[u, batch.i], (batch.i, 1, m)) / m,
            definitions=(batch.MEAN_OF_PER_EXAMPLE_LOSSES, batch.Z_LAYER),
            ranges=(u_range,),
            assumption=PER_EXAMPLE_DZ,
            expected=Verdict.PROVEN_UNDER_ASSUMPTION,
            proof="network_batch_sigmoid_bce_1_hidden, batch_bias_gradient",
            correction="True when dZ is the per-example derivative (dZ = m ∂J/∂Z).",
        ),
    ]


def beyond_sources() -> list[CheckedStatement]:
    """The project's own counterexamples: what goes wrong when a hypothesis is dropped."""
    return [
        CheckedStatement(
            key="softmax-delta-multi-hot",
            quote="",
            source=THIS_PROJECT.title,
            section="softmax cross-entropy without Σy = 1",
            wording="δ = a − y for softmax + categorical cross-entropy with multi-hot labels",
            truth=sp.Derivative(J, z[j]),
            claimed=a[j] - y[j],
            definitions=SOFTMAX_CE,
            ranges=(J_IN_RANGE,),
            expected=Verdict.REFUTED,
            proof="softmax_ce_delta_any_labels",
            correction="With labels that do not sum to 1, ∂J/∂z_j = a_j Σ_c y_c − y_j; use "
            "sigmoid outputs with binary cross-entropy for multi-label problems.",
        ),
        CheckedStatement(
            key="quadratic-delta-is-not-ce",
            quote="",
            source=THIS_PROJECT.title,
            section="quadratic cost vs cross-entropy",
            wording="the quadratic-cost delta (a − y) ⊙ σ′(z) equals the cross-entropy delta",
            truth=sp.Derivative(J, z[j]),
            claimed=a[j] - y[j],
            definitions=(quadratic.QUADRATIC_LOSS, SIGMOID_OUTPUT, SIGMOID),
            ranges=(J_IN_RANGE,),
            expected=Verdict.REFUTED,
            proof="quadratic_sigmoid_delta",
            correction="The two costs have different deltas; they agree only where a = y.",
        ),
    ]
