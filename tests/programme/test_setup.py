"""Programme settings (issue #18): directors change programmes, promotions, themes and territories without the
Django admin; staff read them; every change is in the audit trail; what is in use is archived, not deleted."""

from datetime import date

import pytest
from django.urls import reverse

from programme.models import AuditEntry, Cohort, Programme, Territory, Theme
from tests.factories import CohortFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def _list(kind: str) -> str:
    return reverse("setup:list", args=[kind])


def test_the_director_finds_the_settings_in_the_sidebar(world, director_client, staff_client):
    assert reverse("setup:index") in director_client.get(reverse("home")).content.decode()
    page = director_client.get(reverse("setup:index")).content.decode()
    for text in (
        "Programmes",
        "Promotions",
        "Thématiques",
        "Territoires",
        "Grilles d’évaluation",
        "Modèles de phase",
    ):
        assert text in page
    # Staff read the settings but are offered no change.
    listing = staff_client.get(_list("promotions")).content.decode()
    assert "Promotion Test" in listing and "Nouvelle promotion" not in listing
    assert staff_client.get(reverse("setup:create", args=["promotions"])).status_code == 404


def test_the_director_creates_a_programme_with_its_durations_and_reminders(world, director_client):
    response = director_client.post(
        reverse("setup:create", args=["programmes"]),
        {
            "name": "Programme Nantes",
            "emergence_months": "9",
            "experimentation_months": "15",
            "reminder_offsets": "7; 21, 1",
            "default_lead": world.staff.pk,
        },
    )
    assert response.status_code == 302
    programme = Programme.objects.get(name="Programme Nantes")
    assert programme.emergence_months == 9 and programme.reminder_offsets == [21, 7, 1]
    assert programme.default_lead == world.staff
    assert AuditEntry.objects.filter(action="programme.created", object_id=str(programme.pk)).exists()
    page = director_client.get(_list("programmes")).content.decode()
    assert "Programme Nantes" in page and "21, 7, 1" in page


def test_the_director_chooses_what_the_register_import_keeps(world, director_client):
    """Issue #21: the SIRENE import's targets are programme settings (prospects.sirene reads them)."""
    edit = reverse("setup:edit", args=["programmes", world.programme.pk])
    page = director_client.get(edit).content.decode()
    assert "Formes juridiques gardées du répertoire SIRENE" in page and "Coopérative (dont SCIC)" in page
    response = director_client.post(
        edit,
        {
            "name": world.programme.name,
            "emergence_months": "10",
            "experimentation_months": "18",
            "register_categories": ["association", "scop"],
            "register_departements": "69; 1 2a, 69",
        },
    )
    assert response.status_code == 302
    world.programme.refresh_from_db()
    assert world.programme.register_categories == ["association", "scop"]
    assert world.programme.register_departements == ["01", "2A", "69"]
    entry = AuditEntry.objects.filter(action="programme.updated", object_id=str(world.programme.pk)).latest(
        "pk"
    )
    assert "register_departements" in str(entry.changes)
    assert "01, 2A, 69" in director_client.get(edit).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Autre", "register_departements": "69, 20"}, "n’est pas un code de département"),
        ({"name": "Autre", "register_categories": ["other"]}, "choix valide"),
        ({"name": "programme test"}, "Un programme porte déjà ce nom."),
        ({"name": "Autre", "emergence_months": "0"}, "supérieure ou égale à 1"),
        ({"name": "Autre", "reminder_offsets": "quatorze"}, "séparés par des virgules"),
    ],
)
def test_a_bad_programme_is_refused_in_french_and_nothing_is_saved(world, director_client, data, message):
    before = Programme.objects.count()
    response = director_client.post(
        reverse("setup:create", args=["programmes"]),
        {"emergence_months": "10", "experimentation_months": "18", **data},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Programme.objects.count() == before


def _cohort(world, **data):
    return {
        "programme": world.programme.pk,
        "name": "Promotion 2028",
        "year": "2028",
        "start_date": "2028-01-15",
        "end_date": "2030-12-31",
        "capacity": "8",
        "selection_committee_on": "2028-01-02",
        **data,
    }


def test_the_director_creates_a_cohort_with_its_committee_date(world, director_client):
    response = director_client.post(reverse("setup:create", args=["promotions"]), _cohort(world))
    assert response.status_code == 302
    cohort = Cohort.objects.get(name="Promotion 2028")
    assert cohort.selection_committee_on == date(2028, 1, 2) and cohort.capacity == 8
    assert "2 janv. 2028" in director_client.get(_list("promotions")).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": "2026"}, "deux promotions d’un même programme ne peuvent pas se chevaucher"),
        ({"name": "promotion test"}, "Une promotion de ce programme porte déjà ce nom."),
        ({"end_date": "2027-01-01"}, "La fin de la promotion précède son début."),
        ({"selection_committee_on": "2028-02-01"}, "Le comité de sélection se tient avant le début"),
    ],
)
def test_a_bad_cohort_is_refused_in_french_and_nothing_is_saved(world, director_client, data, message):
    response = director_client.post(reverse("setup:create", args=["promotions"]), _cohort(world, **data))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Cohort.objects.count() == 1


