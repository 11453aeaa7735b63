"""No alert lost, none sent twice but for an unknown outcome: several `watcher worker` processes on one PostgreSQL
store while one of them is killed -9 again and again.

A local newsroom (an HTTP server in this process) serves `--sources` RSS feeds whose stories come in over time:
feed j publishes story (j, k) at a random offset plus k times the period, each with its page; a quarter of the
stories are also listed by the feed before (another URL, the same page), so two workers often store one story at
once. Two stories in three are about new buses and match the one rule (keyword "buses"), which notifies one
json:// channel on a real webhook receiver (tests/receivers.py) that holds each request 0.1 s before answering.
The cluster is the tests' (an unprivileged PostgreSQL in a temporary folder, tests/postgres.py).

`--workers` workers poll the feeds every `--interval` seconds. During the publishing window `--kills` times, at
random moments, one worker (every other time the one holding the sender's lock, when one takes it within
SENDER_WAIT seconds: it holds it only while it sends) is frozen with SIGSTOP, the store and the receiver are
read, then it gets SIGKILL and is started again. A delivery the receiver has already accepted while its outbox
row is still `pending` under the frozen sender is a send in flight: its outcome is unknown (the receiver got it,
the store never recorded it), and it may honestly arrive once more.
Then publishing stops; every feed is read again, and everything due is delivered.

Printed: stories served and alerts expected (stories served that the rule matches), alerts received, lost
(expected, never received: must be 0), duplicates, and how many of them a send in flight at a kill explains,
with the elapsed times and the delay from a story's publication to its alert. Exit 1 when anything was lost, a
duplicate is not explained, a story has two alerts in the store, or an alert came that no story served should
have made.

    python benchmarks/kill_workers.py [--sources 500] [--kills 20] [--workers 3] [--window 150] [--seed N]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from fleet import Worker, cluster, wait_until, write_config

from tests.pages import news_page, rss
from tests.receivers import WebhookReceiver
from tests.webserver import Route, WebServer

RULES = """\
rules:
  - id: new-buses
    title: "Council orders new buses"
    match:
      keywords: [buses]
    notify: [desk]
