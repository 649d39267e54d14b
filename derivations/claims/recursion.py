"""The layer recursion of backpropagation, for symbolic widths and any activation g.

Layer l has ``n`` units, layer l+1 has ``p``, layer l−1 has ``q`` (all symbolic), and

    z^{l+1}_k = Σ_{i=1}^{n} W^{l+1}_{k,i} g(z^l_i) + b^{l+1}_k.

**How J enters.**  The cost J depends on z^l only through z^{l+1}.  By the multivariable
chain rule, its derivative with respect to anything upstream equals that of its first-order
form ``Σ_k δ^{l+1}_k z^{l+1}_k`` with ``δ^{l+1}_k := ∂J/∂z^{l+1}_k`` held fixed.  That form is
the definition of J used below (a cost with a symbolic number of arguments cannot be written
otherwise); the extra check ``chain rule with an abstract cost`` confirms it with SymPy's own
chain rule on an arbitrary function ``L(z^{l+1}_1, …, z^{l+1}_p)`` for every width 1..3.

Claims: δ^l = (W^{l+1})ᵀδ^{l+1} ⊙ g′(z^l); ∂J/∂W^l = δ^l (a^{l−1})ᵀ; ∂J/∂b^l = δ^l;
∂J/∂a^{l−1} = (W^l)ᵀ δ^l; and, through an activation, ∂J/∂z = ∂J/∂a ⊙ g′(z).
"""

from __future__ import annotations

import itertools

import sympy as sp

from derivations.kernel.language import Claim, Definition, IndexRange, Step
from derivations.matrix_form import matrix_entry_check
from derivations.notation import J, g, i, k, n, p, q, r, s, u, v

z_l = sp.IndexedBase("z^l", real=True)
z_next = sp.IndexedBase("z^(l+1)")  # defined: its properties come from its definition
W_next = sp.IndexedBase("W^(l+1)", real=True)
b_next = sp.IndexedBase("b^(l+1)", real=True)
delta_next = sp.IndexedBase("delta^(l+1)", real=True)
delta_l = sp.IndexedBase("delta^l", real=True)
W_l = sp.IndexedBase("W^l", real=True)
b_l = sp.IndexedBase("b^l", real=True)
a_prev = sp.IndexedBase("a^(l-1)", real=True)
a_l = sp.IndexedBase("a^l")  # defined: its properties come from its definition
grad_a_l = sp.IndexedBase("dA^l", real=True)  # ∂J/∂a^l


#: what SymPy checks of the first-order form, and what it cannot
CHAIN_RULE_PREMISE = (
    "Induction step; rests on the chain rule: J enters through its first-order form "
    "(the multivariable chain rule). SymPy checks this with an abstract cost for every width "
    "from 1 to 3; for symbolic widths it is a premise. The base cases, whole networks with 1 "
    "to 3 hidden layers (claims network_*), are proven from the loss itself with no premise."
)


def first_order_cost(
    gradient: sp.IndexedBase, variable: sp.IndexedBase, size: sp.Expr
) -> Definition:
    """J := Σ_{k=1}^{size} gradient_k · variable_k (J's first-order form in ``variable``)."""
    return Definition(
        J,
        sp.Sum(gradient[k] * variable[k], (k, 1, size)),
        text=f"J depends on the rest only through {variable}; {gradient}_k := ∂J/∂{variable}_k",
        premise=CHAIN_RULE_PREMISE,
        holds_fixed=(gradient,),
    )


#: z^{l+1}_k := Σ_i W^{l+1}_{k,i} g(z^l_i) + b^{l+1}_k
Z_NEXT = Definition(
    z_next,
    sp.Sum(W_next[k, i] * g(z_l[i]), (i, 1, n)) + b_next[k],
    index=k,
    text="pre-activation of layer l+1",
)
#: z^l_r := Σ_s W^l_{r,s} a^{l−1}_s + b^l_r
Z_L = Definition(
    z_l,
    sp.Sum(W_l[r, s] * a_prev[s], (s, 1, q)) + b_l[r],
    index=r,
    text="pre-activation of layer l",
)
#: a^l_s := g(z^l_s)
A_L = Definition(a_l, g(z_l[s]), index=s, text="activation of layer l")

