"""``qa refs check``, the references rules in ``qa validate``, and retractions everywhere."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import build_tree, commit_all, git_init

from qa_tool.config import load_config
from qa_tool.errors import RetractionsFileError
from qa_tool.references.retractions import iso_date, load_index, split_values

FIXTURES = Path(__file__).parent / "fixtures" / "references"
RW = FIXTURES / "retraction_watch_sample.csv"


def answer(
    id: str,
    refs: str,
    cites: str,
    status: str = "published",
    last_reviewed: str = "2026-10-01",
) -> str:
    return f"""---
id: {id}
title: Is this a question about {id}?
topic: Oncology
status: {status}
confidence: moderate
created: 2026-01-05
last_reviewed: {last_reviewed}
reviewed_by:
  - name: Jane Doe
references:
{refs.rstrip()}
---
A summary.

## What the research says

A claim {cites}.

## What to ask your doctor

- A question?
"""


RETRACTED = answer(
    "cites-retracted",
    """  - id: "1"
    title: Fabricated outcomes of a CAR-T trial in lupus
    DOI: 10.5555/example.2019.001
  - id: "2"
    title: Cafe-au-lait spots
    PMID: "29000222"
  - id: "3"
    title: A corrected cohort
    DOI: 10.5555/example.2020.002
  - id: "4"
    title: A sound paper
    DOI: 10.5555/sound.1""",
    "[@1; @2; @3; @4]",
)
CLEAN = answer(
    "clean",
    """  - id: "1"
    title: A sound paper
    DOI: 10.5555/sound.1""",
    "[@1]",
)


@pytest.fixture
def lib(library: Path) -> Path:
    build_tree(
        library,
        {
            "answers/oncology/cites-retracted.md": RETRACTED,
            "answers/oncology/clean.md": CLEAN,
            "data/retraction_watch.csv": RW.read_bytes(),
        },
    )
    return library


def by_rule(findings, rule):
    return [f for f in findings if f["rule"] == rule]


def test_retracted_doi_is_an_error_with_nature_date_and_reasons(lib, qa):
    result, out = qa.json("refs", "check", "--retractions", str(RW), "--format", "json")
    assert result.exit_code == 1, result.output
    hits = by_rule(out["findings"], "reference-retracted")
    assert [(h["reference"], h["severity"]) for h in hits] == [
        ("1", "error"),
        ("2", "warning"),
        ("3", "warning"),
    ]
    first = hits[0]
    assert first["answer"] == "cites-retracted"
    assert first["path"] == "answers/oncology/cites-retracted.md"
    assert first["field"] == "$.references[0]"
    assert first["retraction"] == {
        "reference": "1",
        "nature": "Retraction",
        "date": "2021-04-15",
        "reasons": [
            "Concerns/Issues About Data",
            "Duplication of Image",
            "Investigation by Journal/Publisher",
        ],
        "record_id": "51234",
        "matched": {"DOI": "10.5555/example.2019.001"},
        "acknowledged": None,
    }
    assert "Retraction on 2021-04-15" in first["message"]
    concern = hits[1]["retraction"]
    assert concern["nature"] == "Expression of concern"
    assert concern["matched"] == {"PMID": "29000222"}
    assert hits[2]["retraction"]["nature"] == "Correction"
    assert out["errors"] == 1

    result, out = qa.json("refs", "check", "clean", "--retractions", str(RW), "--format", "json")
    assert result.exit_code == 0, result.output
    assert out["findings"] == []
    assert out["files_checked"] == 1


def test_setting_in_qa_toml_validate_and_stale(lib, qa):
    (lib / "qa.toml").write_text('[references]\nretractions = "data/retraction_watch.csv"\n')
    result = qa("refs", "check")
    assert result.exit_code == 1
    assert "reference 1 (DOI 10.5555/example.2019.001): Retraction on 2021-04-15" in result.stdout

    result, out = qa.json("validate", "--format", "json")
    assert result.exit_code == 1
    hits = by_rule(out["findings"], "reference-retracted")
    assert [(h["path"], h["severity"]) for h in hits] == [
        ("answers/oncology/cites-retracted.md", "error"),
        ("answers/oncology/cites-retracted.md", "warning"),
        ("answers/oncology/cites-retracted.md", "warning"),
    ]

    git_init(lib)
    commit_all(lib, "library", "2026-10-01T12:00:00")
    result, out = qa.json("stale", "--format", "json", "--as-of", "2026-10-02")
    items = {i["id"]: i for i in out}
    assert items["cites-retracted"]["reasons"] == ["cites-retracted"]
    assert items["cites-retracted"]["cites_retracted"] == ["1"]
    assert "clean" not in items
    result = qa("stale", "--as-of", "2026-10-02")
    assert "cites-retracted" in result.stdout


def test_acknowledged_retraction_is_a_note(lib, qa):
    text = RETRACTED.replace(
        "    DOI: 10.5555/example.2019.001\n",
        "    DOI: 10.5555/example.2019.001\n"
        "    retraction_acknowledged:\n"
        "      by: Jane Doe\n"
        "      date: 2026-10-01\n"
        "      note: cited to explain why the finding no longer stands\n",
    )
    (lib / "answers/oncology/cites-retracted.md").write_text(text)
    result, out = qa.json("refs", "check", "--retractions", str(RW), "--format", "json")
    hits = by_rule(out["findings"], "reference-retracted")
    assert hits[0]["severity"] == "note"
    assert hits[0]["retraction"]["acknowledged"]["by"] == "Jane Doe"
    assert "acknowledged by Jane Doe on 2026-10-01" in hits[0]["message"]
    assert out["errors"] == 0
    assert result.exit_code == 0  # the two warnings do not fail the run...
    assert qa("refs", "check", "--retractions", str(RW), "--strict").exit_code == 1  # ...here

    (lib / "qa.toml").write_text('[references]\nretractions = "data/retraction_watch.csv"\n')
    git_init(lib)
    commit_all(lib, "library", "2026-10-01T12:00:00")
    _, out = qa.json("stale", "--format", "json", "--as-of", "2026-10-02")
    assert out == []
    _, out = qa.json("validate", "--format", "json")
    assert out["errors"] == 0


def test_missing_or_wrong_retractions_file_is_a_clear_error(lib, qa):
    result = qa("refs", "check", "--retractions", str(lib / "nope.csv"))
    assert result.exit_code == 2
    assert "nope.csv: no such file" in result.stderr
    (lib / "qa.toml").write_text('[references]\nretractions = "data/missing.csv"\n')
    for command in (("refs", "check"), ("validate",), ("stale",)):
        result = qa(*command)
        assert result.exit_code == 2, command
        assert "data/missing.csv: no such file" in result.stderr
        assert "Traceback" not in result.output
    other = lib / "other.csv"
    other.write_text("a,b\n1,2\n")
    result = qa("refs", "check", "--retractions", str(other))
    assert result.exit_code == 2
    assert "not the Retraction Watch CSV: no column 'Record ID'" in result.stderr


def test_index_is_cached_by_content(lib):
    config = load_config(lib)
    source = lib / "data/retraction_watch.csv"
    index = load_index(config, source)
    assert index.rows == 5
    assert index.recoded_fields == 1  # the one Windows-1252 title
    assert index.path.parent == lib / ".qa"
    built = index.path.stat().st_mtime_ns
    (concern,) = index.lookup(pmid="29000222")
    assert concern.title == "Café-au-lait spots and immune checkpoints"
    # sentinels never match; multi-valued DOIs each match; DOIs match in any case
    assert index.lookup(pmid="0") == []
    assert index.lookup(doi="unavailable") == []
    assert [r.record_id for r in index.lookup(doi="10.5555/EXAMPLE.2017.B")] == ["51238"]
    assert [r.record_id for r in index.lookup(doi="10.5555/example.2019.001")] == ["51234"]
    again = load_index(config, source)
    assert again.path == index.path
    assert index.path.stat().st_mtime_ns == built
    # new content: a new index; the old one is removed
    source.write_bytes(source.read_bytes().replace(b"51234", b"99999"))
    changed = load_index(config, source)
    assert changed.path != index.path
    assert not index.path.exists()
    assert [r.record_id for r in changed.lookup(doi="10.5555/example.2019.001")] == ["99999"]


def test_damaged_index_is_rebuilt(lib):
    config = load_config(lib)
    source = lib / "data/retraction_watch.csv"
    index = load_index(config, source)
    index.path.write_bytes(b"not a database")
    from qa_tool.references import retractions

    retractions._MEMO.clear()
    retractions._cached.cache_clear()
    rebuilt = load_index(config, source)
    assert rebuilt.rows == 5


def test_csv_cell_rules():
    assert iso_date("4/15/2021 0:00") == "2021-04-15"
    assert iso_date("12/1/1999") == "1999-12-01"
    assert iso_date("unavailable") is None
    assert iso_date("sometime") == "sometime"
    assert split_values("+Concerns/Issues About Data;+Duplication of Image;") == [
        "Concerns/Issues About Data",
        "Duplication of Image",
    ]
    with pytest.raises(RetractionsFileError):
        load_index(load_config(FIXTURES), FIXTURES / "zotero.json")


REF_PROBLEMS = answer(
    "problems",
    """  - id: "1"
    title: One paper
    DOI: https://doi.org/10.5555/dup.1
  - id: "2"
    title: The same paper again
    DOI: 10.5555/DUP.1
  - id: "3"
  - id: "4"
    title: Odd identifiers
    PMID: "PMID 123"
    PMCID: "12345"
    URL: www.example.org
  - id: "5"
    title: Never cited
    PMID: "555\"""",
    "[@1; @2; @3; @4; @9]",
)


