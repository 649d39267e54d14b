"""``verified-backprop verify``: run every proof and every seed verdict, print a table.

The options and the run live in :mod:`derivations.report`, so that ``python -m derivations``
runs the very same command without importing :mod:`impl`; this module only plugs them into
the ``verified-backprop`` parser.
"""

from __future__ import annotations

import argparse

from derivations import report

HELP = "run every proof and print the verdict table"
DESCRIPTION = report.DESCRIPTION
EPILOG = report.EPILOG


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``verified-backprop verify`` (from :mod:`derivations.report`)."""
    report.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Run the verification (:func:`derivations.report.run`); returns the exit status."""
    return report.run(args)
