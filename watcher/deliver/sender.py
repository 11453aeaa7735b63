"""The outbox sender: pending deliveries go out through Apprise, each channel URL on its own.

Each channel URL (a target) is sent its due deliveries in their order, one at a time, in a lane of its own.
The lanes take turns: one send at a time while services answer (so a kill can leave at most that one
unrecorded), and a send still unanswered after SLOW_SEND seconds gives up its turn, so a service that does not
answer holds back only what waits for it, not the alerts to other channels. A digest's messages to each of
its URLs take their turns beside the lanes in the same way.

A delivery is marked sent only when Apprise's per-service result says that
service succeeded; otherwise it is retried with exponential backoff and
jitter (the schedule lives in SQLite, so it survives restarts) until the
alert is older than `delivery.max_age`, when it is marked dead and the admin
channel, if there is one, is told. A send the service does not answer in time
is such a failed try too, marked as one whose message may have arrived, so it
is never resent before its backoff. A channel that fails several times in a
row gets one "failing" notice, and one "recovered" notice when it works again;
notices are queued in the outbox like alerts, so a failed one is retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, NamedTuple

from watcher.alert.template import render_or_none
from watcher.config import ChannelConfig, Config
from watcher.config.schema import url_key
from watcher.deliver.digest import batches, compose_digest, next_digest
from watcher.deliver.formats import shape, url_for
from watcher.deliver.targets import kept_keys, targets_for, where_to
from watcher.logs import redact
from watcher.run.metrics import Metrics
from watcher.model import Delivery, Timeout
from watcher.store import Store
from watcher.store.times import iso, parse_iso, utcnow

log = logging.getLogger("watcher.deliver")
FAILING_AFTER = 3  # consecutive failures before a channel is reported failing
TIMED_OUT = 0.95  # a failed send that lasted this share of the read timeout ran out of it
SLOW_SEND = 3.0  # seconds a send holds the turn before another target's may start beside it
SENDS_AT_ONCE = 16  # at most this many sends in flight (a thread each: a hung one holds up no other work)
LOOK_AGAIN = 1.0  # seconds between looks at the outbox for other targets while sends are under way
# chat services throttle bots that post faster than about one message a second per chat
CHAT_PACE = {"tgram": 1.0, "slack": 1.0, "discord": 1.0, "msteams": 1.0, "matrix": 1.0, "mmost": 1.0, "rocket": 1.0}


def pace_for(url: str, configured: float | None) -> float:
    if configured is not None:
        return configured
    return CHAT_PACE.get(url.split("://", 1)[0].lower().rstrip("s"), CHAT_PACE.get(url.split("://", 1)[0].lower(), 0.0))


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0


@dataclass
class _Round:
    """One `send_due`: what it sent, whose turn it is to send, and whether a lane's error ended it."""

    report: SendReport = field(default_factory=SendReport)
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    halt: asyncio.Event = field(default_factory=asyncio.Event)

    def over(self, sender: "Sender") -> bool:
        return sender.stopped or self.halt.is_set()


def next_attempt(attempts: int, created_at: datetime, now: datetime, retry: float, max_retry: float,
                 max_age: float, rng: random.Random | None = None) -> datetime | None:
    """When to try again after `attempts` failed tries, or None to give up (pure)."""
    if (now - created_at).total_seconds() >= max_age:
        return None
    delay = min(retry * (2 ** max(0, attempts - 1)), max_retry)
    delay *= (rng or random).uniform(0.8, 1.2)  # jitter: failed alerts do not all retry at once
    return now + timedelta(seconds=delay)


