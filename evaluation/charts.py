"""Server-rendered SVG charts, shared by the dashboard and the PDF reports.

Pure functions: plain data in (labels and numbers), an SVG string out. No JavaScript, no inline
`style=""` (the CSP forbids it): colours and sizes are SVG presentation attributes. Every chart is
accessible: `role="img"`, a <title> and a <desc>, and each value written as text next to its mark —
pages put the same figures in a data table next to the chart.
"""

import hashlib
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape

from programme.formatting import fr_number

#: One colour per phase, the same as the badges (static/css/parcours.css).
PHASE_COLOURS = {
    "selection": "#5b4b8a",
    "emergence": "#0b6e8a",
    "experimentation": "#a04d00",
    "deployment": "#2f6b2f",
    "stopped": "#7a1f1f",
    "completed": "#3e4c59",
}
#: Series colours with AA contrast on white, distinguishable without relying on hue alone (order + labels).
#: None of them is a phase colour: a bar in a phase's colour means that phase, nothing else.
PALETTE = ["#1f4fa8", "#a3245e", "#5f6b00", "#1f2933"]
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#d9e2ec"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"


@dataclass
class Bar:
    label: str
    value: float | int | Decimal | None
    colour: str | None = None
    text: str | None = None  # the value as written next to the bar (defaults to the French number)


@dataclass
class Series:
    name: str
    values: Sequence[float | int | Decimal | None]
    colour: str | None = None
    texts: Sequence[str] | None = None
    extra: dict = field(default_factory=dict)


def _id(*parts: str) -> str:
    return "c" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:10]  # noqa: S324 — an id, not a secret


def _num(value) -> float:
    return float(value) if value is not None else 0.0


def _open(width: int, height: int, title: str, desc: str) -> tuple[str, str]:
    cid = _id(title, desc, str(width), str(height))
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{cid}-t {cid}-d" '
        f'font-family="{FONT}" font-size="13" fill="{INK}">'
        f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>'
    )
    return head, cid


def _empty(width: int, title: str, desc: str, message: str) -> str:
    head, _ = _open(width, 60, title, desc)
    return f'{head}<text x="8" y="34" fill="{MUTED}">{escape(message)}</text></svg>'


