"""Rule files: every mistake is one `file:line: message` line; valid rules compile."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from watcher.config import load_config
from watcher.errors import ConfigErrors
from watcher.rules.load import load_rules

CONFIG = """\
rules: rules/
sources:
  - {id: tass, url: 'https://tass.example/rss', tags: [russia]}
  - {id: kyiv, url: 'https://kyiv.example/feed', tags: [ukraine]}
channels:
  analysts: {urls: ['json://127.0.0.1:9/hook']}
"""


def setup(tmp_path: Path, rules: str, name: str = "main.yaml") -> Path:
    (tmp_path / "rules").mkdir(exist_ok=True)
    (tmp_path / "rules" / name).write_text(rules, encoding="utf-8")
    (tmp_path / "watcher.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path / "rules" / name


def errors(tmp_path: Path) -> list[str]:
    config = load_config(tmp_path / "watcher.yaml", env={})
    with pytest.raises(ConfigErrors) as info:
        load_rules(tmp_path / "rules", config)
    return [str(e) for e in info.value.errors]


GOOD = """\
rules:
  - id: ferry-cuts
    title: Ferry timetable cuts
    sources: {tags: [russia]}
    match:
      all:
        - keywords: [ferry, "sailing timetable"]
        - any:
            - all_keywords: [cut, winter]
            - regex: 'sailings? (?:will be )?(?:cut|reduced)'
              in: [title]
      not:
        - keywords: opinion
    notify: [analysts]
    examples:
      - text: "The ferry operator said winter sailings will be cut."
        fires: true
      - text: "Opinion: the ferry cut in winter is a scandal."
        fires: false
