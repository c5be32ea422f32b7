"""The golden corpus: every legacy text under tests/fixtures/legacy/ against its expected output.

Each ``NNN_name.txt`` has, under ``tests/fixtures/legacy/expected/``:

* ``NNN_name.json``: what ``qa convert --format json`` reports for it (status, target,
  warnings, doubts, error), and
* ``NNN_name.md``: the answer file written, when it converts (a refused text has none:
  nothing is written for it).

The corpus varies as real archives vary: encodings (UTF-8 with and without BOM, UTF-16
with and without BOM, UTF-32, Windows-1252, Latin-1), line endings (LF, CRLF, CR, mixed),
page chrome, heading styles, citation styles, References list styles, date forms, bullets,
and pages that are not answers and must be refused.

To regenerate the expected files on purpose (after a deliberate change of the output),
run ``QA_GOLDEN_REGENERATE=1 .venv/bin/python -m pytest tests/test_golden.py`` and review
the diff with ``git diff tests/fixtures/legacy/expected/`` before committing it. A failing
case shows a unified diff of expected against actual.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
from pathlib import Path

import pytest

from qa_tool.config import load_config
from qa_tool.convert import ConvertOptions, LegacySource, convert_sources

CORPUS = Path(__file__).resolve().parent / "fixtures" / "legacy"
EXPECTED = CORPUS / "expected"
SHIPPED = Path(__file__).resolve().parent.parent / "answers"
REGENERATE = os.environ.get("QA_GOLDEN_REGENERATE") == "1"
CONVERTED_ON = dt.date(2026, 12, 1)
TEXTS = sorted(CORPUS.glob("*.txt"))


def convert_one(tmp_path: Path, text: Path) -> tuple[dict, str | None]:
    """Convert one legacy text into an empty library; the report entry and the file."""
    library = tmp_path / "lib"
    (library / "answers").mkdir(parents=True)
    config = load_config(library)
    options = ConvertOptions(today=CONVERTED_ON)
    report = convert_sources(config, [LegacySource(text.name, text)], options)
    (entry,) = report.to_dict()["files"]
    written = sorted((library / "answers").rglob("*.md"))
    assert len(written) == (1 if entry["status"] == "converted" else 0)
    return entry, written[0].read_text(encoding="utf-8") if written else None


def check(expected_path: Path, actual: str | None) -> None:
    """Compare with the expected file (or write it when regenerating); a diff on failure."""
    if REGENERATE:
        if actual is None:
            expected_path.unlink(missing_ok=True)
        else:
            expected_path.parent.mkdir(exist_ok=True)
            expected_path.write_text(actual, encoding="utf-8")
        return
    expected = expected_path.read_text(encoding="utf-8") if expected_path.exists() else None
    if expected == actual:
        return
    diff = "".join(
        difflib.unified_diff(
            (expected or "").splitlines(keepends=True),
            (actual or "").splitlines(keepends=True),
            fromfile=f"{expected_path.name} (expected)",
            tofile=f"{expected_path.name} (actual)",
        )
    )
    pytest.fail(
        f"{expected_path.name} differs (QA_GOLDEN_REGENERATE=1 rewrites it):\n{diff}",
        pytrace=False,
    )


def test_the_corpus_is_large_and_varied():
    assert len(TEXTS) >= 42
    refused = [json.loads(p.read_text())["status"] for p in EXPECTED.glob("*.json")]
    assert refused.count("failed") >= 5


@pytest.mark.parametrize("text", TEXTS, ids=[text.stem for text in TEXTS])
def test_golden(tmp_path: Path, text: Path):
    entry, written = convert_one(tmp_path, text)

    report = json.dumps(entry, indent=2, ensure_ascii=False) + "\n"
    check(EXPECTED / f"{text.stem}.json", report)
    check(EXPECTED / f"{text.stem}.md", written)


@pytest.mark.parametrize("prefix", ["000", "001"])
def test_the_two_samples_convert_to_the_shipped_answers(tmp_path: Path, prefix: str):
    (text,) = CORPUS.glob(f"{prefix}_*.txt")
    entry, written = convert_one(tmp_path, text)

    shipped = (SHIPPED.parent / entry["target"]).read_text(encoding="utf-8")
    assert entry["doubts"] == []
    assert written is not None
    assert _without_converted_date(written) == _without_converted_date(shipped)


def _without_converted_date(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("  converted:"))
