"""The store's parts on both engines: each test runs on a SQLite file and on a real PostgreSQL database
(tests/postgres.py starts the server; without PostgreSQL installed those runs skip, saying so)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_config
from tests.pages import news_page, rss
from tests.receivers import WebhookReceiver
from tests.webserver import Route, WebServer
from watcher.dedupe.sketch import sketch
from watcher.errors import StoreError
from watcher.model import AlertDraft, Article, Entry, Match, PollUpdate, Target
from watcher.store import Store, console, rule_activity, thresholds, versions
from watcher.store.retention import prune_bodies
from watcher.store.schema import SCHEMA_VERSION
from watcher.store.times import utcnow
from watcher.match.threshold import Level

DAY = 86400.0
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)

# one event reported by three outlets (a reprint, a rewrite), and an unrelated one
FERRY = ("Island ferry service suspended after engine fire",
         "The Harbour Line suspended all sailings to Carrick Island on Monday after an engine fire on the MV Tern "
         "forced 212 passengers to return to Porthaven. Harbour Line said no one was hurt and that inspectors from "
         "the Maritime Safety Office would examine the vessel before it sails again. Islanders who rely on the "
         "crossing for work and hospital visits were told to expect cancellations until at least Thursday, and a "
         "replacement boat with 80 seats will run twice a day from Wednesday.")
FERRY_REWRITE = ("Carrick Island cut off as ferry fire halts sailings",
                 "All sailings to Carrick Island were suspended on Monday when an engine fire broke out on the MV "
                 "Tern, sending 212 passengers back to Porthaven. Nobody was injured, Harbour Line said, adding that "
                 "the Maritime Safety Office would inspect the ship. Islanders who depend on the crossing for work "
                 "and hospital appointments face cancellations until Thursday at least; a smaller replacement boat "
                 "with 80 seats is due to run twice daily from Wednesday.")
LIBRARY = ("Council votes to keep Easton library open",
           "Easton Town Council voted 9 to 4 on Tuesday night to keep the Easton library open for another three "
           "years, reversing a plan to close it in January. Councillor Priya Maddox said volunteers would staff the "
           "building on Saturdays and that the council would look for a new tenant for the empty upper floor.")


def article(url: str, text: tuple[str, str], guid: str | None = None, body_hash: str | None = None) -> Article:
    return Article(canonical_url=url, url=url, guid=guid, source_id="s", title=text[0], author=None, published=NOW,
                   sitename=url.split("/")[2], language="en", body=text[1], body_hash=body_hash, summary_only=False,
                   alertable=True)


def entry(url: str) -> Entry:
    return Entry("s", url, None, url, url, None, NOW)


def alert_match(rule: str = "ferries", updates: str = "silent") -> Match:
    desk = (Target("desk", 0), Target("desk", 1))
    return Match(rule, '[{"term": "ferry"}]', AlertDraft(f"{rule} alert", "Body", desk, updates=updates))


def add(store: Store, url: str, text: tuple[str, str], matches: list[Match] | None = None) -> tuple[int, int]:
    """Store an article placed in its story: its id and its story's."""
    placement = store.stories.place(sketch(text[0], text[1], NOW.timestamp()), 3 * DAY)
    article_id, created = store.articles.add(entry(url), article(url, text), matches or [], placement=placement)
    assert created
    story = store.articles.story_of(article_id)
    assert story is not None
    return article_id, story


@pytest.fixture
def store(database: str | Path) -> Store:
    s = Store(database)
    s.sources.ensure("s", "https://news.example/feed", "feed")
    yield s
    s.close()


def test_a_new_store_is_current_with_indexed_story_lookups_and_reopens(database: str | Path) -> None:
    store = Store(database)
    assert store.schema_version() == SCHEMA_VERSION
    assert {"story_bands", "story_terms", "story_term_counts", "alerts", "deliveries"} <= set(store.db.table_names())
    store.sources.ensure("s", "https://news.example/feed", "feed")
    add(store, "https://a.example/1", FERRY)
    if store.url:  # the candidate lookups are index ranges on PostgreSQL too
        plan = "\n".join(r[0] for r in store.db.execute(
            "EXPLAIN SELECT article_id FROM story_bands WHERE band = ? AND hash = ? ORDER BY article_id DESC "
            "LIMIT 100", [1, 2]))
        assert "story_bands_pkey" in plan, plan
        indexed = {r[0] for r in store.db.execute("SELECT tablename FROM pg_indexes WHERE schemaname = "
                                                  "current_schema() AND indexdef LIKE '%(term, at, article_id)%'")}
        assert indexed == {"story_terms"}
    store.close()
    again = Store(database)  # nothing to migrate: opens as it was
    assert again.schema_version() == SCHEMA_VERSION and again.count("articles") == 1
    again.close()
    reader = Store(database, readonly=True)
    assert reader.articles.count() == 1
    reader.close()


