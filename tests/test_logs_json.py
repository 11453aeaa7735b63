"""`--log-format json`: one JSON object per line, with ts, level, logger, message and extras, secrets masked."""

from __future__ import annotations

import io
import json
import logging
import os
from datetime import datetime
from pathlib import Path

from tests.conftest import run_watcher, write_config
from tests.ops import publish
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
    result = run_watcher("--log-format", "json", "run", "--once", "--config", str(config))
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
    result = run_watcher("run", "--once", "--config", str(config), env=env)
    assert result.returncode == 0
    assert [json.loads(line)["message"] for line in result.stdout.splitlines()][-1].startswith("poll complete")

    env["WATCHER_LOG_FORMAT"] = "xml"
    bad = run_watcher("run", "--once", "--config", str(config), env=env)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    [line] = bad.stderr.strip().splitlines()
    assert "--log-format" in line and "xml" in line
