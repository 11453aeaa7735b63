"""Start the extraction fork server before the rest of watcher is imported.

The fork server imports trafilatura once and forks workers from it; started
first, it does that on the other core while the daemon itself starts up.
"""

from __future__ import annotations

import multiprocessing

PRELOAD = ["watcher.extract.preload"]


def forkserver_context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def start_workers_early() -> None:
    forkserver_context()
    from multiprocessing import forkserver

    forkserver.ensure_running()
