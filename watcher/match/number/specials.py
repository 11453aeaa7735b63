"""Special forms with digits that are not amounts: dates, clock times, decades, phone numbers, scores, slashes."""

from __future__ import annotations

import re
from decimal import Decimal

from watcher.match.number.context import _hedge_before
from watcher.match.number.quantity import Quantity
from watcher.match.number.shares import percent
from watcher.match.number.vocab import _MONTH_RE, _MONTHS


# The bare first end of a clock-time range: "5 to 6pm", "between 2 and 4:30pm", "3-8pm", "from 7 to 7:30".
_HOUR_BEFORE = re.compile(
    r"(?i)(?:\b(?:between|from)\s+)?(?<![\w.,:])(?P<h>\d{1,2})(?::(?P<mi>[0-5]\d))?\s*(?:-|–|to|and|until|till)\s*\Z"
)
# "pm", "p.m.", "PM", "p . m ." (tokenized text)
_AMPM = r"(?:[ap]\s\.\s?m\s?\.|[ap]\.m\.|[ap]\.?m\b|[AP]\.M\.|[AP]M\b)"
_SPECIAL = re.compile(
    rf"""
  (?P<phone>
      (?<![\w+])\+\d{{1,3}}(?:[\s.-]?\(?\d{{1,5}}\)?){{2,6}}(?!\d)
    | (?<!\w)\(\d{{2,5}}\)\s?\d{{2,4}}(?:[\s.-]\d{{2,4}}){{1,3}}(?!\d)
    | (?<![\w.,-])\d{{3}}[.-]\d{{3}}[.-]\d{{4}}(?!\d)
    | (?<![\w.,-])\d{{3}}-\d{{2}}-\d{{2}}(?![\d-])
    | (?<![\w.,])0\d{{2,4}}[ -]\d{{3,4}}[ -]?\d{{3,4}}(?!\d)
  )
| (?P<groups>(?<![\w.,])\d{{1,4}}(?:[ \u00a0-]\d{{2,4}}){{3,}}(?![\w]|[.,]\d))   # "8 800 555 35 35"
| (?P<iso>(?<![\w.-])(?P<iy>(?:1[89]|2[01])\d{{2}})(?P<isep>[-/. ])(?P<im>\d{{1,2}})(?P=isep)(?P<id>\d{{1,2}})(?![\w-]|[.,]\d))
| (?P<ymd>(?<![\w.,])(?P<ymdy>(?:19|20)\d{{2}})(?P<ymdm>0[1-9]|1[0-2])(?P<ymdd>0[1-9]|[12]\d|3[01])(?![\w]|[.,]\d))
| (?P<mon>(?<![\w.,/-])(?P<mo>0[1-9]|1[0-2])[-/](?P<moy>(?:19|20)\d{{2}})(?![\w/-]|[.,]\d))   # "12-2015"
| (?P<dmy2>(?<![\w.,/])(?P<dd2>\d{{1,2}})(?P<dsep>[-/.])(?P<dm2>{_MONTH_RE})(?P=dsep)(?P<dy2>\d{{4}}|\d{{2}})(?!\d))
| (?P<nd>(?<![\w.,/])(?P<n1>\d{{1,2}})(?P<sep>[./])(?P<n2>\d{{1,2}})(?P=sep)(?P<n3>\d{{4}}|\d{{2}})(?!\d|[./]\d))
| (?P<dmy>(?<![\w.,'’-])(?P<dd>\d{{1,2}})(?:st|nd|rd|th)?(?:\s*(?:[-–]|to|and)\s*\d{{1,2}}(?:st|nd|rd|th)?)?
        \s+(?:of\s+)?(?P<dm>{_MONTH_RE})(?:,?\s+(?P<dy>\d{{4}})(?!\d|[.,]\d)|\s+of\s+'?(?P<dyy>\d{{2}})\b)?)
| (?P<mdy>\b(?P<mm>{_MONTH_RE})\s+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?(?![\w]|[.,:]\d)
        (?:\s*[-–]\s*\d{{1,2}}(?![\w]|[.,:]\d))?(?:,?\s+(?P<my>\d{{4}})(?!\d|[.,]\d))?)
| (?P<my2>\b(?P<mm2>{_MONTH_RE})\s+(?:(?P<yy2>\d{{4}})(?!\d|[.,]\d)|of\s+'?(?P<yy3>\d{{2}})\b))  # "April of 87"
| (?P<time>(?<![\w.,:])
    (?:(?P<h1>\d{{1,2}}):(?P<m1>\d{{2}})(?::\d{{2}})?(?!\d)(?:\s?(?P<ap1>{_AMPM}))?
     | (?P<h2>\d{{1,2}})(?:[.:](?P<m2>\d{{2}}))?\.?\s?(?P<ap2>{_AMPM})
     | (?P<h5>\d{{1,2}})(?P<m5>[0-5]\d)\s?(?P<ap5>{_AMPM})                      # "1140 a.m."
     | (?P<h3>\d{{1,2}})\s*o['’]?\s?clock\b                                     # "9 o'clock", "9 oclock"
     | (?P<h6>12)\s+(?:noon|midnight)\b
     | (?P<h4>[01]\d|2[0-3])(?P<m4>[0-5]\d)(?=\s?(?:GMT|UTC|hrs\b|hours\s+(?:GMT|UTC|local)))
    )(?:\s?(?:GMT|UTC|BST|CET|CEST|EET|EEST|EST|EDT|PST|PDT|MSK|hrs|local\s+time)\b)?)
| (?P<decade>(?<![\w'’.,])(?P<dec>\d{{3}}0)s\b)
| (?P<decade2>(?<![\w'’.,])[1-9]0\s?s\b)                                        # "the 90 s"
| (?P<ratio>(?<![\w.,:])\d{{1,3}}:\d(?![\d:]))
| (?P<slash>(?<![\w.,/])(?P<s1>\d{{1,4}})/(?P<s2>\d{{1,4}})(?![\d/]))
""",
    re.VERBOSE,
)
_ANYWHERE = _SPECIAL
# Every special form starts with one of these: a cheap first test at each position (8x faster). A lower-case
# month first ("feb 28", "april 2017") is left to `month_first_date`, asked by the scanner at its numbers.
_SPECIAL = re.compile(r"(?=[\d+(JFMASOND])(?:" + _SPECIAL.pattern + ")", re.VERBOSE)
_LOWER_MONTH_BEFORE = re.compile(
    r"(?<![\w.])(?:january|february|april|june|july|august|september|october|november|december|"
    r"jan|feb|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?\s+\Z"
)


