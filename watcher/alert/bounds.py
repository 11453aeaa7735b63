"""Size bounds for alert templates: Jinja's sandbox bounds range() but not the text a template builds, so
'a' * 10**9, 'a'|center(10**9), '%0999999999d' % 1 or a value doubled by `~` in a loop took the memory before
anything was sent. Here every way of building text that could pass MAX_TEXT is refused before it is built,
or (for joins of values already bounded) as soon as it is built.
"""

from __future__ import annotations

import functools
import inspect
import re
import string
from typing import Any, Callable

from jinja2 import defaults, filters, nodes, pass_context
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment, modifies_known_mutable
from jinja2.utils import Namespace

MAX_TEXT = 1_000_000  # characters (or items) a template may make of one value, and may write in all
MAX_TURNS = 1_000_000  # turns all of a template's loops may take in one render (about a tenth of a second)
_SIZED = (str, bytes, list, tuple)
_PRINTF_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def refuse_over(size: int, what: str) -> None:
    if size > MAX_TEXT:
        raise SecurityError(f"{what} would make a value of {size} characters or items; "
                            f"a template value may have at most {MAX_TEXT}")


def check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "*":
        seq, times = (left, right) if isinstance(right, int) else (right, left)
        if isinstance(seq, _SIZED) and isinstance(times, int):
            refuse_over(len(seq) * times, "'*'")
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            if (abs(left).bit_length() - 1) * right > 4 * MAX_TEXT:
                raise SecurityError(f"'**' would make a number of over {MAX_TEXT} digits")
    elif operator == "%" and isinstance(left, (str, bytes)):
        values = right.values() if isinstance(right, dict) else right if isinstance(right, tuple) else (right,)
        _check_printf(left, tuple(values))
        refuse_over(sum(text_size(v) for v in values), "'%'")


_CONTAINERS = (list, tuple, set, frozenset, dict, Namespace)


def text_size(value: Any, limit: int = MAX_TEXT) -> int:
    """About how many characters str(value) makes, counted only until past `limit` (a list of 1,000 strings
    of 1,000,000 characters is small to hold, but written out it is a billion characters)."""
    total, seen, todo = 0, set(), [value]
    while todo and total <= limit:
        x = todo.pop()
        if isinstance(x, (str, bytes)):
            total += len(x)
        elif isinstance(x, _CONTAINERS):
            if id(x) not in seen:  # a list holding itself is written as [...]
                seen.add(id(x))
                items = x._Namespace__attrs if isinstance(x, Namespace) else x  # noqa: SLF001 - its values
                todo.extend([*items.keys(), *items.values()] if isinstance(items, dict) else items)
            total += 2 + 2 * (len(x) if not isinstance(x, Namespace) else 0)
        else:
            total += 8  # a number, a date, None: short
    return total


def check_text(value: Any, what: str) -> Any:
    """`value`, refused when written out it would be over MAX_TEXT characters."""
    if isinstance(value, _CONTAINERS):
        refuse_over(text_size(value), what)
    return value


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _check_widths(numbers: list[str], what: str) -> None:
    for number in numbers:
        if len(number.lstrip("0")) > len(str(MAX_TEXT)) or int(number) > MAX_TEXT:
            raise SecurityError(f"{what} of {number[:20]}{'...' if len(number) > 20 else ''} would make a value of "
                                f"over {MAX_TEXT} characters")


def _check_printf(fmt: str | bytes, values: tuple[Any, ...]) -> None:
    """A %-format's widths and precisions (and the values a '*' takes them from) stay within MAX_TEXT."""
    text = fmt.decode("latin-1") if isinstance(fmt, bytes) else str(fmt)
    fields = [g for m in _PRINTF_FIELD.finditer(text) for g in m.groups() if g]
    _check_widths([g for g in fields if g != "*"], "a '%' width")
    if "*" in fields:
        _check_widths([str(abs(v)) for v in values if isinstance(v, int)], "a '%*' width")


def _check_format(fmt: str, values: tuple[Any, ...]) -> None:
    """The same for str.format: widths written in the fields, or taken from the values by a nested field."""
    try:
        specs = [spec for _, _, spec, _ in string.Formatter().parse(fmt) if spec]
    except ValueError:
        return  # the call itself says what is wrong with the format
    _check_widths([n for spec in specs for n in re.findall(r"\d+", spec)], "a format width")
    if any("{" in spec for spec in specs):
        _check_widths([str(abs(v)) for v in values if isinstance(v, int)], "a format width")


