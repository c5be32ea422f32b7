"""Hostile inputs: paths that are devices or pipes, empty option values, CSV cells a
spreadsheet would run, malformed citation keys, long values in messages."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from helpers import answer_text, build_tree, run_qa

ONC = "answers/oncology"


@pytest.fixture
def lib(library: Path) -> Path:
    build_tree(library, {f"{ONC}/a.md": answer_text("a"), f"{ONC}/b.md": answer_text("b")})
    return library


def _specials(folder: Path) -> list[Path]:
    """A FIFO, a link to /dev/zero and a link to a FIFO: none may be opened or read."""
    fifo = folder / "fifo.csv"
    os.mkfifo(fifo)
    zero = folder / "zero.csv"
    zero.symlink_to("/dev/zero")
    linked = folder / "linked.csv"
    linked.symlink_to(fifo)
    return [fifo, zero, linked, Path("/dev/zero")]


# ---------------------------------------------------------------------------
# H1: only regular files are opened, for every path a user names


@pytest.mark.parametrize(
    "command",
    [
        ("validate",),
        ("stale",),
        ("stale", "--format", "csv"),
        ("report", "--format", "json"),
        ("refs", "check"),
    ],
)
def test_a_retractions_setting_that_is_a_device_or_pipe_is_refused(lib, qa, tmp_path, command):
    for special in _specials(tmp_path):
        (lib / "qa.toml").write_text(f'[references]\nretractions = "{special}"\n')
        result = qa(*command)
        assert result.exit_code == 2, (special, result.output)
        assert f"retractions file {special}: not a regular file" in result.stderr
        assert "Traceback" not in result.stderr


def test_retractions_option_that_is_a_device_or_pipe_is_refused(lib, tmp_path):
    """In a process of its own: a FIFO that blocked on open would hang, not fail."""
    for special in _specials(tmp_path):
        result = run_qa("refs", "check", "--retractions", str(special), cwd=lib)
        assert result.returncode == 2, (special, result.stderr)
        assert "not a regular file" in result.stderr


def test_qa_toml_template_and_input_files_that_are_devices_or_pipes_are_refused(lib, qa, tmp_path):
    fifo, zero, _, _ = _specials(tmp_path)
    result = qa("new", "--from-file", str(fifo))
    assert result.exit_code == 2 and "not a regular file" in result.stderr
    assert "use - to read standard input" in result.stderr
    result = qa("new", "--from-file", str(zero))
    assert result.exit_code == 2 and "not a regular file" in result.stderr
    for special in (fifo, zero):
        result = qa("refs", "import", str(special), "--answer", "a", "--from", "ris")
        assert result.exit_code == 2, result.stderr
        assert "not a regular file" in result.stderr
        result = qa("convert", str(special), "--topic", "oncology")
        assert result.exit_code == 1, result.output
        assert "is not a regular file" in result.output
        assert "Traceback" not in result.stderr
    (lib / "qa.toml").symlink_to(zero)
    result = qa("validate")
    assert result.exit_code == 2
    assert "qa.toml: not a regular file" in result.stderr
    (lib / "qa.toml").unlink()
    (lib / "qa.toml").symlink_to(fifo)
    result = qa("list")
    assert result.exit_code == 2
    assert "qa.toml: not a regular file" in result.stderr


def test_retractions_file_over_the_cap_is_refused(lib, monkeypatch, tmp_path):
    from qa_tool.errors import RetractionsFileError
    from qa_tool.references import retractions

    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 4096)
    monkeypatch.setattr(retractions, "MAX_RETRACTIONS_BYTES", 1024)
    with pytest.raises(RetractionsFileError, match="over the 1,024-byte limit"):
        retractions.file_digest(big)


# ---------------------------------------------------------------------------
# H2: an empty value of a list option (or an empty path) is a usage error, not "everything"


@pytest.mark.parametrize(
    ("option", "args"),
    [
        ("--id", ("export", "--id", "", "--out", "OUT")),
        ("--topic", ("export", "--topic", "", "--out", "OUT")),
        ("--status", ("export", "--status", "", "--out", "OUT")),
        ("--format", ("export", "--format", "", "--out", "OUT")),
        ("--id", ("export", "--id", "a,,b", "--out", "OUT")),
        ("--topic", ("list", "--topic", "")),
        ("--status", ("list", "--status", "")),
        ("--confidence", ("list", "--confidence", ",")),
        ("--author", ("list", "--author", "x,")),
        ("--reviewer", ("list", "--reviewer", "")),
        ("--topic", ("stale", "--topic", "")),
        ("--status", ("stale", "--status", " ")),
        ("--reviewer", ("stale", "--reviewer", "")),
        ("--topic", ("report", "--format", "json", "--topic", "")),
        ("--topic", ("list", "--topic", "oncology", "--topic", "")),
    ],
)
def test_an_empty_list_option_value_is_a_usage_error(lib, qa, tmp_path, option, args):
    out = tmp_path / "out"
    result = qa(*(str(out) if a == "OUT" else a for a in args))
    assert result.exit_code == 2, result.output
    assert f"{option}: an empty value" in result.stderr
    assert not out.exists()
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["validate", "readability", "refs check"])
def test_an_empty_path_argument_is_a_usage_error(lib, qa, command):
    result = qa(*command.split(), "")
    assert result.exit_code == 2
    assert "an empty path ('') given" in result.stderr


def test_a_list_option_with_values_still_filters(lib, qa):
    result, data = qa.json("list", "--format", "json", "--topic", " oncology ", "--status", "draft")
    assert (result.exit_code, data["total"]) == (0, 0)
    result, data = qa.json("list", "--format", "json", "--status", "draft,published")
    assert (result.exit_code, data["total"]) == (0, 2)


# ---------------------------------------------------------------------------
# H3: one CSV writer for every --format csv: no formulas run, no control characters


FORMULA = '=HYPERLINK("http://evil","x")?'
ESCAPES = '"Evil \\e[2J\\e[31mred\\rOVER \\a \\u202e txt.exe \\x85 ok?"'


@pytest.fixture
def hostile(library: Path) -> Path:
    build_tree(
        library,
        {
            f"{ONC}/a.md": answer_text("a", title=FORMULA),
            f"{ONC}/b.md": answer_text("b", title=ESCAPES),
            f"{ONC}/c.md": answer_text("c", title='"@SUM(1+1)?"'),
            f"{ONC}/d.md": answer_text("d", title='"\\tTab first?"'),
            f"{ONC}/=cmd.md": answer_text("d2", title='"+ plus?"', status="bogus"),
        },
    )
    return library


def _cells(text: str) -> list[str]:
    import csv
    import io

    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize(
    "command",
    [
        ("list", "--format", "csv"),
        ("stale", "--format", "csv", "--status", "published,draft", "--as-of", "2030-01-01"),
        ("stale", "--format", "csv", "--as-of", "2030-01-01", "--group-by", "topic"),
        ("readability", "--format", "csv"),
        ("validate", "--format", "csv"),
    ],
)
def test_csv_cells_never_start_a_formula_nor_hold_control_characters(hostile, qa, command):
    result = qa(*command)
    assert result.exit_code in (0, 1), result.output
    cells = _cells(result.stdout)
    assert len(cells) > 10
    for cell in cells:
        if re.fullmatch(r"-?\d+(\.\d+)?", cell):
            continue  # a number (a negative grade, days overdue) stays a number
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        assert not any(c in cell for c in "\x1b\r\x07\x85\u202e\t\n"), repr(cell)


def test_csv_keeps_the_value_visible_and_numbers_as_numbers(hostile, qa):
    _, out = qa.json("list", "--format", "json")
    titles = {a["id"]: a["title"] for a in out["answers"]}
    cells = _cells(qa("list", "--format", "csv").stdout)
    assert "'" + titles["a"] in cells
    assert "'@SUM(1+1)?" in cells
    assert "'\\tTab first?" in cells
    assert "Evil \\x1b[2J\\x1b[31mred\\rOVER \\x07 \\u202e txt.exe \\x85 ok?" in cells
    assert titles["b"].startswith("Evil \x1b")  # json carries the value as it is


def test_csv_cell_rule():
    from qa_tool.cli.common import csv_cell

    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("-3 days") == "'-3 days"
    assert csv_cell(-3) == -3
    assert csv_cell(-1.5) == -1.5
    assert csv_cell(None) is None
    assert csv_cell("a=b") == "a=b"
    assert csv_cell("\rx") == "'\\rx"
    assert csv_cell("x\u202ey\x9b") == "x\\u202ey\\x9b"


# ---------------------------------------------------------------------------
# H5: a plain file outside the library is "outside", a link out is "a link"


def test_an_outside_file_is_named_outside_and_an_outside_link_a_link(lib, qa, tmp_path):
    outside = tmp_path / "elsewhere.md"
    outside.write_text(answer_text("elsewhere"))
    (lib / ONC / "out.md").symlink_to(outside)
    result = qa("readability", str(outside))
    assert f"{outside}: is outside the library; not read" in result.output, result.output
    result = qa("refs", "check", str(outside))
    assert "is outside the library; not read  (outside-library)" in result.output
    assert "a link" not in result.output
    result = qa("validate")
    assert "is a link to a file outside the library; not read  (outside-library)" in result.output


# ---------------------------------------------------------------------------
# H6: long values in messages are cut with an ellipsis


def test_a_long_title_is_cut_in_the_schema_message(library, qa):
    build_tree(library, {f"{ONC}/long.md": answer_text("long", title="Why " + "x" * 200_000 + "?")})
    result, data = qa.json("validate", "--format", "json")
    messages = [f["message"] for f in data["findings"] if f["rule"] == "schema-maxLength"]
    assert messages, data["findings"]
    assert all(len(m) < 200 and "…" in m for m in messages), messages
    text = qa("validate")
    assert len(text.output) < 2_000
    assert "is too long" in text.output


def test_a_long_unknown_value_is_cut_in_the_enum_message(library, qa):
    build_tree(library, {f"{ONC}/a.md": answer_text("a", status="s" * 5_000)})
    result, data = qa.json("validate", "--format", "json")
    (message,) = [f["message"] for f in data["findings"] if f["rule"] == "schema-enum"]
    assert message.startswith("'sss") and "…" in message and len(message) < 200
    assert message.endswith("is not one of: draft, in-review, published, retired")


# ---------------------------------------------------------------------------
# H7: malformed citation keys are a citation-syntax warning with the line


def test_malformed_citation_keys_are_a_warning_with_the_line(library, qa):
    body = (
        "A summary [@1].\n\n## What the research says\n\nFine [@1].\n"
        "Empty [@] here.\nDash [@-] here.\nTrailing [@1; ] here.\n"
        "Mail me@example.org is not a citation.\n\n"
        "## What to ask your doctor\n\n- Is this right for me?\n"
    )
    build_tree(library, {f"{ONC}/a.md": answer_text("a", body=body)})
    text = (library / ONC / "a.md").read_text().split("\n")
    result, data = qa.json("validate", "--format", "json")
    found = [f for f in data["findings"] if f["rule"] == "citation-syntax"]
    assert [(f["line"], f["severity"]) for f in found] == [
        (text.index("Empty [@] here.") + 1, "warning"),
        (text.index("Dash [@-] here.") + 1, "warning"),
        (text.index("Trailing [@1; ] here.") + 1, "warning"),
    ]
    assert "malformed citation [@]" in found[0]["message"]
    assert result.exit_code == 0  # warnings only
    assert qa("validate", "--strict").exit_code == 1


def test_a_template_that_is_a_pipe_is_refused(lib, qa):
    (lib / "templates").mkdir()
    os.mkfifo(lib / "templates" / "default.md")
    result = qa("new", "Is this a question?", "--topic", "oncology")
    assert result.exit_code == 2, result.output
    assert "templates/default.md" in result.stderr
    assert not list((lib / ONC).glob("is-this*"))
