"""An article as the matchers see it, analysed once and shared by every rule."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property

from watcher.match.text import WORD, Sentence, fold, split_sentences


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _edge_ok(text: str, i: int, step: int) -> bool:
    """No word continues past index `i` (a hyphen or apostrophe joins words into one token)."""
    if i < 0 or i >= len(text):
        return True
    ch = text[i]
    if _is_word(ch):
        return False
    if ch in "-'’":
        j = i + step
        return not (0 <= j < len(text) and _is_word(text[j]))
    return True


@dataclass(frozen=True)
class ArticleText:
    title: str
    body: str
    source_id: str | None = None
    tags: frozenset[str] = frozenset()
    language: str | None = None


class Field:
    """One field (title or body): its folded text, words and sentences, computed lazily."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text

    @cached_property
    def folded(self) -> str:
        return fold(self.text)

    @cached_property
    def tokens(self) -> list[str]:
        """The folded words, in order (found in C: no objects per word)."""
        return WORD.findall(self.folded)

    @cached_property
    def _spans(self) -> list[tuple[int, int]]:
        return list(map(re.Match.span, WORD.finditer(self.folded)))  # in C, once a span is needed

    def span(self, i: int) -> tuple[int, int]:
        """Character span of token `i` (valid in the original text too).

        Evidence needs a few spans per article, so token `i` is located as
        the n-th whole-word occurrence of its text (a few str.find calls)
        rather than by scanning every word of the article.
        """
        if "_spans" in self.__dict__:
            return self._spans[i]
        word = self.tokens[i]
        nth = bisect.bisect_left(self.word_index[word], i)
        folded, pos, seen = self.folded, 0, -1
        while True:
            at = folded.find(word, pos)
            if at < 0:
                return self._spans[i]  # cannot happen for a real token; fall back to the full scan
            end = at + len(word)
            if _edge_ok(folded, at - 1, -1) and _edge_ok(folded, end, 1):
                seen += 1
                if seen == nth:
                    return at, end
            pos = at + 1

    @cached_property
    def sentences(self) -> list[Sentence]:
        return split_sentences(self.text)

    @cached_property
    def word_index(self) -> dict[str, list[int]]:
        """Folded word -> positions in `words`, for term lookups in O(1)."""
        index: dict[str, list[int]] = {}
        for i, w in enumerate(self.tokens):
            index.setdefault(w, []).append(i)
        return index

    @cached_property
    def word_set(self) -> frozenset[str]:
        return frozenset(self.word_index)

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s.start for s in self.sentences]

    def sentence_at(self, offset: int) -> Sentence:
        i = bisect.bisect_right(self._sentence_starts, offset) - 1
        if i >= 0 and offset < self.sentences[i].end:
            return self.sentences[i]
        return Sentence(0, len(self.text), self.text)


@dataclass
class Prepared:
    article: ArticleText
    fields: dict[str, Field] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.fields = {"title": Field("title", self.article.title or ""), "body": Field("body", self.article.body or "")}
