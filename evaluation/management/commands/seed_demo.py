from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from evaluation import demo as evaluation_demo
from evaluation.filrouge import demo as filrouge_demo
from evaluation.judgement import demo as judgement_demo
from evaluation.portal import demo as portal_demo
from evaluation.reports import demo as reports_demo
from evaluation.research import demo as research_demo
from programme import demo as programme_demo
from programme.demo import DemoContext
from programme.territories import demo as territories_demo
from projects import demo as projects_demo
from projects.conversations import demo as conversations_demo
from projects.funding import demo as funding_demo
from projects.mailing import demo as mailing_demo
from projects.phasetemplates import demo as phasetemplates_demo
from projects.relations import demo as relations_demo
from projects.selection import demo as selection_demo
from prospects import demo as prospects_demo
from prospects.calls import demo as calls_demo
from prospects.events import demo as events_demo
from prospects.sirene import demo as sirene_demo

#: Every part's demo builder, lower apps first (programme → prospects → projects → evaluation); each is
#: idempotent. The command lives in the top app so that it may import them all.
STEPS = (
    programme_demo.build,
    territories_demo.build,
    prospects_demo.build,
    calls_demo.build,
    sirene_demo.build,
    phasetemplates_demo.build,
    projects_demo.build,
    phasetemplates_demo.settle,
    selection_demo.build,
    funding_demo.build,
    relations_demo.build,
    mailing_demo.build,
    events_demo.build,
    evaluation_demo.build,
    filrouge_demo.build,
    research_demo.build,
    portal_demo.build,
    conversations_demo.build,
    reports_demo.build,
    judgement_demo.build,
    prospects_demo.settle,  # last: dates every prospect's stage history, whichever step moved it
)


class Command(BaseCommand):
    help = "Construit (ou complète) les données de démonstration. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Autoriser la commande même quand DEBUG est désactivé.",
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo crée des comptes de démonstration au mot de passe connu : refusé quand "
                "DEBUG=0. Relancez avec --force si c’est vraiment voulu."
            )
        ctx = DemoContext()
        with transaction.atomic():
            for step in STEPS:
                step(ctx)
        self.stdout.write(
            self.style.SUCCESS(
                "Données de démonstration prêtes. Comptes (mot de passe « parcours-demo ») : "
                "staff@demo.parcours.fr, director@demo.parcours.fr, partner-a@demo.parcours.fr, "
                "partner-b@demo.parcours.fr."
            )
        )
