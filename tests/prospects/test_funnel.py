"""Funnel figures: cumulative counts per stage reached, by source and audience, per cohort, scoped."""

from prospects import services
from prospects.models import Decision, Stage
from prospects.selectors import funnel_figures
from tests.factories import CohortFactory, OrganisationFactory

from .factories import candidate_in, prospect_in

KEYS = {"identified", "contacted", "interviewed", "prequalified", "candidates", "retained"}


def test_funnel_counts_every_stage_reached(world):
    prospect_in(world, organisation=OrganisationFactory(), source="watch")  # identified only
    contacted = prospect_in(world, organisation=OrganisationFactory(), source="event")
    services.prospect_move(actor=world.staff, prospect=contacted, to_stage=Stage.CONTACTED)
    services.prospect_move(actor=world.staff, prospect=contacted, to_stage=Stage.DISCARDED, reason="Non")
    retained = candidate_in(world)
    services.selection_decide(
        actor=world.director,
        cohort=world.cohort,
        prospect=retained,
        decision=Decision.RETAINED,
        rationale="Oui",
    )
    candidate_in(world)  # still a candidate
    figures = funnel_figures(user=world.staff, programme=world.programme)
    assert {k: figures[k] for k in KEYS} == {
        "identified": 4,
        "contacted": 3,  # the discarded one had been contacted
        "interviewed": 2,
        "prequalified": 2,
        "candidates": 2,
        "retained": 1,
    }
    assert figures["by_source"]["event"]["contacted"] == 1
    assert figures["by_source"]["watch"]["contacted"] == 2  # the two candidates (factory default source)
    assert set(figures["by_source"]) == {
        "watch",
        "event",
        "network",
        "recommendation",
        "spontaneous",
        "import",
        "call",
    }
    assert set(figures["by_audience"]) == {"ess", "company", "public"}
    assert figures["by_audience"]["ess"]["retained"] == 1


def test_funnel_per_cohort(world):
    other = CohortFactory(programme=world.programme, name="Promotion suivante")
    candidate_in(world, cohort=other)
    candidate_in(world, cohort=world.cohort)
    prospect_in(world)  # no cohort yet: counts for every cohort
    assert funnel_figures(user=world.staff, programme=world.programme, cohort=other)["identified"] == 2
    assert funnel_figures(user=world.staff, programme=world.programme)["identified"] == 3


def test_funnel_is_empty_for_partners(world):
    prospect_in(world)
    figures = funnel_figures(user=world.partner_a, programme=world.programme)
    assert figures["identified"] == 0 and all(isinstance(figures[k], int) for k in KEYS)


def test_funnel_follows_territory_theme_and_period(world):
    from datetime import date

    from programme.models import Territory, Theme
    from prospects.models import Prospect

    lyon, vaulx = Territory.objects.create(name="Lyon"), Territory.objects.create(name="Vaulx-en-Velin")
    food = Theme.objects.create(name="Alimentation durable")
    in_lyon = prospect_in(world, organisation=OrganisationFactory(), territory=lyon)
    in_lyon.themes.add(food)
    prospect_in(world, organisation=OrganisationFactory(), territory=vaulx)
    old = prospect_in(world, organisation=OrganisationFactory(), territory=lyon)
    Prospect.objects.filter(pk=old.pk).update(created_at="2024-03-01T10:00:00+01:00")

    def identified(**filters):
        return funnel_figures(user=world.staff, programme=world.programme, **filters)["identified"]

    assert identified() == 3
    assert identified(territory_id=lyon.pk) == 2
    assert identified(theme_id=food.pk) == 1
    assert identified(period=(date(2024, 1, 1), date(2024, 12, 31))) == 1
    assert identified(territory_id=vaulx.pk, period=(date(2024, 1, 1), date(2024, 12, 31))) == 0
