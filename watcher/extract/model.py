"""The value the extract stage produces (kept apart from trafilatura, so reading
a worker's result does not load it into the daemon)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None  # ISO 8601 date and time of day as the page states them (offset if stated)
    sitename: str | None = None
    language: str | None = None
    description: str | None = None
    sketch: bytes | None = None  # the story sketch of (title, text), made in the worker (watcher.dedupe.sketch)
