"""The last value seen by each `when: crosses` number condition, per rule and subject (a watched source,
or a story and speaker), so a crossing alerts once, across polls, restarts and replays."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from watcher.match.threshold import Level
from watcher.store.times import iso


def get(db: sqlite_utils.Database, rule_id: str, subject: str) -> Level | None:
    row = db.execute("SELECT value, armed FROM thresholds WHERE rule_id = ? AND subject = ?",
                     [rule_id, subject]).fetchone()
    return Level(float(row[0]), bool(row[1])) if row else None


def put(db: sqlite_utils.Database, rule_id: str, subject: str, level: Level, at: datetime) -> None:
    db.execute("INSERT INTO thresholds (rule_id, subject, value, armed, seen_at) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT(rule_id, subject) DO UPDATE SET value = excluded.value, armed = excluded.armed, "
               "seen_at = excluded.seen_at", [rule_id, subject, level.value, int(level.armed), iso(at)])
