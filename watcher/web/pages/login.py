"""The login wall (only when credentials are set) and logout."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from watcher.web import csrf
from watcher.web.app import console_of, problem, render

FAILED_WAIT = 1.0  # seconds a wrong token costs: guessing is slow


def _next(value: str | None) -> str:
    # only a path of this site: never "//host" or "/\host" (browsers read a backslash as a slash)
    return value if value and value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


async def login_page(request: Request) -> Response:
    return render(request, "login.html", next=_next(request.query_params.get("next")))


async def login(request: Request) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    why = csrf.rejected(request, form)
    if why:
        return problem(request, 403, why)
    who = console_of(request).credentials.role_for(form.get("token", ""))
    if who is None:
        await asyncio.sleep(FAILED_WAIT)
        return render(request, "login.html", status=401, next=_next(form.get("next")), error="wrong token or password")
    request.session.clear()  # a fresh session (and CSRF token) after login
    request.session["role"] = who
    return RedirectResponse(_next(form.get("next")), status_code=303)


async def logout(request: Request) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    why = csrf.rejected(request, form)
    if why:
        return problem(request, 403, why)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def routes() -> list[BaseRoute]:
    return [Route("/login", login_page, methods=["GET", "HEAD"]), Route("/login", login, methods=["POST"]),
            Route("/logout", logout, methods=["POST"])]
