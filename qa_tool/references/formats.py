"""Reading reference files: CSL-JSON, BibTeX/BibLaTeX, RIS and PubMed MEDLINE (.nbib).

Each reader turns a file into :class:`Entry` objects, each holding one CSL item
as the answer schema accepts it (type, title, container-title and
container-title-short, author as family/given with initials kept, issued,
volume, issue, page, DOI, PMID, PMCID, URL). A file that cannot be read raises
:class:`~qa_tool.errors.ReferenceFileError` naming the file and the line or
entry; no entry of it is used then.

Which parser reads what, and why:

- BibTeX/BibLaTeX: bibtexparser v2. It reports each block it cannot parse with
  its line (v1 skipped them silently), keeps entry lines, and its name
  splitting follows BibTeX's rules (``von`` parts, ``Jr``, ``{Braced Corporate
  Names}``). LaTeX in values is decoded with pylatexenc, which bibtexparser
  itself depends on.
- RIS: rispy maps the tags of the RIS specification and its common variants
  (EndNote, publishers) onto names. rispy drops a record that has no ``ER``
  line without a word, so records are cut here first, with their lines, and
  each complete record is handed to rispy; a record without ``ER`` is an error.
- CSL-JSON: the json module; the format is CSL itself, so only types, dates and
  identifiers need tidying.
- MEDLINE (PubMed's "Cite" > .nbib): a small reader here. No maintained PyPI
  package reads it without pulling in a whole toolkit (Biopython), and the
  format is plain: a tag of up to four letters, ``- ``, the value, with
  continuation lines indented by six spaces; records end at a blank line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa_tool.dates import MONTH_NUMBERS
from qa_tool.errors import ReferenceFileError
from qa_tool.fsutil import FileTooLarge, NotRegularFile, read_regular
from qa_tool.model import REFERENCE_FIELD_ORDER
from qa_tool.references.identifiers import is_url, normal_doi, normal_pmcid, normal_pmid

FORMATS = ("csl-json", "bibtex", "ris", "medline")
MAX_REFERENCE_FILE_BYTES = 64 * 1024 * 1024
SCHEMA_TYPES = (
    "article-journal",
    "article",
    "book",
    "chapter",
    "report",
    "webpage",
    "paper-conference",
    "review",
    "dataset",
    "thesis",
    "entry-encyclopedia",
)
_EXTENSIONS = {
    ".json": "csl-json",
    ".csljson": "csl-json",
    ".csl": "csl-json",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".biblatex": "bibtex",
    ".ris": "ris",
    ".nbib": "medline",
    ".medline": "medline",
}


@dataclass
class Entry:
    """One reference read from a file: where it was, its own key, and its CSL item (no id)."""

    source: str
    line: int | None
    label: str
    key: str | None
    item: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        at = f"{self.source}:{self.line}" if self.line else self.source
        return f"{at} ({self.label})"


# ---------------------------------------------------------------------------- the common item


class _Builder:
    """Collects one entry's fields, checking each identifier; errors name the entry."""

    def __init__(self, source: str, line: int | None, label: str):
        self.source, self.line, self.label = source, line, label
        self.item: dict[str, Any] = {}
        self.notes: list[str] = []

    def fail(self, message: str) -> ReferenceFileError:
        return ReferenceFileError(self.source, f"{self.label}: {message}", self.line)

    def text(self, key: str, value: object) -> None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            value = " ".join(value.split())
            if value:
                self.item[key] = value

    def type(self, csl_type: str | None, original: str | None) -> None:
        if csl_type in SCHEMA_TYPES:
            self.item["type"] = csl_type
            return
        self.item["type"] = "article"
        if original:
            self.notes.append(f"type {original!r} has no CSL equivalent here; written as 'article'")

    def authors(self, people: list[dict[str, str]]) -> None:
        cleaned = []
        for person in people:
            name = {k: " ".join(v.split()) for k, v in person.items() if isinstance(v, str)}
            name = {k: v for k, v in name.items() if v}
            if name:
                cleaned.append(name)
        if cleaned:
            self.item["author"] = cleaned

    def issued(self, year: object, month: object = None, day: object = None) -> None:
        parts = []
        for value in (year, month, day):
            if value is None or value == "":
                break
            try:
                parts.append(int(str(value).strip()))
            except ValueError:
                raise self.fail(f"date part {value!r} is not a number") from None
        if not parts:
            return
        if not 1800 <= parts[0] <= 2200:
            raise self.fail(f"year {parts[0]} is not a publication year")
        if len(parts) > 1 and not 1 <= parts[1] <= 12:
            parts = parts[:1]
        if len(parts) > 2 and not 1 <= parts[2] <= 31:
            parts = parts[:2]
        self.item["issued"] = parts[0] if len(parts) == 1 else {"date-parts": [parts]}

    def pages(self, first: object, last: object = None) -> None:
        first = " ".join(str(first).split()) if first not in (None, "") else ""
        last = " ".join(str(last).split()) if last not in (None, "") else ""
        text = f"{first}-{last}" if first and last and last != first else first or last
        text = re.sub(r"\s*(?:--|–|—|-)\s*", "-", text)
        if text:
            self.item["page"] = text

    def doi(self, value: object) -> None:
        if value in (None, ""):
            return
        doi = normal_doi(value)
        if doi is None:
            raise self.fail(f"DOI {value!r} is not a DOI (a DOI looks like 10.1038/abc123)")
        self.item["DOI"] = doi

    def pmid(self, value: object) -> None:
        if value in (None, ""):
            return
        pmid = normal_pmid(value)
        if pmid is None:
            digits = str(value).strip()
            why = (
                "a PubMed id does not start with 0"
                if digits.isdigit() and digits.startswith("0")
                else "a PubMed id is 1 to 9 digits"
            )
            raise self.fail(f"PMID {value!r} is not a PubMed id ({why})")
        self.item["PMID"] = pmid

    def pmcid(self, value: object) -> None:
        if value in (None, ""):
            return
        pmcid = normal_pmcid(value)
        if pmcid is None:
            raise self.fail(f"PMCID {value!r} is not a PubMed Central id (PMC and digits)")
        self.item["PMCID"] = pmcid

    def url(self, value: object) -> None:
        if value in (None, ""):
            return
        if not is_url(value):
            raise self.fail(f"URL {value!r} is not a web address (http:// or https://)")
        self.item["URL"] = str(value).strip()

    def entry(self, key: str | None) -> Entry:
        for name, value in [("key", key), *self.item.items()]:
            bad = _unencodable(value)
            if bad is not None:
                from qa_tool.answerfile.write import shown

                raise self.fail(
                    f"{name} {shown(bad)} holds a lone UTF-16 surrogate, which is not a "
                    "character (a broken export?); fix the file"
                )
        if not self.item.get("title") and not any(
            k in self.item for k in ("DOI", "PMID", "PMCID", "URL")
        ):
            raise self.fail("has no title and no DOI, PMID, PMCID or URL")
        ordered = {k: self.item[k] for k in REFERENCE_FIELD_ORDER if k in self.item}
        return Entry(self.source, self.line, self.label, key, ordered, self.notes)


