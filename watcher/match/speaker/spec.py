"""What a `speaker` condition asks for and what it finds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpeakerSpec:
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SpeechEvidence:
    sentence: str  # the sentence with the statement
    sentence_start: int  # its offset in the text
    alias: str  # the name or alias as written in the text
    alias_start: int  # offset of that mention in the text
    how: str  # "quote" | "reported" | "according-to" | "possessive" | "continuation"
