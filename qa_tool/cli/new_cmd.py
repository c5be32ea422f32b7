"""``qa new``: scaffold draft answers from a template, by hand or from a script."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from qa_tool.cli.common import (
    QuietOption,
    RootOption,
    errors_to_exit,
    load,
    plain,
    print_json,
    shown,
)
from qa_tool.errors import AnswerExists, UsageError
from qa_tool.model import Confidence, NewStatus, ReportFormat

if TYPE_CHECKING:
    from qa_tool.config import Config
    from qa_tool.scaffold import PlannedAnswer


def stdin_is_terminal() -> bool:
    """Whether to ask for missing values when neither --interactive nor --no-input is given."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except ValueError:  # closed
        return False


def new(
    question: Annotated[
        str | None,
        typer.Argument(
            metavar="QUESTION",
            help="The patient's question (asked for on a terminal when left out).",
            show_default=False,
        ),
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic", "-t", help="The topic, by name or folder (any case).", show_default=False
        ),
    ] = None,
    answer_id: Annotated[
        str | None,
        typer.Option(
            "--id", help="The answer's id (default: made from the question).", show_default=False
        ),
    ] = None,
    confidence: Annotated[
        Confidence | None,
        typer.Option("--confidence", help="GRADE level of the evidence.", show_default=False),
    ] = None,
    author: Annotated[
        str | None, typer.Option("--author", help="The writer's name.", show_default=False)
    ] = None,
    status: Annotated[
        NewStatus, typer.Option("--status", help="The new answer's status.")
    ] = NewStatus.draft,
    from_file: Annotated[
        str | None,
        typer.Option(
            "--from-file",
            metavar="FILE|-",
            help="Create many answers from a JSON array or JSON Lines of "
            '{"question", "topic", ...} objects ("-" reads stdin); all or nothing.',
            show_default=False,
        ),
    ] = None,
    edit: Annotated[
        bool, typer.Option("--edit", help="Open the new file(s) in $VISUAL or $EDITOR.")
    ] = False,
    git_add: Annotated[
        bool, typer.Option("--git-add", help="Stage the new file(s) with git add.")
    ] = False,
    interactive: Annotated[
        bool | None,
        typer.Option(
            "--interactive/--no-input",
            help="Ask for a missing question or topic, or never ask (default: ask when stdin "
            "is a terminal).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat,
        typer.Option(
            "--format", "-f", help="Output: text (the new paths) or json.", case_sensitive=False
        ),
    ] = ReportFormat.text,
    quiet: QuietOption = False,
    root: RootOption = None,
) -> None:
    """Create a draft answer from the library's template (or many, with --from-file)."""
    from qa_tool import scaffold

    config = load(root)
    level = confidence.value if confidence is not None else None
    with errors_to_exit():
        editor = scaffold.editor_command() if edit else None
        if from_file is not None:
            if question is not None or answer_id is not None:
                raise UsageError(
                    "--from-file takes the questions from the file: drop QUESTION/--id"
                )
            defaults = {
                "topic": topic,
                "confidence": level,
                "author": author,
                "status": status.value,
            }
            source = "stdin" if from_file == "-" else from_file
            items = scaffold.parse_batch(_read_input(from_file), source)
            planned = scaffold.plan_batch(config, items, source, defaults=defaults)
        else:
            if question is None or topic is None:
                ask = stdin_is_terminal() if interactive is None else interactive
                if not ask:
                    missing = "QUESTION" if question is None else "--topic"
                    raise UsageError(
                        f"missing {missing}; give it, or run qa new on a terminal "
                        "(without --no-input) to be asked"
                    )
                question, topic = _ask(config, question, topic)
                asked = True
            else:
                asked = False
            while True:
                request = scaffold.NewAnswer(
                    question, topic, answer_id, level, author, status.value
                )
                try:
                    planned = [scaffold.plan_answer(config, request, scaffold.taken_ids(config))]
                    break
                except AnswerExists as exc:
                    if not asked:
                        raise
                    answer_id = _ask_id(exc)  # a clash found after the prompts: ask again
        if git_add:
            scaffold.check_git_work_tree(config)
        scaffold.write_answers(planned)
    _render(planned, fmt, batch=from_file is not None, quiet=quiet)
    paths = [p.path for p in planned]
    with errors_to_exit():
        if editor is not None:
            scaffold.open_in_editor(editor, paths)
        if git_add:
            scaffold.git_add(config, paths)


