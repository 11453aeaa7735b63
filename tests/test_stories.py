"""Story sketches, the same-story decision and the SQLite story index (real SQLite files)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from watcher.dedupe.sketch import Sketch, bands, is_key_number, number_value, sketch, terms
from watcher.dedupe.story import Candidate, compare
from watcher.run.poll import story_sketch
from watcher.model import Article, Entry
from watcher.store import Store
from watcher.store.schema import SCHEMA_VERSION
from watcher.store.stories import weigh

SET = Path(__file__).parents[1] / "benchmarks/stories/stories.jsonl"
RECORDS = {r["id"]: r for r in map(json.loads, SET.read_text(encoding="utf-8").splitlines())}
DAY = 86400.0


def sk(rid: str, shift_days: float = 0) -> Sketch:
    r = RECORDS[rid]
    return sketch(r["title"], r["body"], datetime.fromisoformat(r["published"]).timestamp() + shift_days * DAY)


def kind(story: str, k: str) -> str:
    return next(i for i, r in RECORDS.items() if r["story"] == story and r["kind"] == k)


def test_figures_are_read_the_way_outlets_write_them() -> None:
    assert number_value("10,000") == number_value("10.000") == "10000"
    assert number_value("6,4") == "6.4" and number_value("3.25") == "3.25"
    assert not is_key_number("2025") and not is_key_number("7") and is_key_number("48") and is_key_number("2:03:11")


def test_names_and_figures_of_an_article() -> None:
    s = sketch("Minister promises 10,000 jobs", "Business minister Daniel Orme said on Tuesday that 10,000 jobs "
               "would come to Sunderland by 2030, backed by £1.8 billion.", 0.0)
    assert {"daniel", "orme", "sunderland"} <= s.names
    assert "tuesday" not in s.names and "business" not in s.names  # a weekday; the first word of a sentence
    assert s.numbers == {"10000", "1.8"}
    assert set(terms(s)) == {f"n:{n}" for n in s.names} | {"#:10000", "#:1.8"}


def test_a_sketch_survives_storage_byte_for_byte() -> None:
    s = sk("s01-v1")
    back = Sketch.from_bytes(s.to_bytes())
    assert back.at == s.at and back.word_count == s.word_count
    assert np.array_equal(back.words, s.words) and np.array_equal(back.skeleton, s.skeleton)
    assert back.names == s.names and back.numbers == s.numbers and bands(back) == bands(s)
    # every field, of a weighed sketch with a typed figure and years, and of an empty undated one
    scored = weigh(sketch("Rovers beat City 20-13", "Rovers beat City 20-13 at Elm Park in 2025, a year after the "
                          "2024 final; 4,000 fans watched.", 1.7e9), {"": 10, "w:rovers": 2})
    for original in (scored, sketch("", "", 1.7e9, dated=False), s):
        back = Sketch.from_bytes(original.to_bytes())
        for name in Sketch.__dataclass_fields__:
            mine, theirs = getattr(back, name), getattr(original, name)
            if isinstance(theirs, np.ndarray):
                assert np.array_equal(mine, theirs.astype(mine.dtype)) and len(mine) == len(theirs), name
            else:
                assert mine == theirs, (name, mine, theirs)
        assert back.to_bytes() == original.to_bytes()
        with pytest.raises(AttributeError):
            back.at = 0.0  # type: ignore[misc]  # still frozen
    assert scored.typed and scored.years and len(scored.weights)


def test_a_synonym_swapped_copy_is_a_rewrite_of_its_original() -> None:
    original, spun = sk("s01-v1"), sk(kind("s01", "spun"))
    v = compare(spun, Candidate(1, 1, original), 3 * DAY)
    assert v.same and v.signal in ("rewrite", "event"), v
    assert "10000" in v.shared_numbers


def test_a_reprint_is_a_copy_and_a_teaser_is_contained() -> None:
    assert compare(sk(kind("s01", "reprint")), Candidate(1, 1, sk("s01-v1")), 3 * DAY).signal == "copy"
    teaser = compare(sk(kind("s01", "teaser")), Candidate(1, 1, sk("s01-v1")), 3 * DAY)
    assert teaser.same and teaser.signal in ("teaser", "copy")


def test_another_outlets_report_is_the_same_event_only_within_the_window() -> None:
    indep = kind("s01", "independent")
    near = compare(sk(indep), Candidate(1, 1, sk("s01-v1")), 3 * DAY)
    assert near.same and near.signal == "event" and "orme" in near.shared_names
    far = compare(sk(indep, shift_days=10), Candidate(1, 1, sk("s01-v1")), 3 * DAY)
    assert not far.same and "outside the 3-day window" in far.why


def test_the_same_minister_a_year_later_with_other_figures_is_another_story() -> None:
    later = next(i for i, r in RECORDS.items() if r.get("hard_negative_of") == "s01" and r["kind"] == "original")
    # even with no time window at all, the figures keep them apart
    v = compare(sk(later), Candidate(1, 1, sk("s01-v1")), 10 * 365 * DAY)
    assert not v.same, v


def test_a_template_story_with_other_figures_is_not_a_copy() -> None:
    body = ("The council approved a budget of {a} million on Tuesday, with {b} new homes planned in Easton and a "
            "tax rise of {c} percent, the mayor Alda Brennick said after a long debate in the chamber that ran "
            "past midnight. Opposition members said the plan relied on grants that had not yet been confirmed.")
    first = sketch("Council budget", body.format(a="41.5", b="320", c="4.2"), 0.0)
    other = sketch("Council budget", body.format(a="38.2", b="150", c="3.1"), 0.0)
    v = compare(other, Candidate(1, 1, first), 3 * DAY)
    assert not v.same and "figures differ" in v.why


def record(url: str, rid: str, shift_days: float = 0) -> Article:
    r = RECORDS[rid]
    return Article(
        canonical_url=url, url=url, guid=None, source_id="s", title=r["title"], author=None,
        published=datetime.fromisoformat(r["published"]) + timedelta(days=shift_days), sitename=r["outlet"],
        language=None, body=r["body"], body_hash=None, summary_only=False, alertable=True,
    )


def add(store: Store, url: str, rid: str, shift_days: float = 0) -> int:
    art = record(url, rid, shift_days)
    placement = store.stories.place(story_sketch(art), 3 * DAY)
    article_id, _ = store.articles.add(Entry("s", url, None, url, url, art.title, None), art, placement=placement)
    return int(store.db.execute("SELECT story_id FROM articles WHERE id = ?", [article_id]).fetchone()[0])


def test_a_restart_forgets_no_story(database: str | Path) -> None:
    store = Store(database)
    store.sources.ensure("s", "https://e.org/feed", "feed")
    first = add(store, "https://a.example/1", "s01-v1")
    other = add(store, "https://a.example/2", "s03-v1")
    store.close()
    again = Store(database)
    assert add(again, "https://b.example/1", kind("s01", "spun")) == first
    assert add(again, "https://c.example/1", kind("s01", "independent")) == first
    assert add(again, "https://d.example/1", kind("s03", "reprint")) == other
    [row] = [s for s in again.stories.recent() if s["id"] == first]
    assert row["size"] == 3 and len(row["outlets"]) == 3
    assert row["articles"][0]["reason"]["joined"] is False
    assert {a["reason"]["signal"] for a in row["articles"][1:]} <= {"rewrite", "event", "copy"}
    again.close()


def test_rebuilt_indexes_find_what_the_originals_found(database: str | Path) -> None:
    store = Store(database)
    store.sources.ensure("s", "https://e.org/feed", "feed")
    first = add(store, "https://a.example/1", "s01-v1")
    add(store, "https://a.example/2", "s03-v1")
    counts = {t: store.count(t) for t in ("story_bands", "story_terms", "story_term_counts")}
    assert store.stories.rebuild(resketch=True) == 2
    assert {t: store.count(t) for t in counts} == counts and all(counts.values())
    assert add(store, "https://b.example/1", kind("s01", "spun")) == first
    store.close()


def test_sketches_of_an_older_version_are_made_anew_on_open(database: str | Path) -> None:
    store = Store(database)
    store.sources.ensure("s", "https://e.org/feed", "feed")
    first = add(store, "https://a.example/1", "s01-v1")
    store.db.execute("DELETE FROM story_bands")  # as if an older version had indexed something else
    store.meta.set("story_sketch_version", "0")
    store.close()
    again = Store(database)
    assert again.count("story_bands") > 0 and again.meta.get("story_sketch_version") != "0"
    assert add(again, "https://b.example/1", kind("s01", "reprint")) == first
    again.close()


def test_a_store_that_indexed_the_skeleton_bands_drops_them_and_still_finds_copies(database: str | Path) -> None:
    store = Store(database)
    store.sources.ensure("s", "https://e.org/feed", "feed")
    first = add(store, "https://a.example/1", "s01-v1")
    assert {b for (b,) in store.db.execute("SELECT DISTINCT band FROM story_bands")} == set(range(16))
    [article_id] = [r[0] for r in store.db.execute("SELECT id FROM articles")]
    with store.db.atomic():  # as the schema before 13 indexed them: the skeleton's bands 16-31
        store.db.conn.executemany("INSERT INTO story_bands (band, hash, article_id) VALUES (?, ?, ?)",
                                  [(b, b * 7, article_id) for b in range(16, 32)])
        store.db.execute("DROP INDEX story_sketches_seq")  # and without 14's numbering of the placements
        store.db.execute("ALTER TABLE story_sketches DROP COLUMN seq")
        store.db.execute("ALTER TABLE sources DROP COLUMN item_memory")  # and without 16's remembered entries
        store.db.execute("DROP INDEX deliveries_totals")  # and 17's delivery totals
        for table in ("deliveries", "notices"):  # and 18's URL keys
            store.db.execute(f"ALTER TABLE {table} DROP COLUMN url_key")
        store.db.execute("UPDATE meta SET value = '12' WHERE key = 'schema_version'")
    store.close()
    again = Store(database)
    assert again.schema_version() == SCHEMA_VERSION
    assert again.db.execute("SELECT COUNT(*) FROM story_bands WHERE band >= 16").fetchone()[0] == 0
    assert again.count("story_bands") == 16
    assert add(again, "https://b.example/1", kind("s01", "reprint")) == first
    assert add(again, "https://c.example/1", kind("s01", "spun")) == first
    again.close()


@pytest.mark.parametrize("story", ["s04", "s16", "s39"])
def test_hard_negatives_of_the_set_stay_apart_in_the_store(database: str | Path, story: str) -> None:
    """Every version of a story and of its hard negative (same kind of event elsewhere), all in one store."""
    store = Store(database)
    store.sources.ensure("s", "https://e.org/feed", "feed")
    negative = next(r["story"] for r in RECORDS.values() if r.get("hard_negative_of") == story)
    got: dict[str, set[int]] = {story: set(), negative: set()}
    ids = sorted((i for i, r in RECORDS.items() if r["story"] in got), key=lambda i: RECORDS[i]["published"])
    for n, rid in enumerate(ids):
        got[RECORDS[rid]["story"]].add(add(store, f"https://x.example/{n}", rid))
    assert len(got[story]) == 1 and len(got[negative]) == 1 and got[story] != got[negative]
    store.close()


def test_articles_with_only_a_stock_summary_are_not_copies_of_each_other() -> None:
    stock = "Read the full story on our website."
    a = sketch("Ferry operator cancels winter timetable", stock, 0.0)
    b = sketch("Council votes to close Easton library", stock, 0.0)
    assert not compare(b, Candidate(1, 1, a), 3 * DAY).same
    empty = sketch("Headline only", "", 0.0)
    assert not compare(empty, Candidate(1, 1, sketch("Another headline", "", 0.0)), 3 * DAY).same


def test_the_same_notice_for_another_town_is_another_story() -> None:
    body = ("{town} Town Council voted on Tuesday to buy 12 new electric buses from {maker}, the largest order the "
            "council has placed in a decade. Councillor {who}, who chairs the transport committee, said the buses "
            "would first run on {route} and should cut waiting times. The order is expected to cost about {cost} "
            "million pounds, part of it covered by a national grant. Passenger groups in {town} welcomed the vote.")
    a = sketch("Ashford orders buses", body.format(town="Ashford", maker="Volvo", who="Margaret Ellis",
                                                   route="the hospital loop", cost="4.2"), 0.0)
    b = sketch("Wetherby orders buses", body.format(town="Wetherby", maker="Wrightbus", who="Harriet Cole",
                                                    route="the racecourse link", cost="4.2"), 0.0)
    v = compare(b, Candidate(1, 1, a), 3 * DAY)
    assert not v.same and "the names differ" in v.why, v


def test_similarities_for_many_are_those_of_each_pair() -> None:
    from watcher.dedupe.sketch import similarity
    from watcher.dedupe.story import similarities

    new = sk("s01-v1")
    others = [sk(i) for i in list(RECORDS)[:25]]
    assert similarities(new, others) == [(similarity(new.words, o.words), similarity(new.skeleton, o.skeleton))
                                         for o in others]
    assert any(w > 0 for w, _ in similarities(new, others)) and similarities(new, []) == []
