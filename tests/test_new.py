"""qa new through the real CLI: single answers, prompts, templates, batches, safety."""

from __future__ import annotations

import datetime as dt
import errno
import json
import shlex
import sys
from pathlib import Path

import pytest
from helpers import QA, answer_text, build_tree, git, git_init, run_qa

from qa_tool import scaffold
from qa_tool.answerfile.read import read_answer
from qa_tool.answerfile.write import inline_value
from qa_tool.ids import MAX_ID_LENGTH

DRAFT_BODY = """\
<!-- qa:placeholder --> Answer the question in one short paragraph of plain language, \
as you would say it to the patient.

## What the research says

<!-- qa:placeholder --> Say what the research found, one claim at a time, \
each followed by its citation [@1].

## What to ask your doctor

- <!-- qa:placeholder --> A question the patient can take to the appointment?
- <!-- qa:placeholder --> Another question?
"""


def md_files(library: Path) -> list[str]:
    return sorted(p.relative_to(library).as_posix() for p in library.rglob("*.md"))


def read(library: Path, rel: str):
    return read_answer(library / rel, rel, 1024 * 1024)


def stderr_line(result) -> str:
    """The error message as one line (Rich may wrap long messages)."""
    return " ".join(result.stderr.split())


def test_new_answer_has_the_answer_format(library, qa):
    before = dt.date.today()
    result, out = qa.json(
        "new", "Can I drink coffee après chemotherapy?", "--topic", "Oncology", "--format", "json"
    )
    after = dt.date.today()
    assert result.exit_code == 0, result.output
    rel = "answers/oncology/can-i-drink-coffee-apres-chemotherapy.md"
    assert out == {"id": "can-i-drink-coffee-apres-chemotherapy", "path": rel}
    answer = read(library, rel)
    assert answer.meta.pop("created") in {before, after}
    assert answer.meta == {
        "id": "can-i-drink-coffee-apres-chemotherapy",
        "title": "Can I drink coffee après chemotherapy?",
        "topic": "Oncology",
        "status": "draft",
        "confidence": None,
        "last_reviewed": None,
        "reviewed_by": None,
        "authors": None,
        "references": [{"id": "1"}],
    }
    assert answer.body == DRAFT_BODY
    assert "qa:placeholder" in result.stderr


