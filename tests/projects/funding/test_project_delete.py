"""Deleting a project that has money records. Only the Django admin deletes projects; a signed convention
is accounting history, so the admin refuses (with its French page naming the conventions in the way)
instead of cascading or failing with a ProtectedError; a project whose money holds no convention is
deleted with its requests and budget."""

from datetime import date

import pytest
from django.urls import reverse

from projects.funding.models import BudgetLine, Convention, FundingRequest, Instalment
from projects.models import Project
from tests.conftest import client_for

from .factories import ADVANCE, budget_line, convention, page_text, request

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(world):
    from programme.models import User

    return client_for(User.objects.create_superuser(email="admin@test.fr", password="x" * 20))


@pytest.fixture
def signed(world):
    req = request(world.staff, world.project_a, title="Demande A", status="granted")
    return convention(world.staff, req, reference="CONV-A", schedule=[(ADVANCE, date(2026, 2, 1), "1000")])


def test_the_admin_refuses_to_delete_a_project_with_a_convention(world, signed, admin_client):
    url = reverse("admin:projects_project_delete", args=[world.project_a.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Impossible de supprimer" in page_text(page) and "CONV-A" in page_text(page)
    assert admin_client.post(url, {"post": "yes"}).status_code == 200
    assert Project.objects.filter(pk=world.project_a.pk).exists()
    assert Convention.objects.count() == 1 and Instalment.objects.count() == 1


def test_the_admin_bulk_delete_refuses_too(world, signed, admin_client):
    response = admin_client.post(
        reverse("admin:projects_project_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [world.project_a.pk, world.project_b.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 200
    assert "Impossible de supprimer" in page_text(response) and "CONV-A" in page_text(response)
    assert Project.objects.filter(pk__in=[world.project_a.pk, world.project_b.pk]).count() == 2


def test_a_project_without_a_convention_is_deleted_with_its_money(world, admin_client):
    request(world.staff, world.project_b, title="Demande B", status="submitted")
    budget_line(world.staff, world.project_b, label="Salaires B")
    url = reverse("admin:projects_project_delete", args=[world.project_b.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Project.objects.filter(pk=world.project_b.pk).exists()
    assert not FundingRequest.objects.exists() and not BudgetLine.objects.exists()


def test_once_its_conventions_are_deleted_the_project_can_go(world, signed, admin_client):
    convention_url = reverse("admin:projects_convention_delete", args=[signed.pk])
    assert admin_client.post(convention_url, {"post": "yes"}).status_code == 302
    assert not Instalment.objects.exists()
    project_url = reverse("admin:projects_project_delete", args=[world.project_a.pk])
    assert admin_client.post(project_url, {"post": "yes"}).status_code == 302
    assert not Project.objects.filter(pk=world.project_a.pk).exists()
    assert not FundingRequest.objects.filter(project_id=world.project_a.pk).exists()


def test_the_admin_shows_a_conventions_schedule_but_never_changes_it(world, signed, admin_client):
    """The schedule's rules (not above the granted amount, inside the period) live in the services; the admin
    page of a convention lists its instalments read-only, and a forged inline change is ignored."""
    url = reverse("admin:projects_convention_change", args=[signed.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "instalments-0-amount" not in page.content.decode()
    instalment = signed.instalments.get()
    data = {
        "reference": signed.reference,
        "instalments-TOTAL_FORMS": "1",
        "instalments-INITIAL_FORMS": "1",
        "instalments-0-id": str(instalment.pk),
        "instalments-0-amount": "999999",
    }
    admin_client.post(url, data)
    instalment.refresh_from_db()
    assert instalment.amount == 1000
