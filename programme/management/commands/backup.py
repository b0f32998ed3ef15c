import logging
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from programme.backups import BackupError, backup_to_folder, create_backup


class Command(BaseCommand):
    help = (
        "Sauvegarde Parcours dans une archive : la base (pg_dump ou copie SQLite), les fichiers privés et un "
        "manifeste (versions, nombres de lignes, sommes de contrôle)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            default=None,
            help="Dossier où écrire l’archive (par défaut PARCOURS_BACKUP_DIR), ou « - » pour l’écrire sur la "
            "sortie standard.",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="Ne garder que les N archives les plus récentes du dossier.",
        )

    def handle(self, *args: Any, output: str | None = None, keep: int | None = None, **options: Any) -> None:
        try:
            if output == "-":
                self._logs_to_stderr()  # the archive alone goes to stdout
                manifest = create_backup(sys.stdout.buffer)
                sys.stdout.buffer.flush()
                self.stderr.write(self._summary(manifest))
                return
            path, manifest = backup_to_folder(Path(output or settings.PARCOURS_BACKUP_DIR), keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde écrite : {path}"))
        self.stdout.write(self._summary(manifest))

    @staticmethod
    def _logs_to_stderr() -> None:
        loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
        for logger in loggers:
            for handler in getattr(logger, "handlers", []):
                if isinstance(handler, logging.StreamHandler) and handler.stream in (
                    sys.stdout,
                    sys.__stdout__,
                ):
                    handler.setStream(sys.stderr)

    @staticmethod
    def _summary(manifest: dict[str, Any]) -> str:
        rows = sum(manifest["row_counts"].values())
        return (
            f"{manifest['database']['vendor']} : {len(manifest['row_counts'])} tables, {rows} lignes ; "
            f"{len(manifest['files'])} fichiers privés."
        )
