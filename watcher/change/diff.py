"""What changed between two versions of a watched region: the words added and removed (pure, difflib).

The diff is word-level within the lines that changed, so "Price: 110 USD" -> "Price: 120 USD" is one
removed word (110) and one added (120). Rules run over the new lines that hold added words.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """A line of the diff: kept (' '), of the new version ('+') or of the old ('-'); `words` are
    (changed, word) pairs, so a renderer can mark only the words that differ."""

    mark: str
    words: tuple[tuple[bool, str], ...]

    @property
    def text(self) -> str:
        return " ".join(w for _, w in self.words)


@dataclass(frozen=True)
class Change:
    rows: tuple[Line, ...]

    @property
    def changed(self) -> bool:
        return any(r.mark != " " for r in self.rows)

    @property
    def added(self) -> str:
        """The lines of the new version with added words, whole (what rules run over: "Gold: 120 USD",
        so a `near: [gold]` still finds its word when only the price changed)."""
        return "\n".join(r.text for r in self.rows if r.mark == "+")

    @property
    def added_words(self) -> str:
        return "\n".join(_runs(r) for r in self.rows if r.mark == "+")

    @property
    def removed(self) -> str:
        return "\n".join(_runs(r) for r in self.rows if r.mark == "-")

    def lines(self, context: int = 1) -> list[str]:
        """Plain `+`/`-` lines for any channel or terminal, with `context` unchanged lines around each
        change and `...` for the lines left out."""
        keep = {i for i, r in enumerate(self.rows) if r.mark != " "}
        keep |= {j for i in keep for j in range(i - context, i + context + 1) if 0 <= j < len(self.rows)}
        out: list[str] = []
        last = -1
        for i in sorted(keep):
            if last >= 0 and i > last + 1:
                out.append("...")
            out.append(f"{self.rows[i].mark} {self.rows[i].text}")
            last = i
        return out

    def markdown(self, limit: int = 3000) -> str:
        """Changed lines as Markdown, each prefixed with +/- (still readable where Markdown is shown as
        text): added words bold, removed words struck through."""
        out = []
        for r in self.rows:
            if r.mark == " ":
                continue
            style = "**" if r.mark == "+" else "~~"
            out.append(r.mark + " " + " ".join(f"{style}{_md(w)}{style}" if changed else _md(w)
                                             for changed, w in _merged(r.words)))
        text = "\n".join(out)
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def word_diff(old: str, new: str) -> Change:
    """The change from `old` to `new` (each a text of lines): whole lines added or removed, and for
    lines replaced, the words that differ."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    rows: list[Line] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if op == "equal":
            rows.extend(Line(" ", tuple((False, w) for w in line.split())) for line in new_lines[b1:b2])
        elif op == "delete":
            rows.extend(Line("-", tuple((True, w) for w in line.split())) for line in old_lines[a1:a2])
        elif op == "insert":
            rows.extend(Line("+", tuple((True, w) for w in line.split())) for line in new_lines[b1:b2])
        else:
            rows.extend(_replaced(old_lines[a1:a2], new_lines[b1:b2]))
    return Change(tuple(rows))


def _replaced(old_lines: list[str], new_lines: list[str]) -> list[Line]:
    """The old lines then the new ones, each word marked when the word diff says it changed."""
    a, b = _tokens(old_lines), _tokens(new_lines)
    a_changed, b_changed = [True] * len(a), [True] * len(b)
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            a_changed[a1:a2] = [False] * (a2 - a1)
            b_changed[b1:b2] = [False] * (b2 - b1)
    return _split("-", a, a_changed) + _split("+", b, b_changed)


def _tokens(lines: list[str]) -> list[str]:
    toks: list[str] = []
    for i, line in enumerate(lines):
        if i:
            toks.append("\n")
        toks.extend(line.split())
    return toks


def _split(mark: str, toks: list[str], changed: list[bool]) -> list[Line]:
    lines: list[Line] = []
    words: list[tuple[bool, str]] = []
    for t, c in zip(toks, changed):
        if t == "\n":
            lines.append(Line(mark, tuple(words)))
            words = []
        else:
            words.append((c, t))
    lines.append(Line(mark, tuple(words)))
    # a line none of whose words changed belongs to both versions: kept once, on the new side
    return [ln for ln in lines if any(c for c, _ in ln.words)] if mark == "-" else \
        [ln if any(c for c, _ in ln.words) else Line(" ", ln.words) for ln in lines]


def _merged(words: tuple[tuple[bool, str], ...]) -> list[tuple[bool, str]]:
    out: list[tuple[bool, str]] = []
    for changed, w in words:
        if out and out[-1][0] == changed:
            out[-1] = (changed, out[-1][1] + " " + w)
        else:
            out.append((changed, w))
    return out


def _runs(line: Line) -> str:
    return " ".join(w for changed, w in _merged(line.words) if changed)


def _md(text: str) -> str:
    return text.replace("*", "\\*").replace("~", "\\~").replace("_", "\\_")
