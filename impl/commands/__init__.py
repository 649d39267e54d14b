"""The ``verified-backprop`` command: one entry point, one module per sub-command.

Each sub-command lives in its own module exposing ``main(argv: list[str]) -> int``; this
file only dispatches, so the symbolic side (``derivations``) and the numeric side
(``impl``) stay independent of each other.
"""

from __future__ import annotations

import importlib
import sys

#: sub-command -> (module implementing ``main(argv)``, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "verify": ("derivations.report", "run every proof and print the verdict table"),
    "docs": ("derivations.rendering.documents", "write the LaTeX/Markdown derivations into docs/"),
    "train": ("impl.commands.train", "train a verified network on the digits (or MNIST)"),
    "bench": ("impl.commands.bench", "benchmark training, gradient checking and lambdify"),
}


def _usage() -> str:
    lines = ["usage: verified-backprop <command> [options]", "", "commands:"]
    lines += [f"  {name:<8} {help_}" for name, (_, help_) in SUBCOMMANDS.items()]
    lines += ["", "Run 'verified-backprop <command> --help' for the options of one command."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Dispatch ``verified-backprop <command> ...`` to the module that implements it."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(_usage())
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in SUBCOMMANDS:
        print(f"verified-backprop: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(SUBCOMMANDS[name][0])
    return int(module.main(rest))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
