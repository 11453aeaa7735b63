"""Alerts shaped per kind of channel (HTML email, Telegram HTML, Slack Block Kit), sent by the sender
through the real Apprise plugins to local receivers, each within its channel's size limit."""

from __future__ import annotations

import asyncio
import json
from email.header import decode_header, make_header
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

import pytest

from tests.receivers import SmtpReceiver, WebhookReceiver
from tests.test_telegram import TOKEN, BotApi
from watcher.alert.compose import compose
from watcher.config import load_config
from watcher.deliver.sender import Sender
from watcher.match.engine import Evidence
from watcher.model import AlertDraft, Article, Entry, Match, Target
from watcher.store import Store

RULE = "Strike at the port"
HEADLINE = "Dock_workers *walk out* as <script>alert(1)</script> talks fail"
SENTENCE = "Dock_workers at the *northern* port began a strike on Monday, union leader <script>x</script> said."
ARTICLE = "https://harbour.example/2026/12/strike.html?a=1&b=2"
SLACK_PATH = "T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7"


def deliver(tmp_path: Path, url: str, evidence: list[Evidence], headline: str = HEADLINE) -> None:
    """One alert composed like the pipeline composes it, queued in a real store, sent by the sender."""
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "w.yaml").write_text(json.dumps({"channels": {"out": {"urls": [url]}}}))
    config = load_config(tmp_path / "w.yaml", env={})
    store = Store(tmp_path / "w.db")
    store.sources.ensure("s", "https://harbour.example/feed", "feed")
    content = compose(rule_id="port-strike", rule_title=RULE, article_title=headline, outlet="Harbour News",
                      published=None, url=ARTICLE, evidence=evidence)
    art = Article(ARTICLE, ARTICLE, None, "s", headline, None, None, None, None, SENTENCE, "h", False, True)
    alert = AlertDraft(content.title, content.body, (Target("out", 0),), context_json=json.dumps(content.context))
    store.articles.add(Entry("s", ARTICLE, ARTICLE, ARTICLE, ARTICLE, headline, None), art, [Match("r", "[]", alert)])
    report = asyncio.run(Sender(store, config).send_due())
    assert report.sent == 1, report


def subject(message: object) -> str:
    return str(make_header(decode_header(message["Subject"])))  # type: ignore[index]


def strike(sentence: str = SENTENCE) -> list[Evidence]:
    return [Evidence("keyword", "body", sentence, sentence.find("strike"), sentence.find("strike") + 6, "strike"),
            Evidence("keyword", "body", sentence, 0, 12, "Dock_workers")]


def many_sentences() -> list[Evidence]:
    """A very long article: hundreds of matching sentences, each as long as an alert quotes."""
    out = []
    for i in range(400):
        s = f"Sentence {i}: the strike_{i} & *walkout* spread " + "to the grain terminals and the ferries " * 8
        out.append(Evidence("keyword", "body", s, 0, 6, "strike"))
    return out


