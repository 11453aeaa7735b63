"""Logging: one line per event on stdout (plain text or JSON), with secrets redacted.

Two layers keep secrets out of log lines and stored error texts: `redact()`
masks the parts of URLs that carry credentials (user:password@, token query
values, Apprise service tokens, webhook paths), and the private parts of
every configured channel URL are remembered (`remember_secrets`) and masked
wherever they appear, with or without a URL around them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator

MASK = "***"

# user:password@ in URLs (a scheme starts only where a scheme may start: without the look-behind, a long run of
# letters is scanned again from each of its letters, and a 65,000-character link takes a minute to log)
_USERINFO = re.compile(r"(?<![a-z0-9+.-])(?P<scheme>[a-z][a-z0-9+.-]*://)[^/\s@:'\"<>]+(:[^/\s@'\"<>]*)?@", re.I)
# query (and fragment) parameters: a value is masked when a word of its name says it is a credential
_QUERY_PARAM = re.compile(r"(?P<k>[?&;#](?P<name>[A-Za-z0-9_.\-\[\]]{1,80})=)(?P<v>[^&;#\s'\"<>]+)")
_NAME_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")  # apiKey -> api, Key; X-Amz-Signature -> X, Amz, Signature
_SECRET_WORDS = frozenset({
    "token", "key", "apikey", "secret", "password", "passwd", "pass", "pwd", "passphrase", "sig", "signature",
    "auth", "authorization", "credential", "credentials", "session", "sessionid", "sid", "jwt", "bearer", "otp",
})
# Apprise URLs of other services carry secrets in the authority and the path (tgram://TOKEN/chat,
# slack://A/B/C, json://host/secret-path): only the scheme and a host name stay readable
_SERVICE_URL = re.compile(r"\b(?!https?://)(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<rest>[^\s'\"<>]+)", re.I)
_HOSTNAME = re.compile(r"^(?:\*\*\*@)?(?:localhost|\[[0-9a-f:.]+\]|[a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?$", re.I)
# web hooks whose path is the secret (Slack, Discord, Teams, Telegram's bot API, generic .../hooks/...)
_WEBHOOK_PATH = re.compile(
    r"(?P<keep>https?://(?:hooks\.slack\.com/services/|(?:[a-z0-9-]+\.)?discord(?:app)?\.com/api/webhooks/"
    r"|[a-z0-9.-]*webhook\.office\.com/|api\.telegram\.org/bot"
    r"|[^/\s'\"<>]+/(?:[^\s/?#'\"<>]+/)*?(?:web-?)?hooks?/))(?P<secret>[^\s'\"<>?#]*)",
    re.I,
)
# bare credentials in well-known shapes: Telegram bot tokens, Slack tokens
_BARE_TOKEN = re.compile(r"(?<![0-9])\d{6,}:[A-Za-z0-9_-]{20,}|\bxox[abposr]-[A-Za-z0-9-]{10,}")
# a path segment that looks generated: 20+ characters mixing upper case, lower case and digits, no word in it
_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_-]{20,}(?=[/?#\s'\"<>]|$)")
_WORD = re.compile(r"[a-z]{6,}")


def _token_segment(m: re.Match[str]) -> str:
    s = m.group(0)
    looks_generated = (any(c.isupper() for c in s) and any(c.islower() for c in s) and any(c.isdigit() for c in s)
                       and not _WORD.search(s))
    return MASK if looks_generated else s


_secrets: set[str] = set()  # private parts of configured channel URLs, longest first when masking
_secrets_lock = threading.Lock()
_secrets_pattern: re.Pattern[str] | None = None
MIN_SECRET = 4  # shorter values would mask ordinary words
LONG_SECRET = 12


def remember_secrets(values: Iterable[str]) -> None:
    """Mask these exact strings in every later log line and error text."""
    global _secrets_pattern
    with _secrets_lock:
        new = {v for v in values if v and len(v) >= MIN_SECRET} - _secrets
        if not new:
            return
        _secrets.update(new)
        ordered = sorted(_secrets, key=len, reverse=True)
        # a long secret is masked wherever it appears; a short one only as a whole word ("pass" in "passengers" stays)
        _secrets_pattern = re.compile("|".join(
            re.escape(s) if len(s) >= LONG_SECRET else rf"(?<![A-Za-z0-9]){re.escape(s)}(?![A-Za-z0-9])"
            for s in ordered
        ))


def _service_url(m: re.Match[str]) -> str:
    rest = m.group("rest")
    authority, sep, _ = rest.partition("/")
    authority = authority.split("?", 1)[0]
    if _HOSTNAME.match(authority):
        return f"{m.group('scheme')}{authority}" + (f"/{MASK}" if sep or "?" in rest else "")
    return f"{m.group('scheme')}{MASK}"


def secret_param(name: str) -> bool:
    """Whether a query parameter of this name carries a credential (auth_token, X-Amz-Signature, apiKey, sig, ...)."""
    return any(w.lower() in _SECRET_WORDS for w in _NAME_WORD.findall(name))


def _query_secret(m: re.Match[str]) -> str:
    return f"{m.group('k')}{MASK}" if secret_param(m.group("name")) else m.group(0)


def redact_link(url: str) -> str:
    """A link with its credentials masked (user:password@, credential query values) and all else kept, so it
    still leads to the page: for the article links in alerts."""
    return _QUERY_PARAM.sub(_query_secret, _USERINFO.sub(lambda m: f"{m.group('scheme')}{MASK}@", url))


def redact(text: str) -> str:
    """The text with passwords, tokens and service credentials replaced by ***: every URL, error text and
    value `watcher` shows (logs, tables, --json) goes through here."""
    pattern = _secrets_pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = _USERINFO.sub(lambda m: f"{m.group('scheme')}{MASK}@", text)
    text = _SERVICE_URL.sub(_service_url, text)
    text = _WEBHOOK_PATH.sub(lambda m: f"{m.group('keep')}{MASK}" if m.group("secret") else m.group(0), text)
    text = _BARE_TOKEN.sub(MASK, text)
    text = _SEGMENT.sub(_token_segment, text)
    return _QUERY_PARAM.sub(_query_secret, text)


def redact_all(value: Any) -> Any:
    """`value` (a row of a listing: strings in dicts and lists) with every string redacted."""
    return _map_strings(value, redact)


MAX_FIELD = 4000  # characters of one logged value; a 10 MB title is logged as its start and its length
# characters that end a line for some reader (C0, DEL, C1, Unicode line/paragraph separators) or that reorder or
# hide text on a terminal (bidi controls): a feed's GUID or title could otherwise write a line of its own
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str, limit: int = MAX_FIELD) -> str:
    """`text` with every control character escaped (\\n, \\x1b, \\u2028) and at most `limit` characters kept."""
    text = _bounded(text, limit)
    return _UNSAFE.sub(lambda m: _ESCAPES.get(m.group(0)) or f"\\u{ord(m.group(0)):04x}", text)


class RedactingFormatter(logging.Formatter):
    """The plain format: one line per record; values are escaped and bounded before they are put in the line.
    A traceback follows on lines of its own, each indented, so a line at column 0 is always a record."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        safe = logging.makeLogRecord({k: one_line(v) if isinstance(v, str) else v for k, v in vars(record).items()})
        return super().formatMessage(safe)

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        line = self.formatMessage(record)
        extra = ""
        if record.exc_info:
            extra = self.formatException(record.exc_info)
        elif record.exc_text:
            extra = record.exc_text
        if record.stack_info:
            extra = f"{extra}\n{self.formatStack(record.stack_info)}" if extra else self.formatStack(record.stack_info)
        if extra:
            line += "".join(f"\n    {one_line(part)}" for part in extra.splitlines())
        return redact(line)


