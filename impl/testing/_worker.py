"""The child side of :mod:`impl.testing.isolation`: load a user's function, call it, send
back plain data.

Run as a script (``python -s _worker.py READ_FD WRITE_FD MEMORY_BYTES``), never imported by
the child: it needs only the standard library and NumPy, so the child imports nothing of this
project (a submission that patches our modules patches copies it loaded itself, never the
process that judges it).  The parent imports :func:`plain` and the framing functions from
here too, so both sides read and write one format.

**Format.**  A message is an 8-byte big-endian length, a UTF-8 JSON header of that length,
then the raw bytes of each array the header lists (``{"dtype", "shape", "nbytes"}``, C order,
little-endian).  Values are trees: ``{"a": i}`` (array i), ``{"l": [...]}`` (a list or
tuple), ``{"d": [[key, value], ...]}`` (a dict), ``{"i": n}`` (a Python int argument),
``{"n": null}`` (None), ``{"e": "why"}`` (a value that is not numbers).  No pickle, in either
direction: the parent validates every header and size before it believes them.
"""

from __future__ import annotations

import json
import os
import struct
import sys
import traceback
from typing import Any

#: dtypes an array may have on the wire (the child converts long double to float64/complex128)
WIRE_DTYPES = frozenset(
    [
        *("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"),
        *("float16", "float32", "float64", "complex64", "complex128"),
    ]
)
#: the most entries a list or dict of a result may have, and the deepest nesting
MAX_ENTRIES = 1000
MAX_DEPTH = 8
#: the largest header, in bytes
MAX_HEADER = 1 << 20
#: the child's exit status when it can no longer read or write its pipes (the user's code
#: closed their file descriptors, say): the parent names that cause instead of an exit status
CONNECTION_LOST = 86


# ----------------------------------------------------------------------------- framing


