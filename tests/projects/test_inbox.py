"""The team inbox « À traiter »: each source for the right member, gone once handled, default and explicit
assignment, reassigning, the count in the navigation, query counts constant as rows grow."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation.models import MaturityAssessment, MaturityScore
from programme.models import AuditEntry
from projects.inbox import selectors
from projects.inbox.models import Assignment
from projects.models import DeliverableStatus
from prospects.models import Stage
from prospects.services import exchange_next_action_done
from tests.evaluation.factories import MeasurementFactory, ProjectIndicatorFactory
from tests.factories import UserFactory
from tests.prospects.factories import ExchangeFactory, pending_import, prospect_in

from .factories import ActionFactory, DeliverableFactory, PhasePeriodFactory

TODAY = timezone.localdate()


def keys_for(user, member=None) -> dict[str, list[int]]:
    """{source key: [item pks]} of the member's inbox (default: the user's own)."""
    member_id = user.pk if member is None else member
    return {
        s.source.key: [i.pk for i in s.items] for s in selectors.inbox(user, member_id=member_id, today=TODAY)
    }


@pytest.fixture
def other(world):
    return UserFactory(email="autre@test.fr", role="staff", first_name="Olga")


@pytest.fixture
def led(world):
    """Project A steered by the world's staff member."""
    world.project_a.staff_leads.add(world.staff)
    return world.project_a


def test_a_submitted_deliverable_goes_to_its_owner_then_leaves_once_reviewed(world, other):
    d = DeliverableFactory(
        project=world.project_a, status=DeliverableStatus.SUBMITTED, owner_user=world.staff
    )
    assert keys_for(world.staff)["deliverables"] == [d.pk]
    assert keys_for(other)["deliverables"] == []
    d.status = DeliverableStatus.ACCEPTED
    d.save()
    assert keys_for(world.staff)["deliverables"] == []


def test_a_deliverable_without_a_team_owner_goes_to_the_project_leads(world, led, other):
    d = DeliverableFactory(project=led, status=DeliverableStatus.SUBMITTED, owner_organisation=world.org_a)
    assert keys_for(world.staff)["deliverables"] == [d.pk]
    assert keys_for(other)["deliverables"] == []


def test_a_gate_decision_due_goes_to_the_leads_until_the_phase_is_closed(world, led):
    led.phase = "emergence"
    led.save()
    period = PhasePeriodFactory(
        project=led,
        phase="emergence",
        planned_start=TODAY - timedelta(days=300),
        planned_end=TODAY - timedelta(days=3),
    )
    section = next(
        s
        for s in selectors.inbox(world.staff, member_id=world.staff.pk, today=TODAY)
        if s.source.key == "gates"
    )
    assert [i.pk for i in section.items] == [period.pk]
    assert section.items[0].line.late == 3
    period.actual_end = TODAY
    period.save()
    assert keys_for(world.staff)["gates"] == []


def test_an_action_owned_is_listed_late_or_due_within_a_week(world, other):
    late = ActionFactory(project=world.project_a, owner_user=world.staff, due_date=TODAY - timedelta(days=2))
    ActionFactory(project=world.project_a, owner_user=world.staff, due_date=TODAY + timedelta(days=30))
    assert keys_for(world.staff)["actions"] == [late.pk]
    assert keys_for(other)["actions"] == []
    late.status = "done"
    late.save()
    assert keys_for(world.staff)["actions"] == []


def test_an_exchange_next_action_goes_to_its_owner_and_leaves_when_done(world, other):
    prospect = prospect_in(world, owner=world.staff)
    exchange = ExchangeFactory(
        prospect=prospect, next_action="Rappeler la présidente", next_action_date=TODAY, owner=world.staff
    )
    prospect.next_action, prospect.next_action_date = exchange.next_action, TODAY - timedelta(days=1)
    prospect.save()
    inbox = keys_for(world.staff)
    assert inbox["exchanges"] == [exchange.pk]
    assert keys_for(other)["exchanges"] == []
    exchange_next_action_done(actor=world.staff, exchange=exchange)
    assert keys_for(world.staff)["exchanges"] == []


