"""Canonical article URLs: the same page reached through tracking links is one article."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

# courlan already drops the common trackers (utm_*, fbclid, gclid, ...); these are
# further ones seen on news links, matched whole and case-insensitively.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|mc_cid|mc_eid|_ga|_gl|"
    r"ocid|cmpid|ito|xtor|__twitter_impression|s_cid|at_medium|at_campaign|smid|sr_share)$",
    re.I,
)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters.

    Remaining query parameters keep their values and are sorted, so the same
    page linked with parameters in another order is still one article.
    """
    url = url.strip()
    try:
        normal = normalize_url(url, strict=False)
    except Exception:  # courlan rejects some odd but fetchable URLs; fall back to ours
        normal = url
    try:
        parts = urlsplit(normal)
        port = parts.port
    except ValueError:  # a broken link ('[::1', port 99999) is still one entry's key; its fetch reports it
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    host = (parts.hostname or "").lower()
    netloc = f"[{host}]" if ":" in host else host  # an IPv6 address keeps its brackets
    if port and not (parts.scheme == "http" and port == 80 or parts.scheme == "https" and port == 443):
        netloc += f":{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(sorted(query)), ""))


def is_page_link(url: str) -> bool:
    """A link that can name an article: http(s), or relative (a `javascript:`, `mailto:` or `data:` link names
    none, and entries of every feed that carry the same one are not one article)."""
    scheme = _SCHEME.match(url.strip())  # (not urlsplit: a broken link, '[::1', is still an entry's link)
    return scheme is None or scheme[1].lower() in ("http", "https")


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
