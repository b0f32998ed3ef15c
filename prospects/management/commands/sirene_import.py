"""Import INSEE's SIRENE stock files into the local register (docs/sourcing.md).

    manage.py sirene_import StockUniteLegale_utf8.zip StockEtablissement_utf8.zip
    manage.py sirene_import --queue PATH…   # hand them to the Celery worker instead

The legal units are imported before the establishments whatever the order given (the establishments kept
are those of the units kept). Each import is recorded (size, SHA-256, rows read and kept, duration, outcome);
a refused file changes nothing and the command exits with status 1."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prospects.sirene import loader, services
from prospects.sirene.models import RegisterImportStatus


class Command(BaseCommand):
    help = "Importe les fichiers stock SIRENE de l’Insee (unités légales, établissements) dans le répertoire local."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--queue", action="store_true", help="Confier l’import au worker Celery.")

    def handle(self, *args: object, **options: object) -> None:
        paths = [Path(p) for p in options["paths"]]  # type: ignore[attr-defined]
        ordered = []
        for path in paths:
            try:
                kind = loader.detect_kind(path)
            except loader.RegisterFileError as refusal:
                raise CommandError(str(refusal)) from None
            ordered.append((0 if kind == "units" else 1, path))
        failed = False
        for _rank, path in sorted(ordered, key=lambda item: item[0]):
            if options["queue"]:
                row = services.register_import_queue(actor=None, path=path)
                self.stdout.write(f"{path.name}: import n° {row.pk} confié au worker.")
                continue
            row = services.register_import_create(actor=None, path=path)
            row = services.register_import_run(import_id=row.pk)
            if row.status == RegisterImportStatus.DONE:
                self.stdout.write(
                    f"{path.name}: {row.rows_read} lignes lues, {row.rows_kept} gardées en {row.duration:.1f} s "
                    f"(SHA-256 {row.sha256[:12]}…)."
                )
            else:
                failed = True
                self.stderr.write(f"{path.name}: {row.error}")
        if failed:
            raise CommandError("Un fichier a été refusé : le répertoire n’a pas changé pour lui.")
