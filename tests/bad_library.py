"""A library made of the shipped answers plus the whole bad-input corpus.

Used by tests/test_bad_inputs.py and by bench/bad_corpus.py (which measures the
memory of a run over it), so both look at the same files. The committed corpus
is tests/fixtures/bad/; what cannot be committed as is is made here: a 50 MB
file, a folder named like an answer, a symlink out of the library, a named
pipe and a file whose name is not UTF-8. An unreadable file is simulated by the
tests (they run as root, which reads any file whatever its mode): see :func:`deny_reading`.

Example::

    root = build_bad_library(tmp_path / "lib")
    # qa validate --root root  ->  one finding per bad file, EXPECTED[name] its rule
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "fixtures" / "bad"
ONCOLOGY = "answers/oncology"
BIG_BYTES = 50 * 1024 * 1024

NOT_UTF8_NAME = "caf\\xe9.md"
"""A file named with the byte 0xE9 (Latin-1 'é'), not UTF-8: shown with escapes, as here."""

# file name -> the rule of its `qa validate` finding (None: a tricky but valid file)
EXPECTED: dict[str, str | None] = {
    "empty.md": "empty",
    "binary.md": "binary",
    "latin1.md": "not-utf8",
    "bom.md": None,
    "crlf.md": None,
    "unclosed.md": "unclosed-front-matter",
    "broken-yaml.md": "yaml-syntax",
    "yaml-list.md": "not-a-mapping",
    "yaml-scalar.md": "not-a-mapping",
    "duplicate-keys.md": "duplicate-key",
    "tabs.md": "yaml-syntax",
    "alias-bomb.md": "yaml-too-complex",
    "alias-bomb-nel.md": "yaml-too-complex",  # U+0085 before each '&'
    "alias-bomb-line-separator.md": "yaml-too-complex",  # U+2028 before each '&'
    "deep-nesting.md": "yaml-too-complex",
    "dates-as-strings.md": "schema-pattern",
    "dates-as-numbers.md": "schema-type",
    "pmid-integer.md": "schema-type",
    "binary-tag.md": "schema-type",  # !!binary: shown as text in JSON, but not text
    "set-tag.md": "schema-type",  # !!set: shown as a list in JSON, but not a list
    "terminal-escapes.md": "id-stem",  # escape sequences in its title, printed escaped
    "name with spaces été.md": "id-stem",
    "big.md": "too-large",
    "x.md": "not-a-file",
    "link.md": "outside-library",
    "pipe.md": "unreadable",
    NOT_UTF8_NAME: "name-not-utf8",
}

READER_RULES = frozenset(
    {
        "empty",
        "binary",
        "not-utf8",
        "unclosed-front-matter",
        "yaml-syntax",
        "not-a-mapping",
        "duplicate-key",
        "yaml-too-complex",
        "too-large",
        "outside-library",
        "unreadable",
        "name-not-utf8",
    }
)
"""Rules that mean the file cannot be read as an answer at all (every command names it)."""

UNREADABLE_AS_ANSWERS = sorted(n for n, rule in EXPECTED.items() if rule in READER_RULES)
"""The files no command can read as an answer: each is named, none is handled."""

READABLE = sorted(n for n, rule in EXPECTED.items() if rule not in READER_RULES and n != "x.md")
"""Corpus files that read as answers (valid, or with schema findings only)."""


def shipped_answers() -> list[str]:
    """File names of the answers shipped in the repository's answers/oncology/."""
    return sorted(p.name for p in (REPO / ONCOLOGY).glob("*.md"))


def build_bad_library(root: Path) -> Path:
    """The shipped answers plus the whole bad corpus, under ``root``; returns ``root``.

    The symlink points at ``root.parent / "outside-secret.md"``, which holds the
    text ``secret text`` that no command may ever print.
    """
    shutil.copytree(REPO / "answers", root / "answers")
    add_corpus(root / ONCOLOGY, root.parent / "outside-secret.md")
    return root


def add_corpus(folder: Path, outside: Path) -> None:
    """Every bad input of :data:`EXPECTED` into ``folder``; ``link.md`` points at ``outside``."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in CORPUS.glob("*.md"):
        shutil.copyfile(path, folder / path.name)
    with (folder / "big.md").open("wb") as handle:  # sparse: 50 MB that take no disk
        handle.write(b"---\nid: big\n---\n")
        handle.truncate(BIG_BYTES)
    (folder / "x.md").mkdir()
    outside.write_text("---\nid: secret\n---\nsecret text\n", encoding="utf-8")
    (folder / "link.md").symlink_to(outside)
    os.mkfifo(folder / "pipe.md")
    good = (REPO / ONCOLOGY).glob("*.md").__next__().read_bytes()
    with open(os.fsencode(folder) + b"/caf\xe9.md", "wb") as handle:
        handle.write(good.replace(b"\nid: ", b"\nid: x", 1))


@contextlib.contextmanager
def deny_reading(victim: Path) -> Iterator[None]:
    """Opening ``victim`` fails with 'Permission denied', as ``chmod 000`` does for a user.

    Every read of an answer goes through ``os.open`` (qa_tool.answerfile.read.read_bytes_checked),
    so this is the one place to simulate it.
    """
    real_open = os.open
    victim = Path(victim)

    def guarded(path, flags, *args, **kwargs):
        if Path(os.fsdecode(path)) == victim:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    os.open = guarded
    try:
        yield
    finally:
        os.open = real_open
