"""The batch form, for a symbolic batch size m (and symbolic widths / classes).

Convention (stated once, in :mod:`derivations.notation`): the cost is the mean
``J = (1/m) Σ_{i=1}^{m} L_i``; ``dZ`` is the per-example derivative, column i being
``∂L_i/∂z_i`` (so ``dZ = m ∂J/∂Z``).  Proven here:

* ∂J/∂Z = (1/m) dZ;
* ∂J/∂W = (1/m) dZ Aᵀ  and  ∂J/∂b = (1/m) Σ_i dZ[:, i];
* softmax + categorical cross-entropy: ∂J/∂Z = (1/m)(A − Y) when every column of Y sums to 1;
* sigmoid + binary cross-entropy: ∂J/∂Z = (1/m)(A − Y) for any real Y.

As in :mod:`derivations.claims.recursion`, J enters through its first-order form in Z,
``(1/m) Σ_i Σ_r dZ[r, i] Z[r, i]``, which is exactly "J is the mean of per-example losses
L_i(z_i) with gradients dZ[:, i]".
"""

from __future__ import annotations

import itertools

import sympy as sp

from derivations.claims.shared import SIGMOID
from derivations.kernel.language import Claim, Definition, Hypothesis, IndexRange, Step
from derivations.matrix_form import matrix_entry_check
from derivations.notation import J, K, c, i, j, k, m, n, q, r, s, sigma, t, u, v

Z = sp.IndexedBase("Z", real=True)
A = sp.IndexedBase("A", real=True)  # activations: A^{l-1} (inputs of the layer) or outputs
Y = sp.IndexedBase("Y", real=True)
W = sp.IndexedBase("W", real=True)
b = sp.IndexedBase("b", real=True)
dZ = sp.IndexedBase("dZ", real=True)

#: J := (1/m) Σ_i Σ_r dZ[r, i] Z[r, i]
MEAN_OF_PER_EXAMPLE_LOSSES = Definition(
    J,
    sp.Sum(sp.Sum(dZ[r, i] * Z[r, i], (r, 1, n)), (i, 1, m)) / m,
    text="J is the mean of the per-example losses; dZ[:, i] := ∂L_i/∂z_i",
    premise=(
        "Rests on the chain rule: J enters through its first-order form in Z (the "
        "multivariable chain rule). SymPy checks the batch gradients with an abstract "
        "per-example loss for every width and batch size from 1 to 3; for symbolic sizes it "
        "is a premise."
    ),
    holds_fixed=(dZ,),
)
#: Z[r, i] := Σ_s W[r, s] A[s, i] + b[r]
Z_LAYER = Definition(
    Z, sp.Sum(W[r, s] * A[s, i], (s, 1, q)) + b[r], index=(r, i), text="pre-activations"
)
#: A[c, i] := e^{Z[c, i]} / Σ_k e^{Z[k, i]}
SOFTMAX_COLUMNS = Definition(
    A,
    sp.exp(Z[c, i]) / sp.Sum(sp.exp(Z[k, i]), (k, 1, K)),
    index=(c, i),
    text="softmax of each column",
)
#: A[c, i] := σ(Z[c, i])
SIGMOID_ENTRIES = Definition(A, sigma(Z[c, i]), index=(c, i), text="sigmoid of each entry")
#: J := −(1/m) Σ_i Σ_c Y[c, i] log A[c, i]
BATCH_SOFTMAX_CE = Definition(
    J,
    -sp.Sum(sp.Sum(Y[c, i] * sp.log(A[c, i]), (c, 1, K)), (i, 1, m)) / m,
    text="mean categorical cross-entropy",
)
#: J := −(1/m) Σ_i Σ_c [Y log A + (1 − Y) log(1 − A)]
BATCH_BINARY_CE = Definition(
    J,
    -sp.Sum(
        sp.Sum(Y[c, i] * sp.log(A[c, i]) + (1 - Y[c, i]) * sp.log(1 - A[c, i]), (c, 1, K)),
        (i, 1, m),
    )
    / m,
    text="mean binary cross-entropy",
)
#: every column of Y sums to one
COLUMNS_SUM_TO_ONE = Hypothesis(
    "label columns sum to one",
    "every column of Y sums to 1 (one-hot columns, or probability vectors)",
    sp.Sum(Y[c, t], (c, 1, K)),
    sp.Integer(1),
)

