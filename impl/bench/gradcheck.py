"""What it costs to check the gradient of every parameter of a 784-30-10 network.

Contenders, all on the same network (``Network([784, 30, 10], seed=0)``, float64) and the same
MNIST-like mini-batch of 16 examples:

* :func:`impl.gradcheck.check_gradients` by central differences and by complex step (every one
  of the 23,860 parameters, using the rank-one structure of a single-parameter change);
* :func:`impl.gradcheck.check_directional_derivatives` (3 random directions);
* the naive loop: perturb one parameter, rerun the whole forward pass, twice per parameter.
  Timed on a random subset of parameters and extrapolated to all of them (labelled);
* ``torch.autograd.gradcheck`` on the same function of the same parameters (central
  differences, one input element at a time) and its ``fast_mode`` (random directions). When the
  full run would take longer than the budget, it is timed on two subsets of parameters
  (the others held fixed) and extrapolated linearly (labelled).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from impl.bench.timing import Stats, interleaved, timed
from impl.gradcheck import (
    CENTRAL_STEP,
    check_directional_derivatives,
    check_gradients,
    cost_with_parameters,
)
from impl.network import Network

SIZES = (784, 30, 10)
BATCH = 16

IMPL_CENTRAL = "impl check_gradients, central differences"
IMPL_COMPLEX = "impl check_gradients, complex step"
IMPL_DIRECTIONAL = "impl check_directional_derivatives (3 directions, central)"
NAIVE = "naive loop: one parameter at a time, full forward pass twice"
TORCH_FULL = "torch.autograd.gradcheck (every parameter)"
TORCH_FAST = "torch.autograd.gradcheck(fast_mode=True) (random direction)"


@dataclass
class GradcheckRow:
    """Seconds to check ``parameters`` parameters, measured or extrapolated."""

    label: str
    seconds: Stats | None  # None: not run (PyTorch not installed)
    parameters: int
    how: str  # how the figure was obtained
    passed: bool | None = None

    @property
    def median(self) -> float:
        """Median seconds (NaN if not run)."""
        return self.seconds.median if self.seconds is not None else float("nan")


def gradcheck_problem(seed: int = 0) -> tuple[Network, np.ndarray, np.ndarray]:
    """The network and the mini-batch every contender checks (as in the project's tests)."""
    rng = np.random.default_rng(seed)
    X = rng.random((SIZES[0], BATCH)) * (rng.random((SIZES[0], BATCH)) < 0.2)
    labels = rng.integers(0, SIZES[-1], BATCH)
    return Network(list(SIZES), seed=seed), X, labels


def naive_central_differences(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    positions: list[tuple[int, int]],
    step: float = CENTRAL_STEP,
) -> np.ndarray:
    """dJ/dtheta at ``positions`` (array index into weights + biases, flat index) the slow way.

    Every derivative reruns the whole forward pass twice, at theta +- h e_i.
    """
    arrays = [W.copy() for W in net.weights] + [b.copy() for b in net.biases]
    layers = len(net.weights)
    derivatives = np.empty(len(positions))
    for n, (which, flat) in enumerate(positions):
        array = arrays[which].reshape(-1)
        saved = array[flat]
        array[flat] = saved + step
        plus = cost_with_parameters(net, arrays[:layers], arrays[layers:], X, Y)
        array[flat] = saved - step
        minus = cost_with_parameters(net, arrays[:layers], arrays[layers:], X, Y)
        array[flat] = saved
        derivatives[n] = (plus - minus) / (2 * step)
    return derivatives


def _random_positions(net: Network, count: int, seed: int) -> list[tuple[int, int]]:
    arrays = [*net.weights, *net.biases]
    offsets = np.cumsum([0] + [a.size for a in arrays])
    chosen = np.random.default_rng(seed).choice(offsets[-1], size=count, replace=False)
    positions = []
    for flat in np.sort(chosen):
        which = int(np.searchsorted(offsets, flat, side="right") - 1)
        positions.append((which, int(flat - offsets[which])))
    return positions


class _TorchProblem:
    """The same cost J(W1, b1, W2, b2) written with PyTorch operations, float64."""

    def __init__(self, net: Network, X: np.ndarray, labels: np.ndarray) -> None:
        import torch

        self.torch = torch
        self.X = torch.from_numpy(np.ascontiguousarray(X))
        self.labels = torch.from_numpy(labels)
        self.parameters = [torch.from_numpy(W.copy()) for W in net.weights] + [
            torch.from_numpy(b.ravel().copy()) for b in net.biases
        ]
        self.shapes = [tuple(p.shape) for p in self.parameters]
        self.flat = torch.cat([p.reshape(-1) for p in self.parameters])

    def cost(self, W1: Any, W2: Any, b1: Any, b2: Any) -> Any:
        """J = mean cross-entropy of softmax(W2 sigmoid(W1 X + b1) + b2)."""
        torch = self.torch
        hidden = torch.sigmoid(W1 @ self.X + b1[:, None])
        logits = W2 @ hidden + b2[:, None]
        return torch.nn.functional.cross_entropy(logits.T, self.labels)

    def _split(self, flat: Any) -> list[Any]:
        pieces, offset = [], 0
        for shape in self.shapes:
            size = int(np.prod(shape))
            pieces.append(flat[offset : offset + size].reshape(shape))
            offset += size
        return pieces

    def check_all(self, fast_mode: bool = False) -> bool:
        """``torch.autograd.gradcheck`` of J with respect to all four parameter tensors."""
        inputs = tuple(p.clone().requires_grad_(True) for p in self.parameters)
        return bool(self.torch.autograd.gradcheck(self.cost, inputs, fast_mode=fast_mode))

    def check_subset(self, count: int, seed: int) -> bool:
        """gradcheck with respect to ``count`` random parameters, the others held fixed."""
        torch = self.torch
        rng = np.random.default_rng(seed)
        index = torch.from_numpy(np.sort(rng.choice(self.flat.numel(), count, replace=False)))
        subset = self.flat[index].clone().requires_grad_(True)

        def cost_of_subset(values: Any) -> Any:
            return self.cost(*self._split(torch.index_put(self.flat, (index,), values)))

        return bool(torch.autograd.gradcheck(cost_of_subset, (subset,)))


def _linear_extrapolation(
    measure: Callable[[int], float], small: int, large: int, total: int
) -> float:
    """Seconds for ``total`` parameters from timings of ``small`` and ``large`` (a + b k)."""
    t_small, t_large = measure(small), measure(large)
    slope = max(t_large - t_small, 0.0) / (large - small)
    intercept = max(t_small - slope * small, 0.0)
    return intercept + slope * total


@dataclass(frozen=True)
class GradcheckSettings:
    """How much work the gradient-checking section does."""

    repeats: int
    naive_parameters: int
    torch_budget: float  # seconds allowed for the full torch runs, else extrapolate
    torch_subset: int  # the larger subset size for extrapolation


def measure_gradcheck(
    settings: GradcheckSettings, with_torch: bool, missing: str = "not installed"
) -> list[GradcheckRow]:
    """Time every way of checking the gradient of 784-30-10 (see the module docstring)."""
    net, X, labels = gradcheck_problem()
    Y = net.check_targets(labels, X.shape[1])
    total = net.n_parameters
    positions = _random_positions(net, min(settings.naive_parameters, total), seed=1)
    verdicts: dict[str, bool] = {}

    def run_check(name: str, check: Callable[[], Any]) -> Callable[[], float]:
        def run() -> float:
            started = time.perf_counter()
            result = check()
            seconds = time.perf_counter() - started
            verdicts[name] = bool(result.passed)
            return seconds

        return run

    def naive() -> float:
        seconds = timed(lambda: naive_central_differences(net, X, Y, positions))
        return seconds * total / len(positions)

    contenders: dict[str, Callable[[], float]] = {
        IMPL_CENTRAL: run_check(IMPL_CENTRAL, lambda: check_gradients(net, X, labels)),
        IMPL_COMPLEX: run_check(
            IMPL_COMPLEX, lambda: check_gradients(net, X, labels, method="complex")
        ),
        IMPL_DIRECTIONAL: run_check(
            IMPL_DIRECTIONAL, lambda: check_directional_derivatives(net, X, labels)
        ),
        NAIVE: naive,
    }
    torch_problem = _TorchProblem(net, X, labels) if with_torch else None
    if torch_problem is not None:
        contenders[TORCH_FAST] = lambda: timed(lambda: torch_problem.check_all(fast_mode=True))
    stats = interleaved(contenders, settings.repeats)

    # the naive loop agrees with the fast checker on its subset (a sanity check, not timed)
    numeric = naive_central_differences(net, X, Y, positions[:50])
    analytic_W, analytic_b = net.backward(X, labels)
    analytic = [*analytic_W, *analytic_b]
    expected = np.array([analytic[which].reshape(-1)[flat] for which, flat in positions[:50]])
    naive_ok = bool(np.max(np.abs(numeric - expected)) <= 1e-5 * max(np.max(np.abs(expected)), 1))

    rows = [
        GradcheckRow(IMPL_CENTRAL, stats[IMPL_CENTRAL], total, "measured", verdicts[IMPL_CENTRAL]),
        GradcheckRow(IMPL_COMPLEX, stats[IMPL_COMPLEX], total, "measured", verdicts[IMPL_COMPLEX]),
        GradcheckRow(
            IMPL_DIRECTIONAL,
            stats[IMPL_DIRECTIONAL],
            total,
            "measured",
            verdicts[IMPL_DIRECTIONAL],
        ),
        GradcheckRow(
            NAIVE,
            stats[NAIVE],
            total,
            f"EXTRAPOLATED from {len(positions):,} random parameters "
            f"(x {total / len(positions):.1f})",
            naive_ok,
        ),
    ]
    if torch_problem is None:
        rows.append(GradcheckRow(TORCH_FULL, None, total, missing))
        rows.append(GradcheckRow(TORCH_FAST, None, total, missing))
        return rows

    rows.extend(_torch_full_rows(torch_problem, settings, total))
    rows.append(
        GradcheckRow(
            TORCH_FAST,
            stats[TORCH_FAST],
            total,
            "measured",
            torch_problem.check_all(fast_mode=True),
        )
    )
    return rows


def _torch_full_rows(
    problem: _TorchProblem, settings: GradcheckSettings, total: int
) -> list[GradcheckRow]:
    large = min(settings.torch_subset, total)
    small = max(1, large // 4)
    passed: list[bool] = []

    def subset_seconds(count: int) -> float:
        started = time.perf_counter()
        passed.append(problem.check_subset(count, seed=count))
        return time.perf_counter() - started

    problem.check_subset(small, seed=0)  # warm-up
    estimates = [
        _linear_extrapolation(subset_seconds, small, large, total) for _ in range(settings.repeats)
    ]
    how = f"EXTRAPOLATED from subsets of {small:,} and {large:,} parameters (linear fit)"
    extrapolated = GradcheckRow(TORCH_FULL, Stats(tuple(estimates)), total, how, all(passed))
    full_runs = max(1, min(settings.repeats, 3))
    if large >= total or np.median(estimates) * full_runs > settings.torch_budget:
        return [extrapolated]
    full: list[float] = []
    verdicts: list[bool] = []
    for _ in range(full_runs):
        started = time.perf_counter()
        verdicts.append(problem.check_all())
        full.append(time.perf_counter() - started)
    measured = GradcheckRow(TORCH_FULL, Stats(tuple(full)), total, "measured", all(verdicts))
    extrapolated.label = "  (the same, extrapolated from subsets, as a cross-check)"
    return [measured, extrapolated]
