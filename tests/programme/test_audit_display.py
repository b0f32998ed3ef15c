"""History sections as a person reads them: translated actions and fields, values as the pages show them,
a record's children's changes, in the reader's language."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from evaluation import services as evaluation_services
from programme.audit import (
    ACTION_LABELS,
    VERB_LABELS,
    action_label,
    audit_log,
    display_value,
    field_label,
    history,
)
from projects.models import Project
from prospects.models import Prospect
from tests.conftest import client_for
from tests.evaluation.factories import IndicatorFactory, ProjectIndicatorFactory, record
from tests.projects.funding.factories import funding_side
from tests.prospects.factories import prospect_in
from tests.test_typography import typography_faults

pytestmark = pytest.mark.django_db


def _history_text(html: str) -> str:
    return (
        html.split("Historique des modifications", 1)[1] if "Historique des modifications" in html else html
    )


def test_actions_fields_and_values_read_as_words():
    assert action_label("project.gate.continue") == "Décision d’étape\u202f: poursuite"
    assert action_label("measurement.validated") == "Validation"
    assert action_label("something.never_named") == "Never named"  # words, never a code
    assert field_label(Prospect, "source") == "Source"
    assert field_label(Project, "planned_end") != "planned_end"
    assert display_value(Prospect._meta.get_field("source"), "network") == "Réseau"
    assert display_value(Project._meta.get_field("start_date"), "2027-01-01") == "1er janv. 2027"
    assert display_value(None, None) == "—"


def _action_codes_written() -> set[str]:
    """Every action code the apps write to the trail as a literal (`action="prospect.email_sent"`), and the
    SIRENE import's, written from its status."""
    from pathlib import Path

    from prospects.sirene.models import RegisterImportStatus

    root = Path(__file__).resolve().parents[2]
    codes: set[str] = set()
    for app in ("programme", "prospects", "projects", "evaluation"):
        for path in (root / app).rglob("*.py"):
            if "migrations" not in path.parts:
                codes |= set(re.findall(r'action="([a-z_]+(?:\.[a-z_]+)+)"', path.read_text()))
    return codes | {f"register_import.{status}" for status in RegisterImportStatus.values}


def test_every_action_the_apps_write_has_a_french_name():
    """A history never shows « Email sent » or « Retried »: every action code written has its French
    label (whole, or by its last word)."""
    codes = _action_codes_written()
    assert "prospect.email_sent" in codes and "outgoing_email.retried" in codes  # the scan reads the code
    unnamed = sorted(c for c in codes if c not in ACTION_LABELS and c.rpartition(".")[2] not in VERB_LABELS)
    assert unnamed == []
    assert action_label("prospect.email_sent") == "E-mail envoyé"
    assert action_label("register_import.done") == "Import du répertoire terminé"
    from evaluation.models import Report

    assert field_label(Report, "money") == "Budget et financements"  # a key that is no field of the report


def test_a_prospect_history_shows_labels_not_codes(world, staff_client):
    prospect = prospect_in(world)
    audit_log(
        actor=world.staff, obj=prospect, action="prospect.created", changes={"source": [None, "network"]}
    )
    html = staff_client.get(reverse("prospects:prospect.detail", kwargs={"pk": prospect.pk})).content.decode()
    text = _history_text(html)
    assert "Création" in text and "Source\u202f: Réseau" in text
    assert "prospect.created" not in text and "network" not in text and "∅" not in text
    assert not typography_faults(html)


def test_a_project_history_names_the_gate_decision(world, staff_client):
    audit_log(
        actor=world.director,
        obj=world.project_a,
        action="project.gate.continue",
        changes={"phase": ["selection", "emergence"]},
    )
    html = staff_client.get(
        reverse("projects:project.detail", kwargs={"pk": world.project_a.pk})
    ).content.decode()
    text = _history_text(html)
    assert "Décision d’étape\u202f: poursuite" in text
    assert "Sélection → Émergence" in text
    assert "project.gate" not in text


