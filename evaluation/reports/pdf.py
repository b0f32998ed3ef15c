"""HTML → PDF with WeasyPrint, with no network and no local file access.

Reports contain user-entered text (minutes, lessons, rationales). Django's templates escape it, and the
fetcher below is the second wall: WeasyPrint may load only the project's own static files (the print
stylesheet, the logo) and inline images we generate ourselves. `file://`, `http(s)://`, `ftp://` and any
other `data:` URL are refused — so `<img src="file:///etc/passwd">` or a tracking pixel can never be
read or fetched while rendering, whatever ends up in the HTML.
"""

import base64
import logging
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

logger = logging.getLogger(__name__)

#: The base URL given to WeasyPrint. It names no real host: a URL under it is resolved to a local
#: static file by `SafeURLFetcher`, never fetched over the network.
BASE_URL = "https://parcours.invalid/"

#: Inline images we produce (charts, logo as data URI) — nothing else may use `data:`.
ALLOWED_DATA_TYPES = {"image/svg+xml", "image/png"}
#: Static files that may be loaded (by extension), with the content type handed to WeasyPrint.
STATIC_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}
_DATA_RE = re.compile(
    r"^data:(?P<type>[\w.+-]+/[\w.+-]+)(?P<params>(;[^,;]*)*?)(?P<b64>;base64)?,(?P<data>.*)$", re.S
)


class RefusedURL(ValueError):
    """A URL the report renderer will not load."""


def _weasyprint() -> Any:
    # Imported lazily: WeasyPrint pulls in Pango; web processes that never render do not pay for it.
    import weasyprint

    # WeasyPrint logs every laid-out page at INFO: keep worker logs readable.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

    return weasyprint


