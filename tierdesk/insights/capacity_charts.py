"""Server-drawn SVG charts of a scenario run (no JavaScript library), in the style of
desk/charts.py: grouped bars of 0–100 % with the 95% confidence interval as a whisker."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tierdesk.desk.charts import PALETTE
from tierdesk.insights.scenarios import TARGET_LABELS


def whisker_bars(*, groups: list[str], series: dict[str, list[dict | None]], title: str,
                 reference: float | None = None, reference_label: str = "",
                 height: int = 280) -> SafeString:
    """One group per label, one bar per series; each value an estimate {"mean", "low",
    "high"} of a share (0–1; None: no bar). `reference` draws a dashed line (e.g. the
    utilisation ceiling). Every text is escaped; the result is safe to render."""
    left, bottom, top, right = 40, 40, 24, 10
    n_series = max(1, len(series))
    width = max(720, left + right + len(groups) * (n_series * 18 + 24))
    # The legend wraps onto as many rows as it needs under the plot.
    legend, x, row = [], left, 0
    for name in series:
        item = 24 + 7 * len(name)
        if x > left and x + item > width - right:
            x, row = left, row + 1
        legend.append((name, x, row))
        x += item
    height += 18 * row
    bottom += 18 * (row + 1)
    plot_h = height - bottom - top
    group_w = (width - left - right) / max(1, len(groups))
    bar_w = max(4.0, group_w * 0.8 / n_series)

    def y(share: float) -> float:
        return top + plot_h * (1 - max(0.0, min(1.0, share)))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="{escape(title)}" class="capacity-chart">',
             f"<title>{escape(title)}</title>"]
    for pct in (0, 25, 50, 75, 100):
        yy = y(pct / 100)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" '
                     f'stroke="#dee2e6"/><text x="{left - 4}" y="{yy + 4:.1f}" font-size="10" '
                     f'text-anchor="end">{pct}%</text>')
    for gi, label in enumerate(groups):
        x0 = left + gi * group_w + group_w * 0.1
        for si, (name, values) in enumerate(series.items()):
            est = values[gi] if gi < len(values) else None
            if not est or est.get("mean") is None:
                continue
            x = x0 + si * bar_w
            mean = est["mean"]
            parts.append(
                f'<rect x="{x:.1f}" y="{y(mean):.1f}" width="{bar_w - 1:.1f}" '
                f'height="{top + plot_h - y(mean):.1f}" fill="{PALETTE[si % len(PALETTE)]}">'
                f'<title>{escape(name)} · {escape(label)}: {mean * 100:.1f}%'
                + (f" ({est['low'] * 100:.1f}–{est['high'] * 100:.1f}%)"
                   if est.get("low") is not None else "") + "</title></rect>")
            if est.get("low") is not None and est.get("high") is not None:
                cx = x + (bar_w - 1) / 2
                lo, hi = y(est["low"]), y(est["high"])
                parts.append(
                    f'<path d="M{cx:.1f},{lo:.1f}V{hi:.1f}M{cx - 3:.1f},{lo:.1f}h6'
                    f'M{cx - 3:.1f},{hi:.1f}h6" stroke="#212529" stroke-width="1.2" '
                    f'fill="none" class="whisker"/>')
        parts.append(f'<text x="{x0 + group_w * 0.4:.1f}" y="{height - bottom + 14}" '
                     f'font-size="10" text-anchor="middle">{escape(label)}</text>')
    if reference is not None:
        yy = y(reference)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" '
                     f'stroke="#dc3545" stroke-dasharray="6 4" class="reference"/>'
                     f'<text x="{width - right}" y="{yy - 4:.1f}" font-size="10" '
                     f'text-anchor="end" fill="#dc3545">{escape(reference_label)}</text>')
    for si, (name, x, row) in enumerate(legend):
        y0 = height - bottom + 24 + 18 * row
        parts.append(f'<rect x="{x}" y="{y0}" width="10" height="10" '
                     f'fill="{PALETTE[si % len(PALETTE)]}"/><text x="{x + 14}" '
                     f'y="{y0 + 9}" font-size="11">{escape(name)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text above is escaped


def attainment_chart(results: dict) -> SafeString:
    """Attainment per tier and target, one bar per scenario, with its 95% interval."""
    groups: list[tuple[str, str]] = []
    for scenario in results["scenarios"]:
        for a in scenario["attainment"]:
            if (a["tier"], a["target"]) not in groups:
                groups.append((a["tier"], a["target"]))
    series = {}
    for scenario in results["scenarios"]:
        found = {(a["tier"], a["target"]): a for a in scenario["attainment"]}
        series[scenario["label"]] = [found.get(g) for g in groups]
    return whisker_bars(groups=[f"{t} · {TARGET_LABELS[k]}" for t, k in groups],
                        series=series, title="Predicted SLA attainment per tier and target")


def utilisation_chart(results: dict) -> SafeString:
    """Each technician's utilisation per scenario, with the ceiling of the margin."""
    names: list[tuple[str, str]] = []
    for scenario in results["scenarios"]:
        for t in scenario["technicians"]:
            if (t["name"], t["label"]) not in names:
                names.append((t["name"], t["label"]))
    series = {}
    for scenario in results["scenarios"]:
        found = {t["name"]: t["utilisation"] for t in scenario["technicians"]}
        series[scenario["label"]] = [found.get(n) for n, _ in names]
    ceiling = results["ceiling"]
    return whisker_bars(groups=[label for _, label in names], series=series,
                        title="Utilisation per technician", reference=ceiling,
                        reference_label=f"ceiling {ceiling * 100:.0f}%")
