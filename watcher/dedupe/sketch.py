"""A story sketch of an article: what is needed to tell whether two articles
report the same event, small enough to keep for every article.

- `words`: MinHash of the body's word 3-shingles. Reprints, teasers and
  lightly edited copies share most of them.
- `skeleton`: MinHash of shingles of the body's *skeleton*: function words,
  names and numbers kept, every run of other words collapsed to `_`. Spinners
  swap content words for synonyms ("said" -> "stated", "fight" -> "combat")
  and leave this skeleton nearly intact.
- `names` and `numbers`: the capitalised names and the figures of the title and
  body. Another outlet's own report of the event shares few words but the same
  people, places and figures. Only figures that are quantities of an event
  count: not years, dates, clock times, ordinals or the digits of a name
  (`COVID-19`, `F-35`, `G7`).
- `vocab` and `tf`: the content words (crudely stemmed) and names of the title
  and the first CONTENT_WORDS words of the body, with their counts (names and
  figures twice). Independent reports of one event tell it in their own words
  but share its rarer ones; the store weighs them by how rare they are in what
  it has seen (TF-IDF) when it places the article, and keeps the weighed,
  unit-length vector in `weights`.

Everything here is pure: text in, values out.
"""

from __future__ import annotations

import functools
import hashlib
import re
import struct
import time
from dataclasses import dataclass, field

import numpy as np

from watcher.match.text import fold

SKETCH_VERSION = 5  # stored sketches of another version are made anew from the bodies
NUM_PERM = 64
BANDS = 16  # LSH: 16 bands of 4 rows
ROWS = NUM_PERM // BANDS
WORD_SHINGLE = 3
SKELETON_SHINGLE = 5

