"""The stories listed by `watcher stories`: the most recently seen, each with its articles, the rules that
matched them and the alerts they gave."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils


def story_rows(db: sqlite_utils.Database, limit: int = 20, since: str | None = None) -> list[dict[str, Any]]:
    """The most recently seen stories with their articles (oldest first), for `watcher stories`."""
    sql = "SELECT id, first_seen, last_seen, title, size FROM stories"
    params: list[Any] = []
    if since:
        sql += " WHERE last_seen >= ?"
        params.append(since)
    cur = db.execute(sql + " ORDER BY last_seen DESC, id DESC LIMIT ?", [*params, limit])
    cols = [d[0] for d in cur.description]
    stories = [dict(zip(cols, r)) for r in cur.fetchall()]
    for s in stories:
        arts = db.execute(
            "SELECT a.id, a.title, a.url, a.source_id, a.sitename, a.published, a.fetched_at, a.story_reason "
            "FROM articles a WHERE a.story_id = ? ORDER BY a.fetched_at, a.id",
            [s["id"]],
        )
        acols = [d[0] for d in arts.description]
        s["articles"] = []
        for r in arts.fetchall():
            a = dict(zip(acols, r))
            a["reason"] = json.loads(a.pop("story_reason") or "{}")
            s["articles"].append(a)
        s["outlets"] = sorted({a["sitename"] or a["source_id"] for a in s["articles"]})
        ids = [a["id"] for a in s["articles"]]
        marks = ",".join("?" * len(ids))
        rules: dict[int, list[str]] = {}
        for article_id, rule_id in db.execute(
            f"SELECT article_id, rule_id FROM matches WHERE article_id IN ({marks}) ORDER BY id", ids
        ):
            rules.setdefault(article_id, []).append(rule_id)
        for a in s["articles"]:
            a["rules"] = rules.get(a["id"], [])
        cur = db.execute(
            "SELECT id, rule_id, article_id, created_at FROM alerts WHERE story_key = ? AND kind = 'alert' ORDER BY id",
            [f"story:{s['id']}"],
        )
        acols = [d[0] for d in cur.description]
        s["alerts"] = [dict(zip(acols, r)) for r in cur.fetchall()]
    return stories
