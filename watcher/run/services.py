"""Builds the long-lived parts (store, HTTP client, extraction pool, reader process) from a Config."""

from __future__ import annotations

from contextlib import asynccontextmanager, nullcontext
from typing import AsyncIterator

from watcher.config import Config
from watcher.deliver.sender import Sender
from watcher.extract.pool import Extractor
from watcher.fetch import Fetcher, FetchLimits
from watcher.run.metrics import Metrics
from watcher.run.poll import Pipeline
from watcher.run.readers import Readers
from watcher.rules.book import RuleBook
from watcher.store import Store
from watcher.store.lock import exclusive


@asynccontextmanager
async def open_pipeline(config: Config, alone: bool = True) -> AsyncIterator[Pipeline]:
    """The pipeline; `alone` holds the database's one-poller lock (`watcher worker` shares the database with
    other workers instead, see watcher.run.worker)."""
    rules = RuleBook(config)  # a broken rule file stops the start here, before anything runs
    with exclusive(config.database) if alone else nullcontext():  # a second poller or sender stops here
        store = Store(config.database)
        http = config.http
        fetcher = Fetcher(
            FetchLimits(
                timeout=min(config.defaults.timeout, 30.0),
                total=config.defaults.timeout,
                max_bytes=http.max_bytes,
                max_redirects=http.max_redirects,
                concurrency=http.concurrency,
                per_host=http.per_host,
                host_gap=http.host_gap,
            ),
            user_agent=http.user_agent,
            allow_private=http.allow_private,
            pauses=store.sources.host_pauses(),  # a host's Retry-After holds across restarts
            on_pause=store.sources.pause_host,
        )
        extractor = Extractor(workers=config.extract.workers, timeout=config.extract.timeout)
        metrics = Metrics()
        readers = Readers()
        try:
            yield Pipeline(config=config, store=store, fetcher=fetcher, extractor=extractor, rules=rules,
                           sender=Sender(store, config, metrics), metrics=metrics, readers=readers)
        finally:
            await fetcher.aclose()
            extractor.close()
            readers.close()
            store.close()
