"""Prospect pages: list (filters, sort, HTMX), board (HTMX moves, refusals explained), detail, create,
edit, exchanges, events and export. Query counts are pinned and constant as rows grow."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from programme.models import Organisation
from prospects.models import Event, Exchange, Prospect, Stage
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

from .factories import EventFactory, ExchangeFactory, ProspectFactory, interview_for, prospect_in

HTMX = {"HTTP_HX_REQUEST": "true"}


def many_prospects(world, n: int) -> None:
    for i in range(n):
        prospect = ProspectFactory(
            programme=world.programme,
            organisation=OrganisationFactory(name=f"Asso {i:03d}"),
            stage=list(Stage)[i % 6],
            owner=world.staff,
            next_action="Rappeler",
            next_action_date=date(2026, 1, 1) + timedelta(days=i),
        )
        prospect.themes.set([])
        ExchangeFactory(prospect=prospect)
        ExchangeFactory(prospect=prospect, user=world.staff)


# --- List ------------------------------------------------------------------------------------------------


def test_list_shows_prospects_with_stage_badges(world, staff_client):
    prospect_in(world, stage=Stage.CONTACTED)
    page = staff_client.get(reverse("prospects:prospect.list")).content.decode()
    assert "Structure A" in page
    assert 'class="badge badge--stage-contacted">Contacté<' in page
    assert "1 prospect" in page


def test_empty_list_says_what_to_do(world, staff_client):
    page = staff_client.get(reverse("prospects:prospect.list")).content.decode()
    assert "Aucun prospect — importez une liste ou ajoutez-en un." in page


def test_filters_search_and_overdue(world, staff_client):
    late = prospect_in(
        world, next_action="Relancer", next_action_date=timezone.localdate() - timedelta(days=2)
    )
    prospect_in(world, organisation=world.org_b, next_action_date=timezone.localdate() + timedelta(days=3))
    Organisation.objects.filter(pk=world.org_b.pk).update(siren="732829320")
    url = reverse("prospects:prospect.list")
    page = staff_client.get(url, {"overdue": "1"}).content.decode()
    assert "Structure A" in page and "Structure B" not in page and "en retard" in page
    page = staff_client.get(url, {"q": "732 829"}).content.decode()
    assert "Structure B" in page and "Structure A</a>" not in page
    page = staff_client.get(url, {"stage": "contacted"}).content.decode()
    assert "Aucun prospect ne correspond à ces filtres." in page
    page = staff_client.get(url, {"owner": str(world.staff.pk)}).content.decode()
    assert "Suivi par : <strong>Sam" in page  # active filter shown and removable
    assert late.pk


def test_htmx_filter_returns_only_the_table(world, staff_client):
    prospect_in(world)
    response = staff_client.get(reverse("prospects:prospect.list"), {"q": "Structure"}, **HTMX)
    body = response.content.decode()
    assert "<html" not in body and "1 prospect" in body


def test_list_sorts_both_ways(world, staff_client):
    prospect_in(world)
    prospect_in(world, organisation=world.org_b)
    url = reverse("prospects:prospect.list")
    page = staff_client.get(url, {"o": "-name"}).content.decode()
    assert page.index("Structure B") < page.index("Structure A</a>")
    page = staff_client.get(url, {"o": "name"}).content.decode()
    assert page.index("Structure A</a>") < page.index("Structure B")


def test_list_headings_sort_and_say_which_column_is_sorted(world, staff_client):
    """Each sortable heading links to its sort (the other way round when it is the current one), keeps the
    other filters and leaves the page; the sorted column's header carries the arrow and `aria-sort`."""
    prospect_in(world)
    url = reverse("prospects:prospect.list")
    page = staff_client.get(url, {"q": "Structure", "o": "-town", "page": "1"}).content.decode()
    assert (
        '<th scope="col" aria-sort="descending"><a href="?q=Structure&amp;o=town" hx-get="?q=Structure&amp;o=town"'
        ' hx-target="#results" hx-push-url="true">Commune ↓</a></th>'
    ) in page
    assert '<th scope="col"><a href="?q=Structure&amp;o=name"' in page and "Structure ↑" not in page
    assert page.count("aria-sort=") == 1
    page = staff_client.get(url, {"o": "name"}).content.decode()
    assert '<th scope="col" aria-sort="ascending"><a href="?o=-name"' in page and ">Structure ↑</a>" in page
    page = staff_client.get(url).content.decode()
    assert "aria-sort=" not in page and '<th scope="col">Suivi par</th>' in page


