"""Where a command's JSON goes: ``--json PATH`` or ``--json -`` (standard output)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def write_json(data: object, destination: str | None) -> None:
    """Write ``data`` as JSON to ``destination`` (``-`` for standard output; None: nowhere)."""
    if destination is None:
        return
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if destination == "-":
        sys.stdout.write(text)
    else:
        Path(destination).write_text(text, encoding="utf-8")
