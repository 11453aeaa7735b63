"""When to poll a source next, and what a poll's redirects mean: pure decisions over values.

- A healthy source is polled at its interval (configured, or adapted to how
  often it publishes, within `min_interval`..`max_interval`), never sooner
  than the feed's own `ttl` / `sy:updatePeriod` or the response's
  `Cache-Control: max-age` allow (those hints count up to 24 h), plus jitter.
- A failing source backs off: the interval doubles with each failure in a
  row, up to 24 h (or the interval, if longer), plus jitter.
- A host that sent `Retry-After` is not polled before then.
- A URL that answers 301/308 to the same place `moved_after` polls in a row
  is replaced by that place; 302/307 never replace it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Iterable

MAX_HINT = 24 * 3600.0  # a feed's or server's own pace counts up to this
MAX_BACKOFF = 24 * 3600.0
MAX_JITTER = 300.0
ADAPTIVE_SAMPLE = 20  # newest dated entries looked at


@dataclass(frozen=True)
class Timing:
    """A source's schedule settings, from its config and the defaults."""

    interval: float
    adaptive: bool = False
    min_interval: float = 300.0
    max_interval: float = 6 * 3600.0

    def base(self, adapted: float | None) -> float:
        """The interval in force: the adapted one when adaptive and known, else the configured one."""
        if not self.adaptive:
            return self.interval
        value = adapted if adapted is not None else self.interval
        return min(max(value, self.min_interval), self.max_interval)


def jitter(delay: float, rng: random.Random | None = None) -> float:
    """`delay` plus up to 10% of it (at most 5 minutes): sources with one interval spread out, never come early."""
    return delay + (rng or random).uniform(0.0, min(delay * 0.1, MAX_JITTER))


def poll_delay(base: float, hints: Iterable[float | None]) -> float:
    """Seconds until the next poll of a healthy source, before jitter."""
    floor = max((h for h in hints if h), default=0.0)
    return max(base, min(floor, MAX_HINT))


def backoff_delay(base: float, failures: int) -> float:
    """Seconds until the next poll after `failures` failed polls in a row (1: the interval, then doubling)."""
    steps = min(max(failures, 1) - 1, 32)
    return min(base * 2.0**steps, max(MAX_BACKOFF, base))


_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def max_age(cache_control: str | None) -> float | None:
    """`Cache-Control: max-age` in seconds, unless the server also says not to cache."""
    if not cache_control:
        return None
    lowered = cache_control.lower()
    if "no-cache" in lowered or "no-store" in lowered:
        return None
    m = _MAX_AGE.search(cache_control)
    if not m:
        return None
    seconds = float(m.group(1))  # (not int(): 5,000 digits raised ValueError, a traceback that ended the run)
    return min(seconds, MAX_HINT) if seconds > 0 else None  # counted up to MAX_HINT, so kept so


def adapted_interval(published: Iterable[datetime | None]) -> float | None:
    """Half the typical gap between the newest entries' dates: poll about twice per new entry.

    None when fewer than three entries carry dates (no pace to read)."""
    dates = sorted({d for d in published if d is not None}, reverse=True)[:ADAPTIVE_SAMPLE]
    if len(dates) < 3:
        return None
    gaps = [(a - b).total_seconds() for a, b in zip(dates, dates[1:])]
    return max(median(gaps) / 2.0, 1.0)


def next_poll(
    now: datetime,
    timing: Timing,
    *,
    adapted: float | None = None,
    hints: Iterable[float | None] = (),
    failures: int = 0,
    not_before: datetime | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """When to poll next: `failures` is the count of failed polls in a row including this one."""
    base = timing.base(adapted)
    delay = backoff_delay(base, failures) if failures else poll_delay(base, hints)
    when = now + timedelta(seconds=jitter(delay, rng))
    if not_before is not None and not_before > when:
        when = not_before + timedelta(seconds=(rng or random).uniform(0.0, 5.0))
    return when


def permanent_target(redirects: Iterable[tuple[int, str]]) -> str | None:
    """Where the leading 301/308 hops of a fetch lead (None when the first hop is not permanent)."""
    target = None
    for status, url in redirects:
        if status not in (301, 308):
            break
        target = url
    return target


@dataclass(frozen=True)
class MoveState:
    target: str | None = None  # the permanent redirect seen on the last polls
    polls: int = 0  # how many polls in a row saw it


def track_move(state: MoveState, seen: str | None, moved_after: int) -> tuple[MoveState, str | None]:
    """The move state after a poll that saw `seen`, and the new URL when the move now counts as real."""
    if seen is None:
        return MoveState(), None
    polls = state.polls + 1 if seen == state.target else 1
    if polls >= moved_after:
        return MoveState(), seen
    return MoveState(seen, polls), None