class Tags(HTMLParser):
    """The tags of an HTML text, in order, with the text inside each."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.seen: list[tuple[tuple[str, ...], str]] = []  # (enclosing tags, text)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append(tag)
        self.links += [v or "" for k, v in attrs if k == "href"]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]

    def handle_data(self, data: str) -> None:
        self.seen.append((tuple(self.open), data))


def parse(html: str) -> Tags:
    t = Tags()
    t.feed(html)
    return t


@pytest.fixture
def bot(monkeypatch: pytest.MonkeyPatch) -> Iterator[BotApi]:
    from apprise.plugins.telegram import NotifyTelegram

    api = BotApi()
    monkeypatch.setattr(NotifyTelegram, "notify_url", api.base)
    yield api
    api.httpd.shutdown()


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch, hooks: WebhookReceiver) -> WebhookReceiver:
    from apprise.plugins.slack import NotifySlack

    monkeypatch.setattr(NotifySlack, "webhook_url", f"http://{hooks.base}/services")
    return hooks


def test_email_is_html_with_escaped_text_a_link_and_marked_keywords(smtp: SmtpReceiver, tmp_path: Path) -> None:
    deliver(tmp_path, f"mailto://w:pw@127.0.0.1:{smtp.port}?to=desk@example.org&from=w@example.org&mode=insecure",
            strike())
    [message] = smtp.messages
    assert subject(message) == f"{RULE} — {HEADLINE}"
    [html_part] = [p for p in message.walk() if p.get_content_type() == "text/html"]
    html = SmtpReceiver.text_of(html_part)
    assert "<script>" not in html and "&lt;script&gt;" in html, html
    tags = parse(html)
    assert ARTICLE in tags.links, tags.links
    marked = [text for enclosing, text in tags.seen if "blockquote" in enclosing and "mark" in enclosing]
    assert marked == ["Dock_workers", "strike"], tags.seen
    quoted = "".join(text for enclosing, text in tags.seen if "blockquote" in enclosing)
    assert quoted == SENTENCE, quoted  # one quote, the keywords marked inside it
    assert sum(1 for enclosing, _ in tags.seen if enclosing[-1:] == ("blockquote",)) >= 1


def test_telegram_gets_html_parse_mode_with_underscores_and_asterisks_intact(bot: BotApi, tmp_path: Path) -> None:
    deliver(tmp_path, f"tgram://{TOKEN}/-1001234567890", strike())
    [(_, payload)] = [c for c in bot.calls if c[0].endswith("/sendMessage")]
    assert payload["parse_mode"] == "HTML", payload
    text = payload["text"]
    tags = parse(text)
    shown = "".join(t for _, t in tags.seen)
    assert "Dock_workers at the *northern* port" in shown and "<script>x</script> said." in shown, shown
    assert "<script>" not in text and RULE in shown
    assert ARTICLE in tags.links
    assert [t for enclosing, t in tags.seen if "blockquote" in enclosing and "b" in enclosing] == ["Dock_workers",
                                                                                                   "strike"]


def test_slack_gets_block_kit_sections(slack: WebhookReceiver, tmp_path: Path) -> None:
    deliver(tmp_path, f"slack://{SLACK_PATH}", strike())
    [got] = slack.snapshot()
    assert got.path == f"/services/{SLACK_PATH}"
    blocks = [b for a in got.json.get("attachments", []) for b in a.get("blocks", [])] + got.json.get("blocks", [])
    assert [b["type"] for b in blocks][:2] == ["header", "section"], got.json
    assert blocks[0]["text"]["text"].startswith("Strike at the port")
    section = blocks[1]["text"]
    assert section["type"] == "mrkdwn" and ARTICLE.replace("&", "&amp;") in section["text"], section
    assert "<script>" not in section["text"] and "&lt;script&gt;x&lt;/script&gt; said." in section["text"], section
    [quote] = [line for line in section["text"].splitlines() if "northern" in line]
    assert quote.startswith(">") and "*strike*" in quote and "*Dock_workers*" in quote, quote


def test_each_channel_keeps_to_its_size_for_a_very_long_article(smtp: SmtpReceiver, bot: BotApi,
                                                                  slack: WebhookReceiver, tmp_path: Path) -> None:
    long_headline = "Strike " * 200
    deliver(tmp_path / "t", f"tgram://{TOKEN}/-1001234567890", many_sentences(), long_headline)
    texts = [p["text"] for path, p in bot.calls if path.endswith("/sendMessage")]
    assert len(texts) == 1 and len(texts[0]) <= 4096 and texts[0].count("<blockquote>") >= 1, [len(t) for t in texts]
    assert texts[0].count("<blockquote>") == texts[0].count("</blockquote>")

    deliver(tmp_path / "s", f"slack://{SLACK_PATH}", many_sentences(), long_headline)
    [got] = slack.snapshot()
    blocks = [b for a in got.json.get("attachments", []) for b in a.get("blocks", [])] + got.json.get("blocks", [])
    assert 0 < len(blocks) <= 50
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert sections and all(len(s) <= 3000 for s in sections), [len(s) for s in sections]
    assert all(len(b["text"]["text"]) <= 150 for b in blocks if b["type"] == "header")

    deliver(tmp_path / "m", f"mailto://w:pw@127.0.0.1:{smtp.port}?to=desk@example.org&from=w@example.org"
                            "&mode=insecure", many_sentences(), long_headline)
    [message] = smtp.messages
    assert len(subject(message)) <= 250 and subject(message).startswith(f"{RULE} — Strike")
    [html_part] = [p for p in message.walk() if p.get_content_type() == "text/html"]
    html = SmtpReceiver.text_of(html_part)
    assert html.count("<blockquote>") == html.count("</blockquote>") >= 1 and len(html) <= 100_000
