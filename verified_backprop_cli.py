"""The ``verified-backprop`` console script: :func:`impl.commands.main`, loaded so that Ctrl-C
ends it with one line and exit status 130 even while the commands load (a second or two of
SymPy, NumPy and numba imports, before :func:`impl.commands.main` can catch it itself)."""

from __future__ import annotations

import sys


def main() -> int:
    """Load the commands and run ``verified-backprop``; returns the exit status."""
    try:
        from impl.commands import main as run_command
    except KeyboardInterrupt:
        print("\nverified-backprop: interrupted (Ctrl-C); stopped.", file=sys.stderr)
        return 130
    return run_command()


if __name__ == "__main__":
    sys.exit(main())