def test_a_prospects_late_next_action_is_listed_once(world):
    prospect = prospect_in(
        world, owner=world.staff, next_action="Relancer", next_action_date=TODAY - timedelta(days=5)
    )
    assert keys_for(world.staff)["prospects"] == [prospect.pk]
    # The same next action held by an open exchange: the exchanges section lists it, not this one.
    ExchangeFactory(
        prospect=prospect,
        next_action="Relancer",
        next_action_date=TODAY - timedelta(days=5),
        owner=world.staff,
    )
    inbox = keys_for(world.staff)
    assert inbox["prospects"] == []
    assert len(inbox["exchanges"]) == 1
    # A closed prospect waits for nobody.
    other_prospect = prospect_in(
        world,
        organisation=world.org_b,
        owner=world.staff,
        stage=Stage.DISCARDED,
        next_action="Relancer",
        next_action_date=TODAY - timedelta(days=5),
    )
    assert other_prospect.pk not in keys_for(world.staff)["prospects"]


def test_an_import_to_confirm_goes_to_its_uploader_only(world, other):
    pending = pending_import(world, user=world.staff)
    assert keys_for(world.staff)["imports"] == [pending.pk]
    assert keys_for(other)["imports"] == []
    pending.status = "cancelled"
    pending.save()
    assert keys_for(world.staff)["imports"] == []


def test_a_submitted_measurement_goes_to_the_leads_until_validated(world, led, other):
    m = MeasurementFactory(
        project_indicator=ProjectIndicatorFactory(project=led), submitted_at=timezone.now()
    )
    assert keys_for(world.staff)["measurements"] == [m.pk]
    assert keys_for(other)["measurements"] == []
    m.status = "validated"
    m.save()
    assert keys_for(world.staff)["measurements"] == []


def test_a_self_assessment_filled_by_partners_is_listed_until_seen_and_again_when_changed(
    world, led, staff_client
):
    assessment = MaturityAssessment.objects.create(
        project=led, phase="emergence", moment="start", assessed_on=TODAY, assessed_by=world.partner_a
    )
    MaturityScore.objects.create(assessment=assessment, dimension="trust", score=3)
    assert keys_for(world.staff)["maturity"] == [assessment.pk]
    response = staff_client.post(
        reverse("projects:inbox.seen"), {"source": "maturity", "item": assessment.pk}
    )
    assert response.status_code == 302
    assert keys_for(world.staff)["maturity"] == []
    assessment.comment = "Nous avons revu nos notes."
    assessment.save()
    assert keys_for(world.staff)["maturity"] == [assessment.pk]


def test_reassigning_moves_the_item_to_the_chosen_member_with_an_audit_entry(world, other, staff_client):
    d = DeliverableFactory(
        project=world.project_a, status=DeliverableStatus.SUBMITTED, owner_user=world.staff
    )
    response = staff_client.post(
        reverse("projects:inbox.assign"),
        {"source": "deliverables", "item": d.pk, "assignee": other.pk},
        follow=True,
    )
    assert "est maintenant assigné à Olga" in response.content.decode()
    assert keys_for(world.staff)["deliverables"] == []
    assert keys_for(other)["deliverables"] == [d.pk]
    page = staff_client.get(reverse("projects:inbox") + "?pour=equipe").content.decode()
    assert "Assigné à Olga" in page
    assert AuditEntry.objects.filter(object_id=str(d.pk), action="deliverable.reassigned").exists()
    # The deliverable's history says what happened, not a bare « modification ».
    from programme.audit import action_label

    assert action_label("deliverable.reassigned") == "Réassignation (à traiter)"


