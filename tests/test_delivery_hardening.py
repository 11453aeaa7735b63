"""Delivery holds against slow channels, bad templates, huge titles, failed admin sends and secrets in URLs:
each test runs the real `watcher` against a real receiver on 127.0.0.1."""

from __future__ import annotations

import json
import signal
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.conftest import run_cli, run_watcher, write_config
from tests.ops import STORIES, publish, start_daemon, stop, wait_for
from tests.pages import news_page, rss
from tests.receivers import WebhookReceiver
from tests.webserver import Route, WebServer

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


def deliveries(config: Path, starting: bool = False) -> list[dict]:
    """Every delivery `watcher alerts` lists; `starting`: none while a daemon has yet to create its database."""
    listing = run_cli("alerts", "--json", "--config", str(config))
    if starting and listing.returncode == 1 and "nothing has been polled" in listing.stderr:
        return []
    assert listing.returncode == 0, listing.stdout + listing.stderr
    return [d for a in json.loads(listing.stdout) for d in a["deliveries"]]


# -- a slow channel gets each alert once ---------------------------------------------------------------------


@pytest.mark.parametrize("delay", [3.0, 6.0])
def test_a_slow_channel_gets_each_alert_once(web: WebServer, hooks: WebhookReceiver, tmp_path: Path,
                                             delay: float) -> None:
    urls = publish(web, "a", HARBOUR_SLUGS[:2])
    hooks.delay = delay  # answers well after Apprise's own 4 s read timeout (6 s), or just under it (3 s)
    config = harbour_config(tmp_path, web, hooks)
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert per_article(hooks) == {u: 1 for u in urls}, result.stdout
    assert {(d["status"], d["attempts"]) for d in deliveries(config)} == {("sent", 1)}


def test_the_daemon_sends_each_alert_once_to_a_slow_channel(web: WebServer, hooks: WebhookReceiver,
                                                            tmp_path: Path) -> None:
    urls = publish(web, "a", HARBOUR_SLUGS)
    hooks.delay = 4.0  # longer than a retry (2 s) waits, so a resend would come while the first is held
    config = harbour_config(tmp_path, web, hooks, delivery={"retry": "2s"})
    proc = start_daemon(config, log=tmp_path / "daemon.log")
    try:
        def all_sent() -> bool:
            rows = deliveries(config, starting=True)
            return len(rows) == 3 and all(d["status"] == "sent" for d in rows)

        wait_for(all_sent, timeout=90)
        time.sleep(5)  # longer than two retries would wait
        assert per_article(hooks) == {u: 1 for u in urls}, (tmp_path / "daemon.log").read_text()[-3000:]
    finally:
        stop(proc, signal.SIGTERM)


def test_a_stop_during_a_slow_send_records_it(web: WebServer, hooks: WebhookReceiver, tmp_path: Path) -> None:
    urls = publish(web, "a", HARBOUR_SLUGS[:1])
    hooks.delay = 8.0  # answers after the stop's drain (5 s), within the channel's read timeout (20 s)
    config = harbour_config(tmp_path, web, hooks)
    proc = start_daemon(config, log=tmp_path / "daemon.log")
    try:
        wait_for(lambda: hooks.attempts >= 1, timeout=90)
    finally:
        code, _ = stop(proc, signal.SIGTERM)
    log = (tmp_path / "daemon.log").read_text()[-3000:]
    assert code == 0, log
    assert per_article(hooks) == {urls[0]: 1}, log
    # recorded as sent, so the next start does not send it again
    assert [(d["status"], d["attempts"]) for d in deliveries(config)] == [("sent", 1)], log


