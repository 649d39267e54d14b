"""The machine a benchmark ran on, as the report's first table: CPU, load, BLAS, peers, kernels.

Each function reads one fact of this process or machine and returns it as text;
:func:`machine_rows` puts them in the order the report shows.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info

from impl import kernels
from impl.bench.training import KERNEL_CACHE_STATE, KERNEL_COMPILE_SECONDS, SIZES


def cpu_model() -> str:
    """The CPU's ``model name`` from /proc/cpuinfo (platform.processor() elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def kernels_text() -> str:
    """Which path impl's fit took: the compiled kernels (with their compile time) or NumPy."""
    if not kernels.AVAILABLE:
        return "numba not installed: NumPy only (pip install '.[fast]' for the kernels)"
    if kernels.mode() != "auto":
        return f"mode {kernels.mode()!r} chosen"
    ready = ", ".join(
        f"{name} {KERNEL_CACHE_STATE.get(name, '?')}: {seconds:.2f} s"
        for name, seconds in KERNEL_COMPILE_SECONDS.items()
    )
    return (
        f"numba {kernels.numba.__version__}; disk cache {kernels.CACHE_FOLDER or 'off'}; made "
        f"ready before timing ({ready or 'not needed'}; cold: compiled and written to the "
        "cache, warm: loaded from it), as JAX's jit compiles in its warm-up; fit (mode auto) "
        "runs steps of at most "
        f"{kernels.AUTO_MAX_ACTIVATIONS} activations (m ≤ {kernels.largest_small_batch(SIZES)} "
        "here) in the compiled loop (impl.kernels.train_steps), larger ones on NumPy"
    )


def cache_state() -> str:
    """The disk cache's state as the timed fits met it: warm, or cold (compiled by the bench)."""
    if not kernels.AVAILABLE or kernels.CACHE_FOLDER is None:
        return "off"
    states = set(KERNEL_CACHE_STATE.values())
    if not states:
        return "not used"
    return "warm" if states == {"warm"} else "warm (written by this run's warm-up; was cold)"


def blas_description() -> str:
    """NumPy's BLAS as threadpoolctl sees it: library, version, kernel, threading."""
    numpy_dir = Path(np.__file__).parent.parent
    entries = [e for e in threadpool_info() if e.get("user_api") == "blas"]
    own = [e for e in entries if Path(e.get("filepath", "")).is_relative_to(numpy_dir)]
    descriptions = []
    for entry in own or entries[:1]:
        descriptions.append(
            f"{entry.get('internal_api')} {entry.get('version')}, kernel "
            f"{entry.get('architecture', '?')}, {entry.get('threading_layer', '?')} threading "
            f"({Path(entry.get('filepath', '')).name})"
        )
    return "; ".join(descriptions) or "unknown (threadpoolctl found no BLAS)"


def torch_description(threads: int, installed: bool) -> str:
    """PyTorch's version, BLAS and CPU capability (or 'not installed' unless ``installed``)."""
    if not installed:
        return 'not installed (pip install -e ".[bench]")'
    import torch

    blas = "MKL" if torch.backends.mkl.is_available() else "its bundled BLAS"
    capability = torch.backends.cpu.get_cpu_capability()
    return (
        f"{torch.__version__}, {blas} (CPU capability {capability}), "
        f"torch.set_num_threads({threads})"
    )


def load_average() -> str:
    """The 1/5/15-minute load averages."""
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:  # pragma: no cover
        return "unknown"


def machine_rows(
    *,
    date: str,
    command: str,
    mode: str,
    usable_cpus: int,
    load_before: str,
    threads: int,
    torch_text: str,
    jax_text: str,
    blas_environment: str,
) -> list[tuple[str, str]]:
    """The report's machine table, (what, value) rows, read at the end of a run."""
    return [
        ("date", date),
        ("command", f"`{command}`"),
        ("mode", mode),
        ("CPU", f"{cpu_model()}, {os.cpu_count()} logical CPUs ({usable_cpus} usable)"),
        ("load average (1/5/15 min)", f"{load_before} at the start, {load_average()} at the end"),
        ("Python", platform.python_version()),
        ("NumPy", f"{np.__version__}; BLAS: {blas_description()}"),
        ("PyTorch", torch_text),
        ("JAX", jax_text),
        (
            "threads",
            f"{threads} (NumPy's BLAS via threadpoolctl, PyTorch via set_num_threads, XLA via "
            "XLA_FLAGS); impl's whole fit uses fit's default, one BLAS thread",
        ),
        ("impl kernels", kernels_text()),
        ("timer", "CPU time of the process (time.process_time) for training rates"),
        ("BLAS environment", blas_environment),
    ]
