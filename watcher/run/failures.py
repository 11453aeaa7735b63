"""How a poll ends when it did not read the source, and how a source that works again is told of.

A failed poll backs off (doubling the wait each time), or waits for the host's
Retry-After, or disables the source on 410 Gone; the admin channel hears of a
source failing for `delivery.source_failing_after`, once, and of its recovery,
once. `finish` stamps the report and logs a poll that read its source.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from watcher.config import SourceConfig
from watcher.model import PollReport, PollUpdate, SourceState
from watcher.source.schedule import next_poll

if TYPE_CHECKING:
    from watcher.run.pipeline import Pipeline

log = logging.getLogger("watcher.run.poll")  # the poll's own lines, under the poll's name


async def record_failure(
    p: Pipeline, source: SourceConfig, state: SourceState, report: PollReport, kind: str, message: str,
    start: float, started: datetime, *, http_status: int | None = None, retry_after: float | None = None,
) -> PollReport:
    """Record a poll that failed: back off, or wait for the host's Retry-After, or disable on 410 Gone."""
    timing = p.config.timing(source)
    report.error = message
    not_before = datetime.fromtimestamp(retry_after, timezone.utc) if retry_after else None
    keep_move = {"move_target": state.move_target, "move_polls": state.move_polls}
    if kind == "paused":  # another request to the host was told to wait: not this source's failure
        report.status = "paused"
        report.next_poll_at = next_poll(started, timing, adapted=state.adaptive_interval, not_before=not_before)
        p.store.sources.record_poll(source.id, PollUpdate("skipped", "paused", report.next_poll_at, error=message,
                                                          **keep_move))
        log.info("source %s: paused: %s", source.id, message)
        return finish(report, start)
    disabled = None
    if http_status == 410:
        kind = "gone"
        disabled = f"HTTP 410 Gone on {started:%Y-%m-%d %H:%M} UTC: {state.poll_url} is gone for good"
    report.status = kind
    failures = state.consecutive_failures + 1
    # a host's Retry-After says when to come back; other failures double the wait each time
    report.next_poll_at = next_poll(started, timing, adapted=state.adaptive_interval, hints=[state.feed_interval],
                                    failures=0 if not_before else failures, not_before=not_before)
    p.store.sources.record_poll(source.id, PollUpdate(
        "failed", kind, report.next_poll_at, error=message, http_status=http_status, disabled=disabled, **keep_move))
    if disabled:
        log.warning("source %s: %s; it is disabled and not polled again until its url changes in the config",
                    source.id, disabled)
        await p.sender.notice(f"watcher: source '{source.id}' is gone", f"{disabled}. It is no longer polled.")
        return finish(report, start)
    log.warning("source %s: %s: %s (%d failed in a row; next try %s)", source.id, kind, message, failures,
                f"{report.next_poll_at:%Y-%m-%d %H:%M:%S}")
    since = state.failing_since or started
    if not state.failing_notified and (started - since).total_seconds() >= p.config.delivery.source_failing_after:
        log.warning("source %s: failing since %s; telling the admin channel", source.id, f"{since:%Y-%m-%d %H:%M}")
        await p.sender.notice(
            f"watcher: source '{source.id}' is failing",
            f"{failures} polls in a row have failed since {since:%Y-%m-%d %H:%M} UTC. The last error: {message}. "
            f"Next try: {report.next_poll_at:%Y-%m-%d %H:%M} UTC.",
        )
        p.store.sources.set_failing_notified(source.id, True)
    return finish(report, start)


async def tell_recovered(p: Pipeline, source: SourceConfig, state: SourceState) -> None:
    """A source whose failure the admin channel was told of works again: say so, once."""
    if state.failing_notified:
        log.info("source %s: recovered after %d failed polls", source.id, state.consecutive_failures)
        await p.sender.notice(f"watcher: source '{source.id}' recovered",
                              f"It polls successfully again after {state.consecutive_failures} failed polls.")


def finish(report: PollReport, start: float) -> PollReport:
    """The report with the poll's time; a poll that read its source is logged in one line."""
    report.elapsed = time.monotonic() - start
    if report.ok:
        log.info(
            "source %s: %s, %d entries, %d new articles, %d duplicates, %d baseline, %d rule matches, %.2fs%s",
            report.source_id, report.status, report.entries, report.new_articles,
            report.duplicates, report.baseline, report.matches, report.elapsed,
            f" ({report.entries_unread} entries stored before and unchanged, not read again)"
            if report.entries_unread else "",
        )
    return report
