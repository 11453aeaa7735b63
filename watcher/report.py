"""Human-readable lines for rule outcomes: used by `watcher test` and `watcher replay`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from watcher.alert.compose import clip
from watcher.match.engine import Evidence, Outcome
from watcher.rules.ruleset import Rule

KIND_WIDTH = 8


def evidence_line(e: Evidence) -> str:
    if e.kind == "speaker":
        head = f"'{e.matched}' speaks ({e.detail})" if e.detail else f"'{e.matched}' speaks"
    elif e.kind == "number":
        head = f"{e.matched}" + (f" ({e.detail})" if e.detail else "")
    elif e.kind == "language":
        return f"{e.kind:<{KIND_WIDTH}} {e.matched}"
    else:
        head = f"'{e.matched}'" + (f" for '{e.term}'" if e.term and e.term.lower() != e.matched.lower() else "")
    where = " [title]" if e.field == "title" else ""
    return f"{e.kind:<{KIND_WIDTH}} {head}{where}: {clip(e.sentence, 220)}"


def outcome_lines(rule: Rule, outcome: Outcome | None) -> list[str]:
    if outcome is None:
        return [f"-      {rule.id}: does not watch this source"]
    if outcome.holds:
        return [f"FIRES  {rule.id}: {rule.title}"] + ["         " + evidence_line(e) for e in outcome.evidence]
    return [f"-      {rule.id}: " + ("; ".join(outcome.missing) or "no condition held")]


def outcome_json(rule: Rule, outcome: Outcome | None) -> dict[str, Any]:
    return {
        "rule": rule.id,
        "title": rule.title,
        "fires": bool(outcome and outcome.holds),
        "evidence": [asdict(e) for e in outcome.evidence] if outcome and outcome.holds else [],
        "missing": list(outcome.missing) if outcome and not outcome.holds else [],
    }
