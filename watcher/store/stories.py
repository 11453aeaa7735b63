"""Stories in the store: candidates from the indexes, placing an article, listing stories.

Candidates for a new article come from two indexes, never from a scan:
- `story_bands`: LSH bands of the word signature (copies, lightly edited reprints);
- `story_terms`: names and figures with the time they were reported; the
  rarest of the article's terms (by `story_term_counts`) are looked up within
  the time window (other reports of the event). The TOP_TERMS heaviest content
  words of each article (`t:` terms) are indexed there too, for reports that
  share words but few names or figures.
`story_term_counts` also counts, per content word (`w:`), the articles it
appeared in, and under `""` the articles sketched: the document frequencies of
the content vectors, learned as the store grows. An article's vector is weighed
with the counts of the articles before it, so placing the articles again in the
same order (`replay`) gives the same stories.
The functions that write run inside the caller's transaction.
"""

from __future__ import annotations

import functools
import json
import math
import weakref
from dataclasses import dataclass, replace
from typing import Any, Iterable

import numpy as np
import sqlite_utils

from watcher.dedupe.sketch import Sketch, bands, sketch, terms
from watcher.dedupe.story import Candidate, Verdict, cosines, decide
from watcher.store.engine import ids_taken, is_postgres

LOOKUP_TERMS = 12  # the rarest terms of a new article that are looked up
MAX_CANDIDATES = 40  # from each index
PER_KEY = 100  # rows read for one band or term at most
TOP_TERMS = 10  # content words of an article indexed (and looked up), the heaviest first
MAX_STORIES = 12  # candidate stories whose articles are read for the average link
UNSEEN = 1000  # articles assumed to exist without the word, so a young store does not find its every word common
MAX_MEMBERS = 30  # articles of one story read for the average link, the newest first


@dataclass(frozen=True)
class Placement:
    """Where a new article goes: an existing story (`verdict`) or a new one, and why."""

    sketch: Sketch
    verdict: Verdict | None  # the article it joins, or None for a new story
    closest: Verdict | None  # for a new story, the nearest article that was not the same story

    @property
    def reason(self) -> dict[str, Any]:
        if self.verdict:
            return {"joined": True, **self.verdict.as_dict()}
        out: dict[str, Any] = {"joined": False, "why": "no earlier article of the same story"}
        if self.closest:
            out["closest"] = self.closest.as_dict()
        return out


PLACEMENT_LOCK = 0x77617470  # pg_advisory_xact_lock key: one placement at a time across processes (PostgreSQL)


@dataclass(frozen=True)
class Guess:
    """A placement made ahead, outside the placement lock (workers on PostgreSQL: their lookups and decision
    then run while another worker stores), and what it was made from: the last placement number (`seq`)
    stored before its first read, and the stories it weighed."""

    placement: Placement
    seq: int
    found: tuple[Candidate, ...]  # the candidates it judged
    stories: frozenset[int]


def place(db: sqlite_utils.Database, sk: Sketch, window: float, guess: Guess | None = None) -> Placement:
    """Which story `sk` belongs to. Under the lock, a `guess` made ahead stands when no article placed since
    could change it (none that it would have found, none in a story it weighed); else its decision is made
    again with those articles among its candidates and its stories' members read again. (Only PostgreSQL
    numbers the placements: on SQLite, one process per file, a guess is made again.)"""
    pg = is_postgres(db)
    if pg:  # held to the caller's commit: an article placed by another worker meanwhile is seen
        db.execute("SELECT pg_advisory_xact_lock(?)", [PLACEMENT_LOCK])  # (SQLite: one process per file)
    if guess is not None and pg:
        return _checked(db, guess, window)
    return _placed(db, sk, window)[0]


def guess(db: sqlite_utils.Database, sk: Sketch, window: float) -> Guess:
    """`sk`'s placement made ahead, to be checked by `place` under the lock (read only, no lock taken)."""
    seq = _last_seq(db)  # read first: whatever is placed after it has a higher number
    placement, found, linked = _placed(db, sk, window)
    return Guess(placement, seq, tuple(found), frozenset(c.story_id for c in found) | frozenset(linked))