def test_reassigning_to_a_partner_is_refused_and_saves_nothing(world, staff_client):
    d = DeliverableFactory(
        project=world.project_a, status=DeliverableStatus.SUBMITTED, owner_user=world.staff
    )
    response = staff_client.post(
        reverse("projects:inbox.assign"),
        {"source": "deliverables", "item": d.pk, "assignee": world.partner_a.pk},
        follow=True,
    )
    assert "Choisissez un membre actif de l’équipe" in response.content.decode()
    assert not Assignment.objects.exists()
    response = staff_client.post(
        reverse("projects:inbox.assign"), {"source": "deliverables", "item": d.pk}, follow=True
    )
    assert "Choisissez la personne à qui assigner." in response.content.decode()
    assert not Assignment.objects.exists()


def test_each_row_links_to_its_reassign_form_which_htmx_loads_in_place(world, other, staff_client):
    d = DeliverableFactory(
        project=world.project_a, status=DeliverableStatus.SUBMITTED, owner_user=world.staff, title="Bilan"
    )
    page = staff_client.get(reverse("projects:inbox") + "?pour=equipe").content.decode()
    url = (
        reverse("projects:inbox.reassign", args=["deliverables", d.pk])
        + "?next=/projets/a-traiter/%3Fpour%3Dequipe"
    )
    # The row holds a link (named after its item for a screen reader), not the menu of every member.
    assert f'href="{url}" hx-get="{url}"' in page
    assert 'Réassigner<span class="visually-hidden"> «\u202fBilan\u202f»</span></a>' in page
    assert '<select name="assignee"' not in page
    # With htmx: the form alone, its menu focused, coming back to the filtered inbox once sent.
    fragment = staff_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith(
        '<form method="post" action="/projets/a-traiter/assigner/" class="inbox-assign">'
    )
    assert 'name="next" value="/projets/a-traiter/?pour=equipe"' in fragment
    assert f'<select name="assignee" id="assign-deliverables-{d.pk}" autofocus>' in fragment
    assert f'<option value="{other.pk}">Olga</option>' in fragment
    assert "<html" not in fragment
    # Without JavaScript: the same form on a page of its own, its label shown, and a way back.
    alone = staff_client.get(url).content.decode()
    assert "<html" in alone and 'class="visually-hidden" for="assign-' not in alone
    assert "Réassigner «\u202fBilan\u202f» à</label>" in alone
    assert '<a href="/projets/a-traiter/?pour=equipe">Annuler</a>' in alone
    response = staff_client.post(
        reverse("projects:inbox.assign"),
        {
            "source": "deliverables",
            "item": d.pk,
            "assignee": other.pk,
            "next": "/projets/a-traiter/?pour=equipe",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/projets/a-traiter/?pour=equipe"
    assert keys_for(other)["deliverables"] == [d.pk]


def test_the_reassign_form_refuses_what_cannot_be_reassigned(world, staff_client):
    pending = pending_import(world, user=world.staff)
    done = DeliverableFactory(project=world.project_a, status=DeliverableStatus.ACCEPTED)
    for key, pk in (("imports", pending.pk), ("deliverables", done.pk), ("nothing", 1)):
        assert staff_client.get(reverse("projects:inbox.reassign", args=[key, pk])).status_code == 404
    # A `next` elsewhere is not offered: the way back is the inbox.
    d = DeliverableFactory(
        project=world.project_a, status=DeliverableStatus.SUBMITTED, owner_user=world.staff
    )
    page = staff_client.get(
        reverse("projects:inbox.reassign", args=["deliverables", d.pk]) + "?next=https://example.com/"
    ).content.decode()
    form = page[page.index('<form method="post" action="/projets/a-traiter/assigner/"') :]
    assert 'name="next" value="/projets/a-traiter/"' in form and "example.com" not in form


def test_an_import_cannot_be_handed_over(world, other, staff_client):
    pending = pending_import(world, user=world.staff)
    response = staff_client.post(
        reverse("projects:inbox.assign"), {"source": "imports", "item": pending.pk, "assignee": other.pk}
    )
    assert response.status_code == 404
    assert not Assignment.objects.exists()


def test_the_page_filters_me_the_team_or_a_member(world, led, other, staff_client):
    DeliverableFactory(
        project=world.project_a, status=DeliverableStatus.SUBMITTED, owner_user=other, title="Rapport d’Olga"
    )
    DeliverableFactory(
        project=world.project_a,
        status=DeliverableStatus.SUBMITTED,
        owner_user=world.staff,
        title="Mon rapport",
    )
    mine = staff_client.get(reverse("projects:inbox")).content.decode()
    assert "Mon rapport" in mine and "Rapport d’Olga" not in mine
    team = staff_client.get(reverse("projects:inbox") + "?pour=equipe").content.decode()
    assert "Mon rapport" in team and "Rapport d’Olga" in team
    hers = staff_client.get(reverse("projects:inbox") + f"?pour={other.pk}").content.decode()
    assert "Mon rapport" not in hers and "Rapport d’Olga" in hers
    bad = staff_client.get(reverse("projects:inbox") + "?pour=personne").content.decode()
    assert "Ce filtre n’existe pas" in bad and "Mon rapport" in bad


def test_the_navigation_shows_the_count_by_url(world, staff_client):
    DeliverableFactory(project=world.project_a, status=DeliverableStatus.SUBMITTED, owner_user=world.staff)
    ActionFactory(project=world.project_a, owner_user=world.staff, due_date=TODAY)
    home = staff_client.get(reverse("home")).content.decode()
    assert reverse("projects:inbox.count") in home and "À traiter" in home
    count = staff_client.get(reverse("projects:inbox.count")).content.decode()
    assert ">2<" in count
    assert selectors.inbox_count(world.staff, today=TODAY) == 2


def test_partners_have_no_inbox_link(world, partner_a_client):
    page = partner_a_client.get(reverse("home")).content.decode()
    assert reverse("projects:inbox.count") not in page
    assert partner_a_client.get(reverse("projects:inbox")).status_code == 404


def _fill(world, n: int) -> None:
    """`n` items of each source for the staff member."""
    world.project_a.phase = "emergence"
    world.project_a.save()
    world.project_a.staff_leads.add(world.staff)
    PhasePeriodFactory(
        project=world.project_a,
        phase="emergence",
        planned_start=TODAY - timedelta(days=300),
        planned_end=TODAY - timedelta(days=1),
    )
    for i in range(n):
        DeliverableFactory(project=world.project_a, status=DeliverableStatus.SUBMITTED)
        ActionFactory(project=world.project_a, owner_user=world.staff, due_date=TODAY)
        prospect = prospect_in(world, organisation=_org(i), owner=world.staff)
        ExchangeFactory(prospect=prospect, next_action="Rappeler", next_action_date=TODAY, owner=world.staff)
        MeasurementFactory(
            project_indicator=ProjectIndicatorFactory(project=world.project_a), submitted_at=timezone.now()
        )
        pending_import(world, user=world.staff)


def _org(i):
    from tests.factories import OrganisationFactory

    return OrganisationFactory(name=f"Structure {i}")


@pytest.mark.parametrize("n", [1, 4])
def test_the_page_query_count_is_constant(world, staff_client, django_assert_num_queries, n):
    _fill(world, n)
    # 1 session, 2 user, 3 the team members (the filter and the assignees' names);
    # 4 every section in one UNION ALL (for each source — deliverables, measurements, maturity, gates,
    # actions, exchanges, prospects, imports — its first rows with their explicit assignee, and its count);
    # 5 the staff leads of every listed project (the default assignees). The same for 1 or 4 rows per source.
    # The sources' content types are read once per process (Django's cache): by a first request here.
    staff_client.get(reverse("projects:inbox"))
    with django_assert_num_queries(3 + 1 + 1):
        response = staff_client.get(reverse("projects:inbox"))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 4])
