"""Small numbers that are clock hours or days of the month by their context: "at 7 tonight",
"between 3 and 8 yesterday", "5 in the morning", "on Friday 23". Such a number is no count."""

from __future__ import annotations

import re

from watcher.match.number.vocab import _FUNCTION_WORDS, _NEXT_WORD

_WEEKDAY = (r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun")
# Right after the number: these make it a clock hour whatever precedes it.
_HOURS = r"\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon|midnight"
_STRONG_AFTER = re.compile(
    r"(?i),?\s+(?:in\s+the\s+(?:morning|afternoon|evening|night)|at\s+night|tonight|"
    r"(?:this|tomorrow|yesterday|last|next)\s+(?:morning|afternoon|evening|night)|"
    rf"(?:minutes\s+)?past\s+(?:{_HOURS})\b(?!\s*(?:%|per\b|[a-z]+s\b))|minutes\s+to\s+(?:{_HOURS}))\b"  # "10 past 9"
    r"|\s*o['’]?\s?clock\b"
)
_PAST_BEFORE = re.compile(r"(?i)(?<!the )(?<!\w)(?:past|quarter\s+to|half)\s+\Z")  # "ten past 9", not "the past 9"
# These only after a time preposition or a range ("around 7 tomorrow", "6-8 next Monday").
_WEAK_AFTER = re.compile(
    rf"(?i),?\s+(?:yesterday|today|tomorrow|(?:next|last|this|previous|coming)\s+(?:{_WEEKDAY}|week))\b"
)
_PREP_BEFORE = re.compile(r"(?i)(?<!\w)(?:at|around|about|by|circa|from|between|until|till|after|before)\s+\Z")
# A day or part of a day, then "at"/"around"/"by" right before the number: "last night at 8", "on Sat at 5".
_DAY_THEN_PREP = re.compile(
    rf"(?i)(?<!\w)(?:{_WEEKDAY}|tonight|night|morning|afternoon|evening|today|tomorrow|yesterday|noon|weekend)\b"
    r"[^.!?;\d]{0,24}?(?:\s\d{1,2}(?:st|nd|rd|th)?)?\s+(?:at|around|about|by|circa|from|between)\s+\Z"
)
# A day (and part of it) right before a range: "Monday 3-8", "next Monday morning 6-8".
_DAY_BEFORE_RANGE = re.compile(
    rf"(?i)(?<!\w)(?:{_WEEKDAY}|tonight|today|tomorrow|yesterday)(?:\s+(?:morning|afternoon|evening|night))?,?\s+\Z"
)
_WEEKDAY_BEFORE = re.compile(rf"(?i)(?<!\w)(?:{_WEEKDAY})\.?,?\s+(?:the\s+)?\Z")


# Content words that may follow a clock hour ("7 tonight", "10 past 9", "5 minutes to 6").
_TIME_WORDS_AFTER = frozenset({"tonight", "tomorrow", "yesterday", "today", "minutes", "past", "last", "next", "this",
                               "oclock", "o", "noon", "midnight"})


def clock_or_day(text: str, left: int, end: int, ranged: bool, high: int) -> str | None:
    """"time" or "date" when the integer(s) text[left:end] (all <= `high`) are an hour or a day by context."""
    m = _NEXT_WORD.match(text, end)
    noun = bool(m) and m[1][0].islower() and m[1].lower() not in _FUNCTION_WORDS  # "at 5 schools": a count
    if noun and m[1].lower() not in _TIME_WORDS_AFTER:
        return None  # the common case, decided without a regex
    if high <= 24:
        if _STRONG_AFTER.match(text, end):
            return "time"
        before = text[max(0, left - 60) : left]
        if _WEAK_AFTER.match(text, end) and (ranged or _PREP_BEFORE.search(before)):
            return "time"
        if not noun and (_PAST_BEFORE.search(before) or _DAY_THEN_PREP.search(before)
                         or (ranged and _DAY_BEFORE_RANGE.search(before))):
            return "time"
    if high <= 31 and not noun and _WEEKDAY_BEFORE.search(text, max(0, left - 16), left):
        return "date"  # "on Friday 23", "Monday the 21"
    return None
