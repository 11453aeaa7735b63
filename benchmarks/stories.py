"""Pairwise precision and recall of "same story" on the labelled set.

Every record of benchmarks/stories/stories.jsonl plus the 181 pages of
../shared/data/article-extraction-benchmark (distractors, each a story of its
own, dated at random over 2025-2026) is stored through watcher's own Store in
`published` order, so each article is placed by the same code the daemon runs
(sketch, candidates from the SQLite indexes, decision). A pair is predicted
"same" when both land in one story.

    python benchmarks/stories.py [--window 3d] [--no-distractors] [--verbose]

Targets: precision >= 0.98, recall >= 0.90, recall on pairs with a spun
(synonym-swapped) version >= 0.90. The run is also repeated with no time
window at all, to show what the figures and names do on their own.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from watcher.config.durations import parse_duration  # noqa: E402
from watcher.run.poll import story_sketch  # noqa: E402
from watcher.model import Article, Entry  # noqa: E402
from watcher.store import Store  # noqa: E402

STORIES = ROOT / "benchmarks/stories/stories.jsonl"
DISTRACTORS = ROOT.parent / "shared/data/article-extraction-benchmark/ground-truth.json"


def load_items(distractors: bool) -> list[dict]:
    items = [json.loads(line) for line in STORIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    if distractors and DISTRACTORS.exists():
        rnd = random.Random(7)
        lo = datetime(2025, 1, 1, tzinfo=timezone.utc).timestamp()
        hi = datetime(2026, 12, 31, tzinfo=timezone.utc).timestamp()
        for key, page in json.loads(DISTRACTORS.read_text(encoding="utf-8")).items():
            body = page["articleBody"]
            title = page.get("url", "").rstrip("/").rsplit("/", 1)[-1].replace("-", " ")[:120]
            when = datetime.fromtimestamp(rnd.uniform(lo, hi), timezone.utc)
            items.append({"id": f"d-{key[:10]}", "story": f"d-{key}", "kind": "distractor", "outlet": "distractor",
                          "published": when.isoformat(), "title": title, "body": body})
    items.sort(key=lambda x: (x["published"], x["id"]))
    return items


def cluster(items: list[dict], window: float) -> tuple[dict[str, int], dict[str, dict], list[float]]:
    """Store every item; returns item id -> story id, the recorded reasons, and the time to place each."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "stories.db")
        store.sources.ensure("bench", "https://example.org/feed", "feed")
        story_of: dict[str, int] = {}
        reasons: dict[str, dict] = {}
        times: list[float] = []
        for it in items:
            url = f"https://example.org/{it['id']}"
            article = Article(
                canonical_url=url, url=url, guid=None, source_id="bench", title=it["title"], author=None,
                published=datetime.fromisoformat(it["published"]) if it.get("has_date", True) else None,
                sitename=it["outlet"], language=it.get("language"),
                body=it["body"], body_hash=None, summary_only=False, alertable=True,
            )
            t0 = time.perf_counter()
            placement = store.stories.place(story_sketch(article), window)
            article_id, _ = store.articles.add(Entry("bench", url, None, url, url, it["title"], None), article,
                                              placement=placement)
            times.append(time.perf_counter() - t0)
            row = store.db.execute("SELECT story_id, story_reason FROM articles WHERE id = ?", [article_id]).fetchone()
            story_of[it["id"]] = row[0]
            reasons[it["id"]] = json.loads(row[1])
        store.close()
    return story_of, reasons, times


def score(items: list[dict], story_of: dict[str, int], verbose: bool) -> dict:
    by_id = {it["id"]: it for it in items}
    hard = {(it["story"], it["hard_negative_of"]) for it in items if it.get("hard_negative_of")}
    hard |= {(b, a) for a, b in hard}
    tp = fp = fn = 0
    recall_by_kind: Counter = Counter()
    total_by_kind: Counter = Counter()
    false_merges: Counter = Counter()
    misses = []
    for a, b in itertools.combinations(items, 2):
        gold = a["story"] == b["story"]
        pred = story_of[a["id"]] == story_of[b["id"]]
        kinds = "-".join(sorted((a["kind"], b["kind"])))
        if gold:
            total_by_kind[kinds] += 1
            if pred:
                tp += 1
                recall_by_kind[kinds] += 1
            else:
                fn += 1
                misses.append((a["id"], b["id"]))
        elif pred:
            fp += 1
            what = ("hard negative" if (a["story"], b["story"]) in hard
                    else "distractor" if "distractor" in (a["kind"], b["kind"]) else "other")
            false_merges[what] += 1
            if verbose:
                print(f"  false merge ({what}): {a['id']} {a['title'][:50]!r} ~ {b['id']} {b['title'][:50]!r}")
    if verbose:
        for x, y in misses:
            print(f"  missed: {x} ({by_id[x]['kind']}) ~ {y} ({by_id[y]['kind']})")
    spun_total = sum(n for k, n in total_by_kind.items() if "spun" in k)
    spun_hit = sum(n for k, n in recall_by_kind.items() if "spun" in k)
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "spun_recall": spun_hit / spun_total if spun_total else 1.0,
        "positives": tp + fn, "false_merges": dict(false_merges),
        "by_kind": {k: (recall_by_kind[k], total_by_kind[k]) for k in sorted(total_by_kind)},
    }


def report(label: str, s: dict) -> None:
    f1 = 2 * s["precision"] * s["recall"] / (s["precision"] + s["recall"]) if s["precision"] + s["recall"] else 0
    print(f"{label}: precision {s['precision']:.4f}  recall {s['recall']:.4f}  F1 {f1:.4f}  "
          f"spun recall {s['spun_recall']:.4f}  ({s['positives']} same-story pairs; false merges {s['false_merges'] or 0})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--window", default="3d", help="the story time window (default 3d, as the daemon's default)")
    ap.add_argument("--no-distractors", action="store_true")
    ap.add_argument("--verbose", action="store_true", help="list every missed pair and false merge")
    args = ap.parse_args()
    items = load_items(not args.no_distractors)
    n_dis = sum(1 for it in items if it["kind"] == "distractor")
    print(f"{len(items)} items ({len(items) - n_dis} story versions, {n_dis} distractors), "
          f"{len(items) * (len(items) - 1) // 2} pairs")
    window = parse_duration(args.window)
    story_of, _, times = cluster(items, window)
    s = score(items, story_of, args.verbose)
    report(f"window {args.window}", s)
    print("recall by kinds of the two versions:")
    for k, (hit, tot) in s["by_kind"].items():
        print(f"  {k:28s} {hit:3d}/{tot:3d}  {hit / tot:.3f}")
    english = [it for it in items if not it.get("language")]
    s_en = score(english, story_of, False)
    report("without translations", s_en)
    times.sort()
    print(f"time to place one article: median {times[len(times) // 2] * 1000:.2f} ms, "
          f"p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms (includes sketching)")
    story_of_inf, _, _ = cluster(items, 10 * 365 * 86400.0)
    report("no time window (10 years)", score(items, story_of_inf, args.verbose))
    ok = s["precision"] >= 0.98 and s["recall"] >= 0.90 and s["spun_recall"] >= 0.90
    print("targets (P >= 0.98, R >= 0.90, spun R >= 0.90):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
