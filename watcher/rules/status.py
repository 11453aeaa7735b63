"""`watcher rules`: every rule with its file, channels, last fire, fires in 7 days and mute; and muting one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from watcher.config import Config
from watcher.errors import WatcherError
from watcher.rules.ruleset import RuleSet
from watcher.store import console
from watcher.store.rule_activity import last_fired


@dataclass(frozen=True)
class RuleStatus:
    id: str
    title: str
    file: str  # file:line
    channels: tuple[str, ...]
    last_fired: str | None
    fired_7d: int
    muted_until: str | None

    def row(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "file": self.file, "channels": list(self.channels),
                "last_fired": self.last_fired, "fired_7d": self.fired_7d, "muted_until": self.muted_until}


def rule_statuses(rules: RuleSet, db: Any | None, now: datetime) -> list[RuleStatus]:
    """The rules in force, with what the database says of them (nothing yet when there is no database)."""
    stats = console.rule_stats(db, now) if db is not None else {}
    last = last_fired(db) if db is not None else {}
    mutes = console.mutes(db, now) if db is not None else {}
    return [RuleStatus(r.id, r.title, r.where, r.notify, last.get(r.id), stats.get(r.id, {}).get("fired_7d", 0),
                       mutes.get(r.id)) for r in rules.rules]


def mute(db: Any, rules: RuleSet, rule_id: str, seconds: float | None, now: datetime) -> datetime | None:
    """Mute `rule_id` for `seconds` (its matches are kept, no alert is made), or unmute it (None)."""
    if rule_id not in rules.by_id:
        raise WatcherError(f"unknown rule '{rule_id}' (rules: {', '.join(sorted(rules.by_id)) or 'none'})")
    if seconds is None:
        console.unmute_rule(db, rule_id)
        return None
    until = now + timedelta(seconds=seconds)
    console.mute_rule(db, rule_id, until, now)
    return until
