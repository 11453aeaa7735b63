"""CSRF protection for every form: a random token kept in the signed session cookie and sent back in each form,
and the browser's Origin (when it sends one) must be this very host."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request

FIELD = "csrf"


def token(request: Request) -> str:
    """This session's token (made on first use)."""
    value = request.session.get(FIELD)
    if not value:
        value = request.session[FIELD] = secrets.token_urlsafe(32)
    return value


def rejected(request: Request, form: dict[str, str]) -> str | None:
    """Why a POST is refused, or None when it carries this session's token from this origin."""
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
        return f"the form came from another site ({origin})"
    expected = request.session.get(FIELD)
    given = form.get(FIELD, "")
    if not expected or not given or not hmac.compare_digest(str(given), str(expected)):
        return "the form's security token is missing or out of date: reload the page and try again"
    return None
