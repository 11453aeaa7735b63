"""Polling cost: watcher's poll path against a bare httpx loop, in one run, on 2,000 feeds served by nginx.

nginx (Debian's nginx-light, started unprivileged on a temporary folder) serves
2,000 static RSS files and answers conditional requests itself (ETag and
Last-Modified of static files). Two cycles are timed:

- change: every feed has a new item since the stored ETag, so every request
  is a full 200 that watcher parses (and stores the one new entry of);
- 304: nothing changed; every request is a conditional GET answered 304.

Each side runs in its own process (so its peak memory is its own): watcher's
`poll_source` for every source as `run --once` polls them, over its real
pipeline (HTTP client, reader process, SQLite store: a fresh copy of the same
database state each run), and a bare
`httpx.AsyncClient` loop sending the same conditional headers with the same
concurrency. Runs alternate; medians are printed with their ratio, and the
bytes on the wire per feed in the 304 cycle come from nginx's own access log.
Each side's peak resident memory is printed (and watcher's resident memory
after its imports and config, and once its pipeline is open), its CPU time per
feed (watcher's event-loop thread apart: that is what grows if something per
poll scales with the number of sources; and its worker processes', such as the
reader process, counted apart), and the machine's load average (the
ratios of one run are what compare: other work on the machine slows both sides
alike). `--cycles 304` times only the 304 cycle (cheap: more runs for its
medians). Targets: watcher's change cycle >= 0.5x the bare loop's rate,
its 304 cycle >= 1.2x and < 600 bytes per feed on the wire; at 10,000 feeds
both ratios within 10% of their 2,000-feed values and peak RSS < 130 MB. A
change cycle whose runs did not each store one new article a feed is reported
as such, and the run exits with an error. A `--workdir` keeps each feed
count's site and snapshots in a folder of its own (`n2000/`), reused when it
was made for the same `--shape` and count.

`--feeds 2000,10000` times both sizes in every run, one after the other, and
prints each larger size's ratios over the smallest's, run by run: a ratio
depends on the machine's load (the bare loop's CPU per request does), and the
sizes of one run are timed at nearly the same load, where two separate runs
are not.

`--shape news` serves feeds in the shape publishers send (50 KB: 20 reports
with HTML content, bylines and captioned photos, each its own story) instead
of the default 2 KB feeds of alike two-line items.

    python benchmarks/polling.py [--feeds 2000[,10000]] [--runs 3] [--concurrency 16] [--cycles both|change|304]
                                 [--shape template|news] [--profile change|304] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import format_datetime
from html import escape
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ITEMS = 5
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


# -- the site ---------------------------------------------------------------------

def write_feeds(site: Path, n: int, version: int, shape: str = "template") -> None:
    """`n` feeds of ITEMS items (NEWS_ITEMS for `news`); each version adds one item and moves the files' mtime
    (so the ETag changes)."""
    (site / "f").mkdir(parents=True, exist_ok=True)
    stamp = (T0 + timedelta(hours=version)).timestamp()
    for i in range(n):
        if shape == "news":
            text = news_feed(i, version)
        else:
            items = []
            for k in range(ITEMS + version):
                when = format_datetime(T0 + timedelta(minutes=7 * k + i % 7), usegmt=True)
                items.append(
                    f"<item><title>Outlet {i}: council budget update number {k}</title>"
                    f"<guid isPermaLink=\"false\">outlet-{i}-item-{k}</guid><pubDate>{when}</pubDate>"
                    f"<description>The council of town {i} published figures for quarter {k}: spending on roads, "
                    f"schools and the harbour wall, with a note on delays.</description></item>"
                )
            text = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Outlet {i}</title>'
                    f"<link>https://outlet{i}.example/</link><description>News</description>"
                    f"{''.join(reversed(items))}</channel></rss>")
        path = site / "f" / f"{i:05d}.xml"
        path.write_text(text, encoding="utf-8")
        os.utime(path, (stamp, stamp))


NEWS_ITEMS = 20
# words for the `news` shape's made-up reports: every report its own mix, so each is its own story
_PLACES = "Arden Balmore Carrick Dunmere Elswick Farnley Glenrock Harwood Inverleith Kelso Lanark Morven".split()
_SUBJECTS = ("council budget|ferry service|hospital wing|school roof|bridge repair|harbour wall|bus route|water main|"
             "library hours|tram line|flood defence|housing plan|market square|rail timetable|power station").split("|")
_VERBS = "approved|delayed|cancelled|expanded|reviewed|reopened|funded|paused|extended|announced".split("|")
_PEOPLE = "Ailsa Grant|Tomas Lind|Priya Nair|Ana Ruiz|Callum Reid|Jana Vogt|Omar Haddad|Mei Chen".split("|")
_SENTENCES = [
    "Officials in {place} said the {subject} would be {verb} after a meeting on {day}.",
    "{person}, who chairs the committee, said {n} residents had written in about the {subject}.",
    "The cost of the {subject} is now put at {m} million, up from {m2} million last year.",
    "Work on the {subject} in {place} is expected to take {w} weeks, according to the contractor.",
    "Opponents said the {subject} had been {verb} without a proper consultation in {place}.",
    "A report to be published in {month} will set out how the {subject} is paid for.",
    "Shops near the {subject} said trade had fallen by {p} percent since the work began.",
    "{person} told reporters the decision on the {subject} was the right one for {place}.",
]
_DAYS = "Monday Tuesday Wednesday Thursday Friday".split()
_MONTHS = "January March May July September November".split()


def news_report(i: int, k: int) -> tuple[str, list[str]]:
    """Outlet `i`'s report `k`: a headline and paragraphs, made up from the word lists (seeded: the same every run)."""
    r = random.Random(i * 100_003 + k)
    v = {"place": r.choice(_PLACES), "subject": r.choice(_SUBJECTS), "verb": r.choice(_VERBS),
         "person": r.choice(_PEOPLE), "day": r.choice(_DAYS), "month": r.choice(_MONTHS), "n": r.randint(20, 900),
         "m": r.randint(3, 90), "m2": r.randint(2, 60), "w": r.randint(3, 40), "p": r.randint(5, 40)}
    title = f"{v['place']} {v['subject']} {v['verb']} as costs reach {v['m']} million"
    paragraphs = [" ".join(s.format(**v) for s in r.sample(_SENTENCES, 3)) for _ in range(5)]
    return title, paragraphs


