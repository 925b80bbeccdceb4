"""The ``clsc`` command line: thin parse -> call -> print; no model logic lives here.

Each sub-command is a module in this package with ``register(subparsers)`` that adds its parser
and sets ``func(args) -> int``. Only the module of the command being run is imported (the others
are listed with their one-line help from :data:`HELP`), so ``clsc --help`` and a simple solve start
fast.

Run as a program (``clsc`` or ``python -m clsc.cli``, i.e. :func:`main` without ``argv``), the
command starts OpenBLAS single-threaded unless ``OPENBLAS_NUM_THREADS``, ``GOTO_NUM_THREADS`` or
``OMP_NUM_THREADS`` is set (:func:`blas_threads_default`): clsc's linear algebra is on small
matrices and its parallelism is over processes (``--workers``), while OpenBLAS's idle threads
spin for about 0.1 s each after numpy and scipy load (~0.3 s CPU of a 0.35 s command on 2 cores).

Exit codes: 0 success, 1 a legitimate non-optimal status (condition failed, infeasible, time
limit ...), 2 a user error (:class:`~clsc.errors.ClscError`, bad arguments) with exactly one line
on stderr, 3 an unexpected internal error: one line saying so (the traceback under ``--debug``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import warnings
from collections.abc import Mapping

from clsc.errors import ClscError

COMMANDS = ("models", "solve", "demo", "bilevel", "derive", "statics", "threshold")
COMMANDS += ("sweep", "sensitivity")
COMMANDS += ("bench",)
COMMANDS += ("reproduce", "plot")

EXIT_OK, EXIT_STATUS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

# One-line help of each sub-command, shown by ``clsc --help`` without importing the command.
HELP = {
    "models": "list the registered models, or describe one (parameters, scenarios, methods)",
    "solve": "solve (or evaluate) one model scenario",
    "demo": "solve the reference examples and print a table",
    "bilevel": "solve a bilevel program given in a JSON/TOML file",
    "derive": "print a game model's closed forms and conditions",
    "statics": "comparative statics: sign table of d(.)/d(PARAM)",
    "threshold": "parameter values where two scenarios' values cross",
}

MAX_ECHO = 300  # characters of an error line (echoed user input is cut to fit)


class UsageError(ClscError):
    """Bad command-line usage."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one clear line, exit 2 (no usage dump)
        raise UsageError(f"{self.prog}: {message}")


def one_line(text: str, limit: int = MAX_ECHO) -> str:
    r"""``text`` as one printable line: control characters escaped, cut to ``limit`` characters.

    >>> one_line("sorting=a\nb")
    'sorting=a\\nb'
    >>> one_line("x" * 20, limit=10)
    'xxxxxxxxxx... (10 more characters)'
    """
    out = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text)
    )
    if len(out) > limit:
        out = f"{out[:limit]}... ({len(out) - limit} more characters)"
    return out


def _version() -> str:
    """The package's version (single-sourced in :mod:`clsc.version`, also pyproject's)."""
    from clsc.version import __version__

    return __version__


def _command_in(argv: list[str]) -> str | None:
    """The sub-command named in ``argv`` (the first word that is not a top-level flag)."""
    for word in argv:
        if not word.startswith("-"):
            return word
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the sub-command named in ``argv`` (all when ``argv`` is None) is built."""
    parser = _Parser(prog="clsc", description="Closed-loop supply-chain models.")
    parser.add_argument("--version", action="version", version=f"clsc {_version()}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an internal error"
    )
    parser.add_argument(
        "--no-files",
        action="store_true",
        help="forbid specs from reading files, e.g. empirical(file=...) (for untrusted input)",
    )
    sub = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, metavar="COMMAND"
    )
    wanted = None if argv is None else _command_in(argv)
    for name in COMMANDS:
        if argv is None or name == wanted or name not in HELP:
            importlib.import_module(f"clsc.cli.{name.replace('-', '_')}_cmd").register(sub)
        else:
            sub.add_parser(name, help=HELP[name])
    return parser


@contextlib.contextmanager
def _no_files(active: bool):
    """Set ``CLSC_NO_FILES`` for the duration of one command (``--no-files``)."""
    if not active:
        yield
        return
    previous = os.environ.get("CLSC_NO_FILES")
    os.environ["CLSC_NO_FILES"] = "1"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["CLSC_NO_FILES"]
        else:
            os.environ["CLSC_NO_FILES"] = previous


@contextlib.contextmanager
def _only_python_stdout(active: bool):
    """Keep native libraries (e.g. a solver's banner) off stdout so it holds one JSON document.

    File descriptor 1 points to /dev/null while the command runs; what Python prints is
    collected and written to the real stdout afterwards.
    """
    if not active:
        yield
        return
    import io

    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no usable descriptor 1: nothing native can pollute it
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    real, buffer = sys.stdout, io.StringIO()
    sys.stdout = buffer
    try:
        yield
    finally:
        sys.stdout = real
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
        real.write(buffer.getvalue())
        real.flush()


#: variables OpenBLAS reads for its thread count, in its order of precedence
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


def blas_threads_default(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables to set so OpenBLAS starts single-threaded: ``OPENBLAS_NUM_THREADS=1``
    unless the user chose its threads through one of :data:`BLAS_THREAD_VARS`.

    >>> blas_threads_default({})
    {'OPENBLAS_NUM_THREADS': '1'}
    >>> blas_threads_default({"OMP_NUM_THREADS": "4"})
    {}
    """
    if any(environ.get(v) for v in BLAS_THREAD_VARS):
        return {}
    return {"OPENBLAS_NUM_THREADS": "1"}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI in-process; returns the exit code (0 ok, 1 status, 2 user error, 3 internal).

    Without ``argv`` (run as a program) the command line is ``sys.argv`` and OpenBLAS starts
    single-threaded unless the user chose its threads (:func:`blas_threads_default`).
    """
    if argv is None and "numpy" not in sys.modules:  # (once numpy is loaded it is too late)
        os.environ.update(blas_threads_default(os.environ))
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    debug = "--debug" in argv[: argv.index(_command_in(argv))] if _command_in(argv) else False
    try:
        with warnings.catch_warnings():
            if not debug:  # numeric warnings would break the one-line stderr promise
                warnings.simplefilter("ignore")
            args = build_parser(argv).parse_args(argv)
            machine = getattr(args, "json", False) or getattr(args, "format", None) == "json"
            with _no_files(args.no_files), _only_python_stdout(machine):
                return int(args.func(args) or 0)
    except ClscError as exc:
        print(f"clsc: error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # stdout closed early (e.g. piped into head): not an error of ours
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("clsc: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the one place that turns bugs into exit 3
        print(
            f"clsc: internal error (a bug; please report it, rerun with --debug for the "
            f"traceback): {type(exc).__name__}: {one_line(str(exc), 200)}",
            file=sys.stderr,
        )
        if debug:
            import traceback

            traceback.print_exc()
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
