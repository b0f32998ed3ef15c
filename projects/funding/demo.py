"""Demo money: every project past Sélection gets a believable budget per phase (prévisionnel, and réalisé for
the phases it has finished), requests to 2–4 funders and the conventions of the granted ones, with their
schedule, payments and justification deadlines — including a late compte-rendu financier and an overdue
instalment, so that the figures and deadlines have something to say. Everything goes through the services.
Idempotent: a project that already has requests is left alone."""

from datetime import date, timedelta
from decimal import Decimal

from programme.audit import Edit
from programme.demo import DemoContext
from programme.models import FunderKind, Organisation, Person

from ..dates import add_months
from ..models import Phase, Project
from . import services
from .models import (
    BudgetLine,
    BudgetVersion,
    Convention,
    FunderProgramme,
    FundingRequest,
    Instalment,
    InstalmentKind,
    JustificationKind,
    JustificationStatus,
    LineNature,
    LineSide,
    RequestStatus,
)

D = Decimal

# (name, organisation kind, funder kind, town, programmes, contact)
FUNDERS = [
    (
        "Métropole de Lyon — Direction de l’ESS",
        "collectivite",
        FunderKind.METROPOLE,
        "Lyon",
        ["Appel à projets Économie sociale et solidaire"],
        None,
    ),
    (
        "Région Auvergne-Rhône-Alpes",
        "collectivite",
        FunderKind.REGION,
        "Lyon",
        ["Fonds régional d’innovation sociale"],
        ("Claire", "Roussel", "Chargée de mission ESS"),
    ),
    (
        "DREETS Auvergne-Rhône-Alpes",
        "public_body",
        FunderKind.STATE,
        "Lyon",
        ["Dispositif local d’accompagnement", "French Tech Tremplin ESS"],
        ("Karim", "Benali", "Inspecteur"),
    ),
    (
        "Fondation Rhône Solidarités",
        "fondation",
        FunderKind.FOUNDATION,
        "Lyon",
        ["Programme Solidarités de proximité"],
        None,
    ),
    (
        "Fonds social européen (FSE+) — Rhône",
        "public_body",
        FunderKind.EUROPE,
        "Lyon",
        ["FSE+ Inclusion 2021-2027"],
        None,
    ),
    (
        "Crédit Coopératif — Fondation d’entreprise",
        "fondation",
        FunderKind.PATRON,
        "Lyon",
        ["Prix et mécénat de l’initiative"],
        None,
    ),
]

# Expense lines of a phase's prévisionnel budget: (nature, label, share of the phase's budget)
EXPENSES = [
    (LineNature.PERSONNEL, "Coordination du projet (0,6 ETP)", D("0.55")),
    (LineNature.SERVICES, "Prestations d’accompagnement et d’études", D("0.20")),
    (LineNature.OVERHEADS, "Frais de structure (10 %)", D("0.10")),
    (LineNature.TRAVEL, "Déplacements et ateliers", D("0.05")),
    (LineNature.INVESTMENT, "Équipement", D("0.10")),
]
# Every line of a phase's prévisionnel: (side, nature, label, share of the phase's budget) — the expenses,
# then the contributions in kind and the holder's own funds.
PLANNED_LINES = [
    *((LineSide.EXPENSE, nature, label, share) for nature, label, share in EXPENSES),
    (LineSide.IN_KIND, LineNature.VOLUNTEERING, "Bénévolat des membres du collectif (valorisé)", D("0.15")),
    (LineSide.IN_KIND, LineNature.PROVISION, "Mise à disposition de locaux", D("0.05")),
    (LineSide.RESOURCE, LineNature.OWN_FUNDS, "Fonds propres du porteur", D("0.10")),
]
PHASE_BUDGET = {
    Phase.EMERGENCE: D("48000"),
    Phase.EXPERIMENTATION: D("120000"),
    Phase.DEPLOYMENT: D("210000"),
}


