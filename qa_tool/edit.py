"""Editing an existing answer's front matter without disturbing anything else.

The front matter goes through ruamel.yaml's round-trip mode, which keeps
comments, key order and quoting; the body and line endings are kept byte for
byte. Only the values a caller changes move. Example::

    def mark_reviewed(meta):
        meta["last_reviewed"] = datetime.date(2026, 11, 22)

    edit_front_matter(path, mark_reviewed)
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa_tool.errors import AnswerFileError
from qa_tool.fsutil import atomic_write
from qa_tool.reader import decode_text, front_matter_span


def _explicit_start_sequence_indent(front: str) -> tuple[int, int] | None:
    """Indent style of block sequences under a key, e.g. ``reviewed_by:\\n  - name``."""
    lines = front.split("\n")
    for prev, line in zip(lines, lines[1:], strict=False):
        stripped = line.lstrip(" ")
        if prev.rstrip().endswith(":") and stripped.startswith("- "):
            prev_indent = len(prev) - len(prev.lstrip(" "))
            return prev_indent, len(line) - len(stripped) - prev_indent
    return None


def render_front_matter(meta: Any, like: str = "") -> str:
    """Dump round-trip front matter, in the indentation style of ``like`` when given."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    offset = 0
    found = _explicit_start_sequence_indent(like) if like else None
    if found:
        offset = found[1]
    yaml.indent(mapping=2, sequence=2 + offset, offset=offset)
    buffer = io.StringIO()
    yaml.dump(meta, buffer)
    return buffer.getvalue()


def load_round_trip(front: str, path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    try:
        data = yaml.load(front)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise AnswerFileError(
            path,
            f"YAML syntax: {getattr(exc, 'problem', exc)}",
            line=mark.line + 2 if mark else None,
            rule="yaml-syntax",
        ) from None
    if data is None or not hasattr(data, "keys"):
        raise AnswerFileError(path, "front matter is not a mapping", line=2, rule="not-a-mapping")
    return data


def edit_front_matter(path: Path, change: Callable[[Any], None]) -> bool:
    """Apply ``change`` to the file's front matter (a ruamel CommentedMap) and save atomically.

    Returns False, and writes nothing, when the change leaves the file as it was.
    The caller holds the edit lock (:func:`qa_tool.fsutil.edit_lock`).
    """
    raw = path.read_bytes()
    text = decode_text(raw, path)
    crlf = b"\r\n" in raw
    bom = raw.startswith(b"\xef\xbb\xbf")
    start, end, _body_start = front_matter_span(text, path)
    front = text[start:end]
    meta = load_round_trip(front, path)
    change(meta)
    new_text = text[:start] + render_front_matter(meta, like=front) + text[end:]
    if new_text == text:
        return False
    if crlf:
        new_text = new_text.replace("\n", "\r\n")
    data = new_text.encode("utf-8")
    if bom:
        data = b"\xef\xbb\xbf" + data
    atomic_write(path, data)
    return True
