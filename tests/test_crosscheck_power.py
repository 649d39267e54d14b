"""The cross-checks can fail: each deliberately wrong backward pass is rejected by the very
property tests that pass on ``impl`` (not by an assertion written for the bug).

``TextbookNetwork`` is backpropagation written plainly from the proven equations; with
``mutation=None`` it passes the same properties as ``impl``, and each mutation is one bug
from the source documents or from common practice.
"""

from __future__ import annotations

import numpy as np
import pytest
from crosscheck_support import (
    check_backward_against_finite_differences,
    check_delta_against_finite_differences,
    multi_hot_labels,
)
from hypothesis import Phase, settings

from impl import Network
from impl.losses import OUTPUT_LAYERS, softmax, softmax_cross_entropy

#: a property expected to fail is run until its first failing example, not shrunk: the same
#: examples are tried (the ci profile draws them deterministically), and only the search for
#: the smallest failing one, which nothing here reads, is skipped
UNTIL_IT_FAILS = settings(phases=[Phase.explicit, Phase.reuse, Phase.generate])

MUTATIONS = {
    # seed 000's code line: delta = (a_H - y) * sigmoid_derivative(z_H)
    "extra_sigma_prime_at_the_output": dict(hidden="sigmoid", output="sigmoid"),
    # the batch sum instead of the batch mean
    "missing_one_over_m": dict(hidden="tanh", output="softmax"),
    # W @ delta instead of W.T @ delta (runs when the layers are square)
    "transposed_weight_matrix": dict(hidden="tanh", output="softmax", equal_widths=True),
    # seed 001's table: ReLU′(z) = z for z > 0
    "relu_derivative_is_z": dict(hidden="relu", output="softmax"),
    # dW^l = delta^l (a^l)ᵀ instead of delta^l (a^{l−1})ᵀ (runs when the layers are square)
    "off_by_one_layer_index": dict(hidden="sigmoid", output="sigmoid", equal_widths=True),
}


def textbook_network(mutation: str | None) -> type[Network]:
    """A Network whose backward pass is written out plainly, with one optional bug."""

    class TextbookNetwork(Network):
        def backward(self, X, Y):
            X, Y = self._checked(X, Y)
            cache = self.forward_validated(X, on_kernels=False)
            Z, A, m = cache.Z, cache.A, X.shape[1]
            delta = A[-1] - Y
            if self.output == "sigmoid_quadratic" or mutation == "extra_sigma_prime_at_the_output":
                delta = delta * A[-1] * (1 - A[-1])
            mean = 1.0 if mutation == "missing_one_over_m" else 1.0 / m
            dW, db = [None] * self.num_layers, [None] * self.num_layers
            for k in range(self.num_layers - 1, -1, -1):
                previous = A[k + 1] if mutation == "off_by_one_layer_index" else A[k]
                dW[k] = mean * delta @ previous.T
                db[k] = mean * delta.sum(axis=1, keepdims=True)
                if k:
                    W = self.weights[k]
                    back = W @ delta if mutation == "transposed_weight_matrix" else W.T @ delta
                    if mutation == "relu_derivative_is_z":
                        slope = np.where(Z[k - 1] > 0, Z[k - 1], 0.0)
                    else:
                        slope = self.hidden.derivative(Z[k - 1], A[k].copy())
                    delta = back * slope
            return dW, db

    TextbookNetwork.__name__ = f"TextbookNetwork[{mutation}]"
    return TextbookNetwork


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_unmutated_textbook_backward_passes_the_cross_checks(mutation: str) -> None:
    """Control: the same configuration without the bug passes, so failures below are the bug."""
    check_backward_against_finite_differences(textbook_network(None), **MUTATIONS[mutation])()


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_cross_checks_reject_a_wrong_backward_pass(mutation: str) -> None:
    check = check_backward_against_finite_differences(
        textbook_network(mutation), **MUTATIONS[mutation]
    )
    with pytest.raises(AssertionError):
        UNTIL_IT_FAILS(check)()


def test_cross_checks_reject_the_softmax_delta_with_multi_hot_labels() -> None:
    """a − y is not the softmax cross-entropy gradient when the labels do not sum to one."""
    check = check_delta_against_finite_differences(
        OUTPUT_LAYERS["softmax"].delta,
        lambda z: softmax(z.copy()),
        softmax_cross_entropy,
        multi_hot_labels,
        "softmax",
    )
    with pytest.raises(AssertionError):
        UNTIL_IT_FAILS(check)()