def test_a_store_being_created_is_seen_whole_or_not_at_all(database: str | Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """`watcher alerts` beside a daemon that is creating the database: it read the migrations committed so far
    ("schema version 17 ... start the daemon to upgrade it"), a false error that failed a probe of the daemon."""
    import watcher.store.db
    from watcher.store import schema

    seen: list[str] = []
    last = schema.MIGRATIONS[-1]

    def last_then_look(db: object) -> None:
        last(db)  # type: ignore[arg-type]
        try:
            Store(database, readonly=True).close()
            seen.append("opened")
        except StoreError as e:
            seen.append(str(e))

    monkeypatch.setattr(watcher.store.db, "MIGRATIONS", [*schema.MIGRATIONS[:-1], last_then_look])
    Store(database).close()
    assert len(seen) == 1 and "has no watcher tables yet: nothing has been polled" in seen[0], seen
    reader = Store(database, readonly=True)
    assert reader.schema_version() == SCHEMA_VERSION
    reader.close()


def test_a_store_created_by_two_connections_at_once_is_migrated_once(database: str | Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The second one read "no tables" while the first was migrating, then ran the migrations again (SQLite:
    "database is locked", or "table already exists"); it must wait, then find the store current."""
    import watcher.store.db
    from watcher.store import schema

    inside, release = threading.Event(), threading.Event()
    runs: list[int] = []
    last = schema.MIGRATIONS[-1]

    def last_held(db: object) -> None:
        last(db)  # type: ignore[arg-type]
        runs.append(1)
        inside.set()
        assert release.wait(30), "the test never let the first migration finish"

    monkeypatch.setattr(watcher.store.db, "MIGRATIONS", [*schema.MIGRATIONS[:-1], last_held])
    outcomes: dict[str, BaseException | None] = {}

    def open_store(name: str) -> None:
        try:
            Store(database, application=name).close()
            outcomes[name] = None
        except BaseException as e:  # noqa: BLE001  (reported by the assertion below)
            outcomes[name] = e

    first = threading.Thread(target=open_store, args=("first",))
    first.start()
    assert inside.wait(30), f"the first connection never reached its last migration: {outcomes}"
    second = threading.Thread(target=open_store, args=("second",))
    second.start()
    second.join(0.5)  # it waits for the first one's migration (or would have failed by now)
    release.set()
    first.join(30)
    second.join(30)
    assert outcomes == {"first": None, "second": None}, outcomes
    assert runs == [1], "the migrations ran twice"
    store = Store(database)
    assert store.schema_version() == SCHEMA_VERSION
    store.close()


OPEN_AT_ONCE = """\
import sys, time
from pathlib import Path
from watcher.errors import StoreError
from watcher.store import Store
go = Path(sys.argv[2])
Path(sys.argv[3]).touch()
while not go.exists():
    time.sleep(0.005)
try:
    Store(sys.argv[1]).close()
    print("ok")
except StoreError as e:
    print(e)
"""


def test_processes_opening_a_new_sqlite_file_at_the_same_moment_all_open_it(tmp_path: Path) -> None:
    """Switching a new file to WAL needs it alone, and SQLite fails at once, without waiting, when another process
    holds it: of three processes starting together on a new file, one or two failed ("another program holds a
    lock on it")."""
    import subprocess
    import sys

    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", OPEN_AT_ONCE, str(tmp_path / f"db{n // 3}.db"), str(go),
                               str(tmp_path / f"ready{n}")],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for n in range(9)]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("ready*"))) < 9:  # imports done: each waits for `go`, then opens its file
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs), \
            [p.communicate()[0] for p in procs if p.poll() is not None]
        time.sleep(0.02)
    go.touch()
    said = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert said == ["ok"] * 9, said


