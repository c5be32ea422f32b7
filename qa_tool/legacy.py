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

Every number that could be a citation is decided by :mod:`qa_tool.evidence` on the
evidence of the whole text; what the text leaves uncertain (a number that may be a
citation, a date that may be day-first, a question with no question mark, a guessed
topic) is recorded as a :class:`~qa_tool.doubts.Doubt` with its line, never decided
silently.

Names in a References list keep their initials (``{family: Chiu, given: HY}``); an
"et al." that ends the list of authors is kept as a last author ``{literal: et al.}``,
which Pandoc's citeproc and ``qa export`` print as written ("Chiu HY, Lee K, et al.").
"""

from __future__ import annotations

import codecs
import datetime
import functools
import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qa_tool import evidence
from qa_tool.config import topic_key
from qa_tool.dates import MONTH_NUMBERS
from qa_tool.doubts import CONFIDENCE, QUESTION, REFERENCE, REVIEW_DATE, TOPIC, Doubt, snippet
from qa_tool.errors import LegacyFormatError, shorten
from qa_tool.evidence import NUMBER_TAKING_WORDS, Paragraph
from qa_tool.model import Confidence, SectionTitle
from qa_tool.references.formats import is_group_name

__all__ = [
    "NO_FOOTER_TOPIC",
    "NUMBER_TAKING_WORDS",
    "LegacyAnswer",
    "decode_legacy",
    "parse_legacy",
]

NO_FOOTER_TOPIC = "topic not found in footer"
"""The warning for a text without the standard footer (``qa convert`` words its own)."""


_MAX_QUESTION_LENGTH = 300
_MAX_QUESTION_LINES = 4
_MAX_LINES_BEFORE_QUESTION = 3
_MAX_MENU_LINES = 30
_MAX_MENU_ITEM = 40
"""A page's navigation menu before its question: up to this many lines, none longer."""
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

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LINE_SEPARATORS = ("\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WHITESPACE_RUN_RE = re.compile(r"\s+")
# Invisible characters of CMS and word-processor exports that never carry meaning in
# running text: zero-width space, word joiner, a BOM after the start, soft hyphen,
# invisible operators, bidi embeddings, overrides and isolates. (No-break, narrow and
# thin spaces stay: every rule reads them as spaces, and "30\u00a0minutes" is meant.)
_INVISIBLE = {
    **dict.fromkeys(map(ord, "\u00ad\u180e\u200b\ufeff"), None),
    **dict.fromkeys(range(0x2060, 0x2065), None),
    **dict.fromkeys(range(0x202A, 0x202F), None),
    **dict.fromkeys(range(0x2066, 0x206A), None),
}
# Joiners and direction marks matter inside a word of the scripts that use them
# (Persian and Indic spelling, emoji sequences, right-to-left names): kept between two
# such characters, dropped elsewhere (next to a space, punctuation, ASCII or a line's
# edge), where they only stop a line being recognised.
_MARK_RUN_RE = re.compile(r"[\u200c-\u200f\u061c]+")
_MARKS = frozenset("\u200c\u200d\u200e\u200f\u061c")

# --- footer, chrome, headings ---------------------------------------------------------

_FOOTER_RE = re.compile(
    r"This\s+question\s+is\s+drawn\s+from\s+(?:common\s+)?patient\s+questions\s+about\s+"
    r"(?P<topic>[^.?!]{1,100}?)\s+and\s+answered(?:[^.\n]|\n(?![ \t]*\n)){0,200}\.?"
    r"(?:\s*We\s+do\s+not\s+provide\s+individuali[sz]ed\s+(?:medical\s+)?advice\.?)?"
    r"(?P<rest>[^\n]*)",
    re.IGNORECASE,
)
_DISCLAIMER_LINE_RE = re.compile(
    r"^[ \t]*We\s+do\s+not\s+provide\s+individuali[sz]ed\s+(?:medical\s+)?advice\.?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
# fmt: off
_CHROME_PHRASES = frozenset((
    # display and account controls
    "mode", "dark mode", "light mode", "text size", "font size", "a a a", "a- a a+", "aa",
    "log in", "login", "sign in", "sign up", "register", "log out", "sign out", "my account",
    "listen", "read aloud", "translate", "language", "english",
    # page actions and navigation
    "share", "share this", "share this page", "share this article", "print", "print this page",
    "print page", "print this article", "email", "email this page", "send to a friend",
    "copy link", "link copied", "facebook", "twitter", "x", "linkedin", "whatsapp", "pinterest",
    "share on facebook", "share on twitter", "share on x", "share on linkedin", "tweet",
    "back to top", "top", "top of page", "return to top", "scroll to top", "go to top",
    "skip to content", "skip to main content", "skip navigation", "menu", "main menu",
    "search", "search this site", "home", "close", "next", "previous", "back", "contents",
    "on this page", "table of contents", "in this article", "bookmark", "save", "saved",
    "download", "download pdf", "pdf", "advertisement", "sponsored", "related",
    "related articles", "related questions", "related pages", "see also", "more from us",
    "was this page helpful", "was this helpful", "was this article helpful",
    "did you find this helpful", "is this page useful", "feedback",
    "read more", "show more", "read less", "show less", "continue reading", "expand", "collapse",
    "give feedback", "rate this page", "helpful", "not helpful",
    "like this", "like", "loading", "like loading", "share this post", "share via",
    "your privacy", "privacy settings", "manage preferences", "manage choices",
    "manage options", "manage consent", "more options",
    # cookie banner buttons and site footer links
    "accept", "accept all", "accept cookies", "reject", "reject all", "decline", "ok",
    "got it", "i agree", "agree", "allow all", "allow cookies", "necessary only",
    "essential only", "cookie settings", "manage cookies", "cookie preferences", "cookies",
    "privacy", "privacy policy", "terms", "terms of use", "terms and conditions",
    "contact", "contact us", "about", "about us", "accessibility", "sitemap", "site map",
))
# fmt: on
_RELATED_HEADINGS = frozenset(
    (
        "related",
        "related articles",
        "related questions",
        "related pages",
        "related answers",
        "related topics",
        "see also",
        "more from us",
        "popular questions",
        "you may also like",
        "you might also like",
        "read next",
        "more questions",
        "other questions",
        "further reading",
        "useful links",
        "useful resources",
        "more information",
        "find out more",
    )
)
_MORE_QUESTIONS = frozenset(("more questions", "other questions"))
"""Related headings that, inside "What to ask your doctor", head more questions to ask."""
_ANY_EMPHASIS_RE = re.compile(r"\*{1,3}|(?<!\w)_{1,3}|_{1,3}(?!\w)")
_CHROME_ANSWERS = frozenset(("yes", "no", "ok"))
"""Chrome only beside other chrome ("Yes | No" under "Was this page helpful?")."""
_CHROME_BUTTONS = frozenset(("a", "a-", "a+", "aa", "aaa", "+", "-", "–"))
"""Size buttons and toggles: chrome only after a chrome phrase ("Text size A A A")."""
_FEEDBACK_RE = re.compile(r"\b(?:helpful|useful)\b")
_FEEDBACK_BUTTONS = frozenset(
    ("yes", "no", "yes no", "yes / no", "yes | no", "thumbs up", "thumbs down")
)
_CHROME_ICONS_RE = re.compile(r"[↑↓←→▲▼△▽⬆⬇✕✖×☰⋮…]+")
_BREADCRUMB_SPLIT_RE = re.compile(r"\s+(?:>|/|\\|::|\|)\s+|\s*[›»→]\s*|\s*>\s*(?=[A-Za-z])")
_BREADCRUMB_START = frozenset(("home", "homepage", "start", "main", "index", "you are here"))
_MAX_BREADCRUMB_PIECE = 60
_MAX_BREADCRUMB_WORDS = 6
_COPYRIGHT_RE = re.compile(r"^(?:©|\(c\)|copyright\b)(?P<rest>.{0,120})$", re.IGNORECASE)
_RIGHTS_RESERVED_RE = re.compile(r"^all\s+rights\s+reserved\.?$", re.IGNORECASE)
_NOTICE_WORDS = frozenset(
    ("all", "rights", "reserved", "copyright", "by", "the", "of", "and", "for", "in", "at", "de")
)
"""Lowercase words a copyright notice has besides its years and owner's name."""
# What makes a line content, never chrome: a citation ("[2]", "[@2]", "²", "<sup>", a
# bare number before the last stop), or a number with a unit ("64%", "22.5 g", "2 weeks").
_CITATION_MARK_RE = re.compile(
    r"\[@?[0-9]{1,3}(?:[,;\s–-]+@?[0-9]{1,3})*\]|[¹²³⁴⁵⁶⁷⁸⁹⁰]|<sup>|\^[0-9]+\^"
    r"|\s[0-9]{1,3}\s?[.;]$"
)
_UNIT_NUMBER_RE = re.compile(
    r"[0-9](?:[.,][0-9]+)?\s?(?:%|(?:mg|mcg|µg|g|kg|ml|l|iu|mmhg|mmol|units?|kcal|cm|mm"
    r"|years?|months?|weeks?|days?|hours?|minutes?|times|people|adults|children)\b)",
    re.IGNORECASE,
)
_HTML_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]{0,10})\b[^<>]{0,400}?(/?)>|<!--.{0,400}?-->")
_HREF_RE = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_LI_NUMBERED_RE = re.compile(r"^( *)(?:- |[0-9]{1,4}\. )(?=\s*(?:\[?[0-9]{1,3}[.)\]]|[-*•]\s))")
_LIST_NUMBER_RE = re.compile(r"""\b(?:start|value)\s*=\s*["']?\s*([0-9]{1,4})\b""", re.IGNORECASE)
_BLOCK_TAGS = frozenset(
    [
        "p",
        "br",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "td",
        "th",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "blockquote",
        "hr",
        "dl",
        "dt",
        "dd",
        "main",
        "aside",
        "figure",
        "figcaption",
    ]
)
_CHROME_SEPARATOR_RE = re.compile(r"\s*(?:[|/·•]|:(?=\s|$))\s*")
_CHROME_COUNT_RE = re.compile(r"\(\s*[0-9]{1,6}\s*\)|(?<=\w)[?!.,;…]+(?=\s|$)")
"""Vote counts ("Yes (12) No (3)") and the stops after words, left out when matching."""
_COOKIE_LINE_RE = re.compile(
    r"^(?:we\s+use\s+cookies|this\s+(?:web)?site\s+uses\s+cookies|"
    r"by\s+(?:continuing|using)\b.*\bcookies\b|cookie\s+(?:policy|notice|settings)\b"
    r"|we\s+and\s+our\s+(?:[0-9]+\s+)?(?:partners|vendors)\s+(?:store|use|process))",
    re.IGNORECASE,
)
_HEADING_MARKUP_RE = re.compile(r"^#{1,6}(?:\s+|$)|\s+#+$")
_EMPHASIS_RE = re.compile(r"^[*_]{1,3}|[*_]{1,3}$")
_HEADING_KINDS = {
    SectionTitle.research.casefold(): _RESEARCH,
    "what does the research say": _RESEARCH,
    "what research says": _RESEARCH,
    SectionTitle.doctor.casefold(): _DOCTOR,
    "what the research shows": _RESEARCH,
    "what does the research show": _RESEARCH,
    "what the evidence says": _RESEARCH,
    "what does the evidence say": _RESEARCH,
    "what the studies say": _RESEARCH,
    "what studies say": _RESEARCH,
    "what the science says": _RESEARCH,
    "the research": _RESEARCH,
    "the evidence": _RESEARCH,
    "research": _RESEARCH,
    "evidence": _RESEARCH,
    "what to ask your doctor or nurse": _DOCTOR,
    "what to ask your healthcare provider": _DOCTOR,
    "what to ask your care team": _DOCTOR,
    "what you can ask your doctor": _DOCTOR,
    "questions to ask your doctor": _DOCTOR,
    "questions for your doctor": _DOCTOR,
    "questions to ask your healthcare provider": _DOCTOR,
    "questions for your healthcare team": _DOCTOR,
    "questions to ask": _DOCTOR,
    "ask your doctor": _DOCTOR,
    "what to ask your gp": _DOCTOR,
    "questions to ask your gp": _DOCTOR,
    "questions for your gp": _DOCTOR,
    "ask your gp": _DOCTOR,
    "what to ask your pharmacist": _DOCTOR,
    "what to ask your nurse": _DOCTOR,
    "what to ask your midwife": _DOCTOR,
    "questions to ask your pharmacist": _DOCTOR,
    "questions to ask your nurse": _DOCTOR,
    "questions to ask your midwife": _DOCTOR,
    "what to ask your healthcare professional": _DOCTOR,
    "questions to ask your healthcare professional": _DOCTOR,
    "things to ask your doctor": _DOCTOR,
    "talking to your doctor": _DOCTOR,
    "talking with your doctor": _DOCTOR,
    "references": _REFERENCES,
    "reference": _REFERENCES,
    "reference list": _REFERENCES,
    "key references": _REFERENCES,
    "studies cited": _REFERENCES,
    "research cited": _REFERENCES,
    "sources and references": _REFERENCES,
    "references and further reading": _REFERENCES,
    "sources and further reading": _REFERENCES,
    "sources": _REFERENCES,
    "citations": _REFERENCES,
    "cited research": _REFERENCES,
    "works cited": _REFERENCES,
    "bibliography": _REFERENCES,
}
_SUMMARY_LABELS = frozenset(
    {"summary", "in short", "short answer", "the short answer", "answer", "overview", "in brief"}
)
_QUESTION_PREFIX_RE = re.compile(
    r"^(?:q|question|patient\s+question|title)\s*[:.]\s*", re.IGNORECASE
)
_QUESTION_WORDS = frozenset(
    [
        "what",
        "how",
        "why",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "is",
        "are",
        "was",
        "were",
        "can",
        "could",
        "should",
        "would",
        "will",
        "do",
        "does",
        "did",
        "may",
        "might",
        "must",
        "has",
        "have",
        "had",
        "am",
    ]
)
_SENTENCE_END_CHARS = (".", "!", "?")

# --- confidence and review line -------------------------------------------------------

