"""An article as the matchers see it, analysed once and shared by every rule."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property

from watcher.match.text import WORD, Sentence, fold, split_sentences


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
        """Character span of token `i` (valid in the original text too)."""
        return self._spans[i]

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
