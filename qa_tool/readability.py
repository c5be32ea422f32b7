"""Reading level of an answer: Flesch-Kincaid grade level and SMOG, per answer and section.

What is measured is the prose a patient reads. Headings, citation markers
(``[@1]``), links' addresses, bare URLs, HTML comments, code, tables' rules and
list bullets are removed; each list item counts as a sentence (a question to
ask the doctor need not end in a full stop); abbreviations ("e.g.", "Dr.",
"et al.", "vs.") and decimals ("2.5") do not end sentences; numbers, units
and symbols count as read aloud ("5 mg" is "five milligrams", "40%" is "forty
percent"), see :mod:`qa_tool.syllables`.

The formulas are the published ones:

- FKGL = 0.39 x words/sentences + 11.8 x syllables/words - 15.59 (Kincaid et
  al. 1975);
- SMOG = 1.0430 x sqrt(polysyllables x 30/sentences) + 3.1291 (McLaughlin
  1969, as normalised by the formula for samples of other than 30 sentences);
  a polysyllable has three or more syllables. SMOG was normed on 30-sentence
  samples: for fewer sentences the figure is an estimate, and :class:`Measure`
  says so (``smog_caveat``).

The hardest sentences are those that raise the answer's grade most: the
drop in the grade when the sentence is left out.

>>> m = measure_body("The cat sat on the mat. It was happy.")
>>> (m.words, m.sentences, m.syllables, m.fkgl)
(9, 2, 10, -0.72)
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from qa_tool.body import parse_body
from qa_tool.config import ReadabilityPolicy
from qa_tool.errors import shorten
from qa_tool.model import SectionTitle
from qa_tool.spill import Handle, Spill
from qa_tool.syllables import HYPHENATION, count_syllables, number_syllables

MEASURE_VERSION = "2"
"""Changes whenever what a measure contains or how it is computed changes (cache key)."""

SMOG_SAMPLE = 30
HARDEST = 3
SECTION_KEYS = {t.value.casefold(): t.name for t in SectionTitle}
"""Sections measured on their own: the summary (before any heading) and the two set ones."""
SECTION_TITLES = {"summary": "Summary", **{t.name: t.value for t in SectionTitle}}


# --- The prose: blocks of text with the line each piece came from ----------------------

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)")
_SETEXT = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_BULLET = re.compile(r"^(\s*)(?:[-*+•]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])\s+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_FOOTNOTE = re.compile(r"\[\^[^\]]*\]")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<(?:https?|ftp|mailto):[^>]*>", re.IGNORECASE)
_URL = re.compile(r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_CODE = re.compile(r"`[^`]*`")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3}|~~)(?=\S)|(?<=\S)(\*{1,3}|_{1,3}|~~)")


_ESCAPED = re.compile(r"\\([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_SPACE_BEFORE_STOP = re.compile(r"\s+([.,;:!?])")
_SPACES = re.compile(r"\s{2,}")
_BRACKET_CITATION = re.compile(r"\[[^\[\]]*@[^\[\]]*\]")
_STOPS_AFTER_SPACE = (" .", " ,", " ;", " :", " !", " ?")


def clean_inline(text: str) -> str:
    r"""One line of Markdown as read: no citations, link addresses, URLs, code or markup.

    >>> clean_inline("See **this** [page](https://x.org) [@1; @2], or https://x.org/a.")
    'See this page, or.'
    >>> clean_inline(r"\> 7.0 mmol/L")  # a Markdown escape reads as its sign
    '> 7.0 mmol/L'
    """
    if "\\" in text:
        text = _ESCAPED.sub(r"\1", text)
    if "[" in text:
        if "@" in text:
            text = _drop_citations(text)
        text = _FOOTNOTE.sub("", text)
        text = _IMAGE.sub("", text)
        text = _LINK.sub(r"\1", text)
    if "<" in text:
        text = _AUTOLINK.sub("", text)
        text = _TAG.sub("", text)
    if "://" in text or "www." in text:
        text = _URL.sub("", text)
    if "@" in text:
        text = _EMAIL.sub("", text)
    if "`" in text:
        text = _CODE.sub("", text)
    if "*" in text or "_" in text or "~" in text:
        text = _EMPHASIS.sub("", text)
    # The only whitespace a printable text holds is the space (every other whitespace
    # character is unprintable): then plain substring tests say whether a rule applies.
    printable = text.isprintable()
    if not printable or any(pair in text for pair in _STOPS_AFTER_SPACE):
        text = _SPACE_BEFORE_STOP.sub(r"\1", text)  # "claim [@1]." left "claim ."
    if not printable or "  " in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


def _drop_citations(text: str) -> str:
    """``text`` without its citations and the spaces before them: ``_CITATION.sub("", text)``,
    found from their brackets (a pattern led by ``\\s*`` is tried at every character)."""
    kept: list[str] = []
    last = 0
    for m in _BRACKET_CITATION.finditer(text):
        start = m.start()
        while start > last and text[start - 1].isspace():
            start -= 1
        kept.append(text[last:start])
        last = m.end()
    if not kept:
        return text
    kept.append(text[last:])
    return "".join(kept)


@dataclass
class Block:
    """A paragraph, a list item or a table cell: sentences never run from one to the next."""

    pieces: list[tuple[int, str]] = field(default_factory=list)  # (0-based body line, text)


def prose_blocks(lines: list[str], first_line: int = 0) -> list[Block]:
    """The blocks of prose in ``lines`` (a section's lines; ``first_line``: the first's number)."""
    blocks: list[Block] = []
    current: Block | None = None
    in_fence = False
    for offset, raw in enumerate(lines):
        n = first_line + offset
        if _FENCE.match(raw):
            in_fence = not in_fence
            current = None
            continue
        if in_fence:
            continue
        line = raw.rstrip()
        stripped = line.strip()
        while stripped.startswith(">"):
            stripped = stripped[1:].strip()  # a quotation reads like any paragraph
        if not stripped or _HEADING.match(stripped) or _RULE.match(stripped):
            current = None
            continue
        if _SETEXT.match(stripped) and current is not None and current.pieces:
            current.pieces.pop()  # the line above was a heading, underlined
            if not current.pieces:
                blocks.pop()
            current = None
            continue
        if "|" in stripped and stripped.startswith("|"):
            current = None
            if _TABLE_RULE.match(stripped):
                continue
            for cell in stripped.strip("|").split("|"):
                text = clean_inline(cell)
                if text:
                    blocks.append(Block([(n, text)]))
            continue
        bullet = _BULLET.match(line)
        if bullet:
            current = Block()
            blocks.append(current)
            stripped = line[bullet.end() :].strip()
        elif current is None:
            current = Block()
            blocks.append(current)
        text = clean_inline(stripped)
        if text:
            current.pieces.append((n, text))
    return [b for b in blocks if b.pieces]


# --- Sentences ---------------------------------------------------------------------------

NEVER_FINAL = frozenset(
    {
        *("dr", "mr", "mrs", "ms", "mx", "prof", "sr", "jr", "st", "vs", "v"),
        *("e.g", "i.e", "eg", "ie", "cf", "viz", "approx", "esp", "incl", "ca", "resp"),
        *("fig", "figs", "vol", "dept", "univ", "ref", "refs", "eds", "pp"),
    }
)
"""Abbreviations (lowercase, without the last full stop) that never end a sentence.

