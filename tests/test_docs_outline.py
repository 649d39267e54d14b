"""The documents' outline: parts by topic, and the whole algorithm beside impl's own code."""

from __future__ import annotations

import inspect
import textwrap
from types import SimpleNamespace

import pytest

from derivations.claims import CLAIM_MODULES, all_claims, topic_of
from derivations.rendering.algorithm import BACKWARD_PASS
from derivations.rendering.outline import (
    NETWORK_TABLE,
    PARTS,
    ClaimTable,
    Part,
    TableSpec,
    arrange,
)
from impl.network import backward_into


def _proven(name: str) -> SimpleNamespace:
    return SimpleNamespace(claim=all_claims()[name])


def test_every_claim_module_is_in_exactly_one_part() -> None:
    topics = [topic for part in PARTS for topic in part.topics]
    assert len(topics) == len(set(topics))  # a topic, or a claim placed by name, once
    assert {module.__name__.rpartition(".")[2] for module in CLAIM_MODULES} <= set(topics)


def test_the_theorems_the_sources_invite_are_where_a_student_looks_for_them() -> None:
    part_of = {topic: part.key for part in PARTS for topic in part.topics}
    assert part_of["information"] == "information"  # CE = H + KL, Gibbs
    assert part_of["convexity"] == "convergence"  # not convex in the weights, no minimiser
    assert part_of["stability"] == "stability"  # stable sigmoid, softmax shift
    keys = [part.key for part in PARTS]
    assert keys.index("information") < keys.index("output")  # what the loss means, first
    assert keys.index("curvature") < keys.index("convergence")  # convex in z, then not in θ
    assert topic_of("loss_has_no_minimiser") == "convexity"
    assert topic_of("kl_divergence_gibbs") == "information"


def test_arrange_keeps_the_parts_order_and_tables_the_fixed_sizes() -> None:
    arranged = arrange([_proven(name) for name in all_claims()])
    assert [item.part.key for item in arranged] == [part.key for part in PARTS]
    output = next(item for item in arranged if item.part.key == "output")
    tables = [item for item in output.items if isinstance(item, ClaimTable)]
    assert len(tables) == 1 and len(tables[0].claims) == 10
    assert sum(len(item.names()) for item in arranged) == len(all_claims())


def test_the_network_claims_are_one_featured_derivation_and_one_table() -> None:
    arranged = arrange([_proven(name) for name in all_claims()])
    part = next(item for item in arranged if item.part.key == "network")
    assert part.part.title == "Backpropagation for a whole network"
    (table,) = [item for item in part.items if isinstance(item, ClaimTable)]
    networks = [name for name in all_claims() if name.startswith("network_")]
    assert [proven.claim.name for proven in table.claims] == networks
    assert table.featured is not None and table.featured.claim.name == NETWORK_TABLE.featured
    assert table.featured in table.claims
    assert [item for item in part.items if not isinstance(item, ClaimTable)] == []
    assert part.names().count(NETWORK_TABLE.featured) == 1


def test_claims_filed_elsewhere_for_the_proofs_are_read_with_the_output_layer() -> None:
    # bce_with_logits is proven beside the networks, softmax_sums_to_one beside the softmax
    # Jacobian; a reader looks for both with the output layer's losses and softmax
    arranged = arrange([_proven(name) for name in all_claims()])
    part_of = {name: item.part.key for item in arranged for name in item.names()}
    assert topic_of("bce_with_logits") == "network"
    assert topic_of("softmax_sums_to_one") == "softmax_curvature"
    assert part_of["bce_with_logits"] == part_of["softmax_sums_to_one"] == "output"
    output = next(item for item in arranged if item.part.key == "output").names()
    assert output.index("sigmoid_bce_delta") < output.index("bce_with_logits")
    assert output.index("softmax_sums_to_one") < output.index("softmax_ce_delta")
    assert sum(len(item.names()) for item in arranged) == len(all_claims())


def test_a_featured_claim_missing_from_its_table_is_refused() -> None:
    spec = TableSpec("network", "t", "", columns="network", prefix="network_", featured="nope")
    parts = (Part("network", "Networks", "", ("network",), tables=(spec,)),)
    with pytest.raises(ValueError, match="features 'nope'"):
        arrange([_proven("network_sigmoid_bce_1_hidden")], parts)


def test_a_claim_whose_topic_is_in_no_part_is_refused_with_the_fix() -> None:
    only_activations = (Part("a", "Activations", "", ("activations",)),)
    with pytest.raises(ValueError, match=r"softmax_ce are in no part.*outline\.py \(PARTS\)"):
        arrange([_proven("sigmoid_derivative"), _proven("softmax_ce_delta")], only_activations)


def test_a_new_part_slots_in_by_adding_it_to_the_list() -> None:
    parts = (*PARTS[:1], Part("extra", "Extra", "", ("quadratic",)))
    arranged = arrange([_proven("sigmoid_derivative"), _proven("quadratic_sigmoid_delta")], parts)
    assert [item.part.key for item in arranged] == ["activations", "extra"]
    assert topic_of("quadratic_sigmoid_delta") == "quadratic"


def _body_lines(function) -> list[str]:
    """The statements of ``function``'s body (no docstring, no blank lines), dedented."""
    source = textwrap.dedent(inspect.getsource(function))
    body = source.split('"""', 2)[2]  # after the docstring
    return [line.strip() for line in body.splitlines() if line.strip()]


def test_the_whole_algorithm_is_impls_backward_pass_line_by_line() -> None:
    assert [line.code for line in BACKWARD_PASS] == _body_lines(backward_into)


def test_every_line_that_computes_names_claims_that_exist() -> None:
    claims = all_claims()
    for line in BACKWARD_PASS:
        assert all(name in claims for name in line.claims), line.code
        if "matmul" in line.code or "*=" in line.code or "delta(" in line.code:
            assert line.claims, f"no proof named for {line.code}"
