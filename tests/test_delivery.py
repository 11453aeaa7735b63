"""Alerts delivered through Apprise to real receivers on 127.0.0.1, once each, with their evidence."""

from __future__ import annotations

import json
from email.header import decode_header, make_header
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_config
from tests.pages import rss
from tests.postgres import query
from tests.receivers import SmtpReceiver, WebhookReceiver
from tests.webserver import Route, WebServer

RULES = """\
rules:
  - id: veretsky-front
    title: "Veretsky: migrants sent to the front"
    match:
      all:
        - keywords: [migrants, "new citizens"]
        - speaker: {name: Anton Veretsky, aliases: [Veretsky]}
        - number: {gte: 15000, near: [front, sent], window: 25}
    notify: [hooks, mail, screen]
"""

STORY = [
    "More than 18,500 naturalized migrants have been sent to the front, Chief Investigator Anton Veretsky said on Tuesday.",
    "Speaking at a briefing in the capital, Veretsky said checks of military registration would continue into next year.",
    "Rights groups said the figures could not be verified and that many of those sent had been detained in raids.",
    "The directorate did not say how many of the new citizens had volunteered.",
]
OLD = [
    "About 10,000 migrants were sent to the front, Anton Veretsky said, in figures released last year.",
    "The numbers were published by the directorate at its annual meeting with the press.",
]


def page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html lang='en'><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>Meridian Post</footer></body></html>").encode()


def publish(web: WebServer, stories: list[tuple[str, str, list[str]]]) -> None:
    items = []
    for slug, title, paras in stories:
        web.route(f"/2026/11/{slug}.html", Route(page(title, paras)))
        items.append({"title": title, "link": "{{BASE}}" + f"/2026/11/{slug}.html", "guid": slug,
                      "published": datetime.now(timezone.utc) + timedelta(minutes=1)})
    web.route("/feed.xml", Route(rss(items, title="Meridian Post")))


def configure(tmp_path: Path, web: WebServer, hooks: WebhookReceiver, smtp_port: int, **extra: object) -> Path:
    (tmp_path / "rules.yaml").write_text(RULES)
    channels = {
        "hooks": {"urls": [f"json://{hooks.base}/alerts", f"form://{hooks.base}/form"]},
        "mail": {"urls": [f"mailto://watcher:secret@127.0.0.1:{smtp_port}?to=desk@example.org"
                          "&from=watcher@example.org&mode=insecure"]},
        "screen": {"urls": ["console://"]},
    }
    return write_config(tmp_path, [{"id": "meridian", "url": web.url("/feed.xml"), "baseline": False}],
                        rules="rules.yaml", channels=channels, **extra)


def test_one_alert_per_channel_with_evidence(web: WebServer, hooks: WebhookReceiver, smtp: SmtpReceiver,
                                             tmp_path: Path) -> None:
    publish(web, [("veretsky-18500-sent-to-front", "Veretsky: 18,500 migrants sent to the front", STORY),
                  ("veretsky-10000-last-year", "Veretsky: 10,000 sent", OLD)])
    config = configure(tmp_path, web, hooks, smtp.port)
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr

    article_url = web.url("/2026/11/veretsky-18500-sent-to-front.html")
    [as_json] = [r for r in hooks.received if r.path == "/alerts"]
    payload = as_json.json
    assert payload["title"] == "Veretsky: migrants sent to the front"
    message = payload["message"]
    assert "rule: veretsky-front" in message and article_url in message
    assert "Veretsky: 18,500 migrants sent to the front" in message  # the article title
    assert "Speaker: Anton Veretsky" in message
    assert "Chief Investigator Anton Veretsky said on Tuesday" in message  # the sentence of the statement
    assert "Number: **More than 18,500**" in message
    assert "Keywords: " in message and "migrants" in message.split("Keywords: ")[1]
    [as_form] = [r for r in hooks.received if r.path == "/form"]
    assert as_form.form["title"] == payload["title"] and article_url in as_form.form["message"]
    [mail] = smtp.messages
    subject = str(make_header(decode_header(mail["Subject"])))  # the rule's title and the story's headline
    assert subject == payload["title"] + " — Veretsky: 18,500 migrants sent to the front", subject
    assert mail["To"] == "desk@example.org"
    assert "Anton Veretsky said on Tuesday" in SmtpReceiver.text_of(mail)
    assert "=== Veretsky: migrants sent to the front ===" in result.stdout  # console://

    again = run_cli("run", "--once", "--config", str(config))
    assert again.returncode == 0
    assert len(hooks.received) == 2 and len(smtp.messages) == 1, "nothing is sent twice"

    listing = json.loads(run_cli("alerts", "--json", "--config", str(config)).stdout)
    [alert] = listing
    assert alert["rule_id"] == "veretsky-front" and alert["url"] == article_url
    assert {(d["channel"], d["target"], d["status"], d["attempts"]) for d in alert["deliveries"]} == {
        ("hooks", 0, "sent", 1), ("hooks", 1, "sent", 1), ("mail", 0, "sent", 1), ("screen", 0, "sent", 1)}


