"""watcher's own exceptions, so callers catch meaning rather than library internals."""

from __future__ import annotations

from pathlib import Path


def first_line(e: BaseException) -> str:
    """The first line of an exception's message (a library's may run on for lines), or its type's name."""
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


class WatcherError(Exception):
    """A user-facing failure, reported as one line without a traceback."""


class ConfigError(WatcherError):
    """A mistake in a config or rule file, located by file and line."""

    def __init__(self, file: str | Path, line: int, message: str) -> None:
        self.file = str(file)
        self.line = line
        self.message = message
        super().__init__(f"{self.file}:{self.line}: {message}")


class ConfigErrors(WatcherError):
    """Several config mistakes found in one pass; each prints on its own line."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class FetchError(WatcherError):
    """A URL could not be fetched; `kind` says why in one word for logs and metrics."""

    def __init__(
        self, url: str, kind: str, message: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        self.url = url
        self.kind = kind
        self.status = status
        self.retry_after = retry_after  # epoch seconds the host asked us to wait until (429/503, pauses)
        super().__init__(message)


class StoreError(WatcherError):
    """The database cannot be used (newer schema, unreadable file, ...)."""