def _unencodable(value: object) -> str | None:
    """The first text in a value holding a lone surrogate (JSON's ``\\ud800``), or None."""
    from qa_tool.answerfile.write import has_undecodable

    if isinstance(value, str):
        return value if has_undecodable(value) else None
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for part in value:
            found = _unencodable(part)
            if found is not None:
                return found
    return None


# Words that mark an author as a group or body, not a person ("ASCEND Study
# Collaborative Group", "Cochrane Consortium"): such a name is kept whole, as a
# CSL literal, since splitting it into family and given makes "Group ASC". The
# weaker words are also family names ("Michael Board"), so they count only in
# a name of three words or more ("Data Monitoring Board").
_GROUP_WORDS = frozenset(
    """group groups collaborative collaboration collaborators consortium committee
    investigators investigator trialists society association organization organisation
    institute institutes council agency department ministry university foundation
    federation network study studies program programme registry alliance coalition
    commission taskforce""".split()  # noqa: SIM905 (a word list reads better so)
)
_WEAK_GROUP_WORDS = frozenset(
    """board centre center centers centres college team panel task working writing
    office services authority academy league partnership initiative unit hospital
    clinic""".split()  # noqa: SIM905
)


def is_group_name(text: str) -> bool:
    """Whether a name without a comma names a group or body rather than a person.

    >>> is_group_name("ASCEND Study Collaborative Group")
    True
    >>> is_group_name("John A. Smith"), is_group_name("Michael Board")
    (False, False)
    >>> is_group_name("Data Monitoring Board")
    True
    """
    words = [w.casefold() for w in re.findall(r"[^\W\d_]+", text)]
    return any(w in _GROUP_WORDS for w in words) or (
        len(words) >= 3 and any(w in _WEAK_GROUP_WORDS for w in words)
    )


# "et al." closing an author list (BibTeX writes it "and others"): kept as this literal,
# which the import reads as a list cut short, never as a person.
ET_AL = "et al."
_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv 2nd 3rd 4th".split())  # noqa: SIM905


def _is_suffix(word: str) -> bool:
    return word.casefold() in _SUFFIXES


def _is_initials(word: str) -> bool:
    """Vancouver initials as PubMed and RIS write them: ``JA``, ``Å``, ``K-Y``, ``J.-P.``."""
    letters = [c for c in word if c.isalpha()]
    return (
        0 < len(letters) <= 6
        and all(c.isupper() for c in letters)
        and all(c.isalpha() or c in ".-" for c in word)
    )


def split_name(text: str) -> dict[str, str]:
    """``"Smith, John A."`` / ``"Smith JA"`` / ``"John A. Smith"`` as a CSL name.

    A single word, or a name without a comma that names a group, is kept whole:

    >>> split_name("Smith JA")
    {'family': 'Smith', 'given': 'JA'}
    >>> split_name("van der Berg, Hans")
    {'family': 'van der Berg', 'given': 'Hans'}
    >>> split_name("Hans van der Berg")
    {'family': 'van der Berg', 'given': 'Hans'}
    >>> split_name("Ng K-Y"), split_name("Åberg Å")
    ({'family': 'Ng', 'given': 'K-Y'}, {'family': 'Åberg', 'given': 'Å'})
    >>> split_name("Smith, John, Jr.")
    {'family': 'Smith', 'given': 'John', 'suffix': 'Jr.'}
    >>> split_name("Smith JA Jr")
    {'family': 'Smith', 'given': 'JA', 'suffix': 'Jr'}
    >>> split_name("ASCEND Study Collaborative Group")
    {'literal': 'ASCEND Study Collaborative Group'}
    """
    text = " ".join(text.split())
    if text.casefold().rstrip(".") == "et al":
        return {"literal": ET_AL}
    if "," in text:
        return _split_with_commas([p.strip() for p in text.split(",")])
    words = text.split(" ")
    if len(words) == 1 or is_group_name(text):
        return {"literal": text}
    suffix = words.pop() if len(words) > 2 and _is_suffix(words[-1]) else None
    if _is_initials(words[-1]):  # Vancouver: family first, then initials
        name = {"family": " ".join(words[:-1]), "given": words[-1]}
    else:  # natural order; the family starts at a particle (van, de, von der)
        start = next((n for n in range(1, len(words) - 1) if words[n][:1].islower()), None)
        start = len(words) - 1 if start is None else start
        name = {"family": " ".join(words[start:]), "given": " ".join(words[:start])}
    if suffix:
        name["suffix"] = suffix
    return name


