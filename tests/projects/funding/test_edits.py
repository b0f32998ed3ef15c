"""Correcting a payment; deleting an instalment, a justification, a payment: a confirmation page, then the
POST; each change in the audit trail; outsiders get 404; a deletion or a correction that would break a
rule is refused with the reason in French and changes nothing."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from programme.models import AuditEntry
from projects.funding import services
from projects.funding.models import Instalment, Justification, JustificationStatus, Payment
from tests.conftest import client_for

from .factories import ADVANCE, BALANCE, convention, page_text, request

pytestmark = pytest.mark.django_db


@pytest.fixture
def conv(world):
    """20 000 € granted over 2026: an advance of 12 000 € received (one payment), a balance of 8 000 €."""
    req = request(world.staff, world.project_a, title="Demande", amount="20000", status="granted")
    conv = convention(
        world.staff,
        req,
        reference="CONV-E",
        schedule=[(ADVANCE, date(2026, 2, 1), "12000"), (BALANCE, date(2026, 12, 31), "8000")],
    )
    services.payment_record(
        actor=world.staff,
        convention=conv,
        received_on=date(2026, 2, 10),
        amount=D("12000"),
        reference="VIR-1",
    )
    return conv


def _payment(conv) -> Payment:
    return conv.payments.get()


def test_staff_corrects_a_payment_and_the_audit_trail_keeps_the_change(world, staff_client, conv):
    url = reverse("projects:funding.payment.edit", args=[_payment(conv).pk])
    page = staff_client.get(url)
    assert page.status_code == 200 and "Corriger le versement du 10 févr. 2026" in page_text(page)
    response = staff_client.post(
        url, {"received_on": "2026-02-12", "amount": "11 500", "reference": "VIR-1bis", "excess_reason": ""}
    )
    assert response.status_code == 302
    payment = _payment(conv)
    assert (payment.received_on, payment.amount, payment.reference) == (
        date(2026, 2, 12),
        D("11500"),
        "VIR-1bis",
    )
    entry = AuditEntry.objects.get(action="payment.updated")
    assert set(entry.changes) == {"received_on", "amount", "reference"}
    body = page_text(staff_client.get(reverse("projects:funding.page", args=[world.project_a.pk])))
    assert "11 500,00 €" in body or "11 500 €" in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "25000"}, "indiquez le motif du dépassement"),
        ({"amount": "-5"}, "ne peut pas être négatif"),
        ({"amount": "0"}, "supérieur à zéro"),
        ({"received_on": "2025-12-01"}, "précède la période de la convention"),
        ({"received_on": "2099-01-01"}, "daté dans le futur"),
    ],
)
def test_a_bad_payment_correction_is_refused_and_nothing_changes(world, staff_client, conv, data, message):
    url = reverse("projects:funding.payment.edit", args=[_payment(conv).pk])
    posted = {
        "received_on": "2026-02-10",
        "amount": "12000",
        "reference": "VIR-1",
        "excess_reason": "",
        **data,
    }
    response = staff_client.post(url, posted)
    assert response.status_code == 200
    assert message in page_text(response)
    assert _payment(conv).amount == D("12000") and _payment(conv).received_on == date(2026, 2, 10)
    assert not AuditEntry.objects.filter(action="payment.updated").exists()


def test_a_payment_correction_beyond_what_is_due_is_saved_with_its_reason(world, staff_client, conv):
    url = reverse("projects:funding.payment.edit", args=[_payment(conv).pk])
    response = staff_client.post(
        url,
        {
            "received_on": "2026-02-10",
            "amount": "21000",
            "reference": "VIR-1",
            "excess_reason": "Avance doublée",
        },
    )
    assert response.status_code == 302
    assert _payment(conv).excess_reason == "Avance doublée"


def test_a_payment_is_deleted_after_its_confirmation_page(world, staff_client, conv):
    url = reverse("projects:funding.payment.delete", args=[_payment(conv).pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "Supprimer le versement du 10 févr. 2026 (12 000 €)" in page_text(page)
    assert Payment.objects.count() == 1  # a GET deletes nothing
    assert staff_client.post(url).status_code == 302
    assert not Payment.objects.exists()
    entry = AuditEntry.objects.get(action="payment.deleted")
    assert entry.changes["amount"] == ["12000.00", None] and entry.changes["reference"] == ["VIR-1", None]


def test_an_instalment_already_received_is_not_deleted(world, staff_client, conv):
    advance, balance = conv.instalments.order_by("due_on")
    response = staff_client.post(reverse("projects:funding.instalment.delete", args=[advance.pk]))
    assert response.status_code == 200
    assert "Cette échéance a déjà reçu 12 000 €" in page_text(response)
    assert Instalment.objects.filter(pk=advance.pk).exists()
    # The balance has received nothing: it goes, and the audit trail says so.
    assert (
        staff_client.get(reverse("projects:funding.instalment.delete", args=[balance.pk])).status_code == 200
    )
    response = staff_client.post(
        reverse("projects:funding.instalment.delete", args=[balance.pk]), follow=True
    )
    assert "Échéance supprimée." in page_text(response)
    assert list(conv.instalments.values_list("pk", flat=True)) == [advance.pk]
    assert AuditEntry.objects.filter(action="instalment.deleted").count() == 1


def test_a_justification_sent_to_the_funder_is_not_deleted(world, staff_client, conv):
    sent, due = conv.justifications.order_by("due_on")[:2]
    sent.status, sent.sent_on = JustificationStatus.SENT, date(2026, 6, 1)
    sent.save()
    response = staff_client.post(reverse("projects:funding.justification.delete", args=[sent.pk]))
    assert response.status_code == 200 and "il reste au dossier de la convention" in page_text(response)
    assert Justification.objects.filter(pk=sent.pk).exists()
    assert (
        staff_client.post(reverse("projects:funding.justification.delete", args=[due.pk])).status_code == 302
    )
    assert not Justification.objects.filter(pk=due.pk).exists()
    assert AuditEntry.objects.filter(action="justification.deleted").count() == 1


def test_outsiders_get_404_and_nothing_changes(world, conv):
    instalment = conv.instalments.order_by("due_on").last()
    justification = conv.justifications.first()
    payment = _payment(conv)
    urls = [
        reverse("projects:funding.payment.edit", args=[payment.pk]),
        reverse("projects:funding.payment.delete", args=[payment.pk]),
        reverse("projects:funding.instalment.delete", args=[instalment.pk]),
        reverse("projects:funding.justification.delete", args=[justification.pk]),
    ]
    for user in (world.partner_a, world.partner_b):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404
            assert client.post(url, {"received_on": "2026-02-11", "amount": "1"}).status_code == 404
    assert Payment.objects.get().amount == D("12000")
    assert Instalment.objects.filter(pk=instalment.pk).exists()
    assert Justification.objects.filter(pk=justification.pk).exists()
    assert not AuditEntry.objects.filter(action__endswith=".deleted").exists()


def test_the_funding_page_links_the_corrections(world, staff_client, conv):
    body = staff_client.get(reverse("projects:funding.page", args=[world.project_a.pk])).content.decode()
    assert reverse("projects:funding.payment.edit", args=[_payment(conv).pk]) in body
    assert reverse("projects:funding.payment.delete", args=[_payment(conv).pk]) in body
    advance, balance = conv.instalments.order_by("due_on")
    # Only an instalment nothing has settled offers « Supprimer ».
    assert reverse("projects:funding.instalment.delete", args=[balance.pk]) in body
    assert reverse("projects:funding.instalment.delete", args=[advance.pk]) not in body
