"""The `watcher` command: its group and the commands that are one verb each (run, check, test, replay, alerts, stories, web, demo)."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from watcher import __version__
from watcher.config import Config
from watcher.errors import ConfigError, ConfigErrors, WatcherError
from watcher.config.schema import is_listen
from watcher.config.since import SINCE, SINCE_HELP
from watcher.logs import LOG_FORMATS, redact_all
from watcher.cli.common import (COUNT, config_option, exit_on_stop, json_option, one_line, open_config, plural,
                                 print_json, print_table, start_up)
from watcher.cli.rules import rules_cmd
from watcher.cli.sources import sources


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="watcher")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info", show_default=True,
              envvar="WATCHER_LOG_LEVEL", help="Least important events logged [env: WATCHER_LOG_LEVEL].")
@click.option("--log-format", type=click.Choice(LOG_FORMATS), default="plain", show_default=True,
              envvar="WATCHER_LOG_FORMAT",
              help="Log lines as text, or one JSON object per line (ts, level, logger, message, extras) "
                   "[env: WATCHER_LOG_FORMAT].")
def cli(log_level: str, log_format: str) -> None:
    """watcher: polls news feeds and pages, stores each article's full body once,
    and alerts on the stories your rules describe."""
    from watcher.logs import setup_logging

    setup_logging(log_level, log_format)


cli.add_command(sources)
cli.add_command(rules_cmd)


@cli.command()
@config_option
@click.option("--once", is_flag=True, help="Poll every source once, then exit.")
def run(config_path: Path, once: bool) -> None:
    """Run the daemon: poll every source on its schedule until SIGTERM/SIGINT.

    On a stop request, polls in flight get 5 s to finish and the process exits 0.
    With `server: listen:` in the config, /healthz and /metrics are served there.

    With --once, poll every source one time and exit 0 (even when some
    sources fail: their errors are logged and shown by `watcher sources`).
    """
    config = start_up(config_path)
    if once:
        from watcher.run.daemon import run_once

        asyncio.run(run_once(config))
        return
    from watcher.run.daemon import Daemon

    exit_on_stop()
    asyncio.run(Daemon(config).run())


def check_listen(address: str) -> None:
    """A --listen value refused unless it is HOST:PORT (IPv6 in brackets: `[::1]:8080`)."""
    if not is_listen(address):
        raise click.UsageError(f"--listen {address}: not HOST:PORT")


@cli.command()
@config_option
@click.option("--concurrency", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="Jobs (polls, sends) this worker runs at once.")
@click.option("--listen", default=None, metavar="HOST:PORT",
              help="Serve /healthz and /metrics of this worker there (the config's `server:` is the daemon's).")
def worker(config_path: Path, concurrency: int, listen: str | None) -> None:
    """Run one worker of many: poll and deliver from a task queue in the PostgreSQL database
    (`database: postgresql://...`), beside other workers on this or other machines.

    Start as many as the load needs, all with the same config. Sources come due from their
    stored next-poll times; no source is polled by two workers at once; a story is alerted
    once; a killed worker's polls are taken back by the others within about 30 s. The queue's
    tables are made at the first start. SIGTERM/SIGINT: jobs in flight get 5 s, then exit 0.
    A `watcher run` daemon and workers never share a database.
    """
    if listen is not None:
        check_listen(listen)
    config = start_up(config_path)
    from watcher.run.worker import needs_postgres, run_worker  # procrastinate is imported only here

    needs_postgres(config)
    exit_on_stop()
    asyncio.run(run_worker(config, concurrency, listen))


@cli.command()
@click.option("--from", "source", required=True, metavar="DATABASE",
              help="The store to copy: sqlite:///path/watcher.db (or a file name) or postgresql://...")
@click.option("--to", "target", required=True, metavar="DATABASE",
              help="Where to copy it: a postgresql:// URL or a SQLite file; made and migrated if new, "
                   "refused if it already holds watcher data.")
def migrate(source: str, target: str) -> None:
    """Move a whole store between engines (SQLite to PostgreSQL or back): every table, ids kept.

    The source is only read (a daemon may keep polling it: the copy is one snapshot); the target is
    written in one transaction, all or nothing. The task queue's own tables are not copied. Then point
    `database:` at the target. Prints the rows copied per table.
    """
    from watcher.run.migrate import migrate as move

    counts = move(source, target, click.echo)
    click.echo(f"copied {plural(sum(counts.values()), 'row')} in {plural(len(counts), 'table')}")


@cli.command()
@config_option
def check(config_path: Path) -> None:
    """Validate the config, every rule file, and run each rule's inline `examples`; render every template
    a rule's alerts go through against sample alerts of each shape the rule can fire with.

    Exits 1 with one `file:line: message` line per mistake or failing example.
    """
    from watcher.alert.check import template_mistakes
    from watcher.rules.load import load_rules
    from watcher.rules.ruleset import example_failures

    config = open_config(config_path)
    for warning in config.warnings:
        click.echo(one_line(str(warning)), err=True)
    if not any(line.strip() and not line.lstrip().startswith("#")
               for line in config_path.read_text(encoding="utf-8", errors="replace").splitlines()):
        click.echo(f"{config_path}:1: warning: the config is empty: no sources, rules or channels, so nothing "
                   "will be polled or sent (see the README's example config)", err=True)
    console = console_mistakes(config)
    for mistake in console:
        click.echo(one_line(mistake), err=True)
    if not console:
        click.echo(f"{config_path}: ok ({len(config.sources)} sources, {len(config.channels)} channels)")
    if config.rules is None:
        if console:
            raise click.exceptions.Exit(1)
        return
    rules = load_rules(config.rules, config)
    failures = template_mistakes(rules, config) + example_failures(rules)
    for failure in failures:
        click.echo(one_line(failure), err=True)
    if console or failures:
        raise click.exceptions.Exit(1)
    examples = sum(len(r.examples) for r in rules.rules)
    click.echo(f"{config.rules}: ok ({len(rules)} rules, {examples} examples pass)")


def console_mistakes(config: Config) -> list[str]:
    """What `watcher run` would refuse about its web console (off loopback without credentials), file:line."""
    if config.server is None or not config.server.console:
        return []
    from watcher.run.endpoint import split_listen
    from watcher.web.auth import Credentials, check_bind

    try:
        check_bind(config.server.listen, split_listen(config.server.listen)[0], Credentials.from_env())
    except WatcherError as e:
        return [f"{config.file}:{config.server_line}: {e}"]
    return []


@cli.command("test")
@click.argument("rules_path", metavar="[RULES]", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--file", "text_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A plain-text article; a short first line followed by a blank line is its title.")
@click.option("--html", "html_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A saved article page; its body is extracted as the daemon would.")
@click.option("--url", help="Fetch this article page and extract its body.")
@click.option("--title", default=None, help="The article's title (overrides the one found).")
@click.option("--source", "source_id", default=None, help="Pretend the article comes from this source id.")
@click.option("--config", "-c", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Check channel and source names against this config and use its source tags; its rules "
                   "when RULES is not given; a --url of one of its sources counts as that source's.")
@click.option("--explain", is_flag=True, help="Every condition of every rule with its outcome, and for a rule "
              "that does not fire the closest near-miss (a number under the threshold, a speaker not quoted).")
@json_option
def test_cmd(rules_path: Path | None, text_file: Path | None, html_file: Path | None, url: str | None,
             title: str | None, source_id: str | None, config_path: Path | None, explain: bool, as_json: bool) -> None:
    """Show which rules fire on one article and why (the evidence). Sends nothing.

    RULES is a rule file or folder; with --config it defaults to the config's `rules:`."""
    from watcher.match.article import ArticleText, Prepared
    from watcher.match.explain import outcome_json, outcome_lines
    from watcher.match.nearmiss import explain_node
    from watcher.rules.load import load_rules

    if sum(x is not None for x in (text_file, html_file, url)) != 1:
        raise click.UsageError("give exactly one of --file, --html or --url")
    config = open_config(config_path) if config_path else None
    if rules_path is None:
        if config is None or config.rules is None:
            raise click.UsageError("give RULES (a rule file or folder), or --config with `rules:` in it")
        rules_path = config.rules
    rules = load_rules(rules_path, config)
    if config and url and not source_id:
        from watcher.source.lookup import source_for_url

        found = source_for_url(config, url)
        source_id = found.id if found else None
    watched = next((s for s in config.sources if s.id == source_id and s.type == "watch"), None) if config else None
    if watched and url:  # a watched page: the rules see its region's text, as they would see all of it added
        from watcher.run.watch import change_title, fetch_region

        found_title, body, language = change_title(watched), asyncio.run(fetch_region(watched, url)), None
    else:
        found_title, body, language = _read_article(text_file, html_file, url)
    tags: frozenset[str] = frozenset()
    if config and source_id:
        tags = frozenset(t for s in config.sources if s.id == source_id for t in s.tags)
    article = ArticleText(title=title if title is not None else found_title, body=body,
                          source_id=source_id, tags=tags, language=language)
    results = rules.explain(article)
    prepared = Prepared(article)
    if as_json:
        out = [outcome_json(r, o) | ({"conditions": [x.strip() for x in explain_node(r.node, prepared)]}
                                     if explain and o is not None else {}) for r, o in results]
        print_json(out)
        return
    fired = sum(1 for _, o in results if o and o.holds)
    click.echo(f"{article.title or '(no title)'}: {len(body.split())} words; {fired} of {len(results)} rules fire")
    for rule, outcome in results:
        for line in outcome_lines(rule, outcome, source_id):
            click.echo(line)
        if explain and outcome is not None:
            for line in explain_node(rule.node, prepared, depth=4):
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
@config_option
@click.option("--since", type=SINCE, default=None, help=f"Only articles stored since then: {SINCE_HELP}.")
@click.option("--rule", "rule_id", default=None, metavar="ID", help="Only this rule.")
@click.option("--send", is_flag=True,
              help="Also alert: queue and send the alerts that fired (never twice for a rule and story).")
