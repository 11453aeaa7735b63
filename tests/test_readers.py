"""Documents read in the reader process give the very listing a parser thread gives; a document that is not a
feed fails there as it does here, and a reader process that cannot be reached leaves the document to a thread."""

from __future__ import annotations

import asyncio
import logging

import pytest

from watcher.fetch import Response
from watcher.parse.items import note_bozo, read_listing
from watcher.parse.model import FeedParseError
from watcher.run.memory import BIG_DOCUMENT
from watcher.run.readers import Readers

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour news</title><ttl>30</ttl>
<item><title>Crane arrives at the north quay</title><guid isPermaLink="false">crane-1</guid>
<pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate>
<description>&lt;p&gt;The new &lt;b&gt;crane&lt;/b&gt; arrived.&lt;/p&gt;</description></item>
<item><title>Harbour wall repaired</title><link>https://harbour.example/wall</link>
<description>The wall is repaired.</description></item>
</channel></rss>"""

# an undefined entity: feedparser reads it anyway, and says the feed is ill-formed
ILL_FORMED = FEED.replace(b"The wall is repaired.", b"The wall &nbsp; is repaired.")


def response(body: bytes, content_type: str = "application/rss+xml") -> Response:
    return Response("https://harbour.example/feed.xml", 200, {"content-type": content_type}, body, 0.0)


def test_a_short_run_never_starts_the_reader_process() -> None:
    async def read() -> tuple[bool, int]:
        with Readers(start_after=3) as readers:
            for _ in range(3):
                await readers.listing("harbour", None, response(FEED))
            return readers._up is not None, readers.read_there

    assert asyncio.run(read()) == (False, 0), "3 documents read with start_after=3 started the reader process"


def test_the_reader_process_gives_the_listing_a_thread_gives() -> None:
    async def read() -> tuple[list[object], int]:
        with Readers(start_after=0) as readers:
            assert await readers.ready(), "the reader process did not start"
            return [await readers.listing("harbour", t, response(FEED)) for t in (None, "feed")], readers.read_there

    here = read_listing("harbour", None, response(FEED))
    there, count = asyncio.run(read())
    assert count == 2, f"the worker read {count} of the 2 documents"
    assert there == [here, here], f"the worker read {there!r}, a thread reads {here!r}"
    assert [c.key for c in here.items] == ["crane-1", "https://harbour.example/wall"]


def test_a_document_that_is_not_a_feed_fails_in_the_reader_process_with_its_reason() -> None:
    async def read() -> None:
        with Readers(start_after=0) as readers:
            assert await readers.ready(), "the reader process did not start"
            await readers.listing("harbour", "feed", response(b"just some words", "text/plain"))

    with pytest.raises(FeedParseError, match="not a feed"):
        asyncio.run(read())


def test_a_reader_process_that_cannot_be_reached_leaves_the_document_to_a_thread() -> None:
    async def read() -> tuple[object, object, int]:
        with Readers(start_after=0) as readers:
            early = await readers.listing("harbour", None, response(FEED))  # before the worker is up: a thread
            assert await readers.ready() and readers._pool is not None, "the reader process did not start"
            assert readers.read_there == 0
            readers._pool.stop()  # the pool refuses work from now on
            return early, await readers.listing("harbour", None, response(FEED)), readers.read_there

    early, late, count = asyncio.run(read())
    here = read_listing("harbour", None, response(FEED))
    assert (early, late, count) == (here, here, 0), f"read {early!r} and {late!r}, {count} in the worker"


def test_an_ill_formed_feed_read_anyway_is_logged_by_the_poll_not_lost_in_the_worker(
    caplog: pytest.LogCaptureFixture,
) -> None:
    listing = read_listing("harbour", None, response(ILL_FORMED))
    assert listing.bozo and len(listing.items) == 2, f"expected a readable ill-formed feed, got {listing!r}"
    with caplog.at_level(logging.INFO, logger="watcher.parse.items"):
        note_bozo("harbour", listing)
    assert any("source harbour: feed is ill-formed but readable" in r.getMessage() for r in caplog.records), \
        [r.getMessage() for r in caplog.records]


def test_a_big_document_is_read_in_a_thread_whose_reading_yields_to_the_event_loop() -> None:
    links = "".join(f'<li><a href="/news/harbour-notice-{i}.html">Harbour notice number {i}</a></li>' for i in range(3))
    words = "The harbour board met again to discuss the quay. " * (BIG_DOCUMENT // 48)
    page = f"<html><body><main><p>{words}</p><ul>{links}</ul></main></body></html>".encode()

    async def read() -> tuple[object, int]:
        with Readers(start_after=0) as readers:
            assert await readers.ready(), "the reader process did not start"
            return await readers.listing("notices", "page", response(page, "text/html")), readers.read_there

    listing, count = asyncio.run(read())
    assert count == 0, "a big document's listing would be unpickled in one call holding the interpreter lock"
    assert listing == read_listing("notices", "page", response(page, "text/html"))


def _worker_pids(readers: Readers) -> list[int]:
    manager = readers._pool._pool_manager.worker_manager  # type: ignore[union-attr]  # pebble keeps no public list
    return [w.pid for w in manager.workers.values()]


def test_a_reader_process_that_died_leaves_documents_to_threads_until_a_new_one_is_up() -> None:
    import os
    import signal
    import time

    async def read() -> tuple[list[object], int, int]:
        with Readers(start_after=0, read_wait=20) as readers:
            assert await readers.ready(), "the reader process did not start"
            broken = readers._pool
            assert broken is not None
            for pid in _worker_pids(readers):
                os.kill(pid, signal.SIGKILL)  # it dies with no document to read: pebble's pool breaks
            deadline = time.monotonic() + 10
            while broken.active and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert not broken.active, "pebble's pool still says it is active after its only worker was killed"
            started = time.monotonic()
            listings = await asyncio.gather(*(readers.listing("harbour", "feed", response(FEED)) for _ in range(4)))
            assert time.monotonic() - started < 15, "documents waited for the broken pool"
            assert await readers.ready(), "no new reader process started after the broken one"
            listings.append(await readers.listing("harbour", "feed", response(FEED)))
            return listings, readers.restarts, readers.read_there

    listings, restarts, read_there = asyncio.run(read())
    here = read_listing("harbour", "feed", response(FEED))
    assert listings == [here] * 5
    assert restarts == 1 and read_there == 1, (restarts, read_there)


def test_a_reader_process_that_does_not_answer_in_time_is_replaced(caplog: pytest.LogCaptureFixture) -> None:
    big = FEED.replace(b"</channel>", b"".join(
        b"<item><title>Notice %d</title><guid>n-%d</guid><description>The harbour board met.</description></item>"
        % (i, i) for i in range(400)) + b"</channel>")

    async def read() -> tuple[object, int]:
        with Readers(start_after=0, read_wait=0.001) as readers:
            assert await readers.ready(), "the reader process did not start"
            with caplog.at_level(logging.WARNING, logger="watcher.run.poll"):
                listing = await readers.listing("harbour", "feed", response(big))
            return listing, readers.restarts

    listing, restarts = asyncio.run(read())
    assert listing == read_listing("harbour", "feed", response(big))
    assert restarts == 1
    assert "did not answer in 0.001s" in caplog.text, caplog.text


def test_documents_waiting_their_turn_do_not_count_against_the_reader_processs_wait() -> None:
    big = FEED.replace(b"</channel>", b"".join(
        b"<item><title>Notice %d</title><guid>n-%d</guid><description>The harbour board met.</description></item>"
        % (i, i) for i in range(400)) + b"</channel>")  # ~0.1-0.2 s a read: 48 of them queue far past the wait

    async def read() -> tuple[int, int, float]:
        with Readers(start_after=0, read_wait=4.0) as readers:
            assert await readers.ready(), "the reader process did not start"
            import time

            started = time.monotonic()
            await asyncio.gather(*(readers.listing("harbour", "feed", response(big)) for _ in range(48)))
            return readers.restarts, readers.read_there, time.monotonic() - started

    restarts, read_there, took = asyncio.run(read())
    assert (restarts, read_there) == (0, 48), f"restarts {restarts}, read there {read_there} in {took:.1f}s"


def test_the_reader_process_leaves_remembered_entries_unread_as_a_thread_does() -> None:
    first = read_listing("harbour", "feed", response(FEED))
    assert first.seen is not None, "the feed's entries should be remembered"
    memory = first.seen.memory({c.key for c in first.items})
    grown = FEED.replace(b"<item>", b"<item><title>Ferry timetable</title><guid isPermaLink=\"false\">ferry-3</guid>"
                                    b"<description>Winter times.</description></item><item>", 1)

    async def read() -> tuple[object, int]:
        with Readers(start_after=0) as readers:
            assert await readers.ready(), "the reader process did not start"
            return await readers.listing("harbour", "feed", response(grown), memory), readers.read_there

    there, count = asyncio.run(read())
    here = read_listing("harbour", "feed", response(grown), memory)
    assert count == 1 and there == here
    assert [c.key for c in here.items] == ["ferry-3"] and here.listed == 3  # (the first entry is always read)