def test_editing_a_cohort_keeps_its_own_year(world, director_client):
    url = reverse("setup:edit", args=["promotions", world.cohort.pk])
    response = director_client.post(
        url,
        _cohort(
            world,
            name="Promotion Test",
            year="2026",
            start_date="2026-01-15",
            selection_committee_on="2026-01-02",
        ),
    )
    assert response.status_code == 302
    world.cohort.refresh_from_db()
    assert world.cohort.end_date == date(2030, 12, 31)
    entry = AuditEntry.objects.get(action="cohort.updated", object_id=str(world.cohort.pk))
    assert "end_date" in entry.changes


def test_a_duplicate_theme_or_territory_name_is_a_form_error(world, director_client):
    Theme.objects.create(name="Alimentation")
    Territory.objects.create(name="Vaulx-en-Velin")
    for kind, name, message in (
        ("thematiques", "alimentation", "Une thématique porte déjà ce nom."),
        ("territoires", "Vaulx-en-Velin", "Un territoire porte déjà ce nom."),
    ):
        response = director_client.post(reverse("setup:create", args=[kind]), {"name": name})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert Theme.objects.count() == 1 and Territory.objects.count() == 1


def test_something_in_use_is_not_deleted_but_can_be_archived(world, director_client):
    theme = Theme.objects.create(name="Alimentation")
    world.project_a.themes.add(theme)
    response = director_client.post(reverse("setup:delete", args=["thematiques", theme.pk]), follow=True)
    page = response.content.decode()
    assert "il ne peut pas être supprimé" in page and "projets\u202f: 1" in page
    assert Theme.objects.filter(pk=theme.pk).exists()
    director_client.post(reverse("setup:archive", args=["thematiques", theme.pk]), {"active": "0"})
    theme.refresh_from_db()
    assert not theme.is_active
    assert AuditEntry.objects.filter(action="theme.updated", object_id=str(theme.pk)).exists()
    assert "archivé" in director_client.get(_list("thematiques")).content.decode()
    # The programme itself is in use too (its promotion, its projects).
    director_client.post(reverse("setup:delete", args=["programmes", world.programme.pk]))
    assert Programme.objects.filter(pk=world.programme.pk).exists()


def test_something_unused_is_deleted_and_the_deletion_audited(world, director_client):
    territory = Territory.objects.create(name="Pays de Retz")
    response = director_client.post(reverse("setup:delete", args=["territoires", territory.pk]))
    assert response.status_code == 302
    assert not Territory.objects.filter(pk=territory.pk).exists()
    assert AuditEntry.objects.filter(action="territory.deleted", object_repr="Pays de Retz").exists()


def test_the_settings_lists_cost_the_same_queries_whatever_the_rows(
    world, director_client, django_assert_num_queries
):
    def count_for(kind: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert director_client.get(_list(kind)).status_code == 200
        return len(queries)

    first = {kind: count_for(kind) for kind in ("programmes", "promotions")}
    for year in range(2030, 2035):
        programme = ProgrammeFactory(default_lead=world.staff)
        CohortFactory(programme=programme, year=year)
    assert {kind: count_for(kind) for kind in ("programmes", "promotions")} == first
