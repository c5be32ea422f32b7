"""Generate realistic answer libraries (and legacy texts) for the benchmark.

Why: the performance targets of ``qa`` are stated against Hugo and ``cat`` on
libraries of 1,000 to 100,000 answers of about 4 KB. Such libraries do not
exist yet, and a benchmark on toy files would measure start-up, not work. This
script writes libraries that look like the real thing: answers in the content
model (docs: /work/shared/design/content-model.md) spread over topics,
statuses and review dates, with real-sized bodies and CSL references, kept in
a git repository whose history has commits at varied dates (some editing
bodies after the last review, some touching only front matter), so that the
git-aware parts of ``qa stale`` have real work to do.

Each answer also carries Hugo's ``expiryDate``, equal to its due date
(``review_due``, else ``last_reviewed`` + 6 months), and the library root has a
``hugo.toml`` with ``contentDir = "answers"``, so ``hugo list expired`` does the
same job as ``qa stale`` on the same files.

Usage::

    python bench/generate.py --n 10000 --out bench/out/lib-10000-s1 --seed 1
    python bench/generate.py --legacy 1000 --legacy-out bench/out/legacy-1000-s1

Everything is drawn from one seeded ``random.Random``, the YAML is written by
hand (PyYAML's emitter is far too slow for 100,000 files and would not keep the
field order and quoting of the content model), and the git history is written
in one pass by ``git fast-import`` with fixed identities and dates, so the same
arguments give the same bytes and the same commit hashes.
"""

from __future__ import annotations

import argparse
import calendar
import json
import random
import re
import shutil
import string
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent))

import vocabulary as voc  # noqa: E402  (a sibling module of a script, not a package)

REVIEW_INTERVAL_MONTHS = 6
"""The library's review interval: the due date is last_reviewed plus this."""

GITIGNORE = ".qa/\npublic/\nresources/\n.hugo_build.lock\n"
"""Keeps the qa cache and Hugo's by-products out of ``git status``."""

HUGO_TOML = (
    "# Lets `hugo list expired` read the answers: Hugo only needs to know where\n"
    "# the content is; `expiryDate` in each answer's front matter does the rest.\n"
    'contentDir = "answers"\n'
)


@dataclass(frozen=True)
class CommitPlan:
    """One commit of the generated history: when, what kind of change, to what share."""

    when: str  # ISO datetime with offset
    kind: str  # add | review | edit | status
    share: float  # add: share of all answers added; review/edit: chance per eligible answer
    message: str

    @property
    def moment(self) -> datetime:
        """The commit time as an aware datetime."""
        return datetime.fromisoformat(self.when)

    @property
    def day(self) -> date:
        """The commit's calendar day, the latest date a change in it can carry."""
        return self.moment.date()


HISTORY: tuple[CommitPlan, ...] = (
    CommitPlan(
        "2024-03-04T10:12:31+01:00", "add", 0.78, "Import the first answers from the legacy site"
    ),
    CommitPlan("2024-09-16T15:40:02+02:00", "add", 0.07, "Add answers to new patient questions"),
    CommitPlan(
        "2025-02-10T09:05:47+01:00",
        "review",
        0.30,
        "Review pass: update review dates and reviewers",
    ),
    CommitPlan(
        "2025-06-23T14:22:10+02:00", "edit", 0.12, "Rewrite summaries and research sections"
    ),
    CommitPlan("2025-10-06T11:48:55+02:00", "add", 0.07, "Add answers to new patient questions"),
    CommitPlan(
        "2026-02-17T16:31:08+01:00",
        "review",
        0.30,
        "Review pass: review dates, confidence and reviewers",
    ),
    CommitPlan(
        "2026-06-01T08:57:33+02:00", "edit", 0.10, "Update research sections with new studies"
    ),
    CommitPlan("2026-08-24T17:03:12+02:00", "review", 0.30, "Summer review pass"),
    CommitPlan(
        "2026-09-28T13:14:29+02:00",
        "status",
        0.08,
        "Add draft answers, retire outdated ones, set review deadlines",
    ),
    CommitPlan(
        "2026-11-09T10:26:40+01:00", "review", 0.35, "Autumn review pass: update review dates"
    ),
)
"""The generated git history, oldest first. Add shares sum to 1.0."""

FIRST_CREATED = date(2022, 1, 10)
CONFIDENCES = ("high", "moderate", "low", "very-low")
CONFIDENCE_WEIGHTS = (0.2, 0.45, 0.25, 0.1)


