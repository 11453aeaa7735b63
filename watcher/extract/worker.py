"""The function the extraction workers run; light to import in the daemon itself.

Workers are forked from a server that has already imported (and warmed)
`watcher.extract.body`, so the import below costs nothing there, and the
daemon process never needs to load trafilatura.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from watcher.extract.model import Extracted


def extract(html: bytes, url: str | None, need_date: bool = True) -> "Extracted | None":
    """The article on the page, with its story sketch (made here, in parallel, rather than in the daemon)."""
    from dataclasses import replace

    from watcher.dedupe.sketch import sketch
    from watcher.extract.body import extract_article

    found = extract_article(html, url, need_date=need_date)
    if found is None:
        return None
    return replace(found, sketch=sketch(found.title or "", found.text, 0.0).to_bytes())
