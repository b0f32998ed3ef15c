"""Menus among thousands of structures or contacts (`programme.forms.SearchSelect`): a page draws the chosen
record only, a search box fills the menu with the matches as one types, and choosing one saves as before."""

import re

import pytest
from django.urls import reverse

from programme.models import Person
from prospects.models import Prospect
from tests.factories import OrganisationFactory, PersonFactory, ProgrammeFactory
from tests.prospects.factories import EventFactory, prospect_in

OPTIONS = reverse("programme:organisation.options")
PEOPLE = reverse("programme:person.options")


def options(html: str) -> list[tuple[str, str, bool]]:
    """(value, text, selected) of each <option>."""
    return [
        (value, text, bool(selected))
        for value, selected, text in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)
    ]


@pytest.mark.parametrize("n", [3, 40])
def test_the_new_prospect_page_draws_no_structure_until_searched(
    staff_client, world, django_assert_num_queries, n
):
    for index in range(n):
        OrganisationFactory(name=f"Atelier {index:02d}")
    with django_assert_num_queries(8):
        page = staff_client.get(reverse("prospects:prospect.create")).content.decode()
    assert "Atelier 00" not in page and "Structure A" not in page
    assert "Rechercher une structure (nom, commune ou SIREN)" in page
    assert "— Cherchez la structure ci-dessus —" in page


@pytest.mark.parametrize(
    "page",
    [
        "prospects:prospect.create",
        "programme:person.create",
        "programme:invitation.list",
        "projects:project.create",
        "project:projects:project.edit",
        "project:projects:membership.create",
        "project:projects:stakeholder.create",
        "project:projects:site.create",
    ],
)
def test_no_form_sends_every_structure_or_contact_recorded(staff_client, world, page):
    """A structure or a contact nobody chose is never in a form's page: each menu holds its choice only."""
    OrganisationFactory(name="Structure témoin")
    PersonFactory(first_name="Contact", last_name="Témoin")
    name = page.removeprefix("project:")
    url = reverse(name, args=[world.project_a.pk]) if page.startswith("project:") else reverse(name)
    body = staff_client.get(url).content.decode()
    assert "search-select" in body
    assert "Structure témoin" not in body and "Témoin" not in body


def test_the_search_offers_matches_by_name_town_or_siren_and_says_how_many(staff_client, world):
    OrganisationFactory(name="Épicerie du Marché", town="Vénissieux", siren="552100554")
    OrganisationFactory(name="Epicerie solidaire", town="Lyon")
    found = options(staff_client.get(OPTIONS, {"q": "epicerie"}).content.decode())
    assert found == [
        ("", "— 2 structures trouvées —", True),
        (found[1][0], "Epicerie solidaire (Lyon)", False),
        (found[2][0], "Épicerie du Marché (Vénissieux)", False),
    ]
    assert [
        text for _v, text, _s in options(staff_client.get(OPTIONS, {"q": "venissieux"}).content.decode())
    ][1:] == ["Épicerie du Marché (Vénissieux)"]
    assert len(options(staff_client.get(OPTIONS, {"q": "552 100"}).content.decode())) == 2
    none = options(staff_client.get(OPTIONS, {"q": "introuvable"}).content.decode())
    assert none == [("", "— Aucune structure ne correspond —", True)]
    assert options(staff_client.get(OPTIONS).content.decode()) == [
        ("", "— Cherchez la structure ci-dessus —", True)
    ]


def test_a_broad_search_shows_the_first_30_and_asks_for_more_words(staff_client, world):
    for index in range(35):
        OrganisationFactory(name=f"Collectif {index:02d}")
    found = options(staff_client.get(OPTIONS, {"q": "collectif"}).content.decode())
    assert len(found) == 31 and found[0][1] == "— Les 30 premières\u202f: précisez la recherche —"
    assert found[1][1] == "Collectif 00 (Lyon)" and found[-1][1] == "Collectif 29 (Lyon)"


def test_searching_again_keeps_the_structure_already_chosen(staff_client, world):
    OrganisationFactory(name="Recyclerie")
    found = options(
        staff_client.get(
            OPTIONS, {"q": "recyc", "field": "organisation", "organisation": world.org_a.pk}
        ).content.decode()
    )
    assert [(text, selected) for _v, text, selected in found] == [
        ("— 1 structure trouvée —", False),
        ("Structure A (Lyon)", True),
        ("Recyclerie (Lyon)", False),
    ]


