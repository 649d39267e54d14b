"""The Markdown of a benchmark run: the machine, the targets and why each missed one was missed,
then one section of tables per measurement (the results: :class:`impl.bench.results.BenchResults`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from impl.bench.gradcheck import IMPL_CENTRAL
from impl.bench.results import BenchResults
from impl.bench.step_parts import StepParts
from impl.bench.targets import CEILING_SHARE, TRAINING_TARGETS
from impl.bench.training import (
    CONTENDERS,
    IMPL,
    IMPL_FIT,
    LOOP,
    PEERS,
    SIZES,
    TORCH_NN,
    HardwareLimit,
    ThroughputResult,
    flops_per_example,
)
from impl.bench.units import percent, rate, ratio, seconds, stats_range

#: short names of the contenders for table headers
SHORT_NAMES = {
    IMPL_FIT: "whole fit",
    IMPL: "epoch in fit",
    LOOP: "loop",
    "PyTorch plain tensors (manual backward)": "PyTorch plain",
    TORCH_NN: "PyTorch nn",
    "JAX jit step (jax.grad)": "JAX step",
    "JAX jit + lax.scan over the epoch": "JAX scan",
}


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], align: str = "") -> str:
    """A GitHub-flavoured Markdown table; ``align`` has one letter (l/r) per column."""
    align = align or "l" + "r" * (len(headers) - 1)
    marks = {"l": ":--", "r": "--:"}
    lines = [
        "| " + " | ".join(str(h).replace("|", "\\|") for h in headers) + " |",
        "|" + "|".join(marks[a] for a in align) + "|",
    ]
    for row in rows:
        cells = [str(cell).replace("|", "\\|").replace("\n", " ") for cell in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _find_limit(results: BenchResults, dtype: str, batch: int) -> HardwareLimit | None:
    return next((x for x in results.limits if x.dtype == dtype and x.batch == batch), None)


def _find_breakdown(results: BenchResults, dtype: str, batch: int) -> StepParts | None:
    return next((b for b in results.breakdowns if b.dtype == dtype and b.batch == batch), None)


def _find_throughput(results: BenchResults, dtype: str, batch: int) -> ThroughputResult | None:
    return next((r for r in results.throughput if r.dtype == dtype and r.batch == batch), None)


def _products_sentence(limit: HardwareLimit) -> str:
    numpy_us = 1e6 * limit.batch / limit.numpy_ceiling
    torch_ceiling = limit.torch_ceiling
    if torch_ceiling is None:
        return f"the step's matrix products take {numpy_us:.0f} µs with NumPy's BLAS"
    torch_us = 1e6 * limit.batch / torch_ceiling
    return (
        f"the step's matrix products take {numpy_us:.0f} µs with NumPy's OpenBLAS and "
        f"{torch_us:.0f} µs with PyTorch's MKL (best layouts, timed alone)"
    )


def _breakdown_sentence(parts: StepParts, best_peer: str | None = None) -> str:
    """Where impl's step and JAX's spend their CPU time (the ladder of :mod:`.step_parts`)."""
    ours, theirs = StepParts.parts_of(parts.impl), StepParts.parts_of(parts.jax)
    if not ours:
        return "the compiled loop's parts were not measured (numba is not installed)"
    names = ("gather", "products + update", "element-wise", "whole compiled step")
    text = (
        "CPU µs per step, impl's compiled loop"
        + (" / JAX's scanned epoch" if theirs else "")
        + ": "
        + ", ".join(
            f"{name} {ours[name]:.0f}" + (f" / {theirs[name]:.0f}" if theirs else "")
            for name in names
        )
    )
    if parts.epoch_in_fit is not None and parts.whole_fit is not None:
        text += (
            f"; around impl's compiled calls, Python in the epoch "
            f"{parts.epoch_in_fit - ours['whole compiled step']:.0f} and fit's own work "
            f"{parts.whole_fit - parts.epoch_in_fit:.0f}"
        )
        if not parts.fit_on_loop:
            text += " (fit runs this size on the NumPy path, not the loop)"
    if theirs and ours["whole compiled step"] <= theirs["whole compiled step"]:
        text += "; impl's compiled step is faster than JAX's here"
        if best_peer and "PyTorch" in best_peer:
            text += (
                f", so the gap is to {best_peer}: its matrix products on MKL against "
                "OpenBLAS's (the products timed alone above)"
            )
        else:
            text += ", so the gap is the Python and fit's own work around the compiled calls"
    elif theirs:
        gaps = {name: ours[name] - theirs[name] for name in names[:3]}
        largest = max(gaps, key=lambda name: gaps[name])
        if gaps[largest] > 0:
            text += f"; the largest part of the gap to JAX is {largest} (+{gaps[largest]:.0f} µs)"
    return text


def _peer_gap_sentences(
    result: ThroughputResult, best: tuple[str, float], batch: int, limit: HardwareLimit | None
) -> list[str]:
    """How far the whole fit is from the target, and how the call's time divides."""
    wanted = next(t for b, _, t in TRAINING_TARGETS if b == batch)
    fit_us = 1e6 * batch / result.median(IMPL_FIT)
    epoch_us = 1e6 * batch / result.median(IMPL)
    sentences = [
        f"to get there the whole fit would need {1e6 * batch / (wanted * best[1]):.0f} µs per "
        f"step instead of {fit_us:.0f} µs (the best peer, {best[0]}, takes "
        f"{1e6 * batch / best[1]:.0f} µs); of the whole call's {fit_us:.0f} µs per step, the "
        f"epoch (shuffle, gathers, steps) takes {epoch_us:.0f} µs and fit's own work before and "
        f"after it (checking every input for NaN and infinity, threads, progress, the checks "
        f"after the epoch) {max(fit_us - epoch_us, 0.0):.0f} µs"
    ]
    if limit is not None and limit.torch_ceiling is not None:
        numpy_us = 1e6 * batch / limit.numpy_ceiling
        torch_us = 1e6 * batch / limit.torch_ceiling
        needed = 1e6 * batch / (wanted * best[1])
        if numpy_us > torch_us:
            sentences.append(
                f"NumPy's BLAS alone needs {numpy_us:.0f} µs of the {needed:.0f} µs allowed, "
                f"PyTorch's {torch_us:.0f} µs: a faster BLAS for these skinny products (NumPy "
                f"built against MKL) would close up to {numpy_us - torch_us:.0f} µs per step"
            )
    return sentences


