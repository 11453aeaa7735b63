"""Placements made ahead of the placement lock (workers on PostgreSQL, watcher/store/stories.py): a guess
stands only when nothing placed since could change it; an article of its story, or sharing its index keys,
placed by another worker meanwhile makes it be made again under the lock. Two stores on one real PostgreSQL
database play two workers (tests/postgres.py; skipped without the server)."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.postgres import postgres  # noqa: F401  (fixture: the tests' PostgreSQL server)
from tests.test_stories import DAY, kind, record
from watcher.dedupe.sketch import sketch
from watcher.model import Article, Entry
from watcher.run.poll import story_sketch
from watcher.store import Store
from watcher.store import stories
from watcher.store.stories import Placement, top_terms

WINDOW = 3 * DAY
NOW = datetime(2026, 11, 30, 12, tzinfo=timezone.utc).timestamp()


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


def add_text(store: Store, url: str, title: str, body: str) -> int:
    """Place and store an article of this title and body, published NOW; its id."""
    art = Article(canonical_url=url, url=url, guid=None, source_id="s", title=title, author=None,
                  published=datetime.fromtimestamp(NOW, timezone.utc), sitename="x", language=None, body=body,
                  body_hash=None, summary_only=False, alertable=True)
    with store.transaction():
        placement = store.stories.place(sketch(title, body, NOW), WINDOW)
        article_id, _ = store.articles.add(Entry("s", url, None, url, url, title, None), art, placement=placement)
    return article_id


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
    assert placement.verdict is ahead.placement.verdict, "the guess was decided again although only another " \
                                                         "story was placed"
    assert placement.verdict.story_id == again.verdict.story_id and placement.verdict.signal == again.verdict.signal


def test_placements_are_numbered_in_commit_order_on_postgresql(two_workers: tuple[Store, Store]) -> None:
    one, two = two_workers
    for n, (store, rid) in enumerate([(one, "s01-v1"), (two, "s03-v1"), (one, kind("s01", "reprint"))]):
        url = f"https://x.example/{n}"
        store_placed(store, url, rid, store.stories.place(story_sketch(record(url, rid)), WINDOW))
    seqs = [r[0] for r in one.db.execute("SELECT seq FROM story_sketches ORDER BY article_id").fetchall()]
    assert seqs == [1, 2, 3], seqs


def test_a_placement_stored_without_its_number_is_numbered_and_seen(two_workers: tuple[Store, Store]) -> None:
    """A worker of the release before numbering stores its placement without `seq`: the database numbers it,
    so a guess made meanwhile by an upgraded worker still sees it."""
    one, two = two_workers
    later = kind("s01", "independent")
    ahead = two.stories.guess(story_sketch(record("https://b.example/1", later)), WINDOW)
    story = store_placed(one, "https://a.example/1", "s01-v1",
                         one.stories.place(story_sketch(record("https://a.example/1", "s01-v1")), WINDOW))
    with one.transaction():  # stored again as the earlier release wrote it: no seq
        row = one.db.execute("SELECT article_id, story_id, at, sketch FROM story_sketches").fetchone()
        one.db.execute("DELETE FROM story_sketches")
        one.db.execute("INSERT INTO story_sketches (article_id, story_id, at, sketch) VALUES (?, ?, ?, ?)", list(row))
    assert one.db.execute("SELECT seq FROM story_sketches").fetchone()[0] is not None
    with two.transaction():
        placement = two.stories.place(ahead.placement.sketch, WINDOW, ahead)
    assert placement.verdict is not None and placement.verdict.story_id == story, placement.reason


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


def test_an_article_found_by_words_that_became_the_heaviest_meanwhile_is_not_missed(
        two_workers: tuple[Store, Store]) -> None:
    """The heaviest words of a guess are weighed with the counts of its time: articles placed meanwhile move
    them. One whose heaviest words are ones the guess left out, and that candidates() finds under the lock,
    must be among the articles the check says could change the guess."""
    one, two = two_workers
    rng = random.Random(7)

    def word() -> str:
        return "".join(rng.choice("bdfgklmnprtvz") + rng.choice("aeiou") for _ in range(3))

    words = [word() for _ in range(14)]
    ahead = two.stories.guess(sketch(words[0], " ".join(words[1:]), NOW), WINDOW)
    heaviest = {t for t in top_terms(ahead.placement.sketch)}
    by_term = {f"t:{sketch(w, w, NOW).vocab.tolist()[0]}": w for w in words}
    kept = [by_term[t] for t in heaviest]
    left = [w for t, w in by_term.items() if t not in heaviest]
    for n in range(2):  # other events naming the guess's heaviest words once
        own = [word() for _ in range(12)]
        add_text(one, f"https://z.example/{n}", own[0], " ".join(own * 4 + kept))
    x = add_text(one, "https://x.example/1", f"{left[0]} {left[1]}",
                 " ".join([left[0], left[1]] * 4 + [word() for _ in range(8)]))
    with two.transaction():
        counts = stories._counts(two.db, stories.counted(ahead.placement.sketch))
        now = stories.weigh(ahead.placement.sketch, counts)
        found_now = {c.article_id for c in stories.candidates(two.db, now, WINDOW, counts)}
        since = stories.placed_since(two.db, ahead)
    assert x in found_now, "the case does not arise: candidates() under the lock does not find the article"
    assert since is not None and x in {c.article_id for c in since[1]}, "an article the lock finds was missed"
