"""Scaling out: polls and alerts per second with 1, 2 and 4 `watcher worker` processes on one PostgreSQL store,
against the same local nginx; and what a source costs on PostgreSQL (workers) against SQLite (`watcher run`).

nginx (as in benchmarks/polling.py: Debian's nginx-light, unprivileged, static files, conditional requests
answered by nginx itself) serves `--sources` RSS feeds of one item each, each item a story of its own (with
`--copies`, the items of benchmarks/polling.py: copies of one template, the worst case of story placement,
where every article is a candidate of every other). One rule (keyword "council", `once_per: article`) matches
every item and notifies one json:// channel on a local webhook receiver (tests/receivers.py, answering at
once). The PostgreSQL cluster is the tests' (tests/postgres.py).

For each worker count, on a fresh database:
- alerts: the sources are stored as not due, the workers are started, and once every one of them is up every
  source is made due at once; timed from then until every item is an alert (alerts made/s) and until every
  alert is delivered (delivered/s: one worker sends at a time, whatever the count). Meanwhile pg_locks is
  sampled: the share of the time a worker held the turn to store placed articles (one at a time across
  workers: see watcher/run/worker.py), and how many waited for it.
  The turn's time per alert bounds what any number of workers can make (one holds it at a time): its
  inverse is printed as that ceiling, and its ratio to the run's rate.
- polls: the workers are started again with a 1 s interval, so every source is always due; the conditional
  requests (304) nginx answers, from its access log, in each of three slices of a `--seconds` window are the
  polls per second (their median printed, with each slice's).
The scaling ratio is the rate with 4 workers over the rate with 1; the cores are printed, since workers past
the core count only share them.

Cost per source: the CPU seconds (the processes and their reader processes, and the PostgreSQL server) and the
wall time of a first poll of every source (one new item each: article, alert, delivery) and of a conditional
poll (304), with one worker on PostgreSQL, and with `watcher run --once` on a SQLite file over the same sources
(its start, measured on no source, taken off).

    python benchmarks/scale.py [--sources 400] [--seconds 15] [--workers 1,2,4] [--copies]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import polling
from fleet import ROOT, Worker, cluster, server_cpu, tree_cpu, wait_until, write_config

from tests.receivers import WebhookReceiver

RULES = """\
rules:
  - id: council
    title: "Council figures"
    match:
      keywords: [council]
    once_per: article
    notify: [desk]