MAX_BATCH_BYTES = 16 * 1024 * 1024
"""The largest --from-file batch read (a thousand questions are well under 1 MB)."""


def _read_input(from_file: str) -> bytes:
    """The batch: standard input for ``-``, else a regular file (never a pipe or device)."""
    from qa_tool.fsutil import NotRegularFile, read_regular

    if from_file == "-":
        stream = sys.stdin
        buffer = getattr(stream, "buffer", None)
        data = buffer.read(MAX_BATCH_BYTES + 1) if buffer is not None else stream.read().encode()
        if len(data) > MAX_BATCH_BYTES:
            raise UsageError(f"--from-file -: over the {MAX_BATCH_BYTES:,}-byte limit")
        return data
    try:
        return read_regular(Path(from_file), MAX_BATCH_BYTES)
    except OSError as exc:
        hint = " (use - to read standard input)" if isinstance(exc, NotRegularFile) else ""
        raise UsageError(f"--from-file {from_file}: {exc.strerror or exc}{hint}") from None


def _ask(config: Config, question: str | None, topic: str | None) -> tuple[str, str]:
    """Rich prompts on stderr, so stdout keeps only the result.

    The topic is taken as ``--topic`` takes it (a name or a folder, any case); an unknown
    one is said, with the known ones, and asked again.
    """
    from rich.prompt import Prompt

    from qa_tool.cli.common import stderr

    console = stderr()
    names = ", ".join(t.name for t in config.topics)
    with _prompting(console, "the question and topic were"):
        while not question or not question.strip():
            question = Prompt.ask("[bold]Question[/]", console=console)
        while topic is None:
            answer = Prompt.ask(f"[bold]Topic[/] [dim]({shown(names)})[/]", console=console)
            try:
                topic = config.topic_named(answer).name
            except UsageError as exc:
                console.print(f"[red]{shown(str(exc))}[/]", soft_wrap=True)
    return question, topic


def _ask_id(clash: AnswerExists) -> str:
    """Another id, after the one made from the question (or given) turned out to be taken."""
    from rich.prompt import Prompt

    from qa_tool.cli.common import stderr

    console = stderr()
    console.print(f"[yellow]{shown(str(clash))}[/]", soft_wrap=True)
    with _prompting(console, "a free id was"):
        while True:
            answer = Prompt.ask(
                "[bold]Id[/] [dim](lowercase words joined by '-')[/]", console=console
            )
            if answer.strip():
                return answer.strip()


@contextlib.contextmanager
def _prompting(console: Any, what: str) -> Iterator[None]:
    """End of input is a usage error; Ctrl-C ends the prompt's line before qa stops, so the
    shell's prompt starts on a line of its own."""
    try:
        yield
    except EOFError:
        raise UsageError(f"input ended before {what} given") from None
    except KeyboardInterrupt:
        console.file.write("\n")
        console.file.flush()
        raise


def _render(planned: list[PlannedAnswer], fmt: ReportFormat, *, batch: bool, quiet: bool) -> None:
    if fmt is ReportFormat.json:
        print_json({"created": [p.to_dict() for p in planned]} if batch else planned[0].to_dict())
    else:
        sys.stdout.write("".join(f"{plain(p.rel)}\n" for p in planned))
    if not quiet:
        from qa_tool.body import PLACEHOLDER_MARKER
        from qa_tool.cli.common import stderr

        n = len(planned)
        what = f"{n} answer{'s' if n != 1 else ''}" if batch else planned[0].rel
        todo = (
            f"; replace the text marked {PLACEHOLDER_MARKER}, then run qa validate"
            if any(PLACEHOLDER_MARKER in p.text for p in planned)
            else ""
        )
        stderr().print(f"Created {plain(what)}{todo}.", markup=False)


def register(app: typer.Typer) -> None:
    """Add this command to the ``qa`` app."""
    from qa_tool.cli.examples import epilog

    app.command("new", epilog=epilog("new"))(new)