def explain_misses(results: BenchResults) -> list[str]:
    """One paragraph per missed target: by how much, and where the time goes."""
    lines = []
    for target in results.targets:
        if target.met is not False or not target.profile_key:
            continue
        kind = target.profile_key[0]
        if kind == "training":
            _, dtype, batch = target.profile_key
            limit = _find_limit(results, dtype, batch)
            breakdown = _find_breakdown(results, dtype, batch)
            throughput = _find_throughput(results, dtype, batch)
            reasons = []
            best = throughput.best_peer() if throughput is not None else None
            if throughput is not None and best is not None and "peer" in target.description:
                reasons.extend(_peer_gap_sentences(throughput, best, batch, limit))
            elif throughput is not None and limit is not None:
                needed = 1e6 * batch / (CEILING_SHARE * limit.ceiling)
                reasons.append(
                    f"to get there impl would need {needed:.0f} µs per step instead of "
                    f"{1e6 * batch / throughput.median(IMPL):.0f} µs"
                )
            if limit is not None:
                reasons.append(_products_sentence(limit))
            if breakdown is not None:
                reasons.append(_breakdown_sentence(breakdown, best[0] if best else None))
            lines.append(
                f"**{target.description}**: {target.measured}, {target.shortfall}. Why: "
                + "; ".join(reasons)
                + "."
            )
        else:
            lines.append(f"**{target.description}**: {target.measured}, {target.shortfall}.")
    return lines


