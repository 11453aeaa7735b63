"""The shape of `watcher.yaml`, as pydantic models (unknown keys are errors)."""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass

from watcher.config.database import check as check_database
from watcher.config.durations import bounded_duration, shown
from watcher.config.watch import HeaderValue, RequestConfig, WatchConfig

SHORTEST_WAIT = 0.01  # seconds: the least a wait (retry, pace, timeout of one article) may be


def _duration(value: object) -> float:
    return bounded_duration(value, 1.0)


def _wait(value: object) -> float:
    return bounded_duration(value, SHORTEST_WAIT)


def _parse_gap(value: object) -> float:
    """A wait that may be zero ("0", "0s": no gap)."""
    if str(value).strip().rstrip("smh").strip() in ("0", "0.0"):
        return 0.0
    return _wait(value)


Duration = Annotated[float, BeforeValidator(_duration)]  # 1 s to 1 year: schedules, ages, timeouts
Wait = Annotated[float, BeforeValidator(_wait)]  # 10 ms to 1 year: a pause between tries or messages
Gap = Annotated[float, BeforeValidator(_parse_gap)]


# imported when first used: alert and deliver import config themselves
def _template(v: str) -> str:
    from watcher.alert.template import check_template

    return check_template(v)


def _digest_spec(v: str) -> str:
    from watcher.deliver.digest import check_spec

    return check_spec(v)


