"""Private files: served only by permission-checked views, size and type checked from the content."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programme.files import sniff
from projects import services
from projects.models import DeliverableStatus, Document, DocumentVersion

from .factories import PDF_BYTES, PNG_BYTES, DeliverableFactory, DocumentFactory, pdf_file

pytestmark = pytest.mark.django_db


def office_zip(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
        elif kind == "docx":
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
        elif kind == "xlsx":
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "<workbook/>")
        else:
            archive.writestr("payload.exe", "MZ")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF_BYTES, "application/pdf"),
        (PNG_BYTES, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        (office_zip("docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (office_zip("xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (office_zip("odt"), "application/vnd.oasis.opendocument.text"),
        ("nom;montant\nÉpicerie;1200\n".encode(), "text/csv"),
        ("Compte rendu de l'atelier du 3 mars.\nÉtaient présents…\n".encode("cp1252"), "text/plain"),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),  # Windows executable
        (b"<!DOCTYPE html><script>alert(1)</script>", None),  # markup posing as text
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
        (office_zip("other"), None),  # a zip that is no office file
        (b"\x7fELF\x02\x01\x01\x00", None),
    ],
)
def test_type_is_detected_from_content(content, expected):
    result = sniff(content)
    assert (result.content_type if result else None) == expected


def test_staff_uploads_a_document_and_versions_are_kept(staff_client, world):
    url = reverse("projects:document.create", args=[world.project_a.pk])
    response = staff_client.post(url, {"title": "Convention", "file": pdf_file("convention.pdf")})
    assert response.status_code == 302
    document = Document.objects.get(title="Convention")
    assert document.shared_with_collective is False
    staff_client.post(
        reverse("projects:document.upload", args=[document.pk]),
        {"file": pdf_file("convention-v2.pdf", PDF_BYTES + b"% v2\n"), "comment": "Signée"},
    )
    versions = list(document.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].file.name != versions[1].file.name
    assert "convention" not in versions[0].file.name  # random names on disk
    first = staff_client.get(reverse("projects:document.version.download", args=[document.pk, 1]))
    latest = staff_client.get(reverse("projects:document.download", args=[document.pk]))
    assert b"".join(first.streaming_content) == PDF_BYTES
    assert b"".join(latest.streaming_content).endswith(b"% v2\n")
    assert latest["Content-Disposition"].startswith("attachment;")
    assert 'filename="convention-v2.pdf"' in latest["Content-Disposition"]
    assert latest["X-Content-Type-Options"] == "nosniff"
    assert latest["Content-Type"] == "application/pdf"


def test_oversize_upload_is_refused_in_french_and_nothing_is_saved(staff_client, world, settings):
    settings.PARCOURS_MAX_UPLOAD_MB = 1
    big = pdf_file("gros.pdf", PDF_BYTES + b"0" * (1024 * 1024))
    response = staff_client.post(
        reverse("projects:document.create", args=[world.project_a.pk]), {"title": "Trop gros", "file": big}
    )
    assert response.status_code == 200
    assert "dépasse la taille autorisée (1 Mo)" in response.content.decode()
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()


def test_fake_type_upload_is_refused(staff_client, world):
    fake = SimpleUploadedFile("rapport.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = staff_client.post(
        reverse("projects:document.create", args=[world.project_a.pk]), {"title": "Faux PDF", "file": fake}
    )
    assert "Type de fichier non accepté (d’après son contenu)" in response.content.decode()
    assert not Document.objects.exists()
    deliverable = DeliverableFactory(project=world.project_a)
    response = staff_client.post(
        reverse("projects:deliverable.upload", args=[deliverable.pk]),
        {"file": SimpleUploadedFile("page.csv", b"<html><body>x</body></html>")},
    )
    assert "Type de fichier non accepté" in response.content.decode()
    assert not deliverable.versions.exists()


def test_service_refuses_bad_files_even_without_a_form(world):
    with pytest.raises(Exception, match="Type de fichier non accepté"):
        services.document_upload(
            actor=world.staff,
            project=world.project_a,
            title="X",
            file=SimpleUploadedFile("x.pdf", b"\x00\x01"),
        )
    assert not Document.objects.exists()


def test_outsiders_get_404_on_private_files(world, partner_a_client, partner_b_client, client):
    shared = services.document_upload(
        actor=world.staff,
        project=world.project_a,
        title="Partagé",
        file=pdf_file(),
        shared_with_collective=True,
    ).document
    private = services.document_upload(
        actor=world.staff, project=world.project_a, title="Interne", file=pdf_file()
    ).document
    assert partner_a_client.get(reverse("projects:document.download", args=[shared.pk])).status_code == 200
    assert partner_a_client.get(reverse("projects:document.download", args=[private.pk])).status_code == 404
    assert partner_b_client.get(reverse("projects:document.download", args=[shared.pk])).status_code == 404
    assert (
        partner_b_client.get(reverse("projects:document.version.download", args=[shared.pk, 1])).status_code
        == 404
    )
    anonymous = client.get(reverse("projects:document.download", args=[shared.pk]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    empty = DocumentFactory(project=world.project_a, shared_with_collective=True)
    assert partner_a_client.get(reverse("projects:document.download", args=[empty.pk])).status_code == 404


def test_partner_uploads_a_deliverable_through_the_service(world, partner_a_client, partner_b_client):
    deliverable = DeliverableFactory(project=world.project_a, owner_organisation=world.org_a)
    version = services.deliverable_upload(
        actor=world.partner_a, deliverable=deliverable, file=pdf_file("bilan.pdf")
    )
    deliverable.refresh_from_db()
    assert version.number == 1 and version.uploaded_by == world.partner_a
    assert deliverable.status == DeliverableStatus.SUBMITTED
    with pytest.raises(PermissionDenied):
        services.deliverable_upload(actor=world.partner_b, deliverable=deliverable, file=pdf_file())
    url = reverse("projects:deliverable.download", args=[deliverable.pk, 1])
    assert partner_a_client.get(url).status_code == 200
    assert partner_b_client.get(url).status_code == 404


def test_team_reviews_a_submitted_deliverable(staff_client, world):
    deliverable = DeliverableFactory(project=world.project_a, owner_organisation=world.org_a)
    services.deliverable_upload(actor=world.partner_a, deliverable=deliverable, file=pdf_file())
    staff_client.post(
        reverse("projects:deliverable.review", args=[deliverable.pk]),
        {"status": "returned", "reason": "Il manque la page 2."},
    )
    deliverable.refresh_from_db()
    assert deliverable.status == DeliverableStatus.RETURNED
    response = staff_client.post(
        reverse("projects:deliverable.review", args=[deliverable.pk]), {"status": "nope"}, follow=True
    )
    assert "État de livrable inconnu" in response.content.decode()


def test_partner_cannot_download_or_upload_a_team_deliverable_of_their_project(world, partner_a_client):
    deliverable = DeliverableFactory(project=world.project_a, owner_user=world.staff, title="Note interne")
    services.deliverable_upload(actor=world.staff, deliverable=deliverable, file=pdf_file())
    assert (
        partner_a_client.get(reverse("projects:deliverable.download", args=[deliverable.pk, 1])).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        services.deliverable_upload(actor=world.partner_a, deliverable=deliverable, file=pdf_file())


def test_the_deliverables_tab_offers_a_submitted_version_and_its_review(staff_client, world):
    deliverable = DeliverableFactory(
        project=world.project_a, owner_organisation=world.org_a, title="Bilan « R&D »"
    )
    services.deliverable_upload(actor=world.partner_a, deliverable=deliverable, file=pdf_file("bilan.pdf"))
    html = staff_client.get(
        reverse("projects:project.deliverables", args=[world.project_a.pk])
    ).content.decode()
    download = reverse("projects:deliverable.download", args=[deliverable.pk, 1])
    review = reverse("projects:deliverable.review", args=[deliverable.pk])
    assert f'<a href="{download}">v1</a> <span class="muted">bilan.pdf, ' in html
    assert html.count(f'action="{review}"') == 2 and "Renvoyer au collectif" in html
    assert 'name="csrfmiddlewaretoken"' in html.split(review, 1)[1].split("</form>", 1)[0]
    assert "Bilan « R&amp;D »" in html and "Structure A" in html


def test_the_tabs_list_every_version_with_its_link(world, staff_client):
    """The documents and deliverables tabs (rows written in Python) link each version to its download,
    with its name, size, date and who uploaded it."""
    document = services.document_upload(
        actor=world.staff, project=world.project_a, title="Convention <signée>", file=pdf_file("c.pdf")
    )
    document = Document.objects.get(title="Convention <signée>")
    Document.objects.filter(pk=document.pk).update(description="Pour « B » & C")
    deliverable = DeliverableFactory(project=world.project_a, owner_organisation=world.org_a, title="Bilan")
    services.deliverable_upload(actor=world.partner_a, deliverable=deliverable, file=pdf_file("bilan.pdf"))
    docs = staff_client.get(reverse("projects:project.documents", args=[world.project_a.pk])).content.decode()
    link = reverse("projects:document.version.download", args=[document.pk, 1])
    assert f'<a href="{link}">v1</a> <span class="muted">c.pdf, ' in docs
    assert f", {world.staff}</span><br>" in docs
    assert 'Convention &lt;signée&gt;</a><br><span class="muted">Pour « B » &amp; C</span>' in docs
    assert reverse("projects:document.upload", args=[document.pk]) in docs
    page = staff_client.get(
        reverse("projects:project.deliverables", args=[world.project_a.pk])
    ).content.decode()
    link = reverse("projects:deliverable.download", args=[deliverable.pk, 1])
    assert f'<a href="{link}">v1</a> <span class="muted">bilan.pdf, ' in page
