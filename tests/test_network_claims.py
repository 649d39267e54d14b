"""The whole-network claims (derivations.claims.network): backpropagation proven from the loss
of the whole network with no premise, for symbolic widths and any g; and a wrong step, a
wrong final formula or a wrong layer index each fail with a message that names the step.

The catalogued networks (both cross-entropy pairings at depths 1-3, the quadratic cost at
depth 1) are proven by tests/test_proofs.py like every claim of the catalogue; the deeper
quadratic networks run with ``pytest -m slow``.
"""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from derivations.claims import network
from derivations.kernel.engine import verify
from derivations.kernel.language import Definition, Step
from derivations.notation import k

slow = pytest.mark.slow


def test_bce_with_logits_is_the_binary_cross_entropy_of_a_sigmoid_unit() -> None:
    (claim,) = [c for c in network.claims() if c.name == "bce_with_logits"]
    result = verify(claim)
    assert result.proven, result.failures


def test_the_catalogue_holds_six_cross_entropy_networks_and_none_rests_on_a_premise() -> None:
    names = {claim.name: claim for claim in network.claims()}
    for depth in network.DEPTHS:
        for pairing in ("sigmoid_bce", "softmax_ce"):
            assert names[f"network_{pairing}_{depth}_hidden"].premises == []
    assert all(claim.premises == [] for claim in names.values())


@slow
@pytest.mark.parametrize(
    ("depth", "pairing"),
    [(2, "quadratic"), (3, "quadratic")],
)
def test_deeper_quadratic_backpropagation_is_proven_from_the_loss_with_no_premise(
    depth: int, pairing: str
) -> None:
    claim = network.network_claim(depth, pairing)
    assert claim.premises == []
    result = verify(claim)
    assert result.proven, result.failures


def _failures_with(**changes) -> list[str]:
    result = verify(dataclasses.replace(network.network_claim(1, "sigmoid_bce"), **changes))
    assert not result.proven
    return result.failures


def test_a_wrong_chain_rule_step_fails_and_names_the_step() -> None:
    """g(z^1_r) where the chain rule gives g′(z^1_r), in the W^1 row of step 1."""
    claim = network.network_claim(1, "sigmoid_bce")
    first, second = claim.steps
    r, _ = network.row_indices(1)
    wrong_row = first.expr[0].replace(
        lambda node: (
            isinstance(node, sp.Subs)
            and node.args[2] == (network.network(1, "sigmoid_bce").z(1)[r],)
        ),
        lambda node: network.g(node.args[2][0]),
    )
    assert wrong_row != first.expr[0]
    wrong = sp.ImmutableMatrix([wrong_row, *list(first.expr)[1:]])
    failures = _failures_with(steps=(Step(wrong, first.why, first.uses), second))
    assert any(failure.startswith("step 1 (chain rule") for failure in failures), failures


def test_the_missing_transpose_fails_and_names_the_step() -> None:
    """δ^1 := W^2 δ^2 ⊙ g′(z^1) (no transpose): the step that names δ^1 no longer follows."""
    net = network.network(1, "sigmoid_bce")
    claim = network.network_claim(1, "sigmoid_bce")
    j = sp.Symbol("j", integer=True)
    untransposed = Definition(
        net.delta(1),
        sp.Sum(net.W(2)[j, k] * net.delta(2)[k], (k, 1, net.width(2)))
        * network.g_prime_at(net.z(1)[j]),
        index=j,
        text="hidden delta without the transpose",
    )
    definitions = tuple(
        untransposed if definition.name == net.delta(1) else definition
        for definition in claim.definitions
    )
    failures = _failures_with(definitions=definitions)
    assert any(failure.startswith("step 2 (definition of δ^1") for failure in failures), failures


def test_a_wrong_layer_index_fails_and_names_the_step() -> None:
    """∂J/∂W^1 = δ^1 (a^1)ᵀ, the layer's own activation instead of the previous one."""
    net = network.network(1, "sigmoid_bce")
    claim = network.network_claim(1, "sigmoid_bce")
    first, second = claim.steps
    r, s = network.row_indices(1)
    rows = list(second.expr)
    rows[0] = net.delta(1)[r] * net.a(1)[s]
    wrong = sp.ImmutableMatrix(rows)
    failures = _failures_with(steps=(first, Step(wrong, second.why)), result=wrong)
    assert any(failure.startswith("step 2 (definition of δ^1") for failure in failures), failures


def test_an_unknown_depth_or_pairing_is_refused_naming_the_choices() -> None:
    with pytest.raises(ValueError, match="depth must be one of"):
        network.network_claim(4, "sigmoid_bce")
    with pytest.raises(ValueError, match="pairing must be one of"):
        network.network_claim(1, "hinge")
    with pytest.raises(ValueError, match="layers must be among"):
        network.network_claim(1, "sigmoid_bce", layers=(3,))