@json_option
def replay(config_path: Path, since: datetime | None, rule_id: str | None, send: bool, as_json: bool) -> None:
    """Re-run the rules over stored articles and report what would have fired.

    Sends nothing unless --send is given.
    """
    from watcher.run.replay import replay_rules

    config = open_config(config_path)
    age = max((datetime.now(timezone.utc) - since).total_seconds(), 1.0) if since else None
    replay_rules(config, age, rule_id, as_json, send)


@cli.command()
@config_option
@click.option("--limit", default=50, show_default=True, type=COUNT, help="How many recent alerts.")
@json_option
def alerts(config_path: Path, limit: int, as_json: bool) -> None:
    """Recent alerts: rule, article, and per channel the delivery status and attempts."""
    from watcher.model import plain
    from watcher.store.lock import open_store

    config = open_config(config_path)
    with open_store(config.database, writes=False) as store:
        rows = redact_all(plain(store.alerts.recent(limit)))
    if as_json:
        print_json(rows)
        return
    table = []
    for a in rows:
        states = ", ".join(
            f"{d['channel']}: {d['status']}" + (f" ({d['attempts']} tries)" if d["attempts"] != 1 or d["status"] != "sent" else "")
            for d in a["deliveries"]
        )
        table.append({"id": a["id"], "created": a["created_at"], "rule": a["rule_id"], "source": a["source_id"],
                      "delivery": states or "-", "article": (a["title"] or a["url"])[:60]})
    print_table(table, ["id", "created", "rule", "source", "delivery", "article"])
    for a in rows:
        for later in a["also"]:
            click.echo(f"  alert {a['id']}: also reported by {later['sitename'] or later['source_id']}: "
                       f"{(later['title'] or later['url'])[:70]}")
        for d in a["deliveries"]:
            if d["last_error"] and d["status"] != "sent":
                click.echo(f"  alert {a['id']} {d['channel']}: {d['last_error']}")


