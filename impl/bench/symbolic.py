"""The symbolic side: time of every proof, and lambdified output deltas vs hand-written NumPy.

* Proofs: :func:`derivations.kernel.engine.verify` of every claim in
  :func:`derivations.claims.all_claims`, timed by ``verify`` itself (one run each, in
  catalogue order, in this process: SymPy's caches warm up as the run proceeds).
* Output deltas on a K x m = 10 x 10,000 batch: :func:`derivations.numeric.output_delta`
  (``sympy.lambdify`` of the proven result) against :func:`impl.losses.cross_entropy_delta`
  and :func:`impl.losses.quadratic_delta`, both called without ``out=`` buffers (each
  allocates its result). Interleaved repeats; both results are compared, too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from impl.activations import sigmoid
from impl.bench.timing import Stats, interleaved, seconds_per_call
from impl.losses import cross_entropy_delta, quadratic_delta, softmax


@dataclass(frozen=True)
class ProofTiming:
    """One claim's verification."""

    name: str
    title: str
    proven: bool
    steps: int
    seconds: float


def time_proofs(limit: int | None = None) -> list[ProofTiming]:
    """Verify every claim (the first ``limit`` ones if given) and keep ``verify``'s timing."""
    from derivations.claims import all_claims
    from derivations.kernel.engine import verify

    timings = []
    for name, claim in list(all_claims().items())[:limit]:
        result = verify(claim)
        timings.append(
            ProofTiming(name, claim.title, result.proven, len(claim.steps), result.seconds)
        )
    return timings


@dataclass(frozen=True)
class DeltaTiming:
    """Seconds per call of a lambdified output delta and its hand-written counterpart."""

    pairing: str
    formula: str
    hand_written: str
    lambdified: Stats
    hand: Stats
    build_seconds: float
    max_difference: float

    @property
    def ratio(self) -> float:
        """median lambdified time / median hand-written time (< 1: lambdified is faster)."""
        return self.lambdified.median / self.hand.median


#: pairing -> (delta formula, hand-written function name)
DELTAS = {
    "softmax": ("a - y", "cross_entropy_delta"),
    "sigmoid": ("a - y", "cross_entropy_delta"),
    "sigmoid_quadratic": ("(a - y) a (1 - a)", "quadratic_delta"),
}
HAND_WRITTEN = {"cross_entropy_delta": cross_entropy_delta, "quadratic_delta": quadratic_delta}


def time_deltas(shape: tuple[int, int], repeats: int, calls: int) -> list[DeltaTiming]:
    """Lambdified vs hand-written output deltas on a batch of ``shape`` = (K, m)."""
    from derivations.numeric import output_delta

    rng = np.random.default_rng(0)
    classes, m = shape
    logits = rng.normal(size=shape)
    one_hot = np.eye(classes)[:, rng.integers(0, classes, m)]
    outputs = {"softmax": softmax(logits), "sigmoid": sigmoid(logits)}
    outputs["sigmoid_quadratic"] = outputs["sigmoid"]
    timings = []
    for pairing, (formula, hand_name) in DELTAS.items():
        started = time.perf_counter()
        lambdified = output_delta(pairing)
        build = time.perf_counter() - started
        hand = HAND_WRITTEN[hand_name]
        a = outputs[pairing]
        difference = float(np.max(np.abs(lambdified(a, one_hot) - hand(a, one_hot))))
        stats = interleaved(
            {
                "lambdified": lambda f=lambdified, a=a: seconds_per_call(
                    lambda: f(a, one_hot), calls, blocks=1
                ),
                "hand": lambda f=hand, a=a: seconds_per_call(
                    lambda: f(a, one_hot), calls, blocks=1
                ),
            },
            repeats,
        )
        timings.append(
            DeltaTiming(
                pairing, formula, hand_name, stats["lambdified"], stats["hand"], build, difference
            )
        )
    return timings
