"""Adding a source by URL (`watcher sources add URL` and the console's add-source form) when the URL is too broken
to request, serves a sitemap, or answers 200 with an empty document. The URLs are served by a real local server;
the command runs in this process (`run_cli`), the console in-process over ASGI."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import AsyncIterator

import httpx
import pytest
import yaml

from tests.conftest import run_cli, write_config
from tests.webconsole import csrf_of
from tests.webserver import Route, WebServer
from watcher.config import load_config
from watcher.store import Store
from watcher.web.serve import console_app

BROKEN = "http://[::1"

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>{{BASE}}/news/quay-repairs-finished.html</loc><lastmod>2026-11-30</lastmod></url>
  <url><loc>{{BASE}}/news/night-ferry-returns.html</loc><lastmod>2026-12-01</lastmod></url>
</urlset>
"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{{BASE}}/sitemap-news.xml</loc><lastmod>2026-12-01</lastmod></sitemap>
  <sitemap><loc>{{BASE}}/sitemap-2026-11.xml</loc><lastmod>2026-11-30</lastmod></sitemap>
  <sitemap><loc>{{BASE}}/sitemap-2026-10.xml</loc><lastmod>2026-10-31</lastmod></sitemap>
</sitemapindex>
"""


def configured(tmp_path: Path) -> tuple[Path, Path]:
    """A config with no sources yet that includes an empty sources file; (config, sources file)."""
    config = write_config(tmp_path, [], include=["more-sources.yaml"])
    added = tmp_path / "more-sources.yaml"
    added.write_text("", encoding="utf-8")
    return config, added


def added_sources(path: Path) -> list[dict]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("sources") or []


def test_sources_add_of_a_url_too_broken_to_parse_is_one_line(tmp_path: Path) -> None:
    """urlsplit('http://[::1') raises ValueError: it was a traceback before anything was fetched."""
    config, added = configured(tmp_path)
    for url in (BROKEN, "http://harbour.example:port/news/"):
        done = run_cli("sources", "add", url, "-c", str(config))
        said = (done.stdout + done.stderr).strip()
        assert done.returncode == 1 and "Traceback" not in said, said
        assert len(said.splitlines()) == 1 and said.startswith(f"bad URL {url}: "), said
    assert added.read_text(encoding="utf-8") == "", "nothing was added"


@pytest.mark.parametrize("document, gzipped, what", [
    (URLSET, False, "a sitemap of 2 URLs"),
    (URLSET, True, "a sitemap of 2 URLs"),
    (INDEX, False, "a sitemap index of 3 sitemaps"),
])
def test_sources_add_of_a_sitemap_adds_a_sitemap_source(tmp_path: Path, web: WebServer, document: bytes,
                                                        gzipped: bool, what: str) -> None:
    """A <urlset> or <sitemapindex> was no feed with entries and no HTML: it was added as `type: page`."""
    config, added = configured(tmp_path)
    body = gzip.compress(document.replace(b"{{BASE}}", web.base.encode())) if gzipped else document
    url = web.route("/sitemap.xml.gz" if gzipped else "/sitemap.xml",
                    Route(body, content_type="application/x-gzip" if gzipped else "application/xml"))
    done = run_cli("sources", "add", url, "--id", "quay-sitemap", "-c", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"added source quay-sitemap: {url}, {what}," in done.stdout, done.stdout
    assert added_sources(added) == [{"id": "quay-sitemap", "url": url, "type": "sitemap"}], added.read_text()
    [source] = load_config(config).sources
    assert source.type == "sitemap"


def test_sources_add_of_an_empty_200_is_refused_with_a_reason(tmp_path: Path, web: WebServer) -> None:
    """An empty document was added as a page: a source that polls 'ok' with 0 entries for good."""
    config, added = configured(tmp_path)
    for path, body in (("/blank/", b""), ("/spaces/", b" \r\n\t\n")):
        url = web.route(path, Route(body))
        done = run_cli("sources", "add", url, "-c", str(config))
        said = (done.stdout + done.stderr).strip()
        assert done.returncode == 1 and "Traceback" not in said, said
        assert said == (f"{url}: the server answered with an empty document: nothing to read there "
                        "(no feed, sitemap or page)"), said
    assert added.read_text(encoding="utf-8") == "", "nothing was added"


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    config, _ = configured(tmp_path)
    loaded = load_config(config)
    store = Store(loaded.database)
    app = console_app(loaded, store, "127.0.0.1:8080")
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8080") as c:
            yield c
    finally:
        store.close()


async def _post(console: httpx.AsyncClient, path: str, data: dict[str, str]) -> httpx.Response:
    page = await console.get("/sources")
    assert page.status_code == 200, page.text[:300]
    return await console.post(path, data={"csrf": csrf_of(page.text), **data})


async def test_console_add_source_says_a_url_too_broken_to_parse_is_a_bad_url(console: httpx.AsyncClient) -> None:
    r = await _post(console, "/sources/discover", {"url": BROKEN})
    assert r.status_code == 422 and f"bad URL {BROKEN}: " in r.text, (r.status_code, r.text[-800:])


async def test_console_add_source_refuses_an_empty_200_saying_why(console: httpx.AsyncClient, web: WebServer) -> None:
    url = web.route("/blank/", Route(b""))
    r = await _post(console, "/sources/discover", {"url": url})
    assert r.status_code == 422 and "empty document: nothing to read there" in r.text, (r.status_code, r.text[-800:])
    assert 'name="choice"' not in r.text, "nothing is offered to add"


async def test_console_add_source_offers_a_sitemap_as_a_sitemap(console: httpx.AsyncClient, web: WebServer,
                                                                 tmp_path: Path) -> None:
    url = web.route("/sitemap.xml", Route(URLSET, content_type="application/xml"))
    r = await _post(console, "/sources/discover", {"url": url})
    assert r.status_code == 200, r.text[-800:]
    choices = re.findall(r'name="choice" value="([^"]+)"', r.text)
    assert choices == [f"sitemap {url}"], choices
    # it was offered as "the page itself (its article links)" and written without a type
    label = " ".join(re.search(r'name="choice"[^>]*>(.*?)</label>', r.text, re.S)[1].split())
    assert label.startswith("sitemap of 2 URLs: ") and "page itself" not in label, label
    r = await _post(console, "/sources/add", {"id": "quay-sitemap", "choice": choices[0]})
    assert r.status_code == 303, r.text[-800:]
    [source] = added_sources(tmp_path / "more-sources.yaml")
    assert source == {"id": "quay-sitemap", "url": url, "type": "sitemap"}, source
    assert [s.type for s in load_config(tmp_path / "watcher.yaml").sources] == ["sitemap"]
    index = web.route("/sitemap-index.xml", Route(INDEX.replace(b"{{BASE}}", web.base.encode()),
                                                  content_type="application/xml"))
    r = await _post(console, "/sources/discover", {"url": index})
    label = " ".join(re.search(r'name="choice"[^>]*>(.*?)</label>', r.text, re.S)[1].split())
    assert label.startswith("sitemap index of 3 sitemaps: "), label
