"""Where a command's JSON goes: ``--json PATH`` or ``--json -`` (standard output)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from impl.atomic import write_text_atomically
from impl.validation import check_output_file


def check_json_destination(destination: str | None) -> None:
    """Refuse, before any work, a ``--json`` path that cannot be written (ValueError naming
    it and why); its folder is created when it is written."""
    if destination not in (None, "-"):
        check_output_file("--json", Path(destination))


def write_json(data: object, destination: str | None) -> str | None:
    """Write ``data`` as JSON to ``destination`` (``-`` for standard output; None: nowhere),
    atomically, creating the folder (check it first with :func:`check_json_destination`).
    Returns None, or one line saying why the file could not be written (a disk that filled up
    since the check, say): the command then exits 2, as for the same path refused at once."""
    if destination is None:
        return None
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if destination == "-":
        sys.stdout.write(text)
        return None
    try:
        write_text_atomically(Path(destination), text)
    except OSError as error:
        return f"--json {destination!r} cannot be written: {error.strerror or error}"
    return None
