"""The `speaker` condition: does a named person SPEAK in an article (not merely appear)?

Rule-based, no models, no new dependencies. Pure code: text and a `SpeakerSpec` in, a list of
`SpeechEvidence` out (at most one per sentence; an empty list means the person does not speak).

How it works
------------
1. Name matching. The name, its aliases and, by default, the last word of the name (as a
   surname alias) are folded with `text.fold` (case and diacritics, same length so offsets
   stay valid) and compiled once per `SpeakerSpec` (`functools.lru_cache`) into one regular
   expression of whole-word phrases: "Bastrykin" does not match inside "Bastrykins", a
   multi-word name matches only as a phrase, and "Bastrâkin" in the text matches the alias
   "Bastrakin". English possessives ('s, s') are recognised. Cyrillic words also take
   Russian case endings (Бастрыкин / Бастрыкина / Бастрыкину / Бастрыкиным / Бастрыкине),
   and we remember whether the form was the nominative. A single-word match right after a
   different capitalised first name ("Anna Marsh" when looking for "Helena Marsh") or
   right before another capitalised word ("the Marsh Foundation") is dropped.
   Fast path: when the folded text does not contain the folded name at all (a plain
   substring test), we return at once, before splitting sentences. Folding, sentence
   splitting and quotation spans are cached for the last few texts, since the daemon
   runs many speaker rules on one article.

2. Quotations (“…”, "…", «…», „…“, ‘…’) are located once per text. A mention INSIDE
   someone's quotation never makes that person a speaker.

3. Patterns around each mention, within its sentence. The sentence is tokenised in its
   folded form, and capitalisation is read from the original text:

   * reported / quote: the name is the subject of a speech verb a few words later (say,
     tell, state, claim, note, add, warn, announce, insist, argue, explain, confirm,
     deny, ... in any tense: "says", "has said", "had told", "will say", "is quoted as
     saying"). Between the name and the verb there may be only fillers (auxiliaries,
     adverbs, "on Monday", "in a statement", "and Jane Doe") or an apposition closed by
     commas, brackets or dashes ("X, 71, who heads the committee, said"; "the head of
     the committee, X, said"). Also handled: a relative clause ("X, who told reporters
     ..."), a participle ("X hit back on Monday, saying ..."), "X issued a
     statement / gave an interview / repeated his warning", and "It was X who warned".
     The name must be in subject position. It must not follow a preposition or a
     transitive verb ("sources close to X said", "a spokesman for X said", "police
     arrested X"), must not be a possessive ("X's lawyer said"), passive ("X was told",
     "X said to be ill") or negated ("X did not comment", "X said nothing"). Verbs that
     also have non-speech senses (deny, claim, add, post, report, admit, declare,
     maintain, respond, ask ...) need a clause-like continuation ("X denied that ...",
     "X added:", `"…," X added.`). So "X denied entry", "X posted bail" and "Smith added
     a second goal" do not count.
   * inverted: `"…," said X` or `…, says Professor X` covers a speech verb right after a
     quotation, comma, colon or dash, then optional titles, then the name. In Russian,
     verb-subject order is normal ("Об этом заявил глава СК Александр Бастрыкин";
     «…», — сказал Бастрыкин). The name must be in the nominative, so "сказал
     Бастрыкину" (told Bastrykin) does not count.
   * according-to: "according to (regional water chief) X", "quoting/citing X",
     "Interfax quoted X as saying", and Russian "по словам X" or "по данным X".
   * possessive: "X's remarks / statement / words / comments / interview / testimony
     ...", "remarks by X", "in the words of X", and Russian "слова / заявление X".
   * headline: `X: "…"` or `X: I will not resign`.
   * continuation: within the next one or two sentences, "he said", "she added",
     `"…," he told the meeting`, "— добавил он" or "по его словам". This counts when X
     spoke in the anchor sentence, or when X was the only person named there and nobody
     else spoke in it. It stops at another person's name, at another speaker, at a
     pronoun other than the one already seen for X, or at the next mention of X (which
     is judged on its own). For continuation evidence, `alias` and `alias_start` point
     to the mention in the anchor sentence.

   `how` is "quote" when the attribution clause touches a quotation (`"…," X said`,
   `X said: "…"`) and "reported" otherwise.

Known limits: these are heuristics, not parsing. The following are missed or may be
misread: lists of speakers ("Putin, X and Y said"), long or nested appositions,
coreference by role ("the investigator said"), paraphrase verbs we do not list, speech
inside another person's quotation, and hedged attributions ("X is understood to have
told"). The Russian coverage is a small set of verbs and nouns.
"""

from __future__ import annotations

from bisect import bisect_left

from watcher.match.speaker.spec import SpeakerSpec, SpeechEvidence
from watcher.match.speaker.lexicon import CYR, MODIFIED_HEADS, POSS_SUFFIX
from watcher.match.speaker.tokens import Ctx, fold_fast, quote_spans, sentence_views, sentences_of
from watcher.match.speaker.names import mention_ok, name_matcher
from watcher.match.speaker.attribution import mention_role, subject_of_cue
from watcher.match.speaker.forms import (
    according_to, cleft, headline_colon, inverted_cue, participle_opening, possessive_speech,
)
from watcher.match.speaker.continuation import (
    gender_after, has_person, has_speech_verb, pronoun_speech, role_blocks, roles_between,
)


__all__ = ["SpeakerSpec", "SpeechEvidence", "find_speech"]


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
            if i0 >= ctx.n or ctx.inq[i0]:
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
            )
            alias_text = text[a:b]
            last_outside = (a, b, i0, i1)
            if how and idx not in found:
                found[idx] = SpeechEvidence(sent.text, sent.start, alias_text, a, how)
        if last_outside is None:
            continue
        a, b, i0, i1 = last_outside
        if idx not in found and mention_role(ctx, i0) == "ok":
            # "Ms. X was shocked by the reaction, she said": he/she later in the same sentence
            hit = pronoun_speech(ctx, i1)
            if (
                hit and not has_person(ctx, i1, hit[1], mention_tokens) and not role_blocks(roles_between(ctx, i1, hit[1]), hit[0])
                and not has_speech_verb(ctx, 0, i0) and not has_speech_verb(ctx, i1, hit[1])
            ):
                found[idx] = SpeechEvidence(sent.text, sent.start, text[a:b], a, "continuation")
        spoke = idx in found
        # X is only a candidate antecedent if nobody else is named or speaks in the sentence.
        if not spoke and (has_person(ctx, 0, ctx.n, mention_tokens) or has_speech_verb(ctx)):
            continue
        roles = roles_between(ctx, i1, ctx.n) if not spoke else set()
        anchors.append((idx, a, b, roles, gender_after(ctx, i1) if spoke else None))

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
            if has_person(ctx, 0, ctx.n, set()) or has_speech_verb(ctx):
                break
    return [found[k] for k in sorted(found)]
