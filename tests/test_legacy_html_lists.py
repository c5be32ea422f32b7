"""An HTML export's ``<ol>`` References list is read as the numbered list the page shows."""

from __future__ import annotations

import pytest
from helpers import QA, build_tree

from qa_tool.answerfile.read import read_answer
from qa_tool.legacy import parse_legacy

FOOTER = (
    "<footer>This question is drawn from common patient questions about Dermatology and "
    "answered using cited medical research. We do not provide individualized advice.</footer>"
)
ENTRIES = [
    "van Zuuren EJ, Fedorowicz Z. Emollients for eczema. <i>Cochrane Database Syst Rev</i>. "
    "2017;2(2):CD012119. doi:10.1002/14651858.CD012119.pub2",
    "Ridd MJ, Santer M. Emollients for childhood eczema. <i>Lancet Child Adolesc Health</i>. "
    "2022;6(8):522-532. PMID: 35617974",
    "Santer M, Ridd MJ. Emollient bath additives. <i>BMJ</i>. 2018;361:k1332.",
]


def page(cited: tuple[int, int, int], references: str) -> str:
    one, two, three = cited
    return "\n".join(
        [
            "<h1>Does moisturiser help children&#8217;s eczema?</h1>",
            "<p>high confidence &middot; Last reviewed 7 July 2025</p>",
            "<p>Regular moisturiser use reduces flares.</p>",
            "<h2>What the research says</h2>",
            f"<p>Flares fell<sup>{one}</sup>. Little was needed<sup>{two},{three}</sup>.</p>",
            "<h2>What to ask your doctor</h2>",
            "<ul><li>Which moisturiser should we use?</li>",
            "<li>How often?</li></ul>",
            "<h2>References</h2>",
            references,
            FOOTER,
        ]
    )


def items(entries: list[str], attributes: str = "") -> str:
    return "\n".join([f"<ol{attributes}>", *(f"<li>{entry}</li>" for entry in entries), "</ol>"])


LAYOUTS = {
    "one item a line": (items(ENTRIES), (1, 2, 3)),
    "all on one line": (items(ENTRIES).replace("\n", ""), (1, 2, 3)),
    "start=4": (items(ENTRIES, ' class="refs" start="4"'), (4, 5, 6)),
    "start=7 unquoted": (items(ENTRIES, " start=7"), (7, 8, 9)),
    "li value=": (
        "<ol>"
        + "".join(f'<li value="{n}">{e}</li>' for n, e in zip((2, 5, 9), ENTRIES, strict=True))
        + "</ol>",
        (2, 5, 9),
    ),
    "own numbers in the items": (
        items([f"{n}. {e}" for n, e in enumerate(ENTRIES, start=1)]),
        (1, 2, 3),
    ),
    "wrapped items without closing tags": (
        "<ol>\n" + "\n".join("<li>" + e.replace(". ", ".\n", 1) for e in ENTRIES) + "\n</ol>",
        (1, 2, 3),
    ),
}


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_an_ordered_list_numbers_its_references(layout: tuple[str, tuple[int, int, int]]):
    references, numbers = layout

    answer = parse_legacy(page(numbers, references))

    assert answer.warnings == []
    assert answer.doubts == []
    assert [ref["id"] for ref in answer.references] == [str(n) for n in numbers]
    first, second, third = answer.references
    assert first["DOI"] == "10.1002/14651858.CD012119.pub2"
    assert first["container-title"] == "Cochrane Database Syst Rev"
    assert second["PMID"] == "35617974"
    assert third["title"] == "Emollient bath additives"
    assert answer.doctor_questions == ["Which moisturiser should we use?", "How often?"]


def test_a_nested_bullet_list_does_not_count_in_the_numbering():
    references = (
        "<ol><li>" + ENTRIES[0] + "<ul><li>See also the 2020 update</li></ul></li>"
        f"<li>{ENTRIES[1]}</li><li>{ENTRIES[2]}</li></ol>"
    )

    answer = parse_legacy(page((1, 2, 3), references))

    assert [ref["id"] for ref in answer.references] == ["1", "2", "3"]
    assert answer.references[2]["title"] == "Emollient bath additives"


def test_convert_fills_the_references_of_an_html_export(library, qa: QA):
    build_tree(library.parent, {"in/eczema.txt": page((1, 2, 3), items(ENTRIES))})

    result, report = qa.json("convert", str(library.parent / "in"), "--format", "json")

    assert result.exit_code == 0, result.output
    (entry,) = report["files"]
    assert entry["warnings"] == []
    meta = read_answer(library / entry["target"], entry["target"], 10**6).meta
    assert [ref.get("DOI") or ref.get("PMID") or ref["page"] for ref in meta["references"]] == [
        "10.1002/14651858.CD012119.pub2",
        "35617974",
        "k1332",
    ]
