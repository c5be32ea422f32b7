"""qa report: every number on a library with a controlled git history; a safe, offline page."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import QA, REPO, build_tree, commit_all, git_init

FIXTURES = REPO / "tests" / "fixtures" / "readability"
PLAIN = (FIXTURES / "plain.md").read_text(encoding="utf-8")
DENSE = (FIXTURES / "dense.md").read_text(encoding="utf-8")
AS_OF = "2026-06-01"
TOML = '[[topics]]\nname = "Cardiology"\n[[topics]]\nname = "Oncology"\n'
REFS = "references:\n" + "".join(
    f'  - id: "{n}"\n    title: Study {n}\n    DOI: 10.1000/x.{n}\n' for n in (1, 2, 3)
)


def answer(
    id: str,
    topic: str,
    status: str,
    *,
    reviewed: str | None = None,
    reviewers: tuple[str, ...] = (),
    confidence: str | None = None,
    body: str = PLAIN,
    extra: str = "",
    title: str | None = None,
    refs: str = REFS,
) -> str:
    lines = ["---", f"id: {id}", f"title: {json.dumps(title or f'Question {id}?')}"]
    lines += [f"topic: {topic}", f"status: {status}"]
    if confidence:
        lines.append(f"confidence: {confidence}")
    lines.append("created: 2025-01-01")
    if reviewed:
        lines.append(f"last_reviewed: {reviewed}")
    if reviewers:
        lines.append("reviewed_by:")
        lines += [f"  - name: {name}" for name in reviewers]
    text = "\n".join(lines) + "\n" + refs + extra + "---\n" + body
    return text


def folder(topic: str) -> str:
    return topic.lower()


ANSWERS = {
    # overdue: due 2026-04-01 (6 months after the review), 61 days before the as-of date
    "a": dict(
        topic="Oncology",
        status="published",
        reviewed="2025-10-01",
        reviewers=("Jane Doe",),
        confidence="moderate",
        body=DENSE,
        extra="legacy:\n  source: a.txt\n  doubts:\n"
        "    - {kind: citation, line: 3, number: 4, text: 'x 4.', decision: kept}\n"
        "    - {kind: date, line: 5, text: '03/04/2020', decision: day-first}\n",
    ),
    # due 2026-07-15: not within 30 days; in the forecast for July
    "b": dict(
        topic="Oncology",
        status="published",
        reviewed="2026-01-15",
        reviewers=("Jane Doe",),
        confidence="high",
        refs='references:\n  - id: "1"\n  - id: "2"\n    title: Study 2\n  - id: "3"\n'
        "    DOI: 10.1000/x.3\n",
    ),
    # never reviewed
    "c": dict(topic="Cardiology", status="in-review"),
    # due 2026-08-20, but its text changed in git after the review
    "d": dict(
        topic="Cardiology",
        status="published",
        reviewed="2026-02-20",
        reviewers=("Sam Lee",),
        confidence="low",
    ),
    # due 2026-06-10: within the 30-day window; an earlier review logged with a note
    "e": dict(
        topic="Cardiology",
        status="published",
        reviewed="2025-12-10",
        reviewers=("Sam Lee", "Jane Doe"),
        confidence="moderate",
        extra="review_log:\n  - date: 2025-09-01\n    by: Sam Lee\n    note: First look.\n",
    ),
    "f": dict(topic="Oncology", status="draft"),
    "g": dict(
        topic="Oncology",
        status="retired",
        reviewed="2024-01-01",
        reviewers=("Jane Doe",),
        confidence="high",
    ),
}


@pytest.fixture
def history(library: Path) -> Path:
    files = {
        f"answers/{folder(spec['topic'])}/{name}.md": answer(name, **spec)
        for name, spec in ANSWERS.items()
    }
    files["qa.toml"] = TOML
    build_tree(library, files)
    git_init(library)
    commit_all(library, "Library", "2025-08-01T12:00:00")
    d = library / "answers/cardiology/d.md"
    d.write_text(d.read_text() + "\nIt also helps to sleep well.\n")
    commit_all(library, "Edit d after its review", "2026-03-10T12:00:00")
    return library


def test_every_number_on_a_library_with_a_controlled_history(history, qa):
    result, data = qa.json("report", "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    zero = {"never-reviewed": 0, "overdue": 0, "changed-since-review": 0, "due-soon": 0}
    assert data["generator"] == "qa report"
    assert data["as_of"] == AS_OF and data["within"] == "30d"
    assert data["topics"] == ["Cardiology", "Oncology"]
    assert data["answers"] == 7
    assert data["unreadable"] == []
    backlog = data["backlog"]
    assert backlog["checked"] == 5  # drafts and retired answers are not due
    assert backlog["by_topic"] == {
        "Cardiology": {**zero, "never-reviewed": 1, "changed-since-review": 1, "due-soon": 1},
        "Oncology": {**zero, "overdue": 1},
    }
    assert backlog["totals"] == {k: 1 for k in zero}
    (oldest,) = backlog["oldest_overdue"]
    assert oldest == {
        "id": "a",
        "title": "Question a?",
        "topic": "Oncology",
        "due_date": "2026-04-01",
        "days_overdue": 61,
        "reviewers": ["Jane Doe"],
        "path": "answers/oncology/a.md",
        "href": None,
    }
    due = data["due_by_month"]
    assert due["months"][0] == "2026-06" and due["months"][-1] == "2027-05"
    assert due["by_topic"] == {
        "Cardiology": [1, 0, 1] + [0] * 9,  # e in June, d in August
        "Oncology": [0, 1] + [0] * 10,  # b in July
    }
    assert due["totals"] == [1, 1, 1] + [0] * 9
    assert data["reviewers"] == [
        {
            "name": "Jane Doe",
            "reviews_last_12_months": 3,  # a, b, e (g's review is older)
            "due_now": 1,  # a
            "due_within_window": 1,  # e
            "due_next_12_months": 2,  # b, e
        },
        {
            "name": "Sam Lee",
            "reviews_last_12_months": 3,  # d, e, and e's logged review
            "due_now": 1,  # d
            "due_within_window": 1,  # e
            "due_next_12_months": 2,  # d, e
        },
    ]
    evidence = data["evidence"]
    assert evidence["answers_with_stub_references"] == 1  # b: references 1 and 3... 1 only
    assert evidence["stub_references"] == 1
    assert evidence["answers_with_open_doubts"] == 1
    assert evidence["open_doubts"] == 2
    reading = evidence["reading"]
    assert reading["target"] == 8.0 and reading["formula"] == "fkgl"
    assert reading["measured"] == 6  # all but the retired one
    assert reading["above_target"] == 1 and reading["within_target"] == 5
    assert {b["label"]: b["count"] for b in reading["bins"]} == {
        "under 6": 5,
        "6 to 8": 0,
        "8 to 10": 0,
        "10 to 12": 0,
        "12 to 14": 0,
        "14 to 16": 0,
        "16 and over": 1,
    }
    assert [h["id"] for h in reading["hardest"]] == ["a"]
    assert data["coverage"] == {
        "statuses": ["draft", "in-review", "published", "retired"],
        "by_topic": {
            "Cardiology": {"draft": 0, "in-review": 1, "published": 2, "retired": 0},
            "Oncology": {"draft": 1, "in-review": 0, "published": 2, "retired": 1},
        },
        "confidence": {"high": 1, "moderate": 2, "low": 1, "very-low": 0, "(none)": 2},
    }


def test_topic_filter_and_a_warm_run_give_the_same_numbers(history, qa):
    _, first = qa.json("report", "--format", "json", "--as-of", AS_OF, "--topic", "oncology")
    assert first["topics"] == ["Oncology"] and first["answers"] == 4
    assert first["backlog"]["by_topic"] == {
        "Oncology": {"never-reviewed": 0, "overdue": 1, "changed-since-review": 0, "due-soon": 0}
    }
    _, again = qa.json("report", "--format", "json", "--as-of", AS_OF, "--topic", "Oncology")
    assert again == first
    result = qa("report", "--format", "json", "--topic", "Astrology")
    assert result.exit_code == 2


HOSTILE = '<script>alert("x")</script> & "quotes" <img src=x onerror=alert(1)>'


def _page(library: Path, qa: QA, out: Path, *args: str) -> str:
    result = qa("report", "--out", str(out), "--as-of", AS_OF, *args)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_the_page_is_self_contained_escaped_and_well_formed(history, qa, tmp_path):
    a = history / "answers/oncology/a.md"
    a.write_text(a.read_text().replace('title: "Question a?"', f"title: {json.dumps(HOSTILE)}"))
    html = _page(history, qa, tmp_path / "report.html")
    # Nothing is fetched: no script, no external source, stylesheet, import or url().
    assert "<script" not in html
    assert not re.search(r"""\bsrc\s*=\s*["']?(?:https?:)?//""", html, re.I)
    assert not re.search(r"<link\b", html, re.I)
    assert not re.search(r"@import", html, re.I)
    for target in re.findall(r"url\(\s*([^)]*)\)", html):
        assert target.strip("'\" ").startswith("#"), target
    assert not re.search(r"""(?:src|href)\s*=\s*["']?https?://""", html, re.I)
    # The hostile title is text, never markup.
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in html
    # Well-formed: an XML parser reads the whole page.
    tree = ET.fromstring(html.split("\n", 1)[1])
    ns = "{http://www.w3.org/1999/xhtml}"
    assert tree.tag == f"{ns}html"
    svgs = tree.findall(f".//{ns}figure/{{http://www.w3.org/2000/svg}}svg")
    assert len(svgs) == 6
    # Every chart has its numbers beside it, and real axis titles.
    assert len(tree.findall(f".//{ns}table")) >= 6
    for title in ("Answers", "Topic", "Month", "Reviewer", "Reading grade", "Confidence level"):
        assert f">{title}<" in html, title


