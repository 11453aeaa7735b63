"""Left of a mention: titles, capitalised words, plain nouns of a title, abbreviation dots."""

from __future__ import annotations

from watcher.match.speaker.cues import is_verb
from watcher.match.speaker.lexicon import (
    AUX_BE, AUX_OTHER, DETERMINERS, FILLERS, POSS_SUFFIX, PREPS, STOP_CAP, TITLE_OF, TITLES,
)
from watcher.match.speaker.tokens import Ctx


def abbreviation_dot(ctx: Ctx, m: int) -> bool:
    """A full stop inside a sentence: "Sen.", "R-Ky.,", "Ltd.", "J."."""
    prev = ctx.orig[m - 1] if m > 0 else ""
    if ctx.at(m + 1) in (",", ")"):
        return True
    return bool(prev) and prev[0].isupper() and (len(prev) <= 4 or "-" in prev or ctx.low[m - 1] in TITLES)


def _title_noun(ctx: Ctx, k: int) -> bool:
    t = ctx.low[k]
    if t.isdigit() or t == "/" or (t[:1].isdigit() and t[-2:] in ("st", "nd", "rd", "th")):
        return True
    return (
        t.isalpha() and len(t) > 2 and not ctx.cap(k) and not is_verb(t) and t not in PREPS and t not in STOP_CAP
        and t not in DETERMINERS and t not in AUX_BE and t not in AUX_OTHER and t not in FILLERS
        and not (t.endswith("ed") and len(t) > 3) and not t.endswith("ly") and t not in _RELATIVE
        and not (t.endswith("ing") and len(t) > 4 and t != "ranking")  # "said the governor, having beaten X"
    )


_RELATIVE = {"which", "that", "who", "whom", "whose", "where", "when", "and", "or", "but", "whether"}


def skip_titles_left(ctx: Ctx, k: int, limit: int = 10, commas: bool = True, nouns: bool = False) -> int:
    """From token k leftwards, skip titles, capitalised words, "of" after a title, one comma pair.

    With `nouns`, also plain nouns and numbers of a title ("said 9/11 widow X", "said ranking Democrat X").
    """
    steps = 0
    while k >= 0 and steps < limit:
        steps += 1
        t = ctx.low[k]
        if ctx.inq[k]:
            break
        if t == "." and k > 0 and (ctx.low[k - 1] in TITLES or len(ctx.low[k - 1]) == 1 or abbreviation_dot(ctx, k)):
            k -= 2
            continue
        if ctx.cap(k) and is_verb(t):
            break  # "Said X, ..." at the start of a sentence
        if nouns and _title_noun(ctx, k):
            k -= 1
            continue
        if t in TITLES or t in DETERMINERS or t.endswith(POSS_SUFFIX) or (ctx.cap(k) and t not in STOP_CAP) or (ctx.orig[k].isupper() and t.isalpha()):
            k -= 1
            continue
        if t == "of" and ctx.at(k - 1) in TITLE_OF:
            k -= 1
            continue
        if commas and t == "," and k > 0 and (ctx.low[k - 1] in TITLES or ctx.cap(k - 1)):
            k -= 1
            continue
        break
    return k