# ---------------------------------------------------------------------------
# Small helpers


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, clamped to the month's end (as dateutil's relativedelta)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def random_day(rng: random.Random, start: date, end: date) -> date:
    """A uniformly random day in [start, end]; ``start`` when the range is empty."""
    span = (end - start).days
    return start if span <= 0 else start + timedelta(days=rng.randint(0, span))


def slug(text: str) -> str:
    """Lowercase ASCII words joined by '-': the id form the content model requires."""
    return re.sub(r"[^a-z]+", "-", text.lower()).strip("-")


MAX_ID_LENGTH = 60
"""As qa's own id maker: at most 60 characters, cut at a word boundary (80 is the hard limit)."""


STOP_WORDS = frozenset(("a", "an", "the", "in", "for", "with", "after", "during", "of", "and"))


def id_candidates(subject: str, aspect_words: str, population: str) -> list[str]:
    """Ids for a question, best first, each at most MAX_ID_LENGTH; the caller takes a free one.

    Shortened as a person naming the file would: "for people with asthma"
    becomes "with-asthma" (and "for children with asthma" in Pediatrics the
    same); a long subject loses its "for ..." clause and article, then words
    from its end, since the aspect and population words are what tell ids apart.
    The second candidate is the whole id cut at a word boundary, as
    python-slugify's ``max_length`` with ``word_boundary=True`` does.
    """
    subject_words = slug(subject).split("-")
    tail = [aspect_words]
    population_words = slug(population).removeprefix("for-people-").removeprefix("for-children-")
    if population_words:
        tail.append(population_words)

    def cut(words: str) -> str:
        if len(words) <= MAX_ID_LENGTH:
            return words
        kept = words[: MAX_ID_LENGTH + 1].rsplit("-", 1)[0].split("-")
        while len(kept) > 1 and kept[-1] in STOP_WORDS:
            kept.pop()
        return "-".join(kept)

    whole = "-".join([*subject_words, *tail])
    short = subject_words
    if len(whole) > MAX_ID_LENGTH:
        if "for" in short:
            short = short[: short.index("for")]
        if short[0] in ("a", "an", "the"):
            short = short[1:]
    while len(short) > 1 and len("-".join([*short, *tail])) > MAX_ID_LENGTH:
        short = short[:-1]
        while len(short) > 1 and short[-1] in STOP_WORDS:
            short = short[:-1]
    candidates = [cut("-".join([*short, *tail])), cut(whole)]
    return candidates if candidates[0] != candidates[1] else candidates[:1]


def letters(number: int) -> str:
    """1 -> 'b', 2 -> 'c', ... 25 -> 'z', 26 -> 'ba': a suffix for ids made of words only."""
    out = ""
    while True:
        number, rest = divmod(number, 26)
        out = string.ascii_lowercase[rest] + out
        if number == 0:
            return out


_PLAIN_SCALAR = re.compile(r"[A-Za-z][A-Za-z0-9 ,.;'()/?&+\-]*")
_YAML_WORDS = frozenset(("y", "n", "yes", "no", "on", "off", "true", "false", "null"))


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when unambiguous, else double-quoted.

    Why by hand: only our own strings are written, and a whitelist of
    characters is enough to know that a plain scalar reads back as the same
    string (no ': ', no '#', no leading indicator, no YAML 1.1 booleans).
    """
    if _PLAIN_SCALAR.fullmatch(text) and text.lower() not in _YAML_WORDS and text[-1] != " ":
        return text
    return json.dumps(text, ensure_ascii=False)


def capitalize(text: str) -> str:
    """First letter upper-cased, the rest kept (``CAR-T`` must stay as it is)."""
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------
# Sentence filling

_FIELDS_CACHE: dict[str, tuple[str, ...]] = {}


def template_fields(template: str) -> tuple[str, ...]:
    """The replacement fields a template uses, parsed once per template."""
    fields = _FIELDS_CACHE.get(template)
    if fields is None:
        fields = tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)
        _FIELDS_CACHE[template] = fields
    return fields


@dataclass
class Context:
    """What sentences about one answer are filled with."""

    topic: voc.Topic
    subject: str
    population: str


def other_subject(rng: random.Random, context: Context) -> str:
    """Another subject of the same topic, never the answer's own (no "X compared with X")."""
    subjects = context.topic.subjects
    own = subjects.index(context.subject) if context.subject in subjects else 0
    return subjects[(own + rng.randint(1, len(subjects) - 1)) % len(subjects)]