def test_a_timed_out_send_waits_for_its_backoff(web: WebServer, hooks: WebhookReceiver, tmp_path: Path,
                                                database: str | Path) -> None:
    """On both engines: a SQLite file and a PostgreSQL database."""
    urls = publish(web, "a", HARBOUR_SLUGS[:2])
    hooks.delay = 3.0  # longer than the channel's read timeout: received, but the answer comes too late
    # a backoff no busy machine outlasts between the two runs (the default 30 s, it can)
    config = harbour_config(tmp_path, web, hooks, channel={"read_timeout": "1s", "connect_timeout": "2s"},
                            delivery={"retry": "10m"}, database=str(database))
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert per_article(hooks) == {u: 1 for u in urls}, "a timed-out send is not sent again at once"
    rows = deliveries(config)
    assert [(d["status"], d["attempts"]) for d in rows] == [("pending", 1)] * 2, rows
    assert all("no answer within 1s" in d["last_error"] for d in rows), rows
    again = run_cli("run", "--once", "--config", str(config))  # the backoff (10 min) has not passed
    assert again.returncode == 0
    assert per_article(hooks) == {u: 1 for u in urls}


def test_a_slow_mail_relay_gets_each_alert_once(web: WebServer, hooks: WebhookReceiver, tmp_path: Path) -> None:
    from tests.receivers import SmtpReceiver

    publish(web, "a", HARBOUR_SLUGS[:1])
    smtp = SmtpReceiver(delay=3.0).start()  # keeps the message, says so only after the channel's timeout
    mail = f"mailto://u:p@127.0.0.1:{smtp.port}?to=desk@example.org&from=w@example.org&mode=insecure"
    config = harbour_config(tmp_path, web, hooks, delivery={"retry": "10m"})
    config.write_text(config.read_text().replace(f"json://{hooks.base}/alerts", mail).replace(
        "channels:\n  hook:\n", "channels:\n  hook:\n    connect_timeout: 1s\n"))
    try:
        result = run_cli("run", "--once", "--config", str(config))
    finally:
        smtp.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(smtp.messages) == 1, result.stdout  # not sent again at once: it may have arrived
    [row] = deliveries(config)
    assert (row["status"], row["attempts"]) == ("pending", 1) and "no answer within 1s" in row["last_error"], row


# -- admin notices go through the outbox ---------------------------------------------------------------------


def test_source_notices_are_retried_and_a_failed_send_is_logged_once(web: WebServer, hooks: WebhookReceiver,
                                                                     tmp_path: Path, database: str | Path) -> None:
    """On both engines: a SQLite file and a PostgreSQL database."""
    admin = WebhookReceiver().start()
    try:
        # no feed is published yet: every poll of source 'a' fails (404)
        config = harbour_config(tmp_path, web, hooks, admin=admin, delivery={"source_failing_after": "1s", "retry": "1s"},
                                database=str(database))
        config.write_text(config.read_text().replace("/a/feed.xml", "/a/feed.xml?auth_token=Sekrit77Val"))
        assert run_cli("run", "--once", "--config", str(config)).returncode == 0  # the failing streak starts
        time.sleep(1.2)
        admin.fail_next = [(500, {})]  # the admin channel refuses the first notice
        second = run_cli("run", "--once", "--config", str(config))
        assert second.returncode == 0, second.stdout + second.stderr
        assert [r.json["title"] for r in admin.snapshot()] == ["watcher: source 'a' is failing"], second.stdout
        assert all("Sekrit77Val" not in r.body.decode() for r in admin.snapshot())
        refusals = [line for line in second.stdout.splitlines() if "error=500" in line]
        assert len(refusals) == 1, "a failed send is logged once:\n" + "\n".join(refusals)

        publish(web, "a", HARBOUR_SLUGS[:1])  # the source works again; the notice of it is refused once too
        admin.fail_next = [(500, {})]
        third = run_cli("run", "--once", "--config", str(config))
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
    result = run_cli("check", "--config", str(config))
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    rules_file, config_line = tmp_path / "rules.yaml", config.read_text().splitlines().index("    template: '{{ url }}") + 1
    assert lines[0] == (f"{rules_file}:9: rule harbour: template failed on its line 2: 'None' has no "
                        "attribute 'name' (on an alert with keyword evidence)"), lines
    assert lines[1] == (f"{config}:{config_line + 2}: channel hook with rule harbour: "
                        "template failed on its line 2: 'headline' is undefined (on an alert with keyword evidence)"), lines
    assert len(lines) == 2 and "Traceback" not in result.stderr

    # a speaker that may be missing (any:) must be guarded; guarded, the same values pass
    guarded = HARBOUR.replace("keywords: [harbour]", "any: [{keywords: [harbour]}, {speaker: {name: Ana Ruiz}}]") + \
        "    template: '{% if speaker %}{{ speaker.name }}: {% endif %}{{ title }}'\n"
    (tmp_path / "rules.yaml").write_text(guarded)
    config = harbour_config(tmp_path, web, hooks, rules=guarded, channel={"template": "{{ url }} {{ keywords|join(', ') }}"})
    ok = run_cli("check", "--config", str(config))
    assert ok.returncode == 0, ok.stderr
    unguarded = guarded.replace("{% if speaker %}{{ speaker.name }}: {% endif %}", "{{ speaker.name }}: ")
    config = harbour_config(tmp_path, web, hooks, rules=unguarded)
    assert "(on an alert with keyword evidence)" in run_cli("check", "--config", str(config)).stderr


