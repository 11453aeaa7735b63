"""`type: watch` sources: one page (or JSON endpoint) whose region is versioned; rules run over each change.

The pure parts (region, word diff) are tested on values; the rest against a real local web server, a real
webhook receiver, real SQLite and the real `watcher` command."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_cli, write_config
from tests.receivers import WebhookReceiver
from tests.webserver import Route, WebServer
from watcher.change.diff import word_diff
from watcher.config import load_config
from watcher.errors import ConfigErrors
from watcher.parse.region import Region, RegionError
from watcher.run.daemon import run_once

PAGE = """<html><head><title>Ministry of Health: situation report</title></head><body>
<nav>Home | News | Contact</nav>
<main><h1>Situation report</h1>
<p>The ministry said {cases} people were treated in hospital this week.</p>
<p class="stamp">Last updated 09:{minute} UTC</p>
<ul id="notices"><li>Clinics open on Saturday.</li>{extra}</ul>
</main><footer>Copyright ministry</footer></body></html>"""


def page(cases: str = "1,200", minute: str = "00", extra: str = "") -> bytes:
    return PAGE.format(cases=cases, minute=minute, extra=extra).encode()


# -- the pure parts -------------------------------------------------------------

def test_main_text_leaves_out_navigation_scripts_and_footer() -> None:
    text = Region.of().text(page())
    assert text.splitlines() == ["Situation report", "The ministry said 1,200 people were treated in hospital this week.",
                                 "Last updated 09:00 UTC", "Clinics open on Saturday."]


def test_css_xpath_and_json_path_select_their_region() -> None:
    assert Region.of(css="#notices li").text(page(extra="<li>Vaccines arrive.</li>")) == \
        "Clinics open on Saturday.\nVaccines arrive."
    assert Region.of(xpath="//p[@class='stamp']").text(page()) == "Last updated 09:00 UTC"
    doc = json.dumps({"items": [{"id": 1, "price": 5.5}, {"id": 2, "price": 7}], "updated": "now"}).encode()
    assert Region.of(json="$.items[?(@.id == 2)].price").text(doc) == "7"
    assert Region.of(json="$.items[*].price").text(doc, "application/json") == "5.5\n7"


def test_ignore_patterns_remove_timestamps_before_comparing() -> None:
    region = Region.of(ignore=(r"Last updated \d+:\d+ UTC",))
    assert region.text(page(minute="00")) == region.text(page(minute="59"))


@pytest.mark.parametrize("kwargs, error", [
    ({"css": "li["}, "is not a CSS selector"),
    ({"xpath": "//p[@"}, "is not an XPath"),
    ({"json": "$.items[?("}, "is not a JSON path"),
    ({"ignore": ("(unclosed",)}, "does not compile"),
])
def test_a_bad_expression_is_a_clear_error(kwargs: dict, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        Region.of(**kwargs)


def test_a_region_that_selects_nothing_says_so() -> None:
    with pytest.raises(RegionError, match="selects nothing"):
        Region.of(css="#missing").text(page())
    with pytest.raises(RegionError, match="not JSON"):
        Region.of(json="$.a").text(b"<html>oops</html>")


def test_lines_break_where_python_breaks_lines_and_nested_selections_read_as_alone() -> None:
    """Every line separator str.splitlines knows breaks a line, blank lines are dropped, and an element
    selected inside another reads the same as when it is selected alone (the tree is marked in place)."""
    seps = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
    words = [f"word{i}" for i in range(len(seps) + 1)]
    joined = "".join(w + s for w, s in zip(words, seps)) + words[-1] + "\r\n \n"
    doc = f"<html><body><main><pre>{joined}</pre></main></body></html>".encode()
    assert Region.of().text(doc).splitlines() == [w for w in joined.splitlines() if w.strip()] == words
    nested = page(extra="<li>Vaccines <br>arrive <b>today</b>.</li>")
    alone = Region.of(css="#notices li").text(nested)
    assert alone == "Clinics open on Saturday.\nVaccines\narrive today."
    assert Region.of(css="#notices, #notices li").text(nested) == f"{alone}\n{alone}"
    assert Region.of(css="#notices li, #notices").text(nested) == f"{alone}\n{alone}"


def test_a_json_value_with_half_a_surrogate_pair_is_read_with_the_replacement_character() -> None:
    """JSON's "\ud800" decodes to a character UTF-8 cannot hold: storing the version failed the poll."""
    doc = b'{"status": "Berth \\ud800 4 closed", "ship": "\\ud83d\\udea2", "note": "tide\\u0000"}'
    assert Region.of(json="$.status").text(doc) == "Berth \ufffd 4 closed"
    assert Region.of(json="$.ship").text(doc) == "\U0001f6a2"
    assert Region.of(json="$.note").text(doc) == "tide\ufffd"
    assert "Berth \ufffd 4 closed" in Region.of().text(doc)  # the whole document, with no path