# the words spinners leave alone (and that carry no topic)
FUNCTION_WORDS = frozenset(
    """a an the of to in on at by for from with as and or but nor if then than that this these those it its is are
    was were be been being has have had do does did will would shall should can could may might must not no he she
    they we you i his her their our your my him them us me who whom whose which what when where why how there here
    all any both each few more most other some such only own same so too very just also into onto over under about
    after before between through during without within against among up down out off again further once while
    because until since per via""".split()
)
# capitalised words that are not names of anything in particular
_NOT_NAMES = FUNCTION_WORDS | frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april june july august
    september october november december mr mrs ms dr prof sir lord lady st said says according however meanwhile
    read more click subscribe share advertisement photo image video copyright reporting editing""".split()
)
_TOKEN = re.compile(r"\d+(?:[.,:–-]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
# the start of a text, of a line, or what follows a sentence's end (and an opening quote or bracket)
_SENTENCE_START = re.compile(r"""(?:\A|\n|[.!?…]+["'”’»)\]]*\s+)\s*["'“‘«(\[]*""")
MAX_TOKENS = 600  # a story is known by its first few hundred words; long pages cost no more
CONTENT_WORDS = 150  # words of the body in the content vector: long and short texts score alike
ENGLISH_SHARE = 0.2  # English prose has about a third of its words in FUNCTION_WORDS; other languages few
NAME_WEIGHT = 2.0  # a name or a figure counts as much as this many content words
TITLE_WEIGHT = 2.0  # a word of the headline counts as much as this many of the body
_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")
_MONTHS = frozenset(
    """january february march april may june july august september october november december jan feb mar apr jun jul
    aug sep sept oct nov dec""".split()
)
# words too common in news to say anything about which event it is
_NOT_CONTENT = FUNCTION_WORDS | frozenset(
    """said says say told tell according also would could one two three four five six seven eight nine ten new
    year years day days week weeks month months time times people last first next back like get got make made
    take took many much well even still now just including people's percent per cent mr mrs ms dr""".split()
) | _MONTHS | frozenset("monday tuesday wednesday thursday friday saturday sunday today yesterday".split())


@dataclass(frozen=True)
class Sketch:
    at: float  # when the article's event was reported, epoch seconds
    words: np.ndarray  # uint32[NUM_PERM]
    skeleton: np.ndarray  # uint32[NUM_PERM]
    word_count: int  # distinct word shingles, for containment estimates
    names: frozenset[str]
    numbers: frozenset[str]
    vocab: np.ndarray = field(default_factory=lambda: _NO_TERMS)  # uint32 term ids, sorted
    tf: np.ndarray = field(default_factory=lambda: _NO_WEIGHTS)  # float32 counts, parallel to vocab; < 0: a name
    weights: np.ndarray = field(default_factory=lambda: _NO_WEIGHTS)  # TF-IDF, unit length; empty until placed
    years: tuple[int, ...] = ()  # the years the title and lead state, ascending
    typed: frozenset[str] = frozenset()  # figures of a kind two events cannot share: "score=20-13", "magnitude=4.4"
    english: bool = True  # the body reads as English (a share of English function words), so words compare
    dated: bool = True  # `at` is the article's own date (else when it was found: the years it states say more)

    def to_bytes(self) -> bytes:
        names = "\x1f".join(sorted(self.names)).encode()
        numbers = "\x1f".join(sorted(self.numbers | self.typed)).encode()
        head = struct.pack(_HEAD, self.at, self.word_count, len(names), len(numbers), len(self.vocab),
                           len(self.weights), len(self.years), self.english | (not self.dated) << 1)
        return b"".join((head, self.words.astype("<u4").tobytes(), self.skeleton.astype("<u4").tobytes(), names,
                         numbers, self.vocab.astype("<u4").tobytes(), self.tf.astype("<f4").tobytes(),
                         self.weights.astype("<f4").tobytes(), struct.pack(f"<{len(self.years)}H", *self.years)))

    @classmethod
    def from_bytes(cls, blob: bytes) -> Sketch:
        """The sketch stored as `blob` (one of version 2, with no content vector, is read too). The arrays are
        views of `blob`; the fields are set at once, without the frozen dataclass's __init__ (a placement reads a
        few hundred stored sketches, and decoding them was a fifth of a realistic placement's CPU)."""
        at, word_count, n_names, n_numbers, n_vocab, n_weights, n_years, flags = _HEAD_STRUCT.unpack_from(blob)
        pos = _HEAD_STRUCT.size
        if len(blob) != pos + 8 * NUM_PERM + n_names + n_numbers + 8 * n_vocab + 4 * n_weights + 2 * n_years:
            at, word_count, n_names, n_numbers = struct.unpack_from("<dIHH", blob)
            pos, n_vocab, n_weights, n_years, flags = struct.calcsize("<dIHH"), 0, 0, 0, 1
        signatures = np.frombuffer(blob, "<u4", 2 * NUM_PERM, pos)  # words, then skeleton
        pos += 8 * NUM_PERM
        names = blob[pos : pos + n_names].decode()
        numbers = blob[pos + n_names : pos + n_names + n_numbers].decode()
        pos += n_names + n_numbers
        floats = np.frombuffer(blob, "<f4", n_vocab + n_weights, pos + 4 * n_vocab)  # tf, then weights
        figures = _split(numbers)
        typed = frozenset(f for f in figures if "=" in f) if "=" in numbers else frozenset()
        sk = object.__new__(cls)
        sk.__dict__.update(
            at=at, words=signatures[:NUM_PERM], skeleton=signatures[NUM_PERM:], word_count=word_count,
            names=_split(names), numbers=figures - typed if typed else figures,
            vocab=np.frombuffer(blob, "<u4", n_vocab, pos),
            tf=floats[:n_vocab], weights=floats[n_vocab:],
            years=struct.unpack_from(f"<{n_years}H", blob, pos + 8 * n_vocab + 4 * n_weights) if n_years else (),
            typed=typed, english=bool(flags & 1), dated=not flags & 2,
        )
        return sk

    def event_year(self) -> int | None:
        """The latest year the text states up to the year it was published: when its event happened."""
        now = time.gmtime(self.at).tm_year
        return max((y for y in self.years if y <= now), default=None)


_HEAD = "<dIHHHHHB"  # ...and flags: 1 English, 2 undated
_HEAD_STRUCT = struct.Struct(_HEAD)
_NO_TERMS = np.zeros(0, dtype=np.uint32)
_NO_WEIGHTS = np.zeros(0, dtype=np.float32)


def _split(joined: str) -> frozenset[str]:
    return frozenset(joined.split("\x1f")) if joined else frozenset()


# MinHash with multiply-shift hashing: for each of NUM_PERM random (odd a, b), a shingle hash h becomes
# the top 32 bits of a*h + b (mod 2**64); the signature keeps each column's minimum. datasketch does the
# same, but importing it pulls in scipy: half a second at every start and 50 MB in every process.
_RNG = np.random.default_rng(20261122)
_A = _RNG.integers(1, 2**63, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _RNG.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
_EMPTY = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
_EMPTY_BYTES = _EMPTY.tobytes()


_TOKEN_IDS: dict[str, int] = {}


def _token_ids(tokens: list[str]) -> np.ndarray:
    """Stable 32-bit ids of tokens (BLAKE2b; remembered, as news reuses its words)."""
    if len(_TOKEN_IDS) > 500_000:
        _TOKEN_IDS.clear()
    ids = _TOKEN_IDS
    out = list(map(ids.get, tokens))
    if None in out:  # words not seen before
        for i, v in enumerate(out):
            if v is None:
                t = tokens[i]
                v = ids.get(t)
                if v is None:
                    v = ids[t] = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=4).digest(), "little")
                out[i] = v
    return np.array(out, dtype=np.uint64)


def _shingle_hashes(tokens: list[str], k: int) -> np.ndarray:
    """Distinct 32-bit hashes of the k-token shingles (all of them when fewer than k tokens)."""
    ids = _token_ids(tokens)
    n = len(ids) - k + 1
    if n <= 0:
        n, k = (1, len(ids)) if len(ids) else (0, 0)
    h = np.zeros(max(n, 0), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * np.uint64(0x9E3779B97F4A7C15) + ids[j : j + n]
    h = np.sort((h ^ (h >> np.uint64(32))) & np.uint64(0xFFFFFFFF))
    # distinct by sorting: np.unique hashes first, several times slower on a few hundred values
    return h[np.concatenate(([True], h[1:] != h[:-1]))] if len(h) else h


def _minhash(hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature (uint32[NUM_PERM]) of a set of 32-bit shingle hashes."""
    if not len(hashes):
        return _EMPTY.copy()
    with np.errstate(over="ignore"):
        mixed = hashes.reshape(-1, 1) * _A + _B
    return (mixed >> np.uint64(32)).min(axis=0).astype(np.uint32)


def number_value(token: str) -> str:
    """A figure written the way most outlets write it: "10,000" and "10.000" -> "10000", "6,4" -> "6.4"."""
    if _THOUSANDS.match(token):
        return re.sub(r"[.,]", "", token)
    return token.replace(",", ".")


def is_key_number(value: str) -> bool:
    """Figures that identify an event; not years, not single digits, which every story has."""
    if not value.isdigit():
        return True  # 1.8, 3-1, 2:03:11
    n = int(value)
    return n >= 10 and not (1990 <= n <= 2040)


_CLOCK = re.compile(r"^(?:[01]?\d|2[0-3])[:.][0-5]\d$")
_AM_PM = re.compile(r"\s*(?:[ap]\.?m\b\.?|o'clock|hours?\b|hrs\b|GMT|UTC|[A-Z][DS]T\b|local time)", re.IGNORECASE)
_ORDINAL = re.compile(r"(?:st|nd|rd|th)\b", re.IGNORECASE)
_MONTH_BEFORE = re.compile(r"\b([^\W\d_]+)\.?\s+$")
_MONTH_AFTER = re.compile(r"^(?:st|nd|rd|th)?\s*(?:of\s+)?([^\W\d_]+)")


_SCORE = re.compile(r"^\d{1,3}[-–]\d{1,3}$")
_MAGNITUDE = re.compile(r"magnitude(?:\s+of)?[\s-]*$", re.IGNORECASE)
_MAGNITUDE_AFTER = re.compile(r"^[\s-]*magnitude", re.IGNORECASE)


def figure_kind(text: str, start: int, end: int) -> str | None:
    """A figure that one event has one value of, so two reports with other values are of other events: a
    result ("20-13") or a quake's magnitude ("magnitude 6.4", "a 6.4-magnitude quake")."""
    raw = text[start:end]
    if _SCORE.match(raw):
        return "score"
    if _MAGNITUDE.search(text[max(0, start - 16) : start]) or _MAGNITUDE_AFTER.match(text[end : end + 12]):
        return "magnitude"
    return None


def is_event_figure(text: str, start: int, end: int) -> bool:
    """Is the figure text[start:end] a quantity of the event, read in its context? Not a date ("August 31",
    "31st of May"), a clock time ("10:30", "9 p.m."), an ordinal ("2nd"), a year or the digits of a name
    ("COVID-19", "F-35", "G7", "A320")."""
    raw = text[start:end]
    if start and (text[start - 1].isalpha() or text[start - 1] in "-–" and start > 1 and text[start - 2].isalpha()):
        return False  # G7, COVID-19, F-35
    after = text[end : end + 24]
    if after[:1].isalpha() and not _ORDINAL.match(after):
        return False  # 737MAX, 5G (a unit such as 5km is a figure, but too rare to matter)
    if _ORDINAL.match(after):
        return False  # 2nd, 31st
    if _CLOCK.match(raw) or (raw.isdigit() and int(raw) <= 12 and _AM_PM.match(after)):
        return False  # 10:30, 9 p.m.
    if raw.isdigit() and len(raw) <= 2 and int(raw) <= 31:
        before = _MONTH_BEFORE.search(text[max(0, start - 12) : start])
        month = _MONTH_AFTER.match(after)
        if (before and before.group(1).lower() in _MONTHS) or (month and month.group(1).lower() in _MONTHS):
            return False  # August 31, 31 August
    if raw.isdigit() and len(raw) == 4 and 1800 <= int(raw) <= 2100:
        return False  # a year
    return True


def sketch(title: str, body: str, at: float, dated: bool = True) -> Sketch:
    """The sketch of one article (title and body as stored; the body's first MAX_TOKENS words); `dated`: `at`
    is the article's own date, not when it was found."""
    tokens: list[str] = []  # folded words of the body
    skeleton: list[str] = []
    names: set[str] = set()
    numbers: set[str] = set()
    content: dict[str, float] = {}
    named: set[str] = set()  # content terms that are names or figures
    years: set[int] = set()
    typed: set[str] = set()
    for text, is_body in ((title, False), (body, True)):
        if not text:
            continue
        title_case = not is_body and _title_case(text)  # "Minister Promises Jobs": every word looks like a name
        folded = fold(text)
        # where sentences start: a capitalised first word is no sign of a name
        starts = {m.end() for m in _SENTENCE_START.finditer(text)}
        for n, m in enumerate(_TOKEN.finditer(text)):
            if is_body and n >= MAX_TOKENS:
                break
            in_content = not is_body or n < CONTENT_WORDS
            start, end = m.span()
            raw = text[start:end]
            if raw[0].isdigit():
                value = number_value(raw)
                key = (is_key_number(value) or bool(_THOUSANDS.match(raw))) and is_event_figure(text, start, end)
                if key and not title_case:
                    numbers.add(value)
                if key and in_content:
                    content[value] = content.get(value, 0.0) + NAME_WEIGHT * (1.0 if is_body else TITLE_WEIGHT)
                    named.add(value)
                kind = figure_kind(text, start, end) if key and in_content else None
                if kind:
                    typed.add(f"{kind}={value}")
                if in_content and len(raw) == 4 and raw.isdigit() and 1800 <= int(raw) <= 2100:
                    years.add(int(raw))
                if is_body:
                    tokens.append(value)
                    skeleton.append(value)
                continue
            word = folded[start:end]
            name = (not title_case and raw[0].isupper() and start not in starts and word not in _NOT_NAMES
                    and len(word) > 1)
            if name:
                names.add(word)
            if in_content and (name or (len(word) > 2 and word not in _NOT_CONTENT)):
                term = word if name else _STEMS.get(word) or _stem(word)
                content[term] = content.get(term, 0.0) + (NAME_WEIGHT if name else 1.0) * (1.0 if is_body else TITLE_WEIGHT)
                if name:
                    named.add(term)
            if not is_body:
                continue
            tokens.append(word)
            if word in FUNCTION_WORDS or name:
                skeleton.append(word)
            elif not skeleton or skeleton[-1] != "_":
                skeleton.append("_")
    word_shingles = _shingle_hashes(tokens, WORD_SHINGLE)
    vocab, tf = content_vector({t: -n if t in named else n for t, n in content.items()})
    return Sketch(
        at=at,
        words=_minhash(word_shingles),
        skeleton=_minhash(_shingle_hashes(skeleton, SKELETON_SHINGLE)),
        word_count=len(word_shingles),
        names=frozenset(names),
        numbers=frozenset(numbers),
        vocab=vocab,
        tf=tf,
        years=tuple(sorted(years)[-16:]),
        typed=frozenset(typed),
        english=len(tokens) < 20 or sum(map(FUNCTION_WORDS.__contains__, tokens)) >= ENGLISH_SHARE * len(tokens),
        dated=dated,
    )


def content_vector(counts: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Term ids (sorted) and counts of a bag of terms (negative for names and figures)."""
    if not counts:
        return _NO_TERMS, _NO_WEIGHTS
    terms_ = list(counts)
    ids = _token_ids(terms_).astype(np.uint32)
    order = np.argsort(ids, kind="stable")
    tf = np.array([counts[t] for t in terms_], dtype=np.float32)
    ids, tf = ids[order], tf[order]
    if len(ids) > 1 and (ids[1:] == ids[:-1]).any():  # two terms with one 32-bit id: keep one
        keep = np.concatenate(([True], ids[1:] != ids[:-1]))
        ids, tf = ids[keep], tf[keep]
    return ids, tf


_STEMS: dict[str, str] = {}


def _stem(word: str) -> str:
    """`stem(word)`, remembered (news reuses its words)."""
    if len(_STEMS) > 200_000:
        _STEMS.clear()
    out = _STEMS[word] = stem(word)
    return out


def stem(word: str) -> str:
    """A crude English stem, so "rule", "rules", "ruled" and "ruling" meet (other languages pass unchanged
    unless they end the same way)."""
    if len(word) <= 4:
        return word
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: len(word) - len(suffix)] + repl
    return word


def _title_case(title: str) -> bool:
    words = re.findall(r"[^\W\d_]{4,}", title)
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two MinHash signatures."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def bands(sk: Sketch) -> list[tuple[int, int]]:
    """LSH keys: (band, hash) of the word signature, bands 0-15. The skeleton signature is compared, not
    indexed: a spun copy keeps the names and figures that the term index finds it by (indexing the skeleton
    too changed no placement on any labelled set and cost 16 lookups and 16 rows an article)."""
    return list(_bands(sk.words.tobytes()))


@functools.lru_cache(maxsize=64)  # the keys of the last few signatures: placing and saving share them
def _bands(words: bytes) -> tuple[tuple[int, int], ...]:
    if words == _EMPTY_BYTES:
        return ()  # empty text: no signature to share
    size = len(words) // BANDS
    return tuple((i, int.from_bytes(hashlib.blake2b(words[i * size : (i + 1) * size], digest_size=8).digest(),
                                    "little", signed=True)) for i in range(BANDS))


def terms(sk: Sketch) -> list[str]:
    """Index terms for finding other reports of the same event: its names and key figures."""
    return [f"n:{n}" for n in sorted(sk.names)] + [f"#:{v}" for v in sorted(sk.numbers)]
