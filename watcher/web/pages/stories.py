"""Stories: the list, and a story's page with its articles by time, outlets and why each joined."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from watcher.match.explain import explain_reason
from watcher.store import console as q
from watcher.web.app import console_of, page, problem, render
from watcher.web.charts import timeline
from watcher.web.pages.sources import _int

PAGE = 50


async def stories(request: Request) -> Response:
    p = request.query_params
    before_id = _int(p.get("before_id"))
    before = (p.get("before", ""), before_id) if before_id is not None else None
    rows = q.stories(console_of(request).store.db, before, PAGE)
    more = (rows[-1]["last_seen"], rows[-1]["id"]) if len(rows) == PAGE else None
    return render(request, "stories.html", stories=rows, more=more)


async def story(request: Request) -> Response:
    s = q.story(console_of(request).store.db, request.path_params["id"])
    if s is None:
        return problem(request, 404, f"no story {request.path_params['id']}")
    for a in s["articles"]:
        a["why"] = explain_reason(a["reason"])
        a["scores"] = a["reason"].get("scores") or (a["reason"].get("closest") or {}).get("scores") or {}
    chart = timeline([(a["sitename"] or a["source_id"], a["fetched_at"], a["title"] or a["url"]) for a in s["articles"]],
                     f"story {s['id']} by outlet over time")
    return render(request, "story.html", s=s, chart=chart)


async def article(request: Request) -> Response:
    a = q.article(console_of(request).store.db, request.path_params["id"])
    if a is None:
        return problem(request, 404, f"no article {request.path_params['id']}")
    return render(request, "article.html", a=a)


def routes() -> list[BaseRoute]:
    return [page("/stories", stories), page("/stories/{id:int}", story), page("/articles/{id:int}", article)]