def bar_chart(
    *,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    width: int = 560,
    label_width: int = 240,
    bar_height: int = 22,
    gap: int = 8,
    empty: str = "Aucune donnée",
) -> str:
    """Horizontal bars, one per label, the value written at the end of each bar."""
    if not bars:
        return _empty(width, title, desc, empty)
    top = 8
    height = top + len(bars) * (bar_height + gap) + 4
    head, _ = _open(width, height, title, desc)
    value_room = 90
    scale_width = width - label_width - value_room
    largest = max((_num(b.value) for b in bars), default=0) or 1
    parts = [head]
    for index, bar in enumerate(bars):
        y = top + index * (bar_height + gap)
        length = max(0.0, _num(bar.value) / largest * scale_width)
        colour = bar.colour or PALETTE[0]
        text = bar.text if bar.text is not None else fr_number(bar.value)
        parts.append(
            f'<g><text x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">'
            f"{_label(bar.label, 30)}</text>"
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{colour}" rx="3">'
            f"<title>{escape(bar.label)} : {escape(text)}</title></rect>"
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar_height * 0.7:.1f}" font-weight="600">'
            f"{escape(text)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def grouped_bar_chart(
    *,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    width: int = 560,
    label_width: int = 240,
    bar_height: int = 14,
    max_value: float | None = None,
    empty: str = "Aucune donnée",
) -> str:
    """Horizontal bars grouped per category (e.g. maturity per dimension: start of phase vs end)."""
    if not categories or not series:
        return _empty(width, title, desc, empty)
    group_height = len(series) * (bar_height + 2) + 10
    legend_height = 24
    height = legend_height + len(categories) * group_height + 8
    head, _ = _open(width, height, title, desc)
    parts = [head, _legend(series, x=label_width, y=14)]
    value_room = 60
    scale_width = width - label_width - value_room
    values = [_num(v) for s in series for v in s.values]
    largest = max_value or max(values, default=0) or 1
    for c_index, category in enumerate(categories):
        y0 = legend_height + c_index * group_height
        parts.append(
            f'<text x="{label_width - 8}" y="{y0 + group_height / 2:.1f}" text-anchor="end">'
            f"{_label(category, 30)}</text>"
        )
        for s_index, serie in enumerate(series):
            value = serie.values[c_index] if c_index < len(serie.values) else None
            y = y0 + s_index * (bar_height + 2)
            colour = serie.colour or PALETTE[s_index % len(PALETTE)]
            text = serie.texts[c_index] if serie.texts else fr_number(value)
            length = max(0.0, _num(value) / largest * scale_width)
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{colour}" rx="2">'
                f"<title>{escape(category)} — {escape(serie.name)} : {escape(text)}</title></rect>"
                f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height - 3}" font-size="11">'
                f"{escape(text)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def column_chart(
    *,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    width: int = 560,
    height: int = 240,
    empty: str = "Aucune donnée",
) -> str:
    """Vertical columns over time (one group per period, one column per series), values on top."""
    if not labels or not series:
        return _empty(width, title, desc, empty)
    head, _ = _open(width, height, title, desc)
    left, right, top, bottom = 36, 8, 30, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    largest = max((_num(v) for s in series for v in s.values), default=0) or 1
    group_w = plot_w / len(labels)
    col_w = max(4.0, min(28.0, (group_w - 8) / len(series)))
    parts = [head, _legend(series, x=left, y=14)]
    baseline_y = top + plot_h
    parts.append(
        f'<line x1="{left}" y1="{baseline_y}" x2="{width - right}" y2="{baseline_y}" stroke="{GRID}" stroke-width="1"/>'
    )
    for l_index, label in enumerate(labels):
        gx = left + l_index * group_w + (group_w - col_w * len(series)) / 2
        for s_index, serie in enumerate(series):
            value = serie.values[l_index] if l_index < len(serie.values) else None
            h = _num(value) / largest * (plot_h - 14)
            x = gx + s_index * col_w
            colour = serie.colour or PALETTE[s_index % len(PALETTE)]
            text = serie.texts[l_index] if serie.texts else fr_number(value)
            parts.append(
                f'<rect x="{x:.1f}" y="{baseline_y - h:.1f}" width="{col_w - 2:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(label)} — {escape(serie.name)} : {escape(text)}</title></rect>"
                f'<text x="{x + (col_w - 2) / 2:.1f}" y="{baseline_y - h - 3:.1f}" font-size="10" '
                f'text-anchor="middle">{escape(text)}</text>'
            )
        parts.append(
            f'<text x="{left + l_index * group_w + group_w / 2:.1f}" y="{baseline_y + 16}" font-size="11" '
            f'text-anchor="middle" fill="{MUTED}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def progress_chart(
    *,
    title: str,
    desc: str,
    rows: Sequence[dict],
    width: int = 560,
    label_width: int = 240,
    row_height: int = 30,
    labels: dict | None = None,
    empty: str = "Aucune donnée",
) -> str:
    """One line per indicator: a bar for the measured value, a tick for the baseline and one for the
    target, each on its own scale (0 → the largest of the three). rows: {label, value, baseline, target,
    text} where text is the written summary ("412 / cible 500")."""
    if not rows:
        return _empty(width, title, desc, empty)
    words = {"value": "valeur", "baseline": "référence", "target": "cible", **(labels or {})}
    height = 26 + len(rows) * row_height
    head, _ = _open(width, height, title, desc)
    # Room for the written values ("1 089 000 € / cible 600 000 €" must not be cut): about 6,5 px a character.
    longest = max(len(str(row.get("text", ""))) for row in rows)
    value_room = min(width // 2 - 40, max(150, int(longest * 6.5) + 12))
    scale_width = width - label_width - value_room
    parts = [
        head,
        f'<g font-size="11" fill="{MUTED}"><rect x="{label_width}" y="6" width="10" height="10" fill="{PALETTE[0]}"/>'
        f'<text x="{label_width + 14}" y="15">{escape(words["value"])}</text>'
        f'<line x1="{label_width + 70}" y1="4" x2="{label_width + 70}" y2="18" stroke="{MUTED}" stroke-width="2" '
        f'stroke-dasharray="2 2"/><text x="{label_width + 75}" y="15">{escape(words["baseline"])}</text>'
        f'<line x1="{label_width + 150}" y1="4" x2="{label_width + 150}" y2="18" stroke="{PALETTE[1]}" '
        f'stroke-width="3"/><text x="{label_width + 155}" y="15">{escape(words["target"])}</text></g>',
    ]
    for index, row in enumerate(rows):
        y = 26 + index * row_height
        largest = max(_num(row.get("value")), _num(row.get("baseline")), _num(row.get("target"))) or 1
        x_of = lambda v, largest=largest: label_width + max(0.0, _num(v)) / largest * scale_width  # noqa: E731
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{_label(row["label"], 30)}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{scale_width}" height="14" fill="#eef2f6"/>'
        )
        if row.get("value") is not None:
            parts.append(
                f'<rect x="{label_width}" y="{y + 4}" width="{x_of(row["value"]) - label_width:.1f}" height="14" '
                f'fill="{PALETTE[0]}"><title>{escape(row["label"])} : {escape(row.get("text", ""))}</title></rect>'
            )
        if row.get("baseline") is not None:
            bx = x_of(row["baseline"])
            parts.append(
                f'<line x1="{bx:.1f}" y1="{y}" x2="{bx:.1f}" y2="{y + 22}" stroke="{MUTED}" stroke-width="2" '
                f'stroke-dasharray="2 2"/>'
            )
        if row.get("target") is not None:
            tx = x_of(row["target"])
            parts.append(
                f'<line x1="{tx:.1f}" y1="{y}" x2="{tx:.1f}" y2="{y + 22}" stroke="{PALETTE[1]}" stroke-width="3"/>'
            )
        parts.append(
            _wrapped(
                str(row.get("text", "")), x=label_width + scale_width + 8, y=y + 15, room=value_room - 10
            )
        )
    parts.append("</svg>")
    return "".join(parts)


