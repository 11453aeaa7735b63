"""The demo's watched page: one local page polled, changed, polled again; the change alert prints with its diff.

It runs beside the outlets demo with a config and database of its own (`watched-page.yaml` / `.db` in the
demo folder), so `watcher sources history|diff harbour-bulletin -c <that file>` can be tried afterwards.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
import yaml

from watcher.config import load_config
from watcher.demo.server import OutletServer

SOURCE_ID = "harbour-bulletin"

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Port authority bulletin</title></head>
<body><nav><a href="/">Port authority</a> | <a href="/timetables">Timetables</a></nav>
<main><h1>Harbour situation bulletin</h1>
<div id="bulletin">
<p>Officials said {stranded} passengers were stranded at the harbour after the ferry crews walked out.</p>
<p>{sailings}</p>
<p class="stamp">Bulletin issued at {time} local time.</p>
</div></main><footer>Port authority of Kessary</footer></body></html>"""

VERSIONS = [
    {"stranded": "640", "sailings": "The 09:40 sailing to Orrin is delayed.", "time": "08:15"},
    {"stranded": "1,250", "sailings": "All sailings to Orrin are cancelled until further notice.", "time": "11:30"},
]

RULES = """rules:
  - id: stranded-passengers-1000
    title: "Harbour: stranded passengers passed 1,000"
    sources: [harbour-bulletin]
    match:
      number: {gte: 1000, near: [stranded], when: crosses}
    notify: [console]
"""


def write_page(folder: Path, version: int) -> None:
    (folder / "index.html").write_text(PAGE.format(**VERSIONS[version]), encoding="utf-8")


def write_config(folder: Path, url: str) -> Path:
    (folder / "watched-page-rules.yaml").write_text(RULES, encoding="utf-8")
    config = {
        "database": str(folder / "watched-page.db"),
        "rules": str(folder / "watched-page-rules.yaml"),
        "http": {"allow_private": True},
        "sources": [{"id": SOURCE_ID, "url": url, "type": "watch",
                     "watch": {"css": "#bulletin", "ignore": [r"Bulletin issued at \d+:\d+ local time\."]}}],
        "channels": {"console": {"urls": ["console://"]}},
    }
    path = folder / "watched-page.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def run_watched_page(folder: Path) -> Path:
    """Serve the page, poll it (its first version is the baseline), change it, poll again. Returns the config."""
    from watcher.run.daemon import run_once

    pages = folder / "watched-page"
    pages.mkdir(parents=True, exist_ok=True)
    write_page(pages, 0)
    with OutletServer(pages) as server:
        config_path = write_config(folder, server.base + "/")
        config = load_config(config_path)
        click.echo(f"\nwatching one page for changes (type: watch): {server.base}/")
        asyncio.run(run_once(config))
        write_page(pages, 1)
        click.echo("the page changed (more passengers stranded, sailings cancelled); polling it again:")
        asyncio.run(run_once(config))
    return config_path
