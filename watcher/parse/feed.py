"""RSS 0.9x/1.0/2.0 and Atom with feedparser; JSON Feed by `jsonfeed`.

feedparser only ever sees bytes we fetched: it never touches the network.
"""

from __future__ import annotations

import calendar
import re
import time
import warnings
from collections import Counter
from datetime import datetime, timezone
from html import unescape
from typing import Any

import feedparser

from watcher.parse.chars import storable, storable_charrefs
from watcher.parse.html import advertised_feeds, looks_like_html
from watcher.parse.jsonfeed import looks_like_json_feed, parse_json_feed
from watcher.parse.model import FeedEntry, FeedParseError, ParsedFeed

# feedparser fetches a string argument that looks like a URL; bytes are always parsed
# as a document. Keep its own resolution of the entries' relative links and ids, which needs the base URL.


def _media_descriptions_apart() -> None:
    """feedparser reads a `media:description` as the entry's own description, so a newsroom item's photo caption
    became its summary or its content (whichever the item's description had not taken, by their order). It is
    kept apart instead (`media_description`, the entry's first), and is the entry's text only when the entry has
    none of its own (a video feed's items)."""
    from feedparser.namespaces import mediarss

    def start(self: Any, attrs_d: Any) -> None:
        self.push("media_description", 1)

    def end(self: Any) -> None:
        value = self.pop("media_description")
        if value and value.strip():
            self._get_context().setdefault("media_description", value.strip())

    mediarss.Namespace._start_media_description = start  # type: ignore[attr-defined]
    mediarss.Namespace._end_media_description = end  # type: ignore[attr-defined]


_media_descriptions_apart()


