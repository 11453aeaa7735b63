"""What surrounds a number: hedges, currencies, units, identifiers, years."""

from __future__ import annotations

import re
from decimal import Decimal

from watcher.match.number.quantity import _Num
from watcher.match.number.units import DURATION_AFTER, PLURAL_EXCEPTIONS
from watcher.match.number.vocab import _CAP_BEFORE, _CHANGE_WORDS, _COMMON_CAPS, _COUNT_HEDGES, _CURRENCY_AFTER, _CURRENCY_BEFORE, _CURRENCY_LAST, _CURRENCY_SYMBOLS, _CURRENCY_WORDS, _DOLLAR_QUALIFIERS, _FUNCTION_WORDS, _HEDGE_BEFORE, _HEDGE_LAST, _HEDGE_NORMAL, _ID_WORDS, _NO_WORDS, _NOT_A_WEEK_LABEL, _MEASURE_AFTER, _NEXT_WORD, _PERCENT_AFTER, _PREV_WORD, _SPORT_WORDS, _YEAR_BEFORE


# --------------------------------------------------------------------------- context


def _before(text: str, pos: int, width: int = 40) -> str:
    return text[max(0, pos - width) : pos]


def _hedge_before(text: str, pos: int) -> tuple[str | None, int]:
    before = _before(text, pos, 32)
    tail = before.rstrip()
    if not tail:
        return None, pos
    if tail[-1] != "~":  # cheap test on the last word before running the regex
        last = tail[tail.rfind(" ") + 1 :].lstrip("([\"'“‘").lower()
        if last not in _HEDGE_LAST:
            return None, pos
    m = _HEDGE_BEFORE.search(before)
    if not m:
        return None, pos
    raw = " ".join(m[1].lower().split())
    return _HEDGE_NORMAL.get(raw, raw), pos - (len(m.string) - m.start(1))


def _currency_before(text: str, pos: int) -> tuple[str | None, int]:
    before = _before(text, pos, 6)
    tail = before.rstrip()
    if not tail or tail[-1] not in _CURRENCY_LAST:
        return None, pos
    m = _CURRENCY_BEFORE.search(before)
    if not m:
        return None, pos
    key = (m["sym"] or m["code"]).upper()
    return _CURRENCY_SYMBOLS.get(key), pos - (len(m.string) - m.start())


_SYMBOL_AFTER = re.compile(r"\s?([€£¥₽₹₴₺₪$])(?![\w$€£])")


def _inch_mark(text: str, pos: int) -> bool:
    """The '"' right after a number is an inch mark ('a 8" pipe'), not a closing quote ('"We lost 300"')."""
    if text[pos] == "″":
        return True
    line_start = text.rfind("\n", 0, pos) + 1
    nxt = text[pos + 1 : pos + 2]
    return text.count('"', line_start, pos) % 2 == 0 and (not nxt or nxt.isspace() or nxt in ".,;)")


def _unit_after(text: str, pos: int, num: _Num) -> tuple[str | None, str | None, str | None, int]:
    """(kind, currency, measure unit, end) of what follows a number."""
    if num.attached == "pc":
        return "percent", None, None, pos
    if num.attached:
        return "measure", None, num.attached, pos
    m = _PERCENT_AFTER.match(text, pos)
    if m:
        return "percent", None, None, m.end()
    m = _SYMBOL_AFTER.match(text, pos)
    if m:  # "30 €", "30€"
        return "money", _CURRENCY_SYMBOLS.get(m[1]), None, m.end()
    m = _CURRENCY_AFTER.match(text, pos)
    if m:
        word = m["w"].lower().split()[0]
        stem = word if word in _CURRENCY_WORDS else word.rstrip("s")
        code = _CURRENCY_WORDS.get(stem) or _CURRENCY_WORDS.get(word) or _CURRENCY_SYMBOLS.get(m["w"].upper())
        if m["q"] and stem == "dollar":
            code = _DOLLAR_QUALIFIERS.get(" ".join(m["q"].lower().split()), code)
        return "money", code, None, m.end()
    m = _MEASURE_AFTER.match(text, pos)
    if m:
        unit = " ".join((m["u"] or m["deg"]).lower().split())
        return "measure", None, unit, m.end()
    if text.startswith(('"', "″"), pos) and _inch_mark(text, pos):
        return "measure", None, "in", pos + 1
    m = DURATION_AFTER.match(text, pos)
    if m:
        return "measure", None, m["t"].lower(), m.end()
    return None, None, None, pos