def news_feed(i: int, version: int) -> str:
    """A newsroom's RSS 2.0 feed of NEWS_ITEMS reports (HTML summary and content, a byline, a captioned photo),
    the newest first: the shape publishers send (about 50 KB)."""
    items = []
    for k in range(version, NEWS_ITEMS + version):
        title, paragraphs = news_report(i, k)
        when = format_datetime(T0 + timedelta(minutes=37 * k + i % 11), usegmt=True)
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        items.append(
            f"<item><title>{escape(title)}</title><guid isPermaLink=\"false\">outlet-{i}-report-{k}</guid>"
            f"<pubDate>{when}</pubDate><dc:creator>{_PEOPLE[(i + k) % len(_PEOPLE)]}</dc:creator>"
            f"<category>Local</category><description><![CDATA[<p>{escape(paragraphs[0])}</p>]]></description>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded>"
            f'<media:content url="https://outlet{i}.example/img/{k}.jpg" medium="image"/>'
            f"<media:description>The site in {_PLACES[k % len(_PLACES)]}.</media:description></item>"
        )
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            f'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Outlet {i}</title>'
            f"<link>https://outlet{i}.example/</link><description>News</description><language>en-gb</language>"
            f"{''.join(reversed(items))}</channel></rss>")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def nginx(folder: Path, sites: dict[int, Path], log: Path) -> Iterator[dict[int, str]]:
    """nginx serving each of `sites` (port -> folder) on its own port, its config, pid and error log in
    `folder`; yields each port's base URL."""
    conf = folder / "nginx.conf"
    servers = "".join(f"  server {{ listen 127.0.0.1:{port}; root {root}; keepalive_requests 100000; }}\n"
                      for port, root in sites.items())
    conf.write_text(
        "worker_processes 1; pid nginx.pid; error_log nginx-error.log;\n"
        "events { worker_connections 512; }\n"
        "http { types { application/rss+xml xml; }\n"
        "  log_format bench '$request_length $bytes_sent $status';\n"
        f"  access_log {log} bench;\n{servers}}}\n"
    )
    proc = subprocess.Popen(["nginx", "-p", str(folder), "-c", str(conf), "-g", "daemon off;"])
    try:
        deadline = time.monotonic() + 10
        for port in sites:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        sys.exit("nginx did not start")
                    time.sleep(0.05)
        yield {port: f"http://127.0.0.1:{port}" for port in sites}
    finally:
        proc.terminate()
        proc.wait()