@pytest.mark.parametrize("rows", [10, 20])
def test_list_query_count_is_constant(world, staff_client, django_assert_num_queries, rows):
    many_prospects(world, rows)
    # session, user, count, the filter menus in one statement (programme, cohort, theme, territory, owner),
    # then the page's rows joined to what they show: organisation and follower.
    with django_assert_num_queries(5):
        response = staff_client.get(reverse("prospects:prospect.list"), {"o": "name"})
    assert response.status_code == 200


def test_list_rows_escape_what_people_typed_and_mark_late_actions(world, staff_client):
    """The rows are written by the view (no template loop): names, towns and next actions are escaped,
    the SIREN is grouped, a past next action is « en retard », the labels are the choices' own."""
    organisation = OrganisationFactory(
        name='L\'Atelier & "Co" <b>', town="Saint-Étienne <i>", siren="732829320"
    )
    prospect = prospect_in(
        world,
        organisation=organisation,
        stage=Stage.CONTACTED,
        owner=world.staff,
        next_action="Rappeler <vite>",
        next_action_date=timezone.localdate() - timedelta(days=1),
    )
    page = staff_client.get(reverse("prospects:prospect.list")).content.decode()
    name = "L&#x27;Atelier &amp; &quot;Co&quot; &lt;b&gt;"
    assert f'<a href="{prospect.get_absolute_url()}">{name}</a>' in page
    assert f'aria-label="Sélectionner {name}"' in page
    assert "<b>" not in page and "Saint-Étienne &lt;i&gt;" in page
    assert '<span class="muted pr-small">732 829 320</span>' in page
    assert f'<span class="badge badge--stage-contacted">{Stage.CONTACTED.label}</span>' in page
    assert "Rappeler &lt;vite&gt;<br><time datetime=" in page
    assert '<span class="badge badge--danger">en retard</span>' in page
    assert f"<td>{world.staff.get_full_name()}</td>" in page  # who follows it


def test_list_rows_name_the_follower_by_name_else_e_mail_else_a_dash(world, staff_client):
    from programme.models import User

    nameless = User.objects.create_user(email="sans.nom@example.org", password="x", role="staff")
    prospect_in(world, organisation=OrganisationFactory(name="Suivie sans nom"), owner=nameless)
    prospect_in(world, organisation=OrganisationFactory(name="Personne"), owner=None)
    page = staff_client.get(reverse("prospects:prospect.list")).content.decode()
    row = page[page.index("Suivie sans nom") :]
    assert row.index("<td>sans.nom@example.org</td>") < row.index("</tr>")
    row = page[page.index(">Personne<") :]
    assert row.index("<td>—</td>") < row.index("</tr>")


@pytest.mark.parametrize("rows", [10, 20])
def test_filtered_list_reads_each_menu_once(world, staff_client, django_assert_num_queries, rows):
    """A programme and a follower chosen: each menu's objects are read once, for checking the choice,
    naming the active filter and drawing the menu (the programme's were read three times)."""
    many_prospects(world, rows)
    query = {"programme": world.programme.pk, "owner": world.staff.pk, "o": "name"}
    # session, user, the five menus in one statement, count, rows
    with django_assert_num_queries(5):
        response = staff_client.get(reverse("prospects:prospect.list"), query)
    assert response.status_code == 200
    assert response.context["count"] == rows
    assert f'<option value="{world.programme.pk}" selected>' in response.content.decode()