def _placed(
    db: sqlite_utils.Database, sk: Sketch, window: float,
) -> tuple[Placement, list[Candidate], dict[int, list[Candidate]]]:
    """The placement, its candidates, and the members of their stories it weighed."""
    counts = _counts(db, counted(sk))  # one lookup: the document frequencies and the rarity of the names/figures
    sk = weigh(sk, counts)
    found = candidates(db, sk, window, counts)
    linked = members(db, sk, found, window)
    return Placement(sk, *decide(sk, found, window, linked)), found, linked


def _last_seq(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT COALESCE(MAX(seq), 0) FROM story_sketches WHERE seq IS NOT NULL").fetchone()[0])


def _checked(db: sqlite_utils.Database, guess: Guess, window: float) -> Placement:
    """The guess, when no article placed after `guess.seq` could change it; else its decision made again with
    those articles among the candidates and the members of the stories read again. An article placed since
    could change it when it joined a story the guess weighed, or when `candidates` would find it now: an LSH
    band in common, or two of the rarest names and figures, or two of the heaviest content words, by the
    counts as they are now (those articles moved them), whatever their dates. A guess that stands keeps the
    verdict it was made with, from weights a few articles old: a borderline score may differ in its last
    digits from the one a placement under the lock would give, but no article it would find is missed."""
    since = placed_since(db, guess)
    if since is None:
        return guess.placement
    sk, new = since
    if not new:  # the guess's verdict, the sketch weighed as now (its index terms are those it is found by)
        return Placement(sk, guess.placement.verdict, guess.placement.closest)
    found = [*guess.found, *new]
    return Placement(sk, *decide(sk, found, window, members(db, sk, found, window)))


def placed_since(db: sqlite_utils.Database, guess: Guess) -> tuple[Sketch, list[Candidate]] | None:
    """None when nothing was placed after `guess.seq`; else the guess's sketch weighed as now and the articles
    placed since that could change it (`_checked`)."""
    rows = db.execute("SELECT article_id, story_id, sketch FROM story_sketches WHERE seq > ?", [guess.seq]).fetchall()
    if not rows:
        return None
    # what the lookups would be now: the counts those articles added move the rarest names and figures and,
    # through the weights, the heaviest words
    counts = _counts(db, counted(guess.placement.sketch))
    sk = weigh(guess.placement.sketch, counts)
    rarest = sorted((counts[t], t) for t in terms(sk) if t in counts)[:LOOKUP_TERMS]
    mine_terms, mine_bands, mine_top = {t for _, t in rarest}, set(bands(sk)), set(top_terms(sk))
    new = []
    for article_id, story_id, blob in rows:
        other = _decoded(blob)
        if story_id in guess.stories or mine_bands.intersection(bands(other)) \
                or len(mine_terms.intersection(terms(other))) >= 2 or len(mine_top.intersection(top_terms(other))) >= 2:
            new.append(Candidate(article_id, story_id, other))
    return sk, new


def _counts(db: sqlite_utils.Database, keys: list[str]) -> dict[str, int]:
    """The stored `story_term_counts` of `keys` (absent ones left out), read through the connection's
    remembered counts (SQLite) where they are still exact."""
    known = _remembered(db)
    if known is None:
        return _read_counts(db, keys)
    missing = [k for k in keys if k not in known.n]
    if missing:
        if len(known.n) + len(missing) > MAX_REMEMBERED:
            known.n.clear()
            missing = list(dict.fromkeys(keys))
        got = _read_counts(db, missing)
        known.n.update((k, got.get(k, 0)) for k in missing)
    n = known.n
    return {k: n[k] for k in keys if n[k]}


def _read_counts(db: sqlite_utils.Database, keys: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in range(0, len(keys), 500):
        part = keys[i : i + 500]
        marks = ",".join("?" * len(part))
        out.update(db.execute(f"SELECT term, n FROM story_term_counts WHERE term IN ({marks})", part).fetchall())
    return out


class _Remembered:
    """The `story_term_counts` one SQLite connection has read or written (0 for a term absent), exact while
    no other connection has committed (`PRAGMA data_version` unchanged) and the count of all articles (`""`)
    is what this connection last saw or wrote (a rolled-back transaction lowers it)."""

    def __init__(self) -> None:
        self.n: dict[str, int] = {}
        self.version: int | None = None
        self.total = 0


_REMEMBERED: weakref.WeakKeyDictionary[sqlite_utils.Database, _Remembered] = weakref.WeakKeyDictionary()
MAX_REMEMBERED = 300_000  # terms remembered per connection (about 30 MB); all forgotten when more are read


def _remembered(db: sqlite_utils.Database) -> _Remembered | None:
    """The connection's remembered counts, forgotten first when they may be stale (None for PostgreSQL,
    which is read every time)."""
    if is_postgres(db):
        return None
    known = _REMEMBERED.get(db)
    if known is None:
        known = _REMEMBERED[db] = _Remembered()
    version, total = db.execute("SELECT (SELECT data_version FROM pragma_data_version), "
                                "(SELECT n FROM story_term_counts WHERE term = '')").fetchone()
    if version != known.version or (total or 0) != known.total:
        known.n.clear()
        known.version, known.total = version, total or 0
    return known


def _forget(db: sqlite_utils.Database) -> None:
    """Forget the connection's remembered counts (the indexes are being rebuilt)."""
    _REMEMBERED.pop(db, None)


def weigh(sk: Sketch, counts: dict[str, int]) -> Sketch:
    """The sketch with its content vector weighed by TF-IDF (`counts`: articles per `w:` term, and under
    `""` all articles), unit length."""
    if not len(sk.vocab):
        return sk
    total = counts.get("", 0)
    df = np.array([counts.get(f"w:{t}", 0) for t in sk.vocab.tolist()], dtype=np.float64)
    w = np.abs(sk.tf) * (np.log((total + 1 + UNSEEN) / (df + 1)) + 1.0)
    norm = math.sqrt(float(np.dot(w, w)))
    return replace(sk, weights=(w / norm).astype(np.float32) if norm else w.astype(np.float32))


def top_terms(sk: Sketch) -> list[str]:
    """Index terms of the article's heaviest content words (ties by term id, for a stable choice)."""
    if not len(sk.weights):
        return []
    order = np.lexsort((sk.vocab, -sk.weights))[:TOP_TERMS]
    return [f"t:{t}" for t in sk.vocab[order].tolist()]


def members(db: sqlite_utils.Database, sk: Sketch, found: list[Candidate], window: float) -> dict[int, list[Candidate]]:
    """The articles within the window of the candidates' stories (the MAX_MEMBERS newest of each of the
    MAX_STORIES stories with the closest candidates), for the average link."""
    if not found:
        return {}
    close: dict[int, float] = {}
    for c, cos in zip(found, cosines(sk, [c.sketch for c in found]).tolist()):
        close[c.story_id] = max(close.get(c.story_id, 0.0), cos)
    chosen = sorted(close, key=lambda s: (-close[s], s))[:MAX_STORIES]
    one = (f"SELECT * FROM (SELECT s.article_id, s.story_id, s.sketch FROM articles a JOIN story_sketches s "
           f"ON s.article_id = a.id WHERE a.story_id = ? AND s.at BETWEEN ? AND ? ORDER BY a.id DESC "
           f"LIMIT {MAX_MEMBERS}) AS m")
    rows = db.execute(" UNION ALL ".join([one] * len(chosen)),
                      [v for st in chosen for v in (st, sk.at - window, sk.at + window)])
    out: dict[int, list[Candidate]] = {}
    for article_id, story_id, blob in rows:
        out.setdefault(story_id, []).append(Candidate(article_id, story_id, _decoded(blob)))
    return out


MAX_DECODED = 2048  # stored sketches kept decoded (~4 KB each with their bytes), keyed by the bytes: never stale


@functools.lru_cache(maxsize=MAX_DECODED)
def _decoded(blob: bytes) -> Sketch:
    """The stored sketch `blob`, decoded (the articles of active stories are read at every placement; the least
    recently read are forgotten first)."""
    return Sketch.from_bytes(blob)


def candidates(
    db: sqlite_utils.Database, sk: Sketch, window: float, counts: dict[str, int] | None = None,
) -> list[Candidate]:
    """Earlier articles that may be of the same story: LSH band hits, shared rare names or figures, shared
    heavy content words. `counts`: the stored counts of the article's names and figures, when already read.

    Every lookup is bounded (the newest PER_KEY rows of a band or a term), so
    templated copy that thousands of articles share costs no more than a
    distinctive article."""
    wanted = terms(sk)
    if counts is None:
        counts = _counts(db, wanted)
    known = sorted(((counts[t], t) for t in wanted if t in counts))
    # the three lookups in one statement, each row tagged with its lookup: 0 the LSH bands, 1 the rarest names
    # and figures, 2 the heaviest content words
    lookups = [[(0, *k) for k in bands(sk)], _term_keys(1, [t for _, t in known[:LOOKUP_TERMS]], sk, window),
               _term_keys(2, top_terms(sk), sk, window)]
    parts = [p for p in lookups if p]
    if not parts:
        return []
    band = (f"SELECT * FROM (SELECT 0 AS tag, article_id FROM story_bands WHERE band = ? AND hash = ? "
            f"ORDER BY article_id DESC LIMIT {PER_KEY}) AS b")
    term = (f"SELECT * FROM (SELECT ? AS tag, article_id FROM story_terms WHERE term = ? AND at BETWEEN ? AND ? "
            f"ORDER BY at DESC LIMIT {PER_KEY}) AS t")
    # counted and ranked in SQL: of each lookup, the MAX_CANDIDATES articles with the most keys in common (any
    # band; at least 2 terms), the newest first among equals, come out with their sketches
    sql = ("SELECT article_id, story_id, sketch FROM story_sketches WHERE article_id IN (SELECT article_id FROM "
           "(SELECT article_id, ROW_NUMBER() OVER (PARTITION BY tag ORDER BY COUNT(*) DESC, article_id DESC) AS r "
           f"FROM ({' UNION ALL '.join(band if p[0] == 0 else term for part in parts for p in part)}) AS hits "
           f"GROUP BY tag, article_id HAVING tag = 0 OR COUNT(*) >= 2) AS ranked WHERE r <= {MAX_CANDIDATES})")
    rows = db.execute(sql, [v for part in parts for p in part for v in (p[1:] if p[0] == 0 else p)])
    return [Candidate(r[0], r[1], _decoded(r[2])) for r in rows]


def _term_keys(tag: int, keys: list[str], sk: Sketch, window: float) -> list[tuple[Any, ...]]:
    """The parameters of looking up the index terms `keys` within the window (none for fewer than two)."""
    if len(keys) < 2:
        return []
    return [(tag, t, sk.at - window, sk.at + window) for t in keys]


def save(
    db: sqlite_utils.Database, article_id: int, placement: Placement, title: str | None, seen: str,
    new_story_id: int | None = None,
) -> int:
    """Record the article in its story (a new one, numbered `new_story_id` when given, when it joins none);
    returns the story id."""
    sk = placement.sketch
    if placement.verdict:
        story_id = placement.verdict.story_id
        db.execute(
            "UPDATE stories SET size = size + 1, last_seen = CASE WHEN last_seen > ? THEN last_seen ELSE ? END, "
            "first_seen = CASE WHEN first_seen < ? THEN first_seen ELSE ? END WHERE id = ?",
            [seen, seen, seen, seen, story_id],
        )
    else:
        if new_story_id is None:  # numbered by the database
            cur = db.execute("INSERT INTO stories (first_seen, last_seen, title) VALUES (?, ?, ?)", [seen, seen, title])
        else:
            cur = db.execute("INSERT INTO stories (id, first_seen, last_seen, title) VALUES (?, ?, ?, ?)",
                             [new_story_id, seen, seen, title])
        story_id = int(cur.lastrowid)
    db.execute(
        "UPDATE articles SET story_id = ?, story_reason = ? WHERE id = ?",
        [story_id, json.dumps(placement.reason, ensure_ascii=False), article_id],
    )
    # `seq`: numbered on PostgreSQL by a trigger (migration 15), under the placement lock, in the order of the
    # commits: a guess made ahead (`guess`) is checked against the placements numbered after the last it saw
    db.execute(
        "INSERT INTO story_sketches (article_id, story_id, at, sketch, seq) VALUES (?, ?, ?, ?, NULL) "
        "ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id, at = excluded.at, "
        "sketch = excluded.sketch, seq = NULL",
        [article_id, story_id, sk.at, sk.to_bytes()],
    )
    _index(db, article_id, sk)
    # the remembered counts follow (when stale, the stored count of all articles stays apart from theirs, so
    # the next placement's check forgets them)
    known = None if is_postgres(db) else _REMEMBERED.get(db)
    keys = counted(sk)
    if is_postgres(db):  # one statement, the terms as one array (executemany costs a round of Python a row)
        db.execute("INSERT INTO story_term_counts (term, n) SELECT unnest(?::text[]), 1 "
                   "ON CONFLICT(term) DO UPDATE SET n = story_term_counts.n + 1", [list(dict.fromkeys(keys))])
    else:
        db.conn.executemany("INSERT INTO story_term_counts (term, n) VALUES (?, 1) "
                            "ON CONFLICT(term) DO UPDATE SET n = story_term_counts.n + 1",
                            [(t,) for t in keys])
    if known is not None:
        n = known.n
        for t in keys:
            if t in n:
                n[t] += 1
        known.total += 1
    return story_id


def _index(db: sqlite_utils.Database, article_id: int, sk: Sketch) -> None:
    """Add the article to the LSH bands and the term index."""
    keys, index = bands(sk), terms(sk) + top_terms(sk)
    if is_postgres(db):  # a statement a table, the rows as arrays
        db.execute("INSERT INTO story_bands (band, hash, article_id) SELECT unnest(?::bigint[]), unnest(?::bigint[]), ?",
                   [[b for b, _ in keys], [h for _, h in keys], article_id])
        db.execute("INSERT INTO story_terms (term, at, article_id) SELECT unnest(?::text[]), ?, ?", [index, sk.at, article_id])
        return
    db.conn.executemany("INSERT INTO story_bands (band, hash, article_id) VALUES (?, ?, ?)",
                        [(b, h, article_id) for b, h in keys])
    db.conn.executemany("INSERT INTO story_terms (term, at, article_id) VALUES (?, ?, ?)",
                        [(t, sk.at, article_id) for t in index])


def counted(sk: Sketch) -> list[str]:
    """The terms an article adds one to in `story_term_counts`: its names and figures, its content words
    (`w:`) and the number of articles (`""`)."""
    return ["", *terms(sk), *(f"w:{t}" for t in sk.vocab.tolist())]


def _stored(
    db: sqlite_utils.Database, resketch: bool, old_story: str = "a.story_id",
) -> Iterable[tuple[dict[str, Any], Sketch]]:
    """Every article with a story sketch, in the order they were stored, read a page at a time: its row and
    its sketch (made anew from the stored title and body with `resketch`; an article whose body was pruned
    keeps its own)."""
    last = 0
    while True:
        cur = db.execute(
            f"SELECT a.id, a.title, a.body, a.published, a.fetched_at, a.pruned_at, {old_story} AS old_story, s.at, "
            "s.sketch "
            "FROM story_sketches s JOIN articles a ON a.id = s.article_id WHERE s.article_id > ? "
            "ORDER BY s.article_id LIMIT 2000", [last])
        cols = [d[0] for d in cur.description]
        batch = [dict(zip(cols, r)) for r in cur.fetchall()]
        if not batch:
            return
        for row in batch:
            if resketch and not row["pruned_at"]:
                sk = sketch(row["title"] or "", row["body"] or "", row["at"], dated=row["published"] is not None)
            else:
                sk = Sketch.from_bytes(row["sketch"])
            yield row, sk
        last = batch[-1]["id"]


def _clear_indexes(db: sqlite_utils.Database) -> None:
    _forget(db)
    for table in ("story_bands", "story_terms", "story_term_counts"):
        db.execute(f"DELETE FROM {table}")


def rebuild_index(db: sqlite_utils.Database, resketch: bool = False) -> int:
    """Rebuild the indexes and the content weights from the stored sketches, in one transaction.

    With `resketch`, each article's sketch is first made anew from its stored
    title and body. The articles are weighed in the order they were stored,
    with the document frequencies of the articles before each, as when they
    were placed. Story assignments are kept. Returns the number of sketches
    indexed."""
    try:
        return _rebuild_index(db, resketch)
    finally:
        _forget(db)  # rebuilt or rolled back: the counts remembered before are not the stored ones


def _rebuild_index(db: sqlite_utils.Database, resketch: bool) -> int:
    n = 0
    with db.atomic():
        _clear_indexes(db)
        counts: dict[str, int] = {}
        fresh: list[tuple[bytes, float, int]] = []
        band_rows: list[tuple[int, int, int]] = []
        term_rows: list[tuple[str, float, int]] = []

        def flush() -> None:
            db.conn.executemany("UPDATE story_sketches SET sketch = ?, at = ? WHERE article_id = ?", fresh)
            db.conn.executemany("INSERT INTO story_bands (band, hash, article_id) VALUES (?, ?, ?)", band_rows)
            db.conn.executemany("INSERT INTO story_terms (term, at, article_id) VALUES (?, ?, ?)", term_rows)
            for rows in (fresh, band_rows, term_rows):
                rows.clear()

        for row, sk in _stored(db, resketch):
            sk = weigh(sk, counts)
            fresh.append((sk.to_bytes(), sk.at, row["id"]))
            band_rows.extend((b, h, row["id"]) for b, h in bands(sk))
            term_rows.extend((t, sk.at, row["id"]) for t in terms(sk) + top_terms(sk))
            for t in counted(sk):
                counts[t] = counts.get(t, 0) + 1
            n += 1
            if len(fresh) >= 2000:
                flush()
        flush()
        db.conn.executemany("INSERT INTO story_term_counts (term, n) VALUES (?, ?)", counts.items())
    return n


def replay(db: sqlite_utils.Database, window: float, resketch: bool = True) -> int:
    """Place every article again, in the order they were stored, as the daemon placed them: the same
    articles in the same order give the same stories (and a story keeps its id when it comes out the
    same). In one transaction; returns the number of articles placed."""
    try:
        return _replay(db, window, resketch)
    finally:
        _forget(db)  # a replay rolled back leaves counts remembered that were never stored


def _replay(db: sqlite_utils.Database, window: float, resketch: bool) -> int:
    n = 0
    with db.atomic():
        _clear_indexes(db)
        db.execute("DROP TABLE IF EXISTS old_stories")
        db.execute("CREATE TEMP TABLE old_stories AS SELECT id, story_id FROM articles WHERE story_id IS NOT NULL")
        db.execute("UPDATE articles SET story_id = NULL WHERE story_id IS NOT NULL")
        fresh = db.execute("SELECT COALESCE(MAX(id), 0) FROM stories").fetchone()[0]
        db.execute("DELETE FROM stories")
        taken: set[int] = set()
        for row, sk in _stored(db, resketch, "(SELECT story_id FROM old_stories o WHERE o.id = a.id)"):
            placement = place(db, sk, window)
            story_id = None
            if placement.verdict is None:
                old = row["old_story"]
                if old is None or old in taken:
                    fresh += 1
                    old = fresh
                story_id = old
                taken.add(old)
            save(db, row["id"], placement, row["title"], row["fetched_at"], new_story_id=story_id)
            n += 1
        db.execute("DROP TABLE old_stories")
        ids_taken(db, "stories")
    return n
