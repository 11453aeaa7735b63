"""`watcher demo`: the bundled sample outlets, served and polled on this machine."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any

import click
import yaml

from watcher.config import load_config
from watcher.demo.server import OutletServer
from watcher.demo.watched import SOURCE_ID as WATCHED, run_watched_page
from watcher.model import Alert, StoredArticle, StoredMatch
from watcher.store import Store

OUTLETS = Path(__file__).parent / "outlets"


def write_demo_config(folder: Path, base: str, listen: str | None = None) -> Path:
    """A watcher.yaml for the sample outlets served at `base` (and the web console on `listen`)."""
    manifest = json.loads((OUTLETS / "manifest.json").read_text(encoding="utf-8"))
    sources = [
        {"id": s["source_id"], "url": base + s["path"], "type": s.get("type", "feed"), "baseline": False}
        for s in manifest.get("feeds", []) + manifest.get("pages", [])
    ]
    config = {
        "database": str(folder / "watcher.db"),
        "rules": str(OUTLETS / "rules.yaml"),
        "defaults": {"interval": "15m", "timeout": "20s"},
        "http": {"allow_private": True},  # the sample outlets live on 127.0.0.1
        "sources": sources,
        "channels": {"console": {"urls": ["console://"]}},
    }
    if listen:
        config["server"] = {"listen": listen}
    path = folder / "watcher.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def run_demo(data_dir: Path | None, follow: bool = False) -> None:
    from watcher.run.daemon import Daemon, run_once

    with tempfile.TemporaryDirectory(prefix="watcher-demo-") as tmp:
        folder = data_dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        with OutletServer(OUTLETS) as server:
            click.echo(f"serving the sample outlets at {server.base}; alerts print below as they arrive")
            listen = _console_address() if follow else None
            config = load_config(write_demo_config(folder, server.base, listen))
            if follow:
                click.echo("following: the daemon polls every 15 minutes; stop with Ctrl-C")
                click.echo(f"web console: http://{listen}/")
                asyncio.run(Daemon(config).run())
                reports = len(config.sources)
            else:
                reports = len(asyncio.run(run_once(config)))
        store = Store(config.database)
        try:
            articles = store.articles.all()
            matches = store.alerts.matches()
            stories = store.stories.recent(limit=1000)
            alerts = store.alerts.recent(limit=1000)
        finally:
            store.close()
        summarise(articles, matches, stories, alerts, reports)
        watched = None if follow else run_watched_page(folder)  # one page that changes during the demo
        if data_dir:
            click.echo(f"\ndatabase kept at {config.database}")
            click.echo(f"see it with:  watcher stories --explain --config {folder / 'watcher.yaml'}")
            click.echo(f"or in a browser:  watcher web --config {folder / 'watcher.yaml'}  (http://127.0.0.1:8080/)")
            if watched:
                click.echo(f"the watched page's versions:  watcher sources history {WATCHED} --config {watched}")


def _console_address() -> str:
    """127.0.0.1:8080, or another free port on 127.0.0.1 when that one is taken."""
    import socket

    for port in (8080, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return f"127.0.0.1:{s.getsockname()[1]}"
    return "127.0.0.1:8080"


def summarise(articles: list[StoredArticle], matches: list[StoredMatch], stories: list[dict[str, Any]],
              alerts: list[Alert], outlets: int) -> None:
    click.echo("")
    click.echo(f"{len(articles)} articles stored from {outlets} outlets, in {len(stories)} stories:")
    for s in sorted(stories, key=lambda s: s["id"]):
        names = ", ".join(s["outlets"])
        click.echo(f"  * story {s['id']}: {s['title']}  [{s['size']} from {names}]")
        for a in s["articles"][1:]:
            r = a["reason"]
            click.echo(f"      {a['sitename'] or a['source_id']} joined as {r.get('signal')} "
                       f"(score {r.get('score', 0):.2f})")
    fired = {m.article_id for m in matches}
    click.echo(f"\n{len(alerts)} alert{'s' if len(alerts) != 1 else ''} for {len(fired)} matching articles "
               "(one per rule and story), printed above through the console:// channel:")
    for a in alerts:
        also = f"; {len(a.also)} later outlets attached" if a.also else ""
        click.echo(f"  * rule {a.rule_id}: {a.title}  [{a.source_id}{also}]")
    quiet = [a for a in articles if a.id not in fired]
    click.echo(f"\n{len(quiet)} articles matched no rule, among them:")
    for a in quiet[:3]:
        click.echo(f"  * {a.article.title}")
