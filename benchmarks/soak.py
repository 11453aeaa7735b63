"""Soak: the real daemon for minutes on end against a local web with faults injected.

`watcher run --config F` runs as a subprocess (with `server:` set, so
`/healthz` is served) against two web servers on 127.0.0.1 that this script
runs itself, and four webhook receivers, one channel each:

- feeds whose items change while it runs (new items every tick, old ones
  edited and rolled out of the feed); two thirds of the new articles match the
  rule, so alerts keep coming;
- bad links among the items of one feed: `http://xn--/`, port 99999, a
  70,000-character link, a redirect to `http:\\host`; the feed's good items
  must still alert;
- a second host whose feed answers 429 and later 503 with `Retry-After`;
- huge pages: a listing page (`type: page`) of several MB that gains a link
  now and then, and articles of several MB;
- receivers: `fast` (answers at once), `slow` (answers after 6 s), `failing`
  (answers 500 / 429 for a while) and `refused` (not listening for a while);
- the rule file broken on disk (YAML syntax, wrong types, unknown key,
  non-UTF-8 bytes) and mended again, several times: hot reload must keep the
  rules in force.

Then publishing stops and the receivers get a bounded time to receive
everything. Printed: the daemon's RSS and open fds (from /proc/PID) at launch,
after warm-up and at the end; alerts expected vs delivered vs duplicated per
receiver (an alert is known by its article path, which the channel template
puts in each payload); `/healthz` latency (polled every 0.5 s). Targets, each
with PASS/FAIL (exit 1 when one fails): nothing lost; duplicates only where a
send's outcome was unknown (the receiver saw the sender hang up before it
answered); at most two copies of an alert at the 6 s receiver; RSS growth under
10%, median RSS of the last fifth of the run against the fifth after warm-up
(single samples land anywhere in the swing of a multi-MB document; both are printed).

    python benchmarks/soak.py [--minutes 10] [--keep]

The daemon imports `watcher` as this interpreter would from the work folder:
set PYTHONPATH to soak another checkout (e.g. a `git archive` of a commit).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pages import news_page, paragraphs, rss  # noqa: E402
from tests.receivers import free_port  # noqa: E402
from tests.webserver import Route, WebServer  # noqa: E402

KEYWORD = "reservoir"
RULE_ID = "reservoir-works"
RECEIVERS = {"fast": 0.0, "slow": 6.0, "failing": 0.0, "refused": 0.0}  # name -> seconds before answering
ARTICLE = re.compile(r"/news/2026/12/([a-z0-9-]+)\.html")
FEEDS = ("news-1", "news-2", "mixed", "throttled")
WINDOW = 12  # items a feed lists (older ones roll out)
HUGE_ARTICLE_MB = 3
HUGE_LISTING_MB = 5
HEALTH_EVERY = 0.5
HEALTH_TIMEOUT = 10.0
MAX_COPIES_SLOW = 2  # issue 12: each alert at most twice against a 6 s receiver
RSS_GROWTH = 0.10
TOWNS = ["Ashford", "Bramley", "Castleton", "Dunmore", "Eastleigh", "Fairhaven", "Glenrock", "Hartwell",
         "Ivybridge", "Jesmond", "Kelso", "Langford", "Millbrook", "Northgate", "Oakham", "Penrith", "Redruth",
         "Stamford", "Thornbury", "Uckfield", "Ventnor", "Wetherby", "Yarmouth", "Zennor"]


# -- the local web ------------------------------------------------------------------

@dataclass
class Item:
    guid: str
    title: str
    link: str
    summary: str
    published: datetime


@lru_cache(maxsize=2)
def filler(megabytes: int) -> tuple[str, ...]:
    """Paragraphs of council minutes adding up to about `megabytes` MB (none mentions the rule's keyword)."""
    out, size, i = [], 0, 0
    while size < megabytes * 1_000_000:
        town = TOWNS[i % len(TOWNS)]
        line = (f"Archive note {i}: the {town} committee minutes for session {i // 7} list {i * 7 % 97} items on "
                f"parking, {i * 13 % 89} on street lighting and {i % 11} complaints about late bins in ward {i % 17}.")
        out.append(line)
        size += len(line) + 7
        i += 1
    return tuple(out)


class Site:
    """What the two hosts serve, changed tick by tick; `expected` holds the slugs of matching articles listed."""

    def __init__(self, web: WebServer, throttled: WebServer) -> None:
        self.web, self.throttled = web, throttled
        self.items: dict[str, list[Item]] = {f: [] for f in FEEDS}
        self.listing: list[tuple[str, str]] = []  # (link, title) on the huge page
        self.expected: set[str] = set()
        self.origin: dict[str, str] = {}  # slug -> the source that lists it
        self.count = 0
        self.faults = {"bad links": 0, "huge articles": 0, "huge page versions": 0, "items edited": 0,
                       "429 answered": 0, "503 answered": 0}
        self._throttle: tuple[str, int, int] | None = None  # (path, status, answers before it was set)

    def server(self, feed: str) -> WebServer:
        return self.throttled if feed == "throttled" else self.web

    def article(self, feed: str | None, matches: bool, huge: bool = False) -> tuple[str, str]:
        """A new article page; listed in `feed` (or on the huge page when None). Returns (link, title)."""
        self.count += 1
        n, town = self.count, TOWNS[self.count % len(TOWNS)]
        what = f"{KEYWORD} repairs" if matches else "library hours"
        slug = f"{n:03d}-{town.lower()}-{what.split()[0]}"
        homes = 100 + n * 37 % 900
        title = (f"{town} {KEYWORD} repairs to restore supply to {homes} homes" if matches
                 else f"{town} library opens {n % 5 + 2} new reading rooms")
        paras = [f"The {what} in {town}, item {n} on the council list, affect {homes} households and "
                 f"{n * 3 % 40 + 5} businesses, the {TOWNS[(n + 5) % len(TOWNS)]} office said."]
        paras += paragraphs(f"{town} {what} scheme {n}")
        if huge:
            paras += filler(HUGE_ARTICLE_MB)
            self.faults["huge articles"] += 1
        path = f"/news/2026/12/{slug}.html"
        server = self.server(feed or "")
        server.route(path, Route(news_page(title, paras, outlet=f"{town} Courier", date="2026-12-01")))
        if matches:
            self.expected.add(slug)
        self.origin[slug] = feed or "archive"
        if feed is not None:
            summary = f"{title}. Item {n} of the {town} council list."
            self.items[feed].append(Item(f"soak-{slug}", title, "{{BASE}}" + path, summary, datetime.now(timezone.utc)))
        return server.url(path), title

    def bad_links(self) -> None:
        """Four items whose links break a fetcher in four ways; none of them matches the rule."""
        n = self.faults["bad links"] // 4
        redirect = f"/go/backslash-{n}"
        port = self.web.base.rsplit(":", 1)[1]
        self.web.route(redirect, Route(status=302, headers={"Location": f"http:\\\\127.0.0.1:{port}\\news\\{n}.html"}))
        links = [f"http://xn--/news-{n}.html", f"http://127.0.0.1:99999/news/2026/12/port-{n}.html",
                 "{{BASE}}/news/2026/12/long-" + "x" * 70_000 + f"-{n}.html", "{{BASE}}" + redirect]
        for k, link in enumerate(links):
            self.items["mixed"].append(Item(f"soak-bad-{n}-{k}", f"Timetable notice {n}.{k}: page moved", link,
                                            "The bus timetable page has moved.", datetime.now(timezone.utc)))
        self.faults["bad links"] += len(links)

    def edit(self, feed: str) -> None:
        """An item already listed gets a new title (same guid and link): no new alert."""
        if self.items[feed]:
            item = self.items[feed][0]
            item.title = item.title.removesuffix(" (updated)") + " (updated)"
            self.faults["items edited"] += 1

    def listing_link(self) -> None:
        self.listing.append(self.article(None, matches=True))
        self.faults["huge page versions"] += 1

    def publish(self) -> None:
        for feed, items in self.items.items():
            del items[:-WINDOW]
            body = rss([vars(i) for i in reversed(items)], title=f"Soak {feed}")
            if feed == "throttled" and self._throttle:
                continue  # the throttled route stays until it has been answered
            self.server(feed).route(f"/{feed}.xml", Route(body, content_type="application/rss+xml"))
        links = "".join(f'<li><a href="{link}">{title}</a></li>' for link, title in reversed(self.listing))
        page = (f"<!DOCTYPE html><html lang='en'><head><title>Council archive</title></head><body><main>"
                f"<h1>Council archive</h1><ul class='latest'>{links}</ul>"
                + "".join(f"<p>{p}</p>" for p in filler(HUGE_LISTING_MB)) + "</main></body></html>").encode()
        self.web.route("/archive/", Route(page, etag=f'"v{len(self.listing)}"'))

    def throttle(self, status: int, retry_after: str) -> None:
        """The throttled feed answers `status` with Retry-After until it has done so once."""
        path = "/throttled.xml"
        self._throttle = (path, status, self._answers(path, status))
        self.throttled.route(path, Route(b"busy", status, "text/plain", headers={"Retry-After": retry_after}))

    def unthrottle_when_answered(self) -> None:
        if self._throttle and self._answers(*self._throttle[:2]) > self._throttle[2]:
            self.faults[f"{self._throttle[1]} answered"] += 1
            self._throttle = None
            self.publish()

    def _answers(self, path: str, status: int) -> int:
        return sum(1 for p, s, _ in list(self.throttled.sent) if p == path and s == status)


# -- the receivers ---------------------------------------------------------------------

@dataclass
class Arrival:
    alert: str  # the article slug named in the payload ("" when none)
    at: float
    unknown: bool = False  # the sender hung up before the answer: it cannot know the outcome


def hung_up(sock: socket.socket) -> bool:
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


@dataclass
class Receiver:
    """A webhook receiver on its own port; the soak makes it fail (500/429) or stop listening for a while."""

    name: str
    delay: float = 0.0
    port: int = field(default_factory=free_port)
    arrivals: list[Arrival] = field(default_factory=list)
    notices: int = 0
    failing: bool = False
    errors_answered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._httpd: ThreadingHTTPServer | None = None

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def up(self) -> None:
        if self._httpd is not None:
            return
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 1 << 22))
                status, arrival = owner.take(self.path, body)
                if owner.delay:
                    time.sleep(owner.delay)
                    if hung_up(self.connection):
                        if arrival:
                            arrival.unknown = True
                        return
                try:
                    self.send_response(status)
                    if status == 429:
                        self.send_header("Retry-After", "5")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()

    def down(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def take(self, path: str, body: bytes) -> tuple[int, Arrival | None]:
        """Record one POST; the status to answer and the arrival it made (None for an error or a notice)."""
        try:
            message = str(json.loads(body).get("message", ""))
        except (ValueError, AttributeError):
            message = ""
        with self.lock:
            if self.failing:
                self.errors_answered += 1
                return (500 if self.errors_answered % 2 else 429), None
            if path.endswith("/admin"):
                self.notices += 1
                return 200, None
            found = ARTICLE.search(message)
            arrival = Arrival(found.group(1) if found else "", time.monotonic())
            self.arrivals.append(arrival)
            return 200, arrival

    def snapshot(self) -> list[Arrival]:
        with self.lock:
            return list(self.arrivals)


# -- the daemon's side ------------------------------------------------------------------------

RULE = """\
# version {version}
rules:
  - id: {rule_id}
    title: "Reservoir works"
    match:
      keywords: [{keyword}]
    notify: [fast, slow, failing, refused]
    once_per: article
"""
BAD_RULES = [
    ("YAML syntax", b"rules:\n  - id: reservoir-works\n    match: {keywords: [reservoir\n    notify: [fast\n"),
    ("wrong types", b"rules:\n  id: 5\n  match: [1, 2]\n  notify: 7\n"),
    ("unknown key", RULE.format(version=0, rule_id=RULE_ID, keyword=KEYWORD).replace("match:", "matchh:").encode()),
    ("non-UTF-8 bytes", b"rules:\n  - id: reservoir-\xff\xfeworks\n    title: \"\xc3\x28\"\n"),
]


def write_rules(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # the daemon never reads half a file; what it reads is the fault we meant


def write_config(work: Path, site: Site, receivers: dict[str, Receiver], health_port: int) -> Path:
    channels = {name: {"urls": [r.url(name)], "template": "soak-alert {{ url }}", "format": "text"}
                for name, r in receivers.items()}
    channels["admin"] = {"urls": [receivers["fast"].url("admin")]}
    sources = [{"id": f, "url": site.server(f).url(f"/{f}.xml"), "type": "feed", "baseline": False} for f in FEEDS]
    sources.append({"id": "archive", "url": site.web.url("/archive/"), "type": "page", "interval": "30s",
                    "baseline": False})
    config = {
        "database": "data/watcher.db",
        "rules": "rules/",
        "defaults": {"interval": "15s", "timeout": "10s"},
        "http": {"allow_private": True},
        "extract": {"workers": 1, "timeout": "20s"},
        "channels": channels,
        "delivery": {"retry": "5s", "max_retry": "30s"},
        "server": {"listen": f"127.0.0.1:{health_port}"},
        "sources": sources,
    }
    path = work / "watcher.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class Sample:
    at: float
    rss_mb: float
    fds: int
    children_mb: float


def sample(pid: int, start: float) -> Sample:
    """The daemon's resident memory and open fds, and its children's memory (the extraction workers)."""
    def rss(p: int | str) -> float:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    children = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    children += rss(entry.name)
            except (OSError, IndexError, ValueError):
                pass
    return Sample(time.monotonic() - start, rss(pid), len(os.listdir(f"/proc/{pid}/fd")), children)


class HealthProbe(threading.Thread):
    """GET /healthz every HEALTH_EVERY seconds: (latency, status or None when no answer)."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.samples: list[tuple[float, int | None]] = []
        self.halt = threading.Event()

    def ask(self) -> tuple[float, int | None]:
        t0 = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HEALTH_TIMEOUT)
        try:
            conn.request("GET", "/healthz")
            status: int | None = conn.getresponse().status
        except OSError:
            status = None
        finally:
            conn.close()
        return time.monotonic() - t0, status

    def run(self) -> None:
        while not self.halt.is_set():
            latency, status = self.ask()
            self.samples.append((latency, status))
            self.halt.wait(max(0.0, HEALTH_EVERY - latency))


def metrics(port: int) -> dict[str, float]:
    """The daemon's own delivery counts from /metrics, summed over channels."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HEALTH_TIMEOUT)
    try:
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode("utf-8", "replace")
    except OSError:
        return {}
    finally:
        conn.close()
    totals: dict[str, float] = {}
    for line in text.splitlines():
        name = line.split("{", 1)[0].split(" ", 1)[0]
        if name in ("watcher_alerts_sent_total", "watcher_alerts_failed_total", "watcher_alerts_dead_total",
                    "watcher_outbox_depth", "watcher_errors_total"):
            try:
                totals[name] = totals.get(name, 0.0) + float(line.rsplit(" ", 1)[1])
            except ValueError:
                pass
    return totals


# -- the run -------------------------------------------------------------------------------------

@dataclass
class Event:
    at: float  # seconds from the start
    what: str
    do: Callable[[], None]


def schedule(run: float, site: Site, receivers: dict[str, Receiver], rules: Path) -> list[Event]:
    """The faults, as fractions of the run, so a short run goes through all of them too."""
    events = [
        Event(0.15 * run, "failing receiver answers 500 / 429", lambda: setattr(receivers["failing"], "failing", True)),
        Event(0.45 * run, "failing receiver answers 200 again", lambda: setattr(receivers["failing"], "failing", False)),
        Event(0.30 * run, "refused receiver stops listening", receivers["refused"].down),
        Event(0.60 * run, "refused receiver listens again", receivers["refused"].up),
        Event(0.25 * run, "throttled host answers 429, Retry-After: 20", lambda: site.throttle(429, "20")),
        Event(0.65 * run, "throttled host answers 503, Retry-After in 15 s (a date)",
              lambda: site.throttle(503, format_datetime(datetime.now(timezone.utc) + timedelta(seconds=15), usegmt=True))),
    ]
    for i, (name, data) in enumerate(BAD_RULES):
        good = RULE.format(version=i + 1, rule_id=RULE_ID, keyword=KEYWORD).encode()
        events.append(Event((0.12 + 0.2 * i) * run, f"rule file broken: {name}", lambda d=data: write_rules(rules, d)))
        events.append(Event((0.20 + 0.2 * i) * run, "rule file mended", lambda d=good: write_rules(rules, d)))
    return sorted(events, key=lambda e: e.at)


def tick(k: int, site: Site) -> None:
    """Tick k of the web: a new article (two in three match), now and then bad links, edits, huge pages."""
    site.article(FEEDS[k % len(FEEDS)], matches=k % 3 != 2)
    if k % 4 == 2:
        site.bad_links()
    if k % 5 == 1:
        site.edit(FEEDS[k % 2])
    if k % 6 == 3:
        site.listing_link()
    if k % 10 == 4:
        site.article("news-2", matches=True, huge=True)
    site.publish()


def watcher_source(folder: Path) -> str:
    """Where the daemon's `watcher` package is imported from (PYTHONPATH may name another checkout)."""
    out = subprocess.run([sys.executable, "-c", "import watcher; print(watcher.__file__)"], cwd=folder,
                         capture_output=True, text=True, timeout=60, check=False)
    return str(Path(out.stdout.strip()).parent) if out.returncode == 0 else f"(not importable: {out.stderr.strip()[-200:]})"


def start_daemon(config: Path, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "watcher", "run", "--config", str(config)],
                                cwd=config.parent, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})