def test_options_fill_the_front_matter(library, qa):
    result = qa(
        "new",
        "Is it safe?",
        "--topic",
        "womens-health",
        "--id",
        "safety-first",
        "--confidence",
        "very-low",
        "--author",
        "Sam: Writer #2",
        "--status",
        "in-review",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "answers/womens-health/safety-first.md\n"
    meta = read(library, "answers/womens-health/safety-first.md").meta
    assert (meta["id"], meta["topic"], meta["status"], meta["confidence"]) == (
        "safety-first",
        "Women's Health",
        "in-review",
        "very-low",
    )
    assert meta["authors"] == [{"name": "Sam: Writer #2"}]


@pytest.mark.parametrize(
    "question",
    [
        'He said "yes: no" # not a comment',
        "yes",
        "- starts like a list item?",
        "[brackets] and {braces}?",
        "'single' quotes & *stars* @at %percent `tick`",
        "Ünïcödé ß question — with dashes?",
        "Costs $5 or ${id}?",
    ],
)
def test_question_text_cannot_break_the_yaml(library, qa, question):
    args = ("--topic", "Oncology", "--id", "q", "-f", "json", "--root", str(library))
    result, out = qa.json("new", *args, "--", question)
    assert result.exit_code == 0, result.output
    assert read(library, out["path"]).meta["title"] == question


def test_fresh_draft_validates_and_fails_once_published(library, qa):
    result, out = qa.json("new", "What about sleep?", "--topic", "Neurology", "-f", "json")
    assert result.exit_code == 0, result.output
    result, report = qa.json("validate", "--format", "json")
    assert result.exit_code == 0, result.output
    assert report["errors"] == 0
    assert {f["rule"] for f in report["findings"]} == {"reference-stub"}

    path = library / out["path"]
    draft = path.read_text(encoding="utf-8")
    path.write_text(draft.replace("status: draft", "status: published"), encoding="utf-8")
    result, report = qa.json("validate", "--format", "json")
    assert result.exit_code == 1
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert "placeholder-left" in {f["rule"] for f in errors}
    # One finding per marked line: the reference stub, the summary, the research, 2 questions.
    assert [f["line"] for f in errors if f["rule"] == "placeholder-left"] == [12, 14, 18, 22, 23]

    path.write_text(draft.replace("status: draft", "status: in-review"), encoding="utf-8")
    result, report = qa.json("validate", "--format", "json")
    assert result.exit_code == 1
    assert {f["rule"] for f in report["findings"] if f["severity"] == "error"} == {
        "placeholder-left"
    }


def test_complete_published_answer_with_a_leftover_placeholder(library, qa):
    body = (
        "A plain-language summary.\n\n## What the research says\n\n"
        "A claim with its citation [@1].\n\n## What to ask your doctor\n\n"
        "- Is this right for me?\n- <!-- qa:placeholder --> Another question?\n"
    )
    build_tree(
        library,
        {
            "answers/oncology/almost.md": answer_text("almost", body=body),
            "answers/oncology/still-draft.md": answer_text(
                "still-draft", status="draft", body=body
            ),
        },
    )
    result, report = qa.json("validate", "--format", "json")
    assert result.exit_code == 1
    assert [(f["path"], f["line"], f["rule"], f["severity"]) for f in report["findings"]] == [
        ("answers/oncology/almost.md", 32, "placeholder-left", "error")
    ]


def test_id_is_cut_at_a_word_boundary(library, qa):
    question = (
        "What should I know about the long-term side effects of immunotherapy "
        "for melanoma in older adults?"
    )
    result, out = qa.json("new", question, "--topic", "Oncology", "-f", "json")
    assert result.exit_code == 0, result.output
    # Cut before "immunotherapy", the first word that does not fit; later words never fill in.
    assert out["id"] == "what-should-i-know-about-the-long-term-side-effects-of"
    assert len(out["id"]) <= MAX_ID_LENGTH == 60


def test_id_used_anywhere_is_an_error_naming_the_file(library, qa):
    build_tree(library, {"answers/neurology/can-i-swim.md": answer_text("can-i-swim")})
    result = qa("new", "Can I swim?", "--topic", "Oncology")
    assert result.exit_code == 1
    assert stderr_line(result) == (
        "qa: id 'can-i-swim' is already used by answers/neurology/can-i-swim.md; "
        "choose another with --id"
    )
    assert md_files(library) == ["answers/neurology/can-i-swim.md"]
    result = qa("new", "Can I swim?", "--topic", "Oncology", "--id", "can-i-swim-after-surgery")
    assert result.exit_code == 0, result.output
    assert result.stdout == "answers/oncology/can-i-swim-after-surgery.md\n"


def test_a_file_that_appears_while_writing_is_never_overwritten(library, qa, monkeypatch):
    real_write = scaffold.atomic_write

    def racing_write(path, data, *, overwrite=True):
        path.write_text("someone else's answer\n", encoding="utf-8")
        return real_write(path, data, overwrite=overwrite)

    monkeypatch.setattr(scaffold, "atomic_write", racing_write)
    result = qa("new", "Can I run?", "--topic", "Oncology")
    assert result.exit_code == 1
    assert "answers/oncology/can-i-run.md appeared while qa was writing" in stderr_line(result)
    target = library / "answers/oncology/can-i-run.md"
    assert target.read_text(encoding="utf-8") == "someone else's answer\n"
    assert [p.name for p in target.parent.iterdir()] == ["can-i-run.md"]  # no temporary left


@pytest.mark.parametrize(
    "bad_id", ["../evil", "/tmp/evil", "a/b", "a\\b", "a\x00b", "con", "NUL", "lpt1", "a..b", ""]
)
def test_ids_cannot_leave_the_answers_folder(library, qa, bad_id):
    result = qa("new", "Is this safe?", "--topic", "Oncology", "--id", bad_id)
    assert result.exit_code == 2
    assert "qa: id " in result.stderr
    assert md_files(library.parent) == []


@pytest.mark.parametrize("bad_topic", ["../oncology", "/etc", "oncology/..", "Astrology", ""])
def test_unknown_topic_lists_the_known_ones(library, qa, bad_topic):
    result = qa("new", "Is this safe?", "--topic", bad_topic)
    assert result.exit_code == 2
    assert stderr_line(result) == (
        f"qa: unknown topic {bad_topic!r}; known topics: Cardiology, Dermatology, "
        "Endocrinology, Gastroenterology, Immunology, Infectious Diseases, Mental Health, "
        "Neurology, Oncology, Pediatrics, Respiratory, Women's Health"
    )
    assert md_files(library.parent) == []


def test_topic_folder_linked_outside_is_refused(library, qa, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (library / "answers" / "oncology").symlink_to(outside, target_is_directory=True)
    result = qa("new", "Is this safe?", "--topic", "Oncology")
    assert result.exit_code == 2
    assert "answers/oncology/is-this-safe.md would be outside answers/" in stderr_line(result)
    assert list(outside.iterdir()) == []


def test_library_templates_override_the_default(library, qa):
    build_tree(
        library,
        {
            "templates/default.md": (
                "---\nid: $id\ntitle: $question\ntopic: $topic\nstatus: $status\n"
                "created: $today\ntags: [$topic_folder]\n---\n"
                "Library default for ${topic} by $author; costs $$5.\n"
            ),
            "templates/oncology.md": (
                "---\nid: $id\ntitle: $question\ntopic: $topic\nstatus: $status\n"
                "created: $today\nauthors: $authors\n---\nOncology: $question\n"
            ),
        },
    )
    result = qa("new", "Does it: hurt?", "--topic", "Oncology", "--author", "Jo")
    assert result.exit_code == 0, result.output
    answer = read(library, "answers/oncology/does-it-hurt.md")
    assert answer.meta["authors"] == [{"name": "Jo"}]
    assert answer.body == "Oncology: Does it: hurt?\n"

    result = qa("new", "Does it itch?", "--topic", "Dermatology")
    assert result.exit_code == 0, result.output
    answer = read(library, "answers/dermatology/does-it-itch.md")
    assert answer.meta["tags"] == ["dermatology"]
    assert answer.body == "Library default for Dermatology by ; costs $5.\n"
    assert "qa:placeholder" not in result.stderr


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "---\nid: $id\ntitle: $question\ntopic: $topic\nstatus: $status\n---\nBy $autor\n",
            "qa: templates/oncology.md:7: unknown variable $autor; known: $question, $id, "
            "$topic, $topic_folder, $status, $confidence, $author, $authors, $today",
        ),
        (
            "---\nid: $id\ntitle: $question\ntopic: $topic\nstatus: $status\n---\nCosts 5$.\n",
            "qa: templates/oncology.md:7: '$' must start a variable such as $question or "
            "${id} (write $$ for a dollar sign)",
        ),
        (
            "---\nid: $id\ntitle: $question\ntopic: ${topic\nstatus: $status\n---\n",
            "qa: templates/oncology.md:4: '$' must start a variable such as $question or "
            "${id} (write $$ for a dollar sign)",
        ),
        (
            "no front matter $id\n",
            "qa: template templates/oncology.md:1: no front matter: an answer starts with "
            "a '---' line, then YAML, then '---'",
        ),
        (
            "---\nid: $id\ntitle: Q $question\ntopic: $topic\nstatus: $status\n---\n",
            "qa: templates/oncology.md:3: YAML syntax: mapping values are not allowed in this "
            "context (in the answer made for 'is-it-a-or-b'; in front matter a variable must be "
            "a whole value, unquoted: qa quotes it)",
        ),
        (
            "---\nid: $id\ntitle: '$question'\ntopic: $topic\nstatus: $status\n---\n",
            "qa: templates/oncology.md: the front matter must say title: $question "
            "(it makes title: '\"Is it: A or B?\"')",
        ),
        (
            "---\nid: $id\ntitle: $question\ntopic: $topic\nstatus: $status\n---\nBody\n",
            "qa: templates/oncology.md: the answer made for 'is-it-a-or-b' breaks the schema at "
            "$.created: 'created' is a required property",
        ),
    ],
)
def test_broken_template_is_a_clear_error_and_writes_nothing(library, qa, template, message):
    build_tree(library, {"templates/oncology.md": template})
    result = qa("new", "Is it: A or B?", "--topic", "Oncology")
    assert result.exit_code == 2
    assert stderr_line(result) == message
    assert md_files(library / "answers") == []