def _split_with_commas(parts: list[str]) -> dict[str, str]:
    """``Family, Given`` / ``Family, Given, Jr.`` / ``Family, Jr., Given`` (BibTeX's order)."""
    family, rest = parts[0], [p for p in parts[1:] if p]
    suffix = None
    if len(rest) >= 2 and _is_suffix(rest[-1]):
        suffix = rest.pop()
    elif len(rest) >= 2 and _is_suffix(rest[0]):
        suffix = rest.pop(0)
    given = ", ".join(rest)
    words = given.split(" ")
    if suffix is None and len(words) > 1 and _is_suffix(words[-1]):  # "Smith, John A Jr"
        suffix, given = words[-1], " ".join(words[:-1])
    if not given:
        return {"literal": family}
    name = {"family": family, "given": given}
    if suffix:
        name["suffix"] = suffix
    return name


_NOTE_PMID = re.compile(r"\b(?:PMID|PubMed\s*ID)\s*[:=]?\s*(\d+)", re.IGNORECASE)
_NOTE_PMCID = re.compile(r"\bPMC(?:ID)?\s*[:=]?\s*((?:PMC)?\d+)", re.IGNORECASE)
# Only a line that starts with the identifier is the paper's own (as Zotero's Extra,
# Better BibTeX and EndNote write it); one in running text names another paper.
_NOTE_ID_LINE = re.compile(r"\s*(?:PMID|PubMed\s*ID|PMC)", re.IGNORECASE)


def ids_in_note(text: object) -> tuple[str | None, str | None]:
    """The PMID and PMCID a free-text note gives (``PMID: 20167359``, ``PMCID: PMC2949384``).

    Reference managers keep them there: EndNote in ``N1``/``M1``, Zotero in
    *Extra* (CSL ``note``), BibTeX exports in ``note``/``annote``.

    >>> ids_in_note("PMID: 20167359; PMCID: PMC2949384")
    ('20167359', 'PMC2949384')
    >>> ids_in_note("PMC2949384")
    (None, 'PMC2949384')
    >>> ids_in_note("Comment in: Lancet. 2020;395:10. PMID: 30000000")
    (None, None)
    """
    if not isinstance(text, str):
        return None, None
    pmid = pmcid = None
    for line in text.splitlines():
        if not _NOTE_ID_LINE.match(line):
            continue  # "Comment in: Lancet. 2020. PMID: 30000000": another paper's id
        found_pmid, found_pmcid = _NOTE_PMID.search(line), _NOTE_PMCID.search(line)
        pmid = pmid or (found_pmid.group(1) if found_pmid else None)
        pmcid = pmcid or (normal_pmcid(found_pmcid.group(1)) if found_pmcid else None)
    return pmid, pmcid


# ---------------------------------------------------------------------------- format detection


def detect_format(path: Path, text: str) -> str:
    """The format from the extension, else from the content; ReferenceFileError if neither."""
    by_extension = _EXTENSIONS.get(path.suffix.lower())
    if by_extension:
        return by_extension
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith(("[", "{")):
        return "csl-json"
    if re.search(r"^\s*@[A-Za-z]+\s*[{(]", text, re.MULTILINE):
        return "bibtex"
    if re.search(r"^TY  - ", text, re.MULTILINE):
        return "ris"
    if re.search(r"^PMID- ", text, re.MULTILINE):
        return "medline"
    raise ReferenceFileError(
        path,
        "cannot tell the format (not CSL-JSON, BibTeX, RIS or MEDLINE); "
        "name it with --from csl-json|bibtex|ris|medline",
    )