def stop_daemon(proc: subprocess.Popen) -> tuple[int | None, float]:
    """SIGTERM, then SIGKILL for the whole group if it is not gone in 30 s: (exit code, seconds to exit)."""
    t0 = time.monotonic()
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        code: int | None = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        code = None
    took = time.monotonic() - t0
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # extraction workers left behind, if any
    except (ProcessLookupError, PermissionError):
        pass
    if proc.poll() is None:
        proc.wait(timeout=10)
    return code, took


def fail_early(message: str, log: Path) -> None:
    tail = log.read_text(errors="replace")[-4000:] if log.exists() else ""
    sys.exit(f"soak: {message}\n--- daemon log (tail) ---\n{tail}")


def soak(minutes: float, work: Path) -> int:
    run = minutes * 60
    step = max(5.0, min(20.0, run / 30))  # seconds between ticks of the web
    drain = max(120.0, 0.25 * run)  # seconds the receivers get, after the run, to receive everything
    log = work / "daemon.log"
    receivers = {name: Receiver(name, delay) for name, delay in RECEIVERS.items()}
    for r in receivers.values():
        r.up()
    with WebServer() as web, WebServer() as throttled:
        site = Site(web, throttled)
        for feed in FEEDS:
            site.article(feed, matches=True)
        site.article("news-1", matches=False)
        site.bad_links()
        site.listing_link()
        site.publish()
        rules = work / "rules" / "soak.yaml"
        rules.parent.mkdir()
        write_rules(rules, RULE.format(version=0, rule_id=RULE_ID, keyword=KEYWORD).encode())
        health_port = free_port()
        config = write_config(work, site, receivers, health_port)
        probe = HealthProbe(health_port)

        proc = start_daemon(config, log)
        launched = time.monotonic()
        try:
            while probe.ask()[1] != 200:  # /healthz answers from before the first poll
                if proc.poll() is not None or time.monotonic() - launched > 60:
                    fail_early(f"/healthz never answered 200 (daemon exit code {proc.poll()})", log)
                time.sleep(0.2)
            start = time.monotonic()
            probe.start()
            at_launch = sample(proc.pid, start)
            print(f"soak: {minutes:g} min of `watcher run` (pid {proc.pid}); web on {web.base} and {throttled.base}; "
                  f"receivers on ports {', '.join(f'{n} {r.port}' for n, r in receivers.items())}; work folder {work}; "
                  f"watcher from {watcher_source(work)}", flush=True)
            events = schedule(run, site, receivers, rules)
            warm: Sample | None = None
            k, next_tick, next_sample = 0, start + step, start
            peak, trace = at_launch, [at_launch]
            while time.monotonic() - start < run:
                now = time.monotonic()
                if proc.poll() is not None:
                    fail_early(f"the daemon exited with {proc.returncode} at t+{now - start:.0f}s", log)
                while events and events[0].at <= now - start:
                    event = events.pop(0)
                    event.do()
                    print(f"  t+{now - start:4.0f}s  {event.what}", flush=True)
                if now >= next_tick:
                    tick(k, site)
                    k, next_tick = k + 1, next_tick + step
                site.unthrottle_when_answered()
                if now >= next_sample:
                    s = sample(proc.pid, start)
                    peak = s if s.rss_mb > peak.rss_mb else peak
                    trace.append(s)
                    next_sample = now + 5.0
                    if warm is None and s.at >= max(0.15 * run, min(60.0, 0.5 * run)) and receivers["fast"].snapshot():
                        warm = s  # Apprise loaded, every source polled, the first alerts sent
                time.sleep(0.25)
            for event in events:  # whatever was left (none, normally): mend it
                event.do()
            print(f"  t+{time.monotonic() - start:4.0f}s  publishing stopped; up to {drain:.0f}s for the "
                  f"receivers to get every alert", flush=True)

            drained_at = None
            while time.monotonic() - start < run + drain:
                if proc.poll() is not None:
                    fail_early(f"the daemon exited with {proc.returncode} while draining", log)
                site.unthrottle_when_answered()
                if all(site.expected <= {a.alert for a in r.snapshot()} for r in receivers.values()):
                    drained_at = time.monotonic() - start
                    break
                time.sleep(0.5)
            time.sleep(10.0)  # a moment more, for copies sent after the last first copy
            end = sample(proc.pid, start)
            own = metrics(health_port)
            probe.halt.set()
            probe.join(timeout=HEALTH_TIMEOUT + 1)
        finally:
            code, took = stop_daemon(proc)
            for r in receivers.values():
                r.down()
    print("daemon RSS over the run (MB): " + ", ".join(
        f"t+{s.at:.0f}s {s.rss_mb:.0f}" for s in trace[:: max(1, len(trace) // 10)] + [end]))
    return report(site, receivers, probe, at_launch, warm or at_launch, end, peak, own, drained_at, code, took, log,
                  run, drain, trace)


# -- the report ------------------------------------------------------------------------------------

def report(site: Site, receivers: dict[str, Receiver], probe: HealthProbe, at_launch: Sample, warm: Sample,
           end: Sample, peak: Sample, own: dict[str, float], drained_at: float | None, code: int | None,
           took: float, log: Path, run: float, drain: float, trace: list[Sample]) -> int:
    text = log.read_text(errors="replace")
    print(f"faults injected: {', '.join(f'{v} {k}' for k, v in site.faults.items())}; "
          f"{HUGE_LISTING_MB} MB listing page, {HUGE_ARTICLE_MB} MB articles; "
          f"rule file broken {len(BAD_RULES)} times and mended; the daemon logged 'rules not reloaded' "
          f"{text.count('rules not reloaded')} times, 'rules reloaded' {text.count('rules reloaded')} times")
    for label, s in (("at launch", at_launch), (f"after warm-up (t+{warm.at:.0f}s)", warm), (f"at end (t+{end.at:.0f}s)", end)):
        print(f"daemon {label:24s} RSS {s.rss_mb:7.1f} MB   open fds {s.fds:4d}   (children RSS {s.children_mb:.0f} MB)")
    print(f"daemon peak RSS sampled: {peak.rss_mb:.1f} MB at t+{peak.at:.0f}s")
    latencies = [lat for lat, _ in probe.samples]
    not_ok = sum(1 for _, status in probe.samples if status != 200)
    if latencies:
        print(f"/healthz: {len(latencies)} polls, median {statistics.median(latencies) * 1000:.1f} ms, worst "
              f"{max(latencies) * 1000:.0f} ms, {not_ok} not 200 (no answer within {HEALTH_TIMEOUT:.0f}s counts as not 200)")
    print(f"alerts expected (matching articles published): {len(site.expected)}; all received "
          + (f"at t+{drained_at:.0f}s" if drained_at is not None else f"NOT within {run + drain:.0f}s"))
    print(f"{'receiver':9s} {'expected':>8s} {'delivered':>9s} {'lost':>5s} {'duplicated':>10s} "
          f"{'unknown-outcome':>15s} {'unexplained dup':>15s} {'max copies':>10s} {'unexpected':>10s}")
    lost = unexplained = 0
    max_slow = 0
    for name, r in receivers.items():
        by_alert: dict[str, list[Arrival]] = {}
        for a in r.snapshot():
            by_alert.setdefault(a.alert, []).append(a)
        missing = site.expected - set(by_alert)
        dups = sum(len(v) - 1 for v in by_alert.values())
        unknown = sum(1 for v in by_alert.values() for a in v if a.unknown)
        # each copy after the first needs an earlier copy whose outcome the sender could not know
        bad = sum(len(v) - 1 - min(len(v) - 1, sum(1 for a in v[:-1] if a.unknown)) for v in by_alert.values())
        most = max((len(v) for v in by_alert.values()), default=0)
        other = sorted(set(by_alert) - site.expected)
        lost, unexplained = lost + len(missing), unexplained + bad
        if name == "slow":
            max_slow = most
        print(f"{name:9s} {len(site.expected):8d} {len(site.expected) - len(missing):9d} {len(missing):5d} {dups:10d} "
              f"{unknown:15d} {bad:15d} {most:10d} {len(other):10d}"
              + (f"   errors answered {r.errors_answered}" if r.errors_answered else "")
              + (f"   lost: {', '.join(f'{m} ({site.origin[m]})' for m in sorted(missing)[:5])}" if missing else "")
              + (f"   unexpected: {[o[:40] for o in other[:3]]}" if other else ""))
    print(f"admin notices received: {receivers['fast'].notices}; the daemon's /metrics: "
          + ", ".join(f"{k.removeprefix('watcher_')} {v:g}" for k, v in own.items()))
    levels = {level: len(re.findall(rf"^\S+ {level} ", text, re.M)) for level in ("ERROR", "WARNING")}
    print(f"daemon after SIGTERM: exit code {code} in {took:.1f}s; in its log: {text.count('Traceback')} tracebacks, "
          f"{levels['ERROR']} ERROR lines, {levels['WARNING']} WARNING lines")
    # RSS swings by tens of MB around each multi-MB document (freed, then trimmed): one sample at each end says
    # where in a swing it landed, not whether memory grows; the medians of a window after warm-up and of the last
    # window do (a leak moves both the lows and the median)
    window = max(30.0, 0.2 * run)
    early = [s.rss_mb for s in trace if warm.at <= s.at < warm.at + window] or [warm.rss_mb]
    late = [s.rss_mb for s in trace if s.at >= trace[-1].at - window] + [end.rss_mb] if trace else [end.rss_mb]
    first, last = statistics.median(early), statistics.median(late)
    growth = (last - first) / first
    print(f"daemon RSS median over {window:.0f}s after warm-up {first:.1f} MB ({len(early)} samples), over the last "
          f"{window:.0f}s {last:.1f} MB ({len(late)} samples); single samples warm-up -> end "
          f"{(end.rss_mb - warm.rss_mb) / warm.rss_mb:+.1%}")
    targets = [
        ("nothing lost (every expected alert at every receiver)", f"{lost} lost", lost == 0),
        ("duplicates only after a send whose outcome was unknown", f"{unexplained} unexplained", unexplained == 0),
        (f"slow receiver: each alert at most {MAX_COPIES_SLOW} times", f"max {max_slow}", max_slow <= MAX_COPIES_SLOW),
        (f"RSS growth (window medians) under {RSS_GROWTH:.0%}", f"{growth:+.1%}", growth < RSS_GROWTH),
    ]
    print("targets:")
    for what, figure, ok in targets:
        print(f"  {what:58s} {figure:>16s}  {'PASS' if ok else 'FAIL'}")
    return 0 if all(ok for *_, ok in targets) else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long the faults run (default 10)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (config, database, daemon log)")
    args = parser.parse_args()
    if args.minutes <= 0:
        parser.error("--minutes must be above 0")
    if args.keep:
        sys.exit(soak(args.minutes, Path(tempfile.mkdtemp(prefix="watcher-soak-"))))
    with tempfile.TemporaryDirectory(prefix="watcher-soak-") as tmp:
        sys.exit(soak(args.minutes, Path(tmp)))


if __name__ == "__main__":
    main()
