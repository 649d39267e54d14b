"""The verification report: run every proof and every verdict on the sources, print a table.

This is ``verified-backprop verify`` and ``python -m derivations``: its options
(:func:`add_arguments`) and its run (:func:`run`) live here, on the symbolic side, so that
``python -m derivations`` needs nothing from :mod:`impl`; :mod:`impl.commands.verify` only
plugs them into the ``verified-backprop`` parser.

After the proofs and the verdicts on the sources' claims comes the census of the sources
(:mod:`derivations.sources.census`): every other statement of both documents, prose and tables
too, with a verdict of its kind.  Exit status 0 only if every claim of the project is proven
and every claim of the source documents and every census entry receives the verdict expected.
``--json PATH`` writes the same rows as JSON (keys ``claims``, ``source_claims``, ``census``).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import functools
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import sympy as sp

from derivations.catalog import UnknownClaimError, all_claims, get_claim
from derivations.kernel import sympy_speedup
from derivations.kernel.engine import PROVEN_RESTS_ON, Claim, ClaimResult, verify
from derivations.kernel.verdicts import Assessment, CheckedStatement, Verdict, assess
from derivations.sources.catalogue import beyond_sources, statements, symbols_of
from derivations.sources.census import CensusEntry, report_census
from derivations.sources.census import entries as census_entries
from derivations.sources.documents import DOCUMENTS, THIS_PROJECT, document_of


def claim_verdict(result: ClaimResult) -> Verdict:
    """Proven (no hypothesis), proven under assumption (stated hypotheses), or undecided."""
    if not result.proven:
        return Verdict.UNDECIDED
    return Verdict.PROVEN_UNDER_ASSUMPTION if result.claim.hypotheses else Verdict.PROVEN


def claim_row(result: ClaimResult) -> dict:
    claim = result.claim
    return {
        "claim": claim.name,
        "title": claim.title,
        "verdict": str(claim_verdict(result)),
        "assumptions": [hypothesis.text for hypothesis in claim.hypotheses],
        "premises": claim.premises,
        "sizes": claim.sizes,
        "steps": len(claim.steps),
        "domain": list(result.domain),
        "witness": result.witness,
        "seconds": round(result.seconds, 3),
        "witness_seconds": round(result.witness_seconds, 3),
        "failures": list(result.failures),
    }


def source_row(assessment: Assessment) -> dict:
    statement = assessment.statement
    document = document_of(statement.source)
    return {
        "claim": statement.key,
        "source": document.title,
        "section": statement.section,
        "wording": statement.wording,
        "verdict": str(assessment.verdict),
        "expected": str(statement.expected),
        "as_expected": assessment.as_expected,
        "detail": assessment.detail,
        "proof": statement.proof,
        "seconds": round(assessment.seconds, 3),
    }


def _format_row(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))


DESCRIPTION = (
    "Run every SymPy proof of the project and compute a verdict for every claim of the two "
    "source documents, “Deriving Backpropagation with Cross-Entropy Loss” and “Neural "
    "Networks: Core Concepts and Backpropagation Derivations”, then for every other statement "
    "of both documents (the census: prose, tables and code, each with a verdict of its kind)."
)
#: what "proven" rests on, shown by --help
EPILOG = PROVEN_RESTS_ON


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``verified-backprop verify`` (``--json``, ``--claim``, ``--list``)."""
    parser.add_argument(
        "--json",
        metavar="PATH",
        type=Path,
        help="also write the results as JSON to PATH ('-' for stdout)",
    )
    parser.add_argument(
        "--claim",
        action="append",
        default=[],
        metavar="NAME",
        help="verify only this claim (repeatable): a proof's name, a source claim's name or "
        "a census entry's name (as --list and the verdict tables print them)",
    )
    parser.add_argument(
        "--jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="verify the proofs in N processes (default: one per usable core); the results "
        "are the same, only the wall time changes",
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="list every name --claim accepts: the proofs, the source documents' claims and "
        "the census entries",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number of processes, not {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m derivations``: the same as ``verified-backprop verify``."""
    parser = argparse.ArgumentParser(
        prog="python -m derivations", description=DESCRIPTION, epilog=EPILOG
    )
    add_arguments(parser)
    return parser


def _cited_by() -> dict[str, list[str]]:
    """claim name -> the short titles of the source documents whose claims (or census
    entries) it proves or refutes."""
    cited: dict[str, list[str]] = {}
    for statement in statements():
        for name in statement.proof.split(", "):
            short = document_of(statement.source).short
            if short not in cited.setdefault(name, []):
                cited[name].append(short)
    for entry in census_entries():
        for name in entry.claims:
            short = document_of(entry.source).short
            if short not in cited.setdefault(name, []):
                cited[name].append(short)
    return cited


def _premise_marks(claim: Claim, premises: dict[str, int]) -> str:
    """`` [P1]`` for a claim resting on premise 1 (numbered in order of first use)."""
    marks = [f"P{premises.setdefault(text, len(premises) + 1)}" for text in claim.premises]
    return f" [{', '.join(dict.fromkeys(marks))}]" if marks else ""


def usable_cores() -> int:
    """The number of cores this process may run on (``taskset`` and containers included)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _verify_by_name(name: str) -> dict:
    """The row of the catalogue's claim ``name``, verified in a worker process."""
    sympy_speedup.install_unless_disabled()  # a spawned worker starts with SymPy's own
    return claim_row(verify(get_claim(name)))


def _cost(claim: Claim) -> int:
    """A rough size of the proof: definitions × steps × entries (a whole network is large)."""
    entries = len(claim.lhs) if isinstance(claim.lhs, sp.MatrixBase) else 1
    return (1 + len(claim.definitions)) * (1 + len(claim.steps)) * entries


def _ignore_interrupts() -> None:
    """A proof worker leaves Ctrl-C to the main process, which stops the workers itself (each
    worker would otherwise print its own traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back while worker processes are started (in the main thread): a process
    started with SIGINT blocked keeps it blocked, so no worker prints a traceback of its own
    when Ctrl-C reaches the whole process group, while this process gets a Ctrl-C pressed
    meanwhile as soon as they are started, and stops them (:func:`_stop_workers`)."""
    usable = hasattr(signal, "pthread_sigmask")
    if not usable or threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End a pool's proofs now: cancel what has not started and stop the running workers
    (``shutdown`` alone would wait for every running proof, minutes for the largest)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # CPython's pool
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()


def _verified(claims: Sequence[Claim], jobs: int) -> Iterator[tuple[Claim, dict]]:
    """Each claim with its row (:func:`claim_row`), as each proof finishes.

    With ``jobs > 1`` the catalogue's claims are proven in that many fresh worker processes
    (started with "spawn": nothing inherited, no threads forked), the largest first so that
    no long proof starts last, and each row is yielded the moment its proof is done (the
    caller restores the catalogue's order afterwards).  A worker builds the claim from the
    catalogue by its name, the same object as here, and sends back only its row (text and
    numbers).  Meanwhile this process proves the smallest claims itself, so that the first
    rows appear within seconds while the workers start and run the long proofs.
    """
    catalogue = all_claims()
    shared = [claim for claim in claims if catalogue.get(claim.name) is claim]
    if jobs <= 1 or len(shared) <= 1:
        for claim in claims:
            yield claim, claim_row(verify(claim))
        return
    by_name = {claim.name: claim for claim in claims}
    local = [claim for claim in claims if catalogue.get(claim.name) is not claim]
    context = multiprocessing.get_context("spawn")
    largest_first = sorted(shared, key=lambda claim: -_cost(claim))
    pool = None
    try:
        with _interrupts_held():  # the workers start with Ctrl-C blocked (their imports too)
            pool = ProcessPoolExecutor(
                max_workers=min(jobs, len(shared)),
                mp_context=context,
                initializer=_ignore_interrupts,
            )
            futures = {pool.submit(_verify_by_name, c.name): c.name for c in largest_first}
        pending = set(futures)
        # the smallest claims, proven here while the workers start: a claim proven here is
        # cancelled in the pool if no worker has taken it yet (else the first result counts)
        smallest = list(reversed(largest_first))
        done_names: set[str] = set()
        for claim in local:
            yield claim, claim_row(verify(claim))
        while pending:
            finished = {future for future in pending if future.done()}
            if not finished and smallest:
                claim = smallest.pop(0)
                future = next(f for f, name in futures.items() if name == claim.name)
                if future.cancel():  # no worker has taken it: prove it here
                    pending.discard(future)
                    done_names.add(claim.name)
                    yield claim, claim_row(verify(claim))
                continue
            if not finished:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                pending.discard(future)
                name = futures[future]
                if name in done_names:
                    continue
                done_names.add(name)
                try:
                    row = future.result()
                except Exception:  # a worker that died (memory, a signal): prove it here
                    row = claim_row(verify(by_name[name]))
                yield by_name[name], row
    except BaseException:
        if pool is not None:
            _stop_workers(pool)
        raise
    pool.shutdown(wait=True, cancel_futures=True)


def _report_claims(
    claims: Sequence[Claim],
    say: Callable[..., None],
    premises: dict[str, int],
    jobs: int = 1,
) -> list[dict]:
    cited = _cited_by()
    rows = []
    count = f"{len(claims)} claim{'s' if len(claims) != 1 else ''}"
    say(f"Proofs ({count}; every derivative computed by SymPy)")
    # the rows are printed as each proof finishes, so the widths and the premise numbers
    # come from the claims, known before any proof runs
    sizes = {claim.name: claim.sizes + _premise_marks(claim, premises) for claim in claims}
    sources = {claim.name: " + ".join(cited.get(claim.name, ())) or "-" for claim in claims}
    header = ("claim", "settles a claim of", "verdict", "sizes", "time")
    widths = (
        max([len(header[0]), *(len(claim.name) for claim in claims)]),
        max([len(header[1]), *map(len, sources.values())]),
        max([len(header[2]), *(len(str(verdict)) for verdict in Verdict)]),
        max([len(header[3]), *map(len, sizes.values())]),
        7,
    )
    say(_format_row(header, widths).rstrip())
    for claim, row in _verified(claims, jobs):
        rows.append(row)
        row["source"] = sources[claim.name]
        cells = (
            claim.name,
            sources[claim.name],
            row["verdict"],
            sizes[claim.name],
            f"{row['seconds']:5.2f}s",
        )
        say(_format_row(cells, widths).rstrip())
        for failure in row["failures"]:
            say(f"    FAILED: {failure}")
    order = {claim.name: position for position, claim in enumerate(claims)}
    rows.sort(key=lambda row: order[row["claim"]])  # the catalogue's order, as --list
    for text, number in premises.items():
        say(f"  [P{number}] {text}")
    resting = [row["claim"] for row in rows if row["premises"]]
    if resting:
        free = len(rows) - len(resting)
        say(
            f"  {len(resting)} claim{'s' if len(resting) != 1 else ''} rest on a premise "
            f"(marked [P…]); the other {free} rest on none."
        )
    if any(claim.name in cited for claim in claims):
        titles = "; ".join(f"{d.short} = “{d.title}”" for d in DOCUMENTS)
        say(f"  Sources: {titles}.")
    proofs = sum(row["seconds"] for row in rows)
    witnessed = sum(row["witness_seconds"] for row in rows)
    say(
        f"  The independent witness took {witnessed:.1f} s of the {proofs:.1f} s of proofs "
        "(explicit expressions at sizes 1..3 and one larger size, 60-digit points)."
    )
    return rows


def _report_statements(
    heading: str,
    group: Sequence[CheckedStatement],
    say: Callable[..., None],
    premises: dict[str, int],
) -> list[dict]:
    """One row per statement, under the title of its document; each verdict reads alone:
    what the document claims (in our notation), then why the verdict is what it is."""
    rows = []
    say(f"\n{heading} ({len(group)}; verdicts computed, not typed in)")
    header = ("claim", "verdict", "sizes", "time")
    proofs = [all_claims()[statement.proof.split(", ")[0]] for statement in group]
    widths = (
        max([len(header[0]), *(len(statement.key) for statement in group)]),
        max([len(header[1]), *(len(str(verdict)) for verdict in Verdict)]),
        max([len(header[2]), *(len(p.sizes + _premise_marks(p, premises)) for p in proofs)]),
        7,
    )
    say(_format_row(header, widths).rstrip())
    document = None
    for statement in group:
        if document_of(statement.source) is not document:
            document = document_of(statement.source)
            if document is not THIS_PROJECT:
                say(f"From {document.cite()}:")
        assessment = assess(statement)
        row = source_row(assessment)
        rows.append(row)
        proof = all_claims()[statement.proof.split(", ")[0]]
        sizes = proof.sizes + _premise_marks(proof, premises)
        row["sizes"] = sizes
        cells = (statement.key, row["verdict"], sizes, f"{assessment.seconds:5.2f}s")
        say(_format_row(cells, widths).rstrip())
        where = f"section “{statement.section}”" if document is not THIS_PROJECT else ""
        say(f"    {where + ': ' if where else ''}{statement.wording}")
        if not assessment.as_expected:
            say(f"    UNEXPECTED: expected {statement.expected}: {assessment.detail}")
        elif assessment.verdict != Verdict.PROVEN:
            say(f"    {assessment.verdict}: {assessment.detail}")
        else:
            say(f"    proven by {statement.proof}")
        if symbols_of(statement.key):
            say(f"    where {symbols_of(statement.key)}")
    return rows


def _statements_by_key() -> dict[str, CheckedStatement]:
    return {statement.key: statement for statement in statements() + beyond_sources()}


def _census_by_key() -> dict[str, CensusEntry]:
    """The census entries that are not also claims of the catalogue (those share a key)."""
    keyed = _statements_by_key()
    return {entry.key: entry for entry in census_entries() if entry.key not in keyed}


def json_destination_problem(path: Path) -> str | None:
    """Why ``--json PATH`` cannot be written (None: it can), found before any proof runs: a
    folder, a missing folder, or one where no file can be created (tried with a nameless
    temporary file, since ``os.access`` says yes to root even for ``/proc``)."""
    if path.is_dir():
        return f"--json {path} is a folder, not a file"
    folder = path.absolute().parent
    if not folder.is_dir():
        what = "is a file" if folder.exists() else "does not exist"
        return f"--json {path} cannot be written: the folder {folder} {what}"
    if path.exists() and not os.access(path, os.W_OK):
        return f"--json {path} cannot be written: you cannot write to that file"
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        return f"--json {path} cannot be written: the folder {folder} refuses new files ({reason})"
    return None


def select_claims(
    names: Sequence[str],
) -> tuple[list[Claim], list[CheckedStatement], list[CensusEntry]]:
    """The proofs, source claims and census entries that ``--claim`` names (a source claim's
    name also selects the census entry of the same name, which quotes it in its prose);
    UnknownClaimError if a name is none of them."""
    keyed = _statements_by_key()
    census = _census_by_key()
    shared = {entry.key: entry for entry in census_entries() if entry.key in keyed}
    claims, chosen, entries = [], [], []
    for name in names:
        if name in keyed:
            chosen.append(keyed[name])
            if name in shared:  # the census entry of the same name (the claim in its prose)
                entries.append(shared[name])
            continue
        if name in census:
            entries.append(census[name])
            continue
        try:
            claims.append(get_claim(name))
        except UnknownClaimError:
            known = [*all_claims(), *keyed, *census]
            close = [known_name for known_name in known if known_name.startswith(name)][:3]
            close = close or difflib.get_close_matches(name, known, n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise UnknownClaimError(
                f"unknown claim {name!r}.{hint} 'verified-backprop verify --list' lists every name."
            ) from None
    return claims, chosen, entries


def _print_list() -> None:
    print("Proofs:")
    for name, claim in all_claims().items():
        print(f"  {name:<32} {claim.title}")
    for document in (*DOCUMENTS, THIS_PROJECT):
        group = [s for s in statements() + beyond_sources() if document_of(s.source) is document]
        if document is THIS_PROJECT:
            print("\nCounterexamples of this project (a hypothesis dropped):")
        else:
            print(f"\nClaims of {document.cite()}:")
        for statement in group:
            print(f"  {statement.key:<32} {statement.wording}")
    census = _census_by_key()
    for document in DOCUMENTS:
        print(f"\nThe census of {document.cite()} (every other statement):")
        for entry in census.values():
            if document_of(entry.source) is document:
                print(f"  {entry.key:<32} {_one_line(entry.reading)}")


def _one_line(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    """``python -m derivations [options]``; returns the exit status."""
    sympy_speedup.install_unless_disabled()
    return run(build_parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Run the verification with the options of :func:`add_arguments`; returns the exit status."""
    if args.list:
        _print_list()
        return 0
    try:
        claims, chosen, census = select_claims(args.claim)
        if not args.claim:
            claims = list(all_claims().values())
    except UnknownClaimError as error:
        print(f"verified-backprop verify: {error}", file=sys.stderr)
        return 2

    if args.json is not None and str(args.json) != "-":
        problem = json_destination_problem(args.json)
        if problem is not None:  # before the proofs: a usage error, found at once
            print(f"verified-backprop verify: {problem}", file=sys.stderr)
            return 2

    started = time.perf_counter()
    # with "--json -" the table goes to stderr so that stdout is pure JSON
    to_stdout = args.json is not None and str(args.json) == "-"
    say = functools.partial(print, file=sys.stderr if to_stdout else sys.stdout, flush=True)

    premises: dict[str, int] = {}  # premise text -> its number, in order of first use
    jobs = usable_cores() if args.jobs is None else args.jobs
    claim_rows = _report_claims(claims, say, premises, jobs) if claims else []
    source_rows: list[dict] = []
    own = [s for s in chosen if document_of(s.source) is THIS_PROJECT]
    if not args.claim or len(own) < len(chosen):
        group = statements() if not args.claim else [s for s in chosen if s not in own]
        source_rows += _report_statements("Claims of the source documents", group, say, premises)
    if not args.claim or own:
        source_rows += _report_statements(
            "Counterexamples beyond the sources",
            beyond_sources() if not args.claim else own,
            say,
            premises,
        )
    census_rows: list[dict] = []
    if not args.claim or census:
        census_rows = report_census(
            say, claim_rows, source_rows, only=census if args.claim else None
        )

    elapsed = time.perf_counter() - started
    unproven = [row["claim"] for row in claim_rows if row["failures"]]
    unexpected = [row["claim"] for row in source_rows if not row["as_expected"]]
    unexpected_census = [row["entry"] for row in census_rows if not row["as_expected"]]
    ok = not unproven and not unexpected and not unexpected_census
    parts = []
    if claim_rows:
        parts.append(f"{len(claim_rows) - len(unproven)}/{len(claim_rows)} claims proven")
    if source_rows:
        parts.append(
            f"{len(source_rows) - len(unexpected)}/{len(source_rows)} verdicts on the "
            "sources' claims as expected"
        )
    if census_rows:
        parts.append(
            f"{len(census_rows) - len(unexpected_census)}/{len(census_rows)} census verdicts "
            "as expected"
        )
    processes = f" on {jobs} processes" if claims and jobs > 1 and len(claims) > 1 else ""
    say(f"\n{', '.join(parts)}, in {elapsed:.1f} s{processes}. {'OK' if ok else 'FAILED'}")

    if args.json is not None:
        report = {
            "ok": ok,
            "seconds": round(elapsed, 3),
            "claims": claim_rows,
            "source_claims": source_rows,
            "census": census_rows,
        }
        text = json.dumps(report, indent=2, ensure_ascii=False)
        if to_stdout:
            print(text)
        else:
            try:
                args.json.write_text(text + "\n", encoding="utf-8")
            except OSError as error:  # the same usage error as the check above, found late
                reason = error.strerror or str(error)
                print(
                    f"verified-backprop verify: --json {args.json} cannot be written: {reason}",
                    file=sys.stderr,
                )
                return 2
    return 0 if ok else 1
