"""The extraction workers' fork server: it imports trafilatura once and forks workers from it.

It starts with the first page to extract (`Extractor`), so a command or poll with nothing to read never pays
for it.
"""

from __future__ import annotations

import multiprocessing

PRELOAD = ["watcher.extract.preload"]


def forkserver_context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context