_META_SEPARATOR_RE = re.compile(
    r"\s*[·•|;\u2219\u22c5]\s*|\s+[-–—]+\s+|\s*,\s+(?=[A-Za-z]+(?:\s+[A-Za-z]+)?\s*:)"
    r"|(?<=[a-z])(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bProf)\.\s+(?=[A-Z])"
)
_CONFIDENCE_PART_RES = (
    re.compile(
        r"^(?P<word>[a-z]+(?:(?:[ -]|\s*[–—/]\s*|\s+to\s+)[a-z]+){0,2})\s+"
        r"(?:confidence|certainty)(?:\s+(?:of\s+(?:the\s+)?)?evidence)?\.?$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:confidence|certainty)(?:\s+(?:level|of\s+(?:the\s+)?evidence))?\s*[:\-]?\s*"
        r"(?P<word>[a-z]+(?:[ -][a-z]+)?)\.?$",
        re.IGNORECASE,
    ),
    # A label and a colon, then any value: "Certainty of evidence: ⊕⊕⊕◯ Moderate",
    # "Evidence: very low certainty", "Our confidence: high, but only 2 small trials".
    re.compile(
        r"^(?:(?:our|overall)\s+)?(?:(?:confidence|certainty)(?:\s+(?:level|rating"
        r"|of\s+(?:the\s+)?evidence))?|(?:strength|quality|level)\s+of\s+(?:the\s+)?evidence"
        r"|evidence(?:\s+(?:level|quality|rating|grade|certainty))?|grade(?:\s+(?:level|rating))?)"
        r"\s*:\s*(?P<word>.{1,80}?)\.?$",
        re.IGNORECASE,
    ),
)
_META_LABEL_RE = re.compile(
    r"^(?:(?:our|overall)\s+)?(?:confidence|certainty)(?:\s+(?:level|rating"
    r"|of\s+(?:the\s+)?evidence))?\s*:?$|^(?:(?:page|content)\s+)?(?:last\s+)?reviewed"
    r"(?:\s+on)?\s*:?$",
    re.IGNORECASE,
)
"""A label whose value a spaced dash cut off: "Confidence level — Low (GRADE)"."""
_GRADE_LEVEL_RE = re.compile(r"\bvery[\s_-]*low\b|\bhigh\b|\bmoderate\b|\blow\b", re.IGNORECASE)
_GRADE_SYMBOLS = {
    4: Confidence.high,
    3: Confidence.moderate,
    2: Confidence.low,
    1: Confidence.very_low,
}
"""GRADE's ⊕ count: ⊕⊕⊕⊕ high ... ⊕◯◯◯ very low."""
_CONFIDENCE_NOISE_RE = re.compile(r"\(?\bGRADE\b\)?|\b(?:confidence|certainty)\b|[⊕◯○⊖]", re.I)
_LEVEL_WORDS = frozenset(("to", "medium", *(w for level in Confidence for w in level.split("-"))))
_LEVEL_LIKE_WORDS = frozenset(
    [
        "verylow",
        "medium",
        "moderate-high",
        "moderate-low",
        "very-high",
        "limited",
        "strong",
        "weak",
        "insufficient",
        "unclear",
        "uncertain",
        "good",
        "fair",
        "poor",
    ]
)
_REVIEWED_PART_RE = re.compile(
    r"^(?:(?:page|content|article|information|this\s+page\s+was)\s+)?"
    r"(?:(?:last|medically|clinically|expert)\s+)?(?:reviewed|review\s+date|date\s+reviewed"
    r"|date\s+of\s+(?:last\s+)?review|last\s+review(?:ed)?\s+(?:date|on))(?!\s+by\b)"
    r"(?:\s+(?:on|in))?\s*:?\s*(?P<date>[^0-9]{0,20}[0-9].{0,40}?)\.?$",
    re.IGNORECASE,
)
_UPDATED_PART_RE = re.compile(
    r"^(?:(?:page\s+)?last\s+(?:updated|modified|edited|changed)(?:\s+on)?\s*:?"
    r"|(?:updated|modified|published|posted|date\s+published|first\s+published)\s*(?:on\s*)?:)\s*"
    r"(?P<date>[^0-9]{0,20}[0-9].{0,40}?)\.?$",
    re.IGNORECASE,
)
# Every confidence, review, update or topic part has one of these words: a cheap first test.
_REVIEW_WORDS_RE = re.compile(
    r"confiden|certaint|review|updat|modif|edited|changed|publish|posted|topic|categor"
    r"|subject|section|special|evidence|grade",
    re.IGNORECASE,
)
_REVIEWER_PART_RE = re.compile(
    r"^(?:(?:medically|clinically|expert)\s+)?(?:reviewed\s+by|(?:medical\s+)?reviewer)\s*:?"
    r"\s*(?P<who>.{1,100})$",
    re.IGNORECASE,
)
_AUTHOR_PART_RE = re.compile(r"^(?:author|written\s+by|by)\s*:?\s+(?P<who>[A-Z].{0,99})$", re.I)
_NEXT_REVIEW_PART_RE = re.compile(
    r"^(?:next\s+review(?:\s+(?:due|date))?|review\s+due|due\s+for\s+review)\b.{0,50}$", re.I
)
_READING_TIME_RE = re.compile(r"^[0-9]{1,3}\s*-?\s*min(?:ute)?s?\s+read$", re.IGNORECASE)
_MAX_UNREAD_META_PART = 60
_MAX_UNREAD_META_WORDS = 5
_DATE_TIMESTAMP_RE = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
_TOPIC_PART_RE = re.compile(
    r"^(?:topic|category|subject|section|specialty|speciality)\s*:\s*(?P<topic>[^:]{1,60})$",
    re.IGNORECASE,
)

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
_DATE_DAY_MONTH_NAME_RE = re.compile(
    rf"^{_WEEKDAY}([0-9]{{1,2}}){_ORDINAL}[-/.\s]([a-z]+)\.?[-/.,\s]+([0-9]{{4}})$", re.IGNORECASE
)
_DATE_MONTH_YEAR_RE = re.compile(
    r"^([a-z]+)\.?,?\s+([0-9]{4})$|^([0-9]{4})-([0-9]{1,2})$", re.IGNORECASE
)

# --- lists and paragraphs -------------------------------------------------------------

_BULLET_RE = re.compile(
    r"^\s*(?:[-*+–—·]\s+|[•◦▪‣●○■□➢➤►▸✓✔☐☑❖◆◇⁃∙→⇒]\s*|[§Ø]\s+(?=[A-Z])|\(?[0-9]{1,3}[.)]\s+|\(?[a-z][.)]\s+"
    r"|\(?(?:ii?i?|iv|vi{0,3}|ix|x)[.)]\s+|o\s+(?=[A-Z])|Q[0-9]{1,2}[.:)]\s*)(?P<text>.*)$"
)
_UNORDERED_BULLET_RE = re.compile(r"^\s*(?:[*+–—·]\s+|[•◦▪‣●○■□➢➤►▸✓✔☐☑❖◆◇⁃∙→⇒]\s*)(?=\S)")
_SENTENCE_END_RE = re.compile(r"(?:[.!?:;]|\[@[^\]]*\]|\[[0-9,\s–-]+\])[\"'”’)\]]*$")
_MAX_WRAPPED_LINE = 100

# --- references -----------------------------------------------------------------------

_REFERENCE_ENTRY_RE = re.compile(
    r"^\s*(?:\[\^?(?P<bracketed>[0-9]{1,3})\]:?|(?P<dotted>[0-9]{1,3})[.)]|(?P<bare>[0-9]{1,3})(?=\s)"
    r"|(?P<superscript>[¹²³⁰⁴-⁹]{1,3})(?=\s?[A-Z]))"
    r"\s*(?P<text>.*)$"  # "[^1]: ..." is a Markdown footnote's definition
)
# DOI, PMID, or the "2013;10(7):400" year;volume(issue):page run of a journal citation.
_REFERENCE_LIKE_RE = re.compile(
    r"\bdoi\s*:|doi\.org/|\bPMID\b|\b(?:19|20)[0-9]{2}(?:\s[A-Z][a-z]{2,8}(?:\s[0-9]{1,2})?)?"
    r";\s?(?:[0-9]+(?:\([^)]{1,20}\))?|\([^)]{1,20}\)):\s?[A-Za-z]{0,3}[0-9]",
    re.IGNORECASE,
)
_DOI_RE = re.compile(
    r"(?:\bdoi\s*:?\s*|https?://(?:dx\.)?doi\.org/)(?P<doi>10\.[0-9]{4,9}/[^\s\"<>\[\]]+)",
    re.IGNORECASE,
)
_PMID_RE = re.compile(r"\bPMID\s*:?\s*(?P<pmid>[1-9][0-9]{0,8})\b", re.IGNORECASE)
_PMCID_RE = re.compile(r"\bPMCID\s*:?\s*(?P<pmcid>PMC[0-9]+)\b", re.IGNORECASE)
_URL_RE = re.compile(r"https?://[^\s\"<>\[\]]+")
_IDENTIFIER_TAIL_RE = re.compile(
    r"\s*(?:(?:Available\s+(?:from|at)\s*:?\s*)?https?://\S+|doi\s*:?\s*10\.\S+|"
    r"PMID\s*:?\s*[0-9]+|PMCID\s*:?\s*PMC[0-9]+)\.?",
    re.IGNORECASE,
)
_YEAR = r"(?:1[89]|20)[0-9]{2}"
_PAGE = r"[A-Za-z0-9]+(?:[-–][A-Za-z0-9]+)?(?:\.e[0-9]{1,4}(?:[-–]e[0-9]{1,4})?)?"
"""Pages as printed: "400-410", "e1234", "CD004366", "67-75.e5" (an online supplement)."""
_VANCOUVER_RE = re.compile(
    rf"^(?P<head>.+?)\.\s+(?P<year>{_YEAR})"
    r"(?:\s+(?P<month>[A-Z][a-z]{2,8})(?:\s+(?P<day>[0-9]{1,2}))?)?"
    r"(?:\s*;\s*(?P<volume>[0-9A-Za-z]+)?(?:\s+(?P<supplement>Suppl\.?(?:\s?[0-9A-Za-z]{1,4})?))?"
    r"(?:\s*\((?P<issue>[^)]{1,20})\))?"
    rf"(?::\s*(?P<page>{_PAGE}))?)?(?=\s*[.;:]|\s*$)"
)
_APA_RE = re.compile(
    rf"^(?P<authors>.+?)\s\((?P<year>{_YEAR})[a-z]?(?:,[^)]*)?\)\.\s+(?P<rest>.+)$"
)
# "Journal, 10(7), 400-410." and, with no volume, "Cochrane Database ..., (9), CD004366."
_APA_SOURCE_RE = re.compile(
    r"^(?P<container>[^,.]+?),\s*(?:(?P<volume>[0-9]+)\s*)?(?:\((?P<issue>[^)]{1,20})\))?"
    rf"(?:,\s*(?P<page>{_PAGE}))?(?=\s*[.;]|\s*$)"
)
# Harvard: "Trauer, J.M. and Lee, K. (2015) 'Title', Journal, 163(3), pp. 191-204."
_HARVARD_RE = re.compile(
    rf"^(?P<authors>.+?)\s\((?P<year>{_YEAR})[a-z]?\)\.?\s+[‘'\"“](?P<title>.+?)[’'\"”],?\s+"
    r"(?P<container>[^,]+?),\s*(?:(?:vol\.\s*)?(?P<volume>[0-9]+)\s*)?(?:\((?P<issue>[^)]{1,20})\))?"
    rf"(?:,\s*(?:pp?\.\s*)?(?P<page>{_PAGE}))?(?=\s*[.;]|\s*$)"
)
_SEGMENT_SPLIT_RE = re.compile(r"(?<=[.?!])\s+(?=\S)")
_VANCOUVER_AUTHOR_RE = re.compile(
    r"^(?P<family>(?:[a-z]{1,3}\s)*[A-Z][\w'’\-]*(?:\s(?:[a-z]{1,3}\s)*[A-Z][\w'’\-]*)*)"
    r"\s(?P<given>[A-Z]{1,4})"
    r"(?:\s(?P<suffix>Jr|Sr|II|III|IV|2nd|3rd)\.?)?$"
)
_ET_AL_RE = re.compile(r"^(?:&\s*|and\s+)?et\.?\s+al\.?$", re.IGNORECASE)
ET_AL = {"literal": "et al."}
"""How an "et al." ending a list of authors is kept: a name printed as written."""
_WORD_RE = re.compile(r"\w+")
_APA_AUTHOR_RE = re.compile(
    r"^(?P<family>(?:[a-z]{1,3}\s)*[A-Z][\w'’\-]*(?:\s[A-Z][\w'’\-]*)*),\s*"
    r"(?P<given>(?:[A-Z][a-z]?\.(?:[\s-]?[A-Z][a-z]?\.)*))$"
)


@dataclass
class LegacyAnswer:
    """One legacy answer, split into the parts the content model stores.

    ``summary`` and ``research`` already carry Pandoc citations (``[@1]``, ``[@2; @5]``);
    ``references`` holds one CSL item per cited number, in order of first citation,
    then any listed but uncited ones. ``warnings`` says what a person should check, each
    message once; ``doubts`` are the decisions the text leaves uncertain, each naming the
    line of the legacy text and which way it went (stored with the converted answer).
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
    doubts: list[Doubt] = field(default_factory=list)

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


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``data`` names, or None.

    >>> bom_encoding("x".encode("utf-16"))
    'utf-16'
    """
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def decode_legacy(data: bytes, source: str = "<stdin>", notes: list[str] | None = None) -> str:
    """Turn the bytes of a legacy text into ``str`` with ``\\n`` line ends.

    Legacy archives mix encodings, so the order is: the byte-order mark when there is
    one (UTF-32, UTF-8 or UTF-16, either byte order); UTF-16 without a mark when every
    other byte is NUL (a text export from Windows); then by content: UTF-8, Windows-1252
    (curly quotes and dashes of old Windows exports), and Latin-1, which accepts any
    byte. A UTF-8 text with a few bytes that are not UTF-8 (Word text pasted into a
    UTF-8 page) is read as UTF-8 but for those bytes, read as Windows-1252, and the
    lines they are on are named in ``notes``. Binary data (NUL bytes, or mostly control
    characters) raises :class:`LegacyFormatError` naming ``source``.

    >>> decode_legacy(b"\\x93Hello\\x94 \\x96 world\\r\\n")
    '“Hello” – world\\n'
    >>> decode_legacy("Is it safe?\\r\\n".encode("utf-16-le"))
    'Is it safe?\\n'
    """
    data = bytes(data)
    encoding = bom_encoding(data)
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            name = encoding.removesuffix("-sig").upper()
            raise LegacyFormatError(
                f"{source}: starts with a {name} byte-order mark but is not valid {name}"
            ) from error
        return _normalise_text(text, source)
    if b"\x00" in data:
        utf16 = _bomless_utf16(data)
        if utf16 is None:
            raise LegacyFormatError(f"{source}: looks binary (contains NUL bytes), not a text")
        try:
            return _normalise_text(data.decode(utf16), source)
        except UnicodeDecodeError:
            raise LegacyFormatError(
                f"{source}: looks binary (contains NUL bytes), not a text"
            ) from None
    mixed = data.decode("utf-8", "surrogateescape")
    if _ESCAPED_BYTE_RE.search(mixed) is None:
        return _normalise_text(mixed, source)
    if _ESCAPED_BYTE_RE.sub("", mixed).isascii():  # no UTF-8 anywhere: one old encoding
        try:
            return _normalise_text(data.decode("cp1252"), source)
        except UnicodeDecodeError:
            return _normalise_text(data.decode("latin-1"), source)
    lines: list[int] = []
    line, counted = 1, 0
    for match in _ESCAPED_BYTE_RE.finditer(mixed):
        line += mixed.count("\n", counted, match.start())
        counted = match.start()
        if not lines or lines[-1] != line:
            lines.append(line)
    if notes is not None:
        shown = ", ".join(map(str, lines[:10])) + (", ..." if len(lines) > 10 else "")
        notes.append(
            f"line{'s' if len(lines) > 1 else ''} {shown}: bytes that are not UTF-8 in a "
            "UTF-8 text, read as Windows-1252"
        )
    return _normalise_text(_ESCAPED_BYTE_RE.sub(_windows_1252, mixed), source)


