"""The web console: a Starlette app of server-rendered pages over the store.

Pages are Jinja templates over what watcher.store.console reads; forms are
plain POSTs (no JavaScript needed), each checked for the session's CSRF token
and the role that may change things. Handlers are async, so in the daemon the
store is only ever touched from the event loop's thread.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, Sequence

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from watcher.config import Config
from watcher.logs import redact, redact_link
from watcher.store import Store
from watcher.web import csrf
from watcher.web.auth import ADMIN, VIEWER, Credentials
from watcher.web.control import Control, NoDaemon

HERE = Path(__file__).parent
SESSION_HOURS = 12

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # a form POST keeps its Origin header (no-referrer would send "null")
]


@dataclass
class Console:
    """What the pages work with: the config, the store, the daemon's controls, who may do what."""
    config: Config
    store: Store
    control: Control = field(default_factory=NoDaemon)
    credentials: Credentials = field(default_factory=Credentials)
    read_only: bool = False

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class SecurityHeaders:
    """A strict Content-Security-Policy and friends on every answer; pages are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [h for h in SECURITY_HEADERS if h[0] not in names]
                if scope.get("scheme") == "https":  # over TLS (or behind a TLS proxy) the session cookie is Secure
                    headers = [(k, v + b"; secure" if k.lower() == b"set-cookie" and b"secure" not in v.lower() else v)
                               for k, v in headers]
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


# -- rendering ----------------------------------------------------------------

templates = Jinja2Templates(directory=str(HERE / "templates"))


def highlight(sentence: str, terms: Sequence[str]) -> Markup:
    """The sentence, escaped, with each matched term marked."""
    words = sorted({t for t in terms if t and t.strip()}, key=len, reverse=True)
    if not words:
        return escape(sentence)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for m in pattern.finditer(sentence):
        out.append(escape(sentence[last:m.start()]))
        out.append(Markup("<mark>") + escape(m.group()) + Markup("</mark>"))
        last = m.end()
    out.append(escape(sentence[last:]))
    return Markup("").join(out)


def ago(value: str | None) -> str:
    """An ISO time as 'N min ago' / 'in N min' (and the date beyond a day)."""
    if not value:
        return "-"
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return value
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    seconds = (datetime.now(timezone.utc) - when).total_seconds()
    future, seconds = seconds < 0, abs(seconds)
    if seconds >= 86400:
        return when.strftime("%Y-%m-%d %H:%M")
    span = f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.0f} h"
    return f"in {span}" if future else f"{span} ago"


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{math.ceil(seconds)} s"
    return f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


templates.env.filters.update(masked=lambda v: redact(str(v)) if v is not None else "", link=redact_link,
                             highlight=highlight, ago=ago, duration=duration)


def console_of(request: Request) -> Console:
    return request.app.state.console


def role(request: Request) -> str | None:
    c = console_of(request)
    who = request.session.get("role") if c.credentials.required else ADMIN
    if who == ADMIN and c.read_only:
        return VIEWER
    return who


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    c = console_of(request)
    context.update(request=request, csrf_token=csrf.token(request), role=role(request), can_change=role(request) == ADMIN,
                   polling=c.control.polling, login=c.credentials.required, flash=request.session.pop("flash", None))
    return templates.TemplateResponse(request, name, context, status_code=status)


def problem(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "problem.html", status=status, message=message)


def back(request: Request, to: str, message: str | None = None) -> RedirectResponse:
    """After a change: back to a page (POST, redirect, GET), with one line saying what happened."""
    if message:
        request.session["flash"] = message
    return RedirectResponse(to, status_code=303)


# -- routes with their guards -------------------------------------------------

MAX_ID = 2 ** 63 - 1  # the largest id SQLite stores


def _beyond_ids(request: Request) -> Response | None:
    """A 404 for an id in the path no database row can have (SQLite cannot even be asked about it)."""
    if any(isinstance(v, int) and abs(v) > MAX_ID for v in request.path_params.values()):
        return problem(request, 404, f"nothing at {request.url.path}")
    return None


Page = Callable[[Request], Awaitable[Response]]
Action = Callable[[Request, dict[str, str]], Awaitable[Response]]


def page(path: str, handler: Page) -> Route:
    """A GET page behind the login wall."""
    async def guarded(request: Request) -> Response:
        if role(request) is None:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return _beyond_ids(request) or await handler(request)
    return Route(path, guarded, methods=["GET", "HEAD"])


def action(path: str, handler: Action, viewer_ok: bool = False) -> Route:
    """A POST that changes something: logged in, CSRF-checked, and only for the role that may change things
    (`viewer_ok`: a form that only computes, such as a rule test, is open to the read-only role too)."""
    async def guarded(request: Request) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        why = csrf.rejected(request, form)
        if why:
            return problem(request, 403, why)
        who = role(request)
        if who is None:
            return RedirectResponse("/login", status_code=303)
        if who != ADMIN and not viewer_ok:
            return problem(request, 403, "read-only: this login can look but not change anything")
        return _beyond_ids(request) or await handler(request, form)
    return Route(path, guarded, methods=["POST"])