SlotMaker = Callable[[random.Random, Context], str]

SLOTS: dict[str, SlotMaker] = {
    "s": lambda rng, c: c.subject,
    "S": lambda rng, c: capitalize(c.subject),
    "p": lambda rng, c: c.population,
    "o": lambda rng, c: rng.choice(c.topic.outcomes),
    "o2": lambda rng, c: rng.choice(c.topic.outcomes),
    "m": lambda rng, c: rng.choice(c.topic.mechanisms),
    "alt": lambda rng, c: other_subject(rng, c),
    "n": lambda rng, c: f"{rng.randint(40, 48000):,}",
    "k": lambda rng, c: str(rng.randint(4, 62)),
    "y": lambda rng, c: str(rng.randint(2, 15)),
    "w": lambda rng, c: str(rng.choice((6, 8, 12, 16, 24, 26, 52))),
    "few": lambda rng, c: str(rng.randint(1, 9)),
    "pct": lambda rng, c: str(rng.randint(8, 45)),
    "age": lambda rng, c: str(rng.randint(34, 71)),
    "country": lambda rng, c: rng.choice(voc.COUNTRIES[:7]),
    "country2": lambda rng, c: rng.choice(voc.COUNTRIES[7:]),
    "grade": lambda rng, c: rng.choice(voc.GRADES),
}


def fill(rng: random.Random, template: str, context: Context) -> str:
    """One sentence from ``template``, drawing only the random values it uses (speed)."""
    values = {name: SLOTS[name](rng, context) for name in template_fields(template)}
    return template.format(**values)


# ---------------------------------------------------------------------------
# The answer model as the generator sees it


@dataclass
class Reference:
    """A CSL ``article-journal`` item; ``id`` is its number as a string."""

    id: str
    title: str
    journal: str
    year: int
    doi: str
    pmid: str


@dataclass
class Sentence:
    """A body sentence without its full stop, and the reference ids it cites."""

    text: str
    cites: tuple[str, ...] = ()

    def markdown(self) -> str:
        """Pandoc citation syntax before the full stop: ``claim [@2; @3].``"""
        if not self.cites:
            return self.text + "."
        return f"{self.text} [{'; '.join('@' + c for c in self.cites)}]."

    def legacy(self) -> str:
        """Legacy page text: citation numbers before the full stop, ``claim 2.``"""
        if not self.cites:
            return self.text + "."
        return f"{self.text} {' '.join(self.cites)}."


@dataclass
class Answer:
    """The full state of one answer at one point of its history."""

    id: str
    title: str
    topic: voc.Topic
    context: Context
    status: str
    confidence: str
    created: date
    last_reviewed: date
    review_due_months: int | None
    reviewed_by: list[tuple[str, str]]
    authors: list[str]
    references: list[Reference]
    summary: list[Sentence]
    paragraphs: list[list[Sentence]]
    questions: list[str]

    @property
    def path(self) -> str:
        """Path inside the library, as git sees it."""
        return f"answers/{self.topic.folder}/{self.id}.md"

    @property
    def review_due(self) -> date | None:
        """The explicit review deadline, when one is set."""
        if self.review_due_months is None:
            return None
        return add_months(self.last_reviewed, self.review_due_months)

    @property
    def due(self) -> date:
        """The date the answer falls due: review_due, else last_reviewed + the interval."""
        return self.review_due or add_months(self.last_reviewed, REVIEW_INTERVAL_MONTHS)

    def markdown(self) -> str:
        """The answer file: front matter in the content model's order, then the body."""
        lines = [
            "---",
            f"id: {self.id}",
            f"title: {yaml_scalar(self.title)}",
            f"topic: {self.topic.name}",
            f"status: {self.status}",
            f"confidence: {self.confidence}",
            f"created: {self.created.isoformat()}",
            f"last_reviewed: {self.last_reviewed.isoformat()}",
        ]
        if self.review_due is not None:
            lines.append(f"review_due: {self.review_due.isoformat()}")
        lines.append(f"expiryDate: {self.due.isoformat()}")
        lines.append("reviewed_by:")
        for name, credentials in self.reviewed_by:
            lines.append(f"  - name: {yaml_scalar(name)}")
            lines.append(f"    credentials: {yaml_scalar(credentials)}")
        lines.append("authors:")
        lines.extend(f"  - name: {yaml_scalar(name)}" for name in self.authors)
        lines.append("references:")
        for ref in self.references:
            lines += [
                f'  - id: "{ref.id}"',
                "    type: article-journal",
                f"    title: {yaml_scalar(ref.title)}",
                f"    container-title: {yaml_scalar(ref.journal)}",
                f"    issued: {ref.year}",
                f"    DOI: {ref.doi}",
                f'    PMID: "{ref.pmid}"',
            ]
        lines += ["---", "", " ".join(s.markdown() for s in self.summary), ""]
        lines += ["## What the research says", ""]
        for paragraph in self.paragraphs:
            lines += [" ".join(s.markdown() for s in paragraph), ""]
        lines += ["## What to ask your doctor", ""]
        lines += [f"- {q}" for q in self.questions]
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Drawing answers


