"""Running watcher: the services a poll needs, the poll as ordered phases, the daemon, replay, metrics and the HTTP endpoint."""
