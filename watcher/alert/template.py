"""User templates for alert messages: Jinja2 in its sandbox, so a template can read the
alert's values but cannot reach into Python; HTML output is autoescaped."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment


@lru_cache(maxsize=256)
def _compiled(text: str, html: bool) -> Any:
    env = SandboxedEnvironment(autoescape=html, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.from_string(text)


def check_template(text: str) -> str:
    """`text` if it is a valid template; ValueError naming the template line otherwise."""
    try:
        _compiled(text, False)
    except TemplateError as e:
        line = getattr(e, "lineno", None)
        raise ValueError(f"template error{f' on its line {line}' if line else ''}: {e.message}") from None
    return text


def render(text: str, context: dict[str, Any], *, html: bool = False) -> str:
    try:
        return _compiled(text, html).render(**context).strip()
    except TemplateError as e:  # e.g. a value the template names but this alert lacks
        raise ValueError(f"template failed: {e}") from None