"""


def test_valid_rules_compile(tmp_path: Path) -> None:
    setup(tmp_path, GOOD)
    rules = load_rules(tmp_path / "rules", load_config(tmp_path / "watcher.yaml", env={}))
    [rule] = rules.rules
    assert rule.id == "ferry-cuts" and rule.notify == ("analysts",) and rule.source_tags == {"russia"}
    assert rule.line == 2 and len(rule.examples) == 2 and rule.examples[1].line == 18


@pytest.mark.parametrize(
    "edit,line,message",
    [
        (("        - keywords: [ferry", "        - keywordz: [ferry"), 7, "unknown key 'keywordz'"),
        (("keywords: opinion", "keywords: []"), 13, "keywords: must not be empty"),
        (("keywords: opinion", "keywords: ['  ']"), 13, "empty term"),
        (("notify: [analysts]", "notify: [analysts, desk]"), 14, "unknown channel 'desk' (channels: analysts)"),
        (("sources: {tags: [russia]}", "sources: {tags: [belarus]}"), 4, "no source has the tag 'belarus'"),
        (("sources: {tags: [russia]}", "sources: [tass, reuters]"), 4, "unknown source or tag 'reuters'"),
        (("(?:cut|reduced)'", "(?<!no )(?:cut|reduced)'"), 10, "does not compile (RE2 syntax)"),
        (("        fires: true", "        fires: maybe"), 17, "fires: 'maybe' is not true or false"),
        (("    notify: [analysts]\n", "    notify: [analysts]\n    once_per: outlet\n"), 15, "'story' or 'article'"),
        (("      not:\n        - keywords: opinion\n", "      not:\n        - in: [title]\n"), 13, "`in` restricts"),
        (("        - keywords: [ferry", "        - language: [en, english]\n          keywords: [ferry"), 7,
         "language[1]: 'english' is not a language code"),  # it never matched an article
        # an empty list written out: `notify: []` made no alert, `tags: []` watched every source
        (("notify: [analysts]", "notify: []"), 14, "notify: must not be empty"),
        (("sources: {tags: [russia]}", "sources: {tags: []}"), 4, "sources.tags: must not be empty"),
        (("sources: {tags: [russia]}", "sources: []"), 4, "sources.ids: must not be empty"),
        (("sources: {tags: [russia]}", "sources: {}"), 4, "sources needs ids or tags"),
        (("        - keywords: [ferry", "        - speaker: {name: Ivan Petrov, aliases: []}\n          keywords: [ferry"),
         7, "speaker.aliases: must not be empty"),
        (("        - keywords: [ferry", "        - number: {gte: 5, near: []}\n          keywords: [ferry"), 7,
         "number.near: must not be empty"),
        (("    examples:\n      - text: \"The ferry operator said winter sailings will be cut.\"\n        fires: true\n"
          "      - text: \"Opinion: the ferry cut in winter is a scandal.\"\n        fires: false\n", "    examples: []\n"),
         15, "examples: must not be empty"),
    ],
)
def test_mistakes_have_file_and_line(tmp_path: Path, edit: tuple[str, str], line: int, message: str) -> None:
    text = GOOD.replace(*edit)
    assert text != GOOD
    file = setup(tmp_path, text)
    [err] = errors(tmp_path)
    assert err.startswith(f"{file}:{line}: "), err
    assert message in err


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1e400", "nan"])
def test_a_threshold_that_is_no_finite_number_is_a_mistake_not_a_crash(tmp_path: Path, value: str) -> None:
    rule = ("rules:\n  - id: cranes\n    title: Cranes\n    match:\n"
            f"      number: {{gte: {value}, near: [cranes]}}\n"
            "    examples:\n      - text: \"The port ordered 40 new cranes.\"\n        fires: true\n")
    file = setup(tmp_path, rule)
    [err] = errors(tmp_path)
    assert err.startswith(f"{file}:5: rules[0].match.number.gte: ") and "is not a finite number" in err, err
    result = run_cli("check", "--config", str(tmp_path / "watcher.yaml"))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr


def test_a_typo_is_told_the_key_as_written_even_under_not(tmp_path: Path) -> None:
    """The hint named the field (`not_`, `in_`) rather than the key, and gave none inside a `not:` list."""
    file = setup(tmp_path, GOOD.replace("      not:\n        - keywords: opinion\n",
                                        "      nott:\n        - keywords: opinion\n      not:\n        - keyword: opinion\n"
                                        "          inn: [title]\n"))
    assert sorted(errors(tmp_path)) == [
        f"{file}:12: unknown key 'nott' in rules[0].match (did you mean 'not'?)",
        f"{file}:15: unknown key 'keyword' in rules[0].match.not[0] (did you mean 'keywords'?)",
        f"{file}:16: unknown key 'inn' in rules[0].match.not[0] (did you mean 'in'?)",
    ]


def test_duplicate_ids_across_files_and_bad_yaml(tmp_path: Path) -> None:
    setup(tmp_path, GOOD, "a.yaml")
    setup(tmp_path, GOOD, "b.yaml")
    (tmp_path / "rules" / "c.yml").write_text("rules:\n  - id: x\n    title: [unclosed\n")
    errs = errors(tmp_path)
    assert any(e.startswith(f"{tmp_path / 'rules' / 'b.yaml'}:2: duplicate rule id 'ferry-cuts'") for e in errs)
    assert any(e.startswith(f"{tmp_path / 'rules' / 'c.yml'}:") and "invalid YAML" in e for e in errs)


def test_a_rule_file_named_in_capitals_is_read_not_skipped(tmp_path: Path) -> None:
    setup(tmp_path, GOOD)
    setup(tmp_path, "rules:\n  - id: cranes\n    title: Cranes\n    match: {keywords: [crane]}\n", "Ports.YAML")
    setup(tmp_path, "rules:\n  - id: old\n    title: Old\n    match: {keywords: [x]}\n", "main.yaml.prev")
    rules = load_rules(tmp_path / "rules", load_config(tmp_path / "watcher.yaml", env={}))
    assert sorted(r.id for r in rules.rules) == ["cranes", "ferry-cuts"]


def test_rule_file_written_as_json(tmp_path: Path) -> None:
    import json

    setup(tmp_path, json.dumps({"rules": [{"id": "j", "title": "J", "match": {"keywords": ["ferry"]}}]}), "j.json")
    rules = load_rules(tmp_path / "rules", None)
    assert [r.id for r in rules.rules] == ["j"]


def test_check_runs_examples_and_says_which_failed(tmp_path: Path) -> None:
    setup(tmp_path, GOOD.replace("      - text: \"Opinion: the ferry cut", "      - text: \"Comment: the ferry cut"))
    result = run_cli("check", "--config", str(tmp_path / "watcher.yaml"))
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"{tmp_path / 'rules' / 'main.yaml'}:18: rule ferry-cuts, example 2 should not fire but does")
    setup(tmp_path, GOOD)
    ok = run_cli("check", "--config", str(tmp_path / "watcher.yaml"))
    assert ok.returncode == 0, ok.stderr
    assert "1 rules, 2 examples pass" in ok.stdout


def test_check_reports_rule_errors_one_per_line(tmp_path: Path) -> None:
    setup(tmp_path, GOOD.replace("notify: [analysts]", "notify: [analysts]\n    colour: red").replace("keywords: opinion", "keywords: []"))
    result = run_cli("check", "--config", str(tmp_path / "watcher.yaml"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and all(l.startswith(str(tmp_path / "rules" / "main.yaml")) for l in lines)
    assert "Traceback" not in result.stderr
