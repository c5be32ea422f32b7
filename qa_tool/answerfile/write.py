"""Writing answer files' front matter: the one quoting rule every writer uses.

Three writers put values into front matter, each for a reason, and all three write
text through :func:`text_scalar`:

- :func:`front_matter_text`, a direct block-style emitter (``qa convert``: one small,
  fixed shape per file, written faster than PyYAML's pure-Python dumper could);
- :func:`inline_value`, one value on one line (``qa new`` fills a template with it);
- :func:`round_trip_dump`, ruamel.yaml's round trip (``qa review`` edits a file and keeps
  its comments, key order and quoting: :mod:`qa_tool.answerfile.edit`).

The rule: text is written plain only when every YAML reader (1.1 like PyYAML, 1.2 like
ruamel.yaml) reads it back as that same text; otherwise it is double-quoted, with every
character YAML would not keep as it is written as an escape. Text that cannot be
written as UTF-8 at all (an undecodable file name or argument, held as surrogate
escapes) is refused with :class:`~qa_tool.errors.UnwritableText`.

Reading lives in :mod:`qa_tool.answerfile.read` (the full reader, and the fast readers that are
checked against it); the round-trip parse that an edit starts from in
:mod:`qa_tool.answerfile.edit`.

>>> text_scalar("Jane Doe"), text_scalar("Yes, NO"), text_scalar("1:20"), text_scalar("y")
('Jane Doe', 'Yes, NO', '"1:20"', '"y"')
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from typing import Any

from qa_tool.errors import UnwritableText

_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# The patterns of the quoting rule are compiled on first use: most runs write nothing, and
# the character class of YAML's printable characters alone takes about 3 ms to compile.


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """``(flow_plain, plain_characters, not_text, escape_in_quotes)``."""
    # Inside [...] or {...} readers differ on more characters (",[]{}?:#" among them): plain
    # text there is kept to letters, digits and a few marks.
    flow_plain = re.compile(r"[A-Za-z0-9 ._/()'-]*")
    # YAML's printable characters, less the ones YAML 1.1 reads as line breaks or a BOM.
    plain_characters = re.compile(
        "[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*"
    )
    # What YAML 1.2's core schema, and the parts of YAML 1.1 PyYAML leaves out (y/n), read
    # as something else; PyYAML's own resolvers cover the rest of YAML 1.1.
    not_text = re.compile(
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE"
        r"|null|Null|NULL|~|[yYnN]"
    )
    escape_in_quotes = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
    return flow_plain, plain_characters, not_text, escape_in_quotes


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def check_text(text: str, what: str) -> str:
    """``text``, or :class:`UnwritableText` when it holds undecodable bytes.

    Such text comes from a file name or an argument that is not valid UTF-8; the
    message shows it with the bytes escaped (``caf\\xe9.txt``).
    """
    if has_undecodable(text):
        raise UnwritableText(f"{what} {shown(text)} is not valid UTF-8; rename it or retype it")
    return text


def has_undecodable(text: str) -> bool:
    """Whether ``text`` holds undecodable bytes (a name or argument that is not UTF-8)."""
    return _SURROGATE_RE.search(text) is not None


def escaped(text: str) -> str:
    """``text`` with undecodable bytes (surrogate escapes) as ``\\xNN``: ``caf\\xe9.txt``.

    For showing a file name that is not UTF-8; text without them comes back as it is.
    """
    return _SURROGATE_RE.sub(_escape_surrogate, text)


def _escape_surrogate(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` quoted for a message, undecodable bytes as ``\\xNN`` (``'caf\\xe9.txt'``)."""
    return f"'{escaped(text)}'"


@functools.lru_cache(maxsize=4096)
def text_scalar(text: str, flow: bool = False) -> str:
    """``text`` as a YAML scalar: plain when every reader reads it back the same, else quoted.

    ``flow`` is for text inside ``[...]``/``{...}``, where ``,[]{}`` end a plain scalar.
    Cached: keys and most values (topic, status, type...) repeat in every file.
    """
    check_text(text, "text")
    if plain_is_safe(text) and not (flow and not _patterns()[0].fullmatch(text)):
        return text
    return _double_quoted(text)


def plain_is_safe(text: str) -> bool:
    """Whether ``text`` may stand unquoted as a block-mapping key or value and read back as
    itself, with YAML 1.1 and YAML 1.2 readers alike."""
    if not text or text[0] in _INDICATORS or text[0].isspace() or text[-1].isspace():
        return False
    if ": " in text or " #" in text or text.endswith(":") or "\t" in text:
        return False
    _, plain_characters, not_text, _ = _patterns()
    if not plain_characters.fullmatch(text) or not_text.fullmatch(text):
        return False
    import yaml  # here: most commands never write front matter

    resolvers = yaml.resolver.Resolver.yaml_implicit_resolvers.get(text[0], ())
    return not any(pattern.match(text) for _tag, pattern in resolvers)


