"""What the web console reads (and the few things it changes), one function per page.

Every list is a page of an index range (keyset pagination on ids, never
OFFSET over a large table), so a page costs the same with 100 or 100,000
articles stored. Functions take the sqlite-utils Database and return plain
rows; the web handlers never write SQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

import sqlite_utils

from watcher.parse.chars import storable
from watcher.store.times import iso, parse_iso

Row = dict[str, Any]


def _rows(db: sqlite_utils.Database, sql: str, params: Iterable[Any] = ()) -> list[Row]:
    cur = db.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _one(db: sqlite_utils.Database, sql: str, params: Iterable[Any] = ()) -> Row | None:
    rows = _rows(db, sql, params)
    return rows[0] if rows else None


def _scalar(db: sqlite_utils.Database, sql: str, params: Iterable[Any] = ()) -> Any:
    row = db.execute(sql, list(params)).fetchone()
    return row[0] if row else None


def health(row: Row) -> str:
    """A source's state in one word: new, ok, failing, paused or disabled."""
    if not row.get("last_status"):
        return "new"
    if row.get("disabled"):
        return "disabled"
    if row.get("consecutive_failures"):
        return "failing"
    if row.get("last_status") == "paused":
        return "paused"
    return "ok"


# -- overview -----------------------------------------------------------------

def overview(db: sqlite_utils.Database, now: datetime) -> Row:
    """Counts for the front page: source health, poll lag, today's articles and alerts, the outbox, last errors."""
    sources = _rows(db, "SELECT id, last_status, consecutive_failures, disabled, next_poll_at FROM sources")
    by_health: dict[str, int] = {}
    lag = 0.0
    for s in sources:
        h = health(s)
        by_health[h] = by_health.get(h, 0) + 1
        due = parse_iso(s["next_poll_at"])
        if due is not None and h != "disabled":
            lag = max(lag, (now - due).total_seconds())
    midnight = iso(now.replace(hour=0, minute=0, second=0, microsecond=0))
    outbox = _rows(db, "SELECT channel, COUNT(*) AS pending, COUNT(*) FILTER (WHERE attempts > 0) AS failing "
                       "FROM deliveries "
                       "WHERE status = 'pending' GROUP BY channel ORDER BY channel")
    return {
        "sources": len(sources),
        "health": by_health,
        "poll_lag": lag,
        "articles_today": _scalar(db, "SELECT COUNT(*) FROM articles WHERE fetched_at >= ?", [midnight]),
        "alerts_today": _scalar(db, "SELECT COUNT(*) FROM alerts WHERE created_at >= ?", [midnight]),
        "articles": _scalar(db, "SELECT MAX(id) FROM articles") or 0,
        "outbox": outbox,
        "dead": _scalar(db, "SELECT COUNT(*) FROM deliveries WHERE status = 'dead'"),
        "source_errors": _rows(
            db, "SELECT id, last_poll_at, last_error FROM sources WHERE consecutive_failures > 0 "
                "ORDER BY last_poll_at DESC LIMIT 5"),
        "delivery_errors": _rows(
            db, "SELECT d.alert_id, d.channel, d.attempts, d.last_error FROM deliveries d "
                "WHERE d.status IN ('pending', 'dead') AND d.last_error IS NOT NULL ORDER BY d.id DESC LIMIT 5"),
    }


def per_day(db: sqlite_utils.Database, what: str, now: datetime, days: int = 30) -> list[tuple[str, int]]:
    """Articles stored (`what` = articles) or alerts made (alerts) per UTC day, the last `days` days, oldest first."""
    table, column = {"articles": ("articles", "fetched_at"), "alerts": ("alerts", "created_at")}[what]
    first = (now - timedelta(days=days - 1)).date()
    days_ = [(first + timedelta(days=i)).isoformat() for i in range(days + 1)]
    # one range count per day on the time column's index: no rows read, no grouping of text
    sql = " UNION ALL ".join([f"SELECT COUNT(*) FROM {table} WHERE {column} >= ? AND {column} < ?"] * days)
    params = [x for i in range(days) for x in (days_[i], days_[i + 1])]
    return list(zip(days_[:days], (int(r[0]) for r in db.execute(sql, params).fetchall())))