def month_first_date(text: str, pos: int) -> Quantity | None:
    """The date starting with a lower-case month right before the number at `pos` ("feb 28", "april 2017")."""
    lm = _LOWER_MONTH_BEFORE.search(text, max(0, pos - 11), pos)
    if lm is None:
        return None
    m = _ANYWHERE.match(text, lm.start())
    if m is None or m.lastgroup not in ("mdy", "my2"):
        return None
    value = _special_value(m, m.lastgroup)
    if value is None:
        return None
    return Quantity(value[1], value[2], value[0], None, m.start(), m.end(), m.group())


# --------------------------------------------------------------------------- special forms


def _specials(text: str) -> list[tuple[int, int, Quantity | None]]:
    """Spans of dates, times, decades (as quantities) and phones, scores, slashes (blocked)."""
    out: list[tuple[int, int, Quantity | None]] = []
    for m in _SPECIAL.finditer(text):
        kind = m.lastgroup
        value = _special_value(m, kind)
        if kind == "groups" and _thousands_groups(m.group()):
            continue  # "1 000 000 000" is a number: leave it to the core scanner
        if value is None:
            if kind in ("phone", "groups", "ratio", "slash", "time", "decade2"):
                out.append((m.start(), m.end(), None))  # not an amount; keep digits out of counts
            continue  # an invalid date ("May 45"): let the core scanner read it
        qkind, low, high = value
        start, hedge = m.start(), None
        if qkind == "time":  # "5 to 6pm", "between 3 and 8am", "4 - 6:30 pm": the first end is an hour too
            first = _HOUR_BEFORE.search(text, max(0, start - 24), start)
            if first and int(first["h"]) <= 24:
                start, low = first.start(), Decimal(int(first["h"])) + Decimal(int(first["mi"] or 0)) / 60
        if qkind in ("time", "year", "percent"):
            hedge, hstart = _hedge_before(text, start)
            start = hstart if hedge else start
        out.append((start, m.end(), Quantity(low, high, qkind, hedge, start, m.end(), text[start : m.end()])))
    return out


