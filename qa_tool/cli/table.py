"""Plain-text tables that fit the terminal without cutting a word or a path.

Rich's tables fold a long path anywhere (``answers/oncol`` / ``ogy/x.md``) and pad
every line to the full width. Here a column is one of three kinds: ``fixed`` (never
wrapped: dates, counts, statuses), ``words`` (wrapped between words) or ``path``
(wrapped only after a ``/``; in a ``words`` column, a line that is one path is
wrapped as a path). The flexible columns share what the fixed ones leave;
a word or path part longer than its column makes the line longer instead of being
cut, and no line ends in spaces. Example::

    print(render([Column("Id", "path"), Column("Due")], [["a/b.md", "2026-12-01"]], 80))
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from qa_tool.cli.common import plain

GAP = "  "
MIN_FLEXIBLE = 12
_PATH_PARTS = re.compile(r"[^/]*/|[^/]+$")


@dataclass(frozen=True)
class Column:
    """How one column of a table is shown: header, how it shrinks, alignment."""

    header: str
    kind: str = "fixed"  # fixed | words | path
    align: str = "left"  # left | right


def printable(text: str) -> str:
    """``text`` with control characters (escape sequences, tabs, bidi overrides) made visible
    (:func:`qa_tool.cli.common.plain`; new lines kept: a cell may hold several), so a title
    cannot move the cursor or recolour the terminal."""
    return plain(text, keep="\n")


def _is_path(line: str) -> bool:
    return "/" in line and not any(c.isspace() for c in line)


def _pieces(text: str, kind: str) -> list[str]:
    """The unbreakable parts of a cell, each with the separator that follows it."""
    if kind == "path" or (kind == "words" and _is_path(text)):
        return _PATH_PARTS.findall(text) or [""]
    return text.split() or [""]


def _longest_piece(text: str, kind: str) -> int:
    return max(len(p.rstrip()) for line in text.split("\n") for p in _pieces(line, kind))


def wrap(text: str, width: int, kind: str) -> list[str]:
    """Lines of at most ``width`` characters, broken only where ``kind`` allows."""
    lines: list[str] = []
    for line in text.split("\n"):
        if kind == "fixed" or len(line) <= width:
            lines.append(line.rstrip())
        elif kind == "words" and not _is_path(line):
            lines.extend(
                textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False) or [""]
            )
        else:
            current = ""
            for piece in _pieces(line, kind):
                if current and len(current) + len(piece) > width:
                    lines.append(current)
                    current = ""
                current += piece
            lines.append(current)
    return lines


def _widths(columns: Sequence[Column], cells: list[list[str]], width: int) -> list[int]:
    natural = [max(len(line) for c in col for line in c.split("\n")) for col in cells]
    flexible = [n for n, c in enumerate(columns) if c.kind != "fixed"]
    fixed_total = sum(natural[n] for n in range(len(columns)) if n not in flexible)
    room = width - fixed_total - len(GAP) * (len(columns) - 1)
    if not flexible or sum(natural[n] for n in flexible) <= room:
        return natural
    # Each flexible column gets its longest unbreakable piece, up to a fair share of the
    # room (a longer piece, say a long id on a line of its own, then runs past its column
    # on that line rather than being cut); the rest is shared in proportion to what each
    # column would take unwrapped.
    share = max(MIN_FLEXIBLE, room // len(flexible))
    least = {
        n: min(share, max(_longest_piece(c, columns[n].kind) for c in cells[n])) for n in flexible
    }
    widths = list(natural)
    spare = max(0, room - sum(least.values()))
    want = {n: natural[n] - least[n] for n in flexible}
    total_want = sum(want.values()) or 1
    for n in flexible:
        widths[n] = least[n] + min(want[n], spare * want[n] // total_want)
    return widths


def render(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int, gap_rows: bool = False
) -> str:
    """The table as text: a header, a rule, the rows (a blank line between rows with
    ``gap_rows``); every line stripped of trailing spaces."""
    table = [[printable(c.header) for c in columns]] + [
        [printable(str(cell)) for cell in row] for row in rows
    ]
    cells = [[row[n] for row in table] for n in range(len(columns))]
    widths = _widths(columns, cells, width)
    out: list[str] = []
    for r, row in enumerate(table):
        wrapped = [
            wrap(cell, widths[n], "fixed" if r == 0 else columns[n].kind)
            for n, cell in enumerate(row)
        ]
        height = max(len(w) for w in wrapped)
        for i in range(height):
            parts = []
            for n, lines in enumerate(wrapped):
                text = lines[i] if i < len(lines) else ""
                pad = widths[n] - len(text)
                parts.append(" " * pad + text if columns[n].align == "right" else text + " " * pad)
            out.append(GAP.join(parts).rstrip())
        if r == 0:
            out.append(GAP.join("─" * w for w in widths).rstrip())
        elif gap_rows and r < len(table) - 1 and height > 1:
            out.append("")
    return "\n".join(out) + "\n"
