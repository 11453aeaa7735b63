"""A database as the web console sees it: two outlets polled by `watcher run --once` (in this process) from the
local test web, one rule that fires, a channel whose receiver fails (so deliveries wait for a retry), secrets in URLs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.conftest import run_cli, write_config
from tests.ops import publish
from tests.receivers import WebhookReceiver
from tests.webserver import WebServer

FEED_SECRET = "feedsecret4711"  # in a source URL's query: masked wherever shown
CHANNEL_SECRET = "chanpass4711"  # in a channel URL: never shown

RULES = """\
rules:
  - id: harbour-works
    title: "Harbour works"
    match:
      keywords: [harbour, dredgers]
    notify: [hook]
    examples:
      - text: "Work at the harbour starts on Monday."
        fires: true
  - id: library-hours
    title: "Library hours"
    match:
      all_keywords: [library, hours]
"""


def polled(folder: Path, web: WebServer, hooks: WebhookReceiver, **server: object) -> Path:
    """Write the config in `folder`, poll once with every send failing; the config's path."""
    publish(web, "echo", ["harbour-crane-arrives", "library-opens-late"])
    publish(web, "gazette", ["harbour-dredging-starts"])
    (folder / "rules").mkdir(exist_ok=True)
    (folder / "rules" / "harbour.yaml").write_text(RULES, encoding="utf-8")
    hooks.fail_next = [(500, {})] * 20
    config = write_config(
        folder,
        [{"id": "echo", "url": web.url(f"/echo/feed.xml?token={FEED_SECRET}"), "baseline": False},
         {"id": "gazette", "url": web.url("/gazette/feed.xml"), "baseline": False}],
        rules="rules",
        channels={"hook": {"urls": [f"json://watcher:{CHANNEL_SECRET}@{hooks.base}/alerts"]}},
        delivery={"retry": "1h", "max_retry": "2h"},  # failed sends wait: "retry now" is what sends them
        **({"server": server} if server else {}),
    )
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    return config


def copy_site(src: Path, dst: Path) -> Path:
    """A copy of a polled folder (config, rules, database) that a test may change; the config's path."""
    shutil.copytree(src, dst, dirs_exist_ok=True)
    config = dst / "watcher.yaml"
    config.write_text(config.read_text().replace(str(src), str(dst)))
    return config


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, f"no CSRF field in the page: {html[:300]}"
    return m.group(1)
