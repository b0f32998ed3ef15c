"""The SVG charts of `evaluation.charts` as PNG pictures, for the Word export.

Nothing installed rasterises SVG (WeasyPrint writes PDF only, Pillow reads no SVG), and the charts are our own
markup with a small, fixed vocabulary: `<svg>`, `<g>`, `<rect>`, `<line>` (solid or dashed), `<text>` with
`<tspan>` lines, `<title>` and `<desc>`; colours, sizes and anchors as presentation attributes (no CSS, no
transform, no path). This module draws exactly that vocabulary with Pillow, at twice the SVG's size, so the
Word document shows the very chart the PDF shows — the same marks at the same places from the same markup,
not a second drawing of the data. An element outside the vocabulary is skipped (and logged): the chart
module's tests keep the two in step (`tests/reports/test_written_reports.py`).
"""

import io
import logging
import xml.etree.ElementTree as ET  # noqa: S405 — our own markup (evaluation.charts), never a user's file
from functools import lru_cache
from typing import Any

from PIL import Image, ImageColor, ImageDraw, ImageFont

logger = logging.getLogger(__name__)

#: Pixels of the picture per SVG unit: a sharp picture at the size Word shows it.
SCALE = 2
SVG = "{http://www.w3.org/2000/svg}"
#: What a <text> inherits when nobody says (SVG defaults).
DEFAULTS = {"fill": "#000000", "font-size": "16", "font-weight": "normal", "text-anchor": "start"}
INHERITED = ("fill", "font-size", "font-weight", "text-anchor", "stroke", "stroke-width")
ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}
DRAWN = {"svg", "g", "rect", "line", "text", "tspan", "title", "desc"}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=32)
def _font(size: float, bold: bool) -> Font:
    pixels = max(1, round(size * SCALE))
    for name in (
        ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf")
        if bold
        else ("DejaVuSans.ttf", "LiberationSans-Regular.ttf")
    ):
        try:
            return ImageFont.truetype(name, pixels)
        except OSError:
            continue
    return ImageFont.load_default(size=pixels)


def _float(value: str | None, default: float = 0.0) -> float:
    try:
        return float(str(value).strip().removesuffix("px")) if value not in (None, "") else default
    except ValueError:
        return default


def _colour(value: str | None) -> tuple[int, ...] | None:
    if not value or value == "none":
        return None
    try:
        return ImageColor.getrgb(value)
    except ValueError:
        return None


def _size(root: Any) -> tuple[float, float]:
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        return _float(box[2], 1), _float(box[3], 1)
    return _float(root.get("width"), 560), _float(root.get("height"), 200)


def _tag(element: Any) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.removeprefix(SVG)


class _Painter:
    def __init__(self, draw: ImageDraw.ImageDraw) -> None:
        self.draw = draw

    def element(self, element: Any, style: dict[str, str]) -> None:
        tag = _tag(element)
        if tag not in DRAWN:
            if tag:
                logger.warning("Chart picture: <%s> is not drawn", tag)
            return
        if tag in ("title", "desc"):
            return
        style = {**style, **{k: element.get(k) for k in INHERITED if element.get(k) is not None}}
        if tag in ("svg", "g"):
            for child in element:
                self.element(child, style)
        elif tag == "rect":
            self.rect(element, style)
        elif tag == "line":
            self.line(element, style)
        elif tag == "text":
            self.text(element, style)

    def rect(self, element: Any, style: dict[str, str]) -> None:
        x, y = _float(element.get("x")), _float(element.get("y"))
        width, height = _float(element.get("width")), _float(element.get("height"))
        fill = _colour(style.get("fill"))
        if width <= 0 or height <= 0 or fill is None:
            return
        box = (x * SCALE, y * SCALE, (x + width) * SCALE - 1, (y + height) * SCALE - 1)
        radius = min(_float(element.get("rx")) * SCALE, width * SCALE / 2, height * SCALE / 2)
        if radius >= 1 and box[2] - box[0] > 2 * radius:
            self.draw.rounded_rectangle(box, radius=radius, fill=fill)
        else:
            self.draw.rectangle(box, fill=fill)

    def line(self, element: Any, style: dict[str, str]) -> None:
        colour = _colour(style.get("stroke"))
        if colour is None:
            return
        x1, y1 = _float(element.get("x1")) * SCALE, _float(element.get("y1")) * SCALE
        x2, y2 = _float(element.get("x2")) * SCALE, _float(element.get("y2")) * SCALE
        width = max(1, round(_float(style.get("stroke-width"), 1) * SCALE))
        dashes = [
            _float(d) * SCALE for d in (element.get("stroke-dasharray") or "").replace(",", " ").split()
        ]
        dashes = [d for d in dashes if d > 0]
        if not dashes:
            self.draw.line((x1, y1, x2, y2), fill=colour, width=width)
            return
        length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 or 1
        position, index, on = 0.0, 0, True
        while position < length:
            step = min(dashes[index % len(dashes)], length - position)
            if on:
                a, b = position / length, (position + step) / length
                self.draw.line(
                    (x1 + (x2 - x1) * a, y1 + (y2 - y1) * a, x1 + (x2 - x1) * b, y1 + (y2 - y1) * b),
                    fill=colour,
                    width=width,
                )
            position, index, on = position + step, index + 1, not on

    def text(self, element: Any, style: dict[str, str]) -> None:
        x, y = _float(element.get("x")), _float(element.get("y"))
        own = (element.text or "").strip()
        if own:
            self.write(own, x, y, style)
        for child in element:
            tag = _tag(child)
            if tag == "tspan":
                tspan_style = {**style, **{k: child.get(k) for k in INHERITED if child.get(k) is not None}}
                x = _float(child.get("x"), x)
                y = _float(child.get("y"), y) + _float(child.get("dy"))
                if (child.text or "").strip():
                    self.write(child.text.strip(), x, y, tspan_style)
            if (child.tail or "").strip():  # the text after a <title> child is the label itself
                self.write(child.tail.strip(), x, y, style)

    def write(self, text: str, x: float, y: float, style: dict[str, str]) -> None:
        fill = _colour(style.get("fill")) or (0, 0, 0)
        bold = str(style.get("font-weight", "normal")) in ("bold", "600", "700", "800", "900")
        font = _font(_float(style.get("font-size"), 16), bold)
        anchor = ANCHORS.get(str(style.get("text-anchor")), "ls")
        try:
            self.draw.text((x * SCALE, y * SCALE), text, fill=fill, font=font, anchor=anchor)
        except ValueError:  # the bitmap fallback font knows no anchors
            self.draw.text(
                (x * SCALE, (y - _float(style.get("font-size"), 16)) * SCALE), text, fill=fill, font=font
            )


def svg_to_png(svg: str) -> tuple[bytes, float]:
    """The chart as a PNG picture, with its width in SVG units (CSS pixels: 96 a inch)."""
    root = ET.fromstring(svg)  # noqa: S314 — our own markup (evaluation.charts), never a user's file
    width, height = _size(root)
    picture = Image.new("RGB", (max(1, round(width * SCALE)), max(1, round(height * SCALE))), "white")
    _Painter(ImageDraw.Draw(picture)).element(root, dict(DEFAULTS))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue(), width
