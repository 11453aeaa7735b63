"""Apprise targets for the channels in watcher.yaml, and the built-in console:// channel."""

from __future__ import annotations

import logging
import sys
from typing import Any

import apprise
from apprise.decorators import notify

_registered = False


def register_console() -> None:
    """`console://` prints alerts to stdout, registered through Apprise's own custom-notification hook."""
    global _registered
    if _registered:
        return

    @notify(on="console", name="watcher console")
    def _console(body: str, title: str, notify_type: str, *args: Any, **kwargs: Any) -> bool:
        out = sys.stdout
        out.write(f"\n=== {title} ===\n{body}\n")
        out.flush()
        return True

    _registered = True


def url_error(url: str) -> str | None:
    """Why Apprise cannot use `url`, or None when it can."""
    register_console()
    log = logging.getLogger("apprise")
    level = log.level
    log.setLevel(logging.CRITICAL)  # its own "Unparseable URL" line would repeat ours, with the secret
    try:
        ok = apprise.Apprise().add(url)
    finally:
        log.setLevel(level)
    return None if ok else "Apprise cannot read this URL (unknown service or malformed)"


def with_overflow(url: str) -> str:
    """Long alerts are split into several messages rather than rejected, unless the URL says otherwise."""
    if "overflow=" in url or url.startswith("console://"):
        return url
    return url + ("&" if "?" in url else "?") + "overflow=split"


def target(url: str) -> apprise.Apprise:
    register_console()
    a = apprise.Apprise()
    a.add(with_overflow(url))
    return a