def read_text(path: Path) -> str:
    """The file as text: UTF-8, or the UTF-16/32 a byte-order mark names; else an error."""
    try:
        data = read_regular(path, MAX_REFERENCE_FILE_BYTES)
    except FileNotFoundError:
        raise ReferenceFileError(path, "no such file") from None
    except IsADirectoryError:
        raise ReferenceFileError(path, "is a folder, not a reference file") from None
    except NotRegularFile:
        raise ReferenceFileError(
            path, "not a regular file (a device or a pipe); not read"
        ) from None
    except FileTooLarge:
        raise ReferenceFileError(path, f"is larger than {MAX_REFERENCE_FILE_BYTES} bytes") from None
    except OSError as exc:
        raise ReferenceFileError(path, f"cannot be read: {exc.strerror or exc}") from None
    from qa_tool.legacy import bom_encoding

    # a byte-order mark names the encoding (EndNote and Windows tools write UTF-16 with one)
    encoding = bom_encoding(data) or "utf-8-sig"
    if encoding == "utf-8-sig" and b"\0" in data[:8192]:
        raise ReferenceFileError(path, "is a binary file, not a reference file")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8-sig":
            name = encoding.upper()
            raise ReferenceFileError(
                path, f"starts with a {name} byte-order mark but is not valid {name}"
            ) from None
        line = data[: exc.start].count(b"\n") + 1
        raise ReferenceFileError(
            path, f"is not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8", line
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_entries(path: Path, fmt: str | None = None, shown: str | None = None) -> list[Entry]:
    """Every entry of the file at ``path`` (format from ``fmt``, else detected)."""
    shown = shown or str(path)
    text = read_text(path)
    fmt = fmt or detect_format(path, text)
    if fmt not in FORMATS:
        raise ReferenceFileError(shown, f"unknown format {fmt!r}; one of: {', '.join(FORMATS)}")
    entries = _READERS[fmt](text, shown)
    if not entries:
        raise ReferenceFileError(shown, f"holds no {fmt} entries")
    return entries


# ---------------------------------------------------------------------------- CSL-JSON

_CSL_TYPE_MAP = {
    "article-magazine": "article",
    "article-newspaper": "article",
    "post": "webpage",
    "post-weblog": "webpage",
    "entry": "entry-encyclopedia",
    "entry-dictionary": "entry-encyclopedia",
    "review-book": "review",
    "manuscript": "article",
    "preprint": "article",
}


def parse_csl_json(text: str, source: str) -> list[Entry]:
    """The entries of a CSL-JSON file (an array, or an object with ``items``)."""
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ReferenceFileError(source, f"not valid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise ReferenceFileError(source, "not valid CSL-JSON: nested too deeply") from None
    except _NotJSON as exc:
        raise ReferenceFileError(
            source,
            f"not valid JSON: {exc.args[0]} is not a JSON value (a number or text is)",
            _constant_line(text),
        ) from None
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    elif isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ReferenceFileError(source, "CSL-JSON must be a list of items")
    lines = _json_item_lines(text)
    entries = []
    for n, raw in enumerate(data, 1):
        key = raw.get("id") if isinstance(raw, dict) else None
        key = str(key) if isinstance(key, str | int) and not isinstance(key, bool) else None
        label = f"item {n}" + (f" ({key})" if key else "")
        b = _Builder(source, lines[n - 1] if n - 1 < len(lines) else None, label)
        if not isinstance(raw, dict):
            raise b.fail("is not a JSON object")
        csl_type = raw.get("type") if isinstance(raw.get("type"), str) else None
        b.type(_CSL_TYPE_MAP.get(csl_type or "", csl_type), csl_type)
        for name in ("title", "container-title", "container-title-short"):
            b.text(name, _csl_text(b, raw, name))
        if "container-title-short" not in b.item:
            b.text("container-title-short", _csl_text(b, raw, "journalAbbreviation"))
        b.authors(_csl_people(b, raw.get("author")))
        _csl_issued(b, raw.get("issued"))
        b.text("volume", _csl_text(b, raw, "volume"))
        b.text("issue", _csl_text(b, raw, "issue"))
        b.pages(_csl_text(b, raw, "page"))
        b.doi(raw.get("DOI"))
        note_pmid, note_pmcid = ids_in_note(raw.get("note"))
        b.pmid(raw.get("PMID") or note_pmid)
        b.pmcid(raw.get("PMCID") or note_pmcid)
        b.url(raw.get("URL"))
        entries.append(b.entry(key))
    return entries


class _NotJSON(ValueError):
    """``NaN``, ``Infinity``: Python's json reads them, JSON has no such value."""


def _no_constant(name: str) -> None:
    raise _NotJSON(name)


def _constant_line(text: str) -> int | None:
    """The line of the first ``NaN``/``Infinity`` outside a string."""
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)', text):
        if match.group(1):
            return text.count("\n", 0, match.start()) + 1
    return None


def _csl_text(b: _Builder, raw: dict, key: str) -> str | None:
    """A text field of a CSL item: text, a number (``3.0`` is ``3``), or a list of texts
    (Crossref's JSON: the first, with a note when there are others); else an error."""
    value = raw.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        texts = [v for v in value if v.strip()]
        others = [v for v in dict.fromkeys(texts[1:]) if v != (texts[0] if texts else None)]
        if others:
            b.notes.append(
                f"{key} is a list of {len(texts)}; the first is used, not "
                + ", ".join(repr(v) for v in others)
            )
        return texts[0] if texts else None
    raise b.fail(f"{key} {json.dumps(value)[:60]} is not text")


def _csl_people(b: _Builder, people: object) -> list[dict[str, str]]:
    """CSL names; a name written as text (``"Smith, John"``) is split, with a note."""
    if people is None or people == "":
        return []
    if not isinstance(people, list):
        raise b.fail(
            f"author {json.dumps(people)[:60]} is not a list of CSL names "
            '([{"family": ..., "given": ...}])'
        )
    names = []
    for person in people:
        if isinstance(person, dict):
            names.append(_csl_name(person))
        elif isinstance(person, str) and person.strip():
            name = split_name(person)
            b.notes.append(f"author {person!r} is text, not a CSL name: read as {name}")
            names.append(name)
        else:
            raise b.fail(f"author {json.dumps(person)[:60]} is not a CSL name")
    return names


def _json_item_lines(text: str) -> list[int]:
    """The line each top-level item of a JSON list starts on (for messages)."""
    lines, depth, line, in_string, escape = [], 0, 1, False, False
    for ch in text:
        if ch == "\n":
            line += 1
        if in_string:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "[{":
            if depth == 1 and ch == "{":
                lines.append(line)
            depth += 1
        elif ch in "]}":
            depth -= 1
    return lines


def _csl_name(person: dict) -> dict[str, str]:
    if isinstance(person.get("literal"), str):
        return {"literal": person["literal"]}
    family = " ".join(
        str(person[k])
        for k in ("non-dropping-particle", "family")
        if isinstance(person.get(k), str) and person[k]
    )
    given = " ".join(
        str(person[k])
        for k in ("given", "dropping-particle")
        if isinstance(person.get(k), str) and person[k]
    )
    whole = " ".join(part for part in (given, family) if part)
    if whole and (not given or is_group_name(family)):
        return {"literal": whole}  # a family name alone, or a group split in two
    name = {"family": family, "given": given}
    if isinstance(person.get("suffix"), str) and person["suffix"]:
        name["suffix"] = person["suffix"]
    return name


def _csl_issued(b: _Builder, issued: object) -> None:
    if issued is None:
        return
    if isinstance(issued, int | str) and not isinstance(issued, bool):
        _date_text(b, str(issued))
        return
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            b.issued(*parts[0][:3])
            return
        for key in ("raw", "literal"):
            if isinstance(issued.get(key), str):
                _date_text(b, issued[key])
                return
    raise b.fail(f"issued {issued!r} is not a CSL date")


def _date_text(b: _Builder, text: str) -> None:
    """``2021``, ``2021-04-15``, ``2021/04/15/``, ``2022 Oct 15``, ``April 2021``."""
    match = re.match(r"\s*(\d{4})(?:[-/](\d{1,2}))?(?:[-/](\d{1,2}))?", text)
    if match:
        b.issued(*[g for g in match.groups() if g])
        if match.group(2) is None:
            month = _month_in(text[match.end() :])
            if month:
                b.issued(match.group(1), month, _day_after_month(text))
        return
    year = re.search(r"\b(1[89]\d\d|2[0-2]\d\d)\b", text)
    if year:
        b.issued(year.group(1), _month_in(text))
        return
    raise b.fail(f"date {text!r} has no year")


def _month_in(text: str) -> int | None:
    word = re.search(r"[A-Za-z]+", text)
    return MONTH_NUMBERS.get(word.group(0).lower()) if word else None


def _day_after_month(text: str) -> int | None:
    match = re.search(r"\d{4}\s+[A-Za-z]+\s+(\d{1,2})\b", text)
    return int(match.group(1)) if match else None


# ---------------------------------------------------------------------------- BibTeX / BibLaTeX

_BIB_TYPES = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "booklet": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "techreport": "report",
    "report": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "online": "webpage",
    "www": "webpage",
    "electronic": "webpage",
    "dataset": "dataset",
    "misc": "article",
    "unpublished": "article",
}


