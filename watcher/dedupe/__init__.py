"""Dedupe stage: one stored article per canonical URL, feed GUID or body."""

from watcher.dedupe.fingerprint import body_fingerprint, normalise_text
from watcher.dedupe.urls import canonical_url, is_page_link

__all__ = ["body_fingerprint", "canonical_url", "is_page_link", "normalise_text"]
