"""The verification report: the terminal tables, the summary line and the JSON of a ``verify`` run.

:func:`verify_and_print` is ``verified-backprop verify`` (and ``python -m derivations``) once
the command has read its options: it asks the runner (:mod:`derivations.verification`) for
the proofs, the verdicts on the sources' claims and the census, prints each row as its
result comes (a proof's row the moment the proof finishes), then the summary line, and
writes the same rows as JSON (keys ``claims``, ``source_claims``, ``census``).  It returns
True only if every claim of the project is proven and every claim of the source documents
and every census entry receives the verdict expected.  :func:`print_list` prints every name
``--claim`` accepts.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from derivations import verification
from derivations.claims import all_claims
from derivations.host import json_text, write_json
from derivations.kernel.language import Claim, ClaimResult
from derivations.kernel.verdicts import Assessment, CheckedStatement, Verdict
from derivations.sources.catalogue import beyond_sources, statements, symbols_of
from derivations.sources.census import CensusVerdict, entries
from derivations.sources.census.judging import claim_verdict
from derivations.sources.documents import (
    CORE_CONCEPTS,
    DERIVING_BACKPROPAGATION,
    DOCUMENTS,
    THIS_PROJECT,
    document_of,
)

__all__ = [
    "census_row",
    "claim_row",
    "print_list",
    "source_row",
    "verify_and_print",
]

Say = Callable[..., None]


# ------------------------------------------------------------------ JSON rows


def claim_row(result: ClaimResult) -> dict:
    """A proof's row of the JSON report."""
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
    """A source claim's row of the JSON report."""
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


def census_row(verdict: CensusVerdict) -> dict:
    """A census entry's row of the JSON report."""
    entry = verdict.entry
    return {
        "entry": entry.key,
        "source": document_of(entry.source).title,
        "section": entry.section,
        "quote": entry.quote,
        "reading": entry.reading,
        "kind": str(entry.kind),
        "verdict": str(verdict.verdict),
        "expected": str(entry.expected) if entry.expected else str(entry.kind),
        "as_expected": verdict.as_expected,
        "basis": list(entry.basis),
        "detail": verdict.detail,
        "correction": entry.correction,
        "seconds": round(verdict.seconds, 3),
    }


# ------------------------------------------------------------------ the run


def verify_and_print(
    names: Sequence[str] = (), jobs: int = 1, json_to: Path | str | None = None
) -> bool:
    """Verify what ``names`` name (everything when empty) with ``jobs`` processes for the
    proofs, print the tables as the results come, then the summary line; write the JSON
    report to ``json_to`` (``-``: standard output, the tables then go to standard error).
    True if every verdict is the one expected.  Raises UnknownClaimError for a name that is
    none of the project's, before anything runs, and OSError if the JSON cannot be written."""
    selection = verification.select(names)
    started = time.perf_counter()
    to_stdout = json_to is not None and str(json_to) == "-"
    say = functools.partial(print, file=sys.stderr if to_stdout else sys.stdout, flush=True)

    premises: dict[str, int] = {}  # premise text -> its number, in order of first use
    claims = selection.claims
    results = _print_claims(claims, verification.verified(claims, jobs), say, premises)
    assessments: list[Assessment] = []
    own = [s for s in selection.statements if document_of(s.source) is THIS_PROJECT]
    theirs = [s for s in selection.statements if s not in own]
    if selection.everything or theirs:
        group = statements() if selection.everything else theirs
        assessments += _print_statements("Claims of the source documents", group, say, premises)
    if selection.everything or own:
        group = beyond_sources() if selection.everything else own
        assessments += _print_statements("Counterexamples beyond the sources", group, say, premises)
    census: list[CensusVerdict] = []
    if selection.census:
        census = verification.judge_census(
            selection.census,
            claims={result.claim.name: result for result in results},
            statements={assessment.statement.key: assessment for assessment in assessments},
        )
        _print_census(census, say)

    elapsed = time.perf_counter() - started
    unproven = [result for result in results if result.failures]
    unexpected = [assessment for assessment in assessments if not assessment.as_expected]
    unexpected_census = [verdict for verdict in census if not verdict.as_expected]
    ok = not unproven and not unexpected and not unexpected_census
    parts = []
    if results:
        parts.append(f"{len(results) - len(unproven)}/{len(results)} claims proven")
    if assessments:
        parts.append(
            f"{len(assessments) - len(unexpected)}/{len(assessments)} verdicts on the "
            "sources' claims as expected"
        )
    if census:
        parts.append(
            f"{len(census) - len(unexpected_census)}/{len(census)} census verdicts as expected"
        )
    processes = f" on {jobs} processes" if claims and jobs > 1 and len(claims) > 1 else ""
    say(f"\n{', '.join(parts)}, in {elapsed:.1f} s{processes}. {'OK' if ok else 'FAILED'}")

    if json_to is not None:
        cited = _cited_by()
        claim_rows = [
            {**claim_row(result), "source": _settles(result.claim, cited)} for result in results
        ]
        source_rows = [
            {**source_row(assessment), "sizes": _sizes(_proof_of(assessment.statement), premises)}
            for assessment in assessments
        ]
        report = {
            "ok": ok,
            "seconds": round(elapsed, 3),
            "claims": claim_rows,
            "source_claims": source_rows,
            "census": [census_row(verdict) for verdict in census],
        }
        if to_stdout:
            print(json_text(report), end="")
        else:
            write_json(report, json_to)
    return ok


