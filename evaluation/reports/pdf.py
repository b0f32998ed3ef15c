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


def html_to_pdf(html: str, *, on_layout: Callable[[int], object] | None = None) -> RenderedPDF:
    """Lay out `html` and write the PDF. `on_layout(pages)` is called between layout and writing."""
    weasyprint = _weasyprint()
    html = french_spacing(html)
    log = FetchLog()
    fetcher = make_fetcher(log)
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    pages = len(document.pages)
    if on_layout:
        on_layout(pages)
    # Tagged PDF: headings, lists and tables are exposed to screen readers (accessibility).
    content = document.write_pdf(pdf_tags=True)
    return RenderedPDF(content=content, pages=pages, fetch_log=log)
