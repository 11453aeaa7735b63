import pytest

from watcher.logs import redact


@pytest.mark.parametrize(
    "text,secret",
    [
        ("send to tgram://123456789:AAFakeTokenForTests/-1001 failed", "AAFakeTokenForTests"),
        ("json://watcher:hunter2@hooks.example.org/alerts", "hunter2"),
        ("mailtos://desk:p4ssw0rd@mail.example.org?to=a@example.org", "p4ssw0rd"),
        ("fetch https://reader:pw123@feeds.example.org/private.xml", "pw123"),
        ("GET https://api.example.org/feed?apikey=k3y9&page=2", "k3y9"),
    ],
)
def test_secrets_are_redacted(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_plain_urls_stay_readable() -> None:
    assert redact("source kyiv: https://kyivindependent.com/feed/ ok") == "source kyiv: https://kyivindependent.com/feed/ ok"
