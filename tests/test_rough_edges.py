"""Rough edges a new user hits, each through the real `watcher` command: `test --url` of a configured source,
`test` without RULES given -c, `--config` after subcommands, `--since` as an age or a date, `test --explain`
near-misses, `watcher rules` and `watcher rules mute`. What a command says, polls included, is read from it run in
this process (`run_cli`); the daemon runs as a process of its own."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from tests.conftest import run_cli, write_config
from tests.pages import news_page, paragraphs, rss
from tests.receivers import WebhookReceiver
from tests.webserver import Route, WebServer
from watcher.store import Store

RULES = """rules:
  - id: ferry-strike
    title: "Ferry strike"
    sources: [echo]
    match:
      keywords: [ferry, ferries]
    notify: [hooks]
  - id: quoted-figure
    title: "Harbour master quotes a figure"
    match:
      all:
        - speaker: {name: Maria Lopez, aliases: [Lopez]}
        - number: {gte: 15000, near: [passengers], window: 8}
"""

ARTICLE = ["Ferry crews walked out on Monday in a dispute over pay, halting the harbour crossings.",
           "Harbour master Maria Lopez was at the quay when the first sailing was cancelled.",
           "Officials said 14,800 passengers were stranded on the first day of the ferry strike.",
           *paragraphs("ferry timetable", 4)]


def setup(tmp_path: Path, web: WebServer, hooks: WebhookReceiver) -> Path:
    web.route("/news/ferry-strike.html", Route(news_page("Ferry crews walk out", ARTICLE)))
    web.route("/feed.xml", Route(rss([{"title": "Ferry crews walk out", "link": "{{BASE}}/news/ferry-strike.html",
                                        "guid": "ferry-strike-1"}]), content_type="application/rss+xml"))
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    return write_config(tmp_path, [{"id": "echo", "url": web.url("/feed.xml"), "type": "feed", "baseline": False}], rules="rules.yaml",
                        channels={"hooks": {"urls": [f"json://{hooks.base}/alerts"]}})


def test_test_url_of_a_configured_source_applies_its_rules_without_rules_argument(
        tmp_path: Path, web: WebServer, hooks: WebhookReceiver) -> None:
    config = setup(tmp_path, web, hooks)
    url = web.url("/news/ferry-strike.html")
    done = run_cli("test", "-c", str(config), "--url", url)
    assert done.returncode == 0, done.stderr
    assert "FIRES  ferry-strike" in done.stdout, done.stdout  # the page's host is the source 'echo'
    alone = run_cli("test", str(tmp_path / "rules.yaml"), "--url", url)
    assert alone.returncode == 0, alone.stderr
    assert "ferry-strike: watches only some sources, and the article's source is unknown" in alone.stdout
    neither = run_cli("test", "--url", url)
    assert neither.returncode == 1 and "give RULES" in neither.stderr and "Traceback" not in neither.stderr


def test_explain_shows_each_condition_and_the_near_miss(tmp_path: Path, web: WebServer,
                                                        hooks: WebhookReceiver) -> None:
    config = setup(tmp_path, web, hooks)
    article = tmp_path / "article.txt"
    article.write_text("Ferry strike\n\n" + " ".join(ARTICLE), encoding="utf-8")
    done = run_cli("test", "-c", str(config), "--file", str(article), "--source", "echo", "--explain")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "no  speaker Maria Lopez: speaker: Maria Lopez is mentioned but not quoted" in out, out
    assert "no  number gte 15000: found 14,800 near 'passengers', which does not meet gte 15000" in out, out
    assert "yes keywords [ferry, ferries]" in out, out
    as_json = run_cli("test", "-c", str(config), "--file", str(article), "--explain", "--json")
    [quoted] = [r for r in json.loads(as_json.stdout) if r["rule"] == "quoted-figure"]
    assert any("found 14,800" in line for line in quoted["conditions"]), quoted

    far = tmp_path / "far.txt"
    far.write_text("Lopez said 20,000 people came. Much later in a long sentence about the weather and the tides "
                   "and the season the passengers were mentioned.", encoding="utf-8")
    done = run_cli("test", "-c", str(config), "--file", str(far), "--explain")
    assert "found 20,000 meeting gte 15000, but none of [passengers] within 8 words" in done.stdout, done.stdout


def test_config_after_subcommands(tmp_path: Path, web: WebServer, hooks: WebhookReceiver) -> None:
    config = setup(tmp_path, web, hooks)
    opml = tmp_path / "feeds.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><body><outline text="News">'
                    '<outline type="rss" text="Echo" xmlUrl="https://echo.example.org/rss"/></outline></body></opml>',
                    encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    imported = run_cli("sources", "import", str(opml), "--config", str(config), cwd=elsewhere)
    assert imported.returncode == 0, imported.stderr
    assert "https://echo.example.org/rss" in imported.stdout
    assert "id: echo\n" not in imported.stdout, "the config's ids are not reused: it was read"
    run = run_cli("run", "--once", "--config", str(config))
    assert run.returncode == 0, run.stderr
    enabled = run_cli("sources", "enable", "echo", "-c", str(config), cwd=elsewhere)
    assert enabled.returncode == 0 and "source echo" in enabled.stdout, enabled.stderr


def test_since_is_an_age_or_a_date_everywhere(tmp_path: Path, web: WebServer, hooks: WebhookReceiver) -> None:
    config = setup(tmp_path, web, hooks)
    Store(tmp_path / "data/watcher.db").close()
    for command in ("replay", "stories"):
        for since in ("7d", "12h", "2026-01-31", "2026-01-31T08:30", "2026-01-31T08:30 UTC"):  # the last as --help writes it
            done = run_cli(command, "--since", since, "--config", str(config))
            assert done.returncode == 0, f"{command} --since {since}: {done.stderr}"
        bad = run_cli(command, "--since", "last tuesday", "--config", str(config))
        assert bad.returncode == 1 and "neither an age" in bad.stderr and "Traceback" not in bad.stderr, bad.stderr


def test_rules_list_and_mute(tmp_path: Path, web: WebServer, hooks: WebhookReceiver) -> None:
    config = setup(tmp_path, web, hooks)
    before = run_cli("rules", "--config", str(config))
    assert before.returncode == 0, before.stderr
    assert "ferry-strike" in before.stdout and "quoted-figure" in before.stdout and "rules.yaml:2" in before.stdout
    muted = run_cli("rules", "mute", "ferry-strike", "--for", "2h", "--config", str(config))
    assert muted.returncode == 0 and "muted until" in muted.stdout, muted.stderr
    run = run_cli("run", "--once", "--config", str(config))
    assert run.returncode == 0, run.stderr
    assert hooks.snapshot() == [], "a muted rule makes no alert"
    with closing(sqlite3.connect(tmp_path / "data/watcher.db")) as db:
        assert db.execute("SELECT rule_id FROM matches").fetchall() == [("ferry-strike",)], "its match is kept"
    listing = json.loads(run_cli("rules", "--json", "--config", str(config)).stdout)
    [ferry] = [r for r in listing if r["id"] == "ferry-strike"]
    assert ferry["muted_until"] and ferry["fired_7d"] == 1 and ferry["last_fired"] and ferry["channels"] == ["hooks"]
    unknown = run_cli("rules", "mute", "nope", "--config", str(config))
    assert unknown.returncode == 1 and "unknown rule 'nope'" in unknown.stderr
    off = run_cli("rules", "mute", "ferry-strike", "--off", "--config", str(config))
    assert off.returncode == 0 and "unmuted" in off.stdout


def test_sources_add_export_and_import_skipping_configured_feeds(tmp_path: Path, web: WebServer,
                                                                 hooks: WebhookReceiver) -> None:
    config = setup(tmp_path, web, hooks)
    text = config.read_text(encoding="utf-8") + "include: [more-sources.yaml]\n"
    config.write_text(text, encoding="utf-8")
    (tmp_path / "more-sources.yaml").write_text("", encoding="utf-8")
    web.route("/gazette/", Route(b'<html><head><link rel="alternate" type="application/rss+xml" '
                                 b'href="/gazette/rss.xml"></head><body><p>Harbour Gazette</p></body></html>'))
    web.route("/gazette/rss.xml", Route(rss([{"title": "Tides", "link": "{{BASE}}/gazette/tides.html", "guid": "t"}],
                                            title="Harbour Gazette"), content_type="application/rss+xml"))
    added = run_cli("sources", "add", web.url("/gazette/"), "--tag", "harbour", "-c", str(config))
    assert added.returncode == 0, added.stderr
    assert "added source harbour-gazette" in added.stdout and "/gazette/rss.xml" in added.stdout, added.stdout
    checked = run_cli("check", "--config", str(config))
    assert checked.returncode == 0, checked.stderr
    again = run_cli("sources", "add", web.url("/gazette/rss.xml"), "-c", str(config))
    assert again.returncode == 1 and "already configured as source 'harbour-gazette'" in again.stderr

    exported = run_cli("sources", "export", "-c", str(config))
    assert exported.returncode == 0, exported.stderr
    assert f'xmlUrl="{web.url("/gazette/rss.xml")}" category="harbour"' in exported.stdout, exported.stdout
    opml = tmp_path / "mine.opml"
    opml.write_text(exported.stdout.replace("</body>", '<outline type="rss" text="Quay News" '
                                            'xmlUrl="https://quay.example.org/feed"/></body>'), encoding="utf-8")
    imported = run_cli("sources", "import", str(opml), "-c", str(config))
    assert imported.returncode == 0, imported.stderr
    assert "https://quay.example.org/feed" in imported.stdout and web.url("/feed.xml") not in imported.stdout
    assert "skipped 2 feeds already in the config" in imported.stderr, imported.stderr


def test_check_warns_of_an_empty_config_and_names_the_template_value_meant(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# to be filled in\n", encoding="utf-8")
    done = run_cli("check", "--config", str(empty))
    assert done.returncode == 0 and f"{empty}:1: warning: the config is empty" in done.stderr

    (tmp_path / "rules.yaml").write_text("""rules:
  - id: typo
    title: Typo
    match: {keywords: [harbour]}
    notify: [screen]
    template: "{{ titel }}: {{ url }}"
