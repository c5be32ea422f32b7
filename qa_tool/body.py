"""The parts of an answer's Markdown body.

An answer's body is a summary paragraph, then ``## What the research says``
with cited paragraphs, then ``## What to ask your doctor`` with a list of
questions. Citations use Pandoc's syntax: ``[@1]``, ``[@2; @5]``.

Text a template leaves for the writer to replace carries the marker
``qa:placeholder`` (in the body as ``<!-- qa:placeholder -->``, which renders as
nothing; in front matter as a ``# qa:placeholder`` comment), so ``grep -rn
qa:placeholder answers/`` lists what is left and ``qa validate`` can refuse it
outside drafts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PLACEHOLDER_MARKER = "qa:placeholder"

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
# The citation syntax ([@1; @2]): what qa validate checks and qa export renders.
CITE_GROUP = re.compile(r"\[([^\[\]]*@[^\[\]]*)\]")
CITE_KEY = re.compile(r"-?@([A-Za-z0-9_][A-Za-z0-9_:.#$%&+?<>~/-]*)")
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+(.*\S)\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


@dataclass
class Section:
    """A ``#`` heading and the body lines under it, up to the next heading."""

    title: str
    line: int  # 0-based line of the heading within the body
    level: int
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()

    @property
    def list_items(self) -> list[str]:
        return [m.group(1) for line in self.lines if (m := _LIST_ITEM.match(line))]

    @property
    def paragraphs(self) -> list[str]:
        """Blocks separated by blank lines, list items excluded."""
        out: list[str] = []
        current: list[str] = []
        for line in self.lines:
            if not line.strip() or _LIST_ITEM.match(line):
                if current:
                    out.append(" ".join(s.strip() for s in current))
                    current = []
                continue
            current.append(line)
        if current:
            out.append(" ".join(s.strip() for s in current))
        return out


@dataclass
class Body:
    """An answer's body split at its headings: the summary, then each section."""

    summary: Section
    sections: list[Section]

    def section(self, title: str) -> Section | None:
        wanted = title.casefold()
        return next((s for s in self.sections if s.title.casefold() == wanted), None)


def parse_body(body: str) -> Body:
    """Split a body at its headings (any level), ignoring fenced code blocks."""
    summary = Section("", 0, 0)
    sections: list[Section] = []
    current = summary
    in_fence = False
    for n, line in enumerate(body.split("\n")):
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading:
            current = Section(heading.group(2).strip(), n, len(heading.group(1)))
            sections.append(current)
        else:
            current.lines.append(line)
    return Body(summary, sections)


@dataclass(frozen=True)
class Citation:
    """One ``[@key]`` citation in the body, with the line it is on."""

    key: str
    line: int  # 0-based line within the body


def citations(body: str) -> list[Citation]:
    """Every ``[@key]`` citation in the body, in order (keys of a group each count)."""
    found = []
    for n, line in enumerate(body.split("\n")):
        if "@" not in line:
            continue
        for group in CITE_GROUP.finditer(line):
            for key in CITE_KEY.finditer(group.group(1)):
                found.append(Citation(key.group(1).rstrip(".,;:"), n))
    return found


def malformed_citations(body: str) -> list[tuple[int, str]]:
    """``(0-based line, group)`` for each citation group with a part that holds no key.

    Every part between ``;`` of ``[...@...]`` must cite a key (``[@1; @2]``):
    ``[@]``, ``[@-]``, ``[@1; ]`` and ``[@1;; @2]`` cite nothing where a key is
    expected, and Pandoc would print them as text.

    >>> malformed_citations("Fine [@1; @2].\\nBad [@] and [@1; ].\\n")
    [(1, '[@]'), (1, '[@1; ]')]
    """
    found = []
    for n, line in enumerate(body.split("\n")):
        if "@" not in line:
            continue
        for group in CITE_GROUP.finditer(line):
            if not all(CITE_KEY.search(part) for part in group.group(1).split(";")):
                found.append((n, group.group()))
    return found


def citation_keys(text: str) -> list[str]:
    """Keys cited in one paragraph, in order, without repeats."""
    keys: list[str] = []
    for group in CITE_GROUP.finditer(text):
        for key in CITE_KEY.finditer(group.group(1)):
            k = key.group(1).rstrip(".,;:")
            if k not in keys:
                keys.append(k)
    return keys


def placeholder_lines(text: str) -> list[int]:
    """0-based numbers of the lines that carry :data:`PLACEHOLDER_MARKER`.

    >>> placeholder_lines("Done.\\n<!-- qa:placeholder --> Write the summary.\\n")
    [1]
    """
    if PLACEHOLDER_MARKER not in text:
        return []
    return [n for n, line in enumerate(text.split("\n")) if PLACEHOLDER_MARKER in line]
