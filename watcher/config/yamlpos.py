"""YAML loading that remembers where each value came from.

Values are built from PyYAML's node tree so every mapping key and value keeps
its line; validation errors can then say `file:line`. `${VAR}` (and
`${VAR:-default}`) in string values is replaced from the environment, at the
line it was written on.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from watcher.errors import ConfigError

Path_ = tuple[str | int, ...]
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


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
        try:
            raw = file.read_bytes()
        except OSError as e:
            raise ConfigError(file, 1, f"cannot read file: {e.strerror or e}") from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            raise ConfigError(file, line, "file is not valid UTF-8") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        problem = e.problem or e.context or "invalid YAML"
        if "\t" in problem or "found character '\\t'" in problem:
            problem += " (use spaces, not tabs, to indent)"
        raise ConfigError(file, line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as e:
        raise ConfigError(file, 1, f"invalid YAML: {e}") from None
    doc = Document(file=file, value=None)
    if node is None:
        doc.value = None
        return doc
    builder = _Builder(file, env, doc.lines)
    doc.value = builder.build(node, ())
    return doc


class _Builder:
    def __init__(self, file: Path, env: Mapping[str, str], lines: dict[Path_, int]) -> None:
        self.file = file
        self.env = env
        self.lines = lines
        self.scalars = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            self.scalars.flatten_mapping(node)  # resolves YAML merge keys (<<)
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build_scalar(key_node)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    raise ConfigError(self.file, key_node.start_mark.line + 1, "mapping keys must be plain words")
                if key in out:
                    raise ConfigError(self.file, key_node.start_mark.line + 1, f"duplicate key '{key}'")
                # the key's own line, so "unknown key" points at it
                self.lines[path + (key,)] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, path + (key,))
                self.lines[path + (key,)] = key_node.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.build_scalar(node)

    def build_scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise ConfigError(self.file, node.start_mark.line + 1, "expected a plain value here")
        value = self.scalars.construct_object(node, deep=True)
        if isinstance(value, str) and "${" in value:
            value = self.expand(value, node.start_mark.line + 1)
        return value

    def expand(self, value: str, line: int) -> str:
        def sub(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in self.env:
                return self.env[name]
            if default is not None:
                return default
            raise ConfigError(self.file, line, f"environment variable {name} is not set (used as ${{{name}}})")

        return _ENV.sub(sub, value)
