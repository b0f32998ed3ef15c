"""Demo call for applications: one open call of the programme with a few questions, and two applications
sent through it (each a prospect of source « appel à candidatures » with its answers) plus one draft.
Idempotent: a call of the same title is left alone. The applicants' e-mails are marked sent, so the demo
sends nothing."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from programme.demo import DemoContext

from ..models import Stage
from . import services
from .models import Application, Call, Question, QuestionKind

TITLE = "Appel à candidatures — promotion 2027"

TEXT = """Le programme d’accompagnement ouvre sa prochaine promotion aux collectifs qui veulent répondre ensemble à un besoin de leur territoire : alimentation, mobilité, habitat, emploi.

Pendant trois ans, l’équipe vous accompagne de l’idée à l’expérimentation puis au déploiement : ateliers, appui à la gouvernance, évaluation, recherche de financements.

Déposez votre candidature en ligne avant la date limite. Vous pouvez l’enregistrer et la reprendre plus tard grâce au lien envoyé par e-mail."""

ELIGIBILITY = """Structures de l’ESS (associations, coopératives, mutuelles, fondations, entreprises ESUS), entreprises et acteurs publics implantés dans la région.
Un collectif d’au moins deux structures, ou la volonté d’en réunir un."""

QUESTIONS = [
    ("Sur quel territoire le projet se déroule-t-il ?", QuestionKind.SHORT, "", True),
    ("Dans quel domaine ?", QuestionKind.CHOICE, "Alimentation\nMobilité\nHabitat\nEmploi\nAutre", True),
    ("Combien de personnes votre structure emploie-t-elle ?", QuestionKind.NUMBER, "", False),
    ("Pourquoi coopérer plutôt qu’agir seuls ?", QuestionKind.LONG, "", True),
    ("Statuts ou dernier rapport d’activité", QuestionKind.FILE, "", False),
]

APPLICANTS = [
    {
        "organisation_name": "Les Paniers du Plateau",
        "siren": "812345676",
        "organisation_kind": "association",
        "postcode": "69004",
        "town": "Lyon",
        "first_name": "Inès",
        "last_name": "Garnier",
        "email": "ines.garnier@paniers-plateau.example",
        "job_title": "Coordinatrice",
        "project_idea": "Une plateforme logistique partagée pour livrer les paniers de producteurs aux épiceries solidaires.",
        "members": [
            {
                "name": "Marc Lenoir",
                "organisation": "Épicerie solidaire de la Croix-Rousse",
                "role": "Distribution",
            },
            {"name": "Sophie Vidal", "organisation": "Ferme des Monts d’Or", "role": "Production"},
        ],
        "answers": [
            "Lyon 4e et Caluire",
            "Alimentation",
            "6",
            "Aucun de nous n’a les volumes pour une tournée rentable.",
        ],
    },
    {
        "organisation_name": "Roule Ensemble SCIC",
        "siren": "812345684",
        "organisation_kind": "scic",
        "postcode": "69100",
        "town": "Villeurbanne",
        "first_name": "Karim",
        "last_name": "Benali",
        "email": "karim.benali@roule-ensemble.example",
        "job_title": "Gérant",
        "project_idea": "Un service de vélos-cargos partagés entre artisans, habitants et la mairie de quartier.",
        "members": [{"name": "Julie Robin", "organisation": "Mairie de quartier", "role": "Élue référente"}],
        "answers": [
            "Villeurbanne",
            "Mobilité",
            "12",
            "La mairie prête les locaux, les artisans financent les vélos.",
        ],
    },
]


def build(ctx: DemoContext) -> None:
    if ctx.programme is None or Call.objects.filter(title=TITLE).exists():
        return
    now = timezone.now()
    opens = timezone.make_aware(datetime.combine(ctx.today - timedelta(days=10), time(9)))
    closes = timezone.make_aware(datetime.combine(ctx.today + timedelta(days=45), time(12)))
    cohort = ctx.cohorts[-1] if ctx.cohorts else None
    call = Call.objects.create(
        programme=ctx.programme,
        cohort=cohort,
        title=TITLE,
        opens_at=opens,
        closes_at=closes,
        text=TEXT,
        eligibility=ELIGIBILITY,
        stage=Stage.CONTACTED,
        is_published=True,
    )
    questions = [
        Question.objects.create(
            call=call, position=i, label=label, kind=kind, options=options, required=required
        )
        for i, (label, kind, options, required) in enumerate(QUESTIONS, start=1)
    ]
    for applicant in APPLICANTS:
        values = dict(applicant)
        answers = {q.pk: value for q, value in zip(questions, values.pop("answers"), strict=False)}
        data = services.ApplicationData(consent=True, answers=answers, **values)  # type: ignore[arg-type]
        draft = services.application_save(call=call, application=None, data=data)
        services.application_submit(application=draft)
    services.application_save(
        call=call,
        application=None,
        data=services.ApplicationData(
            email="contact@tiers-lieu-demo.example",
            consent=True,
            organisation_name="Tiers-lieu des Canuts",
            organisation_kind="association",
            town="Lyon",
        ),
    )
    # The demo writes to nobody: the e-mails the services queued find them already sent.
    Application.objects.filter(call=call).update(link_sent_at=now, confirmation_sent_at=now)
