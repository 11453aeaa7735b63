"""The shape of `watcher.yaml`, as pydantic models (unknown keys are errors)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)

from watcher.config.durations import parse_duration

Duration = Annotated[float, BeforeValidator(parse_duration)]
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


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Defaults(Strict):
    interval: Duration = 15 * 60
    timeout: Duration = 20


class SourceConfig(Strict):
    id: str
    url: str
    type: Literal["feed", "page", "sitemap"] | None = None
    name: str | None = None
    interval: Duration | None = None
    timeout: Duration | None = None
    tags: tuple[str, ...] = ()
    baseline: bool = True

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not SOURCE_ID.match(v):
            raise ValueError(f"source id '{v}' may hold only letters, digits, '.', '_' and '-'")
        return v

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.match(r"^https?://[^/\s]+", v, re.IGNORECASE):
            raise ValueError(f"'{v}' is not an http(s) URL")
        return v


class HttpConfig(Strict):
    allow_private: bool = False
    user_agent: str | None = None
    max_bytes: ByteSize = 10 * 1000**2
    max_redirects: int = Field(default=10, ge=0, le=30)
    concurrency: int = Field(default=16, ge=1, le=512)
    per_host: int = Field(default=2, ge=1, le=64)


class ExtractConfig(Strict):
    workers: int | None = Field(default=None, ge=1, le=64)  # default: one per core
    timeout: Duration = 30


def _apprise_url(url: str) -> str:
    from watcher.deliver.channels import (
        url_error,  # Apprise loads only when channels exist
    )

    why = url_error(url)
    if why:
        raise ValueError(why)
    return url


AppriseURL = Annotated[str, AfterValidator(_apprise_url)]


class ChannelConfig(Strict):
    urls: list[AppriseURL] = Field(min_length=1)
    pace: Duration | None = None  # least time between two messages to one URL (default 1s for chat services)
    digest: str | None = None  # hourly | daily 08:00 | every 6h: one message listing the alerts since the last
    template: str | None = None  # Jinja2 for this channel's message body (overrides the rule's)
    format: Literal["markdown", "html", "text"] = "markdown"  # what the template writes; html is autoescaped

    @field_validator("template")
    @classmethod
    def _template(cls, v: str | None) -> str | None:
        from watcher.alert.template import check_template

        return None if v is None else check_template(v)

    @field_validator("digest")
    @classmethod
    def _digest(cls, v: str | None) -> str | None:
        from watcher.deliver.digest import check_spec

        return None if v is None else check_spec(v)


class DeliveryConfig(Strict):
    retry: Duration = 30  # first retry after this, doubling each time (with jitter)
    max_retry: Duration = 3600  # never wait longer than this between tries
    max_age: Duration = 86400  # an alert not delivered by then is given up (dead)
    admin: str | None = "admin"  # channel for "channel failing" and "alert dead" notices, if defined


class ServerConfig(Strict):
    listen: str = "127.0.0.1:8080"

    @field_validator("listen")
    @classmethod
    def _listen(cls, v: str) -> str:
        host, sep, port = v.rpartition(":")
        if not sep or not port.isdigit() or not (0 < int(port) < 65536):
            raise ValueError(f"'{v}' is not host:port")
        return v


class ConfigFile(Strict):
    database: str = "data/watcher.db"
    rules: str | None = None  # a folder of rule files, or one file
    include: list[str] = []
    defaults: Defaults = Defaults()
    sources: list[SourceConfig] = []
    http: HttpConfig = HttpConfig()
    extract: ExtractConfig = ExtractConfig()
    channels: dict[str, ChannelConfig] = {}
    delivery: DeliveryConfig = DeliveryConfig()
    server: ServerConfig | None = None


class IncludedFile(Strict):
    """A file named by `include:`; it adds sources (OPML imports land here)."""

    sources: list[SourceConfig] = []
