"""Measured figures as the report and the targets print them: rates, durations, ratios, shares."""

from __future__ import annotations

import math

from impl.bench.timing import Stats


def rate(value: float) -> str:
    """Examples per second with thousands separators ('-' for NaN)."""
    return "-" if math.isnan(value) else f"{value:,.0f}"


def seconds(value: float) -> str:
    """A duration in s, ms or µs with three significant digits."""
    if math.isnan(value):
        return "-"
    if value >= 1:
        return f"{value:.3g} s"
    if value >= 1e-3:
        return f"{value * 1e3:.3g} ms"
    return f"{value * 1e6:.3g} µs"


def ratio(value: float) -> str:
    """A ratio such as 12.3x."""
    return "-" if math.isnan(value) else f"{value:.3g}×"


def percent(value: float) -> str:
    """A fraction as a percentage."""
    return "-" if math.isnan(value) else f"{100 * value:.1f} %"


def stats_range(stats: Stats | None, unit: str = "rate") -> str:
    """'low–high' of a Stats in the unit's format."""
    if stats is None:
        return "-"
    fmt = rate if unit == "rate" else seconds
    return f"{fmt(stats.low)}–{fmt(stats.high)}"
