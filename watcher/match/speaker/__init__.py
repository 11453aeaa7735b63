"""The `speaker` condition: does a named person SPEAK in an article (not merely appear)?

Rule-based, no models, no new dependencies. Pure code: text and a `SpeakerSpec` in, a list of
`SpeechEvidence` out (at most one per sentence; an empty list means the person does not speak).
Measured on real news by `benchmarks/speaker_real.py`.

Modules
-------
- `names`: the name, its aliases and the surname alias as one whole-word regex over folded
  text (case, diacritics; either apostrophe; Russian case endings for Cyrillic). A surname
  right after another first name ("Anna Marsh" for "Helena Marsh") or before another
  capitalised word ("the Marsh Foundation") is someone else; a middle name or initial after
  the first name ("John F. Kerry", "Hillary Rodham Clinton") or the name's own initials
  ("J.M. Berger") is the same person.
- `tokens`: folding, sentences (not cut after a title abbreviation or initials), quotation
  spans (also `“…,"` and `''…''`), and `Ctx`, the token view of one sentence; all cached per
  text, since the daemon runs many speaker rules on one article.
- `cues`: the cue lexicon: English lemmas with generated inflections (say/says/said/saying;
  `begged`), weak cues that need a clause after them (deny, claim, add, ask, agree ...),
  cues only next to a quotation (continue, shout ...), labelling verbs that speak when a
  quotation follows the object (`called the plan “a disaster”`), phrasal cues (fired back,
  lashed out, railed against), -ing forms, and Russian forms.
- `verbs`: is a token a cue verb whose subject stands before it: fillers and short adverbials
  between ("X on Monday said", "X this past week announced", "X at the debate said"), passive
  and negated cues, weak cues and the objects or clauses they need.
- `attribution`: the mention as the subject of a cue, through party tags
  and appositions (commas, brackets, dashes, with quotations or abbreviations inside:
  `Sen. X (R-Ohio), a member of the panel, said`), coordinated subjects and verbs, relative
  clauses (`X, who told reporters`), -ing cues attached to the clause subject (`X hit back
  on Monday, saying`), realised infinitives (`X was quick to add`), one of a group
  (`critics like X said`). Not: X after a preposition or a transitive verb, X as a
  modifier (`the X campaign said`), passive or negated cues, non-speech senses of weak cues.
- `forms`: other attribution orders: `"…," said <title> X` (also with the name as the
  apposition of a role: `said a spokesman for the ministry, X`), `according to X`,
  `quoting X`, `asked by X`, `X's remarks` (the noun of speech must be the head: not
  `X's email server`), `X: "…"` and one-line headlines `X: claim`, `It was X who`,
  `Noting that ..., X urged`.
- `periphrasis`: `X made the case that`, `X had this to say:`, `X was among those who said`,
  `X was the first to warn`, `As X put it`, `X called the plan a failure`, `X addressed the
  convention`, and verbs of belief or intention with quoted content (`X believes the system is
  “rigged”`; without a quotation they are no speech).
- `titles`: what stands left of a mention (titles, capitalised words, nouns of a title).
- `headlines`: a title-case headline's capitalised verb (`Trump Warns Clinton ...`), `X to call
  for ...`, `X to Y: claim`, and a lead-in that ends the paragraph in a colon (`X continued:`),
  whose quotation is the next paragraph.
- `continuation`: he/she (он/она) as the subject of a cue later in the same sentence or in
  the next two, when X is the only person named before it: names are read as runs of
  capitalised words, and organisations, places and modifiers are not persons; another
  person, another singular speaker, a role of the same or unknown gender (`met the
  governor, and she said`) or a different pronoun stops it.

`how` is "quote" when the attribution clause touches a quotation (`"…," X said`,
`X said: "…"`) and "reported" otherwise; also "according-to", "possessive", "continuation".

Inside a quotation whose own speaker is not in the same sentence, X speaks only as the subject of a
plain finite cue right after the name (`"... Then, in 2017, Kerry said that ...`); in `"X said ...,"
a source told` the one speaking is the source.

Known limits: these are heuristics over a token view, not parsing. Missed or misread:
long lists of speakers, nested quotations beyond `X said` inside a quote, coreference by
role ("the investigator said"), verbs of intention and belief without a quotation, and hedged attributions
("X is understood to have told"). The Russian coverage is a small set of verbs and nouns.
"""

from __future__ import annotations

from bisect import bisect_left

