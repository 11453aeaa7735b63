"""Helpers for the operations tests: a real `watcher run` subprocess and plain HTTP requests to it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Sequence, TypeVar

from prometheus_client.parser import text_string_to_metric_families

from tests.pages import news_page, rss
from tests.webserver import Route, WebServer

T = TypeVar("T")


def start_daemon(config: Path, *global_args: str, command: Sequence[str] | None = None,
                 env: dict[str, str] | None = None, log: Path | None = None) -> subprocess.Popen:
    """`watcher [global_args] run --config CONFIG` (or `command`), stdout and stderr to `log` or a pipe."""
    argv = list(command) if command else [sys.executable, "-m", "watcher", *global_args, "run", "--config", str(config)]
    out = open(log, "w") if log else subprocess.PIPE  # noqa: SIM115 - closed with the process
    return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})})


def get(url: str, timeout: float = 5.0) -> tuple[int, str]:
    """(status, body) of a GET; (0, reason) when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
        return 0, str(e)


def wait_for(probe: Callable[[], T], timeout: float = 60.0, every: float = 0.2) -> T:
    """Call `probe` until it returns something true, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            assert value, f"gave up after {timeout:.0f}s waiting for {getattr(probe, '__name__', 'condition')}"
            return value
        time.sleep(every)


def metrics(url: str) -> dict[tuple[str, frozenset], float]:
    """Samples of a /metrics page, parsed by prometheus_client: (name, labels) -> value."""
    status, text = get(url)
    assert status == 200, text
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def stop(proc: subprocess.Popen, sig: int) -> tuple[int, float]:
    """Send `sig`; (exit code, seconds it took to exit). Kills the process if it takes over 30 s."""
    start = time.monotonic()
    proc.send_signal(sig)
    try:
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, time.monotonic() - start


# distinct events (different places, people and numbers), so story clustering keeps them apart
STORIES = {
    "harbour-crane-arrives": [
        "A 92-metre container crane arrived at Port Ellis harbour on Monday aboard a heavy-lift ship from Rotterdam.",
        "Harbour master Ingrid Solberg said the crane would double the number of boxes the quay can move in a shift.",
        "Dockers watched from the breakwater as tugs nudged the vessel into berth seven shortly after dawn.",
        "The crane cost 14 million euros and is the first of three ordered by the port authority last spring.",
    ],
    "harbour-dredging-starts": [
        "Dredgers began deepening the approach channel to Kessock harbour on Thursday after two years of delays.",
        "The work will remove 380,000 cubic metres of silt so that larger ferries can dock at low tide.",
        "Fishermen complained that the dredging would close the inner basin for six weeks during the herring season.",
        "Councillor Amrit Gill said compensation for lost catches would be discussed at the next harbour board meeting.",
    ],
    "library-opens-late": [
        "Brookfield's central library will stay open until ten at night from January, the county council announced.",
        "Librarian Maeve Donnelly said students had asked for quiet study space during exam season for years.",
        "The longer hours are funded by a 210,000 pound grant from a literacy charity for an initial trial of one year.",
        "Volunteers will run homework clubs on Tuesday and Thursday evenings in the children's reading room.",
    ],
    "harbour-wall-repaired": [
        "Stonemasons finished repairing the storm-damaged sea wall at Abermaw harbour on Friday, nine months after the gale.",
        "Engineer Tomasz Wrobel said 1,400 granite blocks had been reset and pinned with stainless steel rods.",
        "Boat owners whose moorings were moved during the work can return to the east pontoon from next week.",
        "The repair was paid for from the coastal resilience fund and came in under its 2.3 million pound budget.",
    ],
}


def publish(web: WebServer, prefix: str, slugs: list[str]) -> list[str]:
    """A feed at /PREFIX/feed.xml with one article page per slug (texts from STORIES); the article URLs."""
    items, urls = [], []
    for slug in slugs:
        path = f"/{prefix}/2026/11/{slug}.html"
        title = slug.replace("-", " ").capitalize()
        web.route(path, Route(news_page(title, STORIES[slug])))
        urls.append(web.url(path))
        items.append({"title": title, "link": "{{BASE}}" + path, "guid": f"{prefix}-{slug}",
                      "published": datetime.now(timezone.utc) - timedelta(minutes=5)})
    web.route(f"/{prefix}/feed.xml", Route(rss(items), content_type="application/rss+xml"))
    return urls


def assert_next_poll(db: Path, source: str, before: datetime, low: float, high: float) -> None:
    """`source`'s next poll is due `low` to `high` (whole) seconds after its last poll started. The store counts the
    next poll from that start but keeps the poll's end as last_poll_at, and `before` (taken by the test before the
    run) is earlier than the start by a time a busy machine stretches: the true delay lies between the two
    differences. The store keeps whole seconds, so `before` is cut to them too."""
    conn = sqlite3.connect(db)
    try:
        last, due = conn.execute("SELECT last_poll_at, next_poll_at FROM sources WHERE id = ?", (source,)).fetchone()
    finally:
        conn.close()
    after_end = (datetime.fromisoformat(due) - datetime.fromisoformat(last)).total_seconds()
    after_before = (datetime.fromisoformat(due) - before.replace(microsecond=0)).total_seconds()
    assert after_before >= low and after_end <= high, (
        f"{source}: next poll {after_end:.1f}s after the poll ended, {after_before:.1f}s after the run began; "
        f"wanted {low}-{high}s after the poll started")
