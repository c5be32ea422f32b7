"""Test helpers: real folders, real git repositories, the real CLI.

Imported by the test files (``from helpers import ...``); the fixtures built on them
are in ``conftest.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
LEGACY_SAMPLES = REPO / "tests" / "fixtures" / "legacy"


def build_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Create ``files`` ({relative path: text or bytes}) under ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def git(root: Path, *args: str, date: str | None = None) -> str:
    """Run git in ``root``; ``date`` ('2026-03-01T12:00:00') sets author and committer dates."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test Writer",
        "GIT_AUTHOR_EMAIL": "writer@example.org",
        "GIT_COMMITTER_NAME": "Test Writer",
        "GIT_COMMITTER_EMAIL": "writer@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    if date:
        env["GIT_AUTHOR_DATE"] = date
        env["GIT_COMMITTER_DATE"] = date
    out = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return out.stdout


def git_init(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")


def commit_all(root: Path, message: str, date: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, date=date)


def answer_text(
    id: str = "sample-answer",
    *,
    title: str = "Is this a sample question?",
    topic: str = "Oncology",
    status: str = "published",
    confidence: str | None = "moderate",
    created: str = "2026-01-05",
    last_reviewed: str | None = "2026-02-10",
    extra: str = "",
    refs: tuple[str, ...] = ("1",),
    body: str | None = None,
) -> str:
    """A valid answer file's text; keyword arguments change one thing at a time."""
    lines = ["---", f"id: {id}", f"title: {title}", f"topic: {topic}", f"status: {status}"]
    if confidence:
        lines.append(f"confidence: {confidence}")
    lines.append(f"created: {created}")
    if last_reviewed:
        lines.append(f"last_reviewed: {last_reviewed}")
        lines += ["reviewed_by:", "  - name: Jane Doe", "    credentials: MD, medical oncologist"]
    lines += ["authors:", "  - name: Sam Writer"]
    if refs:
        lines.append("references:")
        for n in refs:
            lines += [
                f'  - id: "{n}"',
                "    type: article-journal",
                f"    title: Study number {n}",
                "    container-title: Journal of Examples",
                "    issued: 2013",
                f"    DOI: 10.1000/example.{n}",
                f'    PMID: "2373664{n}"',
            ]
    if extra:
        lines.append(extra.rstrip("\n"))
    lines.append("---")
    if body is None:
        cites = "; ".join(f"@{n}" for n in refs)
        body = (
            "A plain-language summary.\n\n## What the research says\n\n"
            f"A claim with its citation [{cites}].\n\n## What to ask your doctor\n\n"
            "- Is this right for me?\n"
        )
    return "\n".join(lines) + "\n" + body


class QA:
    """Runs the real CLI in-process with a fixed console width; returns the result."""

    def __init__(self, root: Path):
        self.root = root
        self.runner = CliRunner()

    def __call__(
        self,
        *args: str,
        input: str | None = None,
        root: bool = True,
        env: Mapping[str, str] | None = None,
    ):
        from qa_tool.cli.app import app

        argv = list(args)
        if root and "--root" not in argv:
            argv += ["--root", str(self.root)]
        return self.runner.invoke(
            app,
            argv,
            input=input,
            env={"COLUMNS": "200", "NO_COLOR": "1", **(env or {})},
            catch_exceptions=False,
        )

    def json(self, *args: str, **kwargs):
        result = self(*args, **kwargs)
        return result, json.loads(result.stdout)


def run_qa(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess:
    """Run ``python -m qa_tool`` as a separate process (for exit codes, stderr, locks)."""
    return subprocess.run(
        [sys.executable, "-m", "qa_tool", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        input=input,
        timeout=120,
    )
