"""Run a user's function in a child process: every way it can fail is a finding, never ours.

:class:`IsolatedFunction` starts a fresh interpreter (``python -s impl/testing/_worker.py``,
which imports only the standard library and NumPy), loads ``FUNCTION`` from ``FILE.py`` there
and keeps that child for every call (starting Python and NumPy once, not per call); a child
that died is started again at the next call.  Arguments go to the child and results come
back as plain data over a pipe (:mod:`impl.testing._worker`: a JSON header and raw array
bytes, never pickle), and the parent checks every size and dtype before it reads them.  The
verdict is computed here, in a process the user's code never ran in, so a submission that
patches NumPy or this project's modules changes nothing but its own child.

What a call can come to (:class:`Returned` or :class:`Failure`, ``kind``):

* ``raised`` — an exception (``KeyboardInterrupt`` too), with its type, message (or that it
  could not be printed) and frames (file and line);
* ``exit`` — ``sys.exit`` (caught in the child) or ``os._exit`` (the child ends), or pipes
  to the checker that the user's code closed (the child then ends with
  :data:`_worker.CONNECTION_LOST`);
* ``crash`` — the child killed by a signal (a segmentation fault, for instance);
* ``timeout`` — no answer within ``timeout`` seconds (the child is killed);
* ``memory`` — ``MemoryError`` under the child's address-space limit (``RLIMIT_AS``);
* ``load`` — the file is missing, fails to import, or has no such function;
* ``protocol`` — the child answered with something that is not the format.

The child runs with standard output and error sent to ``/dev/null`` (a submission that prints
a lot costs nothing), one BLAS thread, and its folder as the working directory.  **This is
process isolation, not a security sandbox**: the child runs with the user's own rights and can
read and write their files, open the network and start processes.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from impl.testing import _worker

__all__ = [
    "DEFAULT_MEMORY",
    "DEFAULT_TIMEOUT",
    "Failure",
    "IsolatedFunction",
    "Returned",
    "decode",
    "encode",
]

#: seconds one call (and the import of the file) may take
DEFAULT_TIMEOUT = 10.0
#: the child's address-space limit in bytes (Python, NumPy and the user's arrays)
DEFAULT_MEMORY = 2 << 30
#: the most bytes of arrays a reply may carry (a gradient of these sizes is a few kB)
MAX_REPLY_BYTES = 256 << 20
WORKER = Path(_worker.__file__).resolve()


@dataclass(frozen=True)
class Frame:
    """One frame of a user's traceback."""

    file: str
    line: int
    function: str
    code: str


@dataclass(frozen=True)
class Failure:
    """A call (or the load) that gave no value: what happened, in words, and where."""

    kind: str
    message: str
    frames: tuple[Frame, ...] = ()

    @property
    def process_lost(self) -> bool:
        """The child is gone (or useless): exit, crash, timeout, memory, load, protocol."""
        return self.kind != "raised"


@dataclass(frozen=True)
class Returned:
    """A call that returned: its value as plain data (lists, dicts, arrays, None, errors)."""

    value: Any
    seconds: float = 0.0


@dataclass
class _Child:
    process: subprocess.Popen
    to_child: int
    from_child: int


