"""The rules in force, reloaded when their files change.

A broken edit is reported and the previous valid rules stay active, so a
typo in a rule file never silences the daemon.
"""

from __future__ import annotations

import logging
from pathlib import Path

from watcher.config import Config
from watcher.errors import ConfigErrors, WatcherError
from watcher.rules.load import load_rules, rule_files
from watcher.rules.ruleset import RuleSet

log = logging.getLogger("watcher.rules")


class RuleBook:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.path: Path | None = config.rules
        self.rules = RuleSet()
        self._stamp: tuple[tuple[str, int, int], ...] = ()
        if self.path is not None:
            self._stamp = self._scan()
            self.rules = load_rules(self.path, config)  # errors at start are the user's to fix now

    def _scan(self) -> tuple[tuple[str, int, int], ...]:
        assert self.path is not None
        try:
            files = rule_files(self.path)
            return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
        except (OSError, WatcherError):
            return ()

    def refresh(self) -> bool:
        """Reload if any rule file changed; True when new rules took effect."""
        if self.path is None:
            return False
        stamp = self._scan()
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        try:
            rules = load_rules(self.path, self.config)
        except ConfigErrors as e:
            for err in e.errors:
                log.error("rules not reloaded (the previous %d rules stay active): %s", len(self.rules), err)
            return False
        except WatcherError as e:
            log.error("rules not reloaded (the previous %d rules stay active): %s", len(self.rules), e)
            return False
        self.rules = rules
        log.info("rules reloaded: %d rules", len(rules))
        return True
