"""Placements made ahead of the placement lock (workers on PostgreSQL, watcher/store/stories.py): a guess
stands only when nothing placed since could change it; an article of its story, or sharing its index keys,
placed by another worker meanwhile makes it be made again under the lock. Two stores on one real PostgreSQL
database play two workers (tests/postgres.py; skipped without the server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.postgres import postgres  # noqa: F401  (fixture: the tests' PostgreSQL server)
from tests.test_stories import DAY, kind, record
from watcher.model import Entry
from watcher.run.poll import story_sketch
from watcher.store import Store
from watcher.store.stories import Placement

WINDOW = 3 * DAY


@pytest.fixture
def two_workers(postgres: object) -> tuple[Store, Store]:  # noqa: F811
    url = postgres.new_database()  # type: ignore[attr-defined]
    one, two = Store(url), Store(url)
    one.sources.ensure("s", "https://e.org/feed", "feed")
    yield one, two
    one.close()
    two.close()


def store_placed(store: Store, url: str, rid: str, placement: Placement) -> int:
    """Add the article of record `rid` with `placement` in one transaction; its story."""
    art = record(url, rid)
    with store.transaction():
        article_id, _ = store.articles.add(Entry("s", url, None, url, url, art.title, None), art, placement=placement)
    return int(store.db.execute("SELECT story_id FROM articles WHERE id = ?", [article_id]).fetchone()[0])


def test_a_report_placed_by_another_worker_meanwhile_is_joined_not_doubled(two_workers: tuple[Store, Store]) -> None:
    one, two = two_workers
    first, later = "s01-v1", kind("s01", "independent")
    ahead = two.stories.guess(story_sketch(record("https://b.example/1", later)), WINDOW)
    assert ahead.placement.verdict is None, "nothing stored yet: the guess is a new story"
    with one.transaction():  # the other worker stores the story's first report meanwhile
        placed = one.stories.place(story_sketch(record("https://a.example/1", first)), WINDOW)
    story = store_placed(one, "https://a.example/1", first, placed)
    with two.transaction():
        placement = two.stories.place(ahead.placement.sketch, WINDOW, ahead)
    assert placement is not ahead.placement, "the guess stood although a report of its story was placed since"
    assert placement.verdict is not None and placement.verdict.story_id == story, placement.reason


def test_a_guess_stands_when_only_other_stories_were_placed_meanwhile(two_workers: tuple[Store, Store]) -> None:
    one, two = two_workers
    store_placed(one, "https://a.example/1", "s01-v1",
                 one.stories.place(story_sketch(record("https://a.example/1", "s01-v1")), WINDOW))
    sk = story_sketch(record("https://b.example/1", kind("s01", "reprint")))
    ahead = two.stories.guess(sk, WINDOW)
    assert ahead.placement.verdict is not None, "the reprint's guess joins the stored story"
    other = story_sketch(record("https://c.example/1", "s03-v1"))  # another event, no key in common
    store_placed(one, "https://c.example/1", "s03-v1", one.stories.place(other, WINDOW))
    with two.transaction():
        placement = two.stories.place(sk, WINDOW, ahead)
        again = two.stories.place(sk, WINDOW)  # made again under the lock, for comparison
    assert placement is ahead.placement, "the guess was made again although only another story was placed"
    assert placement.verdict.story_id == again.verdict.story_id and placement.verdict.signal == again.verdict.signal


def test_placements_are_numbered_in_commit_order_on_postgresql(two_workers: tuple[Store, Store]) -> None:
    one, two = two_workers
    for n, (store, rid) in enumerate([(one, "s01-v1"), (two, "s03-v1"), (one, kind("s01", "reprint"))]):
        url = f"https://x.example/{n}"
        store_placed(store, url, rid, store.stories.place(story_sketch(record(url, rid)), WINDOW))
    seqs = [r[0] for r in one.db.execute("SELECT seq FROM story_sketches ORDER BY article_id").fetchall()]
    assert seqs == [1, 2, 3], seqs


def test_sqlite_makes_a_guess_again(tmp_path: Path) -> None:
    store = Store(tmp_path / "w.db")
    store.sources.ensure("s", "https://e.org/feed", "feed")
    sk = story_sketch(record("https://b.example/1", "s01-v1"))
    ahead = store.stories.guess(sk, WINDOW)
    store_placed(store, "https://a.example/1", kind("s01", "reprint"),
                 store.stories.place(story_sketch(record("https://a.example/1", kind("s01", "reprint"))), WINDOW))
    with store.transaction():
        placement = store.stories.place(sk, WINDOW, ahead)
    assert placement is not ahead.placement and placement.verdict is not None, placement.reason
    store.close()
