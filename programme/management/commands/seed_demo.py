from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from programme.demo import DemoContext


class Command(BaseCommand):
    help = "Construit (ou complète) les données de démonstration. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Autoriser la commande même quand DEBUG est désactivé.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo crée des comptes de démonstration au mot de passe connu : refusé quand "
                "DEBUG=0. Relancez avec --force si c'est vraiment voulu."
            )
        ctx = DemoContext()
        # Each app contributes its part, lower apps first (programme → prospects → projects → evaluation).
        with transaction.atomic():
            for dotted in settings.PARCOURS_DEMO_STEPS:
                import_string(dotted)(ctx)
        self.stdout.write(
            self.style.SUCCESS(
                "Données de démonstration prêtes. Comptes (mot de passe « parcours-demo ») : "
                "staff@demo.parcours.fr, director@demo.parcours.fr, partner-a@demo.parcours.fr, "
                "partner-b@demo.parcours.fr."
            )
        )
