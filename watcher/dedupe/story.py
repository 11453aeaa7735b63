"""Is a new article part of a story already seen? Pure decisions over sketches.

Signals, strongest first:
- `copy`: most of the words are shared (a reprint, a lightly edited copy), or
  one text is mostly contained in the other (a teaser of the article).
- `rewrite`: the skeleton of function words, names and figures is shared
  although the content words differ (a synonym-swapped copy).
- `event`: another report of the same event: the same people and places and
  the same key figures, published within the time window.
- `content`: another outlet's own words about the event: the TF-IDF cosine of
  the article's content words and names with the story's articles within the
  time window, averaged over them (average link: one close article of a broad
  story is not enough, and a story does not drift article by article).
  More is needed the further apart in time, more for short excerpts (a
  follow-up on one theme a day later shares the names, and an excerpt has few
  words besides), and more when both texts state key figures and share none
  (another event of the same kind: another arrest, another patch).

A copy or rewrite whose figures or names disagree with the other article's is
not the same story (a template story a year later with other numbers, the
same council notice for another town), and neither is an event report whose
figures differ. Two reports giving another result or magnitude in their lead
are other events, and so are two texts without a date of their own (an
undated copy, an archive page) whose leads date the event to other years.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterable, NamedTuple

import numpy as np

from watcher.dedupe.sketch import NUM_PERM, Sketch, similarity

COPY_SIMILARITY = 0.5  # estimated Jaccard of word 3-shingles
TEASER_CONTAINMENT = 0.7  # share of the shorter text's shingles found in the longer one
REWRITE_SIMILARITY = 0.2  # estimated Jaccard of skeleton 5-shingles
MIN_SHARED_NAMES = 2
MIN_SHARED_NUMBERS = 1
MIN_NAME_OVERLAP = 0.4  # shared names / names of the article with fewer
MIN_NUMBER_OVERLAP = 0.4  # shared figures / figures of the article with fewer
COPY_NUMBER_OVERLAP = 0.5  # a copy or rewrite keeps the figures...
COPY_NAME_OVERLAP = 0.5  # ...and the names of what it copies (the same notice for another town shares 0.43)
MIN_SHINGLES = 12  # texts shorter than this are compared by names and figures only
CONTENT_SAME = 0.26  # average TF-IDF cosine with the story's articles in the window, when the closest shares names
CONTENT_WITHOUT_NAMES = 0.40  # ...when it shares fewer than MIN_SHARED_NAMES names
CONTENT_PER_DAY = 0.05  # more needed per day between the article and the story's nearest in time
EVENT_CONTENT = 0.25  # an event report in the same language needs this content similarity too
EXCERPT_WORDS = 120  # texts with fewer word shingles than this are excerpts (a roundup's two sentences)...
EXCERPT_EXTRA = 0.04  # ...which need this much more content similarity...
EXCERPT_PER_DAY = 0.10  # ...and this much more per day apart (a follow-up a day later shares the names and theme)
FIGURES_APART = 0.10  # more needed when both texts state key figures and share none (another event of one kind)
# the signals in force (a benchmark's ablation switches some off)
SIGNALS = {"copy", "teaser", "rewrite", "event", "content", "apart", "years"}


class Candidate(NamedTuple):
    """An earlier article a new one is weighed against (a placement makes hundreds: a tuple is made fastest)."""

    article_id: int
    story_id: int
    sketch: Sketch


@dataclass(frozen=True)
class Verdict:
    """How a new article relates to one earlier article (or, for `content`, to its story), and why."""

    article_id: int
    story_id: int
    same: bool
    signal: str  # copy | teaser | rewrite | event | content | none
    score: float
    why: str
    shared_names: tuple[str, ...] = field(default=())
    shared_numbers: tuple[str, ...] = field(default=())
    veto: bool = False  # a copy or rewrite whose figures or names differ: not this story, whatever else says
    scores: dict[str, float] = field(default_factory=dict)  # every signal's score, for explaining

    def as_dict(self) -> dict[str, object]:
        return {
            "article": self.article_id, "story": self.story_id, "same": self.same, "signal": self.signal,
            "score": round(self.score, 3), "why": self.why,
            "names": list(self.shared_names), "numbers": list(self.shared_numbers),
            "scores": {k: round(v, 3) for k, v in self.scores.items()},
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


def cosines(new: Sketch, others: list[Sketch], topic: bool = False) -> np.ndarray:
    """The TF-IDF cosine of `new` with each of `others` (weighed, unit-length vectors; 0 when unweighed);
    with `topic`, only the part of it that the shared words other than names and figures make."""
    out = np.zeros(len(others), dtype=np.float64)
    if not len(new.weights) or not others:
        return out
    weighed = [o for o in others if len(o.weights)]
    if not weighed:
        return out
    vocab = np.concatenate([o.vocab for o in weighed])
    if not len(vocab):
        return out
    weights = np.concatenate([o.weights for o in weighed]).astype(np.float64)
    owner = np.repeat(np.arange(len(others)), [len(o.weights) for o in others])
    at = np.searchsorted(new.vocab, vocab)
    at[at >= len(new.vocab)] = 0
    hit = new.vocab[at] == vocab
    if topic:
        tf = np.concatenate([o.tf for o in weighed])
        hit &= (tf > 0) & (new.tf[at] > 0)
    # (bincount adds in the order np.add.at did, in float64: the same sums, without add.at's cost)
    return np.bincount(owner[hit], weights[hit] * new.weights[at[hit]], len(others))


def similarities(new: Sketch, others: list[Sketch]) -> list[tuple[float, float]]:
    """The estimated Jaccard similarity of `new`'s word and skeleton signatures with each of `others`' (as
    `similarity` gives them, for many at once)."""
    if not others:
        return []
    k = len(others)  # (one concatenation, reshaped: np.stack costs twice as much on a few dozen signatures)
    words = np.count_nonzero(np.concatenate([o.words for o in others]).reshape(k, -1) == new.words, axis=1) / NUM_PERM
    skeleton = np.count_nonzero(
        np.concatenate([o.skeleton for o in others]).reshape(k, -1) == new.skeleton, axis=1) / NUM_PERM
    return list(zip(words.tolist(), skeleton.tolist()))


def conflict(a: Sketch, b: Sketch) -> str | None:
    """A kind of figure both texts give in their lead with no value in common (another result, another
    magnitude): then they report other events."""
    kinds = {f.split("=", 1)[0] for f in a.typed} & {f.split("=", 1)[0] for f in b.typed}
    for kind in sorted(kinds):
        if not {f for f in a.typed if f.startswith(kind + "=")} & b.typed:
            return kind
    return None


def compare(
    new: Sketch, old: Candidate, window: float, content: float | None = None, explain: bool = True,
    sims: tuple[float, float] | None = None,
) -> Verdict:
    """The verdict on `new` against one earlier article; `window` is in seconds. `content` is the
    articles' TF-IDF cosine (computed here when not given); it is reported, the story decides with it.
    Without `explain`, the verdict's `why` and shared names and figures are left empty (a placement
    explains only the verdicts it keeps). `sims`: the word and skeleton similarities, when already
    computed (`similarities`)."""
    o = old.sketch
    if content is None:
        content = float(cosines(new, [o])[0])
    words, skeleton = sims or (similarity(new.words, o.words), similarity(new.skeleton, o.skeleton))
    n_names, name_overlap = overlap(new.names, o.names)
    n_numbers, number_overlap = overlap(new.numbers, o.numbers)
    figures_agree = not (new.numbers and o.numbers) or number_overlap >= COPY_NUMBER_OVERLAP
    names_agree = not (new.names and o.names) or name_overlap >= COPY_NAME_OVERLAP
    clash = conflict(new, o) if new.typed and o.typed else None
    agree = figures_agree and names_agree and not clash
    days = abs(new.at - o.at) / 86400
    if min(new.word_count, o.word_count) < MIN_SHINGLES:
        # a few words (a feed's stock summary, a bare headline) say nothing about copying
        words = skeleton = contained = 0.0
    else:
        contained = containment(new, o, words) if words * NUM_PERM >= 4 else 0.0
    scores = {"words": words, "teaser": contained, "skeleton": skeleton, "names": name_overlap,
              "figures": number_overlap, "content": content}
    # the outcome, and which of the explanations below says why
    copy = "copy" in SIGNALS and words >= COPY_SIMILARITY
    if copy or ("teaser" in SIGNALS and contained >= TEASER_CONTAINMENT):
        signal, score = ("copy", words) if copy else ("teaser", contained)
        same, veto, why = agree, not agree, signal
        if not agree:
            signal = "none"
    elif "rewrite" in SIGNALS and skeleton >= REWRITE_SIMILARITY:
        same, signal, score, veto, why = agree, "rewrite" if agree else "none", skeleton, not agree, "rewrite"
    elif clash:
        same, signal, score, veto, why = False, "none", max(words, skeleton, content), True, "clash"
    else:
        event = (
            "event" in SIGNALS and n_names >= MIN_SHARED_NAMES and n_numbers >= MIN_SHARED_NUMBERS
            and name_overlap >= MIN_NAME_OVERLAP and number_overlap >= MIN_NUMBER_OVERLAP
            # a translation shares no words; sketches not yet weighed have no content score
            and (content >= EVENT_CONTENT or not (new.english and o.english and len(new.weights) and len(o.weights)))
        )
        score = (name_overlap + number_overlap) / 2
        veto, why = False, "event" if event else "detail"
        same = event and days * 86400 <= window
        signal = "event" if same else "none"
        if not event:
            score = max(score, skeleton, words, content)
    if not explain:
        return _verdict(old.article_id, old.story_id, same, signal, score, "", (), (), veto, scores)

    figures = (f"names {n_names} of {min(len(new.names), len(o.names))} shared, "
               f"figures {n_numbers} of {min(len(new.numbers), len(o.numbers))} shared")
    differ = f"the {clash} differs" if clash else "the figures differ" if not figures_agree else "the names differ"
    detail = (f"names {n_names} shared ({name_overlap:.0%}), figures {n_numbers} shared ({number_overlap:.0%}), "
              f"content {content:.2f}, {days:.1f} days apart")
    if why in ("copy", "teaser"):
        what = f"word similarity {words:.2f}" if why == "copy" else f"{contained:.0%} of the shorter text contained"
        text = f"{what}; {figures}" if agree else f"{what}, but {differ} ({figures})"
    elif why == "rewrite":
        text = (f"skeleton similarity {skeleton:.2f} (words {words:.2f}); {figures}" if agree
                else f"skeleton similarity {skeleton:.2f}, but {differ} ({figures})")
    elif why == "clash":
        text = f"the {clash} differs ({figures}, content {content:.2f})"
    elif why == "event" and not same:
        text = f"{detail}: outside the {window / 86400:g}-day window"
    else:
        text = detail
    names = tuple(sorted(new.names & o.names))
    numbers = tuple(sorted(new.numbers & o.numbers))
    return Verdict(old.article_id, old.story_id, same, signal, score, text, names, numbers, veto, scores)


def stale(sk: Sketch) -> bool:
    """Does an undated text date its event before the year it was found? Then when it was found is not when
    its event happened (an archive page, an undated copy), and the year it states is the better guide. (A
    dated report's earlier years are background: the time window keeps other years' events apart.)"""
    year = sk.event_year()
    return not sk.dated and year is not None and year < time.gmtime(sk.at).tm_year


_STRENGTH = {"copy": 5, "teaser": 4, "rewrite": 3, "event": 2, "content": 1, "none": 0}


def decide(
    new: Sketch, candidates: Iterable[Candidate], window: float,
    members: dict[int, list[Candidate]] | None = None,
) -> tuple[Verdict | None, Verdict | None]:
    """(the best match, or None) and (the closest miss, for explaining a new story).

    `members` are the articles of the candidates' stories within the window
    (the candidates themselves when not given), for the content signal's
    average link. Ties go to the older story, so the outcome does not depend
    on the order of the candidates."""
    cands = sorted(candidates, key=lambda c: c.article_id)
    if members is None:
        members = {}
        for c in cands:
            if abs(new.at - c.sketch.at) <= window:
                members.setdefault(c.story_id, []).append(c)
    everyone = {c.article_id: c for c in cands}
    for group in members.values():
        everyone.update((c.article_id, c) for c in group)
    order = sorted(everyone)
    cos = dict(zip(order, cosines(new, [everyone[a].sketch for a in order]).tolist()))
    # judged without words first; only the verdicts kept are explained
    judged = {(c.article_id, c.story_id): compare(new, c, window, cos[c.article_id], False, sims)
              for c, sims in zip(cands, similarities(new, [c.sketch for c in cands]))}
    # (a story's closest article is most often a candidate: judged once)
    verdicts = list(judged.values())
    vetoed = {v.story_id for v in verdicts if v.veto}
    if "content" in SIGNALS:
        verdicts += [linked(new, group, window, cos, explain=False, judged=judged)
                     for story_id, group in sorted(members.items()) if story_id not in vetoed and group]
    best: Verdict | None = None
    closest: Verdict | None = None
    for v in verdicts:
        key = (_STRENGTH[v.signal], v.score, -v.story_id, -v.article_id)
        if v.same and (best is None or key > (_STRENGTH[best.signal], best.score, -best.story_id, -best.article_id)):
            best = v
        elif not v.same and (closest is None or (v.score, "content_link" in v.scores, -v.article_id)
                             > (closest.score, "content_link" in closest.scores, -closest.article_id)):
            closest = v

    def explained(v: Verdict | None) -> Verdict | None:
        if v is None:
            return None
        if "content_link" in v.scores:
            return linked(new, members[v.story_id], window, cos, explain=True)
        return compare(new, everyone[v.article_id], window, cos[v.article_id])

    return explained(best), explained(closest)


def linked(
    new: Sketch, group: list[Candidate], window: float, cos: dict[int, float], explain: bool,
    judged: dict[tuple[int, int], Verdict] | None = None,
) -> Verdict:
    """The content signal's verdict on `new` against one story: the average TF-IDF cosine (`cos`, by article)
    with its articles in the window (`group`), against what is needed. Without `explain`, the verdict's `why`
    is left empty (and the share of the words other than names and figures is not computed); `judged`: the
    unexplained verdicts already made, by article and story."""
    link = sum(cos[c.article_id] for c in group) / len(group)
    top = max(group, key=lambda c: (cos[c.article_id], -c.article_id))
    v = None if explain or judged is None else judged.get((top.article_id, top.story_id))
    if v is None:
        v = compare(new, top, window, cos[top.article_id], explain)
    # (only two undated texts can both be stale)
    if "years" in SIGNALS and not new.dated and not top.sketch.dated:
        years = new.event_year(), top.sketch.event_year()
        if None not in years and years[0] != years[1] and stale(new) and stale(top.sketch):
            why = f"content similarity {link:.2f}, but the texts date the event {years[1]} and {years[0]}; {v.why}"
            return _amended(v, False, "none", link, why if explain else "", {**v.scores, "content_link": link})
    days = min(abs(new.at - c.sketch.at) for c in group) / 86400
    need = (CONTENT_SAME if len(new.names & top.sketch.names) >= MIN_SHARED_NAMES else CONTENT_WITHOUT_NAMES) \
        + CONTENT_PER_DAY * days
    extra = []
    if min(new.word_count, top.sketch.word_count) < EXCERPT_WORDS:
        need += EXCERPT_EXTRA + EXCERPT_PER_DAY * days
        extra.append("excerpts")
    if "apart" in SIGNALS and new.numbers and top.sketch.numbers \
            and not any(new.numbers & c.sketch.numbers for c in group):
        need += FIGURES_APART
        extra.append("no figure in common")
    same = link >= need
    why = ""
    scores = {**v.scores, "content_link": link}
    if explain:
        words = sum(cosines(new, [c.sketch for c in group], topic=True).tolist()) / len(group)
        needed = f"{need:.2f} needed" + (f" ({', '.join(extra)})" if extra else "")
        why = (f"content similarity {link:.2f} on average with the story's {len(group)} article(s) in the window "
               f"(closest {cos[top.article_id]:.2f}; {needed}), {words:.2f} of it from words other "
               f"than names and figures; {v.why}")
        scores["topic_link"] = words
    return _amended(v, same, "content" if same else "none", link, why, scores)


def _amended(v: Verdict, same: bool, signal: str, score: float, why: str, scores: dict[str, float]) -> Verdict:
    """`v` with another outcome (dataclasses.replace, without its cost: a placement makes several)."""
    return _verdict(v.article_id, v.story_id, same, signal, score, why, v.shared_names, v.shared_numbers, v.veto,
                    scores)


def _verdict(article_id: int, story_id: int, same: bool, signal: str, score: float, why: str,
             shared_names: tuple[str, ...], shared_numbers: tuple[str, ...], veto: bool,
             scores: dict[str, float]) -> Verdict:
    """Verdict(...) without the frozen dataclass's __init__ (a third of a candidate's judging): the same fields
    set at once. A placement makes one per candidate."""
    v = object.__new__(Verdict)
    v.__dict__.update(article_id=article_id, story_id=story_id, same=same, signal=signal, score=score, why=why,
                      shared_names=shared_names, shared_numbers=shared_numbers, veto=veto, scores=scores)
    return v
