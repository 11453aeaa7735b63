"""Validate benchmarks/stories/stories.jsonl and print its counts.

Run: ``python benchmarks/stories/check.py [PATH]``. Exits 1 if any record is
malformed (the problems are listed on stderr), 0 otherwise.

Checked per record: required fields and their types, ``kind`` in the allowed
set, ``id`` == ``<story>-v<n>`` and unique, ``published`` an ISO datetime with
a UTC offset, body length (teaser 40-120 words, every other kind 120-500),
``language`` (two-letter code) only on translations and required there,
``hard_negative_of`` naming another existing story and coming with a ``note``.
Checked per story: 2 to 6 versions, exactly one ``original``, which is the
earliest version, all versions within 3 days of it, and the same
``hard_negative_of`` on all of its records.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent / "stories.jsonl"
KINDS = ("original", "independent", "reprint", "teaser", "spun", "translation")
REQUIRED = ("id", "story", "kind", "outlet", "published", "title", "body")
OPTIONAL = ("hard_negative_of", "note", "language")
STORY_RE = re.compile(r"^s\d{2,}$")
WORD_RE = re.compile(r"\w+")


def words(text: str) -> int:
    return len(WORD_RE.findall(text))


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    errors: list[str] = []
    records: list[dict] = []
    seen_ids: set[str] = set()

    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"line {lineno}"
        if not line.strip():
            errors.append(f"{where}: empty line")
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: invalid JSON ({exc})")
            continue
        if not isinstance(rec, dict):
            errors.append(f"{where}: not a JSON object")
            continue
        where = f"line {lineno} ({rec.get('id', '?')})"
        bad = False
        for field in REQUIRED:
            if not isinstance(rec.get(field), str) or not rec[field].strip():
                errors.append(f"{where}: missing or empty string field {field!r}")
                bad = True
        for field in rec:
            if field not in REQUIRED and field not in OPTIONAL:
                errors.append(f"{where}: unknown field {field!r}")
        for field in OPTIONAL:
            if field in rec and (not isinstance(rec[field], str) or not rec[field].strip()):
                errors.append(f"{where}: field {field!r} must be a non-empty string")
                bad = True
        if bad:
            continue
        if rec["kind"] not in KINDS:
            errors.append(f"{where}: kind {rec['kind']!r} not one of {KINDS}")
        if not STORY_RE.match(rec["story"]):
            errors.append(f"{where}: story id {rec['story']!r} should look like s07")
        if not re.fullmatch(re.escape(rec["story"]) + r"-v\d+", rec["id"]):
            errors.append(f"{where}: id should be '<story>-v<n>'")
        if rec["id"] in seen_ids:
            errors.append(f"{where}: duplicate id")
        seen_ids.add(rec["id"])
        try:
            ts = datetime.fromisoformat(rec["published"])
            if ts.tzinfo is None:
                errors.append(f"{where}: published has no UTC offset")
                ts = None
        except ValueError:
            errors.append(f"{where}: published {rec['published']!r} is not ISO 8601")
            ts = None
        rec["_ts"] = ts
        n = words(rec["body"])
        lo, hi = (40, 120) if rec["kind"] == "teaser" else (120, 500)
        if not lo <= n <= hi:
            errors.append(f"{where}: body has {n} words, expected {lo}-{hi} for {rec['kind']}")
        if rec["kind"] == "translation":
            if not re.fullmatch(r"[a-z]{2}", rec.get("language", "")):
                errors.append(f"{where}: translation needs a two-letter 'language'")
        elif "language" in rec:
            errors.append(f"{where}: 'language' is only used on translations")
        if "hard_negative_of" in rec and "note" not in rec:
            errors.append(f"{where}: hard negative without 'note'")
        records.append(rec)

    stories: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        stories[rec["story"]].append(rec)
    for sid, recs in stories.items():
        if not 2 <= len(recs) <= 6:
            errors.append(f"story {sid}: {len(recs)} versions, expected 2-6")
        originals = [r for r in recs if r["kind"] == "original"]
        if len(originals) != 1:
            errors.append(f"story {sid}: {len(originals)} 'original' records, expected 1")
        hn = {r.get("hard_negative_of") for r in recs}
        if len(hn) != 1:
            errors.append(f"story {sid}: records disagree on hard_negative_of")
        target = next(iter(hn))
        if target is not None and (target == sid or target not in stories):
            errors.append(f"story {sid}: hard_negative_of {target!r} is not another story in the file")
        times = [r["_ts"] for r in recs if r["_ts"] is not None]
        if originals and originals[0]["_ts"] is not None and times:
            first = originals[0]["_ts"]
            if min(times) < first:
                errors.append(f"story {sid}: a version is published before the original")
            if max(times) - first > timedelta(days=3):
                errors.append(f"story {sid}: versions span more than 3 days")

    kinds = Counter(r["kind"] for r in records)
    spun_stories = sorted({r["story"] for r in records if r["kind"] == "spun"})
    hn_pairs = sorted({(r["story"], r["hard_negative_of"]) for r in records if "hard_negative_of" in r})
    langs = Counter(r["language"] for r in records if r["kind"] == "translation")
    sizes = [len(v) for v in stories.values()]
    positive_pairs = sum(n * (n - 1) // 2 for n in sizes)
    hn_record_pairs = sum(len(stories[a]) * len(stories.get(b, [])) for a, b in hn_pairs)
    n_hn_stories = len({a for a, _ in hn_pairs})

    print(f"file:                 {path}")
    print(f"stories:              {len(stories)} ({len(stories) - n_hn_stories} base + {n_hn_stories} hard negatives)")
    print(f"records:              {len(records)}")
    print("per kind:             " + ", ".join(f"{k} {kinds.get(k, 0)}" for k in KINDS))
    print(f"translations:         " + ", ".join(f"{k} {v}" for k, v in sorted(langs.items())))
    print(f"stories with spun:    {len(spun_stories)}")
    print(f"hard-negative pairs:  {len(hn_pairs)} story pairs, {hn_record_pairs} record pairs")
    print(f"versions per story:   " + ", ".join(f"{k}: {v}" for k, v in sorted(Counter(sizes).items())))
    print(f"same-story pairs:     {positive_pairs} of {len(records) * (len(records) - 1) // 2} record pairs")

    if errors:
        print(f"\n{len(errors)} problem(s):", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
