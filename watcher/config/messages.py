"""pydantic's validation messages in a user's words ("'lots' is not a whole number", not "Input should be a
valid integer, unable to parse string as an integer"), for `file:line: key: message`."""

from __future__ import annotations

from typing import Any

from watcher.config.durations import shown


def in_words(err: Any) -> str | None:
    """The message for one pydantic error (a dict of `errors()`), or None to keep pydantic's own."""
    kind = err.get("type", "")
    value = err.get("input")
    given = f"'{shown(value)}'" if isinstance(value, (str, int, float, bool)) else _what(value)
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{given} is not a whole number"
    if kind in ("float_parsing", "float_type", "decimal_parsing"):
        return f"{given} is not a number"
    if kind == "finite_number":
        return f"{given} is not a finite number (write e.g. 15000)"
    if kind in ("bool_parsing", "bool_type"):
        return f"{given} is not true or false"
    if kind in ("list_type", "tuple_type", "set_type"):
        return f"should be a list, e.g. [a, b] (it is {_what(value)})"
    if kind in ("dict_type", "model_type", "dataclass_type", "model_attributes_type", "mapping_type"):
        return f"should be a mapping of keys and values, one `key: value` a line (it is {_what(value)})"
    if kind in ("string_type",):
        return f"should be text (it is {_what(value)})"
    if kind == "too_short" and isinstance(value, (list, tuple, dict, str)) and not value:
        return "must not be empty"
    if kind == "literal_error" and (err.get("ctx") or {}).get("expected"):
        return f"{given} is not allowed here: write {err['ctx']['expected']}"
    return None


def _what(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{shown(value)}'"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
