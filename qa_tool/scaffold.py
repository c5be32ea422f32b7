"""New answers from templates (``qa new``): one at a time or a whole batch.

Templates work like Hugo's archetypes: the package ships
``qa_tool/templates/default.md``, and a library overrides it with
``templates/<topic-folder>.md`` or ``templates/default.md`` at its root. A
template is the whole answer file, written with :class:`string.Template`
variables (``$question``, ``${id}``; ``$$`` is a dollar sign). It has no logic
and cannot run anything; an unknown variable or a stray ``$`` is a
:class:`~qa_tool.errors.TemplateError` naming the file and line.

In the front matter a variable must be a whole value (``title: $question``):
it is inserted as one YAML value (:func:`~qa_tool.answerfile.inline_value`, quoted
when any YAML reader would read the text as something else), so a question such as
``Is "A: B" safe? #1`` cannot break the YAML. In the body it is inserted as plain
text. The result is parsed back and checked (id, title, topic, status, the schema)
before anything is written::

    planned = plan_answer(config, NewAnswer("Can I drink coffee?", "Oncology"), taken_ids(config))
    planned.rel                  # 'answers/oncology/can-i-drink-coffee.md'
    write_answers([planned])     # atomic; never replaces an existing file

A batch is planned item by item, every problem collected, and written only
when there is none; a failed write removes what the batch had created.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shlex
import string
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa_tool.answerfile.read import decode_text, front_matter_span, load_front_matter
from qa_tool.answerfile.write import inline_value
from qa_tool.config import Config, Topic
from qa_tool.errors import (
    AnswerExists,
    AnswerFileError,
    BatchInputError,
    EditorError,
    GitError,
    PathOutsideLibrary,
    QAError,
    TemplateError,
    UsageError,
    WriteFailed,
)
from qa_tool.fsutil import FileTooLarge, NotRegularFile, atomic_write, read_regular, real_path
from qa_tool.gitinfo import call_git, run_git
from qa_tool.ids import check_id, make_id
from qa_tool.library import answer_paths, inside_root, relative
from qa_tool.model import NEW_STATUSES, Confidence, Status, choices

TEMPLATES_DIR = "templates"
PACKAGE_TEMPLATE = Path(__file__).resolve().parent / "templates" / "default.md"
BATCH_FIELDS = ("question", "topic", "id", "confidence", "author", "status")

# The variables a template may use, and what each holds (docs/commands/new.md lists the same).
TEMPLATE_VARIABLES: dict[str, str] = {
    "question": "the patient's question, as given (the answer's title)",
    "id": "the answer's id (the file name without .md)",
    "topic": "the topic's name, e.g. Women's Health",
    "topic_folder": "the topic's folder, e.g. womens-health",
    "status": f"{Status.draft} (default) or {Status.in_review}",
    "confidence": "the GRADE level given with --confidence, else empty",
    "author": "the name given with --author, else empty",
    "authors": "front matter: [{name: ...}] from --author, else null; body: the name",
    "today": "today's date, YYYY-MM-DD",
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class NewAnswer:
    """What a writer asks for: the question and topic, the rest optional."""

    question: str
    topic: str
    id: str | None = None
    confidence: str | None = None
    author: str | None = None
    status: str = Status.draft.value


@dataclass(frozen=True)
class PlannedAnswer:
    """A new answer ready to write: where it goes and its full text."""

    id: str
    topic: str
    path: Path
    rel: str
    text: str
    template: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "path": self.rel}


@dataclass(frozen=True)
class AnswerTemplate:
    """A template read and checked: every ``$`` in it is a known variable or ``$$``."""

    shown: str
    text: str
    span: tuple[int, int, int]  # front matter start, end, body start (reader.front_matter_span)

    def render(self, values: Mapping[str, Any]) -> str:
        """The answer's text: YAML values in the front matter, plain text in the body."""
        start, end, body_start = self.span
        front = string.Template(self.text[start:end])
        body = string.Template(self.text[body_start:])
        # Only the variables a part uses are formatted: a batch renders thousands of answers.
        front_text = front.substitute({k: inline_value(values[k]) for k in front.get_identifiers()})
        body_text = body.substitute({k: text_value(values[k]) for k in body.get_identifiers()})
        return self.text[:start] + front_text + self.text[end:body_start] + body_text


