"""`number: {..., when: crosses}`: one alert when the number becomes true, re-armed as configured.

The decision is a pure step over values (table tests); the kept values are tested through a real watched
page on a local server, a real webhook receiver, `watcher check` and `watcher replay`."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_config
from tests.receivers import WebhookReceiver
from tests.webserver import Route, WebServer
from watcher.config import load_config
from watcher.match.article import ArticleText
from watcher.match.threshold import CrossSpec, Level, step
from watcher.rules.crossings import settle
from watcher.rules.load import load_rules
from watcher.rules.ruleset import RuleSet
from watcher.run.crossing import article_subject
from watcher.run.daemon import run_once


def fires(spec: CrossSpec, values: list[float]) -> list[float]:
    level: Level | None = None
    out = []
    for v in values:
        s = step(spec, level, v)
        level = s.level
        if s.fires:
            out.append(v)
    return out


@pytest.mark.parametrize("spec, values, expected", [
    (CrossSpec(gte=100), [90, 110, 120, 80, 130], [110, 130]),
    (CrossSpec(gte=100, rearm_below=100), [90, 110, 120, 80, 130], [110, 130]),
    (CrossSpec(gte=100, rearm_below=90), [110, 95, 105, 85, 101], [110, 101]),  # 95 is no re-arm
    (CrossSpec(gt=100), [100, 100.5, 100, 101], [100.5, 101]),
    (CrossSpec(lte=10), [12, 9, 8, 11, 10], [9, 10]),
    (CrossSpec(lt=10, rearm_above=15), [9, 12, 8, 16, 5], [9, 5]),
    (CrossSpec(gte=100), [150, 160], [150]),  # no earlier value: armed
])
def test_a_crossing_fires_on_false_to_true_only(spec: CrossSpec, values: list[float], expected: list[float]) -> None:
    assert fires(spec, values) == expected


def test_the_step_says_the_previous_value() -> None:
    s = step(CrossSpec(gte=100), Level(90, True), 110)
    assert s.fires and s.previous == 90 and s.level == Level(110, False)


RULE = """rules:
  - id: admissions-100
    title: "Admissions passed 100"
    match:
      number: {gte: 100, near: [admitted], when: crosses, rearm_below: 100}
    notify: [hooks]
    examples:
      - text: "Officials said 112 patients were admitted overnight."
        fires: true
      - text: "Officials said 80 patients were admitted overnight."
        fires: false
"""


def test_settle_keeps_values_per_subject_and_drops_a_match_that_stays_true(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(RULE.replace("    notify: [hooks]\n", ""), encoding="utf-8")
    rules = load_rules(tmp_path / "r.yaml")
    kept: dict[tuple[str, str], Level] = {}

    def run(text: str, subject: str) -> list[str]:
        article = ArticleText("", text)
        out = settle(rules.rules, article, rules.match(article), lambda r: subject, lambda r, s: kept.get((r, s)))
        kept.update(out.levels)
        return [e.detail or "" for m in out.fired for e in m.evidence]

    assert run("Officials said 90 patients were admitted.", "story:1") == []
    assert run("Officials said 110 patients were admitted.", "story:1") == ["near 'admitted', crossed: was 90, now 110"]
    assert run("Officials said 120 patients were admitted.", "story:1") == [], "still true: no second alert"
    assert run("Officials said 120 patients were admitted.", "story:2") != [], "another story has its own value"
    assert kept[("admissions-100", "story:1")] == Level(120, False)


def one_rule(tmp_path: Path, match: str) -> RuleSet:
    (tmp_path / "one.yaml").write_text(f"rules:\n  - id: one\n    title: One\n    match: {{{match}}}\n",
                                       encoding="utf-8")
    return load_rules(tmp_path / "one.yaml")


def test_article_subject_is_story_and_speaker(tmp_path: Path) -> None:
    [rule] = one_rule(tmp_path, "all: [{speaker: {name: Maria Lopez}}, {number: {gte: 100, when: crosses}}]").rules
    assert article_subject(rule, 7) == "story:7/speaker:Maria Lopez"
    [rule] = one_rule(tmp_path, "all: [{not: [{speaker: {name: Maria Lopez}}]}, {number: {gte: 100, when: crosses}}]"
                      ).rules
    assert article_subject(rule, 7) == "story:7", "a speaker under `not` is who must not speak: the story's value"


@pytest.mark.parametrize("number, error", [
    ("{gte: 100, rearm_below: 90}", "rearm_below / rearm_above need `when: crosses`"),
    ("{gte: 100, lte: 200, when: crosses}", "takes one direction"),
    ("{gte: 100, when: crosses, rearm_below: 120}", "must not be above it"),
    ("{lte: 100, when: crosses, rearm_below: 50}", "needs gt/gte"),
    ("{gte: 100, when: sometimes}", "when"),
])
def test_check_reports_a_crossing_that_cannot_work_at_its_line(tmp_path: Path, number: str, error: str) -> None:
    (tmp_path / "rules.yaml").write_text(f"""rules:
  - id: bad
    title: Bad
    match:
      number: {number}
