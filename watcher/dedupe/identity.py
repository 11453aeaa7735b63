"""What tells one article from another across sources, beside its canonical URL and its body."""

from __future__ import annotations


def global_guid(guid: str | None) -> str | None:
    """A GUID distinctive enough to identify an article across feeds (URLs, tag: URIs, UUIDs)."""
    if guid and (len(guid) >= 16 or ":" in guid):
        return guid
    return None