from watcher.match.speaker.spec import SpeakerSpec, SpeechEvidence
from watcher.match.speaker.lexicon import CYR, MODIFIED_HEADS, POSS_SUFFIX
from watcher.match.speaker.tokens import Ctx, fold_fast, name_tail, quote_spans, sentence_views, sentences_of
from watcher.match.speaker.cues import VERBS
from watcher.match.speaker.verbs import Flags, skip_fillers
from watcher.match.speaker.names import mention_ok, name_matcher
from watcher.match.speaker.attribution import mention_role, subject_of_cue
from watcher.match.speaker.forms import (
    according_to, caused_to_speak, cleft, headline_colon, inverted_cue, participle_opening, possessive_speech,
)
from watcher.match.speaker.headlines import (
    colon_quote, headline_infinitive, headline_to_colon, headline_verb, lead_in_colon,
)
from watcher.match.speaker.continuation import (
    both_genders, gender_after, has_person, has_speech_verb, pronoun_speech, role_blocks, roles_between, subject_with_others,
)


__all__ = ["SpeakerSpec", "SpeechEvidence", "find_speech"]


def nested_speech(text: str, folded: str, sent, ctx: Ctx, a: int, b: int, mt) -> str | None:
    """X as the subject of a cue inside a quotation attributed outside its sentence ("'... Then, in 2017,
    Kerry said that 100,000 would be accepted.", continuing a quotation from the paragraph before): read the
    quotation as plain text, in the order subject then verb only."""
    if folded[b : b + 2] in POSS_SUFFIX or " ".join(folded[a:b].split()) not in mt.forms and CYR.search(folded[a:b]):
        return None
    if any(not ctx.inq[m] and VERBS.get(ctx.low[m], ("", ""))[1] in ("s", "past") for m in range(ctx.n)):
        return None  # the quotation's speaker is in this sentence: X is what they report ("'X said ...,' a source told")
    plain = Ctx(text, folded, sent, [])
    i0, i1 = plain.token_index(a), plain.token_index(b)
    if plain.at(i1) in MODIFIED_HEADS:
        return None
    v = skip_fillers(plain, name_tail(plain, i1), Flags())
    info = VERBS.get(plain.at(v))
    if info is None or info[1] not in ("s", "past") or info[0] not in _NESTED_CUES:
        return None  # only a plain finite cue right after the name: not "X opened up a debate"
    return "reported" if subject_of_cue(plain, i0, i1, True, a) else None


_NESTED_CUES = {"say", "tell", "write", "announce", "declare", "claim", "insist", "argue", "warn", "add", "explain",
                "note", "tweet", "admit", "acknowledge", "promise", "predict", "suggest", "deny", "reply", "state",
                "vow", "urge", "complain", "threaten", "assure", "concede", "confirm"}


