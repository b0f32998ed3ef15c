"""Private files: the one upload check (size and type read from the content, never from the name) and the
one response that serves a stored file (attachment, `nosniff`, sandboxed, never cached)."""

import csv
import hashlib
import io
import re
import struct
import zipfile
from collections.abc import Collection, Iterable
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
# An Office file is its package manifest plus the main part of its type: both are required.
_OOXML_MAIN_PARTS = {"word/document.xml": _DOCX, "xl/workbook.xml": _XLSX, "ppt/presentation.xml": _PPTX}
_OOXML_MANIFEST = "[Content_Types].xml"
# Members that run code when opened (programs, scripts, macros, ActiveX): a package holding one is refused.
_EXECUTABLE_SUFFIXES = frozenset(
    [
        ".exe",
        ".dll",
        ".com",
        ".scr",
        ".msi",
        ".bat",
        ".cmd",
        ".sh",
        ".bash",
        ".ps1",
        ".psm1",
        ".vbs",
        ".vbe",
        ".js",
        ".jse",
        ".mjs",
        ".wsf",
        ".wsh",
        ".hta",
        ".jar",
        ".class",
        ".lnk",
        ".cpl",
        ".app",
        ".elf",
        ".so",
        ".dylib",
        ".py",
        ".pl",
        ".php",
        ".rb",
    ]
)
_MACRO_PARTS = re.compile(r"(^|/)(vbaProject\.bin|vbaData\.xml|activeX/|Basic/|Scripts/)", re.IGNORECASE)
# Text that a browser or a shell could run is refused even though it is "plain text": markup anywhere in
# the sample (behind a BOM, a comment or a first harmless line), a shebang, a PHP or batch header.
_MARKUP = re.compile(
    rb"<\s*(?:[!?]|/?(?:html|head|body|script|svg|iframe|frame|frameset|object|embed|applet|meta|link|"
    rb"style|img|image|video|audio|form|input|math|base|template|xml|xsl|a)(?=[\s/>]))",
    re.IGNORECASE,
)
_SCRIPT_HEADER = re.compile(rb"^\s*(?:#!|<\?php|@echo\s+off)", re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf",)
_TEXT_HEAD = 65536


@dataclass(frozen=True)
class ZipLimits:
    """What a zip-based file may hold, checked from its central directory before anything is inflated."""

    entries: int = 2000
    #: Sum of the members' declared sizes once inflated.
    total: int = 256 * 1024 * 1024
    #: One member's declared size once inflated.
    member: int = 128 * 1024 * 1024
    #: Inflated / stored size, for members above `ratio_floor` (small parts may compress as they like).
    ratio: int = 100
    ratio_floor: int = 1024 * 1024


UPLOAD_ZIP_LIMITS = ZipLimits()
#: The central directory itself is read (and parsed) whole: bounded before it is.
_MAX_CENTRAL_DIRECTORY = 2 * 1024 * 1024
_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = b"PK\x06\x07"

DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        _DOCX[1],
        _XLSX[1],
        _PPTX[1],
        *(ctype for _ext, ctype in _ODF.values()),
        "text/plain",
        "text/csv",
    }
)
ACCEPTED_LABEL = "PDF, PNG, JPEG, Word/Excel/PowerPoint, OpenDocument, texte ou CSV"


def _bad_zip(*, malformed: bool = False) -> ValidationError:
    if malformed:
        return ValidationError(_("Cette archive est mal formée : elle est refusée."), code="bad_zip")
    return ValidationError(
        _("Cette archive est trop volumineuse une fois décompressée : elle est refusée."), code="zip_bomb"
    )


def _central_directory_is_bounded(data: bytes, limits: ZipLimits) -> bool:
    """Read the end-of-central-directory record by hand, so that an archive announcing millions of
    members (or a ZIP64 directory) is refused before `zipfile` reads and parses its directory."""
    tail = data[-(_EOCD.size + 65535) :]
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        return False
    _sig, disk, cd_disk, here, total, cd_size, cd_offset, _comment = _EOCD.unpack_from(tail, at)
    if tail[max(0, at - 20) : at].startswith(_ZIP64_LOCATOR) or 0xFFFF in (here, total):
        return False  # ZIP64: never needed for the files we keep
    if disk or cd_disk or here != total:
        return False  # multi-volume
    return bool(
        total <= limits.entries and cd_size <= _MAX_CENTRAL_DIRECTORY and cd_offset + cd_size <= len(data)
    )