def rule_fires(db: sqlite_utils.Database, since: datetime) -> dict[str, int]:
    """Articles each rule fired on since `since`."""
    return dict(db.execute("SELECT rule_id, COUNT(*) FROM matches WHERE matched_at >= ? GROUP BY rule_id",
                           [iso(since)]).fetchall())


def rule_stats(db: sqlite_utils.Database, now: datetime) -> dict[str, Row]:
    """Per rule: fires in 7 and 30 days, alerts made and alerts marked as false positives."""
    stats: dict[str, Row] = {}
    for days in (7, 30):
        for rule_id, n in rule_fires(db, now - timedelta(days=days)).items():
            stats.setdefault(rule_id, {})[f"fired_{days}d"] = n
    for rule_id, n in db.execute("SELECT rule_id, COUNT(*) FROM false_positives GROUP BY rule_id").fetchall():
        stats.setdefault(rule_id, {})["false_positives"] = n
    return stats


# -- sources ------------------------------------------------------------------

def sources(db: sqlite_utils.Database) -> list[Row]:
    """Every source with its health (article counts: `article_counts`, for the page shown)."""
    rows = _rows(
        db,
        "SELECT s.id, s.url, s.moved_to, s.type, s.last_poll_at, s.last_status, s.last_error, s.last_http_status, "
        "s.consecutive_failures, s.next_poll_at, s.disabled, s.failing_since, s.not_modified, s.bytes_saved "
        "FROM sources s ORDER BY s.id")
    for r in rows:
        r["health"] = health(r)
    return rows


def article_counts(db: sqlite_utils.Database, source_ids: list[str]) -> dict[str, int]:
    """Articles each source stored first (one index range each)."""
    if not source_ids:
        return {}
    marks = ",".join("?" * len(source_ids))
    return dict(db.execute(f"SELECT source_id, COUNT(*) FROM articles WHERE source_id IN ({marks}) GROUP BY source_id",
                           source_ids).fetchall())


def source(db: sqlite_utils.Database, source_id: str) -> Row | None:
    row = _one(db, "SELECT * FROM sources WHERE id = ?", [source_id])
    if row is not None:
        row["health"] = health(row)
        row["articles"] = _scalar(db, "SELECT COUNT(*) FROM articles WHERE source_id = ?", [source_id])
    return row


def source_articles(db: sqlite_utils.Database, source_id: str, before: int | None, limit: int = 50) -> list[Row]:
    """A source's articles, newest first, `limit` at a time below article id `before`."""
    return _rows(
        db, "SELECT id, title, url, published, fetched_at, story_id, extract_error FROM articles "
            "WHERE source_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
        [source_id, before if before is not None else 1 << 62, limit])


DISABLED_HERE = "disabled in the web console"


def disable_source(db: sqlite_utils.Database, source_id: str, now: datetime) -> bool:
    """Stop polling a source (until it is enabled again); False if there is no such source."""
    with db.atomic():
        cur = db.execute("UPDATE sources SET disabled = ? WHERE id = ?",
                         [f"{DISABLED_HERE} on {now:%Y-%m-%d %H:%M} UTC", source_id])
    return cur.rowcount > 0


# -- alerts -------------------------------------------------------------------

