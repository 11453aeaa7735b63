"""Polite and robust polling against a real local server: conditional GETs, throttling, backoff, moves,
gone sources, hostile responses (huge, bombs, trickles, loops, bad bytes), and admin notices."""

from __future__ import annotations

import asyncio
import gzip
import json
import sqlite3
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Callable, Iterator

import httpx
import pytest

from tests.conftest import run_cli, run_watcher, write_config
from tests.ops import assert_next_poll
from tests.pages import news_page, paragraphs, rss
from tests.receivers import WebhookReceiver
from tests.webserver import Route, WebServer
from watcher.errors import FetchError
from watcher.fetch import Fetcher, FetchLimits
from watcher.fetch.guard import PrivateAddressError
from watcher.fetch.http import _pinned_transport

MB = 1_000_000


def once(config: Path, *extra: str) -> str:
    result = run_cli("run", "--once", "--config", str(config), *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def source_row(db: Path, source_id: str) -> dict:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM sources WHERE id = ?", [source_id]).fetchone()
    conn.close()
    return dict(row)


def listing(config: Path) -> dict[str, dict]:
    result = run_cli("sources", "--json", "--config", str(config))
    assert result.returncode == 0, result.stderr
    return {r["id"]: r for r in json.loads(result.stdout)}


def feed_with_story(web: WebServer, prefix: str, n: int = 1) -> None:
    items = []
    for i in range(n):
        path = f"/{prefix}/2026/11/story-{i}-{prefix}.html"
        web.route(path, Route(news_page(f"{prefix} story {i}", paragraphs(f"{prefix} harbour works {i}"))))
        items.append({"title": f"{prefix} story {i}", "link": "{{BASE}}" + path, "guid": f"{prefix}-{i}"})
    web.route(f"/{prefix}/feed.xml", Route(rss(items), content_type="application/rss+xml"))


def count_articles(db: Path, source_id: str | None = None) -> int:
    conn = sqlite3.connect(db)
    sql = "SELECT COUNT(*) FROM articles" + (" WHERE source_id = ?" if source_id else "")
    n = conn.execute(sql, [source_id] if source_id else []).fetchone()[0]
    conn.close()
    return n


# -- conditional GET ---------------------------------------------------------------

def test_second_poll_is_a_304_without_body_or_parse(web: WebServer, tmp_path: Path) -> None:
    etag = 'W/"5e1-Ab/C+=="'  # stored and sent back byte for byte
    modified = "Sat, 21 Nov 2026 10:00:00 GMT"
    feed_with_story(web, "news", 2)
    body = web.routes["/news/feed.xml"].body
    web.route("/news/feed.xml", Route(body, content_type="application/rss+xml", etag=etag,
                                      headers={"Last-Modified": modified}))
    config = write_config(tmp_path, [{"id": "news", "url": web.url("/news/feed.xml")}])
    once(config)
    db = tmp_path / "data/watcher.db"
    row = source_row(db, "news")
    assert row["etag"] == etag and row["last_modified"] == modified
    assert row["last_size"] == len(body.replace(b"{{BASE}}", web.base.encode()))
    articles = count_articles(db)

    out = once(config)
    sent = web.request_headers[[i for i, h in enumerate(web.hits) if h == "/news/feed.xml"][-1]]
    assert sent["if-none-match"] == etag and sent["if-modified-since"] == modified
    assert web.sent[-1] == ("/news/feed.xml", 304, 0)  # no body went over the wire
    assert "source news: not_modified, 0 entries" in out
    assert count_articles(db) == articles
    row = source_row(db, "news")
    assert row["last_status"] == "not_modified" and row["etag"] == etag and row["not_modified"] == 1
    once(config)
    shown = listing(config)["news"]
    assert shown["bytes_saved"] == 2 * row["last_size"] and shown["not_modified"] == 2
    assert shown["health"] == "ok" and shown["failures"] == 0 and shown["next_poll"]


def test_the_same_body_without_validators_is_not_parsed_again(web: WebServer, tmp_path: Path) -> None:
    feed_with_story(web, "plain")  # no ETag, no Last-Modified: every poll is a full 200
    config = write_config(tmp_path, [{"id": "plain", "url": web.url("/plain/feed.xml")}])
    once(config)
    out = once(config)
    assert "source plain: unchanged, 0 entries" in out
    assert source_row(tmp_path / "data/watcher.db", "plain")["last_status"] == "unchanged"
    feed_with_story(web, "plain", 2)
    out = once(config)
    assert "source plain: ok, 2 entries, 1 new articles" in out


# -- throttling: 429 / 503 with Retry-After ------------------------------------------

def test_429_with_retry_after_seconds_pauses_the_whole_host(web: WebServer, tmp_path: Path) -> None:
    web.route("/busy/feed.xml", Route(b"slow down", status=429, headers={"Retry-After": "600"}))
    feed_with_story(web, "same")  # another source on the same host
    feed_with_story(web, "other")  # on another host name (localhost) of the same server
    port = web.base.rsplit(":", 1)[1]
    config = write_config(tmp_path, [
        {"id": "busy", "url": web.url("/busy/feed.xml"), "interval": "1m"},
        {"id": "same", "url": web.url("/same/feed.xml"), "interval": "1m"},
        {"id": "other", "url": f"http://localhost:{port}/other/feed.xml", "interval": "1m"},
    ], http={"allow_private": True, "per_host": 1})
    before = datetime.now(timezone.utc).replace(microsecond=0)  # the store keeps whole seconds
    first = once(config)
    after = datetime.now(timezone.utc)
    db = tmp_path / "data/watcher.db"
    assert "the host asked for a pause until" in first
    assert web.hits.count("/same/feed.xml") == 0  # queued behind the 429, then paused
    assert source_row(db, "same")["last_status"] == "paused"
    assert source_row(db, "other")["last_status"] == "ok" and count_articles(db, "other") == 1

    second = once(config)  # the pause is kept across runs: nothing is asked of that host
    assert web.hits.count("/busy/feed.xml") == 1 and web.hits.count("/same/feed.xml") == 0
    assert "source busy: paused" in second and "source same: paused" in second
    for sid in ("busy", "same"):
        due = datetime.fromisoformat(source_row(db, sid)["next_poll_at"])
        # the pause's end (10 minutes after the 429 came in the first run) and up to 5 s of jitter, not the interval
        assert before + timedelta(seconds=600) <= due <= after + timedelta(seconds=605), (sid, before, due, after)
    assert source_row(db, "same")["consecutive_failures"] == 0  # waiting is not failing
    assert listing(config)["same"]["health"] == "paused"


def test_503_with_retry_after_as_a_date_pauses_until_then(web: WebServer, tmp_path: Path) -> None:
    until = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=2)
    web.route("/feed.xml", Route(b"maintenance", status=503, headers={"Retry-After": format_datetime(until, usegmt=True)}))
    config = write_config(tmp_path, [{"id": "maint", "url": web.url("/feed.xml")}])
    once(config)
    db = tmp_path / "data/watcher.db"
    row = source_row(db, "maint")
    assert row["last_http_status"] == 503 and row["consecutive_failures"] == 1
    assert until <= datetime.fromisoformat(row["next_poll_at"]) <= until + timedelta(seconds=10)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT until FROM host_pauses").fetchone()[0] == until.isoformat()
    conn.close()
    once(config)
    assert web.hits.count("/feed.xml") == 1


