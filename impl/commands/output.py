"""Where a command's JSON goes: ``--json PATH`` or ``--json -`` (standard output)."""

from __future__ import annotations

from pathlib import Path

from derivations import host
from impl.validation import check_output_file


def check_json_destination(destination: str | None) -> None:
    """Refuse, before any work, a ``--json`` path that cannot be written (ValueError naming
    it and why); its folder is created when it is written."""
    if destination not in (None, "-"):
        check_output_file("--json", Path(destination))


def write_json(data: object, destination: str | None) -> None:
    """Write ``data`` as JSON to ``destination`` (``-`` for standard output; None: nowhere),
    atomically, creating the folder (check it first with :func:`check_json_destination`):
    :func:`derivations.host.write_json`, which ``verify`` uses too."""
    host.write_json(data, destination)
