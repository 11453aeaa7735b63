"""The web console's pages and forms, driven in-process over a database `watcher run --once` filled (in-process too)."""

from __future__ import annotations

import re
import sys
import sqlite3
from pathlib import Path
from typing import AsyncIterator, Iterator

import httpx
import pytest

from tests.conftest import run_cli, run_watcher
from tests.receivers import WebhookReceiver
from tests.webconsole import CHANNEL_SECRET, FEED_SECRET, copy_site, csrf_of, polled
from tests.webserver import WebServer
from watcher.config import load_config
from watcher.errors import WatcherError
from watcher.store import Store
from watcher.web.auth import Credentials, hash_password
from watcher.web.charts import day_bars, name_bars
from watcher.web.serve import console_app


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("site")
    with WebServer() as web:
        hooks = WebhookReceiver().start()
        try:
            polled(folder, web, hooks)
        finally:
            hooks.stop()
    yield folder


class Browser:
    """An in-process client of the console with its cookie jar, and the store it reads."""

    def __init__(self, client: httpx.AsyncClient, store: Store, config: Path) -> None:
        self.client, self.store, self.config = client, store, config

    async def page(self, path: str, status: int = 200) -> str:
        r = await self.client.get(path)
        assert r.status_code == status, f"GET {path}: {r.status_code} {r.text[:500]}"
        return r.text

    async def post(self, path: str, data: dict[str, str], token_from: str = "/sources/echo", **headers: str) -> httpx.Response:
        token = csrf_of(await self.page(token_from))
        return await self.client.post(path, data={"csrf": token, **data}, headers=headers)

    def scalar(self, sql: str, *params: object) -> object:
        return self.store.db.execute(sql, list(params)).fetchone()[0]


async def _open(site: Path, tmp_path: Path, env: dict[str, str] | None = None, monkeypatch: pytest.MonkeyPatch | None = None,
                listen: str = "127.0.0.1:8080", read_only: bool = False) -> AsyncIterator[Browser]:
    config_path = copy_site(site, tmp_path)
    config = load_config(config_path)
    if monkeypatch is not None:
        for k, v in (env or {}).items():
            monkeypatch.setenv(k, v)
    store = Store(config.database)
    app = console_app(config, store, listen, read_only=read_only)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8080") as client:
        yield Browser(client, store, config_path)
    store.close()


@pytest.fixture
async def console(site: Path, tmp_path: Path) -> AsyncIterator[Browser]:
    async for b in _open(site, tmp_path):
        yield b


async def test_every_page_renders_what_the_daemon_stored(console: Browser) -> None:
    alert_id = console.scalar("SELECT a.id FROM alerts a JOIN articles ar ON ar.id = a.article_id "
                              "WHERE ar.title LIKE 'Harbour crane%'")  # two outlets are polled at once: any order
    story_id = console.scalar("SELECT story_id FROM alerts a JOIN articles ar ON ar.id = a.article_id WHERE a.id = ?",
                              alert_id)
    article_id = console.scalar("SELECT article_id FROM alerts WHERE id = ?", alert_id)

    home = await console.page("/")
    assert 'id="articles-today">3<' in home and 'id="alerts-today">2<' in home
    assert home.count("<svg") == 3 and "harbour-works" in home  # two day charts and the rule fires
    sources = await console.page("/sources")
    assert "/sources/echo" in sources and "/sources/gazette" in sources and sources.count('<td><span class="badge ok">') == 2
    echo = await console.page("/sources/echo")
    assert "Harbour crane arrives" in echo and "Library opens late" in echo
    alerts = await console.page("/alerts")
    assert len(re.findall(r'<a href="/alerts/\d+">', alerts)) == 2
    assert "hook: pending" in alerts  # every send failed: waiting for its retry
    alert = await console.page(f"/alerts/{alert_id}")
    assert re.search(r"<mark>[Hh]arbour</mark>", alert), "the matched keyword is highlighted in the evidence"
    assert "HTTP 500" in alert or "500" in alert  # the delivery's last error
    assert "Retry now" in alert and "Mark as false positive" in alert
    story = await console.page(f"/stories/{story_id}")
    assert "started story" in story or "new story" in story or "story" in story
    assert f'/articles/{article_id}"' in story
    assert "Harbour crane arrives" in await console.page("/stories")
    rules = await console.page("/rules")
    assert 'id="rules-ok"' in rules and "/rules/harbour-works" in rules and "/rules/library-hours" in rules
    assert "Harbour works" in await console.page("/rules/harbour-works")
    assert "Port Ellis" in await console.page(f"/articles/{article_id}")
    await console.page("/alerts/999999", status=404)
    await console.page("/sources/nope", status=404)


