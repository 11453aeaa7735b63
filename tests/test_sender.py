"""The sender's decisions, on plain values, and its pacing against a real receiver."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Coroutine

from tests.receivers import WebhookReceiver
from watcher.config import load_config
from watcher.deliver.sender import Sender, next_attempt
from watcher.model import AlertDraft, Article, Entry, Match, Target
from watcher.store import Store

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def test_backoff_doubles_with_jitter_and_gives_up_at_max_age() -> None:
    rng = random.Random(1)
    waits = [(next_attempt(n, T0, T0, 30, 3600, 86400, rng) - T0).total_seconds() for n in range(1, 9)]
    for n, w in enumerate(waits, 1):
        base = min(30 * 2 ** (n - 1), 3600)
        assert 0.8 * base <= w <= 1.2 * base
    assert next_attempt(3, T0, T0 + timedelta(days=1), 30, 3600, 86400) is None


def test_pace_spaces_messages_to_one_url(tmp_path: Path) -> None:
    stamps: list[float] = []

    class Stamped(list):  # type: ignore[type-arg]
        def append(self, item: object) -> None:
            stamps.append(time.monotonic())
            super().append(item)

    hooks = WebhookReceiver(received=Stamped()).start()
    (tmp_path / "w.yaml").write_text(f"channels:\n  hooks:\n    urls: ['json://{hooks.base}/a']\n    pace: 400ms\n")
    config = load_config(tmp_path / "w.yaml", env={})
    store = Store(tmp_path / "w.db")
    store.sources.ensure("s", "https://e.org/feed", "feed")
    for i in range(3):
        url = f"https://e.org/{i}"
        art = Article(url, url, None, "s", f"T{i}", None, None, None, None, f"body {i}", f"h{i}", False, True)
        alert = AlertDraft(f"Rule {i}", f"Body {i}", (Target("hooks", 0),))
        store.articles.add(Entry("s", url, url, url, url, "T", None), art, [Match("r", "[]", alert)])
    start = time.monotonic()
    report = asyncio.run(Sender(store, config).send_due())
    hooks.stop()
    assert report.sent == 3 and len(stamps) == 3
    # a message arrives after it is sent, so the n-th (from 0) cannot arrive before n paces have passed;
    # gaps between arrivals would also count how late each one was delivered on a busy machine
    since_start = [round(t - start, 3) for t in stamps]
    assert since_start[1] >= 0.4 and since_start[2] >= 0.8, since_start


def test_two_channels_sharing_a_url_keep_its_pace(tmp_path: Path) -> None:
    hooks = WebhookReceiver().start()
    url = f"json://{hooks.base}/shared"
    (tmp_path / "w.yaml").write_text(f"channels:\n  desk:\n    urls: ['{url}']\n    pace: 400ms\n"
                                     f"  wire:\n    urls: ['{url}']\n    pace: 400ms\n")
    store = Store(tmp_path / "w.db")
    add_alerts(store, 2, "Harbour works", targets=(Target("desk", 0), Target("wire", 0)))  # two lanes, one URL
    start = time.monotonic()
    report = asyncio.run(Sender(store, load_config(tmp_path / "w.yaml", env={})).send_due())
    hooks.stop()
    since_start = sorted(round(r.at - start, 3) for r in hooks.snapshot())
    assert report.sent == 4 and len(since_start) == 4, (report, since_start)
    # the n-th message (from 0) to the URL cannot arrive before n paces have passed, whichever lane sent it
    assert all(t >= 0.4 * n for n, t in enumerate(since_start)), since_start


def test_a_digest_longer_than_the_service_takes_loses_no_alert(tmp_path: Path) -> None:
    import re

    hooks = WebhookReceiver().start()
    (tmp_path / "w.yaml").write_text(f"channels:\n  daily:\n    urls: ['json://{hooks.base}/d']\n    digest: every 1s\n")
    config = load_config(tmp_path / "w.yaml", env={})
    store = Store(tmp_path / "w.db")
    add_alerts(store, 600, "Harbour works " * 15)  # about 140,000 characters of digest lines: more than json://
    sender = Sender(store, config)  # takes in its 4 parts
    try:
        asyncio.run(sender.send_due())  # the first digest is due a second from now
        time.sleep(1.1)
        report = asyncio.run(sender.send_due())
    finally:
        hooks.stop()
    text = "\n".join(r.message for r in hooks.snapshot())
    listed = {int(n) for n in re.findall(r"https://e\.org/(\d+)\b", text)}
    assert report.sent == 600 and listed == set(range(600)), f"{len(listed)} of 600 alerts in the digests"
    assert "characters cut" not in text


def test_the_parts_of_a_long_digest_keep_the_pace(tmp_path: Path) -> None:
    hooks = WebhookReceiver().start()
    (tmp_path / "w.yaml").write_text(f"channels:\n  daily:\n    urls: ['json://{hooks.base}/d']\n"
                                     "    digest: every 1s\n    pace: 400ms\n")
    store = Store(tmp_path / "w.db")
    add_alerts(store, 600, "Harbour works " * 15)  # more than one json:// message takes: several parts
    sender = Sender(store, load_config(tmp_path / "w.yaml", env={}))
    try:
        asyncio.run(sender.send_due())  # the first digest is due a second from now
        time.sleep(1.1)
        start = time.monotonic()
        report = asyncio.run(sender.send_due())
    finally:
        hooks.stop()
    since_start = sorted(round(r.at - start, 3) for r in hooks.snapshot())
    assert report.sent == 600, report
    # the digest went as two messages or more (the service splits each in parts of its own, sent at once):
    # the last message cannot arrive before a pace has passed
    assert len(since_start) >= 2 and since_start[-1] >= 0.4, since_start


def test_a_failing_digest_channel_is_reported_and_its_alerts_say_why(tmp_path: Path) -> None:
    hooks = WebhookReceiver(fail_next=[(500, {})] * 3).start()
    admin = WebhookReceiver().start()
    (tmp_path / "w.yaml").write_text(f"channels:\n  daily:\n    urls: ['json://{hooks.base}/d']\n    digest: every 1s\n"
                                     f"  admin:\n    urls: ['json://{admin.base}/admin']\n")
    store = Store(tmp_path / "w.db")
    add_alerts(store, 2, "Harbour works")
    sender = Sender(store, load_config(tmp_path / "w.yaml", env={}))
    try:
        asyncio.run(sender.send_due())  # the first digest is due a second from now
        time.sleep(1.1)
        for _ in range(3):  # the digest is tried again at each round until it goes
            asyncio.run(sender.send_due())
        waiting = [d for a in store.alerts.recent() for d in a.deliveries]
        asyncio.run(sender.send_due())
    finally:
        hooks.stop()
        admin.stop()
    assert {(d.status, d.attempts) for d in waiting} == {("pending", 3)}, waiting
    assert all("500" in (d.last_error or "") for d in waiting), waiting
    assert [r.json["title"] for r in admin.snapshot()] == ["watcher: channel 'daily' is failing",
                                                           "watcher: channel 'daily' recovered"]
    assert len(hooks.snapshot()) == 1 and {d.status for a in store.alerts.recent() for d in a.deliveries} == {"sent"}


def test_a_failing_url_of_a_digest_channel_hurries_no_other(tmp_path: Path) -> None:
    good = WebhookReceiver().start()
    bad = WebhookReceiver(fail_next=[(500, {})] * 10).start()
    (tmp_path / "w.yaml").write_text(f"channels:\n  daily:\n    urls: ['json://{good.base}/d', 'json://{bad.base}/d']\n"
                                     "    digest: every 1h\n")
    store = Store(tmp_path / "w.db")
    store.meta.set("digest_last:daily", "2026-01-01T00:00:00+00:00")  # the hourly digest is due (as stored before)
    sender = Sender(store, load_config(tmp_path / "w.yaml", env={}))
    try:
        for n in range(3):  # an alert to both URLs each round; the second URL fails every time
            add_alerts(store, 1, "Harbour works", targets=(Target("daily", 0), Target("daily", 1)), first=n)
            asyncio.run(sender.send_due())
    finally:
        good.stop()
        bad.stop()
    assert bad.attempts == 3  # tried again each round
    assert [r.json["title"] for r in good.snapshot()] == ["watcher digest: 1 alert"]  # the rest wait an hour


def test_a_digest_url_moved_in_the_list_keeps_its_own_time(tmp_path: Path) -> None:
    """Each URL's digest time follows the URL, not its place: swapped, the URL that just had its digest waits
    for its hour and the failing one is tried again (by place, they would trade times)."""
    from watcher.deliver.targets import targets_for

    good = WebhookReceiver().start()
    bad = WebhookReceiver(fail_next=[(500, {})] * 10).start()
    urls = [f"json://{good.base}/d", f"json://{bad.base}/d"]

    def sender_for(order: list[str]) -> Sender:
        (tmp_path / "w.yaml").write_text("channels:\n  daily:\n    urls: [" + ", ".join(f"'{u}'" for u in order)
                                         + "]\n    digest: every 1h\n")
        return Sender(store, load_config(tmp_path / "w.yaml", env={}))

    store = Store(tmp_path / "w.db")
    store.meta.set("digest_last:daily", "2026-01-01T00:00:00+00:00")  # the hourly digest is due for both
    try:
        sender = sender_for(urls)
        add_alerts(store, 1, "Harbour works", targets=targets_for(sender.config.channels, ["daily"]))
        asyncio.run(sender.send_due())  # the first URL has its digest, the second fails
        sender = sender_for(urls[::-1])
        add_alerts(store, 1, "Harbour works", targets=targets_for(sender.config.channels, ["daily"]), first=1)
        asyncio.run(sender.send_due())
    finally:
        good.stop()
        bad.stop()
    assert [r.json["title"] for r in good.snapshot()] == ["watcher digest: 1 alert"]  # the second waits its hour
    assert bad.attempts == 2  # still due, tried again


def test_what_waits_for_a_digest_url_removed_from_the_config_is_given_up(tmp_path: Path) -> None:
    store = Store(tmp_path / "w.db")
    add_alerts(store, 1, "Harbour works", targets=(Target("daily", 0), Target("daily", 1)))
    # the channel had two URLs when the alert was made; the config now keeps the first
    (tmp_path / "w.yaml").write_text("channels:\n  daily:\n    urls: ['json://127.0.0.1:9/d']\n    digest: every 1h\n")
    report = asyncio.run(Sender(store, load_config(tmp_path / "w.yaml", env={})).send_due())
    [alert] = store.alerts.recent()
    states = {(d.target, d.status, d.last_error) for d in alert.deliveries}
    assert states == {(0, "pending", None), (1, "dead", "channel 'daily' no longer has a URL number 2")}, states
    assert report.dead == 1 and store.outbox.depth() == 1  # the first URL's digest is not due yet


def test_a_channel_that_never_answers_holds_back_no_other(tmp_path: Path) -> None:
    hung = WebhookReceiver(delay=60).start()  # takes each message and never answers in time
    good = WebhookReceiver().start()
    (tmp_path / "w.yaml").write_text(f"channels:\n  hung:\n    urls: ['json://{hung.base}/h']\n    read_timeout: 10s\n"
                                     f"  good:\n    urls: ['json://{good.base}/g']\n")
    store = Store(tmp_path / "w.db")
    add_alerts(store, 5, "Harbour works", targets=(Target("hung", 0),))  # queued first, so due first
    add_alerts(store, 1, "Quay closed", targets=(Target("good", 0),), first=5)
    sender = Sender(store, load_config(tmp_path / "w.yaml", env={}))

    def tries(channel: str) -> list[int]:
        return [d.attempts for a in reversed(store.alerts.recent()) for d in a.deliveries if d.channel == channel]

    async def arrived(n: int) -> None:
        """Until `good` has `n` messages; the hung channel's first send must still be waiting for its answer."""
        deadline = time.monotonic() + 7
        while len(good.snapshot()) < n and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        seen = (len(good.snapshot()), hung.attempts, tries("hung"))
        assert seen == (n, 1, [0] * 5), f"(good's messages, hung's requests, hung's recorded tries): {seen}"

    async def go() -> None:
        sending = asyncio.create_task(sender.send_due())
        await arrived(1)
        add_alerts(store, 1, "Crane arrives", targets=(Target("good", 0),), first=6)  # made while the hung send waits
        sender.wake.set()
        await arrived(2)
        sender.stop()  # the send in flight is answered (no answer in time) and recorded, no other starts
        await sending

    run_then_stop(go(), hung, good)
    assert [r.json["title"] for r in good.snapshot()] == ["Quay closed", "Crane arrives"]
    assert tries("hung") == [1, 0, 0, 0, 0] and hung.attempts == 1
    [first] = [d for a in store.alerts.recent() for d in a.deliveries if d.channel == "hung" and d.attempts]
    assert first.status == "pending" and "no answer within 10s" in (first.last_error or ""), first