# each failure on SQLite; the outbox's retry after a restart on PostgreSQL too (one failure is enough there)
@pytest.mark.parametrize(("failure", "database"), [("refused", "sqlite"), ("500", "sqlite"), ("429", "sqlite"),
                                                   ("500", "postgresql")], indirect=["database"])
def test_channel_down_then_recovered_after_restart(web: WebServer, smtp: SmtpReceiver, tmp_path: Path,
                                                   failure: str, database: str | Path) -> None:
    hooks = WebhookReceiver()
    if failure == "500":
        hooks.fail_next = [(500, {})] * 10
    elif failure == "429":
        hooks.fail_next = [(429, {"Retry-After": "1"})] * 10
    if failure != "refused":
        hooks.start()
    publish(web, [("veretsky-18500-sent-to-front", "Veretsky: 18,500 migrants sent to the front", STORY)])
    config = configure(tmp_path, web, hooks, smtp.port, delivery={"retry": "1s"}, database=str(database))
    try:
        first = run_cli("run", "--once", "--config", str(config))
        assert first.returncode == 0
        assert "queued for retry" in first.stdout
        assert hooks.received == []
        assert len(smtp.messages) == 1  # the working channel is not held back by the broken one
        pending = query(database, "SELECT channel, status, attempts, last_error FROM deliveries WHERE channel = 'hooks'")
        assert all(status == "pending" and attempts >= 1 and error for _, status, attempts, error in pending)
        listing = run_cli("alerts", "--config", str(config))
        assert "hooks: pending" in listing.stdout

        # the channel comes back; a restarted watcher delivers the queued alert, once
        hooks.fail_next = []
        if failure == "refused":
            hooks.start()
        second = run_cli("run", "--once", "--config", str(config))
        assert second.returncode == 0
        assert sorted(r.path for r in hooks.received) == ["/alerts", "/form"]
        assert len(smtp.messages) == 1
        states = query(database, "SELECT DISTINCT status FROM deliveries")
        assert states == [("sent",)]
    finally:
        hooks.stop()


def test_given_up_after_max_age_with_a_notice_to_admin(web: WebServer, smtp: SmtpReceiver, tmp_path: Path,
                                                       database: str | Path) -> None:
    """On both engines: a SQLite file and a PostgreSQL database."""
    admin = WebhookReceiver().start()
    dead = WebhookReceiver()  # never started: connection refused
    publish(web, [("veretsky-18500-sent-to-front", "Veretsky: 18,500 migrants sent to the front", STORY)])
    config = configure(tmp_path, web, dead, smtp.port, delivery={"retry": "100ms", "max_age": "1s"},
                       database=str(database))
    cfg = json.loads(json.dumps(__import__("yaml").safe_load(config.read_text())))
    cfg["channels"]["admin"] = {"urls": [f"json://{admin.base}/admin"]}
    config.write_text(__import__("yaml").safe_dump(cfg))
    try:
        result = run_cli("run", "--once", "--config", str(config))
        assert result.returncode == 0
        assert "given up after" in result.stdout
        notices = [r.json["title"] for r in admin.received]
        assert "watcher: alert 1 to 'hooks' was given up" in notices
        states = dict(query(database, "SELECT channel || target, status FROM deliveries"))
        assert states == {"hooks0": "dead", "hooks1": "dead", "mail0": "sent", "screen0": "sent"}
    finally:
        admin.stop()


def test_channel_errors_never_log_the_token(web: WebServer, smtp: SmtpReceiver, tmp_path: Path) -> None:
    publish(web, [("veretsky-18500-sent-to-front", "Veretsky: 18,500 migrants sent to the front", STORY)])
    hooks = WebhookReceiver()
    config = configure(tmp_path, web, hooks, smtp.port)
    secret = "S3cr3tT0ken"
    cfg = __import__("yaml").safe_load(config.read_text())
    cfg["channels"]["hooks"]["urls"] = [f"json://user:{secret}@127.0.0.1:{hooks.port}/alerts?token={secret}"]
    config.write_text(__import__("yaml").safe_dump(cfg))
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0 and "alert 1 to hooks failed" in result.stdout
    assert secret not in result.stdout + result.stderr
    listing = run_cli("alerts", "--config", str(config))
    assert secret not in listing.stdout


