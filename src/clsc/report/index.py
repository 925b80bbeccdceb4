"""A static ``index.html`` (no server, no network, no scripts) showing every table and figure
with its caption and the command that made it.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "t.md").write_text("| a |\\n|---|\\n| 1 |\\n")
>>> p = write_index(d, "clsc", [Entry("table", "T", "cap <1>", "t.md", "clsc reproduce")])
>>> "cap &lt;1&gt;" in p.read_text()
True
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    """One item of the index: ``kind`` is ``table`` (a Markdown file) or ``figure`` (a PNG)."""

    kind: str
    title: str
    caption: str
    path: str
    command: str
    section: str = ""


_CSS = (
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}"
    "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
    "figure{margin:1em 0}img{max-width:100%}code{background:#f4f4f4;padding:1px 4px}"
    ".cap{color:#555;font-size:0.9em}"
)


def _md_table_to_html(text: str) -> str:
    rows = [r.strip() for r in text.strip().splitlines() if r.strip().startswith("|")]
    cells = [[html.escape(c.strip()) for c in r.strip("|").split("|")] for r in rows]
    if len(cells) < 2:
        return f"<pre>{html.escape(text)}</pre>"
    head = "".join(f"<th>{c}</th>" for c in cells[0])
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in cells[2:])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _entry_html(root: Path, e: Entry) -> str:
    title = f"<h3>{html.escape(e.title)}</h3>"
    cap = f'<p class="cap">{html.escape(e.caption)}</p>'
    cmd = f'<p class="cap">made by <code>{html.escape(e.command)}</code></p>'
    if e.kind == "figure":
        src = html.escape(e.path, quote=True)
        body = f'<figure><img src="{src}" alt="{html.escape(e.title, quote=True)}"></figure>'
    else:
        body = _md_table_to_html((root / e.path).read_text(encoding="utf-8"))
        link = html.escape(Path(e.path).with_suffix(".csv").as_posix(), quote=True)
        body += f'<p class="cap"><a href="{link}">CSV</a></p>'
    return title + cap + body + cmd


def write_index(root: Path, title: str, entries: Sequence[Entry]) -> Path:
    """Write ``root/index.html`` listing ``entries`` grouped by section; return its path."""
    root = Path(root)
    t = html.escape(title)
    head = f'<!doctype html><html><head><meta charset="utf-8"><title>{t}</title>'
    parts = [f"{head}<style>{_CSS}</style></head><body><h1>{t}</h1>"]
    section = None
    for e in entries:
        if e.section != section:
            section = e.section
            parts.append(f"<h2>{html.escape(section)}</h2>")
        parts.append(_entry_html(root, e))
    parts.append("</body></html>")
    path = root / "index.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
