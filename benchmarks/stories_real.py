"""Stories on real multi-outlet news: pairwise and B-cubed precision/recall per corpus.

Reads ../shared/data/stories-real (AllSides headline roundups, ECB+ event
coreference bank, BASIL full-text triplets; see its README) at run time. Every
article is stored through watcher's own Store in a temporary SQLite file, in
`published` then id order (ECB+ has no dates: one date for all, topic then id),
so it is placed by the code the daemon runs (sketch, candidates from the SQLite
indexes, decision).

Each corpus is split in two by a stable hash of the gold story id (even = tune,
odd = held-out), so one event lies wholly in one half; each half is clustered
in a store of its own. Printed per corpus and half: pairwise P/R/F1 over pairs
published within 3 days (ECB+: all pairs), B-cubed P/R/F1, and the time to
place one article; then the figures of benchmarks/stories.py (the labelled
synthetic set) from the same code.

    python benchmarks/stories_real.py [--corpus basil,allsides,ecbplus] [--half tune|held-out|both]
                                      [--without content,event,...] [--errors N] [--no-synthetic]

Targets per corpus, both halves: BASIL P >= 0.97 R >= 0.90; AllSides P >= 0.95
R >= 0.55; ECB+ P >= 0.95 R >= 0.50 (pairs within 3 days).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import stories as synthetic  # noqa: E402  (benchmarks/stories.py)

from watcher.dedupe import story  # noqa: E402

DATA = ROOT.parent / "shared/data/stories-real"
CORPORA = ("basil", "allsides", "ecbplus")
WINDOW_DAYS = {"basil": 3.0, "allsides": 3.0, "ecbplus": None}
TARGETS = {"basil": (0.97, 0.90), "allsides": (0.95, 0.55), "ecbplus": (0.95, 0.50)}
ECB_DATE = "2024-01-01T12:00:00+00:00"  # ECB+ has no dates: one for every article


def half_of(story_id: str) -> str:
    h = int.from_bytes(hashlib.blake2b(story_id.encode(), digest_size=4).digest(), "little")
    return "tune" if h % 2 == 0 else "held-out"


def load(corpus: str) -> list[dict]:
    path = DATA / f"{corpus}.jsonl"
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        items.append({
            "id": r["id"], "story": r["story"], "kind": r.get("role") or "cluster", "outlet": r.get("outlet") or "?",
            "published": r.get("published") or ECB_DATE, "title": r.get("title") or "", "body": r.get("text") or "",
            "topic": r.get("topic") or "", "has_date": bool(r.get("published")),
        })
    if corpus == "ecbplus":
        items.sort(key=lambda x: (x["topic"], x["id"]))
    else:
        items.sort(key=lambda x: (x["published"], x["id"]))
    return items


def _when(it: dict) -> float:
    return datetime.fromisoformat(it["published"].replace("Z", "+00:00")).timestamp()


def pairs(items: list[dict], days: float | None):
    """Pairs scored: all, or those published within `days` of each other (undated pairs kept)."""
    for a, b in itertools.combinations(items, 2):
        if days is not None and a["has_date"] and b["has_date"] and abs(_when(a) - _when(b)) > days * 86400:
            continue
        yield a, b


def score(items: list[dict], pred: dict[str, int], days: float | None) -> dict:
    tp = fp = fn = 0
    merges, misses = [], []
    for a, b in pairs(items, days):
        g, p = a["story"] == b["story"], pred[a["id"]] == pred[b["id"]]
        tp += g and p
        if p and not g:
            fp += 1
            merges.append((a, b))
        elif g and not p:
            fn += 1
            misses.append((a, b))
    gold, got = defaultdict(set), defaultdict(set)
    for it in items:
        gold[it["story"]].add(it["id"])
        got[pred[it["id"]]].add(it["id"])
    n = len(items)
    bp = sum(len(gold[it["story"]] & got[pred[it["id"]]]) / len(got[pred[it["id"]]]) for it in items) / n
    br = sum(len(gold[it["story"]] & got[pred[it["id"]]]) / len(gold[it["story"]]) for it in items) / n
    pp = tp / (tp + fp) if tp + fp else 1.0
    pr = tp / (tp + fn) if tp + fn else 1.0
    return {"P": pp, "R": pr, "F1": f1(pp, pr), "tp": tp, "fp": fp, "fn": fn,
            "bP": bp, "bR": br, "bF1": f1(bp, br), "merges": merges, "misses": misses}


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def run_corpus(corpus: str, halves: list[str], errors: int, reasons_out: dict | None = None) -> dict[str, dict]:
    items = load(corpus)
    out = {}
    for half in halves:
        part = [it for it in items if half_of(it["story"]) == half]
        pred, reasons, times = synthetic.cluster(part, synthetic.parse_duration("3d"))
        s = score(part, pred, WINDOW_DAYS[corpus])
        times.sort()
        s["median_ms"] = times[len(times) // 2] * 1000
        s["p95_ms"] = times[int(len(times) * 0.95)] * 1000
        s["n"] = len(part)
        s["stories"] = len({it["story"] for it in part})
        out[half] = s
        if reasons_out is not None:
            reasons_out[(corpus, half)] = reasons
        lo_p, lo_r = TARGETS[corpus]
        ok = "met" if s["P"] >= lo_p and s["R"] >= lo_r else "NOT met"
        print(f"{corpus:9s} {half:8s} {s['n']:4d} articles {s['stories']:3d} stories | pairwise P {s['P']:.3f} "
              f"R {s['R']:.3f} F1 {s['F1']:.3f} (tp {s['tp']}, fp {s['fp']}, fn {s['fn']}) | B-cubed P {s['bP']:.3f} "
              f"R {s['bR']:.3f} F1 {s['bF1']:.3f} | place median {s['median_ms']:.2f} ms p95 {s['p95_ms']:.2f} ms"
              f" | target P>={lo_p} R>={lo_r} {ok}")
        for label, rows in (("false merge", s["merges"]), ("missed", s["misses"])):
            for a, b in rows[:errors]:
                why = reasons.get(b["id"], {})
                print(f"    {label}: {a['id']} {a['title'][:60]!r} ~ {b['id']} {b['title'][:60]!r}\n"
                      f"        {json.dumps(why, ensure_ascii=False)[:400]}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=",".join(CORPORA))
    ap.add_argument("--half", default="both", choices=["tune", "held-out", "both"])
    ap.add_argument("--without", default="", help="signals to switch off, comma-separated (an ablation): "
                    + ", ".join(sorted(getattr(story, "SIGNALS", ()))))
    ap.add_argument("--errors", type=int, default=0, help="print this many false merges and misses per half")
    ap.add_argument("--no-synthetic", action="store_true", help="skip benchmarks/stories.py's labelled set")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} is not there (the stories-real data set)")
        return 0
    off = {s for s in args.without.split(",") if s}
    known = getattr(story, "SIGNALS", set())
    if off - known:
        ap.error(f"unknown signals {sorted(off - known)}; known: {sorted(known)}")
    known.difference_update(off)
    halves = ["tune", "held-out"] if args.half == "both" else [args.half]
    ok = True
    for corpus in args.corpus.split(","):
        res = run_corpus(corpus, halves, args.errors)
        lo_p, lo_r = TARGETS[corpus]
        ok &= all(s["P"] >= lo_p and s["R"] >= lo_r for s in res.values())
    if not args.no_synthetic:
        items = synthetic.load_items(True)
        pred, _, times = synthetic.cluster(items, synthetic.parse_duration("3d"))
        s = synthetic.score(items, pred, False)
        times.sort()
        synthetic.report("stories.py labelled set, window 3d", s)
        print(f"    place median {times[len(times) // 2] * 1000:.2f} ms")
        ok &= s["precision"] >= 0.98 and s["recall"] >= 0.90 and s["spun_recall"] >= 0.90
    print("targets:", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
