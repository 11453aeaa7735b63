"""How placing a new article in its story scales with the number of stored fingerprints.

For each size (20,000 and 200,000 by default) a fresh SQLite store is filled
with synthetic news articles spread over a year: names drawn from a Zipf-like
pool (some as common as a capital city), figures, function words and content
words, in sentences shaped like news copy. The fill goes through
`watcher.store.stories.rebuild_index`, the code a rebuild uses, so the LSH
bands, the name/figure/content-word index and the document frequencies are the
real ones.

Then 300 new articles are placed, one at a time, through the daemon's path
(`story_sketch` -> `Store.stories.place` -> `Store.articles.add`), ten to a
transaction as a poll stores its new articles: a third are lightly edited
copies of stored articles, a third are fresh reports of stored events, a third
are new. Printed: median and p95 time to place one article (sketching and
storing included), the median of each step (sketch, place, store) and of a
poll's commit, the mean an article with its share of the commit, how
many joined a story, the peak memory (RSS) of this process, the database size,
and how long rebuilding the indexes from the stored sketches takes.

The filled store is kept in the system's temporary directory
(`watcher-dedup-bench/`), keyed by the size, by the sketches of a sample of the
articles and by the source of the code that indexes them and makes the
articles, so a second run starts from a copy of it while they are unchanged;
any change to them fills anew (a migration since is applied to the copy).
`--fresh` always fills anew (and replaces the kept file).

    python benchmarks/dedup.py [--sizes 20000,200000] [--workers 2] [--poll 10] [--fresh] [--no-rebuild]

Target: median under 5 ms at 200,000 stored fingerprints.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import itertools
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from watcher.dedupe.sketch import Sketch, sketch  # noqa: E402
from watcher.run.poll import story_sketch  # noqa: E402
from watcher.model import Article, Entry  # noqa: E402
from watcher.store import Store  # noqa: E402
from watcher.store import stories  # noqa: E402
from watcher.dedupe import sketch as sketch_module  # noqa: E402

WINDOW = 3 * 86400.0
POLL = 10  # new articles a poll stores in one transaction (one commit), as the daemon does
START = datetime(2025, 6, 1, tzinfo=timezone.utc)
SYLLABLES = "ka ro mi ten sa vel dor an is ul per tam ne lo ri gan sun bar fel od".split()
FUNCTION = "the of to in on at by for from with as and that this it is was were has have had will would".split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def word(rnd: random.Random, n: int) -> str:
    return "".join(rnd.choice(SYLLABLES) for _ in range(n))


class Vocabulary:
    def __init__(self, seed: int = 1) -> None:
        rnd = random.Random(seed)
        self.content = [word(rnd, rnd.randint(2, 3)) for _ in range(6000)]
        self.names = [word(rnd, rnd.randint(2, 3)).capitalize() for _ in range(30000)]
        # a Zipf-like pick: a few names everywhere, most rare
        self.cum_weights = list(itertools.accumulate(1.0 / (i + 1) ** 0.9 for i in range(len(self.names))))

    def name(self, rnd: random.Random) -> str:
        return rnd.choices(self.names, cum_weights=self.cum_weights)[0]


def sentence(rnd: random.Random, v: Vocabulary, names: list[str], figures: list[str]) -> str:
    parts = [rnd.choice(names), rnd.choice(names), "said on", rnd.choice(DAYS), "that"]
    for _ in range(rnd.randint(8, 16)):
        r = rnd.random()
        if r < 0.45:
            parts.append(rnd.choice(FUNCTION))
        elif r < 0.9:
            parts.append(rnd.choice(v.content))
        elif r < 0.96:
            parts.append(rnd.choice(names))
        else:
            parts.append(rnd.choice(figures))
    return " ".join(parts) + "."


def event(rnd: random.Random, v: Vocabulary) -> tuple[list[str], list[str]]:
    names = [v.name(rnd) for _ in range(rnd.randint(4, 8))]
    figures = [f"{rnd.randint(10, 99_999):,}" for _ in range(rnd.randint(2, 5))]
    return names, figures


def article(rnd: random.Random, v: Vocabulary, names: list[str], figures: list[str]) -> tuple[str, str]:
    title = " ".join([names[0], rnd.choice(v.content), figures[0], rnd.choice(v.content), names[1]])
    paragraphs = [" ".join(sentence(rnd, v, names, figures) for _ in range(rnd.randint(2, 3))) for _ in range(4)]
    return title, "\n\n".join(paragraphs)


def edited(rnd: random.Random, v: Vocabulary, body: str) -> str:
    words = body.split(" ")
    for _ in range(len(words) // 25):  # a few words changed, as reprints do
        words[rnd.randrange(len(words))] = rnd.choice(v.content)
    return "Reporting by the wire.\n\n" + " ".join(words)


def stored(v: Vocabulary, i: int) -> tuple[list[str], list[str], str, str]:
    """The i-th stored article (its own seed, so a probe can regenerate it)."""
    rnd = random.Random(1_000_000 + i)
    names, figures = event(rnd, v)
    return (names, figures, *article(rnd, v, names, figures))


def stored_at(i: int, n: int) -> datetime:
    return START + timedelta(seconds=365 * 86400 * i / n)


def _sketch_batch(args: tuple[int, int, int]) -> list[bytes]:
    first, count, n = args
    v = Vocabulary()
    out = []
    for i in range(first, first + count):
        _, _, title, body = stored(v, i)
        out.append(sketch(title, body, stored_at(i, n).timestamp()).to_bytes())
    return out


def fill(store: Store, n: int, workers: int) -> float:
    """Store n synthetic articles, each its own story, then index them (and learn their words' document
    frequencies) as `watcher stories --rebuild` would; returns the seconds it took."""
    t0 = time.perf_counter()
    chunk = 2000
    jobs = [(i, min(chunk, n - i), n) for i in range(0, n, chunk)]
    db = store.db
    seen = "2025-06-01T00:00:00+00:00"
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        next_id = 1
        for blobs in pool.imap(_sketch_batch, jobs):
            ids = range(next_id, next_id + len(blobs))
            with db.atomic():
                db.conn.executemany("INSERT INTO stories (id, first_seen, last_seen) VALUES (?, ?, ?)",
                                    [(i, seen, seen) for i in ids])
                db.conn.executemany(
                    "INSERT INTO articles (id, canonical_url, url, source_id, title, body, alertable, fetched_at, "
                    "story_id) VALUES (?, ?, ?, 'bench', NULL, '', 0, ?, ?)",
                    [(i, f"https://fill.example/{i}", f"https://fill.example/{i}", seen, i) for i in ids],
                )
                db.conn.executemany("INSERT INTO story_sketches (article_id, story_id, at, sketch) VALUES (?, ?, ?, ?)",
                                    [(i, i, Sketch.from_bytes(b).at, b) for i, b in zip(ids, blobs)])
            next_id += len(blobs)
    stories.rebuild_index(db)
    return time.perf_counter() - t0


CACHE = Path(tempfile.gettempdir()) / "watcher-dedup-bench"


def fill_key(n: int) -> str:
    """What the filled store depends on: the size, what the sketch makes of a sample of the articles (so a
    change to the sketching or text folding that changes a sketch fills anew, and one that only makes it
    faster does not), the code that indexes and weighs the sketches, and the synthetic articles."""
    code = [inspect.getsource(f) for f in (stories._rebuild_index, stories._stored, stories.weigh, stories.terms,
                                           stories.top_terms, stories.counted, sketch_module.bands, fill,
                                           _sketch_batch, stored, stored_at, article, sentence, event, Vocabulary)]
    code.append(repr((stories.TOP_TERMS, stories.UNSEEN, START, SYLLABLES, FUNCTION, DAYS, n)))
    digest = hashlib.sha256("\n".join(code).encode())
    for blob in _sketch_batch((0, 50, n)):
        digest.update(blob)
    return digest.hexdigest()[:16]


def filled(path: Path, n: int, workers: int, fresh: bool) -> float | None:
    """A store of n articles at `path`: a copy of the kept one when its code is unchanged (returns None),
    else filled anew and kept (returns the seconds the fill took)."""
    kept = CACHE / f"fill-{n}-{fill_key(n)}.db"
    if kept.is_file() and not fresh:
        shutil.copyfile(kept, path)
        return None
    store = Store(path)
    store.sources.ensure("bench", "https://example.org/feed", "feed")
    took = fill(store, n, workers)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    CACHE.mkdir(exist_ok=True)
    for old in CACHE.glob(f"fill-{n}-*.db"):  # another code's fill: never read again
        old.unlink()
    shutil.copyfile(path, kept.with_suffix(".part"))
    kept.with_suffix(".part").rename(kept)
    return took


def probe(rnd: random.Random, v: Vocabulary, n: int, i: int) -> Article:
    """The i-th new article: a third lightly edited copies of stored articles, a third other outlets' reports
    of stored events, a third new events."""
    kind = i % 3
    # the probe's event is one of the stored ones (kinds 0 and 1) or new (2); regenerate it from its seed
    target = rnd.randrange(n)
    names, figures, title, body = stored(v, target)
    at = stored_at(target, n) + timedelta(hours=rnd.randint(1, 30))
    if kind == 0:
        body = edited(rnd, v, body)
    elif kind == 1:
        title, body = article(rnd, v, names, figures)  # another outlet's own words, same people and figures
    else:
        names, figures = event(rnd, v)
        title, body = article(rnd, v, names, figures)
    url = f"https://probe.example/{n}/{i}"
    return Article(canonical_url=url, url=url, guid=None, source_id="bench", title=title, author=None, published=at,
                   sitename=None, language=None, body=body, body_hash=None, summary_only=False, alertable=True)


def measure(store: Store, n: int, probes: int = 300, poll: int = POLL) -> dict:
    """Place `probes` new articles, `poll` to a transaction as a poll stores them; the time of each article
    (sketch, place, store) and, apart, of each poll's commit."""
    v = Vocabulary()
    rnd = random.Random(99)
    times: list[float] = []
    cpu: list[float] = []  # the process's CPU time (user and system) an article: what a busy machine does not inflate
    commits: list[float] = []
    phases: dict[str, list[float]] = {"sketch": [], "place": [], "store": []}
    joined = 0
    for first in range(0, probes, poll):
        with store.db.atomic():  # one transaction a poll, as the daemon stores a poll's articles
            for i in range(first, min(first + poll, probes)):
                art = probe(rnd, v, n, i)
                c0 = time.process_time()
                t0 = time.perf_counter()
                sk = story_sketch(art)
                t1 = time.perf_counter()
                placement = store.stories.place(sk, WINDOW)
                t2 = time.perf_counter()
                store.articles.add(Entry("bench", art.url, None, art.url, art.url, art.title, None), art,
                                   placement=placement)
                t3 = time.perf_counter()
                cpu.append(time.process_time() - c0)
                times.append(t3 - t0)
                for phase, took in zip(phases, (t1 - t0, t2 - t1, t3 - t2)):
                    phases[phase].append(took)
                joined += placement.verdict is not None and i % 3 != 2
        commits.append(time.perf_counter() - t3)
    mean = (sum(times) + sum(commits)) / len(times)
    times.sort()
    return {"median_ms": statistics.median(times) * 1000, "p95_ms": times[int(len(times) * 0.95)] * 1000,
            "commit_ms": statistics.median(commits) * 1000, "mean_ms": mean * 1000,
            "cpu_ms": statistics.median(cpu) * 1000,
            "joined_of_same": joined, "same_probes": sum(1 for i in range(probes) if i % 3 != 2),
            "phases_ms": {k: statistics.median(v) * 1000 for k, v in phases.items()}}


