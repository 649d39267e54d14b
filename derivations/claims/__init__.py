"""The project's claims: one module per topic, and here all of them by name.

Each topic module's ``claims()`` builds its :class:`Claim`\\ s, for symbolic sizes;
:func:`all_claims` collects them once, by name, in presentation order (:data:`CLAIM_MODULES`),
and :func:`get_claim` finds one by name.  (The claims of the *source documents*, with the
verdicts they should get, are another list: :mod:`derivations.sources.catalogue`.)

Dependencies run one way: the claim modules import :mod:`derivations.kernel.engine`,
:mod:`derivations.notation`, :mod:`derivations.matrix_form` and each other (``shared`` first);
the source documents' verdicts, the runner, the report, the documents and the lambdify
bridge import them, never the reverse.
"""

from __future__ import annotations

import difflib
from functools import cache

from derivations.claims import (
    activations,
    batch,
    convexity,
    fixed_sizes,
    information,
    network,
    quadratic,
    recursion,
    sigmoid_ce,
    softmax_ce,
    softmax_curvature,
    stability,
)
from derivations.kernel.language import Claim

#: the modules whose ``claims()`` make up the project's claims, in presentation order
CLAIM_MODULES = (
    activations,
    sigmoid_ce,
    softmax_ce,
    fixed_sizes,
    softmax_curvature,
    quadratic,
    recursion,
    batch,
    network,
    information,
    convexity,
    stability,
)


class UnknownClaimError(ValueError):
    """A name that is not one of the project's claims."""


@cache
def _by_name() -> tuple[dict[str, Claim], dict[str, str]]:
    claims: dict[str, Claim] = {}
    topics: dict[str, str] = {}
    for module in CLAIM_MODULES:
        for claim in module.claims():
            if claim.name in claims:
                raise RuntimeError(f"two claims are named {claim.name!r}")
            claims[claim.name] = claim
            topics[claim.name] = module.__name__.rpartition(".")[2]
    return claims, topics


def all_claims() -> dict[str, Claim]:
    """All claims, by name, in presentation order."""
    return _by_name()[0]


def topic_of(name: str) -> str:
    """The module of :mod:`derivations.claims` that states claim ``name`` (``"batch"``, ...)."""
    return _by_name()[1][name]


def get_claim(name: str) -> Claim:
    """The claim called ``name``; a clear error with suggestions if there is none."""
    claims = all_claims()
    if name in claims:
        return claims[name]
    close = difflib.get_close_matches(name, claims, n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    if name[:3].isdigit() and name[3:4] == "-":  # 001-relu-derivative: a source's claim
        raise UnknownClaimError(
            f"{name!r} is not a proof of this project but a claim of a source document (or "
            f"a census entry): derivations.show({name!r}) displays it with its verdict, as "
            f"'verified-backprop show {name}' prints it"
        )
    raise UnknownClaimError(
        f"unknown claim {name!r}.{hint} Known claims: {', '.join(claims)}. "
        "derivations.show(name) also takes the names of the sources' claims."
    )
