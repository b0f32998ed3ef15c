"""Write made-up SIRENE stock files in INSEE's published format (tests, demo, benchmark).

manage.py sirene_generate DIRECTORY --rows 5000 [--seed 21] [--units-only]
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from prospects.sirene import generator


class Command(BaseCommand):
    help = "Écrit des fichiers stock SIRENE fictifs au format publié par l’Insee."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--rows", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=21)
        parser.add_argument("--units-only", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        paths = generator.write_register(
            Path(str(options["directory"])),
            rows=int(str(options["rows"])),
            seed=int(str(options["seed"])),
            establishments=not options["units_only"],
        )
        for path in paths:
            self.stdout.write(str(path))