def test_channel_totals_count_every_state_from_the_index_alone(tmp_path: Path) -> None:
    store = Store(tmp_path / "w.db")
    add_alerts(store, 12, "Harbour works", targets=(Target("mail", 0), Target("hook", 0), Target("hook", 1)))
    store.db.execute("UPDATE deliveries SET status = CASE id % 4 WHEN 0 THEN 'sent' WHEN 1 THEN 'sent' "
                     "WHEN 2 THEN 'pending' ELSE 'dead' END, attempts = 1 + id % 3")
    rows = store.db.execute("SELECT channel, status, attempts FROM deliveries").fetchall()
    assert {status for _, status, _ in rows} == {"sent", "pending", "dead"}
    expected = [(c, sum(1 for ch, s, _ in rows if ch == c and s == "sent"),
                 sum(a - (s == "sent") for ch, s, a in rows if ch == c),  # a sent one's last try is no failure
                 sum(1 for ch, s, _ in rows if ch == c and s == "dead"),
                 sum(1 for ch, s, _ in rows if ch == c and s == "pending")) for c in ("hook", "mail")]
    queries: list[str] = []
    store.db.conn.set_trace_callback(queries.append)
    got = [(t.channel, t.sent, t.failed, t.dead, t.pending) for t in store.outbox.totals()]
    store.db.conn.set_trace_callback(None)
    assert got == expected
    for sql in queries:  # /metrics runs it at every scrape: no walk through the table, no sort of its rows
        plan = " ".join(str(r[-1]) for r in store.db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
        assert "COVERING INDEX deliveries_totals" in plan and "TEMP B-TREE" not in plan, (sql, plan)
    assert queries


def run_then_stop(work: Coroutine[Any, Any, None], *receivers: WebhookReceiver) -> None:
    """`work` in an event loop of its own; the receivers stopped however it ends."""
    try:
        asyncio.run(work)
    finally:
        for receiver in receivers:
            receiver.stop()


def add_alerts(store: Store, n: int, title: str, targets: tuple[Target, ...] = (Target("daily", 0),),
               first: int = 0) -> None:
    """`n` stored articles of source 's' (numbered from `first`), each with an alert titled `title` to `targets`."""
    store.sources.ensure("s", "https://e.org/feed", "feed")
    for i in range(first, first + n):
        url = f"https://e.org/{i}"
        art = Article(url, url, None, "s", f"T{i}", None, None, None, None, f"body {i}", f"h{i}", False, True)
        alert = AlertDraft(title, f"**Crane {i} arrives**\nPort Ellis\n{url}", targets)
        store.articles.add(Entry("s", url, url, url, url, "T", None), art, [Match("r", "[]", alert)])


def test_a_digest_url_that_never_answers_holds_back_no_other_channel(tmp_path: Path) -> None:
    hung = WebhookReceiver(delay=60).start()  # takes the digest and never answers in time
    good = WebhookReceiver().start()
    (tmp_path / "w.yaml").write_text(f"channels:\n  daily:\n    urls: ['json://{hung.base}/d']\n    digest: every 1h\n"
                                     f"    read_timeout: 10s\n  good:\n    urls: ['json://{good.base}/g']\n")
    store = Store(tmp_path / "w.db")
    store.meta.set("digest_last:daily", "2026-01-01T00:00:00+00:00")  # the hourly digest is due
    add_alerts(store, 3, "Harbour works", targets=(Target("daily", 0),))
    add_alerts(store, 1, "Quay closed", targets=(Target("good", 0),), first=3)
    sender = Sender(store, load_config(tmp_path / "w.yaml", env={}))

    def daily_tries() -> list[int]:
        return sorted(d.attempts for a in store.alerts.recent() for d in a.deliveries if d.channel == "daily")

    async def go() -> None:
        sending = asyncio.create_task(sender.send_due())
        deadline = time.monotonic() + 7  # well before the digest's read timeout
        while not (good.snapshot() and hung.attempts) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        # the other channel's alert arrived while the digest still waits for its answer (no try recorded yet)
        seen = ([r.json["title"] for r in good.snapshot()], hung.attempts, daily_tries())
        assert seen == (["Quay closed"], 1, [0, 0, 0]), f"(good's messages, digest requests, digest tries): {seen}"
        sender.stop()  # the digest in flight is answered (no answer in time) and recorded
        await sending

    run_then_stop(go(), hung, good)
    assert daily_tries() == [1, 1, 1] and hung.attempts == 1  # one failed try each, kept for the next digest
