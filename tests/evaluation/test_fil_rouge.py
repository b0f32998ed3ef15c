"""The fil rouge (#19, item 3): need → idea → prototype → indicator → result → lesson, drawn as an SVG graph
and a list, its gaps flagged, links refused across projects, the collective's view, a pinned query count."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.filrouge import services as filrouge_services
from evaluation.models import Measurement
from evaluation.services import rollup_refresh
from projects.models import WorkshopItem
from tests.conftest import client_for
from tests.evaluation import judgement_helpers as h
from tests.evaluation.factories import IndicatorFactory, LessonFactory, ProjectIndicatorFactory
from tests.projects.factories import CommitteeFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


def chain(world, project=None, n: int = 1, *, reporter: str = "partner"):
    """`n` threads need → idea → prototype, each prototype tested by an indicator with a validated value and
    drawn into a lesson; returns the last thread's pieces."""
    project = project or world.project_a
    workshop = WorkshopFactory(project=project, title="Atelier besoins")
    pieces = {}
    for index in range(n):
        need = WorkshopItem.objects.create(
            project=project, workshop=workshop, kind="need", title=f"Besoin {index}"
        )
        idea = WorkshopItem.objects.create(project=project, kind="idea", title=f"Idée {index}", answers=need)
        prototype = WorkshopItem.objects.create(
            project=project, kind="prototype", title=f"Prototype {index}", answers=idea
        )
        pi = ProjectIndicatorFactory(
            project=project, indicator=IndicatorFactory(name=f"Indicateur {index}"), reporter=reporter
        )
        Measurement.objects.create(
            project_indicator=pi,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31),
            value=Decimal(30),
            status="validated",
        )
        rollup_refresh(project_indicator=pi, years=[2026])
        filrouge_services.indicator_outputs_set(actor=world.staff, project_indicator=pi, outputs=[prototype])
        lesson = LessonFactory(programme=world.programme, title=f"Enseignement {index}")
        lesson.projects.add(project)
        filrouge_services.lesson_sources_set(
            actor=world.staff,
            lesson=lesson,
            project=project,
            outputs=[prototype],
            workshops=[workshop],
            committees=[],
        )
        pieces = {"need": need, "idea": idea, "prototype": prototype, "pi": pi, "lesson": lesson}
    return pieces


def test_the_fil_rouge_draws_the_chain_and_lists_it(world, staff_client):
    pieces = chain(world)
    html = staff_client.get(reverse("evaluation:filrouge", args=[world.project_a.pk])).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    for label in ("Besoin 0", "Idée 0", "Prototype 0", "Indicateur 0", "Enseignement 0"):
        assert label in svg
    assert svg.count("<line") >= 5  # need→idea→prototype→indicator→result→lesson
    # The same chain as a nested list, in order.
    listing = html[html.index('class="filrouge__list"') :]
    positions = [listing.index(label) for label in ("Besoin 0", "Idée 0", "Prototype 0", "Indicateur 0")]
    assert positions == sorted(positions)
    assert "30" in listing and "de la cible" in listing  # the result: indicator_summary's figure
    assert "atelier «\u202fAtelier besoins\u202f»" in listing  # where the lesson comes from
    assert "dans le fil rouge :" not in html  # nothing missing
    assert pieces["pi"].outputs.get() == pieces["prototype"]