Any other full stop ends one only when what follows could start a sentence (a
capital, a digit, a quotation mark): "et al. (2021)", "5 mg. twice" and "U.S.
guidance" go on; "at 5 mg. Then" and "and so on, etc. Ask" end."""
_TERMINAL = re.compile(r"[.!?…]+['\"”’)\]]*(?=\s|$)")
_WORD_BEFORE = re.compile(r"([^\s(\[\"“]+)$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` spans of the sentences in one block's text.

    >>> t = "Dr. Lee uses 2.5 mg, e.g. at night. Is it safe? Yes. Smith et al. (2021) agree."
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['Dr. Lee uses 2.5 mg, e.g. at night.', 'Is it safe?', 'Yes.', 'Smith et al. (2021) agree.']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    search = _NONSPACE.search
    for m in _TERMINAL.finditer(text):
        stop = m.group()
        if stop[0] == "." and stop[:2] not in ("..", ".…") and not _ends(text, m, stop):
            continue
        end = m.end()
        first = search(text, start, end)  # a sentence starts at its first non-space
        if first is not None:
            spans.append((first.start(), end))
        start = end
    first = search(text, start)
    if first is not None:
        spans.append((first.start(), len(text)))
    return spans


_NONSPACE = re.compile(r"\S")
_LOOK_BACK = 48
"""How far back the word before a full stop is looked for first (longer ones: from the start)."""


def _ends(text: str, m: re.Match[str], stop: str) -> bool:
    """Whether the full stop of ``m`` (its text: ``stop``) ends a sentence (it is not an
    abbreviation's)."""
    following = _NONSPACE.search(text, m.end())
    if following is None:
        return True
    if stop == ".":
        at = m.start()
        before = _WORD_BEFORE.search(text, max(0, at - _LOOK_BACK), at)
        if before is not None and at - _LOOK_BACK > 0 and before.start() == at - _LOOK_BACK:
            before = _WORD_BEFORE.search(text, 0, at)  # the word may start further back
        if _is_abbreviation(before):
            return False
    return _may_open(following.group())


def _is_abbreviation(before: re.Match[str] | None) -> bool:
    """Whether the word before a full stop (a ``_WORD_BEFORE`` match) is in NEVER_FINAL."""
    word = before.group(1).lower().lstrip("'\"“‘") if before else ""
    return word in NEVER_FINAL or word.rstrip(".") in NEVER_FINAL


def _may_open(first: str) -> bool:
    """Whether what follows a full stop, starting with the character ``first``, may start a
    sentence."""
    if first.isupper() or first.isdigit() or first in "\"“‘'[":
        return True
    return not first.isalpha() and first not in "(,;:-–—"


# --- Words ---------------------------------------------------------------------------------

_UNITS = {
    "mg": "milligrams",
    "mcg": "micrograms",
    "µg": "micrograms",
    "μg": "micrograms",
    "ug": "micrograms",
    "g": "grams",
    "kg": "kilograms",
    "lb": "pounds",
    "lbs": "pounds",
    "oz": "ounces",
    "ml": "milliliters",
    "l": "liters",
    "dl": "deciliter",
    "cm": "centimeters",
    "mm": "millimeters",
    "km": "kilometers",
    "m": "meters",
    "iu": "units",
    "mmhg": "millimeters of mercury",
    "mmol": "millimoles",
    "bpm": "beats per minute",
    "h": "hours",
    "hr": "hours",
    "hrs": "hours",
    "min": "minutes",
    "mins": "minutes",
    "s": "seconds",
    "sec": "seconds",
    "kcal": "calories",
    "yrs": "years",
    "wk": "weeks",
    "wks": "weeks",
    "mo": "months",
    "x": "times",
}
_SYMBOLS = {
    "%": "percent",
    "&": "and",
    "+": "plus",
    "±": "plus or minus",
    "=": "equals",
    "<": "less than",
    ">": "more than",
    "≤": "at most",
    "≥": "at least",
    "~": "about",
    "°c": "degrees Celsius",
    "°f": "degrees Fahrenheit",
    "°": "degrees",
    "×": "times",
}
_SPOKEN = {
    "e.g.": "for example",
    "eg.": "for example",
    "i.e.": "that is",
    "ie.": "that is",
    "vs.": "versus",
    "vs": "versus",
    "etc.": "et cetera",
    "al.": "others",
    "dr.": "doctor",
    "approx.": "about",
    "cf.": "compare",
}
_TOKEN = re.compile(
    r"(?P<num>\d+(?:[,\u202f]\d{3})*(?:\.\d+)?(?:st|nd|rd|th)?)"
    r"|(?P<word>[^\W\d_](?:[\w'’]*[^\W_])?(?:\.(?=[^\W\d_]\.))?(?:[^\W\d_]\.)*\.?"
    r"(?:-[\w'’]+)*)"
    r"|(?P<sym>°[CcFf]?|[%&+±=<>≤≥~×])",
)


_DOTTED = re.compile(r"\w\.\w")


def sentence_words(sentence: str, unknown: str = HYPHENATION) -> list[int]:
    """The syllables of each word of a sentence, as read (one entry per word); ``unknown``
    says how words the pronouncing dictionary lacks are counted (``count_syllables``).

    >>> sentence_words("Take 5 mg, e.g. at 8 am.")
    [1, 1, 3, 1, 3, 1, 1, 1]
    """
    if "\u202f" in sentence:  # a number may hold this space ("10\u202f000"): read it whole
        return _read_tokens(sentence, False, unknown)[0]
    out: list[int] = []
    previous_number = False
    for run in sentence.split():
        alone, after_number, ends_number, _, _ = _run(run, unknown)
        out.extend(after_number if previous_number else alone)
        if ends_number is not None:
            previous_number = ends_number
    return out


# --- A block read a run of non-spaces at a time ----------------------------------------------
#
# No word, number or symbol spans a space (but for "\u202f" in "10\u202f000"), and a full stop
# that may end a sentence is the end of a run ("_TERMINAL" looks for a space after it): what a
# run says is the same wherever it stands, but for whether a number came just before it ("5
# mg") and, for a full stop, what the next run starts with. So each distinct run is read once
# (a library repeats most of its words) and a block is read run by run.

_NO_STOP, _STOP, _STOP_BEFORE_OPENING, _STOP_IF_LAST = range(4)
"""How a run ends: not with a full stop; with one that ends a sentence ("?", "..."); with a
full stop that ends one when the next run may open one (:func:`_may_open`), or when it is
the block's last run (an abbreviation's, "e.g.")."""

_RunReading = tuple[tuple[int, ...], tuple[int, ...], bool | None, int, bool]
"""What a run says: its syllables; its syllables after a number; whether it ends with a number
(None: nothing in it is read, the state stays as it was); how it ends (``_STOP``...); whether
a sentence may start with it."""
_RUNS: dict[str, dict[str, _RunReading]] = {}
"""The memo of each way of counting unknown words: ``{unknown: {run: reading}}``."""
_RUNS_LIMIT = 200_000
"""Past this many distinct runs the memo starts again (memory stays bounded)."""


def _run(run: str, unknown: str) -> _RunReading:
    """What a run of non-spaces says (from the memo)."""
    memo = _RUNS.setdefault(unknown, {})
    found = memo.get(run)
    if found is None:
        if len(memo) >= _RUNS_LIMIT:
            memo.clear()
        found = memo[run] = _read_run(run, unknown)
    return found


def _read_run(run: str, unknown: str) -> _RunReading:
    alone, ends_number = _read_tokens(run, False, unknown)
    after_number, _ = _read_tokens(run, True, unknown)
    stop = _TERMINAL.search(run)  # as in split_sentences
    if stop is None:
        ends = _NO_STOP
    elif stop.group()[0] != "." or stop.group()[:2] in ("..", ".…"):
        ends = _STOP
    elif stop.group() == "." and _is_abbreviation(_WORD_BEFORE.search(run, 0, stop.start())):
        ends = _STOP_IF_LAST
    else:
        ends = _STOP_BEFORE_OPENING
    return (
        tuple(alone),
        tuple(after_number),
        ends_number if _TOKEN.search(run) else None,
        ends,
        _may_open(run[0]),
    )


def _block_runs(block: Block) -> tuple[list[str], list[int]] | None:
    """The runs of a block's text and the index of each piece's first run; None when the
    text is not its runs joined by single spaces (or holds a "\u202f")."""
    runs: list[str] = []
    starts: list[int] = []
    for _, piece in block.pieces:
        split = piece.split()
        # Printable, the only whitespace is the space ("\u202f" is not printable either).
        if not piece.isprintable() or piece.count(" ") != len(split) - 1:
            return None
        starts.append(len(runs))
        runs += split
    return runs, starts


def _block_sentences(block: Block, found: list[_Found], unknown: str) -> None:
    """Add the sentences of one block that have words to ``found``: those of
    :func:`split_sentences` of the block's text, each read by :func:`sentence_words`."""
    split = _block_runs(block)
    if split is None:
        _text_sentences(block, found, unknown)
        return
    runs, starts = split
    known = _RUNS.setdefault(unknown, {}).get
    readings = [known(run) or _run(run, unknown) for run in runs]
    last = len(runs) - 1
    first = 0
    syllables: list[int] = []
    previous_number = False
    for k, (alone, after_number, ends_number, ends, _) in enumerate(readings):
        syllables.extend(after_number if previous_number else alone)
        if ends_number is not None:
            previous_number = ends_number
        if k == last or ends == _STOP or (ends == _STOP_BEFORE_OPENING and readings[k + 1][4]):
            if syllables:
                line = block.pieces[bisect_right(starts, first) - 1][0]
                found.append((line, " ".join(runs[first : k + 1]), syllables))
                syllables = []
            previous_number = False
            first = k + 1


def _text_sentences(block: Block, found: list[_Found], unknown: str) -> None:
    """:func:`_block_sentences` the plain way: the block's text split, each sentence read."""
    pieces = block.pieces
    text = " ".join(piece for _, piece in pieces)
    offsets: list[int] = []  # where each piece starts in text
    offset = 0
    for _, piece in pieces:
        offsets.append(offset)
        offset += len(piece) + 1
    for a, b in split_sentences(text):
        sentence = text[a:b]
        words = sentence_words(sentence, unknown)
        if words:
            found.append((pieces[bisect_right(offsets, a) - 1][0], sentence.strip(), words))


def _read_tokens(text: str, previous_number: bool, unknown: str) -> tuple[list[int], bool]:
    """The syllables of each word of ``text``, and whether it ends with a number
    (``previous_number``: whether the text before it did, so "mg" is "milligrams")."""
    out: list[int] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        token = m.group()
        if kind == "num":
            out.append(number_syllables(token) or 1)
            previous_number = True
            continue
        if kind == "sym":
            spoken = _SYMBOLS.get(token.lower())
            if spoken:
                out.extend(count_syllables(w, unknown) for w in spoken.split())
            previous_number = False
            continue
        lower = token.lower()
        if previous_number and lower.rstrip(".") in _UNITS:
            out.extend(count_syllables(w, unknown) for w in _UNITS[lower.rstrip(".")].split())
        elif lower in _SPOKEN:
            out.extend(count_syllables(w, unknown) for w in _SPOKEN[lower].split())
        else:
            if token[-1] == "." and not _DOTTED.search(token):
                token = token[:-1]
            syllables = count_syllables(token, unknown)
            if syllables:
                out.append(syllables)
        previous_number = False
    return out, previous_number


# --- Measures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    """One sentence of the body: where it starts, its text, each word's syllables."""

    line: int  # 0-based line within the body of the sentence's first word
    text: str
    syllables: tuple[int, ...]  # per word

    @property
    def words(self) -> int:
        return len(self.syllables)

    @property
    def polysyllables(self) -> int:
        return sum(s >= 3 for s in self.syllables)


def fkgl(words: int, sentences: int, syllables: int) -> float | None:
    """Flesch-Kincaid grade level; None for a text with no words."""
    if not words or not sentences:
        return None
    return 0.39 * words / sentences + 11.8 * syllables / words - 15.59


def smog(polysyllables: int, sentences: int) -> float | None:
    """SMOG grade, normalised to a 30-sentence sample; None for a text with no sentence."""
    if not sentences:
        return None
    return 1.0430 * math.sqrt(polysyllables * SMOG_SAMPLE / sentences) + 3.1291


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@dataclass
class Counts:
    """Counts and grades of some sentences (a section or a whole answer)."""

    words: int = 0
    sentences: int = 0
    syllables: int = 0
    polysyllables: int = 0

    @property
    def fkgl(self) -> float | None:
        return _round(fkgl(self.words, self.sentences, self.syllables))

    @property
    def smog(self) -> float | None:
        return _round(smog(self.polysyllables, self.sentences))

    @property
    def smog_caveat(self) -> bool:
        """True when SMOG is an estimate: fewer sentences than the 30 it was normed on."""
        return self.sentences < SMOG_SAMPLE

    def grade(self, formula: str) -> float | None:
        if formula == "fkgl":
            return self.fkgl
        if formula == "smog":
            return self.smog
        grades = [g for g in (self.fkgl, self.smog) if g is not None]
        return max(grades) if grades else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "fkgl": self.fkgl,
            "smog": self.smog,
            "smog_caveat": self.smog_caveat,
            "words": self.words,
            "sentences": self.sentences,
            "syllables": self.syllables,
            "polysyllables": self.polysyllables,
        }