def test_sources_keep_their_polling_state_history_and_pauses(store: Store) -> None:
    state = store.sources.ensure("s", "https://news.example/feed", "feed")
    assert state.baseline_done is False and state.consecutive_failures == 0
    later = NOW + timedelta(minutes=15)
    store.sources.record_poll("s", PollUpdate("ok", "ok", later, http_status=200, etag='"v1"', size=5000,
                                              baseline_done=True, feed_interval=900.0, response_seconds=0.25))
    store.sources.record_poll("s", PollUpdate("ok", "not modified", later, http_status=304))
    store.sources.record_poll("s", PollUpdate("failed", "error", later, error="HTTP 500", http_status=500))
    state = store.sources.ensure("s", "https://news.example/feed", "feed")
    assert (state.baseline_done, state.etag, state.consecutive_failures) == (True, '"v1"', 1)
    assert state.feed_interval == 900.0
    [row] = store.sources.rows()
    assert (row["bytes_saved"], row["not_modified"], row["last_error"]) == (5000, 1, "HTTP 500")
    assert store.sources.failing(["s", "gone"]) == 1 and store.sources.most_overdue(["s"]) == later
    assert [h["http_status"] for h in console.poll_history(store.db, "s")] == [200, 304, 500]
    assert store.sources.enable("s") is None and store.sources.failing(["s"]) == 0
    with pytest.raises(KeyError):
        store.sources.enable("never-polled")
    before = utcnow()
    store.sources.put_off("s", 3600)  # a poll that failed in our own code waits an interval
    put_off = store.sources.ensure("s", "https://news.example/feed", "feed").next_poll_at
    assert put_off is not None and before + timedelta(seconds=3599) <= put_off <= utcnow() + timedelta(seconds=3601)
    soon, later_ts = time.time() + 600, time.time() + 1200
    store.sources.pause_host("news.example", later_ts)
    store.sources.pause_host("news.example", soon)  # an earlier Retry-After does not shorten the pause
    assert store.sources.host_pauses() == {"news.example": pytest.approx(later_ts, abs=1)}
    moved = store.sources.ensure("s", "https://news.example/rss", "feed")  # a changed URL starts afresh
    assert moved.url == "https://news.example/rss" and moved.etag is None


def test_articles_are_stored_once_and_placed_in_their_story(store: Store) -> None:
    first, story = add(store, "https://a.example/1", FERRY)
    rewrite, same = add(store, "https://b.example/1", FERRY_REWRITE)
    other, apart = add(store, "https://c.example/1", LIBRARY)
    assert same == story and apart != story
    again, created = store.articles.add(entry("https://a.example/1?ref=x"), article("https://a.example/1", FERRY))
    assert (again, created) == (first, False)
    assert store.articles.find(canonical_url="https://b.example/1") == rewrite
    assert store.articles.known_keys("s", ["https://a.example/1", "https://z.example/"]) == {"https://a.example/1"}
    assert [a.id for a in store.articles.all("s")] == [first, rewrite, other]
    hour_ago = utcnow() - timedelta(hours=1)
    pages = [[a.id for a in page] for page in store.articles.pages_since(hour_ago, size=2)]
    assert pages == [[first, rewrite], [other]] and store.articles.count_since(hour_ago) == 3
    assert list(store.articles.pages_since(utcnow() + timedelta(hours=1))) == []
    assert [len(p) for p in store.articles.pages_since(None, size=3)] == [3]  # a full last page ends it too
    [listed] = [s for s in store.stories.recent() if s["id"] == story]
    assert listed["size"] == 2 and listed["outlets"] == ["a.example", "b.example"]
    assert listed["articles"][1]["reason"]["joined"] is True
    # the indexes rebuilt, and every article placed again in order, give the same stories
    assert store.stories.rebuild(resketch=True) == 3
    assert store.stories.rebuild(window=3 * DAY) == 3
    assert [store.articles.story_of(a) for a in (first, rewrite, other)] == [story, story, apart]
    _, fresh = add(store, "https://d.example/1", ("Airport runway closed for repairs",
                                                   "Bramford airport closed its only runway for resurfacing on "
                                                   "Sunday; flights to Lisbon and Oslo moved to Kelby until May."))
    assert fresh not in (story, apart)  # a story numbered after the replayed ones