def test_an_indicator_history_includes_its_values(world, staff_client):
    pi = ProjectIndicatorFactory(project=world.project_a, indicator=IndicatorFactory(name="Emplois créés"))
    measurement = record(world.staff, pi, value=4)
    measurement.refresh_from_db()
    evaluation_services.measurement_correct(
        actor=world.director, measurement=measurement, reason="Erreur de saisie", value=5
    )
    entries = history(pi, pi.measurements.all(), pi.targets.all())
    assert entries[0].action == "Correction d’une valeur validée"
    assert entries[0].subject.startswith("Mesure «\u202fEmplois créés — 1er janv. 2026 – 31 mars 2026")
    assert "Valeur\u202f: 4 → 5" in [f"{c.label}\u202f: {c.before} → {c.after}" for c in entries[0].changes]
    html = staff_client.get(
        reverse("evaluation:project_indicator.detail", kwargs={"pk": pi.pk})
    ).content.decode()
    assert "Aucune modification enregistrée" not in html
    assert "Correction d’une valeur validée" in _history_text(html)


def test_history_speaks_english_in_english(world):
    prospect = prospect_in(world)
    audit_log(
        actor=world.staff, obj=prospect, action="prospect.created", changes={"source": [None, "network"]}
    )
    with translation.override("en"):
        [entry] = history(prospect)
        assert entry.action == "Creation"
        assert entry.changes[0].after == "Network"


def test_the_history_section_reads_english_on_an_english_page(world):
    prospect = prospect_in(world)
    audit_log(
        actor=world.staff, obj=prospect, action="prospect.created", changes={"source": [None, "network"]}
    )
    client = client_for(world.staff)
    url = reverse("prospects:prospect.detail", kwargs={"pk": prospect.pk})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    history_part = page.split("Change history", 1)[1]
    assert "Creation" in history_part and "Source: Network" in history_part
    assert "Création" not in history_part and "\u202f:" not in history_part


def test_an_indicator_history_writes_values_as_the_indicator_pages_do(world, staff_client):
    """A rate reads « 73,8 % », a count its unit, a target its date and unit — never « 73,81 »."""
    rate = ProjectIndicatorFactory(
        project=world.project_a, indicator=IndicatorFactory(name="Taux d’insertion", type="percentage")
    )
    record(world.staff, rate, numerator=31, denominator=42)
    jobs = ProjectIndicatorFactory(
        project=world.project_a,
        indicator=IndicatorFactory(name="Emplois créés", unit="emplois", unit_singular="emploi"),
    )
    record(world.staff, jobs, value=1)
    evaluation_services.indicator_target_set(
        actor=world.staff, project_indicator=jobs, period_end=date(2026, 12, 31), value=Decimal("12")
    )
    with translation.override("fr"):
        [rate_entry] = [e for e in history(rate, rate.measurements.all()) if e.subject]
        jobs_history = history(jobs, jobs.measurements.all())
    values = {c.label: c.after for c in rate_entry.changes}
    assert values["Valeur"] == "73,8\u00a0%"
    shown = [f"{c.label}\u202f: {c.after}" for e in jobs_history for c in e.changes]
    assert "Valeur\u202f: 1\u00a0emploi" in shown
    assert "Cible\u202f: 12\u00a0emplois au 31 déc. 2026" in shown
    html = staff_client.get(
        reverse("evaluation:project_indicator.detail", kwargs={"pk": rate.pk})
    ).content.decode()
    assert "73,8\u00a0%" in _history_text(html) and "73,81" not in _history_text(html)


def test_a_project_history_holds_its_own_records_changes_and_no_other_projects(world, staff_client):
    # The overview's trail statement is compiled once per process: each project must still get its own.
    funding_side(world.staff, world.project_a, "AAA")
    funding_side(world.staff, world.project_b, "BBB")
    for project, mine, theirs in ((world.project_a, "AAA", "BBB"), (world.project_b, "BBB", "AAA")):
        html = staff_client.get(
            reverse("projects:project.detail", kwargs={"pk": project.pk})
        ).content.decode()
        text = _history_text(html).replace("\u202f", " ").replace("\xa0", " ")
        assert f"Convention « CONV-{mine} »" in text
        assert f"Versement reçu « CONV-{mine} — " in text  # two steps away: payment → convention → project
        assert theirs not in text