@dataclass(frozen=True)
class Hard:
    """A sentence that raises the grade: ``raises_by`` is the FKGL drop when it is left out."""

    line: int  # 0-based body line
    text: str
    words: int
    syllables: int
    polysyllables: int
    fkgl: float | None
    raises_by: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "text": self.text,
            "words": self.words,
            "syllables": self.syllables,
            "polysyllables": self.polysyllables,
            "fkgl": self.fkgl,
            "raises_by": self.raises_by,
        }


@dataclass
class Measure:
    """The reading level of one body: the whole, each set section, the hardest sentences."""

    total: Counts
    sections: dict[str, Counts]
    hardest: list[Hard]

    @property
    def fkgl(self) -> float | None:
        return self.total.fkgl

    @property
    def smog(self) -> float | None:
        return self.total.smog

    @property
    def words(self) -> int:
        return self.total.words

    @property
    def sentences(self) -> int:
        return self.total.sentences

    @property
    def syllables(self) -> int:
        return self.total.syllables

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.total.to_dict(),
            "sections": {k: v.to_dict() for k, v in self.sections.items()},
            "hardest": [h.to_dict() for h in self.hardest],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Measure:
        def counts(d: dict[str, Any]) -> Counts:
            return Counts(d["words"], d["sentences"], d["syllables"], d["polysyllables"])

        return cls(
            counts(data),
            {k: counts(v) for k, v in data["sections"].items()},
            [Hard(**h) for h in data["hardest"]],
        )


