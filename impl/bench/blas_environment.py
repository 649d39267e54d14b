"""The OpenBLAS variables that force a slower kernel: the benchmark re-run without them.

``OPENBLAS_CORETYPE`` / ``OPENBLAS_L2_SIZE`` force a slower OpenBLAS kernel on this NumPy, and
OpenBLAS reads them when it is loaded, so a benchmark that finds either set re-runs itself in
a subprocess without them (:func:`rerun_without_blas_environment`), and its report says so
(:func:`blas_environment_text`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence

BLAS_ENVIRONMENT = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
#: set in the re-run subprocess: JSON of the variables removed from its environment
CHILD_MARKER = "VERIFIED_BACKPROP_BENCH_REMOVED_ENV"


def rerun_without_blas_environment(arguments: Sequence[str]) -> int | None:
    """Run ``python ARGUMENTS`` (the command again) in a subprocess without the OpenBLAS
    variables, if any is set and this is not already the re-run; its exit status, or None
    when nothing was re-run."""
    removed = {name: os.environ[name] for name in BLAS_ENVIRONMENT if name in os.environ}
    if not removed or CHILD_MARKER in os.environ:
        return None
    environment = {k: v for k, v in os.environ.items() if k not in BLAS_ENVIRONMENT}
    environment[CHILD_MARKER] = json.dumps(removed)
    print(
        f"bench: {', '.join(removed)} set; re-running in a subprocess without "
        f"{'it' if len(removed) == 1 else 'them'} (--keep-blas-env to measure as is)",
        file=sys.stderr,
    )
    command = [sys.executable, *arguments]
    return subprocess.run(command, env=environment, check=False).returncode


def removed_blas_environment() -> dict[str, str]:
    """The variables the parent removed, in the re-run subprocess ({} elsewhere)."""
    return json.loads(os.environ.get(CHILD_MARKER, "{}"))


def blas_environment_text(removed: dict[str, str] | None) -> str:
    """The report's line on the OpenBLAS variables: removed by a re-run, kept, or not set."""
    if removed:
        names = ", ".join(f"{k}={v}" for k, v in removed.items())
        plural = len(removed) > 1
        return (
            f"{names} {'were' if plural else 'was'} set; the benchmark re-ran itself in a "
            f"subprocess without {'them' if plural else 'it'} (they force a slower OpenBLAS "
            "kernel); tests and CI are unaffected"
        )
    present = [name for name in BLAS_ENVIRONMENT if name in os.environ]
    if present:
        return f"{', '.join(present)} set and KEPT (--keep-blas-env or --tiny)"
    return "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE not set: OpenBLAS chose its kernel"