def test_prompts_ask_for_question_and_topic(library, qa):
    result = qa("new", "--interactive", "-f", "json", input="\nCan I fly?\nastrology\noncology\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"id": "can-i-fly", "path": "answers/oncology/can-i-fly.md"}
    assert "Question" in result.stderr and "Topic" in result.stderr
    assert "unknown topic 'astrology'; known topics: Cardiology" in result.stderr
    assert read(library, "answers/oncology/can-i-fly.md").meta["topic"] == "Oncology"


def test_topic_prompt_takes_folder_names_and_a_clashing_id_is_asked_again(library, qa):
    first = qa("new", "Can I fly?", "--topic", "oncology")
    assert first.exit_code == 0, first.output
    result = qa(
        "new", "--interactive", "-f", "json", input="Can I fly?\nwomens-health\n\ncan-i-fly-2\n"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "id": "can-i-fly-2",
        "path": "answers/womens-health/can-i-fly-2.md",
    }
    assert "id 'can-i-fly' is already used by answers/oncology/can-i-fly.md" in result.stderr
    assert "Id" in result.stderr


def test_ctrl_c_at_a_prompt_ends_the_line(library, monkeypatch):
    from rich.prompt import Prompt

    from qa_tool.cli import new_cmd

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Prompt, "ask", interrupted)
    monkeypatch.setattr(new_cmd, "stdin_is_terminal", lambda: True)
    result = QA(library)("new")
    assert result.exit_code == 130
    assert result.stderr.startswith("\n")  # the prompt's line ended before qa stops


