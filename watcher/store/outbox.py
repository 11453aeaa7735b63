"""The outbox: each alert's deliveries (one per channel URL) and admin notices, waiting to be sent or retried,
and each channel's run of failures (for its one "failing" and one "recovered" notice)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

import sqlite_utils

from watcher.model import Delivery, Target
from watcher.store.times import iso, parse_iso, utcnow


@dataclass(frozen=True)
class ChannelTotals:
    """A channel's deliveries by state, for /metrics: sent, failed tries, given up (dead), waiting."""

    channel: str
    sent: int
    failed: int
    dead: int
    pending: int


def _idle(busy: Iterable[tuple[str, str]], table: str = "") -> tuple[str, list[object]]:
    """A condition (and its arguments) leaving out rows to the `busy` (channel, URL key) targets."""
    pairs = list(busy)
    if not pairs:
        return "", []
    # one row-value list, not an OR per target: hundreds of targets in flight stay within SQLite's expression depth
    listed = ", ".join("(?, ?)" for _ in pairs)
    return f"AND ({table}channel, {table}url_key) NOT IN (VALUES {listed}) ", [v for pair in pairs for v in pair]


def _table(d: Delivery) -> str:
    """The table holding this outbox row."""
    return "notices" if d.notice else "deliveries"


def _delivery(r: tuple, now: datetime) -> Delivery:
    """A row of the outbox queries: id, alert id, channel, place, attempts, title, body, created, context, key."""
    return Delivery(r[0], r[1], r[2], r[3], r[4], r[5], r[6], parse_iso(r[7]) or now, r[8], url_key=r[9])