@dataclass
class Templates:
    """Templates by topic folder, each read once (a batch of thousands reads a few files)."""

    config: Config
    loaded: dict[str, AnswerTemplate] = field(default_factory=dict)

    def for_topic(self, topic: Topic) -> AnswerTemplate:
        if topic.folder not in self.loaded:
            self.loaded[topic.folder] = template_for(self.config, topic)
        return self.loaded[topic.folder]


def text_value(value: Any) -> str:
    """``value`` as body text: empty for none, names joined for ``authors``."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(v.get("name", "")) if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def load_template(path: Path, shown: str, max_bytes: int) -> AnswerTemplate:
    """Read and check one template; TemplateError for anything that would stop it rendering."""
    try:
        data = read_regular(path, max_bytes)
    except FileTooLarge:
        raise TemplateError(
            f"{shown}: over the {max_bytes:,}-byte limit (max_file_bytes)"
        ) from None
    except NotRegularFile:
        raise TemplateError(f"{shown}: not a regular file (a device or a pipe); not read") from None
    except OSError as exc:
        raise TemplateError(f"{shown}: cannot be read: {exc.strerror or exc}") from None
    try:
        text = decode_text(data, Path(shown))
        span = front_matter_span(text, Path(shown))
    except AnswerFileError as exc:
        raise TemplateError(f"template {exc}") from None
    problems: list[str] = []
    for match in string.Template.pattern.finditer(text):
        name = match.group("named") or match.group("braced")
        line = text.count("\n", 0, match.start()) + 1
        if match.group("invalid") is not None:
            problems.append(
                f"{shown}:{line}: '$' must start a variable such as $question or ${{id}} "
                "(write $$ for a dollar sign)"
            )
        elif name is not None and name not in TEMPLATE_VARIABLES:
            known = ", ".join(f"${v}" for v in TEMPLATE_VARIABLES)
            problems.append(f"{shown}:{line}: unknown variable ${name}; known: {known}")
    if problems:
        raise TemplateError("; ".join(problems))
    return AnswerTemplate(shown, text, span)


def template_for(config: Config, topic: Topic) -> AnswerTemplate:
    """The library's ``templates/<topic-folder>.md``, else its ``templates/default.md``,
    else the packaged default. Names come only from the topics' folders, never from input."""
    for name in (f"{topic.folder}.md", "default.md"):
        path = config.root / TEMPLATES_DIR / name
        if not (path.exists() or path.is_symlink()):
            continue
        shown = relative(config, path)
        if not inside_root(config, path):
            raise PathOutsideLibrary(f"{shown}: the template is a link to outside the library")
        if not path.is_file():
            raise TemplateError(f"{shown}: is not a file")
        return load_template(path, shown, config.max_file_bytes)
    return load_template(PACKAGE_TEMPLATE, "qa_tool/templates/default.md", 1024 * 1024)


def taken_ids(config: Config) -> dict[str, Path]:
    """Every id in use (the file stems of all answers, any topic) and a file that has it."""
    taken: dict[str, Path] = {}
    for path in answer_paths(config):
        taken.setdefault(path.stem, path)
    return taken


