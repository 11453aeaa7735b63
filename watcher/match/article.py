"""An article as the matchers see it, analysed once and shared by every rule."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property

from watcher.match.text import Sentence, Word, fold, split_sentences, words


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
    def words(self) -> list[Word]:
        return words(self.folded)  # spans index both the folded and the original text

    @cached_property
    def sentences(self) -> list[Sentence]:
        return split_sentences(self.text)

    @cached_property
    def word_index(self) -> dict[str, list[int]]:
        """Folded word -> positions in `words`, for term lookups in O(1)."""
        index: dict[str, list[int]] = {}
        for i, w in enumerate(self.words):
            index.setdefault(w.text, []).append(i)
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
