"""`GET /metrics` of a real `watcher run`: Prometheus text that counts what the daemon did."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.conftest import write_config
from tests.ops import get, metrics, publish, start_daemon, stop, wait_for
from tests.receivers import WebhookReceiver, free_port
from tests.webserver import WebServer

RULES = """\
rules:
  - id: harbour-works
    title: "Harbour works"
    match:
      keywords: [harbour]
    notify: [hook]
  - id: never-fires
    title: "Nothing"
    match:
      keywords: [zeppelin]
"""


def label(**kw: str) -> frozenset:
    return frozenset(kw.items())


def test_metrics_count_polls_articles_rule_hits_and_alerts(web: WebServer, hooks: WebhookReceiver,
                                                           tmp_path: Path) -> None:
    publish(web, "a", ["harbour-crane-arrives", "harbour-dredging-starts"])
    publish(web, "b", ["library-opens-late"])
    (tmp_path / "rules.yaml").write_text(RULES)
    port = free_port()
    config = write_config(
        tmp_path,
        [{"id": "a", "url": web.url("/a/feed.xml"), "interval": "1h", "baseline": False},
         {"id": "b", "url": web.url("/b/feed.xml"), "interval": "1h", "baseline": False},
         {"id": "gone", "url": web.url("/gone/feed.xml"), "interval": "1h"}],
        rules="rules.yaml",
        channels={"hook": {"urls": [f"json://{hooks.base}/alerts"]}},
        server={"listen": f"127.0.0.1:{port}"},
    )
    proc = start_daemon(config, log=tmp_path / "out.log")
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        def settled() -> dict | None:
            m = metrics(url) if get(url)[0] == 200 else {}
            polls = sum(v for (name, _), v in m.items() if name == "watcher_polls_total")
            sent = m.get(("watcher_alerts_sent_total", label(channel="hook")), 0)
            return m if polls == 3 and sent == 2 else None

        m = wait_for(settled, timeout=90)
        assert len(hooks.snapshot()) == 2
        assert m[("watcher_polls_total", label(source="a", status="ok"))] == 1
        assert m[("watcher_polls_total", label(source="b", status="ok"))] == 1
        assert m[("watcher_polls_total", label(source="gone", status="http"))] == 1
        assert m[("watcher_errors_total", label(kind="http"))] == 1
        assert m[("watcher_articles_stored_total", frozenset())] == 3
        assert m[("watcher_rule_hits_total", label(rule="harbour-works"))] == 2
        assert ("watcher_rule_hits_total", label(rule="never-fires")) not in m
        assert m[("watcher_alerts_failed_total", label(channel="hook"))] == 0
        assert m[("watcher_outbox_depth", label(channel="hook"))] == 0
        assert m[("watcher_sources_failing", frozenset())] == 1
        assert 0 <= m[("watcher_poll_lag_seconds", frozenset())] < 60  # every source was just polled
        assert m[("process_resident_memory_bytes", frozenset())] > 0

        assert get(f"http://127.0.0.1:{port}/nothing-here")[0] == 404
    finally:
        code, _ = stop(proc, signal.SIGTERM)
    assert code == 0, (tmp_path / "out.log").read_text()


def test_failed_deliveries_and_outbox_depth(web: WebServer, hooks: WebhookReceiver, tmp_path: Path) -> None:
    publish(web, "a", ["harbour-wall-repaired"])
    hooks.fail_next = [(500, {})] * 1000  # the channel refuses every try
    (tmp_path / "rules.yaml").write_text(RULES)
    port = free_port()
    config = write_config(
        tmp_path, [{"id": "a", "url": web.url("/a/feed.xml"), "interval": "1h", "baseline": False}],
        rules="rules.yaml", channels={"hook": {"urls": [f"json://{hooks.base}/alerts"]}},
        delivery={"retry": "1s", "max_retry": "1s"}, server={"listen": f"127.0.0.1:{port}"},
    )
    proc = start_daemon(config, log=tmp_path / "out.log")
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        def failed_twice() -> dict | None:
            m = metrics(url) if get(url)[0] == 200 else {}
            return m if m.get(("watcher_alerts_failed_total", label(channel="hook")), 0) >= 2 else None

        m = wait_for(failed_twice, timeout=90)
        assert m[("watcher_outbox_depth", label(channel="hook"))] == 1
        assert m[("watcher_alerts_sent_total", label(channel="hook"))] == 0
        assert m[("watcher_errors_total", label(kind="delivery"))] >= 2
    finally:
        code, _ = stop(proc, signal.SIGTERM)
    assert code == 0
    assert hooks.received == []