async def test_article_fetches_respect_a_host_pause(web: WebServer) -> None:
    web.route("/a", Route(b"no", status=429, headers={"Retry-After": "1"}))
    web.route("/b", Route(b"fine"))
    async with Fetcher(allow_private=True) as f:
        start = time.time()  # the pause runs until 1 s after the 429 came, so at least 1 s after this
        with pytest.raises(FetchError) as info:
            await f.get(web.url("/a"))
        assert info.value.status == 429 and info.value.retry_after
        assert (await f.get(web.url("/b"), trusted=False)).content == b"fine"  # a short pause is waited out
        assert time.time() - start >= 0.95
    long_pause = Fetcher(allow_private=True, pauses={web.base.split("//")[1]: time.time() + 3600})
    async with long_pause as f:
        with pytest.raises(FetchError) as info:
            await f.get(web.url("/b"), trusted=False)
        assert info.value.kind == "paused"
    assert web.hits.count("/b") == 1


# -- failures back off ----------------------------------------------------------------

def test_a_500_streak_backs_off_then_recovers(web: WebServer, tmp_path: Path) -> None:
    web.route("/feed.xml", Route(b"oops", status=500))
    feed_with_story(web, "good")
    config = write_config(tmp_path, [
        {"id": "flaky", "url": web.url("/feed.xml"), "interval": "1m"},
        {"id": "good", "url": web.url("/good/feed.xml"), "interval": "1m"},
    ])
    db = tmp_path / "data/watcher.db"
    waits = []
    for n in range(4):
        before = datetime.now(timezone.utc)
        out = once(config)
        row = source_row(db, "flaky")
        waits.append((datetime.fromisoformat(row["next_poll_at"]) - datetime.fromisoformat(row["last_poll_at"])).total_seconds())
        if n in (0, 3):  # 1 minute plus up to 10% jitter, then doubled three times
            assert_next_poll(db, "flaky", before, 60 * 2**n, 66 * 2**n + 1)
    assert "failed in a row" in out
    assert row["consecutive_failures"] == 4 and row["last_status"] == "http"
    assert all(b > a for a, b in zip(waits, waits[1:])), waits
    assert source_row(db, "good")["last_status"] == "unchanged" and count_articles(db, "good") == 1
    assert listing(config)["flaky"]["health"] == "failing"

    feed_with_story(web, "flaky")
    web.route("/feed.xml", web.routes["/flaky/feed.xml"])
    before = datetime.now(timezone.utc)
    once(config)
    row = source_row(db, "flaky")
    assert row["consecutive_failures"] == 0 and row["failing_since"] is None
    assert_next_poll(db, "flaky", before, 60, 67)