def _double_quoted(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    return _patterns()[3].sub(lambda match: f"\\u{ord(match[0]):04x}", quoted)


def scalar(value: Any, flow: bool = False) -> str:
    """A text, whole number, boolean, date or None as one YAML scalar."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        return text_scalar(value, flow)
    raise TypeError(f"cannot write {type(value).__name__} in front matter")


def inline_value(value: Any) -> str:
    """``value`` as YAML on one line (flow style for lists and mappings).

    >>> inline_value("Can I: drink #coffee?"), inline_value("yes"), inline_value(None)
    ('"Can I: drink #coffee?"', '"yes"', 'null')
    >>> inline_value([{"name": "Jo, MD"}])
    '[{name: "Jo, MD"}]'
    """
    if isinstance(value, dict):
        items = (f"{scalar(k, True)}: {inline_value(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(inline_value(v) for v in value) + "]"
    return scalar(value, flow=True)


def front_matter_text(meta: dict[str, Any]) -> str:
    """Block-style YAML for a mapping of text, whole numbers, dates, lists and mappings.

    Written directly rather than through a YAML dumper: the converter writes one small,
    fixed shape per file, and PyYAML's pure-Python dumper costs more than parsing the
    legacy text does. Text follows :func:`text_scalar`: so ``id: "1"`` and
    ``PMID: "23736648"`` come out quoted.

    >>> print(front_matter_text({"id": "x", "refs": [{"id": "1", "issued": 2013}],
    ...                          "on": dt.date(2026, 5, 22), "empty": []}), end="")
    id: x
    refs:
      - id: "1"
        issued: 2013
    "on": 2026-05-22
    empty: []
    """
    lines: list[str] = []
    for key, value in meta.items():
        _emit(lines, key, value, 0)
    return "\n".join(lines) + "\n"


def _emit(lines: list[str], key: str, value: Any, indent: int) -> None:
    pad = " " * indent
    name = scalar(key)
    if isinstance(value, dict):
        if not value:
            lines.append(f"{pad}{name}: {{}}")
            return
        lines.append(f"{pad}{name}:")
        for child_key, child in value.items():
            _emit(lines, child_key, child, indent + 2)
        return
    if isinstance(value, list):
        if not value:
            lines.append(f"{pad}{name}: []")
            return
        lines.append(f"{pad}{name}:")
        _emit_items(lines, value, indent)
        return
    lines.append(f"{pad}{name}: {scalar(value)}")


def _emit_items(lines: list[str], items: list[Any], indent: int) -> None:
    """The items of a list whose key is at ``indent``; a list in a list (CSL's
    ``date-parts: [[2022, 10]]``) is a block sequence in its item, never lost."""
    pad = " " * indent
    for item in items:
        if isinstance(item, dict | list) and item:
            item_lines: list[str] = []
            if isinstance(item, dict):
                for child_key, child in item.items():
                    _emit(item_lines, child_key, child, indent + 4)
            else:
                _emit_items(item_lines, item, indent + 2)
            item_lines[0] = f"{pad}  - {item_lines[0][indent + 4 :]}"
            lines.extend(item_lines)
        elif isinstance(item, dict | list):
            lines.append(f"{pad}  - {'{}' if isinstance(item, dict) else '[]'}")
        else:
            lines.append(f"{pad}  - {scalar(item)}")


def round_trip_dump(meta: Any, indent: tuple[int, int, int], stream: Any) -> None:
    """Dump ruamel.yaml round-trip data; new text (a plain ``str``) follows :func:`text_scalar`.

    Text read from the file keeps its own style (``preserve_quotes``: its own ruamel
    type). ``indent`` is ``(mapping, sequence, offset)``.
    """
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.Representer = _representer()
    rt.preserve_quotes = True
    rt.width = 4096
    rt.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    rt.dump(meta, stream)


@functools.cache
def _representer() -> type:
    from ruamel.yaml.representer import RoundTripRepresenter

    class Representer(RoundTripRepresenter):
        pass

    def represent_text(self: Any, data: str) -> Any:
        check_text(data, "text")
        style = None if plain_is_safe(data) else '"'
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    Representer.add_representer(str, represent_text)
    return Representer
