"""Which channel URL a queued message goes to, after the config's channels were edited (pure).

Each delivery row keeps the key of the URL it was queued for (`config.schema.url_key`) and the URL's place
in the channel's list then. A URL is found again by its key wherever it moved. A row whose URL is gone
goes to the URL now at its old place only when that URL has no row of its own for the same message: the
URL was replaced there (a webhook's token rotated, say), so the message would otherwise be lost. When the
URL at that place has its own row, the row's URL was removed, and the message is not sent twice to the
other one. Rows queued before keys were kept ("#N") go by place alone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

from watcher.config.schema import ChannelConfig, url_key
from watcher.model import Target


def targets_for(channels: Mapping[str, ChannelConfig], notify: Sequence[str]) -> tuple[Target, ...]:
    """Every URL of the `notify` channels, each with its place and key."""
    return tuple(Target(name, i, url_key(url)) for name in notify for i, url in enumerate(channels[name].urls))


def kept_keys(urls: Sequence[str]) -> set[str]:
    """The keys that find one of `urls` with no further question: their own, and "#N" for each place."""
    return {url_key(u) for u in urls} | {f"#{i}" for i in range(len(urls))}


def where_to(urls: Sequence[str], key: str, place: int, beside: Callable[[], Collection[str]]) -> str | None:
    """The URL of `urls` a row queued for `key` at `place` goes to, or None when its URL was removed.
    `beside()`: the keys of the other rows of the same message to this channel, asked for only when `key`
    finds no URL (see the module's docstring)."""
    if key.startswith("#"):
        return urls[place] if place < len(urls) else None
    for url in urls:
        if url_key(url) == key:
            return url
    if place >= len(urls):
        return None
    replacement = urls[place]
    return None if url_key(replacement) in beside() else replacement
