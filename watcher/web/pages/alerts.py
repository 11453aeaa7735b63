"""Alerts: newest first with filters; an alert's page with its evidence, story, deliveries, retry and the
false-positive mark."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from watcher.store import console as q
from watcher.web.app import action, back, console_of, page, problem, render
from watcher.web.pages.sources import _int

PAGE = 50
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _filter(request: Request) -> q.AlertFilter:
    p = request.query_params
    day = p.get("day", "").strip()
    return q.AlertFilter(rule=p.get("rule", "").strip(), channel=p.get("channel", "").strip(),
                         status=p.get("status", "").strip(), text=p.get("text", "").strip()[:200],
                         day=day if DAY.fullmatch(day) else "")


async def alerts(request: Request) -> Response:
    db = console_of(request).store.db
    f = _filter(request)
    rows = q.alerts(db, f, _int(request.query_params.get("before")), PAGE)
    more = rows[-1]["id"] if len(rows) == PAGE else None
    query = {k: v for k, v in vars(f).items() if v}
    return render(request, "alerts.html", alerts=rows, f=f, query=query, more=more, options=q.alert_filters(db),
                  statuses=["pending", "sent", "dead", "false-positive"])


def terms(evidence: list[dict]) -> list[str]:
    return [e.get("matched") or "" for e in evidence]


async def alert(request: Request) -> Response:
    a = q.alert(console_of(request).store.db, request.path_params["id"])
    if a is None:
        return problem(request, 404, f"no alert {request.path_params['id']}")
    return render(request, "alert.html", a=a, terms=terms(a["evidence"]))


async def retry(request: Request, form: dict[str, str]) -> Response:
    c = console_of(request)
    alert_id = request.path_params["id"]
    delivery = _int(form.get("delivery"))
    if delivery is None or not q.retry_delivery(c.store.db, delivery, c.now()):
        return problem(request, 409, "that delivery is not waiting for a retry (already sent?)")
    c.control.wake_sender()
    return back(request, f"/alerts/{alert_id}", "retry queued: sending now" if c.control.polling else
                "retry queued: the daemon sends it within a minute")


async def false_positive(request: Request, form: dict[str, str]) -> Response:
    c = console_of(request)
    alert_id = request.path_params["id"]
    marked = form.get("mark", "1") == "1"
    if not q.mark_false_positive(c.store.db, alert_id, marked, c.now()):
        return problem(request, 404, f"no alert {alert_id}")
    return back(request, f"/alerts/{alert_id}", "marked as a false positive" if marked else "false-positive mark removed")


def routes() -> list[BaseRoute]:
    return [page("/alerts", alerts), page("/alerts/{id:int}", alert),
            action("/alerts/{id:int}/retry", retry), action("/alerts/{id:int}/false-positive", false_positive)]