def write_config(folder: Path, base: str, n: int, concurrency: int) -> Path:
    lines = [
        "database: watcher.db", "rules: null",
        "defaults: {interval: 15m, timeout: 30s}",
        f"http: {{allow_private: true, concurrency: {concurrency}, per_host: {concurrency}}}",
        "extract: {workers: 1}",
        "sources:",
    ]
    lines += [f"  - {{id: f{i:05d}, url: '{base}/f/{i:05d}.xml', type: feed}}" for i in range(n)]
    path = folder / "watcher.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- the two sides, each in its own process -----------------------------------------

def watcher_side(config_path: str, profile: str | None = None) -> dict:
    """One poll cycle of every source; with `profile`, the event loop's thread under cProfile (stats to that file)."""
    from watcher.config import load_config
    from watcher.logs import setup_logging
    from watcher.run.pipeline import each_in_turn
    from watcher.run.poll import poll_source
    from watcher.run.services import open_pipeline

    setup_logging("warning")
    config = load_config(config_path)
    rss = {"config": rss_mb()}

    async def cycle() -> tuple[float, float, float, Counter[str]]:
        async with open_pipeline(config) as p:
            rss["open"] = rss_mb()
            profiler = cProfile.Profile(time.thread_time) if profile else None  # CPU time: a busy machine stays out
            start, cpu, loop_cpu = time.perf_counter(), time.process_time(), time.thread_time()
            helpers_before = helpers_cpu()
            if profiler:
                profiler.enable()
            reports = await each_in_turn(lambda s: poll_source(s, p), config.sources)  # as `run --once` does
            if profiler:
                profiler.disable()
                profiler.dump_stats(profile)
            helpers = helpers_cpu()  # (the pipeline still open: its worker processes are still there)
            return (time.perf_counter() - start, time.process_time() - cpu, time.thread_time() - loop_cpu,
                    Counter(r.status for r in reports), sum(r.new_articles for r in reports),
                    sum(t - helpers_before.get(pid, 0.0) for pid, t in helpers.items()))

    elapsed, cpu, loop_cpu, statuses, new, helpers = asyncio.run(cycle())
    return {"seconds": elapsed, "cpu": cpu, "loop_cpu": loop_cpu, "statuses": dict(statuses), "rss_config": rss["config"],
            "rss_open": rss["open"], "new_articles": new, "helpers_cpu": helpers}


def helpers_cpu() -> dict[int, float]:
    """CPU seconds so far of each process under this one: the reader and extraction workers (children of
    multiprocessing's fork server, which getrusage does not count). A worker replaced during the cycle (after
    its tasks) takes its CPU with it."""
    from pipeline import tree_cpu

    seen: dict[int, float] = {}
    tree_cpu(os.getpid(), seen)
    seen.pop(os.getpid(), None)
    return seen


def bare_side(requests_path: str, concurrency: int) -> dict:
    import httpx

    plan = json.loads(Path(requests_path).read_text())
    requests, headers = plan["requests"], plan["headers"]

    async def cycle() -> tuple[float, float, Counter[int]]:
        statuses: Counter[int] = Counter()
        gate = asyncio.Semaphore(concurrency)
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(limits=limits, headers=headers, timeout=30) as client:
            async def one(url: str, etag: str | None, modified: str | None) -> None:
                conditional = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", modified)) if v}
                async with gate:
                    r = await client.get(url, headers=conditional)
                statuses[r.status_code] += 1

            start, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(one(*req) for req in requests))
            return time.perf_counter() - start, time.process_time() - cpu, statuses

    elapsed, cpu, statuses = asyncio.run(cycle())
    return {"seconds": elapsed, "cpu": cpu, "statuses": {str(k): v for k, v in statuses.items()}}


def peak_rss_mb(field: str = "VmHWM") -> float:
    """This process's peak resident memory since exec (ru_maxrss would carry the forking parent's)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split(f"{field}:")[1].split()[0]) / 1024


def rss_mb() -> float:
    """This process's resident memory now."""
    return peak_rss_mb("VmRSS")


