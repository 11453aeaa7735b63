"""The rule workbench: every rule with its check result and fires; a rule's page to edit a copy of its file,
test it on pasted text or a stored article, backtest it over stored articles, and save it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from watcher.errors import WatcherError
from watcher.logs import redact
from watcher.rules.ruleset import Rule
from watcher.store import console as q
from watcher.web import workbench
from watcher.web.app import action, back, console_of, page, problem, render, role
from watcher.web.auth import ADMIN
from watcher.web.pages.sources import _int

BACKTEST_MAX = 5000  # newest articles a backtest reads at most
MAX_YAML = 2 * 1024 * 1024


async def rules(request: Request) -> Response:
    c = console_of(request)
    checked = workbench.rule_set(c.config)
    stats = q.rule_stats(c.store.db, c.now())
    muted = q.mutes(c.store.db, c.now())
    rows = [{"rule": r, "stats": stats.get(r.id, {}), "muted": muted.get(r.id)}
            for r in (checked.rules.rules if checked.rules else ())]
    return render(request, "rules.html", rows=rows, errors=checked.errors, files=workbench.files(c.config),
                  path=c.config.rules)


def _rule(request: Request) -> Rule | None:
    checked = workbench.rule_set(console_of(request).config)
    rid = request.path_params["id"]
    return next((r for r in (checked.rules.rules if checked.rules else ()) if r.id == rid), None)


async def rule(request: Request) -> Response:
    r = _rule(request)
    if r is None:
        return problem(request, 404, f"no rule {request.path_params['id']} in force (see the rules page for mistakes)")
    return _rendered(request, r, yaml=r.file.read_text(encoding="utf-8"), form={}, result=None)


def _rendered(request: Request, r: Rule, **context: object) -> Response:
    c = console_of(request)
    return render(request, "rule.html", r=r, muted=q.mutes(c.store.db, c.now()).get(r.id), mute_for=MUTE_FOR,
                  **context)


MUTE_FOR = {"1h": 1, "6h": 6, "1d": 24, "7d": 168}  # choices offered, in hours


async def mute(request: Request, form: dict[str, str]) -> Response:
    """Mute a rule for a while (its matches are still stored, no alert is made), or unmute it."""
    c = console_of(request)
    rule_id = request.path_params["id"]
    hours = MUTE_FOR.get(form.get("for", ""))
    if hours is None:
        q.unmute_rule(c.store.db, rule_id)
        return back(request, f"/rules/{rule_id}", f"{rule_id} unmuted")
    loaded = workbench.rule_set(c.config).rules  # None while the rule files have a mistake: mute what was named
    if loaded is not None and rule_id not in loaded.by_id:  # a mute kept for a name no rule has would silence
        return problem(request, 404, f"no rule {rule_id}")  # a rule given that name later
    q.mute_rule(c.store.db, rule_id, c.now() + timedelta(hours=hours), c.now())
    return back(request, f"/rules/{rule_id}", f"{rule_id} muted for {form['for']}")


async def workbench_form(request: Request, form: dict[str, str]) -> Response:
    """One form, three buttons: test, backtest, save; each on the YAML as edited in the page."""
    c = console_of(request)
    r = _rule(request)
    if r is None:
        return problem(request, 404, f"no rule {request.path_params['id']} in force")
    text = form.get("yaml", "")[:MAX_YAML]
    do = form.get("do", "test")
    if do == "save":
        if role(request) != ADMIN:
            return problem(request, 403, "read-only: this login can test rules but not save them")
        saved = workbench.save(c.config, r.file, text)
        if saved.rules is not None and not saved.errors:
            return back(request, f"/rules/{r.id}", f"saved {r.file.name} (the previous version is "
                                                 f"{r.file.name}.prev); the daemon reloads it")
        return _rendered(request, r, status=422, yaml=text, form=form, result={"errors": saved.errors})
    checked = workbench.check_copy(c.config, r.file, text)
    edited = next((x for x in (checked.rules.rules if checked.rules else ()) if x.id == r.id), None)
    result: dict = {"errors": checked.errors}
    if edited is None:
        result["errors"] = checked.errors or [f"rule {r.id} is not in the edited file"]
    elif do == "backtest":
        days = min(max(_int(form.get("days")) or 7, 1), 365)
        rows = q.recent_articles(c.store.db, c.now() - timedelta(days=days), BACKTEST_MAX)
        # in a thread: thousands of articles take seconds, and the daemon's loop keeps answering /healthz meanwhile
        seen, fired = await asyncio.to_thread(workbench.backtest, edited, rows, c.config)
        result.update(backtest={"days": days, "seen": seen, "fired": fired, "capped": seen >= BACKTEST_MAX})
    else:
        article_id = _int(form.get("article"))
        if article_id is not None:
            row = q.article(c.store.db, article_id)
            if row is None:
                return _rendered(request, r, status=404, yaml=text, form=form,
                              result={"errors": [f"no stored article {article_id}"]})
            article = workbench.article_text(row, c.config)
        elif form.get("url", "").strip():
            try:
                article = await workbench.fetched(form["url"].strip())
            except WatcherError as e:
                return _rendered(request, r, status=422, yaml=text, form=form, result={"errors": [redact(str(e))]})
        else:
            article = workbench.pasted(form.get("text", ""))
        tested = await asyncio.to_thread(workbench.test, edited, article)  # up to 1 MB of pasted text: seconds
        result.update(test=tested, terms=[e.matched for e in tested.evidence], article=article)
    return _rendered(request, r, yaml=text, form=form, result=result)


def routes() -> list[BaseRoute]:
    return [page("/rules", rules), page("/rules/{id}", rule),
            action("/rules/{id}/workbench", workbench_form, viewer_ok=True), action("/rules/{id}/mute", mute)]