def find_speech(text: str, speaker: SpeakerSpec) -> list[SpeechEvidence]:
    """Evidence that `speaker` is the source of direct or reported speech in `text` (empty: none)."""
    if not text:
        return []
    mt = name_matcher(speaker)
    folded = fold_fast(text)
    if not any(nd in folded for nd in mt.needles):
        return []
    mentions = []
    for m in mt.regex.finditer(folded):
        a, b = m.start(), m.end()
        if mention_ok(text, folded, a, b, mt):
            mentions.append((a, b))
    if not mentions:
        return []

    sentences = sentences_of(text)
    sent_starts = [s.start for s in sentences]
    quotes = quote_spans(text)
    ctxs = sentence_views(text)  # shared by every speaker rule run on this text

    def ctx_of(idx: int) -> Ctx:
        c = ctxs.get(idx)
        if c is None:
            c = ctxs[idx] = Ctx(text, folded, sentences[idx], quotes)
        return c

    by_sentence: dict[int, list[tuple[int, int]]] = {}
    for a, b in mentions:
        idx = bisect_left(sent_starts, a + 1) - 1
        if idx >= 0 and a < sentences[idx].end:
            by_sentence.setdefault(idx, []).append((a, b))

    found: dict[int, SpeechEvidence] = {}
    anchors: list[tuple[int, int, int, bool, str | None]] = []  # (sentence, alias start, end, spoke, gender)
    for idx, ms in sorted(by_sentence.items()):
        ctx = ctx_of(idx)
        sent = sentences[idx]
        last_outside = None
        mention_tokens: set[int] = set()
        for a, b in ms:
            mention_tokens.update(range(ctx.token_index(a), ctx.token_index(b)))
        for a, b in ms:
            i0 = ctx.token_index(a)
            if i0 >= ctx.n:
                continue
            if ctx.inq[i0]:
                how = nested_speech(text, folded, sent, ctx, a, b, mt)
                if how and idx not in found:
                    found[idx] = SpeechEvidence(sent.text, sent.start, text[a:b], a, how)
                continue
            matched = folded[a:b]
            possessive = False
            end = b
            if folded[b : b + 2] in POSS_SUFFIX and not folded[b + 2 : b + 3].isalnum():
                possessive, end = True, b + 2
            elif folded[b : b + 1] in ("'", "’") and matched.endswith("s") and not folded[b + 1 : b + 2].isalnum():
                possessive, end = True, b + 1
            i1 = ctx.token_index(end)
            if not possessive and ctx.at(i1) in MODIFIED_HEADS and not ctx.cap(i1):
                continue  # "the X campaign said", "X spokesman Y said": X is a modifier
            cyrillic = bool(CYR.search(matched))
            nominative = not cyrillic or " ".join(matched.split()) in mt.forms
            how = (
                (subject_of_cue(ctx, i0, i1, nominative and not possessive, a) if not possessive else None)
                or inverted_cue(ctx, i0, i1, nominative, possessive)
                or according_to(ctx, i0, i1, possessive)
                or possessive_speech(ctx, i0, i1, possessive, nominative, cyrillic)
                or headline_colon(ctx, i0, i1, nominative and not possessive)
                or cleft(ctx, i0, i1, nominative and not possessive, a)
                or participle_opening(ctx, i0, i1, nominative and not possessive)
                or headline_infinitive(ctx, i0, i1, nominative and not possessive)
                or headline_to_colon(ctx, i0, i1, nominative and not possessive)
                or lead_in_colon(ctx, i0, i1, nominative and not possessive)
                or caused_to_speak(ctx, i0, i1, nominative and not possessive)
                or colon_quote(ctx, i0, i1, nominative and not possessive, possessive)
                or headline_verb(ctx, i0, i1, nominative and not possessive)
            )
            alias_text = text[a:b]
            last_outside = (a, b, i0, i1)
            if how and idx not in found:
                found[idx] = SpeechEvidence(sent.text, sent.start, alias_text, a, how)
        if last_outside is None:
            continue
        a, b, i0, i1 = last_outside
        if idx not in found and mention_role(ctx, i0) in ("ok", "verb"):
            # "Ms. X was shocked by the reaction, she said": he/she later in the same sentence
            hit = pronoun_speech(ctx, i1)
            if (
                hit and not has_person(ctx, i1, hit[1], mention_tokens) and not role_blocks(roles_between(ctx, i1, hit[1]), hit[0])
                and not has_speech_verb(ctx, 0, i0) and (not has_speech_verb(ctx, i1, hit[1]) or gender_after(ctx, i1) == hit[0])
            ):
                found[idx] = SpeechEvidence(sent.text, sent.start, text[a:b], a, "continuation")
        spoke = idx in found
        gender = gender_after(ctx, i1) if spoke else None
        # X is only a candidate antecedent if nobody else is named or speaks in the sentence, or if X
        # is its subject, the others come after, and the sentence gives X's gender.
        if not spoke and (has_person(ctx, 0, ctx.n, mention_tokens) or has_speech_verb(ctx)):
            gender = subject_with_others(ctx, i0, name_tail(ctx, i1), mention_tokens)
            if gender is None:
                continue
        roles = roles_between(ctx, i1, ctx.n) if not spoke else set()
        anchors.append((idx, a, b, roles, gender))

    for idx, a, b, roles, gender in anchors:
        for step in (1, 2):
            j = idx + step
            if j >= len(sentences) or j in by_sentence:
                break
            ctx = ctx_of(j)
            hit = pronoun_speech(ctx)
            if hit:
                g, pi = hit
                if has_person(ctx, 0, pi, set()) or (gender and g != gender) or role_blocks(roles, g):
                    break
                if j not in found:
                    found[j] = SpeechEvidence(sentences[j].text, sentences[j].start, text[a:b], a, "continuation")
                gender = g
                continue
            if has_person(ctx, 0, ctx.n, set()) or has_speech_verb(ctx) or both_genders(ctx):
                break  # someone else may be the he/she: "He thinks she would have been committed"
    return [found[k] for k in sorted(found)]
