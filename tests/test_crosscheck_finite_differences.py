"""``impl.backward`` vs central finite differences and the complex step, on random networks.

Depth 1–4, widths 1–12, batch 1–16, every hidden activation and every output pairing, hard
and soft labels (see ``crosscheck_support`` for the strategies and the tolerances).
"""

from __future__ import annotations

import pytest
from crosscheck_support import HIDDEN, OUTPUTS, check_backward_against_finite_differences

from impl import Network


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_backward_equals_central_differences_and_complex_step(hidden: str, output: str) -> None:
    check_backward_against_finite_differences(Network, hidden, output)()
