"""Sources: the health table, a source's page with its articles, and enable / disable / poll now."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from watcher.errors import ConfigError, ConfigErrors, WatcherError
from watcher.source.opml import ImportedSource, opml_document, read_opml
from watcher.store import console as q
from watcher.web import addsource
from watcher.web.app import MAX_ID, action, back, console_of, page, problem, render
from watcher.web.charts import poll_strip

PAGE = 50


def _configured(request: Request) -> dict[str, object]:
    return {s.id: s for s in console_of(request).config.sources}


async def sources(request: Request) -> Response:
    """The configured sources, a page of SOURCES_PAGE at a time, optionally only those of one health."""
    db = console_of(request).store.db
    stored = {r["id"]: r for r in q.sources(db)}
    rows = []
    for sid, s in sorted(_configured(request).items()):  # the config says what is watched; the store how it went
        rows.append({"id": sid, "url": s.url, "tags": s.tags, **stored.get(sid, {"health": "new"})})
    wanted = request.query_params.get("health", "")
    counts = {h: sum(1 for r in rows if r["health"] == h) for h in HEALTHS}
    if wanted in HEALTHS:
        rows = [r for r in rows if r["health"] == wanted]
    number = max(_int(request.query_params.get("page")) or 1, 1)
    shown = rows[(number - 1) * SOURCES_PAGE: number * SOURCES_PAGE]
    articles = q.article_counts(db, [r["id"] for r in shown])
    for r in shown:
        r["articles"] = articles.get(r["id"], 0)
    pages = max((len(rows) + SOURCES_PAGE - 1) // SOURCES_PAGE, 1)
    return render(request, "sources.html", sources=shown, health=wanted, counts=counts, page_number=number,
                  pages=pages, total=len(rows))


SOURCES_PAGE = 100
HEALTHS = ("ok", "failing", "paused", "disabled", "new")


async def source(request: Request) -> Response:
    sid = request.path_params["id"]
    configured = _configured(request).get(sid)
    row = q.source(console_of(request).store.db, sid)
    if configured is None and row is None:
        return problem(request, 404, f"no source {sid}")
    before = _int(request.query_params.get("before"))
    articles = q.source_articles(console_of(request).store.db, sid, before, PAGE) if row else []
    more = articles[-1]["id"] if len(articles) == PAGE else None
    history = poll_strip(q.poll_history(console_of(request).store.db, sid), f"the last polls of {sid}")
    return render(request, "source.html", sid=sid, configured=configured, s=row or {"health": "new"},
                  articles=articles, more=more, history=history)


def _int(value: str | None) -> int | None:
    """A number from a form or query (None when it is none, or beyond any id SQLite stores)."""
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    return number if number is None or abs(number) <= MAX_ID else None


async def poll_now(request: Request, form: dict[str, str]) -> Response:
    sid = request.path_params["id"]
    c = console_of(request)
    if sid not in _configured(request):
        return problem(request, 404, f"no source {sid} in the config")
    if not c.control.polling:
        return back(request, f"/sources/{sid}", "this console only reads the database: the daemon polls "
                                                "(`watcher run`); nothing was polled")
    if not c.control.poll_now(sid):
        return back(request, f"/sources/{sid}", f"{sid} is disabled: enable it first")
    return back(request, f"/sources/{sid}", f"{sid}: poll started")


async def enable(request: Request, form: dict[str, str]) -> Response:
    sid = request.path_params["id"]
    c = console_of(request)
    try:
        c.store.sources.enable(sid)
    except KeyError:
        return problem(request, 404, f"source {sid} was never polled")
    c.control.poll_now(sid)
    return back(request, f"/sources/{sid}", f"{sid} enabled" + (": poll started" if c.control.polling else
                                                                "; the daemon polls it at its next start"))


async def disable(request: Request, form: dict[str, str]) -> Response:
    sid = request.path_params["id"]
    c = console_of(request)
    if not q.disable_source(c.store.db, sid, c.now()):
        return problem(request, 404, f"source {sid} was never polled")
    c.control.stop_polling(sid)
    return back(request, f"/sources/{sid}", f"{sid} disabled: not polled until enabled")


def routes() -> list[BaseRoute]:
    return [*more_routes(), page("/sources", sources), page("/sources/{id}", source),
            action("/sources/{id}/poll", poll_now), action("/sources/{id}/enable", enable),
            action("/sources/{id}/disable", disable)]


# -- adding sources -------------------------------------------------------------

ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


async def discover(request: Request, form: dict[str, str]) -> Response:
    """Look at a URL and show what could be watched there, for the user to confirm."""
    c = console_of(request)
    url = form.get("url", "").strip()
    try:
        addsource.sources_file(c.config)
        found = await addsource.discover(url)
    except WatcherError as e:
        return render(request, "add_source.html", status=422, url=url, found=[], error=str(e))
    taken = set(_configured(request))
    suggested = addsource.suggested_id(found[0].url, found[0].title, taken)
    return render(request, "add_source.html", url=url, found=found, suggested=suggested)


async def add(request: Request, form: dict[str, str]) -> Response:
    """Write the confirmed source to the included file, and poll it (in the daemon) at once."""
    c = console_of(request)
    sid = form.get("id", "").strip()
    kind, _, url = form.get("choice", "").strip().partition(" ")
    tags = tuple(t for t in re.split(r"[,\s]+", form.get("tags", "")) if t)
    if not ID.fullmatch(sid):
        return problem(request, 422, f"'{sid}' is not a source id: letters, digits, '.', '_' and '-'")
    if sid in _configured(request):
        return problem(request, 409, f"there is already a source {sid}")
    if not url.startswith(("http://", "https://")):
        return problem(request, 422, "choose what to watch")
    try:
        c.config = addsource.add_sources(c.config, [ImportedSource(sid, url, None, tags)],
                                         source_type=addsource.source_type(kind))
    except (WatcherError, ConfigError, ConfigErrors) as e:
        return problem(request, 422, f"the source was not added: {e}")
    c.control.add_source(next(s for s in c.config.sources if s.id == sid))
    return back(request, f"/sources/{sid}", f"{sid} added to {addsource.sources_file(c.config).name}"
                + (": polling it now" if c.control.polling else "; the daemon polls it after its next start"))


async def opml_export(request: Request) -> Response:
    """The configured sources as OPML (secrets in URLs masked), folders by first tag."""
    return Response(opml_document(console_of(request).config.sources), media_type="text/x-opml; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="watcher-sources.opml"'})


async def opml_import(request: Request, form: dict[str, str]) -> Response:
    c = console_of(request)
    upload = (await request.form()).get("opml")
    if upload is None or isinstance(upload, str):
        return problem(request, 422, "choose an OPML file")
    data = await upload.read(MAX_OPML + 1)
    if len(data) > MAX_OPML:
        return problem(request, 413, "that OPML file is over 5 MB")
    try:
        imported = read_opml(data, existing_ids=frozenset(_configured(request)))
        existing = {s.url for s in c.config.sources}
        imported = [s for s in imported if s.url not in existing]
        if not imported:
            return back(request, "/sources", "nothing new in that OPML file")
        c.config = addsource.add_sources(c.config, imported)
    except (WatcherError, ConfigError, ConfigErrors) as e:
        return problem(request, 422, f"nothing was imported: {e}")
    for s in imported:
        c.control.add_source(next(x for x in c.config.sources if x.id == s.id))
    return back(request, "/sources", f"imported {len(imported)} sources into {addsource.sources_file(c.config).name}")


MAX_OPML = 5 * 1024 * 1024


def more_routes() -> list[BaseRoute]:
    return [action("/sources/discover", discover), action("/sources/add", add),
            page("/sources.opml", opml_export), action("/sources/import", opml_import)]