def test_one_alert_per_story_its_deliveries_and_the_outbox(store: Store) -> None:
    first, story = add(store, "https://a.example/1", FERRY, [alert_match(), Match("quiet", "[]")])
    second, same = add(store, "https://b.example/1", FERRY_REWRITE, [alert_match()])
    assert same == story
    [alert] = store.alerts.recent()
    assert store.alerts.made_for(first) == {"ferries": alert.id}
    assert store.alerts.made_for(second) == {}  # the story already had its alert
    assert (alert.article_id, alert.story_key, alert.kind) == (first, f"story:{story}", "alert")
    assert [d.status for d in alert.deliveries] == ["pending", "pending"] and len(alert.also) == 1
    assert {m.rule_id for m in store.alerts.matches()} == {"ferries", "quiet"}
    assert store.alerts.rule_hits() == [("ferries", 2), ("quiet", 1)]
    store.outbox.add_notice("Source failing", "news.example: HTTP 500", [Target("admin", 0)])
    due = store.outbox.due(utcnow())
    assert sorted((d.channel, d.target, d.notice) for d in due) == [("admin", 0, True), ("desk", 0, False),
                                                                    ("desk", 1, False)]
    assert store.outbox.depth() == 3 and store.outbox.next_due() is not None
    by = {(d.channel, d.target): d for d in due}
    # rows made without a URL key go by place; each knows the keys of its message's other rows to its channel
    assert [by["desk", 0].url_key, by["desk", 1].url_key, by["admin", 0].url_key] == ["#0", "#1", "#0"]
    assert store.outbox.keys_beside(by["desk", 0]) == {"#1"} and store.outbox.keys_beside(by["admin", 0]) == set()
    store.outbox.mark_sent(by["desk", 0])
    store.outbox.mark_sent(by["admin", 0])
    store.outbox.mark_failed(by["desk", 1], "timed out", utcnow() + timedelta(minutes=5), unknown=True)
    assert store.outbox.due(utcnow()) == [] and store.outbox.depth() == 1
    assert [d.target for d in store.outbox.due(utcnow() + timedelta(minutes=6), unknown_too=True)] == [1]
    # the targets with sends under way are left out, however many there are (an OR each would pass SQLite's
    # expression depth of 1,000)
    later = utcnow() + timedelta(minutes=6)
    assert store.outbox.due(later, busy=[("desk", "#1")]) == [] and store.outbox.next_due(busy=[("desk", "#1")]) is None
    crowd = [(f"hook{i}", f"#{i}") for i in range(1500)]
    assert [d.target for d in store.outbox.due(later, busy=crowd)] == [1] and store.outbox.next_due(busy=crowd)
    assert store.outbox.due(utcnow() + timedelta(minutes=6), unknown_too=False) == []
    [totals] = store.outbox.totals()
    assert (totals.channel, totals.sent, totals.failed, totals.dead, totals.pending) == ("desk", 1, 1, 0, 1)
    store.outbox.mark_all_sent([d.id for d in store.outbox.pending_for("desk")])
    assert store.outbox.depth() == 0 and store.outbox.next_due() is None
    store.outbox.set_channel_health("desk", 3, True)
    store.outbox.set_channel_health("desk", 4, True)
    assert store.outbox.channel_health("desk") == (4, True) and store.outbox.channel_health("other") == (0, False)


