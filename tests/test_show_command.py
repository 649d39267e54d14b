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
    assert "refuted: at z = 2: true value 1, claimed 2" in out
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


def test_show_prints_a_whole_network_row_by_row_from_the_output_layer_down(capsys) -> None:
    assert cli_main(["show", "network_sigmoid_bce_1_hidden"]) == 0
    out = capsys.readouterr().out
    statement = out[out.index("\nStatement\n") : out.index("\nDerivation, row by row")]
    derivation = out[out.index("\nDerivation, row by row") : out.index("\nSteps\n")]
    assert "⎡" not in out and "⎣" not in out  # no column matrix: one equation per row
    # the output layer's rows first, layer 1's last: each parameter's row once in each part
    for part in (statement, derivation):
        assert (
            part.index("dW^2[r_2, s_2]")
            < part.index("db^2[r_2]")
            < part.index("dW^1[r_1, s_1]")
            < part.index("db^1[r_1]")
        )
    # a row is shown after each step that changes it, numbered by the step, and ends at
    # its own layer's delta: layer 2's rows need step 1 only, layer 1's steps 1 and 2
    layer_2, layer_1 = derivation.split("dW^1[r_1, s_1]")
    assert "(1)" in layer_2 and "(2)" not in layer_2
    assert "(1)" in layer_1 and "(2)" in layer_1 and "delta^1[r_1]" in layer_1
    assert "(1) chain rule through the whole network" in out
    assert "(2) definition of δ^1" in out
