"""The promise: nothing is lost and nothing is sent twice when the process is killed at any point.

The daemon polls a local feed whose articles all match one rule and delivers
each alert to two json:// channels on a slow local receiver. It is SIGKILLed
and restarted, again and again, while the feed grows; then a last run is
allowed to finish. Each kill first waits for the run to reach a stage drawn
at random (seeded): up and polling, an article stored, a delivery accepted by
the receiver; then it lands a random moment later. So every kill interrupts
real work however slow the machine is, and no kill waits on a clock alone. Every (article, channel) pair
must have arrived, and the only duplicates allowed are the ones a kill can
honestly cause: the receiver accepted the request, then the process died
before it committed `sent`. Each run logs every send it starts and every one it
records, so each duplicate must match a send its (killed) run started and never
recorded; the sender sends one at a time, so a kill leaves at most one such send
(several only when each was still unanswered after the sender's SLOW_SEND).
A kill that lands while the receiver still holds a request must lead to one.
The database must end with each article once and every delivery `sent`.

It runs on both engines: a SQLite file, and a PostgreSQL database (fewer kills there: each run costs a
server connection or two more, and SQLite's 12 cover the stages; the guarantees asked are the same).

`pytest -s` shows the figures: kills, duplicates, kills inside the window.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.conftest import ROOT, write_config
from tests.pages import rss
from tests.postgres import query
from tests.receivers import Received, WebhookReceiver
from tests.webserver import Route, WebServer
from watcher.deliver.sender import SLOW_SEND

SEED = 20261120
KILLS = {"sqlite": 12, "postgresql": 6}  # by engine
# (what a run must have done since it started, the longest extra random wait before the kill, in seconds)
STAGES = (("polling", 0.5), ("stored", 0.3), ("sent", 0.1))
STAGE_TIMEOUT = 90.0  # seconds a run may take to reach its stage (generous: the machine may be busy)
RECEIVER_DELAY = 0.05  # seconds the receiver holds each accepted request before answering
FINAL_DEADLINE = 120.0  # seconds the last run gets to deliver everything (only a failing run waits it out)
HELD_BACK = 3  # articles published only for the final run

RULE_ID = "new-buses"
RULES = f"""\
rules:
  - id: {RULE_ID}
    title: "Council orders new buses"
    match:
      keywords: [buses]
    notify: [desk, wire]
