"""The runner: prove the project's claims, assess the sources' claims, judge the census.

It returns typed results and prints nothing (:mod:`derivations.report` prints them):

* :func:`select` — the proofs, source claims and census entries that names pick (what
  ``verified-backprop verify --claim NAME`` accepts);
* :func:`verified` — each claim's :class:`~derivations.kernel.language.ClaimResult`, as each
  proof finishes, in worker processes when asked (:func:`derivations.host.usable_cores`);
* :func:`assessed` — each source claim's :class:`~derivations.kernel.verdicts.Assessment`;
* :func:`judge_census` — each census entry's verdict, from the results already computed in
  the run and whatever else the entry cites, computed here.
"""

from __future__ import annotations

import contextlib
import difflib
import multiprocessing
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import Any

import sympy as sp

from derivations.claims import UnknownClaimError, all_claims, get_claim
from derivations.kernel import sympy_speedup
from derivations.kernel.engine import verify
from derivations.kernel.language import Claim, ClaimResult
from derivations.kernel.verdicts import Assessment, CheckedStatement, assess
from derivations.sources.catalogue import beyond_sources, statements
from derivations.sources.census import CensusEntry, CensusVerdict, entries
from derivations.sources.census.judging import judge
from derivations.sources.findings import FINDINGS, Finding

__all__ = [
    "Selection",
    "assessed",
    "census_by_key",
    "judge_census",
    "select",
    "statements_by_key",
    "verified",
]


@dataclass(frozen=True)
class Selection:
    """What one run verifies: proofs, claims of the sources (and the project's own
    counterexamples), census entries."""

    claims: tuple[Claim, ...]
    statements: tuple[CheckedStatement, ...]
    census: tuple[CensusEntry, ...]
    #: True when no name was given: everything, each group in its own order
    everything: bool = False


def statements_by_key() -> dict[str, CheckedStatement]:
    """The claims of the sources and the project's own counterexamples, by key."""
    return {statement.key: statement for statement in statements() + beyond_sources()}


def census_by_key() -> dict[str, CensusEntry]:
    """The census entries that are not also claims of the catalogue (those share a key)."""
    keyed = statements_by_key()
    return {entry.key: entry for entry in entries() if entry.key not in keyed}


def select(names: Sequence[str]) -> Selection:
    """The proofs, source claims and census entries that ``names`` name (a source claim's
    name also selects the census entry of the same name, which quotes it in its prose), or
    everything when ``names`` is empty; UnknownClaimError if a name is none of them."""
    if not names:
        return Selection(
            tuple(all_claims().values()),
            tuple(statements() + beyond_sources()),
            tuple(entries()),
            everything=True,
        )
    keyed = statements_by_key()
    census = census_by_key()
    shared = {entry.key: entry for entry in entries() if entry.key in keyed}
    claims: list[Claim] = []
    chosen: list[CheckedStatement] = []
    chosen_entries: list[CensusEntry] = []
    for name in names:
        if name in keyed:
            chosen.append(keyed[name])
            if name in shared:  # the census entry of the same name (the claim in its prose)
                chosen_entries.append(shared[name])
            continue
        if name in census:
            chosen_entries.append(census[name])
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
    return Selection(tuple(claims), tuple(chosen), tuple(chosen_entries))


# ------------------------------------------------------------------ proofs


def verified(claims: Sequence[Claim], jobs: int = 1) -> Iterator[ClaimResult]:
    """Each claim's result, as each proof finishes.

    With ``jobs > 1`` the claims of :func:`derivations.claims.all_claims` are proven in that
    many fresh worker processes (started with "spawn": nothing inherited, no threads forked),
    the largest first so that no long proof starts last, and each result is yielded the
    moment its proof is done (the caller restores the claims' order if it needs it).  A
    worker builds the claim from its name, the same object as here, and sends back only what
    the report and the census need (failures, domain, witness, times: text and numbers); the
    result here carries this process's claim, without the step-by-step record, which stays in
    the worker.  Meanwhile this process proves the smallest claims itself, so that the first
    results come within seconds while the workers start and run the long proofs.
    """
    known = all_claims()
    shared = [claim for claim in claims if known.get(claim.name) is claim]
    if jobs <= 1 or len(shared) <= 1:
        for claim in claims:
            yield verify(claim)
        return
    by_name = {claim.name: claim for claim in claims}
    local = [claim for claim in claims if known.get(claim.name) is not claim]
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
            yield verify(claim)
        while pending:
            finished = {future for future in pending if future.done()}
            if not finished and smallest:
                claim = smallest.pop(0)
                future = next(f for f, name in futures.items() if name == claim.name)
                if future.cancel():  # no worker has taken it: prove it here
                    pending.discard(future)
                    done_names.add(claim.name)
                    yield verify(claim)
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
                    result = _rebuilt(by_name[name], future.result())
                except Exception:  # a worker that died (memory, a signal): prove it here
                    result = verify(by_name[name])
                yield result
    except BaseException:
        if pool is not None:
            _stop_workers(pool)
        raise
    pool.shutdown(wait=True, cancel_futures=True)


