"""Run the benchmark: ``qa`` next to Hugo, ``cat`` and ``tar`` on generated libraries.

Why: the targets of ``qa`` (see the Targets section this prints) are ratios
to reference programs measured on the same machine, in the same run, on the
same files; figures from different days or machines do not compare. This
script generates each library once (``bench/generate.py``, reused while the
size, seed and generator are unchanged), measures every command, prints one
Markdown table to stdout and the verdict on each target below it.

Usage::

    .venv/bin/python bench/run.py                      # N = 1,000, 10,000, 100,000
    .venv/bin/python bench/run.py --sizes 1000,10000 --repeat 3 --json bench/out/run.json

How it measures: each command is one child process; wall time is taken around
it. Peak memory is the larger of two figures: the maximum RSS of its largest
process, as GNU time's ``%M`` reports it (without GNU time, the ``ru_maxrss``
of ``os.wait4``, an upper bound for small commands, see ``find_gnu_time``),
and, for commands that run several processes at once (``qa``'s worker pool,
``tar`` with ``gzip``), the sum of their PSS sampled every 50 ms (see
``TreeSampler``). Each cell is the median of ``--repeat`` runs. "Cold" means
the ``qa`` cache folder ``<library>/.qa/`` is deleted before each run; nothing
else is dropped: the OS page cache is warmed by one untimed read of all
answers and one untimed start of ``qa`` and ``hugo`` before each size, so
every command, Hugo included, reads from memory.
Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
GENERATOR = BENCH / "generate.py"
AS_OF = "2026-11-22"
"""The as-of date of ``qa stale``; Hugo gets the same instant through ``--clock``."""

LINEAR_SLACK = 1.25
"""A figure grows "linearly" when it grows by at most this times the growth of N."""

TIME_BUDGET = 600.0
"""Seconds one cell may take (all its runs), estimated from the next smaller N."""

MEMORY_SHARE = 0.5
"""Skip a run whose peak memory, extrapolated from a smaller N, would exceed this
share of the memory available now: other people work on the machine."""


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the table."""
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Libraries


def generator_digest() -> str:
    """Fingerprint of the generator: a stored library is reused only if it matches."""
    digest = hashlib.sha256()
    for path in sorted(BENCH.glob("*.py")):
        if path.name in ("generate.py", "vocabulary.py"):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def is_pristine(folder: Path) -> bool:
    """True unless ``folder`` is a git work tree with changes (a command wrote into it)."""
    if not (folder / ".git").exists():
        return True
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=folder, capture_output=True, text=True
    )
    if status.returncode == 0 and not status.stdout:
        return True
    log(f"{folder.name} was changed since it was generated: generating it again")
    return False


def ensure_generated(folder: Path, args: list[str], key: dict[str, object]) -> dict:
    """Generate into ``folder`` unless a stamp says an identical one is already there.

    The stamp (``<folder>.json``) is written only after the generator
    succeeded, so an interrupted generation is never reused.
    """
    stamp = folder.with_suffix(".json")
    key = {**key, "generator": generator_digest()}
    if stamp.exists() and folder.exists():
        saved = json.loads(stamp.read_text())
        if saved.get("key") == key and is_pristine(folder):
            log(f"reusing {folder.name} (generated in {saved['seconds']:.1f} s)")
            return saved
    log(f"generating {folder.name} ...")
    stats_file = folder.with_suffix(".stats.json")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(GENERATOR), *args, "--force", "--stats", str(stats_file)], check=True
    )
    seconds = time.perf_counter() - started
    saved = {"key": key, "seconds": round(seconds, 2), "stats": json.loads(stats_file.read_text())}
    stats_file.unlink()
    stamp.write_text(json.dumps(saved, indent=2) + "\n")
    log(f"generated {folder.name} in {seconds:.1f} s")
    return saved


# ---------------------------------------------------------------------------
# Measuring one process


def find_gnu_time() -> str | None:
    """GNU time, if installed: the accurate way to get a child's peak memory.

    Why not ``os.wait4`` alone: Linux carries the high-water RSS of the
    process that calls ``exec`` over into the new program's ``ru_maxrss``,
    and a child of this script starts as (a vfork of) a Python process of
    about 20 MB, so small commands would all read as about 20 MB. GNU time
    forks the command from a 1-2 MB process instead.
    """
    path = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    if not path:
        return None
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if "GNU" in out.stdout + out.stderr else None


GNU_TIME = find_gnu_time()


