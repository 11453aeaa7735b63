"""Once per rule and story: whether a rule's match on a new article becomes an alert, an update, or nothing.

The heart of "one alert per story", as a pure function over plain values. The store asks it
with what it read in the same transaction (the alert this rule already made for the story, if
any) and writes what it says; its unique key (rule, story key) keeps two writers from both
alerting, and `decide` gives each outcome the key that makes this so.

- A rule with `once_per: story` alerts once per story: the first matching article of a story
  alerts, keyed `story:<id>`. An article placed in no story counts as a story of its own.
- A rule with `once_per: article` alerts once per article, keyed `article:<id>`.
- A later matching article of an alerted story is told as the rule's `updates` say: `silent`
  (nothing; the story lists it), `digest` (an update gathered into the channel's digest) or
  `notify` (an update sent at once). An update is keyed under its story's key and the article,
  so one article never updates one alert twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["alert", "update", "update-digest"]


@dataclass(frozen=True)
class Decision:
    """What to write: an alert of `kind` under `key`, with `parent` the alert it updates (updates only)."""

    kind: Kind
    key: str
    parent: int | None = None

    @property
    def title_prefix(self) -> str:
        return "" if self.kind == "alert" else "Update: "


def story_key(once_per: str, story_id: int | None, article_id: int) -> str:
    """The key one alert of a rule covers: its story, or the article alone."""
    if once_per == "story" and story_id is not None:
        return f"story:{story_id}"
    return f"article:{article_id}"


def decide(*, once_per: str, updates: str, story_id: int | None, article_id: int,
           earlier: int | None) -> Decision | None:
    """The outcome of a rule's match on article `article_id` of story `story_id`, given the id of the
    alert the rule `earlier` made under the same key (None when it made none)."""
    key = story_key(once_per, story_id, article_id)
    if earlier is None:
        return Decision("alert", key)
    if updates == "silent":
        return None
    kind: Kind = "update" if updates == "notify" else "update-digest"
    return Decision(kind, f"{key}/article:{article_id}", parent=earlier)
