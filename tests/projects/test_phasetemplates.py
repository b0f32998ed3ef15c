"""Phase templates (issue #18, item 2): entering a phase creates the template's milestones, deliverables and
committees with dates from the phase start; a new version never changes projects that got an earlier one."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import Committee, Deliverable, Milestone, Outcome, Phase
from projects.phasetemplates.models import AppliedTemplate, PhaseTemplate
from projects.phasetemplates.services import template_new_version

pytestmark = pytest.mark.django_db

ITEMS = [
    {"kind": "milestone", "title": "Diagnostic partagé", "offset": 2, "offset_unit": "months"},
    {"kind": "maturity", "title": "Auto-évaluation de maturité", "offset": 15, "offset_unit": "days"},
    {
        "kind": "deliverable",
        "title": "Cahier des charges du prototype",
        "offset": 6,
        "offset_unit": "months",
        "provider": "collective",
    },
    {
        "kind": "deliverable",
        "title": "Note de cadrage",
        "offset": 30,
        "offset_unit": "days",
        "provider": "team",
    },
    {
        "kind": "committee",
        "title": "COPIL de lancement",
        "offset": 1,
        "offset_unit": "months",
        "committee_kind": "copil",
        "every_months": 3,
    },
]


def _enter_emergence(world, on: date):
    return services.project_move(
        actor=world.director,
        project=world.project_a,
        to_phase=Phase.EMERGENCE,
        outcome=Outcome.CONTINUE,
        decided_on=on,
        rationale="Collectif retenu.",
        committee="Comité de sélection",
    )


def test_entering_a_phase_creates_the_template_items_with_their_dates(world):
    world.programme.default_lead = world.staff
    world.programme.save()
    template = template_new_version(
        actor=world.director, programme=world.programme, phase="emergence", items=ITEMS
    )
    start = timezone.localdate() - timedelta(days=10)
    start = date(start.year, start.month, min(start.day, 28))
    _enter_emergence(world, start)
    project = world.project_a
    milestones = {m.title: m.due_date for m in Milestone.objects.filter(project=project)}
    assert milestones["Diagnostic partagé"] == services.add_months(start, 2)
    assert milestones["Auto-évaluation de maturité"] == start + timedelta(days=15)
    deliverables = {d.title: d for d in Deliverable.objects.filter(project=project)}
    assert deliverables["Cahier des charges du prototype"].owner_organisation == world.org_a
    assert deliverables["Note de cadrage"].owner_user == world.staff
    # A COPIL one month in, then every three months until the planned end (10 months): months 1, 4, 7, 10.
    copils = list(
        Committee.objects.filter(project=project, kind="copil")
        .order_by("date")
        .values_list("date", flat=True)
    )
    assert copils == [services.add_months(start, m) for m in (1, 4, 7, 10)]
    applied = AppliedTemplate.objects.get(project=project, phase="emergence")
    assert applied.template == template and str(template) == "Émergence v1"


def test_a_new_version_never_changes_projects_that_got_the_earlier_one(world, director_client):
    template_new_version(actor=world.director, programme=world.programme, phase="emergence", items=ITEMS[:1])
    _enter_emergence(world, timezone.localdate())
    template_new_version(
        actor=world.director,
        programme=world.programme,
        phase="emergence",
        items=[{"kind": "milestone", "title": "Autre jalon", "offset": 1, "offset_unit": "months"}],
    )
    assert list(Milestone.objects.filter(project=world.project_a).values_list("title", flat=True)) == [
        "Diagnostic partagé"
    ]
    partial = director_client.get(reverse("projects:phasetemplate.project", args=[world.project_a.pk]))
    assert "Créé depuis le modèle Émergence v1" in partial.content.decode()
    page = director_client.get(reverse("projects:project.detail", args=[world.project_a.pk])).content.decode()
    assert reverse("projects:phasetemplate.project", args=[world.project_a.pk]) in page


def test_a_templates_page_lists_its_versions_newest_first(world, director_client):
    """With their project counts the versions are a grouped query, which Django does not sort by the
    model's order: the page sorts them itself."""
    for n in range(3):
        item = {"kind": "milestone", "title": f"Jalon {n}", "offset": 1, "offset_unit": "months"}
        latest = template_new_version(
            actor=world.director, programme=world.programme, phase="emergence", items=[item]
        )
    page = director_client.get(latest.get_absolute_url()).content.decode()
    listed = page[page.index('<ul class="plain">') :]
    positions = [listed.index(f"Émergence v{version}") for version in (3, 2, 1)]
    assert positions == sorted(positions)


def test_without_a_template_entering_a_phase_creates_nothing(world):
    _enter_emergence(world, timezone.localdate())
    assert not Milestone.objects.filter(project=world.project_a).exists()
    assert not AppliedTemplate.objects.exists()


def test_an_offset_beyond_the_phase_is_refused(world):
    with pytest.raises(ValidationError, match="dépasse la durée de la phase"):
        template_new_version(
            actor=world.director,
            programme=world.programme,
            phase="emergence",
            items=[{"kind": "milestone", "title": "Trop tard", "offset": 11, "offset_unit": "months"}],
        )
    with pytest.raises(PermissionDenied):
        template_new_version(actor=world.staff, programme=world.programme, phase="emergence", items=ITEMS)
    assert not PhaseTemplate.objects.exists()


def _post(world, **item):
    data = {"items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0"}
    data.update({f"items-0-{key}": value for key, value in item.items()})
    return reverse("projects:phasetemplate.edit") + f"?programme={world.programme.pk}&phase=emergence", data


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            {"kind": "milestone", "title": "Trop tard", "offset": "301", "offset_unit": "days"},
            "dépasse la durée de la phase",
        ),
        (
            {"kind": "committee", "title": "Comité", "offset": "1", "offset_unit": "months"},
            "Choisissez l’instance du comité.",
        ),
        (
            {"kind": "deliverable", "title": "Livrable", "offset": "1", "offset_unit": "months"},
            "Indiquez qui fournit le livrable.",
        ),
    ],
)
def test_the_template_form_refuses_bad_items_in_french(world, director_client, item, message):
    url, data = _post(world, **item)
    response = director_client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PhaseTemplate.objects.exists()


def test_the_director_saves_a_version_the_staff_reads_it(world, director_client, staff_client):
    url, data = _post(
        world,
        kind="committee",
        title="COTECH",
        offset="2",
        offset_unit="months",
        committee_kind="cotech",
        every_months="2",
    )
    response = director_client.post(url, data)
    template = PhaseTemplate.objects.get()
    assert response.status_code == 302 and response["Location"] == template.get_absolute_url()
    page = staff_client.get(template.get_absolute_url()).content.decode()
    assert "COTECH" in page and "puis tous les 2 mois" in page and "Nouvelle version" not in page
    listing = staff_client.get(reverse("projects:phasetemplate.list")).content.decode()
    assert "Version 1" in listing
    # The edit page starts from the current version.
    assert 'value="COTECH"' in director_client.get(url).content.decode()


def test_the_template_list_costs_the_same_queries_whatever_the_templates(world, director_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            director_client.get(reverse("projects:phasetemplate.list"))
        return len(queries)

    first = count()
    for phase in ("emergence", "experimentation", "deployment"):
        template_new_version(actor=world.director, programme=world.programme, phase=phase, items=ITEMS[:2])
    assert count() == first