def side(args: list[str]) -> dict:
    """Run one side in a fresh process; its result plus its peak resident memory."""
    out = subprocess.run([sys.executable, __file__, "--side", *args], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"{args[0]} side failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def conditional_requests(db: Path, path: Path) -> Path:
    """The requests watcher would send from this database state: URLs, conditional and common headers."""
    from watcher import USER_AGENT
    from watcher.fetch.http import ACCEPT_ENCODING
    from watcher.run.poll import FEED_ACCEPT

    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT url, etag, last_modified FROM sources ORDER BY id").fetchall()
    conn.close()
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING, "Accept": FEED_ACCEPT}
    path.write_text(json.dumps({"requests": rows, "headers": headers}))
    return path


class AccessLog:
    """Bytes nginx received and sent for the requests since the last mark."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def since_mark(self) -> tuple[int, int, int]:
        with self.path.open("rb") as f:
            f.seek(self.offset)
            data = f.read()
            self.offset = f.tell()
        received = sent = count = 0
        for line in data.splitlines():
            req, out, _ = line.split()
            received, sent, count = received + int(req), sent + int(out), count + 1
        return received, sent, count


def first_poll(work: Path, site: Path, config: Path, n: int, shape: str) -> None:
    """The first poll (baseline) and the change after it, leaving the two snapshots the cycles start from."""
    first = side(["watcher", str(config)])
    print(f"first poll (baseline, {n * (NEWS_ITEMS if shape == 'news' else ITEMS)} entries stored): "
          f"{first['seconds']:.2f}s "
          f"(CPU {first['cpu']:.2f}s) {first['statuses']}", flush=True)
    shutil.copy(work / "watcher.db", work / "db-before-change.db")
    write_feeds(site, n, 1, shape)  # one new item in every feed, new mtime: every ETag changes
    side(["watcher", str(config)])  # warm-up; leaves the state after the change (ETags of version 1)
    shutil.copy(work / "watcher.db", work / "db-after-change.db")


def restore(work: Path, snapshot: str | None) -> None:
    """The database as it was at `snapshot` (a copy), without the WAL of a later run; None: no database (the
    first poll starts from an empty store)."""
    (work / "watcher.db").unlink(missing_ok=True)
    if snapshot:
        shutil.copy(work / snapshot, work / "watcher.db")
    for extra in ("-wal", "-shm"):
        (work / f"watcher.db{extra}").unlink(missing_ok=True)


def profile_cycle(work: Path, config: Path, snapshot: str) -> None:
    """One watcher cycle from `snapshot` under cProfile; the functions that cost the event loop's thread most."""
    restore(work, snapshot)
    stats_path = work / "cycle.prof"
    r = side(["watcher", str(config), str(stats_path)])
    print(f"profiled cycle: {r['seconds']:.2f}s wall, {r['cpu']:.2f}s CPU (process), {r['loop_cpu']:.2f}s CPU "
          f"(event loop's thread, profiler on), {r['statuses']}; load average {os.getloadavg()[0]:.1f}")
    stats = pstats.Stats(str(stats_path))
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(45)


