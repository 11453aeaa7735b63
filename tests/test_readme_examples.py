"""The README's YAML examples, each loaded by watcher's own loaders and checked as `watcher check` checks a setup.

Every ```yaml block of README.md (and of any Markdown file under deploy/) is one test case, named by the
file and the line of its opening fence. A block is classified by what it holds (indented blocks are dedented
first) and checked in every place it fits:

- a rule file: a mapping whose `rules:` is a list. Loaded by the rule loader under a config that defines the
  channels, source ids and tags it names (whether those match the README's own config example is
  `test_the_readme_rules_fit_the_readme_config`); its inline `examples` must come out as written and its
  templates must render, as in `watcher check`.
- a config: a mapping whose keys are all top-level config keys (`database`, `sources`, `channels`, ...). Every
  key has a default, so a fragment such as one `channels:` map is a whole config as it stands. Loaded by the
  config loader with `${VAR}`s set and the files it names (`rules:`, `include:`) created beside it.
- a rule fragment: a mapping whose keys are all keys of one rule (`template:`, `notify:`, `match:`, ...).
  Placed into a rule that lacks only what the fragment lacks; that rule's match has a keyword, a speaker and
  a number clause so a template may use any value, and it notifies a console channel so its template is rendered.
- a channel fragment: a mapping whose keys are all keys of one channel (`urls:`, `template:`, `digest:`, ...).
  Placed under `channels:` (with a console URL if it has none) and notified by such a rule.
- a source or a list of sources: mappings whose keys are all keys of a source. Placed under `sources:`.

A block that fits nowhere fails, so a new example cannot go untested, unless the line before its fence is
`<!-- not-tested: reason -->` (for YAML that is not watcher input, e.g. a compose file). Mistakes are shown at
their README line.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from watcher.alert.check import template_mistakes
from watcher.config import load_config
from watcher.config.schema import ChannelConfig, ConfigFile, SourceConfig
from watcher.errors import ConfigErrors, WatcherError
from watcher.rules.load import load_rules
from watcher.rules.ruleset import example_failures
from watcher.rules.schema import RuleModel

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARKER = re.compile(r"^<!--\s*not-tested:\s*(\S.*?)\s*-->$")
ENV_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")  # without a `:-default`, so it must be set
# stand-ins for the secrets the examples read from the environment, in the shape their services accept
ENV_SAMPLES = {"TG_TOKEN": "123456789:AAFakeTokenForTests", "TG_CHAT": "-1001"}
# the rule a fragment is placed into: every kind of value a template may use can be in its alerts
FRAGMENT_RULE = {
    "id": "readme-fragment",
    "title": "README fragment",
    "notify": ["readme"],
    "match": {"all": [{"keywords": ["harbour"]}, {"speaker": {"name": "Ana Ruiz"}}, {"number": {"gte": 1}}]},
}
FRAGMENT_SOURCE = {"id": "readme-source", "url": "https://news.example.org/feed"}
CONSOLE = {"urls": ["console://"]}


@dataclass(frozen=True)
class Block:
    doc: Path
    line: int  # of the opening fence; the block's first line is line + 1
    text: str  # dedented
    skip: str | None  # the reason of a not-tested marker

    @property
    def where(self) -> str:
        return f"{self.doc.name}:{self.line}"


def yaml_blocks(doc: Path) -> list[Block]:
    """Every ```yaml (or ```yml) block of a Markdown file, in order."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    blocks = []
    for i, line in enumerate(lines):
        if line.strip() not in ("```yaml", "```yml"):
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "```"), None)
        assert end is not None, f"{doc.name}:{i + 1}: the ```yaml block is never closed"
        before = next((p.strip() for p in reversed(lines[:i]) if p.strip()), "")
        marker = MARKER.match(before)
        text = textwrap.dedent("\n".join(lines[i + 1:end])) + "\n"
        blocks.append(Block(doc, i + 1, text, marker.group(1) if marker else None))
    return blocks


def example_docs() -> list[Path]:
    return [README, *sorted((ROOT / "deploy").rglob("*.md"))]


