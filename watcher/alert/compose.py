"""The text of an alert: rule title, article title, outlet, date, link, and the evidence.

Built once, when the match is stored, so a retry days later sends exactly
the same message. Markdown; Apprise converts it for channels that take
plain text or HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from watcher.alert.template import render_or_none
from watcher.logs import redact_link
from watcher.match.engine import Evidence

MAX_SENTENCE = 300
MAX_NAME = 300  # an article title or outlet name longer than this is cut (a feed may carry a 10 MB title)


@dataclass(frozen=True)
class AlertContent:
    title: str  # the rule's title
    body: str  # everything else, Markdown
    context: dict[str, Any]  # the values a template may use


def alert_context(*, rule_id: str, rule_title: str, article_title: str | None, outlet: str,
                  published: datetime | None, url: str, evidence: list[Evidence]) -> dict[str, Any]:
    """Plain values for templates (and for re-rendering at send time)."""
    speaker = next((e for e in evidence if e.kind == "speaker"), None)
    number = next((e for e in evidence if e.kind == "number"), None)
    return {
        "rule_id": rule_id,
        "rule_title": rule_title,
        "title": clip(article_title or "", MAX_NAME) or redact_link(url),
        "outlet": clip(outlet, MAX_NAME),
        "published": published.strftime("%Y-%m-%d %H:%M UTC") if published else "",
        "url": redact_link(url),  # the link still leads to the article; credentials in it are masked
        "speaker": {"name": speaker.term or speaker.matched, "as_written": speaker.matched, "how": speaker.detail,
                    "sentence": clip(speaker.sentence)} if speaker else None,
        "number": {"text": number.matched, "value": number.value, "detail": number.detail,
                   "sentence": clip(number.sentence)} if number else None,
        "keywords": list(dict.fromkeys(e.matched for e in evidence if e.kind in ("keyword", "regex"))),
        "evidence": [{"kind": e.kind, "matched": e.matched, "sentence": clip(e.sentence), "detail": e.detail}
                     for e in evidence],
        "diff": None,  # a watched page's change: added, removed, lines (set by watcher.run.watch)
    }


def compose(
    *,
    rule_id: str,
    rule_title: str,
    article_title: str | None,
    outlet: str,
    published: datetime | None,
    url: str,
    evidence: Iterable[Evidence],
    template: str | None = None,
) -> AlertContent:
    # the body's sentences say more than a headline: show them first
    evidence = sorted(evidence, key=lambda e: e.field != "body")
    context = alert_context(rule_id=rule_id, rule_title=rule_title, article_title=article_title, outlet=outlet,
                            published=published, url=url, evidence=evidence)
    body = render_or_none(template, context, whose=f"rule {rule_id} template") if template else None
    context["standard_message"] = body is None  # a channel may then shape it its own way (deliver.formats)
    return AlertContent(title=rule_title, body=body or standard_body(context, evidence), context=context)


def standard_body(context: dict[str, Any], evidence: list[Evidence]) -> str:
    """The message without a template: article title, outlet and date, link, then the evidence."""
    lines = [f"**{context['title']}**"]
    lines.append(" · ".join(x for x in (context["outlet"], context["published"]) if x))
    lines.append(context["url"])
    lines.append("")
    speakers = [e for e in evidence if e.kind == "speaker"]
    numbers = [e for e in evidence if e.kind == "number"]
    keywords = [e for e in evidence if e.kind in ("keyword", "regex")]
    shown: set[str] = set()
    for e in speakers[:1]:
        lines.append(f"Speaker: {e.term or e.matched} ({e.detail or 'speaks'})")
        lines.append(f"> {clip(e.sentence)}")
        shown.add(e.sentence)
    for e in numbers[:1]:
        detail = f" ({e.detail})" if e.detail else ""
        lines.append(f"Number: **{e.matched}**{detail}")
        if e.sentence not in shown:
            lines.append(f"> {clip(e.sentence)}")
            shown.add(e.sentence)
    if keywords:
        words = list(dict.fromkeys(e.matched for e in keywords))
        lines.append("Keywords: " + ", ".join(words))
    lines.append("")
    lines.append(f"rule: {context['rule_id']}")
    return "\n".join(lines).strip()


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def clip(text: str, width: int = MAX_SENTENCE) -> str:
    """One line of at most `width` characters."""
    s = _one_line(text)
    return s if len(s) <= width else s[: width - 3].rstrip() + "..."
