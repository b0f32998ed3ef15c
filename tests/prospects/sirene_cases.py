"""The register's URLs (prospects/sirene) as every role: team pages, partners 404, anonymous to login.
Added to tests/prospects/access_cases.py's CASES."""

from programme.models import Territory
from prospects.sirene.models import SavedSearch
from tests.access import TEAM, TEAM_REDIRECT, Case, invalid_post


def _search(w):
    territory, _ = Territory.objects.get_or_create(name="Métropole de Lyon")
    search, _ = SavedSearch.objects.get_or_create(territory=territory, defaults={"query": "departement=69"})
    return {"pk": search.pk}


CASES = [
    Case("prospects:radar", TEAM),
    Case(
        "prospects:radar",
        TEAM,
        query="ess=true&form=association&departement=69&new=1",
        id="get:radar (filtered)",
    ),
    invalid_post("prospects:radar.add", TEAM_REDIRECT),
    invalid_post("prospects:radar.search.save", TEAM_REDIRECT),
    Case("prospects:radar.search.delete", TEAM_REDIRECT, method="post", kwargs=_search),
    Case("prospects:register.imports", TEAM),
    Case("prospects:panel.radar", TEAM),
    Case("prospects:register.lookup", TEAM, query="q=atelier"),
    Case("prospects:register.organisation", TEAM, kwargs=lambda w: {"pk": w.org_a.pk}),
]
