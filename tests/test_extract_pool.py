"""Extraction runs in worker processes with a time limit per page."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_config
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
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0
    row = sqlite3.connect(tmp_path / "data/watcher.db").execute(
        "SELECT body, summary_only, extract_error FROM articles").fetchone()
    assert row == (summary, 1, "extraction took longer than 0.05s")


def _slow_start(seconds: float) -> float:
    """Unpickled in a starting worker: it ignores SIGTERM while it sleeps, which holds open the moment between a
    worker's fork and its opening of the pool's semaphores (a few ms on a quiet machine, longer on a loaded one)."""
    import signal
    import time

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(seconds)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    return seconds


class SlowToStart:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __reduce__(self) -> tuple:
        return _slow_start, (self.seconds,)


def ignores_sigterm(pid: int) -> bool:
    """Whether process `pid` ignores SIGTERM now (a starting worker inside `_slow_start`)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            ignored = next(line for line in f if line.startswith("SigIgn:")).split()[1]
    except (OSError, StopIteration):
        return False
    return bool(int(ignored, 16) & (1 << 14))


STOP_WHILE_STARTING = """
import multiprocessing, sys, time
from pebble import ProcessPool
from tests.test_extract_pool import SlowToStart, ignores_sigterm
from watcher.extract.warmup import forkserver_context, stop_pool

if __name__ == "__main__":
    pool = ProcessPool(max_workers=2, initializer=float, initargs=(SlowToStart(0.5),), context=forkserver_context())
    pool.schedule(int)
    deadline = time.monotonic() + 60
    while not (len(kids := multiprocessing.active_children()) == 2 and all(ignores_sigterm(k.pid) for k in kids)):
        assert time.monotonic() < deadline, f"workers never reached their start: {kids}"
        time.sleep(0.01)
    if sys.argv[1] == "pebble":
        pool.stop()
        pool.join()
    else:
        stop_pool(pool)
    print("stopped")
"""


@pytest.mark.parametrize("how", ["pebble", "stop_pool"])
def test_stopping_the_pool_while_workers_start_prints_no_traceback(how: str) -> None:
    """pebble alone unlinks the pool's semaphores before it signals its workers, so a worker still starting fails
    to open them and prints a traceback; `stop_pool` (what Extractor and Readers close with) ends the workers
    first. The pebble case shows the test sees the fault it guards against."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", STOP_WHILE_STARTING, how], cwd=root, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0 and "stopped" in result.stdout, result.stdout + result.stderr
    if how == "pebble":
        assert "SemLock" in result.stderr and "FileNotFoundError" in result.stderr, result.stderr
    else:
        assert "Traceback" not in result.stderr, result.stderr


STOP_WHILE_REPLACING = """
import threading, time
from pebble.pool import process as pebble_process
from pebble import ProcessPool
from tests.test_extract_pool import SlowToStart, ignores_sigterm
from watcher.extract.warmup import forkserver_context, stop_pool

if __name__ == "__main__":
    replacing, calls, new_worker = threading.Event(), [], pebble_process.WorkerManager.new_worker

    def slow_new_worker(manager):  # the pool's loop replacing a worker, held in the act
        calls.append(1)
        if len(calls) == 1:
            return new_worker(manager)
        replacing.set()
        deadline = time.monotonic() + 60
        while pool.active:  # the replacement starts once the stop is under way (read too early, the list lacks it)
            assert time.monotonic() < deadline, "the pool was never stopped"
            time.sleep(0.005)
        new_worker(manager)
        deadline = time.monotonic() + 60
        while not any(ignores_sigterm(pid) for pid in manager.workers):  # the replacement is in its start
            assert time.monotonic() < deadline, "the replacement never reached its start"
            time.sleep(0.01)

    pebble_process.WorkerManager.new_worker = slow_new_worker
    pool = ProcessPool(max_workers=1, max_tasks=1, initializer=float, initargs=(SlowToStart(1.0),),
                       context=forkserver_context())
    pool.schedule(int).result(timeout=60)  # its one task done, the worker exits and the pool's loop replaces it
    assert replacing.wait(60), "the pool never replaced its worker"
    stop_pool(pool)
    print("stopped")
"""


def test_stopping_the_pool_while_it_replaces_a_worker_prints_no_traceback() -> None:
    """A worker that did its `max_tasks` is replaced by the pool's own loop; a stop at that moment waits for that
    loop to end, so the replacement is ended with the others before the semaphores go (read before the loop ended,
    the list of workers missed it, and it failed to open them with a traceback)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", STOP_WHILE_REPLACING], cwd=root, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0 and "stopped" in result.stdout, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
