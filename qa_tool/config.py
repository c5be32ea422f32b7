"""The library: where it is, and its settings from ``qa.toml``.

The library root is found from the current directory: the nearest folder with
a ``qa.toml``, else the git top level, else the current directory. ``--root``
overrides it. Every setting has a default, so a library needs no ``qa.toml``::

    answers_dir = "answers"        # where the answers live, relative to the root
    max_file_bytes = 1048576       # files larger than this are reported, not parsed

    [review]
    default = "6m"                 # the interval when nothing more specific applies
    [review.topics]                # per topic name
    Oncology = "6m"
    [review.confidence]            # per GRADE level
    high = "12m"

    [readability]
    target = 8                     # the highest reading grade an answer should have
    formula = "fkgl"               # which grade meets the target: fkgl, smog or max (the higher)
    [readability.topics]           # per topic name
    Oncology = 10
    [publish]                      # the publish gate (qa publish)
    four_eyes = true               # a reviewer who is not an author must have reviewed it
    allow_reference_stubs = false  # references without details block publishing

    [references]
    retractions = "data/retraction_watch.csv"  # the Retraction Watch CSV, relative to the root
    published_stubs = "warning"    # a published answer's stub references: warning or error

    [[topics]]                     # replaces the built-in topic list
    name = "Oncology"
    folder = "oncology"            # default: the name in lowercase, words joined by '-'
    footer = "..."                 # default: the standard footer naming the topic
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from qa_tool.dates import Interval, parse_interval
from qa_tool.errors import ConfigError, GitError, UsageError
from qa_tool.fsutil import read_regular, real_folder_problem, real_path, write_new_small

CONFIG_NAME = "qa.toml"
MAX_CONFIG_BYTES = 1024 * 1024
"""The largest qa.toml read (a settings file is a few hundred bytes)."""
STATE_DIR = ".qa"

DEFAULT_TOPICS = (
    "Cardiology",
    "Dermatology",
    "Endocrinology",
    "Gastroenterology",
    "Immunology",
    "Infectious Diseases",
    "Mental Health",
    "Neurology",
    "Oncology",
    "Pediatrics",
    "Respiratory",
    "Women's Health",
)
DEFAULT_INTERVAL = "6m"
DEFAULT_MAX_FILE_BYTES = 1024 * 1024
DEFAULT_FOOTER = (
    "This question is drawn from common patient questions about {topic} and answered "
    "using cited medical research. We do not provide individualized advice."
)


def topic_folder_name(name: str) -> str:
    """The default folder of a topic: ``"Women's Health"`` -> ``"womens-health"``."""
    words = re.findall(r"[a-z0-9]+", name.lower().replace("'", ""))
    return "-".join(words)


@dataclass(frozen=True)
class Topic:
    """A topic of the library: its name, its folder under answers/, its footer."""

    name: str
    folder: str
    footer: str


@dataclass(frozen=True)
class ReviewPolicy:
    """How long an answer may go between full reviews.

    The most specific setting wins: the topic's and the confidence level's
    intervals replace the default; when both are set the shorter one applies.
    """

    default: Interval
    by_topic: dict[str, Interval] = field(default_factory=dict)
    by_confidence: dict[str, Interval] = field(default_factory=dict)

    def interval_for(self, topic: str | None, confidence: str | None) -> Interval:
        specific = [
            i
            for i in (self.by_topic.get(topic or ""), self.by_confidence.get(confidence or ""))
            if i is not None
        ]
        if not specific:
            return self.default
        return min(specific, key=lambda i: i.approx_days)


READABILITY_FORMULAS = ("fkgl", "smog", "max")
UNKNOWN_WORDS = ("hyphenation", "rules")
"""How ``[readability] unknown_words`` counts the syllables of a word the pronouncing
dictionary lacks (``qa_tool.syllables.count_syllables``)."""


@dataclass(frozen=True)
class ReferencePolicy:
    """``[references]``: where the retractions file is, how stubs of published answers count."""

    retractions: str | None = None
    published_stubs: str = "warning"


@dataclass(frozen=True)
class ReadabilityPolicy:
    """``[readability]``: the target reading grade, per topic, the formula it applies to,
    and how the syllables of words the pronouncing dictionary lacks are counted."""

    target: float = 8.0
    by_topic: dict[str, float] = field(default_factory=dict)
    formula: str = "fkgl"
    unknown_words: str = "hyphenation"

    def target_for(self, topic: object) -> float:
        return self.by_topic.get(topic, self.target) if isinstance(topic, str) else self.target


@dataclass(frozen=True)
class PublishPolicy:
    """``[publish]``: what the publish gate may let through.

    ``four_eyes`` (default true): a reviewer who is not one of the answer's authors must
    have reviewed it. ``allow_reference_stubs`` (default false): publish with references
    that have no details yet.
    """

    four_eyes: bool = True
    allow_reference_stubs: bool = False


@dataclass(frozen=True)
class Config:
    """The library's settings, from ``qa.toml`` or the defaults."""

    root: Path
    answers_dir: Path
    topics: tuple[Topic, ...]
    review: ReviewPolicy
    max_file_bytes: int
    config_file: Path | None = None
    readability: ReadabilityPolicy = field(default_factory=ReadabilityPolicy)
    publish: PublishPolicy = field(default_factory=PublishPolicy)
    references: ReferencePolicy = field(default_factory=ReferencePolicy)

    @property
    def state_dir(self) -> Path:
        """Where qa keeps its cache and locks (ignored by git through its own .gitignore)."""
        return self.root / STATE_DIR

    def topic_named(self, name: str) -> Topic:
        """The topic with this name or folder (any case, any apostrophe: "Women’s Health"
        is "Women's Health"); UsageError listing the known ones."""
        wanted = topic_key(name)
        for topic in self.topics:
            if wanted in (topic_key(topic.name), topic_key(topic.folder)):
                return topic
        known = ", ".join(t.name for t in self.topics)
        raise UsageError(f"unknown topic {name!r}; known topics: {known}")

    def topic_of_folder(self, folder: str) -> Topic | None:
        for topic in self.topics:
            if topic.folder == folder:
                return topic
        return None

    def footer_for(self, topic_name: str) -> str:
        for topic in self.topics:
            if topic.name == topic_name:
                return topic.footer
        return DEFAULT_FOOTER.format(topic=topic_name)


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "′": "'", "`": "'"})