class TreeSampler(threading.Thread):
    """Samples the memory of a process tree while it runs: the sum of PSS over its processes.

    Why: GNU time's figure is the largest single process, and ``qa`` reads
    a cold library with a pool of forked workers, whose memory together is
    what the machine must hold. PSS (from ``/proc/PID/smaps_rollup``) counts
    pages shared by forked workers once, where summing RSS would count them
    in every worker. Only taken while the tree has two processes or more, so
    a single process (exactly measured by GNU time) costs one cheap listing
    per tick. Spikes shorter than the interval are missed.
    """

    def __init__(self, root: int, skip_root: bool, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.root, self.skip_root, self.interval = root, skip_root, interval
        self.peak_kb = 0
        self.processes = 1
        self.done = threading.Event()

    def tree(self) -> list[int]:
        """The root and all its descendants, from /proc/PID/task/TID/children."""
        found, queue = [], [self.root]
        while queue:
            pid = queue.pop()
            found.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as children:
                        queue.extend(int(child) for child in children.read().split())
            except OSError:
                continue  # the process ended meanwhile
        return found[1:] if self.skip_root else found

    @staticmethod
    def pss_kb(pid: int) -> int:
        """Proportional set size of one process, 0 when it is gone."""
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0

    def run(self) -> None:
        """Sample until ``done`` is set."""
        while not self.done.wait(self.interval):
            pids = self.tree()
            if len(pids) >= 2:
                self.processes = max(self.processes, len(pids))
                self.peak_kb = max(self.peak_kb, sum(self.pss_kb(pid) for pid in pids))


@dataclass
class Sample:
    """One run of one command."""

    seconds: float
    peak_kb: int  # the largest single process
    exit: int
    bounded: bool = False  # peak_kb is only an upper bound (see find_gnu_time)
    stderr_head: str = ""
    tree_kb: int = 0  # sampled sum of PSS over the processes, when there were several
    processes: int = 1

    @property
    def memory_kb(self) -> int:
        """The figure shown: the whole tree's when it held more than one process at once."""
        return max(self.peak_kb, self.tree_kb)


BOX_DRAWING = "\u2500\u2502\u256d\u256e\u256f\u2570 "


def last_message(path: Path) -> str:
    """The last line of stderr that says something (Rich error panels end in a border)."""
    for line in reversed(path.read_text(errors="replace").splitlines()):
        text = line.strip(BOX_DRAWING)
        if any(ch.isalnum() for ch in text):
            return text[:160]
    return ""


def run_once(argv: Sequence[str], cwd: Path, stdout: Path | None, scratch: Path) -> Sample:
    """Run ``argv`` once: wall time around it, its peak memory, its exit status.

    stdout goes to a file (or /dev/null) so that a pipe reader in this
    process cannot slow the child down; stderr goes to a file to report why
    a command failed. The largest process's peak comes from GNU time's
    ``%M``, or without it from ``os.wait4``, marked as an upper bound when it
    does not exceed this script's own peak; TreeSampler adds the whole
    tree's figure for commands that run several processes.
    """
    err_path, rss_path = scratch / "stderr.txt", scratch / "rss.txt"
    full = [GNU_TIME, "-f", "%M", "-o", str(rss_path), "--", *argv] if GNU_TIME else list(argv)
    with open(stdout or os.devnull, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        try:
            process = subprocess.Popen(full, cwd=cwd, stdout=out, stderr=err)
        except FileNotFoundError:
            return Sample(0.0, 0, 127, stderr_head=f"{argv[0]}: not found")
        sampler = TreeSampler(process.pid, skip_root=bool(GNU_TIME))
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
    process.returncode = exit_code = os.waitstatus_to_exitcode(status)
    head = last_message(err_path) if exit_code != 0 else ""
    if GNU_TIME:
        lines = rss_path.read_text().split() if rss_path.exists() else []
        peak, bounded = (int(lines[-1]) if lines and lines[-1].isdigit() else 0), False
    else:
        peak = usage.ru_maxrss
        bounded = peak <= resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return Sample(seconds, peak, exit_code, bounded, head, sampler.peak_kb, sampler.processes)


def is_json(path: Path | None) -> bool:
    """True when a command wrote one JSON document: a findings report, not a crash."""
    if path is None or not path.exists():
        return False
    try:
        json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError):
        return False
    return True


# ---------------------------------------------------------------------------
# What is measured


@dataclass
class Setting:
    """Everything a command line needs to know about the current size."""

    size: int
    library: Path
    legacy: Path
    scratch: Path
    qa: str | None
    hugo: str | None
    legacy_count: int


@dataclass(frozen=True)
class Command:
    """One row of the table."""

    key: str
    label: str
    argv: Callable[[Setting], list[str]]
    tool: str  # qa | hugo | shell
    cache: str = ""  # cold | warm | ci | ""
    findings_exit: bool = False  # exit 1 with a JSON report on stdout is a run, not a failure
    outputs: Callable[[Setting], list[Path]] = lambda s: []
    capture: bool = False  # keep stdout, for the sanity counts (always kept with findings_exit)
    requires: str = ""  # a qa command ("refs check") that must exist, for rows of new commands

    @property
    def primed(self) -> bool:
        """Whether the cell runs on a cache an untimed first run made (warm, CI shape)."""
        return self.cache in ("warm", "ci")


def qa(*words: str) -> Callable[[Setting], list[str]]:
    """A ``qa`` command line for the configured executable."""
    return lambda s: [s.qa or "qa", *words]


def retractions_argv(s: Setting) -> list[str]:
    """``qa refs check`` against a generated Retraction Watch CSV of the real size (65,000
    rows, about 60 MB; some of the library's DOIs in it), written once per library."""
    csv_path = s.scratch / "retraction_watch.csv"
    if not csv_path.exists():
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import retractions  # bench/retractions.py

        retractions.write_csv(csv_path, 65_000, 1, retractions.library_identifiers(s.library))
    return [s.qa or "qa", "refs", "check", "--retractions", str(csv_path), "--format", "json"]


def export_argv(s: Setting) -> list[str]:
    """The measured export: every answer as JSON lines, into a .tar.gz."""
    out = str(s.scratch / "export.tar.gz")
    return [s.qa or "qa", "export", "--format", "jsonl", "--out", out, "--force"]


COMMANDS: tuple[Command, ...] = (
    Command("version", "`qa --version`", qa("--version"), "qa"),
    Command(
        "stale-cold",
        "`qa stale --as-of 2026-11-22 --format json --exit-zero`",
        qa("stale", "--as-of", AS_OF, "--format", "json", "--exit-zero"),
        "qa",
        "cold",
        capture=True,
    ),
    Command(
        "stale-warm",
        "`qa stale` (same options)",
        qa("stale", "--as-of", AS_OF, "--format", "json", "--exit-zero"),
        "qa",
        "warm",
        capture=True,
    ),
    Command(
        "stale-ci",
        "`qa stale` in a fresh clone with `.qa/` restored (the CI shape)",
        qa("stale", "--as-of", AS_OF, "--format", "json", "--exit-zero"),
        "qa",
        "ci",
        capture=True,
    ),
    Command(
        "validate",
        "`qa validate --format json`",
        qa("validate", "--format", "json"),
        "qa",
        "cold",
        findings_exit=True,
        capture=True,
    ),
    Command(
        "export",
        "`qa export --format jsonl --out X.tar.gz --force`",
        export_argv,
        "qa",
        "cold",
        outputs=lambda s: [s.scratch / "export.tar.gz"],
    ),
    Command(
        "export-warm",
        "`qa export` (same options)",
        export_argv,
        "qa",
        "warm",
        outputs=lambda s: [s.scratch / "export.tar.gz"],
    ),
    Command(
        "convert",
        "`qa convert LEGACY --out TMP --format json`",
        lambda s: [
            s.qa or "qa",
            "convert",
            str(s.legacy),
            "--out",
            str(s.scratch / "converted"),
            "--format",
            "json",
        ],
        "qa",
        "cold",
        outputs=lambda s: [s.scratch / "converted"],
    ),
    Command(
        "list",
        "`qa list --format json`",
        qa("list", "--format", "json"),
        "qa",
        "warm",
        requires="list",
    ),
    Command(
        "readability",
        "`qa readability --format json`",
        qa("readability", "--format", "json"),
        "qa",
        "cold",
        findings_exit=True,
        capture=True,
        requires="readability",
    ),
    Command(
        "refs-check",
        "`qa refs check --format json`",
        qa("refs", "check", "--format", "json"),
        "qa",
        "cold",
        findings_exit=True,
        requires="refs check",
    ),
    Command(
        "refs-retractions",
        "`qa refs check --retractions RW.csv --format json` (65,000 rows, 60 MB; index built)",
        retractions_argv,
        "qa",
        "warm",
        findings_exit=True,
        requires="refs check",
    ),
    Command(
        "readability-warm",
        "`qa readability` (same options)",
        qa("readability", "--format", "json"),
        "qa",
        "warm",
        findings_exit=True,
        capture=True,
        requires="readability",
    ),
    Command(
        "report-html",
        "`qa report --as-of 2026-11-22 --out X.html`",
        lambda s: [s.qa or "qa", "report", "--as-of", AS_OF, "--out", str(s.scratch / "r.html")],
        "qa",
        "cold",
        outputs=lambda s: [s.scratch / "r.html"],
        requires="report",
    ),
    Command(
        "hugo",
        f"`hugo list expired --clock {AS_OF}T00:00:00Z`",
        lambda s: [s.hugo or "hugo", "list", "expired", "--clock", f"{AS_OF}T00:00:00Z"],
        "hugo",
        capture=True,
    ),
    Command(
        "cat",
        "`cat` of every answer file (find, xargs)",
        lambda s: ["sh", "-c", "find answers -name '*.md' -print0 | xargs -0 cat > /dev/null"],
        "shell",
    ),
    Command(
        "tar",
        "`tar czf X.tar.gz answers`",
        lambda s: ["tar", "czf", str(s.scratch / "answers.tar.gz"), "answers"],
        "shell",
        outputs=lambda s: [s.scratch / "answers.tar.gz"],
    ),
)


COMMAND = {command.key: command for command in COMMANDS}


@dataclass
class Cell:
    """The figures of one command at one size."""

    command: str
    size: int
    seconds: list[float] = field(default_factory=list)
    peak_kb: list[int] = field(default_factory=list)  # per run: Sample.memory_kb
    largest_process_kb: list[int] = field(default_factory=list)
    tree_kb: list[int] = field(default_factory=list)
    processes: int = 1
    exit: int | None = None
    bounded: bool = False
    note: str = ""
    message: str = ""
    listed: int | None = None

    @property
    def ok(self) -> bool:
        """True when there are figures to show."""
        return bool(self.seconds) and not self.note

    @property
    def several(self) -> bool:
        """True when the figure is a whole tree's: several processes at once outweighed one."""
        return any(t > p for t, p in zip(self.tree_kb, self.largest_process_kb, strict=True))

    @property
    def time(self) -> float:
        """Median wall time in seconds."""
        return statistics.median(self.seconds)

    @property
    def peak_mb(self) -> float:
        """Median peak RSS in MiB."""
        return statistics.median(self.peak_kb) / 1024

    def text(self) -> str:
        """The table cell."""
        if self.ok:
            peak = f"{'<= ' if self.bounded else ''}{self.peak_mb:.0f} MB"
            if self.several:
                peak += f" ({self.processes} processes)"
            text = f"{self.time:.3f} s / {peak}"
            return text + (f" (exit {self.exit})" if self.exit else "")
        return self.note or "not run"


def remove(path: Path) -> None:
    """Delete a file or folder if present."""
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def count_listed(path: Path, tool: str) -> int | None:
    """How many answers a listing named: Hugo's CSV lines, or the length of qa's JSON list."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return None
    if tool == "hugo":
        return sum(1 for line in text.splitlines() if line.strip())
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), None)
    return len(data) if isinstance(data, list) else None


def available_kb() -> int | None:
    """MemAvailable from /proc/meminfo, in KB (None off Linux)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def too_big(command: Command, size: int, earlier: list[Cell]) -> str:
    """A reason to skip when a smaller size's peak, scaled by N, would crowd the machine out."""
    done = [c for c in earlier if c.command == command.key and c.ok and c.size < size]
    available = available_kb()
    if not done or available is None:
        return ""
    last = max(done, key=lambda c: c.size)
    estimate = max(last.peak_kb) * size / last.size
    if estimate > MEMORY_SHARE * available:
        return (
            f"skipped (~{estimate / 1024**2:.1f} GB expected, "
            f"{available / 1024**2:.1f} GB available)"
        )
    return ""


def too_long(command: Command, size: int, earlier: list[Cell], repeat: int, budget: float) -> str:
    """A reason to skip when a smaller size's time, scaled by N, would exceed the budget."""
    done = [c for c in earlier if c.command == command.key and c.ok and c.size < size]
    if not done:
        return ""
    last = max(done, key=lambda c: c.size)
    runs = repeat + (1 if command.primed else 0)
    estimate = last.time * size / last.size * runs
    if estimate > budget:
        return f"skipped (~{estimate:.0f} s expected for {runs} runs, budget {budget:g} s)"
    return ""


def succeeded(command: Command, sample: Sample, stdout: Path | None) -> bool:
    """Exit 0, or exit 1 with a JSON report for commands whose findings mean exit 1."""
    if sample.exit == 0:
        return True
    return command.findings_exit and sample.exit == 1 and is_json(stdout)


def kept_stdout(command: Command, setting: Setting) -> Path | None:
    """Where a row's stdout is kept: for the sanity counts, and for every row whose exit 1
    is a findings report, since only the JSON on stdout tells that exit 1 from a failure."""
    if command.capture or command.findings_exit:
        return setting.scratch / f"{command.key}.out"
    return None


def failure_message(command: Command, sample: Sample) -> str:
    """Why a run does not count: the last line of its stderr, or what was missing."""
    if sample.stderr_head:
        return sample.stderr_head
    if command.findings_exit and sample.exit == 1:
        return "exit 1 without a JSON report on stdout"
    return ""


def runs_per_cell(command: Command, largest: bool, repeat: int, repeat_largest: int | None) -> int:
    """How many runs a cell's median is of: ``repeat``, but ``repeat_largest`` (when given)
    for a cold cell at the largest size. A warm or CI-shape cell takes seconds even there,
    and a median of one is the machine's noise of that moment."""
    if largest and repeat_largest and not command.primed:
        return repeat_largest
    return repeat


def measure(
    command: Command,
    setting: Setting,
    repeat: int,
    earlier: list[Cell],
    budget: float = float("inf"),
) -> Cell:
    """Median of ``repeat`` runs of one command at one size, or a note saying why not."""
    cell = Cell(command.key, setting.size)
    if command.tool == "qa" and not setting.qa:
        cell.note = "n/a (qa not found)"
        return cell
    if command.tool == "hugo" and not setting.hugo:
        cell.note = "skipped (hugo not installed)"
        return cell
    if command.requires and not has_command(setting.qa, command.requires):
        cell.note = f"not in this qa (no `{command.requires}` command)"
        return cell
    if reason := too_big(command, setting.size, earlier) or too_long(
        command, setting.size, earlier, repeat, budget
    ):
        cell.note = reason
        return cell
    argv = command.argv(setting)
    cache = setting.library / ".qa"
    stdout = kept_stdout(command, setting)
    cwd = setting.library
    if command.primed:
        remove(cache)
        prime = run_once(argv, setting.library, stdout, setting.scratch)
        if not succeeded(command, prime, stdout):
            cell.exit, cell.note = prime.exit, f"n/a (exit {prime.exit})"
            cell.message = failure_message(command, prime)
            log(f"  {command.key}: exit {prime.exit}: {cell.message}")
            return cell
    if command.cache == "ci":
        cwd = setting.scratch / "clone"
    for round_ in range(1, repeat + 1):
        if command.cache == "cold":
            remove(cache)
        if command.cache == "ci":
            fresh_clone(setting.library, cwd)
        for output in command.outputs(setting):
            remove(output)
        sample = run_once(argv, cwd, stdout, setting.scratch)
        cell.exit = sample.exit
        if not succeeded(command, sample, stdout):
            cell.note = f"n/a (exit {sample.exit})"
            cell.message = failure_message(command, sample)
            log(f"  {command.key}: exit {sample.exit}: {cell.message}")
            return cell
        cell.seconds.append(sample.seconds)
        cell.peak_kb.append(sample.memory_kb)
        cell.largest_process_kb.append(sample.peak_kb)
        cell.tree_kb.append(sample.tree_kb)
        cell.processes = max(cell.processes, sample.processes)
        cell.bounded = cell.bounded or (sample.bounded and sample.tree_kb <= sample.peak_kb)
        log(
            f"  [{setting.size:,}] {command.key} {round_}/{repeat}: "
            f"{sample.seconds:.3f} s, {sample.memory_kb / 1024:.0f} MB"
            + (f" ({sample.processes} processes)" if sample.tree_kb > sample.peak_kb else "")
            + (f", exit {sample.exit}" if sample.exit else "")
        )
    if stdout is not None:
        cell.listed = count_listed(stdout, command.tool)
    if command.cache == "ci":
        remove(cwd)
    return cell


def fresh_clone(library: Path, clone: Path) -> None:
    """What a CI job starts from: a new clone (new inodes and times), ``.qa/`` restored.

    The clone is made untimed; its ``.qa/`` is a copy of the library's, as a CI
    system's cache step restores it (keyed on the commit, see docs/performance.md).
    """
    remove(clone)
    subprocess.run(
        ["git", "clone", "-q", "--no-hardlinks", str(library), str(clone)],
        check=True,
        capture_output=True,
    )
    if (library / ".qa").is_dir():
        shutil.copytree(library / ".qa", clone / ".qa")


_COMMANDS_SEEN: dict[tuple[str, str], bool] = {}


def has_command(qa_path: str | None, name: str) -> bool:
    """True when ``qa NAME --help`` works: rows for commands this qa may not have yet."""
    key = (qa_path or "qa", name)
    if key not in _COMMANDS_SEEN:
        out = subprocess.run([key[0], *name.split(), "--help"], capture_output=True, timeout=60)
        _COMMANDS_SEEN[key] = out.returncode == 0
    return _COMMANDS_SEEN[key]


# ---------------------------------------------------------------------------
# Start-up: the fixed cost of each command, on the shipped library

REPO = BENCH.parent
SHIPPED_ANSWER = "answers/oncology/what-new-treatments-for-autoimmune-diseases-are-emerging.md"
STARTUP: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("`qa --version`", ("--version",)),
    ("`qa validate`", ("validate",)),
    ("`qa stale`", ("stale", "--as-of", AS_OF)),
    ("`qa list`", ("list",)),
    ("`qa readability`", ("readability",)),
    ("`qa refs check`", ("refs", "check")),
    ("`qa report --format json`", ("report", "--format", "json")),
    ("`qa export`", ("export", "--format", "jsonl", "--out", "bundle.tar.gz", "--force")),
    ("`qa verify`", ("verify", "bundle.tar.gz")),
    ("`qa publish --dry-run`", ("publish", SHIPPED_ANSWER, "--dry-run")),
)
STARTUP_TARGETS = ("`qa validate`", "`qa stale`", "`qa list`")
STARTUP_LIMIT = 0.20
"""Seconds: what a pre-commit hook or a script calling ``qa`` once per file pays each time."""
STARTUP_REPEAT = 7


