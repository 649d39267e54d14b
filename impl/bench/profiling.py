"""Profiles of the code behind missed speed targets, as text for the report.

:func:`profile_text` profiles one call (pyinstrument when installed, else cProfile);
:func:`profiles_of_missed_targets` profiles each code path behind a missed target once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from impl.bench.gradcheck import gradcheck_problem
from impl.bench.targets import Target
from impl.bench.training import LEARNING_RATE

#: epochs of the profiled fit
PROFILE_EPOCHS = 3


def profile_text(function: Callable[[], object], lines: int = 45) -> str:
    """A profile of one call: pyinstrument if installed, otherwise cProfile (top entries)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(function)
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(20)
        text = "cProfile (pyinstrument is not installed), sorted by own time\n" + stream.getvalue()
    else:
        profiler = Profiler(interval=0.0002)
        profiler.start()
        function()
        profiler.stop()
        session = profiler.last_session
        header = f"pyinstrument, {session.sample_count} samples, {session.duration:.3f} s"
        body = profiler.output_text(unicode=False, color=False).splitlines()
        start = next((i for i, line in enumerate(body) if line[:1].isdigit()), 0)
        text = "\n".join([header, *body[start:]])
    text = text.replace(f"{Path.cwd()}{os.sep}", "")  # paths relative to the working directory
    kept = [line for line in text.splitlines() if line.strip()]
    if len(kept) > lines:
        kept = [*kept[:lines], f"... ({len(kept) - lines} more lines)"]
    return "\n".join(kept)


def profiles_of_missed_targets(
    targets: Sequence[Target], data: dict[str, Any], threads: int
) -> list[tuple[str, str]]:
    """Profiles of the code paths behind the missed targets (each path once)."""
    from impl.network import Network

    profiles, seen = [], set()
    for target in targets:
        if target.met is not False or not target.profile_key or target.profile_key in seen:
            continue
        seen.add(target.profile_key)
        kind = target.profile_key[0]
        if kind == "training":
            _, dtype, batch = target.profile_key
            training = data[dtype]
            net = Network([784, 30, 10], seed=0, dtype=training.rows.dtype)

            def epoch(net: Network = net, training: Any = training, batch: int = batch) -> None:
                net.fit(
                    training.rows.T,
                    training.target_rows.T,
                    epochs=PROFILE_EPOCHS,
                    batch_size=batch,
                    learning_rate=LEARNING_RATE,
                    progress=False,
                    blas_threads=threads,
                )

            epoch()  # warm-up
            title = f"impl, Network.fit for {PROFILE_EPOCHS} epochs, {dtype}, mini-batch {batch}"
            profiles.append((title, profile_text(epoch)))
        elif kind == "gradcheck":
            from impl.gradcheck import check_gradients

            problem = gradcheck_problem()
            title = "impl, check_gradients (central differences) of 784-30-10"
            profiles.append(
                (title, profile_text(lambda problem=problem: check_gradients(*problem)))
            )
    return profiles
