"""Is a new article part of a story already seen? Pure decisions over sketches.

Signals, strongest first:
- `copy`: most of the words are shared (a reprint, a lightly edited copy), or
  one text is mostly contained in the other (a teaser of the article).
- `rewrite`: the skeleton of function words, names and figures is shared
  although the content words differ (a synonym-swapped copy).
- `event`: another report of the same event: the same people and places and
  the same key figures, published within the time window.

A copy or rewrite whose figures or names disagree with the other article's is
not the same story (a template story a year later with other numbers, the
same council notice for another town), and neither is an event report whose
figures differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from watcher.dedupe.sketch import NUM_PERM, Sketch, similarity

COPY_SIMILARITY = 0.5  # estimated Jaccard of word 3-shingles
TEASER_CONTAINMENT = 0.7  # share of the shorter text's shingles found in the longer one
REWRITE_SIMILARITY = 0.2  # estimated Jaccard of skeleton 5-shingles
MIN_SHARED_NAMES = 2
MIN_SHARED_NUMBERS = 1
MIN_NAME_OVERLAP = 0.4  # shared names / names of the article with fewer
MIN_NUMBER_OVERLAP = 0.4  # shared figures / figures of the article with fewer
COPY_NUMBER_OVERLAP = 0.5  # a copy or rewrite keeps the figures...
COPY_NAME_OVERLAP = 0.5  # ...and the names of what it copies
MIN_SHINGLES = 12  # texts shorter than this are compared by names and figures only


@dataclass(frozen=True)
class Candidate:
    article_id: int
    story_id: int
    sketch: Sketch


@dataclass(frozen=True)
class Verdict:
    """How a new article relates to one earlier article, and why."""

    article_id: int
    story_id: int
    same: bool
    signal: str  # copy | teaser | rewrite | event | none
    score: float
    why: str
    shared_names: tuple[str, ...] = field(default=())
    shared_numbers: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "article": self.article_id, "story": self.story_id, "same": self.same, "signal": self.signal,
            "score": round(self.score, 3), "why": self.why,
            "names": list(self.shared_names), "numbers": list(self.shared_numbers),
        }


def overlap(a: frozenset[str], b: frozenset[str]) -> tuple[int, float]:
    shared = len(a & b)
    return shared, (shared / min(len(a), len(b)) if a and b else 0.0)


def containment(new: Sketch, old: Sketch, jaccard: float) -> float:
    """Share of the shorter text's shingles present in the longer, from the Jaccard estimate and the sizes."""
    small = min(new.word_count, old.word_count)
    if not small or jaccard <= 0:
        return 0.0
    inter = jaccard * (new.word_count + old.word_count) / (1 + jaccard)
    return min(1.0, inter / small)


def compare(new: Sketch, old: Candidate, window: float) -> Verdict:
    """The verdict on `new` against one earlier article; `window` is in seconds."""
    o = old.sketch
    words = similarity(new.words, o.words)
    skeleton = similarity(new.skeleton, o.skeleton)
    n_names, name_overlap = overlap(new.names, o.names)
    n_numbers, number_overlap = overlap(new.numbers, o.numbers)
    names = tuple(sorted(new.names & o.names))
    numbers = tuple(sorted(new.numbers & o.numbers))
    figures_agree = not (new.numbers and o.numbers) or number_overlap >= COPY_NUMBER_OVERLAP
    names_agree = not (new.names and o.names) or name_overlap >= COPY_NAME_OVERLAP
    figures = (f"names {n_names} of {min(len(new.names), len(o.names))} shared, "
               f"figures {n_numbers} of {min(len(new.numbers), len(o.numbers))} shared")
    agree = figures_agree and names_agree
    differ = "the figures differ" if not figures_agree else "the names differ"

    def verdict(same: bool, signal: str, score: float, why: str) -> Verdict:
        return Verdict(old.article_id, old.story_id, same, signal, score, why, names, numbers)

    days = abs(new.at - o.at) / 86400
    if min(new.word_count, o.word_count) < MIN_SHINGLES:
        # a few words (a feed's stock summary, a bare headline) say nothing about copying
        words = skeleton = contained = 0.0
    else:
        contained = containment(new, o, words) if words * NUM_PERM >= 4 else 0.0
    if words >= COPY_SIMILARITY or contained >= TEASER_CONTAINMENT:
        signal, score = ("copy", words) if words >= COPY_SIMILARITY else ("teaser", contained)
        what = f"word similarity {words:.2f}" if signal == "copy" else f"{contained:.0%} of the shorter text contained"
        if agree:
            return verdict(True, signal, score, f"{what}; {figures}")
        return verdict(False, "none", score, f"{what}, but {differ} ({figures})")
    if skeleton >= REWRITE_SIMILARITY:
        if agree:
            return verdict(True, "rewrite", skeleton, f"skeleton similarity {skeleton:.2f} (words {words:.2f}); {figures}")
        return verdict(False, "none", skeleton, f"skeleton similarity {skeleton:.2f}, but {differ} ({figures})")
    event = (
        n_names >= MIN_SHARED_NAMES and n_numbers >= MIN_SHARED_NUMBERS
        and name_overlap >= MIN_NAME_OVERLAP and number_overlap >= MIN_NUMBER_OVERLAP
    )
    score = (name_overlap + number_overlap) / 2
    detail = (f"names {n_names} shared ({name_overlap:.0%}), figures {n_numbers} shared ({number_overlap:.0%}), "
              f"{days:.1f} days apart")
    if event and days * 86400 <= window:
        return verdict(True, "event", score, detail)
    if event:
        return verdict(False, "none", score, f"{detail}: outside the {window / 86400:g}-day window")
    return verdict(False, "none", max(score, skeleton, words), detail)


_STRENGTH = {"copy": 4, "teaser": 3, "rewrite": 2, "event": 1, "none": 0}


def decide(new: Sketch, candidates: Iterable[Candidate], window: float) -> tuple[Verdict | None, Verdict | None]:
    """(the best match, or None) and (the closest miss, for explaining a new story)."""
    best: Verdict | None = None
    closest: Verdict | None = None
    for c in candidates:
        v = compare(new, c, window)
        key = (_STRENGTH[v.signal], v.score)
        if v.same and (best is None or key > (_STRENGTH[best.signal], best.score)):
            best = v
        elif not v.same and (closest is None or v.score > closest.score):
            closest = v
    return best, closest