# -- redirects, moves and gone sources ----------------------------------------------------

def test_a_lasting_301_moves_the_source_but_a_302_never_does(web: WebServer, tmp_path: Path) -> None:
    feed_with_story(web, "new")
    feed_with_story(web, "temp")
    web.route("/old.xml", Route(status=301, headers={"Location": "/new/feed.xml"}))
    web.route("/elsewhere.xml", Route(status=302, headers={"Location": "/temp/feed.xml"}))
    config = write_config(tmp_path, [
        {"id": "moved", "url": web.url("/old.xml")},
        {"id": "temporary", "url": web.url("/elsewhere.xml")},
    ], http={"allow_private": True, "moved_after": 2})
    db = tmp_path / "data/watcher.db"
    once(config)
    assert source_row(db, "moved")["moved_to"] is None and source_row(db, "moved")["move_polls"] == 1
    notes = run_cli("sources", "--config", str(config)).stdout
    assert "redirects permanently to" in notes and "1 polls in a row of 2" in notes
    out = once(config)
    assert f"answered 'moved permanently' to {web.url('/new/feed.xml')} on 2 polls in a row" in out
    assert source_row(db, "moved")["moved_to"] == web.url("/new/feed.xml")
    once(config)
    once(config)
    assert web.hits.count("/old.xml") == 2  # from the third poll on, the new URL is asked directly
    assert web.hits.count("/elsewhere.xml") == 4  # a 302 is followed every time, never stored
    assert source_row(db, "temporary")["moved_to"] is None
    assert source_row(db, "temporary")["move_polls"] == 0
    shown = listing(config)
    assert shown["moved"]["polled_url"] == web.url("/new/feed.xml") and shown["moved"]["url"] == web.url("/old.xml")
    assert "moved permanently; polling" in run_cli("sources", "--config", str(config)).stdout
    assert count_articles(db, "moved") == 1  # the same entries through the new URL are not new