def _one_line(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise UsageError(f"the {what} is empty")
    if "\n" in value or "\r" in value:
        raise UsageError(f"the {what} must be one line")
    if _CONTROL.search(value):
        raise UsageError(f"the {what} contains a control character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"the {what} is not valid text (a lone surrogate)") from None
    return value


def _checked(config: Config, request: NewAnswer) -> tuple[str, Topic, str, str | None]:
    """The request's question, topic, id and author; one UsageError naming every problem."""
    problems: list[str] = []

    def attempt(check, *args):
        try:
            return check(*args)
        except UsageError as exc:
            problems.append(str(exc))
            return None

    def title(value: str) -> str:
        from qa_tool.schema import load_schema

        value = _one_line(value, "question")
        rule = load_schema()["properties"]["title"]
        low, high = rule["minLength"], rule["maxLength"]
        if not low <= len(value) <= high:
            raise UsageError(
                f"the question is {len(value)} character{'s' if len(value) != 1 else ''} long; "
                f"a title has {low} to {high}"
            )
        return value

    question = attempt(title, request.question)
    topic = attempt(config.topic_named, request.topic)
    answer_id = None
    if request.id is not None:
        answer_id = attempt(check_id, request.id)
    elif question is not None:
        answer_id = attempt(lambda q: check_id(make_id(q)), question)
    if request.status not in NEW_STATUSES:
        problems.append(
            f"status {request.status!r} is not one of: {choices(NEW_STATUSES)} "
            "(a new answer starts before review)"
        )
    if request.confidence is not None and request.confidence not in set(Confidence):
        problems.append(f"confidence {request.confidence!r} is not one of: {choices(Confidence)}")
    author = None if request.author is None else attempt(_one_line, request.author, "author")
    if problems:
        raise UsageError("; ".join(problems))
    assert question is not None and topic is not None and answer_id is not None
    return question, topic, answer_id, author


def plan_answer(
    config: Config,
    request: NewAnswer,
    taken: Mapping[str, Path],
    *,
    today: dt.date | None = None,
    templates: Templates | None = None,
    id_hint: str = "choose another with --id",
) -> PlannedAnswer:
    """Check a request and render its answer; nothing is written.

    UsageError for bad input (an unknown topic lists the known ones), AnswerExists
    when the id is taken anywhere in the library, PathOutsideLibrary when the
    target would leave the answers folder, TemplateError for a broken template.
    """
    question, topic, answer_id, author = _checked(config, request)

    if answer_id in taken:
        raise AnswerExists(
            f"id {answer_id!r} is already used by {relative(config, taken[answer_id])}; {id_hint}"
        )
    path = config.answers_dir / topic.folder / f"{answer_id}.md"
    rel = relative(config, path)
    if not real_path(path).is_relative_to(config.answers_dir):
        raise PathOutsideLibrary(f"{rel} would be outside {relative(config, config.answers_dir)}/")
    if path.exists() or path.is_symlink():
        raise AnswerExists(f"{rel} already exists; {id_hint}")
    folder = path.parent
    if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
        raise UsageError(f"{relative(config, folder)} is not a folder")

    template = (templates or Templates(config)).for_topic(topic)
    values = {
        "question": question,
        "id": answer_id,
        "topic": topic.name,
        "topic_folder": topic.folder,
        "status": request.status,
        "confidence": request.confidence,
        "author": author,
        "authors": [{"name": author}] if author else None,
        "today": today or dt.date.today(),
    }
    text = template.render(values)
    _check_rendered(text, template, values)
    return PlannedAnswer(answer_id, topic.name, path, rel, text, template.shown)


def _check_rendered(text: str, template: AnswerTemplate, values: Mapping[str, Any]) -> None:
    """The rendered answer must read back as the answer asked for and pass the schema.

    Values never add lines, so a line in the result is the same line in the template.
    """
    from qa_tool.schema import check_front_matter, json_path

    where = Path(template.shown)
    start, end, _ = front_matter_span(text, where)
    try:
        meta = load_front_matter(text[start:end], where)
    except AnswerFileError as exc:
        raise TemplateError(
            f"{exc} (in the answer made for {values['id']!r}; in front matter a variable "
            "must be a whole value, unquoted: qa quotes it)"
        ) from None
    for key, variable in (("id", "id"), ("title", "question"), ("topic", "topic")):
        if meta.get(key) != values[variable]:
            raise TemplateError(
                f"{template.shown}: the front matter must say {key}: ${variable} "
                f"(it makes {key}: {meta.get(key)!r})"
            )
    if meta.get("status") != values["status"]:
        raise TemplateError(
            f"{template.shown}: the front matter must say status: $status "
            f"(it makes status: {meta.get('status')!r})"
        )
    issues = check_front_matter(meta)
    if issues:
        first = issues[0]
        raise TemplateError(
            f"{template.shown}: the answer made for {values['id']!r} breaks the schema at "
            f"{json_path(first.field_path)}: {first.message}"
        )


def write_answers(planned: Sequence[PlannedAnswer]) -> list[PlannedAnswer]:
    """Write every planned answer, or none: a failure removes what this call created.

    Each file is written atomically and never replaces one that exists (a file
    that appeared since planning is an AnswerExists error). Folders this call
    made are removed again on failure.
    """
    created: list[Path] = []
    made_dirs: list[Path] = []
    try:
        for answer in planned:
            _make_folders(answer.path.parent, made_dirs)
            try:
                atomic_write(answer.path, answer.text.encode("utf-8"), overwrite=False)
            except FileExistsError:
                raise AnswerExists(
                    f"{answer.rel} appeared while qa was writing; it was left as it is"
                    + _undone(created)
                ) from None
            except OSError as exc:
                raise WriteFailed(
                    f"{answer.rel}: cannot write: {exc.strerror or exc}" + _undone(created)
                ) from None
            created.append(answer.path)
    except BaseException:
        _remove(created, made_dirs)
        raise
    return list(planned)


def _undone(created: list[Path]) -> str:
    if not created:
        return ""
    n = len(created)
    return f"; removed the {n} file{'s' if n != 1 else ''} this run had created"


def _make_folders(folder: Path, made: list[Path]) -> None:
    """Create ``folder`` and missing parents; ``made`` gets the ones this call created.

    Another qa process may create the same folder at the same moment (two ``qa new``
    at once): a folder that appears meanwhile is used, not an error, and is not ours
    to remove on failure.
    """
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            if path.is_dir():
                continue
            raise WriteFailed(f"{path} exists and is not a folder") from None
        except OSError as exc:
            raise WriteFailed(f"cannot create the folder {path}: {exc.strerror or exc}") from None
        made.append(path)


def _remove(files: Iterable[Path], folders: list[Path]) -> None:
    for path in files:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    for folder in reversed(folders):
        with contextlib.suppress(OSError):  # not empty: something else is in it now
            folder.rmdir()


@dataclass(frozen=True)
class BatchItem:
    """One entry of a batch input, with the label problems are reported under.

    ``problem`` is set (and ``fields`` None) when the entry is not valid JSON.
    """

    label: str
    fields: Any
    problem: str | None = None


def parse_batch(data: bytes, source: str) -> list[BatchItem]:
    """The entries of a JSON array or of JSON Lines (one object per line, blanks skipped).

    Entries of an array are labelled ``item N``, JSON Lines ``line N``. A JSON
    Lines line that is not JSON becomes an entry with a ``problem``, so it is
    reported along with every other problem of the batch.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BatchInputError(source, [f"not UTF-8 (byte offset {exc.start})"]) from None
    if text.lstrip().startswith("["):
        try:
            entries = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BatchInputError(
                source, [f"line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}"]
            ) from None
        items = [BatchItem(f"item {n}", entry) for n, entry in enumerate(entries, 1)]
    else:
        items = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append(BatchItem(f"line {n}", json.loads(line)))
            except json.JSONDecodeError as exc:
                problem = f"not valid JSON: {exc.msg} (column {exc.colno})"
                items.append(BatchItem(f"line {n}", None, problem))
    if not items:
        raise BatchInputError(source, ["no items: give a JSON array or JSON Lines of objects"])
    return items


def _request_from(item: BatchItem, defaults: Mapping[str, str | None]) -> NewAnswer:
    fields = item.fields
    if not isinstance(fields, dict):
        raise UsageError('expected an object like {"question": ..., "topic": ...}')
    unknown = [k for k in fields if k not in BATCH_FIELDS]
    if unknown:
        raise UsageError(f"unknown field {unknown[0]!r} (known: {', '.join(BATCH_FIELDS)})")
    values: dict[str, str] = {}
    for key in BATCH_FIELDS:
        value = fields.get(key)
        if value is None:
            value = defaults.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise UsageError(f"{key!r} must be text, not {json.dumps(value)}")
        values[key] = value
    for key, option in (("question", None), ("topic", "--topic")):
        if key not in values:
            hint = f" (or give {option})" if option else ""
            raise UsageError(f"no {key!r}{hint}")
    return NewAnswer(**values)


def plan_batch(
    config: Config,
    items: Sequence[BatchItem],
    source: str,
    *,
    defaults: Mapping[str, str | None] | None = None,
    today: dt.date | None = None,
) -> list[PlannedAnswer]:
    """Plan every item; BatchInputError listing every problem (item by item) if any.

    ``defaults`` fill fields an item leaves out (``topic``, ``confidence``,
    ``author``, ``status``). Ids must be unused in the library and unique in the batch.
    """
    defaults = defaults or {}
    taken = taken_ids(config)
    templates = Templates(config)
    problems: list[str] = []
    planned: list[PlannedAnswer] = []
    first_label: dict[str, str] = {}
    for item in items:
        if item.problem is not None:
            problems.append(f"{item.label}: {item.problem}")
            continue
        try:
            request = _request_from(item, defaults)
            answer = plan_answer(
                config,
                request,
                taken,
                today=today,
                templates=templates,
                id_hint='give the item another "id"',
            )
        except TemplateError as exc:
            if str(exc) not in problems:  # one broken template fails many items the same way
                problems.append(str(exc))
            continue
        except QAError as exc:
            problems.append(f"{item.label}: {exc}")
            continue
        if answer.id in first_label:
            problems.append(
                f"{item.label}: id {answer.id!r} is also the id of {first_label[answer.id]}; "
                'give one of them another "id"'
            )
            continue
        first_label[answer.id] = item.label
        planned.append(answer)
    if problems:
        raise BatchInputError(source, problems)
    return planned


def editor_command(environ: Mapping[str, str] | None = None) -> list[str]:
    """``$VISUAL`` or else ``$EDITOR``, split like a shell would (``code --wait``)."""
    environ = os.environ if environ is None else environ
    for name in ("VISUAL", "EDITOR"):
        value = environ.get(name, "").strip()
        if value:
            try:
                command = shlex.split(value)
            except ValueError as exc:
                raise UsageError(f"${name} {value!r} cannot be read as a command: {exc}") from None
            if command:
                return command
    raise UsageError("--edit needs $VISUAL or $EDITOR to name an editor")


def open_in_editor(command: Sequence[str], paths: Sequence[Path]) -> None:
    """Run the editor on the files and wait for it; EditorError if it cannot run or fails."""
    try:
        done = subprocess.run([*command, *map(str, paths)], check=False)
    except OSError as exc:
        raise EditorError(f"cannot run the editor {command[0]!r}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        raise EditorError(f"the editor {command[0]!r} exited with status {done.returncode}")


def check_git_work_tree(config: Config) -> None:
    """GitError unless the library is in a git work tree (checked before writing anything)."""
    done = call_git(config.root, "rev-parse", "--is-inside-work-tree")
    if done.returncode != 0 or done.stdout.strip() != b"true":
        raise GitError(f"--git-add: {config.root} is not in a git work tree")


def git_add(config: Config, paths: Sequence[Path]) -> None:
    """Stage the files with one ``git add`` (paths on stdin, so any number fits)."""
    if not paths:
        return
    rels = "\0".join(relative(config, p) for p in paths) + "\0"
    run_git(
        config.root,
        "--literal-pathspecs",
        "add",
        "--pathspec-from-file=-",
        "--pathspec-file-nul",
        input=os.fsencode(rels),
    )
