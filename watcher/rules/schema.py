"""The shape of a rule file, as pydantic models: unknown keys, wrong types and
empty lists are errors that `watcher check` reports with file and line."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from watcher.config.schema import Template

RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _listify(v: object) -> object:
    return [v] if isinstance(v, str) else v


def _term(v: object) -> object:
    if isinstance(v, str):
        v = v.strip()
        if not v:
            raise ValueError("empty term")
    return v


Term = Annotated[str, BeforeValidator(_term)]
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")  # en, pt-BR, zh-Hant: a page's declared language


def _language(v: object) -> object:
    v = _term(v)
    if isinstance(v, str) and not _LANGUAGE.fullmatch(v):  # `english` matched no article, ever
        raise ValueError(f"'{v[:60]}' is not a language code: write one such as en, ru, uk or pt-BR")
    return v


LanguageCode = Annotated[str, BeforeValidator(_language)]
# a list that may be left out, but not written empty: `notify: []` alerted nowhere, `tags: []` watched every source
Terms = Annotated[list[Term], BeforeValidator(_listify), Field(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SpeakerModel(Strict):
    name: Term
    aliases: Annotated[list[Term], Field(min_length=1)] = []


Finite = Annotated[float, Field(allow_inf_nan=False)]  # a threshold of .nan or .inf can never be compared


class NumberModel(Strict):
    gt: Finite | None = None
    gte: Finite | None = None
    lt: Finite | None = None
    lte: Finite | None = None
    near: Terms = []
    window: int = Field(default=25, ge=1, le=500)
    same_sentence: bool = True
    unit: Literal["count", "percent", "money", "any"] = "count"
    when: Literal["always", "crosses"] = "always"  # crosses: fire when the number becomes true (README)
    rearm_below: Finite | None = None  # crosses with gt/gte: fire again only after a value below this
    rearm_above: Finite | None = None  # crosses with lt/lte: fire again only after a value above this

    @model_validator(mode="after")
    def _bounds(self) -> "NumberModel":
        if self.gt is None and self.gte is None and self.lt is None and self.lte is None:
            raise ValueError("number needs at least one of gt, gte, lt, lte")
        from watcher.match.threshold import check_crossing

        check_crossing(self)
        return self


Field_ = Literal["title", "body"]


class ConditionModel(Strict):
    """One mapping of conditions; every key in it must hold (an implicit `all`)."""

    all: list["ConditionModel"] | None = Field(default=None, min_length=1)
    any: list["ConditionModel"] | None = Field(default=None, min_length=1)
    not_: list["ConditionModel"] | None = Field(default=None, min_length=1, alias="not")
    keywords: Terms | None = None
    all_keywords: Terms | None = None
    regex: Terms | None = None
    in_: Annotated[list[Field_], BeforeValidator(_listify), Field(min_length=1)] | None = Field(default=None, alias="in")
    speaker: SpeakerModel | None = None
    number: NumberModel | None = None
    language: Annotated[list[LanguageCode], BeforeValidator(_listify), Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> "ConditionModel":
        clauses = [self.all, self.any, self.not_, self.keywords, self.all_keywords, self.regex,
                   self.speaker, self.number, self.language]
        if self.in_ is not None and self.keywords is None and self.all_keywords is None and self.regex is None:
            raise ValueError("`in` restricts keywords, all_keywords or regex, and there is none here")
        if all(c is None for c in clauses):
            raise ValueError("a condition needs at least one of all, any, not, keywords, all_keywords, regex, speaker, number, language")
        return self


class SourcesModel(Strict):
    ids: Terms = []
    tags: Terms = []

    @model_validator(mode="after")
    def _some(self) -> "SourcesModel":
        if not self.ids and not self.tags:
            raise ValueError("sources needs ids or tags (leave `sources` out to watch every source)")
        return self


def _sources(v: object) -> object:
    if isinstance(v, (list, str)):
        return {"ids": _listify(v)}  # a plain list names sources (or tags; resolved at load)
    return v


class ExampleModel(Strict):
    text: str = Field(min_length=1)
    title: str = ""
    fires: bool


class RuleModel(Strict):
    id: str
    title: Term
    match: ConditionModel
    sources: Annotated[SourcesModel, BeforeValidator(_sources)] | None = None
    notify: Terms = []
    once_per: Literal["story", "article"] = "story"
    updates: Literal["silent", "digest", "notify"] = "silent"  # later articles of a story already alerted on
    enabled: bool = True
    template: Template | None = None  # Jinja2 for the message body (sandboxed); see the README for its values
    examples: Annotated[list[ExampleModel], Field(min_length=1)] = []

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not RULE_ID.match(v):
            raise ValueError(f"rule id '{v}' may hold only letters, digits, '.', '_' and '-'")
        return v


class RuleFileModel(Strict):
    rules: list[RuleModel] = Field(min_length=1)
