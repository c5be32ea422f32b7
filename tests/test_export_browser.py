"""The HTML page of a shipped answer, opened in a real browser (headless Chromium).

Chromium is Debian's ``chromium`` package, which ``.ci/run`` installs when it is
missing. Without it the test is skipped on a developer's machine, but fails
under CI (``CI`` set), so a green CI always means the page was looked at.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import QA, REPO

pytestmark = pytest.mark.slow  # starts a browser

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium() -> str:
    browser = shutil.which("chromium")
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return browser


def dump_dom(page: Path, profile: Path) -> str:
    """The DOM of ``page`` after Chromium has loaded it, serialised as HTML."""
    result = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "<html" in result.stdout, result.stderr[-2000:]
    return result.stdout


class VisibleText(HTMLParser):
    """Text a reader sees (not inside script or style), and the reference list items."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.reference_items = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self.hidden += 1
        if tag == "li" and (dict(attrs).get("id") or "").startswith("ref-"):
            self.reference_items += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).replace("\u00a0", " ").split())


def normal(text: str) -> str:
    return " ".join(text.split())


def confidence_line(record: dict) -> str:
    """The live page's line, built here from the exported fields, independently of qa."""
    first = f"{record['confidence']} confidence" if record.get("confidence") else None
    first = first or "Confidence not yet rated"
    if record.get("last_reviewed"):
        day = dt.date.fromisoformat(record["last_reviewed"])
        second = f"Last reviewed {day:%B} {day.day}, {day.year}"
    else:
        second = "Not yet reviewed"
    return f"{first} · {second}"


def test_a_shipped_answer_page_shows_everything_in_chromium(tmp_path):
    chromium()
    out = tmp_path / "site"
    result = QA(REPO)(
        "export",
        "--out",
        str(out),
        "--format",
        "html",
        "--format",
        "jsonl",
        "--status",
        "published",
        "--status",
        "in-review",
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    records = [
        json.loads(line)
        for line in (out / "data" / "answers.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    shipped = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "answers").rglob("*.md"))
    assert sorted(r["path"] for r in records) == shipped
    assert any(r["status"] == "published" for r in records)

    for n, record in enumerate(records):
        stem = Path(record["path"]).relative_to("answers").with_suffix("")
        page = out / "data" / "html" / f"{stem}.html"
        seen = VisibleText()
        seen.feed(dump_dom(page, tmp_path / f"profile-{n}"))
        text = seen.text
        assert normal(record["title"]) in text
        assert confidence_line(record) in text
        if record["status"] == "published":
            assert confidence_line(record) == "moderate confidence · Last reviewed May 22, 2026"
        assert record["sections"]["doctor_questions"]
        for question in record["sections"]["doctor_questions"]:
            assert normal(question) in text, question
        assert record["references"]
        assert seen.reference_items == len(record["references"])
        for reference in record["references"]:
            assert normal(reference["text"]) in text, reference["text"]
        assert normal(record["footer"]) in text