def _funders(ctx: DemoContext) -> list[Organisation]:
    staff = ctx.users["staff"]
    result = []
    for name, kind, funder_kind, town, programmes, contact in FUNDERS:
        org = Organisation.objects.filter(name=name).first()
        if org is None:
            org = Organisation(name=name, kind=kind, town=town)
        if org.funder_kind != funder_kind:
            org.funder_kind = funder_kind
            org.save()
        for programme in programmes:
            if not FunderProgramme.objects.filter(funder=org, name=programme).exists():
                services.funder_programme_save(
                    actor=staff, edit=Edit(obj=FunderProgramme(funder=org, name=programme))
                )
        if contact and not org.people.exists():
            first, last, job = contact
            Person.objects.create(organisation=org, first_name=first, last_name=last, job_title=job)
        result.append(org)
    return result


def _round(value: Decimal) -> Decimal:
    return (value / 100).quantize(D("1")) * 100


def _request(
    staff, project, funder, *, title, amount, start, end, phase="", status, on, granted=None, reason=""
):
    programme = funder.funder_programmes.first()
    request = services.funding_request_save(
        actor=staff,
        edit=Edit(
            obj=FundingRequest(
                funder=funder,
                funder_programme=programme,
                contact=funder.people.first(),
                title=title,
                phase=phase,
                amount_requested=amount,
                period_start=start,
                period_end=end,
            )
        ),
        project=project,
    )
    if status == RequestStatus.PREPARING:
        return request
    request = services.funding_request_move(
        actor=staff, request=request, to_status=RequestStatus.SUBMITTED, on=on - timedelta(days=75)
    )
    if status == RequestStatus.SUBMITTED:
        return request
    return services.funding_request_move(
        actor=staff, request=request, to_status=status, on=on, amount=granted, reason=reason
    )