def _legend(series: Sequence[Series], *, x: int, y: int) -> str:
    parts = ['<g font-size="11">']
    offset = x
    for index, serie in enumerate(series):
        colour = serie.colour or PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="{offset}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{offset + 14}" y="{y}">{escape(serie.name)}</text>'
        )
        offset += 24 + 7 * len(serie.name)
    parts.append("</g>")
    return "".join(parts)


def _label(text: str, limit: int) -> str:
    """A label's SVG text: shortened with "…" when longer than `limit`, the full text then in a <title>."""
    text = str(text)
    short = _shorten(text, limit)
    return escape(short) if short == text else f"<title>{escape(text)}</title>{escape(short)}"


def _wrapped(text: str, *, x: float, y: float, room: int, font_size: int = 11) -> str:
    """A written value that never runs off the chart: on two lines when it does not fit in `room` pixels (about
    0.6 em a character), shortened with "…" beyond two, and then the full text in a <title>."""
    chars = max(8, int(room / (font_size * 0.6)))
    lines = textwrap.wrap(text, chars) or [""]
    if len(lines) == 1:
        return f'<text x="{x}" y="{y}" font-size="{font_size}">{escape(text)}</text>'
    second = lines[1] if len(lines) == 2 else _shorten(" ".join(lines[1:]), chars)
    full = f"<title>{escape(text)}</title>" if len(lines) > 2 else ""
    return (
        f'<text x="{x}" y="{y - font_size / 2:.1f}" font-size="{font_size}">{full}'
        f'<tspan x="{x}">{escape(lines[0])}</tspan><tspan x="{x}" dy="{font_size + 1}">{escape(second)}</tspan></text>'
    )


def _shorten(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
