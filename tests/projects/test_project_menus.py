"""Menus of projects (`projects.forms.project_menu`, `project_checks`): at ten times a programme (2,000
projects) a lesson's, a report's or a resource's form listed every project. They now draw the chosen ones only;
a search box finds the others by title or lead structure — one to choose, or several to tick for a lesson."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.models import Lesson
from evaluation.research.models import Resource
from programme.models import AuditEntry
from tests.conftest import client_for
from tests.evaluation.factories import LessonFactory
from tests.evaluation.research_helpers import framework
from tests.factories import OrganisationFactory, ProgrammeFactory, ProjectFactory

OPTIONS = reverse("projects:project.options")

pytestmark = pytest.mark.django_db


def _lesson(**changes):
    """A lesson's form as posted."""
    return {
        "title": "Associer la ville tôt",
        "kind": "good_practice",
        "body": "Inviter l'élu dès l'analyse des besoins.",
        "phase": "emergence",
        **changes,
    }


def boxes(html: str) -> list[tuple[str, str]]:
    """(value, text) of each box to tick the matches hold."""
    return re.findall(r'<label><input type="checkbox" name="projects" value="(\d+)"> ([^<]*)</label>', html)


def options(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="([^"]*)"(?: selected)?>([^<]*)</option>', html)


@pytest.mark.parametrize(
    "page",
    [
        "evaluation:lesson.create",
        "evaluation:report.create",
        "evaluation:research.resource.create",
        "evaluation:lesson.list",
        "evaluation:measurement.queue",
    ],
)
def test_no_form_sends_every_project(staff_client, world, page):
    """A project nobody chose is never in the page: the menus (and the lists' filters) hold their choice
    only."""
    ProjectFactory(programme=world.programme, title="Projet témoin")
    body = staff_client.get(reverse(page)).content.decode()
    assert "Projet témoin" not in body and "Projet A" not in body
    assert "Rechercher un projet" in body


def test_the_lessons_list_filters_on_a_project_and_names_it(staff_client, world):
    lesson = LessonFactory(programme=world.programme, title="Associer la ville tôt")
    lesson.projects.add(world.project_a)
    LessonFactory(programme=world.programme, title="Bénévoles épuisés")
    page = staff_client.get(reverse("evaluation:lesson.list"), {"project": world.project_a.pk})
    body = page.content.decode()
    assert page.context["count"] == 1 and "Associer la ville tôt" in body
    assert re.search(rf'<option value="{world.project_a.pk}" selected>Projet A · [^<]+</option>', body)


def test_the_lesson_form_reads_the_same_queries_whatever_the_number_of_projects(staff_client, world):
    url = reverse("evaluation:lesson.create")
    staff_client.get(url)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    for index in range(40):
        ProjectFactory(programme=world.programme, title=f"Projet {index:02d}")
    with CaptureQueriesContext(connection) as many:
        page = staff_client.get(url).content.decode()
    assert len(many) == len(few)
    assert "Projet 39" not in page  # the same queries, and none of their rows drawn


def test_the_search_offers_boxes_to_tick_by_title_or_lead_structure(staff_client, world):
    recyclerie = OrganisationFactory(name="Recyclerie des Pentes", town="Lyon")
    bikes = ProjectFactory(programme=world.programme, title="Atelier vélo", lead_organisation=recyclerie)
    meals = ProjectFactory(programme=world.programme, title="Cantine des Pentes")
    ProjectFactory(programme=world.programme, title="Jardin partagé")
    search = {"as": "checks", "field": "projects"}
    assert staff_client.get(OPTIONS, search).content == b""  # nothing before a word is typed
    found = staff_client.get(OPTIONS, {**search, "q": "pentes"}).content.decode()
    assert "— 2 projets trouvés —" in found
    assert boxes(found) == [
        (str(bikes.pk), "Atelier vélo · Recyclerie des Pentes"),  # by its lead structure
        (str(meals.pk), f"Cantine des Pentes · {meals.lead_organisation.name}"),  # by its title
    ]
    # The boxes already ticked (sent with the search) are not offered again.
    again = staff_client.get(
        OPTIONS + f"?as=checks&field=projects&q=pentes&projects={bikes.pk}"
    ).content.decode()
    assert boxes(again) == [(str(meals.pk), f"Cantine des Pentes · {meals.lead_organisation.name}")]
    assert "— 1 projet trouvé —" in again
    assert (
        "— Aucun projet ne correspond —" in staff_client.get(OPTIONS, {**search, "q": "zzz"}).content.decode()
    )


