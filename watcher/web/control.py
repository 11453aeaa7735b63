"""What the console may ask of the daemon it runs in: poll a source now, stop or resume polling it, send what is
due. `watcher web` has no daemon: the database is changed and a running daemon picks it up at its next look."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from watcher.config import SourceConfig


class Control(Protocol):
    polling: bool  # whether this process polls (the daemon) or only looks at the database (`watcher web`)

    def poll_now(self, source_id: str) -> bool: ...

    def stop_polling(self, source_id: str) -> None: ...

    def add_source(self, source: "SourceConfig") -> None: ...

    def wake_sender(self) -> None: ...


class NoDaemon:
    polling = False

    def poll_now(self, source_id: str) -> bool:
        return False

    def stop_polling(self, source_id: str) -> None:
        pass

    def add_source(self, source: "SourceConfig") -> None:
        pass

    def wake_sender(self) -> None:
        pass
