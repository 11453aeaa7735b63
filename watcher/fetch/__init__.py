"""Fetch stage: HTTP with timeouts, caps, politeness and a private-address guard."""

from watcher.fetch.http import Fetcher, FetchLimits, Response

__all__ = ["Fetcher", "FetchLimits", "Response"]