"""
NOT_DUE = "2100-01-01T00:00:00+00:00"
SYLLABLES = ("bar", "kel", "mor", "tan", "vis", "lun", "dor", "fen", "gal", "hir", "jor", "pel", "quin", "ros", "sal",
             "tor", "ul", "ver", "wyn", "zan", "ash", "bri", "cal", "dun")
THINGS = ("roads", "schools", "harbour wall", "library", "bridge", "tram line", "hospital wing", "park", "water mains",
          "social housing", "fire station", "bus depot", "market hall", "sports ground", "flood barrier", "museum",
          "cycle lanes", "street lights", "swimming pool", "town hall roof", "recycling centre", "nursery", "pier",
          "sewage works", "care home", "railway crossing", "car park", "youth centre", "cemetery", "allotments")
DOINGS = ("approved", "rejected", "postponed", "cut", "doubled", "froze", "reviewed", "questioned", "backed",
          "overturned", "audited", "split")
SAYERS = ("the mayor", "the finance officer", "an opposition member", "the planning chief", "a residents' group",
          "the auditor", "a union official", "the local MP")
WARM = 3.0  # seconds the workers poll before the polls window opens
SLICES = 3  # the polls window is timed in this many slices (the median rate is printed)


@dataclass
class Run:
    workers: int
    alerts: int = 0
    made_s: float = 0.0  # seconds from every source due to every item an alert
    sent_s: float = 0.0  # ... to every alert delivered
    first_cpu: float = 0.0  # CPU seconds of that (workers and server)
    first_server_cpu: float = 0.0
    turn_held: float = 0.0  # share of the alerts' time a worker held the turn to store placed articles
    turn_waiting: float = 0.0  # workers waiting for it, on average
    polls: int = 0  # conditional polls answered in the window
    window: float = 0.0
    poll_cpu: float = 0.0  # CPU seconds of the window (workers and server)
    poll_server_cpu: float = 0.0
    rates: list[float] = field(default_factory=list)  # polls per second in each slice of the window

    @property
    def polls_per_s(self) -> float:
        return statistics.median(self.rates) if self.rates else 0.0


class TurnSampler(threading.Thread):
    """Samples, every 20 ms, whether a worker holds the turn to store placed articles and how many wait for it
    (the lock's rows in pg_locks): a turn held all the time says placement bounds the alerts made per second."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.done = threading.Event()
        self.samples: list[tuple[int, int]] = []

    def run(self) -> None:
        import psycopg

        from watcher.run.worker import TURN_LOCK

        with psycopg.connect(self.url, autocommit=True) as db:
            while not self.done.wait(0.02):
                row = db.execute("SELECT COUNT(*) FILTER (WHERE granted), COUNT(*) FILTER (WHERE NOT granted) "
                                 "FROM pg_locks WHERE locktype = 'advisory' AND objid = %s", [TURN_LOCK]).fetchone()
                self.samples.append((row[0], row[1]))

    def __enter__(self) -> TurnSampler:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.join()

    @property
    def held(self) -> float:
        return sum(1 for h, _ in self.samples if h) / max(len(self.samples), 1)

    @property
    def waiting(self) -> float:
        return sum(w for _, w in self.samples) / max(len(self.samples), 1)


class Bench:
    def __init__(self, args: argparse.Namespace, pg: object, base: str, folder: Path, access: Path,
                 receiver: WebhookReceiver) -> None:
        self.args, self.pg, self.folder, self.access, self.receiver = args, pg, folder, access, receiver
        self.sources = [{"id": f"f{i:05d}", "url": f"{base}/f/{i:05d}.xml", "type": "feed", "baseline": False}
                        for i in range(args.sources)]
        (folder / "rules.yaml").write_text(RULES)

    def config(self, database: str | Path, interval: str, sources: bool = True) -> Path:
        return write_config(self.folder, database, self.sources if sources else [], rules="rules.yaml",
                            defaults={"interval": interval, "timeout": "30s"}, delivery={"admin": None},
                            http={"allow_private": True, "concurrency": 16, "per_host": 16},
                            channels={"desk": {"urls": [f"json://{self.receiver.base}/desk"]}})

    def server_cpu(self) -> float:
        return server_cpu(self.pg)  # type: ignore[arg-type]

    def start(self, count: int, config: Path) -> list[Worker]:
        workers = [Worker(n + 1, config, self.folder).start() for n in range(count)]
        wait_until(f"{count} workers up", lambda: all(w.said(r"worker: \d+ sources") for w in workers), 180.0, workers)
        return workers

    def cpu(self, workers: list[Worker]) -> float:
        return sum(tree_cpu(w.pid) for w in workers)

    def run(self, count: int) -> Run:
        import psycopg

        from watcher.store import Store

        url = self.pg.new_database()  # type: ignore[attr-defined]
        store = Store(url)  # made, and the sources stored as not due, before any worker starts
        for s in self.sources:
            store.sources.ensure(s["id"], s["url"], s["type"])
        store.db.execute("UPDATE sources SET next_poll_at = ?", [NOT_DUE])
        store.db.close()
        r = Run(count)
        for w in (self.folder / f"worker-{n + 1}.log" for n in range(count)):
            w.unlink(missing_ok=True)
        with psycopg.connect(url, autocommit=True) as db:
            def one(sql: str) -> int:
                return int(db.execute(sql).fetchone()[0])

            workers = self.start(count, self.config(url, "1h"))
            try:
                cpu, server = self.cpu(workers), self.server_cpu()
                start = time.monotonic()
                db.execute("UPDATE sources SET next_poll_at = NULL")
                n = len(self.sources) * polling.ITEMS
                with TurnSampler(url) as turns:
                    r.made_s = wait_until(f"{n} alerts", lambda: one("SELECT COUNT(*) FROM alerts") >= n, 600.0,
                                          workers)
                r.turn_held, r.turn_waiting = turns.held, turns.waiting
                wait_until(f"{n} deliveries", lambda: one("SELECT COUNT(*) FROM deliveries WHERE status = 'sent'")
                           >= n, 600.0, workers)
                r.sent_s = time.monotonic() - start
                r.alerts = one("SELECT COUNT(*) FROM alerts")
                r.first_server_cpu = self.server_cpu() - server
                r.first_cpu = self.cpu(workers) - cpu + r.first_server_cpu
            finally:
                for w in workers:
                    w.stop()
            db.execute("UPDATE sources SET next_poll_at = NULL")  # due at once, then every second
            workers = self.start(count, self.config(url, "1s"))
            try:
                time.sleep(WARM)
                log = polling.AccessLog(self.access)
                log.since_mark()
                cpu, server, start = self.cpu(workers), self.server_cpu(), time.monotonic()
                for _ in range(SLICES):
                    begun = time.monotonic()
                    time.sleep(self.args.seconds / SLICES)
                    polls = log.since_mark()[2]
                    r.rates.append(rate(polls, time.monotonic() - begun))
                    r.polls += polls
                r.poll_server_cpu = self.server_cpu() - server
                r.poll_cpu = self.cpu(workers) - cpu + r.poll_server_cpu
                r.window = time.monotonic() - start
            finally:
                for w in workers:
                    w.stop()
        return r

    def sqlite_once(self, sources: bool) -> tuple[float, float]:
        """CPU seconds and wall time of `watcher run --once` on the SQLite file (over no source: its start)."""
        database = self.folder / "watcher.db"
        config = self.config(database, "1h", sources)
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "watcher", "run", "--once", "--config", str(config)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        if os.waitstatus_to_exitcode(status):
            sys.exit(f"watcher run --once failed:\n{proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
        return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=15.0, help="the polls window (default 15)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts (default 1,2,4)")
    parser.add_argument("--copies", action="store_true",
                        help="every item a copy of one template (story placement's worst case: each article a "
                             "candidate of all the others) instead of a story of its own")
    args = parser.parse_args()
    if not shutil.which("nginx"):
        sys.exit("skipped: nginx not installed (apt-get install nginx-light)")
    counts = [int(c) for c in args.workers.split(",")]
    polling.ITEMS = 1  # one item a feed: one article, one alert, one delivery per source
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    began = time.monotonic()
    with cluster() as pg, tempfile.TemporaryDirectory(prefix="watcher-scale-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx workers run unprivileged
        if args.copies:
            polling.write_feeds(work / "site", args.sources, 0)
        else:
            write_stories(work / "site", args.sources)
        access = work / "access.log"
        receiver = WebhookReceiver().start()
        try:
            with polling.nginx(work / "site", polling.free_port(), access) as base:
                bench = Bench(args, pg, base, work, access, receiver)
                runs = []
                for count in counts:
                    runs.append(bench.run(count))
                    print_run(runs[-1], args.sources)
                # the start alone, the least of three (one slow start would take a poll cycle's worth off)
                idle_cpu, idle_wall = min(bench.sqlite_once(False) for _ in range(3))
                first_cpu, first_wall = bench.sqlite_once(True)
                again_cpu, again_wall = bench.sqlite_once(True)
        finally:
            receiver.stop()
    n = args.sources
    print(f"cores: {os.cpu_count()}; sources: {n}; load average at the start {load}, at the end "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; server: nginx on 127.0.0.1")
    one, most = runs[0], runs[-1]
    if len(runs) > 1:
        polls = most.polls_per_s / max(one.polls_per_s, 1e-9)
        print(f"scaling, {most.workers} workers vs {one.workers}: polls/s x{polls:.2f}, "
              f"alerts made/s x{one.made_s / most.made_s:.2f}, alerts delivered/s x{one.sent_s / most.sent_s:.2f} "
              f"(on {os.cpu_count()} cores: past the cores, workers share them)")
    sqlite_first = (first_cpu - idle_cpu, first_wall - idle_wall)
    sqlite_again = (again_cpu - idle_cpu, again_wall - idle_wall)
    print(f"SQLite, watcher run --once (its start, {idle_cpu:.2f}s CPU {idle_wall:.2f}s wall, taken off): "
          f"first poll {rate(n, sqlite_first[1]):.0f} sources/s, conditional poll {rate(n, sqlite_again[1]):.0f}/s")
    print("cost per source, in ms (CPU / wall):")
    print(f"  first poll (article, alert, delivery): SQLite {ms(sqlite_first[0], n)} / {ms(sqlite_first[1], n)}; "
          f"PostgreSQL, 1 worker {ms(one.first_cpu, n)} / {ms(one.sent_s, n)} (of it the server's CPU "
          f"{ms(one.first_server_cpu, n)}); CPU ratio PG/SQLite x{one.first_cpu / max(sqlite_first[0], 1e-9):.2f}")
    print(f"  conditional poll (304): SQLite {ms(sqlite_again[0], n)} / {ms(sqlite_again[1], n)}; PostgreSQL, "
          f"1 worker {ms(one.poll_cpu, one.polls)} / {ms(one.window, one.polls)} (of it the server's CPU "
          f"{ms(one.poll_server_cpu, one.polls)}); CPU ratio PG/SQLite "
          f"x{(one.poll_cpu / max(one.polls, 1)) / max(sqlite_again[0] / n, 1e-9):.2f}")
    print(f"total {time.monotonic() - began:.0f}s")


def write_stories(site: Path, n: int) -> None:
    """`n` RSS feeds of one item each, every item a story of its own (a town, two projects, figures and a
    speaker of their own), so that placing them costs what it costs with real news (a few candidates each);
    every one mentions the council (the rule's keyword). No links: the items are stored from the feed."""
    import random
    from email.utils import format_datetime

    (site / "f").mkdir(parents=True, exist_ok=True)
    for i in range(n):
        r = random.Random(i)
        town = (SYLLABLES[i % len(SYLLABLES)] + SYLLABLES[(i // len(SYLLABLES) + 7 * i) % len(SYLLABLES)]
                + r.choice(("ford", "by", "ham", "wick", "stead", "mouth"))).capitalize()
        first, second = r.sample(THINGS, 2)
        person = (r.choice(SYLLABLES) + r.choice(SYLLABLES)).capitalize()
        money, votes, weeks = r.randrange(100, 9900) * 1000, r.randrange(10, 40), r.randrange(3, 60)
        title = f"{town} council {r.choice(DOINGS)} {first} plan worth {money:,} euros"
        said = [
            f"The council of {town} {r.choice(DOINGS)} the {first} plan by {votes} votes to {r.randrange(2, 9)}.",
            f"{cap(r.choice(SAYERS))}, {person}, said the {second} would wait {weeks} weeks.",
            f"Asked about the {r.choice(THINGS)}, {person} told reporters: \"We have {r.randrange(2, 9)} options.\"",
            f"Work on {second} in {town} was first promised in {r.randrange(1990, 2024)}.",
            f"Since then, costs have risen by {r.randrange(5, 80)} percent, according to {r.choice(SAYERS)}.",
            f"How {r.randrange(2, 90)} jobs at the {r.choice(THINGS)} would be paid for remains unclear.",
            f"Residents of {person}ton, north of {town}, {r.choice(DOINGS)} a petition of {votes * 41} names.",
            f"If nothing changes by {r.choice(('March', 'June', 'October'))}, {r.choice(SAYERS)} will go to court.",
            f"Neither the mayor nor {r.choice(SAYERS)} would comment on the {money // 1000}k figure.",
            f"In a vote that surprised few, {town}'s {first} budget was {r.choice(DOINGS)} again.",
        ]
        text = " ".join([said[0], *r.sample(said[1:], 3)])
        when = format_datetime(datetime(2026, 11, 30, 8, tzinfo=timezone.utc) + timedelta(minutes=i), usegmt=True)
        (site / "f" / f"{i:05d}.xml").write_text(
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Outlet {i}</title>'
            f"<link>https://outlet{i}.example/</link><description>News</description><item><title>{title}</title>"
            f'<guid isPermaLink="false">outlet-{i}-{town}</guid><pubDate>{when}</pubDate>'
            f"<description>{text}</description></item></channel></rss>", encoding="utf-8")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def rate(count: float, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0


def ms(seconds: float, count: int) -> str:
    return f"{1000 * seconds / max(count, 1):.2f}"


def print_run(r: Run, sources: int) -> None:
    print(f"{r.workers} worker{'s' if r.workers > 1 else ' '}: polls {r.polls_per_s:6.0f}/s "
          f"(median of {[round(x) for x in r.rates]}; {r.polls} in {r.window:.1f}s, CPU {r.poll_cpu:.1f}s of which "
          f"the server {r.poll_server_cpu:.1f}s); "
          f"alerts made {rate(r.alerts, r.made_s):5.0f}/s, delivered {rate(r.alerts, r.sent_s):5.0f}/s "
          f"(placement turn held {100 * r.turn_held:.0f}% of the time, {r.turn_waiting:.1f} workers waiting; "
          f"{ms(r.turn_held * r.made_s, r.alerts)} ms an alert, so one at a time it allows at most "
          f"{rate(r.alerts, r.turn_held * r.made_s):.0f} alerts/s, x{1 / max(r.turn_held, 1e-9):.1f} this run's) "
          f"({r.alerts} alerts from {sources} sources: {r.made_s:.1f}s, {r.sent_s:.1f}s; CPU {r.first_cpu:.1f}s)",
          flush=True)


if __name__ == "__main__":
    main()