def test_answers_link_to_their_pages_beside_an_exported_bundle(history, qa, tmp_path):
    site = tmp_path / "site"
    result = qa("export", "--out", str(site), "--format", "html", "--status", "published")
    assert result.exit_code == 0, result.output
    result = qa("report", "--format", "json", "--as-of", AS_OF, "--out", str(site / "r.json"))
    assert result.exit_code == 0, result.output
    data = json.loads((site / "r.json").read_text())
    (oldest,) = data["backlog"]["oldest_overdue"]
    assert oldest["href"] == "data/html/oncology/a.html"
    assert (site / oldest["href"]).is_file()
    html = _page(history, qa, site / "report.html")
    assert 'href="data/html/oncology/a.html"' in html
    # Elsewhere, the page names the path.
    html = _page(history, qa, tmp_path / "report.html")
    assert "answers/oncology/a.md" in html and "a.html" not in html


def test_output_rules(history, qa, tmp_path):
    result = qa("report", "--as-of", AS_OF)
    assert result.exit_code == 2 and "--out" in result.output
    other = tmp_path / "notes.html"
    other.write_text("my notes")
    result = qa("report", "--out", str(other), "--as-of", AS_OF)
    assert result.exit_code == 2
    assert other.read_text() == "my notes"  # never overwritten
    assert qa("report", "--out", str(other), "--as-of", AS_OF, "--force").exit_code == 0
    # An earlier report is simply replaced.
    assert qa("report", "--out", str(other), "--as-of", AS_OF).exit_code == 0
    assert qa("report", "--out", str(tmp_path / "none" / "r.html")).exit_code == 2