BATCH_DELTA = (A[j, t] - Y[j, t]) / m


def _batch_gradients_with_an_abstract_loss(max_size: int = 3) -> str | None:
    """For every n, q, m ≤ max_size, with J = (1/m) Σ_i L(z_i) for an arbitrary function L:
    ∂J/∂W[u, v] = (1/m) Σ_i ∂_u L(z_i) A[v, i] and ∂J/∂b[u] = (1/m) Σ_i ∂_u L(z_i)."""
    loss = sp.Function("L")
    for width, inputs, batch in itertools.product(range(1, max_size + 1), repeat=3):
        weights = sp.Matrix(width, inputs, lambda row, col: sp.Symbol(f"w{row}_{col}"))
        biases = sp.Matrix(width, 1, lambda row, _: sp.Symbol(f"b{row}"))
        activations = sp.Matrix(inputs, batch, lambda row, col: sp.Symbol(f"a{row}_{col}"))
        pre = weights * activations + biases * sp.ones(1, batch)
        cost = sum(loss(*pre[:, example]) for example in range(batch)) / batch
        slots = sp.symbols(f"xi1:{width + 1}")

        def partial(unit: int, example: int, slots=slots, pre=pre) -> sp.Expr:
            return sp.Subs(sp.diff(loss(*slots), slots[unit]), slots, tuple(pre[:, example]))

        for unit in range(width):
            by_bias = sum(partial(unit, example) for example in range(batch)) / batch
            if sp.simplify(sp.diff(cost, biases[unit]) - by_bias.doit()) != 0:
                return f"db, n={width}, q={inputs}, m={batch}, unit {unit + 1}"
            for col in range(inputs):
                by_weight = (
                    sum(
                        partial(unit, example) * activations[col, example]
                        for example in range(batch)
                    )
                    / batch
                )
                if sp.simplify(sp.diff(cost, weights[unit, col]) - by_weight.doit()) != 0:
                    return f"dW, n={width}, q={inputs}, m={batch}, entry ({unit + 1}, {col + 1})"
    return None


