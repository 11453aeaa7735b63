"""Load and validate `watcher.yaml` (and files it includes) into a `Config`."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, ValidationError

from watcher.config.schema import (
    ChannelConfig,
    ConfigFile,
    Defaults,
    DeliveryConfig,
    ExtractConfig,
    HttpConfig,
    IncludedFile,
    RetentionConfig,
    ServerConfig,
    SourceConfig,
    StoriesConfig,
)
from watcher.config.database import is_url
from watcher.config.durations import format_seconds
from watcher.config.messages import in_words
from watcher.config.yamlpos import Document, load_yaml
from watcher.errors import ConfigError, ConfigErrors
from watcher.source.schedule import Timing

__all__ = ["Config", "SourceConfig", "load_config", "validate_document"]


@dataclass(frozen=True)
class Config:
    file: Path
    database: Path | str  # a SQLite file, or a postgresql:// URL as written (watcher.config.database)
    rules: Path | None
    defaults: Defaults
    sources: tuple[SourceConfig, ...]
    http: HttpConfig
    extract: ExtractConfig
    channels: Mapping[str, ChannelConfig]
    server: ServerConfig | None
    delivery: DeliveryConfig = DeliveryConfig()
    retention: RetentionConfig = RetentionConfig()
    stories: StoriesConfig = StoriesConfig()
    rules_line: int = 1  # where `rules:` is written, for errors about the path
    server_line: int = 1  # where `server.listen:` is written, for `watcher check` on the console's address
    warnings: tuple[ConfigError, ...] = ()  # allowed but unwise (e.g. polling more than once a minute), file:line

    def interval(self, source: SourceConfig) -> float:
        return source.interval or self.defaults.interval

    def timeout(self, source: SourceConfig) -> float:
        return source.timeout or self.defaults.timeout

    def timing(self, source: SourceConfig) -> Timing:
        d = self.defaults
        return Timing(
            interval=self.interval(source),
            adaptive=d.adaptive if source.adaptive is None else source.adaptive,
            min_interval=source.min_interval or d.min_interval,
            max_interval=source.max_interval or d.max_interval,
        )


def load_config(file: str | Path, env: Mapping[str, str] | None = None) -> Config:
    """Read, expand and validate a config; raise ConfigErrors listing every mistake."""
    path = Path(file)
    doc = load_yaml(path, env)
    if doc.value is None:
        doc.value = {}
    parsed = validate_document(doc, ConfigFile)
    base = path.resolve().parent
    sources: list[tuple[SourceConfig, Document, int]] = [
        (s, doc, i) for i, s in enumerate(parsed.sources)
    ]
    errors: list[ConfigError] = []
    for i, name in enumerate(parsed.include):
        inc_path = _resolve(base, name)
        try:
            inc_doc = load_yaml(inc_path, env)
            if inc_doc.value is None:
                continue
            inc = validate_document(inc_doc, IncludedFile)
        except ConfigError as e:
            if "cannot read file" in e.message:
                e = ConfigError(path, doc.line_of(("include", i)), f"included file {name}: {e.message}")
            errors.append(e)
            continue
        except ConfigErrors as e:
            errors.extend(e.errors)
            continue
        sources.extend((s, inc_doc, j) for j, s in enumerate(inc.sources))
    seen: dict[str, tuple[Document, int]] = {}
    warnings = _short_intervals(doc, ("defaults",), "defaults", parsed.defaults)
    for source, sdoc, j in sources:
        warnings += _short_intervals(sdoc, ("sources", j), f"sources[{j}]", source)
        if source.id in seen:
            first_doc, first_j = seen[source.id]
            where = f"{first_doc.file}:{first_doc.line_of(('sources', first_j, 'id'))}"
            errors.append(
                ConfigError(sdoc.file, sdoc.line_of(("sources", j, "id")), f"duplicate source id '{source.id}' (first at {where})")
            )
        else:
            seen[source.id] = (sdoc, j)
        low = source.min_interval or parsed.defaults.min_interval
        high = source.max_interval or parsed.defaults.max_interval
        if low > high:
            key = "min_interval" if source.min_interval else "max_interval"
            errors.append(ConfigError(sdoc.file, sdoc.line_of(("sources", j, key)),
                                      f"sources[{j}].{key}: min_interval ({low:g}s) is longer than max_interval ({high:g}s)"))
    admin = parsed.delivery.admin
    if "admin" in parsed.delivery.model_fields_set and admin is not None and admin not in parsed.channels:
        # written out, it is meant: a typo here sent every "channel failing" and "alert dead" notice nowhere
        hint = difflib.get_close_matches(admin, list(parsed.channels), n=1)
        errors.append(ConfigError(path, doc.line_of(("delivery", "admin")),
                                  f"delivery.admin: no channel is named '{admin}' "
                                  + (f"(did you mean '{hint[0]}'?)" if hint else
                                     f"(channels: {', '.join(sorted(parsed.channels)) or 'none defined'})")))
    if errors:
        raise ConfigErrors(errors)
    return Config(
        file=path,
        database=parsed.database if is_url(parsed.database) else _resolve(base, parsed.database),
        rules=_resolve(base, parsed.rules) if parsed.rules else None,
        rules_line=doc.line_of(("rules",)),
        server_line=doc.line_of(("server", "listen")),
        defaults=parsed.defaults,
        sources=tuple(s for s, _, _ in sources),
        http=parsed.http,
        extract=parsed.extract,
        channels=dict(parsed.channels),
        server=parsed.server,
        delivery=parsed.delivery,
        retention=parsed.retention,
        stories=parsed.stories,
        warnings=tuple(sorted(warnings, key=lambda w: (w.file != str(path), w.file, w.line))),
    )


SHORT_INTERVAL = 60.0  # seconds: polling more often than this is allowed, with a warning


def _short_intervals(doc: Document, path: tuple[str | int, ...], name: str, timing: Any) -> list[ConfigError]:
    return [
        ConfigError(doc.file, doc.line_of(path + (key,)),
                    f"warning: {name}.{key}: {format_seconds(value)} is shorter than a minute; "
                    "polling this often may get watcher blocked")
        for key in ("interval", "min_interval", "max_interval")
        if (value := getattr(timing, key)) is not None and value < SHORT_INTERVAL
    ]


def _resolve(base: Path, name: str) -> Path:
    p = Path(os.path.expanduser(name))
    return p if p.is_absolute() else base / p


def validate_document(doc: Document, model: type[BaseModel]) -> Any:
    """Validate `doc.value` against `model`; map pydantic errors to `file:line` lines."""
    try:
        return model.model_validate(doc.value)
    except ValidationError as e:
        errors = [_to_config_error(doc, err, model) for err in e.errors()]
        raise ConfigErrors(sorted(errors, key=lambda err: err.line)) from None


def _to_config_error(doc: Document, err: Any, model: type[BaseModel]) -> ConfigError:
    loc = tuple(err["loc"])
    # pydantic adds the tag of a union branch (e.g. 'function-after[...]') to loc; drop it
    loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in {"str", "int", "float", "bool"})))
    where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
    kind = err["type"]
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):  # a model's, a dataclass's (SourceConfig)
        key = loc[-1] if loc else "?"
        parent = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc[:-1]).replace(".[", "[")
        msg = f"unknown key '{key}'" + (f" in {parent}" if parent else "")
        hint = difflib.get_close_matches(str(key), _known_keys(model, loc[:-1]), n=1)
        if hint:
            msg += f" (did you mean '{hint[0]}'?)"
    elif kind == "missing":
        msg = f"{where}: required key is missing"
    else:
        text = in_words(err) or str(err.get("msg", "invalid value"))
        text = text.removeprefix("Value error, ")
        msg = f"{where}: {text}" if where else text
    return ConfigError(doc.file, doc.line_of(loc), msg)


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Keys of the (nested) model at `loc` as a file writes them (`not`, not the field `not_`), for 'did you
    mean' hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = {_key(name, info): info for name, info in _fields(current).items()}
        if part not in fields:
            return []
        current = _inner_model(fields[part].annotation)
        if current is None:
            return []
    return [_key(name, info) for name, info in _fields(current).items()]


def _key(name: str, info: Any) -> str:
    return getattr(info, "alias", None) or name


def _fields(model: Any) -> dict[str, Any]:
    """The fields of a pydantic model or a pydantic dataclass (none for anything else)."""
    return getattr(model, "__pydantic_fields__", None) or {}


def _inner_model(ann: Any) -> Any:
    if isinstance(ann, type) and _fields(ann):
        return ann
    for arg in getattr(ann, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
