"""`watcher sources`: source health, and enable, history, diff, import, export, add."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from watcher.config import load_config
from watcher.errors import WatcherError
from watcher.logs import redact_all
from watcher.cli.common import (
    CONTEXT, COUNT, chosen_config, config_option, health_of, json_option, open_config, print_json, print_table,
    size_text, sub_config_option,
)


@click.group(invoke_without_command=True)
@config_option
@json_option
@click.pass_context
def sources(ctx: click.Context, config_path: Path, as_json: bool) -> None:
    """Table of source health: status, failures in a row, articles stored, last and next poll,
    bytes spared by 304 answers, and whether a source moved (lasting 301/308) or is disabled (410)."""
    if ctx.invoked_subcommand is not None:
        return
    from watcher.store.lock import open_store

    config = open_config(config_path)
    with open_store(config.database, writes=False) as store:
        stored = {r["id"]: r for r in store.sources.rows()}
    rows = []
    for s in config.sources:
        r = stored.get(s.id, {})
        rows.append(redact_all({  # URLs, errors and notes: secrets are masked in every value shown
            "id": s.id,
            "url": s.url,
            "polled_url": r.get("moved_to") or s.url,
            "type": s.type or r.get("type"),
            "health": health_of(r),
            "last_poll": r.get("last_poll_at"),
            "status": r.get("last_status") or "never polled",
            "http_status": r.get("last_http_status"),
            "error": r.get("last_error") or None,
            "failures": r.get("consecutive_failures", 0),
            "failing_since": r.get("failing_since"),
            "articles": r.get("articles", 0),
            "next_poll": None if r.get("disabled") else r.get("next_poll_at"),
            "not_modified": r.get("not_modified", 0),
            "bytes_saved": r.get("bytes_saved", 0),
            "moved_to": r.get("moved_to"),
            "redirect_seen": ({"to": r["move_target"], "polls": r["move_polls"]} if r.get("move_target") else None),
            "disabled": r.get("disabled"),
            "advertised_feed": r.get("advertised_feed"),
        }))
    if as_json:
        print_json(rows)
        return
    table = [{**r, "saved": size_text(r["bytes_saved"]) if r["bytes_saved"] else "-"} for r in rows]
    print_table(table, ["id", "health", "status", "failures", "articles", "last_poll", "next_poll", "saved", "url"])
    for r in rows:
        if r["disabled"]:
            click.echo(f"  {r['id']}: disabled: {r['disabled']}")
        elif r["error"]:
            click.echo(f"  {r['id']}: {r['error']}")
        if r["moved_to"]:
            click.echo(f"  {r['id']}: moved permanently; polling {r['moved_to']} (put it in the config as `url`)")
        elif r["redirect_seen"]:
            seen = r["redirect_seen"]
            click.echo(f"  {r['id']}: redirects permanently to {seen['to']} ({seen['polls']} polls in a row "
                       f"of {config.http.moved_after} before it is followed for good)")


@sources.command("enable")
@click.argument("source_id")
@sub_config_option
@click.pass_context
def sources_enable(ctx: click.Context, source_id: str, sub_config: Path | None) -> None:
    """Poll a source again from its next chance: after a 410 disabled it, or to end a long backoff."""
    from watcher.store import Store

    config = open_config(chosen_config(ctx, sub_config))
    if source_id not in {s.id for s in config.sources}:
        raise WatcherError(f"no source '{source_id}' in {config.file}")
    store = Store(config.database)
    try:
        was = store.sources.enable(source_id)
    except KeyError:
        raise WatcherError(f"source '{source_id}' has not been polled yet; nothing to enable") from None
    finally:
        store.close()
    click.echo(f"source {source_id}: enabled (was disabled: {was})" if was
               else f"source {source_id}: polled at its next chance (failures reset)")


@sources.command("history")
@click.argument("source_id")
@sub_config_option
@click.option("--limit", default=50, show_default=True, type=COUNT, help="How many versions, newest first.")
@json_option
@click.pass_context
def sources_history(ctx: click.Context, source_id: str, sub_config: Path | None, limit: int, as_json: bool) -> None:
    """The stored versions of a `type: watch` source, newest first, with the words each added and removed."""
    from watcher.change import show
    from watcher.store.lock import open_store

    config = open_config(chosen_config(ctx, sub_config))
    if source_id not in {s.id for s in config.sources}:
        raise WatcherError(f"no source '{source_id}' in {config.file}")
    with open_store(config.database, writes=False) as store:
        rows = show.history(store.db, source_id, limit)
    if as_json:
        print_json(rows)
    elif not rows:
        click.echo(f"source {source_id}: no versions stored yet")
    else:
        print_table(rows, ["version", "fetched_at", "chars", "added", "removed", "first_words"])


@sources.command("diff")
@click.argument("source_id")
@sub_config_option
@click.option("--from", "old", type=COUNT, default=None, metavar="N", help="The older version (default: the one before --to).")
@click.option("--to", "new", type=COUNT, default=None, metavar="M", help="The newer version (default: the latest).")
@click.option("--context", default=1, show_default=True, type=CONTEXT, help="Unchanged lines shown around each change.")
@click.pass_context
def sources_diff(ctx: click.Context, source_id: str, sub_config: Path | None, old: int | None, new: int | None,
                 context: int) -> None:
    """What changed on a `type: watch` source between two stored versions, as +/- lines."""
    from watcher.change import show
    from watcher.store.lock import open_store

    config = open_config(chosen_config(ctx, sub_config))
    if source_id not in {s.id for s in config.sources}:
        raise WatcherError(f"no source '{source_id}' in {config.file}")
    with open_store(config.database, writes=False) as store:
        for line in show.diff(store.db, source_id, old, new, context):
            click.echo(line)


@sources.command("import")
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the sources to this YAML file (add it to `include:` in watcher.yaml) instead of printing them.")
@sub_config_option
@click.pass_context
def sources_import(ctx: click.Context, opml_file: Path, output: Path | None, sub_config: Path | None) -> None:
    """Turn an OPML export from a feed reader into `sources:` entries; folders become tags.

    Ids already used in the config are not reused; feeds the config already polls are skipped.
    """
    from watcher.source.opml import read_opml, sources_yaml

    existing: frozenset[str] = frozenset()
    polled: frozenset[str] = frozenset()
    config_path = chosen_config(ctx, sub_config)
    if config_path.exists():
        configured = load_config(config_path).sources
        existing, polled = frozenset(s.id for s in configured), frozenset(s.url for s in configured)
    found = read_opml(opml_file.read_bytes(), existing_ids=existing)
    imported = [s for s in found if s.url not in polled]
    if len(imported) < len(found):
        click.echo(f"skipped {len(found) - len(imported)} feeds already in the config", err=True)
    text = sources_yaml(imported)
    if output:
        if output.exists():
            raise WatcherError(f"{output}: already exists; choose another --output file")
        _write(output, text)
        click.echo(f"wrote {len(imported)} sources to {output}; add it to watcher.yaml as:  include: [{output}]", err=True)
    else:
        click.echo(text, nl=False)


@sources.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (an existing one only if it is an OPML file).")
@sub_config_option
@click.pass_context
def sources_export(ctx: click.Context, output: Path | None, sub_config: Path | None) -> None:
    """The configured sources as OPML, for a feed reader (secrets in URLs masked; tags as categories)."""
    from watcher.source.opml import opml_document

    text = opml_document(open_config(chosen_config(ctx, sub_config)).sources)
    if output:
        if output.is_file() and output.stat().st_size and b"<opml" not in _head(output):
            # a slip of the keyboard (-o watcher.yaml, -o data/watcher.db) replaced the config or the database
            raise WatcherError(f"{output}: already exists and is not an OPML file; choose another --output file")
        _write(output, text)
    else:
        click.echo(text, nl=False)


def _head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(4096)


def _write(output: Path, text: str) -> None:
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise WatcherError(f"{output}: cannot write: {e.strerror or e}") from None


@sources.command("add")
@click.argument("url")
@click.option("--id", "source_id", default=None, help="The new source's id (default: made from its title).")
@click.option("--tag", "tags", multiple=True, help="A tag for it (repeatable).")
@sub_config_option
@click.pass_context
def sources_add(ctx: click.Context, url: str, source_id: str | None, tags: tuple[str, ...],
                sub_config: Path | None) -> None:
    """Find what to poll at URL (the feed or sitemap it is, else the first feed its page advertises, else the
    page's article links) and append it to the first file the config includes (the old text kept as <file>.prev).
    A URL that answers with an empty document is refused: there is nothing to read there."""
    from watcher.source.opml import ImportedSource
    from watcher.web import addsource

    config = open_config(chosen_config(ctx, sub_config))
    addsource.sources_file(config)  # says how to set one up before anything is fetched
    found = asyncio.run(addsource.discover(url))[0]
    for s in config.sources:
        if s.url in (found.url, url):
            raise WatcherError(f"{found.url} is already configured as source '{s.id}'")
    taken = {s.id for s in config.sources}
    if source_id in taken:
        raise WatcherError(f"there is already a source '{source_id}'")
    sid = source_id or addsource.suggested_id(found.url, found.title, taken)
    config = addsource.add_sources(config, [ImportedSource(sid, found.url, found.title, tags)],
                                   source_type=addsource.source_type(found.kind))
    what = {"feed": f"a feed of {found.entries} entries",
            "sitemap": (f"a sitemap index of {found.children} sitemaps" if found.children
                        else f"a sitemap of {found.entries} URLs"),
            }.get(found.kind, "a page (its article links)")
    click.echo(f"added source {sid}: {found.url}, {what}, to {addsource.sources_file(config)}")