def test_the_gaps_are_flagged(world, staff_client):
    chain(world)
    WorkshopItem.objects.create(project=world.project_a, kind="prototype", title="Prototype orphelin")
    tested = WorkshopItem.objects.create(project=world.project_a, kind="idea", title="Idée testée")
    pi = ProjectIndicatorFactory(project=world.project_a, indicator=IndicatorFactory(name="Sans leçon"))
    filrouge_services.indicator_outputs_set(actor=world.staff, project_indicator=pi, outputs=[tested])
    # An indicator testing nothing is listed apart, not counted as a gap.
    loose = ProjectIndicatorFactory(project=world.project_a, indicator=IndicatorFactory(name="Isolé"))
    for measured in (loose, pi):
        Measurement.objects.create(
            project_indicator=measured,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31),
            value=4,
            status="validated",
        )
    html = staff_client.get(reverse("evaluation:filrouge", args=[world.project_a.pk])).content.decode()
    assert "2 manques dans le fil rouge" in html
    assert "Prototype orphelin — prototype sans indicateur" in html
    assert "(Sans leçon) — résultat sans enseignement" in html
    assert 'stroke-dasharray="5 3"' in html  # drawn dashed in the graph, and said in words
    assert "Indicateurs reliés à aucune production" in html and "(Isolé)" not in html


def test_staff_link_a_prototype_to_an_indicator_from_the_page(world, staff_client):
    prototype = WorkshopItem.objects.create(project=world.project_a, kind="prototype", title="Permanence")
    pi = ProjectIndicatorFactory(project=world.project_a, indicator=IndicatorFactory(name="Aidants reçus"))
    url = reverse("evaluation:filrouge.indicator_outputs", args=[pi.pk])
    page = staff_client.get(url).content.decode()
    assert "Prototype\u202f: Permanence" in page
    response = staff_client.post(url, {"outputs": [prototype.pk]})
    assert response.status_code == 302
    assert list(pi.outputs.all()) == [prototype]
    html = staff_client.get(reverse("evaluation:filrouge", args=[world.project_a.pk])).content.decode()
    assert "sans indicateur" not in html


def test_linking_another_projects_pieces_is_refused_and_saves_nothing(world, staff_client):
    pi = ProjectIndicatorFactory(project=world.project_a)
    foreign = WorkshopItem.objects.create(project=world.project_b, kind="prototype", title="Prototype de B")
    response = staff_client.post(
        reverse("evaluation:filrouge.indicator_outputs", args=[pi.pk]), {"outputs": [foreign.pk]}
    )
    assert response.status_code == 200
    assert "appartiennent à un autre projet" in response.content.decode()
    assert "Prototype de B" in response.content.decode()
    assert not pi.outputs.exists()

    lesson = LessonFactory(programme=world.programme)
    lesson.projects.add(world.project_a)
    workshop_b = WorkshopFactory(project=world.project_b, title="Atelier de B")
    committee_b = CommitteeFactory(project=world.project_b)
    response = staff_client.post(
        reverse("evaluation:filrouge.lesson_sources", args=[world.project_a.pk, lesson.pk]),
        {"workshops": [workshop_b.pk], "committees": [committee_b.pk]},
    )
    assert response.status_code == 200
    assert response.content.decode().count("appartiennent à un autre projet") == 2
    assert not lesson.workshops.exists() and not lesson.committees.exists()
    # A lesson that does not concern the project: no page for it there.
    other = LessonFactory(programme=world.programme)
    assert (
        staff_client.get(
            reverse("evaluation:filrouge.lesson_sources", args=[world.project_a.pk, other.pk])
        ).status_code
        == 404
    )


def test_the_collective_sees_its_shared_pieces_and_no_unshared_lesson(world, partner_a_client):
    chain(world)
    team = WorkshopItem.objects.create(
        project=world.project_a, kind="prototype", title="Prototype testé par l’équipe"
    )
    team_pi = ProjectIndicatorFactory(
        project=world.project_a, indicator=IndicatorFactory(name="INDICATEUREQUIPE"), reporter="staff"
    )
    filrouge_services.indicator_outputs_set(actor=world.staff, project_indicator=team_pi, outputs=[team])
    html = partner_a_client.get(reverse("portal:filrouge", args=[world.project_a.pk])).content.decode()
    assert "Prototype 0" in html and "Indicateur 0" in html
    assert "INDICATEUREQUIPE" not in html  # the team reports it: the portal does not show it
    assert "Enseignement 0" not in html  # a lesson the team did not share
    assert "sans indicateur" not in html  # the gaps are the team's to fill


