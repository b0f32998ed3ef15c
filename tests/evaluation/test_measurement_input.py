"""Input that cannot go 100× wrong (issue #11, item 4): French figures, values that ask for a confirmation
and wait for a second look, the finished period proposed, corrections with a reason."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluation import selectors, services
from evaluation.forms import MeasurementForm, ProjectIndicatorForm, TargetForm
from evaluation.models import IndicatorTarget, Measurement, MeasurementRollup
from evaluation.portal.forms import PortalMeasurementForm
from evaluation.portal.selectors import Period
from programme.forms import parse_french_decimal
from programme.models import AuditEntry
from tests.conftest import client_for
from tests.evaluation.factories import IndicatorFactory, ProjectIndicatorFactory, record

Q1 = {"period_start": date(2026, 1, 1), "period_end": date(2026, 3, 31)}
Q2 = {"period_start": date(2026, 4, 1), "period_end": date(2026, 6, 30)}
Q3 = {"period_start": date(2026, 7, 1), "period_end": date(2026, 9, 30)}
NBSP, NNBSP = "\u00a0", "\u202f"


# --- Typing figures the French way ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("12 500,50", D("12500.50")),
        (f"12{NBSP}500", D(12500)),
        (f"12{NNBSP}500,5", D("12500.5")),
        ("1 234 567", D(1234567)),
        ("12500.5", D("12500.5")),
        ("12500,5", D("12500.5")),
        ("  42 ", D(42)),
        ("-3,5", D("-3.5")),
        ("\u22121 250", D(-1250)),
        ("0,125", D("0.125")),  # a leading zero is never a thousands group
        ("1234,567", D("1234.567")),  # four digits before the comma: not a thousands group
    ],
)
def test_french_figures_are_read_exactly(typed, read):
    assert parse_french_decimal(typed) == read


@pytest.mark.parametrize(
    ("typed", "code", "says"),
    [
        ("12.500", "ambiguous", f"écrivez 12{NBSP}500 pour des milliers, ou 12,5 pour des décimales"),
        ("12,500", "ambiguous", "peut se lire de deux façons"),
        ("1,234", "ambiguous", "ou 1,234 pour des décimales"),
        ("1.234,5", "mixed", "mélange la virgule et le point"),
        ("1,234.5", "mixed", "mélange la virgule et le point"),
        ("1.234.567", "repeated", "plusieurs"),
        ("1,234,567", "repeated", "plusieurs"),
        ("12 50", "grouping", "groupes de trois chiffres"),
        ("12 500 €", "invalid", "sans unité"),
        ("1e5", "invalid", "sans unité"),
        ("12,", "invalid", "sans unité"),
    ],
)
def test_ambiguous_or_foreign_figures_are_refused_with_the_reason(typed, code, says):
    with pytest.raises(ValidationError) as refused:
        parse_french_decimal(typed)
    assert refused.value.code == code
    message = refused.value.message % refused.value.params
    assert says in message
    if code != "invalid":
        assert f"«{NNBSP}{typed}{NNBSP}»" in message  # the refusal quotes what was typed


def test_every_figure_field_of_the_measurement_forms_reads_french(world):
    count = IndicatorFactory(type="count")
    rate = IndicatorFactory(type="percentage")
    form = MeasurementForm({"value": "12 500,50", **_dates(Q1)}, indicator=IndicatorFactory(type="amount"))
    assert form.is_valid() and form.cleaned_data["value"] == D("12500.50")
    form = MeasurementForm({"numerator": "1 200", "denominator": "2 400,5", **_dates(Q1)}, indicator=rate)
    assert form.is_valid() and (form.cleaned_data["numerator"], form.cleaned_data["denominator"]) == (
        D(1200),
        D("2400.5"),
    )
    form = MeasurementForm({"value": "12.500", **_dates(Q1)}, indicator=count)
    assert not form.is_valid() and "deux façons" in form.errors["value"][0]
    # A text input with the decimal keypad, never a browser number input (which drops the comma).
    html = str(form["value"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html
    assert f"12{NBSP}500,50" in str(form.fields["value"].help_text)
    portal = PortalMeasurementForm({"value": "1,5"}, indicator=count)
    assert portal.is_valid() and portal.cleaned_data["value"] == D("1.5")
    target = TargetForm({"period_end": "2026-12-31", "value": "150 000"})
    assert target.is_valid() and target.cleaned_data["value"] == D(150000)
    assert not TargetForm({"period_end": "2026-12-31", "value": "150.000"}).is_valid()


def test_baseline_and_target_read_french_and_a_stored_figure_reads_back_french(world):
    pi = ProjectIndicatorFactory(project=world.project_a, baseline_value=D("12500.5"))
    unbound = ProjectIndicatorForm(instance=pi, project=world.project_a)
    assert f'value="12{NBSP}500,5"' in str(unbound["baseline_value"])
    data = {
        "indicator": pi.indicator_id,
        "baseline_value": "1 500,5",
        "target_value": "12,500",
        "reporter": "staff",
    }
    form = ProjectIndicatorForm(data, instance=pi, project=world.project_a)
    assert not form.is_valid()
    assert list(form.errors) == ["target_value"] and "deux façons" in form.errors["target_value"][0]
    assert form.cleaned_data["baseline_value"] == D("1500.5")


def _dates(period):
    return {k: v.isoformat() for k, v in period.items()}


# --- The bug of the issue, through the page ----------------------------------------------------------------


@pytest.fixture
def funds(world):
    """« Fonds levés » of project A with a history of validated quarters (the largest 24 000 €)."""
    pi = ProjectIndicatorFactory(
        project=world.project_a,
        indicator=IndicatorFactory(name="Fonds levés", type="amount"),
        baseline_value=0,
        target_value=150000,
    )
    record(world.staff, pi, *Q1.values(), value=D(21000))
    record(world.staff, pi, *Q2.values(), value=D(24000))
    return pi


def test_a_staff_value_typed_the_french_way_is_stored_exactly(world, staff_client, funds):
    response = staff_client.post(
        reverse("evaluation:measurement.create", args=[funds.pk]), {**_dates(Q3), "value": "12 500,50"}
    )
    assert response.status_code == 302
    m = Measurement.objects.get(project_indicator=funds, **Q3)
    assert m.value == D("12500.50") and m.status == "validated" and m.review_flags == []


def test_an_ambiguous_figure_is_refused_on_the_page_and_nothing_is_saved(world, staff_client, funds):
    response = staff_client.post(
        reverse("evaluation:measurement.create", args=[funds.pk]), {**_dates(Q3), "value": "12.500"}
    )
    assert response.status_code == 200
    assert "peut se lire de deux façons" in response.content.decode()
    assert 'value="12.500"' in response.content.decode()  # what was typed is kept
    assert not Measurement.objects.filter(project_indicator=funds, **Q3).exists()


def test_a_value_far_beyond_the_history_asks_for_a_confirmation_then_waits_for_a_second_look(
    world, staff_client, funds
):
    url = reverse("evaluation:measurement.create", args=[funds.pk])
    typed = {**_dates(Q3), "value": "1250050"}  # "12 500,50" with its separators lost
    first = staff_client.post(url, typed)
    page = first.content.decode()
    assert first.status_code == 200
    assert "Vérifiez cette valeur" in page and "Je confirme cette valeur" in page
    assert f"24{NBSP}000{NBSP}€" in page  # the largest validated value, as the reason names it
    assert 'value="1250050"' in page and 'name="confirm"' in page
    assert not Measurement.objects.filter(project_indicator=funds, **Q3).exists()

    for _double_click in range(2):
        confirmed = staff_client.post(url, {**typed, "confirm": "on"})
        assert confirmed.status_code == 302
    m = Measurement.objects.get(project_indicator=funds, **Q3)
    assert m.status == "submitted" and m.validated_by is None  # not counted yet
    assert [f["code"] for f in m.review_flags] == ["history", "target"]
    assert MeasurementRollup.objects.get(project_indicator=funds, year=2026).value_sum == D(45000)
    created = AuditEntry.objects.get(action="measurement.created", object_id=str(m.pk))
    assert created.actor == world.staff and created.changes["entered_as"] == [None, "staff"]
    assert created.changes["review_flags"] == ["", "history, target"]
    assert not AuditEntry.objects.filter(action="measurement.updated", object_id=str(m.pk)).exists()

    # The validation list shows the flag and its reason; the person who typed it cannot validate it.
    queue = staff_client.get(reverse("evaluation:measurement.queue")).content.decode()
    assert "Signalée" in queue and "vaut plus de 5 fois la plus grande valeur déjà validée" in queue
    assert "À valider par un autre membre de l’équipe" in queue
    staff_client.post(reverse("evaluation:measurement.validate", args=[m.pk]))
    m.refresh_from_db()
    assert m.status == "submitted"
    with pytest.raises(services.WorkflowError, match="un autre membre de l’équipe"):
        services.measurement_validate(actor=world.staff, measurement=m)

    # Another team member takes the second look.
    client_for(world.director).post(reverse("evaluation:measurement.validate", args=[m.pk]))
    m.refresh_from_db()
    assert m.status == "validated" and m.validated_by == world.director
    assert MeasurementRollup.objects.get(project_indicator=funds, year=2026).value_sum == D("1295050")
    validated = AuditEntry.objects.get(action="measurement.validated", object_id=str(m.pk))
    assert validated.changes["review_flags"] == [None, "history, target"]


def test_a_double_submit_creates_one_value_and_one_audit_entry(world, staff_client, funds):
    url = reverse("evaluation:measurement.create", args=[funds.pk])
    for _attempt in range(2):
        assert staff_client.post(url, {**_dates(Q3), "value": "25 000"}).status_code == 302
    m = Measurement.objects.get(project_indicator=funds, **Q3)
    assert AuditEntry.objects.filter(object_id=str(m.pk), action__startswith="measurement.").count() == 1
    # A different value over a validated one is not a silent overwrite: it is a correction.
    with pytest.raises(services.WorkflowError, match="motif"):
        record(world.staff, funds, *Q3.values(), value=D(26000))


# --- The rules, one by one ---------------------------------------------------------------------------------


@pytest.fixture
def staff_record(world):
    def save(pi, period=Q3, **values):
        return services.measurement_record(actor=world.staff, project_indicator=pi, **period, **values)

    return save


def codes(error):
    return [f["code"] for f in error.value.flags]


def test_the_outlier_rules(world, staff_record):
    # Target: more than 5× the largest target (final or intermediate), even for a first value.
    pi = ProjectIndicatorFactory(project=world.project_a, baseline_value=0, target_value=100)
    IndicatorTarget.objects.create(project_indicator=pi, period_end=date(2026, 12, 31), value=200)
    assert staff_record(pi, value=D(1000), period=Q1).status == "validated"  # 5 × 200: still fine
    with pytest.raises(services.ConfirmationNeeded) as asked:
        staff_record(pi, value=D(1001), period=Q2)
    assert codes(asked) == ["target"]
    # History: in absolute value, so a negative slip counts; and a negative after positive values.
    amount = ProjectIndicatorFactory(
        project=world.project_a,
        indicator=IndicatorFactory(type="amount"),
        baseline_value=None,
        target_value=None,
    )
    staff_record(amount, value=D(300), period=Q1)
    with pytest.raises(services.ConfirmationNeeded) as asked:
        staff_record(amount, value=D(-1600), period=Q2)
    assert codes(asked) == ["history", "negative"]
    with pytest.raises(services.ConfirmationNeeded) as asked:
        staff_record(amount, value=D(-5), period=Q2)
    assert codes(asked) == ["negative"]
    assert staff_record(amount, value=D(1500), period=Q2).status == "validated"
    # A first value with neither history nor target is compared with the baseline.
    first = ProjectIndicatorFactory(project=world.project_a, baseline_value=4, target_value=None)
    with pytest.raises(services.ConfirmationNeeded) as asked:
        staff_record(first, value=D(21), period=Q1)
    assert codes(asked) == ["baseline"]
    # Zeros are no yardstick: a history of zeros and no target flags nothing.
    zeros = ProjectIndicatorFactory(project=world.project_a, baseline_value=0, target_value=0)
    staff_record(zeros, value=D(0), period=Q1)
    assert staff_record(zeros, value=D(7), period=Q2).status == "validated"
    # A percentage: its denominator against the validated denominators.
    rate = ProjectIndicatorFactory(
        project=world.project_a, indicator=IndicatorFactory(type="percentage"), target_value=60
    )
    staff_record(rate, numerator=D(30), denominator=D(40), period=Q1)
    with pytest.raises(services.ConfirmationNeeded) as asked:
        staff_record(rate, numerator=D(3000), denominator=D(4000), period=Q2)
    assert codes(asked) == ["history"]
    assert "Le dénominateur 4" in asked.value.messages[0]
    assert not Measurement.objects.filter(project_indicator=rate, **Q2).exists()


def test_a_partner_value_is_confirmed_and_flagged_the_same_way(world):
    pi = ProjectIndicatorFactory(project=world.project_a, reporter="partner", target_value=50)
    with pytest.raises(services.ConfirmationNeeded):
        services.measurement_record(actor=world.partner_a, project_indicator=pi, value=D(700), **Q1)
    assert not Measurement.objects.exists()
    m = services.measurement_record(
        actor=world.partner_a, project_indicator=pi, value=D(700), confirmed=True, **Q1
    )
    assert m.status == "submitted" and m.review_reasons == [
        "700 vaut plus de 5 fois la cible de l’indicateur (50)."
    ]
    services.measurement_validate(actor=world.staff, measurement=m)  # any team member: not who typed it
    m.refresh_from_db()
    assert m.status == "validated"


# --- Periods ----------------------------------------------------------------------------------------------


def _running_quarter(today):
    start = date(today.year, ((today.month - 1) // 3) * 3 + 1, 1)
    end = (date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)) - timedelta(days=1)
    return {"period_start": start, "period_end": end}


def test_a_running_period_asks_for_a_confirmation_and_a_future_one_is_refused(world, staff_record):
    today = timezone.localdate()
    pi = ProjectIndicatorFactory(project=world.project_a, target_value=None)
    with pytest.raises(services.ConfirmationNeeded) as asked:
        staff_record(pi, value=D(3), period=_running_quarter(today))
    assert codes(asked) == ["unfinished"] and "La période n’est pas terminée" in asked.value.messages[0]
    m = staff_record(pi, value=D(3), period=_running_quarter(today), confirmed=True)
    assert m.status == "submitted" and m.review_flags[0]["code"] == "unfinished"
    future = {"period_start": today + timedelta(days=1), "period_end": today + timedelta(days=90)}
    with pytest.raises(ValidationError) as refused:
        staff_record(pi, value=D(3), period=future, confirmed=True)
    assert "pas encore commencé" in refused.value.message_dict["period_start"][0]


@pytest.mark.parametrize(
    ("periodicity", "last_end", "today", "proposed"),
    [
        # No value yet: the last period already over, never the running one.
        ("quarterly", None, date(2026, 12, 3), (date(2026, 7, 1), date(2026, 9, 30))),
        ("quarterly", None, date(2026, 1, 15), (date(2025, 10, 1), date(2025, 12, 31))),
        ("monthly", None, date(2026, 12, 3), (date(2026, 11, 1), date(2026, 11, 30))),
        ("yearly", None, date(2026, 12, 3), (date(2025, 1, 1), date(2025, 12, 31))),
        # After the last value: the next period, if it is over.
        ("quarterly", date(2026, 3, 31), date(2026, 12, 3), (date(2026, 4, 1), date(2026, 6, 30))),
        ("quarterly", date(2026, 9, 30), date(2026, 12, 3), None),
        ("quarterly", date(2026, 9, 30), date(2026, 12, 31), None),  # the last day is not over yet
        ("quarterly", date(2026, 9, 30), date(2027, 1, 1), (date(2026, 10, 1), date(2026, 12, 31))),
    ],
)
def test_the_proposed_period_is_a_finished_one(periodicity, last_end, today, proposed):
    pi = ProjectIndicatorFactory.build(indicator=IndicatorFactory.build(periodicity=periodicity))
    assert selectors.next_period(pi, last_end, today) == proposed


def test_the_indicator_page_proposes_the_last_finished_quarter(world, staff_client):
    today = timezone.localdate()
    pi = ProjectIndicatorFactory(project=world.project_a)
    page = staff_client.get(reverse("evaluation:project_indicator.detail", args=[pi.pk]))
    running = _running_quarter(today)["period_start"]
    proposed = page.context["form"].initial["period_end"]
    assert proposed == running - timedelta(days=1)
    record(world.staff, pi, start=running - timedelta(days=1), end=running - timedelta(days=1), value=D(3))
    page = staff_client.get(reverse("evaluation:project_indicator.detail", args=[pi.pk]))
    assert not page.context["form"].initial
    assert "La période suivante n’est pas terminée" in page.content.decode()


def test_the_portal_proposes_the_last_finished_period_and_marks_the_running_one(world):
    today = date(2026, 12, 3)
    periods = [
        Period(date(2026, 10, 1), date(2026, 12, 31), "T4 2026"),
        Period(date(2026, 7, 1), date(2026, 9, 30), "T3 2026"),
        Period(date(2026, 4, 1), date(2026, 6, 30), "T2 2026"),
    ]
    form = PortalMeasurementForm(indicator=IndicatorFactory(), periods=periods, today=today)
    field = form.fields["period"]
    assert field.initial == periods[1].key
    assert dict(field.choices)[periods[0].key] == "T4 2026 — en cours"
    assert dict(field.choices)[periods[1].key] == "T3 2026"


def test_a_partner_confirms_an_outlier_in_the_portal(world, partner_a_client):
    pi = ProjectIndicatorFactory(project=world.project_a, reporter="partner", target_value=40)
    today = timezone.localdate()
    running = _running_quarter(today)["period_start"]
    end = running - timedelta(days=1)
    start = date(end.year, end.month - 2, 1)
    url = reverse("portal:indicator", args=[pi.pk])
    data = {"period": f"{start.isoformat()}_{end.isoformat()}", "value": "12 500", "intent": "submit"}
    asked = partner_a_client.post(url, data)
    assert asked.status_code == 400 and "Je confirme cette valeur" in asked.content.decode()
    assert not Measurement.objects.filter(project_indicator=pi).exists()
    assert partner_a_client.post(url, {**data, "confirm": "on"}).status_code == 302
    m = Measurement.objects.get(project_indicator=pi)
    assert (m.value, m.status, m.review_flags[0]["code"]) == (D(12500), "submitted", "target")


# --- Corrections ------------------------------------------------------------------------------------------


def test_a_validated_value_is_corrected_with_a_reason_and_the_roll_up_follows(world, funds):
    m = Measurement.objects.get(project_indicator=funds, **Q2)
    with pytest.raises(ValidationError) as refused:
        services.measurement_correct(actor=world.staff, measurement=m, value=D(2400), reason=" ")
    assert "motif" in refused.value.message_dict["reason"][0]
    with pytest.raises(PermissionDenied):
        services.measurement_correct(actor=world.partner_a, measurement=m, value=D(2400), reason="Faute")
    corrected = services.measurement_correct(
        actor=world.staff, measurement=m, value=D(24500), reason="Virement oublié"
    )
    assert corrected.status == "validated" and corrected.value == D(24500)
    assert MeasurementRollup.objects.get(project_indicator=funds, year=2026).value_sum == D(45500)
    entry = AuditEntry.objects.get(action="measurement.corrected", object_id=str(m.pk))
    assert entry.changes["value"] == ["24000.00", "24500"] and entry.changes["reason"] == [
        None,
        "Virement oublié",
    ]
    # The same correction sent twice is saved once.
    services.measurement_correct(actor=world.staff, measurement=m, value=D(24500), reason="Virement oublié")
    assert AuditEntry.objects.filter(action="measurement.corrected", object_id=str(m.pk)).count() == 1
    # A correction far off asks to confirm, then leaves the figures until another team member validates it.
    with pytest.raises(services.ConfirmationNeeded):
        services.measurement_correct(actor=world.staff, measurement=m, value=D(2450000), reason="Faute")
    services.measurement_correct(
        actor=world.staff, measurement=m, value=D(2450000), reason="Vraiment", confirmed=True
    )
    m.refresh_from_db()
    assert m.status == "submitted"
    assert MeasurementRollup.objects.get(project_indicator=funds, year=2026).value_sum == D(21000)


def test_a_locked_or_waiting_value_is_not_corrected(world, funds):
    waiting = services.measurement_record(
        actor=world.staff, project_indicator=funds, value=D(9000), submit=False, **Q3
    )
    with pytest.raises(services.WorkflowError, match="Seule une valeur validée"):
        services.measurement_correct(actor=world.staff, measurement=waiting, value=D(1), reason="x")
    waiting.delete()
    services.measurement_lock_period(actor=world.staff, project=world.project_a, **Q1)
    locked = Measurement.objects.get(project_indicator=funds, **Q1)
    with pytest.raises(services.WorkflowError, match="verrouillée"):
        services.measurement_correct(actor=world.staff, measurement=locked, value=D(1), reason="x")


def test_the_edit_page_of_a_validated_value_asks_for_the_reason(world, staff_client, funds):
    m = Measurement.objects.get(project_indicator=funds, **Q2)
    url = reverse("evaluation:measurement.edit", args=[m.pk])
    page = staff_client.get(url)
    assert "Motif de la correction" in page.content.decode()
    assert f'value="24{NBSP}000"' in page.content.decode()
    refused = staff_client.post(url, {"value": "24 500"})
    assert refused.status_code == 200 and "Indiquez le motif de la correction." in refused.content.decode()
    m.refresh_from_db()
    assert m.value == D(24000)
    assert staff_client.post(url, {"value": "24 500", "reason": "Virement oublié"}).status_code == 302
    m.refresh_from_db()
    assert (m.value, m.status) == (D(24500), "validated")
    history = staff_client.get(url).content.decode()
    assert "Correction d’une valeur validée" in history and "Virement oublié" in history


def test_the_entry_page_says_why_it_proposes_no_period(world, staff_client):
    """The standalone entry page says the same as the indicator page when the next period is still running."""
    today = timezone.localdate()
    pi = ProjectIndicatorFactory(project=world.project_a)
    url = reverse("evaluation:measurement.create", args=[pi.pk])
    assert "La période suivante n’est pas terminée" not in staff_client.get(url).content.decode()
    running = _running_quarter(today)["period_start"]
    record(world.staff, pi, start=running - timedelta(days=1), end=running - timedelta(days=1), value=D(3))
    page = staff_client.get(url)
    assert "La période suivante n’est pas terminée" in page.content.decode()