"""
CROSS = 4  # every CROSS-th story is also listed by the feed before its own
SENDER_WAIT = 3.0  # seconds a kill of the sender waits for a worker to take the sender's lock
SETTLE = 0.3  # seconds a frozen worker's last bytes get to reach the receiver and the database
RECEIVER_DELAY = 0.1  # seconds the receiver holds each request (a send in flight for that long)
DRAIN_LIMIT = 240.0  # seconds after publishing stops for every story to be alerted
SENDER_LOCK = 0x77617465  # watcher.run.worker.SENDER_LOCK
REF = re.compile(r"\bref (\d+)-(\d+)\b")

_FIRST = ["Ash", "Bram", "Carl", "Dun", "Elm", "Fen", "Glen", "Hart", "Ivel", "Kel", "Lang", "Mill", "Nor", "Oak",
          "Pen", "Quen", "Red", "Stam", "Thorn", "Uck", "Vent", "Weth", "Yar", "Zen", "Brad", "Crom", "Dor", "Ex",
          "Farn", "Gos", "Hal", "Kes", "Lud", "Marl", "Nant", "Ors", "Pick", "Ross", "Sel", "Tad"]
_LAST = ["ford", "ley", "ton", "bury", "wick", "field", "mouth", "bridge", "ham", "stead", "worth", "by", "dale",
         "gate", "well", "hurst", "moor", "combe", "hithe", "minster"]
_GIVEN = ["Margaret", "Tom", "Priya", "Fergus", "Helen", "Gareth", "Isla", "Daniel", "Sofia", "Liam", "Ruth",
          "Ahmed", "Claire", "Owen", "Beatrice", "Callum", "Moira", "Kerensa", "Victor", "Nadia", "Simon", "Jenny",
          "Harriet", "Peter", "Tamsin", "Graham", "Elaine", "Rhys", "Fiona", "Martin"]
_FAMILY = ["Ellis", "Okafor", "Nair", "Doyle", "Carter", "Hughes", "Murray", "Price", "Rossi", "Walsh", "Campbell",
           "Siddiqui", "Dubois", "Pritchard", "Hale", "Reid", "Fraser", "Pascoe", "Lang", "Petrova", "Archer",
           "Marsh", "Cole", "Nowak", "Trewin", "Thorne", "Moss", "Morgan", "Grant", "Shaw", "Lindqvist", "Adeyemi",
           "Kowalski", "Brennan", "Haddad", "Ferreira", "Yilmaz", "Novak", "Lucas", "Bianchi"]
_MAKERS = ["Volvo", "Alexander Dennis", "Wrightbus", "Optare", "Yutong", "Scania", "Mellor"]


@dataclass(frozen=True)
class Story:
    feed: int
    number: int
    title: str
    paragraphs: list[str]
    about_buses: bool

    @property
    def ref(self) -> tuple[int, int]:
        return (self.feed, self.number)


def make_story(feed: int, number: int, feeds: int) -> Story:
    """Story `number` of `feed`: its own town, people and figures (so no two are one story), about new buses
    (two in three: the rule matches) or about a library."""
    s = number * feeds + feed
    town = _FIRST[s % len(_FIRST)] + _LAST[(s // len(_FIRST)) % len(_LAST)]
    person = f"{_GIVEN[s % len(_GIVEN)]} {_FAMILY[(s // len(_GIVEN)) % len(_FAMILY)]}"
    count, cost, route = 3 + s % 41, 1 + (s * 7) % 97 / 10, 100 + s
    ref = f"ref {feed}-{number}"
    if s % 3:
        maker = _MAKERS[s % len(_MAKERS)]
        title = f"{town} council orders {count} new buses for route {route} ({ref})"
        paragraphs = [
            f"{town} Town Council voted on Tuesday to buy {count} new electric buses from {maker} for route {route}.",
            f"Councillor {person}, who chairs the transport committee, said the buses would cut waiting times in "
            f"{town} by a third.",
            f"The order is expected to cost about {cost:.1f} million pounds; chargers will be installed at the "
            f"depot on {person.split()[1]} Street.",
            f"Passenger groups in {town} welcomed the vote but asked how many old vehicles on route {route} "
            "would be kept in reserve.",
        ]
        return Story(feed, number, title, paragraphs, True)
    title = f"{town} library to open on Sundays from week {count} ({ref})"
    paragraphs = [
        f"The library in {town} will open on Sundays from week {count}, the council's culture lead {person} said.",
        f"Extra hours will cost about {cost:.1f} thousand pounds a year, paid from the reading room fund {route}.",
        f"Readers in {town} had asked for weekend hours in a petition signed by {route * 3} people last spring.",
        f"{person} said volunteers would run the children's corner and the local history desk on Sundays.",
    ]
    return Story(feed, number, title, paragraphs, False)


class Newsroom:
    """The feeds and pages, as functions of the time since `start()`; what each feed served is recorded."""

    def __init__(self, feeds: int, period: float, window: float, seed: int) -> None:
        rng = random.Random(seed)
        self.feeds, self.period, self.window = feeds, period, window
        self.offsets = [rng.uniform(0, period) for _ in range(feeds)]
        self.started: float | None = None  # time.monotonic() of the first publication
        self.wall_start = datetime.now(timezone.utc)
        self.served: set[tuple[int, int]] = set()  # refs of the stories some feed listed in an answer
        self.last_tag: dict[int, str] = {}  # the ETag of each feed's last answer
        self.lock = threading.Lock()
        self._stories: dict[tuple[int, int], Story] = {}
        self._web = WebServer(answer=self.answer)
        self.base = self._web.base

    def start(self) -> None:
        self.started = time.monotonic()
        self.wall_start = datetime.now(timezone.utc)

    def elapsed(self) -> float:
        return 0.0 if self.started is None else min(time.monotonic() - self.started, self.window)

    def published_at(self, feed: int, number: int) -> float:
        return self.offsets[feed] + number * self.period

    def count(self, feed: int, at: float) -> int:
        """Stories of `feed` published by `at` seconds."""
        return 0 if at < self.offsets[feed] else int((at - self.offsets[feed]) // self.period) + 1

    def story(self, feed: int, number: int) -> Story:
        if (feed, number) not in self._stories:
            self._stories[(feed, number)] = make_story(feed, number, self.feeds)
        return self._stories[(feed, number)]

    def listing(self, feed: int, at: float) -> tuple[str, list[tuple[Story, str]]]:
        """The feed's ETag and its (story, path) items at `at` seconds: its own stories, and the next feed's
        stories of every CROSS-th number under another path."""
        nxt = (feed + 1) % self.feeds
        own, other = self.count(feed, at), self.count(nxt, at)
        items = [(self.story(feed, k), f"/news/{feed}/{k}.html") for k in range(own)]
        items += [(self.story(nxt, k), f"/wire/{nxt}/{k}.html") for k in range(other) if (nxt + k) % CROSS == 0]
        return f'"{own}-{other}"', items

    def final_tags(self) -> dict[int, str]:
        return {i: self.listing(i, self.window)[0] for i in range(self.feeds)}

    def feed_body(self, feed: int, items: list[tuple[Story, str]]) -> bytes:
        entries = [{"title": s.title, "link": self.base + path, "guid": path, "summary": s.paragraphs[0],
                    "published": self.wall_start + timedelta(seconds=self.published_at(*s.ref))} for s, path in items]
        return rss(entries, title=f"Outlet {feed}").replace(b"{{BASE}}", self.base.encode())

    def answer(self, path: str) -> Route | None:
        """What the server answers at `path` now (None: 404); a feed's listing is recorded as served."""
        feed = re.fullmatch(r"/feed/(\d+)\.xml", path)
        page = re.fullmatch(r"/(?:news|wire)/(\d+)/(\d+)\.html", path)
        if feed and int(feed[1]) < self.feeds:
            tag, items = self.listing(int(feed[1]), self.elapsed())
            with self.lock:
                self.served.update(s.ref for s, _ in items)
                self.last_tag[int(feed[1])] = tag
            return Route(self.feed_body(int(feed[1]), items), content_type="application/rss+xml", etag=tag)
        if page:
            s = self.story(int(page[1]), int(page[2]))
            return Route(news_page(s.title, s.paragraphs, outlet=f"Outlet {s.feed}"))
        return None

    def __enter__(self) -> Newsroom:
        self._web.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._web.__exit__(*exc)


