"""Article-body extraction benchmark: plain trafilatura vs. `watcher.extract.body`.

Data: scrapinghub/article-extraction-benchmark (181 real pages + hand-made
article bodies), expected at ../shared/data/article-extraction-benchmark next
to the repository root; override with ``--data DIR``.

Scoring reproduces that benchmark's own ``evaluate.py``:

* tokens are runs of ``\\w+`` (case kept), shingles are word 4-grams; a text
  with fewer than 4 tokens yields one shorter shingle, an empty text none;
* per page, TP/FP/FN are the multiset (Counter) intersection / differences;
* precision is averaged only over pages where TP + FP > 0, i.e. a page where
  we extract nothing is *left out* of the precision mean (it is not scored as
  0); it still counts in recall with recall 0 (TP + FN > 0 there);
* precision = recall = 1 when FP == FN == 0;
* F1 is computed from the two averages, not averaged per page.

(Checked against a verbatim copy of the reference scorer: identical numbers
for plain trafilatura on all 181 pages.)

Run: ``python benchmarks/extraction.py [--data DIR] [--repeat N]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "article-extraction-benchmark"

if str(REPO_ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(REPO_ROOT))

_TOKEN_RE = re.compile(r"\w+")
NGRAM_N = 4

Shingles = Counter[tuple[str, ...]]


def shingles(text: str | None, n: int = NGRAM_N) -> Shingles:
    tokens = _TOKEN_RE.findall(text or "")
    # Same as the reference: at least one (possibly short) shingle if any token.
    grams = (tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))
    return Counter(g for g in grams if g)


def tp_fp_fn(true: str, pred: str | None) -> tuple[float, float, float]:
    t, p = shingles(true), shingles(pred)
    tp = float(sum((t & p).values()))
    fp = float(sum((p - t).values()))
    fn = float(sum((t - p).values()))
    return tp, fp, fn


def precision_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def recall_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    per_page: dict[str, tuple[float, float]]  # key -> (precision, recall); nan = excluded


def score(truth: dict[str, str], predicted: dict[str, str]) -> Score:
    precisions: list[float] = []
    recalls: list[float] = []
    per_page: dict[str, tuple[float, float]] = {}
    for key, true_text in truth.items():
        tp, fp, fn = tp_fp_fn(true_text, predicted.get(key, ""))
        # The reference normalises TP/FP/FN by their sum; ratios are unchanged.
        p = precision_score(tp, fp, fn) if tp + fp > 0 else float("nan")
        r = recall_score(tp, fp, fn) if tp + fn > 0 else float("nan")
        if tp + fp > 0:
            precisions.append(p)
        if tp + fn > 0:
            recalls.append(r)
        per_page[key] = (p, r)
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, per_page)


def load(data: Path) -> tuple[dict[str, bytes], dict[str, str]]:
    """Raw (gunzipped, *not decoded*) pages and ground-truth bodies, by file hash."""
    ground = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    truth = {key: item.get("articleBody", "") or "" for key, item in ground.items()}
    pages: dict[str, bytes] = {}
    for key in truth:
        path = data / "html" / f"{key}.html.gz"
        pages[key] = gzip.decompress(path.read_bytes())
    return pages, truth


@dataclass(frozen=True)
class Run:
    texts: dict[str, str]
    seconds: list[float]  # per page, in page order

    @property
    def total(self) -> float:
        return sum(self.seconds)


def run(fn: Callable[[bytes], str | None], pages: dict[str, bytes]) -> Run:
    texts: dict[str, str] = {}
    seconds: list[float] = []
    for key, html in pages.items():
        start = time.perf_counter()
        texts[key] = fn(html) or ""
        seconds.append(time.perf_counter() - start)
    return Run(texts, seconds)


def plain_trafilatura(html: bytes) -> str | None:
    import trafilatura

    return trafilatura.extract(html)


def ours(html: bytes) -> str | None:
    from watcher.extract.body import extract_article

    doc = extract_article(html, url=None)
    return doc.text if doc else None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark folder")
    parser.add_argument("--repeat", type=int, default=3, help="timing repeats (best per page)")
    parser.add_argument("--worst", type=int, default=0, help="list N pages where we lose most F1")
    args = parser.parse_args(argv)

    data: Path = args.data
    if not (data / "ground-truth.json").is_file() or not (data / "html").is_dir():
        print(f"skipped: data not found at {data}")
        return 0

    pages, truth = load(data)
    # Warm-up: imports and trafilatura's lazily built caches are not per-page cost.
    first = next(iter(pages.values()))
    plain_trafilatura(first)
    ours(first)

    # Interleave the repeats so machine-load drift hits both extractors alike;
    # best-of-N per page damps scheduler noise on a shared machine.
    # "trafilatura" = trafilatura.extract(raw_bytes) with its defaults (which
    # include reader comments); "watcher" = extract_article(raw_bytes).text.
    runs: dict[str, list[Run]] = {"trafilatura": [], "watcher": []}
    for _ in range(max(1, args.repeat)):
        runs["trafilatura"].append(run(plain_trafilatura, pages))
        runs["watcher"].append(run(ours, pages))

    results: dict[str, tuple[Score, Run]] = {}
    for name, repeats in runs.items():
        best = [min(times) for times in zip(*(r.seconds for r in repeats))]
        merged = Run(repeats[-1].texts, best)
        results[name] = (score(truth, merged.texts), merged)

    print(f"pages: {len(pages)}  data: {data}")
    print(f"{'extractor':<14}{'precision':>10}{'recall':>9}{'F1':>8}{'docs/s':>9}{'ms/doc':>9}")
    for name, (sc, rn) in results.items():
        print(
            f"{name:<14}{sc.precision:>10.4f}{sc.recall:>9.4f}{sc.f1:>8.4f}"
            f"{len(pages) / rn.total:>9.1f}{1000 * rn.total / len(pages):>9.2f}"
        )
    base_run, our_run = results["trafilatura"][1], results["watcher"][1]
    ratio = our_run.total / base_run.total
    per_doc = statistics.median(o / b for o, b in zip(our_run.seconds, base_run.seconds))
    print(f"speed ratio watcher/trafilatura: total {ratio:.3f}x, median per doc {per_doc:.3f}x (budget 1.3x)")

    if args.worst:
        base_sc, our_sc = results["trafilatura"][0], results["watcher"][0]

        def page_f1(pr: tuple[float, float]) -> float:
            p, r = (0.0 if math.isnan(x) else x for x in pr)  # excluded -> 0 here
            return 2 * p * r / (p + r) if p + r else 0.0

        deltas = sorted(
            (page_f1(our_sc.per_page[k]) - page_f1(base_sc.per_page[k]), k) for k in truth
        )
        print(f"\nworst {args.worst} pages (ours minus trafilatura, page F1):")
        for delta, key in deltas[: args.worst]:
            p, r = our_sc.per_page[key]
            print(f"  {delta:+.3f}  P={p:.3f} R={r:.3f}  {key[:16]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