class Sender:
    def __init__(self, store: Store, config: Config, metrics: Metrics | None = None) -> None:
        self.store = store
        self.config = config
        self.metrics = metrics or Metrics()
        self.wake = asyncio.Event()
        self._stopped = asyncio.Event()
        self._swept = False
        self._last_sent: dict[str, float] = {}  # URL -> loop time of its last message
        self._threads: ThreadPoolExecutor | None = None  # sends' own threads: a hung one holds up no other work

    def stop(self) -> None:
        """Start no more sends: one in flight is answered and recorded (so never sent again), a pace ends now."""
        self._stopped.set()
        self.wake.set()

    def resume(self) -> None:
        """Send again after a `stop` that ended one job's sending, not the process (a worker's aborted job)."""
        self._stopped.clear()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    async def send_due(self, *, everything: bool = False) -> SendReport:
        """Send every delivery that is due; with `everything`, try each pending one once, due or not,
        except those whose last try may have arrived (they wait for their backoff)."""
        rnd = _Round()
        digests = self.digest_channels
        if not self._swept:  # once a start: what went to a channel (or URL) removed from the config is given up
            self._swept = True
            kept = {name: kept_keys(ch.urls) for name, ch in self.config.channels.items()}
            for d in self.store.outbox.unconfigured(kept):
                if self._url_of(d) is None:
                    self._given_up(d, rnd.report)  # the others go in their lane or digest (their URL was replaced)
        # digests go beside the lanes, taking turns with them: a digest URL that does not answer holds back
        # only its own digest
        digesting = asyncio.create_task(self._digests(utcnow(), rnd))
        lanes: dict[tuple[str, str], asyncio.Task[None]] = {}  # (channel, URL key) -> its sends under way
        try:
            await self._send_lanes(lanes, everything, digests, digesting, rnd)
        except asyncio.CancelledError:
            for task in (*lanes.values(), digesting):
                task.cancel()
            raise
        except BaseException:
            rnd.halt.set()  # the sends under way are answered and recorded (cut short, they would be sent again)
            await asyncio.gather(*lanes.values(), digesting, return_exceptions=True)
            raise
        await digesting
        return rnd.report

    async def _send_lanes(self, lanes: dict[tuple[str, str], asyncio.Task[None]], everything: bool,
                          digests: list[str], digesting: asyncio.Task[None], rnd: _Round) -> None:
        """Start a lane for each target with something due and none under way, until nothing is due and every
        lane, and the `digesting` task, is done; looks again when a lane or the digests end (a notice they
        queued goes in this round), and every LOOK_AGAIN while sends are under way."""
        while True:
            if not rnd.over(self):
                when = datetime.max.replace(tzinfo=utcnow().tzinfo) if everything else utcnow()
                due = self.store.outbox.due(when, exclude=digests, unknown_too=not everything, busy=lanes)
                everything = False  # one pass is the retry; then what became due meanwhile (a notice) goes too
                for key, queue in by_target(due).items():
                    lanes[key] = asyncio.create_task(self._lane(queue, rnd))
                if due:
                    continue  # more may be due beyond the query's limit, to targets with no lane yet
            under_way = [*lanes.values(), *([] if digesting.done() else [digesting])]
            if not under_way:
                return
            # stopping: only the sends under way are waited for
            await asyncio.wait(under_way, timeout=None if rnd.over(self) else LOOK_AGAIN,
                               return_when=asyncio.FIRST_COMPLETED)
            for key in [k for k, task in lanes.items() if task.done()]:
                lanes.pop(key).result()  # a lane's error ends the round (the other lanes finish their send)

    async def _lane(self, queue: list[Delivery], rnd: _Round) -> None:
        """One target's due deliveries, in their order."""
        for d in queue:
            if rnd.over(self):
                return
            await self._deliver(d, rnd)

    @property
    def digest_channels(self) -> list[str]:
        return [name for name, ch in self.config.channels.items() if ch.digest]

    async def _digests(self, now: datetime, rnd: _Round) -> None:
        """For each digest channel whose time has come: one message per URL listing its pending alerts, each URL
        on its own (all of them finish their send before an error of one is raised).

        Other channels get the story updates of rules with `updates: digest`
        the same way, on the `stories.updates_digest` schedule."""
        digests = []
        for name, channel in self.config.channels.items():
            key, spec, updates = ((f"digest_last:{name}", channel.digest, False) if channel.digest
                                  else (f"updates_last:{name}", self.config.stories.updates_digest, True))
            digests += [self._digest(name, key, spec, updates, i, url, now, rnd) for i, url in enumerate(channel.urls)]
        for outcome in await asyncio.gather(*digests, return_exceptions=True):
            if isinstance(outcome, BaseException):
                raise outcome

    async def _digest(self, name: str, key: str, spec: str, updates: bool, i: int, url: str, now: datetime,
                      rnd: _Round) -> None:
        # each URL keeps its own time, under its key (a URL moved in the list keeps it), so one that fails (and
        # is tried again each round) hurries no other; `key:N` is the time of the URL at place N from before
        # the times were keyed, `key` alone the channel's from before URLs kept theirs
        own = f"{key}:{url_key(url)}"
        last = parse_iso(self.store.meta.get(own) or self.store.meta.get(f"{key}:{i}") or self.store.meta.get(key))
        if last is None:  # the first digest comes at the first scheduled time from now
            self.store.meta.set(own, iso(now) or "")
        elif now >= next_digest(spec, last) and await self._digest_to(name, url, updates, rnd):
            self.store.meta.set(own, iso(now) or "")

    async def _digest_to(self, name: str, url: str, updates: bool, rnd: _Round) -> bool:
        """The pending alerts to one URL of a digest channel, in as many messages as the service needs to show
        every alert (one it cuts would lose the rest); False when a send failed or the sender stopped."""
        channel = self.config.channels[name]
        items = [d for d in self.store.outbox.pending_for(name, updates_only=updates) if self._url_of(d) == url]
        if not items:
            return True
        report = rnd.report
        room = await asyncio.to_thread(digest_room, url, compose_digest(items, updates=updates)[0], channel)
        for batch in batches(items, room):
            title, body = compose_digest(batch, updates=updates)
            # in turn with the lanes, and paced like them: the next part, or alert, to the URL keeps the pace
            outcome = await self._in_turn(functools.partial(send, url, title, body, timeout=timeout_of(channel)),
                                          rnd, f"digest to {name}", {"channel": name}, url, pace_for(url, channel.pace))
            if outcome is None:
                return False  # the sender stopped: the rest wait for the next start (this digest is still due then)
            if not outcome.ok:
                report.failed += len(items)
                error = outcome.error or "failed"
                self.store.outbox.mark_all_failed((d.id for d in items), error)  # each waits, with the reason
                self.metrics.error("delivery")
                log.warning("digest to %s failed: %s; the alerts stay queued for the next digest", name, error)
                await self._channel_failed(name, error)
                return False
            self.store.outbox.mark_all_sent(d.id for d in batch)
            report.sent += len(batch)
            items = items[len(batch):]
            log.info("digest of %d %s sent to %s", len(batch), "story updates" if updates else "alerts", name)
            await self._channel_ok(name)
        return True

    async def _deliver(self, d: Delivery, rnd: _Round) -> None:
        report = rnd.report
        channel = self.config.channels.get(d.channel)
        url = self._url_of(d)
        if channel is None or url is None:
            self._given_up(d, report)
            return
        body, body_format = d.body, "markdown"
        if channel.template and not d.notice:
            shaped = render_or_none(channel.template, json.loads(d.context_json), html=channel.format == "html",
                                    whose=f"channel {d.channel} template")
            # None: this alert lacks a value the template needs; "": the template wrote nothing for it, and no
            if shaped:  # service sends an empty message. Either way the standard text goes
                body, body_format = shaped, channel.format
        title, send_to = d.title, url
        if body is d.body and not d.notice:  # the standard message: in the form this kind of channel shows best
            formatted = shape(url, d.title, json.loads(d.context_json))
            if formatted is not None:  # (Slack: as Block Kit, which digests and notices are not cut to fit)
                title, body, body_format, send_to = formatted.title, formatted.body, formatted.body_format, url_for(url)
        outcome = await self._in_turn(functools.partial(send, send_to, title, body, body_format, timeout_of(channel)),
                                      rnd, f"{d.label} to {d.channel}", _fields(d), url, pace_for(url, channel.pace))
        if outcome is None:
            return
        if outcome.ok:
            self.store.outbox.mark_sent(d)
            report.sent += 1
            log.info("%s sent to %s", d.label, d.channel, extra=_fields(d))
            await self._channel_ok(d.channel)
            return
        error = outcome.error or "failed"
        now = utcnow()
        cfg = self.config.delivery
        when = next_attempt(d.attempts + 1, d.created_at, now, cfg.retry, cfg.max_retry, cfg.max_age)
        self.store.outbox.mark_failed(d, error, when, unknown=outcome.unknown)
        self.metrics.error("delivery")
        if when is None:
            report.dead += 1
            log.error("%s to %s given up after %d tries: %s", d.label, d.channel, d.attempts + 1, error,
                      extra=_fields(d))
            if not d.notice:  # a notice given up is not the subject of another notice
                await self._admin(f"watcher: alert {d.alert_id} to '{d.channel}' was given up",
                                  f"After {d.attempts + 1} tries over {cfg.max_age / 3600:g} h: {error}\n\n{d.title}")
        else:
            report.failed += 1
            log.warning("%s to %s failed (try %d): %s; next try %s", d.label, d.channel, d.attempts + 1,
                        error, when.strftime("%H:%M:%S"), extra=_fields(d))
        await self._channel_failed(d.channel, error)

    def _url_of(self, d: Delivery) -> str | None:
        """The configured URL `d` goes to, or None when its channel, or its URL in the channel, was removed."""
        channel = self.config.channels.get(d.channel)
        if channel is None:
            return None
        return where_to(channel.urls, d.url_key, d.target, lambda: self.store.outbox.keys_beside(d))

    def _given_up(self, d: Delivery, report: SendReport) -> None:
        """`d`'s channel, or the URL it was queued for, is no longer in the config: it goes nowhere else."""
        gone = ("is no longer configured" if d.channel not in self.config.channels
                else f"no longer has a URL number {d.target + 1}" if d.url_key.startswith("#")
                else f"no longer has the URL this was queued for (its URL number {d.target + 1} then)")
        self.store.outbox.mark_failed(d, f"channel '{d.channel}' {gone}", None)
        report.dead += 1
        log.error("%s to %s: channel %s; given up", d.label, d.channel, gone, extra=_fields(d))

    async def _in_turn(self, call: Callable[[], Outcome], rnd: _Round, what: str, fields: dict[str, object],
                       url: str, pace: float) -> Outcome | None:
        """`call` (a send of `what` to `url`) in a thread, when it is this lane's turn and `pace` has passed since
        the last message to `url`: the turn is given up when the send is answered or has lasted SLOW_SEND; None
        when the round is over first (nothing sent)."""
        loop = asyncio.get_running_loop()
        while True:
            await self._pace(url, pace)
            async with rnd.turn:
                if rnd.over(self):
                    return None
                last = self._last_sent.get(url)
                if pace and last is not None and loop.time() < last + pace:
                    continue  # a lane of another channel with this URL sent meanwhile: pace again
                self._last_sent[url] = loop.time()
                # the log masks the URL's secrets
                log.debug("%s: sending to %s", what, url, extra=fields)
                if self._threads is None:
                    self._threads = ThreadPoolExecutor(SENDS_AT_ONCE, thread_name_prefix="watcher-send")
                sending = loop.run_in_executor(self._threads, call)
                await asyncio.wait({sending}, timeout=SLOW_SEND)
            return await sending

    async def _pace(self, url: str, pace: float) -> None:
        """Until `pace` has passed since the last message to `url` (or the sender stops)."""
        last = self._last_sent.get(url)
        wait = 0.0 if not pace or last is None else last + pace - asyncio.get_running_loop().time()
        if wait > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), wait)

    async def _channel_failed(self, channel: str, error: str) -> None:
        failures, reported = self.store.outbox.channel_health(channel)
        failures += 1
        if failures >= FAILING_AFTER and not reported and channel != self.config.delivery.admin:
            reported = True
            await self._admin(f"watcher: channel '{channel}' is failing",
                              f"{failures} deliveries in a row failed; the last error: {error}. Alerts stay queued.")
        self.store.outbox.set_channel_health(channel, failures, reported)

    async def _channel_ok(self, channel: str) -> None:
        failures, reported = self.store.outbox.channel_health(channel)
        if reported:
            await self._admin(f"watcher: channel '{channel}' recovered", "Deliveries succeed again; queued alerts follow.")
        if failures or reported:
            self.store.outbox.set_channel_health(channel, 0, False)

    async def notice(self, title: str, body: str) -> None:
        """Tell the admin channel (when one is configured) about something else, e.g. a failing source."""
        await self._admin(title, body)

    async def _admin(self, title: str, body: str) -> None:
        """Queue a notice for every URL of the admin channel: it is sent, and retried, like an alert."""
        name = self.config.delivery.admin
        channel = self.config.channels.get(name) if name else None
        if channel is None:
            return
        # a notice quotes errors and URLs: masked like everything else watcher shows
        self.store.outbox.add_notice(redact(title), redact(body), targets_for(self.config.channels, [name]))
        self.wake.set()