def test_a_template_naming_another_template_is_a_load_error(web: WebServer, hooks: WebhookReceiver,
                                                             tmp_path: Path) -> None:
    config = harbour_config(tmp_path, web, hooks, rules=HARBOUR + "    template: '{% include \"footer.j2\" %}'\n")
    result = run_cli("check", "--config", str(config))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{tmp_path / 'rules.yaml'}:7: rules[0].template: template error on its line 1: "
                                    "alert templates cannot include"), result.stderr


def test_a_failing_template_falls_back_to_the_standard_message(web: WebServer, hooks: WebhookReceiver,
                                                               tmp_path: Path) -> None:
    urls = publish(web, "a", HARBOUR_SLUGS[:2])
    config = harbour_config(tmp_path, web, hooks, rules=SPEAKERLESS, channel={"template": "{{ url }} {{ headline }}"})
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert per_article(hooks) == {u: 1 for u in urls}
    assert all(r.message.startswith("**Harbour") and "rule: harbour" in r.message for r in hooks.snapshot())
    logged = [line for line in result.stdout.splitlines() if "template failed" in line]
    assert len(logged) == 2, logged  # the rule's mistake and the channel's, each once for both alerts
    assert {(d["status"], d["attempts"]) for d in deliveries(config)} == {("sent", 1)}


def test_a_channel_template_that_writes_nothing_sends_the_standard_message(web: WebServer, hooks: WebhookReceiver,
                                                                          tmp_path: Path) -> None:
    urls = publish(web, "a", HARBOUR_SLUGS[:1])  # a guard the README advises, false for an alert without a speaker
    config = harbour_config(tmp_path, web, hooks, channel={"template": "{% if speaker %}{{ speaker.name }}{% endif %}"})
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert per_article(hooks) == {urls[0]: 1}, result.stdout
    assert hooks.snapshot()[0].message.startswith("**Harbour") and "rule: harbour" in hooks.snapshot()[0].message
    assert {(d["status"], d["attempts"]) for d in deliveries(config)} == {("sent", 1)}


# -- no secret in output ----------------------------------------------------------------------------------------

SECRETS = {name: f"Sekrit{n}Val" for n, name in enumerate(
    ["auth_token", "X-Amz-Signature", "access_key", "private_token", "api_key", "password", "sig", "userinfo"])}


