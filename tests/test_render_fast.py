"""The compiled renderer (cmark) against markdown-it on the bodies it takes.

``qa export`` renders a body in the plain subset of CommonMark with cmark and
every other body with markdown-it; both must give the same HTML, summary,
sections and reference numbering. Bodies are generated from pieces that meet
at every construct the subset allows (and many it refuses).
"""

from __future__ import annotations

import os
import random

import pytest

from qa_tool.answerfile.read import Answer
from qa_tool.render import ODD_SPACES, Renderer, plain_subset

PIECES = [
    *("word", "é", "  ", " ", "\n", "\n\n", "*", "_", "**", "`", "\\", "&amp;", "&#39;"),
    *("&nbsp;", "&foo;", '"', "'", "# ", "## ", "- ", "1. ", "2) ", "> ", "---", "***"),
    *("    ", "===", "+ ", "\\\n", "  \n", "!", ":", "x_y", ".", "[@1]", "[@2; @3]"),
    *("[@9]", " [@1]", "[see @a, p. 4]", "[@", "@1]", "[", "]", ",", "(", ")", "\t"),
    *("\n## What the research says\n", "\n## What to ask your doctor\n", "\n- "),
    *("\n  - ", "\n\n- ", "<b>", "](https://x.example)", "\u00a0"),
]
REFERENCES = [{"id": str(n), "title": f"Study {n}"} for n in range(1, 6)] + [{"id": "a"}]


def _outcome(renderer: Renderer, body: str, compiled: bool) -> tuple:
    doc = renderer.render(
        Answer("x.md", "x.md", {"references": REFERENCES}, body, 5), compiled=compiled
    )
    refs = [(r.id, r.number, r.cited) for r in doc.references]
    return doc.body_html, doc.summary, doc.research, doc.doctor_questions, refs


@pytest.mark.parametrize("seed", range(4))
def test_compiled_renderer_agrees_with_markdown_it(seed: int) -> None:
    rng = random.Random(seed)
    renderer = Renderer()
    taken = 0
    for _ in range(1500):
        body = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40))) + "\n"
        if plain_subset(body):
            taken += 1
        assert _outcome(renderer, body, True) == _outcome(renderer, body, False), repr(body)
    assert taken > 100  # the compiled path was exercised


def test_typical_answer_takes_the_compiled_path() -> None:
    body = (
        "A little: in trials it lowered LDL slightly [@1].\n\n"
        "## What the research says\n\nPooled trials found a *small* drop [@1; @2].\n\n"
        "## What to ask your doctor\n\n- Could it interact with my medicines?\n"
    )
    assert plain_subset(body)
    renderer = Renderer()
    assert _outcome(renderer, body, True) == _outcome(renderer, body, False)


@pytest.mark.parametrize(
    "body",
    [
        "Raw <script>alert(1)</script> here.\n",
        "A [link](javascript:alert(1)).\n",
        "![x](https://x.example/p.png)\n",
        "[a]: https://x.example\n",
        "Code `x` here.\n",
        "Tab\there.\n",
        "No final line break",
        "Private \ue100 use.\n",
    ],
)
def test_what_the_compiled_path_refuses(body: str) -> None:
    assert not plain_subset(body)


def test_odd_spaces_are_every_other_whitespace() -> None:
    every = {chr(c) for c in range(0x110000) if chr(c).isspace()}
    assert set(ODD_SPACES) == every - {" ", "\n"}


def test_compiled_path_frees_cmarks_buffers() -> None:
    """cmarkgfm leaves cmark's output buffer allocated (some KB a body); the renderer frees
    it, with the same HTML as cmarkgfm gives. Measured by the process's resident memory:
    20,000 renderings of a 6 KB body would leave over 100 MB behind."""
    import cmarkgfm

    from qa_tool.render import _cmark_html, _libc_free

    body = ("A paragraph of *plain* text, with a list below it.\n\n- one\n- two\n\n" * 80) + "x\n"
    assert _cmark_html(body) == cmarkgfm.markdown_to_html(body)
    if _libc_free() is None or not os.path.exists("/proc/self/statm"):
        pytest.skip("no C library free here, or no /proc to measure with")

    def resident_mb() -> float:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    for _ in range(200):
        _cmark_html(body)
    before = resident_mb()
    for _ in range(20_000):
        _cmark_html(body)
    assert resident_mb() - before < 20
