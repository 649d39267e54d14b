"""The speeds the project aims for on the benchmark's machine, and each one's verdict.

A :class:`Target` is one aim (the whole fit against the per-example loop and the best peer, a
share of the compute-bound ceiling, gradient checks against PyTorch's, lambdified deltas
against hand-written NumPy) with the figure measured, met or missed, and the shortfall;
:func:`summary` prints them for the terminal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from impl.bench.gradcheck import IMPL_CENTRAL, IMPL_DIRECTIONAL, TORCH_FULL, GradcheckRow
from impl.bench.symbolic import DeltaTiming
from impl.bench.timing import Stats
from impl.bench.training import IMPL, IMPL_FIT, LOOP, PEERS, HardwareLimit, ThroughputResult
from impl.bench.units import percent, rate, ratio, seconds

#: (batch, minimum ratio of the whole fit to the loop, minimum ratio to the best peer)
TRAINING_TARGETS = ((10, 10.0, 1.2), (128, 15.0, 1.2), (1024, 15.0, 1.2))
CEILING_BATCH, CEILING_SHARE, CEILING_STRETCH = 1024, 0.40, 0.50
GRADCHECK_SPEEDUP, DIRECTIONAL_SECONDS, LAMBDIFY_RATIO = 5.0, 0.1, 2.0


@dataclass
class Target:
    """One target of the issue: what was required, what was measured, met or not."""

    description: str
    measured: str
    met: bool | None  # None: could not be evaluated (e.g. PyTorch not installed)
    shortfall: str = ""
    #: what to profile when missed: ("training", dtype, batch) or ("gradcheck",) etc.
    profile_key: tuple = ()

    @property
    def verdict(self) -> str:
        """``met`` / ``MISSED`` / ``not evaluated``."""
        if self.met is None:
            return "not evaluated"
        return "met" if self.met else "MISSED"


def paired_ratios(numerator: Stats, denominators: Sequence[Stats]) -> tuple[float, float]:
    """min and max over rounds of numerator_i / max_j denominator_j,i (interleaved rounds)."""
    rounds = min(len(numerator.samples), *(len(d.samples) for d in denominators))
    values = [numerator.samples[i] / max(d.samples[i] for d in denominators) for i in range(rounds)]
    return (min(values), max(values)) if values else (math.nan, math.nan)


def training_targets(results: Sequence[ThroughputResult]) -> list[Target]:
    """The whole fit call vs the per-example loop and vs the best peer, per dtype and batch."""
    targets = []
    wanted = {batch: (loop_min, peer_min) for batch, loop_min, peer_min in TRAINING_TARGETS}
    for result in results:
        if result.batch not in wanted:
            continue
        loop_min, peer_min = wanted[result.batch]
        fit_stats, loop_stats = result.rates[IMPL_FIT], result.rates[LOOP]
        assert fit_stats is not None and loop_stats is not None
        key = ("training", result.dtype, result.batch)
        speedup = fit_stats.median / loop_stats.median
        low, high = paired_ratios(fit_stats, [loop_stats])
        targets.append(
            Target(
                f"{result.dtype}, mini-batch {result.batch}: whole fit ≥ {loop_min:g}× the "
                "per-example loop",
                f"{ratio(speedup)} ({rate(fit_stats.median)} vs {rate(loop_stats.median)} "
                f"ex/s; per round {ratio(low)}–{ratio(high)})",
                speedup >= loop_min,
                "" if speedup >= loop_min else f"short by {100 * (1 - speedup / loop_min):.0f} %",
                key,
            )
        )
        best = result.best_peer()
        description = (
            f"{result.dtype}, mini-batch {result.batch}: whole fit ≥ {peer_min:g}× the best "
            "peer (PyTorch, JAX)"
        )
        if best is None:
            why = ", ".join(sorted(set(result.missing.values()))) or "not run"
            targets.append(Target(description, f"no peer ran ({why})", None))
            continue
        name, best_rate = best
        versus = fit_stats.median / best_rate
        epoch_versus = result.median(IMPL) / best_rate
        peer_stats = [s for n in PEERS if (s := result.rates.get(n)) is not None]
        low, high = paired_ratios(fit_stats, peer_stats)
        met = versus >= peer_min
        targets.append(
            Target(
                description,
                f"{ratio(versus)} ({rate(fit_stats.median)} vs {rate(best_rate)} ex/s, best: "
                f"{name}; per round vs the round's best {ratio(low)}–{ratio(high)}; the epoch "
                f"inside fit {ratio(epoch_versus)})",
                met,
                "" if met else f"short by {100 * (1 - versus / peer_min):.0f} %",
                key,
            )
        )
    return targets


def ceiling_targets(
    results: Sequence[ThroughputResult], limits: Sequence[HardwareLimit]
) -> list[Target]:
    """impl's share of the machine's compute-bound ceiling at mini-batch 1024."""
    targets = []
    for limit in limits:
        if limit.batch != CEILING_BATCH:
            continue
        result = next(
            (r for r in results if r.batch == limit.batch and r.dtype == limit.dtype), None
        )
        if result is None:
            continue
        share = result.median(IMPL) / limit.ceiling
        numpy_share = result.median(IMPL) / limit.numpy_ceiling
        stretch = " (stretch 50 % reached)" if share >= CEILING_STRETCH else ""
        targets.append(
            Target(
                f"{limit.dtype}, mini-batch {limit.batch}: impl ≥ 40 % of the compute-bound "
                "ceiling",
                f"{percent(share)} of {rate(limit.ceiling)} ex/s ({limit.ceiling_source} BLAS)"
                f"{stretch}; {percent(numpy_share)} of NumPy's own BLAS ceiling "
                f"{rate(limit.numpy_ceiling)}",
                share >= CEILING_SHARE,
                ""
                if share >= CEILING_SHARE
                else f"short by {100 * (CEILING_SHARE - share):.1f} percentage points",
                ("training", limit.dtype, limit.batch),
            )
        )
    return targets


def gradcheck_targets(rows: Sequence[GradcheckRow]) -> list[Target]:
    """Full central-difference check vs torch.autograd.gradcheck; directional check time."""
    by_label = {row.label: row for row in rows}
    central = by_label[IMPL_CENTRAL]
    torch_row = by_label[TORCH_FULL]
    targets = []
    description = (
        f"every parameter of 784-30-10 by central differences ≥ {GRADCHECK_SPEEDUP:g}× faster "
        "than torch.autograd.gradcheck"
    )
    if torch_row.seconds is None:
        targets.append(Target(description, f"PyTorch {torch_row.how}", None))
    else:
        speedup = torch_row.median / central.median
        how = "" if torch_row.how == "measured" else " (PyTorch figure extrapolated)"
        targets.append(
            Target(
                description,
                f"{ratio(speedup)} ({seconds(central.median)} vs {seconds(torch_row.median)}){how}",
                speedup >= GRADCHECK_SPEEDUP,
                ""
                if speedup >= GRADCHECK_SPEEDUP
                else f"short by {100 * (1 - speedup / GRADCHECK_SPEEDUP):.0f} %",
                ("gradcheck",),
            )
        )
    directional = by_label[IMPL_DIRECTIONAL]
    targets.append(
        Target(
            f"directional check < {DIRECTIONAL_SECONDS:g} s",
            f"{seconds(directional.median)} (max {seconds(directional.seconds.high)})"
            if directional.seconds
            else "-",
            directional.median < DIRECTIONAL_SECONDS,
            "",
            ("directional",),
        )
    )
    return targets


def lambdify_targets(deltas: Sequence[DeltaTiming]) -> list[Target]:
    """Lambdified output deltas within 2x of the hand-written NumPy."""
    return [
        Target(
            f"lambdified δ ({delta.pairing}) within {LAMBDIFY_RATIO:g}× of {delta.hand_written}",
            f"{ratio(delta.ratio)} ({seconds(delta.lambdified.median)} vs "
            f"{seconds(delta.hand.median)})",
            delta.ratio <= LAMBDIFY_RATIO,
            "" if delta.ratio <= LAMBDIFY_RATIO else f"{ratio(delta.ratio / LAMBDIFY_RATIO)} over",
            ("lambdify", delta.pairing),
        )
        for delta in deltas
    ]


def summary(targets: Sequence[Target], mode: str) -> str:
    """The targets as a reader needs them: what each figure is, met or missed, by how much."""
    met = sum(target.met is True for target in targets)
    missed = sum(target.met is False for target in targets)
    lines = [
        f"\nSpeed targets ({mode} run): {met} met, {missed} missed, "
        f"{len(targets) - met - missed} not evaluated.",
        "Each target is a speed the project aims for; the figure after it is what this "
        "machine measured (a median, with the range over interleaved rounds). 'MISSED' means "
        "slower than the aim here, by the shortfall given; it is a measurement, not an error"
        + (
            ", and a quick run's figures are rougher than a full run's." if mode == "quick" else "."
        ),
    ]
    for target in targets:
        shortfall = f" ({target.shortfall})" if target.shortfall else ""
        lines.append(f"  {target.verdict:>13}  {target.description}")
        lines.append(f"  {'':>13}  measured: {target.measured}{shortfall}")
    return "\n".join(lines)
