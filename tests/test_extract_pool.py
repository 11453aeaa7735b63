"""Extraction runs in worker processes with a time limit per page."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_watcher, write_config
from tests.pages import news_page, paragraphs, rss
from tests.webserver import Route, WebServer
from watcher.extract.pool import ExtractionFailed, Extractor


def heavy_page() -> bytes:
    """A very long page: extraction takes far longer than a few milliseconds."""
    paras = [f"Paragraph {i} of the long council transcript records another speaker's view." for i in range(20000)]
    return news_page("Full council transcript", paras)


async def test_overrunning_page_is_cut_and_the_worker_replaced() -> None:
    ordinary = news_page("Ferry timetable", paragraphs("ferry timetable"))
    with Extractor(workers=1, timeout=0.05) as ex:
        with pytest.raises(ExtractionFailed) as info:
            await ex.extract(heavy_page(), "https://e.org/2026/11/transcript.html")
        assert info.value.kind == "timeout"
        ex.timeout = 30
        result = await ex.extract(ordinary, "https://e.org/2026/11/ferry.html")
    assert result is not None and "ferry timetable" in result.text


def test_slow_extraction_keeps_the_feed_text(web: WebServer, tmp_path: Path) -> None:
    web.route("/2026/11/full-council-transcript.html", Route(heavy_page()))
    summary = "The full transcript of Tuesday's council meeting, where the budget was approved by 19 votes."
    web.route("/feed.xml", Route(rss([{"title": "Transcript", "link": "{{BASE}}/2026/11/full-council-transcript.html",
                                       "guid": "t-1", "summary": summary}])))
    config = write_config(tmp_path, [{"id": "council", "url": web.url("/feed.xml")}],
                          extract={"workers": 1, "timeout": "50ms"}, http={"allow_private": True, "max_bytes": "20MB"})
    result = run_watcher("run", "--once", "--config", str(config))
    assert result.returncode == 0
    row = sqlite3.connect(tmp_path / "data/watcher.db").execute(
        "SELECT body, summary_only, extract_error FROM articles").fetchone()
    assert row == (summary, 1, "extraction took longer than 0.05s")