def by_target(due: list[Delivery]) -> dict[tuple[str, str], list[Delivery]]:
    """Deliveries by (channel, URL key), each target's in the order given."""
    out: dict[tuple[str, str], list[Delivery]] = {}
    for d in due:
        out.setdefault((d.channel, d.url_key), []).append(d)
    return out


def _fields(d: Delivery) -> dict[str, object]:
    """The structured fields of a delivery's log lines (with --log-format json)."""
    return {"alert": d.alert_id, "channel": d.channel}


def digest_room(url: str, title: str, channel: ChannelConfig) -> int | None:
    """The characters of body a digest titled `title` may take to `url` without being cut (None: no limit)."""
    from watcher.deliver.channels import body_room, target

    return body_room(target(url, timeout_of(channel)), title)


def timeout_of(channel: ChannelConfig) -> Timeout:
    return Timeout(channel.connect_timeout, channel.read_timeout)


class Outcome(NamedTuple):
    """What one send came to: delivered, or why not; `unknown` when the service did not answer in time,
    so it may have the message (the try counts as failed, and is not repeated before its backoff)."""

    ok: bool
    error: str | None = None
    unknown: bool = False


def send(url: str, title: str, body: str, body_format: str = "markdown", timeout: Timeout = Timeout()) -> Outcome:
    """One Apprise notification to one URL; success only if every dispatched service succeeded."""
    import apprise  # loaded on the first send, not at every start
    from apprise.result import AppriseResultStatus

    from watcher.deliver.channels import fit, target

    fmt = {"html": apprise.NotifyFormat.HTML, "text": apprise.NotifyFormat.TEXT}.get(body_format, apprise.NotifyFormat.MARKDOWN)
    services = target(url, timeout)
    title, body = fit(services, title, body)
    started = time.monotonic()
    result = services.notify(title=title, body=body, body_format=fmt)
    outcomes = result.results
    if outcomes and all(s.status == AppriseResultStatus.SUCCESS for s in outcomes):
        return Outcome(True)
    messages = [e.message for s in outcomes for e in s.logs() if e.level in ("WARNING", "ERROR")]
    error = messages[-1] if messages else f"Apprise reported {getattr(result.status, 'name', 'failure')}"
    # Apprise says "connection error" for a read timeout too: a failed send that lasted the whole read
    # timeout got no answer in time, though the service may have taken the message
    read = min((_answer_wait(s, timeout) for s in services), default=timeout.read)
    unknown = result.status == AppriseResultStatus.TIMEOUT or time.monotonic() - started >= read * TIMED_OUT
    if unknown:  # (the URL's own ?rto= may say another read timeout than the channel's)
        error = f"no answer within {read:g}s (it may have arrived; not resent before the next try): {error}"
    return Outcome(False, redact(error), unknown)


def _answer_wait(service: object, timeout: Timeout) -> float:
    """Seconds `service` waits for an answer: its read timeout; email's connect timeout, which smtplib keeps
    for every reply (the server's "accepted" after the message too)."""
    from apprise.plugins.email import NotifyEmail

    name = "socket_connect_timeout" if isinstance(service, NotifyEmail) else "socket_read_timeout"
    return float(getattr(service, name, timeout.read))