@dataclass
class Kill:
    at: float  # seconds into the publishing window
    worker: int
    sender: bool  # it held the sender's lock
    in_flight: set[tuple[int, int]] = field(default_factory=set)  # refs received, still pending in the outbox


class Reads:
    """Reads of the store and of the queue, on one autocommit session."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        try:
            return self.conn.execute(sql, params).fetchall()
        except psycopg.errors.UndefinedTable:
            return []

    def sender_pid(self) -> int | None:
        rows = self.rows("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                         "WHERE l.locktype = 'advisory' AND l.granted AND l.objid::bigint = %s AND l.database = "
                         "(SELECT oid FROM pg_database WHERE datname = current_database())", (SENDER_LOCK,))
        found = re.search(r"pid (\d+)", rows[0][0]) if rows else None
        return int(found[1]) if found else None

    def pending(self) -> set[tuple[int, int]]:
        """Refs of the alerts with a delivery not yet recorded as sent."""
        rows = self.rows("SELECT a.body FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
                         "WHERE d.status = 'pending'")
        return {ref for (body,) in rows if (ref := ref_of(body))}

    def count(self, sql: str) -> int:
        rows = self.rows(sql)
        return int(rows[0][0]) if rows else -1


def ref_of(text: str) -> tuple[int, int] | None:
    found = REF.search(text)
    return (int(found[1]), int(found[2])) if found else None


def kill_times(rng: random.Random, kills: int, window: float) -> list[float]:
    """`kills` random moments in the window, at least a second and a half apart (a restart takes about one)."""
    times: list[float] = []
    for t in sorted(rng.uniform(3.0, window - 2.0) for _ in range(kills)):
        times.append(max(t, times[-1] + 1.5) if times else t)
    return times


def sender_among(workers: list[Worker], store: Reads, wait: float) -> Worker | None:
    """The worker holding the sender's lock, looked for during `wait` seconds (none if none took it)."""
    deadline = time.monotonic() + wait
    while True:
        sender = store.sender_pid()
        holder = next((w for w in workers if w.pid == sender), None)
        if holder is not None or time.monotonic() >= deadline:
            return holder
        time.sleep(0.01)


