"""Which numbers of a legacy text are citations: one decision over the whole document.

Legacy texts cite in four ways: bare numbers before a full stop ("... Type 1 Diabetes
1."), brackets ("[2]", "[2, 5]", "[2-4]"), parentheses ("(3)", "(2, 3)") and
superscripts ("¹", "²⁻⁴", ``<sup>5</sup>``, ``^6^``). The same shapes are also prose:
"over 65.", "type 2.", "(1) rest, (2) fluids", "(2019)", "m²". No rule about the few
words before a number tells them apart, so :func:`decide_citations` first collects
every *candidate* in the document, then weighs the evidence of the whole text:

* the References list: a number it lists is likely a citation, one it does not list
  is not (and an explicit bracket or superscript citing an unlisted number is kept,
  with a doubt);
* the style the document uses elsewhere: a bare number in a text that cites bare
  numbers confidently elsewhere is likelier a citation than one in a text that cites
  only in brackets;
* the set and sequence of confidently cited numbers: "6." when 1 to 5 are cited;
* the grammar around the number: after "over", "aged", "type", a month, or another
  number, or written as a quantity ("1,000", "05", "2.5", a year, a range), it is prose.

Each candidate is then converted, kept as prose, or either of the two *with a doubt*
(:class:`~qa_tool.doubts.Doubt`) saying which way it went and why: nothing that could
be a citation is decided silently when the evidence disagrees.

Example::

    >>> from qa_tool.evidence import Paragraph, decide_citations
    >>> text = "Walking helps 1. Most people are over 65. Swimming helps too 2."
    >>> doubts = []
    >>> decide_citations([[Paragraph(text, [(0, 4)])]], None, doubts)
    [['Walking helps [@1]. Most people are over 65. Swimming helps too [@2].']]
    >>> doubts
    []
    >>> decide_citations([[Paragraph("Rest helps 1.", [(0, 9)])]], None, doubts)
    [['Rest helps [@1].']]
    >>> doubts[0].decision
    'converted to [@1]: the only citation in the text, and no References list to check it against'

"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from qa_tool.doubts import CITATION, Doubt, snippet

__all__ = [
    "BARE",
    "BRACKET",
    "NUMBER_TAKING_WORDS",
    "PARENTHESIS",
    "SUPERSCRIPT",
    "Paragraph",
    "decide_citations",
    "pandoc_citation",
]

BARE = "bare"
BRACKET = "bracket"
PARENTHESIS = "parenthesis"
SUPERSCRIPT = "superscript"
PANDOC = "pandoc"

MAX_CITATION = 999
MAX_UNLISTED_CITATION = 99
"""Largest number read as a citation when the text has no References list."""
MAX_RANGE_SPAN = 50
SEQUENCE_SLACK = 3
"""A number up to this much above the highest confident citation still fits the sequence."""

# fmt: off
# Words after which a number is prose ("over 65.", "aged 40.", "May 5.").
_STRONG_PROSE_WORDS = frozenset((
    "over", "under", "above", "below", "beyond", "exceeding", "exceeds", "than", "about",
    "approximately", "around", "nearly", "almost", "roughly", "least", "most", "exactly",
    "aged", "age", "ages", "old", "until", "since", "x", "times", "plus", "minus", "equals",
    "equal", "vs", "versus", "per", "%", "=", "<", ">", "≥", "≤", "~", "±",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec",
))
# Of those, the ones that make a plain quantity ("over 65"): such a number is never doubted.
_QUANTITY_WORDS = frozenset((
    "over", "under", "above", "below", "beyond", "exceeding", "exceeds", "than", "about",
    "approximately", "around", "nearly", "almost", "roughly", "least", "most", "exactly",
    "x", "times", "per", "%", "=", "<", ">", "≥", "≤", "~", "±",
))
# Singular nouns that name a thing by its number ("type 2.", "phase 3.", "dose 2."): prose,
# and a doubt when the References list has the number.
_NAMING_WORDS = frozenset((
    "type", "stage", "phase", "grade", "level", "version", "class", "category", "tier",
    "group", "cycle", "round", "dose", "visit", "number", "no", "nos", "page", "chapter",
    "section", "table", "figure", "fig", "step", "score", "rating", "size", "chromosome",
    "trisomy", "covid", "sars", "cov", "hiv", "omega", "vitamin", "factor", "day", "week",
    "month", "year", "hour", "minute", "arm", "cohort", "wave", "part", "unit",
    "appendix", "annex", "schedule", "session", "zone", "module", "lesson", "item",
    "question", "room", "ward", "bed", "floor", "site", "area", "region", "list", "box",
    "panel", "exhibit", "clause", "article", "paragraph", "line", "column", "row",
))
_NAMING_ABBREVIATIONS = frozenset(
    ("no", "nos", "fig", "figs", "vol", "p", "pp", "ch", "sec", "ref")
)
"""Abbreviations that name a thing by the number after them ("No. 1", "Fig. 2")."""
# Joining words ("of 10.", "in 2."): prose by default, a citation when the evidence backs it.
_JOINING_WORDS = frozenset((
    "and", "or", "nor", "to", "of", "in", "at", "by", "from", "for", "on", "between",
    "within", "into", "with", "without", "is", "are", "was", "were", "be", "been", "up",
    "top", "only", "just", "some", "after", "before",
))
# fmt: on
_WEAK_PROSE_WORDS = _NAMING_WORDS | _JOINING_WORDS
NUMBER_TAKING_WORDS = _STRONG_PROSE_WORDS | _WEAK_PROSE_WORDS
"""Words after which a sentence-final number reads as prose ("over 65.", "type 2.")."""

# A unit or a number right before a superscript makes it a power ("m²", "10⁶"), not a cite.
_POWER_BASE_RE = re.compile(
    r"(?:[0-9]|\b(?:m|cm|mm|km|µm|um|nm|ft|in|yd|mi|kg/m|g/m|mg/m|m/s|s|x10|×10))$",
    re.IGNORECASE,
)
_YEAR_END_RE = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}$")
_SUPERSCRIPT_DIGIT_RE = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]")
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")

_NUMBER_LIST = r"[0-9]{1,4}(?:[ \u00a0]*[-–,;][ \u00a0]*[0-9]{1,4}){0,30}"
_BRACKET_GROUP = rf"\[[ \u00a0]*{_NUMBER_LIST}[ \u00a0]*\]"
# "[2] [3]", "[2][3]" and "[2], [3]" are one citation of two numbers.
_BRACKET_RE = re.compile(
    rf"{_BRACKET_GROUP}(?:(?:[,;]?[ \u00a0]?|[ \u00a0]?[-–][ \u00a0]?){_BRACKET_GROUP}){{0,10}}"
)
_BRACKET_RANGE_RE = re.compile(r"\][ \u00a0]?([-–])[ \u00a0]?\[")
"""The join of "[1]–[3]", a range written with two bracketed ends."""
_PAREN_RE = re.compile(rf"\([ \u00a0]*{_NUMBER_LIST}[ \u00a0]*\)")
_SUPERSCRIPT_RE = re.compile(
    rf"<sup>[ \u00a0]*(?P<tag>{_NUMBER_LIST})[ \u00a0]*</sup>"
    rf"|\^(?P<caret>{_NUMBER_LIST})\^"
    r"|(?P<unicode>[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,4}(?:[,⁻˒\-–][⁰¹²³⁴⁵⁶⁷⁸⁹]{1,4}){0,20})"
)
_BARE_RE = re.compile(
    r"(?<=\S)[ \u00a0](?P<numbers>[0-9]{1,4}(?:[-–][0-9]{1,4})?"
    r"(?:[ \u00a0]?,[ \u00a0]?[0-9]{1,4}(?:[-–][0-9]{1,4})?){0,20})"
    r"(?=[*†‡§¶]?[.!?;][*†‡§¶]*(?:\s|\Z)|[*†‡§¶]*\Z)"  # a footnote mark may follow: "1.†"
)
# "trials1.", "symptoms2,3.", "children1-3.": a superscript that copying made plain, on a
# lower-case word of three letters or more ("COVID19", "B12", "H2O", "CD4" are names).
_GLUED_RE = re.compile(
    r"(?<![\w-])(?P<word>[a-z]{3,})(?P<numbers>[0-9]{1,3}(?:[,–-][0-9]{1,3}){0,10})"
    r"(?=[.,;:!?)]?(?:\s|\Z))"
)
_FOOTNOTE_REF_RE = re.compile(r"\[\^([0-9]{1,4})\](?!:)")
_PANDOC_RE = re.compile(r"\[(@[0-9]{1,4}(?:\s*;\s*@[0-9]{1,4}){0,50})\]")
_PANDOC_KEY_RE = re.compile(r"@([0-9]+)")
_ITEM_RE = re.compile(r"([0-9]+)(?:\s*[-–⁻]\s*([0-9]+))?")
_THOUSANDS_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_WORD_BEFORE_RE = re.compile(r"(\S+)\s*$")
_CLAUSE_END = ".,;:!?)]"
_UNCITED = " and nothing else cites it"
_COUNT_JOINS = ("and", "or", "to", "of", "in")
"""Between two numbers these make a range or a count: "6 to 12.", "2 of 3.", "1 in 5."."""
_STOPS = ".!?;:,"
_ENUMERATOR_BEFORE = ("", ":", ";", ",", "and", "or", "(")
_QUANTITY_TOKEN_RE = re.compile(r"^[-+±~≈<>≤≥]?[0-9][0-9.,/:]*%?$|^%$")
_STYLE_WORDS = {
    BARE: "bare numbers",
    BRACKET: "brackets",
    PARENTHESIS: "parentheses",
    SUPERSCRIPT: "superscripts",
    PANDOC: "brackets",
}
_WINDOW = 80
"""Characters looked at on each side of a candidate (keeps the scan linear)."""


@dataclass
class Paragraph:
    """A paragraph of the legacy text and where its lines start in it.

    ``lines`` holds ``(offset in text, 1-based line of the legacy text)`` pairs, in order,
    so a doubt can name the line a number stands on even in a joined paragraph.
    """

    text: str
    lines: list[tuple[int, int]]
    _starts: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._starts = [start for start, _line in self.lines]

    def line_at(self, offset: int) -> int:
        """The legacy-text line that the character at ``offset`` stands on."""
        index = bisect.bisect_right(self._starts, offset) - 1
        return self.lines[max(index, 0)][1] if self.lines else 0


@dataclass
class _Candidate:
    paragraph: Paragraph
    start: int
    end: int
    style: str
    numbers: list[int]
    raw: str
    punct: str = ""
    """A stop written before the citation ("claim.[1]"), moved after it when converted."""
    prose: str | None = None
    """Why the grammar says prose ("after 'over'"): not a citation."""
    firm: bool = False
    """The prose reading is a plain quantity ("over 65", "2 of 3"): doubted only when the
    References list has the number."""
    plural: bool = False
    """Weak prose only for a plural noun before it ("lower doses 2."): still doubted."""
    after_number: bool = False
    """Right after another number ("week 6 2."): a listed number nothing else cites cites."""
    weak_prose: str | None = None
    """Why the grammar leans to prose, though a References number there is a doubt."""
    clause_final: bool = True
    decision: str = ""
    doubt: str | None = None
    replacement: str | None = None


@dataclass
class _Evidence:
    listed: frozenset[int] | None
    plain_parentheses: int = 0
    """Parenthesised numbers at the end of a clause with nothing else against them."""
    styles: Counter[str] = field(default_factory=Counter)
    confident: set[int] = field(default_factory=set)

    @property
    def highest(self) -> int:
        return max(self.confident, default=0)

    def fits_sequence(self, numbers: Sequence[int]) -> bool:
        return all(
            number in self.confident or number <= self.highest + SEQUENCE_SLACK
            for number in numbers
        )

    def listed_all(self, numbers: Sequence[int]) -> bool:
        return self.listed is not None and all(number in self.listed for number in numbers)


def pandoc_citation(numbers: Sequence[int]) -> str:
    """``[@2; @5]`` for the numbers, each once, in the order given."""
    return "[" + "; ".join(f"@{number}" for number in dict.fromkeys(numbers)) + "]"


def cited_in_order(texts: Sequence[str]) -> list[int]:
    """Numbers cited with ``[@n]`` in the texts, in order of first citation."""
    seen: dict[int, None] = {}
    for text in texts:
        for citation in _PANDOC_RE.finditer(text):
            for key in _PANDOC_KEY_RE.findall(citation[1]):
                seen.setdefault(int(key), None)
    return list(seen)


def decide_citations(
    groups: Sequence[Sequence[Paragraph]],
    listed: frozenset[int] | None,
    doubts: list[Doubt],
) -> list[list[str]]:
    """Rewrite the citations of every paragraph, deciding each number on the evidence.

    ``groups`` are the paragraphs of the parts that may cite (summary, research); the
    result has the same shape, each paragraph's text with Pandoc citations. Every
    decision the evidence does not settle is appended to ``doubts``.
    """
    candidates = [
        candidate
        for paragraphs in groups
        for paragraph in paragraphs
        for candidate in _candidates(paragraph)
    ]
    evidence = _Evidence(listed)
    evidence.plain_parentheses = sum(
        1
        for candidate in candidates
        if candidate.style == PARENTHESIS
        and candidate.clause_final
        and not (candidate.prose or candidate.weak_prose)
    )
    for candidate in candidates:
        if candidate.style == PANDOC:
            evidence.confident.update(candidate.numbers)
            evidence.styles[PANDOC] += 1
        elif _is_confident(candidate, evidence):
            evidence.styles[candidate.style] += 1
            evidence.confident.update(candidate.numbers)
    for candidate in candidates:
        if candidate.style != PANDOC:
            _decide(candidate, evidence)
            if candidate.doubt is not None:
                paragraph = candidate.paragraph
                # One doubt per number, so that each can be found and resolved on its own.
                doubts.extend(
                    Doubt(
                        CITATION,
                        paragraph.line_at(candidate.start),
                        snippet(paragraph.text, candidate.start, candidate.end),
                        f"{candidate.decision}: {candidate.doubt}",
                        number,
                    )
                    for number in dict.fromkeys(candidate.numbers)
                )
    for paragraphs in groups:
        for paragraph in paragraphs:
            doubts.extend(_worded_citations(paragraph))
    by_paragraph: dict[int, list[_Candidate]] = {}
    for candidate in candidates:
        if candidate.replacement is not None:
            by_paragraph.setdefault(id(candidate.paragraph), []).append(candidate)
    return [
        [_apply(paragraph, by_paragraph.get(id(paragraph), [])) for paragraph in paragraphs]
        for paragraphs in groups
    ]


# "[1, p. 12]", "[ref 2]", "[Ref. 3]", "(see ref. 4)", "(reference 5)": citations in words.
_WORDED_RE = re.compile(
    r"[\[(][ \u00a0]*(?:see[ \u00a0]+(?:also[ \u00a0]+)?)?(?:refs?\.?|references?)[ \u00a0]*"
    r"(?P<ref>[0-9]{1,3}(?:[ \u00a0]*[-–,;][ \u00a0]*[0-9]{1,3}){0,20})[ \u00a0]*[\])]"
    r"|\[[ \u00a0]*(?P<located>[0-9]{1,3})[ \u00a0]*,[ \u00a0]*"
    r"(?:p|pp|pages?|para|ch|chap|fig|table)\.?[ \u00a0]*[0-9][^\]]{0,20}\]",
    re.IGNORECASE,
)


def _worded_citations(paragraph: Paragraph) -> list[Doubt]:
    """A doubt for each citation written in words or with a locator, kept as written.

    >>> [d.number for d in _worded_citations(Paragraph("It fell [ref 2] (see ref. 4) [1, p. 12]"
    ...                                                " (Refs 5, 6).", [(0, 3)]))]
    [2, 4, 1, 5, 6]
    """
    doubts: list[Doubt] = []
    for match in _WORDED_RE.finditer(paragraph.text):
        numbers, _reason = _numbers(match["ref"] or match["located"])
        doubts.extend(
            Doubt(
                CITATION,
                paragraph.line_at(match.start()),
                snippet(paragraph.text, match.start(), match.end()),
                f"kept as written: {match[0]!r} cites {number} in words or with a page; "
                "write it as a citation ([@N], or [@N, p. 12] with a page)",
                number,
            )
            for number in numbers
        )
    return doubts


# --- finding candidates -----------------------------------------------------------------


def _candidates(paragraph: Paragraph) -> list[_Candidate]:
    """Every number of the paragraph that could be a citation, in order, none overlapping."""
    text = paragraph.text
    found: list[_Candidate] = []
    if "[" in text:
        for match in _PANDOC_RE.finditer(text):
            numbers = [int(key) for key in _PANDOC_KEY_RE.findall(match[1])]
            found.append(
                _Candidate(paragraph, match.start(), match.end(), PANDOC, numbers, match[0])
            )
        found.extend(_bracket_candidates(paragraph))
        for match in _FOOTNOTE_REF_RE.finditer(text):  # Markdown's "[^1]"
            found.extend(_explicit(paragraph, match.start(), match.end(), BRACKET, match[1]))
    if "(" in text:
        for match in _PAREN_RE.finditer(text):
            if match.start() > 0 and text[match.start() - 1].isdigit():
                continue  # "2010;65(6):396": an issue number glued to its volume
            found.extend(_explicit(paragraph, match.start(), match.end(), PARENTHESIS, match[0]))
    if "^" in text or "<sup>" in text or _has_superscript_digit(text):
        for match in _SUPERSCRIPT_RE.finditer(text):
            inner = match["tag"] or match["caret"] or match["unicode"]
            found.extend(
                _explicit(
                    paragraph,
                    match.start(),
                    match.end(),
                    SUPERSCRIPT,
                    inner,
                    unicode=bool(match["unicode"]),
                )
            )
    taken = sorted((candidate.start, candidate.end) for candidate in found)
    found.extend(_glued_candidates(paragraph, taken))
    taken = sorted((candidate.start, candidate.end) for candidate in found)
    for match in _BARE_RE.finditer(text):
        start = match.start("numbers")
        if _overlaps(taken, start, match.end()):
            continue
        candidate = _bare(paragraph, match)
        if candidate is not None:
            found.append(candidate)
    found.sort(key=lambda candidate: candidate.start)
    kept: list[_Candidate] = []
    for candidate in found:
        if kept and candidate.start < kept[-1].end:
            continue
        kept.append(candidate)
    return kept


def _glued_candidates(paragraph: Paragraph, taken: list[tuple[int, int]]) -> list[_Candidate]:
    """Numbers glued to their word ("trials1."): candidates that are always doubted."""
    found: list[_Candidate] = []
    for match in _GLUED_RE.finditer(paragraph.text):
        start, end = match.start("numbers"), match.end("numbers")
        if _overlaps(taken, start, end):
            continue
        for candidate in _explicit(paragraph, start, end, SUPERSCRIPT, match["numbers"]):
            candidate.weak_prose = "glued to the word before it (a superscript lost in copying?)"
            found.append(candidate)
    return found


def _bracket_candidates(paragraph: Paragraph) -> list[_Candidate]:
    """The ``[1]``, ``[2, 3]`` groups of the paragraph that are not Markdown links."""
    text = paragraph.text
    found: list[_Candidate] = []
    for match in _BRACKET_RE.finditer(text):
        start, end = match.start(), match.end()
        if _followed_by_link(text, end):
            if text[end] != "(":
                continue  # "[1][2]: ..." reads as a link label
            # "[1] [2](https://...)": the last group is a link; the groups before it cite.
            end = text.rfind("[", start, end)
            while end > start and text[end - 1] in " \u00a0":
                end -= 1
            if end <= start:
                continue
        inner = _BRACKET_RANGE_RE.sub(r"\1", text[start:end])  # "[1]–[3]": 1 to 3
        found.extend(_explicit(paragraph, start, end, BRACKET, inner))
    return found


def _has_superscript_digit(text: str) -> bool:
    return _SUPERSCRIPT_DIGIT_RE.search(text) is not None


def _followed_by_link(text: str, end: int) -> bool:
    """``[1](https://...)`` or ``[1]: ...`` is a Markdown link, not a citation."""
    return end < len(text) and text[end] in "(:["


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    index = bisect.bisect_right(spans, (start, end))
    for neighbour in spans[max(0, index - 1) : index + 1]:
        if neighbour[0] < end and start < neighbour[1]:
            return True
    return False


def _numbers(inner: str) -> tuple[list[int], str | None]:
    """The numbers of "2, 5" / "2-4" / "¹⁻³"; a reason when they read as prose instead."""
    inner = inner.translate(_SUPERSCRIPT_DIGITS).replace("˒", ",")
    numbers: list[int] = []
    for item in _ITEM_RE.finditer(inner):
        first_text, last_text = item[1], item[2]
        if (first_text.startswith("0") and first_text != "0") or len(first_text) > 3:
            return [], "written as a quantity or a year"
        first = int(first_text)
        last = int(last_text) if last_text else first
        if not (1 <= first <= last <= MAX_CITATION) or last - first > MAX_RANGE_SPAN:
            return [], "out of the range of citation numbers"
        numbers.extend(range(first, last + 1))
    if not numbers:
        return [], "no number"
    return numbers, None


def _explicit(
    paragraph: Paragraph, start: int, end: int, style: str, inner: str, unicode: bool = False
) -> list[_Candidate]:
    text = paragraph.text
    numbers, reason = _numbers(inner)
    if reason is not None:
        return []
    window = text[max(0, start - _WINDOW) : start]
    # A stop and spaces written before the citation belong to it: "claim.[1]" → "claim [@1]."
    punct = ""
    probe = start
    while probe > 0 and text[probe - 1] in " \u00a0":
        probe -= 1
    # ... but not when a stop follows the citation too ("claim, [3]." stays as written).
    follows = text[end : end + 1]
    movable = (
        style != PARENTHESIS
        and probe >= 2
        and text[probe - 1] in _STOPS
        and not (follows and follows in _STOPS)
    )
    if movable and not text[probe - 2].isdigit():
        punct = text[probe - 1]
        probe -= 1
        while probe > 0 and text[probe - 1] in " \u00a0":
            probe -= 1
    candidate = _Candidate(paragraph, probe, end, style, numbers, text[start:end], punct)
    before = window.rstrip(" \u00a0")
    after = text[end : end + _WINDOW].lstrip(" \u00a0")
    candidate.clause_final = not after or after[0] in _CLAUSE_END
    previous = _previous_word(before)
    if style == SUPERSCRIPT:
        if not _superscript_cites(candidate, text, start, window, unicode):
            return []
    elif style == PARENTHESIS:
        if _is_enumerator(before, after, previous):
            candidate.prose = "numbers a list item ('(1) rest, (2) ...')"
            candidate.firm = True
        elif _QUANTITY_TOKEN_RE.match(previous):
            # "about 10% (1, 2)." cites; "12 (2) weeks" is unclear
            if not candidate.clause_final:
                candidate.weak_prose = f"after the number {previous!r}"
        elif previous.lower() in _STRONG_PROSE_WORDS:
            candidate.prose = f"after {previous!r}"
            candidate.firm = previous.lower() in _QUANTITY_WORDS
        elif previous.lower() in _WEAK_PROSE_WORDS:
            candidate.weak_prose = f"after {previous!r}"
        elif not candidate.clause_final:
            candidate.weak_prose = "inside the sentence"
    return [candidate]


def _superscript_cites(
    candidate: _Candidate, text: str, start: int, window: str, unicode: bool
) -> bool:
    """False for a power (m², 10⁶); a superscript after a year, or standing apart from
    its word, is a citation that may be prose."""
    if start > 0 and not text[start - 1].isspace() and _POWER_BASE_RE.search(window):
        if not _YEAR_END_RE.search(window):
            return False
        candidate.weak_prose = "after a year"  # "in 2022⁴": nobody means a power of a year
    if unicode and start > 0 and text[start - 1].isspace():
        candidate.weak_prose = "a superscript standing apart from the word"
    return True


def _previous_word(before: str) -> str:
    match = _WORD_BEFORE_RE.search(before[-60:])
    return match[1].strip("\"'“”‘’([{") if match else ""


def _is_enumerator(before: str, after: str, previous: str) -> bool:
    """ "(1) rest, (2) fluids": a number in parentheses that opens a list item."""
    if not after or after[0] in _CLAUSE_END:
        return False
    lead = before[-1:] if before else ""
    return lead in _ENUMERATOR_BEFORE or previous.lower() in _ENUMERATOR_BEFORE


def _bare(paragraph: Paragraph, match: re.Match[str]) -> _Candidate | None:
    text = paragraph.text
    raw = match["numbers"]
    start = match.start("numbers")
    plain = raw.replace("\u00a0", " ")
    candidate = _Candidate(paragraph, match.start(), match.end(), BARE, [], raw)
    if _THOUSANDS_RE.fullmatch(plain):
        return None
    numbers, reason = _numbers(plain)
    if reason is not None:
        return None
    candidate.numbers = numbers
    before = text[max(0, start - 1 - _WINDOW) : start - 1]
    previous = _previous_word(before)
    word = previous.lower().rstrip(":")
    if "-" in plain or "–" in plain:
        candidate.weak_prose = "written as a range"
    if _QUANTITY_TOKEN_RE.match(previous):
        candidate.prose = f"after the number {previous!r}"
        candidate.firm = True
        candidate.after_number = True
    elif previous.endswith(".") and previous[:-1].lower() in _NAMING_ABBREVIATIONS:
        candidate.prose = f"after {previous!r}"  # "Paper No. 1.", "see Fig. 2."
    elif previous.endswith(tuple(_CLAUSE_END)) or previous.endswith(("'", "’", '"', "”")):
        pass  # "(see above) 2." / "'Stop' 2.": the word before closed a phrase
    elif word in _STRONG_PROSE_WORDS:
        candidate.prose = f"after {previous!r}"
        candidate.firm = word in _QUANTITY_WORDS
    elif word in _NAMING_WORDS:
        candidate.prose = f"after {previous!r}"
    elif (
        word.endswith("s")
        and word[:-1] in _NAMING_WORDS
        and not _QUANTITY_TOKEN_RE.match(_previous_word(before[: -len(previous)]))
    ):
        # "lower doses 2.", "both types 1.": a plural does not name one by its number, but
        # the number may still belong to the prose.
        candidate.weak_prose = f"after {previous!r}"
        candidate.plural = True
    elif word in _JOINING_WORDS:
        number_before = _QUANTITY_TOKEN_RE.match(_previous_word(before[: -len(previous)]))
        if word in _COUNT_JOINS and number_before:
            candidate.prose = f"after '{_previous_word(before[: -len(previous)])} {previous}'"
            candidate.firm = True
        else:
            candidate.weak_prose = f"after {previous!r}"
    elif previous.isupper() and len(previous) <= 6 and previous.isalpha():
        candidate.weak_prose = f"after the name {previous!r} (as in 'IL 6', 'HPV 16')"
    return candidate


# --- deciding -----------------------------------------------------------------------------


def _is_confident(candidate: _Candidate, evidence: _Evidence) -> bool:
    """Whether a candidate is a citation on its own evidence (it then counts as evidence)."""
    if candidate.prose or candidate.weak_prose:
        return False
    if candidate.style == PARENTHESIS and not candidate.clause_final:
        return False
    if evidence.listed is not None:
        return evidence.listed_all(candidate.numbers)
    if candidate.style == BARE:
        return all(number <= MAX_UNLISTED_CITATION for number in candidate.numbers)
    if candidate.style == PARENTHESIS:
        return evidence.plain_parentheses >= 2
    return candidate.style in (BRACKET, SUPERSCRIPT)


def _decide(candidate: _Candidate, evidence: _Evidence) -> None:
    numbers = candidate.numbers
    shown = ", ".join(str(number) for number in dict.fromkeys(numbers))
    listed = evidence.listed
    in_list = evidence.listed_all(numbers)
    style = candidate.style
    uses_style = evidence.styles[style] - (1 if _is_confident(candidate, evidence) else 0) > 0

    def cite(doubt: str | None = None) -> None:
        candidate.decision = f"converted to {pandoc_citation(numbers)}"
        candidate.doubt = doubt
        candidate.replacement = pandoc_citation(numbers)

    def prose(doubt: str | None = None) -> None:
        candidate.decision = "kept as prose"
        candidate.doubt = doubt
        candidate.replacement = None

    if candidate.prose:
        # The grammar says prose; a number that the list or the style backs is doubted.
        uncited = not evidence.confident.intersection(numbers)
        if candidate.firm and in_list and candidate.after_number and uncited:
            cite(f"{candidate.prose}, but the References list has {shown}{_UNCITED}")
        elif candidate.firm and in_list and style == BARE:
            prose(f"{candidate.prose}, although the References list has {shown}")
        elif candidate.firm:
            prose()
        elif in_list and (uses_style or style != BARE):
            prose(f"{candidate.prose}, although the References list has {shown}")
        elif listed is None and uses_style and max(numbers) <= evidence.highest:
            prose(f"{candidate.prose}, although the text cites {_STYLE_WORDS[style]} elsewhere")
        else:
            prose()
        return
    if style in (BRACKET, SUPERSCRIPT):
        if candidate.weak_prose:
            cite(candidate.weak_prose)
        elif listed is not None and not in_list:
            cite(f"the References list has no {_missing(numbers, listed)}")
        else:
            cite()
        return
    if style == PARENTHESIS:
        _decide_parenthesis(candidate, evidence, in_list, uses_style, shown, cite, prose)
        return
    _decide_bare(candidate, evidence, in_list, uses_style, shown, cite, prose)


def _missing(numbers: Sequence[int], listed: frozenset[int]) -> str:
    return ", ".join(str(number) for number in dict.fromkeys(numbers) if number not in listed)


def _decide_parenthesis(candidate, evidence, in_list, uses_style, shown, cite, prose) -> None:
    listed = evidence.listed
    if listed is not None:
        if in_list and not candidate.weak_prose:
            cite()
        elif in_list:
            cite(f"{candidate.weak_prose}, but the References list has {shown}")
        elif candidate.clause_final:
            prose(f"the References list has no {_missing(candidate.numbers, listed)}")
        else:
            prose()
        return
    if candidate.weak_prose:
        if uses_style:
            cite(f"{candidate.weak_prose}; the text cites in parentheses elsewhere")
        else:
            prose(f"{candidate.weak_prose}; no References list to check it against")
        return
    if uses_style and evidence.fits_sequence(candidate.numbers):
        cite()
    elif uses_style:
        cite("out of the sequence of the other citations; no References list")
    else:
        cite("the only citation in parentheses, and no References list to check it against")


def _decide_bare(candidate, evidence, in_list, uses_style, shown, cite, prose) -> None:
    listed = evidence.listed
    numbers = candidate.numbers
    others = [name for name, count in evidence.styles.most_common() if count and name != BARE]
    elsewhere = f"the text cites in {_STYLE_WORDS[others[0]]} elsewhere" if others else None
    if listed is not None:
        if not in_list:
            if (candidate.weak_prose and not candidate.plural) or not uses_style:
                prose()
            else:
                prose(f"the References list has no {_missing(numbers, listed)}")
            return
        if candidate.weak_prose:
            if candidate.plural and uses_style and evidence.fits_sequence(numbers):
                cite()  # "higher doses 2.": the list and the sequence settle it
            elif uses_style and evidence.fits_sequence(numbers):
                cite(f"{candidate.weak_prose}, but the References list has {shown}")
            elif not evidence.confident.intersection(numbers):
                cite(f"{candidate.weak_prose}, but the References list has {shown}{_UNCITED}")
            else:
                prose(f"{candidate.weak_prose}, although the References list has {shown}")
            return
        cite(elsewhere)
        return
    if any(number > MAX_UNLISTED_CITATION for number in numbers):
        return
    if candidate.weak_prose:
        _decide_bare_weak_unlisted(candidate, evidence, uses_style, cite, prose)
        return
    if not uses_style and elsewhere:
        cite(elsewhere)
    elif not uses_style:
        cite("the only citation in the text, and no References list to check it against")
    elif not evidence.fits_sequence(numbers):
        cite("out of the sequence of the other citations; no References list")
    else:
        cite()


def _decide_bare_weak_unlisted(candidate, evidence, uses_style, cite, prose) -> None:
    """A bare number the grammar leans to prose, in a text with no References list."""
    numbers = candidate.numbers
    fills_gap = all(
        number not in evidence.confident and number < evidence.highest for number in numbers
    )
    if uses_style and fills_gap:
        cite(
            f"{candidate.weak_prose}, but it fills the sequence of the other citations; "
            "no References list to check it against"
        )
    elif uses_style and evidence.fits_sequence(numbers):
        prose(f"{candidate.weak_prose}; the text cites bare numbers elsewhere")
    elif candidate.plural or not evidence.confident:
        prose(f"{candidate.weak_prose}; no References list or other citation to check it")


# --- rewriting ------------------------------------------------------------------------------


def _apply(paragraph: Paragraph, candidates: list[_Candidate]) -> str:
    """The paragraph with each converted candidate replaced, stops moved after citations."""
    text = paragraph.text
    if not candidates:
        return text
    pieces: list[str] = []
    position = 0
    for candidate in candidates:
        pieces.append(text[position : candidate.start])
        before = text[candidate.start - 1] if candidate.start else ""
        space = " " if before and not before.isspace() and before not in "([{\"'“‘" else ""
        if candidate.start and text[candidate.start] in " \u00a0":
            space = " "
        pieces.append(f"{space}{candidate.replacement}{candidate.punct}")
        position = candidate.end
    pieces.append(text[position:])
    return "".join(pieces)
