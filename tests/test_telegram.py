"""The real Apprise Telegram plugin, pointed at a local stand-in for the Bot API."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

from watcher.alert.compose import compose
from watcher.deliver.sender import send
from watcher.match.engine import Evidence

TOKEN = "123456789:AAFakeTokenForTests_abcdefghijkl"


class BotApi:
    """Answers sendMessage like Telegram does, and keeps what it was sent."""

    def __init__(self, answer_ok: bool = True) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                api.calls.append((self.path, json.loads(raw or b"{}")))
                ok = api.answer_ok
                payload = {"ok": True, "result": {"message_id": len(api.calls)}} if ok else \
                    {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
                body = json.dumps(payload).encode()
                self.send_response(200 if ok else 403)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.answer_ok = answer_ok
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/bot"


@pytest.fixture
def bot(monkeypatch: pytest.MonkeyPatch) -> Iterator[BotApi]:
    from apprise.plugins.telegram import NotifyTelegram

    api = BotApi()
    monkeypatch.setattr(NotifyTelegram, "notify_url", api.base)  # Apprise's own endpoint setting
    yield api
    api.httpd.shutdown()


def test_alert_reaches_telegram_with_its_evidence(bot: BotApi) -> None:
    sentence = "More than 18,500 naturalized migrants have been sent to the front, Anton Veretsky said."
    content = compose(
        rule_id="veretsky-front", rule_title="Veretsky: migrants sent to the front",
        article_title="Veretsky: 18,500 sent", outlet="Meridian Post", published=None,
        url="https://meridian.example/2026/11/veretsky.html",
        evidence=[Evidence("speaker", "body", sentence, 75, 89, "Anton Veretsky", term="Anton Veretsky", detail="reported"),
                  Evidence("number", "body", sentence, 0, 16, "More than 18,500", value=18500, detail="more than")],
    )
    ok, error, _ = send(f"tgram://{TOKEN}/-1001234567890", content.title, content.body)
    assert ok, error
    [(path, payload)] = [c for c in bot.calls if c[0].endswith("/sendMessage")]
    assert path == f"/bot{TOKEN}/sendMessage"
    assert str(payload["chat_id"]) == "-1001234567890"
    assert "Veretsky: migrants sent to the front" in payload["text"]
    assert "Anton Veretsky said" in payload["text"] and "18,500" in payload["text"]
    assert "https://meridian.example/2026/11/veretsky.html" in payload["text"]


def test_telegram_refusal_is_a_failure_with_a_reason(bot: BotApi) -> None:
    bot.answer_ok = False
    ok, error, _ = send(f"tgram://{TOKEN}/-1001234567890", "Title", "Body")
    assert not ok and error
    assert TOKEN not in error


def test_a_long_alert_is_split_not_rejected(bot: BotApi) -> None:
    sentences = " ".join(f"Sentence {i} of a very long statement by the investigator about the figures." for i in range(150))
    ok, error, _ = send(f"tgram://{TOKEN}/-1001234567890", "Long alert", sentences)
    assert ok, error
    texts = [payload["text"] for path, payload in bot.calls if path.endswith("/sendMessage")]
    assert len(texts) >= 3 and all(len(t) <= 4096 for t in texts)
    assert "Sentence 149" in texts[-1]
