"""Articles read from a page keep the time of day (and timezone) the page states, not only its day."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from html import escape
from pathlib import Path

from tests.conftest import run_cli, write_config
from tests.pages import paragraphs
from tests.webserver import Route, WebServer

STATED = "2026-11-30T14:35:00+01:00"
STORED = "2026-11-30T13:35:00+00:00"

# each page states its publication time in one way only
HEADS = {
    "meta": f'<meta property="article:published_time" content="{STATED}">',
    "json-ld": '<script type="application/ld+json">'
               + json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "datePublished": STATED})
               + "</script>",
    "time": "",
}


def article(kind: str, title: str) -> bytes:
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs(title.lower()))
    stamp = f'<p class="byline">By Dana Whitfield, <time datetime="{STATED}">30 November</time></p>' if kind == "time" else ""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Riverside Echo</title>
{HEADS[kind]}</head><body><header><a href="/">Riverside Echo</a></header>
<main><article><h1>{title}</h1>{stamp}
{body}
</article></main><footer><a href="/about/">About us</a></footer></body></html>""".encode()


def test_page_articles_keep_the_stated_time_of_day(web: WebServer, tmp_path: Path) -> None:
    titles = {"meta": "Ferry timetable cut for winter", "json-ld": "School roof repairs finished",
              "time": "Harbour crane arrives early"}
    links = []
    for kind, title in titles.items():
        path = f"/news/2026/11/{title.lower().replace(' ', '-')}.html"
        web.route(path, Route(article(kind, title)))
        links.append(f'<h2><a href="{path}">{title}</a></h2>')
    web.route("/news/", Route(f"<html><body><main>{''.join(links)}</main></body></html>".encode()))
    config = write_config(tmp_path, [{"id": "echo", "url": web.url("/news/"), "type": "page", "baseline": False}])

    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    conn = sqlite3.connect(tmp_path / "data/watcher.db")
    try:
        stored = dict(conn.execute("SELECT title, published FROM articles").fetchall())
    finally:
        conn.close()
    assert set(stored) == set(titles.values()), stored
    for kind, title in titles.items():
        assert stored[title] is not None, f"{kind}: no publication time stored"
        assert datetime.fromisoformat(stored[title]) == datetime.fromisoformat(STORED), f"{kind}: stored {stored[title]}"
        assert stored[title] == STORED, f"{kind}: stored {stored[title]}"
