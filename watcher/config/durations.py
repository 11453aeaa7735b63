"""Durations as users write them: `90s`, `15m`, `1h30m`, `2d`, or plain seconds."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)", re.IGNORECASE)
_UNIT = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: object) -> float:
    """Seconds in `value`; ValueError with a readable message when it is not a duration."""
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a duration (write e.g. 90s, 15m, 1h)")
    if isinstance(value, (int, float)):
        if value <= 0:
            raise ValueError(f"duration must be positive, got {value}")
        return float(value)
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
        raise ValueError(f"'{value}' is not a duration (write e.g. 90s, 15m, 1h30m, 2d)")
    if total <= 0:
        raise ValueError(f"duration must be positive, got '{value}'")
    return total