def test_a_source_moved_to_another_host_is_not_sent_its_own_headers_there(web: WebServer, tmp_path: Path) -> None:
    """A lasting 301 to another host moves the polls there; the source's credentials stay with its own host."""
    with WebServer() as other:
        feed_with_story(other, "new")
        web.route("/old.xml", Route(status=301, headers={"Location": other.url("/new/feed.xml")}))
        config = write_config(tmp_path, [{"id": "moved", "url": web.url("/old.xml"), "request": {
            "headers": {"X-Api-Key": "k-5be0a1"}, "auth": {"username": "analyst", "password": "pw-77c2"}}}],
            http={"allow_private": True, "moved_after": 2})
        once(config)
        out = once(config)
        assert "the source's own request headers are not sent to another host until then" in out, out[-2000:]
        assert web.request_headers[-1]["x-api-key"] == "k-5be0a1", "its own host gets them"
        once(config)
        assert web.hits.count("/old.xml") == 2, web.hits  # the third poll asks the new host directly
        assert other.hits.count("/new/feed.xml") == 3, other.hits
        for sent in other.request_headers:  # neither through the redirects nor once moved (nor for its pages)
            assert "x-api-key" not in sent and "authorization" not in sent, sent


def test_410_gone_disables_the_source_until_its_url_changes(web: WebServer, tmp_path: Path) -> None:
    web.route("/gone.xml", Route(b"gone", status=410))
    feed_with_story(web, "good")
    config = write_config(tmp_path, [
        {"id": "gone", "url": web.url("/gone.xml")},
        {"id": "good", "url": web.url("/good/feed.xml")},
    ])
    out = once(config)
    assert "source gone: HTTP 410 Gone" in out and "it is disabled and not polled again" in out
    out = once(config)
    assert web.hits.count("/gone.xml") == 1 and "source gone: not polled: HTTP 410 Gone" in out
    shown = listing(config)["gone"]
    assert shown["health"] == "disabled" and "410 Gone" in shown["disabled"] and shown["next_poll"] is None
    table = run_cli("sources", "--config", str(config)).stdout
    assert "disabled" in table and "gone: disabled: HTTP 410 Gone" in table

    feed_with_story(web, "revived")
    config.write_text(config.read_text().replace("/gone.xml", "/revived/feed.xml"), encoding="utf-8")
    once(config)
    assert listing(config)["gone"]["health"] == "ok"


# -- hostile responses: each fails alone, memory stays bounded --------------------------------

BLOCK = b"<" * (1 << 20)


def gigabyte() -> Iterator[bytes]:
    for _ in range(1024):  # 1 GiB, made as it is read
        yield BLOCK


def gzip_bomb() -> Iterator[bytes]:
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    pending = [z.compress(b"<rss>")]
    for _ in range(1024):  # 1 GiB of zeros, sent in 64 KB pieces that each inflate to about 64 MB
        pending.append(z.compress(zeros))
        if sum(map(len, pending)) >= 65536:
            yield b"".join(pending)
            pending = []
    yield b"".join(pending) + z.flush()


_BROTLI: list[bytes] = []


def brotli_bomb() -> bytes:
    """1 GiB of zeros in about 200 KB: one read of it would inflate to hundreds of megabytes."""
    if not _BROTLI:
        import brotli

        c = brotli.Compressor(quality=1)
        zeros = bytes(1 << 20)
        _BROTLI.append(c.process(b"<rss>") + b"".join(c.process(zeros) for _ in range(1024)) + c.finish())
    return _BROTLI[0]


def trickle() -> Iterator[bytes]:
    yield b'<?xml version="1.0"?><rss version="2.0"><channel>'
    for _ in range(60):
        time.sleep(1)
        yield b" "


def quadratic_entity_bomb() -> bytes:
    big = "A" * 50_000
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "{big}">\n]>\n<rss version="2.0"><channel>'
            f"<title>t</title><item><title>Bomb</title><guid>b-1</guid><description>{'&a;' * 20_000}</description>"
            f"</item></channel></rss>").encode()


