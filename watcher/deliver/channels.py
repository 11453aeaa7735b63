"""Apprise targets for the channels in watcher.yaml, and the built-in console:// channel."""

from __future__ import annotations

import logging
import re
import sys
import threading
from typing import Any

import apprise
from apprise.decorators import notify

from watcher.model import Timeout
from watcher.logs import logs_as_json, remember_secrets

_registered = False
_registering = threading.Lock()  # sends run in threads, several at once
# a failed send is logged once, by the sender, with Apprise's reason in it; its own line would say it twice
logging.getLogger("apprise").propagate = False


def register_console() -> None:
    """`console://` prints alerts to stdout, registered through Apprise's own custom-notification hook."""
    global _registered
    with _registering:
        if not _registered:
            _register()
            _registered = True


def _register() -> None:
    @notify(on="console", name="watcher console")
    def _console(body: str, title: str, notify_type: str, *args: Any, **kwargs: Any) -> bool:
        if logs_as_json():  # one JSON object a line on stdout, the alert among the log records
            logging.getLogger("watcher.console").info("alert: %s", title, extra={"alert_title": title,
                                                                                "alert_body": body})
            return True
        out = sys.stdout
        out.write(f"\n=== {title} ===\n{body}\n")
        out.flush()
        return True


def url_error(url: str) -> str | None:
    """Why Apprise cannot use `url`, or None when it can (only the URL's own plugin is loaded, when it can be found:
    `watcher.deliver.plugins`)."""
    from watcher.deliver.plugins import services_of

    log = logging.getLogger("apprise")
    level = log.level
    log.setLevel(logging.CRITICAL)  # its own "Unparseable URL" line would repeat ours, with the secret
    try:
        services = services_of(url)
        if services is None:  # a scheme only Apprise with every plugin loaded knows (or not)
            register_console()
            a = apprise.Apprise()
            services = list(a) if a.add(url) else []
    finally:
        log.setLevel(level)
    if not services:
        return "Apprise cannot read this URL (unknown service or malformed)"
    remember_secrets(private_parts(services))
    return None


_GENERATED = re.compile(r"^(?=.*[A-Za-z])(?=.*\d)[A-Za-z0-9_.:-]{8,}$")


def private_parts(a: apprise.Apprise | list[Any]) -> set[str]:
    """What Apprise itself treats as private in its services (tokens, passwords), and path
    segments of generic web hooks that look generated, so logs can mask them anywhere."""
    out: set[str] = set()
    for service in a:
        for key, spec in service.template_tokens.items():
            if spec.get("private"):
                value = getattr(service, spec.get("map_to", key), None)
                values = value if isinstance(value, (list, tuple, set)) else [value]
                out.update(v for v in values if isinstance(v, str))
        if isinstance(getattr(service, "password", None), str):
            out.add(service.password)
        fullpath = getattr(service, "fullpath", None)
        if isinstance(fullpath, str):
            out.update(seg for seg in fullpath.split("/") if _GENERATED.match(seg))
    return out


def with_defaults(url: str, timeout: Timeout) -> str:
    """The URL with our defaults for what it does not say itself: long alerts are split into several
    messages rather than rejected, and the channel's connect (`cto`) and read (`rto`) timeouts."""
    if url.startswith("console://"):
        return url
    query = url.partition("?")[2]
    given = {part.split("=", 1)[0].lower() for part in query.split("&") if part}
    extra = {"overflow": "split", "cto": f"{timeout.connect:g}", "rto": f"{timeout.read:g}"}
    add = "&".join(f"{k}={v}" for k, v in extra.items() if k not in given)
    return url if not add else url + ("&" if "?" in url else "?") + add


MAX_PARTS = 4  # messages one alert may become at most when split: a 10 MB title is cut, not sent as hundreds
TITLE_IN_BODY = 500  # characters of a title a service shows at the head of the body (it has no title field)


def fit(a: apprise.Apprise, title: str, body: str) -> tuple[str, str]:
    """The title and body cut to what each service of `a` takes: the title to its title limit (or, for a
    service without titles, to a line at the head of the body), the body to MAX_PARTS of its messages."""
    for service in a:
        title, room = _limits(service, title)
        if room is not None:
            body = cut(body, room)
    return title, body


def body_room(a: apprise.Apprise, title: str) -> int | None:
    """The most characters of body that `fit` leaves whole beside `title` (None: no limit)."""
    rooms = []
    for service in a:
        title, room = _limits(service, title)
        rooms += [] if room is None else [room]
    return min(rooms, default=None)


def _limits(service: Any, title: str) -> tuple[str, int | None]:
    """`title` cut to what `service` takes, and the characters of body it takes beside it (None: no limit)."""
    title_max = int(getattr(service, "title_maxlen", 0) or 0)
    body_max = int(getattr(service, "body_maxlen", 0) or 0)
    title = cut(title, title_max if title_max > 0 else min(TITLE_IN_BODY, body_max or TITLE_IN_BODY))
    if body_max <= 0:
        return title, None
    in_body = len(title) + 2 if title_max <= 0 else 0  # the title goes first in the body
    # one part's worth kept spare: each part also carries the title and a [2/4] counter
    return title, max(body_max * (MAX_PARTS - 1) - in_body, body_max // 2)


def cut(text: str, limit: int) -> str:
    """`text`, or its start and a note of how much was cut when it is longer than `limit` characters."""
    if len(text) <= limit:
        return text
    note = f"\n... ({len(text) - limit:,} more characters cut)" if limit > 80 else "..."
    return text[: max(0, limit - len(note))].rstrip() + note


def target(url: str, timeout: Timeout = Timeout()) -> apprise.Apprise:
    register_console()
    a = apprise.Apprise()
    a.add(with_defaults(url, timeout))
    remember_secrets(private_parts(a))  # before anything about this send is logged
    return a
