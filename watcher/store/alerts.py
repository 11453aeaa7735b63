"""Matches and alerts in the store: a rule's match is recorded with its article, and becomes an alert (with a
delivery per channel URL, written before any send) when `alert.decide` says so."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

import sqlite_utils

from watcher.alert.decide import decide, story_key
from watcher.model import Alert, DeliveryState, LaterReport, Match, StoredMatch
from watcher.store.times import iso, parse_iso, utcnow


def insert_matches(db: sqlite_utils.Database, article_id: int, matches: Iterable[Match],
                   story: int | None = None) -> dict[str, int]:
    """Record the matches on a stored article and the alerts they make, in the caller's transaction; the alerts
    made, by rule. `story`: the article's story when the caller knows it (read from the article otherwise)."""
    now = iso(utcnow())
    made: dict[str, int] = {}
    for m in matches:
        db.execute(
            "INSERT INTO matches (rule_id, article_id, matched_at, evidence) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(rule_id, article_id) DO NOTHING",
            [m.rule_id, article_id, now, m.evidence_json],
        )
        if m.alert is None or not m.alert.targets:
            continue
        if story is None:
            row = db.execute("SELECT story_id FROM articles WHERE id = ?", [article_id]).fetchone()
            story = row[0] if row else None
        a = m.alert
        key = story_key(a.once_per, story, article_id)
        # whether the rule is muted and its alert on the story so far, in one read
        is_muted, earlier = db.execute(
            "SELECT (SELECT 1 FROM rule_mutes WHERE rule_id = ? AND until > ?), "
            "(SELECT id FROM alerts WHERE rule_id = ? AND story_key = ?)", [m.rule_id, now, m.rule_id, key]).fetchone()
        if is_muted:
            continue  # a rule muted from the web console keeps its matches and makes no alert
        decision = decide(once_per=a.once_per, updates=a.updates, story_id=story, article_id=article_id,
                          earlier=earlier)
        if decision is None:
            continue  # this rule already alerted on this story; the story lists the article
        # the alert and its deliveries are written with the match, before any send; the unique
        # (rule_id, story_key) makes a second writer's insert a no-op
        cur = db.execute(
            "INSERT INTO alerts (rule_id, article_id, story_key, created_at, title, body, context, kind, parent_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(rule_id, story_key) DO NOTHING",
            [m.rule_id, article_id, decision.key, now, decision.title_prefix + a.title, a.body, a.context_json,
             decision.kind, decision.parent],
        )
        if not cur.rowcount:
            continue
        made[m.rule_id] = int(cur.lastrowid)
        for t in a.targets:
            db.execute(
                "INSERT INTO deliveries (alert_id, channel, target, url_key, status, next_attempt_at) "
                "VALUES (?, ?, ?, ?, 'pending', ?)",
                [made[m.rule_id], t.channel, t.index, t.row_key, now],
            )
    return made


class Alerts:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def add_matches(self, article_id: int, matches: Iterable[Match]) -> None:
        """Record matches (and their alerts) for a stored article; alerts already made are not repeated."""
        with self.db.atomic():
            insert_matches(self.db, article_id, matches)

    def made_for(self, article_id: int) -> dict[str, int]:
        """The alerts an article's matches made: rule id -> alert id."""
        return dict(self.db.execute("SELECT rule_id, id FROM alerts WHERE article_id = ?", [article_id]).fetchall())

    def recent(self, limit: int = 50) -> list[Alert]:
        """Recent alerts, newest first, with their article and per-channel delivery state (`watcher alerts`)."""
        cur = self.db.execute(
            "SELECT a.id, a.rule_id, a.article_id, a.story_key, a.kind, a.parent_id, a.created_at, a.title, ar.title, "
            "ar.url, ar.source_id, ar.story_id "
            "FROM alerts a JOIN articles ar ON ar.id = a.article_id ORDER BY a.id DESC LIMIT ?",
            [limit],
        )
        out = []
        for r in cur.fetchall():
            alert = Alert(*r[:6], parse_iso(r[6]), *r[7:])  # type: ignore[arg-type]
            deliveries = tuple(
                DeliveryState(channel, target, status, attempts, error, parse_iso(sent))
                for channel, target, status, attempts, error, sent in self.db.execute(
                    "SELECT channel, target, status, attempts, last_error, sent_at FROM deliveries "
                    "WHERE alert_id = ? ORDER BY channel, target", [alert.id])
            )
            out.append(replace(alert, deliveries=deliveries,
                               also=self._later_reports(alert) if alert.kind == "alert" else ()))
        return out

    def _later_reports(self, alert: Alert) -> tuple[LaterReport, ...]:
        """The story's other articles this rule matched: the outlets reported after the alert."""
        if alert.story_id is None or not alert.story_key.startswith("story:"):
            return ()
        cur = self.db.execute(
            "SELECT ar.id, ar.title, ar.url, ar.source_id, ar.sitename, m.matched_at FROM matches m "
            "JOIN articles ar ON ar.id = m.article_id "
            "WHERE m.rule_id = ? AND ar.story_id = ? AND ar.id != ? ORDER BY m.id",
            [alert.rule_id, alert.story_id, alert.article_id],
        )
        return tuple(LaterReport(*r[:5], parse_iso(r[5])) for r in cur.fetchall())

    def matches(self, rule_id: str | None = None) -> list[StoredMatch]:
        """Recorded matches (of one rule, or all), oldest first, with the article each fired on."""
        sql = ("SELECT m.rule_id, m.matched_at, m.evidence, a.id, a.title, a.url, a.source_id, a.published "
               "FROM matches m JOIN articles a ON a.id = m.article_id")
        params: list[str] = []
        if rule_id:
            sql += " WHERE m.rule_id = ?"
            params.append(rule_id)
        return [StoredMatch(r[0], parse_iso(r[1]), r[2], r[3], r[4], r[5], r[6], parse_iso(r[7]))
                for r in self.db.execute(sql + " ORDER BY m.id", params).fetchall()]

    def rule_hits(self) -> list[tuple[str, int]]:
        """How many articles each rule fired on, by rule."""
        return [(rule, int(n)) for rule, n in
                self.db.execute("SELECT rule_id, COUNT(*) FROM matches GROUP BY rule_id ORDER BY rule_id")]
