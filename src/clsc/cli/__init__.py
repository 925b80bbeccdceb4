"""The ``clsc`` command line: thin parse -> call -> print; no model logic lives here.

Each sub-command is a module in this package with ``register(subparsers)`` that adds its parser
and sets ``func(args) -> int``. User errors (:class:`~clsc.errors.ClscError`, bad arguments)
exit with code 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from clsc.errors import ClscError

COMMANDS = ("models", "solve", "demo", "bilevel", "derive", "statics", "threshold")
COMMANDS += ("sweep", "sensitivity")
COMMANDS += ("bench",)
COMMANDS += ("reproduce", "plot")


class UsageError(ClscError):
    """Bad command-line usage."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one clear line, exit 2 (no usage dump)
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="clsc", description="Closed-loop supply-chain models.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f"clsc.cli.{name.replace('-', '_')}_cmd").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI in-process; returns the exit code (0 ok, 1 solver failure, 2 user error)."""
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except ClscError as exc:
        print(f"clsc: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("clsc: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
