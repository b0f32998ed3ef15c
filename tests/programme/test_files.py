"""The one upload check and the one private-file response (programme/files.py)."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile, FileField
from django.http import Http404
from django.urls import reverse

from programme.files import check_upload, private_file_response, sniff
from tests.access import all_cases
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

#: Every URL that serves a stored private file.
DOWNLOADS = {
    "evaluation:measurement.evidence",
    "evaluation:report.download",
    "portal:deliverable.download",
    "portal:document.download",
    "portal:measurement.evidence",
    "projects:deliverable.download",
    "projects:document.download",
    "projects:document.version.download",
}
ROLES_FIRST = ("staff", "director", "partner_a", "partner_b")
DOWNLOAD_CASES = [c for c in all_cases() if c.name in DOWNLOADS and 200 in c.expected.values()]


def zip_bytes(parts: dict[str, bytes | str], *, compression: int = zipfile.ZIP_STORED) -> bytes:
    """A zip file (an Office or OpenDocument file is one) holding `parts`, name → content."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_every_download_url_has_a_case_here():
    assert {c.name for c in DOWNLOAD_CASES} == DOWNLOADS


@pytest.mark.parametrize("case", DOWNLOAD_CASES, ids=[c.label for c in DOWNLOAD_CASES])
def test_every_download_is_an_attachment_that_cannot_be_sniffed_or_run(world, case):
    role = next(r for r in ROLES_FIRST if case.expected[r] == 200)
    response = client_for(getattr(world, role)).get(reverse(case.name, kwargs=case.kwargs(world)))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"].split("; ")
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    b"".join(response.streaming_content)


def test_the_filename_is_quoted_and_non_ascii_names_are_encoded():
    name = default_storage.save("tests/bilan.pdf", ContentFile(b"%PDF-1.4\n"))
    stored = FieldFile(None, FileField(name="file"), name)
    response = private_file_response(stored, filename="Bilan d'étape.pdf", content_type="application/pdf")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    response.close()
    with pytest.raises(Http404):
        private_file_response(FieldFile(None, FileField(name="file"), "tests/missing.pdf"), filename="x.pdf")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # An Office file is its manifest and the main part of its type; an OpenDocument its mimetype and content.
        (
            zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            zip_bytes({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<c/>"}),
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        # UTF-8 text cut in the middle of a character at the end of the sample.
        (("é" * 40000).encode()[:65537] + b"\n", "text/plain"),
        # Markup posing as text, a zip that is no office file, binary.
        (b"<html><body>x</body></html>", None),
        (zip_bytes({"payload.exe": "MZ"}), None),
        (b"\x00\x01binary\x00", None),
        # Without its manifest, or with only a mimetype, a package is not the office file it looks like.
        (zip_bytes({"xl/workbook.xml": "<workbook/>"}), None),
        (zip_bytes({"word/document.xml": "<w:document/>"}), None),
        (zip_bytes({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}), None),
    ],
)
def test_sniff_reads_the_type_from_the_content(content, expected):
    result = sniff(content)
    assert (result.content_type if result else None) == expected


def test_check_upload_refuses_in_french(settings):
    settings.PARCOURS_MAX_UPLOAD_MB = 1
    with pytest.raises(ValidationError, match="dépasse la taille autorisée"):
        check_upload(SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * (1024 * 1024)))
    with pytest.raises(ValidationError, match="Le fichier est vide"):
        check_upload(SimpleUploadedFile("a.pdf", b""))
    with pytest.raises(ValidationError, match="Type de fichier non accepté"):
        check_upload(SimpleUploadedFile("a.pdf", b"MZ\x90\x00"))
    sniffed, digest = check_upload(SimpleUploadedFile("a.txt", b"nom;montant\n"))
    assert sniffed.extension == ".csv" and len(digest) == 64


class _CountingUpload(SimpleUploadedFile):
    """An upload that remembers the largest read asked of it (what the checker holds at once)."""

    largest_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.largest_read = max(self.largest_read, len(data))
        return data


def test_a_large_upload_is_checked_chunk_by_chunk_with_the_whole_files_hash(settings):
    import hashlib

    settings.PARCOURS_MAX_UPLOAD_MB = 8
    video = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * (6 * 4096)  # ~6 MB of MP4
    upload = _CountingUpload("film.mp4", video)
    sniffed, digest = check_upload(upload, accept={"video/mp4"})
    assert sniffed.content_type == "video/mp4"
    assert digest == hashlib.sha256(video).hexdigest()
    assert upload.largest_read <= 1024 * 1024  # never the whole file in one piece
    assert upload.read() == video  # left at its start for saving
    # A CSV longer than what the type is read from is still a CSV.
    rows = b"nom;montant\n" + b"Tonkin;12\n" * 300_000
    assert check_upload(SimpleUploadedFile("a.csv", rows))[0].content_type == "text/csv"
    # The cap holds past the first chunk, whatever size the upload claims.
    settings.PARCOURS_MAX_UPLOAD_MB = 2
    lying = _CountingUpload("b.mp4", video)
    lying.size = 100
    with pytest.raises(ValidationError, match="dépasse la taille autorisée"):
        check_upload(lying, accept={"video/mp4"})
