"""The front page: source health, poll lag, today's counts, the outbox, the last errors, 30-day charts."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from watcher.store import console as q
from watcher.web.app import console_of, page, render
from watcher.web.charts import day_bars, name_bars


async def overview(request: Request) -> Response:
    c = console_of(request)
    now = c.now()
    db = c.store.db
    return render(
        request, "overview.html",
        o=q.overview(db, now),
        articles_chart=day_bars(q.per_day(db, "articles", now), "articles stored per day, last 30 days"),
        alerts_chart=day_bars(q.per_day(db, "alerts", now), "alerts per day, last 30 days"),
        rules_chart=name_bars(list(q.rule_fires(db, now - timedelta(days=30)).items()), "rule fires, last 30 days"),
    )


def routes() -> list[BaseRoute]:
    return [page("/", overview)]
