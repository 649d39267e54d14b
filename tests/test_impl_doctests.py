"""The examples in the docstrings of the public API (``Network``, ``check_backward``) run as
written: each is a doctest, small, seeded and deterministic."""

from __future__ import annotations

import doctest
import types

import pytest

import impl.network
import impl.testing.check


@pytest.mark.parametrize("module", [impl.network, impl.testing.check], ids=lambda m: m.__name__)
def test_the_docstring_examples_run_as_written(module: types.ModuleType) -> None:
    failures, tried = doctest.testmod(module, verbose=False)
    assert tried >= 3, f"{module.__name__} has no examples to run"
    assert failures == 0, f"{failures} of {tried} examples in {module.__name__} failed"
