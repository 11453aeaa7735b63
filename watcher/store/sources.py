"""Sources in the store: their polling state and health, and hosts that asked for a pause.

A poll costs one read (`state`, which writes only for a new source or a
changed URL) and one small UPDATE (`record`): a cycle of 304s is not a
storm of writes.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

import sqlite_utils

from watcher.model import PollUpdate, SourceState
from watcher.store.times import iso, parse_iso, utcnow

_STATE_COLUMNS = (
    "id, url, added_at, baseline_done, etag, last_modified, consecutive_failures, next_poll_at, type, "
    "moved_to, move_target, move_polls, disabled, failing_since, failing_notified, feed_interval, "
    "adaptive_interval, last_poll_at, max_age, content_hash, item_memory"
)


def state(db: sqlite_utils.Database, source_id: str, url: str, type_: str | None, now: datetime) -> SourceState:
    """The source's state; a new source is added, and a changed URL starts afresh (no move, not disabled). A
    source given another type than it was read as (a watched page made a feed) is read anew, and what it lists
    then is its baseline, as a new source's: its validators and remembered bytes were of the other reading."""
    row = db.execute(f"SELECT {_STATE_COLUMNS} FROM sources WHERE id = ?", [source_id]).fetchone()
    if row is None or row[1] != url or (type_ is not None and row[8] != type_):
        retyped = "(sources.type IS NOT NULL AND excluded.type IS NOT NULL AND sources.type != excluded.type)"
        with db.atomic():
            db.execute(
                "INSERT INTO sources (id, url, type, added_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET type = COALESCE(excluded.type, sources.type), url = excluded.url, "
                "moved_to = CASE WHEN sources.url = excluded.url THEN sources.moved_to END, "
                "move_target = CASE WHEN sources.url = excluded.url THEN sources.move_target END, "
                "disabled = CASE WHEN sources.url = excluded.url THEN sources.disabled END, "
                f"etag = CASE WHEN sources.url = excluded.url AND NOT {retyped} THEN sources.etag END, "
                f"last_modified = CASE WHEN sources.url = excluded.url AND NOT {retyped} THEN sources.last_modified END, "
                f"content_hash = CASE WHEN {retyped} THEN NULL ELSE sources.content_hash END, "
                f"item_memory = CASE WHEN {retyped} THEN NULL ELSE sources.item_memory END, "
                f"baseline_done = CASE WHEN {retyped} THEN 0 ELSE sources.baseline_done END, "
                f"added_at = CASE WHEN {retyped} THEN excluded.added_at ELSE sources.added_at END",
                [source_id, url, type_, iso(now)],
            )
        row = db.execute(f"SELECT {_STATE_COLUMNS} FROM sources WHERE id = ?", [source_id]).fetchone()
    return SourceState(
        id=row[0],
        url=row[1],
        added_at=parse_iso(row[2]) or now,
        baseline_done=bool(row[3]),
        etag=row[4],
        last_modified=row[5],
        consecutive_failures=row[6],
        next_poll_at=parse_iso(row[7]),
        type=row[8],
        moved_to=row[9],
        move_target=row[10],
        move_polls=row[11],
        disabled=row[12],
        failing_since=parse_iso(row[13]),
        failing_notified=bool(row[14]),
        feed_interval=row[15],
        adaptive_interval=row[16],
        last_poll_at=parse_iso(row[17]),
        max_age=row[18],
        content_hash=row[19],
        item_memory=bytes(row[20]) if row[20] else None,
    )


def record(db: sqlite_utils.Database, source_id: str, r: PollUpdate, now: datetime) -> None:
    """One UPDATE with the poll's outcome."""
    fields: dict[str, Any] = {
        "last_poll_at": iso(now),
        "last_status": r.status,
        "last_error": r.error,
        "last_http_status": r.http_status,
        "next_poll_at": iso(r.next_poll_at),
        "move_target": r.move_target,
        "move_polls": r.move_polls,
    }
    extra = []
    if r.outcome == "ok":
        fields.update(consecutive_failures=0, failing_since=None, failing_notified=0)
        if r.etag is not None or r.last_modified is not None or r.size is not None:
            fields["etag"] = r.etag  # byte for byte, to be sent back as they came
            fields["last_modified"] = r.last_modified
        if r.size is not None:
            fields["last_size"] = r.size
        if r.http_status == 304:
            extra += ["bytes_saved = bytes_saved + COALESCE(last_size, 0)", "not_modified = not_modified + 1"]
    elif r.outcome == "failed":
        fields["failing_since"] = iso(now)
        extra += ["consecutive_failures = consecutive_failures + 1"]
    for name in ("baseline_done", "type", "advertised_feed", "moved_to", "disabled", "feed_interval",
                 "adaptive_interval", "max_age", "content_hash", "item_memory"):
        value = getattr(r, name)
        if value is not None:
            fields[name] = int(value) if isinstance(value, bool) else value
    sets = [f"{k} = ?" for k in fields]
    if "failing_since" in fields and r.outcome == "failed":
        sets[list(fields).index("failing_since")] = "failing_since = COALESCE(failing_since, ?)"
    with db.atomic():
        db.execute(f"UPDATE sources SET {', '.join(sets + extra)} WHERE id = ?", [*fields.values(), source_id])
        log_poll(db, source_id, r, now)


POLL_LOG_KEEP = 200  # polls kept per source for its page's history


