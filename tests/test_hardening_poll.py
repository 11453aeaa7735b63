"""A poll survives what one bad item can do: broken links, huge titles, floods of links, a full disk,
forged log lines. Each test runs the real fetcher, parser and store against a local server and a real
SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_watcher, write_config
from tests.pages import news_page, paragraphs, rss
from tests.receivers import WebhookReceiver
from tests.webserver import Route, WebServer
from watcher.errors import FetchError
from watcher.fetch import Fetcher

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
