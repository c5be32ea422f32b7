"""Read a legacy answer text (a page export or a copy of the live page) into its parts.

This is the pure core of ``qa convert``: bytes in, a :class:`LegacyAnswer` out. It never
prints and never touches the file system, so the command layer decides what to write
and how to show the warnings.

Example::

    >>> answer = parse_legacy(b"Can I exercise?\\nYes.\\nWhat the research says\\n"
    ...                       b"Walking helps 1.\\nWhat to ask your doctor\\n- How much?\\n")
    >>> answer.research
    ['Walking helps [@1].']
    >>> answer.references
    [{'id': '1'}]

What is recognised, in the order it is removed from the text:

* the standard footer ("This question is drawn from common patient questions about
  <Topic> and answered using cited medical research. We do not provide individualized
  advice."), which gives ``topic``;
* page chrome lines ("Mode", "Text Size", "Log in / Sign up", "Share", "Print",
  "Back to top", cookie banners...), wherever they stand;
* the "<confidence> confidence · Last reviewed <date>" line (either part may be
  missing; plain or non-breaking spaces around the dot);
* section headings as bare lines or Markdown ``#`` lines: "What the research says",
  "What to ask your doctor", and an optional trailing "References" list.

The first remaining line is the question; the text up to the first section is the
summary.

Citation rule. Explicit citations are always citations: ``[4]``, ``[2, 5]``, ``[2-4]``
(ranges expand) and Pandoc's ``[@4]``. A bare number is a citation only when it stands
at the end of a sentence: an integer or comma list ("1", "2, 5", "6,7") after a space
and right before ". ", "!", "?", ";" or the end of the paragraph. It is still prose
when the word before it takes a number ("over 65.", "stages 3 and 4.", "type 2.";
see ``NUMBER_TAKING_WORDS``) or is itself a number or percentage, when it is written
like a quantity ("1,000", "05"), or when it is out of range: with a References list it
must be one of the listed numbers, without one it must lie in 1..99. Numbers inside a
sentence ("Type 1 Diabetes", "12 weeks"), joined by a hyphen ("interleukin-1",
"COVID-19") or followed by a unit or decimals ("1.0 mg", "7%") are never candidates,
so "... Type 1 Diabetes 1." becomes "... Type 1 Diabetes [@1]." and nothing else in
the sentence changes.
"""

from __future__ import annotations

import codecs
import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from qa_tool.errors import LegacyFormatError
from qa_tool.model import Confidence, SectionTitle

__all__ = [
    "NO_FOOTER_TOPIC",
    "NUMBER_TAKING_WORDS",
    "LegacyAnswer",
    "decode_legacy",
    "parse_legacy",
]

NO_FOOTER_TOPIC = "topic not found in footer"
"""The warning for a text without the standard footer (``qa convert`` words its own)."""

NUMBER_TAKING_WORDS: frozenset[str] = frozenset(
    word
    for words in (
        # comparisons and approximations: "over 65", "less than 5", "about 12"
        "over under above below beyond past exceeding exceeds than about approximately",
        "around nearly almost roughly some least most only just exactly up top",
        # joining words: "stages 3 and 4", "1 in 5", "from 2 to 4", "dose of 10"
        "and or nor to of in at by from for on per between within into with without",
        "vs versus x plus minus times is are was were be been equals equal",
        # words that name something by number: "type 2", "stage 3", "phase 2"
        "aged age ages stage stages type types version phase grade grades level levels",
        "number numbers no nos page pages chapter section table figure fig step steps",
        "class category tier group groups cycle cycles round dose doses visit visits",
        "score scores rating size sizes chromosome trisomy covid sars cov hiv omega",
        "vitamin factor",
        # time: "12 weeks", "day 3", "until May 5", "since 2"
        "day days week weeks month months year years hour hours minute minutes",
        "until after before since",
        "january february march april may june july august september october november",
        "december jan feb mar apr jun jul aug sep sept oct nov dec %",
    )
    for word in words.split()
)
"""Words after which a sentence-final number is read as prose ("over 65."), never a citation."""

# Largest bare sentence-final number taken as a citation when there is no References list.
_MAX_UNLISTED_CITATION = 99
_MAX_CITATION = 999
_MAX_RANGE_SPAN = 50
_MAX_QUESTION_LENGTH = 300
_BINARY_CONTROL_SHARE = 0.05
# Longest lines worth testing as chrome, heading or review line (most lines are prose).
_MAX_CHROME_LINE = 80
_MAX_HEADING_LINE = 60
_MAX_REVIEW_LINE = 160

_RESEARCH = "research"
_DOCTOR = "doctor"
_REFERENCES = "references"
_SECTION_TITLES = {_RESEARCH: SectionTitle.research.value, _DOCTOR: SectionTitle.doctor.value}

# --- text normalisation -------------------------------------------------------------

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_LINE_SEPARATORS = ("\r\n", "\r", "\u2028", "\u2029")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WHITESPACE_RUN_RE = re.compile(r"\s+")

# --- footer, chrome, headings ---------------------------------------------------------

