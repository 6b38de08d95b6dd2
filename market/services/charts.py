"""Accessible SVG charts drawn on the server in pure Python: no JavaScript, no CDN, readable when printed.

Every chart carries a <title> and <desc> (announced by screen readers through aria-labelledby), writes its
values as text next to the marks, and is meant to be shown with a data table of the same rows beside it.
"""
from __future__ import annotations

import math
import re
from typing import Iterable, Sequence

from markupsafe import Markup, escape

PALETTE = ("#1b6b4a", "#c77d0a", "#2f5f9e", "#9c3d54", "#5b7f2a", "#6b4fa0")
TARGET_FILL = "#f3d98b"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


def _id(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]+", "-", text).strip("-") or "chart"


def _num(value: float) -> str:
    """Format a number for a label: thousands with dots (Vietnamese style), one decimal for small fractions."""
    if value is None:
        return "—"
    if abs(value - round(value)) < 1e-9:
        return f"{int(round(value)):,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def short_number(value: float) -> str:
    """Abbreviate big amounts for axis ticks (1,2 tỷ = 1.2e9 shown as 1,2B; labels stay language neutral)."""
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return _num(round(value / size, 1)) + suffix
    return _num(value)


def nice_max(value: float) -> float:
    """Round an axis maximum up to 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    exp = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * 10 ** exp
        if top >= value:
            return float(top)
    return float(10 ** (exp + 1))


def _truncate(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _frame(chart_id: str, title: str, desc: str, width: int, height: int, body: list[str]) -> Markup:
    cid = _id(chart_id)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="chart-{cid}" role="img" '
            f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
            f'aria-labelledby="chart-{cid}-title chart-{cid}-desc" font-family="{FONT}" font-size="12">'
            f'<title id="chart-{cid}-title">{escape(title)}</title>'
            f'<desc id="chart-{cid}-desc">{escape(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")


def empty_chart(chart_id: str, title: str, message: str, width: int = 640, height: int = 80) -> Markup:
    """A placeholder chart that says there is nothing to draw yet."""
    body = [f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#f7f9f8" stroke="#d5ddd8"/>',
            f'<text x="{width / 2}" y="{height / 2 + 4}" text-anchor="middle" fill="#4f5b55">{escape(message)}</text>']
    return _frame(chart_id, title, message, width, height, body)


def bar_chart(chart_id: str, rows: Sequence[tuple[str, float]], *, title: str, desc: str, unit: str = "",
              width: int = 680, bar_height: int = 22, label_width: int = 250) -> Markup:
    """Draw horizontal bars, one per (label, value) row, with the value written at the end of each bar."""
    if not rows:
        return empty_chart(chart_id, title, desc, width)
    biggest = max(float(v or 0) for _l, v in rows)
    top, ticks = nice_max(biggest), 4
    if all(float(v or 0).is_integer() for _l, v in rows):  # counts: whole-number ticks only
        if biggest <= 4:
            top, ticks = max(1.0, biggest), int(max(1.0, biggest))
        elif not float(top / 4).is_integer():
            top = float(math.ceil(top / 4) * 4)
    plot = width - label_width - 70
    gap = 8
    height = 24 + len(rows) * (bar_height + gap) + 20
    body = []
    for tick in range(0, ticks + 1):
        x = label_width + plot * tick / ticks
        body.append(f'<line x1="{x:.1f}" y1="16" x2="{x:.1f}" y2="{height - 20}" stroke="#e3e8e5"/>')
        body.append(f'<text x="{x:.1f}" y="12" text-anchor="middle" fill="#4f5b55" font-size="10">'
                    f'{escape(short_number(top * tick / ticks))}</text>')
    for i, (label, value) in enumerate(rows):
        y = 24 + i * (bar_height + gap)
        w = 0 if not value else max(1.0, plot * float(value) / top)
        colour = PALETTE[0]
        body.append(f'<text x="{label_width - 8}" y="{y + bar_height * 0.68:.1f}" text-anchor="end" fill="#1f2a24">'
                    f'{escape(_truncate(str(label), 38))}</text>')
        body.append(f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{colour}" rx="2">'
                    f'<title>{escape(label)}: {escape(_num(value))}{escape(unit)}</title></rect>')
        body.append(f'<text x="{label_width + w + 6:.1f}" y="{y + bar_height * 0.68:.1f}" fill="#1f2a24">'
                    f'{escape(_num(value))}{escape(unit)}</text>')
    return _frame(chart_id, title, desc, width, height, body)


def target_chart(chart_id: str, rows: Sequence[tuple[str, float | None, tuple[float, float] | None]], *,
                 title: str, desc: str, width: int = 680, bar_height: int = 22, label_width: int = 250,
                 no_data: str = "no data", target_label: str = "target") -> Markup:
    """Draw percentage bars (0-100 %) over a shaded target band per row; a band of zero width is a line."""
    if not rows:
        return empty_chart(chart_id, title, desc, width)
    plot = width - label_width - 70
    gap = 10
    has_band = any(band is not None for _l, _v, band in rows)
    height = 24 + len(rows) * (bar_height + gap) + (44 if has_band else 20)
    body = []
    for tick in range(0, 101, 20):
        x = label_width + plot * tick / 100
        body.append(f'<line x1="{x:.1f}" y1="16" x2="{x:.1f}" y2="{height - 20}" stroke="#e3e8e5"/>')
        body.append(f'<text x="{x:.1f}" y="12" text-anchor="middle" fill="#4f5b55" font-size="10">{tick} %</text>')
    for i, (label, value, band) in enumerate(rows):
        y = 24 + i * (bar_height + gap)
        body.append(f'<text x="{label_width - 8}" y="{y + bar_height * 0.68:.1f}" text-anchor="end" fill="#1f2a24">'
                    f'{escape(_truncate(str(label), 38))}</text>')
        outline = ""
        if band is not None:
            lo, hi = band
            x0 = label_width + plot * lo / 100
            bw = max(4.0, plot * (hi - lo) / 100)  # "about 20 %" is a single value: draw it as a thick mark
            if hi == lo:
                x0 -= 2
            span = f"{_num(lo)} %" if hi == lo else f"{_num(lo)}–{_num(hi)} %"
            geometry = f'x="{x0:.1f}" y="{y - 3}" width="{bw:.1f}" height="{bar_height + 6}"'
            body.append(f'<rect class="target" {geometry} fill="{TARGET_FILL}">'
                        f'<title>{escape(target_label)}: {escape(span)}</title></rect>')
            # The outline goes over the bar, so the target stays visible where the bar crosses it.
            outline = f'<rect {geometry} fill="none" stroke="#8a5d00" stroke-width="1.5" stroke-dasharray="3 2"/>'
        if value is None:
            body.append(f'<text x="{label_width + 6}" y="{y + bar_height * 0.68:.1f}" fill="#4f5b55" '
                        f'font-style="italic">{escape(no_data)}</text>')
            body.append(outline)
            continue
        w = max(1.0, plot * min(float(value), 100.0) / 100) if value else 0
        body.append(f'<rect x="{label_width}" y="{y + 4}" width="{w:.1f}" height="{bar_height - 8}" '
                    f'fill="{PALETTE[0]}" rx="2"><title>{escape(label)}: {escape(_num(value))} %</title></rect>')
        body.append(outline)
        body.append(f'<text x="{label_width + w + 6:.1f}" y="{y + bar_height * 0.68:.1f}" fill="#1f2a24" '
                    f'font-weight="600">{escape(_num(value))} %</text>')
    if has_band:
        ly = height - 16
        body.append(f'<rect x="{label_width}" y="{ly - 10}" width="22" height="12" fill="{TARGET_FILL}" '
                    f'stroke="#b07d00" stroke-dasharray="3 2"/>')
        body.append(f'<text x="{label_width + 28}" y="{ly}" fill="#1f2a24">{escape(target_label)}</text>')
    return _frame(chart_id, title, desc, width, height, body)


def line_chart(chart_id: str, x_labels: Sequence[str], series: Iterable[tuple[str, Sequence[float]]], *,
               title: str, desc: str, width: int = 680, height: int = 260) -> Markup:
    """Draw one line per (name, values) series over shared x labels (months), with a legend and point labels."""
    series = [(name, [float(v or 0) for v in values]) for name, values in series]
    if not x_labels or not series:
        return empty_chart(chart_id, title, desc, width)
    left, right, top_pad = 56, 40, 18
    plot_h = max(120, height - 80)
    height = top_pad + plot_h + 44 + 16 * len(series)
    plot_w = width - left - right
    top = nice_max(max(max(vals) for _n, vals in series))
    n = len(x_labels)
    step = plot_w / max(1, n - 1)

    def px(i: int) -> float:
        return left + (i * step if n > 1 else plot_w / 2)

    def py(v: float) -> float:
        return top_pad + plot_h - plot_h * v / top

    body = []
    for tick in range(0, 5):
        v = top * tick / 4
        y = py(v)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e8e5"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#4f5b55" font-size="10">'
                    f'{escape(short_number(v))}</text>')
    every = max(1, math.ceil(n / 12))
    for i, lab in enumerate(x_labels):
        if i % every == 0 or i == n - 1:
            body.append(f'<text x="{px(i):.1f}" y="{top_pad + plot_h + 16:.1f}" text-anchor="middle" '
                        f'fill="#4f5b55" font-size="10">{escape(lab)}</text>')
    for s, (name, vals) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        dash = "" if s == 0 else f' stroke-dasharray="{2 + 2 * s} 3"'  # shape as well as colour tells lines apart
        points = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(vals))
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        for i, v in enumerate(vals):
            body.append(f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="3.5" fill="{colour}">'
                        f'<title>{escape(name)} · {escape(x_labels[i])}: {escape(_num(v))}</title></circle>')
        if vals:
            body.append(f'<text x="{px(n - 1):.1f}" y="{py(vals[-1]) - 8:.1f}" text-anchor="end" fill="{colour}" '
                        f'font-size="11" font-weight="600">{escape(short_number(vals[-1]))}</text>')
        ly = top_pad + plot_h + 36 + 16 * s
        body.append(f'<line x1="{left}" y1="{ly - 4}" x2="{left + 24}" y2="{ly - 4}" stroke="{colour}" '
                    f'stroke-width="3"{dash}/>')
        body.append(f'<text x="{left + 30}" y="{ly}" fill="#1f2a24">{escape(name)}</text>')
    return _frame(chart_id, title, desc, width, height, body)