class Outbox:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def due(self, now: datetime, limit: int = 100, exclude: Iterable[str] = (),
            unknown_too: bool = True, busy: Iterable[tuple[str, str]] = ()) -> list[Delivery]:
        """Pending deliveries and admin notices whose time has come, except alerts to the `exclude` channels
        (digests) and anything to the `busy` (channel, URL key) targets (their sends are under way); without
        `unknown_too`, not those whose last try may have arrived (no answer in time)."""
        skip = list(exclude)
        marks = ",".join("?" * len(skip))
        busy = list(busy)
        idle, idle_args = _idle(busy)
        cur = self.db.execute(
            "SELECT d.id, d.alert_id, d.channel, d.target, d.attempts, a.title, a.body, a.created_at, a.context, "
            "d.url_key, d.next_attempt_at FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
            "WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND a.kind != 'update-digest' "
            + (f"AND d.channel NOT IN ({marks}) " if skip else "") + ("" if unknown_too else "AND d.outcome_unknown = 0 ")
            + _idle(busy, "d.")[0] + "UNION ALL SELECT id, NULL, channel, target, attempts, title, body, created_at, "
            "'{}', url_key, next_attempt_at FROM notices WHERE status = 'pending' AND next_attempt_at <= ? "
            + ("" if unknown_too else "AND outcome_unknown = 0 ") + idle + "ORDER BY 11, 1 LIMIT ?",
            [iso(now), *skip, *idle_args, iso(now), *idle_args, limit],
        )
        return [_delivery(r, now) for r in cur.fetchall()]

    def unconfigured(self, kept: dict[str, set[str]]) -> list[Delivery]:
        """Pending deliveries to a channel the config no longer has, or with a URL key that none of its channel's
        URLs has now (`kept`: each channel's keys, `deliver.targets.kept_keys`): digests and story updates never
        ask for them. The sender finds where each goes, if anywhere."""
        either = " OR ".join(f"(d.channel = ? AND d.url_key IN ({','.join('?' * len(keys))}))"
                             for keys in kept.values()) or "1 = 0"
        return self._pending(f"NOT ({either}) ", [v for name, keys in kept.items() for v in (name, *sorted(keys))])

    def add_notice(self, title: str, body: str, targets: Iterable[Target]) -> None:
        """An admin notice, queued for each channel URL, to be sent and retried like alerts."""
        now = iso(utcnow())
        with self.db.atomic():
            for t in targets:
                self.db.execute(
                    "INSERT INTO notices (created_at, title, body, channel, target, url_key, status, next_attempt_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
                    [now, title, body, t.channel, t.index, t.row_key, now],
                )

    def pending_for(self, channel: str, updates_only: bool = False) -> list[Delivery]:
        """Pending deliveries to one channel (for its digests, which sort them by URL); only story updates held
        for a digest with `updates_only`."""
        return self._pending("d.channel = ? " + ("AND a.kind = 'update-digest' " if updates_only else ""), [channel])

    def keys_beside(self, d: Delivery) -> set[str]:
        """The URL keys of the other rows of `d`'s message to its channel: the alert's other deliveries there, or
        the copies of the same notice."""
        if d.notice:
            rows = self.db.execute(
                "SELECT n.url_key FROM notices n JOIN notices o ON o.id = ? AND n.channel = o.channel "
                "AND n.created_at = o.created_at AND n.title = o.title AND n.body = o.body WHERE n.id != o.id", [d.id])
        else:
            rows = self.db.execute("SELECT url_key FROM deliveries WHERE alert_id = ? AND channel = ? AND id != ?",
                                   [d.alert_id, d.channel, d.id])
        return {r[0] for r in rows.fetchall()}

    def _pending(self, where: str, args: list[object]) -> list[Delivery]:
        """Pending alert deliveries that meet `where` (on deliveries d and alerts a), oldest first."""
        cur = self.db.execute(
            "SELECT d.id, d.alert_id, d.channel, d.target, d.attempts, a.title, a.body, a.created_at, a.context, "
            f"d.url_key FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE d.status = 'pending' AND {where}"
            "ORDER BY d.id",
            args,
        )
        return [_delivery(r, utcnow()) for r in cur.fetchall()]

    def mark_all_sent(self, delivery_ids: Iterable[int]) -> None:
        with self.db.atomic():
            for i in delivery_ids:
                self.db.execute(
                    "UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL "
                    "WHERE id = ?",
                    [iso(utcnow()), i],
                )

    def mark_all_failed(self, delivery_ids: Iterable[int], error: str) -> None:
        """A failed digest: its deliveries stay pending for the next one, with one more try and its error."""
        with self.db.atomic():
            for i in delivery_ids:
                self.db.execute("UPDATE deliveries SET attempts = attempts + 1, last_error = ? WHERE id = ?", [error, i])

    def mark_sent(self, d: Delivery) -> None:
        with self.db.atomic():
            self.db.execute(
                f"UPDATE {_table(d)} SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL, "
                "outcome_unknown = 0 WHERE id = ?",
                [iso(utcnow()), d.id],
            )

    def mark_failed(self, d: Delivery, error: str, next_attempt: datetime | None, unknown: bool = False) -> None:
        """A failed try: retry at `next_attempt`, or give up (dead) when it is None; `unknown` when the
        service did not answer in time (the message may have arrived)."""
        with self.db.atomic():
            self.db.execute(
                f"UPDATE {_table(d)} SET status = ?, attempts = attempts + 1, last_error = ?, "
                "next_attempt_at = COALESCE(?, next_attempt_at), outcome_unknown = ? WHERE id = ?",
                ["dead" if next_attempt is None else "pending", error, iso(next_attempt), int(unknown), d.id],
            )

    def channel_health(self, channel: str) -> tuple[int, bool]:
        """The channel's failures in a row, and whether the admin channel was told it is failing."""
        row = self.db.execute("SELECT failures, reported FROM channel_health WHERE channel = ?", [channel]).fetchone()
        return (int(row[0]), bool(row[1])) if row else (0, False)

    def set_channel_health(self, channel: str, failures: int, reported: bool) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO channel_health (channel, failures, reported) VALUES (?, ?, ?) "
                "ON CONFLICT(channel) DO UPDATE SET failures = excluded.failures, reported = excluded.reported",
                [channel, failures, int(reported)],
            )

    def depth(self) -> int:
        """Alert deliveries and admin notices waiting to be sent (or retried)."""
        return int(self.db.execute("SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'pending') "
                                   "+ (SELECT COUNT(*) FROM notices WHERE status = 'pending')").fetchone()[0])

    def next_due(self, exclude: Iterable[str] = (), busy: Iterable[tuple[str, str]] = ()) -> datetime | None:
        """When the next pending delivery or notice is due (alerts to the `exclude` channels, and anything to
        the `busy` targets, aside)."""
        skip = list(exclude)
        marks = ",".join("?" * len(skip))
        busy = list(busy)
        idle, idle_args = _idle(busy)
        row = self.db.execute(
            "SELECT MIN(t) FROM (SELECT MIN(d.next_attempt_at) AS t FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
            "WHERE d.status = 'pending' AND a.kind != 'update-digest' "
            + (f"AND d.channel NOT IN ({marks}) " if skip else "") + _idle(busy, "d.")[0]
            + "UNION ALL SELECT MIN(next_attempt_at) FROM notices WHERE status = 'pending' " + idle + ") AS due",
            [*skip, *idle_args, *idle_args],
        ).fetchone()
        return parse_iso(row[0]) if row and row[0] else None

    def totals(self) -> list[ChannelTotals]:
        """Each channel's alert deliveries: sent, failed tries, given up and waiting (read from the index
        deliveries_totals alone)."""
        counts: dict[str, dict[str, tuple[int, int]]] = {}  # channel -> status -> (deliveries, their tries)
        for channel, status, n, tries in self.db.execute(
                "SELECT channel, status, COUNT(*), SUM(attempts) FROM deliveries GROUP BY channel, status "
                "ORDER BY channel, status").fetchall():
            counts.setdefault(channel, {})[status] = (int(n), int(tries or 0))
        out = []
        for channel, by_status in counts.items():  # in the database's order of channels
            sent = by_status.get("sent", (0, 0))[0]
            tries = sum(t for _, t in by_status.values())
            out.append(ChannelTotals(channel, sent, tries - sent, by_status.get("dead", (0, 0))[0],
                                     by_status.get("pending", (0, 0))[0]))
        return out