def body_sentences(body: str, unknown: str = HYPHENATION) -> dict[str, list[Sentence]]:
    """The sentences of a body by section key ("summary", "research", "doctor" or "other")."""
    return {
        key: [Sentence(line, text, tuple(syllables)) for line, text, syllables in found]
        for key, found in _body_sentences(body, unknown).items()
    }


_Found = tuple[int, str, list[int]]
"""A sentence as found: its line, its text, each word's syllables (never empty)."""


def _body_sentences(body: str, unknown: str) -> dict[str, list[_Found]]:
    if "<!--" in body:  # comments are not read; keep their newlines so line numbers hold
        body = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), body)
    parsed = parse_body(body)
    out: dict[str, list[_Found]] = {"summary": [], "research": [], "doctor": [], "other": []}
    for section in [parsed.summary, *parsed.sections]:
        key = SECTION_KEYS.get(section.title.casefold(), "other") if section.title else "summary"
        first = section.line + 1 if section.title else 0
        found = out[key]
        for block in prose_blocks(section.lines, first):
            _block_sentences(block, found, unknown)
    return out


_Summed = tuple[int, str, int, int, int]
"""A sentence's line, text, words, syllables and polysyllables."""


def measure_body(body: str, hardest: int = HARDEST, unknown: str = HYPHENATION) -> Measure:
    """Counts and grades of a body; the ``hardest`` sentences that raise its grade most.
    ``unknown``: how words the pronouncing dictionary lacks are counted (``[readability]
    unknown_words``: ``hyphenation``, as textstat counts them, or ``rules``)."""
    total = Counts()
    sections: dict[str, Counts] = {}
    everything: list[_Summed] = []
    for key, found in _body_sentences(body, unknown).items():
        part = Counts()
        for line, text, syllables in found:
            words, summed = len(syllables), sum(syllables)
            polys = words - syllables.count(0) - syllables.count(1) - syllables.count(2)
            part.words += words
            part.syllables += summed
            part.polysyllables += polys
            everything.append((line, text, words, summed, polys))
        part.sentences = len(found)
        total.words += part.words
        total.sentences += part.sentences
        total.syllables += part.syllables
        total.polysyllables += part.polysyllables
        if key != "other":
            sections[key] = part
    return Measure(total, sections, _hardest(everything, total, hardest))


