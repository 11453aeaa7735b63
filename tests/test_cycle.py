"""A cycle over every source keeps a bounded number of polls in flight, starts them in the sources' order and
returns their reports in that order, whatever order they finish in."""

from __future__ import annotations

import asyncio

from watcher.run.pipeline import each_in_turn


def test_a_cycle_runs_a_bounded_number_at_once_in_order_and_reports_in_order() -> None:
    started: list[int] = []
    running = peak = 0

    async def poll(n: int) -> str:
        nonlocal running, peak
        started.append(n)
        running += 1
        peak = max(peak, running)
        await asyncio.sleep((7 - n % 7) / 1000)  # later sources often finish first
        running -= 1
        return f"report {n}"

    reports = asyncio.run(each_in_turn(poll, list(range(40)), at_once=5))
    assert reports == [f"report {n}" for n in range(40)]
    assert started == list(range(40)), f"polls started out of order: {started}"
    assert peak == 5, f"{peak} polls ran at once, expected 5"
    assert asyncio.run(each_in_turn(poll, [], at_once=5)) == []
