"""What `/metrics` reports, in Prometheus' text format.

Counts the database already holds (articles, rule hits, deliveries, the
outbox, when each source is due) are read from it at each scrape, so they
survive restarts; what only the running process sees (polls by status,
errors by kind) is counted in `Metrics`. Each daemon has its own registry,
so two daemons in one process (tests) never mix their numbers.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterable, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from watcher.model import PollReport
    from watcher.store import Store


class Metrics:
    """In-process counters; the pipeline calls these with one line where things happen."""

    def __init__(self) -> None:
        self.polls: Counter[tuple[str, str]] = Counter()  # (source, status) -> polls
        self.errors: Counter[str] = Counter()  # kind -> errors

    def polled(self, report: PollReport) -> None:
        self.polls[(report.source_id, report.status)] += 1
        if not report.ok and report.status != "paused":  # waiting out a host's Retry-After is not failing
            self.errors[report.status] += 1

    def error(self, kind: str) -> None:
        self.errors[kind] += 1


class WatcherCollector(Collector):
    """Reads `Metrics` and the store at scrape time (on the event loop's thread, like every store call)."""

    def __init__(self, metrics: Metrics, store: Store, source_ids: Iterable[str]) -> None:
        self.metrics = metrics
        self.store = store
        self.source_ids = list(source_ids)

    def collect(self) -> Iterator[Metric]:
        polls = CounterMetricFamily("watcher_polls", "Polls since start, by source and outcome "
                                    "(ok, not_modified, or the error kind).", labels=["source", "status"])
        for (source, status), n in sorted(self.metrics.polls.items()):
            polls.add_metric([source, status], n)
        yield polls
        errors = CounterMetricFamily("watcher_errors", "Errors since start, by kind (fetch and parse failures, "
                                     "delivery, internal).", labels=["kind"])
        for kind, n in sorted(self.metrics.errors.items()):
            errors.add_metric([kind], n)
        yield errors

        store = self.store
        yield CounterMetricFamily("watcher_articles_stored", "Articles stored (each once, however many entries lead "
                                  "to it).", value=store.articles.count())
        hits = CounterMetricFamily("watcher_rule_hits", "Articles each rule fired on.", labels=["rule"])
        for rule, n in store.alerts.rule_hits():
            hits.add_metric([rule], n)
        yield hits

        sent = CounterMetricFamily("watcher_alerts_sent", "Alert deliveries sent, by channel.", labels=["channel"])
        failed = CounterMetricFamily("watcher_alerts_failed", "Failed delivery tries, by channel.", labels=["channel"])
        dead = CounterMetricFamily("watcher_alerts_dead", "Deliveries given up after max_age, by channel.",
                                   labels=["channel"])
        pending = GaugeMetricFamily("watcher_outbox_depth", "Deliveries waiting to be sent (or retried).",
                                    labels=["channel"])
        for t in store.outbox.totals():
            sent.add_metric([t.channel], t.sent)
            failed.add_metric([t.channel], t.failed)
            dead.add_metric([t.channel], t.dead)
            pending.add_metric([t.channel], t.pending)
        yield from (sent, failed, dead, pending)

        due = store.sources.most_overdue(self.source_ids)
        lag = max(0.0, (datetime.now(timezone.utc) - due).total_seconds()) if due else 0.0
        yield GaugeMetricFamily("watcher_poll_lag_seconds", "How far the most overdue source is behind its next "
                                "scheduled poll (0 when none is late).", value=lag)
        yield GaugeMetricFamily("watcher_sources_failing", "Sources whose last poll failed.",
                                value=store.sources.failing(self.source_ids))


def registry_for(metrics: Metrics, store: Store, source_ids: Iterable[str]) -> CollectorRegistry:
    """A registry of this daemon's own: watcher's numbers and the process's (CPU, memory, open files)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(WatcherCollector(metrics, store, source_ids))
    ProcessCollector(registry=registry)
    return registry


def exposition(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