def test_the_count_is_one_query(world, staff_client, django_assert_num_queries, n):
    _fill(world, n)
    # session, user, then one UNION ALL over every source (its content types read once per process, by a
    # first request).
    staff_client.get(reverse("projects:inbox.count"))
    with django_assert_num_queries(3):
        response = staff_client.get(reverse("projects:inbox.count"))
    assert response.status_code == 200


@pytest.mark.parametrize("shift", [0, 10, -400])
def test_the_sql_compiled_once_per_process_reads_what_the_querysets_read(world, shift):
    """The sections and the count run SQL compiled once per process with stand-in values (a 1999 day, a
    made-up member, made-up content type ids) swapped for this request's: for every registered source, on
    several days, for the member and for the whole team, it must find exactly the rows the source's
    queryset finds, and count them — a source that filters on a date not derived from today breaks this."""
    _fill(world, 2)
    day = TODAY + timedelta(days=shift)
    expected_count = 0
    for source in selectors.sources():
        for member_id in (world.staff.pk, None):
            plain = set(
                selectors.rows_for(source, today=day, member_id=member_id).values_list("pk", flat=True)
            )
            ((rows, count),) = selectors._sections((source.key,), today=day, member_id=member_id, rows=10_000)
            assert {row["pk"] for row in rows} == plain, (source.key, member_id)
            assert count == len(plain), (source.key, member_id)
            if member_id is not None:
                expected_count += len(plain)
    assert selectors.inbox_count(world.staff, today=day) == expected_count
    if shift == 0:
        assert expected_count > 0  # the filled items are there to be found