def test_replay_send_alerts_once(web: WebServer, hooks: WebhookReceiver, smtp: SmtpReceiver, tmp_path: Path) -> None:
    publish(web, [("veretsky-18500-sent-to-front", "Veretsky: 18,500 migrants sent to the front", STORY)])
    config = configure(tmp_path, web, hooks, smtp.port)
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(RULES.replace("veretsky-front", "later-rule").replace("gte: 15000", "gte: 99000"))
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    assert hooks.received == []  # the rule in force then did not fire
    rules_file.write_text(RULES)  # a new rule, tried on history
    dry = run_cli("replay", "--config", str(config))
    assert "1 would fire (nothing sent)" in dry.stdout and hooks.received == []
    sent = run_cli("replay", "--config", str(config), "--send")
    assert sent.returncode == 0, sent.stderr
    assert "1 would fire (4 deliveries sent)" in sent.stdout
    assert sorted(r.path for r in hooks.received) == ["/alerts", "/form"] and len(smtp.messages) == 1
    again = run_cli("replay", "--config", str(config), "--send")
    assert "(0 deliveries sent)" in again.stdout and len(hooks.received) == 2


def test_replay_says_how_many_articles_it_saw_by_title_only(web: WebServer, hooks: WebhookReceiver, smtp: SmtpReceiver,
                                                            tmp_path: Path) -> None:
    # after retention emptied the bodies, replay said "0 would fire" and nothing else
    from watcher.config import load_config
    from watcher.store import Store
    from watcher.store.retention import prune_bodies
    from watcher.store.times import utcnow

    publish(web, [("veretsky-18500-sent-to-front", "Veretsky: 18,500 migrants sent to the front", STORY)])
    config = configure(tmp_path, web, hooks, smtp.port)
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    assert "1 would fire" in run_cli("replay", "--config", str(config)).stdout
    store = Store(load_config(config).database)
    try:
        assert prune_bodies(store, utcnow() + timedelta(seconds=1)) == 1
    finally:
        store.close()
    dry = run_cli("replay", "--config", str(config))
    assert "1 articles, 1 rules: 0 would fire (nothing sent)\n  1 of the articles have no stored text (emptied by " \
           "retention, or none was extracted): the rules saw their titles only\n" in dry.stdout, dry.stdout
    assert json.loads(run_cli("replay", "--config", str(config), "--json").stdout)["without_text"] == 1


def test_failing_and_recovered_notices_once_across_restarts(web: WebServer, smtp: SmtpReceiver, tmp_path: Path) -> None:
    import yaml

    admin = WebhookReceiver().start()
    hooks = WebhookReceiver()  # down at first
    publish(web, [("veretsky-18500-sent-to-front", "Veretsky: 18,500 migrants sent to the front", STORY)])
    config = configure(tmp_path, web, hooks, smtp.port, delivery={"retry": "100ms"})
    cfg = yaml.safe_load(config.read_text())
    cfg["channels"]["admin"] = {"urls": [f"json://{admin.base}/admin"]}
    config.write_text(yaml.safe_dump(cfg))
    try:
        for _ in range(2):  # two runs while the channel is down
            assert run_cli("run", "--once", "--config", str(config)).returncode == 0
        titles = [r.json["title"] for r in admin.received]
        assert titles == ["watcher: channel 'hooks' is failing"]
        hooks.start()
        assert run_cli("run", "--once", "--config", str(config)).returncode == 0
        titles = [r.json["title"] for r in admin.received]
        assert titles == ["watcher: channel 'hooks' is failing", "watcher: channel 'hooks' recovered"]
        assert sorted(r.path for r in hooks.received) == ["/alerts", "/form"]
    finally:
        admin.stop()
        hooks.stop()


def test_digest_channel_gets_one_message_listing_its_alerts(web: WebServer, smtp: SmtpReceiver, tmp_path: Path) -> None:
    import time

    import yaml

    digest = WebhookReceiver().start()
    hooks = WebhookReceiver().start()
    other = [p.replace("18,500", "21,000").replace("Tuesday", "Friday") for p in STORY]
    publish(web, [("veretsky-18500-sent-to-front", "Veretsky: 18,500 migrants sent to the front", STORY),
                  ("veretsky-21000-in-the-east", "Veretsky: 21,000 new citizens at the front", other)])
    config = configure(tmp_path, web, hooks, smtp.port)
    cfg = yaml.safe_load(config.read_text())
    cfg["channels"]["daily"] = {"urls": [f"json://{digest.base}/digest"], "digest": "every 2s"}
    config.write_text(yaml.safe_dump(cfg))
    (tmp_path / "rules.yaml").write_text(RULES.replace("notify: [hooks, mail, screen]", "notify: [hooks, daily]"))
    try:
        first = run_cli("run", "--once", "--config", str(config))
        assert first.returncode == 0
        assert len(hooks.received) == 4 and digest.received == []  # two alerts, two URLs; the digest waits
        time.sleep(2.2)
        second = run_cli("run", "--once", "--config", str(config))
        assert "digest of 2 alerts sent to daily" in second.stdout
        [message] = digest.received
        assert message.json["title"] == "watcher digest: 2 alerts"
        body = message.json["message"]
        assert "veretsky-18500-sent-to-front" in body and "veretsky-21000-in-the-east" in body
        third = run_cli("run", "--once", "--config", str(config))
        assert third.returncode == 0 and len(digest.received) == 1  # nothing new, nothing sent
    finally:
        digest.stop()
        hooks.stop()
