"""Can a URL be requested at all? (pure: the same answer for `check` and for every poll)"""

from __future__ import annotations

import ipaddress

import httpx

MAX_URL = 16 * 1024  # characters; longer links are refused (real article links stay far below)


def url_problem(url: str) -> str | None:
    """What keeps `url` from being requested (not http(s), no host or one that is no valid name or address, a
    port out of range, too long), or None."""
    if len(url) > MAX_URL:
        return f"longer than {MAX_URL} characters"
    try:
        parsed = httpx.URL(url)
        parsed.host  # decodes the IDNA labels: an empty or malformed one ('xn--') raises here
        host = parsed.raw_host.decode("ascii")
        port = parsed.port
    except (httpx.InvalidURL, ValueError, UnicodeError) as e:  # idna.IDNAError is a UnicodeError
        return (str(e) or type(e).__name__).splitlines()[0][:200]
    if parsed.scheme not in ("http", "https"):
        return "only http and https are fetched"
    problem = _host_problem(host)
    if problem is None and port is not None and not 0 < port < 65536:
        problem = f"port {port} is out of range"
    return problem


def _host_problem(host: str) -> str | None:
    if not host:
        return "no host"
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        return None
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if len(host) > 253 or any(not 0 < len(label) < 64 for label in labels):
        return "the host name is not a valid DNS name"
    return None