@cli.command()
@config_option
@click.option("--limit", default=20, show_default=True, type=COUNT, help="How many stories, most recently seen first.")
@click.option("--since", type=SINCE, default=None, help=f"Only stories seen since then: {SINCE_HELP}.")
@click.option("--explain", is_flag=True, help="Say for each article why it joined its story (signal, score and "
              "every signal's score: words, skeleton, names, figures, content), "
              "and for the first one the closest article that was judged another story.")
@click.option("--rebuild", is_flag=True, help="Make every article's sketch anew from its stored text and place "
              "every article again in the order it was stored (the same articles give the same stories), then list.")
@json_option
def stories(config_path: Path, limit: int, since: datetime | None, explain: bool, rebuild: bool, as_json: bool) -> None:
    """Stories: articles about one event grouped across outlets, reprints and rewritten copies."""
    import time

    from watcher.store.lock import open_store

    config = open_config(config_path)
    with open_store(config.database, writes=rebuild) as store:  # a rebuild is not done beside a daemon
        if rebuild:
            start = time.monotonic()
            n = store.stories.rebuild(resketch=True, window=config.stories.window)
            click.echo(f"placed {n} articles in their stories again in {time.monotonic() - start:.1f}s", err=as_json)
        rows = redact_all(store.stories.recent(limit, since))
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo(f"no stories seen since {since.isoformat(timespec='minutes')}" if since else "no stories yet")
        return
    from watcher.match.explain import explain_reason  # the matchers take a while to import: only when listing

    for s in rows:
        outlets = ", ".join(s["outlets"])
        click.echo(f"story {s['id']}: {s['title'] or '(untitled)'}")
        n = len(s["outlets"])
        click.echo(f"  {plural(s['size'], 'article')} from {plural(n, 'outlet')} ({outlets}); "
                   f"first seen {s['first_seen']}, last seen {s['last_seen']}")
        for alert in s["alerts"]:
            click.echo(f"  alert {alert['id']} (rule {alert['rule_id']}) on article {alert['article_id']}; "
                       "later matches are attached to it")
        for a in s["articles"]:
            rules = f"  [rules: {', '.join(a['rules'])}]" if a["rules"] else ""
            click.echo(f"  - {a['id']} {a['sitename'] or a['source_id']}: {a['title'] or a['url']}  {a['url']}{rules}")
            if explain:
                click.echo(f"      {explain_reason(a['reason'])}")
                scores = (a["reason"].get("scores") or (a["reason"].get("closest") or {}).get("scores") or {})
                if scores:
                    click.echo("      signal scores: " + ", ".join(f"{k} {v:.2f}" for k, v in scores.items()))


