"""A channel's URLs edited while alerts wait for them: each waiting alert goes to the URL it was queued for,
wherever that URL now stands in the list, never to another URL that already has its own copy."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests.receivers import WebhookReceiver
from watcher.config import Config, load_config
from watcher.config.schema import url_key
from watcher.deliver.sender import Sender
from watcher.deliver.targets import targets_for, where_to
from watcher.model import AlertDraft, Article, Entry, Match
from watcher.store import Store
from watcher.store.times import utcnow

DOWN = "json://127.0.0.1:9/down"  # nothing listens on the discard port: every send fails at once
A, B, C = "json://a.example/hook", "json://b.example/hook", "json://c.example/hook"


@pytest.mark.parametrize(("urls", "key", "place", "beside", "expected"), [
    ([A, B], url_key(A), 0, set(), A),  # unchanged
    ([B, A], url_key(A), 0, set(), A),  # moved: found by its key
    ([B], url_key(A), 0, {url_key(B)}, None),  # removed: B has its own copy, so not B
    ([C, B], url_key(A), 0, {url_key(B)}, C),  # replaced in place (a new token): C had no copy, so C
    ([B, C], url_key(A), 0, {url_key(B)}, None),  # removed, and C added at the end: B holds the old place
    ([B], url_key(A), 1, {url_key(B)}, None),  # its place is gone too
    ([A, B], "#1", 1, set(), B),  # queued before keys were kept: by place
    ([A], "#1", 1, set(), None),
])
def test_where_a_waiting_message_goes(urls: list[str], key: str, place: int, beside: set[str],
                                      expected: str | None) -> None:
    assert where_to(urls, key, place, lambda: beside) == expected


def test_the_other_rows_are_looked_up_only_when_the_key_finds_no_url() -> None:
    def fail() -> set[str]:
        raise AssertionError("looked up")

    assert where_to([B, A], url_key(A), 0, fail) == A


def config_with(tmp_path: Path, urls: list[str], digest: bool = False) -> Config:
    listed = ", ".join(f"'{u}'" for u in urls)
    (tmp_path / "w.yaml").write_text(f"channels:\n  desk:\n    urls: [{listed}]\n"
                                     + ("    digest: every 1h\n" if digest else "")
                                     + "delivery:\n  retry: 1h\n  admin: null\n")
    return load_config(tmp_path / "w.yaml", env={})


def queue_alert(store: Store, config: Config) -> None:
    """One stored article with an alert to every URL of channel desk, keyed as the poll keys them."""
    store.sources.ensure("s", "https://e.org/feed", "feed")
    url = "https://e.org/quay"
    art = Article(url, url, None, "s", "Quay closed", None, None, None, None, "body", "h1", False, True)
    alert = AlertDraft("Quay closed", f"**Quay closed**\n{url}", targets_for(config.channels, ["desk"]))
    store.articles.add(Entry("s", url, url, url, url, "Quay closed", None), art, [Match("r", "[]", alert)])


def states(store: Store) -> dict[int, tuple[str, str | None]]:
    [alert] = store.alerts.recent()
    return {d.target: (d.status, d.last_error) for d in alert.deliveries}


def test_a_url_removed_while_its_alert_waits_does_not_send_it_to_the_next_one(tmp_path: Path) -> None:
    hooks = WebhookReceiver().start()
    kept = f"json://{hooks.base}/kept"
    try:
        store = Store(tmp_path / "w.db")
        first = config_with(tmp_path, [DOWN, kept])
        queue_alert(store, first)
        asyncio.run(Sender(store, first).send_due())
        assert [r.path for r in hooks.snapshot()] == ["/kept"] and states(store)[0][0] == "pending"
        later = config_with(tmp_path, [kept])  # the dead URL is taken out: the kept one moves to place 0
        report = asyncio.run(Sender(store, later).send_due(everything=True))
    finally:
        hooks.stop()
    assert [r.path for r in hooks.snapshot()] == ["/kept"], "the removed URL's alert went to the kept URL"
    status, error = states(store)[0]
    assert status == "dead" and "no longer has the URL this was queued for" in (error or ""), (status, error)
    assert report.dead == 1 and store.outbox.depth() == 0


def test_reordered_urls_each_get_their_own_waiting_alert(tmp_path: Path) -> None:
    flaky = WebhookReceiver(fail_next=[(500, {})]).start()  # fails once, then works
    steady = WebhookReceiver().start()
    one, two = f"json://{flaky.base}/one", f"json://{steady.base}/two"
    try:
        store = Store(tmp_path / "w.db")
        first = config_with(tmp_path, [one, two])
        queue_alert(store, first)
        asyncio.run(Sender(store, first).send_due())
        assert (len(flaky.snapshot()), len(steady.snapshot())) == (0, 1)
        asyncio.run(Sender(store, config_with(tmp_path, [two, one])).send_due(everything=True))
    finally:
        flaky.stop()
        steady.stop()
    assert [r.path for r in flaky.snapshot()] == ["/one"] and [r.path for r in steady.snapshot()] == ["/two"]
    assert {s for s, _ in states(store).values()} == {"sent"}


def test_a_url_replaced_in_place_gets_the_alert_its_old_url_missed(tmp_path: Path) -> None:
    hooks = WebhookReceiver().start()
    try:
        store = Store(tmp_path / "w.db")
        first = config_with(tmp_path, [DOWN])
        queue_alert(store, first)
        asyncio.run(Sender(store, first).send_due())
        assert hooks.snapshot() == []
        # the webhook's token was rotated: the old URL is gone, its replacement stands where it stood
        asyncio.run(Sender(store, config_with(tmp_path, [f"json://{hooks.base}/rotated"])).send_due(everything=True))
    finally:
        hooks.stop()
    assert [r.path for r in hooks.snapshot()] == ["/rotated"]
    assert states(store)[0][0] == "sent"


def test_a_digest_url_removed_leaves_its_alerts_out_of_the_others_digest(tmp_path: Path) -> None:
    hooks = WebhookReceiver().start()
    kept = f"json://{hooks.base}/kept"
    try:
        store = Store(tmp_path / "w.db")
        first = config_with(tmp_path, [DOWN, kept], digest=True)
        queue_alert(store, first)
        store.meta.set("digest_last:desk", "2026-01-01T00:00:00+00:00")  # due for both URLs
        asyncio.run(Sender(store, first).send_due())
        assert [r.json["title"] for r in hooks.snapshot()] == ["watcher digest: 1 alert"]
        for key in ("digest_last:desk:0", "digest_last:desk:1"):  # the next digest is due at once too
            store.meta.set(key, "2026-01-01T00:00:00+00:00")
        asyncio.run(Sender(store, config_with(tmp_path, [kept], digest=True)).send_due())
    finally:
        hooks.stop()
    assert len(hooks.snapshot()) == 1, [r.json["title"] for r in hooks.snapshot()]
    assert sorted(s for s, _ in states(store).values()) == ["dead", "sent"]


@pytest.mark.skipif(sqlite3.sqlite_version_info < (3, 35), reason="needs SQLite 3.35+ to drop a column")
def test_messages_queued_before_urls_had_keys_go_by_place(tmp_path: Path) -> None:
    hooks = WebhookReceiver().start()
    urls = [f"json://{hooks.base}/first", f"json://{hooks.base}/second"]
    try:
        store = Store(tmp_path / "w.db")
        queue_alert(store, config_with(tmp_path, urls))
        store.outbox.add_notice("Source failing", "e.org: HTTP 500", targets_for(config_with(tmp_path, urls).channels,
                                                                                 ["desk"]))
        # the database as the release before keys left it: no key column, schema version 17
        for table in ("deliveries", "notices"):
            store.db.execute(f"ALTER TABLE {table} DROP COLUMN url_key")
        store.db.execute("UPDATE meta SET value = '17' WHERE key = 'schema_version'")
        store.db.conn.commit()
        store.close()
        store = Store(tmp_path / "w.db")
        assert sorted(d.url_key for d in store.outbox.due(utcnow())) == ["#0", "#0", "#1", "#1"]
        asyncio.run(Sender(store, config_with(tmp_path, urls)).send_due())
    finally:
        hooks.stop()
    assert sorted(r.path for r in hooks.snapshot()) == ["/first", "/first", "/second", "/second"]
    assert store.outbox.depth() == 0
