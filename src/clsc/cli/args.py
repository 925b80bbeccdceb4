"""Shared argument helpers: ``NAME=VALUE`` pairs, and the flags several commands declare alike."""

from __future__ import annotations

from clsc.errors import ParameterError


def pairs(items: list[str] | None, option: str) -> dict[str, str]:
    """Split ``["p=20", "demand=normal(mean=5, sd=1)"]`` at the first '=' into a dict."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name or not value.strip():
            raise ParameterError(option, message=f"{option} expects NAME=VALUE; got {item!r}")
        if name in out:
            raise ParameterError(name, message=f"{option}: '{name}' given twice")
        out[name] = value.strip()
    return out


def model_parser(sub, name: str, help: str, doc: str):
    """A sub-command over one registered model: its parser with the ``model`` argument, the
    description taken from the second paragraph of the command module's ``doc``."""
    p = sub.add_parser(name, help=help, description=doc.split("\n\n")[1])
    p.add_argument("model", help="registered model name")
    return p


def add_point_flags(p, set_help: str) -> None:
    """``--set NAME=VALUE`` (repeatable; ``args.sets``) and ``--method``."""
    p.add_argument("--set", action="append", metavar="NAME=VALUE", dest="sets", help=set_help)
    p.add_argument(
        "--method", default=None, help="closed-form, numeric, mc ... (default: the model's)"
    )


def add_run_flags(p) -> None:
    """How a sweep runs: ``--workers``, ``--scheduler``, ``--resume``, ``--quiet``."""
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--scheduler", default=None, help="dask.distributed scheduler address")
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