def test_a_limited_region_text_is_cut_as_the_whole_text_is() -> None:
    """With a limit, the lines past it are not made, and the cut text is the whole text's cut."""
    from watcher.parse.model import clip

    doc = ("<html><body><main>" + "".join(f"<p>Row {i}: harbour dues {i * 7} crowns</p>" for i in range(3000))
           + "</main></body></html>").encode()
    whole = Region.of().text(doc)
    for limit in (1, 40, 41, 1000, len(whole) - 1, len(whole), len(whole) + 5):
        cut = Region.of().text(doc, limit=limit)
        assert whole.startswith(cut) and (cut == whole or len(cut) > limit), limit
        assert clip(cut, limit) == clip(whole, limit), limit
    assert len(Region.of().text(doc, limit=1000)) < 1100


def test_word_diff_marks_only_the_words_that_changed() -> None:
    old = "Situation report\nThe ministry said 1,200 people were treated.\nClinics open on Saturday."
    new = "Situation report\nThe ministry said 1,450 people were treated.\nClinics open on Saturday.\nVaccines arrive."
    change = word_diff(old, new)
    assert change.changed
    assert change.added_words.splitlines() == ["1,450", "Vaccines arrive."]
    assert change.removed == "1,200"
    assert change.added.splitlines() == ["The ministry said 1,450 people were treated.", "Vaccines arrive."]
    assert change.lines(context=0) == ["- The ministry said 1,200 people were treated.",
                                       "+ The ministry said 1,450 people were treated.", "...", "+ Vaccines arrive."]
    assert "+ The ministry said **1,450** people were treated." in change.markdown()
    assert "- The ministry said ~~1,200~~ people were treated." in change.markdown()
    assert not word_diff(old, old).changed


def test_watch_options_are_checked_with_their_line(tmp_path: Path) -> None:
    config = write_config(tmp_path, [
        {"id": "ok", "url": "http://127.0.0.1:9/a", "type": "watch", "watch": {"css": "#x"}},
        {"id": "bad", "url": "http://127.0.0.1:9/b", "type": "watch", "watch": {"css": "p[", "xpath": "//p"}},
        {"id": "feed", "url": "http://127.0.0.1:9/c", "watch": {"css": "p"}},
    ])
    with pytest.raises(ConfigErrors) as e:
        load_config(config)
    text = "\n".join(str(x) for x in e.value.errors)
    assert "give one of css, xpath, json" in text and "`watch:` options need `type: watch`" in text, text
    assert all(":" in str(x).split(" ")[0] for x in e.value.errors), text  # file:line first


# -- against real servers ---------------------------------------------------------

RULES = """rules:
  - id: hospital-figures
    title: "Hospital figures changed"
    match:
      keywords: [hospital, vaccines]
    notify: [hooks]
"""


def watch_config(tmp_path: Path, web: WebServer, hooks: WebhookReceiver, **watch: object) -> Path:
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    source = {"id": "ministry", "url": web.url("/report"), "type": "watch", "watch": watch} if watch else \
        {"id": "ministry", "url": web.url("/report"), "type": "watch"}
    return write_config(tmp_path, [source], rules="rules.yaml",
                        channels={"hooks": {"urls": [f"json://{hooks.base}/alerts"]}})