def pytorch_idiom_note(results: BenchResults) -> str | None:
    """The whole fit against the idiomatic PyTorch program alone, and which peer was best."""
    pieces, best_names = [], []
    for result in results.throughput:
        best = result.best_peer()
        if result.rates.get(TORCH_NN) is None or best is None:
            return None
        best_names.append(best[0])
        pieces.append(
            f"{ratio(result.median(IMPL_FIT) / result.median(TORCH_NN))} at m = {result.batch} "
            f"({result.dtype})"
        )
    if not pieces:
        return None
    counts = ", ".join(
        f"{name} in {best_names.count(name)} of {len(best_names)}"
        for name in dict.fromkeys(best_names)
    )
    return (
        "Against the idiomatic PyTorch program alone (nn.Sequential + autograd + optim.SGD), "
        "the whole fit's throughput is " + ", ".join(pieces) + f". The best peer was {counts} "
        "(dtype, mini-batch) comparisons."
    )


# --------------------------------------------------------------------------- rendering


def _ratio_section(results: BenchResults) -> list[str]:
    """One table: every contender's rate divided by the best peer's, per dtype and batch."""
    shown = [IMPL_FIT, IMPL, *PEERS]
    rows = []
    for result in results.throughput:
        best = result.best_peer()
        if best is None:
            continue
        name, best_rate = best
        rows.append(
            [
                result.dtype,
                result.batch,
                SHORT_NAMES.get(name, name),
                rate(best_rate),
                *(
                    f"**{ratio(result.median(n) / best_rate)}**"
                    if n == IMPL_FIT
                    else ratio(result.median(n) / best_rate)
                    for n in shown
                ),
            ]
        )
    if not rows:
        return []
    return [
        "## Against the best peer",
        "",
        "Each contender's median rate (examples per second of CPU time, one core) divided by "
        "the best peer's, in the same run: *whole fit* is one `Network.fit` call as a user "
        "makes it (defaults: progress bar on, no evaluation of the training set), *epoch in "
        "fit* the epoch inside that call (shuffle, gathers, steps). The target is a whole fit "
        f"≥ {TRAINING_TARGETS[0][2]:g}× the best peer in every row.",
        "",
        table(
            ["dtype", "m", "best peer", "best peer ex/s", *(SHORT_NAMES[n] for n in shown)],
            rows,
            "lrlr" + "r" * len(shown),
        ),
        "",
    ]


def _throughput_section(results: BenchResults) -> list[str]:
    out = ["## 1. Training throughput", ""]
    first = results.throughput[0] if results.throughput else None
    if first is not None:
        out += [
            f"`Network([784, 30, 10])`, sigmoid hidden layer, softmax cross-entropy, SGD with "
            f"η = 0.5, on {first.examples:,} synthetic MNIST-shaped examples "
            "(`numpy.random.default_rng(0)`: 784 pixels in [0, 1], ~80 % of them 0, 10 "
            "classes). One timed run = one epoch: shuffle, gather every mini-batch, one "
            "update per mini-batch; for impl's whole fit also everything the call does "
            "around the epoch. Rates are examples per second of CPU time "
            "(`time.process_time`, every thread of the process). The per-example loop runs "
            f"on the first {first.loop_examples:,} examples only (its rate does not depend on "
            "the data set size). Median of the interleaved repeats and their min–max; ratios "
            "are ratios of medians.",
            "",
        ]
    for dtype in dict.fromkeys(r.dtype for r in results.throughput):
        out += [f"### {dtype}", ""]
        rows = []
        for result in (r for r in results.throughput if r.dtype == dtype):
            loop_median = result.median(LOOP)
            best = result.best_peer()
            for name in CONTENDERS:
                stats = result.rates.get(name)
                if stats is None:
                    why = result.missing.get(name, "not run")
                    rows.append([result.batch, name, why, "-", "-", "-"])
                    continue
                versus_peer = stats.median / best[1] if best else math.nan
                rows.append(
                    [
                        result.batch,
                        f"**{name}**" if name in (IMPL_FIT, IMPL) else name,
                        rate(stats.median),
                        stats_range(stats),
                        ratio(stats.median / loop_median),
                        ratio(versus_peer) if best else "-",
                    ]
                )
        out += [
            table(
                [
                    "mini-batch",
                    "implementation",
                    "examples/s",
                    "min–max",
                    "× loop",
                    "× best peer",
                ],
                rows,
                "rlrrrr",
            ),
            "",
        ]
    return out


