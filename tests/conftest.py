"""Fixtures shared by the test files; the helpers they use are in ``helpers.py``."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import QA


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """An empty library folder (with an answers/ folder) to fill with build_tree."""
    (tmp_path / "lib" / "answers").mkdir(parents=True)
    return tmp_path / "lib"


@pytest.fixture
def qa(library: Path) -> QA:
    return QA(library)
