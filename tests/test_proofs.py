"""Every claim of the suite is proven, and every seed claim gets the verdict we expect."""

from __future__ import annotations

import pytest
from proof_cache import SHARED, assessed, verified

from derivations.claims import all_claims
from derivations.kernel.verdicts import Verdict
from derivations.sources.catalogue import beyond_sources, statements

pytestmark = SHARED  # the proofs, shared with the documents and verify tests

CLAIMS = all_claims()
SEED_STATEMENTS = {statement.key: statement for statement in statements()}
BEYOND_SOURCES = {statement.key: statement for statement in beyond_sources()}


@pytest.mark.parametrize("name", list(CLAIMS))
def test_claim_is_proven_by_sympy(name: str, record_property) -> None:
    result = verified(CLAIMS[name])
    assert result.proven, result.failures
    assert all(step.ok for step in result.steps)
    verdict = "under a hypothesis" if result.claim.hypotheses else "with no hypothesis"
    record_property("verified", ("claim", name, verdict))


@pytest.mark.parametrize("key", list(SEED_STATEMENTS))
def test_source_claim_gets_the_expected_verdict(key: str, record_property) -> None:
    assessment = assessed(SEED_STATEMENTS[key])
    assert assessment.verdict == SEED_STATEMENTS[key].expected, assessment.detail
    record_property("verified", ("source", key, str(assessment.verdict)))


@pytest.mark.parametrize("key", list(BEYOND_SOURCES))
def test_dropping_a_hypothesis_is_refuted_by_a_counterexample(key: str, record_property) -> None:
    assessment = assessed(BEYOND_SOURCES[key])
    assert assessment.verdict == Verdict.REFUTED, assessment.detail
    assert assessment.truth_value != assessment.claimed_value
    record_property("verified", ("beyond", key, "refuted"))


def test_source_catalogue_covers_the_required_refutations_and_conditions() -> None:
    expected = {key: statement.expected for key, statement in SEED_STATEMENTS.items()}
    assert expected["001-relu-derivative"] == Verdict.REFUTED
    assert expected["000-code-output-delta"] == Verdict.REFUTED
    assert expected["000-same-delta"] == Verdict.PROVEN_UNDER_ASSUMPTION
    assert expected["000-softmax-delta"] == Verdict.PROVEN_UNDER_ASSUMPTION
    assert {statement.source for statement in SEED_STATEMENTS.values()} == {
        "000_435a14ef32276ca9.txt",
        "001_340bb29d14a240f1.txt",
    }


def test_every_source_claim_names_an_existing_proof() -> None:
    for statement in SEED_STATEMENTS.values():
        for name in statement.proof.split(", "):
            assert name in CLAIMS, f"{statement.key} names unknown proof {name!r}"


def test_source_claims_are_quoted_verbatim_from_the_source_documents(source_documents) -> None:
    """Every quote of a source claim is in its document (see VERIFIED_BACKPROP_SOURCES)."""
    texts = {
        "000_435a14ef32276ca9.txt": (source_documents / "000_435a14ef32276ca9.utf8.txt").read_text(
            encoding="utf-8"
        ),
        "001_340bb29d14a240f1.txt": (source_documents / "001_340bb29d14a240f1.txt").read_text(
            encoding="utf-8"
        ),
    }
    for statement in SEED_STATEMENTS.values():
        assert statement.quote in texts[statement.source], statement.key