def _limit_section(results: BenchResults) -> list[str]:
    flops = flops_per_example(SIZES)
    out = [
        "## 2. Hardware limit",
        "",
        f"Matrix-product FLOPs per example of one forward + backward pass of 784-30-10: "
        f"**{flops:,}** (forward 2·(784·30 + 30·10) = 47,640; weight gradients the same "
        "47,640; δ¹ = (W²)ᵀδ² 2·30·10 = 600; no δ is propagated to the inputs). The "
        "element-wise work (activations, softmax, bias sums, the update) is O(n) per example "
        "and not counted.",
        "",
        "Each product of one training step was timed on its own (best of 3 blocks of repeated "
        "calls, the best of the four C/F operand layouts), with NumPy's BLAS and with "
        "PyTorch's. If a step did nothing but its products, it would process "
        "m / Σ t(product) examples per second: that is the compute-bound ceiling. The "
        "machine's ceiling is the better of the two libraries.",
        "",
    ]
    if not math.isnan(results.copy_gbs):
        out += [
            f"Memory: a large `np.copyto` (the operation a mini-batch gather performs row by "
            f"row) copies {results.copy_gbs:.1f} GB/s.",
            "",
        ]
    if results.peaks:
        rows = [
            [dtype, f"{numpy_peak:.1f}", "-" if torch_peak is None else f"{torch_peak:.1f}"]
            for dtype, (numpy_peak, torch_peak) in results.peaks.items()
        ]
        out += [
            "For reference, a large square product (the BLAS at its best):",
            "",
            table(["dtype", "NumPy GFLOP/s", "PyTorch GFLOP/s"], rows),
            "",
        ]
    rows = []
    for limit in results.limits:
        for timing in limit.timings:
            p = timing.product
            torch_text = (
                "-"
                if timing.torch_gflops is None
                else f"{timing.torch_gflops:.1f} ({timing.torch_layout})"
            )
            rows.append(
                [
                    limit.dtype,
                    limit.batch,
                    p.label,
                    f"({p.M}×{p.K})({p.K}×{p.N})",
                    f"{p.flops / 1e6:.3g}",
                    f"{timing.numpy_gflops:.1f} ({timing.numpy_layout})",
                    torch_text,
                ]
            )
    out += [
        "### Matrix products of one step (GFLOP/s, best operand layout in parentheses)",
        "",
        table(
            ["dtype", "m", "product", "shape", "MFLOP", "NumPy GFLOP/s", "PyTorch GFLOP/s"],
            rows,
            "lrllrrr",
        ),
        "",
        "### Ceiling and each implementation's share of it",
        "",
    ]
    rows = []
    for limit in results.limits:
        result = next(
            (r for r in results.throughput if r.batch == limit.batch and r.dtype == limit.dtype),
            None,
        )
        shares = []
        for name in CONTENDERS:
            value = result.median(name) if result is not None else math.nan
            shares.append(percent(value / limit.ceiling))
        torch_ceiling = limit.torch_ceiling
        rows.append(
            [
                limit.dtype,
                limit.batch,
                rate(limit.numpy_ceiling),
                "-" if torch_ceiling is None else rate(torch_ceiling),
                f"{rate(limit.ceiling)} ({limit.ceiling_source})",
                *shares,
            ]
        )
    short = SHORT_NAMES
    out += [
        table(
            [
                "dtype",
                "m",
                "NumPy BLAS ceiling (ex/s)",
                "PyTorch BLAS ceiling",
                "machine ceiling",
                *(short.get(n, n) + " share" for n in CONTENDERS),
            ],
            rows,
            "lrrrr" + "r" * len(CONTENDERS),
        ),
        "",
    ]
    return out