def claims() -> list[Claim]:
    u_range, v_range = IndexRange(u, sp.Integer(1), n), IndexRange(v, sp.Integer(1), q)
    t_range, j_range = IndexRange(t, sp.Integer(1), m), IndexRange(j, sp.Integer(1), K)
    dZ_mat, A_mat = sp.MatrixSymbol("dZ", n, m), sp.MatrixSymbol("A", q, m)
    entries = {"dZ": lambda row, col: dZ[row, col], "A": lambda row, col: A[row, col]}
    weight_result = sp.Sum(dZ[u, i] * A[v, i], (i, 1, m)) / m
    linear = (MEAN_OF_PER_EXAMPLE_LOSSES, Z_LAYER)
    return [
        Claim(
            name="batch_mean_dZ",
            title="Batch cost: ∂J/∂Z = (1/m) dZ",
            lhs=sp.Derivative(J, Z[u, t]),
            result=dZ[u, t] / m,
            steps=(
                Step(
                    sp.Sum(
                        sp.Sum(
                            dZ[r, i] * sp.KroneckerDelta(r, u) * sp.KroneckerDelta(i, t), (r, 1, n)
                        ),
                        (i, 1, m),
                    )
                    / m,
                    "differentiate each term: ∂Z[r, i]/∂Z[u, t] = [r = u] [i = t]",
                ),
                Step(
                    dZ[u, t] / m,
                    "sum both indicators [r = u] and [i = t] (1 ≤ u ≤ n, 1 ≤ t ≤ m)",
                ),
            ),
            definitions=(MEAN_OF_PER_EXAMPLE_LOSSES,),
            ranges=(u_range, t_range),
            sizes="symbolic n, m",
        ),
        Claim(
            name="batch_weight_gradient",
            title="Batch weight gradient ∂J/∂W = (1/m) dZ Aᵀ",
            lhs=sp.Derivative(J, W[u, v]),
            result=weight_result,
            steps=(
                Step(
                    sp.Sum(
                        sp.Sum(dZ[r, i] * sp.KroneckerDelta(r, u) * A[v, i], (r, 1, n)), (i, 1, m)
                    )
                    / m,
                    "chain rule: ∂Z[r, i]/∂W[u, v] = [r = u] A[v, i]",
                ),
                Step(weight_result, "sum the indicator [r = u] over r (1 ≤ u ≤ n)"),
            ),
            definitions=linear,
            ranges=(u_range, v_range),
            sizes="symbolic n, q, m",
            extra_checks=(
                (
                    "batch gradients with an abstract per-example loss, sizes 1..3",
                    _batch_gradients_with_an_abstract_loss,
                ),
                (
                    "entry (u, v) of the matrix formula (1/m) dZ Aᵀ",
                    matrix_entry_check(
                        dZ_mat * A_mat.T / m, u, v, entries, weight_result, (u_range, v_range)
                    ),
                ),
            ),
        ),
        Claim(
            name="batch_bias_gradient",
            title="Batch bias gradient ∂J/∂b = (1/m) Σ_i dZ[:, i]",
            lhs=sp.Derivative(J, b[u]),
            result=sp.Sum(dZ[u, i], (i, 1, m)) / m,
            steps=(
                Step(
                    sp.Sum(sp.Sum(dZ[r, i] * sp.KroneckerDelta(r, u), (r, 1, n)), (i, 1, m)) / m,
                    "chain rule: ∂Z[r, i]/∂b[u] = [r = u]",
                ),
                Step(sp.Sum(dZ[u, i], (i, 1, m)) / m, "sum the indicator [r = u] over r"),
            ),
            definitions=linear,
            ranges=(u_range,),
            sizes="symbolic n, m",
        ),
        Claim(
            name="batch_softmax_ce_delta",
            title="Batch softmax cross-entropy: ∂J/∂Z = (1/m)(A − Y)",
            lhs=sp.Derivative(J, Z[j, t]),
            result=BATCH_DELTA,
            steps=(
                Step(
                    (A[j, t] * sp.Sum(Y[c, t], (c, 1, K)) - Y[j, t]) / m,
                    "only example t depends on Z[j, t]; softmax cross-entropy gradient "
                    "of one example (claim softmax_ce_delta_any_labels)",
                ),
                Step(
                    BATCH_DELTA, "substitute the hypothesis Σ_c Y[c, t] = 1", (COLUMNS_SUM_TO_ONE,)
                ),
            ),
            definitions=(BATCH_SOFTMAX_CE, SOFTMAX_COLUMNS),
            hypotheses=(COLUMNS_SUM_TO_ONE,),
            ranges=(j_range, t_range),
            sizes="symbolic K, m",
        ),
        Claim(
            name="batch_sigmoid_bce_delta",
            title="Batch sigmoid binary cross-entropy: ∂J/∂Z = (1/m)(A − Y)",
            lhs=sp.Derivative(J, Z[j, t]),
            result=BATCH_DELTA,
            steps=(
                Step(
                    BATCH_DELTA,
                    "only example t and unit j depend on Z[j, t]; sigmoid cross-entropy "
                    "gradient of one unit (claim sigmoid_bce_delta), divided by m",
                ),
            ),
            definitions=(BATCH_BINARY_CE, SIGMOID_ENTRIES, SIGMOID),
            ranges=(j_range, t_range),
            sizes="symbolic K, m",
        ),
    ]
