import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from programme.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restaure une archive de `manage.py backup` dans une installation vide : vérifie les sommes de contrôle, "
        "remet la base et les fichiers privés, compare les nombres de lignes, puis applique les migrations."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "archive", help="L’archive à restaurer, ou « - » pour la lire sur l’entrée standard."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Remplacer aussi une installation qui contient déjà des données.",
        )
        parser.add_argument(
            "--no-migrate", action="store_true", help="Ne pas appliquer les migrations après la restauration."
        )

    def handle(
        self, *args: Any, archive: str, force: bool = False, no_migrate: bool = False, **options: Any
    ) -> None:
        try:
            if archive == "-":
                restored = restore_backup(sys.stdin.buffer, force=force, migrate=not no_migrate)
            else:
                path = Path(archive)
                if not path.is_file():
                    raise CommandError(f"Archive introuvable : {path}")
                with path.open("rb") as handle:
                    restored = restore_backup(handle, force=force, migrate=not no_migrate)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = restored.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde du {manifest['created_at']} restaurée : {sum(restored.row_counts.values())} lignes "
                f"dans {len(restored.row_counts)} tables, {restored.files} fichiers privés (sommes de contrôle "
                "vérifiées)."
            )
        )