class People:
    """Fixed pools of reviewers (per topic) and writers, drawn once per library."""

    def __init__(self, rng: random.Random) -> None:
        def name() -> str:
            return f"{rng.choice(voc.FIRST_NAMES)} {rng.choice(voc.LAST_NAMES)}"

        self.reviewers = {
            topic.name: [
                (name(), f"{rng.choice(voc.REVIEWER_DEGREES)}, {rng.choice(topic.specialists)}")
                for _ in range(12)
            ]
            for topic in voc.TOPICS
        }
        self.writers = [name() for _ in range(25)]


def draw_reference(rng: random.Random, number: int, context: Context) -> Reference:
    """One plausible CSL journal article about the answer's subject."""
    year = min(2026, max(1998, int(rng.triangular(1998, 2027, 2024))))
    return Reference(
        id=str(number),
        title=fill(rng, rng.choice(voc.REFERENCE_TITLES), context),
        journal=rng.choice(voc.JOURNALS),
        year=year,
        doi=f"10.{rng.randint(1000, 9999)}/"
        f"{''.join(rng.choices(string.ascii_lowercase, k=4))}.{rng.randint(1000, 9999)}",
        pmid=str(rng.randint(10_000_000, 39_999_999)),
    )


def draw_paragraphs(
    rng: random.Random, context: Context, ref_ids: Sequence[str], multi_cite: bool = True
) -> list[list[Sentence]]:
    """3-5 research paragraphs that cite every reference at least once.

    Each reference is given to a paragraph in turn, so all are cited; some
    sentences cite two at once (``[@2; @3]``) when ``multi_cite`` is on, some
    repeat a citation, and caveat sentences cite nothing, as real answers do.
    """
    count = rng.randint(3, 5)
    owned: list[list[str]] = [[] for _ in range(count)]
    for index, ref_id in enumerate(ref_ids):
        owned[index % count].append(ref_id)
    for refs in owned:
        if not refs:
            refs.append(rng.choice(ref_ids))
    sizes = [rng.randint(3, 6) for _ in owned]
    # Distinct templates within one answer, so no sentence is repeated in it.
    templates = rng.sample(voc.RESEARCH_SENTENCES, min(sum(sizes), len(voc.RESEARCH_SENTENCES)))
    templates += rng.choices(voc.RESEARCH_SENTENCES, k=sum(sizes) - len(templates))
    paragraphs = []
    for refs, size in zip(owned, sizes, strict=True):
        sentences = [Sentence(fill(rng, templates.pop(), context)) for _ in range(size)]
        pending = list(refs)
        if multi_cite and len(pending) >= 2 and rng.random() < 0.5:
            sentences[-1].cites = (pending.pop(0), pending.pop(0))
        slots = list(range(len(sentences)))
        rng.shuffle(slots)
        for ref_id, slot in zip(pending, slots, strict=False):
            if not sentences[slot].cites:
                sentences[slot].cites = (ref_id,)
            else:
                sentences[slot].cites += (ref_id,)
        for sentence in sentences:
            if not sentence.cites and rng.random() < 0.15:
                sentence.cites = (rng.choice(ref_ids),)
        if not multi_cite:
            # Legacy pages show one number per sentence: spread extra ones out.
            for sentence in sentences:
                sentence.cites = sentence.cites[:1]
            uncited = [s for s in sentences if not s.cites]
            for ref_id in refs:
                if all(ref_id not in s.cites for s in sentences) and uncited:
                    uncited.pop().cites = (ref_id,)
        paragraphs.append(sentences)
    return paragraphs


