"""Demo data of findings, recommendations and frozen dossiers (idempotent).

Partner A's project gets a finding per evaluative question (levels, evidence; the first one shared with
the collective, who added its reading), a recommendation for the end of the phase it last left, and on its
last gate decision the dossier the committee saw — rendered here, synchronously, so the demo shows it at
once (the application renders it in the background)."""

from datetime import datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from evaluation.models import EvaluationQuestion, Measurement, MeasurementStatus
from programme import access
from programme.demo import DemoContext
from projects.models import GateDecision, Phase, Project

from .models import DecisionDossier, Finding, GateDossier, Level, RenderStatus, Verdict
from .services import (
    dossier_render,
    evidence_add,
    finding_save,
    finding_share,
    reading_add,
    recommendation_save,
)

ANSWERS = [
    "Oui, en partie : les nouveaux publics viennent des quartiers voisins, moins des communes rurales.",
    "La coopération tient : les décisions se prennent à plusieurs et les rôles sont clairs.",
    "Le modèle économique reste fragile : l’autofinancement progresse mais dépend encore des subventions.",
]
LEVELS = [Level.PARTLY, Level.MET, Level.NOT_MET]
VERDICTS: dict[str, tuple[str, str]] = {
    Phase.EMERGENCE: (
        Verdict.CONTINUE,
        "Le besoin est confirmé et le collectif s’est structuré : poursuivre.",
    ),
    Phase.EXPERIMENTATION: (
        Verdict.SPREAD,
        "Le prototype a fait ses preuves ; deux territoires le demandent.",
    ),
    Phase.SELECTION: (Verdict.CONTINUE, "Le collectif est prêt à entrer en Émergence."),
}


def build(ctx: DemoContext) -> None:
    staff, director, partner = ctx.users.get("staff"), ctx.users.get("director"), ctx.users.get("partner_a")
    if staff is None or director is None or partner is None or ctx.programme is None:
        return
    project = access.scoped(partner, Project).filter(programme=ctx.programme).order_by("pk").first()
    if project is None or Finding.objects.filter(project=project).exists():
        return
    questions: QuerySet[EvaluationQuestion] = EvaluationQuestion.objects.filter(
        project=project
    ).prefetch_related("criteria")
    validated = Measurement.objects.filter(
        project_indicator__project=project, status=MeasurementStatus.VALIDATED
    ).order_by("-period_end")
    for index, question in enumerate(questions):
        levels = {
            c.pk: (
                LEVELS[(index + n) % len(LEVELS)],
                "Constaté lors des ateliers et dans les mesures validées.",
            )
            for n, c in enumerate(question.criteria.all())
        }
        finding = finding_save(
            actor=staff, question=question, answer=ANSWERS[index % len(ANSWERS)], levels=levels
        )
        measurement = (
            validated.filter(project_indicator__criterion__question=question).first() or validated.first()
        )
        if measurement is not None:
            evidence_add(actor=staff, finding=finding, kind="measurement", record_id=measurement.pk)
        evidence_add(
            actor=staff,
            finding=finding,
            kind="observation",
            observation="Entretiens avec six usagers en fin de phase.",
        )
        if index == 0:
            finding_share(actor=staff, finding=finding, shared=True)
            reading_add(
                actor=partner,
                finding=finding,
                text="Le collectif partage ce constat et veut viser les communes rurales.",
            )
    decision = GateDecision.objects.filter(project=project).order_by("-decided_on", "-pk").first()
    phase = decision.from_phase if decision else project.phase
    verdict, argument = VERDICTS.get(phase, (str(Verdict.CONTINUE), "Poursuivre l’accompagnement."))
    recommendation_save(
        actor=staff, project=project, phase=phase, verdict=verdict, argument=argument, shared=True
    )
    if decision is None or DecisionDossier.objects.filter(decision=decision).exists():
        return
    dossier = GateDossier.objects.create(
        project=project, phase=phase, as_of=decision.decided_on, requested_by=staff
    )
    rendered = dossier_render(dossier_id=dossier.pk)
    # Prepared the day of the committee, as a team would have done.
    prepared = timezone.make_aware(datetime.combine(decision.decided_on, time(9, 0)))
    GateDossier.objects.filter(pk=dossier.pk).update(
        created_at=prepared, started_at=prepared, finished_at=prepared
    )
    if rendered is not None and rendered.status == RenderStatus.DONE:
        DecisionDossier.objects.create(decision=decision, dossier=rendered)
