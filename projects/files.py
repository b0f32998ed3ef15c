"""Private files: size and type checked from the content (magic bytes), never from the name."""

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


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
_OOXML = {
    "word/": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xl/": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt/": (".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
# Text that a browser could take for markup is refused even though it is "plain text".
_MARKUP = re.compile(rb"^\s*<(\?xml|!doctype|html|svg|script|head|body|iframe)", re.IGNORECASE)

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
        if "[Content_Types].xml" in names:
            for prefix, (ext, ctype) in _OOXML.items():
                if any(name.startswith(prefix) for name in names):
                    return Sniffed(ctype, ext)
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


def _sniff_text(head: bytes) -> Sniffed | None:
    if b"\x00" in head or _MARKUP.match(head):
        return None
    for encoding in ("utf-8", "cp1252"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        if text and printable / len(text) > 0.97:
            first = text.splitlines()[0] if text.splitlines() else ""
            if first.count(";") >= 1 or first.count(",") >= 2:
                return Sniffed("text/csv", ".csv")
            return Sniffed("text/plain", ".txt")
    return None


def sniff(data: bytes) -> Sniffed | None:
    if data.startswith(b"%PDF-"):
        return Sniffed("application/pdf", ".pdf")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", ".png")
    if data.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", ".jpg")
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    return _sniff_text(data[:65536])


def check_upload(uploaded) -> tuple[Sniffed, str]:
    """Validate an uploaded file; returns its detected type and SHA-256. Raises a French ValidationError."""
    limit = settings.PARCOURS_MAX_UPLOAD_MB * 1024 * 1024
    if uploaded is None:
        raise ValidationError(_("Choisissez un fichier."), code="required")
    if uploaded.size > limit:
        raise ValidationError(
            _("Le fichier dépasse la taille autorisée (%(max)s Mo).")
            % {"max": settings.PARCOURS_MAX_UPLOAD_MB},
            code="too_large",
        )
    if uploaded.size == 0:
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
