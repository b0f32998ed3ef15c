"""The Financement tab links each convention to its compte rendu financier (Cerfa 15059), XLSX and PDF,
served by the evaluation app (the team only)."""

from datetime import date

import pytest
from django.urls import reverse

from tests.conftest import client_for

from .factories import ADVANCE, convention, request

pytestmark = pytest.mark.django_db


def test_each_convention_links_to_its_cerfa_exports(world, staff_client):
    first = convention(
        world.staff,
        request(world.staff, world.project_a, title="Demande 1", status="granted"),
        reference="CONV-1",
        schedule=[(ADVANCE, date(2026, 2, 1), "1000")],
    )
    second = convention(
        world.staff,
        request(world.staff, world.project_a, title="Demande 2", status="granted"),
        reference="CONV-2",
    )
    body = staff_client.get(reverse("projects:funding.page", args=[world.project_a.pk])).content.decode()
    assert body.count("Compte rendu financier (Cerfa 15059)\u202f:") == 2
    for conv in (first, second):
        for fmt in ("xlsx", "pdf"):
            url = reverse("evaluation:funding.cerfa", args=[conv.pk, fmt])
            assert f'href="{url}"' in body
    xlsx = staff_client.get(reverse("evaluation:funding.cerfa", args=[first.pk, "xlsx"]))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]


def test_the_cerfa_link_is_not_for_partners(world):
    conv = convention(world.staff, request(world.staff, world.project_a, title="Demande 1", status="granted"))
    for user in (world.partner_a, world.partner_b):
        assert (
            client_for(user).get(reverse("evaluation:funding.cerfa", args=[conv.pk, "pdf"])).status_code
            == 404
        )