def test_a_prospect_is_created_with_the_structure_chosen_in_the_menu(staff_client, world):
    chosen = OrganisationFactory(name="Atelier Vélo", town="Lyon")
    [(value, text, _s)] = options(staff_client.get(OPTIONS, {"q": "velo"}).content.decode())[1:]
    assert text == "Atelier Vélo (Lyon)"
    response = staff_client.post(
        reverse("prospects:prospect.create"),
        {"programme": world.programme.pk, "organisation": value, "source": "watch", "audience": ""},
    )
    assert response.status_code == 302
    assert Prospect.objects.get().organisation == chosen
    # Shown again (an error elsewhere on the page), the menu holds the chosen structure, selected.
    page = staff_client.post(
        reverse("prospects:prospect.create"), {"programme": "", "organisation": value, "source": "watch"}
    ).content.decode()
    assert f'<option value="{value}" selected>Atelier Vélo (Lyon)</option>' in page


def test_contacts_are_searched_by_name_or_e_mail_with_their_structure(staff_client, world):
    PersonFactory(organisation=world.org_b, first_name="Éloïse", last_name="Lefèvre", email="eloise@coop.fr")
    PersonFactory(organisation=world.org_b, first_name="Effacée", last_name="Plus", email="x@y.fr")
    Person.objects.filter(first_name="Effacée").update(anonymised_at="2026-01-01T00:00:00Z")
    found = options(staff_client.get(PEOPLE, {"q": "eloise lefevre"}).content.decode())
    assert [text for _v, text, _s in found] == ["— 1 contact trouvé —", "Éloïse Lefèvre — Structure B"]
    assert options(staff_client.get(PEOPLE, {"q": "effacee"}).content.decode())[1:] == []


def test_the_contacts_list_filters_on_a_structure_and_names_it(staff_client, world):
    page = staff_client.get(
        reverse("programme:person.list"), {"organisation": world.org_a.pk}
    ).content.decode()
    assert "Alpha Alice" in page and "Bravo Bruno" not in page
    assert page.count("Structure A (Lyon)") == 2  # the active filter's chip, and the menu's chosen option
    assert "Structure B" not in page


def test_an_event_links_a_prospect_of_its_programme_found_by_its_structure(staff_client, world):
    event = EventFactory(programme=world.programme, name="Journée régionale")
    wanted = prospect_in(world, organisation=OrganisationFactory(name="Recyclerie du Rhône", town="Lyon"))
    prospect_in(world, organisation=OrganisationFactory(name="Recyclerie des Monts", town="Givors"))
    elsewhere = ProgrammeFactory(name="Autre programme")
    Prospect.objects.create(programme=elsewhere, organisation=wanted.organisation)
    page = staff_client.get(event.get_absolute_url()).content.decode()
    assert "Recyclerie" not in page  # the programme's prospects are searched, not listed
    url = re.search(r'hx-get="(/prospects/choix/[^"]+)"', page).group(1).replace("&amp;", "&")
    assert f"programme={world.programme.pk}" in url and f"not_event={event.pk}" in url
    found = options(staff_client.get(f"{url}&q=recyclerie").content.decode())  # as HTMX adds what was typed
    assert [text for _v, text, _s in found] == [
        "— 2 prospects trouvés —",
        "Recyclerie des Monts (Givors) · Identifié",
        "Recyclerie du Rhône (Lyon) · Identifié",
    ]
    staff_client.post(reverse("prospects:event.prospects", args=[event.pk]), {"link-prospect": found[2][0]})
    assert list(event.prospects.all()) == [wanted]
    again = options(staff_client.get(f"{url}&q=recyclerie").content.decode())  # linked: offered no more
    assert [text for _v, text, _s in again] == [
        "— 1 prospect trouvé —",
        "Recyclerie des Monts (Givors) · Identifié",
    ]


def test_an_id_no_row_can_have_is_refused_as_an_invalid_choice_not_a_crash(staff_client, world):
    """20 digits: more than a 64-bit id; SQLite's driver cannot even compare it (a 500 before the guard)."""
    huge = "9" * 20
    response = staff_client.post(
        reverse("prospects:prospect.create"),
        {"programme": world.programme.pk, "organisation": huge, "source": "watch"},
    )
    assert response.status_code == 200 and "Sélectionnez un choix valide" in response.content.decode()
    assert not Prospect.objects.exists()
    assert staff_client.get(reverse("programme:person.list"), {"organisation": huge}).status_code == 200
    kept = staff_client.get(OPTIONS, {"q": "structure", "field": "organisation", "organisation": huge})
    assert (
        kept.status_code == 200 and options(kept.content.decode())[0][2]
    )  # nothing kept: the prompt selected
    events = staff_client.get(
        reverse("prospects:prospect.options"), {"q": "structure", "programme": huge, "not_event": huge}
    )
    assert events.status_code == 200


def test_partners_get_404_from_the_menus(world):
    from tests.conftest import client_for

    partner = client_for(world.partner_a)
    assert partner.get(OPTIONS, {"q": "structure"}).status_code == 404
    assert partner.get(PEOPLE, {"q": "alice"}).status_code == 404
    assert partner.get(reverse("prospects:prospect.options"), {"q": "structure"}).status_code == 404