# -- main ---------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", default="2000",
                        help="feeds served (default 2000); several, comma-separated (2000,10000), are timed in "
                             "turn within each run, and their ratios compared run by run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--cycles", choices=("both", "change", "304"), default="both",
                        help="the cycles timed (default both)")
    parser.add_argument("--profile", choices=("change", "304"),
                        help="instead of the timed runs, one watcher cycle of this kind under cProfile (the event "
                             "loop's thread), its costliest functions printed")
    parser.add_argument("--workdir", type=Path,
                        help="keep the site and the database snapshots in this folder, and reuse them when they are "
                             "there already (same --shape and feed count), skipping the first poll")
    parser.add_argument("--shape", choices=("template", "news"), default="template",
                        help="the feeds: `template` (the default: 2 KB feeds of 5 two-line items, all alike, the "
                             "worst case for story placement) or `news` (50 KB feeds of 20 reports with HTML content, "
                             "bylines and captioned photos, each report its own story)")
    parser.add_argument("--side", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        kind, *rest = args.side
        result = watcher_side(*rest) if kind == "watcher" else bare_side(rest[0], int(rest[1]))
        result["peak_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return
    if not shutil.which("nginx"):
        print("skipped: nginx not installed (apt-get install nginx-light)")
        return
    try:
        sizes = sorted({int(x) for x in args.feeds.split(",")})
    except ValueError:
        sys.exit(f"--feeds: a number of feeds, or several separated by commas, not {args.feeds!r}")

    load_at_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="watcher-polling-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        work.chmod(0o755)  # nginx workers run unprivileged
        access = work / "access.log"
        folders = {n: work / f"n{n}" for n in sizes}
        ports = {n: port_of(folder) for n, folder in folders.items()}  # each size served on a port of its own
        with nginx(work, {ports[n]: folders[n] / "site" for n in sizes}, access) as bases:
            log = AccessLog(access)
            log.since_mark()
            plans = [prepare(folders[n], bases[ports[n]], n, args) for n in sizes]
            log.since_mark()
            if args.profile:
                for plan in plans:
                    profile_cycle(plan.folder, plan.config,
                                  "db-before-change.db" if args.profile == "change" else "db-after-change.db")
                return
            results: dict[int, dict[str, list[dict]]] = {plan.n: {} for plan in plans}
            for run in range(args.runs):
                order = ["watcher", "bare"] if run % 2 == 0 else ["bare", "watcher"]
                for plan in plans:
                    for cycle, snapshot, req in plan.cycles:
                        for who in order:
                            if who == "watcher":
                                restore(plan.folder, snapshot)
                                r = side(["watcher", str(plan.config)])
                            else:
                                r = side(["bare", str(req), str(args.concurrency)])
                            r["wire"] = log.since_mark()
                            results[plan.n].setdefault(f"{who} {cycle}", []).append(r)

    print(f"runs: {args.runs} (medians), concurrency: {args.concurrency}, cores: {os.cpu_count()}, "
          f"server: nginx on 127.0.0.1, load average at the start: {load_at_start}")
    for plan in plans:
        report(plan.n, results[plan.n], [c[0] for c in plan.cycles])
    if len(sizes) > 1:
        compare_sizes(sizes, results)
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for plan in plans:
        if "watcher change" in results[plan.n]:  # a change cycle storing less than an article a feed measures else
            stored = [r["new_articles"] for r in results[plan.n]["watcher change"]]
            if any(k < plan.n for k in stored):  # (more: a feed whose first poll failed stores all its items)
                sys.exit(f"NOT A CHANGE CYCLE: the runs at {plan.n} feeds stored {stored} new articles, fewer than "
                         f"{plan.n} each (failed polls, or a --workdir whose database was not made by this "
                         "benchmark's first poll)")


@dataclass
class Plan:
    """One size's feeds, config and the cycles to time (name, database snapshot, the bare loop's requests)."""

    n: int
    folder: Path
    config: Path
    cycles: list[tuple[str, str, Path]]


def port_of(folder: Path) -> int:
    """The port `folder`'s site is served on: the one its snapshots were made with (their URLs name it)."""
    folder.mkdir(exist_ok=True)
    if not (folder / "port").is_file():
        (folder / "port").write_text(str(free_port()))
        (folder / "made-for").unlink(missing_ok=True)  # snapshots of another port would fetch nothing
    return int((folder / "port").read_text())


def prepare(folder: Path, base: str, n: int, args: argparse.Namespace) -> Plan:
    """`n` feeds in `folder/site` (served at `base`), and the database snapshots of their first poll: made, or
    kept from a --workdir made for the same shape and size."""
    site = folder / "site"
    made_for = (folder / "made-for").read_text().split() if (folder / "made-for").is_file() else []
    kept = (folder / "db-after-change.db").is_file() and made_for == [args.shape, str(n)]
    config = write_config(folder, base, n, args.concurrency)
    if not kept:
        write_feeds(site, n, 0, args.shape)
        restore(folder, None)  # a database left in the folder would make the first poll find nothing new
        first_poll(folder, site, config, n, args.shape)
        (folder / "made-for").write_text(f"{args.shape} {n}\n")
    change_req = conditional_requests(folder / "db-before-change.db", folder / "change.json")
    same_req = conditional_requests(folder / "db-after-change.db", folder / "same.json")
    cycles = [c for c in (("change", "db-before-change.db", change_req), ("304", "db-after-change.db", same_req))
              if args.cycles in ("both", c[0])]
    return Plan(n, folder, config, cycles)


def report(n: int, results: dict[str, list[dict]], cycles: list[str]) -> None:
    """One size's figures: each side's rate, CPU, memory and bytes on the wire, and the ratios."""
    print(f"-- {n} feeds")
    rates: dict[str, float] = {}
    for name, runs in results.items():
        secs = statistics.median(r["seconds"] for r in runs)
        rates[name] = n / secs
        recv, sent, count = runs[-1]["wire"]
        cpu = statistics.median(r["cpu"] for r in runs)
        loop = (f", of it the event loop's thread {1000 * statistics.median(r['loop_cpu'] for r in runs) / n:.2f}"
                if "loop_cpu" in runs[0] else "")
        if "helpers_cpu" in runs[0]:
            loop += f"; worker processes {1000 * statistics.median(r['helpers_cpu'] for r in runs) / n:.2f} ms/feed"
        print(f"{name:15s} {n / secs:8.0f} feeds/s  ({secs:.2f}s; runs {[round(r['seconds'], 2) for r in runs]}; "
              f"CPU {cpu:.2f}s: {1000 * cpu / n:.2f} ms/feed{loop})  "
              f"peak RSS {statistics.median(r['peak_mb'] for r in runs):.0f} MB  "
              f"wire/feed {((recv + sent) / max(count, 1)):.0f} B (request {recv / max(count, 1):.0f} + "
              f"response {sent / max(count, 1):.0f})  statuses {runs[-1]['statuses']}")
    for cycle in cycles:
        ratio = rates[f"watcher {cycle}"] / rates[f"bare {cycle}"]
        paired = statistics.median(per_run_ratios(results, cycle))
        target = "  (target >= 1.20)" if cycle == "304" else "  (target >= 0.50)"
        print(f"ratio watcher/bare, {cycle} cycle: {ratio:.2f} (ratio of medians), {paired:.2f} "
              f"(median of per-run ratios){target}")
        # on a busy machine the rates move with the load, CPU per feed less (watcher's process: its reader process,
        # on the other core, apart)
        w_cpu, b_cpu = (statistics.median(r["cpu"] for r in results[f"{who} {cycle}"]) for who in ("watcher", "bare"))
        loops = [round(1000 * r["loop_cpu"] / n, 2) for r in results[f"watcher {cycle}"]]
        print(f"  CPU per feed, {cycle} cycle: bare/watcher {b_cpu / w_cpu:.2f} (medians; the loop's thread per run, "
              f"ms/feed: {loops})")
    if "watcher 304" in results:
        recv, sent, count = results["watcher 304"][-1]["wire"]
        print(f"watcher 304 cycle on the wire: {(recv + sent) / max(count, 1):.0f} bytes per feed (target < 600)")
    watcher_runs = [r for k in results if k.startswith("watcher") for r in results[k]]
    print(f"watcher RSS: {statistics.median(r['rss_config'] for r in watcher_runs):.0f} MB after imports and config, "
          f"{statistics.median(r['rss_open'] for r in watcher_runs):.0f} MB with the pipeline open (medians)")
    print(f"watcher peak RSS: {max(r['peak_mb'] for r in watcher_runs):.0f} MB (target < 130)")


def per_run_ratios(results: dict[str, list[dict]], cycle: str) -> list[float]:
    """Each run's watcher/bare rate ratio for `cycle` (the two sides timed back to back)."""
    return [b["seconds"] / w["seconds"] for w, b in zip(results[f"watcher {cycle}"], results[f"bare {cycle}"])]


def compare_sizes(sizes: list[int], results: dict[int, dict[str, list[dict]]]) -> None:
    """Each larger size's ratios over the smallest's, run by run: the sizes of one run are timed minutes apart,
    not at the loads of two separate runs. Target: within 10% (0.90 to 1.10)."""
    small = sizes[0]
    for n in sizes[1:]:
        for cycle in (k.split()[1] for k in results[n] if k.startswith("watcher")):
            each = [big / base for big, base in zip(per_run_ratios(results[n], cycle),
                                                    per_run_ratios(results[small], cycle))]
            cpu = [(w["cpu"] / n) / (s["cpu"] / small)
                   for w, s in zip(results[n][f"watcher {cycle}"], results[small][f"watcher {cycle}"])]
            print(f"{cycle} cycle, ratio at {n} feeds / ratio at {small}: {statistics.median(each):.2f} (median of "
                  f"runs {[round(x, 2) for x in each]}; target 0.90-1.10); watcher's CPU per feed "
                  f"{statistics.median(cpu):.2f}x")


if __name__ == "__main__":
    main()
