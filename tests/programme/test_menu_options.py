"""A list page whose menus are read with their data version (the prospect list) writes each menu's options
once per version and language (programme.forms._OPTIONS), each request only marking its own selection.

These tests commit (`transaction=True`): the data version moves after a commit, as in production; inside a
test's usual transaction the list never uses the written options."""

import re

import pytest

from programme import forms as programme_forms
from prospects.models import Stage
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.prospects.factories import ProspectFactory

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/prospects/"


def menu(client, name, query="", language="fr"):
    response = client.get(f"{URL}?{query}", headers={"Accept-Language": language})
    assert response.status_code == 200
    html = response.content.decode()
    return re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)


def selected(select_html):
    return re.findall(r'<option value="([^"]*)" selected>', select_html)


def test_each_request_marks_its_own_selection(world):
    ProspectFactory(programme=world.programme)
    client = client_for(world.staff)
    programme_forms._OPTIONS.clear()
    first = menu(client, "stage", f"stage={Stage.CONTACTED}")
    assert programme_forms._OPTIONS  # the options were kept for the next request
    assert selected(first) == [Stage.CONTACTED]
    assert selected(menu(client, "stage", f"stage={Stage.RETAINED}")) == [Stage.RETAINED]
    assert selected(menu(client, "stage")) == [""]
    owner = menu(client, "owner", f"owner={world.staff.pk}")
    assert selected(owner) == [str(world.staff.pk)]
    # The same options, whatever is selected, as a page drawn without the kept ones.
    programme_forms._OPTIONS.clear()
    assert menu(client, "owner", f"owner={world.staff.pk}") == owner


def test_a_change_to_the_menus_shows_on_the_next_request(world):
    client = client_for(world.staff)
    assert "Nouvelle Recrue" not in menu(client, "owner")
    menu(client, "owner")  # drawn from the kept options
    UserFactory(role="staff", first_name="Nouvelle", last_name="Recrue")  # committed: a new data version
    assert "Nouvelle Recrue" in menu(client, "owner")


def test_each_language_has_its_own_options(world):
    client = client_for(world.staff)
    assert ">Contacté</option>" in menu(client, "stage")
    english = menu(client, "stage", language="en")  # the French options are kept: English ones are written
    assert ">Contacted</option>" in english
    assert "Contacté" not in english
    assert ">Contacté</option>" in menu(client, "stage")
