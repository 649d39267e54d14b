"""“The whole algorithm”: each line of impl's backward pass beside the claims that prove it.

The lines are those of ``impl.network.backward_into``, verbatim and in order; this module
does not import :mod:`impl` (nothing in :mod:`derivations` does), so a test
(``tests/test_docs_algorithm.py``) checks that :data:`BACKWARD_PASS` is exactly that
function's body and that every claim named here is in the catalogue.  To document a new
line, add a :class:`CodeLine` here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BACKWARD_PASS", "INTRODUCTION", "CodeLine"]


@dataclass(frozen=True)
class CodeLine:
    """One line of the backward pass, what it computes, and the claims that prove it."""

    code: str
    meaning: str
    claims: tuple[str, ...] = ()


INTRODUCTION = (
    "Here is every line of the backward pass of impl (the function backward_into in "
    "impl/network.py), in order, with what it computes and the claims above that prove it. "
    "The code counts layers from 0, so its k is layer l = k + 1 of the formulas. D^l holds "
    "the error signals of layer l for the whole batch, one column per example, already "
    "multiplied by scale = 1/m (so that D^l = ∂J/∂Z^l); one vector 1 of m ones sums over "
    "the examples."
)

BACKWARD_PASS: tuple[CodeLine, ...] = (
    CodeLine("last = len(weights) - 1", "the index of the output layer L"),
    CodeLine(
        "output.delta(A[-1], Y, out=delta[last], work=work[last])",
        "the output error signal of each example: A^L − Y for softmax or sigmoid outputs "
        "with cross-entropy, (A^L − Y) ⊙ σ′(Z^L) for the quadratic cost",
        ("softmax_ce_delta", "sigmoid_bce_delta", "quadratic_sigmoid_delta"),
    ),
    CodeLine(
        "delta[last] *= scale",
        "times 1/m: ∂J/∂Z^L = (1/m)(A^L − Y), because J is the mean of the m losses",
        ("batch_mean_dZ", "batch_softmax_ce_delta", "batch_sigmoid_bce_delta"),
    ),
    CodeLine("for k in range(last, -1, -1):", "from the output layer down to the first"),
    CodeLine(
        "np.matmul(delta[k], A[k].T, out=grad_W[k])",
        "∂J/∂W^l = D^l (A^{l−1})ᵀ: the sum over examples of δ^l (a^{l−1})ᵀ, over m",
        ("weight_gradient", "batch_weight_gradient"),
    ),
    CodeLine(
        "np.matmul(delta[k], ones, out=grad_b[k])  # sum over the m columns",
        "∂J/∂b^l = D^l 1: the sum over examples of δ^l, over m",
        ("bias_gradient", "batch_bias_gradient"),
    ),
    CodeLine("if k:", "below the first layer there is nothing left to propagate"),
    CodeLine(
        "np.matmul(weights[k].T, delta[k], out=delta[k - 1])",
        "∂J/∂A^{l−1} = (W^l)ᵀ D^l",
        ("input_gradient",),
    ),
    CodeLine(
        "delta[k - 1] *= hidden.derivative(Z[k - 1], A[k], out=work[k - 1])",
        "D^{l−1} = (W^l)ᵀ D^l ⊙ g′(Z^{l−1}), with g′ the proven derivative of the hidden "
        "activation",
        (
            "activation_backward",
            "layer_recursion",
            "sigmoid_derivative",
            "tanh_derivative",
            "relu_derivative",
        ),
    ),
)
