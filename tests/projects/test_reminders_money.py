"""Money in the daily digest: the staff leads who steer a project hear of its justifications still to hand
in and its instalments not (fully) received, at the reminder offsets and the day after they fall due —
once, whatever the number of runs; nobody else hears of them."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core import mail
from django.urls import reverse

from programme.audit import Edit
from projects.funding import services as funding_services
from projects.funding.models import Justification, JustificationStatus
from projects.models import ReminderKind, ReminderLog
from tests.factories import UserFactory
from tests.projects.funding import factories as money
from tests.projects.funding.factories import ADVANCE, BALANCE, INTERIM

from .test_reminders import NOW, days, mails_to, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def conv(world):
    """Project A, steered by staff: a convention whose advance (partly paid) fell due yesterday, an
    interim due in 7 days, a balance due on no reminder day; a financial report due in 14 days, one already
    sent, and the service's default deadlines moved out of the way."""
    world.project_a.staff_leads.add(world.staff)
    req = money.request(
        world.staff,
        world.project_a,
        funder_org=money.funder("Région Digest"),
        amount="30000",
        status="granted",
        start=date(2026, 1, 1),
        end=date(2027, 6, 30),
    )
    conv = money.convention(
        world.staff,
        req,
        reference="CONV-DIGEST",
        schedule=[
            (ADVANCE, days(-1), "10000"),
            (INTERIM, days(7), "8000"),
            (BALANCE, days(5), "12000"),
        ],
    )
    funding_services.payment_record(
        actor=world.staff, convention=conv, received_on=date(2026, 11, 1), amount=D("4000"), reference="V1"
    )
    Justification.objects.filter(convention=conv).delete()
    for kind, due_on, status, sent_on in (
        ("financial", days(14), JustificationStatus.DUE, None),
        ("other", days(7), JustificationStatus.SENT, date(2026, 11, 20)),
    ):
        funding_services.justification_save(
            actor=world.staff,
            edit=Edit(
                obj=Justification(
                    convention=conv,
                    kind=kind,
                    covers_until=days(-30),
                    due_on=due_on,
                    status=status,
                    sent_on=sent_on,
                )
            ),
        )
    return conv


def test_the_steering_staff_hears_of_open_justifications_and_instalments(
    world, conv, django_capture_on_commit_callbacks
):
    summary = run(django_capture_on_commit_callbacks)
    assert summary["digests"] == 1
    [message] = mails_to("staff@test.fr")
    body = message.body.replace("\u202f", " ").replace("\xa0", " ")
    # Overdue since yesterday: what is still owed on the advance (10 000 − 4 000 received).
    overdue, upcoming = body.split("À VENIR")
    assert "EN RETARD" in overdue
    assert (
        "Versement attendu : Avance à la signature de 6 000 € — convention CONV-DIGEST (Région Digest)"
        in overdue
    )
    assert "(Projet A)" in overdue
    assert "Acompte de 8 000 € — convention CONV-DIGEST" in upcoming and "dans 7 jours" in upcoming
    assert "Justificatif : Compte-rendu financier (Cerfa 15059) — convention CONV-DIGEST" in upcoming
    assert "dans 14 jours" in upcoming
    # Not a reminder day (5 days ahead), already sent: not in the digest.
    assert "Solde sur compte-rendu" not in body and "Autre justificatif" not in body
    assert reverse("projects:funding.page", args=[world.project_a.pk]) in body
    html = message.alternatives[0][0]
    assert "CONV-DIGEST" in html and reverse("projects:funding.page", args=[world.project_a.pk]) in html
    kinds = sorted(ReminderLog.objects.filter(user=world.staff).values_list("kind", "offset"))
    assert kinds == [
        (ReminderKind.INSTALMENT, -1),
        (ReminderKind.INSTALMENT, 7),
        (ReminderKind.JUSTIFICATION, 14),
    ]


def test_money_reminders_are_claimed_once(world, conv, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks)
    second = run(django_capture_on_commit_callbacks)
    assert second["claimed"] == 0 and second["digests"] == 0
    assert len(mails_to("staff@test.fr")) == 1
    assert ReminderLog.objects.filter(kind=ReminderKind.JUSTIFICATION).count() == 1


def test_money_reaches_only_the_staff_leads(world, conv, django_capture_on_commit_callbacks):
    UserFactory(email="autre@test.fr", role="staff", first_name="Autre")
    run(django_capture_on_commit_callbacks)
    # The collective (partner A), the director, other staff and other collectives hear nothing of it.
    for address in ("a@test.fr", "b@test.fr", "director@test.fr", "autre@test.fr"):
        assert not mails_to(address), address
    assert len(mail.outbox) == 1


def test_a_received_instalment_and_a_sent_justification_are_not_reminded(
    world, conv, django_capture_on_commit_callbacks
):
    funding_services.payment_record(
        actor=world.staff, convention=conv, received_on=date(2026, 11, 20), amount=D("26000"), reference="V2"
    )
    Justification.objects.filter(convention=conv, due_on=days(14)).update(
        status=JustificationStatus.ACCEPTED, sent_on=date(2026, 11, 20)
    )
    summary = run(django_capture_on_commit_callbacks)
    # 4 000 + 26 000 settle the whole schedule: nothing left to chase.
    assert summary["claimed"] == 0 and not mail.outbox


def test_no_staff_lead_no_money_reminder(world, conv, django_capture_on_commit_callbacks):
    world.project_a.staff_leads.clear()
    assert run(django_capture_on_commit_callbacks)["claimed"] == 0
    assert not mail.outbox


def _scan_queries() -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.reminders import deadline_scan

    ReminderLog.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        deadline_scan(now=NOW)
    return len(queries)


def test_the_scan_reads_money_in_the_same_queries_as_conventions_grow(world, conv):
    one = _scan_queries()
    for n in range(3):
        req = money.request(
            world.staff,
            world.project_a,
            title=f"Demande {n}",
            amount="1000",
            status="granted",
            start=date(2026, 1, 1),
            end=date(2027, 6, 30),
        )
        money.convention(world.staff, req, reference=f"CONV-{n}", schedule=[(ADVANCE, days(-1), "1000")])
    # The scan's queries: offsets, the UNION, justifications, instalments, leads, org users, directors,
    # users, memberships, the claim, the claimed users and their count (savepoints aside).
    assert _scan_queries() == one
    assert ReminderLog.objects.filter(kind=ReminderKind.INSTALMENT, offset=-1).count() == 4
