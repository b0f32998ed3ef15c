"""Bad input is refused at the edge (issue #13, item 6): each example of the attack campaign gets a clear
French message and saves nothing, and the pages that choked on what was stored before keep working."""

import importlib
import inspect
import pkgutil
from datetime import date, datetime
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluation import services as evaluation_services
from evaluation.models import Measurement, ProjectIndicator
from programme.forms import EdgeChecks, LoginForm
from programme.models import Organisation
from projects.models import GateDecision, Milestone, Project, Workshop
from tests.evaluation.factories import IndicatorFactory, ProjectIndicatorFactory

pytestmark = pytest.mark.django_db

RLO, PDI = "\u202e", "\u2069"  # right-to-left override, pop directional isolate

#: Forms that are not Parcours' own: allauth's login (no date, no name typed).
NOT_OURS = {LoginForm}


def _classes_of_the_apps(module_name: str, base: type) -> set[type]:
    """The subclasses of `base` defined in every `<module_name>` module of the apps (forms, filters)."""
    found: set[type] = set()
    for package in ("programme", "prospects", "projects", "evaluation"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if info.name.rsplit(".", 1)[-1] != module_name:
                continue
            module = importlib.import_module(info.name)
            for _name, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, base) and value.__module__ == module.__name__:
                    found.add(value)
    return found


def _app_forms() -> list[type[forms.BaseForm]]:
    return sorted(_classes_of_the_apps("forms", forms.BaseForm) - NOT_OURS, key=lambda c: c.__qualname__)


def test_every_form_of_the_apps_checks_dates_bidi_and_double_submits():
    classes = _app_forms()
    assert len(classes) > 40  # the walk found the forms (it would pass vacuously otherwise)
    assert [c.__qualname__ for c in classes if not issubclass(c, EdgeChecks)] == []


def test_a_milestone_dated_9999_is_refused_with_a_french_message(staff_client, world):
    url = reverse("projects:milestone.create", args=[world.project_a.pk])
    response = staff_client.post(url, {"title": "Bilan", "due_date": "9999-12-31", "status": "planned"})
    assert response.status_code == 200
    assert "Indiquez une date comprise entre 1900 et 2100." in response.content.decode()
    assert not Milestone.objects.exists()


def test_a_workshop_dated_9999_is_refused(staff_client, world):
    url = reverse("projects:workshop.create", args=[world.project_a.pk])
    data = {"title": "Atelier", "step": "needs", "starts_at": "9999-12-31T10:00", "duration_minutes": 60}
    response = staff_client.post(url, data)
    assert "Indiquez une date comprise entre 1900 et 2100." in response.content.decode()
    assert not Workshop.objects.exists()


def test_a_date_before_1900_is_refused_too(staff_client, world):
    url = reverse("projects:milestone.create", args=[world.project_a.pk])
    response = staff_client.post(url, {"title": "Bilan", "due_date": "1850-01-01", "status": "planned"})
    assert "Indiquez une date comprise entre 1900 et 2100." in response.content.decode()
    assert not Milestone.objects.exists()


def test_the_timeline_and_the_portal_survive_a_date_stored_before_the_check(
    staff_client, partner_b_client, world
):
    """Rows saved before forms refused them (9999-12-31) no longer turn the pages into 500s."""
    Milestone.objects.create(project=world.project_b, title="Jalon lointain", due_date=date(9999, 12, 31))
    Workshop.objects.create(
        project=world.project_b,
        title="Atelier lointain",
        step="needs",
        starts_at=timezone.make_aware(datetime(9999, 12, 31, 10, 0)),
        shared_with_collective=True,
    )
    assert staff_client.get(reverse("projects:project.detail", args=[world.project_b.pk])).status_code == 200
    assert partner_b_client.get(reverse("portal:project", args=[world.project_b.pk])).status_code == 200


def test_staff_measurement_for_a_period_ending_in_2030_is_refused(staff_client, world):
    pi = ProjectIndicatorFactory(project=world.project_a)
    start = date(timezone.localdate().year, 1, 1)
    url = reverse("evaluation:measurement.create", args=[pi.pk])
    data = {"period_start": start.isoformat(), "period_end": "2030-12-31", "value": "3", "confirm": "on"}
    response = staff_client.post(url, data)
    assert "se termine dans plus de deux ans" in response.content.decode()
    assert not Measurement.objects.exists()


