"""Logging: one line per event on stdout, with secrets in URLs redacted."""

from __future__ import annotations

import logging
import re
import sys

# user:password@ in URLs, and token-like query values (token=, key=, secret=, password=)
_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/\s@:]+(:[^/\s@]*)?@", re.I)
_QUERY_SECRET = re.compile(r"(?P<k>[?&](?:token|key|apikey|api_key|secret|password|pass|auth)=)[^&\s]+", re.I)


# Apprise URLs of other services carry their secret in the authority (tgram://TOKEN/chat)
_SERVICE_AUTHORITY = re.compile(r"\b(?!https?://)(?P<scheme>[a-z][a-z0-9+.-]*://)[^/\s?#]+", re.I)


def redact(text: str) -> str:
    """The text with passwords, tokens and service credentials in URLs replaced by ***."""
    text = _USERINFO.sub(lambda m: f"{m.group('scheme')}***@", text)
    text = _SERVICE_AUTHORITY.sub(lambda m: f"{m.group('scheme')}***", text)
    return _QUERY_SECRET.sub(lambda m: f"{m.group('k')}***", text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # libraries log every request or guess at HTML; our own lines say what matters
    for noisy in ("httpx", "httpcore", "hpack", "trafilatura", "htmldate", "courlan", "apscheduler", "charset_normalizer",
                  "apprise"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("apscheduler.executors.default").setLevel(logging.ERROR)
