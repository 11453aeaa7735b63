"""`watcher demo`: the bundled sample outlets, served and polled on this machine."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path

import click
import yaml

from watcher.config import load_config
from watcher.demo.server import OutletServer
from watcher.store import Store

OUTLETS = Path(__file__).parent / "outlets"


def write_demo_config(folder: Path, base: str) -> Path:
    """A watcher.yaml for the sample outlets served at `base`."""
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
    path = folder / "watcher.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def run_demo(data_dir: Path | None) -> None:
    from watcher.daemon import run_once

    with tempfile.TemporaryDirectory(prefix="watcher-demo-") as tmp:
        folder = data_dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        with OutletServer(OUTLETS) as server:
            click.echo(f"serving the sample outlets at {server.base}")
            config = load_config(write_demo_config(folder, server.base))
            reports = asyncio.run(run_once(config))
        store = Store(config.database)
        try:
            articles = store.articles()
            matches = store.matches()
        finally:
            store.close()
        click.echo("")
        click.echo(f"{len(articles)} articles stored from {len(reports)} outlets:")
        for a in articles:
            click.echo(f"  * {a['title']}  [{a['source_id']}, {(a['published'] or '')[:10]}]")
        click.echo(f"\n{len(matches)} alerts, printed above through the console:// channel:")
        for m in matches:
            click.echo(f"  * rule {m['rule_id']}: {m['title']}  [{m['source_id']}]")
        fired = {m["article_id"] for m in matches}
        quiet = [a for a in articles if a["id"] not in fired]
        click.echo(f"\n{len(quiet)} articles matched no rule, among them:")
        for a in quiet[:3]:
            click.echo(f"  * {a['title']}")
        if data_dir:
            click.echo(f"\ndatabase kept at {config.database}")