_FOOTER_RE = re.compile(
    r"This\s+question\s+is\s+drawn\s+from\s+(?:common\s+)?patient\s+questions\s+about\s+"
    r"(?P<topic>[^.?!]{1,100}?)\s+and\s+answered(?:[^.\n]|\n(?![ \t]*\n)){0,200}\.?"
    r"(?:\s*We\s+do\s+not\s+provide\s+individuali[sz]ed\s+(?:medical\s+)?advice\.?)?",
    re.IGNORECASE,
)
_DISCLAIMER_LINE_RE = re.compile(
    r"^[ \t]*We\s+do\s+not\s+provide\s+individuali[sz]ed\s+(?:medical\s+)?advice\.?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
# fmt: off
_CHROME_PHRASES = frozenset((
    # display and account controls
    "mode", "dark mode", "light mode", "text size", "font size", "a a a", "a- a a+",
    "log in", "login", "sign in", "sign up", "register", "log out", "sign out", "my account",
    # page actions and navigation
    "share", "share this", "share this page", "print", "print this page", "email",
    "copy link", "back to top", "top", "skip to content", "skip to main content", "menu",
    "search", "home", "close",
    # cookie banner buttons
    "accept", "accept all", "accept cookies", "reject", "reject all", "decline",
    "cookie settings", "manage cookies", "cookie preferences",
))
# fmt: on
_CHROME_SEPARATOR_RE = re.compile(r"\s*[|/·•]\s*")
_COOKIE_LINE_RE = re.compile(
    r"^(?:we\s+use\s+cookies|this\s+(?:web)?site\s+uses\s+cookies|"
    r"by\s+(?:continuing|using)\b.*\bcookies\b|cookie\s+(?:policy|notice|settings)\b)",
    re.IGNORECASE,
)
_HEADING_MARKUP_RE = re.compile(r"^#{1,6}(?:\s+|$)|\s+#+$")
_EMPHASIS_RE = re.compile(r"^[*_]{1,3}|[*_]{1,3}$")
_HEADING_KINDS = {
    SectionTitle.research.casefold(): _RESEARCH,
    "what does the research say": _RESEARCH,
    "what research says": _RESEARCH,
    SectionTitle.doctor.casefold(): _DOCTOR,
    "questions to ask your doctor": _DOCTOR,
    "questions for your doctor": _DOCTOR,
    "references": _REFERENCES,
    "reference list": _REFERENCES,
    "sources": _REFERENCES,
    "citations": _REFERENCES,
    "cited research": _REFERENCES,
    "works cited": _REFERENCES,
    "bibliography": _REFERENCES,
}
_SUMMARY_LABELS = frozenset({"summary", "in short", "short answer", "the short answer"})
_QUESTION_PREFIX_RE = re.compile(r"^(?:q|question)\s*[:.]\s+", re.IGNORECASE)

# --- confidence and review line -------------------------------------------------------

_META_SEPARATOR_RE = re.compile(r"\s*[·•|\u2219\u22c5]\s*|\s+[–—]\s+")
_CONFIDENCE_PART_RES = (
    re.compile(
        r"^(?P<word>[a-z]+(?:[ -][a-z]+)?)\s+(?:confidence|certainty)(?:\s+evidence)?\.?$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:confidence|certainty)(?:\s+(?:level|of\s+(?:the\s+)?evidence))?\s*[:\-]?\s*"
        r"(?P<word>[a-z]+(?:[ -][a-z]+)?)\.?$",
        re.IGNORECASE,
    ),
)
_REVIEWED_PART_RE = re.compile(
    r"^(?:last\s+)?reviewed(?!\s+by\b)(?:\s+on)?\s*:?\s*(?P<date>.*[0-9].*?)\.?$",
    re.IGNORECASE,
)
_UPDATED_PART_RE = re.compile(
    r"^last\s+(?:updated|modified)(?:\s+on)?\s*:?\s*(?P<date>.*[0-9].*?)\.?$", re.IGNORECASE
)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE_ISO_RE = re.compile(r"^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})$")
_DATE_MONTH_FIRST_RE = re.compile(
    rf"^{_WEEKDAY}([a-z]+)\.?\s+([0-9]{{1,2}}){_ORDINAL},?\s+([0-9]{{4}})$", re.IGNORECASE
)
_DATE_DAY_FIRST_RE = re.compile(
    rf"^{_WEEKDAY}([0-9]{{1,2}}){_ORDINAL}\s+(?:of\s+)?([a-z]+)\.?,?\s+([0-9]{{4}})$",
    re.IGNORECASE,
)
_DATE_NUMERIC_RE = re.compile(r"^([0-9]{1,2})([-/.])([0-9]{1,2})\2([0-9]{2}|[0-9]{4})$")

# --- lists and paragraphs -------------------------------------------------------------

_BULLET_RE = re.compile(
    r"^\s*(?:[-*+–—]\s+|[•◦▪‣●○■□➢➤►▸]\s*|\(?[0-9]{1,3}[.)]\s+|[a-z]\)\s+)(?P<text>.*)$"
)
_SENTENCE_END_RE = re.compile(r"(?:[.!?:;]|\[@[^\]]*\]|\[[0-9,\s–-]+\])[\"'”’)\]]*$")
_MAX_WRAPPED_LINE = 100

# --- citations ------------------------------------------------------------------------

_BRACKET_GROUP = r"\[\s*[0-9]{1,4}(?:\s*[-–,]\s*[0-9]{1,4})*\s*\]"
# Both patterns run in linear time: each takes its whole run (of bracket groups, of numbers)
# at once, from the first place it can start, and the callback checks what follows the run.
# A run that fails that check is left as it is; no later start inside it could pass it either,
# so nothing is searched twice (a trailing look-ahead in the pattern made that quadratic).
_BRACKET_CITATION_RE = re.compile(
    rf"(?<![ \u00a0])(?P<space>[ \u00a0]*)(?:(?P<punct>[.!?;:,])[ \u00a0]*)?"
    rf"(?P<groups>{_BRACKET_GROUP}(?:[ \u00a0]*{_BRACKET_GROUP})*+)"
)
_NOT_AFTER_BRACKET_CITATION = "(:["
_BRACKET_ITEM_RE = re.compile(r"([0-9]+)(?:\s*[-–]\s*([0-9]+))?")
_TRAILING_NUMBER_RE = re.compile(
    r"(?P<space>[ \u00a0])(?<=\S[ \u00a0])"
    r"(?P<numbers>[0-9]{1,4}+(?:[ \u00a0]?,[ \u00a0]?[0-9]{1,4}+)*+)"
)
_AFTER_TRAILING_NUMBER_RE = re.compile(r"[.!?;](?:\s|\Z)|\Z")
_THOUSANDS_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_CLOSING_PUNCTUATION = ")]}\"'”’,:;"
_OPENING_PUNCTUATION = "([{\"'“‘"
_QUANTITY_TOKEN_RE = re.compile(r"^[0-9][0-9.,]*%?$|^%$")
_PANDOC_CITATION_RE = re.compile(r"\[(@[0-9]{1,4}(?:\s*;\s*@[0-9]{1,4})*)\]")
_PANDOC_KEY_RE = re.compile(r"@([0-9]+)")

# --- references -----------------------------------------------------------------------

_REFERENCE_ENTRY_RE = re.compile(
    r"^\s*(?:\[(?P<bracketed>[0-9]{1,3})\]|(?P<dotted>[0-9]{1,3})[.)]|(?P<bare>[0-9]{1,3})(?=\s))"
    r"\s*(?P<text>.*)$"
)
# DOI, PMID, or the "2013;10(7):400" year;volume(issue):page run of a journal citation.
_REFERENCE_LIKE_RE = re.compile(
    r"\bdoi\s*:|doi\.org/|\bPMID\b|\b(?:19|20)[0-9]{2}(?:\s[A-Z][a-z]{2,8}(?:\s[0-9]{1,2})?)?"
    r";\s?[0-9]+(?:\([^)]{1,20}\))?:\s?[A-Za-z]?[0-9]",
    re.IGNORECASE,
)
_DOI_RE = re.compile(
    r"(?:\bdoi\s*:?\s*|https?://(?:dx\.)?doi\.org/)(?P<doi>10\.[0-9]{4,9}/[^\s\"<>]+)",
    re.IGNORECASE,
)
_PMID_RE = re.compile(r"\bPMID\s*:?\s*(?P<pmid>[1-9][0-9]{0,8})\b", re.IGNORECASE)
_PMCID_RE = re.compile(r"\bPMCID\s*:?\s*(?P<pmcid>PMC[0-9]+)\b", re.IGNORECASE)
_URL_RE = re.compile(r"https?://[^\s\"<>]+")
_IDENTIFIER_TAIL_RE = re.compile(
    r"\s*(?:(?:Available\s+(?:from|at)\s*:?\s*)?https?://\S+|doi\s*:?\s*10\.\S+|"
    r"PMID\s*:?\s*[0-9]+|PMCID\s*:?\s*PMC[0-9]+)\.?",
    re.IGNORECASE,
)
_YEAR = r"(?:1[89]|20)[0-9]{2}"
_VANCOUVER_RE = re.compile(
    rf"^(?P<head>.+?)\.\s+(?P<year>{_YEAR})(?:\s+[A-Z][a-z]{{2,8}}(?:\s+[0-9]{{1,2}})?)?"
    r"(?:\s*;\s*(?P<volume>[0-9A-Za-z]+)?(?:\s*\((?P<issue>[^)]{1,20})\))?"
    r"(?::\s*(?P<page>[A-Za-z0-9]+(?:[-–][A-Za-z0-9]+)?))?)?(?=\s*[.;:]|\s*$)"
)
_APA_RE = re.compile(
    rf"^(?P<authors>.+?)\s\((?P<year>{_YEAR})[a-z]?(?:,[^)]*)?\)\.\s+(?P<rest>.+)$"
)
_APA_SOURCE_RE = re.compile(
    r"^(?P<container>[^,.]+?),\s*(?P<volume>[0-9]+)(?:\((?P<issue>[^)]{1,20})\))?"
    r"(?:,\s*(?P<page>[0-9A-Za-z]+(?:[-–][0-9A-Za-z]+)?))?"
)
_SEGMENT_SPLIT_RE = re.compile(r"(?<=[.?!])\s+(?=\S)")
_VANCOUVER_AUTHOR_RE = re.compile(
    r"^(?P<family>(?:[a-z]{1,3}\s)*[A-Z][\w'’\-]*(?:\s[A-Z][\w'’\-]*)*)\s(?P<given>[A-Z]{1,4})$"
)
_ET_AL_RE = re.compile(r"^et\.?\s+al\.?$", re.IGNORECASE)


@dataclass
class LegacyAnswer:
    """One legacy answer, split into the parts the content model stores.

    ``summary`` and ``research`` already carry Pandoc citations (``[@1]``, ``[@2; @5]``);
    ``references`` holds one CSL item per cited number, in order of first citation,
    then any listed but uncited ones. ``warnings`` says what a person should check, each
    message once.
    """

    question: str
    summary: str
    research: list[str]
    doctor_questions: list[str]
    confidence: str | None
    last_reviewed: datetime.date | None
    topic: str | None
    references: list[dict]
    warnings: list[str]
    citations: list[int] = field(default_factory=list)
    """Cited numbers in order of first citation (summary first, then research)."""

    def body_markdown(self) -> str:
        """The Markdown body of the answer file (front matter is the caller's job).

        Example: ``"Short answer.\\n\\n## What the research says\\n\\nIt helps [@1].\\n\\n"
        "## What to ask your doctor\\n\\n- Is it safe?\\n"``. A section with no content is
        left out rather than written as an empty heading.
        """
        blocks: list[str] = []
        if self.summary:
            blocks.append(self.summary)
        if self.research:
            blocks.append(f"## {_SECTION_TITLES[_RESEARCH]}")
            blocks.extend(self.research)
        if self.doctor_questions:
            blocks.append(f"## {_SECTION_TITLES[_DOCTOR]}")
            blocks.append("\n".join(f"- {question}" for question in self.doctor_questions))
        return "\n\n".join(blocks) + "\n"


# --- decoding -------------------------------------------------------------------------


def decode_legacy(data: bytes, source: str = "<stdin>") -> str:
    """Turn the bytes of a legacy text into ``str`` with ``\\n`` line ends.

    Legacy archives mix encodings, so the order is: UTF-16 when a UTF-16 byte-order mark
    says so, UTF-8 (a BOM is dropped), Windows-1252 (curly quotes and dashes of old
    Windows exports), and Latin-1, which accepts any byte. Binary data (NUL bytes, or
    mostly control characters) raises :class:`LegacyFormatError` naming ``source``.

    >>> decode_legacy(b"\\x93Hello\\x94 \\x96 world\\r\\n")
    '“Hello” – world\\n'
    """
    data = bytes(data)
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise LegacyFormatError(
                f"{source}: starts with a UTF-16 byte-order mark but is not valid UTF-16"
            ) from error
        return _normalise_text(text, source)
    if b"\x00" in data:
        raise LegacyFormatError(f"{source}: looks binary (contains NUL bytes), not a text")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for encoding in ("utf-8", "cp1252"):
        try:
            return _normalise_text(data.decode(encoding), source)
        except UnicodeDecodeError:
            continue
    return _normalise_text(data.decode("latin-1"), source)


def _normalise_text(text: str, source: str) -> str:
    """Drop a BOM and stray control characters, turn CRLF/CR into LF; reject binary."""
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise LegacyFormatError(f"{source}: looks binary (contains NUL characters), not a text")
    for separator in _LINE_SEPARATORS:
        if separator in text:
            text = text.replace(separator, "\n")
    control_count = len(_CONTROL_RE.findall(text))
    if control_count and control_count > len(text) * _BINARY_CONTROL_SHARE:
        raise LegacyFormatError(f"{source}: looks binary (mostly control characters), not a text")
    return _CONTROL_RE.sub("", text) if control_count else text


# --- parsing --------------------------------------------------------------------------


def parse_legacy(data: bytes | str, source: str = "<stdin>") -> LegacyAnswer:
    """Parse one legacy text (bytes in any of its encodings, or decoded text).

    Raises :class:`LegacyFormatError`, with a message that starts with ``source``, when
    the input is not an answer: empty, binary, no question line, or neither "What the
    research says" nor "What to ask your doctor".

    >>> answer = parse_legacy("Is it safe?\\nMostly.\\nWhat to ask your doctor\\n- Is it?\\n")
    >>> answer.question, answer.summary, answer.doctor_questions
    ('Is it safe?', 'Mostly.', ['Is it?'])
    """
    text = _normalise_text(data, source) if isinstance(data, str) else decode_legacy(data, source)
    if not text.strip():
        raise LegacyFormatError(f"{source}: empty input, no legacy answer to convert")

    warnings: list[str] = []
    text, footer_topics = _remove_footer(text)
    topic = footer_topics[0] if footer_topics else None
    if topic is None:
        warnings.append(NO_FOOTER_TOPIC)
    elif len(set(footer_topics)) > 1:
        warnings.append(f"footers name several topics {footer_topics}; used {topic!r}")
    lines = [line.rstrip() for line in text.split("\n") if not _is_chrome(line)]
    lines, confidence, last_reviewed = _extract_review_line(lines, warnings)
    preamble, sections = _split_sections(lines, warnings)
    if _RESEARCH not in sections and _DOCTOR not in sections:
        raise LegacyFormatError(
            f"{source}: not a legacy answer: no '{SectionTitle.research}' or "
            f"'{SectionTitle.doctor}' section"
        )
    question, summary_lines = _take_question(preamble, source, warnings)

    listed = _parse_reference_list(sections.get(_REFERENCES), warnings)
    listed_numbers = frozenset(listed) if listed else None
    summary_paragraphs = [
        _rewrite_citations(paragraph, listed_numbers, warnings)
        for paragraph in _paragraphs(summary_lines)
    ]
    research = [
        _rewrite_citations(paragraph, listed_numbers, warnings)
        for paragraph in _paragraphs(sections.get(_RESEARCH, []))
    ]
    if not summary_paragraphs:
        warnings.append("no summary before the first section")
    if _RESEARCH not in sections:
        warnings.append(f"no '{SectionTitle.research}' section")
    if _DOCTOR not in sections:
        warnings.append(f"no '{SectionTitle.doctor}' section")
    doctor_questions = _doctor_questions(sections.get(_DOCTOR, []), warnings)

    citations = _citations_in_order([*summary_paragraphs, *research])
    references = _references(citations, listed, warnings)
    return LegacyAnswer(
        question=question,
        summary="\n\n".join(summary_paragraphs),
        research=research,
        doctor_questions=doctor_questions,
        confidence=confidence,
        last_reviewed=last_reviewed,
        topic=topic,
        references=references,
        warnings=list(dict.fromkeys(warnings)),
        citations=citations,
    )


def _remove_footer(text: str) -> tuple[str, list[str]]:
    """Cut the standard footer (it may wrap over lines); return the topics it names."""
    topics: list[str] = []

    def cut(match: re.Match[str]) -> str:
        topics.append(_WHITESPACE_RUN_RE.sub(" ", match["topic"]).strip())
        return "\n"

    text = _DISCLAIMER_LINE_RE.sub("", _FOOTER_RE.sub(cut, text))
    return text, topics


def _comparable(line: str) -> str:
    """A line reduced for matching: single plain spaces, no emphasis, lowercase.

    ``\\s`` matches non-breaking and thin spaces too, so "Text\\u00a0Size" compares equal.
    """
    line = _WHITESPACE_RUN_RE.sub(" ", line).strip()
    return _EMPHASIS_RE.sub("", line).strip().lower()


def _is_chrome(line: str) -> bool:
    """Whether a whole line is page chrome: buttons, menus, a cookie banner.

    "Log in / Sign up" and "Share | Print" count, being chrome words joined by separators.
    """
    stripped = line.strip()
    if _COOKIE_LINE_RE.match(stripped):
        return True
    if not stripped or len(stripped) > _MAX_CHROME_LINE:
        return False
    comparable = _comparable(stripped)
    pieces = [piece for piece in _CHROME_SEPARATOR_RE.split(comparable) if piece]
    return bool(pieces) and all(piece in _CHROME_PHRASES for piece in pieces)


def _heading_kind(line: str) -> str | None:
    """Which section a heading line opens (bare or ``#``/``**`` marked), or None."""
    return _HEADING_KINDS.get(_heading_key(line))


def _heading_key(line: str) -> str:
    """A short line as a lowercase label: "## **What to ask your doctor:**" → its words."""
    if not line or len(line) > _MAX_HEADING_LINE:
        return ""
    key = _HEADING_MARKUP_RE.sub("", _comparable(line))
    return _EMPHASIS_RE.sub("", key).strip().rstrip(":?").strip()


def _extract_review_line(
    lines: list[str], warnings: list[str]
) -> tuple[list[str], str | None, datetime.date | None]:
    """Remove the confidence / review lines; the first value of each kind is kept.

    The two parts usually share a line ("moderate confidence · Last reviewed ...") but
    may stand on lines of their own.
    """
    kept: list[str] = []
    confidence: str | None = None
    last_reviewed: datetime.date | None = None
    seen_kinds: set[str] = set()
    for line in lines:
        parts = _review_line_parts(line)
        if parts is None:
            kept.append(line)
            continue
        for kind, value in parts:
            if kind == "updated":
                warnings.append(f"ignored 'last updated {value}': it is not a review date")
            elif kind in seen_kinds:
                warnings.append(f"ignored a second {kind} value: {value!r}")
            elif kind == "confidence":
                confidence = _confidence_level(value, warnings)
            else:
                last_reviewed = _review_date(value, warnings)
            seen_kinds.add(kind)
    return kept, confidence, last_reviewed


def _review_line_parts(line: str) -> list[tuple[str, str]] | None:
    """Split "moderate confidence · Last reviewed May 22, 2026" into its parts.

    Returns None unless every part of the line is a confidence or a review date, so an
    ordinary sentence that mentions confidence is never taken for the line.
    """
    if len(line) > _MAX_REVIEW_LINE:
        return None
    comparable = _WHITESPACE_RUN_RE.sub(" ", line).strip()
    if not comparable:
        return None
    parts: list[tuple[str, str]] = []
    for raw_part in _META_SEPARATOR_RE.split(_HEADING_MARKUP_RE.sub("", comparable)):
        part = _EMPHASIS_RE.sub("", raw_part).strip()
        if not part:
            continue
        for pattern in _CONFIDENCE_PART_RES:
            match = pattern.match(part)
            if match:
                parts.append(("confidence", match["word"]))
                break
        else:
            match = _REVIEWED_PART_RE.match(part)
            if match:
                parts.append(("last reviewed", match["date"].strip()))
                continue
            match = _UPDATED_PART_RE.match(part)
            if not match:
                return None
            parts.append(("updated", match["date"].strip()))
    return parts or None


def _confidence_level(word: str, warnings: list[str]) -> str | None:
    """Normalise "Very Low" / "very-low" / "verylow" to a GRADE level, or warn."""
    level = re.sub(r"[\s-]+", "-", word.strip().lower())
    if level == "verylow":
        level = Confidence.very_low.value
    if level in set(Confidence):
        return level
    warnings.append(f"unknown confidence {word!r}; left empty")
    return None


def _review_date(raw: str, warnings: list[str]) -> datetime.date | None:
    """Read a review date in one of the strict forms, never guessing.

    "May 22, 2026", "22 May 2026", "2026-05-22" are read. A numeric day/month form is
    read only when one order alone gives a valid date ("25/12/2025"); "03/04/2025"
    stays None with a warning, since guessing would put a wrong date on a medical page.
    """
    text = raw.strip().rstrip(".").strip()
    found: datetime.date | None = None
    if match := _DATE_ISO_RE.match(text):
        found = _date_or_none(match[1], match[2], match[3])
    elif match := _DATE_MONTH_FIRST_RE.match(text):
        found = _named_month_date(match[3], match[1], match[2])
    elif match := _DATE_DAY_FIRST_RE.match(text):
        found = _named_month_date(match[3], match[2], match[1])
    elif match := _DATE_NUMERIC_RE.match(text):
        if len(match[4]) == 2:
            warnings.append(f"last reviewed date {raw!r} has a two-digit year; left empty")
            return None
        day_first = _date_or_none(match[4], match[3], match[1])
        month_first = _date_or_none(match[4], match[1], match[3])
        readings = {reading for reading in (day_first, month_first) if reading}
        if len(readings) == 1:
            return readings.pop()
        if readings:
            warnings.append(
                f"last reviewed date {raw!r} is ambiguous (day and month order unknown); left empty"
            )
            return None
    if found is None:
        warnings.append(f"last reviewed date {raw!r} is not a date this tool reads; left empty")
    return found


def _named_month_date(year: str, month_name: str, day: str) -> datetime.date | None:
    month = _MONTHS.get(month_name.lower())
    return _date_or_none(year, str(month), day) if month else None


def _date_or_none(year: str, month: str, day: str) -> datetime.date | None:
    try:
        found = datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return found if found.year >= 1900 else None


def _split_sections(
    lines: list[str], warnings: list[str]
) -> tuple[list[str], dict[str, list[str]]]:
    """Split lines at the section headings: (preamble, {section kind: its lines}).

    A numbered list of reference-like entries (DOI, PMID, "2013;10") at the end of a
    section with no "References" heading still counts as the References list.
    """
    preamble: list[str] = []
    sections: dict[str, list[str]] = {}
    current = preamble
    for line in lines:
        kind = _heading_kind(line)
        if kind is None:
            current.append(line)
            continue
        if kind in sections:
            warnings.append(f"'{line.strip()}' appears twice; the parts were joined")
        current = sections.setdefault(kind, [])
    for kind in (_RESEARCH, _DOCTOR):
        section_lines = sections.get(kind)
        if not section_lines:
            continue
        for index, line in enumerate(section_lines):
            if _REFERENCE_ENTRY_RE.match(line) and _REFERENCE_LIKE_RE.search(line):
                sections.setdefault(_REFERENCES, []).extend(section_lines[index:])
                del section_lines[index:]
                warnings.append("the References list has no heading")
                break
    return preamble, sections


def _take_question(preamble: list[str], source: str, warnings: list[str]) -> tuple[str, list[str]]:
    """The first non-blank line before any section is the question; the rest is summary."""
    for index, line in enumerate(preamble):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("---"):
            raise LegacyFormatError(
                f"{source}: starts with '---': this looks like an answer file with front "
                "matter, not a legacy text"
            )
        question = _EMPHASIS_RE.sub("", _HEADING_MARKUP_RE.sub("", stripped)).strip()
        question = _QUESTION_PREFIX_RE.sub("", question).strip()
        if not question:
            continue
        if len(question) > _MAX_QUESTION_LENGTH:
            raise LegacyFormatError(
                f"{source}: the first line has {len(question)} characters; expected the "
                "question on a line of its own"
            )
        if not question.endswith("?"):
            warnings.append("question does not end with '?'")
        summary = [
            line for line in preamble[index + 1 :] if _heading_key(line) not in _SUMMARY_LABELS
        ]
        return question, summary
    raise LegacyFormatError(f"{source}: no question line before the first section")


def _paragraphs(lines: Iterable[str]) -> list[str]:
    """Group lines into paragraphs.

    Blank lines always separate paragraphs. Inside a block, plain-text exports put one
    paragraph per (long) line, while hand-wrapped text breaks mid-sentence on short
    lines; only the latter are joined, with single spaces.
    """
    paragraphs: list[str] = []
    block: list[str] = []
    for line in [*lines, ""]:
        stripped = line.strip()
        if stripped:
            block.append(stripped)
            continue
        if not block:
            continue
        if _is_wrapped_block(block):
            paragraphs.append(" ".join(block))
        else:
            paragraphs.extend(block)
        block = []
    return paragraphs


def _is_wrapped_block(block: list[str]) -> bool:
    if len(block) < 2 or any(_BULLET_RE.match(line) for line in block):
        return False
    inner_lines = block[:-1]
    return all(len(line) <= _MAX_WRAPPED_LINE for line in inner_lines) and any(
        not _SENTENCE_END_RE.search(line) for line in inner_lines
    )


def _doctor_questions(lines: list[str], warnings: list[str]) -> list[str]:
    """The questions of "What to ask your doctor", without their bullets or numbers.

    A line without a bullet continues the previous question when that one has not ended
    yet (wrapped text); otherwise it is a question of its own.
    """
    has_bullets = any(_BULLET_RE.match(line) for line in lines)
    questions: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        bullet = _BULLET_RE.match(line)
        if bullet:
            text = bullet["text"].strip()
            if text:
                questions.append(text)
            continue
        if questions and not questions[-1].endswith(("?", ".", "!")):
            questions[-1] = f"{questions[-1]} {stripped}"
            continue
        if has_bullets:
            warnings.append(
                f"a line in '{SectionTitle.doctor}' has no bullet; kept as a question: {stripped!r}"
            )
        questions.append(stripped)
    return questions


# --- citations ------------------------------------------------------------------------


def _rewrite_citations(
    paragraph: str, listed_numbers: frozenset[int] | None, warnings: list[str]
) -> str:
    """Rewrite legacy citations in one paragraph as Pandoc citations, before the stop.

    >>> _rewrite_citations("Seen in Type 1 Diabetes 1. Also [2-4].", None, [])
    'Seen in Type 1 Diabetes [@1]. Also [@2; @3; @4].'
    """
    if "[" in paragraph:
        paragraph = _BRACKET_CITATION_RE.sub(_bracket_citation, paragraph)

    def trailing_number(match: re.Match[str]) -> str:
        if not _AFTER_TRAILING_NUMBER_RE.match(paragraph, match.end()):
            return match[0]
        numbers = _trailing_citation_numbers(paragraph, match, listed_numbers, warnings)
        if numbers is None:
            return match[0]
        return f"{match['space']}{_pandoc_citation(numbers)}"

    return _TRAILING_NUMBER_RE.sub(trailing_number, paragraph)


def _bracket_citation(match: re.Match[str]) -> str:
    """``[2, 5]``/``[2-4]``/``[1][3]`` → ``[@2; @5]``...; a stop before it moves after it.

    A run followed by ``(``, ``:`` or ``[`` (a link, a label) is cut after its last group
    followed by a space; what is after the cut stays as it was.
    """
    groups = match["groups"]
    cut = len(groups)
    end = match.end()
    if end < len(match.string) and match.string[end] in _NOT_AFTER_BRACKET_CITATION:
        cut = max(groups.rfind("] "), groups.rfind("]\u00a0")) + 1
    kept = len(match[0]) - len(groups) + cut
    replacement = _bracket_replacement(match, groups[:cut]) if cut else None
    return match[0] if replacement is None else replacement + match[0][kept:]


def _bracket_replacement(match: re.Match[str], groups: str) -> str | None:
    numbers: list[int] = []
    for group in re.findall(r"\[([^\]]*)\]", groups):
        for item in _BRACKET_ITEM_RE.finditer(group):
            first = int(item[1])
            last = int(item[2]) if item[2] else first
            if not (1 <= first <= last <= _MAX_CITATION) or last - first > _MAX_RANGE_SPAN:
                return None
            numbers.extend(range(first, last + 1))
    before = match.string[match.start() - 1] if match.start() else ""
    space = " " if match["space"] or (before and before not in _OPENING_PUNCTUATION) else ""
    return f"{space}{_pandoc_citation(numbers)}{match['punct'] or ''}"


def _trailing_citation_numbers(
    paragraph: str,
    match: re.Match[str],
    listed_numbers: frozenset[int] | None,
    warnings: list[str],
) -> list[int] | None:
    """Apply the module's citation rule to one sentence-final number; None means prose."""
    numbers_text = match["numbers"].replace("\u00a0", " ")
    items = [item.strip() for item in numbers_text.split(",")]
    if _THOUSANDS_RE.fullmatch(numbers_text) or any(
        item.startswith("0") or len(item) > 3 for item in items
    ):
        return None
    numbers = [int(item) for item in items]
    before = paragraph[max(0, match.start() - 80) : match.start()].rsplit(maxsplit=1)
    previous_token = before[-1] if before else ""
    if _QUANTITY_TOKEN_RE.match(previous_token) or (
        not previous_token.endswith(tuple(_CLOSING_PUNCTUATION))
        and previous_token.strip(_CLOSING_PUNCTUATION + _OPENING_PUNCTUATION).lower()
        in NUMBER_TAKING_WORDS
    ):
        if listed_numbers and all(number in listed_numbers for number in numbers):
            warnings.append(
                f"kept {numbers_text!r} after {previous_token!r} as prose although the "
                "References list has that number; check it"
            )
        return None
    if listed_numbers is not None:
        if all(number in listed_numbers for number in numbers):
            return numbers
        warnings.append(
            f"kept sentence-final {numbers_text!r} after {previous_token!r} as prose: "
            "not in the References list"
        )
        return None
    if all(1 <= number <= _MAX_UNLISTED_CITATION for number in numbers):
        return numbers
    return None


def _pandoc_citation(numbers: list[int]) -> str:
    unique = list(dict.fromkeys(numbers))
    return "[" + "; ".join(f"@{number}" for number in unique) + "]"


def _citations_in_order(paragraphs: list[str]) -> list[int]:
    """Numbers cited with ``[@n]`` in the paragraphs, in order of first citation."""
    seen: dict[int, None] = {}
    for paragraph in paragraphs:
        for citation in _PANDOC_CITATION_RE.finditer(paragraph):
            for key in _PANDOC_KEY_RE.findall(citation[1]):
                seen.setdefault(int(key), None)
    return list(seen)


# --- references -----------------------------------------------------------------------


def _parse_reference_list(lines: list[str] | None, warnings: list[str]) -> dict[int, dict] | None:
    """Read a numbered References list into CSL items keyed by number.

    Returns None when there is no usable list (no heading, or no numbered entries), so
    that the citation rule falls back to its no-list form.
    """
    if lines is None:
        return None
    entries: dict[int, str] = {}
    current: int | None = None
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        entry = _REFERENCE_ENTRY_RE.match(stripped)
        if entry:
            number = int(entry["bracketed"] or entry["dotted"] or entry["bare"])
            if number in entries:
                warnings.append(f"reference {number} is listed twice; kept the first")
                current = None
                continue
            entries[number] = entry["text"].strip()
            current = number
        elif _BULLET_RE.match(stripped) or current is None:
            warnings.append(f"a References entry has no number and was not used: {stripped!r}")
        else:
            entries[current] = f"{entries[current]} {stripped}"
    if not entries:
        warnings.append("the References list has no numbered entries; it was not used")
        return None
    return {number: _csl_item(number, text, warnings) for number, text in entries.items()}


def _csl_item(number: int, text: str, warnings: list[str]) -> dict:
    """A CSL item holding only what the entry text shows; nothing is filled in by guess.

    >>> _csl_item(1, "Schiller JT, Lowy DR. Vaccines. Nat Rev Clin Oncol. "
    ...           "2013;10(7):400-410. doi:10.1038/nrclinonc.2013.84 PMID: 23736648", [])
    ... # doctest: +NORMALIZE_WHITESPACE
    {'id': '1', 'type': 'article-journal', 'author': [{'family': 'Schiller', 'given': 'JT'},
     {'family': 'Lowy', 'given': 'DR'}], 'title': 'Vaccines',
     'container-title': 'Nat Rev Clin Oncol', 'issued': 2013, 'volume': '10', 'issue': '7',
     'page': '400-410', 'DOI': '10.1038/nrclinonc.2013.84', 'PMID': '23736648'}
    """
    identifiers: dict[str, str] = {}
    if doi := _DOI_RE.search(text):
        identifiers["DOI"] = _trim_identifier(doi["doi"])
    if pmid := _PMID_RE.search(text):
        identifiers["PMID"] = pmid["pmid"]
    if pmcid := _PMCID_RE.search(text):
        identifiers["PMCID"] = pmcid["pmcid"].upper()
    for url in _URL_RE.findall(text):
        if "doi.org/" not in url.lower():
            identifiers["URL"] = _trim_identifier(url)
            break
    described = _IDENTIFIER_TAIL_RE.sub("", text).strip()
    fields = _vancouver_fields(described) or _apa_fields(described)
    item: dict = {"id": str(number)}
    # Only a journal, a volume or a PubMed id shows the kind of work; otherwise CSL's
    # optional "type" stays unset rather than guessed.
    if {"container-title", "volume"} & fields.keys() or "PMID" in identifiers:
        item["type"] = "article-journal"
    item.update(fields)
    item.update(identifiers)
    if "title" not in item:
        warnings.append(f"reference {number}: title and journal could not be read; kept as note")
        item["note"] = text
    return item


def _trim_identifier(identifier: str) -> str:
    identifier = identifier.rstrip(".,;")
    while identifier.endswith(")") and identifier.count(")") > identifier.count("("):
        identifier = identifier[:-1].rstrip(".,;")
    return identifier


def _vancouver_fields(text: str) -> dict:
    """Fields of "Authors. Title. Journal. 2013;10(7):400-410." (NLM/Vancouver style).

    Title and journal are taken only when the part before the year splits into exactly
    three sentences, since journal abbreviations with stops ("N. Engl. J. Med.") would
    otherwise shift every field.
    """
    match = _VANCOUVER_RE.match(text)
    if not match:
        return {}
    fields: dict = {}
    segments = _SEGMENT_SPLIT_RE.split(match["head"].strip())
    if len(segments) == 3:
        authors = _vancouver_authors(segments[0].rstrip("."))
        if authors:
            fields["author"] = authors
        fields["title"] = segments[1].rstrip(".").strip()
        fields["container-title"] = segments[2].rstrip(".").strip()
    fields["issued"] = int(match["year"])
    for key in ("volume", "issue", "page"):
        if match[key]:
            fields[key] = match[key].strip()
    return fields


def _vancouver_authors(text: str) -> list[dict] | None:
    """``"Schiller JT, Lowy DR, et al"`` → CSL names, or None unless every name reads."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if names and _ET_AL_RE.match(names[-1]):
        names.pop()
    authors: list[dict] = []
    for name in names:
        match = _VANCOUVER_AUTHOR_RE.match(name)
        if not match:
            return None
        authors.append({"family": match["family"], "given": match["given"]})
    return authors or None


def _apa_fields(text: str) -> dict:
    """Year, title and journal of "Authors (2013). Title. Journal, 10(7), 400-410."."""
    match = _APA_RE.match(text)
    if not match:
        return {}
    fields: dict = {"issued": int(match["year"])}
    segments = _SEGMENT_SPLIT_RE.split(match["rest"].strip(), maxsplit=1)
    if len(segments) == 2:
        fields["title"] = segments[0].rstrip(".").strip()
        source = _APA_SOURCE_RE.match(segments[1])
        if source:
            fields["container-title"] = source["container"].strip()
            for key in ("volume", "issue", "page"):
                if source[key]:
                    fields[key] = source[key].strip()
    return fields


def _references(
    citations: list[int], listed: dict[int, dict] | None, warnings: list[str]
) -> list[dict]:
    """CSL items for the cited numbers, in citation order, then listed-but-uncited ones."""
    references: list[dict] = []
    for number in citations:
        if listed and number in listed:
            references.append(listed[number])
            continue
        references.append({"id": str(number)})
        if listed:
            warnings.append(f"reference {number} is cited but not in the References list (stub)")
        else:
            warnings.append(f"reference {number} has no details (stub)")
    for number, item in (listed or {}).items():
        if number not in citations:
            warnings.append(f"reference {number} is listed but never cited")
            references.append(item)
    return references
