"""``qa refs import``: stubs filled, matches by identifier, conflicts kept, nothing lost."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import QA, answer_text, build_tree

from qa_tool.answerfile.read import read_answer

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "references"
EXAMPLE_NBIB = REPO / "docs" / "examples" / "pubmed-reference-1.nbib"
SHIPPED = "what-new-treatments-for-autoimmune-diseases-are-emerging"

STUBS = """---
id: car-t
title: Is CAR-T therapy used for lupus?
topic: Oncology
status: in-review
# the references come from the legacy page
references:
  - id: "1"   # stub from conversion
  - id: "2"
    title: Kept as written
    DOI: 10.1038/S41591-022-02017-5
---
A summary.

## What the research says

A claim [@1]. Another [@2].

## What to ask your doctor

- A question?
"""


def refs_of(path: Path) -> list[dict]:
    return read_answer(path, path.name, 10**6).meta["references"]


def test_as_fills_a_stub_and_keeps_comments_and_the_body(library, qa):
    build_tree(library, {"answers/oncology/car-t.md": STUBS})
    target = library / "answers/oncology/car-t.md"
    before = target.read_text(encoding="utf-8")
    result = qa("refs", "import", str(FIXTURES / "zotero.json"), "--answer", "car-t", "--as", "1")
    assert result.exit_code == 2  # three entries for one --as
    assert "--as 1 fills one reference, but the files hold 3 entries" in result.stderr
    assert target.read_text(encoding="utf-8") == before
    one = library / "one.ris"
    one.write_text(
        (FIXTURES / "publisher.ris")
        .read_text(encoding="utf-8")
        .replace("ID  - Mackensen2022\n", ""),
        encoding="utf-8",
    )
    result, out = qa.json(
        "refs", "import", str(one), "--answer", "car-t", "--as", "3", "-f", "json"
    )
    # matched by --as 3: a new reference 3, even though the DOI is the same as [@2]'s
    assert result.exit_code == 0, result.output
    assert out["entries"][0]["action"] == "added"
    target.write_text(before, encoding="utf-8")

    nbib = library / "ref.nbib"
    nbib.write_text((FIXTURES / "pubmed.nbib").read_text().split("\n\n")[0] + "\n")
    result, out = qa.json(
        "refs", "import", str(nbib), "--answer", "car-t", "--as", "1", "-f", "json"
    )
    assert result.exit_code == 0, result.output
    (entry,) = out["entries"]
    assert entry["action"] == "filled"
    assert entry["reference"] == "1"
    assert entry["cited"] is True
    assert out["written"] is True
    text = target.read_text(encoding="utf-8")
    assert "# the references come from the legacy page\n" in text
    assert '  - id: "1"   # stub from conversion\n' in text
    assert '    PMID: "36109639"\n' in text
    assert text.endswith(before.split("---\n", 2)[2])
    ref = refs_of(target)[0]
    assert ref["author"][0] == {"family": "Mackensen", "given": "Andreas"}
    assert ref["issued"] == {"date-parts": [[2022, 10]]}
    assert ref["volume"] == "28"
    assert ref["PMID"] == "36109639"
    assert refs_of(target)[1] == {
        "id": "2",
        "title": "Kept as written",
        "DOI": "10.1038/S41591-022-02017-5",
    }
    # the same import again changes nothing
    result, out = qa.json(
        "refs", "import", str(nbib), "--answer", "car-t", "--as", "1", "-f", "json"
    )
    assert out["entries"][0]["action"] == "unchanged"
    assert out["written"] is False
    assert target.read_text(encoding="utf-8") == text


def test_match_by_doi_case_insensitive_conflict_then_force(library, qa):
    build_tree(library, {"answers/oncology/car-t.md": STUBS})
    target = library / "answers/oncology/car-t.md"
    before = target.read_text(encoding="utf-8")
    result = qa("refs", "import", str(FIXTURES / "publisher.ris"), "--answer", "car-t")
    # [@2] has the same DOI in capitals and a different title: that one field is a
    # conflict and kept; the fields [@2] lacks are added
    assert result.exit_code == 1
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("conflict:")]
    assert "conflict: [@2]" in line
    assert "title has 'Kept as written', the file says 'Anti-CD19 CAR T" in line
    assert "--force replaces it" in line
    assert "updated [@2]" in result.stdout
    ref = refs_of(target)[1]
    assert ref["title"] == "Kept as written"
    assert ref["container-title"] == "Nature Medicine"
    assert ref["DOI"] == "10.1038/S41591-022-02017-5"
    target.write_text(before, encoding="utf-8")

    result, out = qa.json(
        "refs",
        "import",
        str(FIXTURES / "publisher.ris"),
        "--answer",
        "car-t",
        "--force",
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.output
    (entry,) = out["entries"]
    assert entry["matched_by"] == "DOI"
    assert entry["action"] == "updated"
    ref = refs_of(target)[1]
    assert ref["title"].startswith("Anti-CD19 CAR T cell therapy")
    assert ref["DOI"] == "10.1038/S41591-022-02017-5"  # the same DOI: kept as written
    assert ref["issued"] == {"date-parts": [[2022, 10, 1]]}


def test_unmatched_entries_are_added_under_their_key_and_reported_uncited(library, qa):
    build_tree(library, {"answers/oncology/car-t.md": STUBS})
    target = library / "answers/oncology/car-t.md"
    result, out = qa.json(
        "refs", "import", str(FIXTURES / "betterbibtex.bib"), "--answer", "car-t", "-f", "json"
    )
    assert result.exit_code == 1  # mackensen... matches [@2] by DOI, whose title differs
    actions = {e["reference"]: e["action"] for e in out["entries"]}
    assert actions == {"2": "conflict", "whoCancer2020": "added", "smith2019": "added"}
    ids = [r["id"] for r in refs_of(target)]
    assert ids == ["1", "2", "whoCancer2020", "smith2019"]
    result = qa("refs", "import", str(FIXTURES / "pubmed.nbib"), "--answer", "car-t")
    assert result.exit_code == 1  # the first record matches [@2] by DOI again
    assert (
        "warning: [@pmid:30000001] is not cited in the body yet: qa validate reports it "
        "(reference-uncited" in result.stderr
    )
    assert "pmid:30000001" in [r["id"] for r in refs_of(target)]


def test_dry_run_shows_a_diff_and_writes_nothing(library, qa):
    build_tree(library, {"answers/oncology/car-t.md": STUBS})
    target = library / "answers/oncology/car-t.md"
    before = target.read_bytes()
    result = qa(
        "refs", "import", str(FIXTURES / "pubmed.nbib"), "--answer", "car-t", "--dry-run", "--force"
    )
    assert result.exit_code == 0, result.output
    assert '+    PMID: "30000001"\n' in result.stdout
    assert result.stdout.count("--- a/answers/oncology/car-t.md") == 1
    assert "dry run" in result.stderr
    assert target.read_bytes() == before


def test_bad_file_writes_nothing_even_after_a_good_one(library, qa):
    build_tree(library, {"answers/oncology/car-t.md": STUBS})
    target = library / "answers/oncology/car-t.md"
    before = target.read_bytes()
    result = qa(
        "refs",
        "import",
        str(FIXTURES / "pubmed.nbib"),
        str(FIXTURES / "bad_no_er.ris"),
        "--answer",
        "car-t",
    )
    assert result.exit_code == 2
    assert f"{FIXTURES / 'bad_no_er.ris'}:5: record starting here has no 'ER  -' line" in (
        result.stderr.replace("\n", "")
    )
    assert "Traceback" not in result.output
    assert target.read_bytes() == before


def test_usage_errors(library, qa):
    build_tree(library, {"answers/oncology/car-t.md": STUBS})
    assert qa("refs", "import", "--answer", "car-t").exit_code == 2
    assert qa("refs", "import", str(FIXTURES / "pubmed.nbib")).exit_code == 2
    result = qa("refs", "import", str(FIXTURES / "pubmed.nbib"), "--answer", "nope")
    assert result.exit_code == 2
    assert "no answer with id 'nope'" in result.stderr
    result = qa("refs", "import", str(FIXTURES / "pubmed.nbib"), "--answer", "car-t", "--as", "a b")
    assert result.exit_code == 2


def test_from_overrides_the_extension(library, qa):
    build_tree(library, {"answers/oncology/car-t.md": STUBS})
    odd = library / "export.bib"
    odd.write_bytes((FIXTURES / "pubmed.nbib").read_bytes())
    assert qa("refs", "import", str(odd), "--answer", "car-t", "-n").exit_code == 2
    result = qa(
        "refs", "import", str(odd), "--answer", "car-t", "-n", "--from", "medline", "--force"
    )
    assert result.exit_code == 0, result.output


def test_shipped_answer_stub_filled_from_the_example_nbib(tmp_path, qa):
    """End to end on a copy of the shipped library: reference 1 filled, its stub warning gone."""
    lib = tmp_path / "shipped"
    shutil.copytree(REPO / "answers", lib / "answers")
    shipped = QA(lib)
    _, before = shipped.json("validate", "--format", "json")
    stubs = {(f["path"], f["field"]) for f in before["findings"] if f["rule"] == "reference-stub"}
    path = f"answers/oncology/{SHIPPED}.md"
    assert (path, "$.references[0]") in stubs

    result, out = shipped.json(
        "refs", "import", str(EXAMPLE_NBIB), "--answer", SHIPPED, "--as", "1", "-f", "json"
    )
    assert result.exit_code == 0, result.output
    assert out["entries"][0]["action"] == "filled"
    ref = refs_of(lib / path)[0]
    assert ref["PMID"] and ref["DOI"] and ref["title"] and ref["container-title"]

    _, after = shipped.json("validate", "--format", "json")
    stubs_after = {
        (f["path"], f["field"]) for f in after["findings"] if f["rule"] == "reference-stub"
    }
    assert stubs_after == stubs - {(path, "$.references[0]")}
    assert after["errors"] == 0
    result, check = shipped.json("refs", "check", SHIPPED, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [f["reference"] for f in check["findings"]] == ["2", "3", "6"]
    assert {f["rule"] for f in check["findings"]} == {"reference-stub"}


def test_values_read_back_the_same(library, qa):
    build_tree(library, {"answers/oncology/sample-answer.md": answer_text(refs=("1",))})
    target = library / "answers/oncology/sample-answer.md"
    result, out = qa.json(
        "refs", "import", str(FIXTURES / "zotero.json"), "--answer", "sample-answer", "-f", "json"
    )
    assert result.exit_code == 0, result.output
    written = {r["id"]: r for r in refs_of(target)}
    for entry in out["entries"]:
        item = json.loads(json.dumps(written[entry["reference"]]))
        for change in entry["changes"]:
            assert item[change["field"]] == change["new"]


LEGACY = """---
id: aspirin
title: Is aspirin safe?
topic: Cardiology
status: in-review
references:
  - id: "2"
    title: Effects of aspirin for primary prevention in persons with diabetes mellitus.
    author: [{family: Bowman, given: L}, {literal: et al.}]
    container-title: N Engl J Med
    issued: 2018
    volume: "379"
    page: 1529-39
    DOI: 10.1056/NEJMoa1804988
