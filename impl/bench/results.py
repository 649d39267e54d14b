"""Everything one benchmark run measured, in one record the report renders."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from impl.bench.gradcheck import GradcheckRow
from impl.bench.step_parts import StepParts
from impl.bench.symbolic import DeltaTiming, ProofTiming
from impl.bench.targets import Target
from impl.bench.training import HardwareLimit, ThroughputResult


@dataclass
class BenchResults:
    """Everything one run measured, ready to render."""

    mode: str
    command: str
    date: str
    machine: list[tuple[str, str]]
    settings: list[tuple[str, str]]
    throughput: list[ThroughputResult]
    limits: list[HardwareLimit]
    peaks: dict[str, tuple[float, float | None]]
    breakdowns: list[StepParts]
    gradcheck: list[GradcheckRow]
    proofs: list[ProofTiming]
    deltas: list[DeltaTiming]
    delta_shape: tuple[int, int]
    copy_gbs: float = math.nan  # GB/s of a large np.copyto, for comparison with the gather
    targets: list[Target] = field(default_factory=list)
    profiles: list[tuple[str, str]] = field(default_factory=list)
    wall_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
