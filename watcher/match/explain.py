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


def outcome_lines(rule: Rule, outcome: Outcome | None, source_id: str | None = None) -> list[str]:
    if outcome is None:
        if source_id is None:
            return [f"-      {rule.id}: watches only some sources, and the article's source is unknown "
                    "(give --source ID, or --config with a --url of a configured source)"]
        return [f"-      {rule.id}: does not watch source '{source_id}'"]
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


_SIGNALS = {
    "copy": "a copy of",
    "teaser": "a shorter version of",
    "rewrite": "a rewrite of",
    "event": "another report of the event in",
}


def explain_reason(reason: dict[str, Any]) -> str:
    """One line saying why an article joined its story, or why it started one."""
    if not reason:
        return "placed before stories were recorded"
    if reason.get("joined"):
        shared = _shared(reason)
        return (f"joined as {_SIGNALS.get(reason['signal'], reason['signal'])} article {reason['article']} "
                f"(score {reason['score']:.2f}): {reason['why']}" + (f"; shared {shared}" if shared else ""))
    line = "started the story: no earlier article of the same story"
    closest = reason.get("closest")
    if closest:
        line += f"; closest was article {closest['article']} of story {closest['story']}: {closest['why']}"
    return line


def _shared(reason: dict[str, Any]) -> str:
    parts = []
    if reason.get("names"):
        parts.append("names " + ", ".join(reason["names"][:8]))
    if reason.get("numbers"):
        parts.append("figures " + ", ".join(reason["numbers"][:6]))
    return "; ".join(parts)
