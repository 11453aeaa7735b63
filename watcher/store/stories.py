"""Stories in the store: candidates from the indexes, placing an article, listing stories.

Candidates for a new article come from two indexes, never from a scan:
- `story_bands`: LSH bands of the word and skeleton signatures (copies, rewrites);
- `story_terms`: names and figures with the time they were reported; the
  rarest of the article's terms (by `story_term_counts`) are looked up within
  the time window (other reports of the event).
The functions that write run inside the caller's transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

import sqlite_utils

from watcher.dedupe.sketch import Sketch, bands, terms
from watcher.dedupe.story import Candidate, Verdict, decide

LOOKUP_TERMS = 12  # the rarest terms of a new article that are looked up
MAX_CANDIDATES = 40  # from each index
PER_KEY = 100  # rows read for one band or term at most


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


def place(db: sqlite_utils.Database, sk: Sketch, window: float) -> Placement:
    best, closest = decide(sk, candidates(db, sk, window), window)
    return Placement(sk, best, closest)


def candidates(db: sqlite_utils.Database, sk: Sketch, window: float) -> list[Candidate]:
    """Earlier articles that may be of the same story: LSH band hits and shared rare names or figures.

    Every lookup is bounded (the newest PER_KEY rows of a band or a term), so
    templated copy that thousands of articles share costs no more than a
    distinctive article."""
    hits: dict[int, int] = {}
    keys = bands(sk)
    if keys:
        one = f"SELECT * FROM (SELECT article_id FROM story_bands WHERE band = ? AND hash = ? ORDER BY article_id DESC LIMIT {PER_KEY})"
        rows = db.execute(" UNION ALL ".join([one] * len(keys)), [v for k in keys for v in k])
        for (article_id,) in rows:
            hits[article_id] = hits.get(article_id, 0) + 1
    by_band = sorted(hits, key=lambda a: (-hits[a], -a))[:MAX_CANDIDATES]
    ids = dict.fromkeys(by_band)
    wanted = terms(sk)
    if wanted:
        marks = ",".join("?" * len(wanted))
        known = db.execute(f"SELECT term, n FROM story_term_counts WHERE term IN ({marks})", wanted).fetchall()
        rare = [t for t, _ in sorted(known, key=lambda r: r[1])[:LOOKUP_TERMS]]
        if len(rare) >= 2:
            one = (f"SELECT * FROM (SELECT article_id FROM story_terms WHERE term = ? AND at BETWEEN ? AND ? "
                   f"ORDER BY at DESC LIMIT {PER_KEY})")
            shared: dict[int, int] = {}
            rows = db.execute(" UNION ALL ".join([one] * len(rare)),
                              [v for t in rare for v in (t, sk.at - window, sk.at + window)])
            for (article_id,) in rows:
                shared[article_id] = shared.get(article_id, 0) + 1
            ids.update(dict.fromkeys(sorted((a for a, n in shared.items() if n >= 2),
                                            key=lambda a: (-shared[a], -a))[:MAX_CANDIDATES]))
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = db.execute(f"SELECT article_id, story_id, sketch FROM story_sketches WHERE article_id IN ({marks})", list(ids))
    return [Candidate(r[0], r[1], Sketch.from_bytes(r[2])) for r in rows]


def save(db: sqlite_utils.Database, article_id: int, placement: Placement, title: str | None, seen: str) -> int:
    """Record the article in its story (a new one when it joins none); returns the story id."""
    sk = placement.sketch
    if placement.verdict:
        story_id = placement.verdict.story_id
        db.execute(
            "UPDATE stories SET size = size + 1, last_seen = MAX(last_seen, ?), first_seen = MIN(first_seen, ?) "
            "WHERE id = ?",
            [seen, seen, story_id],
        )
    else:
        cur = db.execute("INSERT INTO stories (first_seen, last_seen, title) VALUES (?, ?, ?)", [seen, seen, title])
        story_id = int(cur.lastrowid)
    db.execute(
        "UPDATE articles SET story_id = ?, story_reason = ? WHERE id = ?",
        [story_id, json.dumps(placement.reason, ensure_ascii=False), article_id],
    )
    db.execute(
        "INSERT OR REPLACE INTO story_sketches (article_id, story_id, at, sketch) VALUES (?, ?, ?, ?)",
        [article_id, story_id, sk.at, sk.to_bytes()],
    )
    conn = db.conn
    conn.executemany("INSERT INTO story_bands (band, hash, article_id) VALUES (?, ?, ?)",
                     [(b, h, article_id) for b, h in bands(sk)])
    ts = terms(sk)
    conn.executemany("INSERT INTO story_terms (term, at, article_id) VALUES (?, ?, ?)", [(t, sk.at, article_id) for t in ts])
    conn.executemany("INSERT INTO story_term_counts (term, n) VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET n = n + 1",
                     [(t,) for t in ts])
    return story_id


def story_rows(db: sqlite_utils.Database, limit: int = 20, since: str | None = None) -> list[dict[str, Any]]:
    """The most recently seen stories with their articles (oldest first), for `watcher stories`."""
    sql = "SELECT id, first_seen, last_seen, title, size FROM stories"
    params: list[Any] = []
    if since:
        sql += " WHERE last_seen >= ?"
        params.append(since)
    cur = db.execute(sql + " ORDER BY last_seen DESC, id DESC LIMIT ?", [*params, limit])
    cols = [d[0] for d in cur.description]
    stories = [dict(zip(cols, r)) for r in cur.fetchall()]
    for s in stories:
        arts = db.execute(
            "SELECT a.id, a.title, a.url, a.source_id, a.sitename, a.published, a.fetched_at, a.story_reason "
            "FROM articles a WHERE a.story_id = ? ORDER BY a.fetched_at, a.id",
            [s["id"]],
        )
        acols = [d[0] for d in arts.description]
        s["articles"] = []
        for r in arts.fetchall():
            a = dict(zip(acols, r))
            a["reason"] = json.loads(a.pop("story_reason") or "{}")
            s["articles"].append(a)
        s["outlets"] = sorted({a["sitename"] or a["source_id"] for a in s["articles"]})
        ids = [a["id"] for a in s["articles"]]
        marks = ",".join("?" * len(ids))
        rules: dict[int, list[str]] = {}
        for article_id, rule_id in db.execute(
            f"SELECT article_id, rule_id FROM matches WHERE article_id IN ({marks}) ORDER BY id", ids
        ):
            rules.setdefault(article_id, []).append(rule_id)
        for a in s["articles"]:
            a["rules"] = rules.get(a["id"], [])
        cur = db.execute(
            "SELECT id, rule_id, article_id, created_at FROM alerts WHERE story_key = ? AND kind = 'alert' ORDER BY id",
            [f"story:{s['id']}"],
        )
        acols = [d[0] for d in cur.description]
        s["alerts"] = [dict(zip(acols, r)) for r in cur.fetchall()]
    return stories


def rebuild_index(db: sqlite_utils.Database, resketch: Callable[[dict[str, Any]], Sketch | None] | None = None) -> int:
    """Rebuild the LSH bands and the name/figure index from the stored sketches, in one transaction.

    With `resketch`, each article's sketch is first made anew from its stored
    row (articles whose body was pruned keep the sketch they have). Story
    assignments are kept. Returns the number of sketches indexed."""
    with db.atomic():
        if resketch is not None:
            rows = db.execute(
                "SELECT a.id, a.title, a.body, a.published, a.fetched_at, a.pruned_at FROM articles a "
                "JOIN story_sketches s ON s.article_id = a.id"
            )
            cols = [d[0] for d in rows.description]
            fresh = []
            for r in rows.fetchall():
                row = dict(zip(cols, r))
                sk = resketch(row) if not row["pruned_at"] else None
                if sk is not None:
                    fresh.append((sk.to_bytes(), sk.at, row["id"]))
            db.conn.executemany("UPDATE story_sketches SET sketch = ?, at = ? WHERE article_id = ?", fresh)
        for table in ("story_bands", "story_terms", "story_term_counts"):
            db.execute(f"DELETE FROM {table}")
        n = 0
        counts: dict[str, int] = {}
        cur = db.execute("SELECT article_id, sketch FROM story_sketches")
        while batch := cur.fetchmany(5000):
            band_rows, term_rows = [], []
            for article_id, blob in batch:
                sk = Sketch.from_bytes(blob)
                band_rows.extend((b, h, article_id) for b, h in bands(sk))
                for t in terms(sk):
                    term_rows.append((t, sk.at, article_id))
                    counts[t] = counts.get(t, 0) + 1
                n += 1
            db.conn.executemany("INSERT INTO story_bands (band, hash, article_id) VALUES (?, ?, ?)", band_rows)
            db.conn.executemany("INSERT INTO story_terms (term, at, article_id) VALUES (?, ?, ?)", term_rows)
        db.conn.executemany("INSERT INTO story_term_counts (term, n) VALUES (?, ?)", counts.items())
    return n
