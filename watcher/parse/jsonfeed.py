"""JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/), which feedparser 6 cannot read."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from watcher.parse.chars import storable
from watcher.parse.html import absolute_url
from watcher.parse.model import FeedEntry, FeedParseError, ParsedFeed

# The version URL names the spec. Seen in the wild: http://, www., and PHP's
# json_encode escaping every slash ("https:\/\/jsonfeed.org\/version\/1").
_VERSION = re.compile(r"^https?://(?:www\.)?jsonfeed\.org/version/(\d+(?:\.\d+)?)/?$", re.IGNORECASE)
_MARKERS = (b"jsonfeed.org/version", b"jsonfeed.org\\/version")
_SNIFF_BYTES = 2048
_BOM = b"\xef\xbb\xbf"


def looks_like_json_feed(data: bytes) -> bool:
    """Cheap guess whether `data` is a JSON Feed, to route it away from feedparser."""
    head = data[:_SNIFF_BYTES]
    if head.startswith(_BOM):
        head = head[len(_BOM) :]
    if not head.lstrip().startswith(b"{"):
        return False
    if any(m in head for m in _MARKERS):
        return True
    # "version" may come after a long preamble; only then pay for a full parse.
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return False
    return isinstance(doc, dict) and _version(doc.get("version")) is not None


def parse_json_feed(data: bytes, base_url: str) -> ParsedFeed:
    """Parse a JSON Feed; raises FeedParseError if `data` is not one."""
    try:
        doc = json.loads(data)  # bytes: json detects UTF-8/16/32 and skips a BOM
    except UnicodeDecodeError as e:
        raise FeedParseError(f"not a JSON Feed: not valid UTF-8 at byte {e.start}") from None
    except json.JSONDecodeError as e:
        raise FeedParseError(f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except (ValueError, RecursionError) as e:  # RecursionError: absurdly deep nesting
        raise FeedParseError(f"invalid JSON: {type(e).__name__}") from None
    if not isinstance(doc, dict):
        raise FeedParseError(f"not a JSON Feed: the document is a JSON {type(doc).__name__}, not an object")
    version = _version(doc.get("version"))
    if version is None:
        raise FeedParseError(f"not a JSON Feed: version is {doc.get('version')!r}, not a jsonfeed.org/version URL")

    home = _url(doc.get("home_page_url"), base_url)
    # Relative item URLs: the spec is silent; the site's home page is what
    # other readers resolve against, the document's own URL is the fallback.
    item_base = home or base_url
    feed_author = _author(doc)

    problems: list[str] = []
    raw_items = doc.get("items")
    if not isinstance(raw_items, list):
        problems.append("items is missing or not a list")
        raw_items = []
    entries = []
    skipped = 0
    for item in raw_items:
        if not isinstance(item, dict):
            skipped += 1
            continue
        entries.append(_entry(item, item_base, feed_author))
    if skipped:
        problems.append(f"{skipped} item(s) are not objects")

    return ParsedFeed(
        title=_text(doc.get("title")),
        link=home,
        entries=tuple(entries),
        format=_format(version),
        bozo="; ".join(problems) or None,
    )


def _entry(item: dict[str, Any], base: str, feed_author: str | None) -> FeedEntry:
    # external_url stands in for a missing url: a link-blog item still points somewhere.
    url = _url(item.get("url"), base) or _url(item.get("external_url"), base)
    return FeedEntry(
        guid=_id(item.get("id")) or url,
        url=url,
        title=_text(item.get("title")),
        summary=_text(item.get("summary")),
        content=_text(item.get("content_html")) or _text(item.get("content_text")),
        # Both versions: an item without an author inherits the feed's.
        author=_author(item) or feed_author,
        published=_date(item.get("date_published")),
        updated=_date(item.get("date_modified")),
    )


def _version(value: object) -> str | None:
    """'1' or '1.1' from the version URL, None when it is not a JSON Feed one."""
    if not isinstance(value, str):
        return None
    m = _VERSION.match(value.strip())
    return m.group(1) if m else None


def _format(version: str) -> str:
    major, _, minor = version.partition(".")
    return f"json{major}{minor or '0'}"


def _text(value: object) -> str | None:
    # Non-strings (numbers, objects) in text fields are publisher bugs: drop them. A lone "\ud800" becomes U+FFFD.
    return storable(value) if isinstance(value, str) and value.strip() else None


def _id(value: object) -> str | None:
    # 1.0 allowed numeric ids and told readers to coerce them to strings.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 42.0 -> "42", as a JavaScript reader would
    return _text(value) if isinstance(value, str) else None


def _url(value: object, base: str) -> str | None:
    text = _text(value)
    if text is None:
        return None
    url = absolute_url(base, text)
    try:
        return url if urlsplit(url).scheme else None  # still relative: base was no URL
    except ValueError:
        return url  # too broken to split: its fetch says so


def _author(obj: dict[str, Any]) -> str | None:
    """1.1's `authors` list (first one with a name), else 1.0's `author` object."""
    authors = obj.get("authors")
    if isinstance(authors, list):
        for a in authors:
            if isinstance(a, dict) and (name := _text(a.get("name"))):
                return name.strip()
    author = obj.get("author")
    if isinstance(author, dict) and (name := _text(author.get("name"))):
        return name.strip()
    return None


def _date(value: object) -> datetime | None:
    """RFC 3339 to aware UTC; None when missing or unreadable."""
    text = _text(value)
    if text is None:
        return None
    text = text.strip()
    try:
        # upper(): RFC 3339 allows a lowercase 't' and 'z', fromisoformat does not.
        dt = datetime.fromisoformat(text.upper())
    except ValueError:
        # Some publishers copy their RSS pubDate (RFC 822) verbatim.
        try:
            dt = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)  # no offset given: UTC is the least-wrong guess
    try:
        return dt.astimezone(timezone.utc)
    except OverflowError:  # year 1 east of UTC or year 9999 west of it: no UTC date to give
        return None
