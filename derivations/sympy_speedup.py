"""One SymPy property computed without a needless walk: ``free_symbols`` of a Sum.

SymPy 1.14's ``ExprWithLimits.free_symbols`` (the free symbols of a ``Sum``) first renames
its limit variables, ``function.xreplace(reps)``, where ``reps`` maps each limit variable
that is a plain symbol to *itself* (only a non-symbol variable, such as ``x[i]``, gets a
fresh ``Dummy``).  For the plain-symbol case that renaming is the identity: ``xreplace``
walks the whole body and returns the very same object.  SymPy asks for ``free_symbols``
on every assumption query (``is_number``, ``is_positive``, …) and never caches it, so a sum
nested d deep is walked d times per query; for the whole-network claims this walk was more
than half the time of a proof (``network_softmax_ce_3_hidden``: 29 s → 13 s).

:func:`install` replaces the property by :func:`_sum_free_symbols`: the same code, line for
line, except that the identity renaming is skipped.  It returns the same set for every
input (``xreplace`` with a mapping of each key to itself returns ``self``; tested against
SymPy's own property on generated sums, tests/test_sympy_speedup.py).  It is installed only
when SymPy's property is exactly the code it was checked against (:data:`CHECKED_SOURCE_SHA256`);
any other SymPy keeps its own property, slower and unchanged.
"""

from __future__ import annotations

import hashlib
import inspect
import textwrap

import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits

__all__ = ["CHECKED_SOURCE_SHA256", "install", "installed", "original_free_symbols"]

#: sha256 of the source of SymPy 1.14's ExprWithLimits.free_symbols, which
#: :func:`_sum_free_symbols` repeats without the identity renaming
CHECKED_SOURCE_SHA256 = "bca15049f5eb6a99b0b41ad2c3adf574fee484eb6990e5cb9123b4daf784cba4"

#: SymPy's own getter, kept for the tests and for :func:`install`'s check
original_free_symbols = ExprWithLimits.free_symbols.fget


def _source_sha256(function: object) -> str:
    source = textwrap.dedent(inspect.getsource(function))  # type: ignore[arg-type]
    return hashlib.sha256(source.encode()).hexdigest()


def _sum_free_symbols(self: ExprWithLimits) -> set[sp.Basic]:
    """SymPy 1.14's ``ExprWithLimits.free_symbols``, the identity renaming skipped."""
    function, limits = self.function, self.limits
    # mask off non-symbol limit variables that have more than themselves as a free symbol
    reps = {
        xab[0]: xab[0] if xab[0].free_symbols == {xab[0]} else sp.Dummy() for xab in limits
    }
    if any(new is not old for old, new in reps.items()):
        function = function.xreplace(reps)
    isyms = set(function.free_symbols)
    for xab in limits:
        v = reps[xab[0]]
        if len(xab) == 1:
            isyms.add(v)
            continue
        isyms.discard(v)  # take out the target symbol
        for bound in xab[1:]:  # add in the limits' symbols
            isyms.update(bound.free_symbols)
    back = {new: old for old, new in reps.items()}
    return {back.get(symbol, symbol) for symbol in isyms}


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
