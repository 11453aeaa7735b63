"""Peak memory of `watcher replay` over a small and a large store, in one run.

Builds two SQLite stores of generated news articles (~6 KB of text each, the
size of a long report), N and 8N of them, and runs `watcher replay --json`
over each in its own process, with one keyword rule that fires on one
article in fifty. Prints each run's peak RSS (the process's own, VmHWM)
and the ratio large/small. A replay that reads its range a page at a time
holds about the same memory whatever the range: target ratio under 1.3.

    python benchmarks/replay.py [--articles 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = ("council harbour minister budget report police court hospital school river bridge election vote "
         "company shares market energy prices weather storm transport rail airport union strike housing "
         "plan farmers water museum festival team season coach players stadium survey research").split()


def paragraph(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 90))).capitalize() + "."


def build(folder: Path, n: int, seed: int) -> Path:
    """A config, a rule and a store of `n` articles (written straight into the table: placing each in a story
    is not what is measured)."""
    from watcher.store import Store
    from watcher.store.times import iso, utcnow

    rng = random.Random(seed)
    folder.mkdir(parents=True)
    (folder / "rules.yaml").write_text("rules:\n  - id: ferry\n    title: Ferry news\n"
                                       "    match:\n      keywords: [ferry]\n")
    (folder / "watcher.yaml").write_text(
        "sources:\n  - id: wire\n    url: http://127.0.0.1:9/feed.xml\n"
        f"rules: rules.yaml\ndatabase: {folder / 'watcher.db'}\n")
    store = Store(folder / "watcher.db")
    store.sources.ensure("wire", "http://127.0.0.1:9/feed.xml", "feed")
    now = iso(utcnow())
    rows = []
    for i in range(n):
        paras = [paragraph(rng) for _ in range(10)]
        if i % 50 == 0:
            paras[3] += " The ferry was cancelled."
        url = f"https://news.example/{i}"
        rows.append((url, url, "wire", f"Report {i}", "en", "\n\n".join(paras), f"h{i}", now))
    with store.db.atomic():
        store.db.conn.executemany(
            "INSERT INTO articles (canonical_url, url, source_id, title, language, body, body_hash, alertable, "
            "fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)", rows)
    store.close()
    return folder / "watcher.yaml"


def replay_peak(config: Path) -> tuple[float, int, float]:
    """(peak RSS in MB, articles replayed, seconds) of one `watcher replay` process."""
    # VmHWM: this process's own peak (getrusage's would include the parent's at fork, kept across exec)
    code = ("import sys, runpy; sys.argv = ['watcher', 'replay', '--json', '--config', sys.argv[1]]\n"
            "try:\n    runpy.run_module('watcher', run_name='__main__')\n"
            "finally:\n    print('PEAK', [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0],"
            " file=sys.stderr)\n")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, str(config)], cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - start
    peak = [line for line in done.stderr.splitlines() if line.startswith("PEAK ")]
    if done.returncode or not peak:
        sys.exit(f"replay failed ({done.returncode}): {done.stderr[-2000:]}")
    return int(peak[-1].split()[1]) / 1024, json.loads(done.stdout)["articles"], took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000, help="articles in the small store (the large: 8x)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = build(Path(tmp) / "small", args.articles, 1)
        large = build(Path(tmp) / "large", args.articles * 8, 2)
        peaks: dict[str, list[float]] = {"small": [], "large": []}
        for _ in range(args.runs):  # interleaved: a busy moment of the machine touches both alike
            for name, config in (("small", small), ("large", large)):
                mb, count, took = replay_peak(config)
                peaks[name].append(mb)
                print(f"  {name}: {count} articles, peak RSS {mb:.0f} MB, {took:.1f} s")
    small_mb, large_mb = statistics.median(peaks["small"]), statistics.median(peaks["large"])
    ratio = large_mb / small_mb
    print(f"replay peak RSS, median of {args.runs}: {args.articles} articles {small_mb:.0f} MB, "
          f"{args.articles * 8} articles {large_mb:.0f} MB; ratio {ratio:.2f} (target < 1.3) "
          f"{'ok' if ratio < 1.3 else 'OVER'}")


if __name__ == "__main__":
    main()
