"""The `speaker` condition on real news: PolNeAR attributions made into labelled cases.

One rule `speaker: {name, aliases: [surname]}` per case, whose only example is the case's
paragraph, compiled by the real rule loader and evaluated as `watcher check` does. Prints
precision, recall, F1 and specificity on the whole set and on two halves split by a stable hash
of the article (one article is wholly in one half: even = tune, odd = held-out), then the misses
and false alarms by category, flag and outlet.

    python benchmarks/speaker_real.py [--data DIR] [--show CATEGORY] [--half tune|held-out] [--lemmatizer] [--extra]

`--show` prints the failing cases of one category (or `all`) to read them; nothing of the data is
kept in the repository. `--lemmatizer` sets the cue lexicon's generated inflections beside simplemma's
English lemmatizer (when it is installed): agreement, what each would add on these texts, speed.
`--extra` builds more cases from the raw gold (`attributions.jsonl`) the way the case builder describes
it, without its CoreNLP names and coreference: each person who is a named source in an article (with a
full name there and no other person of that surname), in each paragraph naming them, is a positive when
an attribution of speech has them as source and a negative when no attribution there involves them and
no pronoun or role speaks. The labels are rougher than `cases.json` (a few per cent are wrong), but
there are more of them: a place to find classes on the tune half (`--extra --show all --half tune`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "speaker-real"


def half_of(case: dict) -> str:
    """'tune' or 'held-out', from a stable hash of the case's article."""
    digest = hashlib.sha1(case["provenance"]["file"].encode("utf-8")).digest()
    return "tune" if digest[0] % 2 == 0 else "held-out"


