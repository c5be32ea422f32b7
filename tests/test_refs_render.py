"""References as exported pages show them, and what qa export says about them."""

from __future__ import annotations

from pathlib import Path

from helpers import build_tree
from test_refs_check import CLEAN, RETRACTED, RW

from qa_tool.references.formats import read_entries
from qa_tool.render import resolve_reference

FIXTURES = Path(__file__).parent / "fixtures" / "references"


def test_an_imported_medline_record_renders_in_vancouver_style():
    (entry,) = read_entries(FIXTURES / "pubmed.nbib")[:1]
    ref = resolve_reference({"id": "1", **entry.item}, 1, True)
    assert ref.text == (
        "Mackensen A, Muller F, Mougiakakos D. Anti-CD19 CAR T cell therapy for refractory "
        "systemic lupus erythematosus. Nat Med. 2022;28(10):2124-2132. "
        "doi:10.1038/s41591-022-02017-5. PMID: 36109639."
    )
    assert ref.links["doi"] == "https://doi.org/10.1038/s41591-022-02017-5"


def test_more_than_six_authors_become_et_al():
    (entry, _report, _smith) = read_entries(FIXTURES / "betterbibtex.bib")
    ref = resolve_reference({"id": "m", **entry.item}, 1, True)
    assert ref.text.startswith(
        "Mackensen A, Müller F, Mougiakakos D, Böltz S, Wilhelm A, Aigner M, et al. Anti-CD19"
    )
    assert "Nat Med. 2022;28(10):2124-2132." in ref.text


def test_export_says_which_published_answers_have_stub_or_retracted_references(library, qa):
    stub = CLEAN.replace("id: clean", "id: with-stub").replace(
        '  - id: "1"\n    title: A sound paper\n    DOI: 10.5555/sound.1', '  - id: "1"'
    )
    build_tree(
        library,
        {
            "answers/oncology/cites-retracted.md": RETRACTED,
            "answers/oncology/clean.md": CLEAN,
            "answers/oncology/with-stub.md": stub,
            "data/rw.csv": RW.read_bytes(),
            "qa.toml": '[references]\nretractions = "data/rw.csv"\n',
        },
    )
    result = qa("export", "--out", str(library.parent / "site"), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    err = result.stderr.replace("\n", " ")
    assert (
        "answers/oncology/cites-retracted.md: published, cites a retracted paper: reference 1 "
        "(Retraction 2021-04-15, Retraction Watch record 51234)" in err
    )
    assert "answers/oncology/with-stub.md: published with 1 stub reference" in err
    assert "clean.md" not in err