g_prime_r = sp.Derivative(g(z_l[r]), z_l[r])
#: δ^l_r = Σ_k W^{l+1}_{k,r} δ^{l+1}_k · g′(z^l_r)
RECURSION = sp.Sum(W_next[k, r] * delta_next[k], (k, 1, p)) * g_prime_r


def _chain_rule_with_abstract_cost(max_width: int = 3) -> str | None:
    """For every n, p ≤ max_width: ∂L(z^{l+1})/∂z^l_r = Σ_k ∂_k L · W_{k,r} g′(z^l_r)."""
    cost = sp.Function("L")
    for width, next_width in itertools.product(range(1, max_width + 1), repeat=2):
        zs = sp.symbols(f"z1:{width + 1}", real=True)
        weights = sp.Matrix(next_width, width, lambda row, col: sp.Symbol(f"w{row}_{col}"))
        biases = sp.symbols(f"b1:{next_width + 1}")
        pre = [
            sum(weights[row, col] * g(zs[col]) for col in range(width)) + biases[row]
            for row in range(next_width)
        ]
        slots = sp.symbols(f"xi1:{next_width + 1}")
        partials = [sp.Subs(sp.diff(cost(*slots), slot), slots, pre) for slot in slots]
        for unit in range(width):
            by_sympy = sp.diff(cost(*pre), zs[unit])
            by_recursion = sum(
                partials[row] * weights[row, unit] for row in range(next_width)
            ) * sp.diff(g(zs[unit]), zs[unit])
            difference = sp.expand(by_sympy - by_recursion.doit())
            if difference != 0 and sp.simplify(difference) != 0:
                return f"widths n={width}, p={next_width}, unit {unit + 1}: {by_sympy}"
    return None


def _matrix(name: str, rows, cols):
    return sp.MatrixSymbol(name, rows, cols)


