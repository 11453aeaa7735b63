"""When sources are polled: interval, the feed's and server's own pace, backoff, adaptive intervals, restarts."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Callable


from tests.conftest import run_cli, write_config
from tests.ops import assert_next_poll, wait_for
from tests.pages import rss
from tests.webserver import Route, WebServer
from watcher.fetch.http import retry_after
from watcher.parse.feed import parse_feed
from watcher.source.schedule import (
    MoveState,
    Timing,
    adapted_interval,
    backoff_delay,
    max_age,
    next_poll,
    permanent_target,
    poll_delay,
    track_move,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


# -- pure decisions -------------------------------------------------------------

def test_feed_and_server_pace_only_ever_lengthen_the_interval_up_to_a_day() -> None:
    assert poll_delay(900, [None, None]) == 900
    assert poll_delay(900, [3600, None]) == 3600  # ttl 60
    assert poll_delay(900, [600, 300]) == 900  # hints shorter than the interval change nothing
    assert poll_delay(900, [None, 10 * 86400]) == 86400  # a max-age of ten days counts as one
    assert poll_delay(2 * 86400, [3600]) == 2 * 86400  # a configured interval beyond a day stays


def test_backoff_doubles_per_failure_up_to_a_day() -> None:
    assert [backoff_delay(600, n) for n in (1, 2, 3, 4)] == [600, 1200, 2400, 4800]
    assert backoff_delay(600, 30) == 86400
    assert backoff_delay(3 * 86400, 5) == 3 * 86400  # an interval longer than the cap is kept


def test_jitter_never_polls_early_and_spreads_sources() -> None:
    rng = random.Random(1)
    times = [next_poll(NOW, Timing(interval=600), rng=rng) for _ in range(50)]
    delays = [(t - NOW).total_seconds() for t in times]
    assert all(600 <= d <= 660 for d in delays) and len(set(delays)) > 40
    failing = [(next_poll(NOW, Timing(interval=600), failures=3, rng=rng) - NOW).total_seconds() for _ in range(20)]
    assert all(2400 <= d <= 2640 for d in failing)
    later = NOW + timedelta(hours=2)
    paused = next_poll(NOW, Timing(interval=600), not_before=later, rng=rng)
    assert later <= paused <= later + timedelta(seconds=5)


def test_cache_control_max_age() -> None:
    assert max_age("public, max-age=3600") == 3600
    assert max_age('max-age="120", must-revalidate') == 120
    assert max_age("s-maxage=99") is None
    assert max_age("max-age=3600, no-cache") is None
    assert max_age("max-age=0") is None and max_age(None) is None
    assert max_age("max-age=" + "9" * 40) == max_age("max-age=" + "9" * 5000) == 24 * 3600  # counted up to 24 h


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = NOW.timestamp()
    assert retry_after("120", now) == now + 120
    assert retry_after(format_datetime(NOW + timedelta(minutes=30), usegmt=True), now) == now + 1800
    assert retry_after(format_datetime(NOW - timedelta(minutes=30), usegmt=True), now) is None  # past
    assert retry_after("9999999", now) == now + 86400  # a hostile server cannot pause us for months
    assert retry_after("soon", now) is None and retry_after("", now) is None and retry_after("0", now) is None


def test_only_permanent_redirects_that_last_move_a_source() -> None:
    assert permanent_target([(301, "https://a/2"), (308, "https://a/3"), (302, "https://a/4")]) == "https://a/3"
    assert permanent_target([(302, "https://a/2"), (301, "https://a/3")]) is None
    assert permanent_target([]) is None
    state, moved = track_move(MoveState(), "https://a/2", 3)
    assert state == MoveState("https://a/2", 1) and moved is None
    state, moved = track_move(state, "https://a/2", 3)
    assert state.polls == 2 and moved is None
    assert track_move(state, "https://a/2", 3) == (MoveState(), "https://a/2")
    assert track_move(state, "https://b/", 3) == (MoveState("https://b/", 1), None)  # elsewhere: count anew
    assert track_move(state, None, 3) == (MoveState(), None)  # a poll without the redirect resets


def test_adaptive_interval_follows_the_publishing_pace_within_bounds() -> None:
    every_2h = [NOW - timedelta(hours=2 * i) for i in range(10)]
    assert adapted_interval(every_2h) == 3600  # about two polls per new entry
    assert adapted_interval([NOW, None, NOW - timedelta(hours=1)]) is None  # too few dated entries
    timing = Timing(interval=900, adaptive=True, min_interval=1800, max_interval=7200)
    assert timing.base(3600) == 3600
    assert timing.base(60) == 1800 and timing.base(86400) == 7200
    assert timing.base(None) == 1800  # nothing read yet: the configured interval, within bounds
    assert Timing(interval=900).base(3600) == 900  # not adaptive: the configured interval


def test_feed_ttl_and_syndication_period_are_read() -> None:
    sy = (b'<?xml version="1.0"?><rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">'
          b"<channel><title>t</title><sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>"
          b"<item><guid>a</guid><title>a</title></item></channel></rss>")
    assert parse_feed(sy, "http://x/", "application/rss+xml").ttl_seconds == 6 * 3600
    both = sy.replace(b"<title>t</title>", b"<title>t</title><ttl>720</ttl>")
    assert parse_feed(both, "http://x/", "application/rss+xml").ttl_seconds == 12 * 3600  # the longer one


# -- config ---------------------------------------------------------------------

def test_schedule_settings_are_validated_with_file_and_line(tmp_path: Path) -> None:
    cfg = tmp_path / "watcher.yaml"
    cfg.write_text(
        "database: w.db\n"
        "defaults:\n  adaptive: true\n  min_interval: 10m\n  max_interval: 2h\n"
        "http:\n  host_gap: soon\n  moved_after: 0\n"
        "delivery:\n  source_failing_after: -5m\n"
        "sources:\n  - id: a\n    url: http://example.org/feed\n    min_interval: 3h\n", encoding="utf-8")
    result = run_cli("check", "--config", str(cfg))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert f"{cfg}:7: http.host_gap: 'soon' is not a duration" in lines[0]
    assert any(line.startswith(f"{cfg}:8: http.moved_after") for line in lines)
    assert any(line.startswith(f"{cfg}:10: delivery.source_failing_after") for line in lines)
    cfg.write_text(cfg.read_text().replace("  host_gap: soon\n  moved_after: 0\n", "  host_gap: 250ms\n")
                   .replace("-5m", "1h"), encoding="utf-8")
    result = run_cli("check", "--config", str(cfg))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"{cfg}:13: sources[0].min_interval: min_interval (10800s) is longer "
                                     f"than max_interval (7200s)")
    cfg.write_text(cfg.read_text().replace("    min_interval: 3h\n", "    max_interval: 1h\n"), encoding="utf-8")
    assert run_cli("check", "--config", str(cfg)).returncode == 0


# -- against a real server ---------------------------------------------------------

def poll_times(db: Path) -> dict[str, tuple[float, int]]:
    """source -> (seconds from last poll to next poll, consecutive failures)"""
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT id, last_poll_at, next_poll_at, consecutive_failures FROM sources").fetchall()
    conn.close()
    return {r[0]: ((datetime.fromisoformat(r[2]) - datetime.fromisoformat(r[1])).total_seconds(), r[3]) for r in rows}


def test_feed_ttl_and_max_age_set_the_next_poll(web: WebServer, tmp_path: Path) -> None:
    items = [{"title": "Quay works", "link": "{{BASE}}/q.html", "guid": "q-1"}]
    web.route("/ttl.xml", Route(rss(items).replace(b"<description>News</description>",
                                                   b"<description>News</description><ttl>120</ttl>")))
    web.route("/cached.xml", Route(rss(items), headers={"Cache-Control": "public, max-age=10800"}))
    web.route("/plain.xml", Route(rss(items)))
    web.route("/forever.xml", Route(rss(items), headers={"Cache-Control": "max-age=" + "9" * 5000}))
    web.route("/q.html", Route(b"<html><body><p>Quay works.</p></body></html>"))
    config = write_config(tmp_path, [
        {"id": "ttl", "url": web.url("/ttl.xml"), "interval": "10m"},
        {"id": "cached", "url": web.url("/cached.xml"), "interval": "10m"},
        {"id": "plain", "url": web.url("/plain.xml"), "interval": "10m"},
        {"id": "forever", "url": web.url("/forever.xml"), "interval": "10m"},  # 5,000 digits: was a traceback
    ])
    before = datetime.now(timezone.utc)
    done = run_cli("run", "--once", "--config", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    db = tmp_path / "data/watcher.db"
    assert_next_poll(db, "ttl", before, 7200, 7200 + 301)
    assert_next_poll(db, "cached", before, 10800, 10800 + 301)
    assert_next_poll(db, "plain", before, 600, 661)
    assert_next_poll(db, "forever", before, 86400, 86400 + 301)


def test_adaptive_interval_is_kept_in_the_store(web: WebServer, tmp_path: Path) -> None:
    now = datetime.now(timezone.utc)
    items = [{"title": f"Item {i}", "link": f"{{{{BASE}}}}/i{i}.html", "guid": f"i-{i}", "summary": f"Item {i} text.",
              "published": now - timedelta(hours=4 * i)} for i in range(8)]
    web.route("/feed.xml", Route(rss(items)))
    config = write_config(tmp_path, [{"id": "slow", "url": web.url("/feed.xml"), "interval": "10m", "adaptive": True,
                                      "min_interval": "15m", "max_interval": "3h"}])
    before = datetime.now(timezone.utc)
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    conn = sqlite3.connect(tmp_path / "data/watcher.db")
    assert conn.execute("SELECT adaptive_interval FROM sources").fetchone()[0] == 2 * 3600
    conn.close()
    assert_next_poll(tmp_path / "data/watcher.db", "slow", before, 7200, 7200 + 301)


def run_daemon_for(config: Path, seconds: float, until: Callable[[], bool] | None = None) -> str:
    """The daemon's output after it ran `seconds` from its start ("watching ..."), or until `until` held."""
    log = config.with_name("daemon.log")
    with log.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "watcher", "run", "--config", str(config)],
                                stdout=sink, stderr=subprocess.STDOUT, text=True)
    try:
        started = wait_for(lambda: "watching" in log.read_text() or proc.poll() is not None, timeout=60)
        assert started and proc.poll() is None, log.read_text()
        if until is None:
            time.sleep(seconds)
        else:
            wait_for(until, timeout=seconds)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    out = log.read_text()
    assert proc.returncode == 0, out
    return out