def topic_key(name: str) -> str:
    """How topic names compare: any case, typographic apostrophes as ``'``, spaces
    collapsed.

    >>> topic_key(" Women’s  Health") == topic_key("women's health")
    True
    """
    return " ".join(name.translate(_APOSTROPHES).casefold().split())


def find_root(start: Path | None = None) -> Path:
    """The library root for ``start`` (default: the current directory)."""
    start = real_path(start or Path.cwd())
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    from qa_tool.gitinfo import run_git

    try:
        top = os.fsdecode(run_git(start, "rev-parse", "--show-toplevel")).strip()
    except GitError:
        return start
    return real_path(top) if top else start


def load_config(root: Path | None = None) -> Config:
    """Read the library's settings; ``root`` None means: find it from the current directory."""
    if root is not None:
        root = Path(root).expanduser()
        if not root.is_dir():
            raise UsageError(f"--root {root}: no such folder")
        root = real_path(root)
    else:
        root = find_root()
    path = root / CONFIG_NAME
    data: dict = {}
    present = os.path.lexists(path)
    if present:
        import tomllib  # here: most libraries have no qa.toml, and start-up counts

        try:
            text = read_regular(path, MAX_CONFIG_BYTES).decode("utf-8")
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{path}: {exc.strerror or exc}") from None
    return _config_from(root, data, path if present else None)


def _config_from(root: Path, data: dict, path: Path | None) -> Config:
    where = str(path or CONFIG_NAME)
    answers_dir = data.get("answers_dir", "answers")
    if not isinstance(answers_dir, str) or not answers_dir:
        raise ConfigError(f"{where}: answers_dir must be a folder name")
    answers_path = real_path(root / answers_dir)
    if not answers_path.is_relative_to(root):
        raise ConfigError(f"{where}: answers_dir {answers_dir!r} leads outside the library root")

    max_bytes = data.get("max_file_bytes", DEFAULT_MAX_FILE_BYTES)
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes <= 0:
        raise ConfigError(f"{where}: max_file_bytes must be a positive whole number of bytes")

    topics = _topics_from(data.get("topics"), where)
    review = _review_from(data.get("review", {}), where)
    readability = _readability_from(data.get("readability", {}), where)
    names = {t.name for t in topics}
    for name in readability.by_topic:
        if name not in names:
            raise ConfigError(
                f"{where}: readability.topics.{name}: no such topic "
                f"(known topics: {', '.join(sorted(names))})"
            )
    publish = _publish_from(data.get("publish", {}), where)
    references = _references_from(data.get("references", {}), where)
    return Config(
        root,
        answers_path,
        topics,
        review,
        max_bytes,
        path,
        readability,
        publish=publish,
        references=references,
    )


def _publish_from(raw: object, where: str) -> PublishPolicy:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [publish] must be a table")
    known = {"four_eyes", "allow_reference_stubs"}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(
                f"{where}: publish.{key}: unknown setting; known: {', '.join(sorted(known))}"
            )
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: publish.{key} must be true or false")
    return PublishPolicy(**raw)


