"""The bounded YAML loader behind :func:`qa_tool.answerfile.read.load_front_matter`.

libyaml's C parser and a direct walk of its nodes, with duplicate-key, alias-expansion and
depth checks (see :mod:`qa_tool.answerfile.read` for the limits). A module of its own so
that a listing answered from the cache never imports PyYAML.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from qa_tool.answerfile.read import MAX_DEPTH, MAX_NODES

HANDLER = YAMLHandler()


class TooComplex(Exception):
    """The document nests too deep or expands too far; ``line`` (0-based) where it does."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


class DuplicateKey(Exception):
    """A mapping holds ``key`` twice; ``line`` (0-based) of the second."""

    def __init__(self, key: str, line: int):
        super().__init__(key)
        self.key = key
        self.line = line


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"


class BoundedLoader(yaml.CSafeLoader):
    """libyaml's safe loader with duplicate-key, alias-expansion and depth checks.

    libyaml builds the node tree in C; PyYAML's generic constructor then costs
    more than the parsing, so plain documents (str/seq/map nodes, the other
    scalars through PyYAML's own constructors) are built by a direct walk.
    Anything unusual (merge keys, explicit tags) takes PyYAML's usual path.
    Aliases keep pointing at one shared object, as with PyYAML.
    """

    check_shape = True

    # PyYAML's resolver, without path resolvers (never used here) and their per-node calls.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                table = self.yaml_implicit_resolvers
                for tag, regexp in table.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
                for tag, regexp in table.get(None, ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        if self.check_shape:
            _check_shape(node)
            return self._build(node, {})
        try:
            return self._build(node, {})
        except _AliasFound:
            # A list or mapping reached a second time is an alias the parser resolved:
            # only now can the document expand, so only now is its size counted.
            _check_shape(node)
            self.check_shape = True
            return self._build(node, {})

    def _build(self, node: yaml.Node, memo: dict[int, Any]) -> Any:
        key = id(node)
        if key in memo:
            if not self.check_shape and not isinstance(node, yaml.ScalarNode):
                raise _AliasFound
            return memo[key]
        if isinstance(node, yaml.ScalarNode):
            value = node.value if node.tag == _STR else self.construct_object(node, deep=True)
            memo[key] = value
            return value
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            items: list[Any] = []
            memo[key] = items
            items.extend(self._build(child, memo) for child in node.value)
            return items
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            if any(k.tag == _MERGE for k, _ in node.value):
                return self._construct(node)
            mapping: dict[Any, Any] = {}
            memo[key] = mapping
            for key_node, value_node in node.value:
                name = self._build(key_node, memo)
                try:
                    duplicate = name in mapping
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        "found unhashable key",
                        key_node.start_mark,
                    ) from None
                if duplicate:
                    raise DuplicateKey(str(name), key_node.start_mark.line)
                mapping[name] = self._build(value_node, memo)
            return mapping
        return self._construct(node)

    def _construct(self, node: yaml.Node) -> Any:
        """PyYAML's own path (merge keys, explicit tags): its aliases are not seen one by
        one, so the document's shape is checked first."""
        if not self.check_shape:
            raise _AliasFound
        return self.construct_object(node, deep=True)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[tuple[str, str]] = set()
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                pair = (key_node.tag, key_node.value)
                if pair in seen:
                    raise DuplicateKey(key_node.value, key_node.start_mark.line)
                seen.add(pair)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode, values: Any = None) -> Any:
        """A date YAML cannot build (``2026-02-30``, ``2026-13-01``) stays its text, so the file
        still reads and the schema's date rule names the field, on its own line."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return str(node.value)


BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", BoundedLoader.construct_yaml_timestamp)


class PlainLoader(BoundedLoader):
    """For front matter with no deep indentation: the shape check waits for an alias.

    Whether a document has aliases is seen in the nodes the parser composed (a list
    or mapping met twice), never guessed from the text: YAML 1.1 line breaks
    (U+0085, U+2028, U+2029) can stand before an ``&`` that a text scan would miss.
    """

    check_shape = False


class _AliasFound(Exception):
    pass


def _check_shape(root: yaml.Node) -> None:
    """Refuse documents too deep or too large once aliases are expanded (iterative)."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in _children(node))
            if sizes[key] > MAX_NODES:
                raise TooComplex(
                    f"YAML expands to more than {MAX_NODES} values (aliases?)",
                    node.start_mark.line,
                )
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise TooComplex("YAML alias refers to itself", node.start_mark.line)
        if depth > MAX_DEPTH:
            raise TooComplex(f"YAML nested deeper than {MAX_DEPTH} levels", node.start_mark.line)
        on_path.add(key)
        stack.append((node, depth, True))
        for child in _children(node):
            if id(child) not in sizes:
                stack.append((child, depth + 1, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


# ---------------------------------------------------------------------------
# The common shape, read without building nodes

_ODD_CHARACTER = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
"""Characters after which the simple reader steps aside: tabs, carriage returns, YAML 1.1's other
line breaks (U+0085, U+2028, U+2029), the byte-order mark and everything libyaml refuses."""

_LINE = re.compile(r"^( *)([^ #\n](?:[^\n]*[^ \n])?)", re.MULTILINE)
"""A line that is not blank or a comment: its indentation and its text, trailing spaces cut."""
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,127}):(?:\Z| +(.*))")
_DOUBLE_QUOTED = re.compile(r'"([^"\\]*)"(?: +#.*)?\Z')
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)'(?: +#.*)?\Z")
_PLAIN_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_DECIMAL_POINT = re.compile(r"[-+]?[0-9]+\.[0-9]*\Z")
_DAY = re.compile(r"([0-9]{4})-([0-9][0-9]?)-([0-9][0-9]?)\Z")
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_IMPLICIT = PlainLoader.yaml_implicit_resolvers  # (tests: the very table, not a copy)
_BOOL_VALUES = PlainLoader.bool_values