def static_path_for(url: str) -> Path | None:
    """The local file behind `<BASE_URL>/static/<name>` or `/static/<name>`, or None."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if url.startswith(BASE_URL):
        pass
    elif parts.scheme or parts.netloc:
        return None
    static_url = urlsplit(settings.STATIC_URL).path
    if not path.startswith(static_url):
        return None
    name = posixpath.normpath(path[len(static_url) :])
    if name.startswith(("/", "..")) or "/../" in f"/{name}/" or name in ("", "."):
        return None
    if Path(name).suffix.lower() not in STATIC_TYPES:
        return None
    found = finders.find(name)
    if isinstance(found, list):
        found = found[0] if found else None
    if not found and settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / name).resolve()
        return candidate if candidate.is_file() and root in candidate.parents else None
    return Path(found) if found else None


@dataclass
class FetchLog:
    loaded: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def make_fetcher(log: FetchLog | None = None) -> Any:
    """A WeasyPrint URL fetcher that serves only our static files and our own inline images."""
    _weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # untyped: WeasyPrint ships no types

    fetch_log = log if log is not None else FetchLog()

    class SafeURLFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False)
            self.log = fetch_log

        def fetch(self, url: str, headers: Any = None) -> Any:
            try:
                return self._fetch(url)
            except RefusedURL:
                self.log.refused.append(url)
                logger.warning("Report rendering refused to load %s", url[:200])
                raise

        def _fetch(self, url: str) -> Any:
            if url.startswith("data:"):
                match = _DATA_RE.match(url)
                if not match or match["type"].lower() not in ALLOWED_DATA_TYPES:
                    raise RefusedURL(f"data URL refused: {url[:60]}")
                raw = match["data"]
                body = base64.b64decode(raw) if match["b64"] else unquote(raw).encode()
                self.log.loaded.append(url[:60])
                return URLFetcherResponse(url, body=body, headers={"Content-Type": match["type"].lower()})
            local = static_path_for(url)
            if local is None:
                raise RefusedURL(f"URL refused: {url[:200]}")
            self.log.loaded.append(url)
            content_type = STATIC_TYPES[local.suffix.lower()]
            return URLFetcherResponse(url, body=local.read_bytes(), headers={"Content-Type": content_type})

    return SafeURLFetcher()


@dataclass
class RenderedPDF:
    content: bytes
    pages: int
    fetch_log: FetchLog


_TEXT_RE = re.compile(r">([^<]+)<")
_BEFORE_RE = re.compile(r"[ \u00a0]([:;!?»])")
_AFTER_RE = re.compile(r"«[ \u00a0]")
_APOSTROPHE_RE = re.compile(r"(?<=\w)'(?=\w)")


def french_spacing(html: str) -> str:
    """French typography in text nodes: a narrow no-break space before « : ; ! ? » » and after « « »
    (so a colon or a closing guillemet never starts a line), and the typographic apostrophe (’).
    Tags and attributes are left untouched."""

    def fix(match: re.Match[str]) -> str:
        text = _APOSTROPHE_RE.sub("’", match.group(1).replace("&#x27;", "'"))
        text = _BEFORE_RE.sub("\u202f\\1", text)
        return ">" + _AFTER_RE.sub("«\u202f", text) + "<"

    return _TEXT_RE.sub(fix, html)


#: Where a long document may be cut to be laid out in parts: templates put it before each block that
#: starts a page (a section, a project's page), never inside one.
CHUNK_MARK = "<!--pdf:chunk-->"
#: A document of more blocks than this is laid out this many blocks at a time: WeasyPrint keeps the layout
#: of every page until the PDF is written (≈ 2 MB a page), so a 400-page report laid out whole needed
#: ≈ 800 MB; in parts, memory stays that of one part whatever the length.
CHUNK_BLOCKS = 24

_BODY_RE = re.compile(r"<body[^>]*>", re.I)
_END_RE = re.compile(r"</body>\s*</html>\s*$", re.I)
_H2_RE = re.compile(r"<h2[^>]*>(.*?)</h2>", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]+>")


def html_to_pdf(
    html: str, *, on_layout: Callable[[int], object] | None = None, chunk_blocks: int | None = None
) -> RenderedPDF:
    """Lay out `html` and write the PDF. `on_layout(pages)` is called between layout and writing.

    A document with more than `chunk_blocks` blocks (cut by `CHUNK_MARK`) is laid out in parts and
    merged (`_chunked`); a shorter one, whole."""
    chunk_blocks = chunk_blocks or CHUNK_BLOCKS
    html = french_spacing(html)
    parts = html.split(CHUNK_MARK)
    if len(parts) - 1 <= chunk_blocks or not _BODY_RE.search(parts[0]) or not _END_RE.search(parts[-1]):
        return _whole(html.replace(CHUNK_MARK, ""), on_layout=on_layout)
    return _chunked(parts, chunk_blocks=chunk_blocks, on_layout=on_layout)


def _whole(html: str, *, on_layout: Callable[[int], object] | None) -> RenderedPDF:
    weasyprint = _weasyprint()
    log = FetchLog()
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=make_fetcher(log)).render()
    pages = len(document.pages)
    if on_layout:
        on_layout(pages)
    # Tagged PDF: headings, lists and tables are exposed to screen readers (accessibility).
    content = document.write_pdf(pdf_tags=True)
    return RenderedPDF(content=content, pages=pages, fetch_log=log)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _with_style(head: str, css: str) -> str:
    """`head` (the document up to its <body> tag) with `css` after its own stylesheets."""
    return head.replace("</head>", f"<style>{css}</style></head>", 1)


def _chunked(
    parts: list[str], *, chunk_blocks: int, on_layout: Callable[[int], object] | None
) -> RenderedPDF:
    """A long document laid out `chunk_blocks` blocks at a time, each part written to PDF and its layout
    dropped before the next; then merged with pypdf.

    What a part cannot know is settled around it: the page numbers and their total are drawn by a last,
    near-empty layout (one page per page of the report, the footer only) laid over the pages; the table
    of contents (in the first part: cover and contents) is laid out last, with the page of each entry read
    from where the parts put its anchor; each part starts with the running chapter title where the part
    before left it. Every page looks as when laid out whole; the merged file is not a tagged PDF (pypdf does
    not merge structure trees)."""
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Link
    from pypdf.generic import NameObject, TextStringObject

    weasyprint = _weasyprint()
    log = FetchLog()
    fetcher = make_fetcher(log)
    body_tag = _BODY_RE.search(parts[0])
    assert body_tag is not None
    head, prologue = parts[0][: body_tag.end()], parts[0][body_tag.end() :]
    end = _END_RE.search(parts[-1])
    assert end is not None
    blocks = [*parts[1:-1], parts[-1][: end.start()]]
    no_footer = "@page { @bottom-right { content: none; } }"

    def layout(html: str) -> Any:
        return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()

    def prologue_html(numbers: dict[str, int] | None) -> str:
        if numbers is None:  # as wide as a real page number, to count the contents' pages
            toc = '.toc a::after { content: leader(".") " 000"; }'
        else:
            toc = " ".join(
                f'.toc a[href="#{name}"]::after {{ content: leader(".") " {page}"; }}'
                for name, page in numbers.items()
            )
        return _with_style(head, no_footer + toc) + prologue + "</body></html>"

    first = layout(prologue_html(None))
    offset = len(first.pages)
    del first
    contents: list[bytes] = []
    anchors: dict[str, int] = {}
    chapter = ""
    for start in range(0, len(blocks), chunk_blocks):
        chunk = "".join(blocks[start : start + chunk_blocks])
        css = no_footer
        # The running title of the chapter this part continues, unless the part opens a chapter itself
        # (the page header shows the first title set on the page).
        if chapter and not _H2_RE.search(blocks[start]):
            css += (
                f" body {{ string-set: doctitle attr(data-running-title), chapter {_css_string(chapter)}; }}"
            )
        document = layout(_with_style(head, css) + chunk + "</body></html>")
        for number, page in enumerate(document.pages, start=offset + 1):
            for name in page.anchors:
                anchors.setdefault(name, number)
        offset += len(document.pages)
        contents.append(document.write_pdf())
        del document
        titles = _H2_RE.findall(chunk)
        if titles:
            chapter = unescape(_TAG_RE.sub("", titles[-1])).strip()
    total = offset
    if on_layout:
        on_layout(total)
    toc_names = re.findall(r'<a href="#([^"]+)"', prologue)
    cover = layout(prologue_html({name: anchors[name] for name in toc_names if name in anchors}))
    # The contents' links point into other parts: taken out of this layout (WeasyPrint would drop them),
    # put back on the merged file below.
    links: list[tuple[int, str, tuple[float, float, float, float]]] = []
    for index, page in enumerate(cover.pages):
        links += [(index, target, rect) for kind, target, rect, _box in page.links if kind == "internal"]
        page.links = [link for link in page.links if link[0] != "internal"]
    contents.insert(0, cover.write_pdf())
    del cover
    # The footer of every page: « Page n / total », where the stylesheet puts it; none on the cover.
    footer_css = (
        "@page { @top-left { content: none; } @top-right { content: none; } @bottom-left { content: none; } }"
        " .pdf-page { break-before: page; }"
    )
    numbers = layout(
        _with_style(head, footer_css)
        + '<div style="page: cover"></div>'
        + '<div class="pdf-page"></div>' * (total - 1)
        + "</body></html>"
    ).write_pdf()
    writer = PdfWriter()
    for content in contents:
        writer.append(PdfReader(io.BytesIO(content)))
    for page, footer in zip(writer.pages, PdfReader(io.BytesIO(numbers)).pages, strict=False):
        page.merge_page(footer)
    for index, target, (x1, y1, x2, y2) in links:
        if target in anchors:
            height = float(writer.pages[index].mediabox.height)
            # CSS pixels from the top left → PDF points from the bottom left.
            rect = (x1 * 0.75, height - y2 * 0.75, x2 * 0.75, height - y1 * 0.75)
            writer.add_annotation(index, Link(rect=rect, target_page_index=anchors[target] - 1))
    writer._root_object[NameObject("/Lang")] = TextStringObject("fr")
    out = io.BytesIO()
    writer.write(out)
    return RenderedPDF(content=out.getvalue(), pages=len(writer.pages), fetch_log=log)