def kill_one(number: int, workers: list[Worker], store: Reads, receiver: WebhookReceiver, rng: random.Random,
             room: Newsroom, last_kill: float) -> Kill:
    """Freeze a worker, read what it was sending, kill it -9, start it again."""
    holder = sender_among(workers, store, SENDER_WAIT if number % 2 == 1 else 0.0)
    victim = holder if number % 2 == 1 and holder else rng.choice(workers)
    os.kill(victim.pid, signal.SIGSTOP)  # it does nothing more until the SIGKILL
    time.sleep(SETTLE)
    holds = store.sender_pid() == victim.pid
    in_flight: set[tuple[int, int]] = set()
    if holds:  # what it sent since the last kill and has not recorded: only the send it was making
        since = {ref_of(a.message) for a in receiver.snapshot() if a.at > last_kill}
        in_flight = store.pending() & since
    victim.kill()
    kill = Kill(room.elapsed(), victim.number, holds, in_flight)
    victim.start()
    return kill


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=500, help="feeds (default 500)")
    parser.add_argument("--kills", type=int, default=20, help="kill -9 of a worker (default 20)")
    parser.add_argument("--workers", type=int, default=3, help="worker processes (default 3)")
    parser.add_argument("--window", type=float, default=150.0, help="seconds stories are published (default 150)")
    parser.add_argument("--period", type=float, default=100.0,
                        help="seconds between two stories of one feed (default 100: 1.5 stories a feed)")
    parser.add_argument("--interval", type=int, default=10, help="seconds between two polls of a feed (default 10)")
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    began = time.monotonic()
    with cluster() as pg, tempfile.TemporaryDirectory(prefix="watcher-kills-") as tmp, \
            Newsroom(args.sources, args.period, args.window, args.seed) as room:
        folder = Path(tmp)
        receiver = WebhookReceiver(delay=RECEIVER_DELAY).start()
        url = pg.new_database()
        (folder / "rules.yaml").write_text(RULES)
        sources = [{"id": f"outlet-{i:04d}", "url": f"{room.base}/feed/{i}.xml", "type": "feed",
                    "baseline": False} for i in range(args.sources)]
        config = write_config(folder, url, sources, rules="rules.yaml",
                              defaults={"interval": f"{args.interval}s", "timeout": "10s"},
                              delivery={"retry": "1s", "admin": None},
                              channels={"desk": {"urls": [f"json://{receiver.base}/desk"]}})
        workers = [Worker(n + 1, config, folder).start() for n in range(args.workers)]
        store = Reads(url)
        kills: list[Kill] = []
        try:
            setup = wait_until("first poll of every feed", lambda: len(room.last_tag) == args.sources, 180.0,
                               workers, every=0.5)
            print(f"{args.workers} workers up, every one of {args.sources} feeds read once: "
                  f"{time.monotonic() - began:.1f}s after the start ({setup:.1f}s after the workers')", flush=True)
            room.start()
            last_kill = time.monotonic()
            for n, at in enumerate(kill_times(rng, args.kills, args.window)):
                time.sleep(max(0.0, at - room.elapsed()))
                kills.append(kill_one(n, workers, store, receiver, rng, room, last_kill))
                last_kill = time.monotonic()
            time.sleep(max(0.0, args.window - room.elapsed()))
            frozen = time.monotonic()
            final = room.final_tags()
            print(f"publishing stopped after {args.window:.0f}s and {len(kills)} kills", flush=True)

            def drained() -> bool:
                with room.lock:
                    served = set(room.served) if room.last_tag == final else None
                if served is None:
                    return False
                want = {r for r in served if room.story(*r).about_buses}
                got = {ref_of(a.message) for a in receiver.snapshot()}
                return want <= got and store.count("SELECT COUNT(*) FROM deliveries WHERE status <> 'sent'") == 0

            deadline = frozen + DRAIN_LIMIT
            while not drained() and time.monotonic() < deadline:
                time.sleep(0.5)
            drain = time.monotonic() - frozen
            jobs = {f"{task} {status}": n for task, status, n in store.rows(
                "SELECT task_name, status, COUNT(*) FROM procrastinate_jobs GROUP BY 1, 2 ORDER BY 1, 2")}
            stored = Counter(ref_of(f"{title} {body}") for title, body in store.rows("SELECT title, body FROM alerts"))
            exits = [w.stop() for w in workers]
            logs = "".join(w.log.read_text(errors="replace") for w in workers)
            recovered = (f"jobs of killed workers queued again {logs.count('of a stalled worker queued again')}, "
                         f"closed as a newer one waited {logs.count('of a stalled worker closed')}, "
                         f"errors logged {len(re.findall(r' ERROR ', logs))}, tracebacks {logs.count('Traceback')}")
        finally:
            for w in workers:
                if w.proc is not None and w.proc.returncode is None:
                    w.kill()
            receiver.stop()
        ok = report(room, receiver, kills, args, setup, drain, jobs, stored, exits)
        print(recovered)
    print(f"total {time.monotonic() - began:.0f}s")
    sys.exit(0 if ok else 1)