@dataclass
class IsolatedFunction:
    """``FUNCTION`` from ``FILE.py``, called in a child process (module docstring)."""

    path: Path
    function: str
    timeout: float = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY
    _child: _Child | None = field(default=None, repr=False)
    #: how many times a child was started
    starts: int = 0

    def __post_init__(self) -> None:
        self.path = Path(self.path).resolve()

    # -- the child's life ------------------------------------------------------------

    def load(self) -> Failure | None:
        """Start the child and import the file (None when the function is ready)."""
        if self._child is not None:
            return None
        if self.path.is_dir():
            return Failure("load", f"{self.path} is a folder, not a Python file")
        if not self.path.is_file():
            return Failure("load", f"no such file: {self.path}")
        parent_reads, child_writes = os.pipe()
        child_reads, parent_writes = os.pipe()
        environment = dict(os.environ)
        for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            environment[variable] = "1"
        environment["PYTHONDONTWRITEBYTECODE"] = "1"  # no __pycache__ in a student's folder
        try:
            process = subprocess.Popen(
                [
                    *(sys.executable, "-s", str(WORKER)),
                    *(str(child_reads), str(child_writes), str(self.memory)),
                ],
                pass_fds=(child_reads, child_writes),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=self.path.parent,
                env=environment,
                start_new_session=True,  # its own process group: killed with everything it ran
            )
        finally:
            os.close(child_reads)
            os.close(child_writes)
        self._child = _Child(process, parent_writes, parent_reads)
        self.starts += 1
        reply = self._exchange({"op": "load", "path": str(self.path), "function": self.function})
        if isinstance(reply, Failure):
            self.close()
            if reply.kind in ("exit", "crash", "timeout", "memory", "raised"):
                return Failure("load", f"{self.path.name} at import: {reply.message}", reply.frames)
            return reply
        header, _ = reply
        problem = _load_problem(header, self.path.name)
        if problem is not None:
            self.close()
        return problem

    def close(self) -> None:
        """Stop the child (and anything it started) and release the pipes."""
        child, self._child = self._child, None
        if child is None:
            return
        for fd in (child.to_child, child.from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(timeout=5)

    def __enter__(self) -> IsolatedFunction:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- calls -------------------------------------------------------------------------

    def call(self, *args: Any) -> Returned | Failure:
        """``FUNCTION(*args)`` in the child (arguments: arrays, ints, lists, dicts)."""
        problem = self.load()
        if problem is not None:
            return problem
        start = time.perf_counter()
        arrays: list[np.ndarray] = []
        trees = [encode(argument, arrays) for argument in args]
        reply = self._exchange({"op": "call", "args": trees}, arrays)
        if isinstance(reply, Failure):
            if reply.process_lost:
                self.close()
            return reply
        header, values = reply
        seconds = time.perf_counter() - start
        if "exit" in header:
            self.close()
            return Failure("exit", f"called sys.exit({header['exit']!r})")
        if "raised" in header:
            return _raised(header["raised"], self.memory)
        if "result" not in header:
            self.close()
            return Failure("protocol", "the child answered without a result")
        try:
            return Returned(decode(header["result"], values), seconds)
        except (ValueError, KeyError, TypeError, IndexError) as error:
            self.close()
            return Failure("protocol", f"the child's answer is malformed ({error})")

    def _exchange(
        self, header: dict, arrays: list[np.ndarray] | None = None
    ) -> tuple[dict, list[np.ndarray]] | Failure:
        child = self._child
        assert child is not None
        deadline = time.monotonic() + self.timeout
        try:
            _worker.write_message(child.to_child, header, arrays or [])
            return _read_reply(child.from_child, deadline)
        except TimeoutError:
            self.close()
            return Failure("timeout", f"gave no answer within {self.timeout:g} s (stopped)")
        except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
            return self._ended(child)
        except (ValueError, KeyError, TypeError, json.JSONDecodeError, struct.error) as error:
            self.close()
            return Failure("protocol", f"the child's answer is malformed ({error})")

    def _ended(self, child: _Child) -> Failure:
        """The child closed the pipe: how it ended."""
        try:
            status = child.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.close()
            return Failure("protocol", "closed its connection to the checker (stopped)")
        self.close()
        if status < 0:
            name = _signal_name(-status)
            return Failure("crash", f"crashed: the process was killed by {name}")
        if status == _worker.CONNECTION_LOST:
            return Failure(
                "exit",
                "cut the process's connection to the checker (the pipes it answers on were "
                "closed, e.g. by closing file descriptors it did not open), so no answer could "
                "come back",
            )
        return Failure("exit", f"ended the process with exit status {status} (os._exit or exit)")


def _signal_name(number: int) -> str:
    try:
        name = signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
    meaning = {
        "SIGSEGV": "a segmentation fault",
        "SIGKILL": "SIGKILL (out of memory?)",
        "SIGABRT": "an abort",
        "SIGBUS": "a bus error",
        "SIGFPE": "a floating-point exception",
    }
    return f"{name}, {meaning[name]}" if name in meaning else name


def _load_problem(header: dict, file_name: str) -> Failure | None:
    if header.get("ok") is True:
        return None
    if "load_error" in header:
        return Failure("load", f"{file_name} {header['load_error']}")
    if "exit" in header:
        return Failure("load", f"{file_name} called sys.exit({header['exit']!r}) at import")
    if "raised" in header:
        failure = _raised(header["raised"], 0)
        return Failure("load", f"{file_name} fails to import: {failure.message}", failure.frames)
    return Failure("protocol", "the child answered the load without a result")


def _raised(data: dict, memory: int) -> Failure:
    frames = tuple(
        Frame(str(file), int(line), str(name), str(code))
        for file, line, name, code in data.get("frames", [])[-50:]
        if Path(str(file)).resolve() != WORKER
    )
    kind, message = str(data.get("type", "Exception")), str(data.get("message", ""))
    text = f"raised {kind}: {message}" if message else f"raised {kind}"
    if data.get("unprintable"):
        text = f"raised {kind} (its message could not be printed: its __str__ raised)"
    if kind == "MemoryError" and memory:
        return Failure("memory", f"{text} (the memory limit is {memory / 2**30:g} GiB)", frames)
    return Failure("raised", text, frames)


def _read_exact(fd: int, count: int, deadline: float) -> bytes:
    chunks = []
    while count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            raise TimeoutError
        chunk = os.read(fd, min(count, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def _read_reply(fd: int, deadline: float) -> tuple[dict, list[np.ndarray]]:
    (length,) = struct.unpack(">Q", _read_exact(fd, 8, deadline))
    if length > _worker.MAX_HEADER:
        raise ValueError(f"a header of {length} bytes")
    header = json.loads(_read_exact(fd, length, deadline).decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError("the header is not an object")
    specs = header.get("arrays", [])
    if not isinstance(specs, list):
        raise ValueError("the arrays are not a list")
    total = 0
    arrays = []
    for spec in specs:
        dtype, shape, nbytes = str(spec["dtype"]), spec["shape"], int(spec["nbytes"])
        if dtype not in _worker.WIRE_DTYPES:
            raise ValueError(f"dtype {dtype!r}")
        if not isinstance(shape, list) or not all(
            isinstance(n, int) and 0 <= n < 2**31 for n in shape
        ):
            raise ValueError(f"shape {shape!r}")
        if int(np.prod(shape, dtype=np.float64)) * np.dtype(dtype).itemsize != nbytes:
            raise ValueError(f"{nbytes} bytes for shape {shape} of {dtype}")
        total += nbytes
        if total > MAX_REPLY_BYTES:
            raise ValueError(f"more than {MAX_REPLY_BYTES} bytes of arrays")
        data = _read_exact(fd, nbytes, deadline)
        wire = np.frombuffer(data, dtype=np.dtype(dtype).newbyteorder("<"))
        arrays.append(wire.astype(np.dtype(dtype), copy=True).reshape(tuple(shape)))
    return header, arrays


def encode(value: Any, arrays: list[np.ndarray]) -> dict:
    """An argument as a tree for the child (arrays appended to ``arrays``)."""
    if isinstance(value, bool | np.bool_):
        raise TypeError("a bool argument")
    if isinstance(value, int | np.integer):
        return {"i": int(value)}
    if isinstance(value, np.ndarray):
        arrays.append(value)
        return {"a": len(arrays) - 1}
    if isinstance(value, list | tuple):
        return {"l": [encode(entry, arrays) for entry in value]}
    if isinstance(value, dict):
        return {"d": [[str(key), encode(entry, arrays)] for key, entry in value.items()]}
    if value is None:
        return {"n": None}
    raise TypeError(f"cannot send a {type(value).__name__} to the child")


def decode(tree: Any, arrays: list[np.ndarray]) -> Any:
    """A result tree from the child as Python values: lists, dicts (str keys), arrays, None,
    and :class:`Unreadable` for values that were not numbers."""
    if not isinstance(tree, dict) or len(tree) != 1:
        raise ValueError("a value that is not a tree node")
    ((tag, content),) = tree.items()
    if tag == "a":
        return arrays[int(content)]
    if tag == "l":
        return [decode(entry, arrays) for entry in content]
    if tag == "d":
        return {str(key): decode(entry, arrays) for key, entry in content}
    if tag == "n":
        return None
    if tag == "e":
        return Unreadable(str(content)[:300])
    raise ValueError(f"an unknown tree node {tag!r}")


@dataclass(frozen=True)
class Unreadable:
    """A part of a result that is not numbers (say why: ``reason``)."""

    reason: str


def plain_in_process(value: Any) -> Any:
    """The same plain data :class:`IsolatedFunction` gives, for a value returned in this
    process (the in-process check reads results exactly as the isolated one does)."""
    arrays: list[np.ndarray] = []
    tree = _worker.plain(value, arrays)
    return decode(tree, arrays)