def claims() -> list[Claim]:
    r_range = IndexRange(r, sp.Integer(1), n)
    u_range = IndexRange(u, sp.Integer(1), n)
    v_range = IndexRange(v, sp.Integer(1), q)

    W_mat, delta_mat, gprime_mat = _matrix("W", p, n), _matrix("delta", p, 1), _matrix("G", n, 1)
    recursion_entries = {
        "W": lambda row, col: W_next[row, col],
        "delta": lambda row, _: delta_next[row],
        "G": lambda row, _: sp.Derivative(g(z_l[row]), z_l[row]),
    }
    dl_mat, aprev_mat, Wl_mat = _matrix("delta", n, 1), _matrix("a", q, 1), _matrix("W", n, q)
    layer_entries = {
        "delta": lambda row, _: delta_l[row],
        "a": lambda row, _: a_prev[row],
        "W": lambda row, col: W_l[row, col],
    }
    layer_definitions = (first_order_cost(delta_l, z_l, n), Z_L)

    return [
        Claim(
            name="layer_recursion",
            title="Layer recursion δ^l = (W^{l+1})ᵀ δ^{l+1} ⊙ g′(z^l)",
            lhs=sp.Derivative(J, z_l[r]),
            result=RECURSION,
            steps=(
                Step(
                    sp.Sum(delta_next[k] * sp.Derivative(z_next[k], z_l[r]), (k, 1, p)),
                    "chain rule through z^{l+1}",
                ),
                Step(
                    sp.Sum(delta_next[k] * W_next[k, r] * g_prime_r, (k, 1, p)),
                    "only the term i = r of z^{l+1}_k depends on z^l_r (1 ≤ r ≤ n)",
                ),
                Step(RECURSION, "g′(z^l_r) does not depend on k"),
            ),
            definitions=(first_order_cost(delta_next, z_next, p), Z_NEXT),
            ranges=(r_range,),
            sizes="symbolic widths n, p; any g",
            summary="Entry r of (W^{l+1})ᵀδ^{l+1} ⊙ g′(z^l), for any differentiable g.",
            extra_checks=(
                ("chain rule with an abstract cost, widths 1..3", _chain_rule_with_abstract_cost),
                (
                    "entry r of the matrix formula",
                    matrix_entry_check(
                        sp.HadamardProduct(W_mat.T * delta_mat, gprime_mat),
                        r,
                        sp.Integer(1),
                        recursion_entries,
                        RECURSION,
                        (r_range,),
                    ),
                ),
            ),
        ),
        Claim(
            name="weight_gradient",
            title="Weight gradient ∂J/∂W^l = δ^l (a^{l−1})ᵀ",
            lhs=sp.Derivative(J, W_l[u, v]),
            result=delta_l[u] * a_prev[v],
            steps=(
                Step(
                    sp.Sum(delta_l[r] * sp.KroneckerDelta(r, u) * a_prev[v], (r, 1, n)),
                    "chain rule: ∂z^l_r/∂W^l_{u,v} = [r = u] a^{l−1}_v",
                ),
                Step(delta_l[u] * a_prev[v], "sum the indicator [r = u] over r (1 ≤ u ≤ n)"),
            ),
            definitions=layer_definitions,
            ranges=(u_range, v_range),
            sizes="symbolic widths n, q",
            extra_checks=(
                (
                    "entry (u, v) of the matrix formula",
                    matrix_entry_check(
                        dl_mat * aprev_mat.T,
                        u,
                        v,
                        layer_entries,
                        delta_l[u] * a_prev[v],
                        (u_range, v_range),
                    ),
                ),
            ),
        ),
        Claim(
            name="bias_gradient",
            title="Bias gradient ∂J/∂b^l = δ^l",
            lhs=sp.Derivative(J, b_l[u]),
            result=delta_l[u],
            steps=(
                Step(
                    sp.Sum(delta_l[r] * sp.KroneckerDelta(r, u), (r, 1, n)),
                    "chain rule: ∂z^l_r/∂b^l_u = [r = u]",
                ),
                Step(delta_l[u], "sum the indicator [r = u] over r (1 ≤ u ≤ n)"),
            ),
            definitions=layer_definitions,
            ranges=(u_range,),
            sizes="symbolic width n",
        ),
        Claim(
            name="input_gradient",
            title="Gradient for the previous activations ∂J/∂a^{l−1} = (W^l)ᵀ δ^l",
            lhs=sp.Derivative(J, a_prev[v]),
            result=sp.Sum(W_l[r, v] * delta_l[r], (r, 1, n)),
            steps=(
                Step(
                    sp.Sum(W_l[r, v] * delta_l[r], (r, 1, n)),
                    "chain rule: ∂z^l_r/∂a^{l−1}_v = W^l_{r,v} (1 ≤ v ≤ q)",
                ),
            ),
            definitions=layer_definitions,
            ranges=(v_range,),
            sizes="symbolic widths n, q",
            extra_checks=(
                (
                    "entry v of the matrix formula",
                    matrix_entry_check(
                        Wl_mat.T * dl_mat,
                        v,
                        sp.Integer(1),
                        layer_entries,
                        sp.Sum(W_l[r, v] * delta_l[r], (r, 1, n)),
                        (v_range,),
                    ),
                ),
            ),
        ),
        Claim(
            name="activation_backward",
            title="Through an activation: ∂J/∂z^l = ∂J/∂a^l ⊙ g′(z^l)",
            lhs=sp.Derivative(J, z_l[v]),
            result=grad_a_l[v] * sp.Derivative(g(z_l[v]), z_l[v]),
            steps=(
                Step(
                    sp.Sum(grad_a_l[k] * sp.KroneckerDelta(k, v), (k, 1, n))
                    * sp.Derivative(g(z_l[v]), z_l[v]),
                    "chain rule: a^l_k = g(z^l_k) depends on z^l_v only when k = v",
                ),
                Step(
                    grad_a_l[v] * sp.Derivative(g(z_l[v]), z_l[v]),
                    "sum the indicator [k = v] over k (1 ≤ v ≤ n)",
                ),
            ),
            definitions=(first_order_cost(grad_a_l, a_l, n), A_L),
            ranges=(IndexRange(v, sp.Integer(1), n),),
            sizes="symbolic width n; any g",
        ),
    ]