def parse_bibtex(text: str, source: str) -> list[Entry]:
    """The entries of a BibTeX or BibLaTeX file; ReferenceFileError names the first bad one."""
    import logging

    import bibtexparser

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # failures are reported below
    library = bibtexparser.parse_string(text)
    for block in library.failed_blocks:
        raise _bib_failure(block, source)
    decode = _latex_decoder()
    strings = {key.lower(): block.value for key, block in library.strings_dict.items()}
    raw = {e.key.lower(): _bib_fields(e, source, strings) for e in library.entries}
    parents = {f["crossref"].lower() for f in raw.values() if f.get("crossref")}
    entries = []
    for entry in library.entries:
        if entry.key.lower() in parents:
            continue  # its fields are in the entries that crossref it
        fields = raw[entry.key.lower()]
        inherited: list[str] = []
        if fields.get("crossref"):
            inherited = _inherit(fields, raw.get(fields["crossref"].lower()))
        built = _bib_entry(entry, fields, source, decode)
        if fields.get("crossref"):
            parent = fields["crossref"]
            built.notes.append(
                f"crossref {parent}: "
                + (
                    f"{', '.join(inherited) or 'no field'} taken from it; {parent} is not "
                    "imported as a reference of its own"
                    if parent.lower() in raw
                    else "no such entry in the file, so the fields it would give are missing"
                )
            )
        entries.append(built)
    return entries


# Fields a crossref'd entry (the proceedings, the book) gives the entries that name it, as
# BibTeX and biber do; its title becomes their booktitle. Its identifiers and authors are
# its own, never the child's.
_INHERITED = (
    "booktitle",
    "journal",
    "journaltitle",
    "shortjournal",
    "year",
    "date",
    "month",
    "volume",
    "number",
    "publisher",
    "series",
)
# Verbatim fields in BibTeX and biblatex: never LaTeX-decoded ("~" in a URL is a tilde).
_VERBATIM = frozenset("url doi eprint file pdf urlraw".split())  # noqa: SIM905


def _inherit(fields: dict[str, str], parent: dict[str, str] | None) -> list[str]:
    """Add to ``fields`` what the crossref'd ``parent`` gives; the names of those added."""
    if parent is None:
        return []
    added = []
    if "booktitle" not in fields and parent.get("title"):
        fields["booktitle"] = parent["title"]
        added.append("booktitle")
    for key in _INHERITED:
        if key not in fields and parent.get(key):
            fields[key] = parent[key]
            added.append(key)
    return added


def _bib_fields(entry: Any, source: str, strings: dict[str, str]) -> dict[str, str]:
    """The entry's fields (keys in lower case), with ``#`` concatenations put together."""
    enclosing = entry.parser_metadata.get("removed_enclosing", {})
    fields = {}
    for f in entry.fields:
        value = f.value
        if isinstance(value, str) and "#" in value and enclosing.get(f.key) == "no-enclosing":
            try:
                value = _concatenation(value, strings)
            except ValueError as exc:
                raise ReferenceFileError(
                    source, f"entry {entry.key}: field {f.key}: {exc}", entry.start_line + 1
                ) from None
        fields[f.key.lower()] = value
    return fields


_BIB_MONTHS = (
    "january february march april may june july august september october november december"
)


def _concatenation(value: str, strings: dict[str, str]) -> str:
    """``first # " failure " # {and walking}`` as BibTeX reads it, macros expanded.

    >>> _concatenation('hf # " failure " # {and} # 2', {"hf": "Heart"})
    'Heart failure and2'
    """
    months = {m[:3]: m.capitalize() for m in _BIB_MONTHS.split()}
    parts, at = [], 0
    while True:
        while at < len(value) and value[at].isspace():
            at += 1
        if at < len(value) and value[at] in '{"':
            close, depth, n = value[at], 0, at
            for n in range(at, len(value)):
                ch = value[n]
                depth += (ch == "{") - (ch == "}")
                if n > at and depth == 0 and (ch == "}" if close == "{" else ch == '"'):
                    break
            else:
                raise ValueError(f"a {close!r} is not closed in {value!r}")
            parts.append(value[at + 1 : n])
            at = n + 1
        else:
            word = re.match(r"[^\s#]+", value[at:])
            if not word:
                raise ValueError(f"'#' joins nothing in {value!r}")
            name = word.group(0)
            if name.isdigit():
                parts.append(name)
            elif name.lower() in strings:
                parts.append(strings[name.lower()])
            elif name.lower() in months:
                parts.append(months[name.lower()])
            else:
                raise ValueError(f"@string {name!r} is not defined in the file")
            at += len(name)
        while at < len(value) and value[at].isspace():
            at += 1
        if at == len(value):
            return "".join(parts)
        if value[at] != "#":
            raise ValueError(f"expected '#' at {value[at:][:20]!r}")
        at += 1


