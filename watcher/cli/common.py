"""What the commands share: the --config options, loading a config, tables and one-line messages."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from watcher.config import Config, load_config
from watcher.errors import WatcherError


CONFIG_HELP = "Config file (default: $WATCHER_CONFIG or ./watcher.yaml)."


def config_option(f: Any) -> Any:
    return click.option(
        "--config", "-c", "config_path", type=click.Path(dir_okay=False, path_type=Path),
        default=lambda: os.environ.get("WATCHER_CONFIG", "watcher.yaml"), show_default=False, help=CONFIG_HELP,
    )(f)


def open_config(config_path: Path) -> Config:
    if not config_path.exists():
        raise WatcherError(f"{config_path}: config file not found (pass --config FILE)")
    return load_config(config_path)


def start_up(config_path: Path) -> Config:
    """The config of a command that runs the pipeline (`run`, `worker`), its warnings logged."""
    import logging

    config = open_config(config_path)
    for warning in config.warnings:
        logging.getLogger("watcher.config").warning("%s", warning)
    return config


def exit_on_stop() -> None:
    """Until the daemon's or the worker's own handlers are in place, a stop request simply ends the start-up."""
    import signal
    import sys

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(0))


def health_of(row: dict[str, Any]) -> str:
    from watcher.store.console import health

    return health(row)


def size_text(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1000:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def chosen_config(ctx: click.Context, config_path: Path | None) -> Path:
    """A subcommand's --config, else the one given before it (`watcher sources -c F history ID`)."""
    if config_path is not None:
        return config_path
    return ctx.parent.params["config_path"] if ctx.parent else Path("watcher.yaml")


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")

# how many rows a listing shows, and a stored version's number: SQLite takes no number past 2**63, so a larger
# one was a traceback; a negative LIMIT was no limit at all
COUNT = click.IntRange(1, 1_000_000_000)
# unchanged lines around a change: more than the text holds is all of it (a huge one took forever)
CONTEXT = click.IntRange(0, 10_000, clamp=True)


def print_json(rows: Any) -> None:
    click.echo(json.dumps(rows, indent=2, ensure_ascii=False))


sub_config_option = click.option("--config", "-c", "sub_config", type=click.Path(dir_okay=False, path_type=Path),
                                  default=None, help=CONFIG_HELP)


def config_and_rules(config_path: Path) -> tuple[Config, Any]:
    from watcher.rules.load import load_rules

    config = open_config(config_path)
    if config.rules is None:
        raise WatcherError(f"{config.file}: no `rules:` configured")
    return config, load_rules(config.rules, config)


def print_table(rows: list[dict[str, Any]], cols: list[str]) -> None:
    def cell(v: Any) -> str:
        if v is None:
            return "-"
        if isinstance(v, str) and len(v) >= 19 and v[4:5] == "-" and "T" in v:
            try:
                return datetime.fromisoformat(v).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                return v
        return str(v)

    cells = [[cell(r.get(c)) for c in cols] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    click.echo("  ".join(c.upper().ljust(w) for c, w in zip(cols, widths)).rstrip())
    for row in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str, limit: int = 300) -> str:
    """A message as one printable line: control characters escaped, a long middle cut out."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
    return text if len(text) <= limit else f"{text[: limit - 60]} [...] {text[-50:]}"
