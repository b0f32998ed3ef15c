"""Building a local SIRENE register for tests: generated stock files (INSEE's format) imported through the
import service, as the command does."""

from pathlib import Path

from prospects.sirene import generator, services
from prospects.sirene.models import RegisterImport, RegisterUnit


def import_file(path: Path) -> RegisterImport:
    row = services.register_import_create(actor=None, path=path)
    return services.register_import_run(import_id=row.pk)


def load_register(directory: Path, *, rows: int = 300, seed: int = 21) -> list[RegisterImport]:
    """Generate and import the units and establishments files of `rows` legal units."""
    return [import_file(path) for path in generator.write_register(directory, rows=rows, seed=seed)]


def a_unit(**filters) -> RegisterUnit:
    unit = (
        RegisterUnit.objects.filter(active=True, **filters).exclude(departement="").order_by("siren").first()
    )
    assert unit is not None, filters
    return unit