# ------------------------------------------------------------------ the tables


def _format_row(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))


def _cited_by() -> dict[str, list[str]]:
    """claim name -> the short titles of the source documents whose claims (or census
    entries) it proves or refutes."""
    cited: dict[str, list[str]] = {}
    for statement in statements():
        for name in statement.proof.split(", "):
            short = document_of(statement.source).short
            if short not in cited.setdefault(name, []):
                cited[name].append(short)
    for entry in entries():
        for name in entry.claims:
            short = document_of(entry.source).short
            if short not in cited.setdefault(name, []):
                cited[name].append(short)
    return cited


def _settles(claim: Claim, cited: dict[str, list[str]]) -> str:
    """The "settles a claim of" cell: the documents whose claims the proof decides, or -."""
    return " + ".join(cited.get(claim.name, ())) or "-"


def _premise_marks(claim: Claim, premises: dict[str, int]) -> str:
    """`` [P1]`` for a claim resting on premise 1 (numbered in order of first use)."""
    marks = [f"P{premises.setdefault(text, len(premises) + 1)}" for text in claim.premises]
    return f" [{', '.join(dict.fromkeys(marks))}]" if marks else ""


def _sizes(claim: Claim, premises: dict[str, int]) -> str:
    return claim.sizes + _premise_marks(claim, premises)


def _proof_of(statement: CheckedStatement) -> Claim:
    """The (first) proof that decides a source claim."""
    return all_claims()[statement.proof.split(", ")[0]]


def _print_claims(
    claims: Sequence[Claim],
    results: Iterable[ClaimResult],
    say: Say,
    premises: dict[str, int],
) -> list[ClaimResult]:
    """The proofs' table, a row as each result comes; the results in the claims' order."""
    if not claims:
        return []
    cited = _cited_by()
    done = []
    count = f"{len(claims)} claim{'s' if len(claims) != 1 else ''}"
    say(f"Proofs ({count}; every derivative computed by SymPy)")
    # the rows are printed as each proof finishes, so the widths and the premise numbers
    # come from the claims, known before any proof runs
    sizes = {claim.name: _sizes(claim, premises) for claim in claims}
    sources = {claim.name: _settles(claim, cited) for claim in claims}
    header = ("claim", "settles a claim of", "verdict", "sizes", "time")
    widths = (
        max([len(header[0]), *(len(claim.name) for claim in claims)]),
        max([len(header[1]), *map(len, sources.values())]),
        max([len(header[2]), *(len(str(verdict)) for verdict in Verdict)]),
        max([len(header[3]), *map(len, sizes.values())]),
        7,
    )
    say(_format_row(header, widths).rstrip())
    for result in results:
        done.append(result)
        name = result.claim.name
        verdict = str(claim_verdict(result))
        cells = (name, sources[name], verdict, sizes[name], f"{round(result.seconds, 3):5.2f}s")
        say(_format_row(cells, widths).rstrip())
        for failure in result.failures:
            say(f"    FAILED: {failure}")
    order = {claim.name: position for position, claim in enumerate(claims)}
    done.sort(key=lambda result: order[result.claim.name])  # the claims' order, as --list
    for text, number in premises.items():
        say(f"  [P{number}] {text}")
    resting = [result for result in done if result.claim.premises]
    if resting:
        free = len(done) - len(resting)
        say(
            f"  {len(resting)} claim{'s' if len(resting) != 1 else ''} rest on a premise "
            f"(marked [P…]); the other {free} rest on none."
        )
    if any(claim.name in cited for claim in claims):
        titles = "; ".join(f"{d.short} = “{d.title}”" for d in DOCUMENTS)
        say(f"  Sources: {titles}.")
    proofs = sum(round(result.seconds, 3) for result in done)
    witnessed = sum(round(result.witness_seconds, 3) for result in done)
    say(
        f"  The independent witness took {witnessed:.1f} s of the {proofs:.1f} s of proofs "
        "(explicit expressions at sizes 1..3 and one larger size, 80-digit points)."
    )
    return done


