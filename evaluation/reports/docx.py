"""A report as an editable Word document (python-docx), written from the very HTML the PDF is laid out from.

The report templates (templates/reports/) are the one description of a report: this writer walks their HTML
and writes its headings as Word headings (h1 → title, h2 → heading 1, h3 → heading 2), its paragraphs and
lists as paragraphs and bulleted or numbered items, its tables (and the definition lists of the key figures)
as Word tables, and its SVG charts as pictures (`chart_images.svg_to_png`). So the Word document holds the
same sections, figures and charts as the PDF of the same rendering — the collective's edition included, which
is built from the collective's scope before it reaches either writer. Nothing is fetched: `<img>` (the
cover's logo) is left out.
"""

import io
import re
from typing import Any

import lxml.html
from docx import Document
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Inches, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from .chart_images import svg_to_png
from .pdf import french_spacing

#: The widest a picture may be on an A4 page with Word's default margins.
MAX_WIDTH = Inches(6.3)
HEADINGS = {"h1": 0, "h2": 1, "h3": 2, "h4": 3, "h5": 4, "h6": 4}
BLOCKS = {
    "p",
    "ul",
    "ol",
    "li",
    "table",
    "dl",
    "div",
    "section",
    "nav",
    "svg",
    "article",
    "header",
    "footer",
    "blockquote",
    "figure",
    *HEADINGS,
}
SKIPPED = {"script", "style", "img", "head", "title", "meta", "link"}
#: HTML whitespace (not the no-break spaces of French typography, which stay).
_SPACES = re.compile(r"[ \t\n\r\f]+")


def _tag(element: Any) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1].lower()


def _text(element: Any) -> str:
    return _SPACES.sub(" ", element.text_content()).strip()


