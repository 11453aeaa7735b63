"""Sources: the health table, a source's page with its articles, and enable / disable / poll now."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from watcher.store import console as q
from watcher.web.app import action, back, console_of, page, problem, render
from watcher.web.charts import poll_strip

PAGE = 50


def _configured(request: Request) -> dict[str, object]:
    return {s.id: s for s in console_of(request).config.sources}


async def sources(request: Request) -> Response:
    stored = {r["id"]: r for r in q.sources(console_of(request).store.db)}
    rows = []
    for sid, s in _configured(request).items():  # the config says what is watched; the store how it went
        rows.append({"id": sid, "url": s.url, "tags": s.tags, **stored.get(sid, {"health": "new", "articles": 0})})
    return render(request, "sources.html", sources=rows)


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
    try:
        return int(value) if value else None
    except ValueError:
        return None


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
        c.store.enable_source(sid)
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
    return [page("/sources", sources), page("/sources/{id}", source),
            action("/sources/{id}/poll", poll_now), action("/sources/{id}/enable", enable),
            action("/sources/{id}/disable", disable)]