async def test_ids_and_cursors_beyond_what_sqlite_stores_are_not_found_not_a_crash(console: Browser) -> None:
    # /alerts/99999999999999999999 was a 500 and an OverflowError traceback in the log
    huge = "99999999999999999999"
    for path in (f"/alerts/{huge}", f"/stories/{huge}", f"/articles/{huge}"):
        assert "nothing at" in await console.page(path, status=404)
    r = await console.post(f"/alerts/{huge}/false-positive", {"mark": "1"})
    assert r.status_code == 404, r.text[:300]
    assert "Harbour crane arrives" in await console.page(f"/stories?before_id={huge}&before=x")  # the first page
    assert len(re.findall(r'<a href="/alerts/\d+">', await console.page(f"/alerts?before={huge}"))) == 2


async def test_a_change_while_another_program_holds_the_database_is_a_page_saying_so(console: Browser) -> None:
    # it was a 500 'Internal Server Error' and a traceback in the log
    alert_id = console.scalar("SELECT MIN(id) FROM alerts")
    console.store.db.execute("PRAGMA busy_timeout = 100")
    other = sqlite3.connect(console.store.db.execute("PRAGMA database_list").fetchone()[2], isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        r = await console.post(f"/alerts/{alert_id}/false-positive", {"mark": "1"})
        assert r.status_code == 503 and "another program holds a lock on it" in r.text, (r.status_code, r.text[:500])
        other.execute("ROLLBACK")
    finally:
        other.close()
    r = await console.post(f"/alerts/{alert_id}/false-positive", {"mark": "1"})
    assert r.status_code == 303 and console.scalar("SELECT COUNT(*) FROM false_positives") == 1


async def test_secrets_are_never_rendered_and_headers_are_strict(console: Browser) -> None:
    alert_id = console.scalar("SELECT MIN(id) FROM alerts")
    for path in ("/", "/sources", "/sources/echo", "/alerts", f"/alerts/{alert_id}", "/stories", "/rules",
                 "/rules/harbour-works"):
        r = await console.client.get(path)
        assert r.status_code == 200
        assert FEED_SECRET not in r.text and CHANNEL_SECRET not in r.text, path
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert r.headers["x-frame-options"] == "DENY" and r.headers["cache-control"] == "no-store"
        assert " style=" not in r.text, f"{path}: an inline style the CSP would block"
    assert "token=***" in await console.page("/sources")


async def test_every_post_needs_this_sessions_csrf_token(console: Browser) -> None:
    alert_id = console.scalar("SELECT MIN(id) FROM alerts")
    await console.page("/")  # a session exists
    r = await console.client.post(f"/alerts/{alert_id}/false-positive", data={"mark": "1"})
    assert r.status_code == 403 and "security token" in r.text
    r = await console.client.post(f"/alerts/{alert_id}/false-positive", data={"mark": "1", "csrf": "forged"})
    assert r.status_code == 403
    r = await console.post(f"/alerts/{alert_id}/false-positive", {"mark": "1"}, origin="http://evil.example")
    assert r.status_code == 403 and "another site" in r.text
    assert console.scalar("SELECT COUNT(*) FROM false_positives") == 0
    r = await console.post(f"/alerts/{alert_id}/false-positive", {"mark": "1"}, origin="http://127.0.0.1:8080")
    assert r.status_code == 303
    assert console.scalar("SELECT COUNT(*) FROM false_positives") == 1


async def test_false_positive_is_stored_shown_counted_and_filtered(console: Browser) -> None:
    alert_id = console.scalar("SELECT MIN(id) FROM alerts WHERE rule_id = 'harbour-works'")
    r = await console.post(f"/alerts/{alert_id}/false-positive", {"mark": "1"})
    assert r.status_code == 303 and r.headers["location"] == f"/alerts/{alert_id}"
    page = await console.page(f"/alerts/{alert_id}")
    assert 'id="fp-mark"' in page and "marked as a false positive" in page
    rules = await console.page("/rules")
    row = re.search(r"/rules/harbour-works.*?</tr>", rules, re.S)
    assert row and row.group().endswith("<td>1</td></tr>"), "one false positive counted for the rule"
    only = await console.page("/alerts?status=false-positive")
    assert re.findall(r'<a href="/alerts/(\d+)">', only) == [str(alert_id)]
    await console.post(f"/alerts/{alert_id}/false-positive", {"mark": "0"})
    assert console.scalar("SELECT COUNT(*) FROM false_positives") == 0


async def test_retry_now_makes_a_failed_delivery_due(console: Browser) -> None:
    delivery, alert_id, attempts = console.store.db.execute(
        "SELECT id, alert_id, attempts FROM deliveries WHERE status = 'pending' ORDER BY id LIMIT 1").fetchone()
    assert attempts >= 1
    console.store.db.execute("UPDATE deliveries SET next_attempt_at = '2999-01-01T00:00:00+00:00' WHERE id = ?",
                             [delivery])
    r = await console.post(f"/alerts/{alert_id}/retry", {"delivery": str(delivery)})
    assert r.status_code == 303
    due = console.scalar("SELECT next_attempt_at FROM deliveries WHERE id = ?", delivery)
    assert str(due) < "2999", "the retry is due now"
    console.store.db.execute("UPDATE deliveries SET status = 'sent' WHERE id = ?", [delivery])
    r = await console.post(f"/alerts/{alert_id}/retry", {"delivery": str(delivery)})
    assert r.status_code == 409


async def test_alert_filters_narrow_and_pages_go_back_in_time(console: Browser) -> None:
    page = await console.page("/alerts?rule=harbour-works&text=crane")
    assert len(re.findall(r'<a href="/alerts/\d+">', page)) == 1 and "Harbour crane arrives" in page
    assert "No alerts match" in await console.page("/alerts?rule=library-hours")
    assert "No alerts match" in await console.page("/alerts?day=2001-01-01")
    assert "No alerts match" in await console.page("/alerts?channel=hook&status=sent")
    newest = console.scalar("SELECT MAX(id) FROM alerts")
    older = await console.page(f"/alerts?before={newest}")
    assert f'<a href="/alerts/{newest}">' not in older and len(re.findall(r'<a href="/alerts/\d+">', older)) == 1
    await console.page("/alerts?before=junk&day=not-a-day")  # bad values are ignored, not errors


async def test_source_disable_and_enable(console: Browser) -> None:
    r = await console.post("/sources/gazette/disable", {})
    assert r.status_code == 303
    assert "web console" in str(console.scalar("SELECT disabled FROM sources WHERE id = 'gazette'"))
    page = await console.page("/sources/gazette")
    assert 'class="badge disabled"' in page and 'id="enable"' in page
    r = await console.post("/sources/gazette/enable", {})
    assert r.status_code == 303 and console.scalar("SELECT disabled FROM sources WHERE id = 'gazette'") is None
    r = await console.post("/sources/gazette/poll", {})  # `watcher web` does not poll: it says so
    assert "only reads the database" in await console.page(r.headers["location"])


async def test_rule_workbench_tests_backtests_and_saves_only_what_checks(console: Browser) -> None:
    rule_file = console.config.parent / "rules" / "harbour.yaml"
    original = rule_file.read_text()
    text = "Harbour news\n\nDredgers reached the harbour mouth at dawn, the port said."
    r = await console.post("/rules/harbour-works/workbench", {"yaml": original, "text": text, "do": "test"},
                           token_from="/rules/harbour-works")
    assert r.status_code == 200 and 'id="verdict">fires' in r.text
    assert "<mark>Dredgers</mark>" in r.text and "<mark>harbour</mark>" in r.text

    article_id = console.scalar("SELECT id FROM articles WHERE title LIKE 'Library%'")
    r = await console.post("/rules/harbour-works/workbench", {"yaml": original, "article": str(article_id), "do": "test"},
                           token_from="/rules/harbour-works")
    assert 'id="verdict">does not fire' in r.text

    edited = original.replace("keywords: [harbour, dredgers]", "keywords: [library]")
    r = await console.post("/rules/harbour-works/workbench", {"yaml": edited, "days": "7", "do": "backtest"},
                           token_from="/rules/harbour-works")
    assert re.search(r'id="backtest">Fires on <b>1</b> of 3 articles', r.text), r.text[-1500:]

    broken = original.replace("keywords: [harbour, dredgers]", "keywords: []")
    r = await console.post("/rules/harbour-works/workbench", {"yaml": broken, "do": "save"}, token_from="/rules/harbour-works")
    assert r.status_code == 422 and "harbour.yaml:" in r.text
    assert rule_file.read_text() == original and not rule_file.with_name("harbour.yaml.prev").exists()

    failing_example = original.replace("keywords: [harbour, dredgers]", "keywords: [dredgers]")
    r = await console.post("/rules/harbour-works/workbench", {"yaml": failing_example, "do": "save"},
                           token_from="/rules/harbour-works")
    assert r.status_code == 422 and "example" in r.text and rule_file.read_text() == original

    better = original.replace("keywords: [harbour, dredgers]", "keywords: [harbour, dredgers, quay]")
    r = await console.post("/rules/harbour-works/workbench", {"yaml": better, "do": "save"}, token_from="/rules/harbour-works")
    assert r.status_code == 303
    assert rule_file.read_text() == better and rule_file.with_name("harbour.yaml.prev").read_text() == original
    check = run_cli("check", "--config", str(console.config))
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("do", ["backtest", "test"])
async def test_a_backtest_or_test_leaves_the_event_loop_free(console: Browser, monkeypatch: pytest.MonkeyPatch,
                                                             do: str) -> None:
    # a backtest of 5,000 stored articles held the daemon's loop ~4 s: /healthz (4 s in the Dockerfile) timed out;
    # a test on 700 KB of pasted text ~2 s
    import asyncio
    import threading

    from watcher.web import workbench

    started, loop_ran, real = threading.Event(), threading.Event(), getattr(workbench, do)

    def work(*args: object) -> object:
        started.set()
        assert loop_ran.wait(5), "the backtest held the event loop: nothing else ran while it worked"
        return real(*args)

    async def meanwhile() -> None:
        while not started.is_set():
            await asyncio.sleep(0.01)
        loop_ran.set()

    monkeypatch.setattr(workbench, do, work)
    other = asyncio.create_task(meanwhile())
    original = (console.config.parent / "rules" / "harbour.yaml").read_text()
    r = await console.post("/rules/harbour-works/workbench", {"yaml": original, "days": "7", "do": do,
                                                              "text": "Harbour news\n\nDredgers reached the harbour."},
                           token_from="/rules/harbour-works")
    await other
    assert r.status_code == 200 and ('id="backtest">Fires on' in r.text or 'id="verdict">fires' in r.text), r.text[-800:]


async def test_login_wall_roles_and_wrong_tokens(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"WATCHER_CONSOLE_TOKEN": hash_password("correct horse"), "WATCHER_CONSOLE_READONLY_TOKEN": "look-only"}
    async for b in _open(site, tmp_path, env, monkeypatch, listen="0.0.0.0:8080"):
        r = await b.client.get("/alerts")
        assert r.status_code == 303 and r.headers["location"] == "/login?next=/alerts"
        login = await b.page("/login")
        r = await b.client.post("/login", data={"csrf": csrf_of(login), "token": "wrong", "next": "/alerts"})
        assert r.status_code == 401 and "wrong token" in r.text
        r = await b.client.post("/login", data={"csrf": csrf_of(login), "token": "look-only", "next": "/alerts"})
        assert r.status_code == 303 and r.headers["location"] == "/alerts"
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
        r = await b.client.get("https://127.0.0.1:8080/login")  # over TLS (a proxy's X-Forwarded-Proto too)
        assert "; secure" in r.headers["set-cookie"].lower()

    async for b in _open(site, tmp_path / "again", env, monkeypatch):
        login = await b.page("/login")
        r = await b.client.post("/login", data={"csrf": csrf_of(login), "token": "look-only", "next": "/"})
        assert r.status_code == 303
        page = await b.page("/alerts/1")
        assert "viewer" in page and "Retry now" not in page and "Mark as false positive" not in page
        r = await b.post("/alerts/1/false-positive", {"mark": "1"})
        assert r.status_code == 403 and "read-only" in r.text
        r = await b.post("/rules/harbour-works/workbench", {"yaml": (b.config.parent / "rules/harbour.yaml").read_text(),
                                                            "text": "The harbour.", "do": "test"})
        assert r.status_code == 200 and "fires" in r.text  # a viewer may test a rule
        await b.post("/logout", {})
        r = await b.client.get("/")
        assert r.status_code == 303
        r = await b.client.post("/login", data={"csrf": csrf_of(await b.page("/login")), "token": "correct horse"})
        assert r.status_code == 303
        assert "Mark as false positive" in await b.page("/alerts/1")


async def test_a_login_outlives_a_restart_of_the_console(site: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The session key is kept in the database: a cookie from before a restart still logs in after it."""
    env = {"WATCHER_CONSOLE_TOKEN": "correct horse"}
    async for b in _open(site, tmp_path, env, monkeypatch, listen="0.0.0.0:8080"):
        r = await b.client.post("/login", data={"csrf": csrf_of(await b.page("/login")), "token": "correct horse"})
        assert r.status_code == 303
        cookie = b.client.cookies["watcher_session"]
        config = load_config(b.config)
    store = Store(config.database)
    try:
        again = console_app(config, store, "0.0.0.0:8080")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=again), base_url="http://127.0.0.1:8080",
                                     cookies={"watcher_session": cookie}) as client:
            r = await client.get("/alerts")
            assert r.status_code == 200, f"a restarted console asked to log in again: {r.status_code}"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=again), base_url="http://127.0.0.1:8080") as client:
            assert (await client.get("/alerts")).status_code == 303, "without the cookie the wall stands"
    finally:
        store.close()


def test_no_console_off_loopback_without_credentials(site: Path, tmp_path: Path) -> None:
    config = load_config(copy_site(site, tmp_path))
    store = Store(config.database)
    try:
        with pytest.raises(WatcherError, match="needs credentials"):
            console_app(config, store, "0.0.0.0:8080")
    finally:
        store.close()
    result = run_watcher("web", "--config", str(tmp_path / "watcher.yaml"), "--listen", "0.0.0.0:18080", timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "needs credentials" in line and "WATCHER_CONSOLE_TOKEN" in line


def test_credentials_from_files_and_hashes(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("s3cret\n")
    creds = Credentials.from_env({"WATCHER_CONSOLE_TOKEN_FILE": str(tmp_path / "token")})
    assert creds.role_for("s3cret") == "admin" and creds.role_for("s3cre") is None and creds.role_for("") is None
    hashed = Credentials.from_env({"WATCHER_CONSOLE_READONLY_TOKEN": hash_password("pw", iterations=1000)})
    assert hashed.role_for("pw") == "viewer" and hashed.role_for("pw ") is None
    with pytest.raises(WatcherError, match="cannot read"):
        Credentials.from_env({"WATCHER_CONSOLE_TOKEN_FILE": str(tmp_path / "missing")})


def test_a_password_hash_cut_short_is_refused_at_start_and_stdin_must_be_text(tmp_path: Path) -> None:
    # a hash pasted without its last characters started the console, and no password ever opened it
    whole = hash_password("pw", iterations=1000)
    for broken in (whole[:-4], whole.replace("$1000$", "$many$"), "pbkdf2_sha256$1000$salt"):
        with pytest.raises(WatcherError, match="WATCHER_CONSOLE_TOKEN: it starts as a password hash but is not a whole"):
            Credentials.from_env({"WATCHER_CONSOLE_TOKEN": broken})
    (tmp_path / "hash").write_text(whole[:-1] + "\n")
    with pytest.raises(WatcherError, match="WATCHER_CONSOLE_READONLY_TOKEN: it starts as a password hash"):
        Credentials.from_env({"WATCHER_CONSOLE_READONLY_TOKEN_FILE": str(tmp_path / "hash")})
    assert Credentials.from_env({"WATCHER_CONSOLE_TOKEN": whole}).role_for("pw") == "admin"
    import subprocess  # bytes that are not UTF-8 on stdin were a UnicodeEncodeError traceback

    result = subprocess.run([sys.executable, "-m", "watcher", "web", "--hash-password"], input=b"\xff\xfepw\n",
                            capture_output=True)
    assert result.returncode != 0 and result.stdout == b"", result
    assert b"the password on stdin is not plain UTF-8 text" in result.stderr and b"Traceback" not in result.stderr


def test_charts_are_plain_svg_scaled_to_the_largest_value() -> None:
    svg = str(day_bars([("2026-11-01", 0), ("2026-11-02", 7), ("2026-11-03", 3)], "articles <per> day"))
    assert svg.startswith("<svg") and svg.count("<rect") == 3 and "style=" not in svg
    assert ">10</text>" in svg  # the scale's top: 7 rounds up to 10
    assert "articles &lt;per&gt; day" in svg and "2026-11-02: 7" in svg
    bars = str(name_bars([("b", 1), ("a<x>", 4)], "fires"))
    assert bars.index("a&lt;x&gt;") < bars.index(">b<"), "largest first, names escaped"
    assert "nothing yet" in str(name_bars([], "fires"))


def test_the_schema_indexes_back_the_console_queries(site: Path) -> None:
    conn = sqlite3.connect(site / "data" / "watcher.db")
    try:
        plans = {
            "alerts by rule": "SELECT id FROM alerts WHERE rule_id = 'x' AND id < 10 ORDER BY id DESC LIMIT 50",
            "alerts per day": "SELECT substr(created_at, 1, 10), COUNT(*) FROM alerts WHERE created_at >= '2026' GROUP BY 1",
            "source articles": "SELECT id FROM articles WHERE source_id = 'x' AND id < 10 ORDER BY id DESC LIMIT 50",
            "stories": "SELECT id FROM stories WHERE (last_seen, id) < ('9', 1) ORDER BY last_seen DESC, id DESC LIMIT 50",
        }
        for name, sql in plans.items():
            plan = " ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "USING" in plan and "SCAN alerts" not in plan and "SCAN articles" not in plan, f"{name}: {plan}"
    finally:
        conn.close()


async def test_a_muted_rule_keeps_its_matches_and_makes_no_alert(console: Browser) -> None:
    from watcher.model import AlertDraft, Match, Target

    r = await console.post("/rules/library-hours/mute", {"for": "1d"}, token_from="/rules/library-hours")
    assert r.status_code == 303
    page = await console.page("/rules/library-hours")
    assert 'id="muted"' in page and 'id="unmute"' in page
    assert "muted</span>" in await console.page("/rules")
    article_id = console.scalar("SELECT id FROM articles WHERE title LIKE 'Library%'")
    alerts_before = console.scalar("SELECT COUNT(*) FROM alerts")
    record = Match("library-hours", "[]", AlertDraft("Library hours", "body", (Target("hook", 0),)))
    console.store.alerts.add_matches(article_id, [record])
    assert console.scalar("SELECT COUNT(*) FROM matches WHERE rule_id = 'library-hours'") == 1
    assert console.scalar("SELECT COUNT(*) FROM alerts") == alerts_before, "a muted rule made an alert"

    await console.post("/rules/library-hours/mute", {"for": ""}, token_from="/rules/library-hours")
    r = await console.post("/rules/no-such-rule/mute", {"for": "1d"}, token_from="/rules/library-hours")
    assert r.status_code == 404 and console.scalar("SELECT COUNT(*) FROM rule_mutes WHERE rule_id = 'no-such-rule'") == 0
    assert 'id="muted"' not in await console.page("/rules/library-hours")
    other = console.scalar("SELECT id FROM articles WHERE title LIKE 'Harbour crane%'")
    console.store.alerts.add_matches(other, [record])
    assert console.scalar("SELECT COUNT(*) FROM alerts") == alerts_before + 1, "unmuted, the rule alerts again"


async def test_source_poll_history_and_story_timeline_charts(console: Browser) -> None:
    page = await console.page("/sources/echo")
    assert re.search(r'<rect class="poll ok"[^>]*><title>[^<]*: ok HTTP 200[^<]*answered in \d+ ms', page), \
        "the poll is charted with its response time"
    story_id = console.scalar("SELECT story_id FROM articles WHERE title LIKE 'Harbour crane%'")
    story = await console.page(f"/stories/{story_id}")
    assert story.count('<circle class="dot"') == console.scalar("SELECT COUNT(*) FROM articles WHERE story_id = ?",
                                                                  story_id)


async def test_add_a_source_found_behind_a_page_and_import_export_opml(console: Browser, web: WebServer) -> None:
    from tests.ops import publish
    from tests.webserver import Route

    publish(web, "courier", ["harbour-wall-repaired"])
    web.route("/courier/", Route(b'<html><head><title>Courier</title><link rel="alternate" type="application/rss+xml" '
                                 b'href="/courier/feed.xml"></head><body><p>News</p></body></html>'))
    r = await console.post("/sources/discover", {"url": web.url("/courier/")}, token_from="/sources")
    assert r.status_code == 422 and "includes no file" in r.text  # nowhere to write it yet

    config_text = console.config.read_text()
    console.config.write_text(config_text + "include: [added.yaml]\n")
    (console.config.parent / "added.yaml").write_text("")
    r = await console.post("/sources/discover", {"url": web.url("/courier/")}, token_from="/sources")
    assert r.status_code == 200 and "with 1 entries" in r.text and "the page itself" in r.text
    choice = re.search(r'name="choice" value="(feed [^"]+)"', r.text).group(1)
    assert choice.endswith("/courier/feed.xml")
    r = await console.post("/sources/add", {"id": "courier", "choice": choice, "tags": "uk, local"}, token_from="/sources")
    assert r.status_code == 303 and r.headers["location"] == "/sources/courier"
    added = (console.config.parent / "added.yaml").read_text()
    assert "id: courier" in added and "- uk" in added
    assert "/sources/courier" in await console.page("/sources")
    r = await console.post("/sources/add", {"id": "courier", "choice": choice}, token_from="/sources")
    assert r.status_code == 409
    check = run_cli("check", "--config", str(console.config))
    assert check.returncode == 0 and "(3 sources" in check.stdout, check.stdout + check.stderr

    opml = await console.page("/sources.opml")
    assert 'text="courier"' in opml and "token=***" in opml and FEED_SECRET not in opml
    upload = ('<?xml version="1.0"?><opml version="2.0"><body><outline text="Tidings" type="rss" '
              'xmlUrl="https://tidings.example/rss"/></body></opml>')
    token = csrf_of(await console.page("/sources"))
    r = await console.client.post("/sources/import", data={"csrf": token},
                                  files={"opml": ("feeds.opml", upload.encode(), "text/xml")})
    assert r.status_code == 303
    assert "imported 1 sources" in await console.page("/sources")
    assert "https://tidings.example/rss" in (console.config.parent / "added.yaml").read_text()
    assert (console.config.parent / "added.yaml.prev").read_text() == added


async def test_rule_workbench_tests_an_article_fetched_from_a_url(console: Browser, web: WebServer) -> None:
    from tests.ops import publish

    [url] = publish(web, "tribune", ["harbour-dredging-starts"])
    yaml_text = (console.config.parent / "rules" / "harbour.yaml").read_text()
    r = await console.post("/rules/harbour-works/workbench", {"yaml": yaml_text, "url": url, "do": "test"},
                           token_from="/rules/harbour-works")
    assert r.status_code == 200 and 'id="verdict">fires' in r.text and "<mark>Dredgers</mark>" in r.text
    r = await console.post("/rules/harbour-works/workbench", {"yaml": yaml_text, "url": web.url("/missing"), "do": "test"},
                           token_from="/rules/harbour-works")
    assert r.status_code == 422 and "404" in r.text


async def test_login_never_redirects_off_site(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async for b in _open(site, tmp_path, {"WATCHER_CONSOLE_TOKEN": "t0ken"}, monkeypatch):
        for target, expected in (("//evil.example/", "/"), ("/\\evil.example", "/"), ("https://evil.example", "/"),
                                 ("/alerts?rule=x", "/alerts?rule=x")):
            b.client.cookies.clear()
            r = await b.client.post("/login", data={"csrf": csrf_of(await b.page("/login")), "token": "t0ken",
                                                    "next": target})
            assert r.status_code == 303 and r.headers["location"] == expected, target


async def test_sources_page_filters_by_health_and_pages(console: Browser) -> None:
    console.store.db.execute("UPDATE sources SET consecutive_failures = 2, last_error = 'HTTP 503' WHERE id = 'gazette'")
    failing = await console.page("/sources?health=failing")
    assert "/sources/gazette" in failing and "/sources/echo" not in failing and "HTTP 503" in failing
    everything = await console.page("/sources?health=nonsense&page=0")
    assert "/sources/gazette" in everything and "/sources/echo" in everything and "Page 1 of" not in everything


def test_watcher_web_serves_the_database_until_sigint(site: Path, tmp_path: Path) -> None:
    import signal

    from tests.ops import get, start_daemon, stop, wait_for
    from tests.receivers import free_port

    config = copy_site(site, tmp_path)
    port = free_port()
    proc = start_daemon(config, command=[sys.executable, "-m", "watcher", "web", "--config", str(config),
                                         "--listen", f"127.0.0.1:{port}"], log=tmp_path / "web.log")
    try:
        status, body = wait_for(lambda: (r := get(f"http://127.0.0.1:{port}/alerts"))[0] == 200 and r, timeout=60)
        assert "Harbour crane arrives" in body and "database only" in body
        assert get(f"http://127.0.0.1:{port}/healthz")[0] == 404  # only the daemon answers health checks
    finally:
        code, took = stop(proc, signal.SIGINT)
    assert code == 0 and took < 10, (tmp_path / "web.log").read_text()
    missing = run_watcher("web", "--config", str(config).replace("watcher.yaml", "nope.yaml"))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