def _print_statements(
    heading: str,
    group: Sequence[CheckedStatement],
    say: Say,
    premises: dict[str, int],
) -> list[Assessment]:
    """One row per statement, under the title of its document; each verdict reads alone:
    what the document claims (in our notation), then why the verdict is what it is."""
    done = []
    say(f"\n{heading} ({len(group)}; verdicts computed, not typed in)")
    header = ("claim", "verdict", "sizes", "time")
    proofs = [_proof_of(statement) for statement in group]
    widths = (
        max([len(header[0]), *(len(statement.key) for statement in group)]),
        max([len(header[1]), *(len(str(verdict)) for verdict in Verdict)]),
        max([len(header[2]), *(len(_sizes(p, premises)) for p in proofs)]),
        7,
    )
    say(_format_row(header, widths).rstrip())
    document = None
    for assessment in verification.assessed(group):
        statement = assessment.statement
        done.append(assessment)
        if document_of(statement.source) is not document:
            document = document_of(statement.source)
            if document is not THIS_PROJECT:
                say(f"From {document.cite()}:")
        sizes = _sizes(_proof_of(statement), premises)
        cells = (statement.key, str(assessment.verdict), sizes, f"{assessment.seconds:5.2f}s")
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
    return done


def _census_summary(verdicts: Sequence[CensusVerdict]) -> str:
    """How many entries of each verdict, per source (named by its short title)."""
    lines = []
    for document in (DERIVING_BACKPROPAGATION, CORE_CONCEPTS):
        counts: dict[str, int] = {}
        for verdict in verdicts:
            if verdict.entry.source == document.file:
                counts[verdict.verdict] = counts.get(verdict.verdict, 0) + 1
        total = sum(counts.values())
        if not total:
            continue
        shown = ", ".join(f"{count} {name}" for name, count in counts.items())
        lines.append(f"{document.short}: {_count(total, 'entry', 'entries')} ({shown})")
    return "; ".join(lines)


def _count(number: int, one: str, many: str) -> str:
    """``1 entry``, ``2 entries``."""
    return f"{number} {one if number == 1 else many}"


def _print_census(verdicts: Sequence[CensusVerdict], say: Say) -> None:
    """Every census entry given with its verdict; a refuted or qualified one with its
    detail and what its letters mean."""
    documents = (DERIVING_BACKPROPAGATION, CORE_CONCEPTS)
    titles = "; ".join(f"{document.short} = “{document.title}”" for document in documents)
    counted = _count(len(verdicts), "statement", "statements")
    say(f"\nCensus of the sources ({counted}; {_census_summary(verdicts)})")
    say(f"  Sources: {titles}.")
    sources = [f"{document_of(v.entry.source).short} § {v.entry.section}" for v in verdicts]
    widths = (
        max([len("entry"), *(len(v.entry.key) for v in verdicts)]),
        max([len("source"), *map(len, sources)]),
        max([len("verdict"), *(len(str(v.verdict)) for v in verdicts)]),
        7,
    )
    say(_format_row(("entry", "source", "verdict", "time"), widths).rstrip())
    for verdict, source in zip(verdicts, sources, strict=True):
        entry = verdict.entry
        cells = (entry.key, source, str(verdict.verdict), f"{verdict.seconds:5.2f}s")
        say(_format_row(cells, widths).rstrip())
        if not verdict.as_expected:
            say(f"    UNEXPECTED: expected {entry.expected}: {verdict.detail}")
        elif verdict.is_erratum:
            say(f"    {verdict.detail}")
            where = "; ".join(dict.fromkeys(filter(None, map(symbols_of, entry.statements))))
            if where:
                say(f"    where {where}")


# ------------------------------------------------------------------ --list


def print_list() -> None:
    """Every name ``--claim`` accepts: the proofs, the source documents' claims (and the
    project's own counterexamples) and the census entries, each with its title."""
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
    census = verification.census_by_key()
    for document in DOCUMENTS:
        print(f"\nThe census of {document.cite()} (every other statement):")
        for entry in census.values():
            if document_of(entry.source) is document:
                print(f"  {entry.key:<32} {_one_line(entry.reading)}")


def _one_line(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