def test_two_connections_racing_for_the_same_story_make_one_alert(database: str | Path) -> None:
    """Two writers (processes, or connections) store an article of the same story with the same rule at the same
    time: the unique (rule, story) decides which one alerts; the other's alert is a no-op, never a second send."""
    a = Store(database, application="writer-a")
    a.sources.ensure("s", "https://news.example/feed", "feed")
    first, story = add(a, "https://a.example/1", FERRY)
    second, same = add(a, "https://b.example/1", FERRY_REWRITE)
    assert same == story
    done: list[BaseException | None] = []

    def other_writer() -> None:
        b = Store(database, application="writer-b")  # its own connection (SQLite's are kept to one thread)
        try:
            b.alerts.add_matches(second, [alert_match()])
            done.append(None)
        except BaseException as e:  # noqa: BLE001  (reported by the assertion below)
            done.append(e)
        finally:
            b.close()

    with a.db.atomic():  # a's alert is written, not yet committed, when b tries to make its own
        a.alerts.add_matches(first, [alert_match()])
        racer = threading.Thread(target=other_writer)
        racer.start()
        if a.url:  # wait until b is held by a's uncommitted alert (its unique key), as a second process would be
            watcher_ = Store(database, readonly=True)
            deadline = time.monotonic() + 20
            while not watcher_.db.execute("SELECT 1 FROM pg_stat_activity WHERE application_name = 'writer-b' "
                                          "AND wait_event_type = 'Lock'").fetchone():
                assert time.monotonic() < deadline and racer.is_alive(), f"writer b never waited on a: {done}"
                time.sleep(0.02)
            watcher_.close()
        else:
            racer.join(0.3)  # SQLite: b waits for the file's write lock (or comes after a; the outcome is the same)
    racer.join(30)
    assert done == [None], done
    alerts = a.alerts.recent()
    assert [(x.rule_id, x.story_key, x.article_id) for x in alerts] == [("ferries", f"story:{story}", first)]
    assert len(alerts[0].deliveries) == 2 and a.count("deliveries") == 2
    assert {m.article_id for m in a.alerts.matches("ferries")} == {first, second}
    a.close()


def test_meta_versions_thresholds_and_what_the_console_reads(store: Store) -> None:
    store.meta.set("digest_last", "a")
    store.meta.set("digest_last", "b")
    assert store.meta.get("digest_last") == "b" and store.meta.get("nothing") is None
    first, story = add(store, "https://a.example/1", FERRY, [alert_match()])
    add(store, "https://c.example/1", LIBRARY)
    db, now = store.db, utcnow()
    o = console.overview(db, now)
    assert (o["sources"], o["articles_today"], o["alerts_today"], o["articles"]) == (1, 2, 1, 2)
    assert o["outbox"] == [{"channel": "desk", "pending": 2, "failing": 0}]
    assert console.per_day(db, "articles", now, days=3)[-1] == (now.date().isoformat(), 2)
    assert console.rule_fires(db, now - timedelta(days=1)) == {"ferries": 1}
    assert console.article_counts(db, ["s"]) == {"s": 2} and console.source(db, "s")["articles"] == 2
    assert [a["id"] for a in console.source_articles(db, "s", None, 1)] == [first + 1]
    assert [a["id"] for a in console.alerts(db, console.AlertFilter(text="FERRY"), None)] == [1]  # any case
    assert console.alerts(db, console.AlertFilter(text="100%"), None) == []
    # a NUL from the query string (?text=%00) finds nothing (PostgreSQL refuses one in a string)
    assert console.alerts(db, console.AlertFilter(rule="a\x00", channel="\x00", text="\x00\ud800"), None) == []
    [listed] = console.alerts(db, console.AlertFilter(rule="ferries", channel="desk", status="pending"), None)
    shown = console.alert(db, listed["id"])
    assert shown["evidence"] == [{"term": "ferry"}] and len(shown["deliveries"]) == 2
    assert console.mark_false_positive(db, listed["id"], True, now)
    assert console.mark_false_positive(db, listed["id"], True, now)  # marking twice is one mark
    assert console.rule_stats(db, now)["ferries"] == {"fired_7d": 1, "fired_30d": 1, "false_positives": 1}
    assert console.alerts(db, console.AlertFilter(status="false-positive"), None)[0]["false_positive"]
    assert console.retry_delivery(db, shown["deliveries"][0]["id"], now)
    assert console.alert_filters(db) == {"rules": ["ferries"], "channels": ["desk"]}
    assert [s["id"] for s in console.stories(db, None)][-1] == story
    # a page link's `before` from the query string, holding a NUL: read as U+FFFD (PostgreSQL refuses a NUL)
    assert console.stories(db, ("\x00", 1 << 62)) == console.stories(db, ("\ufffd", 1 << 62)) != []
    assert console.story(db, story)["alerts"][0]["article_id"] == first
    assert console.article(db, first)["title"] == FERRY[0]
    assert len(console.recent_articles(db, now - timedelta(hours=1), 10)) == 2
    console.mute_rule(db, "ferries", now + timedelta(hours=1), now)
    assert list(console.mutes(db, now)) == ["ferries"]
    console.unmute_rule(db, "ferries")
    assert console.mutes(db, now) == {}
    assert console.disable_source(db, "s", now) and console.sources(db)[0]["health"] == "new"
    assert rule_activity.last_fired(db).keys() == {"ferries"}
    with db.atomic():
        assert versions.add(db, "s", "https://news.example/p", "v1", "h1", now, None, keep=2) == 1
        assert versions.add(db, "s", "https://news.example/p", "v2", "h2", now, first, keep=2) == 2
        assert versions.add(db, "s", "https://news.example/p", "v3", "h3", now, None, keep=2) == 3
    assert [v.version for v in versions.history(db, "s")] == [3, 2] and versions.get(db, "s", 1) is None
    assert versions.latest(db, "s").text == "v3"
    thresholds.put(db, "rate", "story:1", Level(4.5, True), now)
    thresholds.put(db, "rate", "story:1", Level(5.25, False), now)
    assert thresholds.get(db, "rate", "story:1") == Level(5.25, False)
    assert prune_bodies(store, now + timedelta(seconds=5), batch=1) == 2
    assert console.article(db, first)["body"] == "" and store.articles.find(canonical_url="https://a.example/1")