def _hardest(sentences: list[_Summed], total: Counts, count: int) -> list[Hard]:
    grade = fkgl(total.words, total.sentences, total.syllables)
    if grade is None or total.sentences < 2:
        return []
    rises = []
    for n, (_, _, words, syllables, _) in enumerate(sentences):
        without = fkgl(total.words - words, total.sentences - 1, total.syllables - syllables)
        if without is not None and grade - without > 0:
            rises.append((grade - without, n))
    rises.sort(key=lambda r: (-r[0], r[1]))
    out = []
    for rise, n in rises[:count]:
        line, text, words, syllables, polys = sentences[n]
        out.append(
            Hard(
                line,
                text,
                words,
                syllables,
                polys,
                _round(fkgl(words, 1, syllables)),
                round(rise, 2),
            )
        )
    return out


# --- Targets and acknowledgements ---------------------------------------------------------

ACK_FIELD = "readability"
"""Front matter of an accepted grade::

    readability:
      accepted_grade: 11
      accepted_by: Jane Doe
      accepted_on: 2026-11-30
      reason: The names of the medicines cannot be made simpler.

It holds while the answer's grade stays at or below ``accepted_grade``."""


@dataclass(frozen=True)
class Acknowledgement:
    """A reviewer's acceptance of a grade above target: the grade, who, when and why."""

    grade: float
    by: str
    on: str
    reason: str


