"""Server-side SVG charts (no JavaScript library): grouped bars of percentages."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#20c997")


def grouped_bars(*, groups: list[str], series: dict[str, list[float | None]],
                 width: int = 720, height: int = 260, title: str = "") -> SafeString:
    """Bars of 0–100 % values: one group per label in `groups`, one bar per series name.
    None values leave a gap. Every text is escaped; the result is safe to render."""
    left, bottom, top = 40, 40, 24
    plot_h = height - bottom - top
    n_series = max(1, len(series))
    group_w = (width - left - 10) / max(1, len(groups))
    bar_w = max(2.0, group_w * 0.8 / n_series)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="{escape(title)}" class="sla-chart">']
    if title:
        parts.append(f'<title>{escape(title)}</title>')
    for pct in (0, 50, 100):
        y = top + plot_h * (1 - pct / 100)
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#dee2e6"/><text x="{left - 4}" y="{y + 4:.1f}" font-size="10" '
                     f'text-anchor="end">{pct}%</text>')
    for gi, label in enumerate(groups):
        x0 = left + gi * group_w + group_w * 0.1
        for si, (name, values) in enumerate(series.items()):
            value = values[gi] if gi < len(values) else None
            if value is None:
                continue
            h = plot_h * max(0.0, min(100.0, value)) / 100
            x = x0 + si * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[si % len(PALETTE)]}">'
                f'<title>{escape(name)} {escape(label)}: {value:.1f}%</title></rect>')
        parts.append(f'<text x="{x0 + group_w * 0.4:.1f}" y="{height - bottom + 14}" '
                     f'font-size="10" text-anchor="middle">{escape(label)}</text>')
    parts.extend(legend(series, left=left, bottom=height))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text above is escaped


def legend(names, *, left: float, bottom: float) -> list[str]:
    """A swatch and the name of each series, in a row along the chart's bottom edge (SVG
    parts, names escaped)."""
    parts = []
    for si, name in enumerate(names):
        x = left + si * 150
        parts.append(f'<rect x="{x}" y="{bottom - 16}" width="10" height="10" '
                     f'fill="{PALETTE[si % len(PALETTE)]}"/><text x="{x + 14}" '
                     f'y="{bottom - 7}" font-size="11">{escape(name)}</text>')
    return parts
