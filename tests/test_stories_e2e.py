"""One alert per story: three outlets tell one story (one a synonym-swapped copy),
an older story has the same speaker and other figures. Real server, real
webhook receiver, the real `watcher` command."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from tests.conftest import run_cli, write_config
from tests.receivers import WebhookReceiver
from watcher.demo.server import OutletServer

OUTLETS = Path(__file__).parents[1] / "watcher/demo/outlets"
MANIFEST = json.loads((OUTLETS / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def outlets() -> Iterator[OutletServer]:
    with OutletServer(OUTLETS) as server:
        yield server


def configure(tmp_path: Path, base: str, hooks: WebhookReceiver, updates: str = "silent", **extra: object) -> Path:
    rule = {
        "id": "veretsky-any",
        "title": "Veretsky on new citizens sent to fight",
        # matches the three reports of the 2026 story and the 2025 story alike
        "match": {
            "speaker": {"name": "Anton Veretsky", "aliases": ["Veretsky", "Veretskiy"]},
            "keywords": ["migrants", "new citizens", "naturalized", "naturalised"],
        },
        "notify": ["hooks"],
        "updates": updates,
    }
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"rules": [rule]}, sort_keys=False), encoding="utf-8")
    sources = [{"id": f["source_id"], "url": base + f["path"], "type": "feed", "baseline": False}
               for f in MANIFEST["feeds"]]
    return write_config(tmp_path, sources, rules="rules.yaml",
                        channels={"hooks": {"urls": [f"json://{hooks.base}/alerts"]}}, **extra)


def story_of(stories: list[dict], path: str) -> dict:
    return next(s for s in stories if any(a["url"].endswith(path) for a in s["articles"]))


def test_one_alert_per_story_and_the_older_story_is_its_own(outlets: OutletServer, tmp_path: Path,
                                                            database: str | Path) -> None:
    """On both engines: a SQLite file and a PostgreSQL database."""
    hooks = WebhookReceiver().start()
    try:
        config = configure(tmp_path, outlets.base, hooks, database=str(database))
        result = run_cli("run", "--once", "--config", str(config))
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.count("rule veretsky-any fired") == 4  # the rule matches every version
        titles = [m.json["title"] for m in hooks.received]
        assert len(titles) == 2, titles  # one per story: 2026 (three outlets) and 2025

        listing = run_cli("stories", "--json", "--config", str(config))
        assert listing.returncode == 0, listing.stderr
        stories = json.loads(listing.stdout)
        story = story_of(stories, MANIFEST["story"][0])
        assert sorted(a["url"].split(outlets.base)[1] for a in story["articles"]) == sorted(MANIFEST["story"])
        assert len(story["outlets"]) == 3 and story["size"] == 3
        older = story_of(stories, MANIFEST["older_story"])
        assert older["id"] != story["id"] and older["size"] == 1
        unrelated = [story_of(stories, p)["id"] for p in MANIFEST["unrelated"]]
        assert len(set(unrelated)) == len(MANIFEST["unrelated"]) and story["id"] not in unrelated

        # whichever outlet was stored first started the story; the other two joined it, with the reason kept
        joined = [a["reason"] for a in story["articles"] if a["reason"].get("joined")]
        assert len(joined) == 2 and all(r["signal"] in ("copy", "teaser", "rewrite", "event") for r in joined)

        explained = run_cli("stories", "--explain", "--config", str(config))
        assert "3 articles from 3 outlets" in explained.stdout
        later = run_cli("stories", "--since", "2099-01-01", "--config", str(config))  # none since: not "none yet"
        assert later.stdout.strip() == "no stories seen since 2099-01-01T00:00+00:00", later.stdout
        assert "joined as" in explained.stdout and "started the story" in explained.stdout

        # the alert history lists the two later outlets under the story's alert
        alerts = json.loads(run_cli("alerts", "--json", "--config", str(config)).stdout)
        story_alert = next(a for a in alerts if a["story_id"] == story["id"])
        assert len(story_alert["also"]) == 2
        assert next(a for a in alerts if a["story_id"] == older["id"])["also"] == []

        again = run_cli("run", "--once", "--config", str(config))
        assert again.returncode == 0 and len(hooks.received) == 2  # nothing twice
    finally:
        hooks.stop()


def test_updates_notify_sends_one_message_per_later_outlet(outlets: OutletServer, tmp_path: Path) -> None:
    hooks = WebhookReceiver().start()
    try:
        config = configure(tmp_path, outlets.base, hooks, updates="notify")
        result = run_cli("run", "--once", "--config", str(config))
        assert result.returncode == 0, result.stdout + result.stderr
        titles = sorted(m.json["title"] for m in hooks.received)
        updates = [t for t in titles if t.startswith("Update: ")]
        assert len(titles) == 4 and len(updates) == 2, titles
    finally:
        hooks.stop()


def test_updates_digest_sends_the_later_outlets_in_one_message(outlets: OutletServer, tmp_path: Path) -> None:
    hooks = WebhookReceiver().start()
    try:
        config = configure(tmp_path, outlets.base, hooks, updates="digest", stories={"updates_digest": "every 2s"})
        first = run_cli("run", "--once", "--config", str(config))
        assert first.returncode == 0, first.stdout + first.stderr
        assert len(hooks.received) == 2  # the two stories; the updates wait for their digest
        time.sleep(2.2)
        second = run_cli("run", "--once", "--config", str(config))
        assert second.returncode == 0
        assert len(hooks.received) == 3, [m.json["title"] for m in hooks.received]
        digest = hooks.received[2].json
        assert digest["title"] == "watcher: 2 more reports of stories already alerted on"
        assert digest["message"].count("\n- ") + digest["message"].startswith("- ") == 2
        third = run_cli("run", "--once", "--config", str(config))
        assert third.returncode == 0 and len(hooks.received) == 3
    finally:
        hooks.stop()