@cli.command()
@config_option
@click.option("--listen", default=None, metavar="HOST:PORT",
              help="Where to serve (default: the config's server.listen, else 127.0.0.1:8080).")
@click.option("--read-only", is_flag=True, help="Show everything, change nothing.")
@click.option("--hash-password", is_flag=True, help="Read a password on stdin and print the hash to put in "
              "WATCHER_CONSOLE_TOKEN instead of it, then exit.")
def web(config_path: Path, listen: str | None, read_only: bool, hash_password: bool) -> None:
    """The web console over the database, without polling (`watcher run` serves it too, on `server.listen`).

    Off loopback it needs credentials: WATCHER_CONSOLE_TOKEN (may change things) and/or
    WATCHER_CONSOLE_READONLY_TOKEN (may look), each a token or a --hash-password hash, or *_FILE naming a file.
    """
    if hash_password:
        from watcher.web.auth import hash_password as make_hash

        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise click.UsageError("give the password on stdin")
        if any("\ud800" <= ch <= "\udfff" for ch in password):  # bytes stdin could not decode
            raise click.UsageError("the password on stdin is not plain UTF-8 text (the login form sends UTF-8)")
        click.echo(make_hash(password))
        return
    from watcher.web.serve import serve_web

    config = open_config(config_path)
    address = listen or (config.server.listen if config.server else "127.0.0.1:8080")
    check_listen(address)
    asyncio.run(serve_web(config, address, read_only))


@cli.command()
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the demo's database here (default: a temporary folder).")
@click.option("--follow", is_flag=True, help="Keep running the daemon (polls every 15 minutes) until Ctrl-C.")
def demo(data_dir: Path | None, follow: bool) -> None:
    """Serve bundled sample outlets on localhost, poll them once and print the alerts: no network needed."""
    from watcher.demo.run import run_demo

    run_demo(data_dir.resolve() if data_dir else None, follow)  # a relative one was taken twice as deep by the configs


GC_YOUNG = 10_000  # new objects between collections of the youngest generation (Python's default, 700, collects
# about fifteen times as often while the modules of a command load)


def main(argv: list[str] | None = None) -> None:
    """The command; without `argv` it is this process's whole work (its arguments are sys.argv)."""
    if argv is not None:  # called from a program that goes on after it: its collector is left as it is
        _main(argv)
        return
    # what is loaded so far lives as long as the process: the collector neither walks it again while the command
    # runs, nor at exit (frozen at the end too: an exit otherwise walks every object once more, ~0.1 s a command)
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
    try:
        _main(argv)
    finally:
        gc.freeze()


_WRITE_REFUSED = {  # SQLite's words -> what to do about it
    "locked": "another program holds a lock on it; close that program, or try again when it is done",
    "busy": "another program holds a lock on it; close that program, or try again when it is done",
    "readonly": "the file (or its folder) is read-only; make it writable for this user",
    "disk is full": "the disk is full; make room, then try again",
}


def _main(argv: list[str] | None) -> None:
    try:
        code = cli.main(args=argv, prog_name="watcher", standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as e:
        click.echo(f"watcher: {e.format_message()}", err=True)
        sys.exit(1)
    except ConfigErrors as e:  # one line each, whatever the file held
        for error in e.errors:
            click.echo(one_line(str(error)), err=True)
        sys.exit(1)
    except WatcherError as e:
        click.echo(one_line(str(e)) if isinstance(e, ConfigError) else str(e), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except sqlite3.OperationalError as e:  # a write refused (that write rolled back): one line, as at open
        why = next((words for key, words in _WRITE_REFUSED.items() if key in str(e)), None)
        if why is None:
            raise
        click.echo(f"watcher: cannot write to the database: {why}", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