def test_reference_rules(lib, qa):
    build_tree(lib, {"answers/oncology/problems.md": REF_PROBLEMS})
    result, out = qa.json("refs", "check", "problems", "--format", "json")
    assert result.exit_code == 1
    rules = sorted((f["rule"], f["reference"], f["severity"]) for f in out["findings"])
    assert rules == [
        ("citation-unknown", None, "error"),
        ("reference-duplicate", "2", "error"),
        ("reference-malformed", "1", "error"),
        ("reference-malformed", "4", "error"),
        ("reference-malformed", "4", "error"),
        ("reference-malformed", "4", "error"),
        ("reference-stub", "3", "warning"),
        ("reference-uncited", "5", "error"),
    ]
    messages = " ".join(f["message"] for f in out["findings"])
    assert "write DOI: 10.5555/dup.1" in messages
    assert "write PMID: 123" in messages
    assert "write PMCID: PMC12345" in messages
    assert "[@9] has no entry in references" in messages
    # github annotations
    result = qa("refs", "check", "problems", "--format", "github")
    assert "::error file=answers/oncology/problems.md,line=" in result.stdout

    # a published answer's stubs as an error, as qa.toml says
    (lib / "qa.toml").write_text('[references]\npublished_stubs = "error"\n')
    _, out = qa.json("refs", "check", "problems", "--format", "json")
    assert [f["severity"] for f in by_rule(out["findings"], "reference-stub")] == ["error"]
    _, out = qa.json("validate", str(lib / "answers/oncology/problems.md"), "--format", "json")
    assert [f["severity"] for f in by_rule(out["findings"], "reference-stub")] == ["error"]
    assert by_rule(out["findings"], "reference-duplicate")