def billion_laughs() -> bytes:
    ents = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10 if i else "lol"}">\n' for i in range(10))
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{ents}]>\n<rss version="2.0"><channel><title>t</title>'
            f"<item><title>&l9;</title><guid>l-1</guid></item></channel></rss>").encode()


def run_measured(config: Path, timeout: float = 120) -> tuple[subprocess.CompletedProcess, int, float]:
    """`watcher run --once` in a subprocess, with its peak resident memory (kB, from /proc) and wall time."""
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "watcher", "run", "--once", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(proc.communicate(timeout=timeout)))
    reader.start()
    while reader.is_alive():
        try:
            status = Path(f"/proc/{proc.pid}/status").read_text()
            peak = max(peak, int(status.split("VmHWM:")[1].split()[0]))
        except (OSError, IndexError, ValueError):
            pass
        time.sleep(0.05)
    reader.join()
    result = subprocess.CompletedProcess(proc.args, proc.returncode, *out)
    return result, peak, time.monotonic() - start


def test_hostile_sources_fail_alone_with_bounded_memory_and_time(web: WebServer, tmp_path: Path) -> None:
    feed_with_story(web, "good", 2)
    web.route("/huge.xml", Route(chunks=gigabyte, content_type="application/rss+xml"))
    web.route("/gzip-bomb.xml", Route(chunks=gzip_bomb, headers={"Content-Encoding": "gzip"}))
    web.route("/br-bomb.xml", Route(brotli_bomb(), headers={"Content-Encoding": "br"}))
    web.route("/trickle.xml", Route(chunks=trickle, content_type="application/rss+xml"))
    web.route("/loop-a.xml", Route(status=302, headers={"Location": "/loop-b.xml"}))
    web.route("/loop-b.xml", Route(status=301, headers={"Location": "/loop-a.xml"}))
    html = news_page("Front page", paragraphs("front page")).replace(
        b"</head>", b'<link rel="alternate" type="application/rss+xml" href="/real-feed.xml"></head>')
    web.route("/html.xml", Route(html, content_type="text/html"))
    bad_utf8 = rss([{"title": "Caf\u00e9 news", "link": "{{BASE}}/good/2026/11/story-0-good.html", "guid": "u-1"}])
    web.route("/utf8.xml", Route(bad_utf8.replace("Caf\u00e9".encode(), b"Caf\xe9 \xff\xfe"),
                                 content_type="application/rss+xml; charset=utf-8"))
    web.route("/entities.xml", Route(quadratic_entity_bomb(), content_type="application/rss+xml"))
    web.route("/laughs.xml", Route(billion_laughs(), content_type="application/rss+xml"))
    names = ["huge", "gzip-bomb", "br-bomb", "trickle", "loop-a", "html", "utf8", "entities", "laughs"]
    config = write_config(tmp_path, [{"id": "good", "url": web.url("/good/feed.xml")}] + [
        # only the trickle is cut by time; the others get long enough to meet their own limit on a busy machine
        {"id": n, "url": web.url(f"/{n}.xml"), "type": "feed", "timeout": "4s" if n == "trickle" else "60s"}
        for n in names
    ], defaults={"interval": "15m"}, http={"allow_private": True, "max_bytes": "2MB"})

    result, peak_kb, elapsed = run_measured(config)
    log = result.stdout
    assert result.returncode == 0, log + result.stderr
    assert "Traceback" not in log + result.stderr
    db = tmp_path / "data/watcher.db"
    status = {n: source_row(db, n)["last_status"] for n in ["good", *names]}
    assert status == {
        "good": "ok", "huge": "too_large", "gzip-bomb": "too_large", "br-bomb": "too_large", "trickle": "timeout",
        "loop-a": "redirect", "html": "parse", "utf8": "ok", "entities": "ok", "laughs": "ok",
    }, status
    assert count_articles(db, "good") == 2
    assert f"it advertises the feed {web.base}/real-feed.xml" in log
    assert "redirect loop at" in log and "exceeds the 2000000-byte cap" in log
    assert "timed out after 4s" in log  # the one-byte-a-second server is cut by the total time limit
    conn = sqlite3.connect(db)
    utf8_title = conn.execute("SELECT title FROM entries WHERE source_id = 'utf8'").fetchone()[0]
    body = conn.execute("SELECT length(body) FROM articles WHERE source_id = 'entities'").fetchone()[0]
    conn.close()
    assert utf8_title.startswith("Caf") and "news" in utf8_title  # the bad bytes did not lose the entry
    assert body < 2 * MB  # the entity was not expanded 20,000 times
    huge_sent = [n for p, _, n in web.sent if p == "/huge.xml"]
    assert huge_sent and huge_sent[0] < 100 * MB  # the server stopped early: we hung up at the cap
    assert elapsed < 90, elapsed  # about 5 s alone, 15 s on a loaded machine; the limits above cut each source
    print(f"peak RSS of run --once: {peak_kb} kB in {elapsed:.1f}s")
    assert peak_kb < 400_000, f"peak RSS {peak_kb} kB"  # any body held whole would be a gigabyte


