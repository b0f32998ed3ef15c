"""Private files: the one upload check (size and type read from the content, never from the name) and the
one response that serves a stored file (attachment, `nosniff`, sandboxed, never cached)."""

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _


class Upload(Protocol):
    """What the check needs of an uploaded file (Django's `UploadedFile` and `File` both fit)."""

    @property
    def size(self) -> int | None: ...

    def seek(self, offset: int, /) -> object: ...

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


_ODF = {
    b"application/vnd.oasis.opendocument.text": (".odt", "application/vnd.oasis.opendocument.text"),
    b"application/vnd.oasis.opendocument.spreadsheet": (
        ".ods",
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    b"application/vnd.oasis.opendocument.presentation": (
        ".odp",
        "application/vnd.oasis.opendocument.presentation",
    ),
}
_DOCX = (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
_XLSX = (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_PPTX = (".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation")
_OOXML = {"word/": _DOCX, "xl/": _XLSX, "ppt/": _PPTX}
# The main part of an Office file: enough on its own, even when [Content_Types].xml is missing.
_OOXML_MAIN_PARTS = {"word/document.xml": _DOCX, "xl/workbook.xml": _XLSX, "ppt/presentation.xml": _PPTX}
# Text that a browser could take for markup is refused even though it is "plain text".
_MARKUP = re.compile(rb"^\s*<(\?xml|!doctype|html|svg|script|head|body|iframe)", re.IGNORECASE)
_TEXT_HEAD = 65536

ACCEPTED_LABEL = "PDF, PNG, JPEG, Word/Excel/PowerPoint, OpenDocument, texte ou CSV"


def _sniff_zip(data: bytes) -> Sniffed | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        if "mimetype" in names:
            mimetype = archive.read("mimetype").strip()
            if mimetype in _ODF:
                ext, ctype = _ODF[mimetype]
                return Sniffed(ctype, ext)
        for part, (ext, ctype) in _OOXML_MAIN_PARTS.items():
            if part in names:
                return Sniffed(ctype, ext)
        if "[Content_Types].xml" in names:
            for prefix, (ext, ctype) in _OOXML.items():
                if any(name.startswith(prefix) for name in names):
                    return Sniffed(ctype, ext)
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


def _decode(head: bytes, *, truncated: bool) -> str | None:
    for encoding in ("utf-8", "cp1252"):
        try:
            return head.decode(encoding)
        except UnicodeDecodeError:
            if encoding == "utf-8" and truncated:
                # A multi-byte character cut at the end of the sample is still text.
                try:
                    return head[:-3].decode("utf-8")
                except UnicodeDecodeError:
                    pass
    return None


def _sniff_text(head: bytes, *, truncated: bool = False) -> Sniffed | None:
    if b"\x00" in head or _MARKUP.match(head):
        return None
    text = _decode(head, truncated=truncated)
    if not text:
        return None
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    if printable / len(text) <= 0.97:
        return None
    lines = text.splitlines()
    first = lines[0] if lines else ""
    if first.count(";") >= 1 or first.count(",") >= 2:
        return Sniffed("text/csv", ".csv")
    return Sniffed("text/plain", ".txt")


def sniff(data: bytes) -> Sniffed | None:
    """The type of a file read from its bytes, or None when it is not one we keep."""
    if data.startswith(b"%PDF-"):
        return Sniffed("application/pdf", ".pdf")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", ".png")
    if data.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", ".jpg")
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    return _sniff_text(data[:_TEXT_HEAD], truncated=len(data) > _TEXT_HEAD)


def check_upload(uploaded: Upload | None) -> tuple[Sniffed, str]:
    """Validate an uploaded file; returns its detected type and SHA-256. Raises a French ValidationError."""
    limit = settings.PARCOURS_MAX_UPLOAD_MB * 1024 * 1024
    if uploaded is None:
        raise ValidationError(_("Choisissez un fichier."), code="required")
    size = uploaded.size or 0
    if size > limit:
        raise ValidationError(
            _("Le fichier dépasse la taille autorisée (%(max)s Mo).")
            % {"max": settings.PARCOURS_MAX_UPLOAD_MB},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    sniffed = sniff(data)
    if sniffed is None:
        raise ValidationError(
            _("Type de fichier non accepté (d'après son contenu). Formats acceptés : %(formats)s.")
            % {"formats": ACCEPTED_LABEL},
            code="bad_type",
        )
    return sniffed, hashlib.sha256(data).hexdigest()


def private_file_response(file: FieldFile, *, filename: str, content_type: str | None = None) -> FileResponse:
    """Serve a stored private file as a download. The caller has already checked access; a missing file
    is a 404. The browser may neither guess another type, nor run it, nor cache it."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
