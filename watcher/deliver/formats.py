"""The standard alert shaped for the channel it goes to (pure: alert values in, title/body/format out).

- email (mailto://, mailtos://): HTML, the article's text escaped, the link an <a href>, the matched
  keywords marked inside the quoted sentences; the subject is the rule title and the story's headline.
- Telegram (tgram://): HTML parse mode (its legacy Markdown breaks on `_` and `*`), within 4096 characters.
- Slack (slack://, https://hooks.slack.com/...): Block Kit (a header and a section, Apprise's `blocks=yes`),
  the section within Slack's 3000 characters and the header within its 150.

Other channels, alerts a template wrote, and notices keep the stored Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html import escape
from typing import Any, Callable

MAX_QUOTES = 3  # sentences quoted at most; each is already cut to a line of 300 characters
TELEGRAM_MAX = 4096
TELEGRAM_TITLE = 4096 // 8  # Apprise puts the title, bold, at the head of the text
SLACK_SECTION = 3000  # characters of a section's text
SLACK_HEADER = 150  # characters of a header block's plain text
EMAIL_SUBJECT = 250
EMAIL_MAX = 100_000


@dataclass(frozen=True)
class Shaped:
    title: str
    body: str
    body_format: str  # "html", "markdown" or "text"


def kind_of(url: str) -> str | None:
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme in ("mailto", "mailtos"):
        return "email"
    if scheme in ("tgram",):
        return "telegram"
    if scheme == "slack" or (scheme == "https" and rest.lower().startswith("hooks.slack.com/services/")):
        return "slack"
    return None


def url_for(url: str) -> str:
    """The channel URL with the options its shape needs (Slack: Block Kit), unless the URL says otherwise."""
    if kind_of(url) != "slack":
        return url
    query = url.partition("?")[2]
    if any(part.split("=", 1)[0].lower() == "blocks" for part in query.split("&") if part):
        return url
    return url + ("&" if "?" in url else "?") + "blocks=yes"


def shape(url: str, title: str, context: dict[str, Any]) -> Shaped | None:
    """The alert as `url`'s kind of channel shows it best; None to send the stored Markdown as it is."""
    kind = kind_of(url)
    if kind is None or not context.get("standard_message"):  # a rule's template wrote it, or no alert values
        return None
    if kind == "email":
        headline = context.get("title") or ""
        subject = f"{title} — {headline}" if headline and headline != title else title
        return Shaped(_cut_line(subject, EMAIL_SUBJECT), _fit(_lines(context, EMAIL), EMAIL_MAX), "html")
    if kind == "telegram":
        title = _cut_line(title, TELEGRAM_TITLE)
        room = TELEGRAM_MAX - len(escape(title)) - 16  # the bold title and its line break
        return Shaped(title, _fit(_lines(context, HTML), room), "html")
    # Slack: Markdown, which Apprise turns into mrkdwn for the one section (escaping & itself)
    section = _fit(_lines(context, SLACK), SLACK_SECTION - 100, _slack_size)
    return Shaped(_cut_line(title, SLACK_HEADER), section, "markdown")


@dataclass(frozen=True)
class Markup:
    escape: Callable[[str], str]
    bold: Callable[[str], str]  # of escaped text
    mark: str  # the tag of a keyword in a quote
    quote: Callable[[str], str]
    link: Callable[[str, str], str]  # (escaped url, escaped text)
    heading: Callable[[str], str]


HTML = Markup(lambda s: escape(s, quote=True), lambda s: f"<b>{s}</b>", "b",
              lambda s: f"<blockquote>{s}</blockquote>", lambda u, t: f'<a href="{u}">{t}</a>', lambda s: f"<b>{s}</b>")
EMAIL = replace(HTML, mark="mark", heading=lambda s: f"<h2>{s}</h2>")
# Markdown that Apprise turns into Slack mrkdwn: a backslash makes < and > literal (else Slack reads a link)
SLACK = Markup(lambda s: re.sub(r"([<>\\])", r"\\\1", s), lambda s: f"**{s}**", "**", lambda s: f"> {s}",
               lambda u, t: u if u == t else f"{t}: {u}", lambda s: f"**{s}**")


def _lines(c: dict[str, Any], m: Markup) -> list[str]:
    """The alert as lines; each line is whole markup, so dropping trailing lines keeps it valid."""
    e = lambda s: m.escape(str(s or ""))  # noqa: E731
    url = e(c.get("url"))
    lines = [m.heading(e(c.get("title")))]
    meta = " · ".join(x for x in (c.get("outlet"), c.get("published")) if x)
    if meta:
        lines.append(e(meta))
    if url:
        lines.append(m.link(url, url))
    lines.append("")
    words = [str(w) for w in c.get("keywords") or [] if w]
    speaker, number = c.get("speaker"), c.get("number")
    if speaker:
        lines.append(f"Speaker: {m.bold(e(speaker.get('name')))} ({e(speaker.get('how') or 'speaks')})")
    if number:
        detail = f" ({e(number['detail'])})" if number.get("detail") else ""
        lines.append(f"Number: {m.bold(e(number.get('text')))}{detail}")
    if words:
        lines.append("Keywords: " + ", ".join(m.bold(e(w)) for w in words))
    marks = words + [x for x in ((speaker or {}).get("as_written"), (number or {}).get("text")) if x]
    quoted: list[str] = []
    for ev in c.get("evidence") or []:
        sentence = ev.get("sentence") or ""
        if sentence and sentence not in quoted and len(quoted) < MAX_QUOTES:
            quoted.append(sentence)
            lines.append(m.quote(highlight(sentence, marks, m)))
    lines.append("")
    lines.append(f"rule: {e(c.get('rule_id'))}")
    if m is EMAIL:
        return [line if line.startswith(("<h2>", "<blockquote>")) else f"<p>{line}</p>" for line in lines if line]
    return lines


def highlight(sentence: str, words: list[str], m: Markup = HTML) -> str:
    """`sentence` escaped, each occurrence of any of `words` (any case) marked."""
    words = sorted({w for w in words if w.strip()}, key=len, reverse=True)
    if not words:
        return m.escape(sentence)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    close = m.mark if m.mark.startswith("*") else f"</{m.mark}>"
    opening = m.mark if m.mark.startswith("*") else f"<{m.mark}>"
    out, at = [], 0
    for found in pattern.finditer(sentence):
        out.append(m.escape(sentence[at:found.start()]))
        out.append(f"{opening}{m.escape(found.group())}{close}")
        at = found.end()
    out.append(m.escape(sentence[at:]))
    return "".join(out)


def _slack_size(line: str) -> int:
    """Characters of `line` once Apprise has written &, < and > as entities (&amp; &lt; &gt;)."""
    return len(line) + 4 * sum(line.count(ch) for ch in "&<>")


def _fit(lines: list[str], limit: int, measure: Callable[[str], int] = len) -> str:
    """Whole lines, as many as fit in `limit` characters (a line is never cut, so no tag is broken)."""
    out: list[str] = []
    size = 0
    for line in lines:
        if size + measure(line) + 1 > limit:
            if len(line) > limit // 2 and not out:
                out.append(_cut_line(re.sub(r"<[^>]+>", "", line), limit))
            break
        out.append(line)
        size += measure(line) + 1
    return "\n".join(out).strip()


def _cut_line(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
