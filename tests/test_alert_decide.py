"""The once-per-story policy as a table: each row is a rule's match on an article, and what it becomes."""

from __future__ import annotations

import pytest

from watcher.alert.decide import Decision, decide, story_key

CASES = [
    # once_per, updates, story, article, earlier alert -> decision
    ("story", "silent", 7, 70, None, Decision("alert", "story:7")),
    ("story", "silent", 7, 71, 500, None),
    ("story", "digest", 7, 71, 500, Decision("update-digest", "story:7/article:71", parent=500)),
    ("story", "notify", 7, 71, 500, Decision("update", "story:7/article:71", parent=500)),
    ("story", "notify", None, 72, None, Decision("alert", "article:72")),  # in no story: a story of its own
    ("article", "silent", 7, 73, None, Decision("alert", "article:73")),
    ("article", "notify", 7, 73, 501, Decision("update", "article:73/article:73", parent=501)),
]


@pytest.mark.parametrize(("once_per", "updates", "story", "article", "earlier", "expected"), CASES)
def test_decide(once_per: str, updates: str, story: int | None, article: int, earlier: int | None,
                expected: Decision | None) -> None:
    assert decide(once_per=once_per, updates=updates, story_id=story, article_id=article, earlier=earlier) == expected


def test_two_articles_of_one_story_share_the_key_a_rule_alerts_under() -> None:
    assert story_key("story", 3, 30) == story_key("story", 3, 31) == "story:3"
    assert story_key("article", 3, 30) != story_key("article", 3, 31)


def test_an_update_is_titled_as_one() -> None:
    update = decide(once_per="story", updates="notify", story_id=1, article_id=2, earlier=9)
    assert update is not None and update.title_prefix == "Update: "
    assert Decision("alert", "story:1").title_prefix == ""
