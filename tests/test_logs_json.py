"""`--log-format json`: one JSON object per line, with ts, level, logger, message and extras, secrets masked."""

from __future__ import annotations

import io
import json
import logging
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from tests.conftest import run_cli, write_config
from tests.ops import publish
from tests.receivers import WebhookReceiver
from tests.webserver import WebServer
from watcher.logs import JsonFormatter


def test_json_formatter_keeps_extras_and_masks_secrets_in_exceptions() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("watcher.test-json")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("source %s: fetched %s", "kyiv", "https://reader:pw123@feeds.example.org/x.xml",
                    extra={"source": "kyiv", "articles": 3, "url": "tgram://123456789:AAFakeToken/1"})
        try:
            raise RuntimeError("send to slack://TokenA/TokenB/TokenC failed")
        except RuntimeError:
            log.exception("delivery failed")
    finally:
        log.removeHandler(handler)
    first, second = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert first["level"] == "warning" and first["logger"] == "watcher.test-json"
    assert first["message"] == "source kyiv: fetched https://***@feeds.example.org/x.xml"
    assert first["source"] == "kyiv" and first["articles"] == 3
    assert first["url"] == "tgram://***"
    datetime.fromisoformat(first["ts"])
    assert second["message"] == "delivery failed"
    assert "RuntimeError" in second["exc"] and "Token" not in second["exc"]


def test_run_once_logs_json_lines(web: WebServer, tmp_path: Path) -> None:
    publish(web, "a", ["harbour-crane-arrives", "library-opens-late"])
    config = write_config(tmp_path, [{"id": "a", "url": web.url("/a/feed.xml")},
                                     {"id": "gone", "url": web.url("/gone.xml")}])
    result = run_cli("--log-format", "json", "run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    for r in records:
        assert {"ts", "level", "logger", "message"} <= set(r)
    assert any(r["logger"] == "watcher.run.daemon" and r["message"].startswith("poll complete: 2 sources") for r in records)
    assert any(r["level"] == "warning" and r["message"].startswith("source gone:") for r in records)


def test_log_format_from_the_environment(tmp_path: Path) -> None:
    config = write_config(tmp_path, [])
    env = {**os.environ, "WATCHER_LOG_FORMAT": "json"}
    result = run_cli("run", "--once", "--config", str(config), env=env)
    assert result.returncode == 0
    assert [json.loads(line)["message"] for line in result.stdout.splitlines()][-1].startswith("poll complete")

    env["WATCHER_LOG_FORMAT"] = "xml"
    bad = run_cli("run", "--once", "--config", str(config), env=env)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    [line] = bad.stderr.strip().splitlines()
    assert "--log-format" in line and "xml" in line


def test_json_lines_carry_source_rule_story_alert_and_channel(web: WebServer, tmp_path: Path,
                                                             hooks: WebhookReceiver) -> None:
    publish(web, "port", ["harbour-crane-arrives"])
    (tmp_path / "rules.yaml").write_text(
        "rules:\n  - id: crane\n    title: Harbour crane\n    match: {keywords: [crane]}\n    notify: [hooks]\n",
        encoding="utf-8")
    config = write_config(tmp_path, [{"id": "port", "url": web.url("/port/feed.xml"), "baseline": False},
                                     {"id": "gone", "url": web.url("/gone.xml")}],
                          rules="rules.yaml", channels={"hooks": {"urls": [f"json://{hooks.base}/alerts"]}})
    result = run_cli("--log-format", "json", "run", "--once", "--config", str(config))
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    records = [json.loads(line) for line in (result.stdout + result.stderr).splitlines()]  # every line is JSON
    assert len(hooks.snapshot()) == 1, "the alert reached the webhook"
    with sqlite3.connect(tmp_path / "data/watcher.db") as db:
        alert_id, story_id = db.execute(
            "SELECT al.id, ar.story_id FROM alerts al JOIN articles ar ON ar.id = al.article_id").fetchone()
    [fired] = [r for r in records if r["message"].startswith("rule crane fired")]
    assert (fired.get("source"), fired.get("rule"), fired.get("story"), fired.get("alert")) == (
        "port", "crane", story_id, alert_id), fired
    [sent] = [r for r in records if r["message"].startswith(f"alert {alert_id} sent to hooks")]
    assert (sent.get("alert"), sent.get("channel")) == (alert_id, "hooks"), sent
    failed = [r for r in records if r["level"] == "warning" and r["message"].startswith("source gone:")]
    assert failed and all(r.get("source") == "gone" for r in failed), failed  # a poll's line names its source
