"""User templates for alert messages: Jinja2 in its sandbox, so a template can read the
alert's values but cannot reach into Python; HTML output is autoescaped.

A template that fails on some alert (a value that alert lacks, a division by
zero) never stops delivery: `render_or_none` says so in one log line, once per
mistake, and the caller sends the standard message instead.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.exceptions import SecurityError

from watcher.alert.bounds import MAX_TEXT, BoundedEnvironment, check_binop

log = logging.getLogger("watcher.alert")


# not optimized: the optimizer works out constant parts when the template is loaded, however big they make
_ENV = {html: BoundedEnvironment(autoescape=html, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                 optimized=False)
        for html in (False, True)}
# a template has no files to read: naming one is a mistake, found when the template is loaded
_OTHER_TEMPLATES = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)
_BUILDERS = (nodes.Mul, nodes.Pow, nodes.Mod)  # worked out when the template is checked, if all literal
_reported: set[tuple[str, str]] = set()  # (whose template, what went wrong) already logged
_reported_lock = threading.Lock()
MAX_REPORTED = 1000


@lru_cache(maxsize=256)
def _compiled(text: str, html: bool) -> Any:
    return _ENV[html].from_string(text)


def check_template(text: str) -> str:
    """`text` if it is a valid template; ValueError naming the template line otherwise."""
    try:
        tree = _ENV[False].parse(text)
        other = next(iter(tree.find_all(_OTHER_TEMPLATES)), None)
        if other is not None:
            raise ValueError(f"template error on its line {other.lineno}: alert templates cannot include, extend or "
                             "import other templates; write the text in this one")
        for node in tree.find_all(_BUILDERS):  # 'a' * 100000000 is a mistake whatever the alert
            try:
                _constant(node)
            except nodes.Impossible:
                continue
            except SecurityError as e:
                raise ValueError(f"template error on its line {node.lineno}: {e.message}") from None
        _compiled(text, False)
    except TemplateError as e:
        line = getattr(e, "lineno", None)
        raise ValueError(f"template error{f' on its line {line}' if line else ''}: {e.message}") from None
    return text


class RenderError(ValueError):
    """A template failed on these values; `line` is the template's line, when known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _constant(node: nodes.Node) -> Any:
    """The value of literals joined by `*` and `**` (bounded); nodes.Impossible for anything else, which
    is left to the render: working out a filter here would run it unbounded."""
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, _BUILDERS):
        left, right = _constant(node.left), _constant(node.right)
        check_binop(node.operator, left, right)
        try:
            return left * right if node.operator == "*" else left ** right if node.operator == "**" else left % right
        except Exception:  # noqa: BLE001 - 'a' * 'b' is for the render to report, with the alert's values
            raise nodes.Impossible() from None
    raise nodes.Impossible()


def render(text: str, context: dict[str, Any], *, html: bool = False) -> str:
    try:
        written, size = [], 0
        for part in _compiled(text, html).generate(**context):
            size += len(part)
            if size > MAX_TEXT:
                raise SecurityError(f"the message would be over {MAX_TEXT} characters")
            written.append(part)
        return "".join(written).strip()
    except Exception as e:  # noqa: BLE001 - any failure of user template code is that template's mistake
        line = _template_line(e)
        raise RenderError(f"template failed{f' on its line {line}' if line else ''}: {_describe(e)}"
                          f"{_did_you_mean(e, context)}", line) from None


def render_or_none(text: str, context: dict[str, Any], *, html: bool = False, whose: str) -> str | None:
    """The rendered text, or None (logged once per mistake of `whose` template) when the template fails."""
    try:
        return render(text, context, html=html)
    except RenderError as e:
        key = (whose, str(e))
        with _reported_lock:
            new = key not in _reported
            if new:
                if len(_reported) >= MAX_REPORTED:
                    _reported.clear()
                _reported.add(key)
        if new:
            log.warning("%s: %s; alerts it fails on are sent with the standard message", whose, e)
        return None


def _did_you_mean(e: Exception, context: dict[str, Any]) -> str:
    """For an unknown name, the closest of the names a template may use (nothing when none is close)."""
    import difflib
    import re

    m = re.match(r"'([A-Za-z_][A-Za-z0-9_]*)' is undefined$", str(e))
    if not m or m.group(1) in context:
        return ""
    close = difflib.get_close_matches(m.group(1), list(context), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _describe(e: Exception) -> str:
    message = str(e) or type(e).__name__
    return message if isinstance(e, TemplateError) else f"{type(e).__name__}: {message}"


def _template_line(e: BaseException) -> int | None:
    """The template line the error happened on (Jinja puts template frames in the traceback)."""
    line = getattr(e, "lineno", None)
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
