"""``qa refs import`` on hard input: nothing lost, nothing invented, nothing merged wrongly.

Each test builds a library, writes a reference file as a tool (or a broken tool)
exports it, runs the real command and checks the answer's references as read back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import build_tree

from qa_tool.answerfile.read import read_answer

ANSWER = """---
id: walking
title: Does walking help?
topic: Cardiology
status: draft
# references from the legacy page
references:
  - id: "1"
  - id: "2"
---
A summary.

## What the research says

A claim [@1]. Another [@2].

## What to ask your doctor

- A question?
"""
TARGET = "answers/cardiology/walking.md"


@pytest.fixture
def answer(library: Path) -> Path:
    build_tree(library, {TARGET: ANSWER})
    return library / TARGET


def refs_of(path: Path) -> list[dict]:
    return read_answer(path, path.name, 10**7).meta["references"]


def run_import(library: Path, qa, name: str, content: str | bytes, *extra: str):
    """Write the reference file ``name`` and import it; (result, parsed JSON or None)."""
    source = library.parent / name
    if isinstance(content, bytes):
        source.write_bytes(content)
    else:
        source.write_text(content, encoding="utf-8")
    result = qa("refs", "import", str(source), "--answer", "walking", "-f", "json", *extra)
    out = None
    if result.stdout.strip().startswith("{"):
        import json

        out = json.loads(result.stdout)
    return result, out


def by_id(path: Path) -> dict[str, dict]:
    return {str(r["id"]): r for r in refs_of(path)}


# ---------------------------------------------------------------------------- unreadable text


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ('[{"id": "s", "title": "Lone \\ud800 here", "DOI": "10.1000/s"}]', "title"),
        ('[{"id": "s", "title": "Low \\udc80", "DOI": "10.1000/s"}]', "title"),
        ('[{"id": "s\\udfff", "title": "A key", "DOI": "10.1000/s"}]', "key"),
        (
            '[{"id": "s", "title": "T", "author": [{"family": "B\\ud83d", "given": "A"}]}]',
            "author",
        ),
    ],
)
def test_a_lone_surrogate_is_a_file_error_and_nothing_is_written(
    library, qa, answer, content, field
):
    before = answer.read_bytes()
    result, out = run_import(library, qa, "surr.json", content)
    assert result.exit_code == 2, result.output
    assert out is None
    assert "surr.json:1: item 1" in result.stderr
    assert f"{field} " in result.stderr and "lone UTF-16 surrogate" in result.stderr
    assert "internal error" not in result.stderr
    assert answer.read_bytes() == before


def test_an_edit_that_would_not_read_back_is_refused(library, answer):
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from qa_tool.answerfile.edit import edit_front_matter
    from qa_tool.errors import AnswerFileError

    before = answer.read_bytes()

    def number_key(meta):
        meta[7] = "a key that is not text"

    with pytest.raises(AnswerFileError) as caught:
        edit_front_matter(answer, number_key)
    assert caught.value.rule == "write-refused"
    assert "does not read back" in caught.value.message
    assert answer.read_bytes() == before

    def styled_surrogate(meta):
        meta["title"] = DoubleQuotedScalarString("Broken \ud800")

    with pytest.raises(AnswerFileError) as caught:  # ruamel writes "\uD800": unreadable
        edit_front_matter(answer, styled_surrogate)
    assert caught.value.rule == "write-refused"
    assert answer.read_bytes() == before


# ---------------------------------------------------------------------------- key matches


NUMBERED_RIS = """TY  - JOUR
ID  - 1
TI  - An EndNote record numbered 1
AU  - Numbered, Record
PY  - 2011
DO  - 10.1000/endnote.1
ER  -
TY  - JOUR
ID  - 1
TI  - Another record also numbered 1
AU  - Other, Author
PY  - 2012
VL  - 99
DO  - 10.1000/endnote.2
ER  -
"""


def test_a_key_match_whose_doi_differs_is_another_work_never_merged(library, qa, answer):
    result, out = run_import(library, qa, "numbered.ris", NUMBERED_RIS)
    assert result.exit_code == 0, result.output
    first, second = out["entries"]
    assert (first["reference"], first["action"], first["matched_by"]) == ("1", "filled", "key")
    assert (second["reference"], second["action"], second["matched_by"]) == ("1a", "added", None)
    assert "not the same work" in second["notes"][0]
    refs = by_id(answer)
    assert refs["1"] == {
        "id": "1",
        "type": "article-journal",
        "title": "An EndNote record numbered 1",
        "author": [{"family": "Numbered", "given": "Record"}],
        "issued": 2011,
        "DOI": "10.1000/endnote.1",
    }
    assert refs["1a"]["volume"] == "99"
    assert refs["1a"]["DOI"] == "10.1000/endnote.2"
    assert refs["2"] == {"id": "2"}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "other.bib",
            "@article{2, title = {Paper B}, year = {2012}, volume = {99}, pmid = {22222222}}\n",
        ),
        ("other.json", '[{"id": "2", "title": "Paper B", "volume": "99", "PMID": "22222222"}]'),
        ("other.nbib", "PMID- 22222222\nTI  - Paper B.\nVI  - 99\nDP  - 2012\n"),
    ],
)
def test_a_key_match_across_files_with_another_pmid_is_added_apart(
    library, qa, answer, name, content
):
    text = answer.read_text(encoding="utf-8").replace(
        '  - id: "2"\n', '  - id: "2"\n    title: Paper A\n    PMID: "11111111"\n'
    )
    text = text.replace('  - id: "1"\n', '  - id: "1"\n  - id: "pmid:22222222x"\n')
    answer.write_text(text.replace("pmid:22222222x", "pmid:11111111"), encoding="utf-8")
    result, out = run_import(library, qa, name, content)
    assert result.exit_code == 0, result.output
    (entry,) = out["entries"]
    if name.endswith(".nbib"):  # its key pmid:22222222 names no reference: simply added
        assert entry["reference"] == "pmid:22222222"
    else:
        assert entry["reference"] == "2a"
        assert "PMID 22222222 (the reference has 11111111) differs" in entry["notes"][0]
    assert entry["action"] == "added"
    refs = by_id(answer)
    assert refs["2"] == {"id": "2", "title": "Paper A", "PMID": "11111111"}
    assert refs[entry["reference"]]["volume"] == "99"


def test_two_entries_matching_one_reference_are_reported(library, qa, answer):
    twice = NUMBERED_RIS.replace("10.1000/endnote.2", "10.1000/endnote.1").replace("VL  - 99\n", "")
    result, out = run_import(library, qa, "twice.ris", twice)
    first, second = out["entries"]
    assert first["reference"] == second["reference"] == "1"
    assert first["notes"] == []
    assert second["notes"] == [
        f"[@1] was matched by {library.parent / 'twice.ris'}:1 (record 1) of this import too: "
        "the file lists one work twice, or two works share a key or identifier"
    ]
    assert second["action"] == "conflict"  # its title and year differ: kept, reported
    result = qa("refs", "import", str(library.parent / "twice.ris"), "--answer", "walking")
    assert "note:" in result.stderr and "of this import too" in result.stderr


# ---------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Åberg Å", {"family": "Åberg", "given": "Å"}),
        ("Öztürk Ö", {"family": "Öztürk", "given": "Ö"}),
        ("Łukasz-Nowak ŁK", {"family": "Łukasz-Nowak", "given": "ŁK"}),
        ("Ng K-Y", {"family": "Ng", "given": "K-Y"}),
        ("Li X-L", {"family": "Li", "given": "X-L"}),
        ("Dupont J.-P.", {"family": "Dupont", "given": "J.-P."}),
        ("Jones ABCDE", {"family": "Jones", "given": "ABCDE"}),
        ("Hans van der Berg", {"family": "van der Berg", "given": "Hans"}),
        ("Maria de la Cruz", {"family": "de la Cruz", "given": "Maria"}),
        ("van der Berg H", {"family": "van der Berg", "given": "H"}),
        ("John A. Smith", {"family": "Smith", "given": "John A."}),
        ("Smith, John, Jr.", {"family": "Smith", "given": "John", "suffix": "Jr."}),
        ("Smith, Jr., John", {"family": "Smith", "given": "John", "suffix": "Jr."}),
        ("Smith, John A Jr", {"family": "Smith", "given": "John A", "suffix": "Jr"}),
        ("Smith JA Jr", {"family": "Smith", "given": "JA", "suffix": "Jr"}),
        ("Smith JA 3rd", {"family": "Smith", "given": "JA", "suffix": "3rd"}),
        ("Martin Luther King Jr.", {"family": "King", "given": "Martin Luther", "suffix": "Jr."}),
        ("et al.", {"literal": "et al."}),
        ("WHO", {"literal": "WHO"}),
    ],
)
def test_ris_author_names_are_split_as_written(library, qa, answer, written, name):
    ris = f"TY  - JOUR\nID  - names\nTI  - Names\nAU  - {written}\nER  -\n"
    result, out = run_import(library, qa, "names.ris", ris)
    assert result.exit_code == 0, result.output
    assert by_id(answer)["names"]["author"] == [name]


def test_medline_au_names_with_non_ascii_and_hyphenated_initials(library, qa, answer):
    nbib = (
        "PMID- 37000009\nTI  - Names.\nDP  - 2015\nAU  - Åberg Å\nAU  - Ng K-Y\nAU  - Smith JA Jr\n"
    )
    result, out = run_import(library, qa, "names.nbib", nbib)
    assert result.exit_code == 0, result.output
    assert by_id(answer)["pmid:37000009"]["author"] == [
        {"family": "Åberg", "given": "Å"},
        {"family": "Ng", "given": "K-Y"},
        {"family": "Smith", "given": "JA", "suffix": "Jr"},
    ]


# ---------------------------------------------------------------------------- MEDLINE records


def test_medline_records_without_a_blank_line_are_two_records(library, qa, answer):
    nbib = (
        "PMID- 32000001\nTI  - First record.\nFAU - First, Author\nAU  - First A\nDP  - 2020\n"
        "PMID- 32000002\nTI  - Second record glued to the first.\nFAU - Second, Author\n"
        "AU  - Second A\nDP  - 2021\nVI  - 7\n\n\n"
        "PMID- 32000003\nTI  - Third.\nDP  - 2022\n"
    )
    result, out = run_import(library, qa, "glued.nbib", nbib)
    assert result.exit_code == 0, result.output
    assert [(e["reference"], e["line"]) for e in out["entries"]] == [
        ("pmid:32000001", 1),
        ("pmid:32000002", 6),
        ("pmid:32000003", 14),
    ]
    refs = by_id(answer)
    assert refs["pmid:32000001"]["author"] == [{"family": "First", "given": "Author"}]
    assert "volume" not in refs["pmid:32000001"]
    assert refs["pmid:32000002"]["title"] == "Second record glued to the first"
    assert refs["pmid:32000002"]["volume"] == "7"
    assert refs["pmid:32000002"]["author"] == [{"family": "Second", "given": "Author"}]


def test_medline_fau_and_au_pair_in_order_and_cn_stays_in_place(library, qa, answer):
    nbib = (
        "PMID- 37000001\nTI  - FAU missing for the middle author.\nDP  - 2015\n"
        "FAU - Alpha, Anna\nAU  - Alpha A\nAD  - Somewhere\n"
        "AU  - Beta B\n"
        "CN  - ASCEND Study Collaborative Group\n"
        "FAU - Gamma, Gus\nAU  - Gamma G\n"
        "FAU - Delta\nAU  - Delta D\n"
        "FAU - Epsilon, Eve\n"
    )
    result, out = run_import(library, qa, "gap.nbib", nbib)
    assert result.exit_code == 0, result.output
    assert by_id(answer)["pmid:37000001"]["author"] == [
        {"family": "Alpha", "given": "Anna"},
        {"family": "Beta", "given": "B"},
        {"literal": "ASCEND Study Collaborative Group"},
        {"family": "Gamma", "given": "Gus"},
        {"family": "Delta", "given": "D"},
        {"family": "Epsilon", "given": "Eve"},
    ]


# ---------------------------------------------------------------------------- RIS tags


def test_ris_a1_and_au_are_both_authors_in_file_order(library, qa, answer):
    ris = (
        "TY  - JOUR\nID  - mixed\nA1  - Bowman, Louise\nAU  - Mafham, Marion\n"
        "A1  - Later, First-Tag\nAU  - Wallendszus, Karl\nTI  - Mixed tags\nER  -\n"
    )
    result, out = run_import(library, qa, "mixed.ris", ris)
    assert result.exit_code == 0, result.output
    assert [a["family"] for a in by_id(answer)["mixed"]["author"]] == [
        "Bowman",
        "Mafham",
        "Later",
        "Wallendszus",
    ]


@pytest.mark.parametrize("spacing", ["AU - ", "AU   - ", "AU\t- ", "AU -"])
def test_a_ris_tag_with_odd_spacing_is_read_as_the_tag_with_a_note(library, qa, answer, spacing):
    value = "Badly, Spaced" if spacing.endswith(" ") else ""
    ris = (
        f"TY  - JOUR\nID  - sp2020\n{spacing}{value}\nAU  - Good, Spaced\n"
        "TI  - Tags with one space\nPY  - 2020\nDO  - 10.1000/space\nER  -\n"
    )
    result, out = run_import(library, qa, "space.ris", ris)
    assert result.exit_code == 0, result.output
    (entry,) = out["entries"]
    assert entry["entry"] == "record sp2020"
    assert entry["reference"] == "sp2020"
    assert entry["notes"][0].startswith("line 3: ")
    assert "read as tag AU" in entry["notes"][0]
    people = by_id(answer)["sp2020"]["author"]
    expected = [{"family": "Good", "given": "Spaced"}]
    if value:
        expected.insert(0, {"family": "Badly", "given": "Spaced"})
    assert people == expected


def test_a_line_like_an_unknown_tag_is_an_error_naming_the_line(library, qa, answer):
    ris = (
        "TY  - JOUR\nID  - cont\nTI  - A title\nN2  - An abstract that goes on\n"
        "XQ - not a tag\nER  -\n"
    )
    result, out = run_import(library, qa, "cont.ris", ris)
    assert result.exit_code == 2
    assert "cont.ris:5: 'XQ - not a tag' looks like a RIS tag, but RIS has no tag XQ" in (
        result.stderr
    )


def test_ris_records_with_loose_or_lower_case_tags_are_read_never_skipped(library, qa, answer):
    ris = (
        "Provider: Example Publisher\n\n"
        "TY  - JOUR\nID  - kept\nTI  - A normal record\nPY  - 2020\nER  -\n\n"
        "TY - JOUR\nID - onespace\nTI - One space\nPY - 2021\nDO - 10.1000/one\nER - \n\n"
        "ty  - JOUR\nid  - lower\nti  - lowercase tags\ner  - \n\n"
        "TY  - JOUR\nID  - tab\nTI  - Tabs\nAU\t- Tabbed, Author\nAU  - Spaced, Author\n"
        "PY\t- 1999\nER  -\n"
    )
    result, out = run_import(library, qa, "loose.ris", ris)
    assert result.exit_code == 0, result.output
    assert [e["reference"] for e in out["entries"]] == ["kept", "onespace", "lower", "tab"]
    refs = by_id(answer)
    assert refs["onespace"]["DOI"] == "10.1000/one"
    assert refs["lower"]["title"] == "lowercase tags"
    assert refs["tab"]["title"] == "Tabs"
    assert refs["tab"]["issued"] == 1999
    assert refs["tab"]["author"] == [
        {"family": "Tabbed", "given": "Author"},
        {"family": "Spaced", "given": "Author"},
    ]
    assert len(out["entries"][3]["notes"]) == 2


def test_a_wrapped_ris_author_is_one_author(library, qa, answer):
    ris = (
        "TY  - JOUR\nID  - cont\nTI  - Continuation in author\nAU  - Vanderbilt-Smithson,\n"
        "      Jonathan Alexander\nAU  - Doe, Jane\nPY  - 2001\nER  -\n"
    )
    result, out = run_import(library, qa, "wrap.ris", ris)
    assert result.exit_code == 0, result.output
    assert by_id(answer)["cont"]["author"] == [
        {"family": "Vanderbilt-Smithson", "given": "Jonathan Alexander"},
        {"family": "Doe", "given": "Jane"},
    ]


# ---------------------------------------------------------------------------- BibTeX


def test_bibtex_and_others_is_et_al_never_a_person(library, qa, answer):
    bib = "@article{oth2020, author = {Smith, John and Doe, Jane and others}, title = {T}}\n"
    result, out = run_import(library, qa, "others.bib", bib)
    assert result.exit_code == 0, result.output
    assert by_id(answer)["oth2020"]["author"] == [
        {"family": "Smith", "given": "John"},
        {"family": "Doe", "given": "Jane"},
        {"literal": "et al."},
    ]


def test_bibtex_concatenation_expands_macros_and_joins_the_parts(library, qa, answer):
    bib = (
        '@string{first = "Heart"}\n@STRING{NEJM = {N Engl J Med}}\n'
        '@article{concat2019, author = "Doe, Jane", title = first # " failure " # {and walking},\n'
        '  journal = nejm # { (Boston)}, year = "2019", month = "may" # { } # 5,\n'
        '  note = {C# code}, doi = "10.1000/concat.2019", }\n'
        "@article{bad2019, title = first # undefined, year = 2019}\n"
    )
    result, out = run_import(library, qa, "strings.bib", bib)
    assert result.exit_code == 2
    assert "strings.bib:6: entry bad2019: field title: @string 'undefined' is not defined" in (
        result.stderr
    )
    result, out = run_import(library, qa, "strings.bib", bib.split("@article{bad2019")[0])
    assert result.exit_code == 0, result.output
    ref = by_id(answer)["concat2019"]
    assert ref["title"] == "Heart failure and walking"
    assert ref["container-title"] == "N Engl J Med (Boston)"


def test_bibtex_url_and_doi_are_verbatim(library, qa, answer):
    bib = (
        "@misc{web2021, title = {A {Guide}}, url = {https://www.example.edu/~webb/guide%20v2.pdf},\n"
        "  doi = {10.1000/a_b~c}}\n"
    )
    result, out = run_import(library, qa, "url.bib", bib)
    assert result.exit_code == 0, result.output
    ref = by_id(answer)["web2021"]
    assert ref["URL"] == "https://www.example.edu/~webb/guide%20v2.pdf"
    assert ref["DOI"] == "10.1000/a_b~c"
    assert ref["title"] == "A Guide"


def test_bibtex_crossref_gives_the_child_its_container_and_year(library, qa, answer):
    bib = (
        "@inproceedings{child2018, author = {Doe, Jane}, title = {Walking fast},\n"
        "  crossref = {proc2018}, pages = {10--20}}\n"
        "@inproceedings{lost2018, title = {Orphan}, crossref = {nowhere}, year = {2018}}\n"
        "@proceedings{proc2018, title = {Proceedings of the Walking Conference}, year = {2018},\n"
        "  publisher = {Walkers}, doi = {10.1000/proc}}\n"
    )
    result, out = run_import(library, qa, "xref.bib", bib)
    assert result.exit_code == 0, result.output
    assert [e["reference"] for e in out["entries"]] == ["child2018", "lost2018"]
    child, lost = out["entries"]
    assert child["notes"] == [
        "crossref proc2018: booktitle, year, publisher taken from it; proc2018 is not "
        "imported as a reference of its own"
    ]
    assert "no such entry in the file" in lost["notes"][0]
    ref = by_id(answer)["child2018"]
    assert ref["container-title"] == "Proceedings of the Walking Conference"
    assert ref["issued"] == 2018
    assert ref["page"] == "10-20"
    assert "DOI" not in ref  # the proceedings' DOI is not the paper's


# ---------------------------------------------------------------------------- CSL-JSON


def test_csl_names_as_text_and_titles_as_lists_are_read_with_notes(library, qa, answer):
    csl = (
        '[{"id": "g1", "title": ["Walking and the heart"], "DOI": "10.1000/g1",\n'
        '  "author": [{"family": "Berg", "given": "Anna"}, "Smith, John"],\n'
        '  "container-title": ["Heart", "Heart (London)"], "issue": 3.0, "page": 12,\n'
        '  "volume": 7}]'
    )
    result, out = run_import(library, qa, "crossref.json", csl)
    assert result.exit_code == 0, result.output
    ref = by_id(answer)["g1"]
    assert ref["title"] == "Walking and the heart"
    assert ref["author"] == [
        {"family": "Berg", "given": "Anna"},
        {"family": "Smith", "given": "John"},
    ]
    assert (ref["container-title"], ref["issue"], ref["page"], ref["volume"]) == (
        "Heart",
        "3",
        "12",
        "7",
    )
    notes = out["entries"][0]["notes"]
    assert notes[0] == "container-title is a list of 2; the first is used, not 'Heart (London)'"
    assert notes[1] == (
        "author 'Smith, John' is text, not a CSL name: read as {'family': 'Smith', 'given': 'John'}"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('"author": "Smith, John"', 'author "Smith, John" is not a list of CSL names'),
        ('"volume": {"v": 1}', 'volume {"v": 1} is not text'),
        ('"title": [1, 2]', "title [1, 2] is not text"),
        ('"author": [42]', "author 42 is not a CSL name"),
    ],
)
def test_csl_values_that_are_not_csl_are_errors_naming_the_item(library, qa, answer, body, message):
    before = answer.read_bytes()
    csl = f'[{{"id": "ok", "title": "T"}},\n {{"id": "g1", "DOI": "10.1000/g1", {body}}}]'
    result, out = run_import(library, qa, "bad.json", csl)
    assert result.exit_code == 2
    assert f"bad.json:2: item 2 (g1): {message}" in result.stderr
    assert answer.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ("[" * 100_000 + "]" * 100_000, "not valid CSL-JSON: nested too deeply", None),
        ('[{"id": "n", "title": "NaN here",\n "volume": NaN}]', "NaN is not a JSON value", 2),
        ('[{"id": "n", "title": "x",\n\n "issue": -Infinity}]', "-Infinity is not a JSON", 3),
        ('[{"id": "n", "issued": {"date-parts": [[Infinity]]}}]', "Infinity is not", 1),
    ],
)
def test_json_that_python_reads_but_is_not_json_is_a_file_error(
    library, qa, answer, content, message, line
):
    result, out = run_import(library, qa, "odd.json", content)
    assert result.exit_code == 2
    where = f"odd.json:{line}: " if line else "odd.json: "
    assert where + message in result.stderr.replace("not valid JSON: ", "")
    assert "internal error" not in result.stderr


# ---------------------------------------------------------------------------- size


def test_an_import_that_cannot_fit_is_refused_before_it_is_written_out(
    library, qa, answer, monkeypatch
):
    import qa_tool.answerfile.edit as edit

    build_tree(library, {"qa.toml": "max_file_bytes = 20000\n"})
    before = answer.read_bytes()
    bib = "".join(
        f"@article{{k{n}, author={{Author{n}, A}}, title={{Title {n}}}, year={{2000}}, "
        f"doi={{10.1000/huge.{n}}}}}\n"
        for n in range(400)
    )

    def never(*args, **kwargs):
        raise AssertionError("the front matter was rendered")

    monkeypatch.setattr(edit, "render_front_matter", never)
    for extra in ([], ["--dry-run"]):
        result, out = run_import(library, qa, "huge.bib", bib, *extra)
        assert result.exit_code == 1
        assert "over the 20,000-byte limit (max_file_bytes in qa.toml); nothing written" in (
            result.stderr
        )
        assert answer.read_bytes() == before
    monkeypatch.undo()
    result, out = run_import(library, qa, "few.bib", "".join(bib.splitlines(True)[:3]))
    assert result.exit_code == 0, result.output
    assert [e["reference"] for e in out["entries"]] == ["k0", "k1", "k2"]


@pytest.mark.parametrize(
    "value",
    ["\n  one: {title: A mapping, not a list}\n  two: {title: Second}", ' "see the page"'],
)
def test_references_that_are_not_a_list_are_never_replaced(library, qa, answer, value):
    text = answer.read_text(encoding="utf-8")
    text = text.replace('references:\n  - id: "1"\n  - id: "2"', f"references:{value}")
    answer.write_text(text, encoding="utf-8")
    result, out = run_import(library, qa, "one.ris", "TY  - JOUR\nID  - one\nTI  - One\nER  -\n")
    assert result.exit_code == 1
    assert "not a list of references; make it a list" in result.stderr
    assert answer.read_text(encoding="utf-8") == text


# ---------------------------------------------------------------------------- identifiers in notes


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "note.ris",
            "TY  - JOUR\nID  - noted\nTI  - Paper\nDO  - 10.1000/noted\nN1  - Comment in: Lancet. "
            "2020;395:10. PMID: 30000000. Erratum in: Lancet 2020; PMCID: PMC7000000\nER  -\n",
        ),
        (
            "note.bib",
            "@article{noted, title = {Paper}, doi = {10.1000/noted},\n"
            "  annote = {PMID: 28888888},\n"
            "  note = {Contradicts the earlier trial (PMID 29999999)}}\n",
        ),
        (
            "note.json",
            '[{"id": "noted", "title": "Paper", "DOI": "10.1000/noted",'
            ' "note": "Update of: PMID: 27777777"}]',
        ),
    ],
)
def test_an_id_in_running_text_of_a_note_is_another_papers(library, qa, answer, name, content):
    result, out = run_import(library, qa, name, content)
    assert result.exit_code == 0, result.output
    ref = by_id(answer)["noted"]
    assert "PMID" not in ref and "PMCID" not in ref


def test_a_note_line_that_is_the_id_still_gives_it(library, qa, answer):
    csl = (
        '[{"id": "z", "title": "Paper", "note": "Some words\\nPMID: 20167359\\nPMCID: PMC2949384"}]'
    )
    result, out = run_import(library, qa, "z.json", csl)
    assert result.exit_code == 0, result.output
    ref = by_id(answer)["z"]
    assert (ref["PMID"], ref["PMCID"]) == ("20167359", "PMC2949384")


def test_reimporting_entries_without_key_or_identifier_adds_nothing(library, qa, answer):
    ris = (
        "TY  - JOUR\nAU  - Berg, Hans\nTI  - First Berg paper\nPY  - 2019\nER  -\n"
        "TY  - JOUR\nAU  - Berg, Hans\nTI  - Second Berg paper\nPY  - 2019\nER  -\n"
        "TY  - RPRT\nTI  - No author at all\nPY  - 2019\nER  -\n"
    )
    result, out = run_import(library, qa, "noid.ris", ris)
    assert [e["reference"] for e in out["entries"]] == [
        "berg2019",
        "berg2019a",
        "no-author-at-all2019",
    ]
    written = answer.read_bytes()
    result, out = run_import(library, qa, "noid.ris", ris)
    assert result.exit_code == 0, result.output
    assert [(e["reference"], e["action"], e["matched_by"]) for e in out["entries"]] == [
        ("berg2019", "unchanged", "title"),
        ("berg2019a", "unchanged", "title"),
        ("no-author-at-all2019", "unchanged", "title"),
    ]
    assert answer.read_bytes() == written
    other_year = ris.replace("PY  - 2019\nER  -\nTY  - JOUR", "PY  - 2020\nER  -\nTY  - JOUR", 1)
    result, out = run_import(library, qa, "noid2.ris", other_year)
    assert out["entries"][0]["reference"] == "berg2020"  # another year: another work


# ---------------------------------------------------------------------------- BibTeX names


@pytest.mark.parametrize("author", ["Smith, John and Doe,", "Smith, Jr., John, Extra"])
def test_a_bibtex_name_that_cannot_be_split_is_a_file_error_naming_the_entry(
    library, qa, answer, author
):
    before = answer.read_bytes()
    bib = f"@article{{tc2020,\n  author = {{{author}}},\n  title = {{T}},\n  year = {{2020}},\n}}\n"
    result, _ = run_import(library, qa, "names.bib", bib)

    assert result.exit_code == 2, result.output
    assert "names.bib:1: entry tc2020: author " in result.stderr
    assert "internal error" not in result.stderr
    assert answer.read_bytes() == before


def test_biblatex_extended_names_are_read(library, qa, answer):
    bib = (
        "@article{ext,\n  author = {family=Berg, given=Hans, prefix=van der, useprefix=true"
        " and Doe, Jane},\n  title = {Extended},\n  year = {2020},\n  doi = {10.1000/ext},\n}\n"
    )
    result, _ = run_import(library, qa, "ext.bib", bib)

    assert result.exit_code == 0, result.output
    assert by_id(answer)["ext"]["author"] == [
        {"family": "van der Berg", "given": "Hans"},
        {"family": "Doe", "given": "Jane"},
    ]