def test_prompt_only_for_what_is_missing(library, qa):
    result = qa("new", "Can I dive?", "--interactive", input="Women's Health\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == "answers/womens-health/can-i-dive.md\n"
    assert "Question" not in result.stderr


def test_terminal_is_detected_and_no_input_wins(library, qa, monkeypatch):
    from qa_tool.cli import new_cmd

    monkeypatch.setattr(new_cmd, "stdin_is_terminal", lambda: True)
    result = qa("new", input="Can I ski?\nNeurology\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == "answers/neurology/can-i-ski.md\n"

    result = qa("new", "--no-input", input="Can I skate?\nNeurology\n")
    assert result.exit_code == 2
    assert stderr_line(result) == (
        "qa: missing QUESTION; give it, or run qa new on a terminal (without --no-input) "
        "to be asked"
    )


def test_no_terminal_never_prompts(library, qa):
    result = qa("new", "Can I skate?", input="Neurology\n")
    assert result.exit_code == 2
    assert "Topic" not in result.stderr
    assert "missing --topic" in result.stderr
    assert md_files(library) == []


def test_input_ending_during_a_prompt_is_a_usage_error(library, qa):
    result = qa("new", "--interactive", input="Can I skate?\n")
    assert result.exit_code == 2
    assert "input ended before the question and topic were given" in stderr_line(result)
    assert md_files(library) == []


def test_real_process_without_terminal_is_a_usage_error(library):
    result = run_qa("new", "--root", str(library), cwd=library, input="")
    assert result.returncode == 2
    assert "missing QUESTION" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


BATCH = [
    {"question": "Can I eat sushi?", "topic": "Oncology"},
    {"question": "Can I eat cheese?", "topic": "neurology", "author": "Jo", "confidence": "low"},
    {"question": "Can I eat bread?", "topic": "Oncology", "id": "bread", "status": "in-review"},
]


def test_batch_from_a_json_array_creates_every_answer(library, qa, tmp_path):
    source = tmp_path / "questions.json"
    source.write_text(json.dumps(BATCH), encoding="utf-8")
    result, out = qa.json("new", "--from-file", str(source), "--format", "json")
    assert result.exit_code == 0, result.output
    assert out == {
        "created": [
            {"id": "can-i-eat-sushi", "path": "answers/oncology/can-i-eat-sushi.md"},
            {"id": "can-i-eat-cheese", "path": "answers/neurology/can-i-eat-cheese.md"},
            {"id": "bread", "path": "answers/oncology/bread.md"},
        ]
    }
    cheese = read(library, "answers/neurology/can-i-eat-cheese.md").meta
    assert (cheese["authors"], cheese["confidence"]) == ([{"name": "Jo"}], "low")
    assert read(library, "answers/oncology/bread.md").meta["status"] == "in-review"
    result = qa("validate")
    assert result.exit_code == 1  # bread.md is in review with placeholders left
    assert "placeholder-left" in result.stdout


def test_batch_from_json_lines_on_stdin_with_default_topic(library, qa):
    lines = '{"question": "Can I nap?"}\n\n{"question": "Can I run?", "topic": "Cardiology"}\n'
    result = qa("new", "--from-file", "-", "--topic", "Neurology", input=lines)
    assert result.exit_code == 0, result.output
    assert result.stdout == "answers/neurology/can-i-nap.md\nanswers/cardiology/can-i-run.md\n"


def test_batch_reports_every_problem_and_writes_nothing(library, qa):
    build_tree(library, {"answers/cardiology/taken.md": answer_text("taken", topic="Cardiology")})
    items = [
        {"question": "Fine one?", "topic": "Oncology"},
        {"question": "Fine one", "topic": "Neurology"},
        {"question": "Is it taken?", "topic": "Oncology", "id": "taken"},
        {"question": "Bad id?", "topic": "Oncology", "id": "../x"},
        {"question": "Where?", "topic": "Astrology"},
        {"topic": "Oncology"},
        {"question": "Typo?", "topci": "Oncology"},
        {"question": 42, "topic": "Oncology"},
        "just text",
    ]
    result = qa("new", "--from-file", "-", input=json.dumps(items))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert stderr_line(result) == " ".join(
        [
            "qa: stdin: 8 problems, nothing written:",
            "item 2: id 'fine-one' is also the id of item 1; give one of them another \"id\"",
            "item 3: id 'taken' is already used by answers/cardiology/taken.md; "
            'give the item another "id"',
            "item 4: id '../x' is not valid: use lowercase ASCII letters and digits in words "
            "joined by '-' (at most 80 characters)",
            "item 5: unknown topic 'Astrology'; known topics: Cardiology, Dermatology, "
            "Endocrinology, Gastroenterology, Immunology, Infectious Diseases, Mental Health, "
            "Neurology, Oncology, Pediatrics, Respiratory, Women's Health",
            "item 6: no 'question'",
            "item 7: unknown field 'topci' "
            "(known: question, topic, id, confidence, author, status)",
            "item 8: 'question' must be text, not 42",
            'item 9: expected an object like {"question": ..., "topic": ...}',
        ]
    )
    assert md_files(library) == ["answers/cardiology/taken.md"]


def test_batch_json_lines_errors_name_the_line(library, qa):
    lines = '{"question": "Fine?", "topic": "Oncology"}\n{"question": "Broken?",\n\n[1]\n'
    result = qa("new", "--from-file", "-", input=lines)
    assert result.exit_code == 2
    assert [line.strip() for line in result.stderr.splitlines()] == [
        "qa: stdin: 2 problems, nothing written:",
        "line 2: not valid JSON: Expecting property name enclosed in double quotes (column 24)",
        'line 4: expected an object like {"question": ..., "topic": ...}',
    ]
    assert md_files(library) == []


def test_batch_write_failure_removes_what_it_created(library, qa, monkeypatch):
    real_write = scaffold.atomic_write
    calls = []

    def failing_write(path, data, *, overwrite=True):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(path, data, overwrite=overwrite)

    monkeypatch.setattr(scaffold, "atomic_write", failing_write)
    result = qa("new", "--from-file", "-", input=json.dumps(BATCH))
    assert result.exit_code == 1
    assert stderr_line(result) == (
        "qa: answers/oncology/bread.md: cannot write: No space left on device; "
        "removed the 2 files this run had created"
    )
    assert len(calls) == 3
    assert md_files(library) == []
    assert sorted(p.name for p in (library / "answers").iterdir()) == []  # folders made: gone


def test_edit_opens_visual_before_editor(library, qa, tmp_path):
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\nfor p in sys.argv[1:]:\n    open(p, 'a').write('edited by visual\\n')\n",
        encoding="utf-8",
    )
    visual = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"
    result = qa(
        "new", "Can I sing?", "-t", "Oncology", "--edit", env={"VISUAL": visual, "EDITOR": "false"}
    )
    assert result.exit_code == 0, result.output
    text = (library / "answers/oncology/can-i-sing.md").read_text(encoding="utf-8")
    assert text.endswith("Another question?\nedited by visual\n")

    result = qa(
        "new", "Can I hum?", "-t", "Oncology", "--edit", env={"VISUAL": "", "EDITOR": "false"}
    )
    assert result.exit_code == 1
    assert stderr_line(result).endswith("qa: the editor 'false' exited with status 1")
    assert (library / "answers/oncology/can-i-hum.md").is_file()


def test_edit_without_an_editor_writes_nothing(library, qa):
    result = qa("new", "Can I sing?", "-t", "Oncology", "--edit", env={"VISUAL": "", "EDITOR": ""})
    assert result.exit_code == 2
    assert stderr_line(result) == "qa: --edit needs $VISUAL or $EDITOR to name an editor"
    assert md_files(library) == []


def test_git_add_stages_every_new_file(library, qa):
    git_init(library)
    result = qa("new", "Can I walk?", "-t", "Oncology", "--git-add")
    assert result.exit_code == 0, result.output
    result = qa("new", "--from-file", "-", "--git-add", input=json.dumps(BATCH))
    assert result.exit_code == 0, result.output
    staged = git(library, "diff", "--cached", "--name-only").split()
    assert sorted(staged) == [
        "answers/neurology/can-i-eat-cheese.md",
        "answers/oncology/bread.md",
        "answers/oncology/can-i-eat-sushi.md",
        "answers/oncology/can-i-walk.md",
    ]


def test_git_add_outside_a_repository_writes_nothing(library, qa):
    result = qa(
        "new",
        "Can I walk?",
        "-t",
        "Oncology",
        "--git-add",
        env={"GIT_CEILING_DIRECTORIES": str(library.parent)},
    )
    assert result.exit_code == 1
    assert "is not in a git work tree" in stderr_line(result)
    assert md_files(library) == []


def test_from_file_conflicts_and_missing_file(library, qa):
    result = qa("new", "Q?", "--from-file", "-", input="[]")
    assert result.exit_code == 2
    assert stderr_line(result) == (
        "qa: --from-file takes the questions from the file: drop QUESTION/--id"
    )
    result = qa("new", "--from-file", str(library / "missing.json"))
    assert result.exit_code == 2
    assert "missing.json" in result.stderr
    result = qa("new", "--from-file", "-", input="[]")
    assert result.exit_code == 2
    assert "no items" in result.stderr


def test_template_values_are_quoted_only_when_needed():
    assert inline_value("Can I: drink #coffee?") == '"Can I: drink #coffee?"'
    assert inline_value("plain words") == "plain words"
    assert inline_value(None) == "null"
    assert inline_value(dt.date(2026, 1, 2)) == "2026-01-02"
    assert inline_value([{"name": "Jo"}]) == "[{name: Jo}]"


def test_batch_through_a_real_process_on_stdin(library):
    lines = "\n".join(json.dumps(item) for item in BATCH[:2])
    result = run_qa(
        "new", "--from-file", "-", "-f", "json", "--root", str(library), cwd=library, input=lines
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "created": [
            {"id": "can-i-eat-sushi", "path": "answers/oncology/can-i-eat-sushi.md"},
            {"id": "can-i-eat-cheese", "path": "answers/neurology/can-i-eat-cheese.md"},
        ]
    }


def test_every_input_problem_is_named_at_once(library, qa):
    result = qa("new", "x", "--topic", "Astrology", "--author", " ")
    assert result.exit_code == 2
    message = stderr_line(result)
    assert message.startswith("qa: the question is 1 character long; a title has 3 to 300; ")
    assert "unknown topic 'Astrology'" in message
    assert message.endswith("; the author is empty")
    result = qa("new", "Is it?", "--topic", "Oncology", "--status", "published")
    assert result.exit_code == 2
    assert md_files(library) == []


def test_template_linked_from_outside_the_library_is_refused(library, qa, tmp_path):
    outside = tmp_path / "elsewhere.md"
    outside.write_text("---\nid: $id\n---\nsecret\n", encoding="utf-8")
    (library / "templates").mkdir()
    (library / "templates" / "default.md").symlink_to(outside)
    result = qa("new", "Is it?", "--topic", "Oncology")
    assert result.exit_code == 2
    assert stderr_line(result) == (
        "qa: templates/default.md: the template is a link to outside the library"
    )
    assert md_files(library / "answers") == []
