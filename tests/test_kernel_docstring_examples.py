"""The examples in the docstrings of the kernel's public API (``Claim``, ``verify``) run as
written: each is a doctest, small and deterministic."""

from __future__ import annotations

import doctest
import types

import pytest

import derivations.kernel.engine
import derivations.kernel.language


@pytest.mark.parametrize(
    "module",
    [derivations.kernel.language, derivations.kernel.engine],
    ids=lambda module: module.__name__,
)
def test_the_docstring_examples_run_as_written(module: types.ModuleType) -> None:
    failures, tried = doctest.testmod(module, verbose=False)
    assert tried >= 3, f"{module.__name__} has no examples to run"
    assert failures == 0, f"{failures} of {tried} examples in {module.__name__} failed"
