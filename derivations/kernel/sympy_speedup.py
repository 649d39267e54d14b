"""One SymPy property remembered instead of recomputed: ``free_symbols`` of a Sum.

SymPy 1.14's ``ExprWithLimits.free_symbols`` (the free symbols of a ``Sum``, ``Product``
or ``Integral``) renames its limit variables by ``function.xreplace(reps)``, which walks and
rebuilds the whole body, on every call.  SymPy asks for it on every assumption query
(``is_number``, ``is_positive``, …) and never caches it, so a sum nested d deep is walked
d times per query; for the whole-network claims this was more than half the time of a
proof (``network_softmax_ce_3_hidden``: 29 s of CPU → 12 s).

:func:`install` replaces the property by :func:`_sum_free_symbols`, which calls SymPy's own
code once per *object* (by identity, not by equality: two equal objects are asked
separately) and returns a new copy of the remembered set each time.  SymPy's objects are
immutable and its code is a deterministic function of the object, so the answer is the one
SymPy's property gives (tested against it on generated sums, evaluated or not,
tests/test_sympy_speedup.py).  The memory is bounded (:data:`MEMO_SIZE` answers, the oldest
dropped first); an entry keeps its object alive, so its id is never reused while the entry
lives.  It is installed only when SymPy's property is exactly the code it was checked
against (:data:`CHECKED_SOURCE_SHA256`); any other SymPy keeps its own property.

Importing the library installs nothing: the entry points (the ``verified-backprop``
command, ``python -m derivations``, the proof workers and the test configuration) call
:func:`install_unless_disabled`, which leaves SymPy untouched when the environment variable
``VERIFIED_BACKPROP_SYMPY_MEMO`` is ``off`` (or ``0``, ``no``, ``false``).
"""

from __future__ import annotations

import hashlib
import inspect
import os
import textwrap
import threading

import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits

__all__ = [
    "CHECKED_SOURCE_SHA256",
    "DISABLE_VARIABLE",
    "MEMO_SIZE",
    "install",
    "install_unless_disabled",
    "installed",
    "original_free_symbols",
]

#: sha256 of the source of SymPy 1.14's ExprWithLimits.free_symbols, the code remembered
CHECKED_SOURCE_SHA256 = "bca15049f5eb6a99b0b41ad2c3adf574fee484eb6990e5cb9123b4daf784cba4"

#: SymPy's own getter, kept for the tests and for :func:`install`'s check
original_free_symbols = ExprWithLimits.free_symbols.fget


def _source_sha256(function: object) -> str:
    source = textwrap.dedent(inspect.getsource(function))  # type: ignore[arg-type]
    return hashlib.sha256(source.encode()).hexdigest()


#: Sum (or Integral, Product) object -> its free symbols, by identity; the object is kept
#: with its answer, so its id cannot be reused while the entry lives
_MEMO: dict[int, tuple[ExprWithLimits, frozenset[sp.Basic]]] = {}

#: how many answers are kept (the oldest is dropped first): bounded memory in a long run
MEMO_SIZE = 20_000
_MEMO_LOCK = threading.Lock()


def _sum_free_symbols(self: ExprWithLimits) -> set[sp.Basic]:
    """SymPy's own ``free_symbols`` of this very object, computed once and remembered."""
    hit = _MEMO.get(id(self))
    if hit is not None and hit[0] is self:
        return set(hit[1])  # a new set each time, as SymPy's: callers may change it
    answer = original_free_symbols(self)
    with _MEMO_LOCK:  # SymPy may be used from several threads: evict and insert as one
        while len(_MEMO) >= MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[id(self)] = (self, frozenset(answer))
    return answer


def installed() -> bool:
    """Whether ``Sum.free_symbols`` is :func:`_sum_free_symbols` now."""
    return ExprWithLimits.free_symbols.fget is _sum_free_symbols


def install() -> bool:
    """Put :func:`_sum_free_symbols` in place if SymPy's code is the one checked; say if so."""
    if installed():
        return True
    if _source_sha256(original_free_symbols) != CHECKED_SOURCE_SHA256:
        return False
    ExprWithLimits.free_symbols = property(  # type: ignore[method-assign]
        _sum_free_symbols, doc=ExprWithLimits.free_symbols.__doc__
    )
    return True


#: the environment variable that turns the memo off (SymPy's own property is used)
DISABLE_VARIABLE = "VERIFIED_BACKPROP_SYMPY_MEMO"


def install_unless_disabled() -> bool:
    """:func:`install`, unless :data:`DISABLE_VARIABLE` says ``off``; say if installed."""
    if os.environ.get(DISABLE_VARIABLE, "").strip().lower() in {"off", "0", "no", "false"}:
        return installed()
    return install()