def test_every_chart_renders_in_chromium(history, qa, tmp_path):
    from test_export_browser import dump_dom

    page = tmp_path / "report.html"
    _page(history, qa, page)
    dom = dump_dom(page, tmp_path / "profile")
    svgs = re.findall(r"<figure><svg\b.*?</svg>", dom, re.S)
    assert len(svgs) == 6
    for svg in svgs:
        assert re.search(r'viewBox="0 0 \d+ \d+"', svg)
        shapes = re.findall(r"<(?:rect|path)\b", svg)
        assert len(shapes) > 5, svg[:300]
        assert "No data" not in svg


RW_HEADER = (
    (REPO / "tests/fixtures/references/retraction_watch_sample.csv")
    .read_text(encoding="latin-1")
    .splitlines()[0]
)


def _rw_row(record: str, doi: str, nature: str) -> str:
    cells = [record, "A title", "", "", "J", "P", "", "", "", "Research Article;"]
    cells += ["4/15/2021 0:00", "0", "0", "3/2/2019 0:00", doi, "0", nature, "+Reason;", "No", ""]
    return ",".join(cells)


def test_retractions_in_the_evidence_section(history, qa, tmp_path):
    result, data = qa.json("report", "--format", "json", "--as-of", AS_OF)
    none = data["evidence"]["retractions"]
    # no file configured: said, not a zero; what has no DOI or PMID is still counted
    assert none == {
        "configured": False,
        "file": None,
        "error": None,
        "references_checked": None,
        "references_unchecked": 2,  # b's references 1 and 2
        "answers_checked": None,
        "retracted": None,
        "expression_of_concern": None,
        "correction": None,
        "other_notices": None,
        "acknowledged": None,
        "answers_citing_retracted": None,
    }
    out = tmp_path / "none.html"
    assert qa("report", "--as-of", AS_OF, "-o", str(out)).exit_code == 0
    assert "no retractions file configured" in out.read_text(encoding="utf-8")

    def edit(name: str, old: str, new: str) -> None:
        path = next(history.glob(f"answers/*/{name}.md"))
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    edit("c", "DOI: 10.1000/x.1\n", "DOI: 10.5555/retracted.1\n")
    edit(
        "d",
        "DOI: 10.1000/x.1\n",
        "DOI: 10.5555/RETRACTED.1\n    retraction_acknowledged: {by: Sam Lee, date: 2026-05-01}\n",
    )
    edit("e", "DOI: 10.1000/x.2\n", "DOI: 10.5555/concern.1\n")
    edit("e", "DOI: 10.1000/x.3\n", "DOI: 10.5555/corrected.1\n")
    edit("g", "DOI: 10.1000/x.1\n", "DOI: 10.5555/retracted.1\n")  # retired: not counted
    rows = [
        _rw_row("1", "10.5555/retracted.1", "Retraction"),
        _rw_row("2", "10.5555/concern.1", "Expression of concern"),
        _rw_row("3", "10.5555/corrected.1", "Correction"),
        _rw_row("4", "10.5555/corrected.1", "Correction"),  # a second notice: one reference
        _rw_row("5", "10.5555/nobody.1", "Retraction"),
    ]
    (history / "data").mkdir()
    (history / "data/rw.csv").write_text("\n".join([RW_HEADER, *rows]) + "\n")
    (history / "qa.toml").write_text(TOML + '[references]\nretractions = "data/rw.csv"\n')
    result, data = qa.json("report", "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert data["evidence"]["retractions"] == {
        "configured": True,
        "file": "data/rw.csv",
        "error": None,
        "references_checked": 16,  # 3 in each of a, c, d, e, f; b's reference 3
        "references_unchecked": 2,
        "answers_checked": 6,
        "retracted": 2,  # c's and d's reference 1
        "expression_of_concern": 1,
        "correction": 1,
        "other_notices": 0,
        "acknowledged": 1,  # d's
        "answers_citing_retracted": 1,  # c
    }
    assert qa("report", "--as-of", AS_OF, "-o", str(out), "--force").exit_code == 0
    page = out.read_text(encoding="utf-8")
    for label, value in [
        ("References checked against retractions (data/rw.csv)", 16),
        ("References to retracted papers", 2),
        ("Notices acknowledged by a reviewer", 1),
        ("Answers citing a retracted paper (not acknowledged)", 1),
    ]:
        assert re.search(rf"<th[^>]*>{re.escape(label)}</th><td[^>]*>{value}</td>", page), label

    (history / "data/rw.csv").write_text("not,a,retraction,file\n")
    result = qa("report", "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 2  # as every command that uses the file: a clear error
    assert "rw.csv" in result.stderr and "Traceback" not in result.stderr


def test_publish_and_retire_entries_are_not_counted_as_reviews(library, qa):
    log = (
        "review_log:\n"
        "  - date: 2026-05-01\n    event: reviewed\n    by: Jane Doe\n"
        "  - date: 2026-05-02\n    event: published\n    by: Ed Itor\n    note: published\n"
        "  - date: 2026-05-03\n    event: retired\n    by: Ed Itor\n    note: superseded\n"
    )
    text = answer(
        "p", "Oncology", "published", reviewed="2026-05-01", reviewers=("Jane Doe",), extra=log
    )
    build_tree(library, {"answers/oncology/p.md": text, "qa.toml": TOML})
    git_init(library)
    commit_all(library, "Library", "2026-05-03T12:00:00")
    result, data = qa.json("report", "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    counts = {r["name"]: r["reviews_last_12_months"] for r in data["reviewers"]}
    assert counts == {"Jane Doe": 1}
