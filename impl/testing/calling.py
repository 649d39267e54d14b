"""Calling a user's backward pass: in this process with its own random state, or in a child.

:func:`caller` turns what the user gave (a function, or ``"FILE.py:FUNCTION"``) into one call
per case that returns what came back or the :class:`~impl.testing.isolation.Failure` (raised,
``sys.exit``, crash, time-out); :func:`location` finds the user's line in a failure.
"""

from __future__ import annotations

import inspect
import random
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from impl.testing.isolation import (
    Failure,
    Frame,
    IsolatedFunction,
    Returned,
    plain_in_process,
)

Backward = Callable[..., object]


def in_process(function: Backward) -> Callable[[list[Any]], Returned | Failure]:
    """Call ``function`` here; its exception, ``sys.exit`` or a changed NumPy error state
    stay findings (the error state is restored after every call).

    Hypothesis seeds the global ``random`` and ``numpy.random`` states for every case, which
    would make a function that draws random numbers look deterministic: the function gets its
    own states instead, seeded from the operating system and carried from call to call.
    """
    own_random = random.Random().getstate()
    own_numpy = np.random.RandomState().get_state()

    def call(args: list[Any]) -> Returned | Failure:
        nonlocal own_random, own_numpy
        saved = np.geterr()
        saved_random, saved_numpy = random.getstate(), np.random.get_state()
        random.setstate(own_random)
        np.random.set_state(own_numpy)
        start = time.perf_counter()
        try:
            value = plain_in_process(function(*args))
        except SystemExit as stop:
            return Failure("exit", f"called sys.exit({stop.code!r})")
        except Exception as error:  # the user's code: its exception and where it was raised
            frames = tuple(
                Frame(f.filename, f.lineno or 0, f.name, f.line or "")
                for f in traceback.extract_tb(error.__traceback__)
                if Path(f.filename).resolve() != _HERE
            )
            text = (
                f"raised {type(error).__name__}: {error}"
                if str(error)
                else (f"raised {type(error).__name__}")
            )
            return Failure("raised", text, frames)
        finally:
            np.seterr(**saved)
            own_random, own_numpy = random.getstate(), np.random.get_state()
            random.setstate(saved_random)
            np.random.set_state(saved_numpy)
        return Returned(value, time.perf_counter() - start)

    return call


_HERE = Path(__file__).resolve()


def location(failure: Failure, user_file: str | None) -> str:
    """file:line of the user's frame (the deepest in their file, else the deepest)."""
    if not failure.frames:
        return ""
    frames = list(failure.frames)
    if user_file is not None:
        mine = [f for f in frames if Path(f.file).resolve() == Path(user_file).resolve()]
        if mine:
            frames = mine
    last = frames[-1]
    code = f": {last.code}" if last.code else ""
    return f"{last.file}:{last.line} (in {last.function}{code})"


def caller(
    backward: Backward | str, isolate: bool | None, timeout: float, memory: int
) -> tuple[Callable[[list[Any]], Returned | Failure], IsolatedFunction | None, str | None]:
    """(call, the child if isolated, the user's file)."""
    if isinstance(backward, str):
        file_name, separator, function_name = backward.rpartition(":")
        if not separator or not file_name or not function_name:
            raise ValueError(f"expected FILE.py:FUNCTION, got {backward!r}")
        isolated = IsolatedFunction(Path(file_name), function_name, timeout, memory)
        return (lambda args: isolated.call(*args)), isolated, str(isolated.path)
    if not callable(backward):
        raise TypeError(f"backward is a {type(backward).__name__}, not a function")
    if isolate:
        source = inspect.getsourcefile(backward)  # type: ignore[arg-type]
        name = getattr(backward, "__qualname__", "")
        if source is None or not name.isidentifier():
            raise ValueError(
                "isolate=True needs a function defined at the top level of a .py file; "
                'pass "FILE.py:FUNCTION" instead'
            )
        return caller(f"{source}:{name}", None, timeout, memory)
    file_name = getattr(getattr(backward, "__code__", None), "co_filename", None)
    return in_process(backward), None, file_name