def _convention(staff, request, *, reference, signed_on, months, today, pay_interim: bool, report_sent: bool):
    end = add_months(signed_on, months) - timedelta(days=1)
    convention = services.convention_save(
        actor=staff,
        edit=Edit(
            obj=Convention(
                reference=reference,
                signed_on=signed_on,
                period_start=signed_on,
                period_end=end,
                amount_granted=request.amount_granted,
                conditions="Compte-rendu financier (Cerfa 15059) et rapport d’activité à la fin de chaque exercice.",
            )
        ),
        request=request,
    )
    granted = convention.amount_granted
    advance, interim = _round(granted * D("0.5")), _round(granted * D("0.3"))
    schedule = [
        (InstalmentKind.ADVANCE, signed_on + timedelta(days=30), advance, ""),
        (InstalmentKind.INTERIM, add_months(signed_on, months // 2), interim, "Sur bilan intermédiaire"),
        (
            InstalmentKind.BALANCE,
            add_months(end, 3),
            granted - advance - interim,
            "Sur compte-rendu financier",
        ),
    ]
    for kind, due_on, amount, condition in schedule:
        services.instalment_save(
            actor=staff,
            edit=Edit(obj=Instalment(kind=kind, due_on=due_on, amount=amount, condition=condition)),
            convention=convention,
        )
    for index, (_kind, due_on, amount, _condition) in enumerate(schedule):
        received_on = due_on + timedelta(days=12)
        if received_on > today or (index == 1 and not pay_interim) or index == 2:
            break
        services.payment_record(
            actor=staff,
            convention=convention,
            received_on=received_on,
            amount=amount,
            reference=f"VIR-{reference}-{index + 1}",
        )
    if report_sent:
        for justification in convention.justifications.filter(due_on__lt=today):
            justification.status = JustificationStatus.SENT
            justification.sent_on = justification.due_on - timedelta(days=20)
            services.justification_save(
                actor=staff, edit=Edit(obj=justification, changes={"status": ["due", "sent"]})
            )
    return convention


def build(ctx: DemoContext) -> None:
    staff = ctx.users["staff"]
    today = ctx.today
    funders = _funders(ctx)
    metropole, region, state, foundation, europe, patron = funders
    projects = Project.objects.exclude(phase=Phase.SELECTION).prefetch_related("phase_periods").order_by("pk")
    for index, project in enumerate(projects):
        if FundingRequest.objects.filter(project=project).exists():
            continue
        periods = [p for p in project.phase_periods.all() if p.phase in PHASE_BUDGET]
        if not periods:
            continue
        for period in periods:
            total = PHASE_BUDGET[Phase(period.phase)]
            for side, nature, label, share in PLANNED_LINES:
                _line(staff, project, period.phase, BudgetVersion.PLANNED, side, nature, label, total * share)
            if period.actual_end is not None:
                # A finished phase has its réalisé: close to the plan, personnel a little over, investment under.
                for nature, label, share in EXPENSES:
                    factor = {LineNature.PERSONNEL: D("1.08"), LineNature.INVESTMENT: D("0.6")}.get(
                        nature, D("0.95")
                    )
                    _line(
                        staff,
                        project,
                        period.phase,
                        BudgetVersion.ACTUAL,
                        LineSide.EXPENSE,
                        nature,
                        label,
                        total * share * factor,
                    )

        first = periods[0]
        current = periods[-1]
        start = first.actual_start or first.planned_start
        need = sum((PHASE_BUDGET[Phase(p.phase)] for p in periods), D("0"))
        main_funder = metropole if index % 2 == 0 else region
        main_amount = _round(need * D("0.45"))
        signed_on = min(add_months(start, 2), today - timedelta(days=30))
        main = _request(
            staff,
            project,
            main_funder,
            title="Soutien au fonctionnement du projet",
            amount=main_amount,
            start=signed_on,
            end=add_months(signed_on, 24) - timedelta(days=1),
            status=RequestStatus.GRANTED,
            on=signed_on - timedelta(days=10),
            granted=main_amount,
        )
        # Every project's main convention: the interim instalment of the first one is overdue, and the
        # compte-rendu financier of the first ones is late.
        _convention(
            staff,
            main,
            reference=f"{main_funder.name[:3].upper()}-{signed_on.year}-{project.pk:03d}",
            signed_on=signed_on,
            months=24,
            today=today,
            pay_interim=index % 3 != 0,
            report_sent=index % 2 == 1,
        )
        _line(
            staff,
            project,
            first.phase,
            BudgetVersion.PLANNED,
            LineSide.RESOURCE,
            LineNature.GRANT,
            f"Subvention {main_funder.name}",
            main_amount,
            request=main,
        )
        # A foundation's partial grant, a refusal, and a request still under review.
        partial_on = min(add_months(start, 4), today - timedelta(days=20))
        asked = _round(need * D("0.2"))
        partial = _request(
            staff,
            project,
            foundation if index % 2 == 0 else patron,
            title="Essaimage et outillage",
            amount=asked,
            start=partial_on,
            end=add_months(partial_on, 12) - timedelta(days=1),
            status=RequestStatus.PARTIAL,
            on=partial_on,
            granted=_round(asked * D("0.6")),
            reason="Le comité finance la partie outillage ; l’essaimage sera réexaminé l’an prochain.",
        )
        _convention(
            staff,
            partial,
            reference=f"FDN-{partial_on.year}-{project.pk:03d}",
            signed_on=partial_on,
            months=12,
            today=today,
            pay_interim=True,
            report_sent=True,
        )
        _request(
            staff,
            project,
            europe,
            title="Inclusion par l’activité",
            amount=_round(need * D("0.25")),
            start=start,
            end=add_months(start, 12),
            status=RequestStatus.REFUSED,
            on=min(add_months(start, 3), today - timedelta(days=40)),
            reason="Dossier jugé inéligible : la part de publics très éloignés de l’emploi est insuffisante.",
        )
        if index % 2 == 0:
            _request(
                staff,
                project,
                state,
                title=f"Phase {current.get_phase_display().lower()}",
                amount=_round(need * D("0.15")),
                start=today,
                end=add_months(today, 12),
                phase=current.phase,
                status=RequestStatus.SUBMITTED,
                on=today + timedelta(days=60),
            )


def _line(staff, project, phase, version, side, nature, label, amount, request=None) -> BudgetLine:
    budget = services.budget_get_or_create(actor=staff, project=project, phase=phase, version=version)
    line = BudgetLine(
        budget=budget, side=side, nature=nature, label=label, amount=_round(amount), request=request
    )
    return services.budget_line_save(actor=staff, edit=Edit(obj=line))


__all__ = ["JustificationKind", "date"]
