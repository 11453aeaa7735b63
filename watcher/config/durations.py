"""Durations as users write them: `90s`, `15m`, `1h30m`, `2d`, or plain seconds."""

from __future__ import annotations

import math
import re

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)", re.IGNORECASE)
_UNIT = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
YEAR = 365 * 86400.0
LONGEST = 100 * YEAR  # past this a date computed from a duration overflows soon enough; no clock waits that long


def parse_duration(value: object, longest: float = LONGEST) -> float:
    """Seconds in `value` (positive, at most `longest`); ValueError with a readable message otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a duration (write e.g. 90s, 15m, 1h)")
    if isinstance(value, (int, float)):
        try:
            total = float(value)
        except OverflowError:
            total = math.inf
        if math.isnan(total):
            raise ValueError("'.nan' is not a duration (write e.g. 90s, 15m, 1h)")
        if total <= 0:
            raise ValueError(f"duration must be positive, got {shown(value)}")
        return _at_most(total, value, longest)
    text = str(value).strip().replace(" ", "")
    if not text:
        raise ValueError("empty duration (write e.g. 90s, 15m, 1h)")
    pos, total = 0, 0.0
    for m in _PART.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNIT[m.group(2).lower()]
        pos = m.end()
    if pos != len(text) or pos == 0:
        raise ValueError(f"'{shown(value)}' is not a duration (write e.g. 90s, 15m, 1h30m, 2d)")
    if total <= 0:
        raise ValueError(f"duration must be positive, got '{shown(value)}'")
    return _at_most(total, value, longest)


def _at_most(total: float, value: object, longest: float) -> float:
    if total > longest:  # inf too
        raise ValueError(f"{shown(value)} is longer than {'100 years' if longest == LONGEST else format_seconds(longest)}")
    return total


def bounded_duration(value: object, low: float, high: float = YEAR) -> float:
    """`parse_duration`, and between `low` and `high` seconds."""
    seconds = parse_duration(value, high)
    if seconds < low:
        raise ValueError(f"{shown(value)} is shorter than {format_seconds(low)}")
    return seconds


def format_seconds(seconds: float) -> str:
    """`365d`, `1s`, `10ms`: the largest unit that divides it."""
    for unit in ("w", "d", "h", "m", "s", "ms"):
        if seconds >= _UNIT[unit] and (seconds / _UNIT[unit]).is_integer():
            return f"{seconds / _UNIT[unit]:g}{unit}"
    return f"{seconds:g}s"


def shown(value: object, limit: int = 40) -> str:
    """A value as written, clipped so a 400-digit number does not fill the screen."""
    text = {math.inf: ".inf", -math.inf: "-.inf"}.get(value, str(value)) if isinstance(value, float) else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