class _Writer:
    def __init__(self, document: WordDocument) -> None:
        self.document = document

    # --- blocks -----------------------------------------------------------------------------------------

    def children(self, element: Any, *, list_style: str | None = None) -> None:
        """Write an element's content: its blocks one by one, the inline runs between them as paragraphs."""
        pending: list[Any] = []  # inline content waiting for its paragraph
        if (element.text or "").strip():
            pending.append(element.text)
        for child in element:
            tag = _tag(child)
            if tag in SKIPPED or not tag:
                if (child.tail or "").strip():
                    pending.append(child.tail)
                continue
            if tag in BLOCKS:
                self.flush(pending)
                pending = []
                self.block(child, list_style=list_style)
                if (child.tail or "").strip():
                    pending.append(child.tail)
            else:
                pending.append(child)
        self.flush(pending)

    def flush(self, pending: list[Any], style: str | None = None) -> None:
        if not pending:
            return
        paragraph = self.document.add_paragraph(style=style)
        for piece in pending:
            if isinstance(piece, str):
                paragraph.add_run(_SPACES.sub(" ", piece))
            else:
                self.inline(paragraph, piece)
                if piece.tail:
                    paragraph.add_run(_SPACES.sub(" ", piece.tail))
        _trim(paragraph)

    def block(self, element: Any, *, list_style: str | None = None) -> None:
        tag = _tag(element)
        if tag in HEADINGS:
            text = _text(element)
            if text:
                self.document.add_heading(text, level=HEADINGS[tag])
        elif tag == "p":
            self.paragraph(element, style=list_style)
        elif tag in ("ul", "ol"):
            self.items(element, numbered=tag == "ol", nested=list_style is not None)
        elif tag == "li":
            self.item(element, style=list_style or "List Bullet")
        elif tag == "table":
            self.table(element)
        elif tag == "dl":
            self.definitions(element)
        elif tag == "svg":
            self.picture(element)
        else:
            self.children(element, list_style=list_style)

    def paragraph(self, element: Any, *, style: str | None = None) -> None:
        paragraph = self.document.add_paragraph(style=style)
        self.inline(paragraph, element)
        _trim(paragraph)
        if not paragraph.text.strip() and not paragraph.runs:
            _drop(paragraph)

    def items(self, element: Any, *, numbered: bool, nested: bool) -> None:
        style = ("List Number" if numbered else "List Bullet") + (" 2" if nested else "")
        for child in element:
            if _tag(child) == "li":
                self.item(child, style=style)

    def item(self, element: Any, *, style: str) -> None:
        """A list item: its first line carries the bullet; a nested list is indented one level more."""
        blocks = [child for child in element if _tag(child) in BLOCKS]
        if not blocks:
            self.paragraph(element, style=style)
            return
        first = True
        pending: list[Any] = [element.text] if (element.text or "").strip() else []
        for child in element:
            tag = _tag(child)
            if tag in ("ul", "ol"):
                if pending:
                    self.flush(pending, style=style if first else None)
                    pending, first = [], False
                self.items(child, numbered=tag == "ol", nested=True)
            elif tag in BLOCKS:
                if pending:
                    self.flush(pending, style=style if first else None)
                    pending, first = [], False
                self.block(child, list_style=style if first else None)
                first = False
            elif tag not in SKIPPED:
                pending.append(child)
            if (child.tail or "").strip():
                pending.append(child.tail)
        self.flush(pending, style=style if first else None)

    def table(self, element: Any) -> None:
        rows = list(element.iter("tr"))
        if not rows:
            return
        width = max(len([c for c in row if _tag(c) in ("td", "th")]) for row in rows)
        if width == 0:
            return
        table = self.document.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        for row in rows:
            cells = table.add_row().cells
            header = row.getparent() is not None and _tag(row.getparent()) == "thead"
            for index, cell in enumerate(c for c in row if _tag(c) in ("td", "th")):
                paragraph = cells[index].paragraphs[0]
                self.inline(
                    paragraph, cell, bold=header or (_tag(cell) == "th" and cell.get("scope") == "row")
                )
                _trim(paragraph)
        self.document.add_paragraph()

    def definitions(self, element: Any) -> None:
        """A definition list (key figures, an indicator's values) as a two-column table: term, value."""
        pairs: list[list[Any]] = []
        for child in element.iter("dt", "dd"):
            if _tag(child) == "dt":
                pairs.append([child, None])
            elif pairs and pairs[-1][1] is None:
                pairs[-1][1] = child
            else:
                pairs.append([None, child])
        if not pairs:
            return
        table: Table = self.document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for term, value in pairs:
            cells = table.add_row().cells
            if term is not None:
                self.inline(cells[0].paragraphs[0], term, bold=True)
                _trim(cells[0].paragraphs[0])
            if value is not None:
                self.inline(cells[1].paragraphs[0], value)
                _trim(cells[1].paragraphs[0])
        self.document.add_paragraph()

    def picture(self, element: Any) -> None:
        markup = lxml.html.tostring(element, encoding="unicode")
        png, width = svg_to_png(_as_svg(markup))
        self.document.add_picture(io.BytesIO(png), width=min(MAX_WIDTH, Inches(width / 96)))
        title = element.find(".//title")
        if title is not None and (title.text or "").strip():
            self.document.add_paragraph(_SPACES.sub(" ", title.text).strip(), style="Caption")

    # --- inline -----------------------------------------------------------------------------------------

    def inline(self, paragraph: Paragraph, element: Any, *, bold: bool = False, italic: bool = False) -> None:
        if element.text:
            self.run(paragraph, element.text, bold=bold, italic=italic)
        for child in element:
            tag = _tag(child)
            if tag == "br":
                paragraph.add_run().add_break()
            elif tag in ("strong", "b"):
                self.inline(paragraph, child, bold=True, italic=italic)
            elif tag in ("em", "i"):
                self.inline(paragraph, child, bold=bold, italic=True)
            elif tag == "svg":
                pass  # a chart inside a line of text does not happen in the reports
            elif tag and tag not in SKIPPED:
                if tag in ("ul", "ol", "p", "div"):  # a block inside a table cell: a line of its own
                    paragraph.add_run().add_break()
                self.inline(paragraph, child, bold=bold, italic=italic)
            if child.tail:
                self.run(paragraph, child.tail, bold=bold, italic=italic)

    def run(self, paragraph: Paragraph, text: str, *, bold: bool, italic: bool) -> None:
        text = _SPACES.sub(" ", text)
        if not text:
            return
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None


def _as_svg(markup: str) -> str:
    """lxml.html lower-cases attribute names (viewbox): give the SVG vocabulary its case back."""
    return (
        markup.replace(" viewbox=", " viewBox=").replace(
            "<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1
        )
        if "xmlns=" not in markup
        else markup.replace(" viewbox=", " viewBox=")
    )


def _trim(paragraph: Paragraph) -> None:
    runs = paragraph.runs
    if runs:
        runs[0].text = runs[0].text.lstrip(" ")
        runs[-1].text = runs[-1].text.rstrip(" ")


def _drop(paragraph: Paragraph) -> None:
    node = paragraph._element
    node.getparent().remove(node)


def html_to_docx(html: str, *, title: str = "") -> bytes:
    """The report's HTML as a .docx file (bytes)."""
    tree = lxml.html.document_fromstring(french_spacing(html))
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    page_title = tree.find(".//title")
    document.core_properties.title = title or (_text(page_title) if page_title is not None else "")
    document.core_properties.author = "Parcours"
    _Writer(document).children(tree.body)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
