"""The extraction workers' fork server: it imports trafilatura once and forks workers from it.

It starts with the first page to extract (`Extractor`), so a command or poll with nothing to read never pays
for it. `stop_pool` ends a pool of workers forked from it.
"""

from __future__ import annotations

import multiprocessing
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pebble import ProcessPool

PRELOAD = ["watcher.extract.preload"]
STOP_WAIT = 3.0  # seconds a worker gets to exit on SIGTERM before it is killed (pebble's own wait)


def forkserver_context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def stop_pool(pool: "ProcessPool", timeout: float = STOP_WAIT + 1.0) -> None:
    """Stop a pebble pool: its workers first, then the pool.

    pebble's own stop unlinks its channel's semaphores before it signals the workers, so a worker still starting
    at that moment (unpickling its channel, which opens them by name) dies with a traceback on the daemon's
    stderr: seen when a short `run --once` ended while the second worker was still coming up on a loaded
    machine. Ending the workers first leaves none that can open them. The workers are read from pebble's
    manager (no public list) once its loop, which replaces a worker that exited (after `max_tasks`), has ended:
    a replacement started meanwhile is ended too. If those are not there, the pool stops as pebble stops it."""
    end = time.monotonic() + timeout  # the whole stop (+1 s for pebble's threads): the daemon stops two pools
    # within docker's 10 s

    def left(most: float = timeout) -> float:
        return max(0.0, min(most, end - time.monotonic()))

    pool.stop()
    loop = getattr(pool, "_pool_manager_loop", None)  # it sees the stop within pebble's 0.1 s tick
    if loop is not None:
        loop.join(left())
    manager = getattr(getattr(pool, "_pool_manager", None), "worker_manager", None)
    workers = list(getattr(manager, "workers", {}).values())
    for process in workers:
        process.terminate()
    wait = time.monotonic() + left(STOP_WAIT)  # one wait for them all
    for process in workers:
        process.join(max(0.0, wait - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()
    pool.join(timeout=max(1.0, left()))  # its workers are gone: only its threads are left to end
