"""`Edit` and `save_audited`: the typed value services take instead of a form, and the audit names."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.models import EvaluationCriterion, EvaluationQuestion, Indicator, Lesson, ProjectIndicator
from programme.audit import Edit, audit_name, diff_form, save_audited
from programme.forms import OrganisationForm
from programme.models import AuditEntry, Organisation, Person, Theme
from projects.models import (
    Action,
    AdvocacyAction,
    Committee,
    CommitteeDecision,
    Deliverable,
    DeploymentSite,
    Dissemination,
    Membership,
    Milestone,
    Project,
    Stakeholder,
    Workshop,
    WorkshopItem,
)
from prospects.models import Event, Prospect

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "name"),
    [
        (Organisation, "organisation"),
        (Person, "person"),
        (Prospect, "prospect"),
        (Event, "event"),
        (Project, "project"),
        (Membership, "membership"),
        (Stakeholder, "stakeholder"),
        (Workshop, "workshop"),
        (WorkshopItem, "design_item"),
        (Committee, "committee"),
        (CommitteeDecision, "committee_decision"),
        (Action, "action"),
        (Milestone, "milestone"),
        (Deliverable, "deliverable"),
        (DeploymentSite, "deployment_site"),
        (Dissemination, "dissemination"),
        (AdvocacyAction, "advocacy"),
        (Indicator, "indicator"),
        (EvaluationQuestion, "evaluation_question"),
        (EvaluationCriterion, "evaluation_criterion"),
        (ProjectIndicator, "project_indicator"),
        (Lesson, "lesson"),
    ],
)
def test_audit_names_are_the_ones_the_trail_already_holds(model, name):
    assert audit_name(model) == name


def _form(org: Organisation, themes: list[Theme]) -> OrganisationForm:
    data = {"name": org.name, "kind": "scop", "town": "Villeurbanne", "themes": [t.pk for t in themes]}
    form = OrganisationForm(data, instance=org)
    assert form.is_valid(), form.errors
    return form


def test_an_edit_saves_the_row_its_many_to_many_and_logs_the_changes(world):
    org = world.org_a
    themes = [Theme.objects.create(name="Alimentation"), Theme.objects.create(name="Mobilité")]
    edit = Edit.from_form(_form(org, themes))
    assert edit.obj is org and edit.m2m == {"themes": themes}
    assert edit.changes["kind"] == ["association", "scop"]
    assert Organisation.objects.get(pk=org.pk).kind == "association"  # not saved yet

    saved = save_audited(actor=world.staff, edit=edit)

    saved.refresh_from_db()
    assert saved.kind == "scop" and list(saved.themes.all()) == themes
    entry = AuditEntry.objects.get(action="organisation.updated", object_id=str(org.pk))
    assert entry.changes == edit.changes and entry.actor == world.staff


def test_an_edit_costs_the_queries_the_form_save_did(world):
    org, other = world.org_a, world.org_b
    themes = [Theme.objects.create(name="Alimentation"), Theme.objects.create(name="Mobilité")]
    with CaptureQueriesContext(connection) as by_form:
        form = _form(org, themes)
        diff_form(form)
        form.save()
    with CaptureQueriesContext(connection) as by_edit:
        edit = Edit.from_form(_form(other, themes))
        edit.save()
    assert len(by_edit) == len(by_form)
