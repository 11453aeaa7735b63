"""Adding sources from the console: find the feed behind a URL (the URL itself, or the feeds a page advertises),
and write new sources to the file the config includes, since the YAML stays the source of truth."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import yaml

from watcher import __version__
from watcher.config import Config, load_config
from watcher.errors import ConfigError, ConfigErrors, WatcherError
from watcher.fetch.http import checked_url
from watcher.parse.feed import parse_feed
from watcher.parse.items import looks_like_sitemap
from watcher.parse.model import FeedParseError
from watcher.parse.html import advertised_feeds, looks_like_html
from watcher.parse.sitemap import parse_sitemap
from watcher.source.opml import ImportedSource, slugify, sources_yaml

FETCH_TIMEOUT = 15.0
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Found:
    url: str
    kind: str  # feed | sitemap | page: the source `type` it is added as
    title: str | None
    entries: int = 0  # a feed's entries, a sitemap's URLs
    children: int = 0  # a sitemap index's child sitemaps


def source_type(kind: str) -> str | None:
    """The `type:` a source found as `kind` is added with (none for a feed: a feed is detected)."""
    return kind if kind in ("page", "sitemap") else None


async def discover(url: str) -> list[Found]:
    """What can be watched at `url`: the feed or sitemap it is, else the feeds its page advertises, else the page
    itself. A URL too broken to request, or one that answers with nothing to read, is a WatcherError saying so."""
    checked_url(url)  # 'http://[::1', a bad port, no host: one line naming what is wrong (a FetchError)
    async with httpx.AsyncClient(timeout=FETCH_TIMEOUT, follow_redirects=True, max_redirects=5,
                                 headers={"User-Agent": f"watcher/{__version__}"}) as client:
        data, final = await _get(client, url)
        if not data.strip():  # a page source of it would poll "ok" with 0 entries for good
            raise WatcherError(f"{final}: the server answered with an empty document: nothing to read there "
                               "(no feed, sitemap or page)")
        feed = _as_sitemap(data, final) or _as_feed(data, final)
        if feed is not None:
            return [feed]
        found = []
        if looks_like_html(data):
            for link in advertised_feeds(data, final)[:5]:
                try:
                    body, where = await _get(client, link)
                except WatcherError:
                    continue
                feed = _as_feed(body, where)
                if feed is not None:
                    found.append(feed)
        return found + [Found(final, "page", None)]


async def _get(client: httpx.AsyncClient, url: str) -> tuple[bytes, str]:
    try:
        async with client.stream("GET", url) as r:
            if r.status_code >= 400:
                raise WatcherError(f"{url}: HTTP {r.status_code}")
            chunks, size = [], 0
            async for chunk in r.aiter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise WatcherError(f"{url}: larger than {MAX_BYTES // 1024 // 1024} MB")
                chunks.append(chunk)
            return b"".join(chunks), str(r.url)
    except (httpx.HTTPError, httpx.InvalidURL) as e:  # InvalidURL: an advertised link too broken to request
        raise WatcherError(f"{url}: {type(e).__name__}: {e}") from None


def _as_sitemap(data: bytes, url: str) -> Found | None:
    """A document whose root is <urlset> or <sitemapindex> (gzipped or not), even one listing no URLs yet."""
    if not looks_like_sitemap(data):
        return None
    try:
        parsed = parse_sitemap(data, url)
    except FeedParseError:  # '<urlset' in an HTML page's text, or gzip of something else
        return None
    return Found(url, "sitemap", None, len(parsed.entries), len(parsed.children))


def _as_feed(data: bytes, url: str) -> Found | None:
    try:
        parsed = parse_feed(data, url)
    except FeedParseError:  # not a feed: the caller looks for advertised ones
        return None
    entries = len(getattr(parsed, "entries", ()) or ())
    if not entries:
        return None
    return Found(url, "feed", getattr(parsed, "title", None), entries)


def suggested_id(url: str, title: str | None, taken: set[str]) -> str:
    base = slugify(title or "") or slugify((urlsplit(url).hostname or "").removeprefix("www.")) or "source"
    n, candidate = 2, base
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def sources_file(config: Config) -> Path:
    """The file new sources are written to: the first one the config includes."""
    try:
        raw = yaml.safe_load(config.file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise WatcherError(f"{config.file}: cannot read it: {e}") from None
    include = raw.get("include") if isinstance(raw, dict) else None
    if not include or not isinstance(include, list):
        raise WatcherError(f"{config.file} includes no file to add sources to: add `include: [sources.yaml]` "
                           "(an empty file is fine) and restart")
    path = Path(str(include[0]))
    return path if path.is_absolute() else config.file.resolve().parent / path


def add_sources(config: Config, new: list[ImportedSource], source_type: str | None = None) -> Config:
    """Append `new` to the included sources file, keeping its text (and the old one as `<file>.prev`); the config
    as loaded afterwards. A config that no longer loads is put back as it was and the mistake raised."""
    path = sources_file(config)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    block = sources_yaml(new)
    if source_type:  # a page watched for its article links says so (a feed is detected)
        block = block.rstrip("\n") + f"\n    type: {source_type}\n"
    current = yaml.safe_load(old) if old.strip() else None
    if not current or not current.get("sources"):
        text = block
    else:
        text = old.rstrip("\n") + "\n" + block.split("\n", 1)[1]  # the new entries under the existing list
    if path.exists():
        path.with_name(path.name + ".prev").write_text(old, encoding="utf-8")
    tmp = path.with_name(f".{path.name}.saving")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    try:
        return load_config(config.file)
    except (ConfigError, ConfigErrors, WatcherError):
        path.write_text(old, encoding="utf-8")
        raise
