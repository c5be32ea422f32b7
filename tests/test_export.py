"""``qa export``: selection, the payload formats, reproducible and atomic bundles."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import QA, REPO, answer_text, build_tree, commit_all, git, git_init, run_qa

from qa_tool.errors import WriteFailed

ONC = "answers/oncology"
CARD = "answers/cardiology"


def jsonl_of(folder: Path) -> list[dict]:
    text = (folder / "data" / "answers.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def mixed(library: Path) -> Path:
    """Two topics, every status, committed to git at a fixed date."""
    build_tree(
        library,
        {
            f"{ONC}/pub-one.md": answer_text("pub-one", title="Is one published?"),
            f"{ONC}/pub-two.md": answer_text("pub-two", title="Is two published?"),
            f"{ONC}/a-draft.md": answer_text("a-draft", status="draft", confidence=None),
            f"{ONC}/in-review.md": answer_text("in-review", status="in-review"),
            f"{ONC}/retired.md": answer_text("retired", status="retired"),
            f"{CARD}/heart.md": answer_text("heart", topic="Cardiology", title="Heart?"),
        },
    )
    git_init(library)
    commit_all(library, "answers", "2026-03-01T12:00:00+00:00")
    return library


def export(qa: QA, out: Path, *args: str):
    result = qa("export", "--out", str(out), *args)
    return result


# ---------------------------------------------------------------------------
# Selection


def test_published_answers_only_by_default(mixed, qa, tmp_path):
    result = export(qa, tmp_path / "b")
    assert result.exit_code == 0, result.output
    paths = [r["path"] for r in jsonl_of(tmp_path / "b")]
    assert paths == [f"{CARD}/heart.md", f"{ONC}/pub-one.md", f"{ONC}/pub-two.md"]


def test_drafts_only_when_asked_for(mixed, qa, tmp_path):
    result = export(qa, tmp_path / "b", "--status", "draft", "--status", "in-review")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in jsonl_of(tmp_path / "b")] == ["a-draft", "in-review"]
    # --id names a draft, but without --status draft it stays out
    result = export(qa, tmp_path / "c", "--id", "a-draft", "--id", "pub-one")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in jsonl_of(tmp_path / "c")] == ["pub-one"]


def test_topic_by_name_or_folder_and_ids(mixed, qa, tmp_path):
    result = export(qa, tmp_path / "b", "--topic", "cardiology")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in jsonl_of(tmp_path / "b")] == ["heart"]
    result = export(qa, tmp_path / "c", "--topic", "Oncology", "--id", "pub-two", "--id", "heart")
    assert [r["id"] for r in jsonl_of(tmp_path / "c")] == ["pub-two"]
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text())
    assert manifest["selection"] == {
        "statuses": ["published"],
        "topics": ["Oncology"],
        "ids": ["heart", "pub-two"],
        "since": None,
        "exclude_due": False,
        "as_of": None,
    }
    assert manifest["answer_count"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--topic", "Astrology"], "unknown topic 'Astrology'"),
        (["--id", "no-such-answer"], "no answer with id 'no-such-answer'"),
        (["--status", "pending"], "--status 'pending': use one of draft, in-review"),
        (["--format", "pdf"], "--format 'pdf': use one of jsonl, json, html, md"),
        (["--since", "no-such-ref"], "--since no-such-ref"),
        (["--as-of", "2026-01-01"], "--as-of only applies with --exclude-due"),
    ],
)
def test_bad_options_are_usage_errors(mixed, qa, tmp_path, args, message):
    result = export(qa, tmp_path / "b", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert not (tmp_path / "b").exists()


def test_out_inside_the_answers_folder_is_refused(mixed, qa):
    result = export(qa, mixed / ONC / "bundle")
    assert result.exit_code == 2
    assert "inside the answers folder" in result.stderr
    assert not (mixed / ONC / "bundle").exists()


def _changed_library(root: Path) -> tuple[Path, str]:
    """a..e committed; then b changed, c renamed, d deleted, e added; a edited, f untracked."""
    build_tree(root, {f"{ONC}/{n}.md": answer_text(n) for n in "abcd"})
    git_init(root)
    commit_all(root, "first", "2026-03-01T12:00:00+00:00")
    first = git(root, "rev-parse", "HEAD").strip()
    (root / ONC / "b.md").write_text(answer_text("b", title="Is b changed?"), encoding="utf-8")
    git(root, "mv", f"{ONC}/c.md", f"{ONC}/c2.md")
    git(root, "rm", "-q", f"{ONC}/d.md")
    build_tree(root, {f"{ONC}/e.md": answer_text("e"), "README.txt": "not an answer\n"})
    commit_all(root, "second", "2026-03-02T12:00:00+00:00")
    (root / ONC / "a.md").write_text(answer_text("a", title="Is a edited?"), encoding="utf-8")
    build_tree(root, {f"{ONC}/f.md": answer_text("f")})
    return root, first


def test_since_selects_exactly_the_changed_answers(library, qa, tmp_path):
    root, first = _changed_library(library)
    result = export(qa, tmp_path / "b", "--since", first)
    assert result.exit_code == 0, result.output
    assert [r["path"].rsplit("/", 1)[1] for r in jsonl_of(tmp_path / "b")] == [
        "a.md",  # changed in the working tree, not committed
        "b.md",  # modified
        "c2.md",  # renamed
        "e.md",  # added
        "f.md",  # untracked
    ]
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["selection"]["since"] == {"ref": first, "commit": first}
    assert manifest["library"]["dirty"] is True

    result = export(qa, tmp_path / "c", "--since", "HEAD")
    assert [r["id"] for r in jsonl_of(tmp_path / "c")] == ["a", "f"]

    result = export(qa, tmp_path / "d", "--since", "HEAD~1", "--id", "b", "--id", "d")
    assert result.exit_code == 2  # d was deleted: no such answer
    result = export(qa, tmp_path / "d", "--since", "HEAD", "--id", "b", "--id", "a")
    assert [r["id"] for r in jsonl_of(tmp_path / "d")] == ["a"]


def test_since_outside_git_is_a_usage_error(library, qa, tmp_path):
    build_tree(library, {f"{ONC}/a.md": answer_text("a")})
    result = export(qa, tmp_path / "b", "--since", "HEAD")
    assert result.exit_code == 2
    assert "--since HEAD:" in result.stderr
    assert "not in a git repository (run git init" in result.stderr
    assert "fatal" not in result.stderr


def test_a_file_name_with_a_backslash_is_not_exported(library, qa, tmp_path):
    build_tree(library, {f"{ONC}/a\\b.md": answer_text("a"), f"{ONC}/c.md": answer_text("c")})
    result, report = qa.json("export", "--out", str(tmp_path / "b.zip"), "--report", "json")
    assert result.exit_code == 1
    assert report["skipped"] == [
        {
            "path": f"{ONC}/a\\b.md",
            "line": None,
            "rule": "unsafe-name",
            "message": "its file name holds a backslash or a control character",
        }
    ]
    assert report["answers"] == 1
    assert "1 file could not be exported" in result.stderr
    assert run_qa("verify", str(tmp_path / "b.zip"), cwd=tmp_path).returncode == 0


def test_unreadable_files_are_named_and_the_rest_exported(tmp_path):
    from bad_library import EXPECTED, READER_RULES, build_bad_library

    root = build_bad_library(tmp_path / "lib")
    qa = QA(root)
    statuses = [a for s in ("draft", "in-review", "published", "retired") for a in ("--status", s)]
    result, report = qa.json("export", "--out", str(tmp_path / "b"), "--report", "json", *statuses)
    assert result.exit_code == 1
    skipped = {Path(s["path"]).name: s["rule"] for s in report["skipped"]}
    assert skipped == {n: rule for n, rule in EXPECTED.items() if rule in READER_RULES}
    for name in skipped:
        assert name in result.stderr
    exported = {Path(r["path"]).name for r in jsonl_of(tmp_path / "b")}
    assert "are-there-therapeutic-opportunities-for-autoimmune-disorders.md" in exported
    assert "bom.md" in exported and "crlf.md" in exported
    assert report["answers"] == len(exported)
    assert "secret text" not in (tmp_path / "b" / "data" / "answers.jsonl").read_text()
    assert run_qa("verify", str(tmp_path / "b"), cwd=tmp_path).returncode == 0


# ---------------------------------------------------------------------------
# The formats

CITED_BODY = (
    "A *plain* summary with `code`.\n\n"
    "## What the research says\n\n"
    "First claim [@2]. Second claim [@1; @2].\n\n"
    "Third paragraph, uncited.\n\n"
    "## What to ask your doctor\n\n"
    "- Is this right **for me**?\n"
    "- What else?\n"
)


def test_jsonl_record_shape(library, qa, tmp_path):
    text = answer_text(
        "cited",
        title="Is this cited?",
        refs=("1", "2", "3"),
        body=CITED_BODY,
        extra="tags:\n  - sample",
    )
    build_tree(library, {f"{ONC}/cited.md": text})
    result = export(qa, tmp_path / "b")
    assert result.exit_code == 0, result.output
    [record] = jsonl_of(tmp_path / "b")
    assert list(record)[:4] == ["path", "id", "title", "topic"]
    assert record["path"] == f"{ONC}/cited.md"
    assert record["created"] == "2026-01-05"
    assert record["last_reviewed"] == "2026-02-10"
    assert record["reviewed_by"] == [{"name": "Jane Doe", "credentials": "MD, medical oncologist"}]
    assert record["tags"] == ["sample"]
    assert record["summary"] == "A plain summary with code."
    assert record["sections"] == {
        "research": [
            {"text": "First claim. Second claim.", "citations": ["2", "1"]},
            {"text": "Third paragraph, uncited.", "citations": []},
        ],
        "doctor_questions": ["Is this right for me?", "What else?"],
    }
    assert record["body_markdown"] == CITED_BODY
    assert (
        '<sup class="cite"><a href="#ref-1" aria-label="Reference 1">1</a></sup>'
        in (record["body_html"])
    )
    assert [(r["number"], r["id"], r["cited"]) for r in record["references"]] == [
        (1, "2", True),
        (2, "1", True),
        (3, "3", False),
    ]
    assert record["references"][0] == {
        "number": 1,
        "cited": True,
        "id": "2",
        "type": "article-journal",
        "title": "Study number 2",
        "container-title": "Journal of Examples",
        "issued": 2013,
        "DOI": "10.1000/example.2",
        "PMID": "23736642",
        "links": {
            "doi": "https://doi.org/10.1000/example.2",
            "pubmed": "https://pubmed.ncbi.nlm.nih.gov/23736642/",
        },
        "text": "Study number 2. Journal of Examples. 2013. doi:10.1000/example.2. PMID: 23736642.",
    }
    assert record["due_date"] == "2026-08-10"  # last_reviewed + the default 6 months
    assert record["footer"] == (
        "This question is drawn from common patient questions about Oncology and answered "
        "using cited medical research. We do not provide individualized advice."
    )
    assert list(record)[-7:] == [
        "references",
        "summary",
        "sections",
        "body_markdown",
        "body_html",
        "due_date",
        "footer",
    ]


def test_due_date_follows_review_due_and_the_policy(library, qa, tmp_path):
    build_tree(
        library,
        {
            "qa.toml": '[review]\ndefault = "1y"\n[review.confidence]\nlow = "30d"\n',
            f"{ONC}/set.md": answer_text("set", extra="review_due: 2026-04-01"),
            f"{ONC}/low.md": answer_text("low", confidence="low"),
            f"{ONC}/high.md": answer_text("high", confidence="high"),
            f"{ONC}/never.md": answer_text("never", status="in-review", last_reviewed=None),
        },
    )
    result = export(qa, tmp_path / "b", "--status", "published", "--status", "in-review")
    assert result.exit_code == 0, result.output
    due = {r["id"]: r["due_date"] for r in jsonl_of(tmp_path / "b")}
    assert due == {"high": "2027-02-10", "low": "2026-03-12", "never": None, "set": "2026-04-01"}


def test_json_is_the_jsonl_objects_as_one_array(mixed, qa, tmp_path):
    result = export(qa, tmp_path / "b", "--format", "json", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    array = json.loads((tmp_path / "b" / "data" / "answers.json").read_text(encoding="utf-8"))
    assert array == jsonl_of(tmp_path / "b")
    assert len(array) == 3
    result = export(qa, tmp_path / "c", "--format", "json", "--topic", "Dermatology")
    assert (tmp_path / "c" / "data" / "answers.json").read_text() == "[]\n"


def test_md_is_each_answer_byte_for_byte(library, qa, tmp_path):
    raw = ("\ufeff" + answer_text("crlf")).replace("\n", "\r\n").encode("utf-8")
    build_tree(
        library, {f"{ONC}/crlf.md": raw, f"{CARD}/h.md": answer_text("h", topic="Cardiology")}
    )
    result = export(qa, tmp_path / "b", "--format", "md")
    assert result.exit_code == 0, result.output
    data = tmp_path / "b" / "data"
    assert (data / "md" / "oncology" / "crlf.md").read_bytes() == raw
    assert (data / "md" / "cardiology" / "h.md").read_bytes() == (
        library / CARD / "h.md"
    ).read_bytes()
    assert sorted(p.name for p in data.iterdir()) == ["md"]


# ---------------------------------------------------------------------------
# HTML safety

HOSTILE_TITLE = 'Is <script>alert("t")</script></script><!--<script> safe?'
HOSTILE_BODY = (
    "Summary <script>alert(1)</script> and <img src=x onerror=alert(2)> too.\n\n"
    '<div onmouseover="alert(3)">block html</div>\n\n'
    "## What the research says\n\n"
    "Links: [bad](javascript:alert(4)), [data](data:text/html,x), [rel](other.html), "
    "[ok](https://example.org/a?b=1&c=2), <javascript:alert(5)>, [mail](mailto:a@example.org), "
    "![img](x onerror=alert(6)) [@1].\n\n"
    "## What to ask your doctor\n\n"
    "- Is <b onclick=alert(7)>this</b> safe?\n"
)


SAFE_TAGS = {
    *("html", "head", "meta", "title", "style", "script", "body", "header", "nav", "main"),
    *("article", "section", "footer", "h1", "h2", "p", "div", "span", "sup", "a", "ul", "ol"),
    *("li", "code", "em", "strong"),
}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)
        else:
            self.text.append(data)


def parse_html(text: str) -> _Tags:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser


def test_script_and_onerror_come_out_escaped_in_every_page(library, qa, tmp_path):
    text = (
        "---\n"
        "id: hostile\n"
        f"title: '{HOSTILE_TITLE}'\n"
        "topic: Oncology\n"
        "status: published\n"
        "confidence: low\n"
        "created: 2026-01-05\n"
        "last_reviewed: 2026-02-10\n"
        "reviewed_by:\n"
        "  - name: '<img src=x onerror=alert(10)>'\n"
        "    credentials: '<script>alert(11)</script>'\n"
        "references:\n"
        '  - id: "1"\n'
        '    title: "<script>alert(8)</script>"\n'
        '    URL: "javascript:alert(9)"\n'
        '    DOI: "10.1000/x\\"><script>"\n'
        "---\n" + HOSTILE_BODY
    )
    build_tree(library, {f"{ONC}/hostile.md": text, f"{ONC}/plain.md": answer_text("plain")})
    result = export(qa, tmp_path / "b", "--format", "html")
    assert result.exit_code == 0, result.output
    pages = sorted((tmp_path / "b" / "data" / "html").rglob("*.html"))
    assert [p.name for p in pages] == ["index.html", "hostile.html", "plain.html"]
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        parsed = parse_html(raw)
        for tag, attrs in parsed.tags:
            assert tag in SAFE_TAGS, (page.name, tag)
            if tag == "script":
                assert attrs == {"type": "application/ld+json"}, page.name
            for name, value in attrs.items():
                assert not name.startswith("on"), (page.name, tag, name)
                if name in ("href", "src"):
                    assert value is not None
                    assert value.startswith(
                        ("https:", "http:", "mailto:", "#", "../", "oncology/")
                    ) or (value == "index.html"), (page.name, value)
        assert raw.count("</script>") == (1 if page.name != "index.html" else 0)
        assert "<!--" not in raw
    hostile = parse_html((tmp_path / "b/data/html/oncology/hostile.html").read_text())
    text_content = "".join(hostile.text)
    assert HOSTILE_TITLE in text_content
    assert "<script>alert(1)</script>" in text_content
    assert "<img src=x onerror=alert(2)>" in text_content
    assert "[bad](javascript:alert(4))" in text_content
    assert "<script>alert(8)</script>" in text_content
    hrefs = [a.get("href") for t, a in hostile.tags if t == "a"]
    assert "https://example.org/a?b=1&c=2" in hrefs
    assert "mailto:a@example.org" in hrefs
    [ld] = [json.loads(s) for s in hostile.scripts]
    assert ld["name"] == HOSTILE_TITLE
    assert ld["citation"][0]["name"] == "<script>alert(8)</script>"
    index = parse_html((tmp_path / "b/data/html/index.html").read_text())
    assert HOSTILE_TITLE in "".join(index.text)


def test_json_ld_parses_and_carries_last_reviewed(library, qa, tmp_path):
    extra = "tags:\n  - immunotherapy\n  - side effects\n"
    build_tree(
        library, {f"{ONC}/ld.md": answer_text("ld", title="Is </script> fine?", extra=extra)}
    )
    result = export(qa, tmp_path / "b", "--format", "html")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "b/data/html/oncology/ld.html").read_text(encoding="utf-8")
    [script] = parse_html(page).scripts
    assert "</" not in script and "<" not in script
    ld = json.loads(script)
    assert ld == {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": "Is </script> fine?",
        "identifier": "ld",
        "inLanguage": "en",
        "audience": {"@type": "Patient"},
        "description": "A plain-language summary.",
        "about": {"@type": "MedicalEntity", "name": "Oncology"},
        "dateCreated": "2026-01-05",
        "lastReviewed": "2026-02-10",
        "reviewedBy": [
            {"@type": "Person", "name": "Jane Doe", "description": "MD, medical oncologist"}
        ],
        "author": [{"@type": "Person", "name": "Sam Writer"}],
        "keywords": "immunotherapy, side effects",
        "citation": [
            {
                "@type": "ScholarlyArticle",
                "name": "Study number 1",
                "url": "https://doi.org/10.1000/example.1",
                "isPartOf": {"@type": "Periodical", "name": "Journal of Examples"},
                "datePublished": "2013",
                "identifier": [
                    {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.1000/example.1"},
                    {"@type": "PropertyValue", "propertyID": "PMID", "value": "23736641"},
                ],
            }
        ],
    }


def test_html_page_layout_and_index(mixed, qa, tmp_path):
    result = export(qa, tmp_path / "b", "--format", "html")
    assert result.exit_code == 0, result.output
    html = tmp_path / "b" / "data" / "html"
    page = parse_html((html / "oncology" / "pub-one.html").read_text())
    text = " ".join("".join(page.text).split())
    assert "Is one published?" in text
    assert "moderate confidence · Last reviewed February 10, 2026" in text
    assert (
        "Study number 1. Journal of Examples. 2013. doi:10.1000/example.1. PMID: 23736641." in text
    )
    assert "We do not provide individualized advice." in text
    assert ("a", {"href": "../index.html"}) in page.tags
    index = parse_html((html / "index.html").read_text())
    assert [a["id"] for t, a in index.tags if t == "h2"] == ["topic-cardiology", "topic-oncology"]
    assert [a["href"] for t, a in index.tags if t == "a" and not a["href"].startswith("#")] == [
        "cardiology/heart.html",
        "oncology/pub-one.html",
        "oncology/pub-two.html",
    ]


TABLE_BODY = (
    "A plain summary.\n\n## What the research says\n\n"
    "Doses differ by age [@1].\n\n"
    "| Age | Dose |\n|:----|-----:|\n| Under 12 | 5 mg [@2] |\n"
    "| <b>12+</b> | [link](javascript:alert(1)) |\n\n"
    "A line with a | sign is prose.\n\n## What to ask your doctor\n\n- Which dose?\n"
)


def test_a_pipe_table_comes_out_as_a_table_with_its_citations(library, qa, tmp_path):
    """Tables (as qa convert writes a legacy page's) are tables in every format, their cells
    as safe as any text: raw HTML escaped, unsafe links left as text."""
    build_tree(library, {f"{ONC}/t.md": answer_text("t", refs=("1", "2"), body=TABLE_BODY)})
    result = export(qa, tmp_path / "b", "--format", "jsonl", "--format", "html")
    assert result.exit_code == 0, result.output
    [record] = jsonl_of(tmp_path / "b")
    body = record["body_html"]
    assert "<table>" in body and "|" not in body.split("<table>")[1].split("</table>")[0]
    assert '<th style="text-align:left">Age</th>' in body
    assert '<td style="text-align:right">5 mg<sup class="cite">' in body
    assert "&lt;b&gt;12+&lt;/b&gt;" in body and 'href="javascript' not in body
    assert [(r["number"], r["id"], r["cited"]) for r in record["references"]] == [
        (1, "1", True),
        (2, "2", True),
    ]
    assert "<p>A line with a | sign is prose.</p>" in body
    page = parse_html((tmp_path / "b" / "data" / "html" / "oncology" / "t.html").read_text())
    assert [t for t, _ in page.tags].count("td") == 4
    assert ("a", {"href": "javascript:alert(1)"}) not in page.tags


def test_the_compiled_renderer_leaves_tables_to_markdown_it():
    from qa_tool.render import plain_subset

    assert not plain_subset("| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert not plain_subset("Some a | b prose.\n")
    assert plain_subset("Some prose.\n")


# ---------------------------------------------------------------------------
# Reproducible bundles


def _export_twice(qa: QA, mixed: Path, tmp_path: Path, name: str, monkeypatch) -> tuple[Path, Path]:
    first, second = tmp_path / "one" / name, tmp_path / "two" / name
    first.parent.mkdir()
    second.parent.mkdir()
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    formats = ["jsonl", "json", "html", "md"]
    args = [a for f in formats for a in ("--format", f)]
    assert export(qa, first, *args).exit_code == 0
    # "Minutes apart": every answer's mtime moves, and the clock reads an hour later.
    later = time.time() + 3600
    for path in (mixed / "answers").rglob("*.md"):
        os.utime(path, (later, later))
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3600)
    result = export(qa, second, *[a for f in reversed(formats) for a in ("-f", f)])
    assert result.exit_code == 0, result.output
    return first, second


@pytest.mark.parametrize("name", ["bundle.tar.gz", "bundle.zip"])
def test_two_exports_minutes_apart_are_byte_identical(mixed, qa, tmp_path, monkeypatch, name):
    first, second = _export_twice(qa, mixed, tmp_path, name, monkeypatch)
    assert first.read_bytes() == second.read_bytes()
    commit_time = int(git(mixed, "log", "-1", "--format=%ct").strip())
    if name.endswith(".tar.gz"):
        raw = first.read_bytes()
        assert raw[3] & 0x08 == 0  # no file name in the gzip header
        assert raw[4:8] == b"\0\0\0\0"  # no time in the gzip header
        with tarfile.open(first) as tar:
            members = tar.getmembers()
        names = [m.name for m in members]
        assert names == sorted(names)
        assert {(m.mtime, m.mode, m.uid, m.gid, m.uname, m.gname, m.type) for m in members} == {
            (commit_time, 0o644, 0, 0, "", "", tarfile.REGTYPE)
        }
    else:
        with zipfile.ZipFile(first) as archive:
            infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        stamp = time.gmtime(commit_time)[:6]
        assert {(i.date_time, i.external_attr >> 16) for i in infos} == {
            ((*stamp[:5], stamp[5] // 2 * 2), 0o100644)
        }
    assert names[:3] == ["bag-info.txt", "bagit.txt", "data/answers.json"]


def test_folder_bundles_are_identical_too(mixed, qa, tmp_path, monkeypatch):
    first, second = _export_twice(qa, mixed, tmp_path, "site", monkeypatch)
    assert tree_bytes(first) == tree_bytes(second)
    commit_time = int(git(mixed, "log", "-1", "--format=%ct").strip())
    assert {int(p.stat().st_mtime) for p in first.rglob("*")} == {commit_time}


def test_the_timestamp_comes_from_source_date_epoch_then_git_then_1980(
    mixed, qa, tmp_path, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert export(qa, tmp_path / "a.tar.gz").exit_code == 0
    with tarfile.open(tmp_path / "a.tar.gz") as tar:
        assert {m.mtime for m in tar.getmembers()} == {1700000000}
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["created"] == "2023-11-14T22:13:20Z"
    assert manifest["timestamp_source"] == "SOURCE_DATE_EPOCH"

    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert export(qa, tmp_path / "b").exit_code == 0
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["created"] == "2026-03-01T12:00:00Z"
    assert manifest["timestamp_source"] == "git-commit"
    assert manifest["library"] == {
        "git_commit": git(mixed, "rev-parse", "HEAD").strip(),
        "dirty": False,
    }

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = export(qa, tmp_path / "c")
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH='yesterday'" in result.stderr


def test_outside_git_the_timestamp_is_1980(library, qa, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    build_tree(library, {f"{ONC}/a.md": answer_text("a")})
    assert export(qa, tmp_path / "b").exit_code == 0
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert (manifest["created"], manifest["timestamp_source"]) == ("1980-01-01T00:00:00Z", "fixed")
    assert manifest["library"] == {"git_commit": None, "dirty": None}


def test_dirty_flag_sees_answers_not_the_bundle_itself(mixed, qa):
    assert export(qa, mixed / "bundle.zip").exit_code == 0
    assert export(qa, mixed / "site").exit_code == 0
    with zipfile.ZipFile(mixed / "bundle.zip") as archive:
        assert json.load(archive.open("manifest.json"))["library"]["dirty"] is False
    assert json.loads((mixed / "site" / "manifest.json").read_text())["library"]["dirty"] is False
    (mixed / ONC / "pub-one.md").write_text(answer_text("pub-one", title="Edited?"))
    result = export(qa, mixed / "site", "--force")
    assert json.loads((mixed / "site" / "manifest.json").read_text())["library"]["dirty"] is True
    assert "uncommitted changes" in result.stderr


def test_manifest_follows_its_schema_and_lists_every_payload_file(mixed, qa, tmp_path):
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads((REPO / "schemas" / "bundle-manifest.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    assert export(qa, tmp_path / "b", "-f", "html", "-f", "md", "-f", "jsonl").exit_code == 0
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert (
        list(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(manifest))
        == []
    )
    listed = {f["path"]: (f["bytes"], f["sha256"]) for f in manifest["files"]}
    payload = {
        p.relative_to(tmp_path / "b").as_posix(): (p.stat().st_size, sha(p))
        for p in (tmp_path / "b" / "data").rglob("*")
        if p.is_file()
    }
    assert listed == payload
    assert [f["path"] for f in manifest["files"]] == sorted(listed)
    assert manifest["formats"] == ["jsonl", "html", "md"]
    assert manifest["tool"]["name"] == "qa_tool"
    bag = (tmp_path / "b" / "manifest-sha256.txt").read_text().splitlines()
    assert bag == [f"{digest}  {path}" for path, (_size, digest) in sorted(listed.items())]


def test_bagit_tools_accept_a_bundle(mixed, qa, tmp_path):
    bagit = pytest.importorskip("bagit")  # a test dependency: pyproject [test]
    assert export(qa, tmp_path / "b", "-f", "html", "-f", "jsonl").exit_code == 0
    bag = bagit.Bag(str(tmp_path / "b"))
    bag.validate()
    assert bag.info["Payload-Oxum"].endswith(".5")
    (tmp_path / "b" / "data" / "answers.jsonl").write_text("{}\n")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(tmp_path / "b")).validate()


# ---------------------------------------------------------------------------
# Atomic, never replacing without --force


def test_existing_out_needs_force(mixed, qa, tmp_path):
    out = tmp_path / "b.zip"
    assert export(qa, out).exit_code == 0
    before = out.read_bytes()
    result = export(qa, out, "--id", "heart")
    assert result.exit_code == 1
    assert "already exists; add --force to replace it" in result.stderr
    assert out.read_bytes() == before
    assert export(qa, out, "--force", "--id", "heart").exit_code == 0
    assert out.read_bytes() != before

    assert export(qa, tmp_path / "site").exit_code == 0
    assert export(qa, tmp_path / "site", "--id", "heart").exit_code == 1
    assert export(qa, tmp_path / "site", "--id", "heart", "--force").exit_code == 0
    assert [r["id"] for r in jsonl_of(tmp_path / "site")] == ["heart"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.zip", "lib", "site"]


def test_a_folder_that_is_not_a_bundle_is_never_replaced(mixed, qa, tmp_path):
    keep = build_tree(tmp_path / "docs", {"notes.txt": "keep me\n"})
    result = export(qa, keep, "--force")
    assert result.exit_code == 2
    assert "is a folder that is not a qa bundle" in result.stderr
    assert (keep / "notes.txt").read_text() == "keep me\n"
    result = export(qa, mixed, "--force")
    assert result.exit_code == 2


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("name", ["b.tar.gz", "b.zip", "b"])
@pytest.mark.parametrize("stage", ["payload", "archive"])
def test_a_failure_midway_leaves_the_old_bundle_and_no_temporary_files(
    mixed, tmp_path, monkeypatch, name, stage
):
    from qa_tool import bundle, render
    from qa_tool.config import load_config
    from qa_tool.export import export_bundle, make_selection

    config = load_config(mixed)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / name
    selection = make_selection(config)
    export_bundle(config, selection, ["html"], out)
    before = tree_bytes(out) if out.is_dir() else {"": out.read_bytes()}

    if stage == "payload":
        calls = []
        real_page = render.answer_page

        def failing_page(*args, **kwargs):
            calls.append(1)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return real_page(*args, **kwargs)

        monkeypatch.setattr(render, "answer_page", failing_page)
    else:

        def failing_archive(raw, root, names, epoch):
            raw.write(b"half an archive")
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(bundle, "_write_tar_gz", failing_archive)
        monkeypatch.setattr(bundle, "_write_zip", failing_archive)
        monkeypatch.setattr(
            bundle,
            "_finish_folder",
            lambda root, names, epoch: failing_archive(io.BytesIO(), root, names, epoch),
        )

    with pytest.raises(KeyboardInterrupt if stage == "payload" else WriteFailed):
        export_bundle(config, selection, ["html", "jsonl"], out, force=True)
    after = tree_bytes(out) if out.is_dir() else {"": out.read_bytes()}
    assert after == before
    assert _leftovers(out_dir) == []
    assert sorted(p.name for p in out_dir.iterdir()) == [name]


def test_a_failure_writing_a_new_bundle_leaves_nothing(mixed, tmp_path, monkeypatch):
    from qa_tool import bundle
    from qa_tool.config import load_config
    from qa_tool.export import export_bundle, make_selection

    config = load_config(mixed)

    def failing_archive(raw, root, names, epoch):
        raw.write(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(bundle, "_write_tar_gz", failing_archive)
    with pytest.raises(KeyboardInterrupt):
        export_bundle(config, make_selection(config), ["jsonl"], tmp_path / "new" / "b.tar.gz")
    assert list((tmp_path / "new").iterdir()) == []


def test_interrupt_in_a_real_process_exits_130_and_leaves_nothing(mixed, tmp_path):
    # Ctrl-C is a KeyboardInterrupt raised wherever the export is; simulate it at a page.
    code = (
        "import sys, qa_tool.render as r\n"
        "def stop(*a, **k): raise KeyboardInterrupt\n"
        "r.answer_page = stop\n"
        "out, root = sys.argv[1:3]\n"
        "sys.argv = ['qa', 'export', '--format', 'html', '--out', out, '--root', root]\n"
        "from qa_tool.cli import main\n"
        "main()\n"
    )
    import subprocess
    import sys

    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", code, str(out / "b.zip"), str(mixed)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 130, proc.stderr
    assert list(out.iterdir()) == []


# ---------------------------------------------------------------------------
# Progress and the summary


@pytest.mark.slow
def test_summary_on_stderr_and_report_json_on_stdout(mixed, tmp_path):
    result = run_qa(
        "export", "--out", str(tmp_path / "b.tar.gz"), "-f", "jsonl", "-f", "html", cwd=mixed
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    size = (tmp_path / "b.tar.gz").stat().st_size
    kb = f"{size / 1000:.1f} KB"
    assert (
        result.stderr
        == f"Exported 3 answers (jsonl, html) to {tmp_path / 'b.tar.gz'}: 5 files, {kb}.\n"
    )

    result = run_qa(
        "export", "--out", str(tmp_path / "c.zip"), "--report", "json", "--quiet", cwd=mixed
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report == {
        "version": 1,
        "out": str(tmp_path / "c.zip"),
        "kind": "zip",
        "formats": ["jsonl"],
        "answers": 3,
        "files": 1,
        "payload_bytes": report["payload_bytes"],
        "bundle_bytes": (tmp_path / "c.zip").stat().st_size,
        "created": "2026-03-01T12:00:00Z",
        "timestamp_source": "git-commit",
        "git_commit": git(mixed, "rev-parse", "HEAD").strip(),
        "dirty": False,
        "excluded_due": [],
        "skipped": [],
    }
    with zipfile.ZipFile(tmp_path / "c.zip") as archive:
        assert report["payload_bytes"] == archive.getinfo("data/answers.jsonl").file_size


def test_progress_bar_only_on_a_terminal(mixed, tmp_path, monkeypatch):
    from qa_tool.cli import export_cmd

    shown = []

    class FakeStderr(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(export_cmd.sys, "stderr", FakeStderr())
    with export_cmd._progress_bar(quiet=False) as progress:
        shown.append(progress)
    with export_cmd._progress_bar(quiet=True) as progress:
        shown.append(progress)
    monkeypatch.undo()
    with export_cmd._progress_bar(quiet=False) as progress:  # pytest's stderr is not a terminal
        shown.append(progress)
    assert [callable(p) for p in shown] == [True, False, False]


# ---------------------------------------------------------------------------
# --exclude-due


def test_exclude_due_leaves_out_what_qa_stale_lists(library, qa, tmp_path):
    build_tree(
        library,
        {
            f"{ONC}/fresh.md": answer_text("fresh", last_reviewed="2026-02-10"),
            f"{ONC}/edited.md": answer_text("edited", last_reviewed="2026-02-10"),
            f"{ONC}/old.md": answer_text("old", last_reviewed="2025-01-10", created="2025-01-01"),
            f"{ONC}/set-due.md": answer_text("set-due", extra="review_due: 2026-03-01"),
            f"{ONC}/draft.md": answer_text("draft", status="draft", last_reviewed="2025-01-10"),
        },
    )
    git_init(library)
    commit_all(library, "answers", "2026-02-10T12:00:00+00:00")
    # edited after its review: due for that reason alone (git history, as qa stale reads it)
    (library / ONC / "edited.md").write_text(
        answer_text("edited", last_reviewed="2026-02-10", title="Is this edited?")
    )
    commit_all(library, "edit", "2026-03-05T12:00:00+00:00")

    stale = qa("stale", "--format", "json", "--as-of", "2026-04-01")
    listed = sorted(item["path"] for item in json.loads(stale.stdout))
    assert listed == [f"{ONC}/edited.md", f"{ONC}/old.md", f"{ONC}/set-due.md"]

    result, summary = qa.json(
        "export",
        "--out",
        str(tmp_path / "b"),
        "--exclude-due",
        "--as-of",
        "2026-04-01",
        "--report",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in jsonl_of(tmp_path / "b")] == ["fresh"]
    assert summary["excluded_due"] == listed
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["selection"]["exclude_due"] is True
    assert manifest["selection"]["as_of"] == "2026-04-01"
    assert "3 due for review left out" in result.stderr

    # with drafts asked for, a due draft is left out too (qa stale --status draft lists it)
    result = export(
        qa, tmp_path / "c", "--exclude-due", "--as-of", "2026-04-01", "--status", "draft"
    )
    assert result.exit_code == 0, result.output
    assert jsonl_of(tmp_path / "c") == []
    result = export(qa, tmp_path / "d", "--as-of", "2026-04-01", "--status", "draft")
    assert result.exit_code == 2


@pytest.mark.parametrize(
    "kind, name",
    [
        ("fifo", "bundle"),  # stands in for a device such as /dev/null: not a file or folder
        ("fifo", "bundle.tar.gz"),
        ("symlink", "bundle.tar.gz"),
        ("folder", "bundle"),  # a folder that is not a bundle
        ("file", "bundle"),  # a folder bundle never replaces a plain file
    ],
)
def test_force_never_replaces_what_is_not_a_bundle(library, qa, tmp_path, kind, name):
    build_tree(library, {"answers/oncology/a.md": answer_text("a")})
    out = tmp_path / name
    if kind == "fifo":
        os.mkfifo(out)
    elif kind == "symlink":
        (tmp_path / "target.tar.gz").write_bytes(b"keep me")
        out.symlink_to(tmp_path / "target.tar.gz")
    elif kind == "folder":
        out.mkdir()
        (out / "notes.txt").write_text("keep me")
    else:
        out.write_text("keep me")
    before = os.lstat(out)
    result = export(qa, out, "--force")
    assert result.exit_code == 2
    assert "not replaced, even with --force" in result.stderr
    after = os.lstat(out)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def count_renders(monkeypatch) -> list[str]:
    """The answers rendered from now on (the rest came from the render cache)."""
    from qa_tool import export as export_module

    rendered: list[str] = []
    real_render = export_module._render_answer

    def counting_render(config, formats, answer, stem):
        rendered.append(answer.rel)
        return real_render(config, formats, answer, stem)

    monkeypatch.setattr(export_module, "_render_answer", counting_render)
    return rendered


def test_a_cold_export_parses_each_answer_once(library, qa, tmp_path, monkeypatch):
    """Choosing and rendering share one full read of each file (the summary is made of it)."""
    from qa_tool import cache
    from qa_tool.answerfile import read

    monkeypatch.setattr(cache, "RACY_NS", 0)  # files written by the test count as settled
    parsed: list[str] = []
    real_load = read.load_front_matter

    def counting_load(front, path):
        parsed.append(Path(path).name)
        return real_load(front, path)

    monkeypatch.setattr(read, "load_front_matter", counting_load)
    build_tree(
        library,
        {
            "answers/oncology/a.md": answer_text("a"),
            "answers/oncology/b.md": answer_text("b", status="draft"),
        },
    )
    first = export(qa, tmp_path / "one", "--format", "jsonl", "--format", "html")
    assert first.exit_code == 0, first.output
    assert sorted(parsed) == ["a.md", "b.md"]  # b is read to learn it is a draft, not rendered
    assert [r["id"] for r in jsonl_of(tmp_path / "one")] == ["a"]
    parsed.clear()
    # The summaries are cached now: another format renders again, from one read.
    second = export(qa, tmp_path / "two", "--format", "json")
    assert second.exit_code == 0, second.output
    assert parsed == ["a.md"]


def test_a_repeat_export_reuses_renderings_and_sees_every_change(
    library, qa, tmp_path, monkeypatch
):
    """The render cache: the same bytes as a fresh render, and never a stale answer."""
    from qa_tool import cache

    monkeypatch.setattr(cache, "RACY_NS", 0)  # files written by the test count as settled
    rendered = count_renders(monkeypatch)
    build_tree(
        library,
        {
            "answers/oncology/a.md": answer_text("a", title="First title?"),
            "answers/oncology/b.md": answer_text("b"),
        },
    )
    first = export(qa, tmp_path / "one.tar.gz", "--format", "jsonl", "--format", "html")
    assert first.exit_code == 0, first.output
    assert sorted(rendered) == ["answers/oncology/a.md", "answers/oncology/b.md"]
    rendered.clear()
    again = export(qa, tmp_path / "two.tar.gz", "--format", "jsonl", "--format", "html")
    assert again.exit_code == 0
    assert rendered == []  # everything came from the cache
    assert (tmp_path / "one.tar.gz").read_bytes() == (tmp_path / "two.tar.gz").read_bytes()

    # An edit (same size, old modification time put back) is seen: only that answer is redone.
    rendered.clear()
    path = library / "answers/oncology/a.md"
    st = path.stat()
    path.write_text(answer_text("a", title="Other title?"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    edited = export(qa, tmp_path / "edited", "--format", "jsonl", "--format", "html")
    assert edited.exit_code == 0, edited.output
    assert rendered == ["answers/oncology/a.md"]
    assert {r["id"]: r["title"] for r in jsonl_of(tmp_path / "edited")} == {
        "a": "Other title?",
        "b": "Is this a sample question?",
    }

    # A new footer in qa.toml changes every page: all are redone.
    rendered.clear()
    (library / "qa.toml").write_text(
        '[[topics]]\nname = "Oncology"\nfooter = "A new footer."\n', encoding="utf-8"
    )
    third = export(qa, tmp_path / "three", "--format", "jsonl", "--format", "html")
    assert third.exit_code == 0, third.output
    assert sorted(rendered) == ["answers/oncology/a.md", "answers/oncology/b.md"]
    records = {r["id"]: r for r in jsonl_of(tmp_path / "three")}
    assert {r["footer"] for r in records.values()} == {"A new footer."}
    page = (tmp_path / "three" / "data" / "html" / "oncology" / "b.html").read_text()
    assert "A new footer." in page

    # And the cached result equals what a run without any cache makes.
    import shutil

    shutil.rmtree(library / ".qa")
    fresh = export(qa, tmp_path / "four", "--format", "jsonl", "--format", "html")
    assert fresh.exit_code == 0
    for name in (
        "answers.jsonl",
        "html/oncology/a.html",
        "html/oncology/b.html",
        "html/index.html",
    ):
        cached = (tmp_path / "three" / "data" / name).read_bytes()
        assert cached == (tmp_path / "four" / "data" / name).read_bytes(), name


def test_reference_authors_keep_every_initial_and_et_al():
    from qa_tool.render import resolve_reference

    item = {
        "id": "1",
        "author": [
            {"family": "Chiu", "given": "HY"},
            {"family": "Lee", "given": "Kyung-Min"},
            {"literal": "et al."},
        ],
        "title": "Sleep",
    }

    text = "".join(segment for segment, _href in resolve_reference(item, 1, True).segments)

    assert text.startswith("Chiu HY, Lee KM, et al. Sleep.")


def test_renderings_restored_into_a_fresh_clone_are_reused(tmp_path, monkeypatch):
    """The CI shape: .qa/ copied into a new clone (new inodes and times); only the edited
    answer is rendered again."""
    import shutil

    origin = tmp_path / "origin"
    build_tree(
        origin,
        {f"{ONC}/a.md": answer_text("a", title="First?"), f"{ONC}/b.md": answer_text("b")},
    )
    git_init(origin)
    commit_all(origin, "answers", "2026-01-05T10:00:00")
    assert export(QA(origin), tmp_path / "one", "--format", "jsonl").exit_code == 0
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--no-hardlinks", str(origin), str(clone))
    shutil.copytree(origin / ".qa", clone / ".qa")
    (clone / ONC / "b.md").write_text(answer_text("b", title="Edited in the clone?"))
    rendered = count_renders(monkeypatch)
    result = export(QA(clone), tmp_path / "two", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert rendered == [f"{ONC}/b.md"]
    assert {r["id"]: r["title"] for r in jsonl_of(tmp_path / "two")} == {
        "a": "First?",
        "b": "Edited in the clone?",
    }


def test_a_cold_export_caches_its_renderings_in_batches(library, qa, tmp_path, monkeypatch):
    """Renderings are written to the render cache a batch at a time: the cache ends up
    complete (a repeat export renders nothing) and the bundles are byte-identical to one
    written with a single batch."""
    import sqlite3

    from qa_tool import cache

    monkeypatch.setattr(cache, "RACY_NS", 0)  # files written by the test count as settled
    build_tree(
        library,
        {f"{ONC}/a{n}.md": answer_text(f"a{n}", title=f"Question {n}?") for n in range(7)},
    )
    args = ("--format", "jsonl", "--format", "html", "--format", "md")
    single = export(qa, tmp_path / "single.tar.gz", *args)
    assert single.exit_code == 0, single.output
    shutil_rmtree(library / ".qa")
    monkeypatch.setattr(cache.RenderCache, "SAVE_EVERY", 2)
    saves: list[int] = []
    real_save = cache.RenderCache.save

    def counting_save(self):
        saves.append(self.pending)
        real_save(self)

    monkeypatch.setattr(cache.RenderCache, "save", counting_save)
    rendered = count_renders(monkeypatch)
    cold = export(qa, tmp_path / "cold.tar.gz", *args)
    assert cold.exit_code == 0, cold.output
    assert len(rendered) == 7  # each answer rendered once, while it was chosen
    assert saves == [2, 2, 2, 1]
    with sqlite3.connect(library / ".qa" / "cache.sqlite3") as con:
        rows = sorted(r[0] for r in con.execute("SELECT rel FROM rendered"))
    assert rows == [f"{ONC}/a{n}.md" for n in range(7)]
    rendered.clear()
    warm = export(qa, tmp_path / "warm.tar.gz", *args)
    assert warm.exit_code == 0, warm.output
    assert rendered == []  # all seven came from the cache
    single_bytes = (tmp_path / "single.tar.gz").read_bytes()
    assert (tmp_path / "cold.tar.gz").read_bytes() == single_bytes
    assert (tmp_path / "warm.tar.gz").read_bytes() == single_bytes


def shutil_rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path)


def test_renderings_wait_in_a_temporary_file_that_is_gone_afterwards(
    library, qa, tmp_path, monkeypatch
):
    """A cold export keeps what it rendered while choosing in an unnamed file in .qa/, read
    back once each; nothing is left behind in .qa/."""
    from qa_tool import cache
    from qa_tool import export as export_module

    monkeypatch.setattr(cache, "RACY_NS", 0)
    build_tree(library, {f"{ONC}/a{n}.md": answer_text(f"a{n}") for n in range(3)})
    spilled: list[int] = []
    real_pop = export_module._Spill.pop

    def counting_pop(self, rel):
        spilled.append(rel in self._at)
        return real_pop(self, rel)

    monkeypatch.setattr(export_module._Spill, "pop", counting_pop)
    result = export(qa, tmp_path / "out", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert spilled == [True, True, True]
    assert sorted(p.name for p in (library / ".qa").iterdir()) == [".gitignore", "cache.sqlite3"]
    assert [r["id"] for r in jsonl_of(tmp_path / "out")] == ["a0", "a1", "a2"]


def test_the_renderings_stay_in_memory_when_qa_cannot_be_made(library, qa, tmp_path):
    """A '.qa' that is a file: no cache, no temporary file; each answer is still rendered
    once and exported."""
    build_tree(library, {f"{ONC}/a{n}.md": answer_text(f"a{n}") for n in range(3)})
    (library / ".qa").write_text("not a folder")
    result = export(qa, tmp_path / "out", "--format", "jsonl", "--format", "html")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in jsonl_of(tmp_path / "out")] == ["a0", "a1", "a2"]
    assert (library / ".qa").read_text() == "not a folder"


def test_the_spill_gives_back_what_it_was_given_and_survives_a_full_disk(library, monkeypatch):
    """_Spill round trip (pieces that are None included); a write that fails keeps the rest
    in memory and forgets the records written, whose answers are then rendered again."""
    from qa_tool.config import load_config
    from qa_tool.export import _Spill

    config = load_config(library)
    spill = _Spill(config)
    spill.put("a.md", (b"line", None, b"\x00entry"), "b" * 40)
    spill.put("b.md", (None, b"", None), None)
    assert "a.md" in spill and len(spill) == 2
    assert spill.pop("b.md") == ((None, b"", None), None)
    assert spill.pop("a.md") == ((b"line", None, b"\x00entry"), "b" * 40)
    assert "a.md" not in spill
    spill.put("c.md", (b"c", None, None), None)

    def full(data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spill._file, "write", full)
    spill.put("d.md", (b"d", None, None), "d" * 40)
    assert "c.md" not in spill  # written before: lost with the file, so rendered again
    assert spill.pop("d.md") == ((b"d", None, None), "d" * 40)
    spill.put("e.md", (b"e", None, None), None)
    assert spill.pop("e.md") == ((b"e", None, None), None)
    spill.close()