"""
CHANNEL_PATHS = {"desk": "/desk", "wire": "/wire"}

# town, number of buses, maker, route, councillor, cost in millions, depot, extra detail
TOWNS = [
    ("Ashford", 12, "Volvo", "the hospital loop", "Margaret Ellis", 4.2, "Station Road", "school runs"),
    ("Bramley", 7, "Alexander Dennis", "the ring road", "Tom Okafor", 2.6, "Mill Lane", "night services"),
    ("Castleton", 18, "Wrightbus", "the university line", "Priya Nair", 7.9, "Quarry Street", "park and ride"),
    ("Dunmore", 5, "Optare", "the harbour route", "Fergus Doyle", 1.8, "Pier Road", "ferry connections"),
    ("Eastleigh", 22, "Volvo", "route 4 to the airport", "Helen Carter", 9.4, "Airport Way", "early flights"),
    ("Fairhaven", 9, "Yutong", "the seafront", "Gareth Hughes", 3.1, "Promenade Depot", "summer crowds"),
    ("Glenrock", 14, "Scania", "the valley villages", "Isla Murray", 5.5, "Burnside", "rural lifeline"),
    ("Hartwell", 6, "Mellor", "the market square", "Daniel Price", 2.2, "Tanners Yard", "market days"),
    ("Ivybridge", 11, "Wrightbus", "the business park", "Sofia Rossi", 4.6, "Kingsway", "commuter peak"),
    ("Jesmond", 16, "Alexander Dennis", "the stadium shuttle", "Liam Walsh", 6.8, "Gallowgate", "match days"),
    ("Kelso", 4, "Optare", "the abbey route", "Ruth Campbell", 1.4, "Abbey Row", "tourist season"),
    ("Langford", 20, "Volvo", "the crosstown express", "Ahmed Siddiqui", 8.3, "Foundry Lane", "shift workers"),
    ("Millbrook", 8, "Yutong", "the riverside path", "Claire Dubois", 2.9, "Wharf Street", "flood diversions"),
    ("Northgate", 13, "Scania", "the north estates", "Owen Pritchard", 5.0, "Canal Basin", "evening gaps"),
    ("Oakham", 3, "Mellor", "the rutland circuit", "Beatrice Hale", 1.1, "Catmose", "pensioner passes"),
    ("Penrith", 10, "Wrightbus", "the fell road", "Callum Reid", 3.9, "Castlegate", "winter closures"),
    ("Queensferry", 15, "Alexander Dennis", "the bridge corridor", "Moira Fraser", 6.1, "Ferry Road", "bridge tolls"),
    ("Redruth", 6, "Optare", "the mining trail", "Kerensa Pascoe", 2.3, "Tolvean", "heritage visitors"),
    ("Stamford", 17, "Volvo", "the A1 link", "Victor Lang", 7.0, "Ryhall Road", "rail replacement"),
    ("Thornbury", 9, "Yutong", "the castle route", "Nadia Petrova", 3.4, "Gloucester Road", "shoppers"),
    ("Uckfield", 5, "Scania", "the forest villages", "Simon Archer", 1.9, "Bell Farm", "walkers"),
    ("Ventnor", 7, "Mellor", "the cliff road", "Jenny Marsh", 2.7, "Esplanade", "steep hills"),
    ("Wetherby", 12, "Wrightbus", "the racecourse link", "Harriet Cole", 4.8, "Sandbeck", "race meetings"),
    ("Yarmouth", 19, "Alexander Dennis", "the beach line", "Peter Nowak", 7.6, "South Denes", "holiday camps"),
    ("Zennor", 2, "Optare", "the coast road", "Tamsin Trewin", 0.8, "Trewey", "remote hamlets"),
    ("Alnwick", 10, "Volvo", "the castle and garden route", "Graham Thorne", 3.8, "Lisburn Street", "coach parties"),
    ("Bideford", 8, "Yutong", "the long bridge", "Elaine Moss", 3.0, "Kingsley Road", "college term"),
    ("Chepstow", 14, "Scania", "the racecourse and castle", "Rhys Morgan", 5.3, "Bulwark", "border crossings"),
    ("Dorking", 11, "Mellor", "the box hill service", "Fiona Grant", 4.1, "Pixham Lane", "cyclists"),
    ("Exmouth", 21, "Wrightbus", "the estuary line", "Martin Shaw", 8.9, "Imperial Road", "the lifeboat station"),
]


def story(town: str, buses: int, maker: str, route: str, councillor: str, cost: float, depot: str,
          detail: str) -> tuple[str, list[str]]:
    title = f"{town} council orders {buses} new buses for {route}"
    return title, [
        (f"{town} Town Council voted on Tuesday to buy {buses} new electric buses from {maker}, "
         f"the largest order the council has placed in a decade."),
        (f"Councillor {councillor}, who chairs the transport committee, said the buses would first run on "
         f"{route} and should cut waiting times for {detail}."),
        (f"The order is expected to cost about {cost} million pounds, part of it covered by a national grant; "
         f"chargers will be installed at the {depot} depot over the summer."),
        (f"Passenger groups in {town} welcomed the vote but asked how many of the old diesel vehicles on "
         f"{route} would be kept in reserve."),
        (f"The first of the {buses} vehicles from {maker} is due to arrive in {town} in the autumn, with the "
         f"rest following before the end of the year, {councillor} said."),
    ]


def page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html lang='en'><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>County Transport News</footer></body></html>").encode()


@dataclass
class Run:
    number: int
    started: float
    proc: subprocess.Popen
    log: Path
    killed_at: float | None = None


def pair_of(arrival: Received, article_urls: dict[str, str]) -> tuple[str, str] | None:
    """(article slug, channel) of one arrival, from the rule line and the link in the message."""
    channel = {p: c for c, p in CHANNEL_PATHS.items()}.get(arrival.path)
    if channel is None or f"rule: {RULE_ID}" not in arrival.message:
        return None
    found = [slug for slug, url in article_urls.items() if re.search(re.escape(url) + r"(?![\w.-])", arrival.message)]
    return (found[0], channel) if len(found) == 1 else None


def timeline(arrivals: list[Received], runs: list[Run], article_urls: dict[str, str], start: float) -> str:
    """Runs started and killed, and arrivals, in time order (seconds since the test began)."""
    events = [(r.started - start, f"run {r.number} started") for r in runs]
    events += [(r.killed_at - start, f"run {r.number} killed") for r in runs if r.killed_at is not None]
    events += [(a.at - start, f"  arrived {pair_of(a, article_urls)}") for a in arrivals]
    return "\n".join(f"{t:8.3f} {what}" for t, what in sorted(events))


def outbox_gaps(database: str | Path) -> str:
    """What the store says about lost alerts: articles with no alert, alerts short of a delivery."""
    bare = query(database, "SELECT ar.id, ar.url, ar.fetched_at, e.seen_at FROM articles ar "
                           "LEFT JOIN alerts a ON a.article_id = ar.id LEFT JOIN entries e ON e.article_id = ar.id "
                           "WHERE a.id IS NULL")
    short = query(database, "SELECT a.id, a.article_id, COUNT(d.id) FROM alerts a LEFT JOIN deliveries d "
                            f"ON d.alert_id = a.id GROUP BY a.id HAVING COUNT(d.id) < {len(CHANNEL_PATHS)}")
    return (f"articles stored with no alert (id, url, article fetched_at, entry seen_at): {bare}\n"
            f"alerts with fewer deliveries than channels (id, article, deliveries): {short}")


def stored_articles(database: str | Path) -> int:
    """Articles in the store (0 before the first run made it); the daemon writes while we read (WAL)."""
    if isinstance(database, Path) and not database.exists():
        return 0
    try:
        return int(query(database, "SELECT COUNT(*) FROM articles")[0][0])
    except sqlite3.DatabaseError as e:  # the schema is not made yet (PostgreSQL's errors come as this class too)
        if "articles" not in str(e):
            raise
        return 0


def reach(run: Run, stage: str, db_path: str | Path, receiver: WebhookReceiver, stored_before: int) -> None:
    """Wait until `run` has made progress of the kind `stage` names; fail, saying what it did, if it does not."""
    def reached() -> bool:
        if stage == "polling":
            return "watching 1 sources" in run.log.read_text()
        if stage == "stored":
            return stored_articles(db_path) > stored_before
        return any(a.at >= run.started for a in receiver.snapshot())

    deadline = time.monotonic() + STAGE_TIMEOUT
    while not reached():
        exited = run.proc.poll()
        assert exited is None, f"run {run.number} exited by itself with {exited}:\n{run.log.read_text()}"
        assert time.monotonic() < deadline, (
            f"run {run.number} did not reach '{stage}' in {STAGE_TIMEOUT:.0f}s (articles stored: "
            f"{stored_articles(db_path)}, before the run: {stored_before}; deliveries received: "
            f"{len(receiver.snapshot())}):\n{run.log.read_text()[-3000:]}")
        time.sleep(0.02)


def stop_group(proc: subprocess.Popen) -> None:
    """SIGKILL whatever is left of a run's process group (extraction workers, fork server)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def test_killed_at_any_point_nothing_lost_nothing_sent_twice(tmp_path: Path, database: str | Path) -> None:
    rng = random.Random(SEED)
    # answers only RECEIVER_DELAY after recording a request: a kill in that window leaves a
    # delivery the receiver has but the daemon has not marked sent
    receiver = WebhookReceiver(delay=RECEIVER_DELAY).start()
    runs: list[Run] = []
    with WebServer() as web:
        try:
            _run_kill_test(tmp_path, database, web, receiver, rng, runs)
        finally:
            for r in runs:
                if r.proc.poll() is None:
                    r.proc.kill()
                stop_group(r.proc)
            receiver.stop()


