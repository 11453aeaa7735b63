"""Digest channels: one message listing the alerts since the last digest (pure helpers)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from watcher.config.durations import parse_duration
from watcher.model import Delivery

_DAILY = re.compile(r"^daily\s+([01]?\d|2[0-3]):([0-5]\d)$", re.I)
_EVERY = re.compile(r"^every\s+(.+)$", re.I)


def check_spec(spec: str) -> str:
    """`hourly`, `daily HH:MM` (UTC) or `every <duration>`; ValueError otherwise."""
    next_digest(spec, datetime(2026, 1, 1).astimezone())
    return spec


def next_digest(spec: str, last: datetime) -> datetime:
    """The first digest time after `last`."""
    text = spec.strip()
    if text.lower() == "hourly":
        return last.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    m = _DAILY.match(text)
    if m:
        at = last.replace(hour=int(m.group(1)), minute=int(m.group(2)), second=0, microsecond=0)
        return at if at > last else at + timedelta(days=1)
    m = _EVERY.match(text)
    if m:
        return last + timedelta(seconds=parse_duration(m.group(1)))
    raise ValueError(f"'{spec}' is not a digest schedule (write hourly, daily 08:00 or every 6h)")


def compose_digest(items: list[Delivery], updates: bool = False) -> tuple[str, str]:
    """One message listing the alerts (or, with `updates`, the later reports of stories already alerted on)."""
    n = len(items)
    title = (f"watcher: {n} more report{'s' if n != 1 else ''} of stories already alerted on" if updates
             else f"watcher digest: {n} alert{'s' if n != 1 else ''}")
    return title, "\n".join(_line(d) for d in items)


def _line(d: Delivery) -> str:
    lines = d.body.splitlines()
    head = lines[0] if lines else ""
    link = next((line for line in lines if line.startswith(("http://", "https://"))), "")
    return f"- {d.title}: {head.strip('*')} {link}".rstrip()


def batches(items: list[Delivery], room: int | None) -> list[list[Delivery]]:
    """`items` in order, in runs whose digest bodies take at most `room` characters each, so a service's
    limit cuts no alert out of a digest (an alert whose line alone is longer goes in a run of its own)."""
    if room is None:
        return [items] if items else []
    out: list[list[Delivery]] = []
    size = room + 1
    for d in items:
        length = len(_line(d)) + 1  # and its line break
        if size + length > room + 1:
            out.append([])
            size = 0
        out[-1].append(d)
        size += length
    return out
