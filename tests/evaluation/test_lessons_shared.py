"""Sharing a lesson with the collective (#19): the team's switch on the lesson page (audited, one entry for
two clicks, refused for a lesson tied to no project), the collective reading its own project's shared
lessons in the portal (« Constats » page and fil rouge), never an unshared one nor another project's, and
constant query counts as lessons grow. The kit's side is in test_judgement_shared.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.models import Lesson
from programme.models import AuditEntry
from tests.conftest import client_for
from tests.evaluation.factories import LessonFactory
from tests.projects.factories import WorkshopFactory

pytestmark = pytest.mark.django_db


def _lesson(world, project, title: str, *, shared: bool = False, **extra) -> Lesson:
    lesson = LessonFactory(programme=world.programme, title=title, shared_with_collective=shared, **extra)
    lesson.projects.add(project)
    return lesson


def _share(client, lesson, shared: str = "1"):
    return client.post(reverse("evaluation:lesson.share", args=[lesson.pk]), {"shared": shared}, follow=True)


def test_the_team_shares_a_lesson_from_its_page_and_keeps_it_again(world, staff_client):
    lesson = _lesson(world, world.project_a, "Associer les parents tôt")
    page = staff_client.get(lesson.get_absolute_url()).content.decode()
    assert "Réservé à l’équipe" in page and "Partager avec le collectif" in page

    response = _share(staff_client, lesson)
    page = response.content.decode()
    assert "Enseignement partagé avec le collectif." in page
    assert "Ne plus partager" in page
    _share(staff_client, lesson)  # a second click: no second entry
    lesson.refresh_from_db()
    assert lesson.shared_with_collective
    assert AuditEntry.objects.filter(action="lesson.share", object_id=str(lesson.pk)).count() == 1
    listing = staff_client.get(reverse("evaluation:lesson.list")).content.decode()
    assert "Partagé avec le collectif" in listing

    page = _share(staff_client, lesson, "0").content.decode()
    assert "Enseignement réservé à l’équipe." in page
    lesson.refresh_from_db()
    assert not lesson.shared_with_collective
    assert AuditEntry.objects.filter(action="lesson.unshare", object_id=str(lesson.pk)).count() == 1


def test_a_lesson_tied_to_no_project_is_not_shared(world, staff_client):
    lesson = LessonFactory(programme=world.programme, title="Sans projet")
    page = _share(staff_client, lesson).content.decode()
    assert "Rattachez l’enseignement à un projet avant de le partager." in page
    lesson.refresh_from_db()
    assert not lesson.shared_with_collective
    assert not AuditEntry.objects.filter(action="lesson.share").exists()


def test_the_collective_reads_its_own_projects_shared_lessons_only(world, partner_a_client):
    hidden_workshop = WorkshopFactory(
        project=world.project_a, title="ATELIERINTERNE", shared_with_collective=False
    )
    shared = _lesson(world, world.project_a, "LECONPARTAGEE", shared=True, body="CORPSPARTAGE")
    shared.workshops.add(hidden_workshop)
    _lesson(world, world.project_a, "LECONINTERNE", body="CORPSINTERNE")
    _lesson(world, world.project_b, "LECONDUPROJETB", shared=True)

    findings = partner_a_client.get(reverse("portal:judgement.findings", args=[world.project_a.pk]))
    html = findings.content.decode()
    assert "Enseignements partagés" in html and "LECONPARTAGEE" in html and "CORPSPARTAGE" in html
    assert "LECONINTERNE" not in html and "CORPSINTERNE" not in html and "LECONDUPROJETB" not in html

    filrouge = partner_a_client.get(reverse("portal:filrouge", args=[world.project_a.pk])).content.decode()
    assert "LECONPARTAGEE" in filrouge and "LECONINTERNE" not in filrouge
    assert "ATELIERINTERNE" not in filrouge  # a source the collective may not read is not named
    assert reverse("evaluation:lesson.detail", args=[shared.pk]) not in filrouge  # no team link

    # Another collective: the pages of project A are not theirs.
    partner_b = client_for(world.partner_b)
    for name in ("portal:judgement.findings", "portal:filrouge"):
        assert partner_b.get(reverse(name, args=[world.project_a.pk])).status_code == 404
    # Unshared again: gone from the portal.
    client_for(world.staff).post(reverse("evaluation:lesson.share", args=[shared.pk]), {"shared": "0"})
    html = partner_a_client.get(reverse("portal:judgement.findings", args=[world.project_a.pk])).content
    assert "LECONPARTAGEE" not in html.decode()


def _queries(client, name: str, project) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name, args=[project.pk]))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["portal:judgement.findings", "portal:filrouge"])
def test_the_portal_query_counts_stay_constant_as_shared_lessons_grow(world, partner_a_client, name):
    workshop = WorkshopFactory(project=world.project_a, shared_with_collective=True)
    for index in range(2):
        _lesson(world, world.project_a, f"Leçon {index}", shared=True).workshops.add(workshop)
    few = _queries(partner_a_client, name, world.project_a)
    for index in range(2, 8):
        _lesson(world, world.project_a, f"Leçon {index}", shared=True).workshops.add(workshop)
    assert _queries(partner_a_client, name, world.project_a) == few
