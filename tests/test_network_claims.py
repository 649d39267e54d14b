"""The whole-network claims (derivations.claims.network): proven from the loss with no
premise, and a wrong step, a wrong final formula or a wrong layer index each fail with a
message that names the step.

Each test runs the W^1 row of the one-hidden-layer claim: it is the row that carries the
recursion δ^1 = (W^2)ᵀ δ^2 ⊙ g′(z^1), and the rows for b^1, W^2 and b^2 share its steps.
"""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from derivations.claims import network
from derivations.engine import Definition, Step, verify
from derivations.notation import K, k, r, s

#: each whole-network proof takes minutes of SymPy (84 s and 139 s of CPU measured for the
#: four rows); they are not yet in `verify` and run with `pytest -m slow`, except the cheap one
slow = pytest.mark.slow


def _w1_row(pairing: str = "sigmoid_bce"):
    return network.network_claim(pairing, ("W^1",))


def test_bce_with_logits_is_the_binary_cross_entropy_of_a_sigmoid_unit() -> None:
    (claim,) = [c for c in network.claims() if c.name == "bce_with_logits"]
    result = verify(claim)
    assert result.proven, result.failures


@slow
@pytest.mark.parametrize("pairing", sorted(network.PAIRINGS))
def test_hidden_weight_gradient_is_proven_from_the_loss_with_no_premise(pairing: str) -> None:
    claim = _w1_row(pairing)
    assert claim.premises == []
    result = verify(claim)
    assert result.proven, result.failures


def _failures_with(**changes) -> list[str]:
    result = verify(dataclasses.replace(_w1_row(), **changes))
    assert not result.proven
    return result.failures


@slow
def test_a_wrong_chain_rule_step_fails_and_names_the_step() -> None:
    claim = _w1_row()
    first, second = claim.steps
    # g(z^1_r) where the chain rule gives g′(z^1_r)
    wrong = first.expr.replace(
        lambda node: isinstance(node, sp.Subs), lambda node: network.g(network.z1[r])
    )
    failures = _failures_with(steps=(Step(wrong, first.why, first.uses), second))
    assert any(failure.startswith("step 1 (chain rule") for failure in failures), failures


@slow
def test_the_missing_transpose_fails_and_names_the_step() -> None:
    """δ^1 := W^2 δ^2 ⊙ g′(z^1) (no transpose): the definition step no longer follows."""
    claim = _w1_row()
    untransposed = Definition(
        network.delta1,
        sp.Sum(network.W2[r, k] * network.delta2[k], (k, 1, K)) * network.g_prime_at(network.z1[r]),
        index=r,
        text="hidden delta without the transpose",
    )
    definitions = tuple(
        untransposed if definition.name == network.delta1 else definition
        for definition in claim.definitions
    )
    failures = _failures_with(definitions=definitions)
    assert any(failure.startswith("step 2 (definition of δ^1") for failure in failures), failures


@slow
def test_a_wrong_layer_index_fails_and_names_the_step() -> None:
    """∂J/∂W^1 = δ^1 (a^1)ᵀ, the layer's own activation instead of the previous one."""
    claim = _w1_row()
    first, second = claim.steps
    wrong = sp.ImmutableMatrix([network.delta1[r] * network.a1[s]])
    failures = _failures_with(steps=(first, Step(wrong, second.why)), result=wrong)
    assert any(failure.startswith("step 2 (definition of δ^1") for failure in failures), failures
