"""``verified-backprop verify``: every proof, every verdict on the sources, the census, as tables.

The options and their handling are those of ``python -m derivations``
(:mod:`derivations.__main__`), so that both run the very same command and ``python -m
derivations`` needs nothing from :mod:`impl`; this module plugs them into the
``verified-backprop`` parser.
"""

from __future__ import annotations

from derivations.__main__ import DESCRIPTION, EPILOG, add_arguments, run

HELP = "run every proof and print the verdict table"

__all__ = ["DESCRIPTION", "EPILOG", "HELP", "add_arguments", "run"]