""", encoding="utf-8")
    config = write_config(tmp_path, [{"id": "echo", "url": "https://echo.example.org/feed"}], rules="rules.yaml",
                          channels={"screen": {"urls": ["console://"]}})
    done = run_cli("check", "--config", str(config))
    assert done.returncode == 1
    assert "rules.yaml:6: rule typo: template failed on its line 1: 'titel' is undefined (did you mean 'title'?)" \
        in done.stderr, done.stderr


def test_rule_edits_apply_within_seconds_not_at_the_next_poll(tmp_path: Path, web: WebServer,
                                                              hooks: WebhookReceiver) -> None:
    import signal
    import subprocess
    import sys

    from tests.test_hardening_poll import Output
    from tests.ops import wait_for

    config = setup(tmp_path, web, hooks)  # polled every 15 minutes: no poll comes between the edits below
    proc = subprocess.Popen([sys.executable, "-m", "watcher", "run", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = Output(proc)
    try:
        wait_for(lambda: "watching 1 sources" in out.text, timeout=60)
        rules = tmp_path / "rules.yaml"
        rules.write_text(RULES + "  - id: tides\n    title: Tides\n    match: {keywords: [tide]}\n", encoding="utf-8")
        wait_for(lambda: "rules reloaded: 3 rules" in out.text, timeout=60)
        rules.write_text(RULES + "  - id: broken\n    title: Broken\n    match: {keywords: []}\n", encoding="utf-8")
        wait_for(lambda: "rules not reloaded (the previous 3 rules stay active)" in out.text, timeout=60)
        assert f"{rules}:" in out.text.split("rules not reloaded")[1], out.text[-2000:]
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0, out.text[-2000:]


def test_json_logs_keep_console_alerts_as_json_records(tmp_path: Path, web: WebServer,
                                                       hooks: WebhookReceiver) -> None:
    config = setup(tmp_path, web, hooks)
    text = config.read_text(encoding="utf-8").replace(f"json://{hooks.base}/alerts", "console://")
    config.write_text(text, encoding="utf-8")
    done = run_cli("--log-format", "json", "run", "--once", "--config", str(config))
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]  # every line is JSON
    [alert] = [r for r in records if r["logger"] == "watcher.console"]
    assert alert["alert_title"] == "Ferry strike" and "Ferry crews walk out" in alert["alert_body"], alert


def test_type_mistakes_are_said_in_words_at_their_line(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("rules:\n  - id: a\n    title: A\n    match: {keywords: [port]}\n"
                                         "    once_per: week\n", encoding="utf-8")
    config = tmp_path / "watcher.yaml"
    config.write_text("rules: rules.yaml\ndefaults: {max_new_per_poll: lots}\nsources:\n  - id: a\n"
                      "    url: https://port.example.org/feed\n    baseline: maybe\n    tags: ferries\n"
                      "channels:\n  c: console://\n", encoding="utf-8")
    done = run_cli("check", "--config", str(config))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"{config}:2: defaults.max_new_per_poll: 'lots' is not a whole number",
        f"{config}:6: sources[0].baseline: 'maybe' is not true or false",
        f"{config}:7: sources[0].tags: should be a list, e.g. [a, b] (it is the text 'ferries')",
        f"{config}:9: channels.c: should be a mapping of keys and values, one `key: value` a line "
        "(it is the text 'console://')",
    ], done.stderr
    config.write_text("rules: rules.yaml\n", encoding="utf-8")
    done = run_cli("check", "--config", str(config))
    assert "rules.yaml:5: rules[0].once_per: 'week' is not allowed here: write 'story' or 'article'" in done.stderr


def test_a_date_written_with_utc_is_that_moment() -> None:
    from datetime import datetime, timezone

    from watcher.config.since import parse_since

    moment = datetime(2026, 1, 31, 8, 30, tzinfo=timezone.utc)
    assert {parse_since(t) for t in ("2026-01-31T08:30 UTC", "2026-01-31 08:30 utc", "2026-01-31T08:30UTC")} == {moment}
    assert parse_since("2026-01-31 UTC") == moment.replace(hour=0, minute=0)


def test_a_count_past_what_sqlite_takes_is_a_usage_error_not_a_traceback(tmp_path: Path) -> None:
    """--limit of 20 digits was an OverflowError from SQLite, and a negative one listed everything."""
    config = write_config(tmp_path, [{"id": "echo", "url": "https://echo.example/feed.xml"}])
    Store(tmp_path / "data" / "watcher.db").close()
    for args in (["alerts", "--limit", "99999999999999999999"], ["stories", "--limit", "-1"],
                 ["sources", "history", "echo", "--limit", "99999999999999999999"],
                 ["sources", "diff", "echo", "--from", "99999999999999999999"]):
        done = run_cli(*args, "--config", str(config))
        assert done.returncode == 1 and "Traceback" not in done.stderr, (args, done.stderr)
        assert done.stderr.startswith(f"watcher: Invalid value for '{args[-2]}': ") and "is not in the range 1<=x<=" in done.stderr
    assert run_cli("alerts", "--limit", "5", "--config", str(config)).returncode == 0


def test_test_url_too_broken_to_read_is_one_line(tmp_path: Path, web: WebServer, hooks: WebhookReceiver) -> None:
    """Looking up which source a URL such as 'http://[::1' belongs to raised ValueError: a traceback."""
    config = setup(tmp_path, web, hooks)
    done = run_cli("test", "-c", str(config), "--url", "http://[::1/news/story.html")
    said = done.stdout + done.stderr
    assert done.returncode == 1 and "Traceback" not in said, said
    lines = said.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bad URL http://[::1/news/story.html: "), said