def _id_word_before(before: str) -> bool:
    """`before` ends with an id word and spaces: "No. ", "flight ", "#", "case number is " (plain string tests)."""
    tail = before.rstrip()
    if tail.endswith("#"):
        return True
    words = tail.removesuffix(":").split()
    if len(words) > 1 and words[-1] in ("is", "was"):
        words.pop()
    if not words:
        return False
    bare = words[-1].lstrip("([\"'“‘").removesuffix(".")
    if bare in _NO_WORDS:
        return True
    low = bare.lower()
    if low == "week" and len(words) > 1 and words[-2].lower() in _NOT_A_WEEK_LABEL:
        return False
    return low in _ID_WORDS


def _id_context(text: str, pos: int) -> bool:
    """True when a plain integer at `pos` is a label: "No. 10", "flight 370", "Boeing 737"."""
    before = _before(text, pos, 30)
    if _id_word_before(before):
        return True
    m = _CAP_BEFORE.search(before)
    if m:
        low = m[1].lower()
        return not (low in _COMMON_CAPS or low.endswith(("'s", "’s")))
    return False


def _prev_word(text: str, pos: int) -> str:
    m = _PREV_WORD.search(_before(text, pos, 30))
    return m[1].lower() if m else ""


def _next_word(text: str, pos: int) -> str:
    m = _NEXT_WORD.match(text, pos)
    return m[1] if m else ""


def _plural_noun_next(text: str, pos: int) -> bool:
    """A lower-case plural noun follows: "2.3m people", "10m users" (so the m is million, not metres)."""
    w = _next_word(text, pos)
    if not w or not w[0].islower():
        return False
    return w in PLURAL_EXCEPTIONS or (w.endswith("s") and not w.endswith("ss") and w not in _FUNCTION_WORDS)


_MINUS_WORD = re.compile(r"(?i)(?<![\w-])(?:minus|negative)\s+\Z")


def _minus_before(text: str, pos: int, spaced: bool = False) -> int:
    """Where a minus sign before `pos` starts ("-5", "−3.2%", "minus 20"), or -1.

    A hyphen counts only right before the digits after a space or an opening bracket
    ("a -5 reading", not "Covid-19" or "10-5"); with `spaced` also "- 20" (temperatures).
    """
    if pos > 0 and text[pos - 1] in "-−" and (pos == 1 or text[pos - 2].isspace() or text[pos - 2] in "(["):
        return pos - 1
    if spaced and pos > 1 and text[pos - 1] == " " and text[pos - 2] in "-−" and (pos == 2 or text[pos - 3] == " "):
        return pos - 2
    m = _MINUS_WORD.search(text, max(0, pos - 12), pos)
    return m.start() if m else -1


_QUARTER_AFTER = re.compile(r"\s+(?i:q[1-4]|h[12])\b")


def _is_year(text: str, start: int, end: int, value: Decimal, hedge: str | None) -> bool:
    """A plain 4-digit number: year unless its context says count ("more than 2000", "2000 troops")."""
    if not 1000 <= value <= 2199:
        return False
    prev = _prev_word(text, start)
    if value >= 2100:  # "the contract ends in 2150"
        return prev in ("in", "by", "until", "till", "since", "before", "after", "from", "of")
    if prev in _YEAR_BEFORE or prev.endswith(("'s", "’s")):
        return True
    if _QUARTER_AFTER.match(text, end):
        return True  # "2019 Q1", "2024 H2"
    if value < 1800 or hedge in _COUNT_HEDGES:
        return False
    nxt = _next_word(text, end)
    return not (nxt and nxt[0].islower() and nxt not in _FUNCTION_WORDS)  # "2000 troops" is a count


def _change_before(text: str, pos: int) -> bool:
    """A verb of change in the few words before `pos` ("rose from ... to ...")."""
    tail = re.findall(r"\w+", _before(text, pos, 50))[-4:]
    return any(_CHANGE_WORDS.fullmatch(w) for w in tail)


def _is_score(text: str, start: int, end: int) -> bool:
    window = text[max(0, start - 60) : end + 30]
    return bool(_SPORT_WORDS.search(window))