def evaluate(cases: list[dict]) -> tuple[list[bool], float]:
    """Whether each case's rule fires on its paragraph, through the rule loader and engine."""
    from watcher.match.article import ArticleText, Prepared
    from watcher.rules.load import load_rules

    rules = [{"id": f"c{i}", "title": c["name"],
              "match": {"speaker": {"name": c["name"], "aliases": c["aliases"]}},
              "examples": [{"text": c["text"], "fires": c["fires"]}]} for i, c in enumerate(cases)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rules.json"
        path.write_text(json.dumps({"rules": rules}), encoding="utf-8")
        ruleset = load_rules(path)
    start = time.perf_counter()
    fired = []
    for rule in ruleset.rules:
        ex = rule.examples[0]
        fired.append(rule.evaluate(Prepared(ArticleText(title=ex.title, body=ex.text))).holds)
    return fired, time.perf_counter() - start


def scores(pairs: list[tuple[dict, bool]]) -> dict[str, float]:
    tp = sum(1 for c, f in pairs if c["fires"] and f)
    fn = sum(1 for c, f in pairs if c["fires"] and not f)
    fp = sum(1 for c, f in pairs if not c["fires"] and f)
    tn = sum(1 for c, f in pairs if not c["fires"] and not f)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    spec = tn / (tn + fp) if tn + fp else 1.0
    return {"n": len(pairs), "tp": tp, "fn": fn, "fp": fp, "tn": tn, "P": p, "R": r, "F1": f1, "spec": spec}


def line(label: str, s: dict[str, float]) -> str:
    return (f"{label:<9} n {s['n']:>4}  P {s['P']:.3f}  R {s['R']:.3f}  F1 {s['F1']:.3f}  spec {s['spec']:.3f}"
            f"  (tp {s['tp']}, fn {s['fn']}, fp {s['fp']}, tn {s['tn']})")


def breakdown(title: str, pairs: list[tuple[dict, bool]], key, positive: bool) -> None:
    """Per kind: how many cases of that sign the matcher got right."""
    total: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for c, f in pairs:
        if c["fires"] != positive:
            continue
        for k in key(c):
            total[k] += 1
            wrong[k] += f != c["fires"]
    print(f"\n{title}")
    for k, n in sorted(total.items(), key=lambda kv: (-wrong[kv[0]], kv[0])):
        rate = (n - wrong[k]) / n
        label = "recall" if positive else "spec."
        print(f"  {k:<46} {wrong[k]:>4} of {n:>4}  {label} {rate:.2f}")


_NOT_SPEECH = set("""wants want wanted thinks think thought believes believe believed hopes hope hoped plans plan
planned knows know knew sees see saw loves love loved supports support supported endorsed endorses endorse decided
decides considered considers refused refuses opposed opposes sought seeks ordered orders feels felt fears feared
expects expected worries worried intends intended likes liked doubts doubted favors favored prefers preferred
declined declines seemed seems appears appeared learned learns realized realizes found finds chose chooses""".split())
_SPEECH_LEMMAS = """say tell write add note ask announce explain argue claim insist warn suggest call urge accuse describe
tweet reply respond recall acknowledge admit declare state report promise vow pledge predict praise criticize blast
slam attack deny reject question defend cite complain testify joke boast concede confirm reiterate stress emphasize
continue caution agree post speak talk challenge threaten lament decry denounce condemn mock propose recommend
assert contend counter retort quip rail lash fire hit push weigh point lay""".split()
_STRIP = {"has", "had", "have", "also", "later", "then", "would", "will", "was", "is", "again", "previously", "once",
          "recently", "repeatedly", "further", "earlier"}
_TITLE_WORDS = set("""mr mrs ms dr sen rep gov president former vice secretary senator governor mayor judge republican
democratic democrat gop nominee candidate presidential chairman chief the a an house white press minority majority
leader speaker attorney general first lady rev gen lt u.s us state sheriff chair director campaign manager spokesman
spokeswoman adviser aide""".split())


def _speech_heads() -> set[str]:
    heads = {"according", "said", "says", "saying", "told", "tells", "telling", "wrote", "writes", "writing", "spoke",
             "speaks", "speaking", "laid", "lays", "hit", "hits"}
    for lemma in _SPEECH_LEMMAS:
        stem = lemma[:-1] if lemma.endswith("e") else lemma
        heads.update({lemma, lemma + "s", lemma + "es", stem + "ed", stem + "ing", lemma + "d"})
        if lemma.endswith("y"):
            heads.update({lemma[:-1] + "ies", lemma[:-1] + "ied"})
    return heads


def _surname(source: str) -> str | None:
    """The last run of capitalised words of a source span, without titles: its last word."""
    best: list[str] = []
    run: list[str] = []
    for w in (w.strip(".’'") for w in re.split(r"[,(]", source)[0].replace("\xa0", " ").split()):
        if w[:1].isupper() and w.lower().rstrip(".") not in _TITLE_WORDS:
            run.append(w)
        else:
            best, run = (run or best), []
    best = run or best
    sur = re.sub(r"['’]s$", "", best[-1]) if best else ""
    return sur if len(sur) >= 3 and sur[0].isupper() and not sur.isupper() else None


def extra_cases(data: Path, known: list[dict]) -> list[dict]:
    """Cases from the raw gold, approximating the case builder (see the module's docstring)."""
    heads = _speech_heads()
    seen = {(c["provenance"]["file"], c["provenance"]["paragraph"], c["name"]) for c in known}
    out: list[dict] = []
    for line in (data / "attributions.jsonl").read_text(encoding="utf-8").splitlines():
        art = json.loads(line)
        paras = art["paragraphs"]
        text = "\n\n".join(p for p in paras if p)
        persons: dict[str, str] = {}
        for a in art["attributions"]:
            sur = _surname(a["source"] or "") if a["source_kind"] == "named" else None
            firsts = Counter(m.group(1) for m in re.finditer(r"\b([A-Z][a-z]+)(?:\s+[A-Z]\.)?\s+" + re.escape(sur) + r"\b", text)
                             if m.group(1).lower() not in _TITLE_WORDS) if sur else Counter()
            if len(firsts) == 1:  # a full name, and nobody else of that surname
                persons[sur] = f"{next(iter(firsts))} {sur}"
        for pi, para in enumerate(paras):
            atts = [a for a in art["attributions"] if a["paragraph"] == pi]
            for sur, name in persons.items():
                if pi == 0 or not para or not re.search(r"\b" + re.escape(sur) + r"\b", para) or (art["file"], pi, name) in seen:
                    continue
                mine = [a for a in atts if a["source_kind"] == "named" and _surname(a["source"] or "") == sur]
                speech = []
                for a in mine:
                    words = [w for w in re.findall(r"[a-z']+", (a["cue"] or "").lower()) if w not in _STRIP]
                    if re.search(r"\b(not|never|n't|declined|refused|no)\b", (a["cue"] or "").lower()):
                        continue
                    if not words or (words[0] in heads and words[0] not in _NOT_SPEECH):
                        speech.append(a)
                base = {"text": para, "name": name, "aliases": [sur], "outlet": art["outlet"], "flags": [],
                        "provenance": {"file": art["file"], "paragraph": pi}, "id": f"extra-{len(out):04d}"}
                if speech:
                    out.append({**base, "fires": True, "category": "extra: speech",
                                "evidence": {"source": speech[0]["source"], "cue": speech[0]["cue"],
                                             "content_type": speech[0]["content_type"]}})
                elif not mine and not any(a["source_kind"] in ("coref", "unknown") or sur in (a["source"] or "") for a in atts):
                    # left out as unsure, as the builder does: the name before a speech verb, "according to" the name
                    if re.search(re.escape(sur) + r"(['’]s)?\s+(said|says|told|tells|wrote|added|remarks|statement|comments)\b", para) or re.search(
                            r"(according to|quoting|interview with)\s+(\S+\s+){0,4}" + re.escape(sur), para):
                        continue
                    out.append({**base, "fires": False, "category": "extra: no speech by them",
                                "evidence": {"sources": [a["source"] for a in atts],
                                             "attributions": [{"source": a["source"], "cue": a["cue"]} for a in atts]}})
    return out


def compare_lemmatizer(cases: list[dict]) -> None:
    """The cue table against simplemma: which tokens each would take as a cue verb, and the cost."""
    import re

    try:
        import simplemma
    except ImportError:
        print("\nlemmatizer: simplemma is not installed (pip install simplemma) - comparison skipped")
        return
    from watcher.match.speaker.cues import VERBS

    start = time.perf_counter()
    simplemma.lemmatize("said", lang="en")
    load = time.perf_counter() - start
    lemmas = {lemma for lemma, _ in VERBS.values()}
    differ = [(f, lem, simplemma.lemmatize(f, lang="en")) for f, (lem, _) in VERBS.items()
              if simplemma.lemmatize(f, lang="en") != lem]
    tokens = [t.lower() for c in cases for t in re.findall(r"[A-Za-z]+(?:['’][a-z]+)?", c["text"])]
    lemma_only: Counter[str] = Counter()
    table_only: Counter[str] = Counter()
    for t in tokens:
        by_table, by_lemma = t in VERBS, simplemma.lemmatize(t, lang="en") in lemmas
        lemma_only[t] += by_lemma and not by_table
        table_only[t] += by_table and not by_lemma
    start = time.perf_counter()
    for t in tokens:
        simplemma.lemmatize(t, lang="en")
    per_lemma = (time.perf_counter() - start) / len(tokens) * 1e6
    start = time.perf_counter()
    for t in tokens:
        VERBS.get(t)
    per_table = (time.perf_counter() - start) / len(tokens) * 1e6
    print(f"\nlemmatizer: simplemma loads its English data in {load * 1000:.0f} ms; it gives another lemma than the"
          f" table for {len(differ)} of {len(VERBS)} cue forms: {differ[:8]}")
    print(f"  on {len(tokens)} tokens, cue verbs by simplemma only: {[kv for kv in lemma_only.most_common(6) if kv[1]]};"
          f" by the table only: {[kv for kv in table_only.most_common(6) if kv[1]]}")
    print(f"  per token: simplemma {per_lemma:.2f} us, table {per_table:.2f} us")


def article_speed(cases: list[dict], words: int = 1000, runs: int = 200) -> None:
    """Cost of one speaker rule on a ~1,000-word article made of the set's paragraphs (target < 2 ms
    cold, i.e. when the article's folding, sentences and token views are not yet cached)."""
    from watcher.match.speaker import SpeakerSpec, find_speech, tokens

    caches = (tokens.fold_fast, tokens.sentences_of, tokens.quote_spans, tokens.sentence_views)
    paras: list[str] = []
    for c in cases:
        if c["fires"] and sum(len(p.split()) for p in paras) < words:
            paras.append(c["text"])
    text = "\n\n".join(paras)
    named = SpeakerSpec(cases[0]["name"], tuple(cases[0]["aliases"]))
    absent = SpeakerSpec("Ingrid Solberg", ("Solberg",))

    def per_call(spec: SpeakerSpec, cold: bool) -> float:
        times = []
        for _ in range(runs):
            if cold:
                for f in caches:
                    f.cache_clear()
            t0 = time.process_time()
            find_speech(text, spec)
            times.append(time.process_time() - t0)
        return statistics.median(times) * 1000

    find_speech(text, named)
    print(f"speed on a {len(text.split())}-word article (CPU time, median of {runs}): one speaker rule"
          f" {per_call(named, True):.3f} ms when named, {per_call(absent, True):.3f} ms when not (target < 2 ms);"
          f" {per_call(named, False):.3f} ms for each further rule on the same article")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show", help="print the failing cases of this category ('all': every one)")
    parser.add_argument("--half", choices=("tune", "held-out"), help="with --show: only this half")
    parser.add_argument("--lemmatizer", action="store_true", help="compare the cue table with simplemma")
    parser.add_argument("--extra", action="store_true", help="also score rougher cases built from attributions.jsonl")
    args = parser.parse_args()
    path = args.data / "cases.json"
    if not path.exists():
        print(f"skipped: speaker cases not found at {path}")
        return
    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    if args.extra:
        extra = extra_cases(args.data, cases)
        extra_fired, _ = evaluate(extra)
        extra_pairs = list(zip(extra, extra_fired))
        print(f"extra cases from attributions.jsonl (rougher labels): {len(extra)}")
        for h in ("tune", "held-out"):
            print(line(f"x {h}", scores([(c, f) for c, f in extra_pairs if half_of(c) == h])))
        if args.show:
            show_failures(extra_pairs, args.show, args.half)
        return
    fired, seconds = evaluate(cases)
    pairs = list(zip(cases, fired))
    halves = {h: [(c, f) for c, f in pairs if half_of(c) == h] for h in ("tune", "held-out")}
    articles = {h: len({c["provenance"]["file"] for c, _ in ps}) for h, ps in halves.items()}
    print(f"{len(cases)} cases from {sum(articles.values())} articles; tune {articles['tune']} articles, "
          f"held-out {articles['held-out']}; matching {seconds * 1000 / len(cases):.2f} ms per case")
    article_speed(cases)
    print(line("all", scores(pairs)))
    for h, ps in halves.items():
        print(line(h, scores(ps)))
    for h, ps in (("all", pairs), *halves.items()):
        breakdown(f"misses by category ({h})", ps, lambda c: [c["category"]], positive=True)
        breakdown(f"false alarms by category ({h})", ps, lambda c: [c["category"]], positive=False)
    breakdown("misses by flag (all)", pairs, lambda c: c["flags"] or ["(none)"], positive=True)
    breakdown("misses by content type (all)", pairs, lambda c: [c["evidence"]["content_type"]], positive=True)
    breakdown("misses by outlet (all)", pairs, lambda c: [c["outlet"]], positive=True)
    breakdown("false alarms by outlet (all)", pairs, lambda c: [c["outlet"]], positive=False)
    if args.lemmatizer:
        compare_lemmatizer(cases)
    if args.show:
        show_failures(pairs, args.show, args.half)


def show_failures(pairs: list[tuple[dict, bool]], show: str, half: str | None) -> None:
    for c, f in pairs:
        if f == c["fires"] or (show != "all" and c["category"] != show):
            continue
        if half and half_of(c) != half:
            continue
        ev = c["evidence"]
        said = f"source {ev['source']!r}, cue {ev['cue']!r}" if c["fires"] else f"attributions {ev['attributions']}"
        print(f"\n[{c['id']} {'MISS' if c['fires'] else 'FALSE ALARM'} {c['category']}] {c['name']}: {said}")
        print("   ", c["text"])


if __name__ == "__main__":
    main()
