"""User regular expressions, run with RE2: linear time, so no pattern can hang the daemon.

RE2 has no backreferences or lookaround, and its `\\b` knows only ASCII
letters; patterns are case-insensitive unless they say `(?-i)`.
"""

from __future__ import annotations

from typing import Any

import re2


def compile_user_regex(pattern: str) -> Any:
    options = re2.Options()
    options.log_errors = False  # errors are reported to the user as file:line, not logged by RE2
    options.case_sensitive = False
    options.max_mem = 8 << 20
    try:
        return re2.compile(pattern, options=options)
    except re2.error as e:
        message = e.args[0].decode() if e.args and isinstance(e.args[0], bytes) else str(e)
        raise ValueError(f"regex '{pattern}' does not compile (RE2 syntax): {message}") from None
