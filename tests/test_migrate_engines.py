"""`watcher migrate`: a store polled by the real `watcher run --once` on SQLite moves to a real PostgreSQL server
(tests/postgres.py; without PostgreSQL installed these tests skip, saying so) and back, every row and id kept; the
commands read the same rows there, and polling there goes on where it stopped (no story alerted twice)."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any


from tests.conftest import run_cli, write_config
from tests.pages import news_page, rss
from tests.postgres import query
from tests.receivers import WebhookReceiver
from tests.test_store_engines import FERRY, FERRY_REWRITE, LIBRARY, RULES
from tests.webserver import Route, WebServer
from watcher.store.copy import tables
from watcher.store.times import utcnow

# a third outlet's report of the same fire, published after the move
FERRY_LATER = ("Ferry fire strands Carrick Island as sailings stop",
               "Sailings to Carrick Island stopped on Monday after an engine fire on the MV Tern forced its 212 "
               "passengers back to Porthaven, Harbour Line said. No one was hurt. The Maritime Safety Office will "
               "inspect the vessel before it returns to service, and islanders who use the crossing for work and "
               "hospital visits were warned of cancellations until at least Thursday; a replacement boat with 80 "
               "seats will run twice a day from Wednesday.")


def serve(web: WebServer, reports: list[tuple[str, tuple[str, str]]]) -> None:
    items = []
    for n, (outlet, text) in enumerate(reports):
        web.route(f"/{outlet}/story.html", Route(news_page(text[0], [text[1]], outlet=outlet)))
        items.append({"title": text[0], "link": "{{BASE}}" + f"/{outlet}/story.html", "guid": f"{outlet}-{n}",
                      "published": utcnow() - timedelta(minutes=10 - n)})
    web.route("/feed.xml", Route(rss(items)))


def config_in(folder: Path, web: WebServer, hooks: WebhookReceiver, database: str | Path) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "rules.yaml").write_text(RULES)
    return write_config(folder, [{"id": "wire", "url": web.url("/feed.xml"), "baseline": False}],
                        rules="rules.yaml", database=str(database),
                        channels={"hooks": {"urls": [f"json://{hooks.base}/alerts"]}})


def watcher(*args: str) -> str:
    done = run_cli(*args)
    assert done.returncode == 0 and "Traceback" not in done.stderr, f"{args}: {done.stdout}{done.stderr}"
    return done.stdout


def rows(database: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every watcher row of a store, per table, in key order (meta without its versions)."""
    out = {}
    for t in tables():
        order = ", ".join(t.key)
        found = query(database, f"SELECT {', '.join(t.columns)} FROM {t.name} ORDER BY {order}")
        out[t.name] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in found
                       if t.name != "meta" or r[0] not in ("schema_version",)]
    return out


def test_a_polled_sqlite_store_moves_to_postgresql_and_polling_there_alerts_no_story_again(
        postgres: Any, web: WebServer, hooks: WebhookReceiver, tmp_path: Path) -> None:
    serve(web, [("harbour-news", FERRY), ("island-times", FERRY_REWRITE), ("easton-echo", LIBRARY)])
    lite = tmp_path / "lite" / "data" / "watcher.db"
    on_sqlite = config_in(tmp_path / "lite", web, hooks, lite)
    watcher("run", "--once", "--config", str(on_sqlite))
    assert [r.json["title"] for r in hooks.received] == ["Ferry fire"]
    before = rows(lite)
    assert len(before["articles"]) == 3 and len(before["stories"]) == 2 and len(before["alerts"]) == 1
    assert before["story_bands"] and before["story_sketches"] and before["deliveries"]

    url = postgres.new_database()
    moved = watcher("migrate", "--from", f"sqlite://{lite}", "--to", url)
    first, *counted, last = moved.splitlines()
    assert "one transaction" in first and last.startswith("copied "), moved
    printed = dict(line.split() for line in counted)
    assert {t: int(n) for t, n in printed.items() if t != "meta"} == {
        t: len(r) for t, r in before.items() if t != "meta"}, moved
    assert moved.splitlines()[-1].startswith("copied ")
    after, seq = rows(url), tables_index("story_sketches", "seq")
    # PostgreSQL numbers the placements (SQLite leaves them unnumbered): the copied ones in the order copied
    assert [r[seq] for r in after["story_sketches"]] == list(range(1, len(before["story_sketches"]) + 1))
    after["story_sketches"] = [(*r[:seq], None, *r[seq + 1:]) for r in after["story_sketches"]]
    assert after == before, "every row, ids kept"

    on_postgres = config_in(tmp_path / "pg", web, hooks, url)
    for reader in (["alerts", "--json"], ["stories", "--json"]):  # the same answers from either store
        assert json.loads(watcher(*reader, "--config", str(on_postgres))) == \
            json.loads(watcher(*reader, "--config", str(on_sqlite))), reader

    # a third outlet reports the same fire: stored on PostgreSQL, placed in the moved story, not alerted again
    serve(web, [("harbour-news", FERRY), ("island-times", FERRY_REWRITE), ("easton-echo", LIBRARY),
                ("bay-courier", FERRY_LATER)])
    watcher("run", "--once", "--config", str(on_postgres))
    after = rows(url)
    assert len(after["articles"]) == 4, "only the new report is stored (the moved entries are known)"
    new = max(after["articles"], key=lambda a: a[0])
    assert new[0] > max(a[0] for a in before["articles"]), "PostgreSQL numbers new rows after the moved ids"
    story_of = {a[0]: a[tables_index("articles", "story_id")] for a in after["articles"]}
    ferry_story = story_of[before["alerts"][0][tables_index("alerts", "article_id")]]
    assert story_of[new[0]] == ferry_story, "the new report joins the moved story (its sketches and bands moved)"
    assert [a for a in after["alerts"] if a[tables_index("alerts", "kind")] == "alert"] == before["alerts"]
    assert [r.json["title"] for r in hooks.received] == ["Ferry fire"], "the story's alert was not sent again"

    # and back: PostgreSQL into a new SQLite file, the same rows
    back = tmp_path / "back.db"
    watcher("migrate", "--from", url, "--to", str(back))
    assert rows(back) == after