def write_message(fd: int, header: dict, arrays: list) -> None:
    """Send ``header`` (JSON) and ``arrays`` (NumPy arrays) on the file descriptor ``fd``."""
    import numpy as np

    raw = []
    described = []
    for array in arrays:
        contiguous = np.ascontiguousarray(array)
        if contiguous.dtype.byteorder == ">":
            contiguous = contiguous.astype(contiguous.dtype.newbyteorder("<"))
        data = contiguous.tobytes()
        described.append(
            {"dtype": contiguous.dtype.name, "shape": list(contiguous.shape), "nbytes": len(data)}
        )
        raw.append(data)
    text = json.dumps({**header, "arrays": described}, allow_nan=True).encode("utf-8")
    _write_all(fd, struct.pack(">Q", len(text)) + text)
    for data in raw:
        _write_all(fd, data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


# ------------------------------------------------------------------------ plain values


def plain(value: Any, arrays: list, depth: int = 0) -> Any:
    """The tree of ``value`` (module docstring), appending its arrays to ``arrays``.

    Lists, tuples and dicts keep their structure (iterated, never trusted for ``len``); any
    other value is read with ``numpy.asarray`` — a value that cannot be (its ``__array__``
    raises, it holds objects or strings) becomes ``{"e": why}``, never an exception.
    """
    import numpy as np

    if depth > MAX_DEPTH:
        return {"e": f"nested more than {MAX_DEPTH} levels deep"}
    if value is None:
        return {"n": None}
    if isinstance(value, dict):
        items = []
        try:
            for key, entry in value.items():
                if len(items) >= MAX_ENTRIES:
                    return {"e": f"a dict of more than {MAX_ENTRIES} entries"}
                items.append([str(key), plain(entry, arrays, depth + 1)])
        except Exception as error:
            return {"e": f"a {type(value).__name__} that cannot be read ({_one_line(error)})"}
        return {"d": items}
    if isinstance(value, list | tuple):
        entries = []
        try:
            for entry in iter(value):
                if len(entries) >= MAX_ENTRIES:
                    return {"e": f"a sequence of more than {MAX_ENTRIES} entries"}
                entries.append(plain(entry, arrays, depth + 1))
        except Exception as error:
            return {"e": f"a {type(value).__name__} that cannot be read ({_one_line(error)})"}
        return {"l": entries}
    try:
        array = np.array(value, copy=True)
    except Exception as error:
        return {"e": f"a {type(value).__name__} that is not an array ({_one_line(error)})"}
    if array.dtype == np.longdouble:
        array = array.astype(np.float64)
    elif array.dtype == np.clongdouble:
        array = array.astype(np.complex128)
    if array.dtype.name not in WIRE_DTYPES:
        return {"e": f"a {type(value).__name__} of {array.dtype} (not numbers)"}
    arrays.append(array)
    return {"a": len(arrays) - 1}


def _one_line(error: BaseException) -> str:
    message = printed(error)
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text.splitlines()[0][:300] if text else type(error).__name__


def printed(error: BaseException) -> str | None:
    """``str(error)``, or None when that raises (an ``__str__`` of its own that fails)."""
    try:
        return str(error)
    except BaseException:  # its __str__ is the user's code: any failure of it
        return None


def describe_exception(error: BaseException) -> dict:
    """The exception as data: type, message, and its frames (file, line, function, code).

    A message that cannot be printed is ``unprintable``; a ``SyntaxError`` gets the line it
    names as its last frame (the import machinery's frames say nothing of where it is).
    """
    frames = traceback.extract_tb(error.__traceback__)
    message = printed(error)
    data = {
        "type": type(error).__name__,
        "message": "" if message is None else message[:2000],
        "frames": [[f.filename, f.lineno or 0, f.name, (f.line or "")[:300]] for f in frames],
    }
    if message is None:
        data["unprintable"] = True
    if isinstance(error, SyntaxError) and isinstance(error.filename, str):
        text = error.text if isinstance(error.text, str) else ""
        line = error.lineno if isinstance(error.lineno, int) else 0
        data["frames"].append([error.filename, line, "<module>", text.strip()[:300]])
    return data


# ------------------------------------------------------------------------- the child


def _read_exact(fd: int, count: int) -> bytes:
    chunks = []
    while count:
        chunk = os.read(fd, min(count, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def _read_request(fd: int) -> tuple[dict, list]:
    import numpy as np

    (length,) = struct.unpack(">Q", _read_exact(fd, 8))
    header = json.loads(_read_exact(fd, length))
    arrays = []
    for spec in header.get("arrays", []):
        data = _read_exact(fd, spec["nbytes"])
        arrays.append(np.frombuffer(data, dtype=spec["dtype"]).reshape(spec["shape"]).copy())
    return header, arrays


def _build(tree: Any, arrays: list) -> Any:
    if "a" in tree:
        return arrays[tree["a"]]
    if "l" in tree:
        return [_build(entry, arrays) for entry in tree["l"]]
    if "d" in tree:
        return {key: _build(entry, arrays) for key, entry in tree["d"]}
    if "i" in tree:
        return int(tree["i"])
    return None


def _serve(read_fd: int, write_fd: int) -> None:
    import numpy as np

    function = None
    # every call starts from NumPy's default error state, whatever an earlier call set
    initial = np.geterr()
    while True:
        try:
            request, arrays = _read_request(read_fd)
        except EOFError:
            return
        if request["op"] == "load":
            reply = _load(request["path"], request["function"])
            if isinstance(reply, dict):
                write_message(write_fd, reply, [])
                continue
            function = reply
            write_message(write_fd, {"ok": True}, [])
        elif request["op"] == "call":
            args = [_build(tree, arrays) for tree in request["args"]]
            np.seterr(**initial)
            try:
                result = function(*args)
            except SystemExit as stop:
                write_message(write_fd, {"exit": _exit_code(stop)}, [])
                continue
            except BaseException as error:  # KeyboardInterrupt too: raised by the user's code
                # (Ctrl-C never reaches this child: it runs in a session of its own)
                write_message(write_fd, {"raised": describe_exception(error)}, [])
                continue
            out: list = []
            try:
                tree = plain(result, out)
            except Exception as error:  # a patched NumPy, a broken object: its own finding
                write_message(write_fd, {"raised": describe_exception(error)}, [])
                continue
            write_message(write_fd, {"result": tree}, out)


def _exit_code(stop: SystemExit) -> object:
    code = stop.code
    return code if code is None or isinstance(code, int) else str(code)[:300]


def _load(path: str, name: str) -> Any:
    """The function ``name`` from the file ``path``, or a reply saying why not."""
    import importlib.util

    directory = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, directory)  # its own modules, as `python FILE.py` would find them
    spec = importlib.util.spec_from_file_location("submission", path)
    if spec is None or spec.loader is None:
        return {"load_error": f"cannot load {path} as Python"}
    module = importlib.util.module_from_spec(spec)
    sys.modules["submission"] = module
    try:
        spec.loader.exec_module(module)
    except SystemExit as stop:
        return {"exit": _exit_code(stop), "at_import": True}
    except BaseException as error:  # its import failed: say how
        return {"raised": describe_exception(error), "at_import": True}
    if not hasattr(module, name):
        return {"load_error": f"has no function {name!r}"}
    function = getattr(module, name)
    if not callable(function):
        return {"load_error": f"{name} is not callable"}
    return function


def main() -> None:
    """The child: limit its memory, then serve load and call requests until EOF."""
    # the script's own folder (impl/testing) is not a place to import from
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    read_fd, write_fd, memory = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    if memory > 0:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    import numpy  # noqa: F401  (before the user's code, under the memory limit)

    try:
        _serve(read_fd, write_fd)
    except OSError:  # the pipes to the checker are gone: the user's code closed them
        os._exit(CONNECTION_LOST)


if __name__ == "__main__":
    main()