def test_a_partner_cannot_record_a_period_ending_years_ahead_either(world):
    pi = ProjectIndicatorFactory(
        project=world.project_a, reporter="partner", reporter_organisation=world.org_a
    )
    with pytest.raises(ValidationError) as refused:
        evaluation_services.measurement_record(
            actor=world.partner_a,
            project_indicator=pi,
            period_start=date(timezone.localdate().year, 1, 1),
            period_end=date(2030, 12, 31),
            value=Decimal(3),
            confirmed=True,
        )
    assert "plus de deux ans" in str(refused.value)
    assert not Measurement.objects.exists()


def test_a_running_period_still_asks_for_a_confirmation(world):
    """The horizon does not forbid the current period: it is flagged, as before, not refused."""
    pi = ProjectIndicatorFactory(project=world.project_a)
    today = timezone.localdate()
    with pytest.raises(evaluation_services.ConfirmationNeeded):
        evaluation_services.measurement_record(
            actor=world.staff,
            project_indicator=pi,
            period_start=date(today.year, 1, 1),
            period_end=date(today.year, 12, 31) if today.month < 12 else date(today.year + 1, 6, 30),
            value=Decimal(3),
        )


def test_a_negative_target_on_a_count_is_refused(staff_client, world):
    indicator = IndicatorFactory(type="count")
    data = {
        "indicator": indicator.pk,
        "target_value": "-10",
        "target_date": "2027-12-31",
        "reporter": "staff",
    }
    url = reverse("evaluation:project_indicator.create", args=[world.project_a.pk])
    response = staff_client.post(url, data)
    assert "une valeur positive ou nulle est attendue" in response.content.decode()
    assert not ProjectIndicator.objects.exists()


def test_an_intermediate_target_above_100_percent_is_refused(staff_client, world):
    pi = ProjectIndicatorFactory(project=world.project_a, indicator=IndicatorFactory(type="percentage"))
    response = staff_client.post(
        reverse("evaluation:target.add", args=[pi.pk]),
        {"period_end": "2027-06-30", "value": "150"},
        follow=True,
    )
    assert "Un pourcentage ne dépasse pas 100." in response.content.decode()
    assert not pi.targets.exists()


def test_a_gate_decision_dated_before_the_project_existed_is_refused(director_client, world):
    project = world.project_a
    data = {
        "outcome": "continue",
        "decided_on": "2000-01-01",
        "committee": "Comité",
        "rationale": "Motivation",
        "expected_version": project.phase_version,
    }
    response = director_client.post(reverse("projects:gate.decide", args=[project.pk]), data)
    assert "La décision ne peut pas précéder l’existence du projet" in response.content.decode()
    assert not GateDecision.objects.exists()
    assert Project.objects.get(pk=project.pk).phase == project.phase


@pytest.mark.parametrize(("field", "value"), [("siren", "000000000"), ("siret", "00000000000000")])
def test_an_identifier_of_all_zeros_is_refused(staff_client, world, field, value):
    data = {"name": "Zéro", "kind": "association", "town": "Lyon", field: value}
    response = staff_client.post(reverse("programme:organisation.create"), data)
    assert "uniquement de zéros" in response.content.decode()
    assert not Organisation.objects.filter(name="Zéro").exists()


