"""The symbols every derivation shares, declared once.

Conventions (the same as the source documents and as ``impl``):

* one example is a column: ``z``, ``a``, ``y`` are vectors with entries ``z_j``, ``j = 1..K``;
* a mini-batch stacks examples as columns: ``Z[j, i]`` is unit ``j`` of example ``i``,
  ``Z`` has shape ``(n_l, m)``;
* ``J = (1/m) Σ_i L_i`` is the batch cost, ``L_i`` the loss of example ``i``;
* ``dZ`` is the **per-example** derivative: column ``i`` of ``dZ`` is ``∂L_i/∂z_i``, so
  ``dZ = m ∂J/∂Z``; then ``∂J/∂W = (1/m) dZ Aᵀ`` and ``∂J/∂b = (1/m) Σ_i dZ[:, i]``
  (proven in :mod:`derivations.claims.batch`).

Sizes (``K`` classes, widths ``n``, ``p``, ``q``, batch size ``m``) are positive integer
symbols: a claim proven with them holds for every size.
"""

from __future__ import annotations

import sympy as sp

# ---------------------------------------------------------------- sizes (symbolic)
K = sp.Symbol("K", integer=True, positive=True)  # number of outputs / classes
n = sp.Symbol("n", integer=True, positive=True)  # width of layer l
p = sp.Symbol("p", integer=True, positive=True)  # width of layer l + 1
q = sp.Symbol("q", integer=True, positive=True)  # width of layer l - 1
m = sp.Symbol("m", integer=True, positive=True)  # batch size (number of examples)

# ---------------------------------------------------------------- indices
i, j, k, c, r, s, t, u, v = sp.symbols("i j k c r s t u v", integer=True)

# ---------------------------------------------------------------- one example
z = sp.IndexedBase("z", real=True)  # logits / pre-activations
a = sp.IndexedBase("a", real=True)  # outputs / activations
y = sp.IndexedBase("y", real=True)  # labels (any real numbers unless a hypothesis says more)

# ---------------------------------------------------------------- scalar variable
x = sp.Symbol("x", real=True)

# ---------------------------------------------------------------- losses
J = sp.Symbol("J")  # the loss (one example) or cost (a batch)

# ---------------------------------------------------------------- activations
sigma = sp.Function("sigma")  # logistic sigmoid, defined in derivations.claims.activations
g = sp.Function("g")  # an arbitrary differentiable activation


def sigmoid_expr(argument: sp.Expr) -> sp.Expr:
    """σ(x) = 1 / (1 + e^{-x})."""
    return 1 / (1 + sp.exp(-argument))


def softmax_expr(
    logits: sp.IndexedBase, entry: sp.Expr, size: sp.Expr, *, column: sp.Expr | None = None
) -> sp.Expr:
    """a_entry = e^{z_entry} / Σ_{k=1}^{size} e^{z_k} (column ``column`` of a batch if given)."""
    if column is None:
        return sp.exp(logits[entry]) / sp.Sum(sp.exp(logits[k]), (k, 1, size))
    return sp.exp(logits[entry, column]) / sp.Sum(sp.exp(logits[k, column]), (k, 1, size))
