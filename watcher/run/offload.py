"""Work a poll hands to parser threads, so the event loop keeps answering /healthz, polling and sending."""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from watcher.run.memory import BIG_DOCUMENT, release_after

T = TypeVar("T")

PARSER_THREADS = 2  # the default executor also resolves host names: parsing gets threads of its own
_parsers: ThreadPoolExecutor | None = None


async def off_loop(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in a parser thread: a big document (a 10 MB feed, a page of 50,000 links) takes seconds to
    read, and the event loop keeps answering /healthz, polling and sending meanwhile."""
    global _parsers
    if _parsers is None:
        _parsers = ThreadPoolExecutor(max_workers=PARSER_THREADS, thread_name_prefix="watcher-parse")
    return await asyncio.get_running_loop().run_in_executor(_parsers, functools.partial(fn, *args))


async def release_memory(size: int) -> None:
    """After a document of `size` bytes and everything made from it are dropped: the heap's free pages go back
    to the system (`watcher.run.memory`), in a parser thread so the loop does not wait on it."""
    if size >= BIG_DOCUMENT:
        await off_loop(release_after, size)