_ESCAPED_BYTE_RE = re.compile("[\udc80-\udcff]+")
"""Bytes that are not UTF-8, as ``surrogateescape`` keeps them."""


def _windows_1252(match: re.Match[str]) -> str:
    """The escaped bytes of ``match`` read as Windows-1252 (its five gaps as Latin-1)."""
    raw = bytes(ord(c) - 0xDC00 for c in match[0])
    return "".join(
        chr(byte) if byte in _CP1252_GAPS else bytes((byte,)).decode("cp1252") for byte in raw
    )


_CP1252_GAPS = frozenset(b"\x81\x8d\x8f\x90\x9d")


def _bomless_utf16(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when the NUL bytes are the high bytes of Latin text, else None."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= len(odd) * 0.9 and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= len(even) * 0.9 and odd.count(0) == 0:
        return "utf-16-be"
    return None


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
    return visible(_CONTROL_RE.sub("", text) if control_count else text)


def visible(text: str) -> str:
    """``text`` with its invisible characters normalised, so that lines are recognised.

    Zero-width spaces, word joiners, BOMs, soft hyphens and bidi controls go; joiners
    and direction marks stay only inside a word of a script that uses them. Applied to
    the decoded text and again to what HTML entities decode to.

    >>> visible("\u200bLow confidence\u200e \u2014 last re\u00adviewed\u2060")
    'Low confidence \u2014 last reviewed'
    >>> visible("\u0645\u06cc\u200c\u062e\u0648\u0627\u0645 ")  # ZWNJ spells the word
    '\u0645\u06cc\u200c\u062e\u0648\u0627\u0645 '
    """
    text = text.translate(_INVISIBLE)
    if not _MARKS.isdisjoint(text):
        text = _MARK_RUN_RE.sub(_mark_in_word, text)
    return text


def _mark_in_word(match: re.Match[str]) -> str:
    """A run of joiners or direction marks: kept inside a word of a non-Latin script."""
    text, start, end = match.string, match.start(), match.end()
    if start == 0 or end == len(text):
        return ""
    before, after = text[start - 1], text[end]
    if not (before.isalnum() or before > "\x7f") or not (after.isalnum() or after > "\x7f"):
        return ""
    if before.isspace() or after.isspace() or (before.isascii() and after.isascii()):
        return ""
    return match[0]


# --- parsing --------------------------------------------------------------------------

_Line = tuple[int, str]
"""A line of the legacy text: its 1-based number and its text."""


def parse_legacy(
    data: bytes | str, source: str = "<stdin>", today: datetime.date | None = None
) -> LegacyAnswer:
    """Parse one legacy text (bytes in any of its encodings, or decoded text).

    ``today`` is the day of the conversion: a review date after it is a doubt.

    Raises :class:`LegacyFormatError`, with a message that starts with ``source``, when
    the input is not an answer: empty, binary, no question, or neither "What the
    research says" nor "What to ask your doctor".

    >>> answer = parse_legacy("Is it safe?\\nMostly.\\nWhat to ask your doctor\\n- Is it?\\n")
    >>> answer.question, answer.summary, answer.doctor_questions
    ('Is it safe?', 'Mostly.', ['Is it?'])
    """
    warnings: list[str] = []
    if isinstance(data, str):
        text = _normalise_text(data, source)
    else:
        text = decode_legacy(data, source, warnings)
    if not text.strip():
        raise LegacyFormatError(f"{source}: empty input, no legacy answer to convert")

    doubts: list[Doubt] = []
    text = _without_site_front_matter(text, source, warnings)
    text, footer = _remove_footer(text)
    lines = _after_footer(_clean_lines(text, warnings, doubts), footer, warnings)
    lines = _inline_link_definitions(lines)
    lines, facts = _extract_review_lines(lines, warnings, doubts, today)
    preamble, sections = _split_sections(lines, warnings)
    if _RESEARCH not in sections and _DOCTOR not in sections:
        raise LegacyFormatError(
            f"{source}: not a legacy answer: no '{SectionTitle.research}' or "
            f"'{SectionTitle.doctor}' section"
        )
    question, summary_lines = _take_question(preamble, source, warnings, doubts)
    _second_question(question, preamble, summary_lines, doubts)
    topic = _topic(footer.topics, facts.topics, warnings, doubts)

    found = _read_reference_list(sections.get(_REFERENCES) or [], warnings)
    listed = _reference_items(found.numbered, found.lines, warnings, doubts) or None
    summary_paragraphs, research = evidence.decide_citations(
        [_paragraphs(summary_lines, warnings), _paragraphs(sections.get(_RESEARCH, []), warnings)],
        frozenset(listed) if listed else None,
        doubts,
    )
    if not summary_paragraphs:
        warnings.append("no summary before the first section")
    if _RESEARCH not in sections:
        warnings.append(f"no '{SectionTitle.research}' section")
    if _DOCTOR not in sections:
        warnings.append(f"no '{SectionTitle.doctor}' section")
    doctor_questions = _doctor_questions(sections.get(_DOCTOR, []), warnings, doubts)

    citations = evidence.cited_in_order([*summary_paragraphs, *research])
    listed, kept_apart = _place_loose(found, listed, citations, warnings, doubts)
    references = [*_references(citations, listed, warnings), *kept_apart]
    _uncited_doubts(citations, listed, found.lines, doubts)
    doubts.sort(key=lambda doubt: doubt.line)
    return LegacyAnswer(
        question=question,
        summary="\n\n".join(map(_escape_plain, summary_paragraphs)),
        research=[_escape_plain(paragraph) for paragraph in research],
        doctor_questions=[_escape_plain(question) for question in doctor_questions],
        confidence=facts.confidence,
        last_reviewed=facts.last_reviewed,
        topic=topic,
        references=references,
        warnings=list(dict.fromkeys(warnings)),
        citations=citations,
        doubts=list(dict.fromkeys(doubts)),
    )


@dataclass
class _Footer:
    topics: list[tuple[int, str]] = field(default_factory=list)
    """(line, topic) of each footer."""
    end_line: int = 0
    """The line the last footer ends on: what follows it is not part of the answer."""
    rest: str = ""
    """Text after the last footer on its last line."""


_LINK_DEFINITION_RE = re.compile(
    r"^\s{0,3}\[(?P<label>[^\]^\[][^\]\[]*)\]:\s*<?(?P<url>https?://[^\s>]+)>?"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*$"
)
_LINK_USE_RE = re.compile(r"\[(?P<text>[^\]\[]+)\]\[(?P<label>[^\]\[]*)\]")


def _inline_link_definitions(lines: list[_Line]) -> list[_Line]:
    """Markdown reference links written inline: ``[text][nhs]`` with ``[nhs]: URL`` is
    ``[text](URL)``; the definition lines go (they are no References entry). A numbered
    label ("[2]: URL") is a definition only when the text uses it as one ("...][2]")."""
    text = "\n".join(line for _, line in lines)
    if "]:" not in text:
        return lines
    used = {m["label"].casefold() or m["text"].casefold() for m in _LINK_USE_RE.finditer(text)}
    urls: dict[str, str] = {}
    kept: list[_Line] = []
    for number, line in lines:
        match = _LINK_DEFINITION_RE.match(line)
        label = match["label"].strip().casefold() if match else ""
        if match and (label in used or not label.isdigit()):
            urls.setdefault(label, match["url"])
            continue
        kept.append((number, line))
    if not urls:
        return lines

    def inline(match: re.Match[str]) -> str:
        url = urls.get((match["label"] or match["text"]).strip().casefold())
        return f"[{match['text']}]({url})" if url else match[0]

    return [(number, _LINK_USE_RE.sub(inline, line)) for number, line in kept]


_FRONT_MATTER_KEY_RE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_ANSWER_KEYS = frozenset(("id", "topic", "status", "confidence", "last_reviewed", "references",
                          "legacy", "reviewed_by"))  # fmt: skip


def _without_site_front_matter(text: str, source: str, warnings: list[str]) -> str:
    """A page exported by a static-site generator (Jekyll, Hugo) without its front
    matter, each of its fields named in a warning; front matter with this library's
    fields (an answer file) fails the file. The lines keep their numbers."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return text
    end = next(
        (i for i in range(1, min(len(lines), 200)) if lines[i].strip() in ("---", "...")), None
    )
    if end is None:
        return text
    fields = [m for line in lines[1:end] if (m := _FRONT_MATTER_KEY_RE.match(line.strip()))]
    if {m[1] for m in fields} & _ANSWER_KEYS:
        raise LegacyFormatError(
            f"{source}: starts with front matter holding an answer's fields: this looks like "
            "an answer file, not a legacy text"
        )
    shown = ", ".join(f"{m[1]}: {shorten(m[2])}" for m in fields) or "empty"
    warnings.append(f"lines 1-{end + 1}: another site's front matter was not used ({shown})")
    return "\n" * end + "\n" + "\n".join(lines[end + 1 :])


def _remove_footer(text: str) -> tuple[str, _Footer]:
    """Cut the standard footer (it may wrap over lines); return the topics it names.

    The line breaks inside a footer stay, so every later line keeps its number; what
    stands after the last footer is reported (:func:`_after_footer`), never dropped silently.
    """
    footer = _Footer()

    def cut(match: re.Match[str]) -> str:
        line = text.count("\n", 0, match.start()) + 1
        footer.topics.append((line, _WHITESPACE_RUN_RE.sub(" ", match["topic"]).strip()))
        breaks = match[0].count("\n")
        footer.end_line, footer.rest = line + breaks, match["rest"].strip()
        return "\n" * breaks

    if "rawn" in text or "RAWN" in text:
        text = _FOOTER_RE.sub(cut, text)
    if "advice" in text.lower():
        text = _DISCLAIMER_LINE_RE.sub("", text)
    return text, footer


def _after_footer(lines: list[_Line], footer: _Footer, warnings: list[str]) -> list[_Line]:
    """The lines up to the footer; each line of text after it is named in a warning."""
    if not footer.end_line:
        return lines
    after = [(number, line) for number, line in lines if number > footer.end_line and line.strip()]
    rest = " ".join(_html_pieces(footer.rest, [])) if "<" in footer.rest else footer.rest
    rest = html.unescape(rest).strip() if "&" in rest else rest.strip()
    if rest and not _is_chrome(rest):
        after.insert(0, (footer.end_line, rest))
    kept = [(number, line) for number, line in lines if number <= footer.end_line]
    start = next((i for i, (_, line) in enumerate(after) if _opens_references(line)), None)
    if start is not None:  # the page's References list, below the library's footer
        kept.extend(after[start:])
        after = after[:start]
    for number, line in after:
        warnings.append(f"line {number}: text after the footer was not used: {line.strip()!r}")
    return kept


def _opens_references(line: str) -> bool:
    """Whether ``line`` starts a References list: its heading, or a numbered reference."""
    if _heading_kind(line) == _REFERENCES:
        return True
    inline = _INLINE_REFERENCES_RE.match(line)
    if inline and _REFERENCE_LIKE_RE.search(inline["entry"]):
        return True
    return bool(_REFERENCE_ENTRY_RE.match(line) and _REFERENCE_LIKE_RE.search(line))


def _clean_lines(text: str, warnings: list[str], doubts: list[Doubt]) -> list[_Line]:
    """Number the lines, decode HTML left by a bad export, and drop page chrome.

    Block tags (``<p>``, ``<br>``, ``<li>``...) split a line, ``<li>`` becoming a "- "
    bullet; a link ``<a href>`` becomes a Markdown link (its target named in a warning
    when it is not an http, https or mailto address, which a page may not link to);
    other tags go, except ``<sup>`` around numbers, which the citation rule reads;
    entities (``&amp;``, ``&#8217;``, ``&nbsp;``) become their characters.

    Nothing goes silently: every line dropped as chrome is named in one warning, and
    the links of a "Related questions" list each in a warning of their own.
    """
    lines: list[_Line] = []
    state = _ChromeState()
    open_lists: list[list[int]] = []
    hidden = _Hidden()
    table = _Table()
    for number, raw in enumerate(text.split("\n"), start=1):
        dropped: list[tuple[str, str]] = []
        if hidden.open and "<" not in raw:
            hidden.text.append(raw + "\n")
            continue
        pieces = _html_pieces(raw, open_lists, dropped, hidden, table) if "<" in raw else [raw]
        warnings.extend(f"line {number}: {note}" for note in hidden.notes)
        hidden.notes.clear()
        kept_from = len(lines)
        for piece in pieces:
            if "&" in piece:
                piece = visible(html.unescape(piece))
            piece = piece.rstrip()
            if _keeps(state, number, piece, lines, warnings, doubts):
                lines.append((number, piece))
        kept = " ".join(piece for _, piece in lines[kept_from:])
        for url, label in dropped:  # a link of page chrome went with it
            if html.unescape(label) in kept:
                why = (
                    "read as a citation"
                    if _CITATION_LABEL_RE.fullmatch(label)
                    else "not an http, https or mailto address"
                )
                warnings.append(
                    f"line {number}: the link target {html.unescape(url)!r} of "
                    f"{html.unescape(label)!r} was not kept ({why})"
                )
    if state.chrome:
        named = ", ".join(f"line {number} {line.strip()!r}" for number, line in state.chrome)
        warnings.append(f"page chrome was not used: {named}")
    return lines


@dataclass
class _ChromeState:
    """Where :func:`_clean_lines` is: the section, an open "Related" list, feedback."""

    section: str | None = None
    related: _Line | None = None
    """The "Related questions" line whose links follow."""
    after_feedback: bool = False
    """Just after "Was this page helpful?": its Yes / No buttons may follow."""
    chrome: list[_Line] = field(default_factory=list)
    """The lines dropped as chrome, for the warning that names them."""


def _keeps(
    state: _ChromeState,
    number: int,
    piece: str,
    lines: list[_Line],
    warnings: list[str],
    doubts: list[Doubt],
) -> bool:
    """Whether a line is kept; a dropped one is named (in ``state.chrome`` or a warning)."""
    if not piece.strip():
        return True
    key = _heading_key(piece)
    if _HEADING_KINDS.get(key) is not None:
        state.section, state.related, state.after_feedback = _HEADING_KINDS[key], None, False
        return True
    if state.section is not None and key in _RELATED_HEADINGS:
        state.after_feedback = False
        if state.section == _DOCTOR and key in _MORE_QUESTIONS:
            decision = (
                "read as a sub-heading: the lines under it were kept as questions to ask; "
                "check they are not links to other pages"
            )
            doubts.append(Doubt(QUESTION, number, piece.strip(), decision))
        else:
            state.related = (number, piece.strip())
        state.chrome.append((number, piece))
        return False
    if state.related is not None:
        if _is_link_like(piece):
            where, label = state.related
            warnings.append(
                f"line {number}: a link of the {label!r} list (line {where}) was not used: "
                f"{piece.strip()!r}"
            )
            return False
        state.related = None  # prose: the list has ended
    buttons = state.after_feedback and _comparable(piece).strip(" .!") in _FEEDBACK_BUTTONS
    if buttons or (_is_chrome(piece) and not _in_lettered_list(piece, lines)):
        state.after_feedback = buttons or bool(_FEEDBACK_RE.search(_comparable(piece)))
        state.chrome.append((number, piece))
        return False
    state.after_feedback = False
    if _comparable(piece) in _CHROME_ANSWERS:
        warnings.append(
            f"line {number}: kept {piece.strip()!r}, which may be a button of the page "
            "(as in 'Was this page helpful? Yes | No'); check it"
        )
    return True


def _carries_content(line: str) -> bool:
    """Whether a line holds what chrome never does: a citation or a number with a unit.

    >>> _carries_content("(c) inactivity, a third of strokes [1];"), _carries_content("Share")
    (True, False)
    """
    return bool(_CITATION_MARK_RE.search(line) or _UNIT_NUMBER_RE.search(line))


def _is_link_like(line: str) -> bool:
    """A line of a "Related questions" list: a short title or bullet, not cited prose."""
    stripped = line.strip()
    if len(stripped) > _MAX_CHROME_LINE * 1.5 or _carries_content(stripped):
        return False
    if _BULLET_RE.match(stripped) or stripped.endswith("?") or "](" in stripped:
        return True
    return not stripped.endswith(_SENTENCE_END_CHARS) and len(stripped.split()) <= 10


def _in_lettered_list(line: str, lines: list[_Line]) -> bool:
    """ "(c) ..." after "(b) ...": an item of a lettered list, not a copyright line."""
    if not line.lstrip().lower().startswith(("(c)", "c)")):
        return False
    previous = next((text.strip().lower() for _, text in reversed(lines) if text.strip()), "")
    return previous.startswith(("(b)", "b)"))


@dataclass
class _Table:
    """An HTML table being read, over as many lines as it takes."""

    rows: int = 0
    open: bool = False
    """Inside ``<table>``: a line of tags only is no blank line that ends it."""
    cells: list[str] | None = None
    """The cells of the row being read (None between rows)."""
    in_cell: bool = False


def _html_pieces(
    line: str,
    open_lists: list[list[int]],
    dropped: list[tuple[str, str]] | None = None,
    hidden: _Hidden | None = None,
    table: _Table | None = None,
) -> list[str]:
    """A line with its tags handled: split at block tags, other tags removed.

    With ``table``, a ``<table>`` becomes a Markdown pipe table: one "| a | b |" piece a
    row, its first row the header, so each cell stays with its row.

    An ``<li>`` of an ``<ol>`` becomes "N. " with the number the page shows (``start=``
    and ``<li value=>`` respected), any other ``<li>`` a "- " bullet. ``open_lists``
    carries the lists still open from earlier lines: ``[next number]`` for an ``<ol>``,
    ``[]`` for a ``<ul>``. ``<a href="U">T</a>`` becomes ``[T](U)``; a target a page may
    not link to is left out and put in ``dropped`` as ``(U, T)``. What a page does not
    show as its text is left out and named in ``hidden``: struck-out text (``<del>``,
    ``<s>``: a withdrawn dose is not a fact), scripts and styles; an image's ``alt``.
    """
    pieces: list[str] = []
    current: list[str] = []
    link: tuple[int, str] | None = None  # where the open link's text starts, its target
    hidden = hidden if hidden is not None else _Hidden()
    removed = False  # whether hidden content left two spaces side by side
    position = 0
    for match in _HTML_TAG_RE.finditer(line):
        if hidden.open:
            hidden.text.append(line[position : match.start()])
        else:
            current.append(line[position : match.start()])
        position = match.end()
        name = (match[2] or "").lower()
        if hidden.takes(match, name):
            removed = True
            continue
        if name == "a":
            if not match[1]:
                href = _HREF_RE.search(match[0])
                link = (
                    (len(current), next(g for g in href.groups() if g is not None))
                    if href
                    else None
                )
            elif link is not None:
                at, url = link
                link = None
                if at <= len(current):
                    text = "".join(current[at:])
                    current[at:] = [_markdown_link(text, url.strip(), dropped)]
        elif name == "sup":
            current.append(f"<{match[1]}sup>")
        elif table is not None and name in _TABLE_TAGS:
            _table_tag(name, bool(match[1]), "".join(current), pieces, table)
            current = []
        elif name in _BLOCK_TAGS:
            pieces.append("".join(current))
            current = []
            if name in ("ol", "ul"):
                _list_tag(match, open_lists)
            elif name == "li" and not match[1]:
                current = [_list_item_marker(match, open_lists)]
    sup = "<sup>" in line.lower()
    return _line_end(line[position:], pieces, current, hidden, table, (removed, sup))


def _line_end(
    rest: str,
    pieces: list[str],
    current: list[str],
    hidden: _Hidden,
    table: _Table | None,
    flags: tuple[bool, bool],
) -> list[str]:
    """The pieces of a line once its last tag is read (see :func:`_html_pieces`); ``flags``:
    whether hidden content was removed, whether the line has ``<sup>``."""
    removed, sup = flags
    if hidden.open:
        hidden.text.append(rest)
    else:
        current.append(rest)
    if table is not None and table.cells and table.in_cell:
        table.cells[-1] += "".join(current) + " "  # the cell goes on on the next line
    else:
        pieces.append("".join(current))
    # "<li>1. Smith J..." or "<li>• Ask..." has its own number or bullet already.
    pieces = [_LI_NUMBERED_RE.sub(r"\1", piece, count=1) for piece in pieces]
    if sup:
        pieces = [_superscripts(piece) for piece in pieces]
    if removed:
        pieces = [_DOUBLE_SPACE_RE.sub(" ", piece) for piece in pieces]
    kept = [piece for piece in pieces if piece.strip() and piece.strip() != "-"]
    if not kept and table is not None and (table.open or table.cells is not None):
        return []  # "<tr>" on a line of its own: the table goes on
    return kept or [""]


_TABLE_TAGS = frozenset(("table", "tr", "td", "th"))


def _table_tag(name: str, closing: bool, text: str, pieces: list[str], table: _Table) -> None:
    """One tag of an HTML table; ``text`` is what stood before it."""
    if table.cells and table.in_cell:
        table.cells[-1] += text
    else:
        pieces.append(text)
    if name in ("table", "tr") and table.cells is not None:
        _table_row(pieces, table)  # a row ends at its end tag, the next row or the table's end
    if name == "table":
        table.rows, table.in_cell, table.open = 0, False, not closing
    elif name == "tr":
        table.cells = None if closing else []
    else:  # td, th
        if table.cells is None:
            table.cells = []
        if not closing:
            table.cells.append("")
        table.in_cell = not closing


def _table_row(pieces: list[str], table: _Table) -> None:
    """The row read so far as a "| a | b |" piece (after the first, a "| --- |" one)."""
    cells = [
        _WHITESPACE_RUN_RE.sub(" ", cell).strip().replace("|", "\\|") for cell in table.cells or []
    ]
    table.cells, table.in_cell = None, False
    if not any(cells):
        return
    if len(cells) == 2 and _review_line_parts(f"{cells[0].rstrip(':')}: {cells[1]}"):
        pieces.append(f"{cells[0].rstrip(':')}: {cells[1]}")  # "Last reviewed | 3 May 2024"
        return
    pieces.append("| " + " | ".join(cells) + " |")
    if not table.rows:
        pieces.append("| " + " | ".join("---" for _ in cells) + " |")
    table.rows += 1


_DOUBLE_SPACE_RE = re.compile(r"(?<=\S)  +(?=\S)")


_SUP_PAIR_RE = re.compile(r"<sup>(.*?)</sup>")
_STRAY_SUP_RE = re.compile(r"</?sup>")
_SUP_JOIN_RE = re.compile(r"(?<=[0-9])</sup>[ \u00a0]?([-–,]|&ndash;)[ \u00a0]?<sup>(?=[0-9])")
_SUP_NUMBERS_RE = re.compile(
    r"[ \u00a0]*[0-9]{1,4}(?:[ \u00a0]*[-–,;][ \u00a0]*[0-9]{1,4})*[ \u00a0]*"
)


def _superscripts(piece: str) -> str:
    """``<sup>`` kept only around numbers (a citation to decide); else its text stays and
    the tags go: ``<sup>[3]</sup>`` is "[3]", ``1<sup>st</sup>`` "1st".

    >>> _superscripts("attacks<sup>[3]</sup>, 2<sup>nd</sup> dose<sup>4,5</sup>")
    'attacks[3], 2nd dose<sup>4,5</sup>'
    """

    piece = _SUP_JOIN_RE.sub(r"\1", piece)  # "<sup>1</sup>-<sup>3</sup>" is "<sup>1-3</sup>"
    out: list[str] = []
    position = 0
    for match in _SUP_PAIR_RE.finditer(piece):
        out.append(_STRAY_SUP_RE.sub("", piece[position : match.start()]))
        numbers = _SUP_NUMBERS_RE.fullmatch(html.unescape(match[1]))  # "5&ndash;6"
        out.append(match[0] if numbers else match[1])
        position = match.end()
    out.append(_STRAY_SUP_RE.sub("", piece[position:]))  # a tag left open or closed alone
    return "".join(out)


_HIDDEN_TAGS = frozenset(("del", "s", "strike", "script", "style", "noscript", "template"))
_STRUCK = frozenset(("del", "s", "strike"))
_ALT_RE = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)


@dataclass
class _Hidden:
    """Content of tags a page does not show as its text, open across lines; ``notes``
    name what was left out (for warnings)."""

    stack: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return bool(self.stack)

    def takes(self, match: re.Match[str], name: str) -> bool:
        """Whether the tag of ``match`` is hidden content's (or an image's): followed here."""
        if name in _HIDDEN_TAGS or self.open:
            self.tag(name, bool(match[1]), bool(match[3]))
            return True
        if name != "img":
            return False
        alt = _ALT_RE.search(match[0])
        described = next((g for g in alt.groups() if g is not None), "").strip() if alt else ""
        if described:
            self.notes.append(f"an image was not kept; its description: {described!r}")
        return True

    def tag(self, name: str, closing: bool, empty: bool) -> None:
        """Follow a tag met while hidden content is open, or one that opens it."""
        if not closing and not empty and name in _HIDDEN_TAGS:
            self.stack.append(name)
        elif closing and name in self.stack:
            while self.stack:
                top = self.stack.pop()
                if top == name:
                    break
            if not self.stack:
                words = " ".join("".join(self.text).split())
                self.text = []
                if words and name in _STRUCK:
                    self.notes.append(f"struck-out text was not kept: {shorten(words)!r}")
                elif words:
                    self.notes.append(f"a <{name}> block was not kept: {shorten(words)!r}")


def _markdown_link(text: str, url: str, dropped: list[tuple[str, str]] | None) -> str:
    """``[text](url)`` for a target a page may link to; else the text alone, the target
    put in ``dropped`` (an in-page ``#anchor`` is not a fact and goes quietly).

    >>> _markdown_link("NIH fact sheet", "https://ods.od.nih.gov/x/", [])
    '[NIH fact sheet](https://ods.od.nih.gov/x/)'
    >>> lost = []; _markdown_link("the list", "/factsheets/", lost), lost
    ('the list', [('/factsheets/', 'the list')])
    """
    from qa_tool.render import safe_link

    label = text.strip()
    if not url or url.startswith("#"):
        return text
    if _CITATION_LABEL_RE.fullmatch(label):
        # "<sup><a href=pubmed>1</a></sup>": the number is the citation, read as one
        if dropped is not None:
            dropped.append((url, label))
        return text
    if _IDENTIFIER_LABEL_RE.search(label):
        return text  # "<a href=https://doi.org/X>doi:X</a>": the text says it already
    if not safe_link(url):
        if dropped is not None:
            dropped.append((url, label))
        return text
    if not label or label == url:
        return f"<{url}>"
    target = f"<{url}>" if any(c in url for c in " ()<>") else url
    label = label.replace("[", "\\[").replace("]", "\\]")
    return f"{text[: len(text) - len(text.lstrip())]}[{label}]({target})"


_CITATION_LABEL_RE = re.compile(r"\[?[0-9]{1,3}(?:[ ,–-]{1,3}[0-9]{1,3})*\]?")
_IDENTIFIER_LABEL_RE = re.compile(r"\bdoi\b|\b10\.[0-9]{4,9}/|https?://|\bPMID\b", re.IGNORECASE)


def _list_tag(match: re.Match[str], open_lists: list[list[int]]) -> None:
    """``<ol>``/``<ul>`` opens a list (an ordered one counting from ``start=``), its end tag
    closes the innermost one."""
    if match[1]:
        if open_lists:
            open_lists.pop()
        return
    if match[2].lower() == "ul":
        open_lists.append([])
        return
    start = _LIST_NUMBER_RE.search(match[0])
    open_lists.append([int(start[1]) if start else 1])


def _list_item_marker(match: re.Match[str], open_lists: list[list[int]]) -> str:
    """What an ``<li>`` starts its line with: "N. " in an ordered list, else "- ",
    indented by two spaces for each list it is nested in."""
    indent = "  " * max(0, len(open_lists) - 1)
    if not open_lists or not open_lists[-1]:
        return f"{indent}- "
    counter = open_lists[-1]
    value = _LIST_NUMBER_RE.search(match[0])
    number = int(value[1]) if value else counter[0]
    counter[0] = number + 1
    return f"{indent}{number}. "


def _comparable(line: str) -> str:
    """A line reduced for matching: single plain spaces, no emphasis, lowercase.

    ``\\s`` matches non-breaking and thin spaces too, so "Text\\u00a0Size" compares equal.
    """
    line = _WHITESPACE_RUN_RE.sub(" ", line).strip()
    return _EMPHASIS_RE.sub("", line).strip().lower()


@functools.lru_cache(maxsize=8192)
def _is_chrome(line: str) -> bool:
    """Whether a whole line is page chrome: buttons, menus, breadcrumbs, a cookie banner.

    "Log in / Sign up" and "Share | Print" count, being chrome words joined by
    separators; so does "Home > Health A-Z > Asthma". A line that carries a citation or
    a number with a unit never does, nor a sentence that starts like a copyright line
    ("Copyright 2025 rules require ...", "(c) physical inactivity") or a list with
    slashes ("face drooping / arm weakness").
    """
    stripped = line.strip()
    if not stripped or stripped.startswith("|"):
        return False
    if _COOKIE_LINE_RE.match(stripped) or _is_copyright(stripped):
        return not _carries_content(stripped)
    if len(stripped) > _MAX_CHROME_LINE * 2:
        return False
    if _is_breadcrumb(_CHROME_ICONS_RE.sub(" ", stripped).strip()):
        return True
    comparable = _CHROME_ICONS_RE.sub(" ", _comparable(stripped)).strip()
    if len(comparable) > _MAX_CHROME_LINE:
        return False
    pieces = [
        _WHITESPACE_RUN_RE.sub(" ", _CHROME_COUNT_RE.sub(" ", piece)).strip(" :!?.")
        for piece in _CHROME_SEPARATOR_RE.split(comparable)
    ]
    pieces = [piece for piece in pieces if piece]
    if len(pieces) > 1 or (pieces and _FEEDBACK_RE.search(pieces[0])):
        # "Was this page helpful? Yes (12) No (3)": the question with its buttons
        return all(_chrome_words(piece, _CHROME_ANSWERS) for piece in pieces)
    return bool(pieces) and _chrome_words(pieces[0])


def _is_copyright(line: str) -> bool:
    """ "© 2026 Patient Answers. All rights reserved.": years and an owner's name.

    >>> _is_copyright("Copyright © 2024 NHS England"), _is_copyright("(c) smoking, a risk")
    (True, False)
    """
    if _RIGHTS_RESERVED_RE.match(line):
        return True
    match = _COPYRIGHT_RE.match(line)
    if not match:
        return False
    words = re.findall(r"[^\W\d_][\w'’&.-]*", match["rest"])
    if words and words[0][0].islower():
        return False  # "(c) physical inactivity": an item of a lettered list
    if line[:1] == "(" and not re.search(r"\b(?:19|20)[0-9]{2}\b|©|copyright", line, re.I):
        return False  # "(c) Physical inactivity": a notice names its year
    lowercase = [word for word in words if word[0].islower() and word not in _NOTICE_WORDS]
    return len(lowercase) <= 1


_MAX_CHROME_PHRASE_WORDS = max(len(phrase.split()) for phrase in _CHROME_PHRASES)


def _chrome_words(piece: str, also: frozenset[str] = frozenset()) -> bool:
    """Whether ``piece`` is chrome phrases written one after another without separators.

    "text size a a a" (a label and its size buttons) and "share print back to top" are
    chrome; a single phrase ("cookie settings") is too. Checked by splitting the words
    into known phrases (short lines only, so the search stays small).
    """
    if piece in _CHROME_PHRASES or piece in also:
        return True
    words = piece.split()
    if len(words) < 2:
        return False
    # reached[i]: words[:i] split into phrases: 0 no, 1 only buttons, 2 with a phrase.
    reached = [1] + [0] * len(words)
    for end in range(1, len(words) + 1):
        for size in range(1, min(_MAX_CHROME_PHRASE_WORDS, end) + 1):
            start = reached[end - size]
            if not start:
                continue
            phrase = " ".join(words[end - size : end])
            if phrase in _CHROME_PHRASES or phrase in also:
                reached[end] = 2
            elif phrase in _CHROME_BUTTONS:
                reached[end] = max(reached[end], start)
    return reached[-1] == 2


def _is_breadcrumb(line: str) -> bool:
    """ "Home > Health A-Z > Asthma", "You are here: Home / Conditions": a trail of links.

    Its pieces are short names with no colon, each capitalised unless the trail starts
    at "Home"; a line with a citation, a number with a unit or a final stop is prose.
    """
    line = _ANY_EMPHASIS_RE.sub("", _WHITESPACE_RUN_RE.sub(" ", line)).strip()
    if line.lower().startswith("you are here:"):
        line = line[len("you are here:") :].strip()
    if not any(mark in line for mark in ">›»→/\\"):
        return False
    pieces = [piece.strip() for piece in _BREADCRUMB_SPLIT_RE.split(line)]
    if (
        len(pieces) < 2
        or not all(pieces)
        or any(len(piece) > _MAX_BREADCRUMB_PIECE or ":" in piece for piece in pieces)
        or any(len(piece.split()) > _MAX_BREADCRUMB_WORDS for piece in pieces)
        or line.endswith((".", ";", "!", "?", ","))
        or _carries_content(line)
    ):
        return False
    if pieces[0].lower() in _BREADCRUMB_START:
        return True
    inner = pieces[:-1]
    return (
        len(pieces) >= 3
        and not any(piece.endswith(_SENTENCE_END_CHARS) for piece in inner)
        and all(not piece[0].islower() for piece in pieces)
    )


def _heading_kind(line: str) -> str | None:
    """Which section a heading line opens (bare or ``#``/``**`` marked), or None."""
    return _HEADING_KINDS.get(_heading_key(line))


@functools.lru_cache(maxsize=8192)
def _heading_key(line: str) -> str:
    """A short line as a lowercase label: "## **What to ask your doctor:**" → its words."""
    if not line or len(line) > _MAX_HEADING_LINE:
        return ""
    key = _HEADING_MARKUP_RE.sub("", _comparable(line))
    key = _EMPHASIS_RE.sub("", key).strip().rstrip(":?.").strip()
    return _EMPHASIS_RE.sub("", key).strip()


@dataclass
class _Facts:
    """What the review lines and labelled fields say."""

    confidence: str | None = None
    last_reviewed: datetime.date | None = None
    topics: list[tuple[int, str]] = field(default_factory=list)


def _extract_review_lines(
    lines: list[_Line],
    warnings: list[str],
    doubts: list[Doubt],
    today: datetime.date | None = None,
) -> tuple[list[_Line], _Facts]:
    """Remove the confidence / review / topic lines; read what each says.

    The parts usually share a line ("moderate confidence · Last reviewed ...") but may
    stand on lines of their own, or as labelled fields ("Confidence: Moderate"). A part
    of such a line that no field holds ("Next review Dec 2025", a reviewer's name) is
    named in a warning or a doubt, never joined to the summary. Two different review
    dates keep the later, with a doubt naming both; a date after ``today`` is a doubt.
    """
    kept: list[_Line] = []
    facts = _Facts()
    first: dict[str, tuple[int, Any]] = {}
    for number, line in lines:
        parts = _review_line_parts(line)
        if parts is None:
            kept.append((number, line))
            continue
        shown = line.strip()
        kinds = {kind for kind, _ in parts}
        for kind, value in parts:
            if kind in _META_NOTES:
                warnings.append(_META_NOTES[kind].format(line=number, value=value))
            elif kind == "topic":
                facts.topics.append((number, value))
            elif kind == "unread":
                doubts.append(
                    Doubt(
                        REVIEW_DATE if "last reviewed" in kinds else CONFIDENCE,
                        number,
                        shown,
                        f"not read: {value!r} is in no field of the answer; check it",
                    )
                )
            elif kind == "confidence":
                level = _confidence_level(value, number, shown, doubts)
                _second_value(kind, level, number, shown, first, facts, doubts, warnings)
            else:
                date = _review_date(value, number, shown, doubts, today)
                _second_value(kind, date, number, shown, first, facts, doubts, warnings)
    return kept, facts


_META_NOTES = {
    "updated": "ignored {value!r}: a last-updated date is not a review date",
    "reviewer": "line {line}: the text names a reviewer ({value!r}); record the review with "
    "qa review",
    "author": "line {line}: the text names an author ({value!r}); not kept: add it to the "
    "answer's authors",
    "next review": "line {line}: not used: {value!r} (qa works the next review out from "
    "last_reviewed and the review interval)",
    "reading time": "line {line}: not used: {value!r} (a reading time)",
}
"""The parts of a review line that no field takes: each named in a warning."""


def _second_value(
    kind: str,
    value: Any,
    number: int,
    shown: str,
    first: dict[str, tuple[int, Any]],
    facts: _Facts,
    doubts: list[Doubt],
    warnings: list[str],
) -> None:
    """Record a confidence or review date; a second, different one is a doubt."""
    attribute = "confidence" if kind == "confidence" else "last_reviewed"
    if kind not in first:
        first[kind] = (number, value)
        setattr(facts, attribute, value)
        return
    first_line, first_value = first[kind]
    if value is None or value == first_value:
        if value is not None:
            warnings.append(f"ignored a second {kind} value: {str(value)!r}")
        return
    if first_value is None:
        setattr(facts, attribute, value)
        first[kind] = (number, value)
        return
    if kind == "confidence":
        decision = (
            f"kept {first_value!r} (line {first_line}); the text also gives {value!r} "
            f"(line {number})"
        )
    else:
        later = max(first_value, value)
        setattr(facts, attribute, later)
        decision = (
            f"two review dates: {first_value} (line {first_line}) and {value} (line "
            f"{number}); used the later, {later}"
        )
    doubts.append(
        Doubt(CONFIDENCE if kind == "confidence" else REVIEW_DATE, number, shown, decision)
    )


def _review_line_parts(line: str) -> list[tuple[str, str]] | None:
    """Split "moderate confidence · Last reviewed May 22, 2026" into its parts.

    Returns None unless the line is a metadata line: every part a confidence, a review
    or update date, a reviewer or a topic label, or the first part a confidence or a
    review date and each other part short (kept as ``("unread", part)``, for a doubt).
    So an ordinary sentence that mentions confidence is never taken for the line.
    """
    if len(line) > _MAX_REVIEW_LINE or not _REVIEW_WORDS_RE.search(line):
        return None
    if _CITATION_MARK_RE.search(line) or line.lstrip().startswith(("|", ">")):
        return None  # "Certainty of the evidence: moderate for frequency [1].": prose
    comparable = _WHITESPACE_RUN_RE.sub(" ", line).strip()
    if not comparable:
        return None
    raw_parts = [
        _ANY_EMPHASIS_RE.sub("", part).strip()
        for part in _META_SEPARATOR_RE.split(_HEADING_MARKUP_RE.sub("", comparable))
    ]
    raw_parts = [part for part in raw_parts if part]
    merged: list[str] = []
    for part in raw_parts:  # "Confidence level — Low": the label and its value again
        if merged and _META_LABEL_RE.match(merged[-1]):
            merged[-1] = f"{merged[-1].rstrip(' :')}: {part}"
        else:
            merged.append(part)
    parts = [_review_part(part) or ("unread", part) for part in merged]
    if not parts:
        return None
    unread = [value for kind, value in parts if kind == "unread"]
    if unread and (
        parts[0][0] not in ("confidence", "last reviewed")
        or any(len(value) > _MAX_UNREAD_META_PART for value in unread)
        or any(len(value.split()) > _MAX_UNREAD_META_WORDS for value in unread)
    ):
        return None
    return parts


def _review_part(part: str) -> tuple[str, str] | None:
    for index, pattern in enumerate(_CONFIDENCE_PART_RES):
        match = pattern.match(part)
        # "Walking helps confidence." is prose: a word before "confidence" must be a level.
        if match and (index or _level_like(match["word"])):
            if index == 2 and _reads_as_prose(match["word"]):
                return None
            return ("confidence", match["word"])
    if match := _REVIEWER_PART_RE.match(part):
        return ("reviewer", match["who"].strip())
    if _NEXT_REVIEW_PART_RE.match(part):
        return ("next review", part)
    if _READING_TIME_RE.match(part):
        return ("reading time", part)
    if match := _REVIEWED_PART_RE.match(part):
        return ("last reviewed", match["date"].strip())
    if match := _UPDATED_PART_RE.match(part):
        return ("updated", part)
    if match := _TOPIC_PART_RE.match(part):
        return ("topic", match["topic"].strip().rstrip("."))
    if match := _AUTHOR_PART_RE.match(part):
        return ("author", match["who"].strip())
    return None


def _reads_as_prose(value: str) -> bool:
    """ "moderate for frequency, low for severity": levels among words, a sentence."""
    levels = _GRADE_LEVEL_RE.findall(value)
    words = re.findall(r"[^\W\d_]+", _GRADE_LEVEL_RE.sub(" ", _CONFIDENCE_NOISE_RE.sub(" ", value)))
    return len(levels) > 1 and any(word.lower() not in _LEVEL_WORDS for word in words)


def _level_like(word: str) -> bool:
    """A GRADE level, or a word that a page would put in its place ("medium", "very high").

    Levels joined count too ("Low–moderate", "moderate to high"): a doubt, not prose.
    """
    level = re.sub(r"[\s_-]+", "-", word.strip().lower())
    if level in set(Confidence) or level in _LEVEL_LIKE_WORDS:
        return True
    words = re.split(r"[\s_/–—-]+", word.strip().lower())
    return len(words) > 1 and all(word in _LEVEL_WORDS for word in words)


def _confidence_level(word: str, line: int, shown: str, doubts: list[Doubt]) -> str | None:
    """Normalise "Very Low" / "very-low" / "verylow" to a GRADE level, or doubt it.

    A value that names one level among other words is read as that level ("Low
    (GRADE)", "⊕⊕⊕◯ Moderate", "very low certainty"); words no field holds ("moderate
    (based on 3 trials)") are a doubt, and so is a value naming two levels
    ("moderate-to-high") or none ("3/5", "strong"), which leaves the field empty.
    """
    level = re.sub(r"[\s_-]+", "-", word.strip().lower())
    if level == "verylow":
        level = Confidence.very_low.value
    if level in set(Confidence):
        return level

    def doubt(decision: str) -> None:
        doubts.append(Doubt(CONFIDENCE, line, shown, decision))

    named = list(
        dict.fromkeys(
            re.sub(r"[\s_-]+", "-", found.lower()) for found in _GRADE_LEVEL_RE.findall(word)
        )
    )
    if len(named) > 1:
        doubt(f"left empty: {word!r} names more than one level ({', '.join(named)})")
        return None
    if not named:
        doubt(f"left empty: {word!r} is not a GRADE level ({', '.join(Confidence)})")
        return None
    (level,) = named
    symbols = word.count("⊕")
    if symbols and _GRADE_SYMBOLS.get(symbols) != level:
        doubt(f"left empty: {word!r}: its {symbols} ⊕ and the word {level!r} disagree")
        return None
    rest = _GRADE_LEVEL_RE.sub(" ", _CONFIDENCE_NOISE_RE.sub(" ", word))
    rest = _WHITESPACE_RUN_RE.sub(" ", rest).strip(" ,;:.-–—()")
    if re.search(r"\w", rest):
        doubt(f"read as {level!r}; the rest of it ({rest!r}) is in no field of the answer")
    return level


def _review_date(
    raw: str,
    line: int,
    shown: str,
    doubts: list[Doubt],
    today: datetime.date | None = None,
) -> datetime.date | None:
    """Read a review date in one of the strict forms, never guessing.

    "May 22, 2026", "22 May 2026", "22-May-2026", "2026-05-22" are read. A numeric
    day/month form is read only when one order alone gives a valid date ("25/12/2025");
    "03/04/2025" stays empty with a doubt, since guessing would put a wrong date on a
    medical page; so do a two-digit year and a month without its day. A date followed
    by more words ("3 Dec 2024 by Dr Smith") is read with a doubt naming them; a date
    after ``today`` stays empty with a doubt.
    """
    found_doubts: list[Doubt] = []
    found = _strict_review_date(raw, line, shown, found_doubts)
    if found is None and (rest := _date_and_rest(raw)) is not None:
        found, tail = rest
        found_doubts = [
            Doubt(REVIEW_DATE, line, shown, f"read as {found}; the rest ({tail!r}) is in no field")
            for _ in [tail]
            if tail
        ]
    doubts.extend(found_doubts)
    if found is not None and today is not None and found > today:
        doubts.append(
            Doubt(REVIEW_DATE, line, shown, f"left empty: {found} is after today, {today}")
        )
        return None
    return found


def _date_and_rest(raw: str) -> tuple[datetime.date, str] | None:
    """The date that starts ``raw`` and the words after it, when they are not a date."""
    text = raw.strip().rstrip(".").strip()
    if match := _DATE_TIMESTAMP_RE.match(text):
        found = _date_or_none(match[1], match[2], match[3])
        return (found, "") if found else None  # the day of a timestamp
    words = text.split()
    for size in range(min(len(words) - 1, 5), 0, -1):
        head, tail = " ".join(words[:size]).rstrip(","), " ".join(words[size:])
        attempt: list[Doubt] = []
        found = _strict_review_date(head, 0, "", attempt)
        if found is not None and not attempt:
            return found, tail
    return None


def _strict_review_date(
    raw: str, line: int, shown: str, doubts: list[Doubt]
) -> datetime.date | None:
    """One of the strict date forms of :func:`_review_date`, or None with a doubt."""
    text = raw.strip().rstrip(".").strip()

    def doubt(why: str) -> None:
        doubts.append(Doubt(REVIEW_DATE, line, shown, f"left empty: {why}"))

    found: datetime.date | None = None
    if match := _DATE_ISO_RE.match(text):
        found = _date_or_none(match[1], match[2], match[3])
    elif match := _DATE_MONTH_FIRST_RE.match(text):
        found = _named_month_date(match[3], match[1], match[2])
    elif match := _DATE_DAY_FIRST_RE.match(text) or _DATE_DAY_MONTH_NAME_RE.match(text):
        found = _named_month_date(match[3], match[2], match[1])
    elif match := _DATE_NUMERIC_RE.match(text):
        if len(match[4]) == 2:
            doubt(f"{raw!r} has a two-digit year")
            return None
        day_first = _date_or_none(match[4], match[3], match[1])
        month_first = _date_or_none(match[4], match[1], match[3])
        readings = {reading for reading in (day_first, month_first) if reading}
        if len(readings) == 1:
            return readings.pop()
        if readings:
            doubt(
                f"{raw!r} is ambiguous: {day_first} if the day comes first, "
                f"{month_first} if the month does"
            )
            return None
    elif match := _DATE_MONTH_YEAR_RE.match(text):
        doubt(f"{raw!r} gives no day")
        return None
    if found is None:
        doubt(f"{raw!r} is not a date this tool reads")
    return found


def _named_month_date(year: str, month_name: str, day: str) -> datetime.date | None:
    month = MONTH_NUMBERS.get(month_name.lower())
    return _date_or_none(year, str(month), day) if month else None


def _date_or_none(year: str, month: str, day: str) -> datetime.date | None:
    try:
        found = datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return found if found.year >= 1900 else None


def _topic(
    footers: list[tuple[int, str]],
    labels: list[tuple[int, str]],
    warnings: list[str],
    doubts: list[Doubt],
) -> str | None:
    """The footer's topic, else a "Topic:" label's; two different names are a doubt."""
    named = [*footers, *labels]
    if not named:
        warnings.append(NO_FOOTER_TOPIC)
        return None
    line, topic = named[0]
    others = [(where, name) for where, name in named[1:] if topic_key(name) != topic_key(topic)]
    if others:
        where, other = others[0]
        doubts.append(
            Doubt(
                TOPIC,
                where,
                other,
                f"used {topic!r} (line {line}); the text also names {other!r}",
            )
        )
    return topic


_SOURCES_LOOKAHEAD = 12
"""How many lines after a "Sources" heading may show that it heads the references."""


def _heads_references(after: list[_Line]) -> bool:
    """Whether the lines after a "Sources" heading, up to the next heading, hold a
    reference (a DOI, a PMID, "2013;10")."""
    for _number, text in after[:_SOURCES_LOOKAHEAD]:
        if _heading_kind(text) is not None:
            return False
        if _REFERENCE_LIKE_RE.search(text):
            return True
    return False


def _split_sections(
    lines: list[_Line], warnings: list[str]
) -> tuple[list[_Line], dict[str, list[_Line]]]:
    """Split lines at the section headings: (preamble, {section kind: its lines}).

    A numbered list of reference-like entries (DOI, PMID, "2013;10") at the end of a
    section with no "References" heading still counts as the References list.
    """
    preamble: list[_Line] = []
    sections: dict[str, list[_Line]] = {}
    current = preamble
    for at, (number, line) in enumerate(lines):
        kind = _heading_kind(line)
        head, colon, rest = line.partition(":")
        inline_kind = _INLINE_SECTIONS.get(_plain_heading(head).casefold()) if colon else None
        if kind is None and inline_kind and inline_kind not in sections and rest.strip():
            # "What the research says: Higher intake ...": the heading, then its first line
            current = sections.setdefault(inline_kind, [])
            current.append((number, rest.strip()))
            continue
        inline = _INLINE_REFERENCES_RE.match(line) if kind is None else None
        if inline and _REFERENCE_LIKE_RE.search(inline["entry"]):
            # "Sources: Smith J. Title. BMJ. 2015;(10):1.": the list, on the heading's line
            current = sections.setdefault(_REFERENCES, [])
            current.append((number, inline["entry"]))
            continue
        if kind is None:
            current.append((number, line))
            continue
        if (
            kind == _REFERENCES
            and current is not preamble
            and _heading_key(line) == "sources"
            and not _heads_references(lines[at + 1 :])
        ):
            # "Sources" may head a list in the text (of calcium, say), not the references:
            # it is read as References only when an entry under it looks like one.
            current.append((number, line))
            continue
        if kind in sections:
            warnings.append(f"'{line.strip()}' appears twice; the parts were joined")
        current = sections.setdefault(kind, [])
    for kind in (_RESEARCH, _DOCTOR):
        section_lines = sections.get(kind)
        if not section_lines:
            continue
        for index, (_number, line) in enumerate(section_lines):
            if _REFERENCE_ENTRY_RE.match(line) and _REFERENCE_LIKE_RE.search(line):
                sections.setdefault(_REFERENCES, []).extend(section_lines[index:])
                del section_lines[index:]
                warnings.append("the References list has no heading")
                break
    return preamble, sections


_INLINE_SECTIONS = {
    SectionTitle.research.casefold(): _RESEARCH,
    SectionTitle.doctor.casefold(): _DOCTOR,
}
"""Section titles that may have their text on the same line, after a colon."""
_INLINE_REFERENCES_RE = re.compile(
    r"^\s*(?:\*\*)?(?:references?|sources?|key references)(?:\*\*)?\s*:\s*(?:\*\*)?\s*"
    r"(?P<entry>\S.*)$",
    re.IGNORECASE,
)


def _take_question(
    preamble: list[_Line], source: str, warnings: list[str], doubts: list[Doubt]
) -> tuple[str, list[_Line]]:
    """The page's question, joined when wrapped; the rest of the preamble is the summary.

    A labelled "Question:" line wins. Otherwise the question is the first line, or the
    first few lines joined, that end with '?', within the first few lines of the text;
    short title lines before it (a site name, a topic name) are dropped with a warning.
    With no '?' in reach, a first line that is marked as a heading or starts like a
    question is taken with a doubt; anything else fails the file.
    """
    content = [(index, number, line.strip()) for index, (number, line) in enumerate(preamble)]
    content = [item for item in content if item[2]]
    if content and content[0][2].startswith("---"):
        raise LegacyFormatError(
            f"{source}: starts with '---': this looks like an answer file with front "
            "matter, not a legacy text"
        )
    for index, number, line in content:
        label = _QUESTION_PREFIX_RE.match(_plain_heading(line))
        if label and _plain_heading(line)[label.end() :].strip("*_ "):
            first = _plain_heading(line)[label.end() :].strip("*_ ")
            used, question = _join_question(first, preamble, index)
            if not question.endswith("?"):
                doubts.append(
                    Doubt(
                        QUESTION,
                        number,
                        question,
                        "taken as the question: it is labelled 'Question' but has no '?'",
                    )
                )
            for _index, before_number, before in content[: content.index((index, number, line))]:
                if len(before) <= _MAX_HEADING_LINE and not before.endswith(_SENTENCE_END_CHARS):
                    warnings.append(f"line {before_number}: dropped {before!r} before the question")
                    used.add(_index)
                else:
                    doubts.append(
                        Doubt(
                            QUESTION,
                            before_number,
                            snippet(before, 0, 0),
                            "text before the labelled question, kept as the start of the "
                            "summary: check where it belongs",
                        )
                    )
            return _checked_question(question, source), _without(preamble, used)
    content, boxed = _without_question_box(content, warnings, doubts)
    for position, (index, _number, line) in enumerate(content[: _MAX_MENU_LINES + 1]):
        if position > _MAX_LINES_BEFORE_QUESTION and len(content[position - 1][2]) > _MAX_MENU_ITEM:
            break  # past the first few lines, only a menu's short items come before it
        first = _plain_heading(line)
        used, question = _join_question(first, preamble, index)
        if question.endswith("?"):
            for _index, skipped_number, skipped in content[:position]:
                warnings.append(f"line {skipped_number}: dropped {skipped!r} before the question")
            return _checked_question(question, source), _without(
                preamble, {*used, *boxed, *(item[0] for item in content[:position])}
            )
        if line.endswith(_SENTENCE_END_CHARS) or len(line) > _MAX_HEADING_LINE:
            break
    if content:
        index, number, line = content[0]
        first = _plain_heading(line)
        words = first.split()
        marked = first != line
        asks = bool(words) and (marked or _starts_like_question(first))
        if asks and len(first) <= _MAX_QUESTION_LENGTH and not first.endswith((".", "!")):
            doubts.append(
                Doubt(QUESTION, number, first, "taken as the question although it has no '?'")
            )
            return _checked_question(first, source), _without(preamble, {index})
    raise LegacyFormatError(
        f"{source}: no question found: expected the page's question (a line ending with "
        "'?') before the summary"
    )


def _without_question_box(
    content: list[tuple[int, int, str]], warnings: list[str], doubts: list[Doubt]
) -> tuple[list[tuple[int, int, str]], set[int]]:
    """The preamble without a box of other questions above the page's ("Popular
    questions" then a run of questions): the box's lines are dropped with warnings, the
    run's last question (the one above the summary) stays, with a doubt."""
    for at, (_index, _number, line) in enumerate(content[:_MAX_LINES_BEFORE_QUESTION]):
        if _heading_key(line) not in _RELATED_HEADINGS:
            continue
        end = at + 1
        while end < len(content) and _plain_heading(content[end][2]).endswith("?"):
            end += 1
        if end - at < 3:  # a heading and one question: that question is the page's
            return content, set()
        box = content[at : end - 1]
        for _i, dropped, text in box:
            warnings.append(f"line {dropped}: dropped {text!r} before the question (a box)")
        kept_index, kept_number, kept = content[end - 1]
        doubts.append(
            Doubt(
                QUESTION,
                kept_number,
                kept,
                f"taken as the question: the last of the questions under {line.strip()!r}, "
                "just above the answer; the others were dropped",
            )
        )
        return [*content[:at], *content[end - 1 :]], {index for index, _n, _t in box}
    return content, set()


def _second_question(
    question: str, preamble: list[_Line], summary: list[_Line], doubts: list[Doubt]
) -> None:
    """A doubt when the page asks two questions: two on the question's line (both make
    the title, and so the id), or a question of its own first in the summary."""
    if _QUESTION_SPLIT_RE.search(question):
        line = next((n for n, text in preamble if question.split("?", 1)[0] in text), 0)
        doubts.append(
            Doubt(
                QUESTION,
                line,
                question,
                "two questions, both taken as the question (the title and the id): check it",
            )
        )
    first = next(((n, text.strip()) for n, text in summary if text.strip()), None)
    if first is not None and _is_own_question(_plain_heading(first[1])):
        doubts.append(
            Doubt(
                QUESTION,
                first[0],
                first[1],
                "a second question, kept as the first line of the summary: check it",
            )
        )


_QUESTION_SPLIT_RE = re.compile(r"\?\s+[\"“(]?[A-Z]")
"""Where one question ends and another begins on the same line: "safe? How much"."""


def _plain_heading(line: str) -> str:
    """A heading or question line without its Markdown: "## **Is it safe?**" and
    "*Starred* question?" are "Is it safe?" and "Starred question?"."""
    text = _HEADING_MARKUP_RE.sub("", line.strip())
    if "](" in text:
        text = _MARKDOWN_LINK_RE.sub(r"\1", text)  # "<h1><a href=...>Does it?</a></h1>"
    if "<sup>" in text:
        text = _SUP_PAIR_RE.sub("", text).strip()  # a citation on the title is not its text
    text = _EMPHASIS_PAIR_RE.sub(r"\2", text)
    return _EMPHASIS_RE.sub("", text).strip()


_MARKDOWN_LINK_RE = re.compile(
    r"\[((?:[^\[\]\\]|\\.)*)\]\(<?([^()<>\s]*(?:\([^()\s]*\))?[^()<>\s]*)>?\)"
)


_EMPHASIS_PAIR_RE = re.compile(r"(\*{1,3}|(?<!\w)_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)")


def _join_question(first: str, preamble: list[_Line], index: int) -> tuple[set[int], str]:
    """The question starting at ``preamble[index]``, joined with the lines it wraps onto."""
    used = {index}
    parts = [first]
    position = index + 1
    while (
        not parts[-1].endswith(_SENTENCE_END_CHARS)
        and len(used) < _MAX_QUESTION_LINES
        and position < len(preamble)
    ):
        following = _plain_heading(preamble[position][1])
        if not following or _heading_kind(following) is not None:
            break
        if _is_own_question(following) and not _starts_like_question(parts[0]):
            break  # "Text size" or a site name, then the question on a line of its own
        if sum(len(part) + 1 for part in parts) + len(following) > _MAX_QUESTION_LENGTH:
            break
        parts.append(following)
        used.add(position)
        position += 1
    question = " ".join(parts)
    if not question.endswith("?"):
        return {index}, first
    return used, question


def _starts_like_question(line: str) -> bool:
    words = line.split()
    return bool(words) and words[0].lower().strip("\"'“‘¿") in _QUESTION_WORDS


def _is_own_question(line: str) -> bool:
    """ "Does acupuncture help?": a line that asks a whole question by itself."""
    return line.endswith("?") and line[:1].isupper() and _starts_like_question(line)


def _without(preamble: list[_Line], used: set[int]) -> list[_Line]:
    return [
        line
        for index, line in enumerate(preamble)
        if index not in used and _heading_key(line[1]) not in _SUMMARY_LABELS
    ]


def _checked_question(question: str, source: str) -> str:
    question = _WHITESPACE_RUN_RE.sub(" ", question).strip()
    if len(question) > _MAX_QUESTION_LENGTH:
        raise LegacyFormatError(
            f"{source}: the question has {len(question)} characters; expected the "
            "question on a line of its own"
        )
    return question


def _paragraphs(lines: Iterable[_Line], warnings: list[str] | None = None) -> list[Paragraph]:
    """Group lines into paragraphs, each knowing the legacy lines it came from.

    Blank lines always separate paragraphs. Inside a block, plain-text exports put one
    paragraph per (long) line, while hand-wrapped text breaks mid-sentence on short
    lines; only the latter are joined, with single spaces. Unordered bullets become
    Markdown's "- ". The rows of a table ("| a | b |", or cells between tabs, which
    become a pipe table) and the lines of a quote ("> ...") are never joined: each run
    of them is one paragraph of lines, as written.
    """
    lines = list(lines)
    if any(_kept_as_lines(line.strip()) for _number, line in lines):
        return _paragraphs_with_blocks(lines, warnings if warnings is not None else [])
    paragraphs: list[Paragraph] = []
    block: list[_Line] = []
    for number, line in [*lines, (0, "")]:
        stripped = line.strip()
        if stripped:
            if _UNORDERED_BULLET_RE.match(stripped) and not _SIGN_START_RE.match(stripped):
                stripped = "- " + _UNORDERED_BULLET_RE.sub("", stripped, count=1).strip()
            block.append((number, stripped))
            continue
        if not block:
            continue
        if _is_wrapped_block([text for _number, text in block]):
            starts: list[tuple[int, int]] = []
            offset = 0
            for block_number, text in block:
                starts.append((offset, block_number))
                offset += len(text) + 1
            paragraphs.append(Paragraph(" ".join(text for _number, text in block), starts))
        else:
            paragraphs.extend(Paragraph(text, [(0, block_number)]) for block_number, text in block)
        block = []
    return paragraphs


def _kept_as_lines(line: str) -> str | None:
    """ "table" for a row of a table, "quote" for a line of a quote, else None."""
    if line.startswith("|") or ("\t" in line and line.split("\t")[0].strip()):
        return "table"
    if line.startswith(">") and not _SIGN_START_RE.match(line):
        return "quote"
    return None


def _paragraphs_with_blocks(lines: list[_Line], warnings: list[str]) -> list[Paragraph]:
    """:func:`_paragraphs` for text with tables or quotes: each run of their lines is one
    paragraph, its lines joined with line breaks; the prose around them as usual."""
    paragraphs: list[Paragraph] = []
    run: list[_Line] = []
    run_kind: str | None = None
    for number, line in [*lines, (0, "")]:
        kind = _kept_as_lines(line.strip()) if line.strip() else None
        if kind != run_kind or not line.strip():
            if run_kind is None:
                paragraphs.extend(_paragraphs(run))
            else:
                paragraphs.append(_line_block(run, run_kind, warnings))
            run, run_kind = [], kind
        run.append((number, line))
    return paragraphs


def _line_block(run: list[_Line], kind: str, warnings: list[str]) -> Paragraph:
    """One paragraph of lines kept as written; rows with tabs become a pipe table."""
    rows = [(number, line.strip()) for number, line in run]
    cells = [[cell.strip() for cell in text.split("\t")] for _number, text in rows]
    if kind == "table" and not rows[0][1].startswith("|") and len(rows) > 1:
        width = max(len(row) for row in cells)
        rows = [
            (
                number,
                "| "
                + " | ".join(c.replace("|", "\\|") for c in [*row, *[""] * (width - len(row))])
                + " |",
            )
            for (number, _text), row in zip(rows, cells, strict=True)
        ]
        rows.insert(1, (rows[0][0], "| " + " | ".join("---" for _ in range(width)) + " |"))
        warnings.append(
            f"line {rows[0][0]}: a table with its cells between tabs was written as a "
            "Markdown table, its first row as the header"
        )
    starts: list[tuple[int, int]] = []
    offset = 0
    for number, text in rows:
        starts.append((offset, number))
        offset += len(text) + 1
    return Paragraph("\n".join(text for _number, text in rows), starts)


_SIGN_START_RE = re.compile(r"^([>+#=])(?=[ \u00a0]?[0-9<=>])")
_STAR_BETWEEN_DIGITS_RE = re.compile(r"(?<=[0-9])\*(?=[0-9])")


def _escape_plain(paragraph: str) -> str:
    r"""Signs of plain text that Markdown would read as syntax, escaped: a paragraph
    starting "> 7.0 mmol/L" or "+ 10%" (a comparison, a sign: not a quote or a bullet),
    "10*9/L" (a power: not emphasis); a power in HTML, in superscript digits.

    >>> print(_escape_plain("> 7.0 mmol/L means diabetes."), _escape_plain("1.0 x 10*9/L"))
    \> 7.0 mmol/L means diabetes. 1.0 x 10\*9/L
    >>> print(_escape_plain("50 × 10<sup>9</sup>/L, 30 kg/m<sup>2</sup>"))
    50 × 10⁹/L, 30 kg/m²
    """
    if "*" in paragraph:
        paragraph = _STAR_BETWEEN_DIGITS_RE.sub(r"\\*", paragraph)
    if "<sup>" in paragraph:  # a power the citation rule left ("10<sup>9</sup>/L"): "10⁹/L"
        paragraph = _SUP_PAIR_RE.sub(lambda m: m[1].translate(_TO_SUPERSCRIPT), paragraph)
    return _SIGN_START_RE.sub(r"\\\1", paragraph)


_TO_SUPERSCRIPT = str.maketrans("0123456789-–,", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻˒")


def _is_wrapped_block(block: list[str]) -> bool:
    if len(block) < 2 or any(_is_list_line(block, i) for i in range(len(block))):
        return False
    inner_lines = block[:-1]
    return all(len(line) <= _MAX_WRAPPED_LINE for line in inner_lines) and any(
        not _SENTENCE_END_RE.search(line) for line in inner_lines
    )


_ORDERED_RE = re.compile(r"^\s*\(?[0-9]{1,3}[.)]\s")


def _is_list_line(block: list[str], index: int) -> bool:
    """Whether line ``index`` of a block is a list item: a bullet, or a number ("2. ")
    unless the line before it has not ended its sentence ("... benefit in 2013" then
    "2. Injections ...": a hand-wrapped line that starts with a citation number)."""
    line = block[index]
    if not _BULLET_RE.match(line):
        return False
    return not (index and _ORDERED_RE.match(line) and not _SENTENCE_END_RE.search(block[index - 1]))


def _doctor_questions(lines: list[_Line], warnings: list[str], doubts: list[Doubt]) -> list[str]:
    """The questions of "What to ask your doctor", without their bullets or numbers.

    A line without a bullet continues the previous question when that one has not ended
    yet (wrapped text); otherwise it is a question of its own. An indented bullet under a
    question that has not ended stays nested under it ("When can I go back to:" /
    "  - driving?"). A
    line led by a footnote
    mark ("† Data from 2000", or "* In adults" in a list whose bullets are "-") that asks
    nothing is a footnote, not a question: it is kept in the list, with a ``question``
    doubt, as is any other line without a bullet and a question mark in a list that has
    bullets.
    """
    styles = {b[0].strip()[:1] for _n, line in lines if (b := _BULLET_RE.match(line))}
    has_bullets = bool(styles)
    questions: list[str] = []
    for number, line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        bullet = _BULLET_RE.match(line)
        mark = _footnote_mark(stripped, styles)
        if bullet and not mark:
            text = bullet["text"].strip()
            stem = questions[-1].split("\n", 1)[0] if questions else ""
            indented = len(line) - len(line.lstrip()) >= 2
            if text and indented and stem and not stem.endswith(("?", ".", "!")):
                questions[-1] = f"{questions[-1]}\n  - {text}"  # a sub-question stays under it
            elif text:
                questions.append(text)
            continue
        if not mark and questions and not questions[-1].endswith(("?", ".", "!")):
            questions[-1] = f"{questions[-1]} {stripped}"
            continue
        if mark or has_bullets:
            text = stripped[len(mark) :].strip() if mark == "*" else stripped
            what = "a footnote" if mark else "a line without a bullet"
            if mark or not stripped.endswith("?"):
                doubts.append(
                    Doubt(
                        QUESTION,
                        number,
                        snippet(stripped, 0, 0),
                        f"{what} in '{SectionTitle.doctor}', kept as a question: check that "
                        "it is one to ask, or move it to the sentence it explains",
                    )
                )
            warnings.append(
                f"line {number}: a footnote in '{SectionTitle.doctor}'; kept as a question: "
                f"{stripped!r}"
                if mark
                else f"line {number}: a line in '{SectionTitle.doctor}' has no bullet; kept as "
                f"a question: {stripped!r}"
            )
            questions.append(text)
            continue
        questions.append(stripped)
    return questions


_FOOTNOTE_MARKS = ("*", "†", "‡", "§", "¶")


def _footnote_mark(line: str, styles: set[str]) -> str:
    """The footnote mark leading ``line`` when it asks nothing ("" otherwise): "†", "‡",
    "§", "¶", or "*" in a list whose other bullets are not "*".

    >>> _footnote_mark("† Data from 2000.", {"-"}), _footnote_mark("* In adults.", {"-", "*"})
    ('†', '*')
    >>> _footnote_mark("* Is it safe?", {"-", "*"}), _footnote_mark("* In adults.", {"*"})
    ('', '')
    """
    mark = line[:1]
    if mark not in _FOOTNOTE_MARKS or line.rstrip().endswith("?"):
        return ""
    if mark == "*" and styles <= {"*"}:
        return ""  # the list's own bullet
    return mark


# --- references -----------------------------------------------------------------------


@dataclass
class _ReferenceList:
    """The entries of a References list: numbered ones by number, the others in order."""

    numbered: dict[int, str] = field(default_factory=dict)
    lines: dict[int, int] = field(default_factory=dict)
    loose: list[tuple[int, str]] = field(default_factory=list)
    """``(line, text)`` of each entry without a number (Harvard lists, bullets)."""


def _read_reference_list(lines: list[_Line], warnings: list[str]) -> _ReferenceList:
    """The entries of a References list, wrapped lines joined; nothing is left out.

    An indented bullet under a numbered entry that does not look like a reference of
    its own (no year;volume, DOI or PMID) goes on that entry. A line that is neither numbered
    nor a bullet goes on the entry without a number
    before it when that entry does not end with a full stop or a bracket (a wrapped
    line); otherwise it is an entry of its own ("van Straten A" may start one).
    """
    found = _ReferenceList()
    current: int | None = None  # the numbered entry being read
    loose_open = False  # whether the last loose entry may go on
    for line_number, line in lines:
        stripped = line.strip()
        if not stripped:
            loose_open = False
            continue
        entry = _REFERENCE_ENTRY_RE.match(stripped)
        if entry:
            number = _entry_number(entry)
            text = entry["text"].strip()
            if number in found.numbered:
                warnings.append(f"reference {number} is listed twice; the second is kept apart")
                found.loose.append((line_number, stripped))
                current, loose_open = None, True
                continue
            found.numbered[number], found.lines[number] = text, line_number
            current, loose_open = number, False
        elif (bullet := _BULLET_RE.match(stripped)) and (
            current is None or not line[:1].isspace() or _REFERENCE_LIKE_RE.search(stripped)
        ):
            # A letter label ("a. Smith J ...") is what a citation "[a]" points at: kept.
            labelled = _LETTER_LABEL_RE.match(stripped) is not None
            found.loose.append((line_number, stripped if labelled else bullet["text"].strip()))
            current, loose_open = None, True
        elif bullet and current is not None:  # a note under an entry ("See also ...")
            found.numbered[current] = f"{found.numbered[current]} {bullet['text'].strip()}"
        elif current is not None:
            found.numbered[current] = _join_wrapped(found.numbered[current], stripped)
        elif loose_open and found.loose and _goes_on(found.loose[-1][1]):
            line_of, text = found.loose[-1]
            found.loose[-1] = (line_of, _join_wrapped(text, stripped))
        else:
            found.loose.append((line_number, stripped))
            loose_open = True
    return found


_CUT_IDENTIFIER_RE = re.compile(r"(?:\bdoi\s*:?\s*|https?://)\S*[./_-]$", re.IGNORECASE)


def _join_wrapped(entry: str, line: str) -> str:
    """``entry`` and its wrapped next ``line``: with a space, except where a DOI or a URL
    was cut at a "." or "/" (neither ends with one), which goes on unbroken.

    >>> _join_wrapped("Rev. 2019. doi:10.1002/14651858.", "CD012424.pub2")
    'Rev. 2019. doi:10.1002/14651858.CD012424.pub2'
    >>> _join_wrapped("Walking and the", "heart. BMJ.")
    'Walking and the heart. BMJ.'
    >>> _join_wrapped("doi:10.1/x.", "Accessed 3 March 2020.")
    'doi:10.1/x. Accessed 3 March 2020.'
    """
    token = line.split(maxsplit=1)[0] if line.strip() else ""
    goes_on = any(c.isdigit() or c in "./_-" for c in token)  # "CD012424.pub2", not "Accessed"
    if _CUT_IDENTIFIER_RE.search(entry) and line[:1].isalnum() and goes_on:
        return entry + line
    return f"{entry} {line}"


_LETTER_LABEL_RE = re.compile(r"^\(?[a-zA-Z][.)]\s")


def _goes_on(entry: str) -> bool:
    """Whether ``line`` continues a References entry without a number (wrapped)."""
    return not entry.endswith((".", ")"))


def _reference_items(
    texts: Mapping[Any, str], lines: Mapping[Any, int], warnings: list[str], doubts: list[Doubt]
) -> dict[Any, dict]:
    """CSL items of entries keyed by number (or by another id), each read as far as it can
    be. An entry whose words are not all in the fields read from it keeps its whole text
    in ``note`` and gets a doubt."""
    items: dict[Any, dict] = {}
    for key, text in texts.items():
        # "a. Smith J ...": read without its letter label, which stays in the note
        label = _LETTER_LABEL_RE.match(text)
        read = _entry_text(text[label.end() :] if label else text)
        item = items[key] = _csl_item(key, read, warnings)
        if "note" in item:  # no title read: the entry is its note already
            item["note"] = text
            decision = "title and journal could not be read; the whole entry is kept as its note"
        elif unread := ([label[0].strip()] if label else []) + unread_words(read, item):
            item["note"] = text
            decision = (
                f"read in part (not in any field: {' '.join(unread)!r}); the whole entry is "
                "kept, word for word, as its note"
            )
        else:
            continue
        number = key if isinstance(key, int) else None
        doubts.append(Doubt(REFERENCE, lines[key], snippet(text, 0, 0), decision, number))
    return items


def _place_loose(
    found: _ReferenceList,
    listed: dict[int, dict] | None,
    citations: list[int],
    warnings: list[str],
    doubts: list[Doubt],
) -> tuple[dict[int, dict] | None, list[dict]]:
    """The entries without numbers, matched or kept: ``(listed, kept apart)``.

    A list with no numbered entry and as many entries as the text cites numbers gives
    each cited number, in order, the entry at its place (a doubt each: the match is by
    place only). Every other entry without a number is kept apart as a reference
    ``unnumbered-K`` (a doubt: nothing cites it), never dropped.
    """
    cited = sorted(set(citations))
    if not listed and found.loose and len(found.loose) == len(cited):
        texts = {n: text for n, (_, text) in zip(cited, found.loose, strict=True)}
        lines = {n: line for n, (line, _) in zip(cited, found.loose, strict=True)}
        found.lines.update(lines)
        placed = _reference_items(texts, lines, warnings, doubts)
        for number, (line, text) in zip(cited, found.loose, strict=True):
            doubts.append(
                Doubt(
                    REFERENCE,
                    line,
                    snippet(text, 0, 0),
                    f"the list has no numbers: matched to citation {number} by its place; "
                    "check that it is the work cited",
                    number,
                )
            )
        return placed, []
    ids = {f"unnumbered-{k}": entry for k, entry in enumerate(found.loose, start=1)}
    kept = _reference_items(
        {i: text for i, (_, text) in ids.items()},
        {i: line for i, (line, _) in ids.items()},
        warnings,
        doubts,
    )
    for ident, (line, text) in ids.items():
        warnings.append(f"a References entry has no number; kept as reference {ident}")
        doubts.append(
            Doubt(
                REFERENCE,
                line,
                snippet(text, 0, 0),
                f"has no number and no citation could be matched to it: kept as reference "
                f"{ident}, which qa validate reports (reference-uncited, an error) until it "
                "is cited or removed",
            )
        )
    return listed, list(kept.values())


def _entry_text(text: str) -> str:
    """A References entry as its fields are read: Markdown links as their text, each
    target after the entry ("[Title](https://pubmed...)."), emphasis marks gone.

    >>> _entry_text("Roe R. [Walks](https://pubmed.gov/1/). *BMJ*. 2020;1:2.")
    'Roe R. Walks. BMJ. 2020;1:2. https://pubmed.gov/1/'
    """
    targets: list[str] = []
    if "](" in text:

        def label(match: re.Match[str]) -> str:
            targets.append(match[2])
            return match[1]

        text = _MARKDOWN_LINK_RE.sub(label, text)
    if "*" in text or "_" in text:
        text = _EMPHASIS_PAIR_RE.sub(r"\2", text)
    return " ".join([text, *targets])


_SUPERSCRIPT_NUMBERS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _entry_number(entry: re.Match[str]) -> int:
    """The number of a References entry: "1.", "[1]", "1)", "1 ", "[^1]:" or "¹"."""
    raw = entry["bracketed"] or entry["dotted"] or entry["bare"] or entry["superscript"]
    return int(raw.translate(_SUPERSCRIPT_NUMBERS))


_IDENTIFIER_LABELS = frozenset(
    {"doi", "pmid", "pmcid", "https", "http", "dx", "www", "org", "pp", "vol", "available"}
    | {"at", "from", "and"}
)
"""Words of an entry that only label or join what the item keeps ("doi:", "PMID:", "pp.",
"Available at:", "Lee, K. and Roe, R.")."""


def unread_words(text: str, item: Mapping[str, Any]) -> list[str]:
    """The words of a References entry that no field of its CSL item holds, in order.

    Initials count as read when the ``given`` name holds their letters ("J. T." and
    "JT"); "et al." when the names end with it; identifier labels always.

    >>> unread_words("Doe J. Walks. Heart. 2020;12:45-67. Erratum in 2021.",
    ...              {"author": [{"family": "Doe", "given": "J"}], "title": "Walks",
    ...               "container-title": "Heart", "issued": 2020, "volume": "12",
    ...               "page": "45-67"})
    ['Erratum', 'in', '2021']
    """
    held: Counter[str] = Counter()

    def hold(value: object) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                hold(inner)
                if key == "given" and isinstance(inner, str) and len(inner) > 1:
                    held.update(ch for ch in inner.casefold() if ch.isalnum())  # "J. T."
                if key == "date-parts" and isinstance(inner, list) and inner:
                    month = inner[0][1:2] if isinstance(inner[0], list) else []
                    held.update(name for name, n in MONTH_NUMBERS.items() if [n] == month)
        elif isinstance(value, list):
            for inner in value:
                hold(inner)
        elif isinstance(value, str | int) and not isinstance(value, bool):
            held.update(_WORD_RE.findall(str(value).casefold()))

    hold({key: value for key, value in item.items() if key != "id"})
    unread = []
    for word in _WORD_RE.findall(text):
        folded = word.casefold()
        if held[folded] > 0:
            held[folded] -= 1
        elif folded not in _IDENTIFIER_LABELS:
            unread.append(word)
    return unread


def _csl_item(number: int | str, text: str, warnings: list[str]) -> dict:
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
    fields = _vancouver_fields(described) or _apa_fields(described) or _harvard_fields(described)
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
    if len(segments) > 3:  # "Does it last? A review." is one title: join at "?" and "!"
        segments = _join_questions(segments)
    if len(segments) == 3:
        authors = _vancouver_authors(segments[0].rstrip("."))
        if authors:
            fields["author"] = authors
        fields["title"] = segments[1].rstrip(".").strip()
        fields["container-title"] = segments[2].rstrip(".").strip()
    fields["issued"] = _issued(match["year"], match["month"], match["day"])
    issue = match["issue"].strip() if match["issue"] else None
    if match["supplement"]:  # "2019;39 Suppl 1:A24": the supplement is CSL's issue
        issue = f"{match['supplement']} ({issue})" if issue else match["supplement"]
    for key, value in (("volume", match["volume"]), ("issue", issue), ("page", match["page"])):
        if value:
            fields[key] = value.strip()
    return fields


def _issued(year: str, month: str | None, day: str | None) -> int | dict:
    """The year, or a CSL date with the month (and day) when the entry names a month.

    >>> _issued("2020", "Mar", "5"), _issued("2020", None, None), _issued("2020", "Suppl", None)
    ({'date-parts': [[2020, 3, 5]]}, 2020, 2020)
    """
    number = MONTH_NUMBERS.get(month.casefold()) if month else None
    if number is None:
        return int(year)  # "2020 Suppl": the word stays unread, and the entry kept as note
    parts = [int(year), number]
    if day and 1 <= int(day) <= 31:
        parts.append(int(day))
    return {"date-parts": [parts]}


def _join_questions(segments: list[str]) -> list[str]:
    """Segments joined where one ends with "?" or "!" and a title goes on after it.

    >>> _join_questions(["Doe J.", "Does it last?", "A review.", "BMJ."])
    ['Doe J.', 'Does it last? A review.', 'BMJ.']
    """
    joined = [segments[0]]
    for segment in segments[1:-1]:
        if len(joined) > 1 and joined[-1].endswith(("?", "!")):
            joined[-1] = f"{joined[-1]} {segment}"
        else:
            joined.append(segment)
    return [*joined, segments[-1]]


def _vancouver_authors(text: str) -> list[dict] | None:
    """``"Schiller JT, Lowy DR, et al"`` → CSL names, or None unless every name reads."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    et_al = bool(names) and bool(_ET_AL_RE.match(names[-1]))
    if et_al:
        names.pop()
    if names and " et al" in names[-1]:
        last, _, tail = names[-1].partition(" et al")
        if _ET_AL_RE.match(f"et al{tail}"):
            names[-1], et_al = last.strip(), True
    authors: list[dict] = []
    for name in names:
        match = _VANCOUVER_AUTHOR_RE.match(name)
        if match:
            author = {"family": match["family"], "given": match["given"]}
            if match["suffix"]:
                author["suffix"] = match["suffix"]  # "Wright JT Jr"
            authors.append(author)
        elif is_group_name(name):
            authors.append({"literal": name})  # "ASCEND Study Collaborative Group"
        else:
            return None
    if authors and et_al:
        authors.append(dict(ET_AL))
    return authors or None


def _apa_authors(text: str) -> list[dict] | None:
    """``"Schiller, J. T., & Lowy, D. R."`` → CSL names, or None unless every name reads."""
    text = text.strip().rstrip(",")
    et_al = False
    for ending in (", et al.", " et al.", ", et al", " et al"):
        if text.endswith(ending):
            text, et_al = text[: -len(ending)], True
            break
    pieces = [piece.strip() for piece in re.split(r",\s*(?:&|and)\s+|\s+(?:&|and)\s+", text)]
    authors: list[dict] = []
    for piece in pieces:
        parts = [part.strip() for part in piece.split(",")]
        if len(parts) % 2:
            return None
        for family, given in zip(parts[0::2], parts[1::2], strict=True):
            match = _APA_AUTHOR_RE.match(f"{family}, {given}")
            if not match:
                return None
            # "T. A." is written "TA", as Vancouver writes it: one form of initials.
            given = match["given"].replace(".", "").replace(" ", "")
            authors.append({"family": match["family"], "given": given})
    if authors and et_al:
        authors.append(dict(ET_AL))
    return authors or None


def _apa_fields(text: str) -> dict:
    """Year, title and journal of "Authors (2013). Title. Journal, 10(7), 400-410."."""
    match = _APA_RE.match(text)
    if not match:
        return {}
    fields: dict = {}
    authors = _apa_authors(match["authors"]) or _vancouver_authors(match["authors"])
    if authors:
        fields["author"] = authors
    fields["issued"] = int(match["year"])
    segments = _SEGMENT_SPLIT_RE.split(match["rest"].strip(), maxsplit=1)
    if len(segments) == 2:
        fields["title"] = segments[0].rstrip(".").strip()
        source = _APA_SOURCE_RE.match(segments[1])
        if source and (source["volume"] or source["issue"]):
            fields["container-title"] = source["container"].strip()
            for key in ("volume", "issue", "page"):
                if source[key]:
                    fields[key] = source[key].strip()
    return fields


def _harvard_fields(text: str) -> dict:
    """Fields of "Authors (2015) 'Title', Journal, 163(3), pp. 191-204." (Harvard style).

    >>> _harvard_fields("Lee, K. and Roe, R. (2015) 'Walks', BMJ, 3(1), pp. 4-9.")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'author': [{'family': 'Lee', 'given': 'K'}, {'family': 'Roe', 'given': 'R'}],
     'title': 'Walks', 'container-title': 'BMJ', 'issued': 2015, 'volume': '3',
     'issue': '1', 'page': '4-9'}
    """
    match = _HARVARD_RE.match(text)
    if not match:
        return {}
    fields: dict = {}
    names = match["authors"].replace(" and ", ", & ")
    authors = _apa_authors(names) or _vancouver_authors(match["authors"])
    if authors:
        fields["author"] = authors
    fields["title"] = match["title"].strip()
    fields["container-title"] = match["container"].strip()
    fields["issued"] = int(match["year"])
    for key in ("volume", "issue", "page"):
        if match[key]:
            fields[key] = match[key].strip()
    return fields


def _uncited_doubts(
    citations: list[int],
    listed: dict[int, dict] | None,
    entry_lines: dict[int, int],
    doubts: list[Doubt],
) -> None:
    """A listed reference that nothing cites: kept, and a doubt, as validate rejects it."""
    cited = set(citations)
    for number, item in (listed or {}).items():
        if number not in cited:
            doubts.append(
                Doubt(
                    REFERENCE,
                    entry_lines.get(number, 0),
                    snippet(str(item.get("title") or item.get("note") or ""), 0, 0),
                    "kept in the references, but the text cites it nowhere: qa validate "
                    "reports it (reference-uncited, an error) until it is cited or removed",
                    number,
                )
            )


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