def test_postgresql_errors_are_one_line(postgres: object, tmp_path: Path) -> None:
    url = postgres.new_database()  # type: ignore[attr-defined]
    missing = url.replace("/test_", "/absent_")
    with pytest.raises(StoreError, match=r"^cannot connect to database postgresql://\S+: .*absent_") as e:
        Store(missing)
    assert "\n" not in str(e.value)
    with pytest.raises(StoreError, match="cannot connect to database postgresql://watcher:\\*\\*\\*@"):
        Store("postgresql://watcher:s3cret@/nowhere?host=" + str(tmp_path))  # no server there; password hidden
    Store(url).close()
    store = Store(url)
    store.db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    store.close()
    with pytest.raises(StoreError, match="newer than this watcher understands"):
        Store(url)
    other = postgres.new_database()  # type: ignore[attr-defined]
    with pytest.raises(StoreError, match="no watcher tables yet"):
        Store(other, readonly=True)
    foreign = Store(other)
    foreign.db.execute("DROP TABLE meta CASCADE")
    foreign.close()
    with pytest.raises(StoreError, match="holds tables that are not watcher's"):
        Store(other)


RULES = """\
rules:
  - id: ferry-fire
    title: "Ferry fire"
    match:
      all:
        - keywords: [ferry, fire]
    notify: [hooks]
"""


def test_a_poll_on_each_engine_stores_the_story_once_and_alerts_once(
        database: str | Path, web: WebServer, hooks: WebhookReceiver, tmp_path: Path) -> None:
    """The real `watcher run --once` against a real HTTP server, its store on the engine under test: two outlets
    report the same fire, one alert is delivered; a second run sends nothing again; `watcher alerts` reads it."""
    items = []
    for n, (outlet, text) in enumerate([("harbour-news", FERRY), ("island-times", FERRY_REWRITE),
                                        ("easton-echo", LIBRARY)]):
        web.route(f"/{outlet}/story.html", Route(news_page(text[0], [text[1]], outlet=outlet)))
        items.append({"title": text[0], "link": "{{BASE}}" + f"/{outlet}/story.html", "guid": f"{outlet}-{n}",
                      "published": utcnow() - timedelta(minutes=5 - n)})
    web.route("/feed.xml", Route(rss(items)))
    (tmp_path / "rules.yaml").write_text(RULES)
    config = write_config(tmp_path, [{"id": "wire", "url": web.url("/feed.xml"), "baseline": False}],
                          rules="rules.yaml", database=str(database),
                          channels={"hooks": {"urls": [f"json://{hooks.base}/alerts"]}})
    first = run_cli("run", "--once", "--config", str(config))
    assert first.returncode == 0, first.stdout + first.stderr
    again = run_cli("run", "--once", "--config", str(config))
    assert again.returncode == 0, again.stdout + again.stderr
    assert [r.json["title"] for r in hooks.received] == ["Ferry fire"], "one alert for the story, sent once"
    store = Store(database, readonly=True)
    assert store.articles.count() == 3
    stories = {store.articles.story_of(a.id) for a in store.articles.all()}
    assert len(stories) == 2, "the fire's two reports are one story, the library another"
    store.close()
    listing = run_cli("alerts", "--json", "--config", str(config))
    assert listing.returncode == 0, listing.stderr
    [alert] = json.loads(listing.stdout)
    assert alert["rule_id"] == "ferry-fire" and [d["status"] for d in alert["deliveries"]] == ["sent"]
    for reader in (["sources"], ["stories"], ["rules"], ["stories", "--rebuild"]):  # the other commands read it too
        done = run_cli(*reader, "--config", str(config))
        assert done.returncode == 0 and "Traceback" not in done.stderr, f"{reader}: {done.stdout}{done.stderr}"
    assert "wire" in run_cli("sources", "--config", str(config)).stdout


