"""The batch network claim (derivations.claims.network_batch): backpropagation for a batch of
m examples, proven from the batch-mean cost of the one-hidden-layer network with no premise
(the 1/m convention settled without premise P2); a wrong 1/m, m in place of 1/m, a cost that
is the sum instead of the mean, or the missing transpose each fail with a message that names
the step.
"""

from __future__ import annotations

import dataclasses

import sympy as sp

from derivations.claims import network, network_batch
from derivations.kernel.engine import verify
from derivations.kernel.language import Definition, Step
from derivations.notation import J, K, j, k, m

NET = network_batch.BatchNetwork()


def test_batch_backpropagation_is_proven_from_the_mean_cost_with_no_premise() -> None:
    claim = network_batch.network_batch_claim()
    assert claim.name == "network_batch_sigmoid_bce_1_hidden"
    assert claim.premises == []
    assert not claim.hypotheses
    result = verify(claim)
    assert result.proven, result.failures
    assert result.witness.startswith("agrees at")


def test_the_batch_claim_is_in_the_network_claims() -> None:
    names = [claim.name for claim in network.claims()]
    assert "network_batch_sigmoid_bce_1_hidden" in names


def _failures_with(**changes) -> list[str]:
    claim = network_batch.network_batch_claim()
    result = verify(dataclasses.replace(claim, **changes))
    assert not result.proven
    return result.failures


def _scaled(step: Step, factor: sp.Expr) -> Step:
    return Step(step.expr.applyfunc(lambda row: row * factor), step.why, step.uses)


def test_a_missing_one_over_m_fails_and_names_the_step() -> None:
    """∂J/∂W^l = Δ^l (A^{l−1})ᵀ, the per-example formula, for the batch-mean cost."""
    first, second = network_batch.network_batch_claim().steps
    wrong = _scaled(second, m)
    failures = _failures_with(steps=(first, wrong), result=wrong.expr)
    assert any(failure.startswith("step 2 (definition of Δ^1") for failure in failures), failures


def test_m_in_place_of_one_over_m_fails_and_names_the_step() -> None:
    first, second = network_batch.network_batch_claim().steps
    wrong = (_scaled(first, m**2), _scaled(second, m**2))
    failures = _failures_with(steps=wrong, result=wrong[1].expr)
    assert any(failure.startswith("step 1 (chain rule") for failure in failures), failures
    assert not any(failure.startswith("step 2") for failure in failures), failures


def test_the_sum_instead_of_the_mean_makes_the_one_over_m_fail() -> None:
    """J := Σ_t L_t (no 1/m): the derivation for the mean no longer follows at step 1."""
    claim = network_batch.network_batch_claim()
    t = network_batch.t
    summed = Definition(J, sp.Sum(network_batch.L[t], (t, 1, m)), text="the batch sum")
    definitions = tuple(summed if d.name == J else d for d in claim.definitions)
    failures = _failures_with(definitions=definitions)
    assert any(failure.startswith("step 1 (chain rule") for failure in failures), failures


def test_the_missing_transpose_fails_and_names_the_step() -> None:
    """Δ^1 := W^2 Δ^2 ⊙ g′(Z^1) (no transpose): the step that names Δ^1 no longer follows."""
    claim = network_batch.network_batch_claim()
    t = network_batch.t
    untransposed = Definition(
        NET.Delta(1),
        sp.Sum(NET.W(2)[j, k] * NET.Delta(2)[k, t], (k, 1, K)) * network.g_prime_at(NET.Z(1)[j, t]),
        index=(j, t),
        text="hidden delta without the transpose",
    )
    definitions = tuple(untransposed if d.name == NET.Delta(1) else d for d in claim.definitions)
    failures = _failures_with(definitions=definitions)
    assert any(failure.startswith("step 2 (definition of Δ^1") for failure in failures), failures
