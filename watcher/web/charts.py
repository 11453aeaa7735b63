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