def acknowledgement(meta: dict[str, Any]) -> Acknowledgement | None:
    """The accepted grade recorded in front matter, None when there is none (or it is incomplete).

    >>> acknowledgement({"readability": {"accepted_grade": 11, "accepted_by": "J. Doe",
    ...     "accepted_on": "2026-11-30", "reason": "drug names"}}).grade
    11.0
    """
    raw = meta.get(ACK_FIELD)
    if not isinstance(raw, dict):
        return None
    grade = raw.get("accepted_grade")
    by, on, reason = raw.get("accepted_by"), raw.get("accepted_on"), raw.get("reason")
    if isinstance(grade, bool) or not isinstance(grade, int | float):
        return None
    if not (isinstance(by, str) and by.strip() and on and isinstance(reason, str) and reason):
        return None
    return Acknowledgement(float(grade), by.strip(), str(on), reason.strip())


VERDICT_OK = "ok"
VERDICT_ABOVE = "above-target"
VERDICT_ACCEPTED = "accepted"
VERDICT_SHORT = "too-short"
MIN_WORDS = 30
"""Below this many words a grade says little (one short sentence can read as grade 10):
the figures are reported, but no verdict against the target is given."""


@dataclass
class Assessment:
    """One answer measured against its target."""

    rel: str
    id: str | None
    topic: str | None
    body_line: int
    measure: Measure
    target: float
    formula: str
    accepted: Acknowledgement | None = None

    @property
    def grade(self) -> float | None:
        return self.measure.total.grade(self.formula)

    @property
    def verdict(self) -> str:
        grade = self.grade
        if grade is None or self.measure.words < MIN_WORDS:
            return VERDICT_SHORT
        if grade <= self.target:
            return VERDICT_OK
        if self.accepted is not None and grade <= self.accepted.grade:
            return VERDICT_ACCEPTED
        return VERDICT_ABOVE

    @property
    def over_target(self) -> bool:
        """Above target and not accepted by a reviewer at this grade."""
        return self.verdict == VERDICT_ABOVE

    def hardest_lines(self) -> list[tuple[int, Hard]]:
        """The hardest sentences with their file line numbers (1-based)."""
        return [(self.body_line + h.line, h) for h in self.measure.hardest]

    def message(self) -> str:
        """One line for a finding: the grade, the target and the sentences to rewrite."""
        name = {"fkgl": "FKGL", "smog": "SMOG", "max": "grade"}[self.formula]
        text = f"reading grade {self.grade:.1f} ({name}) is above the target {self.target:g}"
        if self.accepted is not None:
            text += f" and the grade {self.accepted.grade:g} accepted by {self.accepted.by}"
        worst = "; ".join(f"line {n}: {shorten(h.text)}" for n, h in self.hardest_lines())
        if worst:
            text += f"; hardest sentences: {worst}"
        return text

    def to_dict(self) -> dict[str, Any]:
        acc = self.accepted
        return {
            "path": self.rel,
            "id": self.id,
            "topic": self.topic,
            "grade": self.grade,
            "formula": self.formula,
            "target": self.target,
            "verdict": self.verdict,
            "over_target": self.over_target,
            "accepted": (
                {"grade": acc.grade, "by": acc.by, "on": acc.on, "reason": acc.reason}
                if acc
                else None
            ),
            **{k: v for k, v in self.measure.to_dict().items() if k != "hardest"},
            "hardest": [{**h.to_dict(), "line": n} for n, h in self.hardest_lines()],
        }


def assess(answer: Any, policy: ReadabilityPolicy, measure: Measure | None = None) -> Assessment:
    """Measure one :class:`~qa_tool.answerfile.read.Answer` (reading its body when needed)."""
    meta = answer.read_meta()
    topic = meta.get("topic") if isinstance(meta.get("topic"), str) else None
    return Assessment(
        answer.rel,
        answer.id,
        topic,
        answer.body_line,
        measure if measure is not None else measure_body(answer.body, unknown=policy.unknown_words),
        policy.target_for(topic),
        policy.formula,
        acknowledgement(meta),
    )


def over_target(answer: Any, policy: ReadabilityPolicy) -> Assessment | None:
    """The assessment when the answer reads above its target and no reviewer accepted it, else None.

    What the publish gate asks: an answer with a result here is not ready.
    """
    result = assess(answer, policy)
    return result if result.over_target else None


# --- A library's answers, measured through the cache ---------------------------------------


def _stored(measure: Measure) -> str:
    """A measure as the cache keeps it (and a report holds it until it is written)."""
    return json.dumps(measure.to_dict(), ensure_ascii=False, separators=(",", ":"))


def _revived(text: str) -> Measure:
    return Measure.from_dict(json.loads(text))


