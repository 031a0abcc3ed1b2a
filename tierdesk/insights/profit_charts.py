"""Server-drawn SVG charts of profitability (no JavaScript library), in the house style of
desk/charts.py: margin over time as lines, hours against fee as a scatter. Every text is
escaped; the results are safe to render."""

from __future__ import annotations

import math
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tierdesk.desk.charts import PALETTE, legend

UNDER = "#dc3545"


def _scale(lo: float, hi: float, span: float, offset: float, invert: bool = False):
    width = (hi - lo) or 1.0

    def at(value: float) -> float:
        share = (value - lo) / width
        return offset + span * ((1 - share) if invert else share)

    return at


def _nice_range(values: list[float], *, floor_zero: bool = False) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    if floor_zero:
        lo = min(lo, 0.0)
    if lo == hi:
        lo, hi = lo - 10, hi + 10
    pad = (hi - lo) * 0.08
    return lo - pad, hi + pad


def margin_lines(*, months: list[str], series: dict[str, list[Decimal | None]],
                 floor: Decimal | None = None, width: int = 720, height: int = 280,
                 title: str = "") -> SafeString:
    """Margin % per month: one line per series (a tier, or one client), gaps where a month
    has no revenue; the floor as a dashed red line when given."""
    left, right, bottom, top = 48, 28, 46, 18
    plot_w, plot_h = width - left - right, height - bottom - top
    values = [float(v) for vs in series.values() for v in vs if v is not None]
    if floor is not None:
        values.append(float(floor))
    lo, hi = _nice_range(values or [0.0, 100.0], floor_zero=True)
    y = _scale(lo, hi, plot_h, top, invert=True)
    step = plot_w / max(1, len(months) - 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="{escape(title)}" class="profit-chart">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for tick in _ticks(lo, hi):
        ty = y(tick)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}" '
                     f'stroke="{"#adb5bd" if tick == 0 else "#dee2e6"}"/>'
                     f'<text x="{left - 4}" y="{ty + 4:.1f}" font-size="10" '
                     f'text-anchor="end">{tick:g}%</text>')
    if floor is not None:
        fy = y(float(floor))
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{fy:.1f}" y2="{fy:.1f}" '
                     f'stroke="{UNDER}" stroke-dasharray="5 4"><title>Floor '
                     f'{escape(floor)}%</title></line>')
    for i, label in enumerate(months):
        parts.append(f'<text x="{left + i * step:.1f}" y="{height - bottom + 14}" '
                     f'font-size="10" text-anchor="middle">{escape(label)}</text>')
    for si, (name, points) in enumerate(series.items()):
        colour = PALETTE[si % len(PALETTE)]
        segment: list[str] = []
        segments = []
        for i, value in enumerate(points):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            px, py = left + i * step, y(float(value))
            segment.append(f"{px:.1f},{py:.1f}")
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}">'
                         f'<title>{escape(name)} {escape(months[i])}: {escape(value)}%</title>'
                         "</circle>")
        if segment:
            segments.append(segment)
        for points_text in segments:
            if len(points_text) > 1:
                parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                             f'points="{" ".join(points_text)}"/>')
    parts.extend(legend(series, left=left, bottom=height))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text above is escaped


def hours_fee_scatter(*, points: list[dict], width: int = 720, height: int = 320,
                      title: str = "") -> SafeString:
    """One dot per client: hours worked a month (x) against the monthly fee (y), coloured by
    tier, red-ringed when under its floor. Each point: label, hours, fee, tier, under."""
    left, right, bottom, top = 60, 28, 46, 14
    plot_w, plot_h = width - left - right, height - bottom - top
    xs = [float(p["hours"]) for p in points] or [0.0, 10.0]
    ys = [float(p["fee"]) for p in points] or [0.0, 100.0]
    x_lo, x_hi = _nice_range(xs, floor_zero=True)
    y_lo, y_hi = _nice_range(ys, floor_zero=True)
    x_at = _scale(x_lo, x_hi, plot_w, left)
    y_at = _scale(y_lo, y_hi, plot_h, top, invert=True)
    tiers = list(dict.fromkeys(p["tier"] for p in points))
    colours = {tier: PALETTE[i % len(PALETTE)] for i, tier in enumerate(tiers)}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="{escape(title)}" class="profit-chart">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for tick in _ticks(y_lo, y_hi):
        ty = y_at(tick)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}" '
                     f'stroke="#dee2e6"/><text x="{left - 4}" y="{ty + 4:.1f}" '
                     f'font-size="10" text-anchor="end">{tick:g}</text>')
    for tick in _ticks(x_lo, x_hi):
        tx = x_at(tick)
        parts.append(f'<text x="{tx:.1f}" y="{height - bottom + 14}" font-size="10" '
                     f'text-anchor="middle">{tick:g} h</text>')
    for p in points:
        colour = colours[p["tier"]]
        ring = f' stroke="{UNDER}" stroke-width="2"' if p["under"] else ""
        parts.append(f'<circle cx="{x_at(float(p["hours"])):.1f}" '
                     f'cy="{y_at(float(p["fee"])):.1f}" r="4" fill="{colour}" '
                     f'fill-opacity="0.7"{ring}><title>{escape(p["label"])} ({escape(p["tier"])}'
                     f'): {escape(p["hours"])} h a month, fee {escape(p["fee"])}</title></circle>')
    for i, tier in enumerate(tiers):
        x = left + i * 150
        parts.append(f'<rect x="{x}" y="{height - 16}" width="10" height="10" '
                     f'fill="{colours[tier]}"/><text x="{x + 14}" y="{height - 7}" '
                     f'font-size="11">{escape(tier)}</text>')
    parts.append(f'<text x="{width - right}" y="{height - 7}" font-size="11" '
                 f'text-anchor="end" fill="{UNDER}">ringed: under the floor</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text above is escaped


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 × a power of ten apart) between lo and hi."""
    raw = (hi - lo) / count
    if raw <= 0:
        return [lo]
    base = 10 ** math.floor(math.log10(raw))
    step = next(m * base for m in (1, 2, 2.5, 5, 10) if raw <= m * base)
    value = math.ceil(lo / step) * step
    ticks = []
    while value <= hi and len(ticks) < 12:
        ticks.append(round(value, 6) + 0.0)
        value += step
    return ticks