def log_poll(db: sqlite_utils.Database, source_id: str, r: PollUpdate, now: datetime) -> None:
    """Keep the poll in the source's recent history (the oldest beyond POLL_LOG_KEEP go)."""
    response_ms = round(r.response_seconds * 1000) if r.response_seconds is not None else None
    db.execute("INSERT INTO poll_log (source_id, at, status, http_status, size, response_ms) VALUES (?, ?, ?, ?, ?, ?)",
               [source_id, iso(now), r.status, r.http_status, r.size, response_ms])
    db.execute("DELETE FROM poll_log WHERE source_id = ? AND id < (SELECT id FROM poll_log WHERE source_id = ? "
               "ORDER BY id DESC LIMIT 1 OFFSET ?)", [source_id, source_id, POLL_LOG_KEEP - 1])


def set_notified(db: sqlite_utils.Database, source_id: str, notified: bool) -> None:
    with db.atomic():
        db.execute("UPDATE sources SET failing_notified = ? WHERE id = ?", [int(notified), source_id])


def enable(db: sqlite_utils.Database, source_id: str, now: datetime) -> str | None:
    """Poll a disabled (or backed-off) source again at once; returns why it was disabled, or None if it was not."""
    row = db.execute("SELECT disabled FROM sources WHERE id = ?", [source_id]).fetchone()
    if row is None:
        raise KeyError(source_id)
    with db.atomic():
        db.execute("UPDATE sources SET disabled = NULL, consecutive_failures = 0, next_poll_at = ? WHERE id = ?",
                   [iso(now), source_id])
    return row[0]


def rows(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every stored source with its health and article count, for `watcher sources`.

    A source's articles are those it led to, including ones another source
    stored first (a syndicated story counts for both outlets)."""
    cur = db.execute(
        """SELECT s.id, s.url, s.type, s.added_at, s.last_poll_at, s.last_status, s.last_error,
                  s.last_http_status, s.consecutive_failures, s.next_poll_at, s.advertised_feed,
                  s.moved_to, s.move_target, s.move_polls, s.disabled, s.failing_since, s.last_size,
                  s.bytes_saved, s.not_modified, s.feed_interval, s.adaptive_interval,
                  (SELECT COUNT(DISTINCT e.article_id) FROM entries e WHERE e.source_id = s.id) AS articles,
                  (SELECT COUNT(*) FROM entries e WHERE e.source_id = s.id) AS entries
           FROM sources s ORDER BY s.id"""
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def host_pauses(db: sqlite_utils.Database, now: datetime) -> dict[str, float]:
    """Hosts that asked for a pause still ahead: host -> epoch seconds."""
    cur = db.execute("SELECT host, until FROM host_pauses WHERE until > ?", [iso(now)])
    return {host: datetime.fromisoformat(until).timestamp() for host, until in cur.fetchall()}


def pause_host(db: sqlite_utils.Database, host: str, until: float, now: datetime) -> None:
    with db.atomic():
        db.execute("DELETE FROM host_pauses WHERE until <= ?", [iso(now)])
        db.execute(
            "INSERT INTO host_pauses (host, until) VALUES (?, ?) "
            "ON CONFLICT(host) DO UPDATE SET until = CASE WHEN excluded.until > host_pauses.until "
            "THEN excluded.until ELSE host_pauses.until END",
            [host, iso(datetime.fromtimestamp(until, timezone.utc))],
        )


class Sources:
    """Sources in the store, for the poll, the daemon, `watcher sources` and /metrics."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def ensure(self, source_id: str, url: str, type_: str | None) -> SourceState:
        """The source's polling state; a new source is added, a changed URL starts afresh."""
        return state(self.db, source_id, url, type_, utcnow())

    def record_poll(self, source_id: str, update: PollUpdate) -> None:
        record(self.db, source_id, update, utcnow())

    def set_failing_notified(self, source_id: str, notified: bool) -> None:
        set_notified(self.db, source_id, notified)

    def rows(self) -> list[dict[str, Any]]:
        """Every stored source with its health and article count, for `watcher sources`."""
        return rows(self.db)

    def enable(self, source_id: str) -> str | None:
        """Poll the source again at its next chance, even if it was disabled; KeyError if never polled."""
        return enable(self.db, source_id, utcnow())

    def host_pauses(self) -> dict[str, float]:
        """Hosts that asked (Retry-After) not to be called before a time still ahead: host -> epoch seconds."""
        return host_pauses(self.db, utcnow())

    def pause_host(self, host: str, until: float) -> None:
        pause_host(self.db, host, until, utcnow())

    def put_off(self, source_id: str, seconds: float) -> None:
        """The source's next poll `seconds` from now, whatever its state (after a poll that failed in our code)."""
        with self.db.atomic():
            self.db.execute("UPDATE sources SET next_poll_at = ? WHERE id = ?",
                            [iso(utcnow() + timedelta(seconds=seconds)), source_id])

    def most_overdue(self, source_ids: Iterable[str]) -> datetime | None:
        """The earliest next poll among these sources (those not disabled), if any is scheduled."""
        row = self._among(source_ids, "MIN(next_poll_at)", "next_poll_at IS NOT NULL AND disabled IS NULL")
        return parse_iso(row[0]) if row and row[0] else None

    def failing(self, source_ids: Iterable[str]) -> int:
        """How many of these sources failed their last poll."""
        row = self._among(source_ids, "COUNT(*)", "consecutive_failures > 0")
        return int(row[0]) if row else 0

    def _among(self, source_ids: Iterable[str], what: str, where: str) -> tuple[Any, ...] | None:
        """One aggregate over the given sources (the table keeps sources removed from the config)."""
        ids = list(source_ids)
        if not ids:
            return None
        marks = ",".join("?" * len(ids))
        return self.db.execute(  # type: ignore[no-any-return]
            f"SELECT {what} FROM sources WHERE id IN ({marks}) AND {where}", ids).fetchone()
