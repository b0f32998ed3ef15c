"""The exchanges' and the structure page pieces' URLs (projects/relations) as every role: the team's only
(partners get 404 even on their own structure: the portal shows them its shared exchanges)."""

from tests.access import TEAM, TEAM_REDIRECT, Case, invalid_post


def _org_a(w):
    return {"pk": w.org_a.pk}


def _exchange(w):
    from prospects.models import Exchange

    exchange = Exchange.objects.create(
        organisation=w.org_a,
        kind="call",
        date="2026-03-01",
        summary="Échange secret A",
        next_action="Rappeler",
        shared=True,
    )
    return {"pk": exchange.pk}


def relations_cases() -> list[Case]:
    return [
        Case("projects:structure.projects", TEAM, kwargs=_org_a),
        Case("projects:structure.timeline", TEAM, kwargs=_org_a),
        Case(
            "projects:structure.timeline",
            TEAM,
            kwargs=_org_a,
            query="kind=exchange&kind=gate&page=2",
            id="get:structure.timeline (filtered)",
        ),
        Case("projects:structure.exchange.create", TEAM, kwargs=_org_a),
        invalid_post("projects:structure.exchange.create", TEAM, kwargs=_org_a),
        Case("projects:exchange.create", TEAM, kwargs=lambda w: {"pk": w.project_a.pk}),
        invalid_post("projects:exchange.create", TEAM, kwargs=lambda w: {"pk": w.project_a.pk}),
        Case("projects:exchange.edit", TEAM, kwargs=_exchange),
        invalid_post("projects:exchange.edit", TEAM, kwargs=_exchange),
        Case("projects:exchange.done", TEAM_REDIRECT, method="post", kwargs=_exchange),
    ]
