"""The demo's register: two monthly imports of generated files, saved searches with new structures."""

import pytest

from programme.demo import DemoContext
from programme.models import Territory
from prospects.sirene import demo
from prospects.sirene.filters import latest_units_import
from prospects.sirene.models import RegisterImport, RegisterUnit, SavedSearch

pytestmark = pytest.mark.django_db


def test_demo_register_is_imported_with_new_structures(world, monkeypatch):
    monkeypatch.setattr(demo, "SEARCHES", {"Villeurbanne": "commune=69266"})
    Territory.objects.create(name="Villeurbanne")
    ctx = DemoContext(users={"staff": world.staff})
    demo.build(ctx)
    assert set(RegisterImport.objects.values_list("status", flat=True)) == {"done"}
    assert RegisterImport.objects.count() == 4
    latest = latest_units_import()
    assert RegisterUnit.objects.filter(first_import=latest.pk).exists()
    assert SavedSearch.objects.get(territory__name="Villeurbanne").query == "commune=69266"
    demo.build(ctx)  # idempotent
    assert RegisterImport.objects.count() == 4