def test_a_section_keeps_its_order_and_counts_what_it_does_not_show(world):
    """Every section is a part of one UNION ALL, whose rows come in no guaranteed order: each keeps its own
    (the earliest due first), shows its first rows and counts them all — for the member and the team."""
    days = [3, -5, 0, -2, 6]
    actions = {
        d: ActionFactory(project=world.project_a, owner_user=world.staff, due_date=TODAY + timedelta(days=d))
        for d in days
    }
    for member_id in (world.staff.pk, None):
        section = next(
            s
            for s in selectors.inbox(world.staff, member_id=member_id, today=TODAY, rows=3)
            if s.source.key == "actions"
        )
        assert [i.pk for i in section.items] == [actions[d].pk for d in sorted(days)[:3]]
        assert (section.count, section.more) == (5, 2)


def test_the_members_assigned_items_are_a_set_an_index_can_look_up(world):
    """On PostgreSQL « assigned to the member » is `pk = ANY(ARRAY(…))` (a value computed once), so the OR
    with « owned by the member » reads both by index instead of testing every open action (`InSubquery`);
    `IN (…)` elsewhere. The compiled statement names no content type by its natural key (a join to plan per
    subquery): their ids are parameters."""
    from django.db import connection

    keys = tuple(s.key for s in selectors.sources())
    statement, _names = selectors._statement(keys, mine=True, rows=50)
    if connection.vendor == "postgresql":
        assert '"projects_action"."id" = ANY(ARRAY(SELECT' in statement.sql
    else:
        assert '"projects_action"."id" IN (SELECT' in statement.sql
    assert "django_content_type" not in statement.sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_sections_statement_is_planned_once_per_connection_and_day(world, django_assert_num_queries):
    """On PostgreSQL the sections' statement is PREPAREd once per connection and day, with the member as
    its one argument, and then only EXECUTEd, on its generic plan (planning it cost more than running it);
    it reads what the statement run directly reads."""
    _fill(world, 2)
    keys = tuple(s.key for s in selectors.sources())

    def direct(member_id, day):
        statement, _names = selectors._statement(keys, mine=member_id is not None, rows=50)
        params = selectors._params(statement.params, today=day, member_id=member_id or 0)
        return [sorted(part) for part in statement.raw_rows(params)]

    def run(member_id, day):
        with CaptureQueriesContext(connection) as queries:
            rows = selectors._sections(keys, today=day, member_id=member_id, rows=50)
        return rows, [q["sql"] for q in queries.captured_queries]

    for mine in (True, False):  # the content types are read once per process (Django's cache): here
        selectors._params(selectors._statement(keys, mine=mine, rows=50)[0].params, today=TODAY, member_id=0)
    for member_id in (world.staff.pk, None):
        # Days no other test reads: a statement already prepared on this connection is not prepared again.
        for day in (TODAY + timedelta(days=777), TODAY + timedelta(days=778)):
            first, (sql,) = run(member_id, day)
            assert " PREPARE parcours_" in f" {sql}"
            again, (sql,) = run(member_id, day)
            assert sql.startswith("SET LOCAL plan_cache_mode = force_generic_plan; EXECUTE parcours_")
            assert again == first
            statement, _names = selectors._statement(keys, mine=member_id is not None, rows=50)
            parts = selectors.prepared_raw_rows(
                statement,
                selectors._params(statement.params, today=day, member_id=selectors.ARGUMENT),
                form=("inbox", keys, member_id is not None, 50),
                argument=member_id or 0,
            )
            assert [sorted(part) for part in parts] == direct(member_id, day)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(custom_plans), sum(generic_plans) FROM pg_prepared_statements")
        custom, generic = cursor.fetchone()
    assert custom == 0 and generic > 0


