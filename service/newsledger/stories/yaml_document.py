"""A YAML text read as plain JSON-like values, each path's line kept, within fixed bounds.

A story file is input from anyone, so reading it must end quickly and in bounded memory
whatever it holds: its size, the values it expands to through anchors and aliases, and its
nesting are capped, and every problem (syntax, bytes YAML forbids, a tag that builds no
plain value) is one `file:line: what` line, never a traceback.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

MAX_FILE_BYTES = 8 * 1024 * 1024
"""The largest story file read; a larger one is refused before it is parsed."""

MAX_VALUES = 1_000_000
"""The most values (mappings, lists and scalars) a file may expand to, aliases included."""

MAX_DEPTH = 64
"""The deepest nesting of mappings and lists, as the store allows in an event's JSON."""

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
PLAIN_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
MERGE_TAG = "tag:yaml.org,2002:merge"
PLAIN_TYPES = (str, int, bool, type(None), float)
"""Python types a scalar may become; floats are kept so the checks can name them."""

_UNREADABLE = object()
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PARENT = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")


class DocumentError(ValueError):
    """The text cannot be read as a document; `problems` lists `file:line: what` lines."""

    def __init__(self, problems: list[str]) -> None:
        """Keep every problem; the message lists them one per line."""
        super().__init__("\n".join(problems))
        self.problems = problems


class _TooBig(Exception):
    """The document expands past MAX_VALUES or nests deeper than MAX_DEPTH."""

    def __init__(self, line: int, description: str) -> None:
        super().__init__(description)
        self.line = line
        self.description = description


class Document:
    """A YAML document as plain Python values, remembering each path's line number."""

    def __init__(self, text: str, source_name: str) -> None:
        """Compose the text and convert it, collecting duplicate-key problems.

        Raises DocumentError for text that is no YAML, too large, or builds other values.
        """
        self.source_name = source_name
        self.lines: dict[str, int] = {}
        self.problems: list[str] = []
        self._values = 0
        self._constructor = yaml.SafeLoader("")
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_FILE_BYTES:
            raise DocumentError(
                [f"{source_name}:1: the file is {size} bytes; the limit is {MAX_FILE_BYTES}"]
            )
        try:
            root = yaml.compose(text, Loader=_LOADER)
            if root is not None and _expanded_size(root) > MAX_VALUES:
                raise _TooBig(1, _too_many())
            self.value = self._convert(root, "", 0) if root is not None else None
        except _TooBig as error:
            raise DocumentError([f"{source_name}:{error.line}: {error.description}"]) from None
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark is not None else 1
            what = error.problem or error.context or "not valid YAML"
            raise DocumentError([f"{source_name}:{line}: {what}"]) from None
        except yaml.YAMLError as error:  # e.g. a control byte: ReaderError has no mark
            raise DocumentError(
                [f"{source_name}:{_line_of(error, text)}: {_what(error)}"]
            ) from None
        except RecursionError:
            raise DocumentError(
                [f"{source_name}:1: nested too deeply; the limit is {MAX_DEPTH} levels"]
            ) from None

    def _count(self, node: yaml.Node, depth: int) -> None:
        self._values += 1
        line = node.start_mark.line + 1
        if self._values > MAX_VALUES:
            raise _TooBig(line, _too_many())
        if depth > MAX_DEPTH:
            raise _TooBig(line, f"nested too deeply; the limit is {MAX_DEPTH} levels")

    def _convert(self, node: yaml.Node, path: str, depth: int) -> Any:
        """Convert a node to Python, recording its line; dates stay the strings written."""
        self._count(node, depth)
        self.lines.setdefault(path, node.start_mark.line + 1)
        if not isinstance(node, yaml.ScalarNode) and node.tag not in PLAIN_COLLECTION_TAGS:
            self.problems.append(
                self.where(path, f"{node.tag} values are not allowed: write text or a number")
            )
            return None
        if isinstance(node, yaml.MappingNode):
            own_keys = [str(key.value) for key, _ in node.value if key.tag != MERGE_TAG]
            for key in sorted({key for key in own_keys if own_keys.count(key) > 1}):
                self.problems.append(self.where(f"{path}.{key}" if path else key, "duplicate key"))
            self._constructor.flatten_mapping(node)  # applies `<<: *anchor`; later keys win
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(self.where(path, "a key must be a plain name"))
                    continue
                key = str(key_node.value)
                if problem := _text_problem(key):
                    self.problems.append(self.where(path, f"a key {problem}"))
                    continue
                child = f"{path}.{key}" if path else key
                result[key] = self._convert(value_node, child, depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [
                self._convert(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(node.value)
            ]
        if node.tag == TIMESTAMP_TAG:
            return node.value
        try:
            value = self._constructor.construct_object(node, deep=True)
        except (ValueError, OverflowError):  # e.g. an integer of thousands of digits
            self.problems.append(self.where(path, "a number too long to read"))
            return None
        except yaml.YAMLError:
            value = _UNREADABLE
        if not isinstance(value, PLAIN_TYPES):
            self.problems.append(
                self.where(path, f"{node.tag} values are not allowed: write text or a number")
            )
            return None
        if isinstance(value, str) and (problem := _text_problem(value)):
            self.problems.append(self.where(path, problem))
        return value

    def where(self, path: str, description: str, label: str = "") -> str:
        """Format a problem at `path`, using the line of its nearest ancestor that exists."""
        probe = path
        while probe and probe not in self.lines:
            parent = _PARENT.sub("", probe)
            probe = "" if parent == probe else parent
        line = self.lines.get(probe, 1)
        shown = re.sub(r"^(developments\[\d+\])", rf"\1{label}", path) if label else path
        if not shown.isprintable():  # a key holding a line break or a control character
            shown = repr(shown)
        return f"{self.source_name}:{line}: {shown or 'the file'}: {description}"


def _text_problem(text: str) -> str:
    """Say what keeps text from being stored (U+0000, a lone surrogate), or return ''."""
    if "\x00" in text:
        return "contains U+0000 (NUL), which no text may hold"
    try:
        text.encode()
    except UnicodeEncodeError:
        return "contains a lone surrogate, which is not valid Unicode"
    return ""


def _too_many() -> str:
    return (
        f"the file expands to more than {MAX_VALUES} values (through anchors and aliases?); "
        "that is the limit"
    )


def _expanded_size(root: yaml.Node) -> int:
    """Return how many values the node graph expands to, each alias counted in full.

    Aliases make the graph a DAG whose expansion can be exponential in its size; counting
    each distinct node once, with its children's counts memoised, takes time linear in the
    text, so an alias bomb is refused before any of it is built.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    pending: list[tuple[yaml.Node, bool]] = [(root, False)]
    while pending:
        node, children_done = pending.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done or not children:
            open_nodes.discard(id(node))
            sizes[id(node)] = min(1 + sum(sizes[id(c)] for c in children), MAX_VALUES + 1)
            continue
        if any(id(child) in open_nodes or child is node for child in children):
            raise _TooBig(node.start_mark.line + 1, "an alias refers to a value that contains it")
        open_nodes.add(id(node))
        pending.append((node, True))
        pending.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _line_of(error: yaml.YAMLError, text: str) -> int:
    """Return the line of a reader error's position (it gives a character index)."""
    position = getattr(error, "position", None)
    return text.count("\n", 0, position) + 1 if isinstance(position, int) else 1


def _what(error: yaml.YAMLError) -> str:
    character = getattr(error, "character", None)
    if isinstance(character, str):
        return f"the character U+{ord(character):04X} is not allowed in YAML"
    return str(error).splitlines()[0] if str(error) else "not valid YAML"
