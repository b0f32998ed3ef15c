"""The fil rouge as a server-rendered SVG graph: one column per link of the chain (need → idea → prototype →
indicator → result → lesson), a box per piece, a line per link, the gaps dashed and said in words.

A pure function of the selector's `FilRouge`, like `evaluation.charts`: no script, no `style` attribute (the
CSP forbids them), `role="img"` with a <title> and a <desc>; the page puts the same chain as a list next to it
(screen readers, phones).
"""

import textwrap

from django.utils.html import escape
from django.utils.translation import gettext as _

from evaluation.charts import INK, MUTED, PALETTE

from .selectors import COLUMNS, FilRouge, Node, column_titles

COLUMN_WIDTH = 176
COLUMN_GAP = 36
NODE_HEIGHT = 52
NODE_GAP = 14
TOP = 34
#: One fill per column (light, AA contrast with the ink), the border says the kind as well as the title.
FILLS = {
    "need": "#e8f0fb",
    "idea": "#f3e8f0",
    "prototype": "#eef1dc",
    "indicator": "#e6eef3",
    "result": "#f5f7fa",
    "lesson": "#fdf3dd",
}
GAP_COLOUR = "#a3245e"
CHARS = 26  # about what a line of a box holds at 11 px


def _lines(text: str, limit: int = 2) -> list[str]:
    lines = textwrap.wrap(text, CHARS) or [""]
    if len(lines) > limit:
        lines = lines[:limit]
        lines[-1] = lines[-1][: CHARS - 1].rstrip() + "…"
    return lines


def _box(node: Node, x: float, y: float) -> str:
    gap = bool(node.gap)
    parts = [
        f'<g class="filrouge__node filrouge__node--{node.column}">',
        f"<title>{escape(node.label)}{' — ' + escape(node.gap) if gap else ''}</title>",
        f'<rect x="{x}" y="{y}" width="{COLUMN_WIDTH}" height="{NODE_HEIGHT}" rx="6" fill="{FILLS[node.column]}" '
        f'stroke="{GAP_COLOUR if gap else MUTED}" stroke-width="{2 if gap else 1}"'
        f"{' stroke-dasharray=' + chr(34) + '5 3' + chr(34) if gap else ''}/>",
    ]
    lines = _lines(node.label, 1 if gap else 2)
    for index, line in enumerate(lines):
        parts.append(
            f'<text x="{x + 8}" y="{y + 19 + index * 15}" font-size="12" fill="{INK}">{escape(line)}</text>'
        )
    if gap:
        parts.append(
            f'<text x="{x + 8}" y="{y + 40}" font-size="10" font-weight="600" fill="{GAP_COLOUR}">'
            f"⚠ {escape(node.gap)}</text>"
        )
    parts.append("</g>")
    return "".join(parts)


def fil_rouge_svg(chain: FilRouge) -> str:
    columns = [c for c in COLUMNS if c != "lesson" or chain.with_lessons]
    titles = column_titles()
    tallest = max((len(chain.columns.get(c, [])) for c in columns), default=0)
    width = len(columns) * COLUMN_WIDTH + (len(columns) - 1) * COLUMN_GAP
    height = TOP + max(1, tallest) * (NODE_HEIGHT + NODE_GAP) + 4
    place: dict[str, tuple[float, float]] = {}
    for index, column in enumerate(columns):
        for row, node in enumerate(chain.columns.get(column, [])):
            place[node.key] = (index * (COLUMN_WIDTH + COLUMN_GAP), TOP + row * (NODE_HEIGHT + NODE_GAP))
    counts = {c: len(chain.columns.get(c, [])) for c in columns}
    desc = _("Fil rouge du projet %(project)s : %(counts)s. %(gaps)s") % {
        "project": chain.project.title,
        "counts": ", ".join(f"{titles[c].lower()} {counts[c]}" for c in columns),
        "gaps": _("Manques signalés : %(n)s.") % {"n": len(chain.gaps)} if chain.gaps else _("Aucun manque."),
    }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="filrouge__graph" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="filrouge-t filrouge-d" '
        f"font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif\">"
        f'<title id="filrouge-t">{escape(_("Fil rouge : du besoin à l’enseignement"))}</title>'
        f'<desc id="filrouge-d">{escape(desc)}</desc>'
    ]
    for index, column in enumerate(columns):
        left = index * (COLUMN_WIDTH + COLUMN_GAP)
        parts.append(
            f'<text x="{left}" y="18" font-size="13" font-weight="600" fill="{INK}">'
            f"{escape(titles[column])} ({counts[column]})</text>"
        )
    for parent, child in chain.edges:
        if parent not in place or child not in place:
            continue
        (x1, y1), (x2, y2) = place[parent], place[child]
        parts.append(
            f'<line x1="{x1 + COLUMN_WIDTH}" y1="{y1 + NODE_HEIGHT / 2}" x2="{x2}" y2="{y2 + NODE_HEIGHT / 2}" '
            f'stroke="{PALETTE[0]}" stroke-width="1.5"/>'
        )
    for column in columns:
        for node in chain.columns.get(column, []):
            parts.append(_box(node, *place[node.key]))
    parts.append("</svg>")
    return "".join(parts)