@dataclass
class ReadabilityReport:
    """What ``qa readability`` measured: one assessment per answer, and the files it could not.

    The assessments are held compact (each measure as the cache's text) and made one at a
    time by :meth:`assessments`: a report on 100,000 answers holds no measure objects.
    """

    policy: ReadabilityPolicy
    errors: list[dict[str, Any]] = field(default_factory=list)  # one per file not measured
    verdicts: dict[str, int] = field(default_factory=dict)  # how many answers have each
    texts: Spill | None = None  # where the measures' texts wait (None: in memory)
    _entries: list[tuple] = field(default_factory=list)

    def add(self, assessment: Assessment, stored: Handle) -> None:
        """Hold one assessment: its measure as ``stored``, the cache's text of it or that
        text's handle in ``texts``."""
        a = assessment
        self._entries.append((a.rel, a.id, a.topic, a.body_line, a.target, a.accepted, stored))
        self.verdicts[a.verdict] = self.verdicts.get(a.verdict, 0) + 1

    def sort(self) -> None:
        """Assessments in path order, errors too."""
        self._entries.sort(key=lambda e: e[0])
        self.errors.sort(key=lambda e: e["path"])

    @property
    def measured(self) -> int:
        return len(self._entries)

    @property
    def over_target(self) -> int:
        """How many answers read above their target, not accepted by a reviewer."""
        return self.verdicts.get(VERDICT_ABOVE, 0)

    def assessments(self) -> Iterator[Assessment]:
        """Every assessment, in order, made as it is asked for."""
        formula = self.policy.formula
        texts = self.texts
        for rel, id_, topic, body_line, target, accepted, kept in self._entries:
            stored = texts.get(kept) if texts is not None else kept
            yield Assessment(
                rel, id_, topic, body_line, _revived(stored), target, formula, accepted
            )

    def above_target(self) -> Iterator[Assessment]:
        return (a for a in self.assessments() if a.over_target)

    def to_dict(self, lazy: bool = False) -> dict[str, Any]:
        """The JSON shape; ``lazy``: ``answers`` is an iterator of the items (for a writer
        that streams them), not a list."""
        answers = (a.to_dict() for a in self.assessments())
        return {
            "version": 1,
            "formula": self.policy.formula,
            "target": self.policy.target,
            "targets_by_topic": dict(self.policy.by_topic),
            "smog_sample_sentences": SMOG_SAMPLE,
            "answers_measured": self.measured,
            "above_target": self.over_target,
            "verdicts": dict(self.verdicts),
            "answers": answers if lazy else list(answers),
            "errors": self.errors,
        }


def cache_kind(unknown: str = HYPHENATION) -> str:
    """The cache's name for readability results: changes with the measure, the way unknown
    words are counted, or the tool version."""
    from qa_tool import __version__

    return f"readability:{MEASURE_VERSION}:{unknown}:{__version__}"


class FreshMeasures:
    """The measures made while the library was read (:func:`measuring`), by path: each
    measure's text set aside in a :class:`~qa_tool.spill.Spill` (not held in memory while
    the rest of the library is read), or the error reading the file."""

    def __init__(self, config: Any):
        self.texts = Spill(config)
        self._made: dict[str, Any] = {}

    def take(self, rel: str, result: Any) -> None:
        if result is not None:
            self._made[rel] = self.texts.put(result) if isinstance(result, str) else result

    def __contains__(self, rel: object) -> bool:
        return rel in self._made

    def __bool__(self) -> bool:
        return bool(self._made)

    def pop(self, rel: str) -> tuple[Any, Handle | None]:
        """The measure's text and its handle in :attr:`texts`, or the error and None."""
        result = self._made.pop(rel)
        if isinstance(result, Exception):
            return result, None
        return self.texts.get(result), result


def measuring(config: Any, fresh: FreshMeasures) -> Any:
    """For ``load_library(also=measuring(config, fresh))``: each file read is measured in the
    worker that reads it, unless its text was measured before; ``fresh`` receives each
    measure's text or error (see :func:`iter_measures`)."""
    from qa_tool.cache import FILE_NAME, MeasureCache
    from qa_tool.library import AlsoDo

    unknown = config.readability.unknown_words
    known = MeasureCache(config.state_dir / FILE_NAME, cache_kind(unknown)).digests()
    return AlsoDo(_measured, (known, unknown), fresh.take, load_tables)


def load_tables() -> None:
    """The pronouncing dictionary and the hyphenation patterns, loaded once before workers
    are forked, so that they share one copy (some 30 MB) instead of each loading its own."""
    from qa_tool.hyphenation import _patterns
    from qa_tool.syllables import _dictionary

    _dictionary()
    _patterns()


def _measured(shared: tuple[set[str], str], answer: Any) -> Any:
    """The answer's measure as the cache's text, the error reading it, or None (its text was
    measured before)."""
    from qa_tool.errors import AnswerFileError

    known, unknown = shared
    if answer.digest in known:
        return None
    try:
        return _stored(measure_body(answer.body, unknown=unknown))
    except AnswerFileError as exc:
        return exc


def iter_measures(
    config: Any,
    answers: list[Any],
    workers: int | None = None,
    fresh: FreshMeasures | None = None,
    handles: bool = False,
) -> Iterator[tuple[Any, Any, Any]]:
    """``(answer, Measure or AnswerFileError, the measure as the cache's text)`` for each
    answer: those whose text (by digest) was measured before from the cache, first; then
    the others, as they come: from ``fresh`` (made while the library was read) or read
    and measured now (in workers); new ones are stored for next time, a batch at a time
    (:data:`~qa_tool.cache.MeasureCache.SAVE_EVERY`). With ``handles`` (and ``fresh``),
    the text of a measure made in this run comes as its handle in ``fresh.texts`` (set
    aside there), one from the cache as itself: either is what ``fresh.texts.get`` takes.

    One at a time, so that a caller that keeps only what it needs of each measure never
    holds them all.
    """
    from qa_tool.cache import FILE_NAME, MeasureCache

    unknown = config.readability.unknown_words
    cache = MeasureCache(config.state_dir / FILE_NAME, cache_kind(unknown))
    known = cache.get_many({a.digest for a in answers})
    todo = []
    for answer in answers:
        stored = known.get(answer.digest)
        measure = None
        if stored is not None:
            try:
                measure = _revived(stored)
            except (ValueError, KeyError, TypeError):
                measure = None
        if measure is None:
            todo.append(answer)
        else:
            yield answer, measure, stored
    del known
    storing = _Storing(config, cache)
    if fresh:
        made = [a for a in todo if a.rel in fresh]
        todo = [a for a in todo if a.rel not in fresh]
        for answer in made:
            result, handle = fresh.pop(answer.rel)
            if isinstance(result, str):
                storing.put(answer.digest, result)
                yield answer, _revived(result), handle if handles else result
            else:
                yield answer, result, None
    for answer, result in zip(todo, _measure_many(todo, workers, unknown), strict=True):
        if isinstance(result, Measure):
            stored = _stored(result)
            storing.put(answer.digest, stored)
            yield answer, result, fresh.texts.put(stored) if handles and fresh else stored
        else:
            yield answer, result, None
    storing.finish()


