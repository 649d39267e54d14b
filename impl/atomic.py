"""Atomic file writing: a complete new file, or the old one untouched.

``write_atomically(target, write)`` lets ``write`` fill a temporary file created in the
target's own folder (so both are on one file system), flushes it to disk, and only then
renames it over ``target`` with ``os.replace``, which POSIX and Windows perform atomically.
If ``write`` or anything before the rename fails, the temporary file is removed and
``target`` (if it existed) is exactly as before: a failed save never loses a model.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomically(target: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Write ``target`` through ``write(handle)`` on a temporary file, then rename it over."""
    if not target.parent.is_dir():  # else the error would name the temporary file
        raise FileNotFoundError(
            f"cannot write {str(target)!r}: the folder {str(target.parent)!r} does not exist "
            "(create it first)"
        )
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".partial", dir=target.parent
    )
    try:
        # mkstemp makes the file private (0600); give it the permissions any new file gets
        # (0666 less the umask), as open() would
        os.fchmod(descriptor, 0o666 & ~_umask())
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    """The process's umask, read by setting it and setting it back at once (Python 3.11 has
    no way to read it alone; a file another thread creates in between gets umask 022)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text_atomically(target: Path, text: str) -> Path:
    """Write ``text`` (UTF-8, newlines as given) to ``target`` atomically, creating its folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomically(target, lambda handle: handle.write(text.encode("utf-8")))
