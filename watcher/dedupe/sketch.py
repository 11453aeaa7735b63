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
  people, places and figures.

Everything here is pure: text in, values out.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass

import numpy as np

from watcher.match.text import fold

SKETCH_VERSION = 2  # stored sketches of another version are made anew from the bodies
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
_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")


@dataclass(frozen=True)
class Sketch:
    at: float  # when the article's event was reported, epoch seconds
    words: np.ndarray  # uint32[NUM_PERM]
    skeleton: np.ndarray  # uint32[NUM_PERM]
    word_count: int  # distinct word shingles, for containment estimates
    names: frozenset[str]
    numbers: frozenset[str]

    def to_bytes(self) -> bytes:
        names = "\x1f".join(sorted(self.names)).encode()
        numbers = "\x1f".join(sorted(self.numbers)).encode()
        head = struct.pack("<dIHH", self.at, self.word_count, len(names), len(numbers))
        return head + self.words.astype("<u4").tobytes() + self.skeleton.astype("<u4").tobytes() + names + numbers

    @classmethod
    def from_bytes(cls, blob: bytes) -> Sketch:
        at, word_count, n_names, n_numbers = struct.unpack_from("<dIHH", blob)
        pos = struct.calcsize("<dIHH")
        words = np.frombuffer(blob, "<u4", NUM_PERM, pos)
        skeleton = np.frombuffer(blob, "<u4", NUM_PERM, pos + 4 * NUM_PERM)
        pos += 8 * NUM_PERM
        names = blob[pos : pos + n_names].decode()
        numbers = blob[pos + n_names : pos + n_names + n_numbers].decode()
        return cls(at, words, skeleton, word_count, _split(names), _split(numbers))


def _split(joined: str) -> frozenset[str]:
    return frozenset(joined.split("\x1f")) if joined else frozenset()


# MinHash with multiply-shift hashing: for each of NUM_PERM random (odd a, b), a shingle hash h becomes
# the top 32 bits of a*h + b (mod 2**64); the signature keeps each column's minimum. datasketch does the
# same, but importing it pulls in scipy: half a second at every start and 50 MB in every process.
_RNG = np.random.default_rng(20261122)
_A = _RNG.integers(1, 2**63, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _RNG.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
_EMPTY = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)


_TOKEN_IDS: dict[str, int] = {}


def _token_ids(tokens: list[str]) -> np.ndarray:
    """Stable 32-bit ids of tokens (BLAKE2b; remembered, as news reuses its words)."""
    if len(_TOKEN_IDS) > 500_000:
        _TOKEN_IDS.clear()
    ids = _TOKEN_IDS
    out = []
    for t in tokens:
        v = ids.get(t)
        if v is None:
            v = ids[t] = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=4).digest(), "little")
        out.append(v)
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
    return np.unique((h ^ (h >> np.uint64(32))) & np.uint64(0xFFFFFFFF))


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


def sketch(title: str, body: str, at: float) -> Sketch:
    """The sketch of one article (title and body as stored; the body's first MAX_TOKENS words)."""
    tokens: list[str] = []  # folded words of the body
    skeleton: list[str] = []
    names: set[str] = set()
    numbers: set[str] = set()
    for text, is_body in ((title, False), (body, True)):
        if not text or (not is_body and _title_case(text)):
            continue  # "Minister Promises Jobs From Battery Plant": every word looks like a name
        folded = fold(text)
        # where sentences start: a capitalised first word is no sign of a name
        starts = {m.end() for m in _SENTENCE_START.finditer(text)}
        for n, m in enumerate(_TOKEN.finditer(text)):
            if is_body and n >= MAX_TOKENS:
                break
            raw = m.group(0)
            if raw[0].isdigit():
                value = number_value(raw)
                if is_key_number(value):
                    numbers.add(value)
                if is_body:
                    tokens.append(value)
                    skeleton.append(value)
                continue
            word = folded[m.start() : m.end()]
            name = raw[0].isupper() and m.start() not in starts and word not in _NOT_NAMES and len(word) > 1
            if name:
                names.add(word)
            if not is_body:
                continue
            tokens.append(word)
            if word in FUNCTION_WORDS or name:
                skeleton.append(word)
            elif not skeleton or skeleton[-1] != "_":
                skeleton.append("_")
    word_shingles = _shingle_hashes(tokens, WORD_SHINGLE)
    return Sketch(
        at=at,
        words=_minhash(word_shingles),
        skeleton=_minhash(_shingle_hashes(skeleton, SKELETON_SHINGLE)),
        word_count=len(word_shingles),
        names=frozenset(names),
        numbers=frozenset(numbers),
    )


def _title_case(title: str) -> bool:
    words = re.findall(r"[^\W\d_]{4,}", title)
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two MinHash signatures."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def bands(sk: Sketch) -> list[tuple[int, int]]:
    """LSH keys: (band, hash) for the word and skeleton signatures; bands 0-15 words, 16-31 skeleton."""
    out = []
    for offset, sig in ((0, sk.words), (BANDS, sk.skeleton)):
        if (sig == _EMPTY).all():
            continue  # empty text: no signature to share
        rows = sig.reshape(BANDS, ROWS)
        for i in range(BANDS):
            digest = hashlib.blake2b(rows[i].tobytes(), digest_size=8).digest()
            out.append((offset + i, int.from_bytes(digest, "little", signed=True)))
    return out


def terms(sk: Sketch) -> list[str]:
    """Index terms for finding other reports of the same event: its names and key figures."""
    return [f"n:{n}" for n in sorted(sk.names)] + [f"#:{v}" for v in sorted(sk.numbers)]
