"""How a claim shows itself in a notebook (Jupyter's ``_repr_latex_``), attached from here.

The kernel's classes hold data only; :func:`attach` gives :class:`~derivations.kernel.Claim`
its display, the derivation with each step numbered and the reasons below, as in the
generated documents.  ``import derivations`` calls it.
"""

from __future__ import annotations

from derivations.kernel.language import Claim
from derivations.rendering.latex import claim_display
from derivations.rendering.prose import to_math_mode

__all__ = ["attach", "claim_latex"]


def claim_latex(claim: Claim) -> str:
    """One display-math block: the claim's name and title, then its numbered derivation."""
    reasons = [to_math_mode(step.why) for step in claim.steps]
    title = to_math_mode(f"{claim.name}: {claim.title}")
    display = claim_display(claim, reasons=reasons)
    return f"$$\n\\begin{{gathered}}\n{title} \\\\\n{display}\n\\end{{gathered}}\n$$"


def attach() -> None:
    """Give :class:`Claim` its notebook display (idempotent)."""
    Claim._repr_latex_ = claim_latex  # type: ignore[attr-defined]
