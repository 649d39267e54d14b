"""The main command: ``verified-backprop verify`` and ``python -m derivations``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import metadata

import pytest
from proof_cache import SHARED, share_results

from derivations import report as report_module
from derivations import verification
from derivations.__main__ import main as verify_main
from derivations.claims import get_claim
from impl.commands import main as cli_main

pytestmark = SHARED  # every proof, shared with test_proofs.py and the documents


def test_verify_all_claims_exits_zero_and_writes_json(tmp_path, capsys, monkeypatch) -> None:
    """The whole report, in one process, with the proofs shared with tests/test_proofs.py
    (--jobs N is tested on two claims below)."""
    share_results(monkeypatch)
    report_path = tmp_path / "report.json"
    assert verify_main(["--jobs", "1", "--json", str(report_path)]) == 0
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
    verdicts = {row["claim"]: row["verdict"] for row in report["source_claims"]}
    assert verdicts["001-relu-derivative"] == "refuted"
    assert verdicts["000-code-output-delta"] == "refuted"
    census = {row["entry"]: row for row in report["census"]}
    assert len(census) > 90 and all(row["as_expected"] for row in census.values())
    assert census["000-converges-to-minimiser"]["verdict"] == "refuted"
    assert census["000-aligns-distributions"]["verdict"] == "proven under assumption"
    assert census["000-one-hot"]["source"] == DERIVING
    out = capsys.readouterr().out
    assert "verdicts on the sources' claims as expected" in out and out.rstrip().endswith("OK")
    summary = out.rstrip().splitlines()[-1]
    assert f"{len(census)}/{len(census)} census verdicts as expected" in summary
    assert "Census of the sources" in out and "000-converges-to-minimiser" in out
    assert_sources_named_by_title(out)
    # the whole-network theorems: proven from the loss itself, with no premise, and the
    # verdicts on the layer recursion and the layer gradients cite one as their proof
    network = {row["claim"]: row for row in report["claims"] if row["claim"].startswith("network")}
    for depth in (1, 2, 3):
        assert network[f"network_sigmoid_bce_{depth}_hidden"]["verdict"] == "proven"
        softmax = network[f"network_softmax_ce_{depth}_hidden"]
        assert softmax["verdict"] == "proven under assumption"
    assert len(network) >= 6 and all(row["premises"] == [] for row in network.values())
    proofs = {row["claim"]: row["proof"] for row in report["source_claims"]}
    cited = ("000-layer-recursion", "000-weight-gradient", "000-bias-gradient", "001-dW", "001-db")
    for key in cited:
        assert proofs[key].split(", ")[0] in network, key
    assert network["network_batch_sigmoid_bce_1_hidden"]["premises"] == []
    assert "rest on a premise (marked [P…]); the other" in out


DERIVING = "Deriving Backpropagation with Cross-Entropy Loss"
CORE = "Neural Networks: Core Concepts and Backpropagation Derivations"


def assert_sources_named_by_title(out: str) -> None:
    """The output names both documents by title and never by a file, number or "seed"."""
    assert f"“{DERIVING}”" in out and f"“{CORE}”" in out
    lowered = out.lower()
    for word in ("seed", "suite", "shared/", "000_435a14ef", "001_340bb29d"):
        assert word not in lowered, word


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
    assert "[P1] Induction step; rests on the chain rule" in out


def test_verify_in_two_processes_gives_the_same_rows_as_in_one(tmp_path) -> None:
    names = ["--claim", "sigmoid_derivative", "--claim", "tanh_derivative"]
    rows = {}
    for jobs in ("1", "2"):
        path = tmp_path / f"jobs{jobs}.json"
        assert verify_main([*names, "--jobs", jobs, "--json", str(path)]) == 0
        report = json.loads(path.read_text(encoding="utf-8"))
        rows[jobs] = [
            {key: value for key, value in row.items() if not key.endswith("seconds")}
            for row in report["claims"]
        ]
    assert rows["1"] == rows["2"] and [row["claim"] for row in rows["2"]] == names[1::2]


def test_a_number_of_processes_below_one_is_refused_with_its_reason(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        verify_main(["--jobs", "0"])
    assert stop.value.code == 2
    assert "--jobs: must be at least 1, not 0" in capsys.readouterr().err


def test_verify_names_the_sources_by_title_and_each_verdict_reads_alone(capsys) -> None:
    names = ["001-relu-derivative", "000-code-output-delta", "relu_derivative"]
    assert verify_main([arg for name in names for arg in ("--claim", name)]) == 0
    out = capsys.readouterr().out
    assert_sources_named_by_title(out)
    # what the document claims, where, and why the verdict: no need to open the file
    assert "section “1.B activation table, ReLU row”: g′(z) = z if z > 0, 0 otherwise" in out
    assert "refuted: at z = 2: true value 1, claimed 2" in out
    assert re.search(r"\nrelu_derivative +Core Concepts ", out)


def test_claim_accepts_the_names_the_verdict_table_prints(capsys) -> None:
    assert verify_main(["--claim", "001-relu-derivative"]) == 0
    out = capsys.readouterr().out
    assert "001-relu-derivative" in out and "refuted" in out
    assert "1/1 verdicts on the sources' claims as expected" in out
    assert "claims proven" not in out  # no proof was asked for


def test_list_includes_the_source_documents_claims(capsys) -> None:
    assert verify_main(["--list"]) == 0
    out = capsys.readouterr().out
    for name in ("softmax_ce_delta", "000-code-output-delta", "001-db", "softmax-delta-multi-hot"):
        assert name in out
    assert f"Claims of “{DERIVING}”" in out and f"Claims of “{CORE}”" in out


def test_unknown_claim_suggests_names_that_start_alike(capsys) -> None:
    assert verify_main(["--claim", "000-code"]) == 2
    # the source claim, then the census entry that starts alike
    err = capsys.readouterr().err
    assert "Did you mean 000-code-output-delta, 000-code-gradients?" in err


def test_python_dash_m_derivations_help_names_itself() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "derivations", "--help"], check=True, capture_output=True, text=True
    )
    assert done.stdout.startswith("usage: python -m derivations")


def test_version_prints_the_installed_version(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli_main(["--version"])
    assert exit_.value.code == 0
    expected = f"verified-backprop {metadata.version('verified-backprop')}"
    assert capsys.readouterr().out.strip() == expected


def test_verify_one_census_entry_by_name_and_list_names_it(capsys) -> None:
    assert cli_main(["verify", "--claim", "000-sigmoid-code-float64"]) == 0
    out = capsys.readouterr().out
    assert "000-sigmoid-code-float64" in out and "refuted" in out and "z = -710" in out
    assert "1/1 census verdicts as expected" in out
    assert_sources_named_by_title(out)
    assert cli_main(["verify", "--list"]) == 0
    listed = capsys.readouterr().out
    assert "The census of “Deriving Backpropagation with Cross-Entropy Loss”" in listed
    assert "000-converges-to-minimiser" in listed


@pytest.mark.parametrize(
    "command",
    [["-m", "impl.commands", "verify", "--list"], ["-m", "derivations", "--list"]],
)
def test_a_reader_that_goes_away_ends_the_listing_quietly(command) -> None:
    """``verified-backprop verify --list | head -1``: no BrokenPipeError traceback, and the
    status of a process stopped by SIGPIPE (128 + 13). The reader here closes the pipe
    before the command can write (it is still importing), so every write meets it."""
    process = subprocess.Popen(
        [sys.executable, *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert process.returncode == 141


def test_verify_prints_a_row_as_each_proof_finishes_not_all_at_the_end(tmp_path) -> None:
    """With worker processes, this process proves the smallest claims itself while the
    workers start on the largest, and prints each row the moment its proof is done; the
    JSON keeps the order of the catalogue."""
    large = ["network_sigmoid_bce_1_hidden", "network_softmax_ce_1_hidden"]
    small = ["sigmoid_derivative", "tanh_derivative", "relu_derivative"]
    names = [*small, *large]
    printed: list[str] = []
    claims = [get_claim(name) for name in names]
    results = report_module._print_claims(
        claims, verification.verified(claims, jobs=2), lambda line="": printed.append(line), {}
    )
    table = [line.split()[0] for line in printed[2:] if line.split() and line.split()[0] in names]
    assert sorted(table) == sorted(names)
    assert table[0] in small  # the first row came before the long proofs were done
    assert [result.claim.name for result in results] == names  # the claims' order, for the JSON


def test_the_verdict_tables_are_as_wide_as_their_longest_rows(capsys) -> None:
    names = ["network_softmax_ce_3_hidden", "sigmoid_derivative", "001-dW", "001-relu-derivative"]
    options = [arg for name in names for arg in ("--claim", name)]
    assert verify_main([*options, "--jobs", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for header_start in ("claim ", "entry "):
        for position, line in enumerate(lines):
            if not line.startswith(header_start):
                continue
            header = line
            column = header.index("verdict")
            table = []
            for row in lines[position + 1 :]:
                if not row or row.startswith(("    ", "  ", "From ", "\n")):
                    if table:
                        break
                    continue
                table.append(row)
            assert table, header
            for row in table:
                assert row[column - 2 : column] == "  " and row[column] != " ", (header, row)


def test_a_source_claims_name_also_runs_the_census_entry_of_the_same_name(capsys) -> None:
    assert verify_main(["--claim", "000-softmax-delta"]) == 0
    out = capsys.readouterr().out
    assert "1/1 verdicts on the sources' claims as expected" in out
    assert "1/1 census verdicts as expected" in out


def test_a_verdict_says_what_its_letters_mean(capsys) -> None:
    assert cli_main(["show", "001-dW"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "u, v: the row and column of the entry of dW^[l] checked" in out
    assert "dZ^{[l]}: the document's dZ^[l]" in out and "m: the batch size" in out
