"""The essaimage kit: refused without findings or without « Essaimer » at the end of Expérimentation;
otherwise a versioned PDF + ZIP holding nothing the collective could not read; a deployment site records
the kit version it started from."""

import html
import io
import zipfile

import pytest
from django.urls import reverse

from evaluation.judgement import services
from evaluation.judgement.models import EssaimageKit, SiteKit
from programme.models import Territory
from projects.models import DeploymentSite, WorkshopItem
from tests.conftest import client_for
from tests.evaluation import judgement_helpers as h
from tests.evaluation.factories import LessonFactory

pytestmark = pytest.mark.django_db


def _spread(world, project=None, *, shared=False):
    services.recommendation_save(
        actor=world.staff,
        project=project or world.project_a,
        phase="experimentation",
        verdict="spread",
        argument="Le modèle tient : trois communes le demandent.",
        shared=shared,
    )


def _generate(world, capture):
    with capture(execute=True):
        response = client_for(world.staff).post(
            reverse("evaluation:judgement.kit.generate", args=[world.project_a.pk])
        )
    assert response.status_code == 302
    return response


def test_a_kit_without_findings_is_refused(world, django_capture_on_commit_callbacks):
    _spread(world)
    response = _generate(world, django_capture_on_commit_callbacks)
    assert not EssaimageKit.objects.exists()
    page = html.unescape(client_for(world.staff).get(response["Location"]).content.decode())
    assert "Pas de kit sans constats" in page


def test_a_kit_without_the_spread_recommendation_is_refused(world, django_capture_on_commit_callbacks):
    h.finding(world)
    _generate(world, django_capture_on_commit_callbacks)
    assert not EssaimageKit.objects.exists()


def test_the_kit_is_versioned_and_holds_nothing_team_only(world, django_capture_on_commit_callbacks):
    services.finding_share(actor=world.staff, finding=h.finding(world), shared=True)
    _spread(world, shared=True)
    WorkshopItem.objects.create(
        project=world.project_a, kind="prototype", title="Cantine mobile", description="Un camion."
    )
    LessonFactory(programme=world.programme, title="Enseignement non partagé").projects.add(world.project_a)
    h.finding(world, world.project_b, answer="Réponse secrète du projet B")
    _generate(world, django_capture_on_commit_callbacks)
    _generate(world, django_capture_on_commit_callbacks)
    kits = list(EssaimageKit.objects.filter(project=world.project_a).order_by("version"))
    assert [k.version for k in kits] == [1, 2] and all(k.status == "done" for k in kits)
    kit = kits[-1]
    text = " ".join(h.pdf_text(kit.file).split())
    assert "Cantine mobile" in text and h.ANSWER_IN_PDF in text and "Essaimer" in text
    for secret in ("Enseignement non partagé", "Réponse secrète du projet B", "Projet B"):
        assert secret not in text
    with kit.archive.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert "kit-essaimage-v2.pdf" in names and "donnees.json" in names
    assert (
        client_for(world.staff)
        .get(reverse("evaluation:judgement.kit.download", args=[kit.pk, "zip"]))
        .status_code
        == 200
    )
    assert (
        client_for(world.partner_a)
        .get(reverse("evaluation:judgement.kit.download", args=[kit.pk, "pdf"]))
        .status_code
        == 404
    )


def test_a_site_records_the_kit_it_started_from(world, django_capture_on_commit_callbacks):
    h.finding(world)
    _spread(world)
    _generate(world, django_capture_on_commit_callbacks)
    kit = EssaimageKit.objects.get()
    site = DeploymentSite.objects.create(
        project=world.project_a, territory=Territory.objects.create(name="Vénissieux")
    )
    client_for(world.staff).post(reverse("evaluation:judgement.site_kit", args=[site.pk]), {"kit": kit.pk})
    assert SiteKit.objects.get(site=site).kit == kit
    page = html.unescape(
        client_for(world.staff)
        .get(reverse("evaluation:judgement.findings", args=[world.project_a.pk]))
        .content.decode()
    )
    assert "Vénissieux" in page and f'<option value="{kit.pk}" selected>' in page


def test_a_kit_of_another_project_is_refused_for_a_site(world, django_capture_on_commit_callbacks):
    other = EssaimageKit.objects.create(project=world.project_b, version=1, status="done")
    site = DeploymentSite.objects.create(
        project=world.project_a, territory=Territory.objects.create(name="Bron")
    )
    client_for(world.staff).post(reverse("evaluation:judgement.site_kit", args=[site.pk]), {"kit": other.pk})
    assert not SiteKit.objects.exists()


def test_the_kit_holds_only_the_judgement_the_team_shared(world, django_capture_on_commit_callbacks):
    """The kit goes to other territories: a finding or a recommendation the team kept to itself stays out."""
    h.finding(world)
    _spread(world)
    _generate(world, django_capture_on_commit_callbacks)
    kit = EssaimageKit.objects.get()
    text = " ".join(h.pdf_text(kit.file).split())
    assert h.ANSWER_IN_PDF not in text and "trois communes le demandent" not in text
    assert kit.snapshot["findings"] == [] and kit.snapshot["recommendation"] is None


def test_generating_twice_while_rendering_gives_one_version(world):
    """A double click on « Générer le kit »: one version, the one being rendered (its message lost here)."""
    h.finding(world)
    _spread(world)
    first = services.kit_generate(actor=world.staff, project=world.project_a)
    second = services.kit_generate(actor=world.staff, project=world.project_a)
    assert first.pk == second.pk and EssaimageKit.objects.count() == 1
