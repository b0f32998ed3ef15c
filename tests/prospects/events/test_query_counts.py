"""The events pages that list rows (#20) run the same number of queries with 3 rows as with 30
(registrations, attendances, answers, agenda sequences, sessions, modules, invitations): each count is
pinned, with the queries named."""

import pytest
from django.urls import reverse

from prospects.events.models import SequenceAttendance, SurveyAnswer
from tests.factories import OrganisationFactory, PersonFactory

from .factories import ModuleFactory, OpenEventFactory, public_event, registration_of, sequence_of

SESSION = ["session", "user"]


def _participants(event, n: int) -> None:
    """`n` people present, each at both sequences of the day and with an answer to the questionnaire."""
    sequences = list(event.sequences.all()) or [sequence_of(event, 9, 3), sequence_of(event, 14, 2)]
    for _ in range(n):
        registration = registration_of(
            event, PersonFactory(organisation=OrganisationFactory()), status="present"
        )
        for sequence in sequences:
            SequenceAttendance.objects.create(registration=registration, sequence=sequence)
        SurveyAnswer.objects.create(
            registration=registration, overall=4, content=5, organisation=3, usefulness=4, comment="Utile"
        )


#: page → the queries it runs, named (the length is the pinned count).
TEAM_PAGES = {
    "prospects:event.registrations": [
        *SESSION,
        "the event",
        "the counts per status",
        "the registrations with their contact and structure",
        "the invite form's cohorts",
        "the invite form's territories",
    ],
    "prospects:event.checkin": [
        *SESSION,
        "the event",
        "the counts per status",
        "the registrants with their contact and structure",
    ],
    "prospects:event.attendance": [
        *SESSION,
        "the event",
        "the participants with their contact and structure",
        "their sequences attended (prefetched)",
        "the agenda's sequences",
    ],
    # The questionnaire's results show here (count, mean per question, comments).
    "prospects:event.detail": [
        *SESSION,
        "the event",
        "the counts per status",
        "the questionnaire's answers",
        "the history",
        "the themes",
        "the team",
        "the agenda",
        "the co-organisers",
        "the prospects met",
        # The link form's prospect menu draws nothing until searched (programme.forms.SearchSelect).
    ],
    # The satisfaction rate and the other figures, loaded by URL into the event page.
    "evaluation:event.figures": [
        *SESSION,
        "the event",
        "the present registrations with their answer",
        "the training sequences attended",
    ],
}


@pytest.mark.parametrize("name", TEAM_PAGES)
def test_an_events_team_page_runs_as_many_queries_with_30_rows_as_with_3(
    world, staff_client, django_assert_num_queries, name
):
    event = OpenEventFactory(programme=world.programme, kind="training", module=ModuleFactory())
    url = reverse(name, args=[event.pk])
    _participants(event, 3)
    staff_client.get(url)  # the session's first read is then behind us
    with django_assert_num_queries(len(TEAM_PAGES[name])):
        assert staff_client.get(url).status_code == 200
    _participants(event, 27)
    with django_assert_num_queries(len(TEAM_PAGES[name])):
        page = staff_client.get(url).content.decode()
    if name == "prospects:event.detail":
        assert "30 réponses au questionnaire" in page


def test_the_training_catalogue_and_a_modules_sessions_do_not_grow(
    world, staff_client, django_assert_num_queries
):
    module = ModuleFactory(programme=world.programme)
    catalogue = reverse("prospects:event.module.list")
    sessions = reverse("prospects:event.module.detail", args=[module.pk])

    def grow(n: int) -> str:
        for _ in range(n):
            ModuleFactory(programme=world.programme)
            session = OpenEventFactory(programme=world.programme, kind="training", module=module)
            registration_of(session, status="present")
        return session.name

    last = grow(3)
    staff_client.get(catalogue)
    for n in (3, 27):
        if n == 27:
            last = grow(n)
        # session · user · the modules with their number of sessions
        with django_assert_num_queries(3):
            staff_client.get(catalogue)
        # session · user · the module · its sessions with their counts
        with django_assert_num_queries(4):
            page = staff_client.get(sessions).content.decode()
    assert last in page and page.count("1 inscrit") == 30


def test_the_public_registration_page_does_not_grow(world, client, django_assert_num_queries):
    event = public_event(world)
    url = reverse("events:register", args=[event.public_key])
    for n in (3, 27):
        for index in range(n):
            sequence_of(event, 8 + index % 12, 1, title=f"Table ronde {index}")
            registration_of(event)
        # the event behind the address · its agenda (titles and times)
        with django_assert_num_queries(2):
            page = client.get(url).content.decode()
    assert "Table ronde 26" in page


def test_the_portals_events_list_does_not_grow(world, partner_a_client, django_assert_num_queries):
    url = reverse("portal:events")
    for n in (3, 27):
        for _ in range(n):
            event = OpenEventFactory(programme=world.programme)
            registration_of(event, world.person_a, status="invited")
            registration_of(event, PersonFactory(organisation=world.org_a))
        # session · user · the events the partner's structure is invited to · the partner's own registrations
        with django_assert_num_queries(4):
            page = partner_a_client.get(url).content.decode()
    assert page.count("Je m’inscris") == 30