def _breakdown_section(results: BenchResults) -> list[str]:
    if not results.breakdowns:
        return []
    out = [
        "### Where impl's training step spends its time",
        "",
        "CPU time per training step (µs, median of interleaved repeats, pinned like the rest), "
        "impl's compiled loop (`impl.kernels.train_steps`) beside JAX's jit + `lax.scan` "
        "epoch, from a ladder of three compiled epochs on each side "
        "(`impl.bench.step_parts`): *gather* reads each mini-batch's rows from the data set "
        "in a fresh permutation's order; *products + update* = (gather, the five matrix "
        "products in the step's layouts and the weight update) minus the gather; "
        "*element-wise* = the whole compiled step minus that (bias, activations, softmax, "
        "output delta, g', bias sums). For impl a fourth rung, interleaved with the others, is "
        "one whole `Network.fit` call: *Python in the epoch* is the epoch inside it minus the "
        "compiled step, and *fit's own work* the whole call minus its epoch (input checks, "
        "threads, progress, the checks after the epoch). "
        "Differences of medians of noisy measurements: a small part can come out negative.",
        "",
    ]
    headers = [
        "dtype",
        "m",
        "contender",
        "gather",
        "products + update",
        "element-wise",
        "whole compiled step",
        "Python in the epoch",
        "fit's own work",
        "whole, per step",
    ]
    rows: list[list[object]] = []
    for b in results.breakdowns:
        ours = StepParts.parts_of(b.impl)
        if ours:
            python = fit_own = whole = "-"
            if b.epoch_in_fit is not None and b.whole_fit is not None:
                python = f"{b.epoch_in_fit - ours['whole compiled step']:.0f}"
                fit_own = f"{b.whole_fit - b.epoch_in_fit:.0f}"
                whole = f"**{b.whole_fit:.0f}**"
            path = "impl" if b.fit_on_loop else "impl (fit: NumPy path)"
            rows.append(
                [b.dtype, b.batch, path]
                + [f"{ours[k]:.0f}" for k in ("gather", "products + update", "element-wise")]
                + [f"{ours['whole compiled step']:.0f}", python, fit_own, whole]
            )
        theirs = StepParts.parts_of(b.jax)
        if theirs:
            rows.append(
                [b.dtype, b.batch, "JAX scan"]
                + [f"{theirs[k]:.0f}" for k in ("gather", "products + update", "element-wise")]
                + [f"{theirs['whole compiled step']:.0f}", "-", "-"]
                + [f"**{theirs['whole compiled step']:.0f}**"]
            )
    if not rows:
        return []
    out += [table(headers, rows, "lrl" + "r" * 7), ""]
    return out


def _gradcheck_section(results: BenchResults) -> list[str]:
    rows = []
    central = next((r for r in results.gradcheck if r.label == IMPL_CENTRAL), None)
    for row in results.gradcheck:
        if row.seconds is None:
            rows.append([row.label, f"{row.parameters:,}", row.how, "-", "-", "-", "-"])
            continue
        relative = row.median / central.median if central is not None else math.nan
        rows.append(
            [
                row.label,
                f"{row.parameters:,}",
                seconds(row.median),
                stats_range(row.seconds, "seconds"),
                ratio(relative),
                row.how,
                {True: "passed", False: "FAILED", None: "-"}[row.passed],
            ]
        )
    return [
        "## 3. Gradient checking cost",
        "",
        "Network([784, 30, 10], seed=0), float64, a mini-batch of 16 MNIST-like examples "
        "(the same network and data for every method). Interleaved repeats (the full PyTorch "
        "check runs after them). *× impl central* is the time relative to impl's full "
        "central-difference check.",
        "",
        table(
            [
                "method",
                "parameters",
                "seconds (median)",
                "min–max",
                "× impl central",
                "how",
                "verdict",
            ],
            rows,
            "lrrrrll",
        ),
        "",
    ]


