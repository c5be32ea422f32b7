"""Reading one answer file: front matter and body, safely.

Parsing uses python-frontmatter's YAML handler with libyaml's C loader, wrapped
in limits so a hostile file cannot hurt the machine:

- files over ``max_file_bytes`` (``qa.toml``, default 1 MiB) are not parsed;
- flow nesting deeper than :data:`MAX_DEPTH` is refused before libyaml sees it
  (libyaml's composer recurses and would crash on ~100,000 levels);
- the document's size with every alias expanded is bounded by
  :data:`MAX_NODES` ("billion laughs"), and recursive aliases are refused;
- duplicate keys are an error, as YAML 1.2 says (PyYAML keeps the last one).

Front matter of the usual shape (block mappings and lists, one line per value) is read
without libyaml by :func:`~qa_tool.answerfile.yamlload.load_simple`, to the same values;
anything else goes to libyaml.

Every failure is an :class:`~qa_tool.errors.AnswerFileError` naming the file,
the line where known, and a stable rule name. The loader itself is
:mod:`qa_tool.answerfile.yamlload`, imported on the first parse: a listing the
cache answers never loads PyYAML.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa_tool.errors import AnswerFileError
from qa_tool.fsutil import NotRegularFile, open_regular_stat
from qa_tool.model import SUMMARY_COLUMNS, SUMMARY_FIELDS

MAX_DEPTH = 64
MAX_NODES = 50_000
DEFAULT_MAX_BYTES = 1024 * 1024
"""The size cap of an :class:`Answer` read later without one given (``qa.toml``'s default)."""
_FLOW_BRACKETS = re.compile(r"[\[\]{}]")
_DEEP_INDENT = re.compile(rf"^[ \t]{{{MAX_DEPTH},}}", re.MULTILINE)
_OPENING = re.compile(r"\A---[ \t]*\r?\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)


FACTS_KEY = "qa:facts"
"""A summary's derived facts (not a front-matter field: a file's own key of this name is
dropped with the other fields a summary does not hold): ``{"stubs": n, "doubts": n}``, the
reference stubs and open conversion doubts that ``qa list`` counts, and
``"identified"``/``"unidentified"``: the references with a DOI or PMID (that a
retractions file can be searched for) and those without, worked out from
``references`` and ``legacy`` when the file is read, so a cached listing needs neither;
``"reviews": [[date, by], ...]``: the reviews ``review_log`` records, not its publish or
retire entries (``qa report``)."""
FACT_FIELDS = ("references", "legacy", "review_log")


def summary_facts(meta: dict[str, Any]) -> dict[str, int]:
    """The derived facts of a full front matter (see :data:`FACTS_KEY`)."""
    from qa_tool.doubts import open_doubts
    from qa_tool.references.identifiers import normal_doi, normal_pmid
    from qa_tool.validate import is_reference_stub

    refs = meta.get("references")
    refs = [r for r in refs if hasattr(r, "get")] if isinstance(refs, list) else []
    stubs = sum(1 for ref in refs if is_reference_stub(ref))
    facts: dict[str, Any] = {"stubs": stubs, "doubts": len(open_doubts(meta))}
    # references a retractions file can be searched for (a DOI or PMID), and the others
    identified = sum(
        1 for ref in refs if normal_doi(ref.get("DOI")) or normal_pmid(ref.get("PMID"))
    )
    facts["identified"], facts["unidentified"] = identified, len(refs) - identified
    log = meta.get("review_log")
    if isinstance(log, list):  # earlier reviews, for the reviewers' workload in qa report
        from qa_tool.review import REVIEWED

        # a review's entry (an older one may name no event); a publish or retire entry is not
        facts["reviews"] = [
            [str(e.get("date")), e.get("by")]
            for e in log
            if isinstance(e, dict)
            and e.get("event", REVIEWED) == REVIEWED
            and isinstance(e.get("by"), str)
            and e.get("date")
        ]
    return facts


def summary_of(meta: dict[str, Any]) -> dict[str, Any]:
    """What a summary read holds for this full front matter: its summary fields and facts."""
    summary = {k: v for k, v in meta.items() if k in SUMMARY_FIELDS}
    summary[FACTS_KEY] = summary_facts(meta)
    return summary


def reader_text(title: object, body: str) -> str:
    """The text a reader sees, normalised: the title, a blank line, the body.

    Whitespace around the title and at the start and end of the body is not
    part of it (readers cannot see it), so re-saving a file does not count as a change.
    """
    title_text = title.strip() if isinstance(title, str) else ""
    return f"{title_text}\n\n{body.strip()}\n"


def text_digest(title: object, body: str) -> str:
    """SHA-256 (hex) of :func:`reader_text`: what ``qa review`` stores as ``review_fingerprint``.

    A different digest later means the text changed after the review.
    """
    return hashlib.sha256(reader_text(title, body).encode("utf-8")).hexdigest()


_TITLE_LINE = re.compile(r"^title[ \t]*:", re.MULTILINE)
_NEXT_TOP_LEVEL = re.compile(r"^[^\s#]", re.MULTILINE)


def title_block(front: str) -> str:
    """The lines of the ``title:`` entry (up to the next top-level key); all of it when the
    lines cannot be told apart without parsing.

    The next line starting at column 0 (not a comment) is the next key, unless a quoted
    value or a ``[...]``/``{...}`` runs over a line break (YAML lets its next lines start
    at column 0): when anything up to the end of the block might, or ``title:`` is
    there twice, the whole front matter is the block. So parsing the block alone gives
    the full reader's title, or the block is the whole front matter.
    """
    match = _TITLE_LINE.search(front)
    if not match or _TITLE_LINE.search(front, match.end()):
        return front
    following = _NEXT_TOP_LEVEL.search(front, match.end())
    end = following.start() if following else len(front)
    if any(_may_continue(line) for line in front[:end].split("\n")):
        return front
    return front[match.start() : end]


_OPENS_AFTER = frozenset(" \t[{,:")
_MAY_OPEN = re.compile("[\"'\\[\\]{}]")


def _may_continue(line: str) -> bool:
    """Whether a quoted scalar or a flow collection might run past the end of ``line``.

    A quote opens a scalar only at the start of a token (the line's start, after a blank
    or one of ``[{,:``); anything this cannot close on the line counts as open, so it errs only
    towards True.
    """
    if not _MAY_OPEN.search(line):
        return False  # no quote or bracket: nothing can be left open
    depth = 0
    at = 0
    size = len(line)
    while at < size:
        char = line[at]
        start_of_token = at == 0 or line[at - 1] in _OPENS_AFTER
        if char == "#" and start_of_token:
            break
        if char in "\"'" and start_of_token:
            at = _closing_quote(line, at)
            if at < 0:
                return True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth < 0:
                return True
        at += 1
    return depth != 0


def _closing_quote(line: str, at: int) -> int:
    """The index of the quote that closes the one at ``at``, or -1 when none on this line."""
    quote = line[at]
    at += 1
    while at < len(line):
        char = line[at]
        if quote == '"' and char == "\\":
            at += 2
            continue
        if char == quote:
            if quote == "'" and line[at + 1 : at + 2] == "'":
                at += 2
                continue
            return at
        at += 1
    return -1


def blob_text_key(front: str, body: str) -> tuple[str, str]:
    """What one stored version shows a reader: ``(sha256 of the body, the title's YAML)``.

    ``qa stale`` compares these between the versions before and after a commit.
    """
    return hashlib.sha256(body.strip().encode("utf-8")).hexdigest(), title_block(front)


def git_blob_id(data: bytes) -> str:
    """The id git gives a file with these bytes (SHA-1 object format)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


_TEXT_COLUMN = {
    name: n
    for n, name in enumerate(SUMMARY_COLUMNS)
    if name in ("id", "title", "status", "topic", "confidence", "review_fingerprint")
}


class Answer:
    """One answer as read from disk.

    ``meta`` holds the front matter as loaded (dates as ``datetime.date``); for a
    summary read (see :func:`read_summary`) it holds only :data:`SUMMARY_FIELDS`.
    ``body`` and ``front_matter`` are read from the file on first use when the
    answer came from the cache; ``body_line`` is the 1-based line of the body's
    first line in the file.
    """

    __slots__ = (
        "_path",
        "rel",
        "_meta",
        "_load_meta",
        "columns",
        "body_line",
        "_body",
        "_front",
        "_digest",
        "partial",
        "git_blob",
        "max_bytes",
    )

    def __init__(
        self,
        path: Path | str,
        rel: str,
        meta: dict[str, Any] | None,
        body: str | None,
        body_line: int,
        front_matter: str | None = None,
        *,
        digest: str | None = None,
        partial: bool = False,
        git_blob: tuple[str, str, str] | None = None,
        max_bytes: int | None = None,
        load_meta: Callable[[], dict[str, Any]] | None = None,
        columns: tuple | None = None,
    ):
        self._path = path
        self.rel = rel
        self._meta = meta
        self._load_meta = load_meta  # the cache's decoder: meta is built on first use
        self.columns = columns  # the cache's summary columns (qa_tool.cache.COLUMNS), if any
        self.body_line = body_line
        self._body = body
        self._front = front_matter
        self._digest = digest
        self.partial = partial
        self.git_blob = git_blob  # (blob id, body digest, title YAML) when read just now
        self.max_bytes = max_bytes

    def __repr__(self) -> str:
        return f"Answer({self.rel!r})"

    @property
    def meta(self) -> dict[str, Any]:
        if self._meta is None and self._load_meta is not None:
            load, self._load_meta = self._load_meta, None
            try:
                self._meta = load()
            except (ValueError, TypeError):  # a damaged cache entry: the file says it again
                limit = self.max_bytes if self.max_bytes is not None else DEFAULT_MAX_BYTES
                self._meta = read_summary(self.path, self.rel, limit).meta
        return self._meta  # type: ignore[return-value]

    @meta.setter
    def meta(self, value: dict[str, Any]) -> None:
        self._meta, self._load_meta = value, None

    def read_meta(self) -> dict[str, Any]:
        """:attr:`meta`, without keeping it when it is decoded from the cache: for one pass
        over a whole library, where every answer's front matter held at once would cost
        more memory than decoding it again later."""
        if self._meta is None and self._load_meta is not None:
            try:
                return self._load_meta()
            except (ValueError, TypeError):
                pass  # a damaged cache entry: meta reads the file (and keeps what it read)
        return self.meta

    @property
    def path_text(self) -> str:
        """:attr:`path` as text, without making a Path."""
        return self._path if isinstance(self._path, str) else str(self._path)

    @property
    def path(self) -> Path:
        """The file (a Path is made on first use: cached listings never need one)."""
        if not isinstance(self._path, Path):
            self._path = Path(self._path)
        return self._path

    def _load_text(self) -> None:
        # The file may have changed since it was listed: read it within the same limit.
        limit = self.max_bytes if self.max_bytes is not None else DEFAULT_MAX_BYTES
        text = decode_text(read_bytes_checked(self.path, limit), self.path)
        self._front, self._body, self.body_line = split_front_matter(text, self.path)

    @property
    def body(self) -> str:
        if self._body is None:
            self._load_text()
        return self._body  # type: ignore[return-value]

    @property
    def front_matter(self) -> str:
        if self._front is None:
            self._load_text()
        return self._front  # type: ignore[return-value]

    @property
    def digest(self) -> str:
        """:func:`text_digest` of this answer's title and body."""
        if self._digest is None:
            self._digest = text_digest(self.meta.get("title"), self.body)
        return self._digest

    def text_field(self, name: str) -> str | None:
        """A text field of the front matter (None when absent or not text); from the cache's
        columns when it has them, so nothing is decoded."""
        if self.columns is not None and name in _TEXT_COLUMN:
            return self.columns[_TEXT_COLUMN[name]]
        value = self.meta.get(name)
        return value if isinstance(value, str) else None

    @property
    def id(self) -> str | None:
        return self.text_field("id")

    @property
    def status(self) -> str | None:
        return self.text_field("status")

    def line_of(self, field_path: tuple[str | int, ...]) -> int | None:
        """The file line of a front-matter value, e.g. ``("references", 0, "PMID")``.

        Composes the front matter again (only done when reporting a finding);
        falls back to the nearest enclosing value that exists.
        """
        import yaml  # here: a listing that reads the cache never parses YAML

        try:
            node = yaml.compose(self.front_matter, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            return None
        line = node.start_mark.line if node is not None else None
        for part in field_path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                found = next((kv for kv in node.value if kv[0].value == part), None)
                if found is None:
                    break
                line = found[0].start_mark.line
                node = found[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line
            else:
                break
        return None if line is None else line + 2  # +1 for 1-based, +1 for the opening '---'


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 text (a BOM is dropped, CRLF becomes LF); AnswerFileError otherwise."""
    if b"\x00" in data:
        raise AnswerFileError(
            path, "binary file (contains NUL bytes), not an answer", rule="binary"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise AnswerFileError(
            path,
            f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "re-save the file as UTF-8",
            line=line,
            rule="not-utf8",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def front_matter_span(text: str, path: Path) -> tuple[int, int, int]:
    """Offsets ``(yaml_start, yaml_end, body_start)``; AnswerFileError without front matter."""
    opening = _OPENING.match(text)
    if not opening:
        raise AnswerFileError(
            path,
            "no front matter: an answer starts with a '---' line, then YAML, then '---'",
            line=1,
            rule="no-front-matter",
        )
    closing = _CLOSING.search(text, opening.end())
    if not closing:
        raise AnswerFileError(
            path,
            "front matter is not closed: add a '---' line after the YAML",
            line=1,
            rule="unclosed-front-matter",
        )
    body_start = closing.end() + 1 if closing.end() < len(text) else closing.end()
    return opening.end(), closing.start(), body_start


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """``(front_matter, body, body_line)``; AnswerFileError when there is no front matter."""
    start, end, body_start = front_matter_span(text, path)
    body_line = text.count("\n", 0, body_start) + 1
    return text[start:end], text[body_start:], body_line


def load_front_matter(front: str, path: Path) -> dict[str, Any]:
    """Parse front matter YAML into a mapping, within the limits above."""
    import yaml

    from qa_tool.answerfile.yamlload import (
        HANDLER,
        BoundedLoader,
        DuplicateKey,
        PlainLoader,
        TooComplex,
        load_simple,
    )

    if front.count("[") + front.count("{") > MAX_DEPTH:
        _check_flow_depth(front, path)
    if _needs_shape_check(front):
        loader: type = BoundedLoader
    else:
        simple = load_simple(front)  # the common shape, without libyaml's nodes
        if simple is not None:
            return simple
        loader = PlainLoader
    try:
        meta = HANDLER.load(front, Loader=loader)
    except DuplicateKey as exc:
        raise AnswerFileError(
            path, f"duplicate key {exc.key!r}: keep one", line=exc.line + 2, rule="duplicate-key"
        ) from None
    except TooComplex as exc:
        raise AnswerFileError(
            path, str(exc), line=(exc.line or 0) + 2, rule="yaml-too-complex"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else None
        problem = exc.problem or str(exc)
        raise AnswerFileError(
            path, f"YAML syntax: {problem}", line=line, rule="yaml-syntax"
        ) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise AnswerFileError(path, f"YAML: {exc}", line=2, rule="yaml-syntax") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        kind = "a list" if isinstance(meta, list) else f"a single {type(meta).__name__} value"
        raise AnswerFileError(
            path,
            f"front matter is {kind}, not a mapping of field: value lines",
            line=2,
            rule="not-a-mapping",
        )
    bad_keys = [k for k in meta if not isinstance(k, str)]
    if bad_keys:
        raise AnswerFileError(
            path, f"front matter key {bad_keys[0]!r} is not text", line=2, rule="not-a-mapping"
        )
    return meta


def _needs_shape_check(front: str) -> bool:
    """Whether the YAML could nest deeply (deep indentation): then its shape is checked
    before anything is built. Aliases are found while building
    (:class:`~qa_tool.answerfile.yamlload.PlainLoader`)."""
    return bool(_DEEP_INDENT.search(front))


def _check_flow_depth(front: str, path: Path) -> None:
    depth = 0
    for match in _FLOW_BRACKETS.finditer(front):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            line = front.count("\n", 0, match.start()) + 2
            raise AnswerFileError(
                path,
                f"YAML nested deeper than {MAX_DEPTH} levels",
                line=line,
                rule="yaml-too-complex",
            )


def _too_large(path: Path, size: int, max_bytes: int, more: bool = False) -> AnswerFileError:
    size_text = f"over {max_bytes:,} bytes" if more else f"{size:,} bytes"
    return AnswerFileError(
        path,
        f"file is {size_text}, over the {max_bytes:,}-byte limit (max_file_bytes in qa.toml); "
        "not parsed",
        rule="too-large",
    )


def read_bytes_checked(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, after the size cap; AnswerFileError for what cannot be read.

    The size is taken from the open file and at most ``max_bytes + 1`` bytes are
    read, so a file that grows between the check and the read is still refused
    without being loaded whole (a 50 MB file costs one ``fstat``, not 50 MB).
    Only regular files are read: a pipe or device named like an answer is refused
    rather than waited on. Example::

        data = read_bytes_checked(Path("answers/oncology/x.md"), 1024 * 1024)
    """
    try:
        # A FIFO named like an answer must not wait for a writer, nor a device be read.
        handle, st = open_regular_stat(path)
        with handle:
            size = st.st_size
            if size > max_bytes:
                raise _too_large(path, size, max_bytes)
            data = _read_up_to(handle, size, max_bytes + 1)
        if len(data) > max_bytes:
            raise _too_large(path, len(data), max_bytes, more=True)
    except NotRegularFile:
        raise AnswerFileError(
            path, "is not a regular file (a device or pipe?); not read", rule="unreadable"
        ) from None
    except PermissionError:
        raise AnswerFileError(
            path, "cannot be read: permission denied", rule="unreadable"
        ) from None
    except IsADirectoryError:
        raise AnswerFileError(path, "is a folder, not a file", rule="unreadable") from None
    except OSError as exc:
        raise AnswerFileError(path, f"cannot be read: {exc.strerror}", rule="unreadable") from None
    if not data.strip():
        raise AnswerFileError(path, "empty file", line=1, rule="empty")
    return data


def _read_up_to(handle: Any, size: int, limit: int) -> bytes:
    """At most ``limit`` bytes: the file's ``size`` bytes in one read (no buffer of ``limit``
    bytes is allocated for a small file), then more only if it grew or a read came up short."""
    chunks: list[bytes] = []
    got = 0
    ask = min(size + 1, limit)
    while got < limit:
        piece = handle.read(min(ask, limit - got))
        if not piece:
            break
        chunks.append(piece)
        got += len(piece)
        ask = 1 << 16
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_answer(path: Path, rel: str, max_bytes: int, with_blob: bool = False) -> Answer:
    """Read and parse one answer; AnswerFileError names what is wrong and where.

    ``with_blob`` fills :attr:`Answer.git_blob` from the very bytes parsed (for
    caches keyed by content).
    """
    data = read_bytes_checked(path, max_bytes)
    text = decode_text(data, path)
    front, body, body_line = split_front_matter(text, path)
    meta = load_front_matter(front, path)
    blob = (git_blob_id(data), *blob_text_key(front, body)) if with_blob else None
    return Answer(path, rel, meta, body, body_line, front, max_bytes=max_bytes, git_blob=blob)


def read_summary(path: Path, rel: str, max_bytes: int) -> Answer:
    """Like :func:`read_answer`, but the answer keeps only its summary (:func:`summary_of`).

    The whole front matter is parsed, by the same loader as :func:`read_answer`, so a
    listing sees exactly the values and the errors the full reader sees: a cut of the
    YAML could not promise that (a quoted value continued at column 0 hides the lines
    after it from one reader and not the other; a bad tag, a bad date or an alias bomb in
    a skipped field is an error only in full). Listings stay fast through the cache,
    which revives what was read here without reading the file again.
    """
    return summary_answer(read_answer(path, rel, max_bytes, with_blob=True))


def summary_answer(answer: Answer) -> Answer:
    """The summary read of a file from its full read (:func:`read_answer` ``with_blob``),
    so work that needs both parses the file once."""
    meta = summary_of(answer.meta)
    return Answer(
        answer.path,
        answer.rel,
        meta,
        None,
        answer.body_line,
        None,
        digest=text_digest(meta.get("title"), answer.body),
        partial=True,
        git_blob=answer.git_blob,
        max_bytes=answer.max_bytes,
    )
