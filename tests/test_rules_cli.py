"""`watcher test`, `watcher replay` and rule reloading in the daemon, through the real command."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.conftest import run_cli, write_config
from tests.pages import news_page, paragraphs, rss
from tests.webserver import Route, WebServer

FERRY_RULES = """\
rules:
  - id: ferry-cuts
    title: Ferry sailings cut
    match:
      all:
        - keywords: [ferry, ferries]
        - keywords: [cut, reduced, scrapped]
      not:
        - keywords: [opinion]
  - id: bridge
    title: Bridge news
    match:
      keywords: bridge
"""

ARTICLE = """Ferry sailings to be cut over winter

The island ferry operator said on Friday that winter sailings would be cut from four a day to two.
Councillors said the decision left commuters without a late boat home.
"""


def test_test_command_with_text_file_shows_evidence(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(FERRY_RULES)
    (tmp_path / "article.txt").write_text(ARTICLE)
    result = run_cli("test", str(tmp_path / "rules.yaml"), "--file", str(tmp_path / "article.txt"))
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert out[0].startswith("Ferry sailings to be cut over winter: ") and "1 of 2 rules fire" in out[0]
    assert "FIRES  ferry-cuts: Ferry sailings cut" in out
    assert any(l.strip().startswith("keyword  'Ferry' [title]: Ferry sailings to be cut over winter") for l in out)
    assert any(l.startswith("-      bridge: keywords [bridge]") for l in out)
    as_json = json.loads(run_cli("test", str(tmp_path / "rules.yaml"), "--file", str(tmp_path / "article.txt"),
                                     "--json").stdout)
    assert [r["fires"] for r in as_json] == [True, False]
    assert {e["matched"] for e in as_json[0]["evidence"]} == {"Ferry", "cut"}


def test_test_command_with_html_and_url(tmp_path: Path, web: WebServer) -> None:
    (tmp_path / "rules.yaml").write_text(FERRY_RULES)
    page = news_page("Old bridge to close", paragraphs("bridge closure"))
    (tmp_path / "page.html").write_bytes(page)
    local = run_cli("test", str(tmp_path / "rules.yaml"), "--html", str(tmp_path / "page.html"))
    assert "FIRES  bridge: Bridge news" in local.stdout
    assert "We use cookies" not in local.stdout  # evidence comes from the extracted body only
    url = web.route("/2026/11/old-bridge-to-close.html", Route(page))
    remote = run_cli("test", str(tmp_path / "rules.yaml"), "--url", url)
    assert remote.returncode == 0 and "FIRES  bridge: Bridge news" in remote.stdout


def test_test_command_user_errors(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(FERRY_RULES.replace("keywords: bridge", "keywords: []"))
    (tmp_path / "article.txt").write_text(ARTICLE)
    broken = run_cli("test", str(tmp_path / "rules.yaml"), "--file", str(tmp_path / "article.txt"))
    assert broken.returncode == 1 and broken.stderr.startswith(f"{tmp_path / 'rules.yaml'}:13: ")
    neither = run_cli("test", str(tmp_path / "rules.yaml"))
    assert neither.returncode == 1 and "exactly one of --file, --html or --url" in neither.stderr


def setup_daemon(web: WebServer, tmp_path: Path, stories: list[str], interval: str = "15m") -> Path:
    items = []
    for slug in stories:
        path = f"/2026/11/{slug}.html"
        web.route(path, Route(news_page(slug.replace("-", " ").capitalize(), paragraphs(slug.replace("-", " ")))))
        items.append({"title": slug, "link": "{{BASE}}" + path, "guid": slug,
                      "published": datetime.now(timezone.utc) + timedelta(minutes=1)})
    web.route("/feed.xml", Route(rss(items)))
    (tmp_path / "rules").mkdir(exist_ok=True)
    (tmp_path / "rules" / "ferry.yaml").write_text(FERRY_RULES)
    return write_config(tmp_path, [{"id": "echo", "url": web.url("/feed.xml"), "interval": interval, "baseline": False}],
                        rules="rules/")


def test_poll_records_matches_and_replay_reports_them(web: WebServer, tmp_path: Path) -> None:
    config = setup_daemon(web, tmp_path, ["ferry-sailings-cut-for-winter", "new-bridge-opens", "school-roof-repaired"])
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0
    assert "rule bridge fired on" in result.stdout
    conn = sqlite3.connect(tmp_path / "data/watcher.db")
    rows = conn.execute("SELECT m.rule_id, a.url FROM matches m JOIN articles a ON a.id = m.article_id").fetchall()
    assert sorted((r, u.rsplit("/", 1)[1]) for r, u in rows) == [
        ("bridge", "new-bridge-opens.html"), ("ferry-cuts", "ferry-sailings-cut-for-winter.html")]
    # a rule added later, replayed over history, finds what it would have caught
    (tmp_path / "rules" / "ferry.yaml").write_text(FERRY_RULES + """  - id: school
    title: Schools
    match: {keywords: [school, roof]}
""")
    replay = run_cli("replay", "--config", str(config), "--since", "7d")
    assert replay.returncode == 0, replay.stderr
    assert "3 articles, 3 rules: 3 would fire (nothing sent)" in replay.stdout
    assert "  school: 1" in replay.stdout and "  bridge: 1" in replay.stdout
    only = json.loads(run_cli("replay", "--config", str(config), "--rule", "school", "--json").stdout)
    assert [h["rule"] for h in only["fired"]] == ["school"] and only["rules"] == 1
    assert conn.execute("SELECT COUNT(*) FROM matches").fetchone()[0] == 2  # replay stores nothing
    bad = run_cli("replay", "--config", str(config), "--rule", "nope")
    assert bad.returncode == 1 and "unknown rule 'nope'" in bad.stderr


def test_daemon_reloads_rules_and_keeps_the_last_good_ones(web: WebServer, tmp_path: Path) -> None:
    config = setup_daemon(web, tmp_path, ["harbour-wall-repairs"], interval="1s")
    proc = subprocess.Popen([sys.executable, "-m", "watcher", "run", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        def wait_for_polls(n: int) -> None:
            target = web.hits.count("/feed.xml") + n
            deadline = time.monotonic() + 60
            while web.hits.count("/feed.xml") < target:
                assert time.monotonic() < deadline and proc.poll() is None, (
                    f"{n} more polls did not come in 60 s (exit code {proc.poll()}; {web.hits.count('/feed.xml')} polls)")
                time.sleep(0.1)

        wait_for_polls(1)
        (tmp_path / "rules" / "ferry.yaml").write_text(FERRY_RULES.replace("keywords: bridge", "keywords: []"))
        wait_for_polls(2)
        (tmp_path / "rules" / "ferry.yaml").write_text(FERRY_RULES + "  - id: harbour\n    title: H\n    match: {keywords: harbour}\n")
        wait_for_polls(2)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "rules not reloaded (the previous 2 rules stay active): " in out
    assert f"{tmp_path / 'rules' / 'ferry.yaml'}:13: " in out
    assert "rules reloaded: 3 rules" in out
