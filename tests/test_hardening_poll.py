"""A poll survives what one bad item can do: broken links, huge titles, floods of links, a full disk,
forged log lines. Each test runs the real fetcher, parser and store against a local server and a real
SQLite file."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_watcher, write_config
from tests.pages import news_page, paragraphs, rss
from tests.receivers import WebhookReceiver
from tests.webserver import Route, WebServer
from watcher.errors import FetchError
from watcher.fetch import Fetcher
from watcher.logs import setup_logging

RULES = """\
rules:
  - id: harbour
    title: "Harbour works"
    match:
      keywords: [harbour]
    notify: [desk]
    once_per: article
"""

# links a hostile or broken feed may carry; each used to raise out of the fetcher and end the poll
BAD_LINKS = {
    "empty-punycode": "http://xn--/",
    "port-out-of-range": "http://127.0.0.1:99999/news/harbour.html",
    "too-long": "{{BASE}}/news/" + "a" * 65_100,
    "backslash-redirect": "{{BASE}}/go/harbour",  # answers 302 to http:\\host\path
}


def rows(db: Path, sql: str, *args: object) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


URLS_THAT_CANNOT_BE_FETCHED = {
    "empty-punycode": "http://xn--/",
    "port-out-of-range": "http://127.0.0.1:99999/news/harbour.html",
    "port-zero": "http://127.0.0.1:0/",
    "port-not-a-number": "http://a:b/",
    "backslashes": "http:\\\\evil.example\\x",
    "broken-ipv6": "http://[::1/x",
    "label-too-long": "http://" + "x" * 300 + ".example/",
    "too-long": "http://127.0.0.1/" + "a" * 65_100,
    "not-http": "ftp://example.org/file",
}


@pytest.mark.parametrize("allow_private", [True, False], ids=["open", "guarded"])
@pytest.mark.parametrize("link", URLS_THAT_CANNOT_BE_FETCHED.values(), ids=URLS_THAT_CANNOT_BE_FETCHED.keys())
def test_fetcher_turns_every_bad_url_into_a_fetch_error(link: str, allow_private: bool) -> None:
    async def go() -> None:
        async with Fetcher(allow_private=allow_private) as f:
            with pytest.raises(FetchError) as caught:
                await f.get(link, trusted=False, timeout=5)
            assert caught.value.kind == "bad_url", caught.value
            assert len(str(caught.value)) < 500, "the error names the URL in short"

    asyncio.run(go())


def test_bad_links_never_stop_a_poll(tmp_path: Path, web: WebServer, hooks: WebhookReceiver) -> None:
    web.route("/go/harbour", Route(status=302, headers={"Location": "http:\\\\evil.example\\news"}))
    items = []
    for name, link in BAD_LINKS.items():
        items.append({"title": f"Harbour item with a {name} link", "link": link, "guid": f"bad-{name}",
                      "summary": f"The harbour board met about the {name.replace('-', ' ')} matter on Monday."})
    good = "/news/2026/11/harbour-crane-arrives.html"
    web.route(good, Route(news_page("New harbour crane arrives", paragraphs("harbour crane"))))
    items.append({"title": "New harbour crane arrives", "link": "{{BASE}}" + good, "guid": "good-1"})
    web.route("/feed.xml", Route(rss(items), content_type="application/rss+xml"))
    other = "/news/2026/11/harbour-dredging-starts.html"
    web.route(other, Route(news_page("Harbour dredging starts", paragraphs("harbour dredging"))))
    web.route("/other.xml", Route(rss([{"title": "Harbour dredging starts", "link": "{{BASE}}" + other,
                                         "guid": "good-2"}]), content_type="application/rss+xml"))
    (tmp_path / "rules.yaml").write_text(RULES)
    config = write_config(tmp_path, [
        {"id": "mixed", "url": web.url("/feed.xml"), "baseline": False},
        {"id": "clean", "url": web.url("/other.xml"), "baseline": False},
    ], rules="rules.yaml", channels={"desk": {"urls": [f"json://{hooks.base}/desk"]}})

    result = run_watcher("run", "--once", "--config", str(config))
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert "Traceback" not in out, out[-3000:]

    db = tmp_path / "data/watcher.db"
    assert sorted(rows(db, "SELECT id, last_status FROM sources")) == [("clean", "ok"), ("mixed", "ok")]
    # every entry is stored; each bad link's error is recorded on its own article
    errors = dict(rows(db, "SELECT guid, extract_error FROM articles"))
    assert set(errors) == {f"bad-{n}" for n in BAD_LINKS} | {"good-1", "good-2"}, errors
    for name in BAD_LINKS:
        assert errors[f"bad-{name}"], f"no error recorded for the {name} link"
    assert errors["good-1"] is None and errors["good-2"] is None, errors
    messages = [r.message for r in hooks.snapshot()]
    for title in ("New harbour crane arrives", "Harbour dredging starts"):
        assert any(title in m for m in messages), f"no alert for {title!r}; got {[m[:80] for m in messages]}"


# -- 11: log lines cannot be forged ------------------------------------------------------------------------------

FORGED = "2026-12-01T09:00:00 WARNING watcher.poll: source admin: password reset to hunter2"
LINE_START = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")


def test_a_guid_or_title_with_a_newline_cannot_forge_a_log_line(tmp_path: Path, web: WebServer) -> None:
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Echo</title>'
        "<link>{{BASE}}/</link><description>News</description>"
        f"<item><guid isPermaLink=\"false\">quiet-1&#10;{FORGED}</guid></item>"
        f"<item><guid isPermaLink=\"false\">quiet-2&#13;{FORGED}</guid><link>http://xn--/</link>"
        f"<title>Harbour news&#10;{FORGED}&#x2028;{FORGED}&#x1b;[2K</title></item>"
        "</channel></rss>"
    ).encode()
    web.route("/feed.xml", Route(feed, content_type="application/rss+xml"))
    config = write_config(tmp_path, [{"id": "echo", "url": web.url("/feed.xml"), "baseline": False}])

    result = run_watcher("--log-level", "debug", "run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()  # splitlines also breaks at \r, \x1c-\x1e, \x85, \u2028, \u2029
    assert any("quiet-1" in line for line in lines), f"the GUID is not in the log at all:\n{result.stdout}"
    for line in lines:
        assert LINE_START.match(line), f"a log line that is no record of ours: {line!r}"
        assert "\x1b" not in line, f"a terminal escape reached the log: {line!r}"
    forged = [line for line in lines if line.startswith(FORGED[:19])]
    assert not forged, forged


@pytest.mark.parametrize("fmt", ["plain", "json"])
def test_every_log_field_is_one_line_and_bounded(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("info", fmt)
    try:
        log = logging.getLogger("watcher.test\nforged")
        log.warning("entry %s: %s", f"guid\r\n{FORGED}", "x" * 100_000, extra={"title": f"t\n{FORGED}"})
        try:
            raise ValueError(f"bad\n{FORGED}")
        except ValueError:
            log.exception("failed on %s", "item\u2028two")
    finally:
        logging.getLogger().handlers[:] = []
    out = capsys.readouterr().out
    records = [line for line in out.splitlines() if not line.startswith(" ")]  # traceback lines are indented
    assert len(records) == 2 if fmt == "plain" else len(out.splitlines()) == 2, out[:3000]
    assert not any(line.startswith(FORGED[:19]) for line in out.splitlines()), out[:3000]
    assert len(out) < 30_000, f"a 100,000-character field was logged whole ({len(out)} characters)"
    if fmt == "plain":
        assert "guid\\r\\n2026" in out and "item\\u2028two" in out, out[:500]
