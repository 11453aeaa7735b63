"""The `watcher` command line."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from watcher import __version__
from watcher.config import Config, load_config
from watcher.errors import WatcherError

CONFIG_HELP = "Config file (default: $WATCHER_CONFIG or ./watcher.yaml)."


def _config_option(f: Any) -> Any:
    return click.option(
        "--config", "-c", "config_path", type=click.Path(dir_okay=False, path_type=Path),
        default=lambda: os.environ.get("WATCHER_CONFIG", "watcher.yaml"), show_default=False, help=CONFIG_HELP,
    )(f)


def _load(config_path: Path) -> Config:
    if not config_path.exists():
        raise WatcherError(f"{config_path}: config file not found (pass --config FILE)")
    return load_config(config_path)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="watcher")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info", show_default=True)
def cli(log_level: str) -> None:
    """watcher: polls news feeds and pages, stores each article's full body once,
    and alerts on the stories your rules describe."""
    from watcher.logs import setup_logging

    setup_logging(log_level)


@cli.command()
@_config_option
@click.option("--once", is_flag=True, help="Poll every source once, then exit.")
def run(config_path: Path, once: bool) -> None:
    """Run the daemon: poll every source on its schedule until SIGTERM/SIGINT.

    With --once, poll every source one time and exit 0 (even when some
    sources fail: their errors are logged and shown by `watcher sources`).
    """
    from watcher.extract.warmup import start_workers_early

    start_workers_early()
    config = _load(config_path)
    if once:
        from watcher.daemon import run_once

        asyncio.run(run_once(config))
        return
    import signal

    from watcher.daemon import Daemon

    # until the daemon's own handlers are in place, a stop request simply ends the start-up
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(0))
    asyncio.run(Daemon(config).run())


@cli.command()
@_config_option
def check(config_path: Path) -> None:
    """Validate the config, every rule file, and run each rule's inline `examples`.

    Exits 1 with one `file:line: message` line per mistake or failing example.
    """
    from watcher.rules.load import load_rules
    from watcher.rules.ruleset import example_failures

    config = _load(config_path)
    click.echo(f"{config_path}: ok ({len(config.sources)} sources, {len(config.channels)} channels)")
    if config.rules is None:
        return
    rules = load_rules(config.rules, config)
    failures = example_failures(rules)
    if failures:
        raise WatcherError("\n".join(failures))
    examples = sum(len(r.examples) for r in rules.rules)
    click.echo(f"{config.rules}: ok ({len(rules)} rules, {examples} examples pass)")


@cli.command("test")
@click.argument("rules_path", metavar="RULES", type=click.Path(exists=True, path_type=Path))
@click.option("--file", "text_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A plain-text article; a short first line followed by a blank line is its title.")
@click.option("--html", "html_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A saved article page; its body is extracted as the daemon would.")
@click.option("--url", help="Fetch this article page and extract its body.")
@click.option("--title", default=None, help="The article's title (overrides the one found).")
@click.option("--source", "source_id", default=None, help="Pretend the article comes from this source id.")
@click.option("--config", "-c", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also check channel and source names against this config, and use its source tags.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def test_cmd(rules_path: Path, text_file: Path | None, html_file: Path | None, url: str | None, title: str | None,
             source_id: str | None, config_path: Path | None, as_json: bool) -> None:
    """Show which rules fire on one article and why (the evidence). Sends nothing."""
    from watcher.match.article import ArticleText
    from watcher.report import outcome_json, outcome_lines
    from watcher.rules.load import load_rules

    if sum(x is not None for x in (text_file, html_file, url)) != 1:
        raise click.UsageError("give exactly one of --file, --html or --url")
    config = _load(config_path) if config_path else None
    rules = load_rules(rules_path, config)
    found_title, body, language = _read_article(text_file, html_file, url)
    tags: frozenset[str] = frozenset()
    if config and source_id:
        tags = frozenset(t for s in config.sources if s.id == source_id for t in s.tags)
    article = ArticleText(title=title if title is not None else found_title, body=body,
                          source_id=source_id, tags=tags, language=language)
    results = rules.explain(article)
    if as_json:
        click.echo(json.dumps([outcome_json(r, o) for r, o in results], indent=2, ensure_ascii=False))
        return
    fired = sum(1 for _, o in results if o and o.holds)
    click.echo(f"{article.title or '(no title)'}: {len(body.split())} words; {fired} of {len(results)} rules fire")
    for rule, outcome in results:
        for line in outcome_lines(rule, outcome):
            click.echo(line)


def _read_article(text_file: Path | None, html_file: Path | None, url: str | None) -> tuple[str, str, str | None]:
    if text_file is not None:
        text = text_file.read_text(encoding="utf-8", errors="replace")
        head, sep, rest = text.lstrip("\ufeff").partition("\n\n")
        if sep and "\n" not in head.strip() and len(head.strip()) <= 200:
            return head.strip(), rest.strip(), None
        return "", text.strip(), None
    from watcher.extract.body import extract_article

    if html_file is not None:
        data, page_url = html_file.read_bytes(), None
    else:
        from watcher.fetch import Fetcher

        async def fetch() -> tuple[bytes, str]:
            async with Fetcher() as f:
                resp = await f.get(url or "")
                return resp.content, resp.url

        data, page_url = asyncio.run(fetch())
    extracted = extract_article(data, page_url)
    if extracted is None:
        raise WatcherError(f"{html_file or url}: no article body found in the page")
    return extracted.title or "", extracted.text, extracted.language


@cli.command()
@_config_option
@click.option("--since", default=None, metavar="AGE", help="Only articles stored within this age (e.g. 7d, 12h).")
@click.option("--rule", "rule_id", default=None, metavar="ID", help="Only this rule.")
@click.option("--send", is_flag=True,
              help="Also alert: queue and send the alerts that fired (never twice for a rule and story).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def replay(config_path: Path, since: str | None, rule_id: str | None, send: bool, as_json: bool) -> None:
    """Re-run the rules over stored articles and report what would have fired.

    Sends nothing unless --send is given.
    """
    from watcher.config.durations import parse_duration
    from watcher.replay import replay_rules

    config = _load(config_path)
    try:
        age = parse_duration(since) if since else None
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--since") from None
    replay_rules(config, age, rule_id, as_json, send)


@cli.group(invoke_without_command=True)
@_config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def sources(ctx: click.Context, config_path: Path, as_json: bool) -> None:
    """Table of sources: last poll, status, articles stored, next poll."""
    if ctx.invoked_subcommand is not None:
        return
    from watcher.store import Store

    config = _load(config_path)
    store = Store(config.database)
    try:
        stored = {r["id"]: r for r in store.source_rows()}
    finally:
        store.close()
    rows = []
    for s in config.sources:
        r = stored.get(s.id, {})
        rows.append({
            "id": s.id,
            "url": s.url,
            "type": s.type or r.get("type"),
            "last_poll": r.get("last_poll_at"),
            "status": r.get("last_status") or "never polled",
            "error": r.get("last_error"),
            "failures": r.get("consecutive_failures", 0),
            "articles": r.get("articles", 0),
            "next_poll": r.get("next_poll_at"),
            "advertised_feed": r.get("advertised_feed"),
        })
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    _table(rows, ["id", "status", "articles", "last_poll", "next_poll", "url"])
    for r in rows:
        if r["error"]:
            click.echo(f"  {r['id']}: {r['error']}")


@cli.command()
@_config_option
@click.option("--limit", default=50, show_default=True, help="How many recent alerts.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def alerts(config_path: Path, limit: int, as_json: bool) -> None:
    """Recent alerts: rule, article, and per channel the delivery status and attempts."""
    from watcher.store import Store

    config = _load(config_path)
    store = Store(config.database)
    try:
        rows = store.alert_rows(limit)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = []
    for a in rows:
        states = ", ".join(
            f"{d['channel']}: {d['status']}" + (f" ({d['attempts']} tries)" if d["attempts"] != 1 or d["status"] != "sent" else "")
            for d in a["deliveries"]
        )
        table.append({"id": a["id"], "created": a["created_at"], "rule": a["rule_id"], "source": a["source_id"],
                      "delivery": states or "-", "article": (a["title"] or a["url"])[:60]})
    _table(table, ["id", "created", "rule", "source", "delivery", "article"])
    for a in rows:
        for d in a["deliveries"]:
            if d["last_error"] and d["status"] != "sent":
                click.echo(f"  alert {a['id']} {d['channel']}: {d['last_error']}")


@sources.command("import")
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the sources to this YAML file (add it to `include:` in watcher.yaml) instead of printing them.")
@click.pass_context
def sources_import(ctx: click.Context, opml_file: Path, output: Path | None) -> None:
    """Turn an OPML export from a feed reader into `sources:` entries; folders become tags.

    Ids already used in the config are not reused.
    """
    from watcher.opml import read_opml, sources_yaml

    existing: frozenset[str] = frozenset()
    config_path: Path = ctx.parent.params["config_path"] if ctx.parent else Path("watcher.yaml")
    if config_path.exists():
        existing = frozenset(s.id for s in load_config(config_path).sources)
    imported = read_opml(opml_file.read_bytes(), existing_ids=existing)
    text = sources_yaml(imported)
    if output:
        if output.exists():
            raise WatcherError(f"{output}: already exists; choose another --output file")
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(imported)} sources to {output}; add it to watcher.yaml as:  include: [{output}]", err=True)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the demo's database here (default: a temporary folder).")
def demo(data_dir: Path | None) -> None:
    """Serve bundled sample outlets on localhost and poll them once: no network needed."""
    from watcher.demo.run import run_demo

    run_demo(data_dir)


def _table(rows: list[dict[str, Any]], cols: list[str]) -> None:
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


def main(argv: list[str] | None = None) -> None:
    try:
        code = cli.main(args=argv, prog_name="watcher", standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as e:
        click.echo(f"watcher: {e.format_message()}", err=True)
        sys.exit(1)
    except WatcherError as e:
        click.echo(str(e), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
