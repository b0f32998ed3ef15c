"""The activity report's « Événements et formations » section (#20): the figures of `event_figures` for the
report's period and scope, in the PDF and in its Word edition; a partner downloads neither."""

from datetime import date

from django.urls import reverse

from evaluation.models import ReportStatus
from evaluation.selectors import Filters, event_figures
from prospects.events.models import Registration, SequenceAttendance, SurveyAnswer
from tests.factories import CohortFactory, OrganisationFactory, PersonFactory
from tests.prospects.events.factories import ModuleFactory, OpenEventFactory, sequence_of

from .helpers import order_activity, pdf_pages_text
from .test_written_reports import docx_text


def _present(event, person, *, structure: str = "", overall: int | None = None) -> Registration:
    registration = Registration.objects.create(
        event=event, person=person, status="present", structure_name=structure
    )
    if overall is not None:
        SurveyAnswer.objects.create(
            registration=registration, overall=overall, content=4, organisation=4, usefulness=4
        )
    return registration


def _events(world) -> None:
    """In 2026: a regional day (3 present, 2 structures of contacts and 1 declared, 3 answers: 2 satisfied),
    a training (Alice again, 3 h + 2 h attended) and a webinar; in 2025 and in another cohort: not counted."""
    day = OpenEventFactory(programme=world.programme, name="Journée des transitions", date=date(2026, 5, 12))
    _present(day, world.person_a, overall=5)
    _present(day, PersonFactory(organisation=OrganisationFactory(name="Régie de quartier")), overall=4)
    _present(day, PersonFactory(organisation=None), structure="Ressourcerie Neuve", overall=2)
    training = OpenEventFactory(
        programme=world.programme,
        kind="training",
        module=ModuleFactory(programme=world.programme),
        date=date(2026, 9, 15),
    )
    alice = _present(training, world.person_a)
    for sequence in (sequence_of(training, 9, 3), sequence_of(training, 14, 2)):
        SequenceAttendance.objects.create(registration=alice, sequence=sequence)
    webinar = OpenEventFactory(programme=world.programme, kind="webinar", date=date(2026, 3, 2))
    _present(webinar, world.person_b)
    Registration.objects.create(event=webinar, person=PersonFactory(), status="absent")
    before = OpenEventFactory(programme=world.programme, kind="fair", date=date(2025, 11, 5))
    _present(before, PersonFactory(organisation=OrganisationFactory(name="Hors période")), overall=1)
    other = CohortFactory(programme=world.programme, name="Promotion 2027")
    gathering = OpenEventFactory(
        programme=world.programme, kind="cohort", cohort=other, date=date(2026, 10, 1), name="Rencontre 2027"
    )
    _present(gathering, PersonFactory(organisation=OrganisationFactory(name="Autre promotion")))


def _section(pages: list[str]) -> str:
    """The text of the section's page (it opens a page: each section does)."""
    return next(page for page in pages if page.startswith("Événements et formations"))


def test_the_activity_report_has_the_events_of_its_period_and_scope(
    season, django_capture_on_commit_callbacks
):
    world = season.world
    _events(world)
    report = order_activity(world, django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.DONE, report.error
    section = _section(pdf_pages_text(report))

    # The figures the dashboard reads for the same filters (the one definition)…
    figures = event_figures(user=world.director, filters=_filters(world))
    assert (figures["events"], figures["participants"], figures["structures"]) == (4, 5, 5)
    assert figures["answers"] == 3 and str(figures["training_hours"]) == "5.0"
    # …printed: 4 events (the regional day, the training, the webinar, the other cohort's gathering), 5
    # people, 5 structures, 2 satisfied answers out of 3, 5 hours of training.
    # The title, then its first figure under a label of its own (not the title again).
    assert section.startswith("Événements et formations 4 Événements tenus (1)")
    assert "5 Participants aux événements (2)" in section
    assert "5 Structures mobilisées (3)" in section
    assert "66,7 % Taux de satisfaction (4)" in section
    assert "5 Heures de formation suivies (5)" in section
    for kind in ("Journée régionale 1", "Rencontre de promotion 1", "Formation 1", "Webinaire 1"):
        assert kind in section
    assert "Salon" not in section  # the 2025 fair is outside the period
    assert "calculé sur 3 réponses au questionnaire" in section
    assert "ou 5 sur 5" in section  # the figures' definitions as footnotes

    word = docx_text(report)
    start = word.rindex("Événements et formations")
    assert "66,7 % Taux de satisfaction" in word[start:] and "Journée régionale" in word[start:]


def _filters(world) -> Filters:
    """The activity report's filters (helpers.PERIOD, today as the report reads it)."""
    return Filters(programme_id=world.programme.pk, start=date(2026, 1, 1), end=date(2026, 12, 31))


def test_a_cohorts_report_counts_only_that_cohorts_events_and_a_partner_downloads_none(
    season, django_capture_on_commit_callbacks, partner_a_client
):
    world = season.world
    _events(world)
    other = world.programme.cohorts.get(name="Promotion 2027")
    report = order_activity(world, django_capture_on_commit_callbacks, cohort=other.pk)
    section = _section(pdf_pages_text(report))
    assert "1 Événements tenus (1)" in section and "1 Participants aux événements (2)" in section
    assert "Rencontre de promotion 1" in section and "Journée régionale" not in section
    assert "— Taux de satisfaction (4)" in section  # no answer, no rate
    # The activity report is the team's: a partner gets neither edition.
    for name in ("evaluation:report.download", "evaluation:report.download_docx"):
        assert partner_a_client.get(reverse(name, args=[report.pk])).status_code == 404