def test_the_sections_say_their_count_what_they_do_not_show_and_when_they_are_empty(world, staff_client):
    """The table of contents and the sections as the template wrote them (now written in Python): a count
    badge per section, « et n autres » under a section longer than it shows, the empty message for me or
    for the team."""
    ActionFactory.create_batch(
        selectors.SECTION_ROWS + 2, project=world.project_a, owner_user=world.staff, due_date=TODAY
    )
    page = staff_client.get(reverse("projects:inbox")).content.decode()
    count = selectors.SECTION_ROWS + 2
    assert (
        f'<li><a href="#inbox-actions">Actions à faire</a> <span class="badge badge--warn">{count}</span></li>'
        in page
    )
    assert '<li><a href="#inbox-imports">Imports à confirmer</a> <span class="badge">0</span></li>' in page
    assert (
        '<div class="card-head"><h2 id="h-inbox-actions">Actions à faire'
        f' <span class="badge badge--warn">{count}</span></h2></div>\n'
        '  <p class="muted">En retard ou à échéance dans les 7 prochains jours.</p>\n'
        '  \n  <ul class="plain inbox-items">\n  <li class="inbox-item">'
    ) in page
    assert (
        '</li>\n  </ul>\n  <p class="muted">et 2 autres éléments (les plus anciens sont listés d’abord)</p>\n'
        "  \n</section>\n"
    ) in page
    assert page.count('<p class="empty">Rien ne vous attend ici.</p>') == len(selectors.sources()) - 1
    team = staff_client.get(reverse("projects:inbox") + "?pour=equipe").content.decode()
    assert '\n  \n  <p class="empty">Rien à traiter ici.</p>\n  \n</section>\n' in team


def test_the_rows_dates_and_late_badges_follow_the_page_language(world, staff_client):
    """The badges and dates rows write are kept from one page to the next, by language: a page in English
    after one in French (and back) reads its own."""
    ActionFactory(project=world.project_a, owner_user=world.staff, due_date=TODAY - timedelta(days=2))
    french = staff_client.get(reverse("projects:inbox")).content.decode()
    assert "en retard de 2 jours</span>" in french and "échéance le <time" in french
    staff_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = staff_client.get(reverse("projects:inbox")).content.decode()
    assert "2 days late</span>" in english and "en retard" not in english and "due <time" in english
    staff_client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert "en retard de 2 jours</span>" in staff_client.get(reverse("projects:inbox")).content.decode()