def draw_answer(
    rng: random.Random,
    people: People,
    answer_id: str,
    title: str,
    context: Context,
    created: date,
    last_reviewed: date,
    status: str,
) -> Answer:
    """A complete answer in its first version."""
    topic = context.topic
    ref_count = rng.randint(3, 6)
    ref_ids = [str(i) for i in range(1, ref_count + 1)]
    return Answer(
        id=answer_id,
        title=title,
        topic=topic,
        context=context,
        status=status,
        confidence=rng.choices(CONFIDENCES, CONFIDENCE_WEIGHTS)[0],
        created=created,
        last_reviewed=last_reviewed,
        review_due_months=None,
        reviewed_by=rng.sample(people.reviewers[topic.name], rng.choice((1, 1, 1, 2))),
        authors=rng.sample(people.writers, rng.choice((1, 1, 2))),
        references=[draw_reference(rng, int(i), context) for i in ref_ids],
        summary=[
            Sentence(fill(rng, t, context))
            for t in rng.sample(voc.SUMMARY_SENTENCES, rng.randint(3, 5))
        ],
        paragraphs=draw_paragraphs(rng, context, ref_ids),
        questions=[
            fill(rng, q, context) for q in rng.sample(voc.DOCTOR_QUESTIONS, rng.randint(3, 5))
        ],
    )


@dataclass(frozen=True)
class Identity:
    """Where an answer sits in the title space of its topic."""

    topic: voc.Topic
    subject: str
    population: str
    aspect: tuple[str, str]
    variant: int


def draw_identities(rng: random.Random, n: int) -> list[Identity]:
    """``n`` distinct (topic, subject, aspect, population) combinations, topics weighted.

    Sampling without replacement inside each topic's combination space gives
    unique titles, hence unique ids, with no numbered suffixes. Only when a
    topic is asked for more answers than it has combinations (beyond about
    150,000 answers in all) do ids get a letters-only variant suffix.
    """
    topics = rng.choices(voc.TOPICS, [t.weight for t in voc.TOPICS], k=n)
    counts = {t.name: 0 for t in voc.TOPICS}
    for topic in topics:
        counts[topic.name] += 1
    identities: list[Identity] = []
    for topic in voc.TOPICS:
        populations = topic.populations or voc.POPULATIONS
        capacity = len(topic.subjects) * len(voc.ASPECTS) * len(populations)
        wanted = counts[topic.name]
        picks = rng.sample(range(capacity), min(wanted, capacity))
        for j in range(wanted):
            combo = picks[j % len(picks)]
            rest, population_index = divmod(combo, len(populations))
            subject_index, aspect_index = divmod(rest, len(voc.ASPECTS))
            identities.append(
                Identity(
                    topic,
                    topic.subjects[subject_index],
                    populations[population_index],
                    voc.ASPECTS[aspect_index],
                    j // len(picks),
                )
            )
    rng.shuffle(identities)
    return identities


# ---------------------------------------------------------------------------
# History: what happens to one answer in each commit


def apply_review(
    rng: random.Random, answer: Answer, people: People, start: date, end: date
) -> None:
    """A front-matter-only review: new last_reviewed, sometimes a new reviewer or confidence."""
    answer.last_reviewed = random_day(rng, max(start, answer.last_reviewed, answer.created), end)
    if answer.status == "in-review":
        answer.status = "published"
    if rng.random() < 0.4:
        answer.reviewed_by = rng.sample(people.reviewers[answer.topic.name], 1)
    if rng.random() < 0.15:
        answer.confidence = rng.choices(CONFIDENCES, CONFIDENCE_WEIGHTS)[0]


def apply_edit(rng: random.Random, answer: Answer) -> None:
    """A body-only edit: rewrite a sentence or two and maybe a question; citations kept."""
    context = answer.context
    for _ in range(rng.randint(1, 2)):
        paragraph = rng.choice(answer.paragraphs)
        index = rng.randrange(len(paragraph))
        paragraph[index] = Sentence(
            fill(rng, rng.choice(voc.RESEARCH_SENTENCES), context), paragraph[index].cites
        )
    if rng.random() < 0.5:
        answer.summary[rng.randrange(len(answer.summary))] = Sentence(
            fill(rng, rng.choice(voc.SUMMARY_SENTENCES), context)
        )
    if rng.random() < 0.3:
        answer.questions[-1] = fill(rng, rng.choice(voc.DOCTOR_QUESTIONS), context)