def open_zip(data: bytes, limits: ZipLimits = UPLOAD_ZIP_LIMITS) -> zipfile.ZipFile:
    """The archive, once its directory says it is safe to open: bounded member count, declared sizes
    and compression ratios, no path escaping the archive. Raises a French ValidationError. Members must
    still be read with a cap (`read_member`): a directory may lie about the sizes."""
    if b"PK\x05\x06" not in data[-(_EOCD.size + 65535) :]:
        raise _bad_zip(malformed=True)
    if not _central_directory_is_bounded(data, limits):
        raise _bad_zip()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _bad_zip(malformed=True)
    infos = archive.infolist()
    total = 0
    for info in infos:
        total += info.file_size
        name = info.filename
        if (
            len(infos) > limits.entries
            or total > limits.total
            or info.file_size > limits.member
            or (
                info.file_size > limits.ratio_floor
                and info.file_size > limits.ratio * max(info.compress_size, 1)
            )
        ):
            archive.close()
            raise _bad_zip()
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
            archive.close()
            raise _bad_zip(malformed=True)
    return archive


def read_member(archive: zipfile.ZipFile, name: str, *, limit: int) -> bytes | None:
    """At most `limit` bytes of a member, inflated; None when it is longer (or missing, or corrupt)."""
    try:
        with archive.open(name) as member:
            data = member.read(limit + 1)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return None
    return data if len(data) <= limit else None


def runs_code(names: Iterable[str]) -> bool:
    """Whether a package holds a program, a script or macros."""
    for name in names:
        if _MACRO_PARTS.search(name):
            return True
        leaf = name.rsplit("/", 1)[-1].lower()
        if "." in leaf and leaf[leaf.rindex(".") :] in _EXECUTABLE_SUFFIXES:
            return True
    return False


def _sniff_zip(data: bytes) -> Sniffed | None:
    try:
        archive = open_zip(data)
    except ValidationError:
        return None
    with archive:
        names = set(archive.namelist())
        if runs_code(names):
            return None
        if "mimetype" in names and "content.xml" in names:
            mimetype = (read_member(archive, "mimetype", limit=100) or b"").strip()
            if mimetype in _ODF:
                ext, ctype = _ODF[mimetype]
                return Sniffed(ctype, ext)
            return None
        if _OOXML_MANIFEST in names:
            found = [kind for part, kind in _OOXML_MAIN_PARTS.items() if part in names]
            if len(found) == 1:
                ext, ctype = found[0]
                return Sniffed(ctype, ext)
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


def is_active_text(head: bytes) -> bool:
    """Whether a text sample holds markup a browser would render or a script header, anywhere in it."""
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
    return bool(_SCRIPT_HEADER.match(head) or _MARKUP.search(head))


def _parses_as_csv(text: str, delimiter: str, *, truncated: bool) -> bool:
    """A CSV sample: every complete line parses, and the lines have the header's number of fields
    (give or take an empty trailing one)."""
    lines = text.splitlines()
    if truncated and len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut
    try:
        rows = [row for row in csv.reader(lines, delimiter=delimiter, strict=True) if row]
    except csv.Error:
        return False
    if not rows or len(rows[0]) < 2:
        return False
    width = len(rows[0])
    return all(abs(len(row) - width) <= 1 for row in rows)


def _sniff_text(head: bytes, *, truncated: bool = False) -> Sniffed | None:
    if b"\x00" in head or is_active_text(head):
        return None
    text = _decode(head, truncated=truncated)
    if not text:
        return None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return None
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    if printable / len(text) <= 0.97:
        return None
    lines = text.splitlines()
    first = lines[0] if lines else ""
    for delimiter, enough in ((";", 1), (",", 2)):
        if first.count(delimiter) >= enough and _parses_as_csv(text, delimiter, truncated=truncated):
            return Sniffed("text/csv", ".csv")
    return Sniffed("text/plain", ".txt")


def _sniff_media(data: bytes) -> Sniffed | None:
    """Video and audio by their container's signature (only uses that list them accept them)."""
    if data[4:8] == b"ftyp":
        if data[8:12] in (b"M4A ", b"M4B "):
            return Sniffed("audio/mp4", ".m4a")
        return Sniffed("video/mp4", ".mp4")
    if data.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in data[:64]:
        return Sniffed("video/webm", ".webm")
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return Sniffed("audio/mpeg", ".mp3")
    if data.startswith(b"OggS"):
        return Sniffed("audio/ogg", ".ogg")
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        return Sniffed("audio/wav", ".wav")
    return None


