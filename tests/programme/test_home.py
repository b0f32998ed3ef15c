"""The team's home page: what is due first, from the same source as /projets/echeances/, each panel its
app's own view loaded by URL (HTMX)."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.evaluation.factories import MeasurementFactory, ProjectIndicatorFactory
from tests.factories import ProjectFactory
from tests.projects.factories import ActionFactory, DeliverableFactory, PhasePeriodFactory


def _ago(days):
    return timezone.localdate() - timedelta(days=days)


def test_home_loads_each_panel_by_url_with_a_fallback_link(staff_client, world):
    body = staff_client.get(reverse("home")).content.decode()
    for panel, fallback in (
        ("projects:panel.deadlines", "projects:deadline.list"),
        ("evaluation:panel.measurements", "evaluation:measurement.queue"),
        ("prospects:panel.pipeline", "prospects:prospect.list"),
    ):
        assert f'hx-get="{reverse(panel)}" hx-trigger="load"' in body
        assert f'href="{reverse(fallback)}"' in body
    # What is due comes before the figures.
    assert body.index(reverse("projects:panel.deadlines")) < body.index('<p class="figure">')


def test_partners_are_sent_to_their_portal(partner_a_client, world):
    assert partner_a_client.get(reverse("home"))["Location"] == reverse("portal:home")


def test_directors_home_shows_a_gate_decision_61_days_late_first(director_client, world):
    """The bug of issue #11: the panel looked 60 days back only and said "Rien d'attendu"."""
    PhasePeriodFactory(project=world.project_a, planned_start=_ago(400), planned_end=_ago(61))
    body = director_client.get(reverse("projects:panel.deadlines")).content.decode()
    assert "Rien d’attendu" not in body
    assert "Fin de la phase « Émergence »" in body and "Projet A" in body
    assert reverse("projects:gate.dossier", args=[world.project_a.pk]) in body
    # The deadlines page says the same.
    page = director_client.get(reverse("projects:deadline.list")).content.decode()
    assert "Fin de la phase « Émergence »" in page


def test_late_items_are_ordered_gates_then_deliverables_then_actions(staff_client, world):
    world.project_a.staff_leads.add(world.staff)
    ActionFactory(
        project=world.project_a, title="Relancer la mairie", due_date=_ago(200), owner_user=world.staff
    )
    DeliverableFactory(project=world.project_a, title="Budget prévisionnel", due_date=_ago(90))
    PhasePeriodFactory(project=world.project_a, planned_start=_ago(300), planned_end=_ago(2))
    body = staff_client.get(reverse("projects:panel.deadlines")).content.decode()
    gate, deliverable, action = (
        body.index("Fin de la phase"),
        body.index("Budget prévisionnel"),
        body.index("Relancer la mairie"),
    )
    assert gate < deliverable < action
    assert reverse("projects:project.deliverables", args=[world.project_a.pk]) in body
    assert reverse("projects:project.governance", args=[world.project_a.pk]) in body
    # Nothing upcoming, but things are late: never "Rien d'attendu".
    assert "Rien d’attendu" not in body
    assert "commencez par ce qui est en retard" in body


def test_nothing_due_says_so(staff_client, world):
    body = staff_client.get(reverse("projects:panel.deadlines")).content.decode()
    assert "Rien d’attendu" in body and "En retard" not in body


def test_measurements_to_validate_per_project_with_a_link_to_the_queue(staff_client, world):
    pi = ProjectIndicatorFactory(project=world.project_a)
    MeasurementFactory(project_indicator=pi, submitted_at=timezone.now())
    MeasurementFactory(
        project_indicator=pi, period_start=_ago(200), period_end=_ago(110), submitted_at=timezone.now()
    )
    MeasurementFactory(project_indicator=pi, period_start=_ago(400), period_end=_ago(310), status="validated")
    body = staff_client.get(reverse("evaluation:panel.measurements")).content.decode()
    assert "2 valeurs soumises par les collectifs attendent votre validation." in body
    assert f"?status=submitted&amp;project={world.project_a.pk}" in body
    assert "Projet A" in body and "Projet B" not in body


def test_no_measurement_to_validate(staff_client, world):
    body = staff_client.get(reverse("evaluation:panel.measurements")).content.decode()
    assert "Aucune valeur à valider." in body


def test_panels_keep_their_query_count_as_rows_grow(director_client, world):
    def grow(n):
        for _ in range(n):
            project = ProjectFactory(programme=world.programme)
            PhasePeriodFactory(project=project, planned_start=_ago(400), planned_end=_ago(30))
            MeasurementFactory(
                project_indicator=ProjectIndicatorFactory(project=project), submitted_at=timezone.now()
            )

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert director_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    grow(2)
    deadlines, measurements = (
        count(reverse("projects:panel.deadlines")),
        count(reverse("evaluation:panel.measurements")),
    )
    grow(5)
    assert count(reverse("projects:panel.deadlines")) == deadlines
    assert count(reverse("evaluation:panel.measurements")) == measurements
    # Session and user, then: milestones, deliverables, actions, open periods, prospects, justifications
    # and instalments of the conventions (deadlines); the measurements grouped by project (measurements).
    assert (deadlines, measurements) == (9, 3)