@pytest.mark.parametrize("route", ["gzip", "br", "plain"])
async def test_caps_hold_in_memory_for_each_encoding(web: WebServer, route: str) -> None:
    if route == "gzip":
        url = web.route("/x", Route(chunks=gzip_bomb, headers={"Content-Encoding": "gzip"}))
    elif route == "br":
        url = web.route("/x", Route(brotli_bomb(), headers={"Content-Encoding": "br"}))
    else:
        url = web.route("/x", Route(chunks=gigabyte))
    tracemalloc.start()
    try:
        async with Fetcher(FetchLimits(max_bytes=5 * MB)) as f:
            with pytest.raises(FetchError) as info:
                await f.get(url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.kind == "too_large"
    assert peak < 20 * MB, peak


async def test_compressed_bodies_under_the_cap_still_decode(web: WebServer) -> None:
    import brotli

    text = b"<rss>" + b"harbour " * 200_000 + b"</rss>"  # 1.6 MB, spanning several decode steps
    web.route("/gz", Route(gzip.compress(text), headers={"Content-Encoding": "gzip"}))
    web.route("/two", Route(gzip.compress(text) + gzip.compress(b"<tail/>"), headers={"Content-Encoding": "gzip"}))
    web.route("/br", Route(brotli.compress(text), headers={"Content-Encoding": "br"}))
    web.route("/deflate", Route(zlib.compress(text), headers={"Content-Encoding": "deflate"}))
    web.route("/raw-deflate", Route(zlib.compress(text)[2:-4], headers={"Content-Encoding": "deflate"}))
    web.route("/zstd", Route(b"whatever", headers={"Content-Encoding": "zstd"}))
    web.route("/broken", Route(b"\x1f\x8b not gzip at all", headers={"Content-Encoding": "gzip"}))
    async with Fetcher(FetchLimits(max_bytes=5 * MB)) as f:
        for path in ("/gz", "/br", "/deflate", "/raw-deflate"):
            resp = await f.get(web.url(path))
            assert resp.content == text and resp.received < len(text) / 10, path
        assert (await f.get(web.url("/two"))).content == text + b"<tail/>"
        for path in ("/zstd", "/broken"):
            with pytest.raises(FetchError) as info:
                await f.get(web.url(path))
            assert info.value.kind == "decode", path


async def test_trickling_server_is_cut_by_the_total_time(web: WebServer) -> None:
    url = web.route("/slow", Route(chunks=trickle))
    start = time.monotonic()
    async with Fetcher(FetchLimits(timeout=5, total=2.5)) as f:
        with pytest.raises(FetchError) as info:
            await f.get(url)
    assert info.value.kind == "timeout" and time.monotonic() - start < 10


async def test_too_many_redirects(web: WebServer) -> None:
    for i in range(5):
        web.route(f"/r{i}", Route(status=307, headers={"Location": f"/r{i + 1}"}))
    web.route("/r5", Route(b"end"))
    async with Fetcher(FetchLimits(max_redirects=3)) as f:
        with pytest.raises(FetchError, match="more than 3 redirects"):
            await f.get(web.url("/r0"))
    async with Fetcher(FetchLimits(max_redirects=5)) as f:
        assert (await f.get(web.url("/r0"))).content == b"end"


# -- politeness ----------------------------------------------------------------------------

async def test_host_gap_holds_when_the_global_limit_kept_requests_waiting(web: WebServer) -> None:
    """Two requests to one host wait out their gap while both global slots are busy elsewhere; when both
    slots free at once they must still start a gap apart."""
    starts: dict[str, list[float]] = {}
    release = threading.Event()

    def body(name: str) -> Callable[[], Iterator[bytes]]:
        def chunks() -> Iterator[bytes]:
            starts.setdefault(name, []).append(time.monotonic())
            if name != "c":
                release.wait(30)  # hosts A and B hold both global slots until released together
            yield b"ok"
        return chunks

    with WebServer() as other:
        port = web.base.rsplit(":", 1)[1]
        a = web.route("/a", Route(chunks=body("a")))
        b = other.route("/b", Route(chunks=body("b")))
        c = f"http://localhost:{port}/c"  # a third host name
        web.route("/c", Route(chunks=body("c")))
        async with Fetcher(FetchLimits(per_host=2, concurrency=2, host_gap=0.5)) as f:
            busy = [asyncio.create_task(f.get(u)) for u in (a, b)]
            for _ in range(100):
                if len(starts.get("a", [])) + len(starts.get("b", [])) == 2:
                    break
                await asyncio.sleep(0.05)
            assert len(starts.get("a", [])) + len(starts.get("b", [])) == 2, starts
            waiting = [asyncio.create_task(f.get(c)) for _ in range(2)]
            await asyncio.sleep(1.0)  # both have waited out their gap by now, in line for a global slot
            assert "c" not in starts, starts
            release.set()
            await asyncio.gather(*busy, *waiting)
    seen = starts["c"]
    assert seen[1] - seen[0] >= 0.4, f"host C's two requests started {seen[1] - seen[0]:.3f} s apart (gap 0.5 s)"


async def test_per_host_limit_gap_and_global_limit(web: WebServer) -> None:
    active = {"now": 0, "max": 0}
    starts: list[float] = []
    lock = threading.Lock()

    def slow_body() -> Iterator[bytes]:
        with lock:
            starts.append(time.monotonic())
            active["now"] += 1
            active["max"] = max(active["max"], active["now"])
        time.sleep(0.3)
        with lock:
            active["now"] -= 1
        yield b"ok"

    url = web.route("/slow", Route(chunks=slow_body))
    async with Fetcher(FetchLimits(per_host=2, host_gap=0.2)) as f:
        await asyncio.gather(*(f.get(url) for _ in range(6)))
    assert active["max"] == 2
    # The server sees each request a little after it was sent, by a delay that varies
    # under load, so one gap alone can look short; what the gap guarantees is that the
    # i-th request is sent no earlier than i gaps after the first.
    since_first = [round(t - starts[0], 3) for t in starts]
    assert all(s >= i * 0.2 - 0.1 for i, s in enumerate(since_first)), since_first

    active.update(now=0, max=0)
    port = web.base.rsplit(":", 1)[1]
    urls = [url, f"http://localhost:{port}/slow"] * 2  # two host names, one server
    async with Fetcher(FetchLimits(per_host=2, concurrency=1)) as f:
        await asyncio.gather(*(f.get(u) for u in urls))
    assert active["max"] == 1  # the global limit holds across hosts


async def test_time_waiting_in_line_for_a_host_does_not_count_against_the_time_limit(web: WebServer) -> None:
    url = web.route("/slowish", Route(b"ok", hang=0.4))
    async with Fetcher(FetchLimits(per_host=1, total=1.0)) as f:
        bodies = await asyncio.gather(*(f.get(url) for _ in range(5)))  # the last waits about 1.6 s in line
    assert [b.content for b in bodies] == [b"ok"] * 5


# -- the private-address guard and DNS pinning ----------------------------------------------

async def test_guarded_connections_go_only_to_the_checked_public_address(web: WebServer) -> None:
    url = web.route("/admin", Route(b"router admin page"))
    port = web.base.rsplit(":", 1)[1]
    # below the pre-check: the connection itself resolves, checks and connects to the same address
    async with httpx.AsyncClient(transport=_pinned_transport(FetchLimits())) as client:
        for target in (url, f"http://localhost:{port}/admin"):
            with pytest.raises(PrivateAddressError):
                await client.get(target)
    async with Fetcher() as f:
        with pytest.raises(FetchError) as info:
            await f.get(f"http://localhost:{port}/admin", trusted=False)
        assert info.value.kind == "private"
        web.route("/hop", Route(status=302, headers={"Location": f"http://localhost:{port}/admin"}))
        with pytest.raises(FetchError) as info:  # a configured source may not redirect a link into the network
            await f.get(f"http://127.0.0.1:{port}/hop", trusted=False)
        assert info.value.kind == "private"
        assert (await f.get(url)).content == b"router admin page"  # configured sources are trusted
    assert web.hits.count("/admin") == 1


# -- admin notices ---------------------------------------------------------------------------

def test_one_notice_when_a_source_fails_too_long_and_one_when_it_recovers(
    web: WebServer, hooks: WebhookReceiver, tmp_path: Path
) -> None:
    web.route("/feed.xml", Route(b"<rss><channel><item><title>broken", content_type="application/rss+xml"))
    feed_with_story(web, "good")
    config = write_config(tmp_path, [
        {"id": "broken", "url": web.url("/feed.xml")},
        {"id": "good", "url": web.url("/good/feed.xml")},
    ], channels={"admin": {"urls": [f"json://{hooks.base}/admin"]}},
        delivery={"source_failing_after": "1s"})
    once(config)
    assert hooks.snapshot() == []  # one failure is not yet "failing too long"
    time.sleep(1.2)
    out = once(config)
    assert "failing since" in out
    once(config)
    titles = [r.json["title"] for r in hooks.snapshot()]
    assert titles == ["watcher: source 'broken' is failing"]
    message = hooks.snapshot()[0].json["message"]
    assert "polls in a row have failed" in message and "parse" not in titles[0]
    assert listing(config)["broken"]["failures"] == 3

    feed_with_story(web, "fixed")
    web.route("/feed.xml", web.routes["/fixed/feed.xml"])
    once(config)
    once(config)
    titles = [r.json["title"] for r in hooks.snapshot()]
    assert titles == ["watcher: source 'broken' is failing", "watcher: source 'broken' recovered"]
    assert not [t for t in titles if "good" in t]


def test_a_disabled_source_is_enabled_again_by_command(web: WebServer, tmp_path: Path) -> None:
    web.route("/back.xml", Route(b"gone", status=410))
    config = write_config(tmp_path, [{"id": "back", "url": web.url("/back.xml")}])
    once(config)
    assert listing(config)["back"]["health"] == "disabled"
    unknown = run_cli("sources", "--config", str(config), "enable", "nope")
    assert unknown.returncode == 1 and "no source 'nope'" in unknown.stderr and "Traceback" not in unknown.stderr
    enabled = run_cli("sources", "--config", str(config), "enable", "back")
    assert enabled.returncode == 0 and "enabled (was disabled: HTTP 410 Gone" in enabled.stdout, enabled.stderr
    feed_with_story(web, "back-feed")
    web.route("/back.xml", Route(web.routes["/back-feed/feed.xml"].body, content_type="application/rss+xml"))
    once(config)
    assert web.hits.count("/back.xml") == 2 and listing(config)["back"]["health"] == "ok"