def test_restart_keeps_backoff_and_the_next_poll(web: WebServer, tmp_path: Path) -> None:
    web.route("/down.xml", Route(b"oops", status=500))
    web.route("/fine.xml", Route(rss([{"title": "Fine", "link": "{{BASE}}/f.html", "guid": "f-1"}])))
    web.route("/f.html", Route(b"<html><body><p>Fine.</p></body></html>"))
    config = write_config(tmp_path, [
        {"id": "down", "url": web.url("/down.xml"), "interval": "30s"},
        {"id": "fine", "url": web.url("/fine.xml"), "interval": "1h"},
    ])
    for _ in range(3):
        before = datetime.now(timezone.utc)
        assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    _, failures = poll_times(tmp_path / "data/watcher.db")["down"]
    assert failures == 3
    assert_next_poll(tmp_path / "data/watcher.db", "down", before, 120, 132)  # 30s doubled twice, 10% jitter
    before = (web.hits.count("/down.xml"), web.hits.count("/fine.xml"))
    out = run_daemon_for(config, 5)
    assert (web.hits.count("/down.xml"), web.hits.count("/fine.xml")) == before, out
    assert "Traceback" not in out


def test_daemon_follows_each_polls_own_next_time(web: WebServer, tmp_path: Path) -> None:
    """A source that fails backs off inside the running daemon, while a healthy one keeps its pace."""
    web.route("/down.xml", Route(b"oops", status=500))
    web.route("/fine.xml", Route(rss([{"title": "Fine", "link": "{{BASE}}/f.html", "guid": "f-1"}]), etag='"v1"'))
    web.route("/f.html", Route(b"<html><body><p>Fine.</p></body></html>"))
    config = write_config(tmp_path, [
        {"id": "down", "url": web.url("/down.xml"), "interval": "3s"},
        {"id": "fine", "url": web.url("/fine.xml"), "interval": "3s"},
    ])
    def fine_polled_5_times() -> bool:
        return web.hits.count("/fine.xml") >= 5

    out = run_daemon_for(config, 90, until=fine_polled_5_times)
    fine, down = web.hits.count("/fine.xml"), web.hits.count("/down.xml")
    # fine: about every 3 s (5 polls by 12 s); down: at 0, 3, 9 s (then 21 s): fewer
    assert fine >= 3 and 2 <= down < fine, (fine, down, out)
    assert "source fine: not_modified" in out
