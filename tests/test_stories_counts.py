"""The document frequencies a placement weighs with are the stored ones, although a connection remembers
them: another process's commits and a rolled-back transaction are seen (a SQLite file and a PostgreSQL
database)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.test_stories import DAY, add, kind, record
from watcher.run.poll import story_sketch
from watcher.store import Store


def weights(store: Store, rid: str) -> np.ndarray:
    """The TF-IDF weights `store` gives the record's sketch when placing it (read only)."""
    return store.stories.place(story_sketch(record("https://x.example/probe", rid)), 3 * DAY).sketch.weights


def stored_weights(path: str | Path, rid: str) -> np.ndarray:
    """The same, read by a connection opened now (which remembers nothing)."""
    fresh = Store(path)
    try:
        return weights(fresh, rid)
    finally:
        fresh.close()


PROBE = kind("s01", "independent")


def opened(path: str | Path) -> Store:
    store = Store(path)
    store.sources.ensure("s", "https://e.org/feed", "feed")
    return store


def test_a_placement_weighs_with_what_another_connection_committed(database: str | Path) -> None:
    path = database
    writer, reader = opened(path), Store(path)
    probe = PROBE
    add(writer, "https://a.example/1", "s01-v1")
    before = weights(reader, probe)  # the reader now remembers the counts of the probe's words
    add(writer, "https://b.example/1", kind("s01", "spun"))
    add(writer, "https://c.example/1", "s03-v1")
    after = weights(reader, probe)
    assert not np.allclose(before, after), "the other articles should change the probe's weights"
    assert np.array_equal(after, stored_weights(path, probe)), "the reader weighed with counts it remembered"
    writer.close()
    reader.close()


def test_a_rolled_back_article_leaves_no_count_behind(database: str | Path) -> None:
    path = database
    store, probe = opened(path), PROBE
    add(store, "https://a.example/1", "s01-v1")
    committed = weights(store, probe)
    with pytest.raises(RuntimeError), store.db.atomic():
        add(store, "https://b.example/1", kind("s01", "spun"))
        inside = weights(store, probe)
        raise RuntimeError("the poll failed after storing the article")
    assert not np.allclose(inside, committed), "the article stored inside should change the probe's weights"
    assert np.array_equal(weights(store, probe), committed)
    assert np.array_equal(weights(store, probe), stored_weights(path, probe))
    store.close()


def test_a_rebuild_leaves_the_counts_it_stored(database: str | Path) -> None:
    path = database
    store, probe = opened(path), PROBE
    for i, rid in enumerate(("s01-v1", kind("s01", "spun"), "s03-v1")):
        add(store, f"https://a.example/{i}", rid)
    weights(store, probe)
    store.stories.rebuild(window=3 * DAY)
    assert np.array_equal(weights(store, probe), stored_weights(path, probe))
    store.close()
