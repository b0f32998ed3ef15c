"""Demo data: a small made-up register (generated files in INSEE's format, imported twice as two monthly
imports would be, so that « nouvelles structures » has something to say) and saved searches for two
territories. Idempotent: nothing happens once the register has been imported."""

import tempfile
from pathlib import Path

from programme.demo import DemoContext
from programme.models import Territory

from . import generator, services
from .models import RegisterImport, RegisterImportStatus, SavedSearch

#: Territory → the radar's criteria saved for it.
SEARCHES = {
    "Villeurbanne": "ess=true&commune=69266",
    "Vaulx-en-Velin": "commune=69256",
    "Vénissieux": "form=association&commune=69259",
}


def build(ctx: DemoContext) -> None:
    if RegisterImport.objects.filter(kind="units", status=RegisterImportStatus.DONE).exists():
        return
    with tempfile.TemporaryDirectory() as folder:
        for month, rows in (("previous", 2500), ("latest", 3000)):
            for path in generator.write_register(Path(folder) / month, rows=rows):
                row = services.register_import_create(actor=None, path=path)
                services.register_import_run(import_id=row.pk)
    staff = ctx.users.get("staff")
    for name, query in SEARCHES.items():
        territory = Territory.objects.filter(name=name).first()
        if (
            territory is not None
            and staff is not None
            and not SavedSearch.objects.filter(territory=territory).exists()
        ):
            services.saved_search_save(actor=staff, territory=territory, query=query)
