from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from tests.receivers import SmtpReceiver, WebhookReceiver
from tests.webserver import WebServer

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _fresh_secret_registry() -> Iterator[None]:
    """Channel secrets learned by one in-process test must not mask another test's text (xdist mixes test order)."""
    import watcher.logs as logs

    saved = set(logs._secrets), logs._secrets_pattern
    yield
    with logs._secrets_lock:
        logs._secrets.clear()
        logs._secrets.update(saved[0])
        logs._secrets_pattern = saved[1]


@pytest.fixture
def web() -> Iterator[WebServer]:
    with WebServer() as server:
        yield server


@pytest.fixture
def hooks() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver().start()
    yield r
    r.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    r = SmtpReceiver().start()
    yield r
    r.stop()


def write_config(folder: Path, sources: list[dict], **extra: object) -> Path:
    """A watcher.yaml in `folder` polling `sources`, private addresses allowed (the test server)."""
    config = {
        "database": "data/watcher.db",
        "rules": None,
        "defaults": {"interval": "15m", "timeout": "5s"},
        "http": {"allow_private": True},
        "extract": {"workers": 2, "timeout": "20s"},
        "sources": sources,
    }
    config.update(extra)
    path = folder / "watcher.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def run_watcher(*args: str, cwd: Path | None = None, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real `watcher` command in a subprocess, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "watcher", *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env,
    )