@pytest.mark.parametrize("rows", [12, 24])
def test_board_query_count_is_constant(world, staff_client, django_assert_num_queries, rows):
    many_prospects(world, rows)
    # session, user, counts per stage (one GROUP BY), the first cards of every column at once (a
    # window function numbers them per stage), the filter menus in one statement (programme, cohort, theme,
    # territory, owner).
    with django_assert_num_queries(5):
        response = staff_client.get(reverse("prospects:prospect.board"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [8, 16])
def test_board_columns_are_bounded_whatever_the_number_of_prospects(
    world, staff_client, django_assert_num_queries, monkeypatch, rows
):
    """Past the limit a column shows its first cards (soonest next action first), its full count and a
    « Voir tout » link to the list filtered on its stage — in the same number of queries."""
    from prospects import selectors

    monkeypatch.setattr(selectors, "BOARD_COLUMN_LIMIT", 2)
    for i in range(rows):
        ProspectFactory(
            programme=world.programme,
            organisation=OrganisationFactory(name=f"Contactée {i:02d}"),
            stage=Stage.CONTACTED,
            next_action_date=date(2026, 1, 1) + timedelta(days=rows - i),  # the last created is the soonest
        )
    # session, user, counts per stage, the first cards of every column, the filter menus (one statement)
    with django_assert_num_queries(5):
        response = staff_client.get(reverse("prospects:prospect.board"))
    column = next(c for c in response.context["columns"] if c["stage"] == Stage.CONTACTED)
    assert column["count"] >= rows
    assert [p.organisation.name for p in column["cards"]] == [
        f"Contactée {rows - 1:02d}",
        f"Contactée {rows - 2:02d}",
    ]
    body = response.content.decode()
    assert f"2 sur {column['count']} prospects" in body
    assert f"{reverse('prospects:prospect.list')}?stage=contacted&amp;" in body
    assert "Voir tout" in body


@pytest.mark.parametrize("interactions", [5, 10])
def test_detail_query_count_is_constant(world, staff_client, django_assert_num_queries, interactions):
    prospect = prospect_in(world, owner=world.staff)
    for _ in range(interactions):
        ExchangeFactory(prospect=prospect, user=world.staff)
    for _ in range(interactions // 5):
        interview_for(world, prospect=prospect)
        PersonFactory(organisation=prospect.organisation)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(Prospect)  # the content type cache is per process: warm it
    # session, user, prospect (joined to organisation, territory, owner, programme, cohort), themes,
    # contacts, interviews (+grid), their interviewers (one prefetch), timeline (+user, event, contact,
    # owner), the exchange form's contact, event and owner choices, events met, stage history, selection
    # decisions, audit entries.
    with django_assert_num_queries(15):
        response = staff_client.get(prospect.get_absolute_url())
    assert response.status_code == 200


# --- Board ----------------------------------------------------------------------------------------------


def test_board_groups_cards_by_stage(world, staff_client):
    prospect_in(world, stage=Stage.INTERESTED)
    page = staff_client.get(reverse("prospects:prospect.board")).content.decode()
    assert 'data-stage="interested"' in page and "Structure A" in page
    assert 'nonce="' in page and "js/prospects.js" in page
    assert 'style="' not in page and "hx-on" not in page


def test_board_move_with_htmx_redraws_the_board(world, staff_client):
    prospect = prospect_in(world)
    response = staff_client.post(
        reverse("prospects:prospect.move", args=[prospect.pk]),
        {"to_stage": "contacted", "board_query": "q=Structure"},
        **HTMX,
    )
    assert response.status_code == 200
    assert 'id="pr-board"' in response.content.decode()
    prospect.refresh_from_db()
    assert prospect.stage == Stage.CONTACTED


def test_refused_board_move_is_explained_in_the_card(world, staff_client):
    prospect = prospect_in(world)
    response = staff_client.post(
        reverse("prospects:prospect.move", args=[prospect.pk]), {"to_stage": "retained"}, **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#card-{prospect.pk}"
    body = response.content.decode()
    assert "Seul le comité de sélection" in body and 'role="alert"' in body
    prospect.refresh_from_db()
    assert prospect.stage == Stage.IDENTIFIED


def test_move_without_htmx_redirects_with_a_message(world, staff_client):
    prospect = prospect_in(world)
    response = staff_client.post(
        reverse("prospects:prospect.move", args=[prospect.pk]), {"to_stage": "discarded"}, follow=True
    )
    assert "Indiquez pourquoi le prospect est écarté." in response.content.decode()
    response = staff_client.post(
        reverse("prospects:prospect.move", args=[prospect.pk]),
        {"to_stage": "discarded", "reason": "Hors périmètre", "next": "https://evil.example/"},
    )
    assert response["Location"] == prospect.get_absolute_url()


# --- Detail, create, edit, exchanges -------------------------------------------------------------------------


def test_detail_shows_timeline_and_contacts(world, staff_client):
    prospect = prospect_in(world)
    ExchangeFactory(prospect=prospect, summary="Appel très positif", user=world.staff, kind="call")
    page = staff_client.get(prospect.get_absolute_url()).content.decode()
    assert "Appel très positif" in page and "Alice Alpha" in page


def test_interaction_updates_the_next_action(world, staff_client):
    prospect = prospect_in(world)
    url = reverse("prospects:exchange.create", args=[prospect.pk])
    response = staff_client.post(
        url, {"kind": "call", "date": "2026-05-02", "summary": "", "next_action_date": "2026-06-01"}
    )
    body = response.content.decode()
    assert "Décrivez l&#x27;action prévue" in body or "Décrivez l’action prévue" in body
    assert not Exchange.objects.exists()
    response = staff_client.post(
        url,
        {
            "kind": "meeting",
            "date": "2026-05-02",
            "summary": "RDV",
            "next_action": "Envoyer le dossier",
            "next_action_date": "2026-06-01",
        },
    )
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert (prospect.next_action, str(prospect.next_action_date)) == ("Envoyer le dossier", "2026-06-01")
    assert Exchange.objects.get().user == world.staff


def test_create_with_a_new_structure_and_duplicate_checks(world, staff_client):
    url = reverse("prospects:prospect.create")
    base = {"programme": world.programme.pk, "source": "event", "new_kind": "association"}
    response = staff_client.post(url, {**base})
    assert "Choisissez une structure existante" in response.content.decode()
    response = staff_client.post(url, {**base, "new_name": "STRUCTURE A", "new_town": "lyon"})
    assert "Cette structure existe déjà" in response.content.decode()
    response = staff_client.post(
        url, {**base, "new_name": "Tout Nouveau Collectif", "new_town": "Bron", "new_siren": "123"}
    )
    assert "9 chiffres" in response.content.decode()
    response = staff_client.post(url, {**base, "new_name": "Tout Nouveau Collectif", "new_town": "Bron"})
    prospect = Prospect.objects.get()
    assert response["Location"] == prospect.get_absolute_url()
    assert prospect.organisation.town == "Bron" and prospect.source == "event"
    response = staff_client.post(url, {**base, "organisation": prospect.organisation_id})
    assert "déjà un prospect de ce programme" in response.content.decode()


def test_edit_keeps_stage_out_of_the_form(world, staff_client):
    prospect = prospect_in(world)
    other = UserFactory(role="staff", first_name="Zoé")
    response = staff_client.post(
        reverse("prospects:prospect.edit", args=[prospect.pk]),
        {"source": "network", "audience": "public", "owner": other.pk, "stage": "retained", "notes": "ok"},
    )
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert (prospect.source, prospect.owner, prospect.stage) == ("network", other, Stage.IDENTIFIED)


def test_partners_never_see_owner_choices_of_partners(world, staff_client):
    page = staff_client.get(reverse("prospects:prospect.list")).content.decode()
    assert "a@test.fr" not in page  # partner accounts are not offered as "suivi par"


# --- Events -------------------------------------------------------------------------------------------------


def test_event_links_existing_and_new_prospects(world, staff_client):
    event = EventFactory(programme=world.programme, name="Journée régionale")
    existing = prospect_in(world)
    url = reverse("prospects:event.prospects", args=[event.pk])
    staff_client.post(url, {"link-prospect": existing.pk})
    staff_client.post(url, {"new-name": "Asso du Salon", "new-kind": "association", "new-town": "Lyon"})
    staff_client.post(url, {"new-name": "structure a", "new-kind": "association", "new-town": "Lyon"})
    assert set(event.prospects.values_list("organisation__name", flat=True)) == {
        "Structure A",
        "Asso du Salon",
    }
    new = Prospect.objects.get(organisation__name="Asso du Salon")
    assert new.source == "event"
    assert Exchange.objects.filter(prospect=new, event=event, kind="event").exists()
    page = staff_client.get(event.get_absolute_url()).content.decode()
    assert "2 prospects rencontrés" in page


def test_event_create_and_list(world, staff_client):
    response = staff_client.post(
        reverse("prospects:event.create"),
        {
            "programme": world.programme.pk,
            "name": "Salon ESS",
            "kind": "fair",
            "date": "2026-10-02",
            "staff": [world.staff.pk],
        },
    )
    event = Event.objects.get()
    assert response["Location"] == event.get_absolute_url()
    page = staff_client.get(reverse("prospects:event.list")).content.decode()
    assert "Salon ESS" in page and "2 oct. 2026" in page
    response = staff_client.post(
        reverse("prospects:event.create"), {"programme": world.programme.pk, "name": ""}
    )
    assert Event.objects.count() == 1 and response.status_code == 200


# --- Export -------------------------------------------------------------------------------------------------


def test_csv_export_escapes_formulas_and_follows_filters(world, staff_client):
    prospect_in(world, notes='=HYPERLINK("http://evil")', next_action="+33 rappeler")
    prospect_in(world, organisation=world.org_b, stage=Stage.CONTACTED)
    Organisation.objects.filter(pk=world.org_a.pk).update(name="@Structure A")
    response = staff_client.get(reverse("prospects:prospect.export", args=["csv"]), {"stage": "identified"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Structure" and len(rows) == 2
    assert rows[1][0] == "'@Structure A"
    assert '\'=HYPERLINK("http://evil")' in rows[1]
    assert "'+33 rappeler" in rows[1]


def test_xlsx_export_escapes_formulas(world, staff_client):
    prospect_in(world, notes="-2+3", next_action="\tcaché")
    response = staff_client.get(reverse("prospects:prospect.export", args=["xlsx"]))
    workbook = load_workbook(io.BytesIO(response.content))
    values = [cell.value for cell in list(workbook.active.iter_rows())[1]]
    assert "'-2+3" in values and "'\tcaché" in values
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in values)


def test_exports_name_the_choices_and_keep_the_next_action_date_a_date(world, staff_client):
    """The stage, source and audience read as the list shows them; in XLSX the next action's date is a date
    cell (sortable, filterable), in CSV the French dd/mm/yyyy."""
    prospect_in(world, stage=Stage.CONTACTED, source="event", next_action_date=date(2027, 3, 9), owner=None)
    prospect_in(world, organisation=world.org_b, owner=world.staff)
    workbook = load_workbook(
        io.BytesIO(staff_client.get(reverse("prospects:prospect.export", args=["xlsx"])).content)
    )
    header, row, other = (list(r) for r in workbook.active.iter_rows(values_only=True))
    assert row[header.index("Étape")] == "Contacté" and row[header.index("Source")] == "Événement"
    assert row[header.index("Date de la prochaine action")].date() == date(2027, 3, 9)
    assert row[header.index("Suivi par")] is None  # nobody: an empty cell
    assert other[header.index("Suivi par")] == world.staff.get_full_name()
    text = staff_client.get(reverse("prospects:prospect.export", args=["csv"])).content.decode("utf-8-sig")
    [_header, line, _other] = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert "Contacté" in line and "09/03/2027" in line


def test_unknown_export_format_is_404(world, staff_client):
    assert staff_client.get(reverse("prospects:prospect.export", args=["pdf"])).status_code == 404


def test_the_search_has_trigram_indexes_on_postgresql(db):
    """The list's search (`contains` on the structure's folded name and town, `search_text`) is served by a
    GIN trigram index on PostgreSQL (prospects migration 0020, in place of 0017's two on UPPER(name) and
    UPPER(town)); SQLite has none and scans."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'programme_organisation' "
            "AND indexdef LIKE '%%gin_trgm_ops%%'"
        )
        found = dict(cursor.fetchall())
    assert set(found) == {"prospects_org_search_trgm"} and "search_text" in found["prospects_org_search_trgm"]
    assert all("gin_trgm_ops" in definition for definition in found.values())