# attributes every LogRecord has; anything else on a record came from `extra=` and is logged too
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


# fields of the work under way (the source being polled), added to every JSON line logged meanwhile
_context_fields: ContextVar[dict[str, Any]] = ContextVar("watcher_log_fields", default={})


@contextmanager
def log_fields(**fields: Any) -> Iterator[None]:
    """Within this block (this task or thread only), JSON log lines carry `fields` (`source`, ...) unless a line
    gives its own value for one in `extra=`."""
    token = _context_fields.set({**_context_fields.get(), **fields})
    try:
        yield
    finally:
        _context_fields.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, the record's extras (`source`, `rule`, `story`,
    `alert`, `channel`, ... given with `extra=`), the fields of `log_fields` around it, exc (if any)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(_bounded(record.getMessage())),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in out:
                out[key] = _clean(value)
        for key, value in _context_fields.get().items():
            out.setdefault(key, _clean(value))
        if record.exc_info:
            out["exc"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            out["exc"] = redact(record.exc_text)
        # JSON escapes control characters itself; U+2028/U+2029 it leaves raw, and some readers split lines there
        return json.dumps(out, ensure_ascii=False, default=str).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _bounded(text: str, limit: int = MAX_FIELD) -> str:
    """The first `limit` characters of a long text, and its length (redacted a little beyond the cut, so a
    secret that straddles it is masked, not half shown)."""
    if len(text) <= limit:
        return text
    return f"{redact(text[:limit + 512])[:limit]}... ({len(text)} characters)"


def _clean(value: Any) -> Any:
    return _map_strings(value, lambda s: redact(_bounded(s)))


def _map_strings(value: Any, f: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return f(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_map_strings(v, f) for v in value]
    if isinstance(value, dict):
        return {str(k): _map_strings(v, f) for k, v in value.items()}
    return f(str(value))


LOG_FORMATS = ("plain", "json")


def logs_as_json() -> bool:
    """Whether log lines are JSON objects (then console:// alerts are logged as records, not printed as text,
    so stdout stays one JSON object a line)."""
    return any(isinstance(h.formatter, JsonFormatter) for h in logging.getLogger().handlers)


def setup_logging(level: str = "info", fmt: str = "plain") -> None:
    handler = logging.StreamHandler(sys.stdout)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # libraries log every request or guess at HTML; our own lines say what matters
    # (Apprise's debug lines also carry the full service URL, tokens included)
    for noisy in ("httpx", "httpcore", "hpack", "trafilatura", "htmldate", "courlan", "apscheduler", "charset_normalizer",
                  "apprise"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("apscheduler.executors.default").setLevel(logging.ERROR)
