"""The config of a `type: watch` source (what region of the page to version) and per-source request options."""

from __future__ import annotations

import base64
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from watcher.logs import remember_secrets
from watcher.parse.region import Region


def _listify(v: object) -> object:
    return [v] if isinstance(v, str) else v


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WatchConfig(_Strict):
    """Which part of one page (or JSON document) is watched; at most one of css, xpath, json.

    None of them: the page's main text (its <main> or <article>, else the body without navigation)."""

    css: str | None = None  # a CSS selector (cssselect); every element it selects
    xpath: str | None = None  # an XPath 1.0 expression (lxml)
    json_path: str | None = Field(default=None, alias="json")  # a JSON path (jsonpath-ng, with filters: $.items[?(@.id == 3)].price)
    ignore: Annotated[list[str], BeforeValidator(_listify)] = []  # RE2 patterns removed before comparing
    keep: int = Field(default=100, ge=2, le=100_000)  # versions kept per source; older ones are deleted

    @model_validator(mode="after")
    def _one_region(self) -> "WatchConfig":
        given = [k for k, v in (("css", self.css), ("xpath", self.xpath), ("json", self.json_path)) if v]
        if len(given) > 1:
            raise ValueError(f"give one of css, xpath, json (not {' and '.join(given)})")
        self.region()  # compiles the expression now, so `watcher check` reports a bad one at its line
        return self

    @field_validator("ignore")
    @classmethod
    def _patterns(cls, v: list[str]) -> list[str]:
        from watcher.match.regex import compile_user_regex

        for pattern in v:
            compile_user_regex(pattern)
        return v

    def region(self) -> Region:
        return Region.of(css=self.css, xpath=self.xpath, json=self.json_path, ignore=tuple(self.ignore))


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # a header or cookie name (RFC 9110 token)
_BAD_IN_VALUE = re.compile(r"[^\t\x20-\x7e]")  # line breaks, control and non-ASCII characters


def _header_name(v: str) -> str:
    if not _TOKEN.fullmatch(v):
        raise ValueError(f"'{v[:60]}' is not a header or cookie name (letters, digits and !#$%&'*+.^_`|~- only, no spaces)")
    return v


def _header_value(v: str) -> str:
    bad = _BAD_IN_VALUE.search(v)
    if bad:  # the value itself is not shown: it may be a secret from ${VAR}
        raise ValueError(f"the value holds {'a line break' if bad.group() in chr(10) + chr(13) else repr(bad.group())} "
                         f"at character {bad.start() + 1}: a request header takes printable ASCII only")
    return v


def _cookie_value(v: str) -> str:
    if ";" in v:
        raise ValueError("a cookie value may not hold ';' (it would end the cookie)")
    return v


HeaderName = Annotated[str, AfterValidator(_header_name)]
HeaderValue = Annotated[str, AfterValidator(_header_value)]  # also a User-Agent


class BasicAuth(_Strict):
    username: str = Field(min_length=1)
    password: str = ""


class RequestConfig(_Strict):
    """Per-source request options. Write secrets as ${VAR}: their values are masked in every log line and table."""

    headers: dict[HeaderName, HeaderValue] = {}
    cookies: dict[HeaderName, Annotated[HeaderValue, AfterValidator(_cookie_value)]] = {}
    auth: BasicAuth | None = None  # HTTP basic auth
    user_agent: HeaderValue | None = None

    @model_validator(mode="after")
    def _mask(self) -> "RequestConfig":
        remember_secrets([*self.headers.values(), *self.cookies.values(),
                          *([self.auth.password, self._basic()] if self.auth else [])])
        return self

    def _basic(self) -> str:
        assert self.auth is not None
        return base64.b64encode(f"{self.auth.username}:{self.auth.password}".encode()).decode()

    def as_headers(self) -> dict[str, str]:
        """The options as request headers (cookies in one Cookie header, basic auth as Authorization)."""
        out = dict(self.headers)
        if self.cookies:
            out["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.auth:
            out["Authorization"] = f"Basic {self._basic()}"
        if self.user_agent:
            out["User-Agent"] = self.user_agent
        return out
