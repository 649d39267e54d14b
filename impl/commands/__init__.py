"""The ``verified-backprop`` command: one argparse parser, one module per sub-command.

* :mod:`impl.commands.verify` — ``verify``: every proof and seed verdict as a table (or JSON);
* :mod:`impl.commands.show` — ``show``: one derivation in the terminal, in Unicode;
* :mod:`impl.commands.docs` — ``docs``: write the derivations and the errata into ``docs/``;
* :mod:`impl.commands.train` — ``train``: train a network on the digits (or MNIST);
* :mod:`impl.commands.evaluate` — ``evaluate``: score a saved model, show its predictions;
* :mod:`impl.commands.bench` — ``bench``: measure speed and write ``docs/benchmarks.md``;
* :mod:`impl.commands.check_backward` — ``check-backward``: judge a user's backward pass;
* :mod:`impl.commands.check_claim` — ``check-claim``: judge a user's formula;
* :mod:`impl.commands.grade` — ``grade``: grade a folder of backward passes;
* :mod:`impl.commands.output` — where a command's ``--json`` goes.

Each command module has ``HELP`` (its line in ``verified-backprop --help``), ``DESCRIPTION``,
``add_arguments(parser)`` and ``run(args) -> int`` (the exit status); :func:`build_parser`
gives each one a sub-parser, so ``verified-backprop <command> --help`` lists its options.
``python -m impl.commands`` is the same as ``verified-backprop``.

Dependencies run one way: this package is the top of the project. It imports the
implementation, :mod:`impl.bench`, :mod:`impl.testing` and, for ``verify``, ``docs`` and
``check-claim``, :mod:`derivations` (:mod:`derivations.__main__`, :mod:`derivations.rendering`,
:mod:`derivations.user_claims`; :mod:`derivations.host` for the quiet exits); nothing imports
it.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from types import ModuleType

from derivations.host import interrupted, reader_gone
from impl.commands import (
    bench,
    check_backward,
    check_claim,
    docs,
    evaluate,
    grade,
    show,
    train,
    verify,
)

PROG = "verified-backprop"
DISTRIBUTION = "verified-backprop"

#: sub-command name -> the module that implements it, in the order ``--help`` lists them
COMMANDS: dict[str, ModuleType] = {
    "verify": verify,
    "show": show,
    "docs": docs,
    "train": train,
    "evaluate": evaluate,
    "bench": bench,
    "check-backward": check_backward,
    "check-claim": check_claim,
    "grade": grade,
}


def version() -> str:
    """The installed distribution's version, else the one in the source tree's pyproject.toml."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        try:
            return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``verified-backprop``, with one sub-parser per command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Backpropagation for cross-entropy classifiers, proven with SymPy and "
        "cross-checked against NumPy and finite differences.",
        epilog=f"Run '{PROG} <command> --help' for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    subparsers = parser.add_subparsers(
        title="commands", dest="command", metavar="<command>", required=True
    )
    for name, module in COMMANDS.items():
        subparser = subparsers.add_parser(
            name,
            help=module.HELP,
            description=module.DESCRIPTION,
            epilog=getattr(module, "EPILOG", None),
        )
        module.add_arguments(subparser)
        subparser.set_defaults(run=module.run, command_parser=subparser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """``verified-backprop <command> [options]``; returns the exit status (130 after Ctrl-C,
    with one line and no traceback)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = next((word for word in arguments if word in COMMANDS), "")
    try:
        return _main(arguments)
    except KeyboardInterrupt:
        return interrupted(f"{PROG} {command}".rstrip())


def _main(arguments: list[str]) -> int:
    parser = build_parser()
    if not arguments:
        parser.print_help()
        return 2
    if not arguments[0].startswith("-") and arguments[0] not in COMMANDS:
        print(f"{PROG}: unknown command {arguments[0]!r}\n", file=sys.stderr)
        parser.print_help(sys.stderr)
        return 2
    args, unrecognized = parser.parse_known_args(arguments)
    if unrecognized:  # reported by the command's own parser, with its usage line
        args.command_parser.error(f"unrecognized arguments: {' '.join(unrecognized)}")
    args.argv = arguments[1:]  # the command's own arguments, as typed
    from derivations.kernel import sympy_speedup  # the commands' entry point installs it

    sympy_speedup.install_unless_disabled()
    try:
        status = int(args.run(args))
        sys.stdout.flush()  # here, so that a reader gone at the last write is caught too
        return status
    except BrokenPipeError:  # the reader went away (``verified-backprop verify --list | head``)
        return reader_gone()
