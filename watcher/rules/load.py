"""Read rule files (a folder of *.yaml, or one file), validate and compile them.

Every mistake is reported as `file:line: message`: YAML syntax, unknown keys,
wrong types, empty term lists, regexes that do not compile, and names of
channels, sources or tags that the config does not define.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from watcher.config import Config, validate_document
from watcher.config.yamlpos import Document, load_yaml
from watcher.errors import ConfigError, ConfigErrors, WatcherError
from watcher.match.engine import (
    AllNode,
    AnyNode,
    KeywordsNode,
    LanguageNode,
    Node,
    NotNode,
    NumberNode,
    RegexNode,
    SpeakerNode,
)
from watcher.rules.ruleset import Rule, RuleSet, to_example
from watcher.rules.schema import ConditionModel, RuleFileModel

RULE_SUFFIXES = (".yaml", ".yml", ".json")


def rule_files(path: Path) -> list[Path]:
    try:
        if path.is_dir():
            return sorted(p for p in path.iterdir()  # Ports.YAML too: a file skipped for its case was a rule never in force
                          if p.suffix.lower() in RULE_SUFFIXES and not p.name.startswith("."))
        if path.exists():
            return [path]
    except (OSError, ValueError) as e:  # unreadable folder, a NUL in the name
        raise WatcherError(f"{path}: cannot read the rules: {getattr(e, 'strerror', None) or e}") from None
    raise WatcherError(f"{path}: rules file or folder not found")


def load_rules(path: Path, config: Config | None = None) -> RuleSet:
    """All rules under `path`; raise ConfigErrors listing every mistake found."""
    errors: list[ConfigError] = []
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    try:
        files = rule_files(path)
    except WatcherError as e:
        if config is not None and config.rules == path:
            raise ConfigError(config.file, config.rules_line, f"rules: {e}") from None
        raise
    for file in files:
        try:
            doc = load_yaml(file, env={})
            model = validate_document(doc, RuleFileModel)
        except ConfigError as e:
            errors.append(e)
            continue
        except ConfigErrors as e:
            errors.extend(e.errors)
            continue
        for i, rm in enumerate(model.rules):
            base = ("rules", i)
            try:
                rule = _compile_rule(rm, doc, base, config)
                if not rm.enabled:
                    continue  # checked like the others, but not in force
            except ConfigErrors as e:
                errors.extend(e.errors)
                continue
            if rule.id in seen:
                errors.append(ConfigError(file, doc.line_of(base + ("id",)),
                                          f"duplicate rule id '{rule.id}' (first at {seen[rule.id].where})"))
                continue
            seen[rule.id] = rule
            rules.append(rule)
    if errors:
        raise ConfigErrors(errors)
    return RuleSet(tuple(rules))


def _compile_rule(rm: Any, doc: Document, base: tuple[Any, ...], config: Config | None) -> Rule:
    errors: list[ConfigError] = []

    def err(path: tuple[Any, ...], message: str) -> None:
        errors.append(ConfigError(doc.file, doc.line_of(base + path), message))

    node = _compile_condition(rm.match, ("match",), err)
    ids: set[str] = set()
    tags: set[str] = set()
    if rm.sources is not None:
        ids, tags = set(rm.sources.ids), set(rm.sources.tags)
        if config is not None:
            known_ids = {s.id for s in config.sources}
            known_tags = {t for s in config.sources for t in s.tags}
            for n, name in enumerate(rm.sources.ids):
                if name not in known_ids:
                    if name in known_tags:  # a plain list may name tags too
                        ids.discard(name)
                        tags.add(name)
                    else:
                        err(("sources", "ids", n), f"unknown source or tag '{name}'")
            for n, name in enumerate(rm.sources.tags):
                if name not in known_tags:
                    err(("sources", "tags", n), f"no source has the tag '{name}'")
    if config is not None:
        for n, channel in enumerate(rm.notify):
            if channel not in config.channels:
                known = ", ".join(sorted(config.channels)) or "none defined"
                err(("notify", n), f"unknown channel '{channel}' (channels: {known})")
    if errors:
        raise ConfigErrors(errors)
    examples = tuple(to_example(ex, doc.line_of(base + ("examples", n))) for n, ex in enumerate(rm.examples))
    return Rule(
        id=rm.id, title=rm.title, node=node, source_ids=frozenset(ids), source_tags=frozenset(tags),
        notify=tuple(rm.notify), once_per=rm.once_per, examples=examples, file=doc.file,
        line=doc.line_of(base), template=rm.template, updates=rm.updates,
    )


def _compile_condition(c: ConditionModel, path: tuple[Any, ...], err: Any) -> Node:
    fields = tuple(c.in_) if c.in_ else ("title", "body")
    parts: list[Node] = []

    def attempt(key: str, build: Any) -> None:
        try:
            parts.append(build())
        except ValueError as e:
            err(path + (key,), str(e))

    if c.all is not None:
        parts.append(AllNode([_compile_condition(x, path + ("all", i), err) for i, x in enumerate(c.all)]))
    if c.any is not None:
        parts.append(AnyNode([_compile_condition(x, path + ("any", i), err) for i, x in enumerate(c.any)]))
    if c.not_ is not None:
        parts.append(NotNode([_compile_condition(x, path + ("not", i), err) for i, x in enumerate(c.not_)]))
    if c.keywords is not None:
        attempt("keywords", lambda: KeywordsNode(c.keywords, fields, require_all=False))
    if c.all_keywords is not None:
        attempt("all_keywords", lambda: KeywordsNode(c.all_keywords, fields, require_all=True))
    if c.regex is not None:
        attempt("regex", lambda: RegexNode(c.regex, fields))
    if c.speaker is not None:
        attempt("speaker", lambda: SpeakerNode(c.speaker.name, c.speaker.aliases))
    if c.number is not None:
        attempt("number", lambda: NumberNode(**c.number.model_dump()))
    if c.language is not None:
        parts.append(LanguageNode(c.language))
    return parts[0] if len(parts) == 1 else AllNode(parts)
