"""The end of every command's ``--help``: one or two examples and what each exit code means.

Kept in one place, so every command has them and they read alike; ``tests/test_help.py``
checks that each command's help shows its examples and exit codes.
"""

from __future__ import annotations

_EXAMPLES: dict[str, tuple[tuple[str, ...], str]] = {
    "new": (
        (
            "qa new 'Can I drink coffee while pregnant?' --topic womens-health",
            "qa new --interactive",
        ),
        "0 created; 1 the id or file already exists, or a write failed; 2 usage error.",
    ),
    "convert": (
        ("qa convert legacy/ --dry-run", "qa convert legacy/001_page.txt --topic oncology"),
        "0 every file converted or unchanged; 1 a file failed or was skipped; 2 usage error.",
    ),
    "validate": (
        ("qa validate", "qa validate --since origin/main --format github"),
        "0 no errors; 1 errors (warnings too with --strict); 2 usage error.",
    ),
    "stale": (
        ("qa stale --within 30d", "qa stale --group-by reviewer --format json"),
        "0 nothing due (or --exit-zero); 1 answers due; 2 usage error.",
    ),
    "list": (
        (
            "qa list --topic oncology --status published,in-review",
            "qa list --reviewer 'Jane Doe' --format csv > jane.csv",
        ),
        "0 listed (also when nothing matches); 2 usage error.",
    ),
    "review": (
        (
            "qa review can-i-drink-coffee --by 'Jane Doe, MD, obstetrician'",
            "qa review can-i-drink-coffee --by 'Jane Doe' --confidence moderate --commit",
        ),
        "0 recorded; 1 an answer refused (placeholders, validation errors) or not committed; "
        "2 usage error.",
    ),
    "publish": (
        (
            "qa publish can-i-drink-coffee --dry-run",
            "qa publish can-i-drink-coffee --by 'Ed Itor' --format json",
        ),
        "0 published (or would be, with --dry-run) or already published; 1 an answer refused "
        "(every reason is listed); 2 usage error.",
    ),
    "retire": (
        ("qa retire old-vaccine-schedule --reason 'Replaced by vaccine-schedule-2027'",),
        "0 retired or already retired; 1 an answer could not be changed; 2 usage error.",
    ),
    "export": (
        (
            "qa export --out site-bundle --format jsonl,html",
            "qa export --out release.zip --status published --exclude-due",
        ),
        "0 written; 1 some answers could not be exported, or --out exists; 2 usage error.",
    ),
    "verify": (
        ("qa verify site-bundle", "qa verify release.zip --format json"),
        "0 intact; 1 any problem; 2 usage error (no such bundle).",
    ),
    "readability": (
        ("qa readability", "qa readability can-i-drink-coffee --format json"),
        "0 every answer within its target (or accepted); 1 an answer above it, or unreadable; "
        "2 usage error.",
    ),
    "report": (
        ("qa report --out health.html", "qa report --format json"),
        "0 written; 1 the file could not be written; 2 usage error.",
    ),
    "refs import": (
        ("qa refs import refs.bib --answer can-i-drink-coffee",),
        "0 imported (or nothing to change); 1 a conflict or a failed write; 2 usage error.",
    ),
    "refs check": (
        ("qa refs check", "qa refs check --retractions retraction_watch.csv --format json"),
        "0 no errors; 1 an error (or a warning with --strict); 2 usage error, or a "
        "retractions file that cannot be read.",
    ),
}


def epilog(command: str) -> str:
    """The examples and exit codes of ``command`` (``"stale"``, ``"refs import"``), as help text.

    >>> epilog("retire").splitlines()[0]
    'Examples:'
    """
    examples, codes = _EXAMPLES[command]
    shown = "\n\n".join(f"  {line}" for line in examples)
    return f"Examples:\n\n{shown}\n\nExit codes: {codes}"