def test_a_broad_search_shows_the_first_30_and_asks_for_more_words(staff_client, world):
    for index in range(35):
        ProjectFactory(programme=world.programme, title=f"Tiers-lieu {index:02d}")
    found = staff_client.get(OPTIONS, {"as": "checks", "field": "projects", "q": "tiers"}).content.decode()
    assert len(boxes(found)) == 30 and "— Les 30 premiers : précisez la recherche —" in found


def test_the_report_menu_offers_the_active_programmes_projects_only(staff_client, world):
    closed = ProgrammeFactory(name="Programme clos", is_active=False)
    ProjectFactory(programme=closed, title="Projet ancien")
    ProjectFactory(programme=world.programme, title="Projet actuel")
    found = staff_client.get(OPTIONS, {"q": "projet", "active": 1, "field": "project"}).content.decode()
    titles = [text for _value, text in options(found)]
    assert any(t.startswith("Projet actuel") for t in titles)
    assert not any(t.startswith("Projet ancien") for t in titles)


def test_the_observation_menu_offers_the_projects_situated_on_a_territory_only(staff_client, world):
    from programme.models import Territory

    territory = Territory.objects.create(name="Vaulx-en-Velin")
    ProjectFactory(programme=world.programme, title="Projet situé", territory=territory)
    ProjectFactory(programme=world.programme, title="Projet hors sol")
    found = staff_client.get(OPTIONS, {"q": "projet", "located": 1, "field": "project"}).content.decode()
    titles = [text for _value, text in options(found)]
    assert any(t.startswith("Projet situé") for t in titles)
    assert not any(t.startswith("Projet hors sol") for t in titles)
    framework(world)  # the observation page needs the action framework's first version
    page = staff_client.get(reverse("evaluation:research.observation.create")).content.decode()
    assert "located=1" in page and "Rechercher un projet" in page and "Projet situé" not in page


def test_a_lesson_keeps_the_projects_ticked_and_its_edit_page_ticks_them(staff_client, world):
    response = staff_client.post(
        reverse("evaluation:lesson.create"), _lesson(projects=[world.project_a.pk, world.project_b.pk])
    )
    lesson = Lesson.objects.get()
    assert response.status_code == 302 and set(lesson.projects.all()) == {world.project_a, world.project_b}
    ProjectFactory(programme=world.programme, title="Projet témoin")
    edit = staff_client.get(reverse("evaluation:lesson.edit", args=[lesson.pk])).content.decode()
    ticked = re.findall(r'<input type="checkbox" name="projects" value="(\d+)"[^>]* checked>', edit)
    assert sorted(ticked) == sorted([str(world.project_a.pk), str(world.project_b.pk)])
    assert "Projet témoin" not in edit
    # Unticking one takes it off the lesson.
    staff_client.post(
        reverse("evaluation:lesson.edit", args=[lesson.pk]), _lesson(projects=[world.project_b.pk])
    )
    assert list(lesson.projects.all()) == [world.project_b]
    # The history says which projects it spoke of before and after (this edit was a 500 once: the edit
    # form's initial value is the projects themselves, not their ids).
    entry = AuditEntry.objects.filter(object_id=str(lesson.pk), changes__has_key="projects").latest("pk")
    assert entry.changes["projects"] == [["Projet A", "Projet B"], ["Projet B"]]


def test_a_resource_is_saved_with_the_project_chosen_in_the_menu(staff_client, world):
    response = staff_client.post(
        reverse("evaluation:research.resource.create"),
        {
            "title": "Livret",
            "format": "booklet",
            "audience": "authorities",
            "status": "draft",
            "project": world.project_a.pk,
            "url": "https://exemple.fr/livret",
        },
    )
    assert response.status_code == 302 and Resource.objects.get().project == world.project_a


def test_partners_get_404_from_the_project_menu(world):
    partner = client_for(world.partner_a)
    assert partner.get(OPTIONS, {"q": "projet"}).status_code == 404
    assert partner.get(OPTIONS, {"q": "projet", "as": "checks", "field": "projects"}).status_code == 404


def test_an_id_no_row_can_have_is_refused_not_a_crash(staff_client, world):
    huge = "9" * 20
    assert (
        staff_client.get(
            OPTIONS, {"q": "projet", "programme": huge, "field": "project", "project": huge}
        ).status_code
        == 200
    )
    boxes_url = OPTIONS + f"?as=checks&field=projects&q=projet&projects={huge}"
    assert staff_client.get(boxes_url).status_code == 200
    response = staff_client.post(
        reverse("evaluation:lesson.create"),
        _lesson(projects=[huge]),
    )
    assert response.status_code == 200 and not Lesson.objects.exists()
