"""What the commands of both packages need from the machine: cores, atomic JSON, quiet exits.

* :func:`usable_cores` — the cores this process may run on (``taskset`` and containers
  included), the default number of proof processes and the figure the benchmark reports;
* :func:`write_json` — a command's ``--json`` output: to standard output for ``-``, else
  written atomically (a complete new file or the old one untouched), one format for every
  command;
* :func:`reader_gone` and :func:`interrupted` — the quiet exits of a command whose reader
  went away (``verified-backprop verify --list | head``: as a process stopped by SIGPIPE) or
  that Ctrl-C stopped (one line, no traceback, status 130).

It lives in :mod:`derivations` so that ``python -m derivations`` and :mod:`impl.commands` use
the same code (:mod:`impl` may import :mod:`derivations`, never the reverse); it imports
nothing of the project.  :mod:`impl.atomic` keeps its own atomic writer for the model files
(:mod:`impl.serialization` may not import :mod:`derivations`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

__all__ = [
    "BROKEN_PIPE",
    "INTERRUPTED",
    "interrupted",
    "json_text",
    "reader_gone",
    "usable_cores",
    "write_json",
    "write_text_atomically",
]

#: the exit status of a process stopped by SIGPIPE (128 + 13), as a shell reports it
BROKEN_PIPE = 128 + 13
#: the exit status of a command stopped by Ctrl-C (128 + SIGINT, as a shell reports it)
INTERRUPTED = 130


def usable_cores() -> int:
    """The number of cores this process may run on (``taskset`` and containers included)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def json_text(data: object) -> str:
    """``data`` as the commands write JSON: indented, UTF-8 characters as they are, a final
    newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_json(data: object, destination: str | Path | None) -> None:
    """Write ``data`` as JSON to ``destination`` (``-`` for standard output; None: nowhere),
    atomically, creating its folder."""
    if destination is None:
        return
    if str(destination) == "-":
        sys.stdout.write(json_text(data))
    else:
        write_text_atomically(Path(destination), json_text(data))


def write_text_atomically(target: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` through a temporary file in its folder, flushed
    to disk and then renamed over ``target`` (atomic on POSIX and Windows), creating the
    folder; if anything fails before the rename, ``target`` is as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".partial", dir=target.parent
    )
    try:
        # mkstemp makes the file private (0600); give it the permissions open() would
        mask = os.umask(0o022)
        os.umask(mask)
        os.fchmod(descriptor, 0o666 & ~mask)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def reader_gone() -> int:
    """After a BrokenPipeError on standard output: point it at /dev/null, so that Python's
    final flush at exit prints no traceback (see the Python docs, "Note on SIGPIPE"), and
    return the status of a process stopped by SIGPIPE (128 + 13)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return BROKEN_PIPE


def interrupted(who: str) -> int:
    """Say in one line that Ctrl-C stopped ``who`` (no traceback); returns 130."""
    with contextlib.suppress(OSError):  # a reader gone away as well
        sys.stdout.flush()
    print(f"\n{who}: interrupted (Ctrl-C); stopped.", file=sys.stderr, flush=True)
    return INTERRUPTED