#: what a worker sends back of a result: failures, seconds, domain, witness, witness seconds
_Sent = tuple[tuple[str, ...], float, tuple[str, ...], str, float]


def _verify_by_name(name: str) -> _Sent:
    """The result of the claim ``name``, proven in a worker process, as text and numbers."""
    sympy_speedup.install_unless_disabled()  # a spawned worker starts with SymPy's own
    result = verify(get_claim(name))
    return (
        result.failures,
        result.seconds,
        result.domain,
        result.witness,
        result.witness_seconds,
    )


def _rebuilt(claim: Claim, sent: _Sent) -> ClaimResult:
    """A worker's result with this process's claim (no step-by-step record)."""
    failures, seconds, domain, witness, witness_seconds = sent
    return ClaimResult(
        claim,
        None,
        (),
        failures,
        seconds,
        domain=domain,
        witness=witness,
        witness_seconds=witness_seconds,
    )


def _cost(claim: Claim) -> int:
    """A rough size of the proof: definitions × steps × entries (a whole network is large)."""
    entries_ = len(claim.lhs) if isinstance(claim.lhs, sp.MatrixBase) else 1
    return (1 + len(claim.definitions)) * (1 + len(claim.steps)) * entries_


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


# ------------------------------------------------------------------ the sources


def assessed(group: Iterable[CheckedStatement]) -> Iterator[Assessment]:
    """Each source claim's verdict, one at a time, in order."""
    for statement in group:
        yield assess(statement)


def judge_census(
    chosen: Iterable[CensusEntry],
    claims: Mapping[str, ClaimResult] | None = None,
    statements: Mapping[str, Assessment] | None = None,
) -> list[CensusVerdict]:
    """Each entry's verdict (:func:`derivations.sources.census.judging.judge`), reusing the
    results of this run given (proofs by claim name, assessments by key) and computing what
    else an entry cites: a proof, an assessment, a finding (each once).  An entry's time is
    the time its own computations took; what crashes is an undecided part, not a traceback."""
    known_claims: dict[str, ClaimResult] = dict(claims or {})
    known_statements: dict[str, Assessment] = dict(statements or {})
    known_findings: dict[str, Finding] = {}
    by_key = statements_by_key()
    verdicts = []
    for entry in chosen:
        started = time.perf_counter()
        crashed: dict[str, str] = {}
        for name in entry.statements:
            if name not in known_statements:
                _computed(name, known_statements, crashed, lambda n: assess(by_key[n]))
        for name in entry.claims:
            if name not in known_claims:
                _computed(name, known_claims, crashed, lambda n: verify(get_claim(n)))
        for name in entry.findings:
            _computed(name, known_findings, crashed, lambda n: FINDINGS[n]())
        verdict = judge(
            entry,
            claims=known_claims,
            statements=known_statements,
            findings=known_findings,
            crashed=crashed,
        )
        verdicts.append(replace(verdict, seconds=time.perf_counter() - started))
    return verdicts


def _computed(
    name: str, known: dict[str, Any], crashed: dict[str, str], compute: Callable[[str], Any]
) -> None:
    """``known[name] = compute(name)``, or the error in ``crashed[name]``."""
    try:
        known[name] = compute(name)
    except Exception as error:  # a crash is an undecided verdict, not a traceback
        crashed[name] = f"{type(error).__name__}: {error}"
