"""Small SVG charts rendered on the server (no JavaScript): bars over days, and bars per name.

Only markup and presentation attributes, no `style=`: the console's CSP forbids inline styles."""

from __future__ import annotations

from typing import Sequence

from markupsafe import Markup, escape


def _nice(top: int) -> int:
    """The smallest 1/2/5 x 10^n at or above `top` (at least 1): the chart's upper bound."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= top:
                return m * step
        step *= 10


def day_bars(series: Sequence[tuple[str, int]], label: str, width: int = 600, height: int = 140) -> Markup:
    """One bar per day (oldest left), with the scale's top, the first and last day, and a tooltip per bar."""
    left, bottom, top_pad = 36, 18, 8
    plot_w, plot_h = width - left - 4, height - bottom - top_pad
    top = _nice(max((n for _, n in series), default=0))
    slot = plot_w / max(len(series), 1)
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>',
             f'<line class="axis" x1="{left}" y1="{top_pad + plot_h}" x2="{width - 4}" y2="{top_pad + plot_h}"/>',
             f'<text class="tick" x="{left - 4}" y="{top_pad + 8}" text-anchor="end">{top}</text>',
             f'<text class="tick" x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end">0</text>']
    for i, (day, n) in enumerate(series):
        h = plot_h * n / top
        x = left + i * slot + 1
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{top_pad + plot_h - h:.1f}" width="{max(slot - 2, 1):.1f}" '
                     f'height="{h:.1f}"><title>{escape(day)}: {n}</title></rect>')
    if series:
        parts.append(f'<text class="tick" x="{left}" y="{height - 4}">{escape(series[0][0])}</text>')
        parts.append(f'<text class="tick" x="{width - 4}" y="{height - 4}" text-anchor="end">{escape(series[-1][0])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def name_bars(items: Sequence[tuple[str, int]], label: str, width: int = 600, row: int = 20) -> Markup:
    """One horizontal bar per name, largest first, with its count."""
    items = sorted(items, key=lambda kv: (-kv[1], kv[0]))
    name_w, count_w = 200, 50
    height = max(len(items), 1) * row + 4
    top = max((n for _, n in items), default=0) or 1
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>']
    for i, (name, n) in enumerate(items):
        y = i * row + 2
        w = (width - name_w - count_w) * n / top
        parts.append(f'<text class="label" x="{name_w - 6}" y="{y + row - 6}" text-anchor="end">{escape(name[:30])}</text>')
        parts.append(f'<rect class="bar" x="{name_w}" y="{y + 2}" width="{w:.1f}" height="{row - 4}">'
                     f'<title>{escape(name)}: {n}</title></rect>')
        parts.append(f'<text class="tick" x="{name_w + w + 4:.1f}" y="{y + row - 6}">{n}</text>')
    if not items:
        parts.append(f'<text class="tick" x="4" y="{row - 6}">nothing yet</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


GOOD = {"ok", "not_modified", "unchanged"}


def poll_strip(polls: Sequence[dict], label: str, width: int = 600, height: int = 60) -> Markup:
    """A source's polls, oldest left: a bar each, as tall as the answer was large (a 304 or a failure: a stub),
    its class the outcome (ok, failed, skipped)."""
    slot = width / max(len(polls), 1)
    biggest = max((p.get("size") or 0 for p in polls), default=0) or 1
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>']
    for i, p in enumerate(polls):
        status = p.get("status") or "?"
        kind = "ok" if status in GOOD else "skipped" if status in ("paused", "disabled") else "failed"
        h = max(4.0, (height - 4) * (p.get("size") or 0) / biggest) if kind == "ok" else height - 4
        http = f" HTTP {p['http_status']}" if p.get("http_status") else ""
        size = f", {p['size']:,} bytes" if p.get("size") else ""
        size += f", answered in {p['response_ms']:,} ms" if p.get("response_ms") is not None else ""
        parts.append(f'<rect class="poll {kind}" x="{i * slot + 1:.1f}" y="{height - 2 - h:.1f}" '
                     f'width="{max(slot - 2, 1):.1f}" height="{h:.1f}"><title>{escape(p.get("at") or "")}: '
                     f'{escape(status)}{http}{size}</title></rect>')
    if not polls:
        parts.append(f'<text class="tick" x="4" y="{height / 2:.0f}">no polls recorded yet</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def timeline(points: Sequence[tuple[str, str, str]], label: str, width: int = 600, row: int = 22) -> Markup:
    """A story's articles by time, one row per outlet: (outlet, ISO time, title) each, a dot at its time."""
    from datetime import datetime

    outlets = list(dict.fromkeys(o for o, _, _ in points))
    times = [datetime.fromisoformat(t).timestamp() for _, t, _ in points]
    first, last = (min(times), max(times)) if times else (0.0, 0.0)
    span = (last - first) or 1.0
    name_w = 170
    height = max(len(outlets), 1) * row + 22
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>']
    for i, outlet in enumerate(outlets):
        y = i * row + row / 2 + 2
        parts.append(f'<text class="label" x="{name_w - 8}" y="{y + 4:.0f}" text-anchor="end">{escape(outlet[:26])}</text>')
        parts.append(f'<line class="axis" x1="{name_w}" y1="{y:.0f}" x2="{width - 8}" y2="{y:.0f}"/>')
    for (outlet, when, title), ts in zip(points, times):
        x = name_w + (width - name_w - 16) * (ts - first) / span + 4
        y = outlets.index(outlet) * row + row / 2 + 2
        parts.append(f'<circle class="dot" cx="{x:.1f}" cy="{y:.0f}" r="5"><title>{escape(when)}: '
                     f'{escape(title)}</title></circle>')
    if points:
        parts.append(f'<text class="tick" x="{name_w}" y="{height - 4}">{escape(points[0][1][:16])}</text>')
        parts.append(f'<text class="tick" x="{width - 8}" y="{height - 4}" text-anchor="end">'
                     f'{escape(max(t for _, t, _ in points)[:16])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