""", encoding="utf-8")
    config = write_config(tmp_path, [], rules="rules.yaml")
    done = run_cli("check", "--config", str(config))
    assert done.returncode == 1, done.stdout + done.stderr
    assert error in done.stderr and "rules.yaml:5" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


PAGE = "<html><body><main><h1>Ward report</h1><p>Officials said {n} patients were admitted overnight.</p>" \
       "<p>Visiting hours are unchanged.</p></main></body></html>"


def test_a_page_whose_number_moves_alerts_at_each_crossing(tmp_path: Path, web: WebServer,
                                                          hooks: WebhookReceiver) -> None:
    (tmp_path / "rules.yaml").write_text(RULE, encoding="utf-8")
    config_path = write_config(tmp_path, [{"id": "ward", "url": web.url("/ward"), "type": "watch"}],
                               rules="rules.yaml", channels={"hooks": {"urls": [f"json://{hooks.base}/alerts"]}})
    config = load_config(config_path)
    seen = []
    for n in (90, 110, 120, 80, 130):
        web.route("/ward", Route(PAGE.format(n=n).encode()))
        asyncio.run(run_once(config))
        seen.append(len(hooks.snapshot()))
    assert seen == [0, 1, 1, 1, 2], f"alerts after each poll: {seen}"
    first, second = (r.json["message"] for r in hooks.snapshot())
    assert "crossed: was 90, now 110" in first and "**110**" in first, first
    assert "crossed: was 80, now 130" in second, second

    checked = run_cli("check", "--config", str(config_path))
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # replay follows the stored changes in order (the first version, 90, is a baseline with no change stored)
    replay = run_cli("replay", "--json", "--config", str(config_path))
    assert replay.returncode == 0, replay.stderr
    fired = [h["evidence"][0]["matched"] for h in json.loads(replay.stdout)["fired"]]
    assert fired == ["110", "130"], fired
    assert len(hooks.snapshot()) == 2, "replay sends nothing"


ARTICLE_RULE = """rules:
  - id: lopez-stranded
    title: "Lopez: stranded passengers above 15,000"
    once_per: article
    match:
      all:
        - speaker: {name: Maria Lopez, aliases: [Lopez]}
        - number: {gte: 15000, near: [stranded], when: crosses}
    notify: [hooks]
"""


def test_articles_keep_the_value_per_story_and_speaker(tmp_path: Path, web: WebServer,
                                                       hooks: WebhookReceiver) -> None:
    from tests.pages import news_page, paragraphs, rss

    story = ["Harbour master Maria Lopez said 18,000 passengers were stranded at the port of Kessary on Monday.",
             "Ferry crews walked out at dawn in a dispute over pay, halting every crossing to the islands.",
             *paragraphs("ferry strike", 5)]
    copy = [*story[:-1], "The port authority said it would publish a new timetable on Wednesday evening."]
    web.route("/a.html", Route(news_page("Ferry strike strands 18,000", story)))
    web.route("/b.html", Route(news_page("Ferry strike strands 18,000", copy, outlet="Harbour Gazette")))
    items = [{"title": "Ferry strike strands 18,000", "link": "{{BASE}}/a.html", "guid": "a"}]
    web.route("/feed.xml", Route(rss(items), content_type="application/rss+xml"))
    (tmp_path / "rules.yaml").write_text(ARTICLE_RULE, encoding="utf-8")
    config = load_config(write_config(tmp_path, [{"id": "echo", "url": web.url("/feed.xml"), "baseline": False}],
                                      rules="rules.yaml", channels={"hooks": {"urls": [f"json://{hooks.base}/x"]}}))
    asyncio.run(run_once(config))
    [first] = hooks.snapshot()
    assert "crossed: no earlier value, now 18,000" in first.json["message"], first.json["message"]

    items.append({"title": "Ferry strike strands 18,000", "link": "{{BASE}}/b.html", "guid": "b"})
    web.route("/feed.xml", Route(rss(items), content_type="application/rss+xml"))
    asyncio.run(run_once(config))
    with closing(sqlite3.connect(tmp_path / "data/watcher.db")) as db:
        stories = db.execute("SELECT COUNT(DISTINCT story_id), COUNT(*) FROM articles").fetchone()
        kept = db.execute("SELECT subject, value, armed FROM thresholds").fetchall()
    assert stories == (1, 2), f"the copy joins the story: {stories}"
    assert kept == [("story:1/speaker:Maria Lopez", 18000.0, 0)], kept
    assert len(hooks.snapshot()) == 1, "the same story and speaker, still above: no second alert"


def test_a_rule_matching_by_another_branch_of_any_is_not_held_back(tmp_path: Path) -> None:
    rules = one_rule(tmp_path, "any: [{keywords: [evacuation]}, {number: {gte: 100, near: [admitted], when: crosses}}]")
    kept: dict[tuple[str, str], Level] = {}

    def fired(text: str) -> bool:
        article = ArticleText("", text)
        out = settle(rules.rules, article, rules.match(article), lambda r: "s", lambda r, s: kept.get((r, s)))
        kept.update(out.levels)
        return bool(out.fired)

    assert fired("Officials said 120 patients were admitted.")
    assert not fired("Officials said 130 patients were admitted."), "still above: no second alert"
    assert fired("An evacuation was ordered.")  # the keyword branch fires as it always would
