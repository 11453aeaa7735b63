"""Which configured source a URL belongs to (so `watcher test --url` applies the rules that watch it)."""

from __future__ import annotations

from urllib.parse import urlsplit

from watcher.config import Config, SourceConfig


def _host(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # too broken to read ('http://[::1'): on no source's host; its fetch says what is wrong
        return ""
    return host.removeprefix("www.")


def source_for_url(config: Config, url: str) -> SourceConfig | None:
    """The source whose URL is `url`, else the one whose URL is the longest prefix of it, else the only
    source on its host (None when none or several are)."""
    exact = [s for s in config.sources if s.url.rstrip("/") == url.rstrip("/")]
    if exact:
        return exact[0]
    prefixed = sorted((s for s in config.sources if url.startswith(s.url.rsplit("/", 1)[0] + "/")),
                      key=lambda s: len(s.url), reverse=True)
    host = _host(url)
    same_host = [s for s in config.sources if _host(s.url) == host]
    if len(same_host) == 1:
        return same_host[0]
    return prefixed[0] if prefixed else None