---
A summary.

## What the research says

A claim [@2].

## What to ask your doctor

- A question?
"""

ASCEND_RIS = """TY  - JOUR
AU  - Bowman, Louise
AU  - Mafham, Marion
AU  - ASCEND Study Collaborative Group
TI  - Effects of Aspirin for Primary Prevention in Persons with Diabetes Mellitus
T2  - New England Journal of Medicine
J2  - N Engl J Med
Y1  - 2018
VL  - {volume}
IS  - 16
SP  - 1529
EP  - 1539
DO  - 10.1056/NEJMOA1804988
AN  - 30146931
ER  -
"""


def test_doi_match_adds_what_is_lacking_and_reports_each_true_difference(library, qa):
    build_tree(library, {"answers/cardiology/aspirin.md": LEGACY})
    target = library / "answers/cardiology/aspirin.md"
    ris = library / "ascend.ris"
    ris.write_text(ASCEND_RIS.format(volume="379"))
    # the journal as its abbreviation, "1529-39", "et al.", a title's case and full stop:
    # the same details, so no conflict; what the reference lacks is added
    result, out = qa.json("refs", "import", str(ris), "--answer", "aspirin", "-f", "json")
    assert result.exit_code == 0, result.output
    (entry,) = out["entries"]
    assert (entry["action"], entry["matched_by"], entry["conflicts"]) == ("updated", "DOI", [])
    assert [c["field"] for c in entry["changes"]] == [
        "type",
        "author",
        "container-title-short",
        "issue",
        "PMID",
    ]
    ref = refs_of(target)[0]
    assert ref["container-title"] == "N Engl J Med"  # kept as written
    assert ref["container-title-short"] == "N Engl J Med"
    assert ref["page"] == "1529-39"
    assert ref["PMID"] == "30146931"
    assert ref["author"][2] == {"literal": "ASCEND Study Collaborative Group"}

    build_tree(library, {"answers/cardiology/aspirin.md": LEGACY})
    ris.write_text(ASCEND_RIS.format(volume="380"))
    result, out = qa.json("refs", "import", str(ris), "--answer", "aspirin", "-f", "json")
    assert result.exit_code == 1
    (entry,) = out["entries"]
    assert entry["action"] == "conflict"
    assert entry["conflicts"] == [{"field": "volume", "old": "379", "new": "380"}]
    assert "PMID" in [c["field"] for c in entry["changes"]]
    ref = refs_of(target)[0]
    assert (ref["volume"], ref["PMID"]) == ("379", "30146931")  # kept; the lacking one added
    result = qa("refs", "import", str(ris), "--answer", "aspirin")
    assert result.exit_code == 1
    assert result.stderr.count("conflict:") == 1
    assert "volume has '379', the file says '380'; kept (--force replaces it)" in result.stderr