def parse_feed(data: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a feed document; raise FeedParseError with one clear reason when it is not one."""
    if not data.strip():
        raise FeedParseError("empty response: the server sent no content")
    if looks_like_json_feed(data):
        return parse_json_feed(data, url)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    data, dropped = defuse_entities(storable_charrefs(data))
    # the links inside an entry's HTML are not made absolute: only the HTML's text is kept (`entry_text`), and
    # resolving them was a sixth to a quarter of feedparser's CPU on a 50 KB feed. (The entries' own links and
    # ids are made absolute as before.)
    try:
        d = feedparser.parse(data, response_headers=headers, sanitize_html=True, resolve_relative_uris=False)
    except Exception as e:  # noqa: BLE001 - feedparser's own slips on odd input (a KeyError for an item's textinput)
        raise FeedParseError(f"feedparser could not read it: {type(e).__name__}: {e}") from None
    if dropped and not d.get("bozo"):
        d["bozo"], d["bozo_exception"] = 1, ValueError(dropped)
    version = d.get("version") or ""
    if not version and not d.entries:
        if looks_like_html(data):
            feeds = advertised_feeds(data, url)
            hint = f"; it advertises the feed {feeds[0]}" if feeds else ""
            raise FeedParseError(f"not a feed: the URL serves an HTML page{hint}")
        reason = _bozo_reason(d) or "no RSS, Atom or JSON Feed found"
        raise FeedParseError(f"not a feed: {reason}")
    if not d.entries and d.get("bozo"):
        raise FeedParseError(f"ill-formed feed with no readable entries: {_bozo_reason(d)}")
    with warnings.catch_warnings():
        # feedparser warns when updated_parsed falls back to published_parsed; we ask for both on purpose
        warnings.simplefilter("ignore", DeprecationWarning)
        entries = tuple(_entry(e) for e in d.entries)
    return ParsedFeed(
        title=_title(d.feed.get("title"), d.feed.get("title_detail")),
        link=d.feed.get("link"),
        entries=entries,
        format=version or "unknown",
        ttl_seconds=_ttl(d.feed),
        bozo=_bozo_reason(d) if d.get("bozo") else None,
        language=(_text(d.feed.get("language")) or "").split("-")[0].lower() or None,
        encoding=str(d.get("encoding") or ""),
        # a bozo flag for the Content-Type alone (a feed served as text/html) changes nothing of the reading
        strict=not d.get("bozo") or isinstance(d.get("bozo_exception"), feedparser.NonXMLContentType),
    )


def _entry(e: Any) -> FeedEntry:
    content = None
    if e.get("content"):
        content = storable(max((c.get("value") or "" for c in e.content), key=len)) or None
    summary = _text(e.get("summary"))
    if content is None and summary is None:  # a video feed's item: its media description is its only text
        summary = _text(e.get("media_description"))
    return FeedEntry(
        guid=_text(e.get("id")),
        url=_text(e.get("link")),
        title=_title(e.get("title"), e.get("title_detail")),
        summary=summary,
        content=content,
        author=_text(e.get("author")),
        published=_date(e.get("published_parsed")) or _date(e.get("updated_parsed")),
        updated=_date(e.get("updated_parsed")),
    )


def _title(value: Any, detail: Any) -> str | None:
    """A title as text. feedparser gives an HTML title (an Atom `type="html"` or `xhtml` one, or an RSS one it
    judged to be HTML) as sanitized HTML: its complete tags are dropped and its entities read, so an alert shows
    no `<em>`, link markup or `&amp;`. A '<' that opens no complete tag ("a<b matters") is text and stays."""
    text = _text(value)
    if text and "html" in str((detail or {}).get("type") or ""):
        return " ".join(unescape(_TAG.sub(_tag_space, _without_comments(text))).split()) or None
    return text


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")


def _without_comments(text: str) -> str:
    """`text` less its complete `<!-- -->` comments, in one pass (a pattern for them searched the rest of the
    text again from each unclosed `<!--`: a 64 KB title of them took 13 s to read). An unclosed one stays."""
    kept, at = [], 0
    while (start := text.find("<!--", at)) != -1 and (end := text.find("-->", start + 4)) != -1:
        kept.append(text[at:start])
        at = end + 3
    kept.append(text[at:])
    return "".join(kept)


_BLOCKS = frozenset("p div br li h1 h2 h3 h4 h5 h6 tr td th blockquote".split())


def _tag_space(m: re.Match[str]) -> str:
    """A block tag becomes a space (two paragraphs' words stay apart), any other tag nothing."""
    return " " if (m.group(2) or "").lower() in _BLOCKS else ""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = storable(str(value)).strip()  # (feedparser passes a NUL byte through)
    return text or None


def _date(value: time.struct_time | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
    except (OverflowError, ValueError, OSError):
        return None


_SY_PERIOD = {"hourly": 3600, "daily": 86400, "weekly": 7 * 86400, "monthly": 30 * 86400, "yearly": 365 * 86400}


def _ttl(feed: Any) -> int | None:
    """The feed's own least time between polls: RSS `ttl` (minutes) or `sy:updatePeriod` / `sy:updateFrequency`."""
    hints = []
    ttl = _count(feed.get("ttl"))
    if ttl:
        hints.append(ttl * 60)
    period = _SY_PERIOD.get(str(feed.get("sy_updateperiod") or "").strip().lower())
    if period:
        freq = _count(feed.get("sy_updatefrequency"))
        hints.append(period // freq if freq else period)
    return max(hints) if hints else None


def _count(value: Any) -> int | None:
    """A whole number written in ASCII digits (at most nine: `str.isdigit` also takes '²', which `int` refuses,
    and `int` refuses over 4,300 digits)."""
    text = str(value or "").strip()
    return int(text) if _COUNT.fullmatch(text) else None


_COUNT = re.compile(r"[0-9]{1,9}")


# entity declarations in the prolog; feedparser itself drops those whose value holds '&' (nested: billion laughs)
_ENTITY = re.compile(rb"<!ENTITY\s+(?!%)([\w.:-]+)\s+(?:\"([^\"]*)\"|'([^']*)')\s*>")
_ANY_ENTITY = re.compile(rb"<!ENTITY\s[^>]*>")
_REFERENCE = re.compile(rb"&([\w.:-]+);")
ENTITY_BUDGET = 1_000_000  # bytes the document's own entities may add when expanded


def defuse_entities(data: bytes) -> tuple[bytes, str | None]:
    """The document without its entity declarations when expanding them would add more than ENTITY_BUDGET bytes.

    expat stops nested expansion ("billion laughs") itself, but one long entity
    referenced a hundred thousand times ("quadratic blowup") passes feedparser's
    filter and is expanded by its fallback parser: 150 KB becoming gigabytes.
    """
    first = re.search(rb"<[A-Za-z]", data)
    head = data[: first.start()] if first else data
    if b"<!ENTITY" not in head:
        return data, None
    body = data[len(head):]
    # every reference counted in one pass (counting each declared name's anew read the body once a declaration:
    # 20,000 declarations before a 10 MB body were minutes of CPU at every poll)
    refs = Counter(_REFERENCE.findall(body))
    added = 0
    for m in _ENTITY.finditer(head):
        value = m.group(2) if m.group(2) is not None else m.group(3) or b""
        added += len(value) * refs[m.group(1)]
    if added <= ENTITY_BUDGET:
        return data, None
    reason = f"entity declarations dropped: expanding them would add {added} bytes"
    return _ANY_ENTITY.sub(b"", head) + body, reason


def _bozo_reason(d: Any) -> str | None:
    exc = d.get("bozo_exception")
    if exc is None:
        return None
    text = str(getattr(exc, "getMessage", lambda: exc)()) or type(exc).__name__
    line = getattr(exc, "getLineNumber", lambda: None)()
    return f"{text} (line {line})" if line else text