def _finding_chain(world):
    """A prototype tested by the protocol's indicator (30 meals, validated), whose question has a finding."""
    found = h.finding(world)
    pi = found.question.criteria.get().project_indicators.get()
    prototype = WorkshopItem.objects.create(project=world.project_a, kind="prototype", title="Cantine")
    filrouge_services.indicator_outputs_set(actor=world.staff, project_indicator=pi, outputs=[prototype])
    lesson = LessonFactory(programme=world.programme, title="Enseignement du constat")
    lesson.projects.add(world.project_a)
    return found, pi, lesson


def test_a_lesson_drawn_from_a_finding_hangs_on_its_results(world, staff_client):
    found, pi, lesson = _finding_chain(world)
    page = staff_client.get(reverse("evaluation:filrouge", args=[world.project_a.pk])).content.decode()
    assert "résultat sans enseignement" in page  # the result has no lesson yet
    url = reverse("evaluation:filrouge.lesson_sources", args=[world.project_a.pk, lesson.pk])
    form = staff_client.get(url).content.decode()
    assert h.QUESTION in form  # the project's findings are offered, by their question
    assert staff_client.post(url, {"findings": [found.pk]}).status_code == 302
    assert list(lesson.findings.all()) == [found]
    page = staff_client.get(reverse("evaluation:filrouge", args=[world.project_a.pk])).content.decode()
    assert "résultat sans enseignement" not in page and "dans le fil rouge :" not in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "Enseignement du constat" in svg and svg.count("<line") == 3  # prototype→indicator→result→lesson
    listing = page[page.index('class="filrouge__list"') :]
    assert listing.index("Cantine") < listing.index(h.INDICATOR) < listing.index("Enseignement du constat")
    assert f"constat «\u202f{h.QUESTION}\u202f»" in listing  # where the lesson comes from
    # The collective never sees a lesson the team did not share, whatever it comes from.
    portal = client_for(world.partner_a).get(reverse("portal:filrouge", args=[world.project_a.pk]))
    assert "Cantine" in portal.content.decode() and "Enseignement du constat" not in portal.content.decode()


def test_a_finding_of_another_project_is_refused_for_a_lesson(world, staff_client):
    _found, _pi, lesson = _finding_chain(world)
    foreign = h.finding(world, world.project_b, answer="Réponse du projet B")
    url = reverse("evaluation:filrouge.lesson_sources", args=[world.project_a.pk, lesson.pk])
    assert h.QUESTION in staff_client.get(url).content.decode()
    assert "Réponse du projet B" not in staff_client.get(url).content.decode()
    response = staff_client.post(url, {"findings": [foreign.pk]})
    assert response.status_code == 200
    assert "Ces constats répondent aux questions d’un autre projet" in response.content.decode()
    assert not lesson.findings.exists()


def _queries(client, project) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("evaluation:filrouge", args=[project.pk]))
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_is_pinned_and_constant_as_outputs_grow(world, staff_client):
    chain(world, n=2)
    few = _queries(staff_client, world.project_a)
    chain(world, n=6)
    assert _queries(staff_client, world.project_a) == few
    # The fil rouge itself (evaluation.filrouge.selectors.fil_rouge): the workshop outputs with their
    # workshop (1), the indicators, their targets, their measurements (3), the outputs they test (1), the
    # lessons (1), the lessons' outputs, workshops, committees, findings (4), the measurements those
    # findings link as evidence (1) = 11.
    with CaptureQueriesContext(connection) as queries:
        from django.utils import timezone

        from evaluation.filrouge.selectors import fil_rouge

        fil_rouge(user=world.staff, project=world.project_a, today=timezone.localdate())
    assert len(queries) == 11
    # The page: session (1), user (1), the project with its open phase period on its row (1:
    # projects.selectors.with_open_period), the fil rouge above (11), the « Relier » lists: the indicators,
    # the lessons (2) = 16.
    assert few == 16, few