def _bib_failure(block: Any, source: str) -> ReferenceFileError:
    """The error for a block bibtexparser could not read, at its line."""
    line = (block.start_line or 0) + 1
    kind = type(block).__name__
    if kind == "DuplicateBlockKeyBlock":
        message = f"entry key {getattr(block, 'key', '?')!r} is used twice"
    else:
        error = getattr(block, "error", None)
        detail = str(getattr(error, "abort_reason", None) or error or "").strip()
        detail = detail.splitlines()[0] if detail else ""
        key = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s{}()]+)\s*,", getattr(block, "raw", "") or "")
        named = f"entry {key.group(1)}: " if key else ""
        cause = _BIB_CAUSES.get(detail.split(":")[0].strip(), detail)
        message = f"{named}malformed BibTeX entry" + (f": {cause}" if cause else "")
    return ReferenceFileError(source, message, line)


# bibtexparser's reasons, said in the user's words ("the parser's text" otherwise).
_BIB_CAUSES = {
    "Unexpected block start": "a brace or quote is not closed before the next entry",
    "Unexpectedly reached end of file.": "a brace or quote is not closed before the file ends",
}


def _bib_entry(
    entry: Any, fields: dict[str, str], source: str, decode: Callable[[str], str]
) -> Entry:
    """One BibTeX entry as a reference (LaTeX decoded, names split into parts)."""
    from bibtexparser.middlewares.names import (
        InvalidNameError,
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    values = {
        k: decode(v) if isinstance(v, str) and k not in _VERBATIM else v for k, v in fields.items()
    }
    b = _Builder(source, entry.start_line + 1, f"entry {entry.key}")
    bib_type = entry.entry_type.lower()
    csl_type = _BIB_TYPES.get(bib_type)
    if bib_type == "misc" and values.get("url") and not values.get("doi"):
        csl_type = "webpage"
    b.type(csl_type, bib_type if csl_type is None else None)
    b.text("title", values.get("title"))
    container = values.get("journaltitle") or values.get("journal") or values.get("booktitle")
    b.text("container-title", container)
    b.text("container-title-short", values.get("shortjournal") or values.get("journalabbr"))
    people = []
    names = split_multiple_persons_names(fields.get("author", ""))
    for n, name in enumerate(names):
        if name.strip() == "others" and n == len(names) - 1 and n > 0:
            people.append({"literal": ET_AL})  # BibTeX's "and others": the list cut short
        elif "," not in name and not name.strip().startswith("{") and is_group_name(name):
            people.append({"literal": decode(" ".join(name.split()))})
        elif extended := _extended_name(name, decode):
            people.append(extended)  # biblatex's "family=Berg, given=Hans, prefix=van der"
        else:
            try:
                parts = parse_single_name_into_parts(name)
            except InvalidNameError as error:
                raise b.fail(
                    f"author {' '.join(name.split())!r} cannot be read ({error})"
                ) from None
            people.append(_bib_name(parts, decode))
    b.authors(people)
    date = values.get("date")
    if date:
        _date_text(b, date)
    elif values.get("year"):
        month = values.get("month")
        month_number = _month_in(month) if month and not month.isdigit() else month
        b.issued(re.sub(r"\D", "", values["year"])[:4] or values["year"], month_number)
    b.text("volume", values.get("volume"))
    b.text("issue", values.get("number") or values.get("issue"))
    b.pages(values.get("pages"))
    b.doi(values.get("doi"))
    eprint_type = (values.get("eprinttype") or values.get("archiveprefix") or "").lower()
    pubmed = eprint_type in ("pubmed", "pmid")
    pmid = values.get("pmid") or (values.get("eprint") if pubmed else None)
    pmcid = values.get("pmcid") or (values.get("eprint") if eprint_type == "pmc" else None)
    extra = "\n".join(str(values.get(k, "")) for k in ("note", "extra"))  # annote: comments
    note_pmid, note_pmcid = ids_in_note(extra)
    pmid, pmcid = pmid or note_pmid, pmcid or note_pmcid
    b.pmid(pmid)
    b.pmcid(pmcid)
    b.url(values.get("url"))
    return b.entry(entry.key)


def _latex_decoder() -> Callable[[str], str]:
    from pylatexenc.latex2text import LatexNodes2Text

    converter = LatexNodes2Text(keep_comments=True)

    def decode(value: str) -> str:
        if not any(c in value for c in "\\{}$~"):
            return value
        try:
            return converter.latex_to_text(value)
        except Exception:  # pylatexenc gives up on odd input: keep the text as written
            return value.replace("{", "").replace("}", "")

    return decode


_EXTENDED_PART_RE = re.compile(r"^\s*(family|given|prefix|suffix|useprefix)\s*=\s*(.*?)\s*$", re.I)


def _extended_name(name: str, decode: Callable[[str], str]) -> dict[str, str] | None:
    """A name in biblatex's extended format ("family=Berg, given=Hans, prefix=van der",
    as Better BibTeX writes names with particles), else None.

    >>> _extended_name("family=Berg, given=Hans, prefix=van der, useprefix=true", str)
    {'family': 'van der Berg', 'given': 'Hans'}
    """
    if "=" not in name:
        return None
    parts: dict[str, str] = {}
    for piece in name.split(","):
        match = _EXTENDED_PART_RE.match(piece)
        if match is None:
            return None
        parts[match[1].lower()] = decode(match[2].strip("{}").strip())
    if "family" not in parts:
        return None
    family = " ".join(p for p in (parts.get("prefix"), parts["family"]) if p)
    out = {"family": family}
    if parts.get("given"):
        out["given"] = parts["given"]
    if parts.get("suffix"):
        out["suffix"] = parts["suffix"]
    return out


def _bib_name(parts: Any, decode: Callable[[str], str]) -> dict[str, str]:
    last = " ".join(parts.last)
    if not parts.first and not parts.von and not parts.jr:
        return {"literal": decode(last)}  # "{World Health Organization}", or one word: "WHO"
    name = {
        "family": decode(" ".join([*parts.von, *parts.last])),
        "given": decode(" ".join(parts.first)),
    }
    if parts.jr:
        name["suffix"] = decode(" ".join(parts.jr))
    return name


# ---------------------------------------------------------------------------- RIS

_RIS_TYPES = {
    "JOUR": "article-journal",
    "JFULL": "article-journal",
    "EJOUR": "article-journal",
    "ABST": "article-journal",
    "INPR": "article-journal",
    "MGZN": "article",
    "NEWS": "article",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "CHAP": "chapter",
    "ECHAP": "chapter",
    "CONF": "paper-conference",
    "CPAPER": "paper-conference",
    "RPRT": "report",
    "GOVDOC": "report",
    "ELEC": "webpage",
    "WEB": "webpage",
    "BLOG": "webpage",
    "THES": "thesis",
    "DATA": "dataset",
    "DBASE": "dataset",
    "ENCYC": "entry-encyclopedia",
    "GEN": "article",
}
_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")
# A tag with one space, three, or a tab before the dash (hand-edited files, older
# exporters): read as the tag when it is one RIS knows, with a note.
_RIS_LOOSE_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9])[ \t]+-(?:[ \t](.*))?$")
_RIS_AUTHOR_TAGS = ("AU", "A1")


