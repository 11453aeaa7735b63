"""When each rule last fired (the rest of a rule's activity, fires and mutes, is in `store.console`)."""

from __future__ import annotations

import sqlite_utils


def last_fired(db: sqlite_utils.Database) -> dict[str, str]:
    """Rule id -> when it last fired (ISO), for every rule that ever did."""
    return dict(db.execute("SELECT rule_id, MAX(matched_at) FROM matches GROUP BY rule_id").fetchall())
