"""The benchmark runner counts a findings exit as a run, and says why when it does not.

Why these tests: a row whose command exits 1 for its findings (``qa refs check
--retractions`` against a file that retracts some of the library's papers) is a
measured run only when its stdout holds the JSON report; a row that dropped its
stdout lost every figure, with "no message" as the only explanation.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

RUNNER = Path(__file__).resolve().parent.parent / "bench" / "run.py"


def load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", RUNNER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def setting(run: ModuleType, tmp_path: Path):
    library, scratch = tmp_path / "library", tmp_path / "scratch"
    library.mkdir()
    scratch.mkdir()
    return run.Setting(1, library, tmp_path / "legacy", scratch, sys.executable, None, 0)


def script(code: str):
    return lambda s: [sys.executable, "-c", code]


def test_a_findings_exit_with_a_json_report_is_measured(tmp_path):
    run = load_runner()
    # no capture asked for: the report must be kept all the same to tell exit 1 apart
    command = run.Command(
        "findings",
        "findings",
        script("import sys; print('{\"findings\": []}'); sys.exit(1)"),
        "shell",
        findings_exit=True,
    )
    cell = run.measure(command, setting(run, tmp_path), 1, [])
    assert cell.ok and cell.exit == 1 and len(cell.seconds) == 1, cell


def test_a_findings_exit_without_a_report_says_why(tmp_path):
    run = load_runner()
    command = run.Command(
        "silent", "silent", script("import sys; sys.exit(1)"), "shell", findings_exit=True
    )
    cell = run.measure(command, setting(run, tmp_path), 1, [])
    assert not cell.ok and cell.note == "n/a (exit 1)"
    assert cell.message == "exit 1 without a JSON report on stdout"


def test_a_failure_names_its_last_stderr_line(tmp_path):
    run = load_runner()
    code = "import sys; print('qa: no such file', file=sys.stderr); sys.exit(1)"
    command = run.Command("broken", "broken", script(code), "shell", findings_exit=True)
    cell = run.measure(command, setting(run, tmp_path), 1, [])
    assert not cell.ok and cell.message == "qa: no such file"


def test_warm_rows_keep_their_repeats_at_the_largest_size():
    run = load_runner()
    warm, ci, cold = (run.COMMAND[k] for k in ("stale-warm", "stale-ci", "stale-cold"))
    hugo = run.COMMAND["hugo"]
    assert [run.runs_per_cell(c, True, 3, 1) for c in (warm, ci, cold, hugo)] == [3, 3, 1, 1]
    assert [run.runs_per_cell(c, False, 3, 1) for c in (warm, ci, cold, hugo)] == [3, 3, 3, 3]
    assert run.runs_per_cell(cold, True, 3, None) == 3