def sniff(data: bytes, *, truncated: bool = False) -> Sniffed | None:
    """The type of a file read from its bytes (`truncated`: only its first bytes), or None when it is not
    one we keep."""
    if (media := _sniff_media(data)) is not None:
        return media
    if data.startswith(b"%PDF-"):
        return Sniffed("application/pdf", ".pdf")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", ".png")
    if data.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", ".jpg")
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    return _sniff_text(data[:_TEXT_HEAD], truncated=truncated or len(data) > _TEXT_HEAD)


#: How much of an upload is read at a time (the type is read from the first chunk).
_READ_CHUNK = 1024 * 1024


def check_upload(
    uploaded: Upload | None,
    *,
    accept: Collection[str] = DOCUMENT_TYPES,
    max_mb: int | None = None,
    accepted_label: str = ACCEPTED_LABEL,
) -> tuple[Sniffed, str]:
    """Validate an uploaded file; returns its detected type and SHA-256. Raises a French ValidationError.

    The type is read from the content and must be one of `accept` (the use's allow-list, said to the person
    by `accepted_label`). The size cap is PARCOURS_MAX_UPLOAD_MB unless the use sets its own (`max_mb`: a
    video). A zip-based file is judged from its central directory: nothing of it is inflated but its
    `mimetype` (capped)."""
    cap = max_mb or settings.PARCOURS_MAX_UPLOAD_MB
    limit = cap * 1024 * 1024
    if uploaded is None:
        raise ValidationError(_("Choisissez un fichier."), code="required")
    size = uploaded.size or 0
    if size > limit:
        raise ValidationError(
            _("Le fichier dépasse la taille autorisée (%(max)s Mo).") % {"max": cap},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    # Read in chunks, never more than the cap whatever the size said: the hash and the size as it goes,
    # the first chunk kept for the type, the whole only for a zip-based file (judged by its central
    # directory) — a video of several hundred megabytes is never held in memory.
    uploaded.seek(0)
    first = uploaded.read(min(limit + 1, _READ_CHUNK))
    digest = hashlib.sha256(first)
    is_zip = first.startswith(b"PK\x03\x04")
    kept = [first]
    read = len(first)
    while read <= limit and (chunk := uploaded.read(min(limit + 1 - read, _READ_CHUNK))):
        read += len(chunk)
        digest.update(chunk)
        if is_zip:
            kept.append(chunk)
    uploaded.seek(0)
    if read > limit:
        raise ValidationError(
            _("Le fichier dépasse la taille autorisée (%(max)s Mo).") % {"max": cap},
            code="too_large",
        )
    data = b"".join(kept)
    if is_zip:
        open_zip(data).close()  # a bomb is said so, before the type is looked for
    sniffed = sniff(data, truncated=read > len(data))
    if sniffed is None or sniffed.content_type not in accept:
        raise ValidationError(
            _("Type de fichier non accepté (d’après son contenu). Formats acceptés : %(formats)s.")
            % {"formats": accepted_label},
            code="bad_type",
        )
    return sniffed, digest.hexdigest()


#: What a download may be called and typed: the types we keep. Anything else (`.html`, `.svg`, `.js`…,
#: typed or named so by an old upload) is served as plain text under a `.txt` name.
_SAFE_EXTENSIONS = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": _DOCX[1],
    ".xlsx": _XLSX[1],
    ".pptx": _PPTX[1],
    **dict(_ODF.values()),
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".json": "application/json",
    ".ics": "text/calendar",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
}


def download_name(filename: str, content_type: str | None = None) -> tuple[str, str | None]:
    """The name and type a download is served under: never an extension a browser would run."""
    stem, dot, extension = filename.rpartition(".")
    extension = f".{extension.lower()}" if dot else ""
    if content_type is not None and content_type.split(";")[0].strip() not in _SAFE_EXTENSIONS.values():
        content_type = "text/plain"
    if not dot or not stem:
        return filename, content_type
    if extension in _SAFE_EXTENSIONS:
        return filename, content_type
    # Named after what it is when its type is one we keep, else plain text.
    kept = next((ext for ext, ctype in _SAFE_EXTENSIONS.items() if ctype == content_type), None)
    return (f"{stem}{kept}", content_type) if kept else (f"{stem}.txt", "text/plain")


def private_file_response(file: FieldFile, *, filename: str, content_type: str | None = None) -> FileResponse:
    """Serve a stored private file as a download. The caller has already checked access; a missing file
    is a 404. The browser may neither guess another type, nor run it, nor cache it, nor keep an active
    extension (`rapport.html` is downloaded as `rapport.txt`, as text)."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404
    filename, content_type = download_name(filename, content_type)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
