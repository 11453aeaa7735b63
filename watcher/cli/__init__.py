"""The `watcher` command line (click): `main` is the entry point."""

from watcher.cli.app import cli, main

__all__ = ["cli", "main"]
