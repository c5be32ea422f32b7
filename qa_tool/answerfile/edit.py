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
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa_tool.answerfile.read import (
    DEFAULT_MAX_BYTES,
    decode_text,
    front_matter_span,
    load_front_matter,
    read_bytes_checked,
)
from qa_tool.answerfile.write import round_trip_dump
from qa_tool.errors import AnswerFileError
from qa_tool.fsutil import atomic_write


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
    offset = 0
    found = _explicit_start_sequence_indent(like) if like else None
    if found:
        offset = found[1]
    buffer = io.StringIO()
    round_trip_dump(meta, (2, 2 + offset, offset), buffer)
    return buffer.getvalue()


def load_round_trip(front: str, path: Path) -> Any:
    """Front matter as ruamel's round-trip data (comments and order kept), or AnswerFileError."""
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


_TOP_KEY = re.compile(
    r"""^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#\-?'"][^:#]*?))[ \t]*:(?:[ \t]|$)"""
)


def _top_level_blocks(front: str) -> tuple[list[str], dict[str, list[str]]] | None:
    """Split front matter lines into a preamble and one block of lines per top-level key.

    None when the layout is not plain block style (then the whole dump is used).
    """
    preamble: list[str] = []
    blocks: dict[str, list[str]] = {}
    current: list[str] = preamble
    for line in front.split("\n"):
        match = _TOP_KEY.match(line)
        if match:
            key = next(g for g in match.groups() if g is not None)
            if match.group(2) is not None:
                key = key.replace("''", "'")
            if key in blocks:
                return None
            current = blocks[key] = [line]
        else:
            current.append(line)
    return preamble, blocks


def _merge_unchanged(old_front: str, new_front: str, old: Any, new: Any) -> str:
    """``new_front``, but with the old bytes of every top-level field whose value is unchanged.

    ruamel.yaml may re-render a scalar it does not edit (an escape such as
    ``"\\u00aa"`` comes back as the character), so untouched fields are copied
    from the original text. Blank lines at the end stay at the end: a key added after
    the last one goes before them, not after a blank line.
    """
    tail = old_front[len(old_front.rstrip("\n")) :]
    old_split = _top_level_blocks(old_front.rstrip("\n"))
    new_split = _top_level_blocks(new_front.rstrip("\n"))
    if old_split is None or new_split is None:
        return new_front
    (old_pre, old_blocks), (_new_pre, new_blocks) = old_split, new_split
    if set(old_blocks) != set(old.keys()) or set(new_blocks) != set(new.keys()):
        return new_front
    lines = list(old_pre)
    for key, block in new_blocks.items():
        same = key in old_blocks and _plain(old.get(key)) == _plain(new.get(key))
        lines.extend(old_blocks[key] if same else block)
    return "\n".join(lines) + tail


def _plain(value: Any) -> Any:
    """A ruamel value as plain data (with scalar types kept apart: "1" is not 1)."""
    if hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return (type(value).__mro__[-2].__name__, str(value))


def edit_front_matter(
    path: Path, change: Callable[[Any], None], max_bytes: int = DEFAULT_MAX_BYTES
) -> bool:
    """Apply ``change`` to the file's front matter (a ruamel CommentedMap) and save atomically.

    Only the front matter is rewritten, and in it only the top-level fields whose
    values changed; the body, line endings and a BOM are kept byte for byte.
    Returns False, and writes nothing, when the change leaves the file as it was.
    The caller holds the edit lock (:func:`qa_tool.fsutil.edit_lock`).

    The file is read within ``max_bytes`` (``qa.toml``'s ``max_file_bytes``), as
    every read is, and a change that would take it over that size is refused (rule
    ``too-large``, nothing written): every command would refuse the file after it.
    Any failure is an AnswerFileError naming the file: one that cannot be read, or a
    write that fails half way (rule ``write-failed``; the file is then as it was, and
    no temporary file is left).
    """
    edited = preview_front_matter_edit(path, change, max_bytes)
    if edited is None:
        return False
    write_previewed(path, edited[1])
    return True


def write_previewed(path: Path, data: bytes) -> None:
    """Save the bytes :func:`preview_front_matter_edit` gave, atomically (the caller holds
    the edit lock and nothing changed the file since); AnswerFileError ``write-failed``."""
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise AnswerFileError(
            path,
            f"cannot be written: {exc.strerror or exc}; the file is unchanged",
            rule="write-failed",
        ) from None


def preview_front_matter_edit(
    path: Path, change: Callable[[Any], None], max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[bytes, bytes] | None:
    """The file's bytes before and after ``change``, writing nothing (None: no change).

    What :func:`edit_front_matter` would write; a ``--dry-run`` shows the difference.
    """
    raw = read_bytes_checked(path, max_bytes)
    decode_text(raw, path)  # the same checks as reading: not binary, UTF-8
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw[3 if bom else 0 :].decode("utf-8")
    start, end, _body_start = front_matter_span(text, path)
    front = text[start:end]
    newline = "\r\n" if "\r\n" in front else "\n"
    plain_front = front.replace("\r\n", "\n")
    old = load_round_trip(plain_front, path)
    meta = load_round_trip(plain_front, path)
    change(meta)
    new_front = render_front_matter(meta, like=plain_front)
    new_front = _merge_unchanged(plain_front, new_front, old, meta)
    if new_front == plain_front:
        return None
    _check_reads_back(plain_front, new_front, path)
    new_text = text[:start] + new_front.replace("\n", newline) + text[end:]
    data = (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8")
    if len(data) > max_bytes:
        raise AnswerFileError(
            path,
            f"the change would make the file {len(data):,} bytes, over the {max_bytes:,}-byte "
            "limit (max_file_bytes in qa.toml); nothing written",
            rule="too-large",
        )
    return raw, data


def _check_reads_back(old_front: str, front: str, path: Path) -> None:
    """Refuse front matter that the reader would not accept (rule ``write-refused``).

    Whatever the change holds, a file every command reads is never written so that
    they can no longer read it: the reader of :mod:`qa_tool.answerfile.read` parses the
    new text first. (Front matter that reader refused already, which ruamel.yaml reads,
    is left to the change: the edit does not make it worse.)
    """
    try:
        load_front_matter(front, path)
    except AnswerFileError as exc:
        try:
            load_front_matter(old_front, path)
        except AnswerFileError:
            return
        raise AnswerFileError(
            path,
            f"the change would leave front matter that does not read back ({exc.message}); "
            "nothing written",
            rule="write-refused",
        ) from None


def set_in_order(mapping: Any, key: str, value: Any, order: tuple[str, ...]) -> None:
    """Set ``key`` in a round-trip mapping; a new key goes after the nearest one before it
    in ``order`` (a key not in ``order`` goes last), so fields keep their usual order."""
    if key in mapping:
        if mapping[key] != value:
            mapping[key] = value
        return
    if key not in order:
        mapping[key] = value
        return
    before = set(order[: order.index(key)])
    position = 0
    for n, existing in enumerate(mapping.keys()):
        if existing in before:
            position = n + 1
    mapping.insert(position, key, value)
