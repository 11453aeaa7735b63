"""Who may use the console: credentials from the environment, the login wall, roles.

On a loopback address with no credentials set, whoever can reach the port is
the admin (as with any local tool). Anywhere else the console refuses to start
without credentials. A credential is a token or a PBKDF2 hash of a password
(`watcher web --hash-password` makes one), given in an environment variable or
in a file the variable `..._FILE` names:

- `WATCHER_CONSOLE_TOKEN` / `WATCHER_CONSOLE_TOKEN_FILE`: may change things;
- `WATCHER_CONSOLE_READONLY_TOKEN` / `..._FILE`: may look, not change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from watcher.errors import WatcherError

ADMIN, VIEWER = "admin", "viewer"
HASH_PREFIX = "pbkdf2_sha256$"
ITERATIONS = 310_000


def hash_password(password: str, iterations: int = ITERATIONS, salt: str | None = None) -> str:
    """`pbkdf2_sha256$<iterations>$<salt>$<hash>`: what to put in WATCHER_CONSOLE_TOKEN instead of the password."""
    salt = salt or secrets.token_urlsafe(12)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"{HASH_PREFIX}{iterations}${salt}${base64.b64encode(digest).decode()}"


def _matches(given: str, stored: str) -> bool:
    if stored.startswith(HASH_PREFIX):
        try:
            iterations, salt, _ = stored[len(HASH_PREFIX):].split("$", 2)
            return hmac.compare_digest(hash_password(given, int(iterations), salt), stored)
        except ValueError:
            return False
    return hmac.compare_digest(given.encode(), stored.encode())


def _secret(env: Mapping[str, str], name: str) -> str | None:
    if env.get(name):
        return _checked_hash(name, env[name].strip())
    path = env.get(f"{name}_FILE")
    if not path:
        return None
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except OSError as e:
        raise WatcherError(f"{name}_FILE={path}: cannot read it: {e.strerror or e}") from None
    if not value:
        raise WatcherError(f"{name}_FILE={path}: the file is empty")
    return _checked_hash(name, value)


def _checked_hash(name: str, value: str) -> str:
    """`value`; a WatcherError when it starts as a --hash-password hash but is not one (cut short when pasted, say),
    which no password would ever match."""
    if value.startswith(HASH_PREFIX):
        parts = value[len(HASH_PREFIX):].split("$")
        try:
            whole = len(parts) == 3 and int(parts[0]) > 0 and parts[1] != "" and len(base64.b64decode(
                parts[2], validate=True)) == hashlib.sha256().digest_size
        except ValueError:
            whole = False
        if not whole:
            raise WatcherError(f"{name}: it starts as a password hash but is not a whole one "
                               f"({HASH_PREFIX}ITERATIONS$SALT$HASH, as `watcher web --hash-password` prints it)")
    return value


@dataclass(frozen=True)
class Credentials:
    admin: str | None = None
    viewer: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Credentials":
        env = os.environ if env is None else env
        return cls(_secret(env, "WATCHER_CONSOLE_TOKEN"), _secret(env, "WATCHER_CONSOLE_READONLY_TOKEN"))

    @property
    def required(self) -> bool:
        return bool(self.admin or self.viewer)

    def role_for(self, given: str) -> str | None:
        """The role a submitted token or password opens, or None."""
        if not given:
            return None
        if self.admin and _matches(given, self.admin):
            return ADMIN
        if self.viewer and _matches(given, self.viewer):
            return VIEWER
        return None


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(listen: str, host: str, credentials: Credentials) -> None:
    """Refuse to serve the console off loopback without credentials."""
    if not loopback(host) and not credentials.required:
        raise WatcherError(
            f"server.listen {listen}: the web console on a non-loopback address needs credentials: set "
            "WATCHER_CONSOLE_TOKEN (or WATCHER_CONSOLE_TOKEN_FILE), listen on 127.0.0.1, or set `console: false`")
