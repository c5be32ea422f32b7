"""Reading reference files in the shapes real tools export, and refusing bad ones clearly."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from qa_tool.errors import ReferenceFileError
from qa_tool.references import is_stub
from qa_tool.references.formats import detect_format, read_entries, split_name
from qa_tool.references.identifiers import normal_doi, normal_pmcid, normal_pmid
from qa_tool.schema import check_front_matter

FIXTURES = Path(__file__).parent / "fixtures" / "references"

MACKENSEN = {
    "type": "article-journal",
    "title": "Anti-CD19 CAR T cell therapy for refractory systemic lupus erythematosus",
    "container-title-short": "Nat Med",
    "volume": "28",
    "issue": "10",
    "page": "2124-2132",
    "DOI": "10.1038/s41591-022-02017-5",
}


def entries(name: str):
    return read_entries(FIXTURES / name)


def schema_ok(item: dict, ref_id: str = "x") -> None:
    meta = {"references": [{"id": ref_id, **item}]}
    problems = [i for i in check_front_matter(meta) if i.field_path[:1] == ("references",)]
    assert problems == []


def test_pubmed_medline_record_becomes_a_full_csl_item():
    first, second = entries("pubmed.nbib")
    assert first.key == "pmid:36109639"
    assert first.line == 1
    assert first.item == {
        **MACKENSEN,
        "author": [
            {"family": "Mackensen", "given": "Andreas"},
            {"family": "Muller", "given": "Fabian"},
            {"family": "Mougiakakos", "given": "Dimitrios"},
        ],
        "container-title": "Nature medicine",
        "issued": {"date-parts": [[2022, 10]]},
        "PMID": "36109639",
        "PMCID": "PMC9584816",
    }
    # a corporate author (CN), a season-less range month, no issue
    assert second.item["author"] == [{"literal": "International Autoimmunity Consortium"}]
    assert second.item["issued"] == {"date-parts": [[2019, 1]]}
    assert "issue" not in second.item
    assert second.line == 43
    schema_ok(first.item)
    schema_ok(second.item)


def test_zotero_csl_json():
    article, page, chapter = entries("zotero.json")
    assert article.item == {
        **MACKENSEN,
        "author": [
            {"family": "Mackensen", "given": "Andreas"},
            {"family": "Müller", "given": "Fabian"},
            {"family": "Mougiakakos", "given": "Dimitrios"},
        ],
        "container-title": "Nature Medicine",
        "issued": {"date-parts": [[2022, 10]]},
        "PMID": "36109639",
        "PMCID": "PMC9584816",
        "URL": "https://www.nature.com/articles/s41591-022-02017-5",
    }
    assert article.line == 2
    assert page.item["type"] == "webpage"
    assert page.item["author"] == [{"literal": "National Library of Medicine"}]
    assert page.item["issued"] == {"date-parts": [[2024, 3, 5]]}
    # particles folded into the family name, suffix kept, doi.org prefix removed, en dash
    assert chapter.item["author"] == [
        {"family": "van der Berg", "given": "Hans"},
        {"family": "Smith", "given": "J. A.", "suffix": "Jr."},
    ]
    assert chapter.item["DOI"] == "10.1016/B978-0-12-345678-9.00005-1"
    assert chapter.item["page"] == "55-78"
    assert chapter.item["issued"] == {"date-parts": [[2019, 6]]}
    for e in (article, page, chapter):
        schema_ok(e.item)


def test_better_bibtex_biblatex():
    article, report, smith = entries("betterbibtex.bib")
    assert article.key == "mackensenAntiCD19CARCell2022"
    assert article.line == 3
    assert article.item["title"] == (
        "Anti-CD19 CAR T Cell Therapy for Refractory Systemic Lupus Erythematosus"
    )
    assert article.item["author"][1] == {"family": "Müller", "given": "Fabian"}
    assert article.item["author"][3] == {"family": "Böltz", "given": "Sören"}
    assert len(article.item["author"]) == 8
    assert article.item["container-title"] == "Nature Medicine"
    assert article.item["container-title-short"] == "Nat Med"
    assert article.item["issued"] == {"date-parts": [[2022, 10]]}
    assert article.item["page"] == "2124-2132"
    assert article.item["PMID"] == "36109639"  # eprint + eprinttype = pmid
    assert report.item["type"] == "report"
    assert report.item["author"] == [{"literal": "World Health Organization"}]
    assert report.item["issued"] == 2020
    assert smith.item["author"] == [
        {"family": "Smith", "given": "John A."},
        {"family": "van der Berg", "given": "Hans", "suffix": "Jr."},
    ]
    assert smith.item["issued"] == {"date-parts": [[2019, 6]]}
    assert smith.item["PMID"] == "31000000"  # from "note = {PMID: ...}"
    for e in (article, report, smith):
        schema_ok(e.item)


def test_endnote_ris_with_pubmed_accession_and_pmcid():
    article, chapter = entries("endnote.ris")
    assert article.key == "1234"
    assert article.item == {
        **MACKENSEN,
        "author": [
            {"family": "Mackensen", "given": "Andreas"},
            {"family": "Müller", "given": "Fabian"},
            {"family": "Mougiakakos", "given": "Dimitrios"},
        ],
        "container-title": "Nature medicine",
        "issued": {"date-parts": [[2022, 10]]},
        "PMID": "36109639",
        "PMCID": "PMC9584816",
        "URL": "https://www.ncbi.nlm.nih.gov/pubmed/36109639",
    }
    assert chapter.key is None
    assert chapter.line == 25
    assert chapter.item["type"] == "chapter"
    assert chapter.item["container-title"] == "Clinical Immunology"


def test_publisher_ris_with_header_lines():
    (article,) = entries("publisher.ris")
    assert article.key == "Mackensen2022"
    assert article.line == 5
    assert article.item["container-title"] == "Nature Medicine"
    assert article.item["issued"] == {"date-parts": [[2022, 10, 1]]}
    assert article.item["DOI"] == "10.1038/s41591-022-02017-5"
    assert "URL" not in article.item  # the doi.org link is the DOI, not another address


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        (
            "bad_unclosed.bib",
            6,
            "entry broken2021: malformed BibTeX entry: a brace or quote is not closed "
            "before the next entry",
        ),
        ("bad_no_er.ris", 5, "no 'ER  -' line"),
        ("bad_doi.json", 3, "item 2 (nodoi): DOI 'see the journal site' is not a DOI"),
        ("bad_syntax.json", 1, "not valid JSON"),
        ("bad_line.nbib", 4, "not a MEDLINE line"),
    ],
)
def test_bad_files_name_the_file_and_line(name, line, words):
    with pytest.raises(ReferenceFileError) as caught:
        entries(name)
    assert caught.value.line == line
    assert words in caught.value.message
    assert str(caught.value).startswith(f"{FIXTURES / name}:{line}: ")


def test_format_from_content_when_the_extension_says_nothing(tmp_path):
    for name, fmt in [
        ("pubmed.nbib", "medline"),
        ("endnote.ris", "ris"),
        ("betterbibtex.bib", "bibtex"),
        ("zotero.json", "csl-json"),
    ]:
        target = tmp_path / f"{name}.txt"
        target.write_bytes((FIXTURES / name).read_bytes())
        assert detect_format(target, target.read_text(encoding="utf-8")) == fmt
        assert read_entries(target)[0].item["DOI"] == "10.1038/s41591-022-02017-5"
    unknown = tmp_path / "notes.txt"
    unknown.write_text("some words\n", encoding="utf-8")
    with pytest.raises(ReferenceFileError, match="--from"):
        read_entries(unknown)


def test_not_utf8_and_binary_files_are_refused(tmp_path):
    latin = tmp_path / "old.ris"
    latin.write_bytes(b"TY  - JOUR\nTI  - Caf\xe9\nER  - \n")
    with pytest.raises(ReferenceFileError, match=r"not UTF-8 \(byte 0xe9\)") as caught:
        read_entries(latin)
    assert caught.value.line == 2
    binary = tmp_path / "x.bib"
    binary.write_bytes(b"\x00\x01\x02")
    with pytest.raises(ReferenceFileError, match="binary"):
        read_entries(binary)
    with pytest.raises(ReferenceFileError, match="no such file"):
        read_entries(tmp_path / "missing.nbib")


def test_an_entry_with_nothing_to_find_it_by_is_an_error(tmp_path):
    bib = tmp_path / "empty.bib"
    bib.write_text("@article{k1, year = {2020}}\n", encoding="utf-8")
    with pytest.raises(ReferenceFileError, match="entry k1: has no title"):
        read_entries(bib)


def test_duplicate_bibtex_keys_are_an_error(tmp_path):
    bib = tmp_path / "dup.bib"
    bib.write_text("@article{a, title={x}}\n\n@article{a, title={y}}\n", encoding="utf-8")
    with pytest.raises(ReferenceFileError, match="'a' is used twice") as caught:
        read_entries(bib)
    assert caught.value.line == 3


def test_identifiers():
    assert normal_doi("https://dx.doi.org/10.1000/ABC.1") == "10.1000/ABC.1"
    assert normal_doi("doi:10.1000/abc%2F1") == "10.1000/abc/1"
    assert normal_doi("10.1000") is None
    assert normal_pmid(36109639) == "36109639"
    assert normal_pmid("0123") is None
    assert normal_pmcid("PMCID: pmc9584816") == "PMC9584816"
    assert split_name("Mackensen A") == {"family": "Mackensen", "given": "A"}
    assert split_name("John A. Smith") == {"family": "Smith", "given": "John A."}
    assert split_name("Michael Board") == {"family": "Board", "given": "Michael"}
    assert split_name("Data Monitoring Board") == {"literal": "Data Monitoring Board"}
    assert split_name("WHO") == {"literal": "WHO"}


def test_is_stub():
    assert is_stub({"id": "6"})
    assert is_stub({"id": "6", "title": "  "})
    assert not is_stub({"id": "6", "PMID": "123"})
    assert not is_stub({"id": "6", "URL": "https://example.org"})


def test_medline_with_crlf_an_empty_tag_and_a_leading_blank_line(tmp_path):
    nbib = tmp_path / "citation.nbib"
    nbib.write_bytes(
        b"\r\nPMID- 12345\r\nTI  - A title that goes on\r\n      over two lines.\r\n"
        b"AB  -\r\nFAU - Smith, Jane\r\nAU  - Smith J\r\nDP  - 2020 Spring\r\n"
        b"AID - 10.5555/x.1 [doi]\r\n"
    )
    (entry,) = read_entries(nbib)
    assert entry.line == 2
    assert entry.item["title"] == "A title that goes on over two lines"
    assert entry.item["author"] == [{"family": "Smith", "given": "Jane"}]
    assert entry.item["issued"] == 2020
    assert entry.item["DOI"] == "10.5555/x.1"


RIS_PUBMED_IDS = """TY  - JOUR\r
ID  - noted\r
AU  - Sattar, Naveed\r
T1  - Statins and risk of incident diabetes\r
N1  - PMID: 20167359\r
ER  - \r
\r
TY  - JOUR\r
AU  - ASCEND Study Collaborative Group\r
TI  - Effects of aspirin\r
AN  - 30146931\r
ER  - \r
\r
TY  - JOUR\r
ID  - misc\r
AU  - WHO\r
TI  - A report\r
M1  - PMID:31000000; PMCID: PMC2949384\r
ER  - \r
\r
TY  - JOUR\r
ID  - embase\r
AU  - Writing Committee for the Trial\r
TI  - From Embase\r
DB  - Embase\r
AN  - 2004567890\r
C2  - PMC7000001\r
ER  - \r
"""


def test_ris_pmid_and_pmcid_from_accession_number_and_notes(tmp_path):
    ris = tmp_path / "endnote.ris"
    ris.write_bytes(RIS_PUBMED_IDS.encode())
    noted, accession, misc, embase = read_entries(ris)
    assert noted.item["PMID"] == "20167359"  # N1 "PMID: n", as EndNote writes it
    assert accession.item["PMID"] == "30146931"  # AN: digits, no other database named
    assert (misc.item["PMID"], misc.item["PMCID"]) == ("31000000", "PMC2949384")  # M1
    assert "PMID" not in embase.item  # an Embase accession number is not a PMID
    assert embase.item["PMCID"] == "PMC7000001"


def test_group_and_single_word_authors_are_literal_in_every_format(tmp_path):
    group = "ASCEND Study Collaborative Group"
    want = [{"family": "Sattar", "given": "Naveed"}, {"literal": group}, {"literal": "WHO"}]
    ris = tmp_path / "a.ris"
    ris.write_text(f"TY  - JOUR\nAU  - Sattar, Naveed\nAU  - {group}\nAU  - WHO\nTI  - T\nER  - \n")
    bib = tmp_path / "a.bib"
    bib.write_text(f"@article{{k, author = {{Sattar, Naveed and {group} and WHO}}, title={{T}}}}")
    csl = tmp_path / "a.json"
    csl.write_text(
        '[{"id": "k", "title": "T", "author": [{"family": "Sattar", "given": "Naveed"},'
        ' {"family": "Group", "given": "ASCEND Study Collaborative"}, {"family": "WHO"}]}]'
    )
    nbib = tmp_path / "a.nbib"
    nbib.write_text(
        f"PMID- 123\nTI  - T\nFAU - Sattar, Naveed\nAU  - Sattar N\nAU  - {group}\nAU  - WHO\n"
    )
    for path in (ris, bib, csl, nbib):
        (entry,) = read_entries(path)
        assert entry.item["author"] == want, path.name
    assert split_name("Smith JA") == {"family": "Smith", "given": "JA"}
    assert split_name("John A. Smith") == {"family": "Smith", "given": "John A."}


def test_csl_note_gives_pmid_and_pmcid(tmp_path):
    csl = tmp_path / "z.json"
    csl.write_text('[{"id": "z", "title": "T", "note": "PMID: 33627334\\nPMCID: PMC7903384"}]')
    (entry,) = read_entries(csl)
    assert (entry.item["PMID"], entry.item["PMCID"]) == ("33627334", "PMC7903384")


def test_leading_zero_pmid_message(tmp_path):
    csl = tmp_path / "t.json"
    csl.write_text('[{"id": "t", "title": "T", "PMID": "0123"}]')
    with pytest.raises(ReferenceFileError, match="a PubMed id does not start with 0"):
        read_entries(csl)
    csl.write_text('[{"id": "t", "title": "T", "PMID": "12a"}]')
    with pytest.raises(ReferenceFileError, match="a PubMed id is 1 to 9 digits"):
        read_entries(csl)


def test_malformed_bibtex_at_the_end_names_its_entry(tmp_path):
    bib = tmp_path / "end.bib"
    bib.write_text("@article{ok, title={T}}\n\n@article{open2021,\n title = {Never closed\n")
    with pytest.raises(ReferenceFileError) as caught:
        read_entries(bib)
    assert caught.value.line == 3
    assert caught.value.message == (
        "entry open2021: malformed BibTeX entry: a brace or quote is not closed before the "
        "file ends"
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_file_with_a_utf16_or_utf32_byte_order_mark_is_read(tmp_path, encoding):
    text = (FIXTURES / "endnote.ris").read_text(encoding="utf-8").replace("\n", "\r\n")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    target = tmp_path / "endnote.ris"
    target.write_bytes(data)
    want = [e.item for e in read_entries(FIXTURES / "endnote.ris")]
    assert [e.item for e in read_entries(target)] == want
    broken = tmp_path / "broken.ris"
    broken.write_bytes(codecs.BOM_UTF16_LE + b"T\x00Y\x00\x00\xd8")  # a lone surrogate
    with pytest.raises(ReferenceFileError, match="byte-order mark but is not valid"):
        read_entries(broken)
