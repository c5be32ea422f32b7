"""Run every command that reads answers over the bad-input library; print exit code and memory.

Why: the bad corpus holds files built to hurt a reader (a 50 MB file, an alias
bomb, 5,000 levels of nesting, a pipe); the limits in qa_tool.answerfile.read must keep
every command small on it. The target is a peak under 200 MB for each command.
This is a measurement, not a test: it prints a Markdown table and exits 0
(1 if a command printed a traceback or missed a bad file).

Usage::

    .venv/bin/python bench/bad_corpus.py            # build in a temporary folder, measure
    .venv/bin/python bench/bad_corpus.py --keep DIR # build in DIR and leave it there

The library is the one tests/test_bad_inputs.py uses (tests/bad_library.py):
the shipped answers plus the whole corpus. Each command is one child process,
run cold (no ``.qa/`` cache); peak memory is GNU time's ``%M`` (the maximum
RSS of the process), or without GNU time the ``ru_maxrss`` of ``os.wait4``,
an upper bound (Linux carries the parent's high-water mark over ``exec``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))

from bad_library import (  # noqa: E402  (tests/ is not a package)
    EXPECTED,
    NOT_UTF8_NAME,
    ONCOLOGY,
    READABLE,
    UNREADABLE_AS_ANSWERS,
    add_corpus,
    build_bad_library,
    shipped_answers,
)

AS_OF = "2026-11-22"
LIMIT_MB = 200.0
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None


@dataclass
class Run:
    command: str
    code: int
    peak_mb: float
    exact: bool
    reported: int
    expected: int
    handled: str
    traceback: bool


def measure(argv: list[str], cwd: Path) -> tuple[int, str, str, float, bool]:
    """(exit code, stdout, stderr, peak MB, whether the figure is exact)."""
    command = [sys.executable, "-m", "qa_tool", *argv]
    with tempfile.TemporaryDirectory() as tmp:
        out_path, err_path, peak_path = (Path(tmp) / name for name in ("out", "err", "peak"))
        if GNU_TIME:
            command = [GNU_TIME, "-f", "%M", "-o", str(peak_path), *command]
        with out_path.open("wb") as out, err_path.open("wb") as err:
            proc = subprocess.Popen(
                command,
                cwd=cwd,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "COLUMNS": "200"},
            )
            _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if GNU_TIME:
            last = peak_path.read_text().strip().splitlines()[-1:]
            peak_kb = int(last[0]) if last and last[0].isdigit() else 0
        else:
            peak_kb = usage.ru_maxrss
        out_text = out_path.read_text(encoding="utf-8", errors="replace")
        err_text = err_path.read_text(encoding="utf-8", errors="replace")
    return code, out_text, err_text, peak_kb / 1024, bool(GNU_TIME)


def named(text: str, names: list[str]) -> int:
    """How many of ``names`` the text names as answers/oncology/NAME (or legacy/.../NAME)."""
    return sum(1 for n in names if re.search(rf"/{re.escape(n)}(?::\d+)?[:\s\"]", text))


def run_all(root: Path, scratch: Path) -> list[Run]:
    bad_for_validate = [n for n, rule in EXPECTED.items() if rule is not None]
    unreadable = [*UNREADABLE_AS_ANSWERS, "x.md"]
    legacy = scratch / "legacy" / "oncology"
    add_corpus(legacy, scratch / "outside-for-legacy.md")

    def validate(out: str, err: str) -> tuple[int, str]:
        report = json.loads(out)
        shown = out.replace("\\\\", "\\")  # JSON doubles the backslash of caf\xe9.md
        return named(shown, bad_for_validate), f"{report['files_checked']} files checked"

    def stale(out: str, err: str) -> tuple[int, str]:
        return named(err, unreadable), f"{len(json.loads(out))} answers listed as due"

    def export(out: str, err: str) -> tuple[int, str]:
        report = json.loads(out)
        return named(err, unreadable), f"{report['answers']} answers exported"

    def review(out: str, err: str) -> tuple[int, str]:
        report = json.loads(out)
        return named(err, refused), f"{len(report['reviewed'])} answers reviewed"

    def convert(out: str, err: str) -> tuple[int, str]:
        report = json.loads(out)
        failed = [Path(f["source"]).name for f in report["files"] if f["status"] == "failed"]
        return len(failed), f"{report['summary']['converted']} converted"

    refused = [
        n for n in [*UNREADABLE_AS_ANSWERS, *READABLE] if n not in ("link.md", NOT_UTF8_NAME)
    ]

    def undecodable(out: str, err: str) -> tuple[int, str]:
        return int("is not valid UTF-8" in err), "refused before any file is read"

    statuses = ["--status", "draft", "--status", "in-review", "--status", "published"]
    formats = ["--format", "jsonl", "--format", "html", "--format", "md"]
    plan: list[tuple[str, list[str], int, Callable[[str, str], tuple[int, str]]]] = [
        ("qa validate", ["validate", "--format", "json"], len(bad_for_validate), validate),
        ("qa stale", ["stale", "--format", "json", "--as-of", AS_OF], len(unreadable), stale),
        (
            "qa export (jsonl, html, md)",
            ["export", *formats, *statuses, "--out", str(scratch / "b.tar.gz")]
            + ["--report", "json"],
            len(unreadable),
            export,
        ),
        (
            "qa convert (corpus as legacy)",
            ["convert", str(legacy.parent), "--out", str(scratch / "converted")]
            + ["--format", "json"],
            len(EXPECTED) - 1,
            convert,
        ),
        (
            "qa review (each bad file)",
            ["review", *(f"{ONCOLOGY}/{n}" for n in refused)]
            + ["--by", "Jane Doe", "--format", "json"],
            len(refused) - 2,  # bom.md and crlf.md are valid drafts: recorded, not refused
            review,
        ),
        (
            "qa review (a name not UTF-8)",
            ["review", os.fsdecode(os.fsencode(f"{ONCOLOGY}/caf") + b"\xe9.md"), "--by", "J"],
            1,
            undecodable,
        ),
    ]
    runs = []
    for label, argv, expected, read in plan:
        shutil.rmtree(root / ".qa", ignore_errors=True)
        code, out, err, peak, exact = measure(argv, root)
        try:
            reported, handled = read(out, err)
        except (ValueError, KeyError) as exc:
            reported, handled = 0, f"unreadable output ({exc})"
        traceback = "Traceback" in out + err or "internal error" in err
        runs.append(Run(label, code, peak, exact, reported, expected, handled, traceback))
    return runs


def table(runs: list[Run]) -> str:
    lines = [
        "| command | exit | peak MB | bad files reported | good answers | traceback |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in runs:
        peak = f"{r.peak_mb:.1f}" + ("" if r.exact else " (upper bound)")
        lines.append(
            f"| {r.command} | {r.code} | {peak} | {r.reported} / {r.expected} | {r.handled} "
            f"| {'yes' if r.traceback else 'no'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="build the library in this (new) folder")
    args = parser.parse_args()
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="qa-bad-corpus-"))
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        root = build_bad_library(scratch / "lib")
        runs = run_all(root, scratch)
    finally:
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
    files = len(EXPECTED) + len(shipped_answers())
    print(f"Library: {len(shipped_answers())} shipped answers + {len(EXPECTED)} bad inputs")
    print(f"({files} entries under {ONCOLOGY}/, a 50 MB file among them); limit {LIMIT_MB:.0f} MB.")
    print()
    print(table(runs))
    ok = all(not r.traceback and r.reported == r.expected and r.peak_mb < LIMIT_MB for r in runs)
    print()
    print("All within the limit, every bad file reported." if ok else "NOT ALL GOOD: see above.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