def report(room: Newsroom, receiver: WebhookReceiver, kills: list[Kill], args: argparse.Namespace, setup: float,
           drain: float, jobs: dict, stored: Counter, exits: list[int]) -> bool:
    """The figures; whether nothing was lost, every duplicate received is a send in flight at a kill made again,
    and no story has two alerts in the store (two alerts are two sends: a kill would not explain them)."""
    arrivals = receiver.snapshot()
    copies = Counter(ref_of(a.message) for a in arrivals)
    expected = {r for r in room.served if room.story(*r).about_buses}
    lost = expected - set(copies)
    unexpected = {r: n for r, n in copies.items() if r not in expected}
    in_flight = Counter(r for k in kills for r in k.in_flight)
    duplicates = {r: n for r, n in copies.items() if n > 1}
    stored_twice = {r: n for r, n in stored.items() if n > 1}
    explained = {r for r, n in duplicates.items() if n - 1 <= in_flight[r] and stored[r] == 1}
    first = {}
    for a in arrivals:
        first.setdefault(ref_of(a.message), a.at)
    assert room.started is not None
    delays = sorted(first[r] - room.started - room.published_at(*r) for r in expected if r in first)
    print(f"sources {args.sources}, workers {args.workers}, kills {len(kills)} "
          f"({sum(k.sender for k in kills)} of the sender, {sum(bool(k.in_flight) for k in kills)} with a send in "
          f"flight), window {args.window:.0f}s, poll interval {args.interval}s")
    print(f"stories served {len(room.served)}, alerts expected {len(expected)}, alerts stored {sum(stored.values())}, "
          f"alerts received {len(set(copies) & expected)} ({len(arrivals)} requests)")
    print(f"lost {len(lost)}{' ' + str(sorted(lost)[:20]) if lost else ''}")
    print(f"duplicates {len(duplicates)}, of which an unknown outcome at a kill explains {len(explained)} "
          f"(sends in flight at the kills: {sum(in_flight.values())})"
          + (f"; unexplained: {sorted(set(duplicates) - explained)}" if set(duplicates) - explained else ""))
    if stored_twice:
        print(f"stories with more than one alert stored: {dict(list(stored_twice.items())[:20])}")
    if unexpected:
        print(f"alerts no story served should have made: {dict(list(unexpected.items())[:20])}")
    if delays:
        print(f"publication to alert received: median {statistics.median(delays):.1f}s, "
              f"95th percentile {delays[int(0.95 * (len(delays) - 1))]:.1f}s, max {delays[-1]:.1f}s")
    print(f"elapsed: start to every feed read {setup:.1f}s, publishing {args.window:.0f}s, drain (publishing "
          f"stopped to the last alert received) {drain:.1f}s; queue left: {jobs}; exits after SIGTERM: {exits}")
    return not lost and explained == set(duplicates) and not unexpected and not stored_twice


if __name__ == "__main__":
    main()
