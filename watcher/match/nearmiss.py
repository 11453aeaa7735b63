"""`watcher test --explain`: every condition of a rule with its outcome, and for one that fails the closest
near-miss (a number found under the threshold, a number with no `near` word in its window, a speaker named
but not quoted), so a user can see why a rule did NOT fire. Pure: values in, lines out."""

from __future__ import annotations

from dataclasses import replace

from watcher.alert.compose import clip
from watcher.match.article import Prepared
from watcher.match.engine import AllNode, AnyNode, Evidence, KeywordsNode, NotNode, NumberNode, Outcome
from watcher.match.numbers import match_number

INDENT = "  "


def explain_node(node: object, p: Prepared, depth: int = 0) -> list[str]:
    """Lines for `node` and its children: `yes`/`no`, the condition, and what was found or nearly found."""
    pad = INDENT * depth
    if isinstance(node, (AllNode, AnyNode, NotNode)):
        out = node.eval(p)
        kind = "all" if isinstance(node, AllNode) else "any" if isinstance(node, AnyNode) else "not"
        lines = [f"{pad}{_mark(out)} {kind}:"]
        for child in node.children:
            lines.extend(explain_node(child, p, depth + 1))
        return lines
    out = node.eval(p)  # type: ignore[attr-defined]
    label = node.label  # type: ignore[attr-defined]
    if out.holds:
        found = "; ".join(_evidence(e) for e in out.evidence[:3])
        return [f"{pad}{_mark(out)} {label}" + (f": {found}" if found else "")]
    why = near_miss(node, p) or "; ".join(out.missing) or "no match"
    return [f"{pad}{_mark(out)} {label}: {why}"]


def near_miss(node: object, p: Prepared) -> str | None:
    """What came closest to meeting a failing condition, in words (None: nothing to add)."""
    if isinstance(node, NumberNode):
        return _number_miss(node, p)
    if isinstance(node, KeywordsNode) and node.require_all:
        return None  # its own message names the missing term
    return None


def _number_miss(node: NumberNode, p: Prepared) -> str:
    test = node.test
    bounds = node.label.removeprefix("number ").removesuffix(" (when it crosses)")
    unbounded = replace(test, gt=None, gte=None, lt=None, lte=None)
    language = p.article.language
    for f in p.fields.values():  # near the terms, but on the wrong side of the threshold
        found = match_number(f.text, unbounded, language)
        if found:
            n = found[0]
            near = f" near '{n.near_term}'" if n.near_term else ""
            return f"found {n.quantity.text}{near}, which does not meet {bounds}: \"{clip(n.sentence, 160)}\""
    if test.near:  # meeting the threshold, but no `near` word within the window
        loose = replace(test, near=())
        for f in p.fields.values():
            found = match_number(f.text, loose, language)
            if found:
                where = "in its sentence" if test.same_sentence else ""
                return (f"found {found[0].quantity.text} meeting {bounds}, but none of [{', '.join(test.near)}] "
                        f"within {test.window} words {where}".rstrip() + f": \"{clip(found[0].sentence, 160)}\"")
    if test.unit != "any":  # an amount of another kind (a percentage, money, a measure)
        anything = replace(unbounded, near=(), unit="any")
        for f in p.fields.values():
            found = match_number(f.text, anything, language)
            if found:
                q = found[0].quantity
                return (f"no {test.unit} in the text; found {q.text}, a {q.kind} (`unit: any` takes every amount)")
    return "no number in the text"


def _evidence(e: Evidence) -> str:
    if e.kind == "speaker":
        return f"'{e.matched}' speaks ({e.detail})" if e.detail else f"'{e.matched}' speaks"
    if e.kind == "number":
        return e.matched + (f" ({e.detail})" if e.detail else "")
    return f"'{e.matched}'"


def _mark(out: Outcome) -> str:
    return "yes" if out.holds else "no "
