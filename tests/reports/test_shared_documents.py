"""One access decision for everything shared (issue #13, item 1): every document partner B can get — the
funder report staff shared with the collective, the calendar feed, the personal data export — is built by
the portal's rules. Team-only records are poisoned with markers; the documents are read back as text and
none of the markers appears, while what the collective may read does."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.models import ReportStatus
from evaluation.reports import services as report_services
from projects import services as project_services
from projects.models import CommitteeDecision
from tests.conftest import client_for
from tests.evaluation.factories import IndicatorFactory, LessonFactory, ProjectIndicatorFactory
from tests.projects.factories import (
    ActionFactory,
    CommitteeFactory,
    DeliverableFactory,
    DocumentFactory,
    MilestoneFactory,
    StakeholderFactory,
    WorkshopFactory,
)
from tests.prospects.factories import prospect_in

from .helpers import order_funder, pdf_reader

pytestmark = pytest.mark.django_db

#: What the team keeps to itself on project B: none of it may reach partner B.
SECRETS = {
    "milestone": "JALONINTERNESECRET",
    "team deliverable": "LIVRABLEEQUIPESECRET",
    "lesson title": "LECONNONPARTAGEE",
    "lesson body": "CORPSLECONSECRET",
    "team indicator": "INDICATEUREQUIPESECRET",
    "unshared workshop": "ATELIERINTERNESECRET",
    "unshared committee decision": "DECISIONINTERNESECRET",
    "stakeholder notes": "NOTESACTEURSECRET",
    "prospect notes": "NOTESPROSPECTSECRET",
    "unshared document": "DOCUMENTINTERNESECRET",
    "team action": "ACTIONEQUIPESECRET",
}
#: What the collective may read: it must be in the documents (or the test would prove nothing).
SHARED = {
    "collective deliverable": "LIVRABLECOLLECTIFB",
    "collective indicator": "INDICATEURCOLLECTIFB",
    "shared workshop": "ATELIERPARTAGEB",
}


@pytest.fixture
def poisoned(world):
    """Project B with records of every kind the portal hides from partner B, and some it shows."""
    b = world.project_b
    now = timezone.now()
    MilestoneFactory(project=b, title=SECRETS["milestone"])
    DeliverableFactory(project=b, title=SECRETS["team deliverable"], owner_user=world.staff)
    DeliverableFactory(project=b, title=SHARED["collective deliverable"], owner_organisation=world.org_b)
    lesson = LessonFactory(
        programme=world.programme, title=SECRETS["lesson title"], body=SECRETS["lesson body"]
    )
    lesson.projects.add(b)
    ProjectIndicatorFactory(
        project=b, indicator=IndicatorFactory(name=SECRETS["team indicator"]), reporter="staff"
    )
    ProjectIndicatorFactory(
        project=b, indicator=IndicatorFactory(name=SHARED["collective indicator"]), reporter="partner"
    )
    WorkshopFactory(
        project=b,
        title=SECRETS["unshared workshop"],
        shared_with_collective=False,
        starts_at=now + timedelta(days=3),
    )
    WorkshopFactory(project=b, title=SECRETS["unshared workshop"] + "PASSE", shared_with_collective=False)
    WorkshopFactory(project=b, title=SHARED["shared workshop"], starts_at=now - timedelta(days=2))
    WorkshopFactory(project=b, title=SHARED["shared workshop"] + "AVENIR", starts_at=now + timedelta(days=5))
    committee = CommitteeFactory(project=b, shared_with_collective=False, date=now.date() - timedelta(days=1))
    CommitteeDecision.objects.create(committee=committee, text=SECRETS["unshared committee decision"])
    StakeholderFactory(project=b, notes=SECRETS["stakeholder notes"])
    prospect_in(world, organisation=world.org_b, notes=SECRETS["prospect notes"])
    DocumentFactory(project=b, title=SECRETS["unshared document"], shared_with_collective=False)
    ActionFactory(project=b, title=SECRETS["team action"], owner_user=world.staff)
    return world


def _assert_only_shared(text: str, *, expected: tuple[str, ...]) -> None:
    leaked = [kind for kind, marker in SECRETS.items() if marker in text]
    assert leaked == [], f"team-only records leaked: {leaked}"
    for marker in expected:
        assert marker in text


def test_the_shared_funder_report_shows_partner_b_nothing_the_portal_hides(
    poisoned, django_capture_on_commit_callbacks
):
    world = poisoned
    report = order_funder(world, django_capture_on_commit_callbacks, project=world.project_b)
    assert report.status == ReportStatus.DONE
    team_text = " ".join((page.extract_text() or "") for page in pdf_reader(report).pages).replace(" ", "")
    assert SECRETS["milestone"].replace(" ", "") in team_text  # the team's edition is whole
    with django_capture_on_commit_callbacks(execute=True):  # sharing renders the collective's edition
        report_services.report_share(actor=world.staff, report=report, shared=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE

    response = client_for(world.partner_b).get(reverse("evaluation:report.download", args=[report.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf_reader(report).pages)
    _assert_only_shared(
        text.replace(" ", ""),
        expected=(
            SHARED["collective deliverable"],
            SHARED["collective indicator"],
            SHARED["shared workshop"],
        ),
    )
    assert "Jalons" not in text


def test_the_portal_page_and_the_report_agree(poisoned):
    """The same markers are absent from partner B's « Mon projet » (the reference the report follows)."""
    page = client_for(poisoned.partner_b).get(reverse("portal:project", args=[poisoned.project_b.pk]))
    assert page.status_code == 200
    _assert_only_shared(
        page.content.decode(), expected=(SHARED["collective deliverable"], SHARED["collective indicator"])
    )


