"""The Apprise services a channel URL makes, without loading every Apprise plugin first.

Apprise imports all of its ~190 plugin modules the first time it looks a scheme up (about 0.3 s of every command
that reads a config with channels). Checking a URL needs one of them: the plugin sources are searched for the
`protocol` / `secure_protocol` declaration naming the URL's scheme, only the modules declaring it are imported,
and the URL is parsed and instantiated as `apprise.Apprise.instantiate` does. A scheme not found that way (one
declared in another form, a service's own https:// address, a custom plugin) gives None: the caller then asks
Apprise itself, which loads everything. Sending always goes through Apprise itself.
"""

from __future__ import annotations

import importlib
import os
import re
from functools import cache
from typing import Any

import apprise.plugins
from apprise import AppriseAsset
from apprise.decorators.base import CustomNotifyPlugin
from apprise.utils.parse import GET_SCHEMA_RE, parse_urls

CONSOLE = "console"  # our own scheme (channels.register_console), registered with Apprise only to send
_DECLARED = re.compile(r"""^[ \t]*(?:secure_)?protocol\s*=\s*(\([^)]*\)|\[[^\]]*\]|"[^"]*"|'[^']*')""", re.M)
_QUOTED = re.compile(r"""["']([^"']+)["']""")
_MODULE = re.compile(r"(?!base|_)[a-z0-9_]+", re.I)  # the names Apprise itself loads as plugins


def services_of(url: str) -> list[Any] | None:
    """The services Apprise would make of `url` (a few URLs in one string make several); [] when Apprise would
    refuse it (the string or one of its URLs); None when only Apprise with every plugin loaded can tell."""
    asset = AppriseAsset()
    services = []
    for part in parse_urls(url):
        part = part.replace("/#", "/%23")  # as apprise.plugins.url_to_dict
        found = GET_SCHEMA_RE.match(part)
        if found is None:
            return []
        scheme = found.group("schema").lower()
        plugin = CustomNotifyPlugin if scheme == CONSOLE else plugin_for(scheme)
        if plugin is None:
            return None
        service = _instantiate(plugin, part, asset)
        if service is None:
            return []
        services.append(service)
    return services


def _instantiate(plugin: Any, url: str, asset: AppriseAsset) -> Any:
    """As `Apprise.instantiate`: None when the plugin is disabled, cannot parse the URL or refuses its parts."""
    if not plugin.enabled:
        return None
    results = plugin.parse_url(url)
    if not results:
        return None
    results["tag"] = set()
    results["asset"] = asset
    try:
        service = plugin(**results)
    except Exception:  # Apprise's own instantiate treats any error of a plugin's constructor as "not loadable"
        return None
    return service if service.enabled else None


@cache
def plugin_for(scheme: str) -> Any:
    """The plugin class declaring `scheme`, importing only the modules whose source declares it; None if none."""
    for name in _declaring(scheme):
        module = importlib.import_module(f"{apprise.plugins.__name__}.{name}")
        for attr in dir(module):
            plugin = getattr(module, attr)
            if isinstance(plugin, type) and hasattr(plugin, "app_id") and hasattr(plugin, "parse_url") \
                    and scheme in {s.lower() for s in plugin.schemas(plugin)}:  # as Apprise's plugin manager
                return plugin
    return None


def _declaring(scheme: str) -> list[str]:
    """Plugin module names whose sources declare `scheme` as a protocol (a plain search first, then the regex)."""
    root = os.path.dirname(apprise.plugins.__file__)
    needles = (f'"{scheme}"'.encode(), f"'{scheme}'".encode())
    names = []
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        name = entry.name.removesuffix(".py") if entry.is_file() else entry.name
        if not _MODULE.fullmatch(name) or not (entry.is_dir() or entry.name.endswith(".py")):
            continue
        files = [entry.path] if entry.is_file() else \
            [f.path for f in os.scandir(entry.path) if f.is_file() and f.name.endswith(".py")]
        for path in files:
            with open(path, "rb") as f:
                data = f.read()
            if not any(n in data for n in needles):
                continue
            text = data.decode("utf-8", errors="replace")
            if any(scheme in (s.lower() for s in _QUOTED.findall(m.group(1))) for m in _DECLARED.finditer(text)):
                names.append(name)
                break
    return names
