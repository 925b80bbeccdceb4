"""``clsc demo``: solve the reference examples and print them (wrapped to the terminal)."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("demo", help="solve the reference examples and print a table")
    p.add_argument("--csv", default=None, help="also write the table to this CSV file")
    p.add_argument(
        "--width",
        type=int,
        default=None,
        help="columns to wrap to (default: the terminal's, from COLUMNS or the tty; at least 20)",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    import shutil

    from clsc.demo import render, run_demo

    frame = run_demo()
    width = args.width or shutil.get_terminal_size((100, 24)).columns
    print(render(frame, width))
    if args.csv:
        frame.to_csv(args.csv, index=False)
    return 0 if (frame["status"].isin(["optimal", "evaluated"])).all() else 1
