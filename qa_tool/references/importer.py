"""``qa refs import``: fill an answer's references from BibTeX, RIS, CSL-JSON or MEDLINE files.

Each entry read (:mod:`qa_tool.references.formats`) is matched to the answer's
references: with ``as_id``, the one entry fills reference ``as_id``; otherwise
by DOI (case-insensitive), then PMID, then PMCID, then key (the entry's own key
equal to a reference id). A match that is a stub is filled; one with details
gets the fields it lacks; a field whose value differs is a *conflict*, left as
it is unless ``force`` (the lacking fields are added all the same). An entry
that matches nothing is added under its own key (BibTeX key, RIS ``ID``, CSL id,
else ``pmid:NNN``). Example::

    outcome = import_references(config, "what-new-treatments", [Path("ref1.nbib")], as_id="1")

The edit is a round-trip edit of the front matter (:mod:`qa_tool.answerfile.edit`) under
the file's edit lock; every file is read and checked before the answer is
touched, so a bad file writes nothing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa_tool.config import Config
from qa_tool.errors import UsageError
from qa_tool.fsutil import LOCK_TIMEOUT_SECONDS, edit_lock
from qa_tool.library import find_answer, relative
from qa_tool.model import FIELD_ORDER, REFERENCE_FIELD_ORDER
from qa_tool.references import is_stub
from qa_tool.references.formats import Entry, read_entries
from qa_tool.references.identifiers import doi_key

REFERENCE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_:.#$%&+?<>~/-]*$")
MATCH_ORDER = ("DOI", "PMID", "PMCID")


@dataclass
class FieldChange:
    """One field of a reference that an import sets: its old and new value."""

    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": _plain(self.old), "new": _plain(self.new)}


@dataclass
class ImportedEntry:
    """What became of one entry: the reference it went to and what changed there.

    ``action``: ``filled`` (a stub got details), ``updated`` (fields added, or replaced
    with force), ``added`` (a new reference), ``unchanged``, or ``conflict`` (details
    differ; nothing of this entry written).
    """

    entry: Entry
    reference: str
    action: str
    matched_by: str | None
    changes: list[FieldChange] = field(default_factory=list)
    conflicts: list[FieldChange] = field(default_factory=list)
    cited: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def all_notes(self) -> list[str]:
        """What the file's reader noted about the entry, then what the import did."""
        return [*self.entry.notes, *self.notes]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.entry.source,
            "line": self.entry.line,
            "entry": self.entry.label,
            "reference": self.reference,
            "action": self.action,
            "matched_by": self.matched_by,
            "changes": [c.to_dict() for c in self.changes],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "cited": self.cited,
            "notes": self.all_notes,
        }


@dataclass
class ImportOutcome:
    """What an import did to one answer: the entries matched and each change."""

    path: str
    id: str
    entries: list[ImportedEntry]
    written: bool
    dry_run: bool
    diff: str = ""

    @property
    def conflicts(self) -> list[ImportedEntry]:
        return [e for e in self.entries if e.action == "conflict"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "id": self.id,
            "dry_run": self.dry_run,
            "written": self.written,
            "entries": [e.to_dict() for e in self.entries],
            "diff": self.diff,
        }


def load_entries(config: Config, files: Sequence[Path], fmt: str | None) -> list[Entry]:
    """Every entry of every file, or the first file's error (nothing is used then)."""
    entries: list[Entry] = []
    for path in files:
        shown = str(path)
        entries.extend(read_entries(path, fmt, shown))
    return entries


def import_references(
    config: Config,
    answer: str,
    files: Sequence[Path],
    *,
    as_id: str | None = None,
    fmt: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT_SECONDS,
) -> ImportOutcome:
    """Import the entries of ``files`` into the answer ``answer`` (an id or a path)."""
    from qa_tool.answerfile.edit import preview_front_matter_edit, write_previewed
    from qa_tool.answerfile.read import read_answer
    from qa_tool.body import citations

    if not files:
        raise UsageError("name at least one reference file")
    if as_id is not None and not REFERENCE_ID.match(as_id):
        raise UsageError(f"--as {as_id!r} is not a reference id (letters, digits, _:.#-/...)")
    path = find_answer(config, answer)
    rel = relative(config, path)
    entries = load_entries(config, files, fmt)
    if as_id is not None and len(entries) != 1:
        raise UsageError(
            f"--as {as_id} fills one reference, but the files hold {len(entries)} entries; "
            "import one entry, or leave out --as to match by DOI, PMID, PMCID or key"
        )
    with edit_lock(config.state_dir, path, timeout=lock_timeout, shown=rel):
        current = read_answer(path, rel, config.max_file_bytes)
        existing = current.meta.get("references")
        if existing is not None and not isinstance(existing, list):
            from qa_tool.errors import AnswerFileError

            kind = "a mapping" if isinstance(existing, dict) else f"a {type(existing).__name__}"
            raise AnswerFileError(
                path,
                f"references is {kind}, not a list of references; make it a list "
                "(- id: ...) first; nothing written",
                rule="schema-type",
            )
        cited = {c.key for c in citations(current.body)}
        results: list[ImportedEntry] = []

        def change(front: Any) -> None:
            results.clear()
            results.extend(_apply(front, entries, as_id, force))
            _refuse_too_large(path, results, config.max_file_bytes)

        edited = preview_front_matter_edit(path, change, config.max_file_bytes)
        diff = _diff(rel, edited) if edited else ""
        written = False
        if edited and not dry_run:  # the file is as previewed: the lock is held
            write_previewed(path, edited[1])
            written = True
    for result in results:
        result.cited = result.reference in cited
    return ImportOutcome(rel, current.id or path.stem, results, written, dry_run, diff)


