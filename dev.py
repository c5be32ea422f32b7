#!/usr/bin/env python3
"""Set up and run the project with nothing but Python 3.11+ and git.

    python3 dev.py demo    # create .venv if needed, then validate the shipped answers
                           # and list what is due for review
    python3 dev.py test    # create .venv if needed, then run ruff (lint, format), mypy and
                           # the tests (over all CPUs with pytest-xdist; -m 'not slow' is quick)

The virtual environment is rebuilt when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".qa-installed"


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may run on an older python3
        sys.exit(f"dev.py: Python 3.11 or newer is needed (this is {sys.version.split()[0]})")
    wanted = hashlib.sha256((HERE / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not (BIN / "python").exists():
        print("dev.py: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print("dev.py: installing qa-tool and its test tools into .venv", file=sys.stderr)
    subprocess.run(
        [
            str(BIN / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            # A path entry, not setuptools' import hook: the hook costs every qa start
            # about 15 ms before any work (see docs/performance.md).
            "--config-settings",
            "editable_mode=compat",
            "-e",
            f"{HERE}[test]",
        ],
        check=True,
    )
    STAMP.write_text(wanted + "\n")


def run(*args: str) -> int:
    print("$ " + " ".join(args), file=sys.stderr, flush=True)
    return subprocess.run(list(args), cwd=HERE, check=False).returncode


def demo(extra: list[str]) -> int:
    status = run(str(BIN / "qa"), "validate", *extra)
    if status:
        return status
    # qa stale exits 1 when answers are due, as the shipped ones are: that is its answer,
    # not a failure of the demo.
    status = run(str(BIN / "qa"), "stale", *extra)
    if status not in (0, 1):
        return status
    print(
        "\nNext: record a review (.venv/bin/qa review ID --by 'NAME, CREDENTIALS'), see the "
        "inventory (.venv/bin/qa list), or follow a page from draft to published in "
        "docs/workflow.md."
    )
    return 0


def test(extra: list[str]) -> int:
    checks = (
        (str(BIN / "ruff"), "check", "."),
        (str(BIN / "ruff"), "format", "--check", "."),
        (str(BIN / "python"), "-m", "mypy"),  # files and settings: [tool.mypy] in pyproject.toml
    )
    for check in checks:
        status = run(*check)
        if status:
            return status
    parallel = [] if _chooses_workers(extra) else ["-n", "auto"]
    return run(str(BIN / "python"), "-m", "pytest", *parallel, *extra)


def _chooses_workers(extra: list[str]) -> bool:
    """Whether the pytest arguments already say how to run (-n N, -p no:xdist, --pdb...)."""
    own = ("-n", "--numprocesses", "--pdb", "--trace", "no:xdist")
    return any(arg in own or arg.startswith(("-n", "--numprocesses=")) for arg in extra)


def main() -> int:
    commands = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    ensure_venv()
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
