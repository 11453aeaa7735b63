"""Delivery holds against slow channels, bad templates, huge titles, failed admin sends and secrets in URLs:
each test runs the real `watcher` against a real receiver on 127.0.0.1."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import run_watcher, write_config
from tests.ops import publish
from tests.receivers import WebhookReceiver
from tests.webserver import WebServer

HARBOUR = """\
rules:
  - id: harbour
    title: "Harbour news"
    match:
      keywords: [harbour]
    notify: [hook]
"""
HARBOUR_SLUGS = ["harbour-crane-arrives", "harbour-dredging-starts", "harbour-wall-repaired"]


def harbour_config(tmp_path: Path, web: WebServer, hooks: WebhookReceiver, rules: str = HARBOUR,
                   channel: dict | None = None, admin: WebhookReceiver | None = None, **extra: object) -> Path:
    """Source 'a' (/a/feed.xml), the rules, channel 'hook' (json://, with `channel`'s keys) and an admin channel."""
    (tmp_path / "rules.yaml").write_text(rules)
    channels = {"hook": {"urls": [f"json://{hooks.base}/alerts"], **(channel or {})}}
    if admin:
        channels["admin"] = {"urls": [f"json://{admin.base}/admin"]}
    return write_config(tmp_path, [{"id": "a", "url": web.url("/a/feed.xml"), "baseline": False}], rules="rules.yaml",
                        channels=channels, **extra)


def per_article(hooks: WebhookReceiver) -> Counter[str]:
    """How many messages the receiver got for each article (by the article URL in the message)."""
    return Counter(next(w for w in r.message.split() if w.startswith("http")) for r in hooks.snapshot())


def deliveries(config: Path) -> list[dict]:
    listing = run_watcher("alerts", "--json", "--config", str(config))
    assert listing.returncode == 0, listing.stdout + listing.stderr
    return [d for a in json.loads(listing.stdout) for d in a["deliveries"]]


# -- a slow channel gets each alert once ---------------------------------------------------------------------


@pytest.mark.parametrize("delay", [3.0, 6.0])
def test_a_slow_channel_gets_each_alert_once(web: WebServer, hooks: WebhookReceiver, tmp_path: Path,
                                             delay: float) -> None:
    urls = publish(web, "a", HARBOUR_SLUGS[:2])
    hooks.delay = delay  # answers well after Apprise's own 4 s read timeout (6 s), or just under it (3 s)
    config = harbour_config(tmp_path, web, hooks)
    result = run_watcher("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert per_article(hooks) == {u: 1 for u in urls}, result.stdout
    assert {(d["status"], d["attempts"]) for d in deliveries(config)} == {("sent", 1)}


def test_a_timed_out_send_waits_for_its_backoff(web: WebServer, hooks: WebhookReceiver, tmp_path: Path) -> None:
    urls = publish(web, "a", HARBOUR_SLUGS[:2])
    hooks.delay = 3.0  # longer than the channel's read timeout: received, but the answer comes too late
    config = harbour_config(tmp_path, web, hooks, channel={"read_timeout": "1s", "connect_timeout": "2s"})
    result = run_watcher("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert per_article(hooks) == {u: 1 for u in urls}, "a timed-out send is not sent again at once"
    rows = deliveries(config)
    assert [(d["status"], d["attempts"]) for d in rows] == [("pending", 1)] * 2, rows
    assert all("no answer within 1s" in d["last_error"] for d in rows), rows
    again = run_watcher("run", "--once", "--config", str(config))  # the backoff (30 s) has not passed
    assert again.returncode == 0
    assert per_article(hooks) == {u: 1 for u in urls}


# -- admin notices go through the outbox ---------------------------------------------------------------------


def test_source_notices_are_retried_and_a_failed_send_is_logged_once(web: WebServer, hooks: WebhookReceiver,
                                                                     tmp_path: Path) -> None:
    admin = WebhookReceiver().start()
    try:
        # no feed is published yet: every poll of source 'a' fails (404)
        config = harbour_config(tmp_path, web, hooks, admin=admin, delivery={"source_failing_after": "1s", "retry": "1s"})
        assert run_watcher("run", "--once", "--config", str(config)).returncode == 0  # the failing streak starts
        time.sleep(1.2)
        admin.fail_next = [(500, {})]  # the admin channel refuses the first notice
        second = run_watcher("run", "--once", "--config", str(config))
        assert second.returncode == 0, second.stdout + second.stderr
        assert [r.json["title"] for r in admin.snapshot()] == ["watcher: source 'a' is failing"], second.stdout
        refusals = [line for line in second.stdout.splitlines() if "error=500" in line]
        assert len(refusals) == 1, "a failed send is logged once:\n" + "\n".join(refusals)

        publish(web, "a", HARBOUR_SLUGS[:1])  # the source works again; the notice of it is refused once too
        admin.fail_next = [(500, {})]
        third = run_watcher("run", "--once", "--config", str(config))
        assert third.returncode == 0
        assert [r.json["title"] for r in admin.snapshot()] == ["watcher: source 'a' is failing",
                                                              "watcher: source 'a' recovered"], third.stdout
    finally:
        admin.stop()


# -- templates can't crash delivery -------------------------------------------------------------------------

SPEAKERLESS = HARBOUR + """\
    template: |
      {{ title }}
      {{ speaker.name }} said: {{ speaker.sentence }}
"""


def test_check_renders_every_template_against_every_rule(web: WebServer, hooks: WebhookReceiver,
                                                         tmp_path: Path) -> None:
    config = harbour_config(tmp_path, web, hooks, rules=SPEAKERLESS,
                            channel={"template": "{{ url }}\n{{ headline }}"})
    result = run_watcher("check", "--config", str(config))
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    rules_file, config_line = tmp_path / "rules.yaml", config.read_text().splitlines().index("    template: '{{ url }}") + 1
    assert lines[0].startswith(f"{rules_file}:9: rule harbour: template failed on its line 2: 'None' has no "
                               "attribute 'name' (for an alert with evidence: keyword;"), lines
    assert lines[1].startswith(f"{config}:{config_line + 2}: channel hook, with rule harbour ({rules_file}:2): "
                               "template failed on its line 2: 'headline' is undefined"), lines
    assert len(lines) == 2 and "Traceback" not in result.stderr

    # a speaker that may be missing (any:) must be guarded; guarded, the same values pass
    guarded = HARBOUR.replace("keywords: [harbour]", "any: [{keywords: [harbour]}, {speaker: {name: Ana Ruiz}}]") + \
        "    template: '{% if speaker %}{{ speaker.name }}: {% endif %}{{ title }}'\n"
    (tmp_path / "rules.yaml").write_text(guarded)
    config = harbour_config(tmp_path, web, hooks, rules=guarded, channel={"template": "{{ url }} {{ keywords|join(', ') }}"})
    ok = run_watcher("check", "--config", str(config))
    assert ok.returncode == 0, ok.stderr
    unguarded = guarded.replace("{% if speaker %}{{ speaker.name }}: {% endif %}", "{{ speaker.name }}: ")
    config = harbour_config(tmp_path, web, hooks, rules=unguarded)
    assert "for an alert with evidence: keyword;" in run_watcher("check", "--config", str(config)).stderr


def test_a_template_naming_another_template_is_a_load_error(web: WebServer, hooks: WebhookReceiver,
                                                             tmp_path: Path) -> None:
    config = harbour_config(tmp_path, web, hooks, rules=HARBOUR + "    template: '{% include \"footer.j2\" %}'\n")
    result = run_watcher("check", "--config", str(config))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{tmp_path / 'rules.yaml'}:7: rules[0].template: template error on its line 1: "
                                    "alert templates cannot include"), result.stderr


def test_a_failing_template_falls_back_to_the_standard_message(web: WebServer, hooks: WebhookReceiver,
                                                               tmp_path: Path) -> None:
    urls = publish(web, "a", HARBOUR_SLUGS[:2])
    config = harbour_config(tmp_path, web, hooks, rules=SPEAKERLESS, channel={"template": "{{ url }} {{ headline }}"})
    result = run_watcher("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert per_article(hooks) == {u: 1 for u in urls}
    assert all(r.message.startswith("**Harbour") and "rule: harbour" in r.message for r in hooks.snapshot())
    logged = [line for line in result.stdout.splitlines() if "template failed" in line]
    assert len(logged) == 2, logged  # the rule's mistake and the channel's, each once for both alerts
    assert {(d["status"], d["attempts"]) for d in deliveries(config)} == {("sent", 1)}