def apply_status(rng: random.Random, answer: Answer) -> bool:
    """The status commit's front-matter changes; True when the answer changed."""
    roll = rng.random()
    if answer.status == "draft":
        if roll < 0.5:
            answer.status = "in-review"
            return True
        return False
    if answer.status == "published" and roll < 0.06:
        answer.status = "retired"
        return True
    if answer.status == "published" and roll < 0.09:
        answer.status = "in-review"
        return True
    if answer.status != "retired" and roll < 0.2:
        answer.review_due_months = rng.choice((3, 12, 24))
        return True
    return False


def add_commit_for(rng: random.Random) -> int:
    """The index of the commit that adds an answer, by the add shares of HISTORY."""
    adds = [(i, c.share) for i, c in enumerate(HISTORY) if c.kind in ("add", "status")]
    return rng.choices([i for i, _ in adds], [s for _, s in adds])[0]


def first_version(
    rng: random.Random, people: People, identity: Identity, used_ids: set[str], added_in: int
) -> Answer:
    """The answer as first committed: created before its commit, reviewed in between."""
    commit = HISTORY[added_in]
    aspect_title, aspect_words = identity.aspect
    title = aspect_title.format(s=identity.subject, p=identity.population)
    candidates = id_candidates(identity.subject, aspect_words, identity.population)
    free = [c for c in candidates if c not in used_ids] if not identity.variant else []
    if free:
        candidate = free[0]
    else:
        variant = max(identity.variant, 1)
        while (candidate := f"{candidates[0]}-{letters(variant)}") in used_ids:
            variant += 1
    used_ids.add(candidate)
    start = FIRST_CREATED if added_in == 0 else HISTORY[added_in - 1].day
    created = random_day(rng, start, commit.day - timedelta(days=1))
    if commit.kind == "status":
        status = rng.choice(("draft", "draft", "in-review"))
        last_reviewed = created
    else:
        status = rng.choices(("published", "in-review", "draft"), (0.92, 0.04, 0.04))[0]
        last_reviewed = created if status == "draft" else random_day(rng, created, commit.day)
    context = Context(identity.topic, identity.subject, identity.population)
    return draw_answer(rng, people, candidate, title, context, created, last_reviewed, status)


# ---------------------------------------------------------------------------
# Writing: files, then one fast-import stream


class FastImport:
    """A ``git fast-import`` process fed blobs as they are made, commits at the end.

    Why fast-import: 100,000 answers through ``git add`` would write 100,000
    loose objects per commit that touches them; fast-import writes one pack in
    one pass and takes author dates directly.
    """

    def __init__(self, repo: Path) -> None:
        self.process = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--date-format=raw", "--done"],
            cwd=repo,
            stdin=subprocess.PIPE,
        )
        assert self.process.stdin is not None
        self.stream: IO[bytes] = self.process.stdin
        self.next_mark = 1

    def blob(self, data: bytes) -> int:
        """Send one blob; returns its mark for later commits."""
        mark = self.next_mark
        self.next_mark += 1
        self.stream.write(b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data))
        return mark

    def commit(
        self, plan: CommitPlan, author: tuple[str, str], files: list[tuple[str, int]], parent: int
    ) -> int:
        """Send one commit of ``files`` (path, blob mark) on top of commit mark ``parent``."""
        mark = self.next_mark
        self.next_mark += 1
        stamp = f"{int(plan.moment.timestamp())} {plan.moment.strftime('%z')}"
        who = f"{author[0]} <{author[1]}> {stamp}"
        message = plan.message.encode() + b"\n"
        head = f"commit refs/heads/main\nmark :{mark}\nauthor {who}\ncommitter {who}\n"
        self.stream.write(head.encode() + b"data %d\n%s" % (len(message), message))
        if parent:
            self.stream.write(b"from :%d\n" % parent)
        for path, blob_mark in sorted(files):
            self.stream.write(b"M 100644 :%d %s\n" % (blob_mark, path.encode()))
        self.stream.write(b"\n")
        return mark

    def finish(self) -> None:
        """End the stream and fail loudly if git did."""
        self.stream.write(b"done\n")
        self.stream.close()
        if self.process.wait() != 0:
            raise SystemExit(f"git fast-import failed with exit {self.process.returncode}")