def _run_kill_test(tmp_path: Path, database: str | Path, web: WebServer, receiver: WebhookReceiver,
                   rng: random.Random, runs: list[Run]) -> None:
    test_start = time.monotonic()
    planned = KILLS["postgresql" if str(database).startswith("postgresql://") else "sqlite"]
    stories = [story(*t) for t in TOWNS]
    slugs = [f"{t[0].lower()}-orders-{t[1]}-buses" for t in TOWNS]
    article_urls = {slug: web.url(f"/transport/{slug}.html") for slug in slugs}
    published = datetime.now(timezone.utc) + timedelta(minutes=1)

    def publish(count: int) -> None:
        """The feed lists the first `count` articles (newest first); pages are served before they are listed."""
        items = []
        for slug, (title, paras) in list(zip(slugs, stories))[:count]:
            web.route(f"/transport/{slug}.html", Route(page(title, paras)))
            items.append({"title": title, "link": "{{BASE}}" + f"/transport/{slug}.html", "guid": f"ctn-{slug}",
                          "published": published})
        feed = rss(items[::-1], title="County Transport News")
        web.route("/feed.xml", Route(feed, content_type="application/rss+xml"))

    (tmp_path / "rules.yaml").write_text(RULES)
    config = write_config(
        tmp_path,
        [{"id": "transport", "url": web.url("/feed.xml"), "interval": "1s", "baseline": False}],
        rules="rules.yaml",
        channels={c: {"urls": [f"json://{receiver.base}{p}"]} for c, p in CHANNEL_PATHS.items()},
        delivery={"retry": "200ms"},
        database=str(database),
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    def start() -> Run:
        log = tmp_path / f"run-{len(runs) + 1:02d}.log"
        with log.open("wb") as out:
            argv = [sys.executable, "-m", "watcher", "--log-level", "debug", "run", "--config", str(config)]
            proc = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        run = Run(len(runs) + 1, time.monotonic(), proc, log)
        runs.append(run)
        return run

    # the feed grows while the kills land, so kills fall in polls, extraction, stores and sends alike
    # each round publishes at least one article no run has seen, so every stage is bound to come
    db_path = database
    published_count = 0
    stages: Counter[str] = Counter()
    for k in range(planned):
        target_count = round((len(slugs) - HELD_BACK) * (k + 1) / planned)
        assert target_count > published_count, "each round must bring new work"
        published_count = target_count
        publish(published_count)
        stored_before = stored_articles(db_path)
        stage, most = rng.choice(STAGES)
        run = start()
        reach(run, stage, db_path, receiver, stored_before)
        stages[stage] += 1
        time.sleep(rng.uniform(0, most))
        exited = run.proc.poll()
        assert exited is None, f"run {run.number} exited by itself with {exited}:\n{run.log.read_text()}"
        os.kill(run.proc.pid, signal.SIGKILL)
        run.killed_at = time.monotonic()  # after the kill: the run did nothing after this time, however busy we were
        run.proc.wait(timeout=10)
        stop_group(run.proc)  # its extraction workers die with it, as under systemd
    kills = sum(1 for r in runs if r.killed_at is not None)
    publish(len(slugs))  # the last run, after all those kills, still has to poll, alert and deliver

    expected = {(slug, channel) for slug in slugs for channel in CHANNEL_PATHS}
    final = start()
    deadline = time.monotonic() + FINAL_DEADLINE
    while time.monotonic() < deadline and final.proc.poll() is None:
        got = {pair_of(a, article_urls) for a in receiver.snapshot()}
        if expected <= got:
            break
        time.sleep(0.1)
    # SIGTERM once the daemon is up (its handlers are set) and has had a moment to send anything extra
    while time.monotonic() < deadline and final.proc.poll() is None and "watching 1 sources" not in final.log.read_text():
        time.sleep(0.1)
    assert final.proc.poll() is None, f"the final run exited with {final.proc.returncode}:\n{final.log.read_text()}"
    time.sleep(1.0)
    final.proc.send_signal(signal.SIGTERM)
    try:
        code = final.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        code = None
    final_log = final.log.read_text()
    assert code == 0, f"SIGTERM should end the final run with 0, got {code}:\n{final_log[-3000:]}"

    # -- what arrived --------------------------------------------------------------
    arrivals = receiver.snapshot()
    unknown = [a for a in arrivals if pair_of(a, article_urls) is None]
    assert not unknown, f"arrivals that are no alert of ours: {unknown[:3]}"
    counts = Counter(pair_of(a, article_urls) for a in arrivals)

    # which run sent what: each run logs (at debug) every send it starts, and "sent" once it has recorded one;
    # a send started and never recorded is one its run was killed in the middle of
    slug_of_url = {url: slug for slug, url in article_urls.items()}
    slug_of_alert = {str(i): slug_of_url[u] for i, u in query(
        database, "SELECT a.id, ar.canonical_url FROM alerts a JOIN articles ar ON ar.id = a.article_id")}
    unrecorded: dict[int, list[tuple[str, str]]] = {}
    overlapping: dict[int, list[tuple[str, tuple[str, str]]]] = {}  # several unrecorded, not SLOW_SEND apart
    for r in runs:
        text = r.log.read_text()
        starts = [(t, (slug_of_alert[a], c)) for t, a, c in
                  re.findall(r"^(\S+) DEBUG +[\w.]+: alert (\d+) to (\w+): sending to", text, re.M)]
        started = Counter(pair for _, pair in starts)
        recorded = Counter((slug_of_alert[a], c) for a, c in re.findall(r"alert (\d+) sent to (\w+)", text))
        assert not recorded - started, f"run {r.number} logged sends it never started: {recorded - started}"
        unrecorded[r.number] = sorted((started - recorded).elements())
        # the sender's promise: one send at a time while services answer, so a kill leaves one unrecorded; a
        # send still unanswered after SLOW_SEND lets the next begin (a machine busy enough can be that slow)
        cut_short = sorted((t, pair) for t, pair in starts if pair in unrecorded[r.number])
        times = [datetime.fromisoformat(t) for t, _ in cut_short]
        if any((b - a).total_seconds() < SLOW_SEND - 1 for a, b in zip(times, times[1:])):  # the log has seconds
            overlapping[r.number] = cut_short
    # a kill that lands while the receiver still holds a request cannot have let the daemon commit it:
    # that pair must come again (proof that the test does hit the window it is about)
    held = [(r.number, pair_of(a, article_urls)) for r in runs if r.killed_at is not None for a in arrivals
            if 0 <= r.killed_at - a.at < RECEIVER_DELAY * 0.9]
    resent = [(run, pair) for run, pair in held if counts[pair] >= 2]
    dups = sum(n - 1 for n in counts.values())
    sent_in_kill_phase = sum(1 for a in arrivals if a.at < final.started)
    missing = sorted(expected - set(counts))
    print(f"\nkill test: {kills} kills (after {dict(stages)}), {dups} duplicate deliveries, {len(missing)} lost "
          f"({len(held)} kills landed while the receiver held a request; {len(arrivals)} deliveries, "
          f"{sent_in_kill_phase} of them before the final run, for {len(expected)} (alert, channel) pairs; "
          f"{len(runs)} runs in {time.monotonic() - test_start:.1f}s)")

    assert not missing, (f"{len(missing)} (article, channel) pairs never arrived after {kills} kills: {missing[:5]}\n"
                         f"{outbox_gaps(database)}\nfinal run log:\n{final_log[-3000:]}")
    assert kills == planned, f"only {kills} kills"
    assert sent_in_kill_phase, "nothing was delivered before the final run: the kills tested nothing"
    assert not unrecorded[final.number], f"the final run left sends unrecorded: {unrecorded[final.number]}"
    assert not overlapping, f"runs killed with sends unrecorded that began less than {SLOW_SEND}s apart: {overlapping}"
    # and a pair arrives again only as often as a killed run sent it without recording it
    cut = Counter(pair for pairs in unrecorded.values() for pair in pairs)
    unexplained = {pair: n for pair, n in counts.items() if n - 1 > cut[pair]}
    assert not unexplained, (
        f"{dups} duplicate deliveries after {kills} kills; these came more often than their sends were cut short "
        f"by a kill (arrivals by pair: {unexplained}; cut short: {dict(cut)}):\n"
        f"{timeline(arrivals, runs, article_urls, test_start)}")
    assert dups <= sum(map(len, unrecorded.values())), f"{dups} duplicate deliveries: more than sends cut short"
    assert len(resent) == len(held), (
        f"killed while the receiver held these, yet never sent again ({dups} duplicates, {kills} kills): "
        f"{sorted(set(held) - set(resent))}")

    # -- what the database says ------------------------------------------------------
    articles = query(database, "SELECT canonical_url, COUNT(*) FROM articles GROUP BY canonical_url")
    assert sorted(url for url, _ in articles) == sorted(article_urls.values())
    assert query(database, "SELECT COUNT(*), COUNT(DISTINCT body_hash) FROM articles") == [(len(slugs),) * 2]
    alerts = query(database, "SELECT rule_id, COUNT(*) FROM alerts GROUP BY rule_id")
    assert alerts == [(RULE_ID, len(slugs))]
    states = Counter(s for (s,) in query(database, "SELECT status FROM deliveries"))
    assert states == {"sent": len(expected)}, f"deliveries by status: {dict(states)}"