def rows(db: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def test_a_changed_page_alerts_once_with_the_diff_and_the_link(tmp_path: Path, web: WebServer,
                                                              hooks: WebhookReceiver) -> None:
    web.route("/report", Route(page()))
    config = watch_config(tmp_path, web, hooks, ignore=[r"Last updated \d+:\d+ UTC"])
    first = run_cli("run", "--once", "--config", str(config))
    assert first.returncode == 0, first.stderr
    assert hooks.snapshot() == [], "the first version is a baseline"

    web.route("/report", Route(page(minute="30")))  # only the ignored timestamp moved
    again = run_cli("run", "--once", "--config", str(config))
    assert again.returncode == 0 and "unchanged" in again.stderr + again.stdout, again.stderr
    assert hooks.snapshot() == []

    web.route("/report", Route(page(cases="1,450", minute="45", extra="<li>Vaccines arrive on Monday.</li>")))
    changed = run_cli("run", "--once", "--config", str(config))
    assert changed.returncode == 0, changed.stderr
    [alert] = hooks.snapshot()
    payload = alert.json
    assert payload["title"] == "Hospital figures changed"
    message = payload["message"]
    assert web.url("/report") in message, message
    assert "+ The ministry said **1,450** people were treated in hospital this week." in message, message
    assert "- The ministry said ~~1,200~~ people were treated in hospital this week." in message, message
    assert "+ **Vaccines arrive on Monday.**" in message, message
    assert "09:45" not in message, "ignored text is no change"

    db = tmp_path / "data/watcher.db"
    assert [r[0] for r in rows(db, "SELECT version FROM page_versions ORDER BY version")] == [1, 2]

    history = run_cli("sources", "history", "ministry", "--config", str(config))
    assert history.returncode == 0, history.stderr
    assert history.stdout.split("\n")[1].split()[0] == "2" and "1,450" in history.stdout, history.stdout
    diff = run_cli("sources", "diff", "ministry", "--from", "1", "--to", "2", "-c", str(config))
    assert diff.returncode == 0, diff.stderr
    assert "- The ministry said 1,200 people were treated in hospital this week." in diff.stdout
    assert "+ Vaccines arrive on Monday." in diff.stdout
    missing = run_cli("sources", "diff", "ministry", "--to", "7", "-c", str(config))
    assert missing.returncode == 1 and "no version 7" in missing.stderr and "Traceback" not in missing.stderr
    whole = run_cli("sources", "diff", "ministry", "--context", "99999999999999999999", "-c", str(config))  # was a hang
    assert whole.returncode == 0 and "+ Vaccines arrive on Monday." in whole.stdout, whole.stderr


def test_request_options_send_headers_cookies_and_basic_auth_with_secrets_masked(
        tmp_path: Path, web: WebServer, hooks: WebhookReceiver) -> None:
    web.route("/report", Route(b"", status=401))
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    config = write_config(tmp_path, [{
        "id": "ministry", "url": web.url("/report"), "type": "watch",
        "request": {"headers": {"X-Api-Key": "${MINISTRY_KEY}"}, "cookies": {"session": "${MINISTRY_SESSION}"},
                    "auth": {"username": "analyst", "password": "${MINISTRY_PASSWORD}"},
                    "user_agent": "newsdesk-monitor/2.0"},
    }], rules="rules.yaml", channels={"hooks": {"urls": [f"json://{hooks.base}/alerts"]}})
    env = {**__import__("os").environ, "MINISTRY_KEY": "k-93f1c2d8e7", "MINISTRY_SESSION": "s-5a6b7c8d9e",
           "MINISTRY_PASSWORD": "hunter2-long-password"}
    done = run_cli("--log-level", "debug", "run", "--once", "--config", str(config), env=env)
    assert done.returncode == 0, done.stderr
    sent = web.request_headers[-1]
    assert sent["x-api-key"] == "k-93f1c2d8e7" and sent["cookie"] == "session=s-5a6b7c8d9e"
    assert sent["authorization"].startswith("Basic ") and sent["user-agent"] == "newsdesk-monitor/2.0"
    listing = run_cli("sources", "--json", "--config", str(config), env=env)
    shown = done.stdout + done.stderr + listing.stdout + listing.stderr
    for secret in ("k-93f1c2d8e7", "s-5a6b7c8d9e", "hunter2-long-password", sent["authorization"][6:]):
        assert secret not in shown, f"{secret} shown"


def test_json_endpoint_with_a_json_path(tmp_path: Path, web: WebServer, hooks: WebhookReceiver) -> None:
    def doc(n: int, note: str) -> bytes:
        return json.dumps({"generated": f"2026-11-17T10:{n:02d}:00Z",
                           "wards": [{"name": "north", "note": note}, {"name": "south", "note": "calm"}]}).encode()

    web.route("/api", Route(doc(1, "quiet night"), content_type="application/json"))
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    config = write_config(tmp_path, [{"id": "wards", "url": web.url("/api"), "type": "watch",
                                      "watch": {"json": "$.wards[?(@.name == 'north')].note"}}],
                          rules="rules.yaml", channels={"hooks": {"urls": [f"json://{hooks.base}/alerts"]}})
    loaded = load_config(config)

    async def poll() -> None:
        await run_once(loaded)

    asyncio.run(poll())
    web.route("/api", Route(doc(2, "quiet night"), content_type="application/json"))  # outside the path
    asyncio.run(poll())
    assert hooks.snapshot() == []
    web.route("/api", Route(doc(3, "hospital beds full"), content_type="application/json"))
    asyncio.run(poll())
    [alert] = hooks.snapshot()
    assert "+ **hospital beds full**" in alert.json["message"] and "- ~~quiet night~~" in alert.json["message"]
    db = tmp_path / "data/watcher.db"
    assert [r[0] for r in rows(db, "SELECT text FROM page_versions ORDER BY version")] == \
        ["quiet night", "hospital beds full"]


def test_versions_beyond_keep_are_deleted(tmp_path: Path, web: WebServer, hooks: WebhookReceiver) -> None:
    config = watch_config(tmp_path, web, hooks, css="#notices", keep=2)
    loaded = load_config(config)
    for i in range(4):
        web.route("/report", Route(page(extra=f"<li>Notice number {i}.</li>")))
        asyncio.run(run_once(loaded))
    db = tmp_path / "data/watcher.db"
    assert [r[0] for r in rows(db, "SELECT version FROM page_versions ORDER BY version")] == [3, 4]
    assert yaml.safe_load(config.read_text())["sources"][0]["watch"]["keep"] == 2


def test_a_template_shows_the_diff_and_check_asks_for_a_guard(tmp_path: Path, web: WebServer,
                                                             hooks: WebhookReceiver) -> None:
    web.route("/report", Route(page()))
    (tmp_path / "rules.yaml").write_text("""rules:
  - id: notices
    title: "New notice"
    match: {keywords: [vaccines]}
    notify: [hooks]
    template: |
      {{ title }}: {{ url }}
      {% if diff %}{% for line in diff.lines %}{{ line }}
      {% endfor %}{% endif %}
""", encoding="utf-8")
    config = write_config(tmp_path, [{"id": "ministry", "url": web.url("/report"), "type": "watch",
                                      "watch": {"css": "#notices"}}],
                          rules="rules.yaml", channels={"hooks": {"urls": [f"json://{hooks.base}/alerts"]}})
    assert run_cli("check", "--config", str(config)).returncode == 0
    loaded = load_config(config)
    asyncio.run(run_once(loaded))
    web.route("/report", Route(page(extra="<li>Vaccines arrive on Monday.</li>")))
    asyncio.run(run_once(loaded))
    [alert] = hooks.snapshot()
    assert alert.json["message"].splitlines()[1:3] == ["  Clinics open on Saturday.", "+ Vaccines arrive on Monday."], \
        alert.json["message"]

    unguarded = (tmp_path / "rules.yaml").read_text().replace("{% if diff %}", "").replace("{% endif %}", "")
    (tmp_path / "rules.yaml").write_text(unguarded, encoding="utf-8")
    checked = run_cli("check", "--config", str(config))
    assert checked.returncode == 1 and "rules.yaml:" in checked.stderr and "diff" in checked.stderr, checked.stderr


def test_test_url_of_a_watched_page_runs_the_rules_over_its_region(tmp_path: Path, web: WebServer,
                                                                  hooks: WebhookReceiver) -> None:
    web.route("/report", Route(page(extra="<li>Vaccines arrive on Monday.</li>")))
    config = watch_config(tmp_path, web, hooks, css="#notices")
    done = run_cli("test", "-c", str(config), "--url", web.url("/report"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ministry changed: 8 words; 1 of 1 rules fire"), done.stdout
    assert "'Vaccines'" in done.stdout and "treated in hospital" not in done.stdout, "only the region is read"


def test_a_page_whose_charset_is_only_in_the_header_is_read_in_it(tmp_path: Path, web: WebServer,
                                                                    hooks: WebhookReceiver) -> None:
    """No `<meta charset>`: the region was read as Latin-1 whatever the Content-Type said, so a rule's
    non-ASCII keyword never fired and the alert's diff was mojibake."""
    report = ("<html><body><main><h1>Сводка</h1><p>В больнице {n} пациентов.</p>"
              "<p>Приём в клиниках в субботу.</p></main></body></html>")
    web.route("/report", Route(report.format(n=12).encode("cp1251"), content_type="text/html; charset=windows-1251"))
    (tmp_path / "rules.yaml").write_text(RULES.replace("[hospital, vaccines]", "[больнице]"), encoding="utf-8")
    config = write_config(tmp_path, [{"id": "ministry", "url": web.url("/report"), "type": "watch"}],
                          rules="rules.yaml", channels={"hooks": {"urls": [f"json://{hooks.base}/alerts"]}})
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    [(text,)] = rows(tmp_path / "data/watcher.db", "SELECT text FROM page_versions")
    assert text.splitlines() == ["Сводка", "В больнице 12 пациентов.", "Приём в клиниках в субботу."], text

    web.route("/report", Route(report.format(n=15).encode("utf-8"), content_type="text/html; charset=utf-8"))
    changed = run_cli("run", "--once", "--config", str(config))
    assert changed.returncode == 0, changed.stderr
    [alert] = hooks.snapshot()
    assert "+ В больнице **15** пациентов." in alert.json["message"], alert.json["message"]


def test_a_page_with_a_form_feed_beside_a_script_is_watched(tmp_path: Path, web: WebServer,
                                                             hooks: WebhookReceiver) -> None:
    """lxml reads a control character (a form feed pasted from a word processor) from a page but refuses to
    set text holding one: dropping a <script> before it, or marking the page's line breaks, failed the poll."""
    report = ("<html><body><main><h1>Notice</h1><p>Ferry times<script>track()</script>\x0c from Monday.</p>"
              "<p>The harbour office reports {n} sailings.\x0b</p></main></body></html>")
    web.route("/notice", Route(report.format(n=12).encode()))
    (tmp_path / "rules.yaml").write_text(RULES.replace("[hospital, vaccines]", "[sailings]"), encoding="utf-8")
    config = write_config(tmp_path, [{"id": "harbour", "url": web.url("/notice"), "type": "watch"}],
                          rules="rules.yaml", channels={"hooks": {"urls": [f"json://{hooks.base}/alerts"]}})
    first = run_cli("run", "--once", "--config", str(config))
    assert first.returncode == 0, first.stderr
    [(text,)] = rows(tmp_path / "data/watcher.db", "SELECT text FROM page_versions")
    assert text.splitlines() == ["Notice", "Ferry times", "from Monday.",
                                 "The harbour office reports 12 sailings."], text
    web.route("/notice", Route(report.format(n=15).encode()))
    assert run_cli("run", "--once", "--config", str(config)).returncode == 0
    [alert] = hooks.snapshot()
    assert "reports **15** sailings" in alert.json["message"], alert.json["message"]


def test_json_nested_too_deeply_fails_that_source_alone(tmp_path: Path, web: WebServer) -> None:
    """100,000 nested arrays (200 KB) made a RecursionError that ended `watcher run --once` with a traceback."""
    web.route("/deep", Route(b"[" * 100_000 + b"]" * 100_000, content_type="application/json"))
    web.route("/report", Route(page()))
    config = write_config(tmp_path, [{"id": "deep", "url": web.url("/deep"), "type": "watch"},
                                     {"id": "ministry", "url": web.url("/report"), "type": "watch"}])
    done = run_cli("run", "--once", "--config", str(config))
    said = done.stdout + done.stderr
    assert done.returncode == 0 and "Traceback" not in said, said
    assert "source deep: parse: not JSON this reader can take: nested too deeply" in said, said
    assert rows(tmp_path / "data/watcher.db", "SELECT source_id FROM page_versions") == [("ministry",)]


def test_a_source_made_a_watch_takes_its_baseline_though_it_kept_an_etag(tmp_path: Path, web: WebServer,
                                                                           hooks: WebhookReceiver) -> None:
    """A source polled as another type kept that type's ETag when made `type: watch` at the same URL: the page
    answered 304, no first version was stored, and the page's first real change was taken as the baseline
    (its alert lost)."""
    web.route("/report", Route(page(), etag='"v1"'))
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")

    def config(kind: str) -> Path:
        return write_config(tmp_path, [{"id": "ministry", "url": web.url("/report"), "type": kind}],
                            rules="rules.yaml", channels={"hooks": {"urls": [f"json://{hooks.base}/alerts"]}})

    db = tmp_path / "data/watcher.db"
    assert run_cli("run", "--once", "--config", str(config("page"))).returncode == 0
    with closing(sqlite3.connect(db)) as conn, conn:
        assert conn.execute("SELECT etag FROM sources").fetchone() == ('"v1"',)
        conn.execute("UPDATE sources SET next_poll_at = NULL")
    assert run_cli("run", "--once", "--config", str(config("watch"))).returncode == 0
    assert [r[0] for r in rows(db, "SELECT version FROM page_versions")] == [1], "the first watch poll is its baseline"

    web.route("/report", Route(page(cases="1,450"), etag='"v2"'))
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE sources SET next_poll_at = NULL")
    assert run_cli("run", "--once", "--config", str(config("watch"))).returncode == 0
    [alert] = hooks.snapshot()
    assert "**1,450**" in alert.json["message"], alert.json["message"]
