"""A channel URL is checked with its own Apprise plugin only, and judged exactly as Apprise with every plugin loaded."""

from __future__ import annotations

import logging
import subprocess
import sys

import apprise
import pytest

from watcher.deliver.channels import register_console, url_error
from watcher.deliver.plugins import plugin_for, services_of

URLS = [
    "json://127.0.0.1:9/alerts", "jsons://hooks.example.org/x?-X-Token=abc", "form://127.0.0.1:9/form", "xml://host",
    "mailto://watcher:secret@127.0.0.1:9?to=desk@example.org&from=watcher@example.org&mode=insecure",
    "mailtos://user:pass@gmail.com", "mailto://user@example.com", "mailto://", "mailto://host?to=a@b.c",
    "console://", "CONSOLE://", "console://x/y?z=1", "console:",
    "tgram://123456789:abcdefg_hijklmnop/12315544", "tgram://bad",
    "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general", "slack://x",
    "discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", "discord://",
    "ntfy://topic", "ntfys://user:pass@host/topic", "gotify://host/token", "matrix://user:pass@host/#room",
    "pover://user@token", "json://a.example.org, form://b.example.org", "json://", "form://",
    "", "   ", "not a url",
    # only Apprise with every plugin loaded knows these: a service's own https address, a scheme declared otherwise
    "https://discord.com/api/webhooks/4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", "https://example.org/hook",
    "nosuch://x", "json://a.example.org nosuch://b", "kodi://host",
]


def apprise_verdict(url: str) -> list[str]:
    """The services Apprise itself makes of `url` after loading every plugin ([] when it refuses it)."""
    register_console()
    a = apprise.Apprise()
    return [type(s).__name__ for s in a] if a.add(url) else []


@pytest.mark.parametrize("url", URLS)
def test_a_url_is_judged_as_apprise_judges_it(url: str) -> None:
    logging.getLogger("apprise").setLevel(logging.CRITICAL)
    quick = services_of(url)
    full = apprise_verdict(url)
    assert (url_error(url) is None) == bool(full), f"{url!r}: url_error says {url_error(url)!r}, Apprise made {full}"
    if quick is not None:  # decided without Apprise's full load: the same services (console is our own plugin)
        names = ["CustomNotifyPluginWrapper" if type(s).__name__ == "CustomNotifyPlugin" else type(s).__name__
                 for s in quick]
        assert names == full, f"{url!r}: quick {names}, Apprise {full}"


def test_a_scheme_maps_to_the_plugin_declaring_it() -> None:
    assert plugin_for("mailto").__name__ == "NotifyEmail"
    assert plugin_for("jsons").__name__ == "NotifyJSON"
    assert plugin_for("tgram").__name__ == "NotifyTelegram"
    assert plugin_for("nosuch") is None


def test_the_secrets_of_a_checked_url_are_masked() -> None:
    from watcher.logs import redact

    line = "sent with 123456789:shortsecret1"  # too short for redact's token patterns: only the check masks it
    assert "shortsecret1" in redact(line), "the test needs a token redact does not mask by its shape alone"
    assert url_error("tgram://123456789:shortsecret1/12315544") is None
    assert "shortsecret1" not in redact(line)


def test_checking_a_url_loads_its_plugin_only() -> None:
    """The point of it: a command reading a config with channels does not import Apprise's ~190 plugins."""
    code = ("import sys; from watcher.deliver.channels import url_error; "
            "assert url_error('json://127.0.0.1:9/x') is None and url_error('console://') is None; "
            "assert url_error('mailto://u:p@127.0.0.1:9?to=a@example.org&from=w@example.org&mode=insecure') is None; "
            "print(sorted(m for m in sys.modules if m.startswith('apprise.plugins.') and m.count('.') == 2))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    loaded = eval(out.stdout)
    assert "apprise.plugins.custom_json" in loaded and "apprise.plugins.email" in loaded, loaded
    assert len(loaded) < 10, f"{len(loaded)} plugin modules loaded: {loaded}"
