"""What a poll needs: config, store, HTTP client, extraction pool, reader process, rules, sender and counters."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Sequence, TypeVar

from watcher.config import Config
from watcher.deliver.sender import Sender
from watcher.extract.pool import Extractor
from watcher.fetch import Fetcher
from watcher.rules.book import RuleBook
from watcher.run.metrics import Metrics
from watcher.run.readers import Readers
from watcher.store import Store

POLLS_AT_ONCE = 256  # see Pipeline.slots

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Pipeline:
    """The long-lived parts a poll works with (built by `watcher.run.services.open_pipeline`)."""

    config: Config
    store: Store
    fetcher: Fetcher
    extractor: Extractor
    rules: RuleBook
    sender: Sender
    metrics: Metrics = field(default_factory=Metrics)  # in-process counters for /metrics
    readers: Readers | None = None  # the process that reads documents; None: a parser thread reads them
    # polls past their first step at once: a cycle of 10,000 sources queues 10,000 small waiting tasks, not
    # 10,000 polls holding their state and a request each (the HTTP client's limits pace the network anyway)
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(POLLS_AT_ONCE))
    # this process's turn to store placed articles, awaited before their transaction: workers on PostgreSQL take
    # turns without stopping their loop (`watcher.run.worker`); one process needs none
    turn: Callable[[], AbstractAsyncContextManager[object]] = nullcontext
    # articles' placements made before the turn, and only checked in it (workers: see watcher.store.stories.place)
    place_ahead: bool = False


async def each_in_turn(fn: Callable[[T], Awaitable[R]], items: Sequence[T], at_once: int = POLLS_AT_ONCE) -> list[R]:
    """`fn(item)` for every item, at most `at_once` running, started in the items' order; the results in that
    order. A cycle of 10,000 sources keeps `at_once` tasks, not 10,000 waiting ones (15 MB)."""
    results: dict[int, R] = {}
    queue = iter(enumerate(items))

    async def worker() -> None:
        for i, item in queue:
            results[i] = await fn(item)

    await asyncio.gather(*(worker() for _ in range(min(at_once, len(items)))))
    return [results[i] for i in range(len(items))]