class _Storing:
    """New measures into the cache a batch at a time (:data:`MeasureCache.SAVE_EVERY
    <qa_tool.cache.MeasureCache.SAVE_EVERY>`), so that their texts do not wait in memory;
    none when ``.qa/`` cannot be made."""

    def __init__(self, config: Any, cache: Any):
        self.config = config
        self.cache = cache
        self.saving: bool | None = None  # known at the first measure

    def put(self, digest: str, stored: str) -> None:
        if self.saving is None:
            from qa_tool.config import ensure_state_dir

            try:
                ensure_state_dir(self.config)
                self.saving = True
            except OSError:
                self.saving = False
        if self.saving:
            self.cache.put(digest, stored)
            if self.cache.pending >= self.cache.SAVE_EVERY:
                self.cache.save()

    def finish(self) -> None:
        """Write what waits."""
        if self.saving:
            self.cache.save()


def measures_for(config: Any, answers: list[Any], workers: int | None = None) -> dict[str, Any]:
    """``{rel: Measure or AnswerFileError}`` for answers, from the cache where the text is known.

    Only answers whose text (by digest) was never measured are read and measured;
    the new measures are stored for next time.
    """
    return {answer.rel: result for answer, result, _ in iter_measures(config, answers, workers)}


def cached_grades(config: Any, answers: list[Any]) -> dict[str, float | None]:
    """``{rel: grade}`` of the answers measured before (by any command), nothing measured now:
    for listings, which must stay fast. An answer whose text was never measured is left out."""
    from qa_tool.cache import FILE_NAME, MeasureCache

    by_digest: dict[str, float | None] = {}
    cache = MeasureCache(config.state_dir / FILE_NAME, cache_kind(config.readability.unknown_words))
    for digest, stored in cache.each({a.digest for a in answers}):
        try:
            measure = _revived(stored)
        except (ValueError, KeyError, TypeError):
            continue
        by_digest[digest] = measure.total.grade(config.readability.formula)
    return {a.rel: by_digest[a.digest] for a in answers if a.digest in by_digest}


def _measure_chunk(unknown: str, answers: Any) -> list[Any]:
    """Measures (or the error reading the file) of answers, in a worker or here."""
    from qa_tool.errors import AnswerFileError

    out: list[Any] = []
    for answer in answers:
        try:
            out.append(measure_body(answer.body, unknown=unknown))
        except AnswerFileError as exc:
            out.append(exc)
    return out


def _measure_many(answers: list[Any], workers: int | None, unknown: str) -> Iterator[Any]:
    """Each answer's measure (or the error reading it), in order, as the workers give them."""
    from qa_tool.workers import PARALLEL_MIN_ITEMS, map_chunks

    if len(answers) >= PARALLEL_MIN_ITEMS:
        load_tables()
        # a summary travels as its file alone: the worker reads the body there
        answers = [_bare(a) if a.partial else a for a in answers]
    return map_chunks(_measure_chunk, answers, shared=unknown, workers=workers)


def _bare(answer: Any) -> Any:
    """An answer that only knows its file (and its size limit), to read its body from."""
    from qa_tool.answerfile.read import Answer

    return Answer(
        answer.path_text, answer.rel, {}, None, answer.body_line, max_bytes=answer.max_bytes
    )


def measure_library(
    config: Any, paths: list[str] | None = None, workers: int | None = None
) -> ReadabilityReport:
    """Every answer at ``paths`` (default: the library) against its target grade."""
    from qa_tool.library import load_library, relative

    def error(exc: Any) -> dict[str, Any]:
        rel = relative(config, exc.path)
        return {"path": rel, "line": exc.line, "rule": exc.rule, "message": exc.message}

    fresh = FreshMeasures(config)
    also = measuring(config, fresh)
    loaded = load_library(config, paths, summary=True, workers=workers, also=also)
    report = ReadabilityReport(
        config.readability, errors=[error(e) for e in loaded.failures], texts=fresh.texts
    )
    measured = iter_measures(config, loaded.answers, workers, fresh, handles=True)
    for answer, result, stored in measured:
        if isinstance(result, Measure) and stored is not None:
            report.add(assess(answer, config.readability, result), stored)
        else:
            report.errors.append(error(result))
    report.sort()
    return report