class _Unsure(Exception):
    """The text is outside the shape :func:`load_simple` reads: libyaml reads it instead."""


Lines = list[tuple[int, str]]


def load_simple(front: str) -> dict[str, Any] | None:
    """The front matter as :class:`PlainLoader` builds it, when it has the common shape; else None.

    The common shape is block YAML of one line per value: ``key: value`` mappings with simple
    keys, ``- item`` lists (compact ``- key: value`` items included), plain or single-line
    quoted scalars (double quotes without escapes), ``[]``/``{}``, comments and blank lines.
    Plain scalars get YAML 1.1's types by the loader's own resolver table (``yes`` is True,
    ``2026-05-01`` a date, ``0123`` is left to libyaml). Whatever else (flow collections, block
    scalars, anchors, tags, escapes, continued lines, duplicate keys, odd characters, unusual
    indentation) returns None, and libyaml reads the file: so this gives the same values as the
    full loader or nothing, and every error still comes from libyaml.
    ``tests/test_simple_yaml.py`` shows it equal to the full loader.
    """
    if None in _IMPLICIT or _ODD_CHARACTER.search(front):  # (None: resolvers for any text)
        return None
    lines: Lines = [(len(spaces), text) for spaces, text in _LINE.findall(front)]
    if not lines or max(lines)[0] >= MAX_DEPTH:  # deep: the loader checks its shape first
        return None
    try:
        meta, end = _mapping(lines, 0, lines[0][0])
    except _Unsure:
        return None
    return meta if end == len(lines) else None