def _symbolic_section(results: BenchResults) -> list[str]:
    total = sum(p.seconds for p in results.proofs)
    rows = [
        [p.name, p.steps, "proven" if p.proven else "NOT PROVEN", seconds(p.seconds)]
        for p in results.proofs
    ]
    rows.append(["**all claims**", sum(p.steps for p in results.proofs), "", f"**{total:.2f} s**"])
    out = [
        "## 4. Symbolic side",
        "",
        "### Proofs",
        "",
        "`derivations.kernel.engine.verify` of every claim in `derivations.claims.all_claims()`, "
        "in catalogue order, one run each, timing as reported by `verify` (SymPy's caches "
        "warm up as the run proceeds, so later claims profit from earlier ones).",
        "",
        table(["claim", "steps", "verdict", "seconds"], rows, "lrlr"),
        "",
        "### Lambdified output deltas vs hand-written NumPy",
        "",
        f"On a K × m = {results.delta_shape[0]} × {results.delta_shape[1]:,} batch; both "
        "allocate their result (no `out=`); seconds per call, median of interleaved repeats. "
        "*build* is the first call of `derivations.numeric.output_delta(...)` in this process "
        "(lambdify from the proven claim).",
        "",
    ]
    rows = [
        [
            d.pairing,
            d.formula,
            seconds(d.lambdified.median),
            d.hand_written,
            seconds(d.hand.median),
            ratio(d.ratio),
            f"{d.max_difference:.1e}",
            seconds(d.build_seconds),
        ]
        for d in results.deltas
    ]
    out += [
        table(
            ["pairing", "δ", "lambdified", "hand-written", "time", "ratio", "max |diff|", "build"],
            rows,
            "llrlrrrr",
        ),
        "",
    ]
    return out


def render(results: BenchResults) -> str:
    """The whole ``docs/benchmarks.md``."""
    out = [
        "# Benchmarks",
        "",
        "Written by `verified-backprop bench`; do not edit by hand, rerun the command. "
        "The machine is shared with other work, so every figure is the median of interleaved "
        "repeats with its min–max range, and ratios are taken between contenders measured in "
        "the same run.",
        "",
        table(
            ["", ""],
            [*results.machine, ("wall time of this run", f"{results.wall_seconds:.0f} s")],
            "ll",
        ),
        "",
        "Settings of this run:",
        "",
        table(["setting", "value"], results.settings, "ll"),
        "",
        "## Targets",
        "",
        table(
            ["target", "measured", "verdict", "shortfall"],
            [[t.description, t.measured, f"**{t.verdict}**", t.shortfall] for t in results.targets],
            "llll",
        ),
        "",
    ]
    notes = list(results.notes)
    idiom = pytorch_idiom_note(results)
    if idiom:
        notes.append(idiom)
    if notes:
        out += [f"- {note}" for note in notes]
        out.append("")
    misses = explain_misses(results)
    if misses:
        out += ["### Why the missed targets are missed", ""]
        out += [f"- {line}" for line in misses]
        out += [
            "",
            "The tables below give the figures behind these sentences; the profiles at the "
            "end show each slow path in `Network.fit`.",
            "",
        ]
    out += _ratio_section(results)
    out += _throughput_section(results)
    out += _limit_section(results)
    out += _breakdown_section(results)
    out += _gradcheck_section(results)
    out += _symbolic_section(results)
    if results.profiles:
        out += ["## Profiles of the slow paths (missed targets)", ""]
        for title, text in results.profiles:
            out += [f"### {title}", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(out).rstrip() + "\n"
