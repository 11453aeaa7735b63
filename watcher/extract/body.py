"""Article body and metadata from raw HTML bytes, with trafilatura."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None  # ISO 8601 date as the page states it
    sitename: str | None = None
    language: str | None = None
    description: str | None = None


def extract_article(html: bytes, url: str | None = None) -> Extracted | None:
    """Return the article's main text and metadata, or None when there is no body.

    Takes the raw bytes: trafilatura detects the encoding better than a
    decode done beforehand.
    """
    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    if doc is None or not doc.text:
        return None
    return Extracted(
        text=doc.text,
        title=doc.title,
        author=doc.author,
        date=doc.date,
        sitename=doc.sitename,
        language=doc.language,
        description=doc.description,
    )
