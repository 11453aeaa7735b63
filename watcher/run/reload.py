"""Rule files are reloaded within seconds of a change, not at the next poll (which may be hours away): a
broken file is reported while its author is still looking, and the web console and the next poll see the
new rules."""

from __future__ import annotations

import asyncio
import contextlib

from watcher.rules.book import RuleBook

RELOAD_EVERY = 2.0  # seconds between looks at the rule files' sizes and times


async def keep_rules_fresh(book: RuleBook, stopping: asyncio.Event, every: float = RELOAD_EVERY) -> None:
    """Until `stopping` is set, reload the rules when a file changed (in a thread: a big rule set takes a while
    to compile, and the loop keeps answering meanwhile)."""
    while not stopping.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=every)
        if not stopping.is_set():
            await asyncio.to_thread(book.refresh)
