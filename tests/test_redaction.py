"""Secrets in channel and source URLs never reach a log line, an error text or `watcher alerts`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_config
from tests.ops import publish
from tests.receivers import WebhookReceiver, free_port
from tests.webserver import WebServer
from watcher.deliver.channels import url_error
from watcher.logs import redact, remember_secrets


@pytest.mark.parametrize(
    "text,secrets",
    [
        ("slack://TokenA/TokenB/TokenC failed", ["TokenA", "TokenB", "TokenC"]),
        ("tgram://bottoken/chat", ["bottoken"]),
        ("tgram://123456789:AAFakeTokenForTests/-1001 failed", ["AAFakeTokenForTests"]),
        ("json://user:pass@host.example.org/path", ["user:pass", "pass@"]),
        ("json://127.0.0.1:8080/services/T000/B000/XXXX.", ["XXXX"]),
        ("post to https://hooks.slack.com/services/T000/B000/XXXX failed", ["XXXX", "B000"]),
        ("https://discord.com/api/webhooks/4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", ["JHMHI8qBe7bk2ZwO5U711o3dV_js"]),
        ("https://acme.webhook.office.com/webhookb2/abc@def/IncomingWebhook/0123abcd", ["0123abcd"]),
        ("Max retries exceeded with url: /bot123456789:AAFakeTokenForTests_abcdefghijkl/sendMessage",
         ["AAFakeTokenForTests_abcdefghijkl"]),
        ("slack token xoxb-1234567890-abcdefghijkl leaked", ["xoxb-1234567890-abcdefghijkl"]),
        ("mailtos://desk:p4ssw0rd@mail.example.org?to=a@example.org", ["p4ssw0rd"]),
        ("GET https://api.example.org/feed?apikey=k3y9&page=2&access_token=t0k", ["k3y9", "t0k"]),
        ("https://ops.example.org/hooks/abc123", ["abc123"]),
    ],
)
def test_url_secrets_are_masked(text: str, secrets: list[str]) -> None:
    masked = redact(text)
    for secret in secrets:
        assert secret not in masked, masked
    assert "***" in masked


@pytest.mark.parametrize(
    "text",
    [
        "source kyiv: https://kyivindependent.com/feed/ ok",
        "rule x fired on https://en.wikipedia.org/wiki/Russian_invasion_of_Ukraine_2022 (a)",
        "https://example.org/news/2026/11/Ukraine-War-Update-2024-March.html",
        "https://example.org/story/5f3a9c2e1b7d4e8f9a0b1c2d3e4f",
        "https://example.org/hooks-and-ladders.html",
        "alert 3 sent to analysts",
    ],
)
def test_ordinary_text_and_article_urls_stay_readable(text: str) -> None:
    assert redact(text) == text


def test_a_configured_channels_private_parts_are_masked_anywhere() -> None:
    # Apprise marks the Discord webhook token private; once the URL is accepted, the bare token is masked too
    assert url_error("discord://4174216298/Zq8yXw7VuT6sR5qP4oN3mL2kJ1_hg") is None
    assert redact("send failed: token Zq8yXw7VuT6sR5qP4oN3mL2kJ1_hg rejected") == "send failed: token *** rejected"


def test_short_secrets_are_masked_as_whole_words_only() -> None:
    remember_secrets(["s3cr", "LongTokenValue0123"])
    assert redact("s3cr and s3cret and xLongTokenValue0123y") == "*** and s3cret and x***y"


PASSWORD = "Hunter2Pass9"
TOKEN = "Xq7Zt9Lr2Vw5Ns8Kp3Hd"  # the secret path part of a web hook
CLOSED_TOKEN = "Bm4Fj6Tg1Qc8Wy2Re5Ua"
SOURCE_KEY = "SrcKey77xyz"

RULES = """\
rules:
  - id: harbour
    title: "Harbour news"
    match:
      keywords: [harbour]
    notify: [hook, down]
"""


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_a_failing_channel_never_logs_its_token(web: WebServer, hooks: WebhookReceiver, tmp_path: Path,
                                                log_format: str) -> None:
    publish(web, "a", ["harbour-crane-arrives"])
    hooks.fail_next = [(500, {})] * 100  # the service refuses
    (tmp_path / "rules.yaml").write_text(RULES)
    closed = free_port()  # nothing listens here: connection refused
    config = write_config(
        tmp_path,
        [{"id": "a", "url": web.url("/a/feed.xml"), "baseline": False},
         {"id": "private", "url": f"http://reader:{PASSWORD}@127.0.0.1:{free_port()}/feed.xml?apikey={SOURCE_KEY}"}],
        rules="rules.yaml",
        channels={"hook": {"urls": [f"json://watcher:{PASSWORD}@{hooks.base}/services/T000/B000/{TOKEN}"]},
                  "down": {"urls": [f"json://127.0.0.1:{closed}/hooks/{CLOSED_TOKEN}"]}},
    )
    result = run_cli("--log-level", "debug", "--log-format", log_format, "run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout + result.stderr
    assert "to hook failed" in out and "to down failed" in out  # the failures were logged ...
    assert "source private" in out
    assert "sending to json://***@127.0.0.1" in out  # the URL itself is logged at debug level, masked
    for secret in (PASSWORD, TOKEN, CLOSED_TOKEN, SOURCE_KEY):  # ... without the secrets
        assert secret not in out
    assert hooks.attempts >= 1

    alerts = run_cli("alerts", "--json", "--config", str(config))
    assert alerts.returncode == 0
    errors = [d["last_error"] for a in json.loads(alerts.stdout) for d in a["deliveries"]]
    assert len(errors) == 2 and all(errors)
    for secret in (PASSWORD, TOKEN, CLOSED_TOKEN):
        assert secret not in alerts.stdout
