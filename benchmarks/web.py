"""Web console page times on a large store: 100,000 articles, 20,000 alerts, 500 sources.

Fills a fresh database (through the store's own migrations, then bulk rows), serves the console in-process and
prints the median server time of each page over several requests. Target: every page under 100 ms.

    python benchmarks/web.py [--articles 100000] [--alerts 20000] [--sources 500] [--runs 15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from watcher.config import load_config  # noqa: E402
from watcher.store import Store  # noqa: E402

WORDS = ("harbour crane council library budget minister storm river bridge election court strike port ferry "
         "hospital school rail energy water police").split()
RULES = 20
TARGET_MS = 100.0


def iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def fill(store: Store, n_sources: int, n_articles: int, n_alerts: int) -> None:
    rng = random.Random(7)
    now = datetime.now(timezone.utc)
    db = store.db
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO sources (id, url, type, added_at, last_poll_at, last_status, last_error, consecutive_failures, "
            "next_poll_at) VALUES (?, ?, 'feed', ?, ?, ?, ?, ?, ?)",
            [(f"s-{i:04d}", f"https://outlet{i}.example/feed.xml", iso(now - timedelta(days=90)), iso(now),
              "ok" if i % 25 else "http", None if i % 25 else "HTTP 503 Service Unavailable", 0 if i % 25 else 3,
              iso(now + timedelta(minutes=rng.randint(1, 15)))) for i in range(n_sources)])
        stories: list[tuple] = []
        articles: list[tuple] = []
        story_of: list[int] = []
        for i in range(1, n_articles + 1):
            at = now - timedelta(seconds=int(60 * 86400 * (1 - i / n_articles)))
            if stories and rng.random() < 0.4:  # joins a recent story
                sid = rng.randint(max(1, len(stories) - 200), len(stories))
            else:
                stories.append((len(stories) + 1, iso(at), iso(at), f"Story {len(stories) + 1}", 0))
                sid = len(stories)
            story_of.append(sid)
            title = " ".join(rng.choice(WORDS) for _ in range(7)).capitalize()
            body = " ".join(rng.choice(WORDS) for _ in range(120))
            reason = json.dumps({"joined": True, "signal": "event", "article": max(1, i - 1), "score": 0.6,
                                 "why": "same names and figures",
                                 "scores": {"words": 0.2, "skeleton": 0.1, "names": 0.7, "figures": 1.0}})
            articles.append((i, f"https://outlet.example/a/{i}", f"https://outlet.example/a/{i}",
                             f"s-{rng.randrange(n_sources):04d}", title, body, iso(at), sid, reason))
        db.conn.executemany("INSERT INTO stories (id, first_seen, last_seen, title, size) VALUES (?, ?, ?, ?, ?)", stories)
        db.conn.executemany(
            "INSERT INTO articles (id, canonical_url, url, source_id, title, body, alertable, fetched_at, story_id, "
            "story_reason) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)", articles)
        db.execute("UPDATE stories SET size = (SELECT COUNT(*) FROM articles a WHERE a.story_id = stories.id), "
                   "last_seen = (SELECT MAX(fetched_at) FROM articles a WHERE a.story_id = stories.id)")
        picked = sorted(rng.sample(range(1, n_articles + 1), n_alerts))
        evidence = json.dumps([{"kind": "keyword", "field": "body", "sentence": "The harbour crane arrived.",
                                "start": 4, "end": 11, "matched": "harbour", "term": "harbour"}])
        matches, alerts, deliveries = [], [], []
        for k, article_id in enumerate(picked, start=1):
            rule = f"r-{k % RULES:02d}"
            at = articles[article_id - 1][6]
            matches.append((rule, article_id, at, evidence))
            alerts.append((k, rule, article_id, f"story:{story_of[article_id - 1]}/{k}", at, f"Rule {rule}", "body"))
            status = "sent" if k % 10 else ("pending" if k % 20 else "dead")
            deliveries.append((k, "desk", 0, status, 1 if status == "sent" else 3, at,
                               None if status == "sent" else "HTTP 500 from the service"))
        db.conn.executemany("INSERT INTO matches (rule_id, article_id, matched_at, evidence) VALUES (?, ?, ?, ?)", matches)
        db.conn.executemany("INSERT INTO alerts (id, rule_id, article_id, story_key, created_at, title, body) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", alerts)
        db.conn.executemany("INSERT INTO deliveries (alert_id, channel, target, status, attempts, next_attempt_at, last_error) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", deliveries)
    db.execute("ANALYZE")


def write_config(folder: Path, n_sources: int) -> Path:
    (folder / "rules").mkdir()
    rules = [{"id": f"r-{i:02d}", "title": f"Rule {i}", "match": {"keywords": [WORDS[i % len(WORDS)]]}}
             for i in range(RULES)]
    (folder / "rules" / "rules.yaml").write_text(yaml.safe_dump({"rules": rules}))
    config = {"database": "watcher.db", "rules": "rules",
              "sources": [{"id": f"s-{i:04d}", "url": f"https://outlet{i}.example/feed.xml"} for i in range(n_sources)]}
    path = folder / "watcher.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


async def measure(config_path: Path, runs: int) -> dict[str, list[float]]:
    import httpx

    from watcher.web.serve import console_app

    config = load_config(config_path)
    store = Store(config.database)
    mid_alert = store.db.execute("SELECT id FROM alerts ORDER BY id LIMIT 1 OFFSET 10000").fetchone()[0]
    big_story = store.db.execute("SELECT id FROM stories ORDER BY size DESC LIMIT 1").fetchone()[0]
    pages = {
        "overview": "/", "sources": "/sources", "source": "/sources/s-0042", "alerts": "/alerts",
        "alerts page 50": f"/alerts?before={mid_alert}", "alerts by rule": "/alerts?rule=r-03",
        "alerts by status": "/alerts?status=dead", "alerts by text": "/alerts?text=harbour%20crane",
        "alert": f"/alerts/{mid_alert}", "stories": "/stories", "story (largest)": f"/stories/{big_story}",
        "rules": "/rules", "article": "/articles/50000",
    }
    app = console_app(config, store, "127.0.0.1:8080")
    times: dict[str, list[float]] = {name: [] for name in pages}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8080") as client:
        for _ in range(runs):
            for name, path in pages.items():
                start = time.perf_counter()
                r = await client.get(path)
                times[name].append((time.perf_counter() - start) * 1000)
                assert r.status_code == 200, f"{path}: {r.status_code}"
    store.close()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--alerts", type=int, default=20_000)
    ap.add_argument("--sources", type=int, default=500)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="watcher-web-bench-") as tmp:
        config_path = write_config(Path(tmp), args.sources)
        start = time.perf_counter()
        store = Store(Path(tmp) / "watcher.db")
        fill(store, args.sources, args.articles, args.alerts)
        store.close()
        print(f"filled {args.articles:,} articles, {args.alerts:,} alerts, {args.sources} sources "
              f"in {time.perf_counter() - start:.1f}s")
        times = asyncio.run(measure(config_path, args.runs))
    worst = 0.0
    print(f"{'page':<20} {'median ms':>10} {'max ms':>8}")
    for name, ts in times.items():
        med = statistics.median(ts[1:] or ts)  # the first request warms caches
        worst = max(worst, med)
        print(f"{name:<20} {med:>10.1f} {max(ts):>8.1f}")
    print(f"slowest median {worst:.1f} ms (target < {TARGET_MS:.0f} ms): {'ok' if worst < TARGET_MS else 'MISSED'}")


if __name__ == "__main__":
    main()