@dataclass
class LibraryStats:
    """What the runner reports next to the timings and uses as sanity checks."""

    answers: int
    commits: int
    bytes: int
    statuses: dict[str, int]
    topics: dict[str, int]
    due_by: dict[str, int]  # as-of date -> answers due on or before it (Hugo: expired)
    seconds: float


def generate_library(n: int, out: Path, seed: int, as_of: Sequence[date] = ()) -> LibraryStats:
    """Write a library of ``n`` answers with its git history into the empty folder ``out``."""
    started = time.perf_counter()
    rng = random.Random(seed)
    people = People(rng)
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    (out / ".gitignore").write_text(GITIGNORE)
    (out / "hugo.toml").write_text(HUGO_TOML)
    for topic in voc.TOPICS:
        (out / "answers" / topic.folder).mkdir(parents=True, exist_ok=True)

    importer = FastImport(out)
    changes: list[list[tuple[str, int]]] = [[] for _ in HISTORY]
    changes[0].append((".gitignore", importer.blob(GITIGNORE.encode())))
    changes[0].append(("hugo.toml", importer.blob(HUGO_TOML.encode())))
    used_ids: set[str] = set()
    statuses: dict[str, int] = {}
    topics: dict[str, int] = {}
    due = dict.fromkeys(as_of, 0)
    total_bytes = 0

    for identity in draw_identities(rng, n):
        added_in = add_commit_for(rng)
        answer = first_version(rng, people, identity, used_ids, added_in)
        text = answer.markdown()
        changes[added_in].append((answer.path, importer.blob(text.encode())))
        for index in range(added_in + 1, len(HISTORY)):
            plan = HISTORY[index]
            changed = False
            if plan.kind == "review" and answer.status in ("published", "in-review"):
                if rng.random() < plan.share:
                    apply_review(rng, answer, people, HISTORY[index - 1].day, plan.day)
                    changed = True
            elif plan.kind == "edit" and answer.status != "retired":
                if rng.random() < plan.share:
                    apply_edit(rng, answer)
                    changed = True
            elif plan.kind == "status":
                changed = apply_status(rng, answer)
            if changed:
                text = answer.markdown()
                changes[index].append((answer.path, importer.blob(text.encode())))
        data = text.encode()
        (out / answer.path).write_bytes(data)
        total_bytes += len(data)
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
        topics[answer.topic.name] = topics.get(answer.topic.name, 0) + 1
        for day in as_of:
            due[day] += answer.due <= day

    parent = 0
    for index, plan in enumerate(HISTORY):
        if changes[index]:
            author = voc.EDITORS[index % len(voc.EDITORS)]
            parent = importer.commit(plan, author, changes[index], parent)
    importer.finish()
    # The files are already in place; give git an index that matches them.
    subprocess.run(["git", "reset", "-q"], cwd=out, check=True)
    return LibraryStats(
        answers=n,
        commits=sum(1 for c in changes if c),
        bytes=total_bytes,
        statuses=dict(sorted(statuses.items())),
        topics=dict(sorted(topics.items())),
        due_by={d.isoformat(): count for d, count in due.items()},
        seconds=round(time.perf_counter() - started, 3),
    )


# ---------------------------------------------------------------------------
# Legacy texts for `qa convert`

CHROME = ("Mode", "Text Size", "Log in / Sign up")
CONFIDENCE_WORDS = {"high": "high", "moderate": "moderate", "low": "low", "very-low": "very low"}


def legacy_text(rng: random.Random, answer: Answer, shape: int) -> str:
    """An answer as the old site exported it: shape 0 (``000_*``) or 1 (``001_*``).

    Shape 0 is a plain export: question, summary, bare headings, "- " bullets,
    footer, no blank lines. Shape 1 is text copied from the page: site chrome,
    blank lines, an optional "moderate confidence · Last reviewed May 22, 2026"
    line with non-breaking spaces around the dot, and "  • " bullets. Neither
    ends with a newline, like the samples.
    """
    footer = voc.FOOTER.format(topic=answer.topic.name)
    summary = " ".join(s.legacy() for s in answer.summary)
    paragraphs = [" ".join(s.legacy() for s in p) for p in answer.paragraphs]
    if shape == 0:
        lines = [answer.title, summary, "What the research says", *paragraphs]
        lines += ["What to ask your doctor", *(f"- {q}" for q in answer.questions), footer]
        return "\n".join(lines)
    blocks = ["\n".join(CHROME), answer.title]
    if rng.random() < 0.7:
        reviewed = answer.last_reviewed
        blocks.append(
            f"{CONFIDENCE_WORDS[answer.confidence]} confidence \u00a0\u00b7\u00a0 Last reviewed "
            f"{reviewed:%B} {reviewed.day}, {reviewed.year}"
        )
    blocks += [summary, "What the research says", *paragraphs, "What to ask your doctor"]
    blocks += ["\n".join(f"  \u2022 {q}" for q in answer.questions), footer]
    return "\n\n".join(blocks)


