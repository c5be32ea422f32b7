"""Large libraries in little memory: output written as it comes, summaries held packed.

Why these tests: at 100,000 answers a listing held whole (every answer's front
matter, every measure, the JSON as one string) takes gigabytes. Output is now
streamed and workers send summaries back as the cache's text; each way must give
exactly what the whole-at-once way gave, byte for byte.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import answer_text, build_tree

from qa_tool.cli import common
from qa_tool.config import load_config
from qa_tool.library import load_library

ONC = "answers/oncology"


def streamed(capsys, data: dict, indent: int | None) -> str:
    lazy = {k: iter(v) if isinstance(v, list) else v for k, v in data.items()}
    common._stream_json(lazy, indent)
    return capsys.readouterr().out


@pytest.mark.parametrize("indent", [None, 2])
def test_streamed_json_is_the_bytes_of_json_dumps(capsys, indent):
    many = [
        {"path": f"a/{n}.md", "grade": n / 3, "hardest": [{"text": "é\n"}]} for n in range(1203)
    ]
    cases = [
        {"version": 1, "answers": many, "errors": [], "by": {"x": [1, {"y": None}]}},
        {"answers": [], "total": 0},
        {"answers": [[]], "nested": {}},
        {"only": many[:3]},
    ]
    for data in cases:
        assert (
            streamed(capsys, data, indent)
            == json.dumps(data, indent=indent, ensure_ascii=False) + "\n"
        )


def test_print_json_streams_only_iterators(capsys, monkeypatch):
    monkeypatch.setattr(common, "WRITE_BATCH", 2)
    common.print_json({"a": iter([1, 2, 3]), "b": "c"})
    assert capsys.readouterr().out == '{"a": [1, 2, 3], "b": "c"}\n'


def test_csv_written_in_batches_is_the_same(capsys):
    rows = [[n, f"=cell {n}", "a,b", None] for n in range(common.WRITE_BATCH * 2 + 7)]
    common.print_csv(["n", "text", "pair", "none"], iter(rows))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["n", "text", "pair", "none"])
    writer.writerows([common.csv_cell(v) for v in row] for row in rows)
    assert capsys.readouterr().out == buffer.getvalue()


def test_summaries_read_in_workers_come_back_packed_and_equal(library, monkeypatch):
    import qa_tool.workers as workers

    monkeypatch.setattr(workers, "PARALLEL_MIN_ITEMS", 2)
    files = {f"{ONC}/a{n:02}.md": answer_text(f"a{n:02}") for n in range(30)}
    # a key that is not text: the cache's JSON would make it "1", so it stays a dict (and is
    # not cached: a warm run must see what a cold one sees)
    odd_reviewer = "reviewed_by:\n  - 1: Sam\n    name: Sam"
    files[f"{ONC}/odd.md"] = answer_text("odd", last_reviewed=None, extra=odd_reviewer)
    build_tree(library, files)
    config = load_config(library)
    parallel_ = load_library(config, summary=True, workers=2)
    (library / ".qa" / "cache.sqlite3").unlink()
    serial = load_library(config, summary=True, workers=1)
    warm = load_library(config, summary=True, workers=1)
    packed = {a.rel: a for a in parallel_.answers}
    plain = packed[f"{ONC}/a00.md"]
    assert plain._meta is None and plain.columns is not None  # revived on use, not held
    assert plain.columns == warm.answers[0].columns
    odd = packed[f"{ONC}/odd.md"]
    assert odd._meta is not None and 1 in odd.meta["reviewed_by"][0]
    for run in (parallel_, warm):
        assert [a.rel for a in run.answers] == [a.rel for a in serial.answers]
        assert [a.meta for a in run.answers] == [a.meta for a in serial.answers]
        assert [a.digest for a in run.answers] == [a.digest for a in serial.answers]


def test_read_meta_does_not_keep_what_it_decodes(library):
    build_tree(library, {f"{ONC}/a.md": answer_text("a")})
    config = load_config(library)
    load_library(config, summary=True)
    (answer,) = load_library(config, summary=True).answers
    first, second = answer.read_meta(), answer.read_meta()
    assert first == second and first is not second
    assert answer.meta is answer.meta == first  # meta keeps it, as before


def test_refs_check_in_workers_reports_what_one_process_does(library, monkeypatch):
    import qa_tool.workers as workers
    from qa_tool.references.check import check_library

    files = {f"{ONC}/a{n:02}.md": answer_text(f"a{n:02}") for n in range(20)}
    files[f"{ONC}/uncited.md"] = answer_text("uncited", refs=("1", "2"), body="No citation.\n")
    files[f"{ONC}/broken.md"] = "---\n: [\n---\n"
    files[f"{ONC}/bad-doi.md"] = answer_text("bad-doi").replace(
        "DOI: 10.1000/example.1", "DOI: https://doi.org/10.1000/x"
    )
    build_tree(library, files)
    config = load_config(library)
    serial = check_library(config)
    monkeypatch.setattr(workers, "PARALLEL_MIN_ITEMS", 2)
    parallel_ = check_library(config)
    assert serial.files_checked == parallel_.files_checked == 23
    assert serial.to_dict() == parallel_.to_dict()
    assert {f.rule for f in serial.findings} >= {"reference-uncited", "reference-malformed"}


def test_readability_measured_in_workers_equals_one_process(library, monkeypatch):
    import qa_tool.workers as workers
    from qa_tool.readability import measure_library

    build_tree(library, {f"{ONC}/a{n:02}.md": answer_text(f"a{n:02}") for n in range(12)})
    config = load_config(library)
    monkeypatch.setattr(workers, "PARALLEL_MIN_ITEMS", 2)
    cold = measure_library(config).to_dict()
    monkeypatch.setattr(workers, "PARALLEL_MIN_ITEMS", 400)
    (library / ".qa" / "cache.sqlite3").unlink()
    serial = measure_library(config).to_dict()
    warm = measure_library(config)
    assert cold == serial == warm.to_dict()
    assert list(warm.to_dict(lazy=True)["answers"]) == serial["answers"]
    assert warm.measured == 12 and warm.over_target == len(list(warm.above_target()))
