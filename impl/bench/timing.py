"""Timing helpers for ``verified-backprop bench``: interleaved repeats, medians and ranges.

The machine the benchmark runs on may be shared, so no single timing is trusted:

* contenders are run *interleaved* (A B C, B C A, C A B, ...; the starting contender rotates)
  so that a burst of background load hits all of them, not one;
* every contender gets one untimed warm-up run first (allocations, lazy initialisation);
* results are reported as the median with the min-max range of the repeats.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Stats:
    """Median and range of repeated measurements of one quantity (a rate or a time)."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        """The median of the samples (NaN when there are none)."""
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def low(self) -> float:
        """The smallest sample."""
        return min(self.samples) if self.samples else float("nan")

    @property
    def high(self) -> float:
        """The largest sample."""
        return max(self.samples) if self.samples else float("nan")


def interleaved(
    contenders: Mapping[str, Callable[[], float]],
    repeats: int,
    warmup: Mapping[str, Callable[[], object]] | None = None,
) -> dict[str, Stats]:
    """Run every contender ``repeats`` times, interleaved; each call returns one measurement.

    ``warmup`` (name -> callable) runs once per contender before the timed rounds; by default
    the contender itself is run once, untimed.
    """
    names = list(contenders)
    for name in names:
        (warmup[name] if warmup and name in warmup else contenders[name])()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(repeats):
        shift = round_ % len(names) if names else 0
        for name in names[shift:] + names[:shift]:
            samples[name].append(float(contenders[name]()))
    return {name: Stats(tuple(values)) for name, values in samples.items()}


def seconds_per_call(function: Callable[[], object], calls: int, blocks: int = 3) -> float:
    """Mean CPU seconds of the process per call over ``calls`` calls, the best of ``blocks``.

    For operations of microseconds, where one timer reading per call would distort the result.
    CPU time (``time.process_time``), not wall time: on a shared machine the process is
    descheduled for stretches that wall time would count. The best block is the one least
    disturbed by other processes (cache and memory contention still show).
    """
    best = float("inf")
    for _ in range(max(1, blocks)):
        started = time.process_time()
        for _ in range(calls):
            function()
        best = min(best, (time.process_time() - started) / calls)
    return best


def calls_for(function: Callable[[], object], budget: float) -> int:
    """How many calls of ``function`` take about ``budget`` seconds (at least 1)."""
    started = time.perf_counter()
    function()
    once = max(time.perf_counter() - started, 1e-7)
    return max(1, int(budget / once))


def timed(function: Callable[[], object]) -> float:
    """Wall-clock seconds of one call."""
    started = time.perf_counter()
    function()
    return time.perf_counter() - started
