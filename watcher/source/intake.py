"""Which of a source's listed items one poll takes: the new ones, at most a limit, baseline on a first poll,
and the order they are stored in. Pure decisions over `Item`s."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Collection

from watcher.model import Item

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def unseen(items: Collection[Item], known: Collection[str]) -> list[Item]:
    """The items whose key the source has not listed before, in document order."""
    return [c for c in items if c.key not in known]


def take_new(items: list[Item], limit: int) -> tuple[list[Item], list[Item]]:
    """The new items one poll takes (newest first; undated ones in document order, after dated ones) and
    those that wait for the next poll."""
    if len(items) <= limit:
        return items, []
    order = sorted(range(len(items)), key=lambda i: (items[i].published is None,
                                                     -(items[i].published or _EPOCH).timestamp(), i))
    taken = set(order[:limit])
    return [c for i, c in enumerate(items) if i in taken], [c for i, c in enumerate(items) if i not in taken]


def mark_baseline(items: list[Item], *, first_poll: bool, added_at: datetime) -> list[Item]:
    """On a source's first poll, items published before it was added do not alert."""
    if not first_poll:
        return items
    return [replace(c, alertable=bool(c.published and c.published > added_at)) for c in items]


def placing_order(c: Item) -> tuple[float, str]:
    """The items of one poll are stored (and placed in their stories) oldest first, then by key, so the same
    items give the same stories whatever order the source lists them in."""
    return (c.published.timestamp() if c.published else float("inf"), c.key)
