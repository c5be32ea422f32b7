"""An answer as HTML: its body through markdown-it-py, its page, the index, its JSON-LD.

Why markdown-it-py: it is already installed (Rich depends on it), follows
CommonMark, and lets us switch raw HTML off and vet every link, so nothing an
answer contains can run in a reader's browser:

- raw HTML in the body is shown as text (``{"html": False}``);
- links and images keep only ``http``, ``https`` and ``mailto`` URLs
  (:func:`safe_link` replaces ``validateLink``); any other link stays text;
- an image is never loaded: it becomes a link to its URL with its alt text
  (:func:`_render_image`), so a page re-served under a looser policy fetches nothing;
- every value taken from the front matter is passed through :func:`html.escape`;
- JSON-LD escapes ``<``, ``>`` and ``&`` as ``\\u003c``... so no value can
  close the ``<script>`` element (or open an HTML comment inside it).

Citations use Pandoc's syntax (``[@1]``, ``[@2; @5]``) and come out as
superscript links to the numbered reference list. References are numbered by
first citation, as a numeric CSL style does: the body ``... [@5] ... [@1]``
gives ``5`` the number 1. References never cited follow, in front-matter order.

One :class:`Renderer` (one MarkdownIt instance) serves a whole export::

    renderer = Renderer()
    doc = renderer.render(answer)
    doc.body_html, doc.summary, doc.references[0].number
    page = answer_page(doc, footer="...", index_href="../index.html")
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import quote

from qa_tool.answerfile.read import Answer
from qa_tool.body import CITE_GROUP, CITE_KEY
from qa_tool.dates import as_date
from qa_tool.model import SectionTitle
from qa_tool.schema import to_json_value

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):")
_CITE_MARK = "\x00"
_PUNCT_AFTER_MARK = frozenset(".,;:!?)]")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ARTICLE_TYPES = frozenset({"article-journal", "article", "review", "paper-conference"})
MAX_AUTHORS = 6

CSS = """\
:root{--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--accent:#0a58a8;--mark:#fff5cc}
*{box-sizing:border-box}
body{margin:0;color:var(--ink);background:#fff;
font:17px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header.site,main,footer{max-width:44rem;margin:0 auto;padding:0 1.25rem}
header.site{padding-top:1rem;font-size:.9rem}
a{color:var(--accent)}
h1{font-size:1.85rem;line-height:1.25;margin:.35rem 0 .5rem}
h2{font-size:1.3rem;line-height:1.3;margin:2rem 0 .6rem;padding-bottom:.3rem;
border-bottom:1px solid var(--line)}
.topic{margin:1.5rem 0 0;color:var(--muted);font-size:.8rem;text-transform:uppercase;
letter-spacing:.08em}
.confidence,.count{margin:0 0 1.5rem;color:var(--muted)}
.body>p:first-child{font-size:1.1rem}
.body ul{padding-left:1.4rem}.body li{margin:.4rem 0}
sup.cite{line-height:0;font-size:.72em;white-space:nowrap}
sup.cite a{text-decoration:none;padding:0 .08em}
.references ol{padding-left:1.8rem;font-size:.92rem}
.references li{margin:.4rem 0;overflow-wrap:anywhere}
.references li:target{background:var(--mark)}
.reviewers{color:var(--muted);font-size:.9rem;margin-top:1.5rem}
footer{margin-top:2.5rem;padding-bottom:2.5rem;color:var(--muted);font-size:.9rem}
footer>p{margin:0;padding-top:1rem;border-top:1px solid var(--line)}
.index ul{list-style:none;padding:0}.index li{margin:.7rem 0}
.index .meta{display:block;color:var(--muted);font-size:.85rem}
nav.topics a{margin-right:.8rem;white-space:nowrap}
table{border-collapse:collapse;margin:1rem 0;display:block;overflow-x:auto}
th,td{border:1px solid var(--line);padding:.35rem .6rem;vertical-align:top}
th{text-align:left}
"""

_HEAD = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
    '<meta name="referrer" content="no-referrer">\n'
)


def safe_link(url: str) -> bool:
    """True for URLs a page may link to: ``http``, ``https`` and ``mailto`` only.

    Relative links, ``javascript:``, ``data:``, ``file:`` and the rest are refused,
    so markdown-it leaves such a link as plain text::

        safe_link("https://doi.org/10.1/x")  # True
        safe_link("javascript:alert(1)")     # False
    """
    match = _SCHEME.match(url)
    return match is not None and match.group(1).lower() in ALLOWED_SCHEMES


def format_date(day: dt.date) -> str:
    """``2026-05-22`` -> ``May 22, 2026``, as the live pages print it (no locale involved)."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def confidence_line(meta: dict[str, Any]) -> str:
    """``moderate confidence · Last reviewed May 22, 2026``, with wording for missing parts."""
    confidence = meta.get("confidence")
    first = f"{confidence} confidence" if confidence else "Confidence not yet rated"
    reviewed = as_date(meta.get("last_reviewed"))
    second = f"Last reviewed {format_date(reviewed)}" if reviewed else "Not yet reviewed"
    return f"{first} · {second}"


def text_of(value: Any) -> str:
    """A front-matter value as display text ('' for None)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------
# References


@dataclass
class Reference:
    """One reference of an answer, resolved: its number, links and display text.

    ``item`` is the CSL item as JSON data (dates as ISO strings); ``links`` maps
    ``doi``, ``pubmed`` and ``url`` to the URLs the page links to.
    """

    number: int
    id: str
    cited: bool
    item: dict[str, Any]
    links: dict[str, str]
    segments: list[tuple[str, str | None]]  # (text, href or None), for text and HTML

    @property
    def text(self) -> str:
        return "".join(text for text, _href in self.segments)

    @property
    def html(self) -> str:
        return "".join(
            f'<a href="{escape(href)}">{escape(text)}</a>' if href else escape(text)
            for text, href in self.segments
        )

    def to_dict(self) -> dict[str, Any]:
        """The reference as exported: number, then the CSL item, then links and text."""
        return {
            "number": self.number,
            "cited": self.cited,
            **self.item,
            "id": self.id,
            "links": dict(self.links),
            "text": self.text,
        }


def doi_url(doi: str) -> str:
    """``10.1038/x`` (also ``doi:10...`` or a doi.org URL) -> ``https://doi.org/10.1038/x``."""
    value = doi.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
            break
    return "https://doi.org/" + quote(value, safe="/:;()._-")


def pubmed_url(pmid: str) -> str:
    """The PubMed page of an article, from its PMID."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def _year(issued: Any) -> str:
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return text_of(parts[0][0])
        return text_of(issued.get("literal") or issued.get("raw"))
    return text_of(issued)


def initials_of(given: str) -> str:
    """Vancouver initials of given names: "Hsin Yi", "H. Y." and "HY" all give "HY".

    >>> initials_of("HY"), initials_of("Hsin-Yi"), initials_of("J. P."), initials_of("")
    ('HY', 'HY', 'JP', '')
    """
    words = [word for word in re.split(r"[\s.\-‐]+", given) if word]
    return "".join(word if word.isupper() and word.isalpha() else word[0] for word in words)


def _names(authors: Any) -> str:
    if not isinstance(authors, list):
        return ""
    names = []
    for person in authors:
        if isinstance(person, dict):
            family, given = text_of(person.get("family")), text_of(person.get("given"))
            parts = (family, initials_of(given), text_of(person.get("suffix")))
            name = " ".join(p for p in parts if p) or text_of(person.get("literal"))
        else:
            name = text_of(person)
        if name:
            names.append(name)
    if len(names) > MAX_AUTHORS:
        names = [*names[:MAX_AUTHORS], "et al"]
    return ", ".join(names)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


def resolve_reference(item: dict[str, Any], number: int, cited: bool) -> Reference:
    """A CSL item as a numbered reference in a Vancouver-like style, with its links."""
    ref_id = text_of(item.get("id"))
    links: dict[str, str] = {}
    segments: list[tuple[str, str | None]] = []

    def add(text: str, href: str | None = None) -> None:
        if text:
            segments.append((text, href))

    authors = _names(item.get("author"))
    title = text_of(item.get("title")).strip()
    # Vancouver and AMA name the journal by its abbreviation (Nat Med) where there is one
    container = text_of(item.get("container-title-short") or item.get("container-title")).strip()
    year = _year(item.get("issued"))
    volume, issue = text_of(item.get("volume")), text_of(item.get("issue"))
    page = text_of(item.get("page"))
    add(_sentence(authors) + " " if authors else "")
    add(_sentence(title) + " " if title else "")
    add(_sentence(container) + " " if container else "")
    where = year
    if volume:
        where += f";{volume}" if where else volume
        if issue:
            where += f"({issue})"
    if page:
        where += f":{page}" if where else page
    add(where + ". " if where else "")

    doi = text_of(item.get("DOI")).strip()
    if doi:
        links["doi"] = doi_url(doi)
        add("doi:")
        add(doi, links["doi"])
        add(". ")
    pmid = text_of(item.get("PMID")).strip()
    if pmid:
        if pmid.isascii() and pmid.isdigit():
            links["pubmed"] = pubmed_url(pmid)
        add("PMID: ")
        add(pmid, links.get("pubmed"))
        add(". ")
    url = text_of(item.get("URL")).strip()
    if url:
        if safe_link(url) and not url.lower().startswith("mailto:"):
            links["url"] = url
        add(url, links.get("url"))
        add(" ")
    if not segments:
        add(f'Reference "{ref_id}": details not recorded.' if ref_id else "Details not recorded.")
    while segments and segments[-1][1] is None and not segments[-1][0].strip():
        segments.pop()
    if segments and segments[-1][1] is None:
        segments[-1] = (segments[-1][0].rstrip(), None)
    return Reference(number, ref_id, cited, to_json_value(item), links, segments)


def number_references(references: Any, cited_keys: Sequence[str]) -> list[Reference]:
    """Number references by first citation, then the uncited ones in their order.

    ``references`` is the front-matter list (anything else gives no references);
    entries that are not mappings are skipped; a repeated id keeps its first entry.
    """
    items: dict[str, dict[str, Any]] = {}
    if isinstance(references, list):
        for entry in references:
            if isinstance(entry, dict) and entry.get("id") is not None:
                items.setdefault(text_of(entry["id"]), entry)
    ordered = [k for k in dict.fromkeys(cited_keys) if k in items]
    cited = set(ordered)
    ordered += [k for k in items if k not in cited]
    return [resolve_reference(items[k], n, k in cited) for n, k in enumerate(ordered, 1)]


# ---------------------------------------------------------------------------
# The body: markdown-it-py with a citation rule


def _citation_rule(state: Any, silent: bool) -> bool:
    """Inline rule: ``[@a; @b]`` becomes one ``citation`` token with ``meta["keys"]``."""
    if state.src[state.pos] != "[":
        return False
    match = CITE_GROUP.match(state.src, state.pos)
    if not match:
        return False
    keys = _citation_keys(match.group(1))
    if not keys:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.content = match.group(0)
        token.meta = {"keys": keys}
    state.pos = match.end()
    return True


def _tidy_citations(tokens: Sequence[Any], numbers: dict[str, int]) -> None:
    """Drop the space before a citation that becomes a superscript: ``claim¹.``."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        children = block.children
        for i in range(1, len(children)):
            token, before = children[i], children[i - 1]
            if (
                token.type == "citation"
                and before.type == "text"
                and any(k in numbers for k in token.meta["keys"])
            ):
                before.content = before.content.rstrip(" \t")


def _render_citation(self: Any, tokens: Sequence[Any], idx: int, options: Any, env: dict) -> str:
    numbers: dict[str, int] = env.get("numbers", {})
    keys = tokens[idx].meta["keys"]
    if not any(k in numbers for k in keys):
        return escape(tokens[idx].content)
    return _citation_html(keys, numbers)


def _citation_html(keys: Sequence[str], numbers: dict[str, int]) -> str:
    """A citation with at least one known key: superscript links to the numbered references."""
    parts = [
        f'<a href="#ref-{numbers[k]}" aria-label="Reference {numbers[k]}">{numbers[k]}</a>'
        if k in numbers
        else f'<span class="cite-unknown">{escape(k)}</span>'
        for k in keys
    ]
    return f'<sup class="cite">{",".join(parts)}</sup>'


def _render_image(self: Any, tokens: Sequence[Any], idx: int, options: Any, env: dict) -> str:
    """An image as a link to it, its alt text (or "image") the link's text; never ``<img>``.

    The page loads no external asset; a reader who wants the picture can follow the link.
    Inside a link (a linked picture) only the alt text is shown: links never nest.
    """
    token = tokens[idx]
    alt = escape(self.renderInlineAsText(token.children or [], options, env).strip() or "image")
    if _link_depths(tokens, env)[idx] > 0:
        return f'<span class="image">{alt}</span>'
    href = escape(token.attrGet("src") or "")
    title = token.attrGet("title")
    title_attr = f' title="{escape(title)}"' if title else ""
    return f'<a class="image" href="{href}"{title_attr}>{alt}</a>'


def _link_depths(tokens: Sequence[Any], env: dict) -> list[int]:
    """How many links are open before each token of an inline run (once per run)."""
    cache = env.setdefault("link_depths", {})
    depths = cache.get(id(tokens))
    if depths is None:
        depths, depth = [], 0
        for token in tokens:
            depths.append(depth)
            depth += (token.type == "link_open") - (token.type == "link_close")
        cache[id(tokens)] = depths
    return depths


def _plain_text(parts: list[str]) -> str:
    """Pieces of an inline run (citations as :data:`_CITE_MARK`) as one line of plain text."""
    text = "".join(parts)
    if _CITE_MARK in text:
        text = _without_marks(text)
    return " ".join(text.split())


def _without_marks(text: str) -> str:
    """Citation marks dropped with the blanks before them when punctuation or the end
    follows (``claim [@1].`` -> ``claim.``), else each made a space.

    >>> m = _CITE_MARK
    >>> _without_marks(f"a {m}{m}. b {m} c {m}")
    'a. b   c'
    """
    pieces = text.split(_CITE_MARK)
    out = [pieces[0]]
    last = len(pieces) - 1
    for n in range(1, len(pieces)):
        piece = pieces[n]
        if not piece and n < last:
            continue  # another mark of the same run follows
        if not piece or piece[0] in _PUNCT_AFTER_MARK:
            out[-1] = out[-1].rstrip(" \t")
        else:
            out.append(" ")
        out.append(piece)
    return "".join(out)


def _plain(inline: Any) -> tuple[str, list[str]]:
    """The text of an inline token without markup or citations, and its citation keys."""
    parts: list[str] = []
    keys: dict[str, None] = {}  # in order, each once, in linear time
    for child in inline.children or ():
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind == "citation":
            parts.append(_CITE_MARK)
            keys.update(dict.fromkeys(child.meta["keys"]))
        elif kind == "image":
            parts.append(child.content)
    return _plain_text(parts), list(keys)


@dataclass
class RenderedAnswer:
    """An answer with everything an export needs, from one parse of its body."""

    answer: Answer
    body_html: str
    summary: str
    research: list[dict[str, Any]]
    doctor_questions: list[str]
    references: list[Reference]

    @property
    def meta(self) -> dict[str, Any]:
        return self.answer.meta

    @property
    def title(self) -> str:
        return text_of(self.meta.get("title")) or self.answer.path.stem

    @property
    def topic(self) -> str:
        return text_of(self.meta.get("topic"))


class _Sections:
    """What the export takes from the body's inline runs, in order: summary, research, questions.

    ``pending`` says what an inline run belongs to, as markdown-it's token stream
    shows it: ``"heading"``, ``"para"`` (a paragraph at the top level) or ``"item"``
    (the first paragraph of a top-level list item); None for anything else.
    """

    _RESEARCH = SectionTitle.research.casefold()
    _DOCTOR = SectionTitle.doctor.casefold()

    def __init__(self) -> None:
        self.summary: list[str] = []
        self.research: list[dict[str, Any]] = []
        self.questions: list[str] = []
        self.cited: list[str] = []
        self.section = ""  # "" before the first heading, then the heading's casefold

    def add(self, pending: str | None, text: str, keys: list[str]) -> None:
        self.cited.extend(keys)
        if pending == "heading":
            self.section = text.casefold()
        elif pending == "para" and self.section == "":
            self.summary.append(text)
        elif pending in ("para", "item") and self.section == self._RESEARCH:
            self.research.append({"text": text, "citations": keys})
        elif pending == "item" and self.section == self._DOCTOR:
            self.questions.append(text)


# The compiled path: cmark (cmarkgfm) for bodies in the plain subset of CommonMark.

ODD_SPACES = (
    "\t\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Every character ``str.isspace`` accepts but a space and a line break."""
_ODD_CHAR = re.compile(f"[<`\ue000-\uf8ff{ODD_SPACES}]")
_ODD_TEXT = ("](", "]:", "~~~", "***", "___", "*&", "_&", ";*", ";_", "|")
_ODD_LINE = re.compile(
    r"\n[ >]*(?:(?:[-+*]|\d+[.)]) *(?=\n)|(?:(?:[-+*]|\d+[.)]) +)*(?:[-*_] *){3,}(?=\n))"
)
_BREAK_INDENT = re.compile(r"\n(?:(?<=\\\n)|(?<=  \n)) ")
_BACKSLASH_SPACES = re.compile(r"\\ +\n")


def plain_subset(body: str) -> bool:
    """Whether cmark renders ``body`` as markdown-it does, so the compiled path may take it.

    Refused: anything raw HTML or an autolink could start (``<``), links, images and
    link definitions (``](``, ``]:``), pipe tables (``|``: cmark, without GitHub's
    extensions, reads them as text), code spans and fences, private-use characters
    (the citation placeholders), whitespace other than spaces and line breaks (tabs,
    no-break spaces: markdown-it-py strips these where CommonMark does not), empty list
    items, runs of three ``*`` or ``_``, an entity next to ``*`` or ``_``, thematic
    breaks, a hard line break before an indented line, a backslash before trailing
    spaces, and a body not ending in a line break. ``tests/test_render_fast.py``
    compares both renderers on generated bodies.

    >>> plain_subset("Green tea helps [@1].\\n"), plain_subset("See <b>this</b>.\\n")
    (True, False)
    """
    if body and not body.endswith("\n"):
        return False
    if any(text in body for text in _ODD_TEXT):
        return False
    if _ODD_CHAR.search(body) or _BREAK_INDENT.search(body) or _BACKSLASH_SPACES.search(body):
        return False
    return _ODD_LINE.search("\n" + body) is None


_MARK_BASE = 0xE100
_MARK_LIMIT = 0xF8FF - _MARK_BASE
_PLACED = re.compile("[\ue100-\uf8ff]")
"""The character of a placeholder (its ``[`` and ``]`` stand either side of it)."""
_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_INLINE = frozenset({"em", "strong", "code", "br"})
_ENTITIES = (("&quot;", '"'), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


class _NotPlain(Exception):
    """The body needs markdown-it (see :func:`plain_subset`)."""


def _citation_keys(group: str) -> list[str]:
    """The keys of a citation group's inside (``@1; @2``), each once, in order."""
    return list(dict.fromkeys(k.group(1).rstrip(".,;:") for k in CITE_KEY.finditer(group)))


def _escape_code(text: str) -> str:
    """Escaped as markdown-it escapes text (``&``, ``<``, ``>``, ``"``; not ``'``)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _placeholders(body: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """The body with each citation group as ``[`` + one private-use character + ``]``.

    The brackets stay, so emphasis around a citation is read as around the group;
    what is inside the group is not Markdown, as with markdown-it's citation rule.
    Returns the new text and, for each placeholder, the group's source and keys.
    """
    groups: list[tuple[str, list[str]]] = []

    def place(match: re.Match[str]) -> str:
        keys = _citation_keys(match.group(1))
        if not keys:
            return match.group(0)
        if "\n" in match.group(0) or body[match.start() - 1 : match.start()] == "\\":
            raise _NotPlain
        if len(groups) >= _MARK_LIMIT:
            raise _NotPlain
        groups.append((match.group(0), keys))
        return "[" + chr(_MARK_BASE + len(groups) - 1) + "]"

    return CITE_GROUP.sub(place, body), groups


class _Walk:
    """Reads cmark's HTML as markdown-it's tokens would be read (see :class:`_Sections`).

    Inline runs are the contents of ``<p>`` and ``<h1>``..``<h6>``, and the text
    directly inside a ``<li>`` (a tight list hides its paragraphs' tags). cmark
    escapes ``&``, ``<``, ``>`` and ``"`` in text, so every ``<`` starts a tag.
    ``in_code`` collects the placeholders inside code blocks (their source stays text).
    """

    def __init__(self, groups: list[tuple[str, list[str]]], sections: _Sections) -> None:
        self.groups = groups
        self.sections = sections
        self.in_code: set[int] = set()
        self.stack: list[str] = []
        self.pending: str | None = None
        self.run: list[str] | None = None  # the pieces of the open inline run
        self.keys: dict[str, None] = {}
        self.run_end = ""  # the tag that closes the run, or "" for a tight item's text
        self.pre = False

    def walk(self, html: str) -> None:
        for piece in html.split("<")[1:]:
            tag, _, text = piece.partition(">")
            closing = tag[:1] == "/"
            name = tag[1:] if closing else tag.partition(" ")[0]
            if name in _INLINE:
                if self.run is None and self._in_item():
                    self._open_run("", nested=True)
                if name == "br" and self.run is not None:
                    self.run.append(" ")
            else:
                self._block(name, closing)
            if text:
                self._text(text)

    def _in_item(self) -> bool:
        return not self.pre and bool(self.stack) and self.stack[-1] == "li"

    def _open_run(self, end: str, nested: bool) -> None:
        if nested and self.pending != "item":  # a nested paragraph belongs to nothing
            self.pending = None
        self.run, self.keys, self.run_end = [], {}, end

    def _block(self, name: str, closing: bool) -> None:
        if self.run is not None and (not self.run_end or (closing and name == self.run_end)):
            self.sections.add(self.pending, _plain_text(self.run), list(self.keys))
            self.pending, self.run = None, None
        if name == "pre":
            self.pre = not closing
            return
        if name not in _BLOCKS:
            return
        if closing:
            self.stack.pop()
            return
        if name in _HEADINGS:
            self.pending = "heading"
            self._open_run(name, nested=False)
        elif name == "p":
            if not self.stack:
                self.pending = "para"
            self._open_run("p", nested=bool(self.stack))
        elif name == "li":
            self.pending = "item" if len(self.stack) == 1 else None
        self.stack.append(name)

    def _text(self, text: str) -> None:
        if self.run is None:
            if self.pre:  # a code block: its placeholders go back to the source text
                self.in_code.update(ord(m.group()) - _MARK_BASE for m in _PLACED.finditer(text))
                return
            if not self._in_item() or not text.strip("\n"):
                return  # cmark's own line breaks between blocks are not text
            self._open_run("", nested=True)
        run = self.run
        assert run is not None
        at = 0
        for match in _PLACED.finditer(text):
            run.append(_unescape(text[at : match.start() - 1]))
            run.append(_CITE_MARK)
            self.keys.update(dict.fromkeys(self.groups[ord(match.group()) - _MARK_BASE][1]))
            at = match.end() + 1
        run.append(_unescape(text[at:]))


def _unescape(text: str) -> str:
    if "&" in text:
        for entity, char in _ENTITIES:
            text = text.replace(entity, char)
    return text.replace("\n", " ")


@functools.cache
def _libc_free() -> Any:
    """The C library's ``free``, which cmark's default allocator pairs with; None where
    it cannot be found (Windows: a module may link another C runtime)."""
    import ctypes
    import sys

    if sys.platform == "win32":
        return None
    try:
        free = ctypes.CDLL(None).free
    except (OSError, AttributeError):
        return None
    free.argtypes = [ctypes.c_void_p]
    free.restype = None
    return free


def _cmark_html(text: str) -> str:
    """cmark's HTML of ``text``: ``cmarkgfm.markdown_to_html``, with its buffer freed.

    cmark hands the caller a buffer to free, which cmarkgfm never does: some 5 KB a
    body, 140 MB in each worker of a cold export of 100,000 answers. Where ``free``
    cannot be found, cmarkgfm's own function (the buffer stays allocated).
    """
    import cmarkgfm

    free = _libc_free()
    if free is None:
        return cmarkgfm.markdown_to_html(text)
    from cmarkgfm import _cmark

    encoded = text.encode("utf-8")
    raw = _cmark.lib.cmark_markdown_to_html(encoded, len(encoded), 0)
    try:
        return _cmark.ffi.string(raw).decode("utf-8")
    finally:
        free(int(_cmark.ffi.cast("uintptr_t", raw)))


def _fast_render(body: str) -> tuple[str, _Sections, Any] | None:
    """cmark's HTML of a body in the plain subset, its sections, and how to finish the HTML."""
    if not plain_subset(body):
        return None
    try:
        text, groups = _placeholders(body)
    except _NotPlain:
        return None
    html = _cmark_html(text).replace("<blockquote>\n</blockquote>", "<blockquote></blockquote>")
    sections = _Sections()
    walk = _Walk(groups, sections)
    walk.walk(html)
    in_code = walk.in_code

    def finish(numbers: dict[str, int]) -> str:
        out: list[str] = []
        at = 0
        for match in _PLACED.finditer(html):
            start = match.start() - 1  # the placeholder's "["
            number = ord(match.group()) - _MARK_BASE
            source, keys = groups[number]
            if number in in_code:
                shown = _escape_code(source)
            elif not any(k in numbers for k in keys):
                shown = escape(source)
            else:  # a superscript: the blanks before it go (markdown-it's _tidy_citations)
                while start > at and html[start - 1] in " \t":
                    start -= 1
                shown = _citation_html(keys, numbers)
            out.append(html[at:start])
            out.append(shown)
            at = match.end() + 1
        out.append(html[at:])
        return "".join(out)

    return html, sections, finish


class Renderer:
    """Renders answers' bodies for an export: cmark where it agrees with markdown-it, else
    one configured MarkdownIt (made on first need), reused for every answer.

    cmark (through cmarkgfm) parses and renders in C, about twenty times faster than
    markdown-it-py. It is used for bodies in the plain subset (:func:`plain_subset`):
    no raw HTML, links, images, fences or unusual whitespace, where both give the
    same HTML byte for byte (``tests/test_render_fast.py`` compares them). Every
    other body goes through markdown-it with its safety rules (raw HTML as text,
    :func:`safe_link`, images as links).
    """

    def __init__(self) -> None:
        self._md: Any = None

    @property
    def md(self) -> Any:
        """The MarkdownIt instance of the full path."""
        if self._md is None:
            from markdown_it import MarkdownIt

            md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
            md.enable("table")  # pipe tables, as qa convert writes a legacy page's tables
            md.validateLink = safe_link  # type: ignore[method-assign]
            md.inline.ruler.before("link", "citation", _citation_rule)
            md.add_render_rule("citation", _render_citation)
            md.add_render_rule("image", _render_image)
            self._md = md
        return self._md

    def render(self, answer: Answer, *, compiled: bool = True) -> RenderedAnswer:
        """Everything an export needs of ``answer``; ``compiled=False`` forces markdown-it."""
        fast = _fast_render(answer.body) if compiled else None
        if fast is not None:
            _html, sections, finish = fast
            references = number_references(answer.meta.get("references"), sections.cited)
            body_html = finish({r.id: r.number for r in references if r.cited})
        else:
            sections, references, body_html = self._render_markdown_it(answer)
        return RenderedAnswer(
            answer,
            body_html,
            "\n\n".join(sections.summary),
            sections.research,
            sections.questions,
            references,
        )

    def _render_markdown_it(self, answer: Answer) -> tuple[_Sections, list[Reference], str]:
        env: dict[str, Any] = {}
        tokens = self.md.parse(answer.body, env)
        sections = _Sections()
        pending = None  # what the next inline token is: "heading", "para" or "item"
        for token in tokens:
            kind = token.type
            if kind == "heading_open":
                pending = "heading"
            elif kind == "paragraph_open":
                if token.level == 0:
                    pending = "para"
                elif pending != "item":
                    pending = None
            elif kind == "list_item_open":
                pending = "item" if token.level == 1 else None
            elif kind == "inline":
                text, keys = _plain(token)
                sections.add(pending, text, keys)
                pending = None
        references = number_references(answer.meta.get("references"), sections.cited)
        env["numbers"] = {r.id: r.number for r in references if r.cited}
        _tidy_citations(tokens, env["numbers"])
        return sections, references, self.md.renderer.render(tokens, self.md.options, env)


# ---------------------------------------------------------------------------
# JSON-LD and pages


def script_json(data: Any) -> str:
    """JSON safe inside ``<script>``: every ``<``, ``>`` and ``&`` written as a ``\\u`` escape.

    Escaping every ``<`` (not only ``</``) also keeps ``<!--`` out, which would
    otherwise change how the browser looks for ``</script>``. JSON parsers read
    the escapes back as the original characters.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _person(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {"@type": "Person", "name": text_of(value)}
    person: dict[str, Any] = {"@type": "Person", "name": text_of(value.get("name"))}
    if value.get("credentials"):
        person["description"] = text_of(value["credentials"])
    if value.get("affiliation"):
        person["affiliation"] = {"@type": "Organization", "name": text_of(value["affiliation"])}
    orcid = text_of(value.get("orcid"))
    if orcid:
        person["sameAs"] = f"https://orcid.org/{quote(orcid)}"
    return person


def _people(value: Any) -> list[dict[str, Any]]:
    return [_person(p) for p in value] if isinstance(value, list) else []


def _citation_ld(ref: Reference) -> dict[str, Any]:
    kind = "ScholarlyArticle" if ref.item.get("type") in _ARTICLE_TYPES else "CreativeWork"
    work: dict[str, Any] = {"@type": kind, "name": text_of(ref.item.get("title")) or ref.text}
    url = ref.links.get("doi") or ref.links.get("pubmed") or ref.links.get("url")
    if url:
        work["url"] = url
    container = text_of(ref.item.get("container-title"))
    if container:
        work["isPartOf"] = {"@type": "Periodical", "name": container}
    year = _year(ref.item.get("issued"))
    if year:
        work["datePublished"] = year
    ids = [
        {"@type": "PropertyValue", "propertyID": name, "value": text_of(ref.item.get(name))}
        for name in ("DOI", "PMID", "PMCID")
        if ref.item.get(name)
    ]
    if ids:
        work["identifier"] = ids
    return work


def json_ld(doc: RenderedAnswer) -> dict[str, Any]:
    """The page's schema.org ``MedicalWebPage``: lastReviewed, reviewedBy, audience, citation."""
    meta = doc.meta
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": doc.title,
        "identifier": doc.answer.id or doc.answer.path.stem,
        "inLanguage": "en",
        "audience": {"@type": "Patient"},
    }
    if doc.summary:
        data["description"] = doc.summary
    if doc.topic:
        data["about"] = {"@type": "MedicalEntity", "name": doc.topic}
    created = as_date(meta.get("created"))
    if created:
        data["dateCreated"] = created.isoformat()
    reviewed = as_date(meta.get("last_reviewed"))
    if reviewed:
        data["lastReviewed"] = reviewed.isoformat()
    reviewers = _people(meta.get("reviewed_by"))
    if reviewers:
        data["reviewedBy"] = reviewers
    authors = _people(meta.get("authors"))
    if authors:
        data["author"] = authors
    tags = meta.get("tags")
    if isinstance(tags, list) and tags:
        data["keywords"] = ", ".join(text_of(t) for t in tags)
    if doc.references:
        data["citation"] = [_citation_ld(r) for r in doc.references]
    return data


def _reviewers_line(meta: dict[str, Any]) -> str:
    people = meta.get("reviewed_by")
    if not isinstance(people, list):
        return ""
    names = []
    for person in people:
        if isinstance(person, dict):
            name = text_of(person.get("name"))
            if person.get("credentials"):
                name += ", " + text_of(person["credentials"])
        else:
            name = text_of(person)
        if name:
            names.append(name)
    return "; ".join(names)


def answer_page(doc: RenderedAnswer, footer: str | None, index_href: str) -> str:
    """One answer's page, laid out like the live page, with its JSON-LD."""
    title = escape(doc.title)
    out = [
        _HEAD,
        f"<title>{title}</title>\n<style>\n{CSS}</style>\n",
        f'<script type="application/ld+json">{script_json(json_ld(doc))}</script>\n',
        "</head>\n<body>\n",
        f'<header class="site"><a href="{escape(index_href)}">All answers</a></header>\n',
        "<main>\n<article>\n",
    ]
    if doc.topic:
        out.append(f'<p class="topic">{escape(doc.topic)}</p>\n')
    out.append(f"<h1>{title}</h1>\n")
    out.append(f'<p class="confidence">{escape(confidence_line(doc.meta))}</p>\n')
    out.append(f'<div class="body">\n{doc.body_html}</div>\n')
    if doc.references:
        out.append(
            '<section class="references" aria-labelledby="references">\n'
            '<h2 id="references">References</h2>\n<ol>\n'
        )
        for ref in doc.references:
            out.append(f'<li id="ref-{ref.number}" value="{ref.number}">{ref.html}</li>\n')
        out.append("</ol>\n</section>\n")
    reviewers = _reviewers_line(doc.meta)
    if reviewers:
        out.append(f'<p class="reviewers">Reviewed by {escape(reviewers)}</p>\n')
    out.append("</article>\n</main>\n")
    if footer:
        out.append(f"<footer><p>{escape(footer)}</p></footer>\n")
    out.append("</body>\n</html>\n")
    return "".join(out)


@dataclass(frozen=True)
class IndexEntry:
    """What the index shows of one answer; ``href`` is relative to the index page."""

    topic: str
    title: str
    href: str
    line: str


def topic_anchor(topic: str) -> str:
    """The index page's anchor for a topic: ``topic-womens-health``."""
    return "topic-" + ("-".join(re.findall(r"[a-z0-9]+", topic.lower())) or "none")


def index_page(entries: Sequence[IndexEntry], topic_order: Sequence[str]) -> str:
    """The index: answers grouped by topic (library order, then others A-Z), titles A-Z."""
    groups: dict[str, list[IndexEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.topic, []).append(entry)
    rank = {name: n for n, name in enumerate(topic_order)}
    topics = sorted(groups, key=lambda t: (t not in rank, rank.get(t, 0), t.casefold(), t))
    count = len(entries)
    out = [
        _HEAD,
        f"<title>Answers</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        '<main class="index">\n<h1>Answers</h1>\n',
        f'<p class="count">{count} answer{"s" if count != 1 else ""}</p>\n',
    ]
    if len(topics) > 1:
        links = " ".join(
            f'<a href="#{topic_anchor(t)}">{escape(t or "No topic")}</a>' for t in topics
        )
        out.append(f'<nav class="topics">{links}</nav>\n')
    for topic in topics:
        out.append(
            f'<section>\n<h2 id="{topic_anchor(topic)}">{escape(topic or "No topic")}</h2>\n<ul>\n'
        )
        for entry in sorted(groups[topic], key=lambda e: (e.title.casefold(), e.href)):
            out.append(
                f'<li><a href="{escape(entry.href)}">{escape(entry.title)}</a>'
                f'<span class="meta">{escape(entry.line)}</span></li>\n'
            )
        out.append("</ul>\n</section>\n")
    out.append("</main>\n</body>\n</html>\n")
    return "".join(out)
