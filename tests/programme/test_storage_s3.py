"""Private files on an S3-compatible store (S3_BUCKET set), against a real S3 server of the test's own: moto's
server, started on a free port. Uploads land in the bucket and nowhere on disk, downloads go through the
permission-checked views (streamed, never a public URL), report PDFs and import files too; local disk stays
the default."""

import runpy
import socket
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from programme.settings import s3_storage
from prospects.models import ImportFile
from tests.projects.factories import PDF_BYTES, pdf_file
from tests.prospects.test_import import confirm, csv_bytes, upload
from tests.reports.helpers import order_activity

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("s3")]
SETTINGS = Path(__file__).resolve().parents[2] / "programme" / "settings.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, monkeypatch, tmp_path):
    """A fresh private bucket, and Parcours' private files in it (as S3_* would configure them)."""
    name = f"parcours-{uuid.uuid4().hex[:12]}"
    for variable, value in {
        "S3_ENDPOINT_URL": s3_server,
        "S3_REGION": "eu-west-3",
        "S3_ACCESS_KEY_ID": "parcours-test",
        "S3_SECRET_ACCESS_KEY": "parcours-test-secret",
        "S3_ADDRESSING_STYLE": "path",
        "S3_PREFIX": "prive",
    }.items():
        monkeypatch.setenv(variable, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="eu-west-3",
        aws_access_key_id="parcours-test",
        aws_secret_access_key="parcours-test-secret",
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(name)}
    settings.MEDIA_ROOT = tmp_path / "never-used"

    def keys() -> list[str]:
        return [item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", [])]

    yield keys
    assert not (tmp_path / "never-used").exists(), "a private file was written to local disk"


def test_settings_choose_s3_only_when_a_bucket_is_named(monkeypatch):
    monkeypatch.delenv("S3_BUCKET", raising=False)
    local = runpy.run_path(str(SETTINGS))["STORAGES"]["default"]
    assert local["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    monkeypatch.setenv("S3_BUCKET", "parcours-prod")
    monkeypatch.setenv("S3_ENDPOINT_URL", "https://s3.fr-par.scw.cloud")
    remote = runpy.run_path(str(SETTINGS))["STORAGES"]["default"]
    assert remote["BACKEND"] == "storages.backends.s3.S3Storage"
    assert remote["OPTIONS"]["bucket_name"] == "parcours-prod"
    assert remote["OPTIONS"]["endpoint_url"] == "https://s3.fr-par.scw.cloud"
    assert remote["OPTIONS"]["default_acl"] is None and remote["OPTIONS"]["file_overwrite"] is False


def test_a_document_goes_to_the_bucket_and_comes_back_through_the_checked_view(
    bucket, world, staff_client, partner_b_client
):
    from projects.models import Document

    response = staff_client.post(
        reverse("projects:document.create", args=[world.project_a.pk]),
        {"title": "Convention", "file": pdf_file("convention.pdf")},
    )
    assert response.status_code == 302
    version = Document.objects.get(title="Convention").versions.get()
    assert bucket() == [f"prive/{version.file.name}"]
    assert default_storage.exists(version.file.name)

    url = reverse("projects:document.download", args=[version.document.pk])
    download = staff_client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff" and "no-store" in download["Cache-Control"]
    # Never a redirect to the store: a partner of another project gets a 404, nothing else.
    assert partner_b_client.get(url).status_code == 404


def test_a_missing_object_is_a_404(bucket, world, staff_client):
    from projects.models import Document

    staff_client.post(
        reverse("projects:document.create", args=[world.project_a.pk]),
        {"title": "Compte rendu", "file": pdf_file("cr.pdf")},
    )
    version = Document.objects.get(title="Compte rendu").versions.get()
    default_storage.delete(version.file.name)
    assert bucket() == []
    assert (
        staff_client.get(reverse("projects:document.download", args=[version.document.pk])).status_code == 404
    )


def test_a_report_pdf_is_stored_in_the_bucket_and_downloaded(
    bucket, world, director_client, django_capture_on_commit_callbacks
):
    report = order_activity(world, django_capture_on_commit_callbacks)
    # The PDF and its editable Word edition (evaluation/reports/docx.py), both in the bucket.
    assert report.file.name and report.docx.name
    assert bucket() == sorted([f"prive/{report.file.name}", f"prive/{report.docx.name}"])
    response = director_client.get(reverse("evaluation:report.download", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    response = director_client.get(reverse("evaluation:report.download_docx", args=[report.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK")  # a zip: the .docx container


def test_an_import_file_waits_in_the_bucket_and_leaves_it_once_imported(bucket, world, staff_client):
    response = upload(staff_client, world, csv_bytes("Asso des Pentes;Lyon;;association;;;;"))
    assert response.status_code == 302
    import_file = ImportFile.objects.get()
    assert bucket() == [f"prive/{import_file.path}"]
    token = response["Location"].rstrip("/").split("/")[-1]
    assert "1 nouvelle" in staff_client.get(response["Location"]).content.decode()
    confirm(staff_client, token)
    assert bucket() == []
