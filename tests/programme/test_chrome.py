"""The signed-in page's top bar and sidebar (programme.chrome): rendered once per shape, then filled with
the request's own user, token and path — what every page shows must be what the template writes."""

import re

import pytest
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import translation

from programme.context_processors import navigation
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _sidebar(html: str) -> str:
    return html[html.index('<nav class="sidebar"') : html.index("</nav>", html.index('<nav class="sidebar"'))]


def test_each_user_sees_their_own_name_and_role_escaped(world):
    """Two users of the same shape one after the other: the second is not shown the first's name."""
    first = UserFactory(role="staff", first_name="<b>Zoé</b>", last_name="Martin")
    second = UserFactory(role="staff", first_name="Yann", last_name="Le Goff")
    page = client_for(first).get("/").content.decode()
    assert "&lt;b&gt;Zoé&lt;/b&gt; Martin" in page and "<b>Zoé" not in page
    page = client_for(second).get("/").content.decode()
    assert 'Yann Le Goff · <span class="role">' in page
    assert "Zoé" not in page


def test_the_sidebar_follows_the_role_and_marks_the_current_section(world, staff_client, partner_a_client):
    sidebar = _sidebar(staff_client.get("/prospects/").content.decode())
    assert re.search(r'<a href="/prospects/" aria-current="page">Prospects</a>', sidebar)
    assert "À traiter" in sidebar and "Mon projet" not in sidebar
    sidebar = _sidebar(staff_client.get("/projets/").content.decode())
    assert re.search(r'<a href="/projets/" aria-current="page">Projets</a>', sidebar)
    assert '<a href="/prospects/">Prospects</a>' in sidebar
    sidebar = _sidebar(partner_a_client.get("/portail/").content.decode())
    assert "Mon projet" in sidebar and "Prospects" not in sidebar and "À traiter" not in sidebar
    # The same page (the reports) under another label for a partner than for the team.
    assert "Rapports partagés</a>" in sidebar
    assert "Rapports</a>" in _sidebar(staff_client.get("/projets/").content.decode())


def test_the_forms_carry_this_requests_token_and_path(world, staff_client):
    response = staff_client.get("/prospects/?stage=contacted&q=a%22b")
    page = response.content.decode()
    token = response.context["csrf_token"]
    assert page.count(f'name="csrfmiddlewaretoken" value="{token}"') >= 2  # sign-out and language forms
    assert '<input name="next" type="hidden" value="/prospects/?stage=contacted&amp;q=a%22b">' in page


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("path", ["/", "/prospects/", "/projets/a-traiter/", "/portail/"])
def test_the_chrome_is_the_templates_output_byte_for_byte(world, language, path):
    """The reused render, filled, equals the template rendered afresh with the request's own values."""
    from programme.chrome import chrome

    user = world.partner_a if path == "/portail/" else world.staff
    request = RequestFactory().get(path)
    request.user = user
    with translation.override(language):
        context = {"user": user, "request": request, "csrf_token": "tok<en>", **navigation(request)}
        chrome(context)  # the first render fills the store; the second is read from it
        expected = get_template("includes/_chrome.html").render(context)
        assert chrome(context) == expected
        assert ("Se déconnecter" if language == "fr" else "Log out") in expected


@pytest.mark.parametrize("debug", [False, True])
def test_every_page_loads_htmx_with_its_own_nonce(world, staff_client, settings, debug):
    """The head's htmx scripts (`{% htmx %}`, written once per process) are django-htmx's own markup with
    the page's CSP nonce — a new one on every page, never the previous page's."""
    from django_htmx.jinja import htmx_script

    settings.DEBUG = debug
    nonces = []
    for _ in range(2):
        response = staff_client.get("/projets/")
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        assert str(htmx_script(nonce=nonce)) in response.content.decode()
        assert ("django-htmx.js" in response.content.decode()) is debug
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