def test_no_secret_in_any_output(web: WebServer, hooks: WebhookReceiver, tmp_path: Path) -> None:
    s = SECRETS
    moved = f"/t/feed.xml?access_key={s['access_key']}&private_token={s['private_token']}&page=1"
    web.route("/s/feed.xml", Route(status=301, headers={"Location": "{{BASE}}" + moved}))
    article = f"/t/2026/11/harbour-crane-arrives.html?sig={s['sig']}&api_key={s['api_key']}&ref=rss"
    web.route("/t/2026/11/harbour-crane-arrives.html", Route(news_page("Harbour crane arrives", STORIES[HARBOUR_SLUGS[0]])))
    web.route("/t/feed.xml", Route(rss([{"title": "Harbour crane arrives", "link": "{{BASE}}" + article,
                                          "guid": "crane", "published": datetime.now(timezone.utc)}]),
                                   content_type="application/rss+xml"))
    source = (f"http://reader:{s['userinfo']}@{web.base.split('//')[1]}/s/feed.xml"
              f"?auth_token={s['auth_token']}&X-Amz-Signature={s['X-Amz-Signature']}&password={s['password']}")
    (tmp_path / "rules.yaml").write_text(HARBOUR)
    config = write_config(tmp_path, [{"id": "paid", "url": source, "baseline": False}], rules="rules.yaml",
                          channels={"hook": {"urls": [f"json://{hooks.base}/alerts"]}},
                          http={"allow_private": True, "moved_after": 2})
    shown = []
    for log_format in ("plain", "json"):  # the first poll sees the 301, the second moves the source
        # a process of its own: the article's URL, secrets included, goes to the extraction workers, and what they
        # print goes to the process's stderr (in this process it would reach no captured stream)
        run = run_watcher("--log-level", "debug", "--log-format", log_format, "run", "--once", "--config", str(config))
        assert run.returncode == 0, run.stdout + run.stderr
        shown += [run.stdout, run.stderr]
        commands = (["sources"], ["sources", "--json"], ["alerts"], ["alerts", "--json"], ["stories"],
                    ["stories", "--json"], ["replay"], ["replay", "--json"])
        outs = [run_cli(*command, "--config", str(config)) for command in commands]  # each knows only its own secrets
        for command, out in zip(commands, outs):
            assert out.returncode == 0, (command, out.stderr)
            shown += [out.stdout, out.stderr]
    text = "\n".join(shown)
    assert "redirects permanently to" in text and "moved permanently; polling" in text  # both were shown ...
    assert "page=1" in text and "harbour-crane-arrives.html?" in text
    leaked = {name for name, value in s.items() if value in text}
    assert not leaked, f"shown: {sorted(leaked)}"  # ... without a secret
    [alert] = hooks.snapshot()
    link = next(w for w in alert.message.split() if "harbour-crane-arrives.html" in w)
    assert "sig=***" in link and "api_key=***" in link, link  # the link still leads to the article
    assert not {name for name, value in s.items() if value in alert.body.decode()}


# -- bounded messages -------------------------------------------------------------------------------------------


def test_huge_titles_make_one_message_each(web: WebServer, hooks: WebhookReceiver, tmp_path: Path) -> None:
    items = []
    for slug in HARBOUR_SLUGS:  # three articles, each titled with a megabyte of text, in the feed and the page
        title = slug.replace("-", " ").capitalize() + " " + "and the harbour board met again " * 33_000
        web.route(f"/a/{slug}.html", Route(news_page(title, STORIES[slug])))
        items.append({"title": title, "link": "{{BASE}}" + f"/a/{slug}.html", "guid": slug,
                      "published": datetime.now(timezone.utc)})
    web.route("/a/feed.xml", Route(rss(items), content_type="application/rss+xml"))
    config = harbour_config(tmp_path, web, hooks, rules=HARBOUR + "    once_per: article\n")
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    received = hooks.snapshot()
    assert len(received) == 3, f"{len(received)} POSTs for 3 alerts"
    assert all(len(r.body) < 10_000 for r in received), [len(r.body) for r in received]


def test_a_long_message_is_cut_to_a_few_parts(web: WebServer, hooks: WebhookReceiver, tmp_path: Path) -> None:
    publish(web, "a", HARBOUR_SLUGS[:1])
    # a template may write far more than a service takes in one message (json://: 32,768 characters)
    config = harbour_config(tmp_path, web, hooks, channel={"template": "{% for i in range(30000) %}{{ title }} {% endfor %}"})
    result = run_cli("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout[-3000:]
    received = hooks.snapshot()
    assert 1 < len(received) <= 4, f"{len(received)} POSTs for one alert"
    assert "more characters cut" in received[-1].message
