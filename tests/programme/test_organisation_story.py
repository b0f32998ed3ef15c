"""The structure's page (#15): it names no higher app's code, it loads their pieces by URL (projects, prospect
path, timeline) and offers to log an exchange; its own query count does not grow with the structure's history."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prospects.models import Exchange
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_page_loads_each_piece_by_url(world):
    body = (
        client_for(world.staff)
        .get(reverse("programme:organisation.detail", args=[world.org_a.pk]))
        .content.decode()
    )
    for name in ("projects:structure.projects", "prospects:organisation.path", "projects:structure.timeline"):
        url = reverse(name, args=[world.org_a.pk])
        assert f'hx-get="{url}"' in body and f'href="{url}"' in body  # the link works without scripts
    assert reverse("projects:structure.exchange.create", args=[world.org_a.pk]) in body


def test_the_page_does_not_grow_with_the_history(world):
    client = client_for(world.staff)
    url = reverse("programme:organisation.detail", args=[world.org_a.pk])
    client.get(url)  # a first visit fills the per-process caches (content types): the test alone failed
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    Exchange.objects.bulk_create(
        Exchange(organisation=world.org_a, kind="call", date=date(2026, 1, 1), summary=f"Appel {n}")
        for n in range(30)
    )
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_partners_never_open_the_team_page(world):
    for partner in (world.partner_a, world.partner_b):
        response = client_for(partner).get(reverse("programme:organisation.detail", args=[world.org_a.pk]))
        assert response.status_code == 404
