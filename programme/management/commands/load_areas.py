from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from programme.territories.loading import DEFAULT_PATH, AreaDataError, load_areas
from programme.territories.models import Area, AreaKind


class Command(BaseCommand):
    help = (
        "Charge les communes, EPCI, départements et régions (codes INSEE) depuis les fichiers JSON du paquet "
        "@etalab/decoupage-administratif (par défaut node_modules/, installé par make install)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", nargs="?", default=None, help="Dossier des fichiers JSON (data/ du paquet)."
        )
        parser.add_argument(
            "--auto",
            action="store_true",
            help="Ne rien faire si les communes sont déjà chargées ou si le paquet n’est pas installé.",
        )

    def handle(self, *args: Any, path: str | None = None, auto: bool = False, **options: Any) -> None:
        folder = Path(path) if path else DEFAULT_PATH
        if auto and (Area.objects.filter(kind=AreaKind.COMMUNE).count() > 1000 or not folder.is_dir()):
            return
        try:
            loaded = load_areas(folder)
        except AreaDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Découpage administratif chargé : {loaded.regions} régions, {loaded.departments} départements, "
            f"{loaded.epcis} EPCI, {loaded.communes} communes."
        )