def test_an_oversized_body_gets_the_french_400_page(staff_client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = staff_client.post(
        reverse("programme:organisation.create"),
        {"name": "Trop", "kind": "association", "description": "é" * (1024 * 1024)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Contenu trop volumineux" in page and "rien n’a été enregistré" in page and "1\u00a0Mo" in page
    assert not Organisation.objects.filter(name="Trop").exists()


def test_a_text_of_more_than_50_000_characters_is_refused_with_its_length(staff_client, world):
    """A text area's field has no limit in the database: the form caps it (`programme.forms.TEXT_MAX`) and
    says by how much, saving nothing; exactly the limit is taken."""
    data = {"name": "Trop bavarde", "kind": "association", "description": "é" * 50_001}
    response = staff_client.post(reverse("programme:organisation.create"), data)
    assert response.status_code == 200
    assert (
        "Ce texte est trop long\u202f: 50\u00a0000 caractères au plus (il en compte 50\u00a0001)."
        in response.content.decode()
    )
    assert not Organisation.objects.filter(name="Trop bavarde").exists()
    staff_client.post(reverse("programme:organisation.create"), {**data, "description": "é" * 50_000})
    assert len(Organisation.objects.get(name="Trop bavarde").description) == 50_000


def test_every_text_area_without_a_limit_gets_the_cap_and_others_keep_theirs():
    from programme.forms import Form, validate_text_length

    class Note(Form):
        text = forms.CharField(widget=forms.Textarea)
        short = forms.CharField(widget=forms.Textarea, max_length=300)
        line = forms.CharField()

    form = Note({"text": "x" * 50_001, "short": "y" * 301, "line": "z" * 60_000})
    assert not form.is_valid()
    assert form.errors["text"][0].startswith("Ce texte est trop long")
    assert "300" in form.errors["short"][0] and "line" not in form.errors
    assert validate_text_length not in form.fields["short"].validators


def test_bidi_controls_are_stripped_from_names_and_titles(staff_client, world):
    data = {"name": f"Coop {RLO}fdp.exe{PDI}", "kind": "association", "town": "Lyon"}
    staff_client.post(reverse("programme:organisation.create"), data)
    assert Organisation.objects.filter(name="Coop fdp.exe").exists()
    url = reverse("projects:milestone.create", args=[world.project_a.pk])
    staff_client.post(url, {"title": f"Jalon {RLO}lanif", "due_date": "2027-01-15", "status": "planned"})
    assert Milestone.objects.get().title == "Jalon lanif"


def test_passwords_keep_every_character_they_were_typed_with():
    """Bidi controls are stripped from what is displayed, never from a secret."""
    from programme.forms import AcceptInvitationForm
    from programme.models import Invitation

    form = AcceptInvitationForm(
        {"password1": f"a{RLO}b", "password2": f"a{RLO}b"}, invitation=Invitation(email="x@test.fr")
    )
    form.full_clean()
    assert form.data["password1"] == f"a{RLO}b"


# --- Filter forms: dates within 1900–2100 and a period in order, never a 500 -------------------------------


def _filtersets() -> list[type]:
    import django_filters

    return sorted(_classes_of_the_apps("filters", django_filters.FilterSet), key=lambda c: c.__qualname__)


def test_every_filter_with_dates_checks_them_like_every_form():
    import django_filters

    dated = [
        f
        for f in _filtersets()
        if any(
            isinstance(x, (django_filters.DateFilter, django_filters.DateFromToRangeFilter))
            for x in f.base_filters.values()
        )
    ]
    assert dated  # the report list filters by order date
    assert [f.__qualname__ for f in dated if not issubclass(f._meta.form, EdgeChecks)] == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("ordered_after=9999-12-31", "Indiquez une date comprise entre 1900 et 2100."),
        ("ordered_before=1850-01-01", "Indiquez une date comprise entre 1900 et 2100."),
        ("ordered_after=99999-01-01", "Saisissez une date valide."),
        ("ordered_after=2026-05-01&ordered_before=2026-01-01", "La fin de la période précède son début."),
    ],
)
def test_a_report_list_filtered_on_impossible_dates_says_so(staff_client, world, query, message):
    from evaluation.models import Report

    Report.objects.create(
        kind="activity", programme=world.programme, dedupe_key="k", title="Rapport d’activité", status="done"
    )
    url = f"{reverse('evaluation:report.list')}?{query}"
    for headers in ({}, {"HX-Request": "true"}):
        response = staff_client.get(url, headers=headers)
        assert response.status_code == 200
        page = response.content.decode()
        assert message in page.replace("&#x27;", "'")
        assert "Rapport d’activité" in page  # the impossible filter is left out, the list still shows


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("9999-01-01", "9999-12-31", "Indiquez une date comprise entre 1900 et 2100."),
        ("2026-05-01", "2026-01-01", "La fin de la période précède son début."),
    ],
)
def test_a_report_ordered_for_an_impossible_period_is_refused(staff_client, world, start, end, message):
    from evaluation.models import Report

    data = {"kind": "activity", "programme": world.programme.pk, "period_start": start, "period_end": end}
    response = staff_client.post(reverse("evaluation:report.create"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("query", ["year=99999", "year=1800", "year=abc", "programme=abc&year=-1"])
def test_the_dashboard_ignores_an_impossible_year(director_client, world, query):
    assert director_client.get(f"{reverse('evaluation:dashboard')}?{query}").status_code == 200
