"""The main command: ``verified-backprop verify`` and ``python -m derivations``."""

from __future__ import annotations

import json
import subprocess
import sys

from derivations.report import main as verify_main
from impl.commands import main as cli_main


def test_verify_all_claims_exits_zero_and_writes_json(tmp_path, capsys) -> None:
    report_path = tmp_path / "report.json"
    assert verify_main(["--json", str(report_path)]) == 0
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["ok"] is True
    names = {row["claim"] for row in report["claims"]}
    assert {
        "softmax_ce_delta",
        "sigmoid_bce_delta",
        "layer_recursion",
        "batch_weight_gradient",
        "softmax_ce_hessian_psd",
    } <= names
    verdicts = {row["claim"]: row["verdict"] for row in report["seed_claims"]}
    assert verdicts["001-relu-derivative"] == "refuted"
    assert verdicts["000-code-output-delta"] == "refuted"
    out = capsys.readouterr().out
    assert "seed verdicts as expected" in out and out.rstrip().endswith("OK")


def test_verify_one_claim_by_name(capsys) -> None:
    assert cli_main(["verify", "--claim", "sigmoid_derivative"]) == 0
    assert "sigmoid_derivative" in capsys.readouterr().out


def test_unknown_claim_is_a_clear_error_not_a_traceback(capsys) -> None:
    assert cli_main(["verify", "--claim", "softmax_delta"]) == 2
    err = capsys.readouterr().err
    assert "unknown claim 'softmax_delta'" in err and "Did you mean" in err


def test_unknown_subcommand_is_a_clear_error(capsys) -> None:
    assert cli_main(["prove-everything"]) == 2
    assert "unknown command 'prove-everything'" in capsys.readouterr().err


def test_python_dash_m_derivations_lists_claims() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "derivations", "--list"], check=True, capture_output=True, text=True
    )
    assert "softmax_ce_delta" in done.stdout


def test_unwritable_json_path_is_refused_before_the_proofs_run(capsys) -> None:
    assert verify_main(["--json", "/nonexistent-folder/report.json"]) == 2
    assert "is not a writable folder" in capsys.readouterr().err


def test_claims_resting_on_the_chain_rule_premise_say_so(capsys) -> None:
    assert verify_main(["--claim", "layer_recursion", "--claim", "batch_weight_gradient"]) == 0
    out = capsys.readouterr().out
    assert "[P1]" in out and "[P2]" in out and "first-order form" in out