Template = Annotated[str, AfterValidator(_template)]  # Jinja2 text, checked (sandboxed) at load time
DigestSpec = Annotated[str, AfterValidator(_digest_spec)]  # hourly | daily 08:00 | every 6h
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?\s*$", re.IGNORECASE)
_SIZE_UNIT = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "kib": 1024, "mib": 1024**2, "gib": 1024**3}
SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _parse_size(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    m = _SIZE.match(str(value))
    if not m:
        raise ValueError(f"'{value}' is not a size (write e.g. 5MB, 512KiB)")
    return int(float(m.group(1)) * _SIZE_UNIT[(m.group(2) or "b").lower()])


ByteSize = Annotated[int, BeforeValidator(_parse_size), Field(gt=0)]


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Defaults(Strict):
    interval: Duration = 15 * 60
    timeout: Duration = 20
    adaptive: bool = False  # poll about twice per new entry, within min_interval..max_interval
    min_interval: Duration = 5 * 60
    max_interval: Duration = 6 * 3600
    max_new_per_poll: int = Field(default=100, ge=1, le=100_000)  # new entries taken per poll; the rest wait

    @model_validator(mode="after")
    def _bounds(self) -> "Defaults":
        _check_bounds(self.min_interval, self.max_interval)
        return self


def _check_bounds(low: float | None, high: float | None) -> None:
    if low is not None and high is not None and low > high:
        raise ValueError(f"min_interval ({low:g}s) is longer than max_interval ({high:g}s)")


@dataclass(frozen=True, slots=True, config=ConfigDict(extra="forbid"))
class SourceConfig:
    """One source. A slotted dataclass that pydantic validates (errors as for the models): a config of 10,000
    sources keeps about 150 bytes each, not a model's ~900 (its own __dict__ and fields-set)."""

    id: str
    url: str
    type: Literal["feed", "page", "sitemap", "watch"] | None = None
    name: str | None = None
    watch: WatchConfig | None = None  # type: watch: the region of the page versioned (default: main text)
    request: RequestConfig | None = None  # headers, cookies, auth, user_agent for this source's requests
    interval: Duration | None = None
    timeout: Duration | None = None
    tags: tuple[str, ...] = ()
    baseline: bool = True
    adaptive: bool | None = None  # default: defaults.adaptive
    min_interval: Duration | None = None
    max_interval: Duration | None = None
    max_new_per_poll: int | None = Field(default=None, ge=1, le=100_000)  # default: defaults.max_new_per_poll

    @model_validator(mode="after")
    def _bounds(self) -> "SourceConfig":
        _check_bounds(self.min_interval, self.max_interval)
        if self.watch is not None and self.type != "watch":
            raise ValueError("`watch:` options need `type: watch`")
        return self

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not SOURCE_ID.match(v):
            raise ValueError(f"source id '{v}' may hold only letters, digits, '.', '_' and '-'")
        return v

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if control := _CONTROL.search(v):  # (a NUL or a line break a YAML escape put there, shown escaped)
            shown = v.encode("unicode_escape").decode("ascii")
            raise ValueError(f"'{shown}' holds a control character ({control[0]!r}): no request can carry it")
        if not re.match(r"^https?://[^/\s]+", v, re.IGNORECASE):
            raise ValueError(f"'{v}' is not an http(s) URL")
        # what no request can be made to failed at every poll: urllib's words for a port that is no number or an
        # unclosed '[', then the fetcher's own check (a host that is no DNS name, a port out of range, ...),
        # imported here: matching imports config, and reaches no HTTP client
        from watcher.fetch.urls import url_problem

        try:
            urlsplit(v).port
        except ValueError as e:
            raise ValueError(f"'{v}' is not a usable URL: {e}") from None
        if problem := url_problem(v):
            raise ValueError(f"'{v}' is not a usable URL: {problem}")
        return v


class HttpConfig(Strict):
    allow_private: bool = False
    user_agent: HeaderValue | None = None
    max_bytes: ByteSize = 10 * 1000**2
    max_redirects: int = Field(default=10, ge=0, le=30)
    concurrency: int = Field(default=16, ge=1, le=512)
    per_host: int = Field(default=2, ge=1, le=64)
    host_gap: Gap = 0.0  # least time between the starts of two requests to one host
    moved_after: int = Field(default=3, ge=1, le=100)  # polls answering 301/308 alike before the URL is replaced


class ExtractConfig(Strict):
    workers: int | None = Field(default=None, ge=1, le=64)  # default: one per core
    timeout: Wait = 30


def _apprise_url(url: str) -> str:
    from watcher.deliver.channels import (
        url_error,  # Apprise loads only when channels exist
    )

    why = url_error(url)
    if why:
        raise ValueError(why)
    return url


AppriseURL = Annotated[str, AfterValidator(_apprise_url)]


def url_key(url: str) -> str:
    """A channel URL's key in the outbox: the same URL has the same key wherever it stands in the list, and the
    key does not show the URL's secrets (the first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class ChannelConfig(Strict):
    urls: list[AppriseURL] = Field(min_length=1)
    pace: Wait | None = None  # least time between two messages to one URL (default 1s for chat services)
    digest: DigestSpec | None = None  # hourly | daily 08:00 | every 6h: one message listing the alerts since the last
    template: Template | None = None  # Jinja2 for this channel's message body (overrides the rule's)
    format: Literal["markdown", "html", "text"] = "markdown"  # what the template writes; html is autoescaped
    # a send with no answer after read_timeout is a failed try (the service may have the message): retried after
    # its backoff, never at once
    connect_timeout: Annotated[Duration, Field(gt=0, le=60)] = 10
    read_timeout: Annotated[Duration, Field(gt=0, le=60)] = 20



class DeliveryConfig(Strict):
    retry: Wait = 30  # first retry after this, doubling each time (with jitter)
    max_retry: Duration = 3600  # never wait longer than this between tries
    max_age: Duration = 86400  # an alert not delivered by then is given up (dead)
    admin: str | None = "admin"  # channel for "channel failing" and "alert dead" notices, if defined
    source_failing_after: Duration = 6 * 3600  # a source failing this long gets one notice (and one on recovery)


class StoriesConfig(Strict):
    window: Duration = 3 * 86400  # reports this close in time, with the same names and figures, are one story
    updates_digest: DigestSpec = "hourly"  # when rules with `updates: digest` send the later reports of their stories


def is_listen(address: str) -> bool:
    """Is `address` HOST:PORT to listen on (IPv6 in brackets: `[::1]:8080`; an empty host: every address)?"""
    m = re.fullmatch(r"(\[[0-9a-fA-F:.]+\]|[^:\s]*):(\d{1,5})", address)
    return bool(m) and 0 < int(m[2]) < 65536


class ServerConfig(Strict):
    listen: str = "127.0.0.1:8080"
    console: bool = True  # the web console beside /healthz and /metrics (credentials needed off loopback)

    @field_validator("listen")
    @classmethod
    def _listen(cls, v: str) -> str:
        if not is_listen(v):
            raise ValueError(f"'{v}' is not host:port")
        return v


VACUUM_EVERY = {"daily": 86400.0, "weekly": 7 * 86400.0, "monthly": 30 * 86400.0}


def _vacuum_schedule(value: object) -> float | None:
    if value is None or (isinstance(value, str) and value.strip().lower() == "never") or value is False:
        return None
    if isinstance(value, str) and value.strip().lower() in VACUUM_EVERY:
        return VACUUM_EVERY[value.strip().lower()]
    try:
        return _duration(value)
    except ValueError as e:
        if "not a duration" not in str(e):
            raise
        raise ValueError(f"'{shown(value)}' is not a vacuum schedule (write daily, weekly, monthly, never, "
                         "or a duration such as 3d)") from None


class RetentionConfig(Strict):
    bodies: Duration | None = None  # empty the body of articles stored longer ago than this; None keeps them
    vacuum: Annotated[float | None, BeforeValidator(_vacuum_schedule)] = None  # seconds between VACUUMs; None: never


def _file_name(v: str) -> str:
    if not v.strip() or "\x00" in v or len(v) > 4096:
        raise ValueError("not a file name (empty, too long, or with a NUL character)")
    return v


FileName = Annotated[str, AfterValidator(_file_name)]  # relative to the config file's folder


def _database(v: str) -> str:
    wrong = check_database(v)
    if wrong:
        raise ValueError(wrong)
    return v


Database = Annotated[FileName, AfterValidator(_database)]  # a SQLite file, or a postgresql:// URL


class ConfigFile(Strict):
    database: Database = "data/watcher.db"
    rules: FileName | None = None  # a folder of rule files, or one file
    include: list[FileName] = []
    defaults: Defaults = Defaults()
    sources: list[SourceConfig] = []
    http: HttpConfig = HttpConfig()
    extract: ExtractConfig = ExtractConfig()
    channels: dict[str, ChannelConfig] = {}
    delivery: DeliveryConfig = DeliveryConfig()
    server: ServerConfig | None = None
    retention: RetentionConfig = RetentionConfig()
    stories: StoriesConfig = StoriesConfig()


class IncludedFile(Strict):
    """A file named by `include:`; it adds sources (OPML imports land here)."""

    sources: list[SourceConfig] = []
