"""`/healthz` of the daemon, and a stop request (SIGTERM) that loses nothing."""

from __future__ import annotations

import asyncio
import signal
import socket
import sqlite3
import time
from pathlib import Path
from types import SimpleNamespace

from tests.conftest import run_watcher, write_config
from tests.ops import get, publish, start_daemon, stop, wait_for
from tests.receivers import WebhookReceiver, free_port
from tests.webserver import WebServer
from watcher.config import load_config
from watcher.run.daemon import Daemon
from watcher.store import Store

RULES = """\
rules:
  - id: local-news
    title: "Local news"
    match:
      keywords: [harbour, library]
    notify: [hook]
"""


def raw(port: int, request: bytes) -> bytes:
    """The status line the server answers a raw request with (a HEAD answer has no body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request)
        answer = b""
        # the head is enough: an HTTP/1.1 server may keep the connection open for the next request
        while b"\r\n\r\n" not in answer and (chunk := s.recv(65536)):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    if request.startswith(b"HEAD"):
        assert body == b""
    return head.split(b"\r\n", 1)[0]


async def test_healthz_flips_to_503_when_the_scheduler_stops(web: WebServer, tmp_path: Path) -> None:
    publish(web, "a", ["harbour-crane-arrives"])
    port = free_port()
    config = load_config(write_config(tmp_path, [{"id": "a", "url": web.url("/a/feed.xml"), "interval": "1h"}],
                                      server={"listen": f"127.0.0.1:{port}"}))
    daemon = Daemon(config)
    running = asyncio.create_task(daemon.run())
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        for _ in range(300):  # the server runs on this loop: ask from a thread
            status, body = await asyncio.to_thread(get, url, 2.0)
            if status == 200:
                break
            await asyncio.sleep(0.1)
        assert (status, body) == (200, "ok: 1 sources scheduled\n")
        idle = socket.create_connection(("127.0.0.1", port))  # a client that never sends blocks no one
        try:
            assert await asyncio.to_thread(raw, port, b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n") == \
                b"HTTP/1.1 200 OK"
            assert await asyncio.to_thread(raw, port, b"junk\r\n\r\n") == b"HTTP/1.1 400 Bad Request"
            assert await asyncio.to_thread(raw, port, b"POST /metrics HTTP/1.1\r\n\r\n") == \
                b"HTTP/1.1 405 Method Not Allowed"
        finally:
            idle.close()

        daemon.scheduler.shutdown(wait=False)
        status, body = await asyncio.to_thread(get, url, 2.0)
        assert status == 503
        assert "scheduler is not running" in body
    finally:
        daemon.stop()
        await asyncio.wait_for(running, timeout=30)


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path: Path) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    config = load_config(write_config(tmp_path, []))
    daemon = Daemon(config)
    daemon.scheduler = BackgroundScheduler()
    daemon.scheduler.start()
    store = Store(tmp_path / "data/watcher.db")
    try:
        assert daemon.health(SimpleNamespace(store=store)).ok  # type: ignore[arg-type]
        store.close()
        health = daemon.health(SimpleNamespace(store=store))  # type: ignore[arg-type]
    finally:
        daemon.scheduler.shutdown(wait=False)
    assert not health.ok
    assert "database does not answer" in health.reason


def test_sigterm_during_a_poll_exits_0_quickly_and_loses_nothing(web: WebServer, hooks: WebhookReceiver,
                                                                 tmp_path: Path) -> None:
    fast = publish(web, "a", ["harbour-crane-arrives", "harbour-dredging-starts", "library-opens-late"])
    slow_path = fast.pop().removeprefix(web.base)
    web.routes[slow_path].hang = 30.0  # the poll is still reading this page when SIGTERM comes
    hooks.fail_next = [(500, {})] * 1000  # the channel is down: alerts stay in the outbox
    (tmp_path / "rules.yaml").write_text(RULES)
    port = free_port()
    config = write_config(
        tmp_path,
        [{"id": "a", "url": web.url("/a/feed.xml"), "baseline": False}],
        defaults={"interval": "1h", "timeout": "60s"}, rules="rules.yaml", channels={"hook": {"urls": [f"json://{hooks.base}/alerts"]}},
        delivery={"retry": "1s", "max_retry": "2s"}, server={"listen": f"127.0.0.1:{port}"},
    )
    db = tmp_path / "data/watcher.db"
    healthz = f"http://127.0.0.1:{port}/healthz"

    def stored() -> int:
        if not db.exists():
            return 0
        conn = sqlite3.connect(db)
        try:
            return conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        except sqlite3.OperationalError:  # tables not created yet
            return 0
        finally:
            conn.close()

    log = tmp_path / "run1.log"
    proc = start_daemon(config, log=log)
    try:
        wait_for(lambda: stored() == 2 and hooks.attempts >= 2 and slow_path in web.hits, timeout=90)
        assert get(healthz)[0] == 200
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        seen = []
        while proc.poll() is None and len(seen) < 200:
            seen.append(get(healthz, timeout=1.0))
            if seen[-1][0] == 503:
                break
        proc.wait(timeout=30)
        took = time.monotonic() - start
    finally:
        if proc.poll() is None:
            proc.kill()
    out = log.read_text()
    assert proc.returncode == 0, out
    assert took < 10, f"took {took:.1f}s: `docker stop` would have killed it"
    assert seen and seen[-1][0] == 503 and "stopping" in seen[-1][1], seen
    assert "stopped 1 polls that did not finish" in out and "Traceback" not in out

    conn = sqlite3.connect(db)
    assert conn.execute("SELECT url FROM articles ORDER BY url").fetchall() == [(u,) for u in sorted(fast)]
    assert conn.execute("SELECT status, COUNT(*) FROM deliveries GROUP BY status").fetchall() == [("pending", 2)]
    conn.close()

    # restarted with the channel back: the queued alerts go out, and the page the stop cut short is read
    hooks.fail_next.clear()
    web.routes[slow_path].hang = 0.0
    proc = start_daemon(config)
    try:
        wait_for(lambda: len(hooks.snapshot()) >= 3, timeout=90)
    finally:
        code, _ = stop(proc, signal.SIGTERM)
    assert code == 0
    messages = [r.message for r in hooks.snapshot()]
    assert len(messages) == 3
    for url in [*fast, web.url(slow_path)]:
        assert sum(url in m for m in messages) == 1, (url, messages)


def test_sigterm_exits_within_10s_of_the_stop_request(web: WebServer, tmp_path: Path) -> None:
    publish(web, "a", ["harbour-crane-arrives"])
    web.routes["/a/feed.xml"].hang = 60.0  # the feed itself never answers in time
    config = write_config(tmp_path, [{"id": "a", "url": web.url("/a/feed.xml")}],
                          defaults={"interval": "1h", "timeout": "120s"})
    proc = start_daemon(config)
    try:
        wait_for(lambda: "/a/feed.xml" in web.hits, timeout=60)
    finally:
        code, took = stop(proc, signal.SIGTERM)
    assert code == 0
    assert took < 10, f"took {took:.1f}s: `docker stop` would have killed it"


def test_a_port_in_use_is_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = write_config(tmp_path, [], server={"listen": f"127.0.0.1:{port}"})
        result = run_watcher("run", "--config", str(config), timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    [line] = result.stderr.strip().splitlines()
    assert f"server.listen 127.0.0.1:{port}: cannot listen" in line
