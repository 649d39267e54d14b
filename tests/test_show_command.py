"""``verified-backprop show NAME``: one derivation, or one source claim's verdict, in Unicode."""

from __future__ import annotations

from impl.commands import main as cli_main


def test_show_prints_each_step_with_its_justification_in_unicode(capsys) -> None:
    assert cli_main(["show", "softmax_ce_delta"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("softmax_ce_delta: Softmax cross-entropy")
    for number, why in enumerate(
        ("chain rule through the logarithm", "softmax Jacobian", "sum the", "substitute"), 1
    ):
        assert f"({number}) {why}" in out
    assert "(5)" not in out
    assert "╲" in out and "─" in out  # drawn by SymPy's pretty printer, not LaTeX source
    assert "\\frac" not in out and "Verdict: proven under assumption" in out


def test_show_a_source_claim_gives_the_document_the_reading_and_the_counterexample(
    capsys,
) -> None:
    assert cli_main(["show", "001-relu-derivative"]) == 0
    out = capsys.readouterr().out
    assert "“Neural Networks: Core Concepts and Backpropagation Derivations”" in out
    assert "Our reading: g′(z) = z if z > 0, 0 otherwise" in out
    assert "refuted: at x = 2: true value 1, claimed 2" in out
    assert "seed" not in out.lower()


def test_show_an_unknown_name_is_a_usage_error(capsys) -> None:
    assert cli_main(["show", "softmax_delta"]) == 2
    assert "unknown claim 'softmax_delta'" in capsys.readouterr().err


def test_show_a_census_entry_gives_the_document_the_verdict_and_the_evidence(capsys) -> None:
    assert cli_main(["show", "000-converges-to-minimiser"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("000-converges-to-minimiser: refuted")
    assert "“Deriving Backpropagation with Cross-Entropy Loss”, section “Training Example”" in out
    assert "loss_has_no_minimiser" in out and "Correct statement:" in out
    assert "seed" not in out.lower()
    assert cli_main(["show", "000-network-class"]) == 0
    assert "Verdict: definition: " in capsys.readouterr().out
