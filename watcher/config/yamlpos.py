"""YAML loading that remembers where each value came from, within fixed bounds.

Values are built straight from the parser's events (libyaml when present), so
every mapping key and value keeps its line and validation errors can say
`file:line`. `${VAR}` (and `${VAR:-default}`) in string values is replaced
from the environment, at the line it was written on.

A config or rule file is small and written by hand, so the loader refuses
what only an attack or an accident makes: files over MAX_BYTES, nesting
deeper than MAX_DEPTH, aliases that expand past MAX_ALIAS_VALUES values or
ALIAS_RATIO times what the file itself holds (a "billion laughs" file would
need gigabytes), an alias inside the value it names, more than one document,
and tags other than the plain YAML types (`!!python/object` and the like).
Nothing recurses, so no input can exhaust the stack.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from watcher.errors import ConfigError

Path_ = tuple[str | int, ...]
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

MAX_BYTES = 2 * 1024 * 1024  # a config with ~20,000 sources; parsing it takes well under 300 MB
MAX_DEPTH = 64  # nested mappings and lists; rules nest conditions a few levels deep
MAX_ALIAS_VALUES = 100_000  # values aliases may add to a file, whatever its size...
ALIAS_RATIO = 10  # ...or this many times the values written in the file, if more

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the same events, several times faster
_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MAP_TAGS = {None, "!", _YAML + "map"}
_SEQ_TAGS = {None, "!", _YAML + "seq"}


@dataclass
class Document:
    """A loaded YAML file: its value plus the line of every path in it."""

    file: Path
    value: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """Line of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def load_yaml(
    file: Path, env: Mapping[str, str] | None = None, text: str | None = None
) -> Document:
    env = os.environ if env is None else env
    if text is None:
        text = read_text(file)
    elif len(text) > MAX_BYTES:
        raise ConfigError(file, 1, f"file is larger than {MAX_BYTES // 1024 // 1024} MiB")
    doc = Document(file=file, value=None)
    try:
        doc.value = _Builder(file, env, doc.lines).build(yaml.parse(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = min(mark.line + 1, text.count("\n") + 1 - text.endswith("\n")) if mark else 1  # the end, not past it
        problem = e.problem or e.context or "invalid YAML"
        if "\t" in problem or "found character '\\t'" in problem or (
            "cannot start any token" in problem and _tab_at(text, mark)
        ):
            problem += " (use spaces, not tabs, to indent)"
        raise ConfigError(file, line, f"invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as e:
        raise ConfigError(file, _line_at(text, e.position), f"invalid YAML: {_reader_problem(e)}") from None
    except (yaml.YAMLError, UnicodeError) as e:
        raise ConfigError(file, 1, f"invalid YAML: {e}") from None
    return doc


def read_text(file: Path) -> str:
    """The file as text: at most MAX_BYTES of UTF-8 (a leading BOM is dropped)."""
    try:
        with open(file, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except (OSError, ValueError) as e:  # ValueError: a NUL in the name
        raise ConfigError(file, 1, f"cannot read file: {getattr(e, 'strerror', None) or e}") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(file, 1, f"file is larger than {MAX_BYTES // 1024 // 1024} MiB")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ConfigError(file, line, "file is not valid UTF-8") from None


def _line_at(text: str, position: int) -> int:
    # libyaml counts bytes of UTF-8, PyYAML's own reader characters
    before = text.encode("utf-8", "surrogatepass")[:position] if _LOADER is not yaml.SafeLoader else text[:position]
    return before.count(b"\n" if isinstance(before, bytes) else "\n") + 1


def _reader_problem(e: yaml.reader.ReaderError) -> str:
    char = e.character
    code = ord(char) if isinstance(char, str) else char
    return f"character {code:#06x} is not allowed (control characters other than tab and newline)"


def _tab_at(text: str, mark: Any) -> bool:
    lines = text.splitlines()
    return bool(mark) and mark.line < len(lines) and lines[mark.line][mark.column: mark.column + 1] == "\t"


class _Open:
    """A mapping or list being built: its value, where it goes, and what it has cost so far."""

    __slots__ = ("value", "path", "anchor", "size", "depth", "key", "key_line", "merges")

    def __init__(self, value: dict[Any, Any] | list[Any], path: Path_, anchor: str | None) -> None:
        self.value = value
        self.path = path
        self.anchor = anchor
        self.size = 1  # values in it, aliases expanded
        self.depth = 1  # levels below and including it, aliases expanded
        self.key: Any = _NO_KEY
        self.key_line = 0
        self.merges: list[dict[Any, Any]] = []


_NO_KEY = object()
_MERGE = object()


class _Builder:
    def __init__(self, file: Path, env: Mapping[str, str], lines: dict[Path_, int]) -> None:
        self.file = file
        self.env = env
        self.lines = lines
        self.resolver = Resolver()
        self.constructor = SafeConstructor()
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # name -> (value, size, depth)
        self.stack: list[_Open] = []
        self.written = 0  # values written in the file
        self.aliased = 0  # values added by aliases
        self.root: Any = None
        self.documents = 0

    def fail(self, event: Any, message: str) -> ConfigError:
        return ConfigError(self.file, event.start_mark.line + 1, message)

    def build(self, events: Iterable[yaml.Event]) -> Any:
        for event in events:
            if isinstance(event, yaml.ScalarEvent):
                self.written += 1
                self.add(event, self.scalar(event), 1, 0)
            elif isinstance(event, yaml.AliasEvent):
                self.alias(event)
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                self.start(event)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                self.end(event)
            elif isinstance(event, yaml.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    raise self.fail(event, "a second YAML document ('---'); a file holds one")
        return self.root

    # -- values -------------------------------------------------------------
    def scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _YAML + "merge" and self.expecting_key():
            return _MERGE
        if tag == _YAML + "value":  # '=' as a key is just the word
            tag = _YAML + "str"
        if tag not in _SCALAR_TAGS:
            raise self.fail(event, f"tag {_short(tag)} is not allowed (plain YAML values only)")
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = SafeConstructor.yaml_constructors[tag](self.constructor, node)
        except (yaml.YAMLError, ValueError, TypeError, AttributeError, OverflowError) as e:
            raise self.fail(event, f"'{_clip(event.value)}' is not a valid {_short(tag)} ({_clip(str(e))})") from None
        if isinstance(value, str) and "${" in value:
            value = self.expand(value, event.start_mark.line + 1)
        return value

    def alias(self, event: yaml.AliasEvent) -> None:
        if event.anchor not in self.anchors:
            raise self.fail(event, f"alias *{event.anchor} names no anchor before it (or the value that contains it)")
        value, size, depth = self.anchors[event.anchor]
        self.aliased += size
        if self.aliased > max(MAX_ALIAS_VALUES, ALIAS_RATIO * self.written):
            raise self.fail(event, f"aliases expand to more than {max(MAX_ALIAS_VALUES, ALIAS_RATIO * self.written):,} "
                                   "values (an alias bomb?)")
        if len(self.stack) + depth > MAX_DEPTH:
            raise self.fail(event, f"alias *{event.anchor} nests values more than {MAX_DEPTH} levels deep")
        self.add(event, value, size, depth)

    def start(self, event: yaml.CollectionStartEvent) -> None:
        is_map = isinstance(event, yaml.MappingStartEvent)
        if event.tag not in (_MAP_TAGS if is_map else _SEQ_TAGS):
            raise self.fail(event, f"tag {_short(event.tag)} is not allowed (plain YAML values only)")
        if self.expecting_key():
            raise self.fail(event, "mapping keys must be plain words")
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(event, f"values nested more than {MAX_DEPTH} levels deep")
        self.written += 1
        path = self.child_path()
        self.lines.setdefault(path, event.start_mark.line + 1)
        self.stack.append(_Open({} if is_map else [], path, event.anchor))

    def end(self, event: yaml.CollectionEndEvent) -> None:
        done = self.stack.pop()
        value = done.value
        if done.merges:  # explicit keys win over merged ones, and earlier merges over later ones
            merged: dict[Any, Any] = {}
            for m in reversed(done.merges):
                merged.update(m)
            merged.update(value)
            value = merged
        if done.anchor is not None:
            self.anchors[done.anchor] = (value, done.size, done.depth)
        self.add(event, value, done.size, done.depth)

    def add(self, event: yaml.Event, value: Any, size: int, depth: int) -> None:
        """Put a finished value in the open mapping or list (or make it the document)."""
        if isinstance(event, yaml.ScalarEvent) and event.anchor is not None:
            self.anchors[event.anchor] = (value, 1, 0)
        if not self.stack:
            self.root = value
            return
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            self.lines.setdefault(parent.path + (len(parent.value),), event.start_mark.line + 1)
            parent.value.append(value)
        elif parent.key is _NO_KEY:
            self.key(parent, event, value)
            return
        elif parent.key is _MERGE:
            parent.merges.extend(self.mergeable(event, value))
            parent.key = _NO_KEY
        else:
            self.lines[parent.path + (parent.key,)] = parent.key_line  # the key's line, so errors point at it
            parent.value[parent.key] = value
            parent.key = _NO_KEY
        parent.size += size
        parent.depth = max(parent.depth, depth + 1)

    def key(self, parent: _Open, event: yaml.Event, key: Any) -> None:
        line = event.start_mark.line + 1
        if key is not _MERGE:
            if key is None or not isinstance(key, (str, int, float, bool)):
                raise ConfigError(self.file, line, "mapping keys must be plain words")
            if key in parent.value:
                raise ConfigError(self.file, line, f"duplicate key '{_clip(str(key))}'")
            if isinstance(key, str):
                key = sys.intern(key)  # one string for the `id:` of 10,000 sources, not 10,000
        parent.key, parent.key_line = key, line

    def mergeable(self, event: yaml.Event, value: Any) -> list[dict[Any, Any]]:
        if isinstance(value, dict):
            return [value]
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return list(value)
        raise self.fail(event, "'<<' merges a mapping or a list of mappings")

    def expecting_key(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1].value, dict) and self.stack[-1].key is _NO_KEY

    def child_path(self) -> Path_:
        if not self.stack:
            return ()
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            return parent.path + (len(parent.value),)
        if parent.key is _MERGE:
            return parent.path
        return parent.path + (parent.key,)

    def expand(self, value: str, line: int) -> str:
        def sub(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in self.env:
                return self.env[name]
            if default is not None:
                return default
            raise ConfigError(self.file, line, f"environment variable {name} is not set (used as ${{{name}}})")

        return _ENV.sub(sub, value)


def _short(tag: str | None) -> str:
    return "!!" + tag[len(_YAML):] if tag and tag.startswith(_YAML) else str(tag)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
