"""``clsc demo``: the main job for now: solve the reference examples and print one table."""

from __future__ import annotations

from clsc.demo import run_demo


def register(sub) -> None:
    p = sub.add_parser("demo", help="solve the reference examples and print a table")
    p.add_argument("--csv", default=None, help="also write the table to this CSV file")
    p.set_defaults(func=run)


def run(args) -> int:
    frame = run_demo()
    import pandas as pd

    with pd.option_context("display.max_rows", 200, "display.width", 200):
        print(frame.to_string(index=False, justify="left"))
    if args.csv:
        frame.to_csv(args.csv, index=False)
    return 0 if (frame["status"].isin(["optimal", "evaluated"])).all() else 1
