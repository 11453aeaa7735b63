"""`when: crosses` for articles: the last value per rule, story and speaker, read and written around one
article's matching (the decisions are `watcher.match.threshold` and `watcher.rules.crossings`; the values live in `watcher.store.thresholds`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlite_utils

from watcher.match.article import ArticleText
from watcher.match.threshold import Level
from watcher.rules.crossings import rule_speaker, settle
from watcher.store import thresholds
from watcher.store.times import utcnow

if TYPE_CHECKING:
    from watcher.rules.ruleset import Rule, RuleMatch, RuleSet

NEW_STORY = "new"  # the subject of an article that starts a story, renamed once its story has an id


def article_subject(rule: Rule, story: int | str | None) -> str:
    """Whose value a crossing condition follows in articles: the story's, and the rule's speaker's in it."""
    name = rule_speaker(rule.node)
    return f"story:{story if story is not None else NEW_STORY}" + (f"/speaker:{name}" if name else "")


class ArticleCrossings:
    """One article's crossing step: `settle` before its matches are stored, `remember` after."""

    def __init__(self, db: sqlite_utils.Database, rules: RuleSet, story_id: int | None) -> None:
        self.db, self.rules, self.story_id = db, rules, story_id
        self.levels: dict[tuple[str, str], Level] = {}

    def settle(self, text: ArticleText, matches: list[RuleMatch]) -> list[RuleMatch]:
        def previous(rule_id: str, subject: str) -> Level | None:
            return thresholds.get(self.db, rule_id, subject) if self.story_id is not None else None

        settled = settle(self.rules.rules, text, matches, lambda r: article_subject(r, self.story_id), previous)
        self.levels = settled.levels
        return settled.fired

    def remember(self, article_id: int, story: int | None) -> None:
        """Keep the values seen, under the story the article was placed in (`story`, as stored)."""
        if not self.levels:
            return
        new = f"story:{NEW_STORY}"
        with self.db.atomic():
            for (rule_id, subject), level in self.levels.items():
                if subject.startswith(new):
                    subject = f"story:{story if story is not None else f'article-{article_id}'}" + subject[len(new):]
                thresholds.put(self.db, rule_id, subject, level, utcnow())


class ReplayCrossings:
    """`watcher replay`'s crossing values: kept in memory from an empty start, so a replay follows the stored
    articles in order and never changes what the daemon remembers."""

    def __init__(self, rules: RuleSet, watched: frozenset[str]) -> None:
        self.rules = rules
        self.watched = watched  # ids of `type: watch` sources: their values are kept per source
        self.levels: dict[tuple[str, str], Level] = {}

    def settle(self, text: ArticleText, matches: list[RuleMatch], story_id: int | None,
               article_id: int) -> list[RuleMatch]:
        from watcher.run.watch import watch_subject

        def subject(rule: Rule) -> str:
            if text.source_id in self.watched:
                return watch_subject(text.source_id)
            return article_subject(rule, story_id if story_id is not None else f"article-{article_id}")

        settled = settle(self.rules.rules, text, matches, subject, lambda r, s: self.levels.get((r, s)))
        self.levels.update(settled.levels)
        return settled.fired