def _replace_size(text: Any, old: Any, new: Any, count: Any) -> int:
    text, old, new = str(text), str(old), str(new)
    times = text.count(old) if old else len(text) + 1
    if _int(count) >= 0 and isinstance(count, int):
        times = min(times, count)
    return len(text) + times * max(0, len(new) - len(old))


def _joined_size(items: list[Any], separator: Any) -> int:
    return sum(text_size(item) for item in items) + len(items) * len(str(separator))


def _sum_size(items: list[Any], start: Any) -> int:
    return sum(len(x) for x in [start, *items] if isinstance(x, _SIZED))


def _lines(text: str) -> int:
    return text.count("\n") + 1


# filter name -> (how big its result may be, from its bound arguments; the argument to turn into a list first)
_FILTER_SIZES: dict[str, tuple[Callable[[dict[str, Any]], int], str | None]] = {
    "center": (lambda a: max(len(str(a["value"])), _int(a["width"])), None),
    "indent": (lambda a: len(str(a["s"])) + _lines(str(a["s"])) * (
        _int(a["width"]) if isinstance(a["width"], int) else len(str(a["width"]))), None),
    "format": (lambda a: _check_printf(str(a["value"]), a["args"] + tuple(a["kwargs"].values()))
               or sum(text_size(v) for v in (*a["args"], *a["kwargs"].values())), None),
    "replace": (lambda a: _replace_size(a["s"], a["old"], a["new"], a["count"]), None),
    "join": (lambda a: _joined_size(a["value"], a["d"]), "value"),
    "wordwrap": (lambda a: len(str(a["s"])) + (len(str(a["s"]).split()) + len(str(a["s"])) // max(1, _int(a["width"]))
                                               + _lines(str(a["s"]))) * len(a["wrapstring"] or "\n"), None),
    "batch": (lambda a: _int(a["linecount"]), None),
    "slice": (lambda a: _int(a["slices"]), None),
    "tojson": (lambda a: len(str(a["value"])) * (1 + (
        _int(a["indent"]) if not isinstance(a["indent"], str) else len(a["indent"]))), None),
    "sum": (lambda a: _sum_size(a["iterable"], a["start"]), "iterable"),
    "truncate": (lambda a: _int(a["length"]) + len(str(a["end"])), None),
}
# filters that write their value out as text, whatever it holds
_WRITE_OUT = ("string", "e", "escape", "forceescape", "pprint", "title", "upper", "lower", "capitalize", "trim",
              "striptags", "urlize", "wordcount", "urlencode", "safe", "xmlattr")
_FILTER_SIZES.update({name: (lambda a: 0, None) for name in _WRITE_OUT})
_SYNC_FILTERS = {"join": filters.sync_do_join, "sum": filters.sync_do_sum, "slice": filters.sync_do_slice}


