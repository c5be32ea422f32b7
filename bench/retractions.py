"""Generate a Retraction Watch CSV of the real size and shape, for the benchmark.

Why: ``qa refs check --retractions`` is meant to stay fast against the real
file (about 60 MB, 65,000+ rows), which cannot be downloaded at benchmark time.
This writes one of that size: the real header, long multi-valued cells split by
``;`` (subjects, institutions, authors, reasons with ``+``), the ``0`` and
``unavailable`` sentinels, dates like ``4/15/2021 0:00``, a few fields in
Windows-1252 (as the real file has bytes that are not UTF-8), and, when a
library is given, some of its DOIs and PMIDs, so that answers are found citing
retracted papers. The same seed gives the same bytes.

Usage::

    python bench/retractions.py --out bench/out/rw.csv --library bench/out/lib-10000-s1
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path

HEADER = [
    "Record ID",
    "Title",
    "Subject",
    "Institution",
    "Journal",
    "Publisher",
    "Country",
    "Author",
    "URLS",
    "ArticleType",
    "RetractionDate",
    "RetractionDOI",
    "RetractionPubMedID",
    "OriginalPaperDate",
    "OriginalPaperDOI",
    "OriginalPaperPubMedID",
    "RetractionNature",
    "Reason",
    "Paywalled",
    "Notes",
]
NATURES = ["Retraction"] * 8 + ["Expression of concern", "Correction", "Reinstatement"]
REASONS = [
    "Concerns/Issues About Data",
    "Duplication of Image",
    "Investigation by Journal/Publisher",
    "Plagiarism of Text",
    "Fake Peer Review",
    "Error in Analyses",
    "Paper Mill",
    "Notice - Limited or No Information",
]
SUBJECTS = [
    "(BLS) Biology - Cellular",
    "(HSC) Medicine - Oncology",
    "(HSC) Medicine - Immunology",
    "(HSC) Medicine - Cardiology",
    "(BLS) Biochemistry",
]
COUNTRIES = ["China", "United States", "India", "Germany", "Japan", "Iran", "Italy", "Brazil"]
WORDS = [
    "cell",
    "tumor",
    "immune",
    "response",
    "patients",
    "cohort",
    "trial",
    "inhibition",
    "pathway",
    "expression",
    "therapy",
    "outcomes",
    "randomized",
    "analysis",
    "receptor",
    "signaling",
    "mitochondrial",
    "regulatory",
]

NAMES = [
    "Wei",
    "Zhang",
    "Maria",
    "Garcia",
    "Anil",
    "Kumar",
    "Yuki",
    "Tanaka",
    "Jan",
    "Nowak",
    "Fatemeh",
    "Hosseini",
    "Luca",
    "Rossi",
]


def library_identifiers(library: Path, every: int = 40) -> list[tuple[str, str]]:
    """Every ``every``-th (DOI, PMID) pair cited in the library's answers."""
    pairs = []
    pattern = re.compile(r'DOI: (\S+)\n\s+PMID: "(\d+)"')
    for n, path in enumerate(sorted((library / "answers").rglob("*.md"))):
        if n % every == 0:
            found = pattern.search(path.read_text(encoding="utf-8"))
            if found:
                pairs.append((found.group(1), found.group(2)))
    return pairs


_ODD = "@@not-utf-8@@"


def _us_date(rng: random.Random, first: int, last: int) -> str:
    return f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.randint(first, last)} 0:00"


def write_csv(out: Path, rows: int, seed: int, cited: Sequence[tuple[str, str]]) -> int:
    """Write ``rows`` records (the first ones about ``cited`` papers); returns the bytes."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n in range(rows):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize()
        if n % 500 == 0:
            title = f"{_ODD} {title}"  # written in Windows-1252 below
        if n < len(cited):
            doi, pmid = cited[n]
        else:
            doi = rng.choice(["unavailable", f"10.{rng.randint(1000, 9999)}/rw.{n}.{seed}"])
            pmid = rng.choice(["0", str(rng.randint(10_000_000, 39_999_999))])
        institutions = ";".join(
            f"Department of {rng.choice(WORDS).capitalize()} Research, University of "
            f"{rng.choice(WORDS).capitalize()} Medical Sciences, {rng.choice(COUNTRIES)}"
            for _ in range(rng.randint(2, 6))
        )
        authors = ";".join(
            f"{rng.choice(NAMES)} {rng.choice(NAMES)}" for _ in range(rng.randint(3, 14))
        )
        notes = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 30)))
        writer.writerow(
            [
                str(10_000 + n),
                title,
                ";".join(rng.sample(SUBJECTS, rng.randint(1, 3))) + ";",
                institutions + ";",
                f"Journal of {rng.choice(WORDS).capitalize()} Medicine",
                "Example Publishing",
                ";".join(rng.sample(COUNTRIES, rng.randint(1, 3))),
                authors,
                f"https://retractionwatch.com/{rng.randint(2010, 2025)}/example-{n}/;",
                "Research Article;",
                _us_date(rng, 2010, 2025),
                rng.choice(["unavailable", f"10.{rng.randint(1000, 9999)}/retraction.{n}"]),
                rng.choice(["0", str(rng.randint(10_000_000, 39_999_999))]),
                _us_date(rng, 2000, 2020),
                doi,
                pmid,
                rng.choice(NATURES),
                ";".join(f"+{r}" for r in rng.sample(REASONS, rng.randint(1, 4))) + ";",
                rng.choice(["Yes", "No", "Unknown"]),
                notes,
            ]
        )
    data = buffer.getvalue().encode("utf-8")
    # a few fields in Windows-1252, as the real file has: "Université" with a one-byte é
    data = data.replace(_ODD.encode(), "Université".encode("cp1252"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return len(data)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    parser.add_argument("--rows", type=int, default=65_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--library", type=Path, help="a generated library whose DOIs to include")
    args = parser.parse_args(argv)
    cited = library_identifiers(args.library) if args.library else []
    size = write_csv(args.out, args.rows, args.seed, cited)
    print(f"{args.out}: {args.rows:,} rows, {size / 1e6:.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
