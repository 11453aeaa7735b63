"""The text of an alert: rule title, article title, outlet, date, link, and the evidence.

Built once, when the match is stored, so a retry days later sends exactly
the same message. Markdown; Apprise converts it for channels that take
plain text or HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from watcher.match.engine import Evidence

MAX_SENTENCE = 300


@dataclass(frozen=True)
class AlertContent:
    title: str  # the rule's title
    body: str  # everything else, Markdown


def compose(
    *,
    rule_id: str,
    rule_title: str,
    article_title: str | None,
    outlet: str,
    published: datetime | None,
    url: str,
    evidence: Iterable[Evidence],
) -> AlertContent:
    # the body's sentences say more than a headline: show them first
    evidence = sorted(evidence, key=lambda e: e.field != "body")
    lines = [f"**{_one_line(article_title) or url}**"]
    lines.append(" · ".join(x for x in (outlet, published.strftime("%Y-%m-%d %H:%M UTC") if published else None) if x))
    lines.append(url)
    lines.append("")
    speakers = [e for e in evidence if e.kind == "speaker"]
    numbers = [e for e in evidence if e.kind == "number"]
    keywords = [e for e in evidence if e.kind in ("keyword", "regex")]
    shown: set[str] = set()
    for e in speakers[:1]:
        lines.append(f"Speaker: {e.term or e.matched} ({e.detail or 'speaks'})")
        lines.append(f"> {_clip(e.sentence)}")
        shown.add(e.sentence)
    for e in numbers[:1]:
        detail = f" ({e.detail})" if e.detail else ""
        lines.append(f"Number: **{e.matched}**{detail}")
        if e.sentence not in shown:
            lines.append(f"> {_clip(e.sentence)}")
            shown.add(e.sentence)
    if keywords:
        words = list(dict.fromkeys(e.matched for e in keywords))
        lines.append("Keywords: " + ", ".join(words))
    lines.append("")
    lines.append(f"rule: {rule_id}")
    return AlertContent(title=rule_title, body="\n".join(lines).strip())


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _clip(sentence: str) -> str:
    s = _one_line(sentence)
    return s if len(s) <= MAX_SENTENCE else s[: MAX_SENTENCE - 3].rstrip() + "..."