def shipped_library(out: Path) -> Path:
    """A copy of the answers this repository ships (and its qa.toml), as its own git repo."""
    folder = out / "shipped"
    remove(folder)
    shutil.copytree(REPO / "answers", folder / "answers")
    if (REPO / "qa.toml").is_file():
        shutil.copy2(REPO / "qa.toml", folder / "qa.toml")
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.org",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.org",
        "GIT_AUTHOR_DATE": "2026-01-05T12:00:00",
        "GIT_COMMITTER_DATE": "2026-01-05T12:00:00",
    }
    for git_args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "answers"]):
        subprocess.run(["git", *git_args], cwd=folder, env=env, check=True, capture_output=True)
    return folder


def measure_startup(qa_path: str | None, out: Path) -> list[Cell]:
    """Each command on the shipped library (2 answers): default text output, warm cache.

    Warm, as a hook or a script running ``qa`` again and again meets it: one
    untimed run first. Exit 1 (findings, answers due) is an answer, not a failure.
    """
    cells = []
    library = shipped_library(out)
    scratch = out / "scratch-startup"
    remove(scratch)
    scratch.mkdir()
    for label, words in STARTUP:
        cell = Cell(label, 0)
        cells.append(cell)
        if not qa_path:
            cell.note = "n/a (qa not found)"
            continue
        name = " ".join(words[:2]) if words[0] == "refs" else words[0]
        if words[0] != "--version" and not has_command(qa_path, name):
            cell.note = f"not in this qa (no `{name}` command)"
            continue
        argv = [qa_path, *words]
        run_once(argv, library, None, scratch)
        for _ in range(STARTUP_REPEAT):
            sample = run_once(argv, library, scratch / "out.txt", scratch)
            cell.exit = sample.exit
            if sample.exit not in (0, 1):
                cell.note, cell.message = f"n/a (exit {sample.exit})", sample.stderr_head
                break
            cell.seconds.append(sample.seconds)
            cell.peak_kb.append(sample.memory_kb)
            cell.largest_process_kb.append(sample.peak_kb)
            cell.tree_kb.append(sample.tree_kb)
            cell.processes = max(cell.processes, sample.processes)
            cell.bounded = cell.bounded or sample.bounded
        log(f"  start-up {label}: {cell.text()}")
    remove(scratch)
    return cells