def test_shipped_library_check(tmp_path, qa):
    from helpers import QA

    repo = Path(__file__).resolve().parents[1]
    lib = tmp_path / "shipped"
    shutil.copytree(repo / "answers", lib / "answers")
    result, out = QA(lib).json("refs", "check", "--format", "json")
    assert result.exit_code == 0, result.output  # stubs are warnings
    assert {f["rule"] for f in out["findings"]} == {"reference-stub"}
    assert len(out["findings"]) == 8


def test_bench_generator_writes_a_file_the_index_reads(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_retractions", Path(__file__).resolve().parents[1] / "bench" / "retractions.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "rw.csv"
    module.write_csv(out, 300, 1, [("10.5555/cited.1", "30000001")])
    assert out.read_bytes() == (module.write_csv(tmp_path / "b.csv", 300, 1, [
        ("10.5555/cited.1", "30000001")]) and (tmp_path / "b.csv").read_bytes())  # fmt: skip
    config = load_config(tmp_path)
    index = load_index(config, out)
    assert index.rows == 300
    assert index.recoded_fields == 1  # one title in Windows-1252
    (odd,) = index.lookup(doi="10.5555/CITED.1")
    assert odd.title.startswith("Université ")
    assert [r.record_id for r in index.lookup(doi="10.5555/CITED.1")] == ["10000"]
    assert [r.record_id for r in index.lookup(pmid="30000001")] == ["10000"]


def test_ris_pmid_from_accession_number_finds_the_expression_of_concern(lib, qa):
    """EndNote keeps the PMID in AN (or an N1 note); the concern is found by it."""
    build_tree(lib, {"answers/oncology/stub.md": answer("stub", '  - id: "1"', "[@1]")})
    ris = lib / "endnote.ris"
    ris.write_text("TY  - JOUR\r\nTI  - Cafe-au-lait spots\r\nAN  - 29000222\r\nER  - \r\n")
    result = qa("refs", "import", str(ris), "--answer", "stub", "--as", "1")
    assert result.exit_code == 0, result.output
    result, out = qa.json("refs", "check", "stub", "--retractions", str(RW), "--format", "json")
    (hit,) = by_rule(out["findings"], "reference-retracted")
    assert (hit["reference"], hit["severity"]) == ("1", "warning")
    assert hit["retraction"]["nature"] == "Expression of concern"
    assert hit["retraction"]["matched"] == {"PMID": "29000222"}