@dataclass(frozen=True)
class AlertFilter:
    """What the alerts page is narrowed to; empty fields do not narrow."""
    rule: str = ""
    channel: str = ""
    status: str = ""  # a delivery status: pending | sent | dead; or "false-positive"
    text: str = ""  # in the article's title
    day: str = ""  # YYYY-MM-DD: alerts made that day or before

    def where(self) -> tuple[str, list[Any]]:
        """The SQL condition and its parameters. Values are made storable first: a NUL from the query string
        (`?text=%00`) failed the page on PostgreSQL, which refuses one in a string; now it finds nothing."""
        rule, channel, status, text = (storable(v) for v in (self.rule, self.channel, self.status, self.text))
        sql, params = [], []
        if rule:
            sql.append("a.rule_id = ?")
            params.append(rule)
        if status == "false-positive":
            sql.append("EXISTS (SELECT 1 FROM false_positives f WHERE f.alert_id = a.id)")
        elif channel or status:
            parts = ["d.alert_id = a.id"]
            for column, value in (("channel", channel), ("status", status)):
                if value:
                    parts.append(f"d.{column} = ?")
                    params.append(value)
            sql.append(f"EXISTS (SELECT 1 FROM deliveries d WHERE {' AND '.join(parts)})")
        if text:
            sql.append("LOWER(ar.title) LIKE LOWER(?) ESCAPE '\\'")  # in any case, on both engines
            params.append("%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        if self.day:
            sql.append("a.created_at < ?")
            params.append(self.day + "T99")  # any time of that day sorts before
        return " AND ".join(sql), params


def alerts(db: sqlite_utils.Database, f: AlertFilter, before: int | None, limit: int = 50) -> list[Row]:
    """Alerts newest first, `limit` at a time below alert id `before`, with their deliveries."""
    where, params = f.where()
    rows = _rows(
        db,
        "SELECT a.id, a.rule_id, a.kind, a.created_at, a.title AS rule_title, ar.id AS article_id, ar.title, "
        "ar.url, ar.source_id, ar.sitename, ar.story_id, "
        "EXISTS (SELECT 1 FROM false_positives f WHERE f.alert_id = a.id) AS false_positive "
        "FROM alerts a JOIN articles ar ON ar.id = a.article_id WHERE a.id < ?"
        + (f" AND {where}" if where else "") + " ORDER BY a.id DESC LIMIT ?",
        [before if before is not None else 1 << 62, *params, limit])
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        r["deliveries"] = []
    if by_id:
        marks = ",".join("?" * len(by_id))
        for d in _rows(db, f"SELECT id, alert_id, channel, target, status, attempts FROM deliveries "
                           f"WHERE alert_id IN ({marks}) ORDER BY channel, target", list(by_id)):
            by_id[d["alert_id"]]["deliveries"].append(d)
    return rows


def alert(db: sqlite_utils.Database, alert_id: int) -> Row | None:
    """One alert: its article, the rule's evidence, deliveries, the story's other outlets, false-positive mark."""
    a = _one(
        db,
        "SELECT a.id, a.rule_id, a.kind, a.parent_id, a.created_at, a.title AS rule_title, a.story_key, "
        "ar.id AS article_id, ar.title, ar.url, ar.source_id, ar.sitename, ar.published, ar.story_id, "
        "f.marked_at AS false_positive FROM alerts a JOIN articles ar ON ar.id = a.article_id "
        "LEFT JOIN false_positives f ON f.alert_id = a.id WHERE a.id = ?", [alert_id])
    if a is None:
        return None
    evidence = _scalar(db, "SELECT evidence FROM matches WHERE rule_id = ? AND article_id = ?",
                       [a["rule_id"], a["article_id"]])
    a["evidence"] = json.loads(evidence) if evidence else []
    a["deliveries"] = _rows(db, "SELECT id, channel, target, status, attempts, next_attempt_at, last_error, sent_at "
                                "FROM deliveries WHERE alert_id = ? ORDER BY channel, target", [alert_id])
    a["others"] = _rows(
        db, "SELECT id, title, url, source_id, sitename, fetched_at FROM articles WHERE story_id = ? AND id != ? "
            "ORDER BY fetched_at, id LIMIT 100", [a["story_id"], a["article_id"]]) if a["story_id"] else []
    return a


def retry_delivery(db: sqlite_utils.Database, delivery_id: int, now: datetime) -> bool:
    """Make a failed (or given-up) delivery due at once; False if it is not one."""
    with db.atomic():
        cur = db.execute("UPDATE deliveries SET status = 'pending', next_attempt_at = ?, outcome_unknown = 0 "
                         "WHERE id = ? AND status IN ('pending', 'dead')", [iso(now), delivery_id])
    return cur.rowcount > 0


def mark_false_positive(db: sqlite_utils.Database, alert_id: int, marked: bool, now: datetime) -> bool:
    """Mark (or unmark) an alert as a false positive of its rule; False if there is no such alert."""
    rule_id = _scalar(db, "SELECT rule_id FROM alerts WHERE id = ?", [alert_id])
    if rule_id is None:
        return False
    with db.atomic():
        if marked:
            db.execute("INSERT INTO false_positives (alert_id, rule_id, marked_at) VALUES (?, ?, ?) "
                       "ON CONFLICT(alert_id) DO NOTHING", [alert_id, rule_id, iso(now)])
        else:
            db.execute("DELETE FROM false_positives WHERE alert_id = ?", [alert_id])
    return True


def alert_filters(db: sqlite_utils.Database) -> Row:
    """The values the alerts page's filters offer."""
    return {
        "rules": [r[0] for r in db.execute("SELECT DISTINCT rule_id FROM alerts ORDER BY rule_id")],
        "channels": [r[0] for r in db.execute("SELECT DISTINCT channel FROM deliveries ORDER BY channel")],
    }


# -- stories ------------------------------------------------------------------

def stories(db: sqlite_utils.Database, before: tuple[str, int] | None, limit: int = 50) -> list[Row]:
    """Stories most recently seen first, `limit` at a time after the (last_seen, id) `before`."""
    last_seen, last_id = before or ("9999", 1 << 62)
    last_seen = storable(last_seen)  # (from the query string: a NUL is refused by PostgreSQL)
    return _rows(
        db, "SELECT id, first_seen, last_seen, title, size FROM stories WHERE (last_seen, id) < (?, ?) "
            "ORDER BY last_seen DESC, id DESC LIMIT ?", [last_seen, last_id, limit])


def story(db: sqlite_utils.Database, story_id: int, limit: int = 500) -> Row | None:
    """A story with its first `limit` articles by time, why each joined, the rules each matched and the alerts."""
    s = _one(db, "SELECT id, first_seen, last_seen, title, size FROM stories WHERE id = ?", [story_id])
    if s is None:
        return None
    s["articles"] = _rows(
        db, "SELECT id, title, url, source_id, sitename, published, fetched_at, story_reason FROM articles "
            "WHERE story_id = ? ORDER BY fetched_at, id LIMIT ?", [story_id, limit])
    rules: dict[int, list[str]] = {}
    ids = [a["id"] for a in s["articles"]]
    if ids:
        marks = ",".join("?" * len(ids))
        for article_id, rule_id in db.execute(
                f"SELECT article_id, rule_id FROM matches WHERE article_id IN ({marks}) ORDER BY id", ids):
            rules.setdefault(article_id, []).append(rule_id)
    for a in s["articles"]:
        a["reason"] = json.loads(a.pop("story_reason") or "{}")
        a["rules"] = rules.get(a["id"], [])
    s["outlets"] = sorted({a["sitename"] or a["source_id"] for a in s["articles"]})
    s["alerts"] = _rows(db, "SELECT id, rule_id, article_id, created_at FROM alerts WHERE story_key = ? "
                            "AND kind = 'alert' ORDER BY id", [f"story:{story_id}"])
    return s


# -- articles -----------------------------------------------------------------

def article(db: sqlite_utils.Database, article_id: int) -> Row | None:
    return _one(db, "SELECT id, title, body, url, source_id, sitename, language, published, fetched_at, story_id "
                    "FROM articles WHERE id = ?", [article_id])


def recent_articles(db: sqlite_utils.Database, since: datetime, limit: int) -> list[Row]:
    """The newest `limit` articles stored since `since`, newest first (for a backtest)."""
    return _rows(db, "SELECT id, title, body, url, source_id, sitename, language, fetched_at FROM articles "
                     "WHERE fetched_at >= ? ORDER BY fetched_at DESC LIMIT ?", [iso(since), limit])


# -- rule mutes and poll history -----------------------------------------------

def mute_rule(db: sqlite_utils.Database, rule_id: str, until: datetime, now: datetime) -> None:
    with db.atomic():
        db.execute("INSERT INTO rule_mutes (rule_id, until, muted_at) VALUES (?, ?, ?) ON CONFLICT(rule_id) "
                   "DO UPDATE SET until = excluded.until, muted_at = excluded.muted_at", [rule_id, iso(until), iso(now)])


def unmute_rule(db: sqlite_utils.Database, rule_id: str) -> None:
    with db.atomic():
        db.execute("DELETE FROM rule_mutes WHERE rule_id = ?", [rule_id])


def mutes(db: sqlite_utils.Database, now: datetime) -> dict[str, str]:
    """Rules muted now: rule id -> until when (ISO)."""
    return dict(db.execute("SELECT rule_id, until FROM rule_mutes WHERE until > ?", [iso(now)]).fetchall())


def poll_history(db: sqlite_utils.Database, source_id: str, limit: int = 100) -> list[Row]:
    """A source's last `limit` polls, oldest first."""
    return _rows(db, "SELECT at, status, http_status, size, response_ms FROM (SELECT id, at, status, http_status, size, response_ms "
                     "FROM poll_log WHERE source_id = ? ORDER BY id DESC LIMIT ?) AS recent ORDER BY id", [source_id, limit])