def rss_mb() -> float:
    """This process's resident memory now (MB; the peak where /proc is absent)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="20000,200000")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--poll", type=int, default=POLL, help="new articles to a transaction (1: a commit each)")
    ap.add_argument("--fresh", action="store_true", help="fill the stores anew, not from the kept copies")
    ap.add_argument("--no-rebuild", action="store_true", help="skip timing the rebuild of the indexes")
    args = ap.parse_args()
    results = {}
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            took = filled(Path(tmp) / "dedup.db", n, args.workers, args.fresh)
            store = Store(Path(tmp) / "dedup.db")
            load = os.getloadavg()
            r = measure(store, n, poll=args.poll)
            r["load"] = (*load, *os.getloadavg())
            r["rss_now"] = rss_mb()
            t0 = time.perf_counter()
            if not args.no_rebuild:
                store.stories.rebuild()
            r["rebuild_s"] = time.perf_counter() - t0
            size = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 1e6
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            results[n] = r
            how = f"filled in {took:.0f}s" if took is not None else "a copy of the kept fill"
            rebuilt = ("" if args.no_rebuild
                       else f"; indexes rebuilt from the stored sketches in {r['rebuild_s']:.1f}s")
            print(f"{n:>7} fingerprints ({how}): place one article median {r['median_ms']:.2f} ms, "
                  f"p95 {r['p95_ms']:.2f} ms (CPU time median {r['cpu_ms']:.2f} ms); joined {r['joined_of_same']}/"
                  f"{r['same_probes']} versions of stored "
                  f"stories; database {size:.0f} MB; RSS after the placements {r['rss_now']:.0f} MB, peak RSS of "
                  f"this process {rss:.0f} MB{rebuilt}")
            print("        median of each step: " + ", ".join(f"{k} {v:.2f} ms" for k, v in r["phases_ms"].items())
                  + f" (store: the article, its story and the indexes); commit of a poll's {args.poll} articles median "
                  f"{r['commit_ms']:.2f} ms; mean an article with its share of the commit {r['mean_ms']:.2f} ms")
            print("        load average (1, 5, 15 min) before the placements: {:.2f} {:.2f} {:.2f}, after: "
                  "{:.2f} {:.2f} {:.2f}".format(*r["load"]))
            store.close()
    sizes = sorted(results)
    if len(sizes) > 1:
        a, b = sizes[0], sizes[-1]
        print(f"median at {b} / median at {a}: {results[b]['median_ms'] / results[a]['median_ms']:.2f}x "
              f"for {b / a:.0f}x the fingerprints")
    ok = results[sizes[-1]]["median_ms"] < 5.0
    print("target (median < 5 ms at the largest size):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
