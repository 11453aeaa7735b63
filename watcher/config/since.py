"""`--since` as either an age (`7d`, `12h`, `90m`) or a date (`2026-11-17`, `2026-11-17T08:30`, UTC), in every
command that takes it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import click

from watcher.config.durations import parse_duration

DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S")


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """The moment `text` names (UTC); ValueError in words when it is neither an age nor a date."""
    text = text.strip()
    if text[-3:].upper() == "UTC" and text[:1].isdigit() and "-" in text:  # `2026-11-17T08:30 UTC`, as --help shows
        text = text[:-3].rstrip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    try:
        when = datetime.fromisoformat(text)
        return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    except ValueError:
        pass
    try:
        age = parse_duration(text)
    except ValueError:
        raise ValueError(f"'{text}' is neither an age (7d, 12h, 90m) nor a date (2026-11-17, "
                         "2026-11-17T08:30)") from None
    return (now or datetime.now(timezone.utc)) - timedelta(seconds=age)


class Since(click.ParamType):
    name = "AGE|DATE"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_since(str(value))
        except ValueError as e:
            self.fail(str(e), param, ctx)


SINCE = Since()
SINCE_HELP = "an age (7d, 12h) or a date (2026-11-17, 2026-11-17T08:30 UTC)"