def _fits(value: Any, model: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= set(model.__pydantic_fields__)  # a model's or a pydantic dataclass's


def kinds(value: Any) -> list[str]:
    """The places a parsed block fits; a rule file or a config is only that."""
    if isinstance(value, dict) and isinstance(value.get("rules"), list):
        return ["rule file"]
    if _fits(value, ConfigFile):
        return ["config"]
    found = [kind for kind, model in (("rule", RuleModel), ("channel", ChannelConfig)) if _fits(value, model)]
    sources = value if isinstance(value, list) else [value]
    if sources and all(_fits(s, SourceConfig) for s in sources):
        found.append("source")
    return found


def _indented(text: str, by: int) -> str:
    return textwrap.indent(text, " " * by)


def _strings(value: Any) -> list[str]:
    """A name or a list of names as written (anything else: none; the loader reports it)."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _names(rules: list[Any]) -> dict[str, Any]:
    """A config defining the channels, source ids and tags a rule file names."""
    channels, ids, tags = set(), set(), set()
    for rule in (r for r in rules if isinstance(r, dict)):
        channels.update(_strings(rule.get("notify")))
        sources = rule.get("sources")
        sources = sources if isinstance(sources, dict) else {"ids": sources}
        ids.update(_strings(sources.get("ids")))
        tags.update(_strings(sources.get("tags")))
    listed = [{"id": i, "url": f"https://{i}.example.org/feed"} for i in sorted(ids)]
    if tags:
        listed.append({"id": "readme-tagged", "url": "https://tagged.example.org/feed", "tags": sorted(tags)})
    return {"channels": {c: CONSOLE for c in sorted(channels)}, "sources": listed}


def _setup(kind: str, block: Block, value: Any, folder: Path) -> tuple[Path, Path, int]:
    """Write a config (and its rules) in `folder` holding the block; return the config, the file the block is
    in and the number of lines written before the block's first line in that file."""
    folder.mkdir(parents=True)
    config = folder / "watcher.yaml"
    if kind == "config":
        config.write_text(block.text, encoding="utf-8")
        for name in _strings(value.get("include")):
            (folder / name).write_text("sources: []\n", encoding="utf-8")
        for name in _strings(value.get("rules")):  # a folder (left empty) or one file (one rule notifying no one)
            if name.endswith("/") or Path(name).suffix not in (".yaml", ".yml", ".json"):
                (folder / name).mkdir(parents=True, exist_ok=True)
            else:
                rule = {k: v for k, v in FRAGMENT_RULE.items() if k != "notify"}
                (folder / name).write_text(yaml.safe_dump({"rules": [rule]}), encoding="utf-8")
        return config, config, 0
    if kind == "rule file":
        rules_file = folder / "rules.yaml"
        rules_file.write_text(block.text, encoding="utf-8")
        config.write_text(yaml.safe_dump({"rules": "rules.yaml", **_names(value["rules"])}), encoding="utf-8")
        return config, rules_file, 0
    rules_file = folder / "rules.yaml"
    if kind == "rule":
        head = "rules:\n" + _item({k: v for k, v in FRAGMENT_RULE.items() if k not in value}, 2)
        rules_file.write_text(head + _indented(block.text, 4), encoding="utf-8")
        names = _names([{**FRAGMENT_RULE, **value}])
        config.write_text(yaml.safe_dump({"rules": "rules.yaml", **names}), encoding="utf-8")
        return config, rules_file, head.count("\n")
    rules_file.write_text(yaml.safe_dump({"rules": [FRAGMENT_RULE]}), encoding="utf-8")
    head = "rules: rules.yaml\n"
    if kind == "channel":
        head += "channels:\n  readme:\n" + ("" if "urls" in value else _indented(yaml.safe_dump(CONSOLE), 4))
        config.write_text(head + _indented(block.text, 4), encoding="utf-8")
        return config, config, head.count("\n")
    head += "channels: {readme: {urls: ['console://']}}\nsources:\n"
    if isinstance(value, list):
        config.write_text(head + _indented(block.text, 2), encoding="utf-8")
    else:
        head += _item({k: v for k, v in FRAGMENT_SOURCE.items() if k not in value}, 2)
        config.write_text(head + _indented(block.text, 4), encoding="utf-8")
    return config, config, head.count("\n")


def _item(keys: dict[str, Any], indent: int) -> str:
    """The start of one list item holding `keys`; the fragment follows, indented by `indent` + 2."""
    return " " * indent + "-\n" + _indented(yaml.safe_dump(keys, sort_keys=False) if keys else "", indent + 2)


def watcher_check(config_file: Path, env: dict[str, str]) -> tuple[list[str], int]:
    """What `watcher check` says of this setup: one `file:line: message` per mistake or failing example
    (none when it is valid), and the number of rules in force."""
    try:
        config = load_config(config_file, env)
        if config.rules is None:
            return [], 0
        rules = load_rules(config.rules, config)
    except ConfigErrors as e:
        return [str(err) for err in e.errors], 0
    except WatcherError as e:
        return [str(e)], 0
    return template_mistakes(rules, config) + example_failures(rules), len(rules)


def at_doc_line(message: str, holder: Path, block: Block, offset: int = 0) -> str:
    """`message` with `holder:N` (line N of the file the block was written to, after `offset` lines of
    wrapping) replaced by the line of the Markdown file it comes from."""
    at = re.compile(re.escape(str(holder)) + r":(\d+)")
    return at.sub(lambda n: f"{block.doc.name}:{block.line + int(n[1]) - offset}", message)


def check_block(block: Block, tmp_path: Path) -> list[str]:
    """The mistakes watcher finds in one example, at their line in the Markdown file; [] when it is valid."""
    try:
        value = yaml.safe_load(block.text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{block.doc.name}:{block.line + mark.line + 1}" if mark else block.where
        return [f"{where}: not YAML: {getattr(e, 'problem', None) or e}"]
    found = kinds(value)
    if not found:
        keys = ", ".join(map(str, value)) if isinstance(value, dict) else type(value).__name__
        return [f"{block.where}: not a watcher config, rule file, rule, channel or source ({keys}); "
                "put <!-- not-tested: reason --> before it if it is not watcher input"]
    env = {name: ENV_SAMPLES.get(name, "example") for name in ENV_VAR.findall(block.text)}
    problems = []
    for kind in found:
        config, holder, offset = _setup(kind, block, value, tmp_path / kind.replace(" ", "-"))
        mistakes, in_force = watcher_check(config, env)
        problems += [f"{kind}: {at_doc_line(m, holder, block, offset)}" for m in mistakes]
        if kind == "rule file" and not mistakes and in_force != len(value["rules"]):
            problems.append(f"{block.where}: {in_force} of {len(value['rules'])} rules in force")
    return problems


BLOCKS = [b for doc in example_docs() for b in yaml_blocks(doc)]


def test_the_readme_has_yaml_examples() -> None:
    readme = [b for b in BLOCKS if b.doc == README]
    assert len(readme) >= 3, f"found {len(readme)} ```yaml blocks in README.md; did the fence reader break?"


@pytest.mark.parametrize(
    "block",
    [pytest.param(b, id=f"{b.doc.relative_to(ROOT)}:{b.line}",
                  marks=[pytest.mark.skip(reason=f"not-tested: {b.skip}")] if b.skip else []) for b in BLOCKS],
)
def test_yaml_example(block: Block, tmp_path: Path) -> None:
    assert check_block(block, tmp_path) == []


def test_the_readme_rules_fit_the_readme_config(tmp_path: Path) -> None:
    """A user who copies the README's config and its rule files gets a setup `watcher check` accepts."""
    configs = [b for b in BLOCKS if b.doc == README and kinds(yaml.safe_load(b.text)) == ["config"]]
    rule_files = [b for b in BLOCKS if b.doc == README and kinds(yaml.safe_load(b.text)) == ["rule file"]]
    assert configs and rule_files, "the README should show a config and a rule file"
    full = max(configs, key=lambda b: len(b.text))
    value = yaml.safe_load(full.text)
    config, _, _ = _setup("config", full, value, tmp_path / "setup")
    rules = config.parent / value["rules"]
    rules.mkdir(parents=True, exist_ok=True)
    for n, block in enumerate(rule_files):
        (rules / f"readme-{n}.yaml").write_text(block.text, encoding="utf-8")
    env = {name: ENV_SAMPLES.get(name, "example") for name in ENV_VAR.findall(full.text)}
    mistakes, in_force = watcher_check(config, env)
    for n, block in enumerate(rule_files):
        mistakes = [at_doc_line(m, rules / f"readme-{n}.yaml", block) for m in mistakes]
    assert [at_doc_line(m, config, full) for m in mistakes] == []
    assert in_force == sum(len(yaml.safe_load(b.text)["rules"]) for b in rule_files)


def _copy(tmp_path: Path, change: Any) -> list[Block]:
    """The yaml blocks of a copy of README.md changed by `change(blocks, text) -> text`."""
    text = README.read_text(encoding="utf-8")
    changed = change(yaml_blocks(README), text)
    assert changed != text, "the change did not apply to today's README"
    copy = tmp_path / "README.md"
    copy.write_text(changed, encoding="utf-8")
    return yaml_blocks(copy)


def _in_block(kind: str, edit: Any) -> Any:
    """A change that edits the first README block of this kind (its dedented text, put back in place)."""
    def change(blocks: list[Block], text: str) -> str:
        block = next(b for b in blocks if kind in kinds(yaml.safe_load(b.text)))
        lines = text.splitlines(keepends=True)
        end = block.line + block.text.count("\n")
        indent = re.match(r" *", lines[block.line]).group()
        return "".join(lines[:block.line]) + _indented(edit(block.text), len(indent)) + "".join(lines[end:])
    return change


FLIP_EXAMPLES = _in_block("rule file", lambda t: re.sub(r"fires: (true|false)",
                                                         lambda m: f"fires: {m[1] != 'true'}".lower(), t))
BAD_INTERVAL = _in_block("config", lambda t: re.sub(r"(?m)^( +)interval: \S+", r"\1interval: soon", t, count=1))
BAD_TEMPLATE = _in_block("rule", lambda t: t.replace("{{", "{{ 1 +", 1))
COMPOSE = "\n```yaml\nservices: {watcher: {image: watcher}}\n```\n"


@pytest.mark.parametrize(("change", "expected"), [
    (FLIP_EXAMPLES, ["rule file: README.md:{line}: rule ", "example 1 should not fire but does",
                     "example 2 should fire but does not"]),
    (BAD_INTERVAL, ["config: README.md:{line}: sources[0].interval: "]),
    (BAD_TEMPLATE, ["rule: README.md:{line}: rule readme-fragment:",
                    "channel: README.md:{line}: channel readme with rule readme-fragment:"]),
    (lambda blocks, text: text + COMPOSE,
     ["README.md:{line}: not a watcher config, rule file, rule, channel or source (services)"]),
], ids=["rule-examples-flipped", "config-bad-interval", "template-broken", "unmarked-compose-file"])
def test_a_broken_example_fails_at_its_line(change: Any, expected: list[str], tmp_path: Path) -> None:
    """Checked on a changed copy of the README: each broken block fails, naming its README line."""
    before = {(b.line, b.text) for b in yaml_blocks(README)}
    after = _copy(tmp_path, change)
    broken = [b for b in after if (b.line, b.text) not in before]
    assert len(broken) == 1, [b.where for b in broken]
    problems = "\n".join(check_block(broken[0], tmp_path / "check"))
    assert problems, f"{broken[0].where} passed although it was broken:\n{broken[0].text}"
    lines = broken[0].doc.read_text(encoding="utf-8").splitlines()
    for line in {int(n) for n in re.findall(r"README\.md:(\d+)", problems)}:
        assert broken[0].line <= line <= broken[0].line + broken[0].text.count("\n"), (line, problems)
        assert lines[line - 1].strip(), f"line {line} is blank: {problems}"
    for part in expected:
        assert re.search(re.escape(part).replace(r"\{line\}", r"\d+"), problems), problems


def test_a_marked_block_is_skipped_and_a_marker_needs_a_reason(tmp_path: Path) -> None:
    marked = _copy(tmp_path, lambda blocks, text: text + "\n<!-- not-tested: a compose file -->" + COMPOSE)[-1]
    assert marked.skip == "a compose file"
    bare = _copy(tmp_path, lambda blocks, text: text + "\n<!-- not-tested: -->" + COMPOSE)[-1]
    assert bare.skip is None and check_block(bare, tmp_path / "check")


@pytest.mark.parametrize(("text", "kind", "mistakes"), [
    ("urls: ['console://']\ndigest: hourly\nformat: html\n", ["channel"], []),
    ("template: '{{ title }'\n", ["rule", "channel"],
     ["rule: guide.md:4: rules[0].template: template error",
      "channel: guide.md:4: channels.readme.template: template error"]),
    ("notify: [desk]\nonce_per: article\nsources: {tags: [russia]}\n", ["rule"], []),
    ("interval: 10m\ntags: [ukraine]\n", ["source"], []),
    ("- id: a\n  url: https://a.example.org/feed\n- id: b\n  url: ftp://b.example.org/\n", ["source"],
     ["source: guide.md:7: sources[1].url: 'ftp://b.example.org/' is not an http(s) URL"]),
    ("channels: {desk: {urls: ['json://127.0.0.1:9/hook']}}\nrules: rules.yaml\n", ["config"], []),
    ("rules:\n  - id: x\n    title: X\n    match: {keywords: [a]}\n    notify: [desk]\n", ["rule file"], []),
    ("database: [a, b]\n", ["config"], ["config: guide.md:4: database: should be text (it is a list)"]),
], ids=["channel", "template-for-rule-and-channel", "rule-keys", "source", "sources", "config-fragment",
        "rule-file", "bad-config"])
def test_each_kind_of_block_is_placed_and_checked(text: str, kind: list[str], mistakes: list[str],
                                                   tmp_path: Path) -> None:
    doc = tmp_path / "guide.md"
    doc.write_text(f"# A guide\n\n```yaml\n{text}```\n", encoding="utf-8")
    [block] = yaml_blocks(doc)
    assert kinds(yaml.safe_load(block.text)) == kind
    problems = check_block(block, tmp_path / "check")
    assert len(problems) == len(mistakes) and all(p.startswith(m) for p, m in zip(problems, mistakes)), problems