def startup_table(cells: list[Cell]) -> str:
    """Markdown: one row per command."""
    rows = [
        f"| command, on the shipped library ({STARTUP_REPEAT} runs) | time / peak memory |",
        "|---|---:|",
    ]
    rows += [f"| {c.command} | {c.text()} |" for c in cells]
    return "\n".join(rows)


# ---------------------------------------------------------------------------
# Report


def fmt_n(size: int) -> str:
    """1000 -> '1,000'."""
    return f"{size:,}"


def table(sizes: Sequence[int], cells: dict[tuple[str, int], Cell], legacy_count: int) -> str:
    """The Markdown table: rows are commands, columns are sizes."""
    head = "| command | cache | " + " | ".join(f"N = {fmt_n(n)}" for n in sizes) + " |"
    rule = "|---|---|" + "---:|" * len(sizes)
    rows = [head, rule]
    for command in COMMANDS:
        label = command.label
        if command.key == "convert":
            label += f" on {fmt_n(legacy_count)} legacy texts at every N"
        values = " | ".join(cells[(command.key, n)].text() for n in sizes)
        rows.append(f"| {label} | {command.cache or '-'} | {values} |")
    return "\n".join(rows)


@dataclass
class Verdict:
    """One line of the Targets section."""

    target: str
    text: str


