"""Every file of the feed corpus (feedparser's own test suite: well-formed, ill-formed, odd encodings and
entities), served by a local server, goes through our fetch and parse path without an unhandled exception.

The corpus lives beside the checkout (../shared/data/feed-corpus); without it this test is skipped.
The counts are printed (run with -s) and recorded as test properties, so they can be quoted.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from pathlib import Path
from typing import Callable

import pytest

from tests.webserver import Route, WebServer
from watcher.errors import FetchError
from watcher.fetch import Fetcher, FetchLimits
from watcher.parse.feed import parse_feed
from watcher.parse.model import FeedParseError
from watcher.run.poll import FEED_ACCEPT, read_source

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "feed-corpus"
TYPES = {".xml": "application/xml", ".json": "application/feed+json", ".rdf": "application/rdf+xml"}


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in TYPES)


SHARDS = 4  # the corpus in quarters (every fourth file each), so that test workers share it


@pytest.mark.skipif(not CORPUS.is_dir(), reason="feed corpus not found beside the checkout")
@pytest.mark.parametrize("shard", range(SHARDS))
async def test_every_corpus_file_is_polled_without_an_unhandled_exception(
    web: WebServer, record_property: Callable[[str, object], None], shard: int
) -> None:
    every = corpus_files()
    assert len(every) > 1000
    files = every[shard::SHARDS]
    for i, path in enumerate(files):
        web.route(f"/{i}{path.suffix}", Route(path.read_bytes(), content_type=TYPES[path.suffix]))
    counts: Counter[str] = Counter()
    crashes: list[str] = []
    start = time.monotonic()

    async def one(i: int, path: Path, f: Fetcher) -> None:
        name = str(path.relative_to(CORPUS))
        try:
            resp = await f.get(web.url(f"/{i}{path.suffix}"), accept=FEED_ACCEPT)
        except FetchError as e:
            counts["fetch error"] += 1
            crashes.append(f"{name}: fetch: {e}")  # the local server serves every file: this is a bug
            return
        try:
            feed = parse_feed(resp.content, resp.url, resp.headers.get("content-type"))
            counts["with entries" if feed.entries else "without entries"] += 1
            counts["ill-formed (bozo)"] += bool(feed.bozo)
        except FeedParseError as e:
            counts["not a feed / unreadable"] += 1
            counts["rejected: " + str(e).split(":")[0]] += 1  # "ill-formed feed with no readable entries", ...
        try:
            kind, _, _ = read_source("corpus", None, resp)  # the poll's own reading, type detection included
            counts[f"read as {kind}"] += 1
        except FeedParseError:
            counts["poll: clear parse error"] += 1
        except Exception as e:  # noqa: BLE001 - the point of the test
            crashes.append(f"{name}: {type(e).__name__}: {e}")

    async with Fetcher(FetchLimits(concurrency=16, per_host=16, total=30)) as f:
        await asyncio.gather(*(one(i, p, f) for i, p in enumerate(files)))
    elapsed = time.monotonic() - start
    summary = {"files": len(files), **dict(sorted(counts.items())), "seconds": round(elapsed, 1)}
    print(f"\nfeed corpus, quarter {shard + 1} of {SHARDS}:", json.dumps(summary))
    for key, value in summary.items():
        record_property(key, value)
    assert not crashes, crashes[:10]
    assert counts["with entries"] > 500 / SHARDS