def tables_index(table: str, column: str) -> int:
    return next(t for t in tables() if t.name == table).columns.index(column)


def test_a_move_is_refused_in_one_line_and_leaves_nothing_half_written(postgres: Any, tmp_path: Path) -> None:
    from watcher.store import Store

    lite = tmp_path / "watcher.db"
    store = Store(lite)
    store.sources.ensure("wire", "https://news.example/feed", "feed")
    store.close()
    url = postgres.new_database()

    def refused(source: str, target: str, says: str) -> None:
        done = run_cli("migrate", "--from", source, "--to", target)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 1 and len(lines) == 1 and says in lines[0], done.stdout + done.stderr

    refused(str(tmp_path / "none.db"), url, "no such database file")
    refused(str(lite), "mysql://db.example/watcher", "mysql:// is not a database watcher can use")
    refused(str(lite), "postgresql://watcher@db.example:port/watcher", "not a usable PostgreSQL URL")
    refused(str(lite), f"postgresql://watcher@/watcher?host={tmp_path}", "cannot connect to database")
    refused(str(lite), str(lite), "the same database")
    refused(url, str(tmp_path / "new.db"), "has no watcher tables yet")
    assert not (tmp_path / "new.db").exists(), "a target file made for a failed move is removed"

    # a row PostgreSQL cannot take (a NUL in a text), after other tables were copied: the target keeps no row
    conn = sqlite3.connect(lite)
    conn.execute("INSERT INTO articles (canonical_url, url, source_id, body, alertable, fetched_at) "
                 "VALUES ('https://news.example/a', 'https://news.example/a', 'wire', ?, 1, 'now')", ["nul \x00 here"])
    conn.commit()
    conn.close()
    refused(str(lite), url, "nothing was written there")
    assert all(not r for t, r in rows(url).items() if t != "meta"), "the failed move wrote nothing"

    conn = sqlite3.connect(lite)
    conn.execute("DELETE FROM articles")
    conn.commit()
    conn.close()
    assert run_cli("migrate", "--from", str(lite), "--to", url).returncode == 0
    refused(str(lite), url, "already holds watcher data (in sources)")


def test_small_batches_copy_every_row_of_composite_keys_and_the_queue_tables_stay_behind(postgres: Any,
                                                                                          tmp_path: Path) -> None:
    """Batches of 3 rows, each starting after the last key read (story_bands' key has three columns), both ways;
    a PostgreSQL store's task-queue tables (`procrastinate_*`) are not watcher's and are not copied."""
    from tests.test_store_engines import add, alert_match
    from watcher.store import Store
    from watcher.store.copy import copy_store

    url = postgres.new_database()
    source = Store(url)
    source.sources.ensure("s", "https://news.example/feed", "feed")
    add(source, "https://a.example/1", FERRY, [alert_match()])
    add(source, "https://b.example/2", FERRY_REWRITE, [alert_match()])
    add(source, "https://c.example/3", LIBRARY)
    source.db.execute("CREATE TABLE procrastinate_jobs (id BIGINT PRIMARY KEY, task_name TEXT)")
    source.db.execute("INSERT INTO procrastinate_jobs VALUES (1, 'poll')")
    before = rows(url)
    assert len(before["story_bands"]) > 3 * 3 and len(before["story_terms"]) > 3 * 3

    lite = tmp_path / "copy.db"
    target = Store(lite)
    progress: list[tuple[str, int]] = []
    reader = Store(url, readonly=True)
    counts = copy_store(reader, target, lambda t, n: progress.append((t, n)), size=3)
    reader.close()
    target.close()
    assert rows(lite) == before and counts == dict(progress)
    assert counts["story_bands"] == len(before["story_bands"])
    assert not [t for t in query(lite, "SELECT name FROM sqlite_master") if t[0].startswith("procrastinate")]

    again = postgres.new_database()
    target = Store(again)
    reader = Store(lite, readonly=True)
    copy_store(reader, target, size=3)
    reader.close()
    assert rows(again) == before
    next_id = target.db.execute("INSERT INTO stories (first_seen, last_seen) VALUES ('a', 'b')").lastrowid
    assert next_id == max(s[0] for s in before["stories"]) + 1, "new rows are numbered after the copied ids"
    target.close()
    source.close()