def _ris_tags() -> frozenset[str]:
    import rispy

    return frozenset(rispy.TAG_KEY_MAPPING) | {"TY", "ER"}


def parse_ris(text: str, source: str) -> list[Entry]:
    """The entries of a RIS file; ReferenceFileError names the first bad one."""
    import rispy

    entries = []
    record: list[str] = []
    start = 0
    loose: list[str] = []
    known = _ris_tags()
    for n, line in enumerate(text.split("\n"), 1):
        tag = _RIS_LINE.match(line)
        odd = None if tag else _RIS_LOOSE_LINE.match(line)
        if odd:  # a tag written loosely (one space, a tab, lower case): never a continuation
            name = odd.group(1).upper()
            if name not in known:
                raise ReferenceFileError(
                    source,
                    f"{line[:30]!r} looks like a RIS tag, but RIS has no tag {name} "
                    "(a line is 'TAG  - value', two spaces before the dash)",
                    n,
                )
            line = f"{name}  - {(odd.group(2) or '').strip()}"
            loose.append(
                f"line {n}: {odd.group(0)[:20]!r} read as tag {name} "
                "(RIS writes 'TAG  - value': two capitals, two spaces before the dash)"
            )
            tag = _RIS_LINE.match(line)
        if tag and tag.group(1) == "TY":
            if record:
                raise ReferenceFileError(
                    source, f"record starting here has no 'ER  -' line before line {n}", start
                )
            record, start = [line], n
        elif tag and tag.group(1) == "ER":
            if not record:
                raise ReferenceFileError(source, "'ER  -' with no record open ('TY  -')", n)
            record.append("ER  - ")
            data = rispy.loads("\n".join(record) + "\n")
            if len(data) != 1:
                raise ReferenceFileError(source, "malformed RIS record", start)
            entry = _ris_entry(data[0], source, start, _ris_people(record))
            entry.notes[:0] = loose
            entries.append(entry)
            record, loose = [], []
        elif record:
            record.append(line)
        elif tag:
            raise ReferenceFileError(source, f"tag {tag.group(1)} outside a record ('TY  -')", n)
        # Other text between records (a publisher's "Provider: ..." header) is not RIS: skipped.
    if record:
        raise ReferenceFileError(source, "record starting here has no 'ER  -' line", start)
    return entries


def _ris_people(record: list[str]) -> list[str]:
    """The ``AU``/``A1`` names of a record in file order, a wrapped name's continuation
    line joined to it (rispy would make it another author)."""
    people: list[str] = []
    in_author = False
    for line in record:
        match = _RIS_LINE.match(line)
        if match:
            in_author = match.group(1) in _RIS_AUTHOR_TAGS
            if in_author:
                people.append(match.group(2).strip())
        elif in_author and people and line.strip():
            people[-1] = f"{people[-1]} {line.strip()}"
    return [p for p in people if p]


def _first(value: object) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _ris_entry(rec: dict[str, Any], source: str, line: int, people: list[str]) -> Entry:
    """One RIS record (as rispy read it) as a reference; ``people``: its ``AU``/``A1``
    names in file order (rispy keeps the two tags apart, and a reader of one loses the
    other)."""
    key = _first(rec.get("id"))
    label = f"record {key}" if key else "record"
    b = _Builder(source, line, label)
    ris_type = (rec.get("type_of_reference") or "").strip().upper()
    b.type(_RIS_TYPES.get(ris_type), ris_type or None)
    b.text("title", _first(rec.get("title")) or _first(rec.get("primary_title")))
    full = (
        _first(rec.get("secondary_title"))
        or _first(rec.get("alternate_title3"))
        or _first(rec.get("journal_name"))
    )
    short = _first(rec.get("alternate_title1")) or _first(rec.get("alternate_title2"))
    if not short and _first(rec.get("journal_name")) not in (None, full):
        short = _first(rec.get("journal_name"))
    b.text("container-title", full)
    b.text("container-title-short", short)
    b.authors([split_name(p) for p in people])
    date = _first(rec.get("date")) or _first(rec.get("publication_year"))
    year = _first(rec.get("year"))
    if date and re.match(r"\s*\d{4}", date):
        _date_text(b, date)
    elif year:
        _date_text(b, year)
    b.text("volume", _first(rec.get("volume")))
    b.text("issue", _first(rec.get("number")))
    b.pages(_first(rec.get("start_page")), _first(rec.get("end_page")))
    urls = [u.strip() for u in rec.get("urls") or [] if isinstance(u, str) and u.strip()]
    doi = _first(rec.get("doi"))
    if not doi:
        doi = next((u for u in urls if normal_doi(u)), None)
    b.doi(doi)
    database = " ".join(
        str(_first(rec.get(k)) or "") for k in ("name_of_database", "database_provider")
    ).lower()
    pmid, pmcid = _ris_pubmed_ids(rec, database)
    b.pmid(pmid)
    b.pmcid(pmcid)
    web = [u for u in urls if not normal_doi(u)]
    b.url(web[0] if web else None)
    return b.entry(key)