def generate_legacy(n: int, out: Path, seed: int) -> int:
    """Write ``n`` legacy texts into ``out``; returns the bytes written.

    Citation numbers are not contiguous (a page cites 1, 2, 3 and 6 when its
    reference list, which the texts lack, had six entries), as in the samples.
    """
    from qa_tool.ids import make_id

    rng = random.Random(f"legacy-{seed}")
    people = People(rng)
    out.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(n - 1)))
    total = 0
    index = 0
    made: set[str] = set()  # ids qa convert will make: two texts must not share one
    for identity in draw_identities(rng, 2 * n):
        if index == n:
            break
        aspect_title, _ = identity.aspect
        question = aspect_title.format(s=identity.subject, p=identity.population)
        if make_id(capitalize(question)) in made:
            continue
        made.add(make_id(capitalize(question)))
        context = Context(identity.topic, identity.subject, identity.population)
        reviewed = random_day(rng, date(2024, 1, 1), date(2026, 11, 1))
        answer = draw_answer(
            rng,
            people,
            slug(identity.subject),
            aspect_title.format(s=identity.subject, p=identity.population),
            context,
            reviewed,
            reviewed,
            "published",
        )
        listed = sorted(rng.sample(range(1, 9), len(answer.references)))
        answer.paragraphs = draw_paragraphs(
            rng, context, [str(i) for i in listed], multi_cite=False
        )
        shape = rng.randint(0, 1)
        data = legacy_text(rng, answer, shape).encode()
        (out / f"{index:0{width}d}_{rng.getrandbits(64):016x}.txt").write_bytes(data)
        total += len(data)
        index += 1
    return total


# ---------------------------------------------------------------------------


def prepare(folder: Path, force: bool) -> None:
    """Refuse to write into a non-empty folder unless ``--force`` says to replace it."""
    if folder.exists() and any(folder.iterdir()):
        if not force:
            raise SystemExit(f"{folder} is not empty (use --force to replace it)")
        shutil.rmtree(folder)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=0, help="number of answers")
    parser.add_argument("--out", type=Path, help="library folder to create")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--legacy", type=int, default=0, help="number of legacy texts")
    parser.add_argument("--legacy-out", type=Path, help="folder for the legacy texts")
    parser.add_argument("--force", action="store_true", help="replace non-empty output folders")
    parser.add_argument(
        "--as-of",
        action="append",
        default=[],
        type=date.fromisoformat,
        help="count answers due on or before this date (repeatable), for sanity checks",
    )
    parser.add_argument("--stats", type=Path, help="write a JSON summary here")
    args = parser.parse_args(argv)
    if not (args.n and args.out) and not (args.legacy and args.legacy_out):
        parser.error("give --n with --out, and/or --legacy with --legacy-out")
    summary: dict[str, object] = {"seed": args.seed}
    if args.n:
        if not args.out:
            parser.error("--n needs --out")
        prepare(args.out, args.force)
        stats = generate_library(args.n, args.out, args.seed, args.as_of)
        summary["library"] = stats.__dict__
        print(
            f"{args.out}: {stats.answers} answers, {stats.bytes / 1e6:.1f} MB, "
            f"{stats.commits} commits in {stats.seconds:.1f} s",
            file=sys.stderr,
        )
    if args.legacy:
        if not args.legacy_out:
            parser.error("--legacy needs --legacy-out")
        prepare(args.legacy_out, args.force)
        started = time.perf_counter()
        size = generate_legacy(args.legacy, args.legacy_out, args.seed)
        seconds = round(time.perf_counter() - started, 3)
        summary["legacy"] = {"files": args.legacy, "bytes": size, "seconds": seconds}
        print(f"{args.legacy_out}: {args.legacy} legacy texts in {seconds:.1f} s", file=sys.stderr)
    if args.stats:
        args.stats.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