def test_partner_b_calendar_feed_holds_only_what_the_portal_shows(poisoned):
    token = project_services.calendar_token_rotate(user=poisoned.partner_b)
    DeliverableFactory(
        project=poisoned.project_b,
        title=SHARED["collective deliverable"] + "BIENTOT",
        owner_organisation=poisoned.org_b,
        due_date=timezone.localdate() + timedelta(days=4),
    )
    response = client_for(None).get(reverse("projects:calendar.feed", args=[token]))
    assert response.status_code == 200
    text = response.content.decode().replace("\r\n ", "")  # unfold iCalendar lines
    _assert_only_shared(
        text, expected=(SHARED["collective deliverable"] + "BIENTOT", SHARED["shared workshop"] + "AVENIR")
    )


def test_partner_b_personal_data_export_holds_nothing_of_the_team(poisoned):
    response = client_for(poisoned.partner_b).get(reverse("portal:my_data"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = json.dumps(json.loads(response.content), ensure_ascii=False)
    _assert_only_shared(text, expected=())


def test_with_several_organisations_the_report_holds_what_every_member_may_read(poisoned):
    """Partner B's portal hides the deliverables and indicators of another member organisation: so does the
    report shared with the whole collective (and B's own, which the other member's portal hides)."""
    from evaluation.models import Report
    from evaluation.reports.content import funder_sections
    from projects.models import MemberRole
    from tests.factories import MembershipFactory, OrganisationFactory

    world = poisoned
    other = OrganisationFactory(name="Structure C")
    MembershipFactory(project=world.project_b, organisation=other, role=MemberRole.PARTNER)
    DeliverableFactory(project=world.project_b, title="LIVRABLESTRUCTUREC", owner_organisation=other)
    ProjectIndicatorFactory(
        project=world.project_b,
        indicator=IndicatorFactory(name="INDICATEURSTRUCTUREC"),
        reporter="partner",
        reporter_organisation=other,
    )
    ProjectIndicatorFactory(
        project=world.project_b, indicator=IndicatorFactory(name="INDICATEURDUCOLLECTIF"), reporter="partner"
    )
    report = Report(
        kind="funder", programme=world.programme, project=world.project_b, shared_with_partners=True
    )
    sections = {s.id: s.data for s in funder_sections(report, lambda _percent: None)["sections"]}
    assert [d["title"] for d in sections["livrables"]["deliverables"]] == []
    assert sorted(i["name"] for i in sections["indicateurs"]["items"]) == [
        SHARED["collective indicator"],
        "INDICATEURDUCOLLECTIF",
    ]
    assert "milestones" not in sections["livrables"] and "enseignements" not in sections
