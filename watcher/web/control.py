"""What the console may ask of the daemon it runs in: poll a source now, stop or resume polling it, send what is
due. `watcher web` has no daemon: the database is changed and a running daemon picks it up at its next look."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from watcher.config import SourceConfig
    from watcher.run.daemon import Daemon
    from watcher.run.poll import Pipeline


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


class DaemonControl:
    polling = True

    def __init__(self, daemon: "Daemon", pipeline: "Pipeline") -> None:
        self.daemon = daemon
        self.pipeline = pipeline

    def poll_now(self, source_id: str) -> bool:
        return self.daemon.poll_now(source_id, self.pipeline)

    def stop_polling(self, source_id: str) -> None:
        self.daemon.unschedule(source_id)

    def add_source(self, source: "SourceConfig") -> None:
        self.daemon.add_source(source, self.pipeline)

    def wake_sender(self) -> None:
        self.pipeline.sender.wake.set()
