"""`number: {..., when: crosses}`: a rule fires when its number BECOMES true, not while it stays true.

Pure decisions over values: each crossing condition keeps, per subject (a watched source, or a story and
speaker), the last value seen and whether it is armed. A value that meets the bound fires when armed and
disarms; a value past the re-arm level (`rearm_below` / `rearm_above`, by default: no longer meeting the
bound) arms again; between the two nothing changes (hysteresis). No previous value counts as armed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    """What a crossing condition remembers of a subject."""

    value: float
    armed: bool  # the next value meeting the bound fires


@dataclass(frozen=True)
class CrossSpec:
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    rearm_below: float | None = None
    rearm_above: float | None = None

    def meets(self, v: float) -> bool:
        return ((self.gt is None or v > self.gt) and (self.gte is None or v >= self.gte)
                and (self.lt is None or v < self.lt) and (self.lte is None or v <= self.lte))

    def rearms(self, v: float) -> bool:
        if self.rearm_below is not None:
            return v < self.rearm_below
        if self.rearm_above is not None:
            return v > self.rearm_above
        return not self.meets(v)


@dataclass(frozen=True)
class Step:
    fires: bool
    previous: float | None
    level: Level


def step(spec: CrossSpec, previous: Level | None, value: float) -> Step:
    """The decision for a new `value` after `previous`."""
    armed = previous.armed if previous else True
    fires = False
    if spec.meets(value):
        fires, armed = armed, False
    elif spec.rearms(value):
        armed = True
    return Step(fires, previous.value if previous else None, Level(value, armed))


def check_crossing(n: object) -> None:
    """ValueError for a `when` / `rearm_*` combination that cannot work (shown by `watcher check`)."""
    g = lambda k: getattr(n, k, None)  # noqa: E731
    rearm_below, rearm_above = g("rearm_below"), g("rearm_above")
    if g("when") != "crosses":
        if rearm_below is not None or rearm_above is not None:
            raise ValueError("rearm_below / rearm_above need `when: crosses`")
        return
    upper = [v for v in (g("gt"), g("gte")) if v is not None]
    lower = [v for v in (g("lt"), g("lte")) if v is not None]
    if upper and lower:
        raise ValueError("`when: crosses` takes one direction: gt/gte (crossing upwards) or lt/lte (downwards)")
    if rearm_below is not None and (not upper or rearm_below > max(upper)):
        raise ValueError(f"rearm_below ({rearm_below:g}) needs gt/gte and must not be above it")
    if rearm_above is not None and (not lower or rearm_above < min(lower)):
        raise ValueError(f"rearm_above ({rearm_above:g}) needs lt/lte and must not be below it")