def _references_from(raw: object, where: str) -> ReferencePolicy:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [references] must be a table")
    unknown = set(raw) - {"retractions", "published_stubs"}
    if unknown:
        raise ConfigError(f"{where}: [references] has no setting {sorted(unknown)[0]!r}")
    retractions = raw.get("retractions")
    if retractions is not None and (not isinstance(retractions, str) or not retractions.strip()):
        raise ConfigError(f"{where}: references.retractions must be the path of a CSV file")
    stubs = raw.get("published_stubs", "warning")
    if stubs not in ("warning", "error"):
        raise ConfigError(f'{where}: references.published_stubs must be "warning" or "error"')
    return ReferencePolicy(retractions, stubs)


def _topics_from(raw: object, where: str) -> tuple[Topic, ...]:
    if raw is None:
        return tuple(
            Topic(name, topic_folder_name(name), DEFAULT_FOOTER.format(topic=name))
            for name in DEFAULT_TOPICS
        )
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{where}: [[topics]] must be a non-empty list of tables")
    topics = []
    for n, item in enumerate(raw, 1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ConfigError(f"{where}: topic {n} needs a name")
        name = item["name"].strip()
        folder = item.get("folder", topic_folder_name(name))
        if not isinstance(folder, str) or not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", folder):
            raise ConfigError(
                f"{where}: topic {name!r}: folder must be lowercase words joined by '-'"
            )
        footer = item.get("footer", DEFAULT_FOOTER.format(topic=name))
        if not isinstance(footer, str):
            raise ConfigError(f"{where}: topic {name!r}: footer must be text")
        topics.append(Topic(name, folder, footer))
    return tuple(topics)


def _review_from(raw: object, where: str) -> ReviewPolicy:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [review] must be a table")

    def interval(value: object, what: str) -> Interval:
        try:
            return parse_interval(str(value))
        except UsageError as exc:
            raise ConfigError(f"{where}: {what}: {exc}") from None

    default = interval(raw.get("default", DEFAULT_INTERVAL), "review.default")
    by_topic = {k: interval(v, f"review.topics.{k}") for k, v in raw.get("topics", {}).items()}
    by_conf = {
        k: interval(v, f"review.confidence.{k}") for k, v in raw.get("confidence", {}).items()
    }
    return ReviewPolicy(default, by_topic, by_conf)


def _readability_from(raw: object, where: str) -> ReadabilityPolicy:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [readability] must be a table")

    def grade(value: object, what: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 30:
            raise ConfigError(f"{where}: {what} must be a reading grade between 0 and 30")
        return float(value)

    unknown = sorted(set(raw) - {"target", "formula", "topics", "unknown_words"})
    if unknown:
        raise ConfigError(f"{where}: [readability] has no setting {unknown[0]!r}")
    target = grade(raw.get("target", 8), "readability.target")
    formula = raw.get("formula", "fkgl")
    if formula not in READABILITY_FORMULAS:
        raise ConfigError(
            f"{where}: readability.formula must be one of {', '.join(READABILITY_FORMULAS)}"
        )
    unknown_words = raw.get("unknown_words", "hyphenation")
    if unknown_words not in UNKNOWN_WORDS:
        raise ConfigError(
            f"{where}: readability.unknown_words must be one of {', '.join(UNKNOWN_WORDS)}"
        )
    topics = raw.get("topics", {})
    if not isinstance(topics, dict):
        raise ConfigError(f"{where}: [readability.topics] must be a table")
    by_topic = {k: grade(v, f"readability.topics.{k}") for k, v in topics.items()}
    return ReadabilityPolicy(target, by_topic, formula, unknown_words)


def state_dir_problem(config: Config) -> str | None:
    """Why ``.qa`` cannot hold qa's cache and locks (a link, a file), or None.

    It must be a real folder inside the root (or not exist yet): else nothing
    is read from or written to it, and commands run without a cache.
    """
    problem = real_folder_problem(config.state_dir)
    if problem is None:
        return None
    return f"{problem}; the cache is not used (remove it: qa makes its own {STATE_DIR}/ folder)"


def ensure_state_dir(config: Config) -> Path:
    """Create ``.qa/`` with a ``.gitignore`` of its own so git never picks it up.

    OSError when ``.qa`` is there but not a real folder (:func:`state_dir_problem`).
    """
    state = config.state_dir
    problem = real_folder_problem(state)
    if problem is not None:
        raise NotADirectoryError(problem)
    state.mkdir(exist_ok=True)
    with contextlib.suppress(FileExistsError):
        write_new_small(state / ".gitignore", b"*\n")
    return state