def test_a_second_poller_on_one_postgresql_database_is_refused_naming_the_first(postgres: object) -> None:
    from watcher.store.lock import DatabaseInUse, exclusive

    url = postgres.new_database()  # type: ignore[attr-defined]
    with exclusive(url):
        with pytest.raises(DatabaseInUse, match=r"is in use by watcher pid \d+ on "):
            with exclusive(url):
                pass
    with exclusive(url):  # released with the first holder's connection
        pass


def test_a_lost_postgresql_connection_is_one_failed_statement_then_opened_again(postgres: object) -> None:
    """The server ends the connection (a restart, a failover): the statement that finds it gone fails as a
    refused write (the daemon tells it once and waits), and the next one runs on a new connection."""
    from watcher.run.health import write_refused

    store = Store(postgres.new_database(), application="to-be-cut")  # type: ignore[attr-defined]
    store.meta.set("k", "before")
    admin = Store(store.url, readonly=True)  # type: ignore[arg-type]
    assert admin.db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name = 'to-be-cut'").fetchall() == [(True,)]
    admin.close()
    with pytest.raises(sqlite3.DatabaseError) as lost:
        store.meta.get("k")
    assert write_refused(lost.value) is lost.value
    store.meta.set("k", "after")
    assert store.meta.get("k") == "after"
    store.close()


OPENERS = 8  # an opener that read the tables twice took one migrated meanwhile for a foreign database


def test_several_processes_opening_a_new_postgresql_database_at_once_migrate_it_once(postgres: object) -> None:
    """Workers starting together on an empty database: one migrates (the others wait for it), none fails. (A
    SQLite file has one process that writes: `watcher.store.lock`.)"""
    database = postgres.new_database()  # type: ignore[attr-defined]
    outcomes: list[object] = []

    def open_it() -> None:
        try:
            s = Store(database)
            outcomes.append(s.schema_version())
            s.close()
        except BaseException as e:  # noqa: BLE001  (reported by the assertion below)
            outcomes.append(e)

    openers = [threading.Thread(target=open_it) for _ in range(OPENERS)]
    for t in openers:
        t.start()
    for t in openers:
        t.join(60)
    assert outcomes == [SCHEMA_VERSION] * OPENERS, outcomes


def test_a_bad_database_url_is_one_line_at_its_place_and_an_unreachable_server_one_line(tmp_path: Path) -> None:
    config = tmp_path / "watcher.yaml"
    config.write_text("sources: []\ndatabase: postgresql://watcher@db.example:port/watcher\n")
    checked = run_cli("check", "--config", str(config))
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert f"{config}:2: database: not a usable PostgreSQL URL" in checked.stderr, checked.stderr
    config.write_text("database: mysql://watcher@db.example/watcher\n")
    assert "mysql:// is not a database watcher can use" in run_cli("check", "--config", str(config)).stderr
    socket_dir = tmp_path / "no-server-here"
    socket_dir.mkdir()
    config.write_text(f"database: postgresql://watcher:hunter22@/watcher?host={socket_dir}\nsources: []\n")
    ran = run_cli("run", "--once", "--config", str(config))
    lines = ran.stderr.strip().splitlines()
    assert ran.returncode == 1 and len(lines) == 1, ran.stderr
    assert lines[0].startswith("cannot connect to database postgresql://watcher:***@/watcher?host="), lines
    assert "Is the server running" in lines[0]
    assert "hunter22" not in ran.stderr + ran.stdout