_OF = re.compile(r"\s+of\b")


def _thousands_groups(s: str) -> bool:
    head, *groups = re.split(r"[ \u00a0-]", s)
    return "-" not in s and head[0] != "0" and len(head) <= 3 and all(len(g) == 3 for g in groups)


def _special_value(m: re.Match[str], kind: str | None) -> tuple[str, Decimal, Decimal] | None:
    if kind == "iso":
        return _date(int(m["iy"]), int(m["im"]), int(m["id"]))
    if kind == "ymd":  # "20161016"
        return _date(int(m["ymdy"]), int(m["ymdm"]), int(m["ymdd"]))
    if kind == "mon":
        return _date(int(m["moy"]), int(m["mo"]), 0)
    if kind == "dmy2":
        return _date(_full_year(int(m["dy2"])), _month(m["dm2"]), int(m["dd2"]))
    if kind == "nd":
        a, b, year = int(m["n1"]), int(m["n2"]), int(m["n3"])
        year = year + 2000 if year < 100 else year
        day, month = (b, a) if b > 12 else (a, b)  # day first unless that is impossible
        return _date(year, month, day)
    if kind == "dmy":
        year = int(m["dy"]) if m["dy"] else _full_year(int(m["dyy"])) if m["dyy"] else 0
        return _date(year, _month(m["dm"]), int(m["dd"]))
    if kind == "mdy":
        return _date(int(m["my"] or 0), _month(m["mm"]), int(m["md"]))
    if kind == "my2":  # "May 2025": day unknown
        year = int(m["yy2"]) if m["yy2"] else _full_year(int(m["yy3"]))
        return _date(year, _month(m["mm2"]), 0) if 1000 <= year <= 2099 else None
    if kind == "time":
        return _time(m)
    if kind == "decade":
        dec = int(m["dec"])
        return ("year", Decimal(dec), Decimal(dec + 9)) if 1000 <= dec <= 2090 else None
    if kind == "slash":
        a, b = m["s1"], m["s2"]  # "2024/25" is a season; "1/4 of" a share; anything else ("9/11", "24/7") is blocked
        if len(a) == 4 and len(b) == 2 and 1900 <= int(a) <= 2099 and int(b) == (int(a) + 1) % 100:
            return "year", Decimal(a), Decimal(int(a) + 1)
        if _OF.match(m.string, m.end()):
            share = percent(Decimal(a), Decimal(b))
            return ("percent", share, share) if share is not None else None
        return None
    return None  # phone, ratio


def _full_year(yy: int) -> int:
    """A two-digit year: "87" -> 1987, "24" -> 2024."""
    return yy + (1900 if yy >= 50 else 2000) if yy < 100 else yy


def _month(name: str) -> int:
    return _MONTHS[name.rstrip(".").lower()]


def _date(year: int, month: int, day: int) -> tuple[str, Decimal, Decimal] | None:
    """YYYYMMDD with 0 for an unknown year or day."""
    if not (1 <= month <= 12 and 0 <= day <= 31 and (year == 0 or 1000 <= year <= 2199)):
        return None
    v = Decimal(year * 10000 + month * 100 + day)
    return "date", v, v


def _time(m: re.Match[str]) -> tuple[str, Decimal, Decimal] | None:
    for h, mi, ap in (("h1", "m1", "ap1"), ("h2", "m2", "ap2"), ("h5", "m5", "ap5"), ("h3", None, None),
                      ("h4", "m4", None), ("h6", None, None)):
        if m[h] is not None:
            hour = int(m[h])
            minute = int(m[mi]) if mi and m[mi] else 0
            mer = re.sub(r"[\s.]", "", m[ap] or "").lower() if ap else ""
            break
    else:  # pragma: no cover - the regex always sets one
        return None
    if minute > 59 or hour > 24 or (mer and not 1 <= hour <= 12):
        return None
    if mer == "pm" and hour != 12:
        hour += 12
    elif mer == "am" and hour == 12:
        hour = 0
    v = hour + Decimal(minute) / 60
    return "time", v, v
