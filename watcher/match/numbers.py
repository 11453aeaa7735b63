"""The `number` condition; the code is in the package `watcher.match.number`."""

from watcher.match.number import (
    KINDS,
    UNITS,
    NumberEvidence,
    NumberTest,
    Quantity,
    find_quantities,
    match_number,
)

__all__ = ["KINDS", "UNITS", "NumberEvidence", "NumberTest", "Quantity", "find_quantities", "match_number"]