def over(value: float, limit: float) -> str:
    """'met' or 'missed by X%' for value <= limit."""
    if value <= limit:
        return "**met**"
    return f"**missed by {100 * (value / limit - 1):.0f}%**"


class Targets:
    """Computes each target of the issue from the measured cells."""

    def __init__(
        self,
        cells: dict[tuple[str, int], Cell],
        sizes: Sequence[int],
        startup_cells: Sequence[Cell] = (),
    ) -> None:
        self.cells = cells
        self.sizes = sizes
        self.startup_cells = startup_cells

    def get(self, key: str, size: int) -> tuple[Cell | None, str]:
        """The cell, or why there is none."""
        if size not in self.sizes:
            return None, f"not measured: N = {fmt_n(size)} not in --sizes"
        cell = self.cells[(key, size)]
        if not cell.ok:
            return None, f"not measured: `{key}` at N = {fmt_n(size)} is {cell.text()}"
        return cell, ""

    def context(self, size: int) -> str:
        """Where the time of a qa command goes, as far as the other rows tell."""
        parts = []
        version, _ = self.get("version", size)
        if version:
            parts.append(f"start-up alone (`qa --version`) takes {version.time:.3f} s")
        cat, _ = self.get("cat", size)
        if cat:
            parts.append(f"reading every file (`cat`) takes {cat.time:.3f} s")
        return f" ({'; '.join(parts)})" if parts else ""

    def ratio(
        self,
        name: str,
        key: str,
        ref: str,
        size: int,
        limit: float,
        memory: bool = False,
        keys: Sequence[str] = (),
    ) -> Verdict:
        """A target of the form figure(key) <= limit x figure(ref)."""
        ref_cell, why = self.get(ref, size)
        if not ref_cell:
            return Verdict(name, why)
        mine = []
        for k in keys or (key,):
            cell, why = self.get(k, size)
            if not cell:
                return Verdict(name, why)
            mine.append(cell)
        if memory:
            value, reference, unit = max(c.peak_mb for c in mine), ref_cell.peak_mb, "MB"
        else:
            value, reference, unit = max(c.time for c in mine), ref_cell.time, "s"
        ratio = value / reference
        text = (
            f"{over(ratio, limit)}: {ratio:.2f}x ({value:.3f} {unit} vs {reference:.3f} {unit},"
            f" limit {limit:g}x)"
        )
        if ratio > limit and not memory:
            text += self.context(size)
        return Verdict(name, text)

    def absolute(
        self, name: str, key: str, size: int | None, limit: float, memory: bool = False
    ) -> Verdict:
        """A target of the form figure(key) < limit, at one size or the worst of all sizes."""
        sizes = [size] if size is not None else list(self.sizes)
        found = []
        for n in sizes:
            cell, why = self.get(key, n)
            if cell:
                found.append(cell)
            elif size is not None:
                return Verdict(name, why)
        if not found:
            return Verdict(name, f"not measured: `{key}` has no figures")
        worst = max(found, key=lambda c: c.peak_mb if memory else c.time)
        value = worst.peak_mb if memory else worst.time
        unit = "MB" if memory else "s"
        text = f"{over(value, limit)}: {value:.3f} {unit} (limit {limit:g} {unit}"
        text += f", N = {fmt_n(worst.size)})" if size is None else ")"
        if value > limit and not memory and key != "version":
            text += self.context(worst.size)
        return Verdict(name, text)

    def growth(self, command: Command) -> list[tuple[str, float, bool]]:
        """Per step between measured sizes: description, excess over linear, and whether met.

        "Linear" allows LINEAR_SLACK: time and memory may grow by at most
        1.25x the growth of N (fixed costs make honest figures grow less).
        """
        steps = []
        for small, large in zip(self.sizes, self.sizes[1:], strict=False):
            a, b = self.cells[(command.key, small)], self.cells[(command.key, large)]
            if not (a.ok and b.ok):
                continue
            limit = LINEAR_SLACK * large / small
            t, m = b.time / a.time, b.peak_mb / a.peak_mb
            worst = max(t, m)
            text = f"{fmt_n(small)}->{fmt_n(large)}: time x{t:.1f}, memory x{m:.1f}"
            steps.append((text, worst / limit - 1, worst <= limit))
        return steps

    def linear(self) -> list[Verdict]:
        """Growth of each qa command that reads the library; the reference tools for comparison."""
        if len(self.sizes) < 2:
            return [Verdict("growth is linear in N", "not measured: needs two sizes or more")]
        verdicts = []
        for command in COMMANDS:
            if command.tool != "qa" or command.key in ("version", "convert"):
                continue  # --version and convert (fixed input) do not depend on N
            steps = self.growth(command)
            if not steps:
                text = "not measured: needs figures at two sizes"
            else:
                text = "; ".join(
                    f"{t} ({'met' if ok else f'missed by {100 * excess:.0f}%'})"
                    for t, excess, ok in steps
                )
                text = ("**met**: " if all(ok for _, _, ok in steps) else "**missed**: ") + text
            name = f"{command.label} ({command.cache})" if command.cache else command.label
            verdicts.append(Verdict(f"linear in N: {name}", text))
        reference = [
            f"{command.label}: " + "; ".join(t for t, _, _ in self.growth(command))
            for command in COMMANDS
            if command.tool != "qa" and self.growth(command)
        ]
        if reference:
            verdicts.append(
                Verdict(
                    "for comparison (no target; linear = at most "
                    f"{LINEAR_SLACK:g}x the growth of N)",
                    " | ".join(reference),
                )
            )
        return verdicts

    def startup(self) -> list[Verdict]:
        """Each command's fixed cost on the shipped library."""
        verdicts = []
        for cell in self.startup_cells:
            if cell.command not in STARTUP_TARGETS:
                continue
            name = f"{cell.command} on the shipped library: at most {STARTUP_LIMIT:g} s"
            if not cell.ok:
                verdicts.append(Verdict(name, f"not measured: {cell.text()}"))
                continue
            text = f"{over(cell.time, STARTUP_LIMIT)}: {cell.time:.3f} s"
            verdicts.append(Verdict(name, text))
        return verdicts

    def memory(self, size: int, limit: float) -> Verdict:
        """Peak memory of every qa command at one size."""
        name = f"peak memory, every `qa` command, N = {fmt_n(size)}: at most {limit:g} MB"
        if size not in self.sizes:
            return Verdict(name, f"not measured: N = {fmt_n(size)} not in --sizes")
        found = [
            self.cells[(c.key, size)]
            for c in COMMANDS
            if c.tool == "qa" and self.cells[(c.key, size)].ok
        ]
        if not found:
            return Verdict(name, "not measured: no qa command has figures")
        worst = max(found, key=lambda c: c.peak_mb)
        missing = [c.key for c in COMMANDS if c.tool == "qa" and not self.cells[(c.key, size)].ok]
        text = f"{over(worst.peak_mb, limit)}: the largest, `{worst.command}`, takes "
        text += f"{worst.peak_mb:.0f} MB"
        if missing:
            text += f" (no figures: {', '.join(missing)})"
        return Verdict(name, text)

    def all(self) -> list[Verdict]:
        """Every target, in the order of the table in docs/performance.md."""
        return [
            *self.startup(),
            self.ratio(
                "`qa stale` warm, N = 10,000: at most 0.10x `hugo list expired`",
                "stale-warm",
                "hugo",
                10_000,
                0.10,
            ),
            self.ratio(
                "`qa stale` cold, N = 10,000: at most 0.80x `hugo list expired`",
                "stale-cold",
                "hugo",
                10_000,
                0.80,
            ),
            self.absolute(
                "`qa stale` warm, N = 100,000: at most 1.5 s", "stale-warm", 100_000, 1.5
            ),
            self.ratio(
                "`qa stale` in a fresh clone with `.qa/` restored (CI shape), N = 10,000: "
                "at most 1.5x warm",
                "stale-ci",
                "stale-warm",
                10_000,
                1.5,
            ),
            self.absolute("`qa validate` cold, N = 10,000: at most 2.0 s", "validate", 10_000, 2.0),
            self.ratio(
                "`qa export --format jsonl` to .tar.gz cold, N = 10,000: at most 4x `tar czf`",
                "export",
                "tar",
                10_000,
                4.0,
            ),
            self.memory(100_000, 500),
            self.absolute("`qa --version` under 100 ms (worst N)", "version", None, 0.1),
            *self.linear(),
        ]


