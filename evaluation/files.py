"""Evidence files: type checked from the content (never the name), size capped, stored privately."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# content type → (extension, description)
ALLOWED = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.text": "odt",
    "text/csv": "csv",
}


def sniff(file: UploadedFile) -> str | None:
    """The content type read from the first bytes (and, for zip containers, their inner layout)."""
    file.seek(0)
    head = file.read(2048)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
                mimetype = archive.read("mimetype").decode() if "mimetype" in names else ""
        except (zipfile.BadZipFile, KeyError, UnicodeDecodeError):
            return None
        finally:
            file.seek(0)
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if mimetype in ALLOWED:
            return mimetype
        return None
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            # A multi-byte character cut at the 2 KiB boundary is still text.
            try:
                head[:-3].decode("utf-8")
            except UnicodeDecodeError:
                return None
        return "text/csv"
    return None


def validate_evidence(file: UploadedFile) -> str:
    """Refuse files that are too large or of a type we do not keep; return the detected type."""
    limit = settings.PARCOURS_MAX_UPLOAD_MB * 1024 * 1024
    if file.size > limit:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale de %(mb)s Mo.")
            % {"mb": settings.PARCOURS_MAX_UPLOAD_MB},
            code="too_large",
        )
    content_type = sniff(file)
    if content_type is None:
        raise ValidationError(
            _(
                "Type de fichier non accepté : joignez un PDF, une image (PNG, JPEG), un tableur, un texte ou un CSV."
            ),
            code="bad_type",
        )
    return content_type
