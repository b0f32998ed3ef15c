"""Resources (#22, item 5) and access (item 6): livrets, fiches, vidéos, podcasts and liens with their format,
audience, territory or project of origin, conditions addressed and publication status; video and audio
accepted by their content within a size cap, or as a link; a local partner given access to a territory
reads its published resources, nobody else outside the team."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation.research import services
from evaluation.research.models import Resource
from programme.models import TerritoryGrant, TerritoryPartner
from tests.conftest import client_for
from tests.evaluation.research_helpers import framework, pilot_territory
from tests.projects.factories import pdf_file

pytestmark = pytest.mark.django_db

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 512
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 256


def _post(client, **data):
    base = {
        "title": "Livret de la démarche",
        "format": "booklet",
        "audience": "authorities",
        "status": "draft",
    }
    return client.post(reverse("evaluation:research.resource.create"), {**base, **data})


def test_a_booklet_with_its_pdf_and_the_conditions_it_addresses(world, staff_client):
    _version, governance, _seats, mobilisation = framework(world)
    territory = pilot_territory(world)
    response = _post(
        staff_client,
        territory=territory.pk,
        conditions=[governance.pk, mobilisation.pk],
        upload=pdf_file("livret.pdf"),
    )
    resource = Resource.objects.get()
    assert response.status_code == 302 and response["Location"] == resource.get_absolute_url()
    assert resource.content_type == "application/pdf" and resource.original_name == "livret.pdf"
    assert set(resource.conditions.all()) == {governance, mobilisation} and resource.created_by == world.staff
    listing = staff_client.get(reverse("evaluation:research.resource.list")).content.decode()
    assert "Livret de la démarche" in listing and "Gouvernance partagée" in listing and "Brouillon" in listing
    download = staff_client.get(reverse("evaluation:research.resource.download", args=[resource.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_video_and_a_podcast_are_accepted_by_their_content(world, staff_client):
    framework(world)
    _post(staff_client, title="Vidéo du COPIL", format="video", upload=SimpleUploadedFile("copil.bin", MP4))
    _post(staff_client, title="Podcast habitants", format="podcast", upload=SimpleUploadedFile("ep1", MP3))
    assert Resource.objects.get(title="Vidéo du COPIL").content_type == "video/mp4"
    assert Resource.objects.get(title="Podcast habitants").content_type == "audio/mpeg"
    video = Resource.objects.get(title="Vidéo du COPIL")
    download = staff_client.get(reverse("evaluation:research.resource.download", args=[video.pk]))
    assert download["Content-Type"] == "video/mp4" and ".mp4" in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"format": "video", "upload": "pdf"}, "Type de fichier non accepté"),
        ({"format": "booklet", "upload": "mp4"}, "Type de fichier non accepté"),
        ({"format": "link", "upload": "pdf", "url": "https://exemple.fr"}, "n’a pas de fichier"),
        ({"format": "sheet"}, "Donnez un lien ou déposez un fichier."),
    ],
)
def test_a_wrong_file_is_refused_and_nothing_saved(world, staff_client, data, message):
    framework(world)
    files = {"pdf": lambda: pdf_file(), "mp4": lambda: SimpleUploadedFile("v.mp4", MP4)}
    if "upload" in data:
        data = {**data, "upload": files[data["upload"]]()}
    response = _post(staff_client, **data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Resource.objects.exists()


def test_a_video_beyond_the_cap_is_refused(world, staff_client, monkeypatch):
    framework(world)
    monkeypatch.setattr(services, "MEDIA_MAX_MB", 1)
    big = SimpleUploadedFile("long.mp4", MP4 + b"\x00" * (1024 * 1024))
    response = _post(staff_client, format="video", upload=big)
    assert "dépasse la taille autorisée (1 Mo)" in response.content.decode()
    assert not Resource.objects.exists()


def test_a_link_resource(world, staff_client):
    framework(world)
    _post(
        staff_client,
        title="Fiche en ligne",
        format="link",
        url="https://exemple.fr/fiche",
        status="published",
    )
    assert Resource.objects.get().url == "https://exemple.fr/fiche"


def test_a_granted_local_partner_reads_the_published_resources_of_their_territory_only(world, staff_client):
    framework(world)
    territory, elsewhere = pilot_territory(world), pilot_territory(world, "Vénissieux")
    TerritoryPartner.objects.create(territory=territory, organisation=world.org_a, role="association")
    for title, where, status in (
        ("Publiée ici", territory, "published"),
        ("Brouillon ici", territory, "draft"),
        ("Publiée ailleurs", elsewhere, "published"),
    ):
        _post(
            staff_client,
            title=title,
            territory=where.pk,
            status=status,
            format="link",
            url="https://exemple.fr/x",
        )
    published, draft, other = (
        Resource.objects.get(title=t) for t in ("Publiée ici", "Brouillon ici", "Publiée ailleurs")
    )
    partner_a, partner_b = client_for(world.partner_a), client_for(world.partner_b)
    # Before the grant: nothing.
    assert partner_a.get(published.get_absolute_url()).status_code == 404
    TerritoryGrant.objects.create(territory=territory, user=world.partner_a, granted_by=world.director)
    assert partner_a.get(published.get_absolute_url()).status_code == 200
    assert partner_a.get(draft.get_absolute_url()).status_code == 404
    assert partner_a.get(other.get_absolute_url()).status_code == 404
    section = partner_a.get(
        reverse("evaluation:research.territory_resources", args=[territory.pk])
    ).content.decode()
    assert "Publiée ici" in section and "Brouillon ici" not in section
    assert partner_a.get(reverse("evaluation:research.resource.list")).status_code == 404
    assert partner_a.get(reverse("evaluation:research.resource.edit", args=[published.pk])).status_code == 404
    # Partner B, whose structure is no local partner, sees none of it.
    assert partner_b.get(published.get_absolute_url()).status_code == 404
    assert partner_b.get(territory.get_absolute_url()).status_code == 404
