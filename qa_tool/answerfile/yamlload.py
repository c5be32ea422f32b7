"""The bounded YAML loader behind :func:`qa_tool.answerfile.read.load_front_matter`.

libyaml's C parser and a direct walk of its nodes, with duplicate-key, alias-expansion and
depth checks (see :mod:`qa_tool.answerfile.read` for the limits). A module of its own so
that a listing answered from the cache never imports PyYAML.
"""

from __future__ import annotations

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