def tool_version(argv: list[str]) -> str:
    """First line of a ``--version``-like output, for the record."""
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"
    lines = (out.stdout or out.stderr).strip().splitlines()
    return lines[0] if lines and out.returncode == 0 else f"unavailable (exit {out.returncode})"


def compile_bytecode(qa_path: str | None) -> str:
    """Compile the measured qa's modules to bytecode, as an installed package has them.

    pip writes bytecode when it installs a package, but an editable install's is written
    on first import, and never when ``PYTHONDONTWRITEBYTECODE`` is set: then every start
    would compile every module it imports again (about 30 ms), which no installed qa does.
    Python still checks each file against its bytecode, so an edited module is read fresh.
    """
    if not qa_path:
        return "no qa"
    try:
        first = Path(qa_path).read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
    except OSError:
        return "not compiled (qa unreadable)"
    python = first[2:].strip().split(" ")[0] if first.startswith("#!") else sys.executable
    code = (
        "import compileall, os, qa_tool; "
        "print(int(compileall.compile_dir(os.path.dirname(qa_tool.__file__), quiet=1)))"
    )
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return "not compiled (its Python could not be run)"
    return "compiled" if out.returncode == 0 and out.stdout.strip() == "1" else "not compiled"


def find_qa(given: str | None) -> str | None:
    """``--qa``, else the ``qa`` next to this Python (the project's venv), else PATH."""
    if given:
        return given
    sibling = Path(sys.executable).parent / "qa"
    return str(sibling) if sibling.exists() else shutil.which("qa")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="comma-separated library sizes (default: %(default)s)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per cell (median shown)")
    parser.add_argument(
        "--repeat-largest",
        type=int,
        help="runs per cold cell at the largest size (default: --repeat); 1 keeps N = 100,000 "
        "short. Warm and CI-shape cells take --repeat runs at every size: they take seconds, "
        "and their targets are the ones a single run on a busy machine decides by chance",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=TIME_BUDGET,
        help="skip a cell whose runs, scaled from a smaller N, would take longer than this "
        "many seconds (default: %(default)g)",
    )
    parser.add_argument("--qa", help="the qa executable (default: the one next to this Python)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--legacy", type=int, default=1000, help="legacy texts for qa convert")
    parser.add_argument(
        "--out",
        type=Path,
        default=BENCH / "out",
        help="where libraries and scratch files go (default: bench/out)",
    )
    parser.add_argument("--json", type=Path, help="also save the raw figures here")
    args = parser.parse_args(argv)
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    args.out = args.out.resolve()  # commands run with the library as cwd
    args.out.mkdir(parents=True, exist_ok=True)

    qa_path = find_qa(args.qa)
    hugo_path = shutil.which("hugo")
    started_at = datetime.now().astimezone()
    load_before = os.getloadavg()
    meta = {
        "started": started_at.isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} CPUs",
        "python": platform.python_version(),
        "qa": qa_path,
        "qa_version": tool_version([qa_path, "--version"]) if qa_path else "not found",
        "hugo_version": tool_version([hugo_path, "version"]) if hugo_path else "not installed",
        "repeat": args.repeat,
        "repeat_largest": args.repeat_largest or args.repeat,
        "seed": args.seed,
        "as_of": AS_OF,
        "peak_memory_from": f"GNU time %M ({GNU_TIME})" if GNU_TIME else "os.wait4 ru_maxrss",
    }
    meta["bytecode"] = compile_bytecode(qa_path)
    log(
        f"qa: {meta['qa']} ({meta['qa_version']}, bytecode {meta['bytecode']}); hugo: "
        f"{meta['hugo_version']}"
    )

    legacy_dir = args.out / f"legacy-{args.legacy}-s{args.seed}"
    legacy_info = ensure_generated(
        legacy_dir,
        ["--legacy", str(args.legacy), "--legacy-out", str(legacy_dir), "--seed", str(args.seed)],
        {"legacy": args.legacy, "seed": args.seed},
    )
    log("start-up, on the shipped library")
    startup_cells = measure_startup(qa_path, args.out)
    generation: dict[int, dict] = {}
    cells: dict[tuple[str, int], Cell] = {}
    done: list[Cell] = []
    for size in sizes:
        library = args.out / f"lib-{size}-s{args.seed}"
        generation[size] = ensure_generated(
            library,
            ["--n", str(size), "--out", str(library), "--seed", str(args.seed), "--as-of", AS_OF],
            {"n": size, "seed": args.seed, "as_of": AS_OF},
        )
        scratch = args.out / "scratch"
        remove(scratch)
        scratch.mkdir()
        setting = Setting(size, library, legacy_dir, scratch, qa_path, hugo_path, args.legacy)
        log(
            f"[{size:,}] warming the OS page cache: one untimed read of every answer, "
            "one untimed start of qa and hugo"
        )
        run_once(COMMAND["cat"].argv(setting), library, None, scratch)
        for warm_up in ([qa_path, "--version"] if qa_path else [], [hugo_path, "version"]):
            if warm_up and warm_up[0]:
                run_once(warm_up, library, None, scratch)
        for command in COMMANDS:
            log(f"[{size:,}] {command.key}")
            repeat = runs_per_cell(command, size == sizes[-1], args.repeat, args.repeat_largest)
            cell = measure(command, setting, repeat, done, args.budget)
            cells[(command.key, size)] = cell
            done.append(cell)
        remove(scratch)

    load_after = os.getloadavg()
    print(f"## Benchmark ({meta['started']}, {meta['machine']})\n")
    print(
        "Each cell: median wall time / median peak memory over "
        f"{args.repeat} runs"
        + (
            f" ({args.repeat_largest} at N = {fmt_n(sizes[-1])}, but for the warm and CI-shape "
            "rows)"
            if args.repeat_largest and args.repeat_largest != args.repeat
            else ""
        )
        + "; cwd = the library root. Peak memory is the largest process's "
        'peak RSS, or, marked "(n processes)", the sampled peak of the summed PSS of the '
        "processes running at once, when that is larger.\n"
    )
    print(table(sizes, cells, args.legacy))
    print(
        "\nStart-up: each command with its default (text) output on the answers this "
        "repository ships, as a hook or script calling `qa` once per file meets it "
        f"(warm cache, median of {STARTUP_REPEAT} runs):\n"
    )
    print(startup_table(startup_cells))
    print(
        "\nGeneration (bench/generate.py, seed "
        f"{args.seed}): "
        + "; ".join(
            f"N = {fmt_n(n)}: {g['stats']['library']['bytes'] / 1e6:.0f} MB, "
            f"{g['stats']['library']['commits']} commits, generated in {g['seconds']:.1f} s"
            for n, g in generation.items()
        )
        + f"; {fmt_n(args.legacy)} legacy texts in {legacy_info['seconds']:.1f} s."
    )
    print("\n## Targets\n")
    for verdict in Targets(cells, sizes, startup_cells).all():
        print(f"- {verdict.target}: {verdict.text}")
    print("\n## Notes\n")
    notes = [
        f"qa: `{meta['qa']}` ({meta['qa_version']}); Hugo: {meta['hugo_version']}; "
        f"Python {meta['python']}. qa's modules {meta['bytecode']} to bytecode before the "
        "first run, as an installed package has them (an editable install under "
        "PYTHONDONTWRITEBYTECODE would compile them again at every start).",
        f"Peak memory of the largest process from {meta['peak_memory_from']}; of several "
        "processes at once, the summed PSS sampled every 50 ms"
        + (
            ""
            if GNU_TIME
            else "; '<=' marks figures that do not exceed the runner's own peak, "
            "which Linux passes on to a child at exec, so they are upper bounds only"
        )
        + ". MB = MiB.",
        f"Load average {load_before[0]:.2f} before, {load_after[0]:.2f} after: the machine is "
        "shared, so compare figures within one run, not across runs.",
        '"cold": `<library>/.qa/` deleted before each run; "warm": kept from an untimed first '
        "run. The OS page cache is warm for every command (one untimed read of the answers and "
        "one untimed start of qa and hugo per size), Hugo's included; Hugo keeps no cache for "
        "listing.",
        f"`hugo list expired` gets `--clock {AS_OF}T00:00:00Z` so it judges expiry on the same "
        "day as `qa stale --as-of`.",
    ]
    if any(c.ok and c.exit == 1 for c in cells.values() if c.command == "validate"):
        notes.append(
            "`qa validate` exited 1 (findings, with a JSON report): its figures are shown, but "
            "the generated answers are meant to be valid, so the findings point at the generator "
            "or the validator."
        )
    for size in sizes:
        expected = generation[size]["stats"]["library"]["due_by"].get(AS_OF)
        listed = {k: cells[(k, size)].listed for k in ("hugo", "stale-cold")}
        parts = [f"{expected} answers have expiryDate on or before {AS_OF}"]
        if listed["hugo"] is not None:
            parts.append(f"Hugo listed {listed['hugo']}")
        if listed["stale-cold"] is not None:
            parts.append(
                f"qa stale listed {listed['stale-cold']} (by default it leaves out drafts and "
                "retired answers, which Hugo lists, and adds answers never reviewed or "
                "edited after their review)"
            )
        notes.append(f"N = {fmt_n(size)}: " + ", ".join(parts) + ".")
    failures = sorted(
        {(c.command, c.note, c.message) for c in cells.values() if c.note.startswith("n/a")}
    )
    for key, note, message in failures:
        notes.append(f"`{key}` {note}: {message or 'no message'}")
    for note in notes:
        print(f"- {note}")

    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "meta": {**meta, "load_before": load_before, "load_after": load_after},
                    "generation": {str(n): g for n, g in generation.items()},
                    "legacy": legacy_info,
                    "cells": [asdict(c) for c in cells.values()],
                    "startup": [asdict(c) for c in startup_cells],
                },
                indent=2,
            )
            + "\n"
        )
        log(f"raw figures saved to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