def _refuse_too_large(path: Path, results: list[ImportedEntry], max_bytes: int) -> None:
    """Refuse, before the front matter is written out, an import that cannot fit.

    Each field added puts at least its name and its text into the file, so when the
    file plus those already passes ``max_bytes`` the edit would be refused after
    rendering it all (minutes, for a file of thousands of entries).
    """
    least = path.stat().st_size
    for result in results:
        if result.action == "added":
            least += _least_size(result.reference)
        least += sum(
            _least_size(c.field) + _least_size(c.new) for c in result.changes if c.old is None
        )
        if least > max_bytes:
            from qa_tool.errors import AnswerFileError

            raise AnswerFileError(
                path,
                f"the import would make the file at least {least:,} bytes, over the "
                f"{max_bytes:,}-byte limit (max_file_bytes in qa.toml); nothing written",
                rule="too-large",
            )


def _least_size(value: Any) -> int:
    """The fewest bytes ``value`` takes in YAML: its texts, each written once at least."""
    if isinstance(value, dict):
        return sum(_least_size(k) + _least_size(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(_least_size(v) for v in value)
    return len(str(value).encode("utf-8"))


def _diff(rel: str, edited: tuple[bytes, bytes]) -> str:
    old, new = (b.decode("utf-8-sig").replace("\r\n", "\n") for b in edited)
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{rel}",
        tofile=f"b/{rel}",
    )
    return "".join(lines)


def _own_key(entry: Entry) -> str:
    """The id a new reference gets: the entry's key when it can be cited as ``[@key]``."""
    key = entry.key
    if key and "://" not in key and REFERENCE_ID.match(key):
        return key
    if entry.item.get("PMID"):
        return f"pmid:{entry.item['PMID']}"
    if entry.item.get("DOI"):
        candidate = f"doi:{entry.item['DOI']}"
        if REFERENCE_ID.match(candidate):
            return candidate
    if key and "://" in key:  # a Zotero item URI: its last part is the item key
        tail = key.rstrip("/").rsplit("/", 1)[-1]
        if REFERENCE_ID.match(tail):
            return tail
    return _author_year_key(entry)


def _unused(key: str, taken: set[str]) -> str:
    """``key``, or ``key`` with a letter added when a reference has that id already."""
    if key not in taken:
        return key
    for letter in "abcdefghijklmnopqrstuvwxyz":
        if f"{key}{letter}" not in taken:
            return f"{key}{letter}"
    n = 2
    while f"{key}-{n}" in taken:
        n += 1
    return f"{key}-{n}"


def _author_year_key(entry: Entry) -> str:
    """``berg2019`` from the first author and the year, for an entry with no key or identifier."""
    from slugify import slugify

    people = entry.item.get("author") or [{}]
    first = people[0].get("family") or people[0].get("literal") or ""
    words = slugify(first, separator=" ").split() or slugify(entry.item.get("title", "")).split()
    name = (words[-1] if people[0].get("family") else "".join(words))[:20] or "ref"
    issued = entry.item.get("issued")
    year = _year(issued) if issued is not None else None
    return f"{name}{year or ''}"


def _apply(
    front: Any, entries: Sequence[Entry], as_id: str | None, force: bool
) -> list[ImportedEntry]:
    from ruamel.yaml.comments import CommentedSeq

    from qa_tool.answerfile.edit import set_in_order

    refs = front.get("references")
    if not isinstance(refs, list):
        refs = CommentedSeq()
        if "references" in front:
            front["references"] = refs
        else:
            set_in_order(front, "references", refs, FIELD_ORDER)
    index = _Index(refs)
    out = []
    first_by: dict[int, Entry] = {}  # each reference matched: the first entry that did
    for entry in entries:
        notes: list[str] = []
        target, matched_by = _match(index, entry, as_id, notes)
        if target is None:
            ref_id = as_id or _unused(_own_key(entry), index.ids)
            new = _new_reference(ref_id, entry.item)
            index.add(new)
            first_by[id(new)] = entry
            changes = [FieldChange(k, None, v) for k, v in entry.item.items()]
            out.append(ImportedEntry(entry, ref_id, "added", None, changes, notes=notes))
            continue
        ref_id = str(target.get("id"))
        earlier = first_by.setdefault(id(target), entry)
        if earlier is not entry:
            notes.append(
                f"[@{ref_id}] was matched by {earlier.where} of this import too: "
                "the file lists one work twice, or two works share a key or identifier"
            )
        was_stub = is_stub(target)
        additions, conflicts = _compare(target, entry.item)
        written = additions + conflicts if force else additions
        for change in written:
            set_in_order(target, change.field, _yaml_value(change.new), REFERENCE_FIELD_ORDER)
        index.update(target)
        if conflicts and not force:  # the differing fields are kept; the lacking ones added
            out.append(
                ImportedEntry(
                    entry, ref_id, "conflict", matched_by, additions, conflicts, notes=notes
                )
            )
            continue
        if was_stub and (additions or conflicts):
            action = "filled"
        elif additions or conflicts:
            action = "updated"
        else:
            action = "unchanged"
        out.append(
            ImportedEntry(entry, ref_id, action, matched_by, additions + conflicts, notes=notes)
        )
    return out


class _Index:
    """The answer's references by id, DOI (any case), PMID and PMCID, kept up to date as an
    import adds references and fields, so matching each entry does not scan them all."""

    def __init__(self, refs: list):
        self.refs = refs
        self.ids: set[str] = set()
        self.by: dict[str, dict[str, Any]] = {key: {} for key in ("id", *MATCH_ORDER)}
        self.works: dict[tuple[str, str, int | None], Any] = {}
        for ref in refs:
            if hasattr(ref, "get"):
                self.update(ref)

    @staticmethod
    def id_key(key: str, value: Any) -> str | None:
        """How an identifier is looked up: a DOI without regard to case; a PMID, PMCID, id
        as written (a PMID or PMCID in capitals)."""
        if not isinstance(value, str | int) or isinstance(value, bool):
            return None
        if key == "DOI":
            return doi_key(str(value))
        return str(value) if key == "id" else str(value).strip().upper()

    def update(self, ref: Any) -> None:
        """Index ``ref`` under its current values (the first reference holding one keeps it)."""
        self.ids.add(str(ref.get("id")))
        for key, table in self.by.items():
            found = self.id_key(key, ref.get(key))
            if found is not None:
                table.setdefault(found, ref)
        work = _work_key(ref)
        if work is not None:
            self.works.setdefault(work, ref)

    def add(self, ref: Any) -> None:
        self.refs.append(ref)
        self.update(ref)

    def find(self, key: str, value: Any) -> Any:
        found = self.id_key(key, value)
        return None if found is None else self.by[key].get(found)


def _match(
    index: _Index, entry: Entry, as_id: str | None, notes: list[str]
) -> tuple[Any, str | None]:
    """The reference ``entry`` is the same work as, and how it was matched (None: new).

    A key match whose DOI, PMID or PMCID differs from the reference's is not the same
    work (an EndNote record number ``ID  - 1`` beside a legacy reference ``1``): no
    match, and a note says why.
    """
    if as_id is not None:
        ref = index.by["id"].get(as_id)
        return (ref, "as") if ref is not None else (None, None)
    item = entry.item
    for key in MATCH_ORDER:
        ref = index.find(key, item.get(key))
        if ref is not None:
            return ref, key
    keys = [k for k in dict.fromkeys([entry.key, _own_key(entry)]) if k is not None]
    if not entry.key and not item.get("PMID") and not item.get("DOI"):
        keys = []  # an author-year key made here names no particular reference yet
    for key in keys:
        ref = index.by["id"].get(key)
        if ref is None:
            continue
        differs = [
            k
            for k in MATCH_ORDER
            if item.get(k) and index.id_key(k, ref.get(k)) not in (None, index.id_key(k, item[k]))
        ]
        if differs:
            shown = ", ".join(f"{k} {item[k]} (the reference has {ref.get(k)})" for k in differs)
            notes.append(
                f"its key {key!r} is the id of [@{key}], but its {shown} differs: "
                "not the same work, so added under an id of its own"
            )
            return None, None
        return ref, "key"
    if not any(item.get(k) for k in MATCH_ORDER):  # nothing to know the work by but itself
        work = _work_key(item)
        if work is not None and work in index.works:
            return index.works[work], "title"
    return None, None


def _work_key(ref: Any) -> tuple[str, str, int | None] | None:
    """Title, first author and year, compared as details are (case, accents, punctuation
    aside): how an entry without key or identifier is known again on the next import."""
    title = ref.get("title")
    if not isinstance(title, str) or not _norm_text(title):
        return None
    people = ref.get("author")
    first: Any = people[0] if isinstance(people, list) and people else {}
    name = (first.get("family") or first.get("literal") or "") if hasattr(first, "get") else ""
    issued = ref.get("issued")
    return _norm_text(title), _norm_text(name), _year(issued) if issued is not None else None


def _compare(ref: Any, item: dict[str, Any]) -> tuple[list[FieldChange], list[FieldChange]]:
    """Fields the reference lacks (additions) and fields whose values differ (conflicts)."""
    additions, conflicts = [], []
    short = item.get("container-title-short")
    for key, new in item.items():
        old = ref.get(key)
        if old is None or old == "" or old == []:
            additions.append(FieldChange(key, None, new))
        elif key == "container-title" and short and _same_value(key, old, short):
            continue  # the journal written as its abbreviation ("N Engl J Med"): the same
        elif key == "page" and _page_range(old) == _page_range(new) is not None:
            continue  # "1529-39" is "1529-1539"
        elif key == "author" and _completes(old, new):
            additions.append(FieldChange(key, old, new))  # "Bowman L, et al." in full
        elif key == "issued" and _year(old) == _year(new):
            if isinstance(old, int) and not isinstance(new, int):
                additions.append(FieldChange(key, old, new))  # the same year, more precisely
        elif not _same_value(key, old, new):
            conflicts.append(FieldChange(key, old, new))
    return additions, conflicts


def _page_range(value: Any) -> tuple[str, str] | None:
    """``("1529", "1539")`` from ``1529-1539`` or the shortened ``1529-39``; None otherwise."""
    match = re.fullmatch(r"\s*(\w*?)(\d+)\s*[-–—]+\s*\1?(\d+)\s*", str(value))
    if not match:
        return None
    prefix, first, last = match.groups()
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return prefix + first, prefix + last


def _year(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    try:
        return int(value["date-parts"][0][0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _norm_text(value: Any) -> str:
    """For comparing details: case, accents, spacing and punctuation do not count.

    >>> _norm_text("Statins: a meta-analysis.") == _norm_text("statins - a meta analysis")
    True
    """
    import unicodedata

    text = unicodedata.normalize("NFKD", str(value).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", text))


def _same_value(key: str, old: Any, new: Any) -> bool:
    if key == "DOI":
        return doi_key(str(old)) == doi_key(str(new))
    if key == "author":
        return _author_keys(old) == _author_keys(new)
    if isinstance(new, str | int):
        return _norm_text(old) == _norm_text(new)
    return _plain(old) == _plain(new)


def _completes(old: Any, new: Any) -> bool:
    """Whether ``new`` is the full list of authors that ``old`` cut short with "et al."."""
    if not isinstance(old, list) or not old or not hasattr(old[-1], "get"):
        return False
    if _norm_text(old[-1].get("literal") or "") != "et al":
        return False
    shown = _author_keys(old[:-1])
    return (
        isinstance(new, list) and len(new) > len(shown) and _author_keys(new)[: len(shown)] == shown
    )


def _author_keys(people: Any) -> list[tuple[str, str]]:
    if not isinstance(people, list):
        return []
    keys = []
    for person in people:
        if not hasattr(person, "get"):
            keys.append((str(person).casefold(), ""))
            continue
        family = person.get("family") or person.get("literal") or ""
        given = str(person.get("given") or "")
        keys.append((_norm_text(family), given[:1].casefold()))
    return keys


def _plain(value: Any) -> Any:
    if hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _yaml_value(value: Any) -> Any:
    """A value as written in front matter: author names and dates in flow style, one line each."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        mapping = CommentedMap()
        for k, v in value.items():
            mapping[k] = _yaml_value(v)
        mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        seq = CommentedSeq(_yaml_value(v) for v in value)
        if all(not isinstance(v, dict) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value  # text is quoted by the one rule of qa_tool.answerfile.write


def _new_reference(ref_id: str, item: dict[str, Any]) -> Any:
    from ruamel.yaml.comments import CommentedMap

    ref = CommentedMap()
    ref["id"] = _yaml_value(ref_id)
    for key, value in item.items():
        ref[key] = _yaml_value(value)
    return ref