def _mapping(lines: Lines, at: int, indent: int) -> tuple[dict[str, Any], int]:
    mapping: dict[str, Any] = {}
    count = len(lines)
    while at < count:
        column, text = lines[at]
        if column != indent:
            if column > indent:
                raise _Unsure  # a continued value, or indentation YAML reads otherwise
            break
        match = _KEY.match(text)
        if match is None:
            raise _Unsure
        key, rest = match.groups()
        if key in mapping or (key not in _TEXT_KEYS and not _text_key(key)):
            raise _Unsure
        at += 1
        if rest and rest[0] != "#":
            if rest[0] in _PLAIN_INDICATORS or ": " in rest or rest[-1] == ":" or " #" in rest:
                mapping[key] = _scalar(rest)
            else:  # the usual plain value, in line
                mapping[key] = _plain(rest) if rest[0] in _IMPLICIT else rest
            continue
        value: Any = None
        if at < count:
            column, text = lines[at]
            if column > indent:
                value, at = _block(lines, at, column)
            elif column == indent and text[:2] == "- ":
                value, at = _sequence(lines, at, indent)  # a list at its key's indentation
        mapping[key] = value
    return mapping, at


_TEXT_KEYS: set[str] = set()
"""Keys seen to be text (not ``yes``, ``null``...): most files use the same few dozen."""


def _text_key(key: str) -> bool:
    if isinstance(_plain(key), str):
        if len(_TEXT_KEYS) < 4096:
            _TEXT_KEYS.add(key)
        return True
    return False


def _block(lines: Lines, at: int, indent: int) -> tuple[Any, int]:
    text = lines[at][1]
    if text[:2] == "- ":
        return _sequence(lines, at, indent)
    return _mapping(lines, at, indent)


def _sequence(lines: Lines, at: int, indent: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    count = len(lines)
    while at < count:
        column, text = lines[at]
        if column != indent or text[:2] != "- ":
            if column > indent:
                raise _Unsure
            break
        rest = text[2:].lstrip(" ")
        if rest[0] == "#" or rest[:2] == "- " or rest == "-":
            raise _Unsure  # an item on the next lines, or a list in a list
        if _KEY.match(rest):
            lines[at] = (column + len(text) - len(rest), rest)  # a compact mapping: its column
            value, at = _mapping(lines, at, lines[at][0])
        else:
            value = _scalar(rest)
            at += 1
        items.append(value)
    return items, at


def _scalar(text: str) -> Any:
    first = text[0]
    if first == '"':
        match = _DOUBLE_QUOTED.match(text)
        if match is None:
            raise _Unsure
        return match.group(1)
    if first == "'":
        match = _SINGLE_QUOTED.match(text)
        if match is None:
            raise _Unsure
        return match.group(1).replace("''", "'")
    if text == "[]":
        return []
    if text == "{}":
        return {}
    if first in _PLAIN_INDICATORS or ": " in text or text[-1] == ":":
        raise _Unsure
    comment = text.find(" #")
    if comment >= 0:
        text = text[:comment].rstrip(" ")
    return _plain(text) if first in _IMPLICIT else text


_TYPED: dict[str, Any] = {}
"""Plain scalars already typed (dates, years, ``true``...: they repeat from file to file); the
values are immutable, so sharing one is safe."""


def _plain(text: str) -> Any:
    """A plain scalar's value, typed as the loader's resolver types it."""
    try:
        return _TYPED[text]
    except KeyError:
        pass
    value = _typed(text)
    if len(_TYPED) < 65536:
        _TYPED[text] = value
    return value


def _typed(text: str) -> Any:
    tag = next((t for t, pattern in _IMPLICIT.get(text[:1], ()) if pattern.match(text)), _STR)
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return _BOOL_VALUES[text.lower()]
    if tag == _INT and _DECIMAL.match(text) and len(text) < 4000:  # int() refuses 4,300 digits
        return int(text)
    if tag == _FLOAT and _DECIMAL_POINT.match(text):
        return float(text)
    if tag == _TIMESTAMP:
        day = _DAY.match(text)
        if day is not None:
            try:
                return dt.date(int(day.group(1)), int(day.group(2)), int(day.group(3)))
            except ValueError:
                return text  # as BoundedLoader.construct_yaml_timestamp
    raise _Unsure
