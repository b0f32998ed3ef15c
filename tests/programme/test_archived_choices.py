"""What a director archives in the settings pages (a promotion, a theme, a territory) is no longer offered
for new choices, while a record that already has it keeps it and lists and reports can still look back."""

import pytest

from evaluation.reports.forms import DashboardFilterForm
from programme.forms import OrganisationForm
from programme.models import Territory, Theme
from prospects.filters import ProspectFilter
from prospects.forms import ProspectCreateForm
from tests.factories import OrganisationFactory


@pytest.fixture
def themes(db):
    return Theme.objects.create(name="Alimentation durable"), Theme.objects.create(
        name="Mobilité", is_active=False
    )


def _offered(form, name):
    return {str(choice) for choice in form.fields[name].queryset}


def test_an_archived_theme_is_not_offered_to_a_new_structure_or_prospect(themes):
    assert _offered(OrganisationForm(), "themes") == {"Alimentation durable"}
    assert "Mobilité" not in _offered(ProspectCreateForm(), "themes")


def test_a_structure_that_has_an_archived_theme_and_territory_keeps_them(themes):
    old_territory = Territory.objects.create(name="Vallée de la chimie", is_active=False)
    organisation = OrganisationFactory(territory=old_territory)
    organisation.themes.add(themes[1])
    form = OrganisationForm(instance=organisation)
    assert _offered(form, "themes") == {"Alimentation durable", "Mobilité"}
    assert "Vallée de la chimie" in _offered(form, "territory")
    # Another structure is not offered them.
    assert "Vallée de la chimie" not in _offered(
        OrganisationForm(instance=OrganisationFactory()), "territory"
    )


def test_lists_and_the_dashboard_still_filter_on_what_was_archived(themes):
    assert "Mobilité" in {str(t) for t in ProspectFilter().form.fields["themes"].queryset}
    form = DashboardFilterForm(programme=None, years=[2026])
    assert "Mobilité" in _offered(form, "theme")