def _guarded(name: str, func: Callable[..., Any], size: Callable[[dict[str, Any]], int],
             to_list: str | None) -> Callable[..., Any]:
    signature = inspect.signature(func)
    value = next((p for p in signature.parameters if p not in ("eval_ctx", "environment", "env", "context")), None)

    @functools.wraps(func)  # keeps the marker saying which context the filter takes first
    def guarded(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        if to_list is not None:
            bound.arguments[to_list] = list(bound.arguments[to_list])
        if value is not None and to_list is None:
            check_text(bound.arguments[value], f"'{name}'")
        refuse_over(size(bound.arguments), f"'{name}'")
        return func(*bound.args, **bound.kwargs)

    return guarded


def _text_method_size(text: str | bytes, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    first = args[0] if args else next(iter(kwargs.values()), None)
    if name in ("ljust", "rjust", "center", "zfill"):
        return max(len(text), _int(first))
    if name == "expandtabs":
        return len(text) + text.count("\t" if isinstance(text, str) else b"\t") * _int(first if args or kwargs else 8)
    if name == "replace":
        return _replace_size(text, args[0], args[1], args[2] if len(args) > 2 else kwargs.get("count", -1))
    if name == "translate" and isinstance(first, dict):
        return len(text) * max([1, *(len(v) for v in first.values() if isinstance(v, _SIZED))])
    if name in ("format", "format_map"):
        values = (*args, *kwargs.values(), *(first.values() if name == "format_map" and isinstance(first, dict) else ()))
        _check_format(str(text), values)
        return len(text) + sum(text_size(v) for v in values)
    return 0


@pass_context
def _counted(context: Any, iterable: Any) -> Any:
    """The items of a {% for %}, each counted against the render's MAX_TURNS: loops in loops that write
    nothing (range(100000) in range(100000)) kept the sender busy for hours."""
    for item in iterable:
        turns = getattr(context, "watcher_turns", 0) + 1
        if turns > MAX_TURNS:
            raise SecurityError(f"the template's loops would take over {MAX_TURNS} turns")
        context.watcher_turns = turns
        yield item


class _OutputBuffer(list):  # type: ignore[type-arg]
    """What a {% set %} block, a macro or a {% filter %} block writes, before it is joined."""

    size = 0

    def append(self, part: Any) -> None:
        self.size += len(str(part))
        refuse_over(self.size, "a block")
        super().append(part)

    def extend(self, parts: Any) -> None:
        for part in parts:
            self.append(part)


class _BoundedCodeGenerator(CodeGenerator):
    def buffer(self, frame: Any) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.output_buffer()")

    def visit_Concat(self, node: Any, frame: Any) -> None:
        """As Jinja writes it, with each part's size checked before it is written out, and the whole after."""
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"environment.bounded({join}((")
        for arg in node.nodes:
            self.write("environment.written(")
            self.visit(arg, frame)
            self.write("), ")
        self.write(")))")


_COUNTED = "watcher_counted"


class BoundedEnvironment(SandboxedEnvironment):
    """The sandbox, with anything that would make a value over MAX_TEXT refused."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _BoundedCodeGenerator
    output_buffer = _OutputBuffer

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=self.written, **options)  # every {{ value }} goes through it
        for name, (size, to_list) in _FILTER_SIZES.items():
            self.filters[name] = _guarded(name, _SYNC_FILTERS.get(name, self.filters[name]), size, to_list)
        self.globals[_COUNTED] = _counted
        self.globals["lipsum"] = _guarded("lipsum", defaults.DEFAULT_NAMESPACE["lipsum"],
                                          lambda a: _int(a["n"]) * max(_int(a["min"]), _int(a["max"])) * 12, None)

    def _generate(self, source: Any, name: Any, filename: Any, defer_init: bool = False) -> str:
        for loop in source.find_all(nodes.For):  # every loop's items are counted
            loop.iter = nodes.Call(nodes.Name(_COUNTED, "load"), [loop.iter], [], None, None).set_lineno(loop.lineno)
        return super()._generate(source, name, filename, defer_init)  # type: ignore[no-any-return]

    @staticmethod
    def written(value: Any) -> Any:
        return check_text(value, "writing it out")

    @staticmethod
    def bounded(value: Any) -> Any:
        if isinstance(value, _SIZED):
            refuse_over(len(value), "'~'")
        return value

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_binop(operator, left, right)
        value = super().call_binop(context, operator, left, right)
        if operator == "+" and isinstance(value, _SIZED):  # both sides are bounded already: at most twice over
            refuse_over(len(value), "'+'")
        return value

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - as the sandbox's
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox hands out str.format wrapped
        owner, name = getattr(method, "__self__", None), getattr(method, "__name__", "")
        if isinstance(owner, (str, bytes)):
            if name == "join" and args:
                args = (list(args[0]), *args[1:])
                refuse_over(_joined_size(args[0], owner), "'join'")
            refuse_over(_text_method_size(owner, name, args, kwargs), f"'{name}'")
        elif owner is not None and modifies_known_mutable(owner, name):  # l.append(...) in a loop: all it holds
            added = getattr(__context, "watcher_added", 0) + sum(text_size(v) for v in (*args, *kwargs.values()))
            refuse_over(added, "what this template adds to lists and dicts")
            __context.watcher_added = added
        return super().call(__context, __obj, *args, **kwargs)