# Databases whose accession numbers (AN) are digits but not PubMed ids.
_NOT_PUBMED_DATABASES = ("embase", "scopus", "web of science", "wos", "cinahl", "psycinfo")


def _ris_pubmed_ids(rec: dict[str, Any], database: str) -> tuple[str | None, str | None]:
    """PMID and PMCID of a RIS record, wherever EndNote and others put them.

    The PMID: ``AN`` (the accession number, which is the PMID of a record from
    PubMed) when it is digits and the record names no other database, else a
    ``PMID: n`` in ``N1``/``M1``/``C1``/``C2``. The PMCID: ``C2`` (EndNote's
    "PMCID" field) or a note, as ``PMC123`` or ``PMCID: PMC123``.
    """
    notes: list[str] = []
    for key in ("custom2", "custom1", "note", "notes"):
        value = rec.get(key)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and v.strip():
                notes.append(v.strip())
    pmid = pmcid = None
    accession = _first(rec.get("accession_number"))
    if accession:
        accession = re.sub(r"^(?:PMID|PubMed)\s*[:=]?\s*", "", accession, flags=re.IGNORECASE)
        named_other = any(name in database for name in _NOT_PUBMED_DATABASES)
        if accession.isdigit() and not named_other:
            pmid = accession
    for note in notes:
        note_pmid, note_pmcid = ids_in_note(note)
        pmid = pmid or note_pmid
        pmcid = pmcid or note_pmcid or (note if re.fullmatch(r"PMC\d+", note) else None)
    return pmid, pmcid


# ---------------------------------------------------------------------------- PubMed MEDLINE

_MEDLINE_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}-(?: (.*))?$")


def parse_medline(text: str, source: str) -> list[Entry]:
    """The records of a PubMed MEDLINE (``.nbib``) file, as references."""
    records: list[tuple[int, list[tuple[str, str]]]] = []
    current: list[tuple[str, str]] = []
    start = 0
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            if current:
                records.append((start, current))
                current = []
            continue
        match = _MEDLINE_LINE.match(line)
        if match and match.group(1) == "PMID" and any(t == "PMID" for t, _ in current):
            records.append((start, current))  # no blank line before it: a record all the same
            current = []
        if match:
            if not current:
                start = n
            current.append((match.group(1), (match.group(2) or "").strip()))
        elif line.startswith("      ") and current:
            tag, value = current[-1]
            current[-1] = (tag, f"{value} {line.strip()}")
        else:
            raise ReferenceFileError(
                source,
                f"not a MEDLINE line (expected 'TAG - value' or an indented continuation): "
                f"{line.strip()[:40]!r}",
                n,
            )
    if current:
        records.append((start, current))
    return [_medline_entry(fields, source, line) for line, fields in records]


def _medline_entry(fields: list[tuple[str, str]], source: str, line: int) -> Entry:
    tags: dict[str, list[str]] = {}
    for tag, value in fields:
        tags.setdefault(tag, []).append(value)

    def one(tag: str) -> str | None:
        return tags.get(tag, [None])[0]

    pmid = one("PMID")
    label = f"PMID {pmid}" if pmid else "record"
    b = _Builder(source, line, label)
    if pmid is None:
        raise b.fail("has no PMID line; is this a PubMed MEDLINE (.nbib) record?")
    kinds = [k.lower() for k in tags.get("PT", [])]
    if "book" in " ".join(kinds) and not one("JT"):
        b.type("book", None)
    else:
        b.type("article-journal", None)
    title = one("TI") or one("BTI")
    if title and title.endswith(".") and not title.endswith(".."):
        title = title[:-1]  # PubMed ends every title with a full stop; other sources do not
    b.text("title", title)
    b.text("container-title", one("JT"))
    b.text("container-title-short", one("TA"))
    b.authors(_medline_people(fields))
    date = one("DP") or one("DEP")
    if date:
        _date_text(b, date)
    b.text("volume", one("VI"))
    b.text("issue", one("IP"))
    b.pages(one("PG"))
    doi = None
    for value in tags.get("LID", []) + tags.get("AID", []):
        if value.endswith("[doi]"):
            doi = value[: -len("[doi]")].strip()
            break
    b.doi(doi)
    b.pmid(pmid)
    pmc = one("PMC") or next(
        (v[: -len("[pmc]")].strip() for v in tags.get("AID", []) if v.endswith("[pmc]")), None
    )
    b.pmcid(pmc)
    return b.entry(f"pmid:{pmid}")


def _medline_people(fields: list[tuple[str, str]]) -> list[dict[str, str]]:
    """The authors in file order: each ``FAU`` (full name) with the ``AU`` (initials) right
    after it, an ``AU`` alone where ``FAU`` is missing, a ``CN`` group where it stands."""
    people: list[list[str | None]] = []  # [tag, FAU, AU]
    open_full = None
    for tag, value in fields:
        if tag == "FAU":
            open_full = [tag, value, None]
            people.append(open_full)
        elif tag == "AU" and open_full is not None:
            open_full[2], open_full = value, None
        elif tag in ("AU", "CN"):
            people.append([tag, None, value])
            open_full = None
    names = []
    for kind, full, short in people:
        if kind == "CN":
            names.append({"literal": str(short)})
            continue
        person = split_name(full) if full else {}
        if "given" not in person and short:
            person = split_name(short)
        names.append(person)
    return names


_READERS: dict[str, Callable[[str, str], list[Entry]]] = {
    "csl-json": parse_csl_json,
    "bibtex": parse_bibtex,
    "ris": parse_ris,
    "medline": parse_medline,
}
