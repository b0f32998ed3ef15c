from tests.access import (
    DIRECTOR,
    EVERYONE_404,
    LOGIN,
    NOBODY,
    PUBLIC,
    SIGNED_IN,
    TEAM,
    TEAM_REDIRECT,
    Case,
    invalid_post,
)

CASES = [
    Case(
        "home",
        {
            "anonymous": LOGIN,
            "staff": 200,
            "director": 200,
            "partner_a": (200, 302),
            "partner_b": (200, 302),
        },
    ),
    Case("health", PUBLIC),
    Case("invitation.accept", EVERYONE_404, kwargs=lambda w: {"token": "not-a-token"}),
    Case("programme:organisation.list", TEAM),
    Case("programme:organisation.create", TEAM),
    invalid_post("programme:organisation.create", TEAM),
    Case("programme:organisation.detail", TEAM, kwargs=lambda w: {"pk": w.org_a.pk}),
    Case("programme:organisation.edit", TEAM, kwargs=lambda w: {"pk": w.org_a.pk}),
    Case("programme:person.list", TEAM),
    Case("programme:person.options", TEAM, query="q=al&field=person", id="get:person.options (search)"),
    Case(
        "programme:organisation.options",
        TEAM,
        query="q=str&field=organisation",
        id="get:organisation.options (search)",
    ),
    Case("programme:organisation.options", TEAM),
    Case("programme:person.create", TEAM),
    Case("programme:person.detail", TEAM, kwargs=lambda w: {"pk": w.person_a.pk}),
    Case("programme:person.edit", TEAM, kwargs=lambda w: {"pk": w.person_a.pk}),
    Case("programme:person.anonymise", TEAM_REDIRECT, method="post", kwargs=lambda w: {"pk": w.person_a.pk}),
    Case("programme:person.export", TEAM, kwargs=lambda w: {"pk": w.person_a.pk}),
    Case("programme:invitation.list", TEAM),
    Case("programme:preferences", SIGNED_IN),
]

# --- Programme settings (programme/setup): the team reads, directors change ---------------------------

SETUP_KINDS = ("programmes", "promotions", "thematiques", "territoires")


def _setting(world, kind: str):
    from programme.models import Territory, Theme

    if kind == "programmes":
        return world.programme
    if kind == "promotions":
        return world.cohort
    if kind == "thematiques":
        return Theme.objects.get_or_create(name="Alimentation (matrice)")[0]
    return Territory.objects.get_or_create(name="Nord-Isère (matrice)")[0]


DIRECTOR_REDIRECT = {**DIRECTOR, "director": 302}

CASES += [Case("setup:index", TEAM)]
for _kind in SETUP_KINDS:
    CASES += [
        Case("setup:list", TEAM, kwargs=lambda w, k=_kind: {"kind": k}, id=f"get:setup:list:{_kind}"),
        Case("setup:create", DIRECTOR, kwargs=lambda w, k=_kind: {"kind": k}, id=f"get:setup:create:{_kind}"),
        Case(
            "setup:create",
            DIRECTOR,
            method="post",
            data=lambda w: {},
            kwargs=lambda w, k=_kind: {"kind": k},
            id=f"post:setup:create:{_kind} (invalid)",
        ),
        Case(
            "setup:edit",
            DIRECTOR,
            kwargs=lambda w, k=_kind: {"kind": k, "pk": _setting(w, k).pk},
            id=f"get:setup:edit:{_kind}",
        ),
        Case(
            "setup:archive",
            DIRECTOR_REDIRECT,
            method="post",
            data=lambda w: {"active": "1"},
            kwargs=lambda w, k=_kind: {"kind": k, "pk": _setting(w, k).pk},
            id=f"post:setup:archive:{_kind}",
        ),
        Case(
            "setup:delete",
            DIRECTOR_REDIRECT,
            method="post",
            kwargs=lambda w, k=_kind: {"kind": k, "pk": _setting(w, k).pk},
            id=f"post:setup:delete:{_kind}",
        ),
    ]
CASES += [Case("setup:list", NOBODY, kwargs=lambda w: {"kind": "inconnu"}, id="get:setup:list:unknown")]

# --- Territories (programme/territories): the team reads, directors change the territory, its areas, its
# stages and its grants; the team records moves, partners and referents; a local partner's person given
# access (partner A here) reads the page, partner B never. -------------------------------------------------


def granted_territory(world):
    """A pilot territory where partner A's structure is a local partner, partner A given read access."""
    from programme.models import Stage, Territory, TerritoryGrant, TerritoryPartner

    territory, created = Territory.objects.get_or_create(
        name="Vaulx-en-Velin (matrice)", defaults={"kind": "pilot", "programme": world.programme}
    )
    if created:
        Stage.objects.create(programme=world.programme, name="Diagnostic partagé (matrice)", position=0)
        TerritoryPartner.objects.create(territory=territory, organisation=world.org_a, role="association")
        TerritoryGrant.objects.create(territory=territory, user=world.partner_a, granted_by=world.director)
    return territory


def _area(world):
    from programme.models import Area

    return Area.objects.get_or_create(kind="commune", code="69256", defaults={"name": "Vaulx-en-Velin"})[0]


def _territory_pk(world):
    return {"pk": granted_territory(world).pk}


GRANTED = {"anonymous": LOGIN, "staff": 200, "director": 200, "partner_a": 200, "partner_b": 404}
DIRECTOR_POST = {**DIRECTOR, "director": 302}

CASES += [
    # Partners: the territories they were given (partner A's granted one; none for partner B).
    Case(
        "territories:list",
        {**TEAM, "partner_a": 200, "partner_b": 200},
        kwargs=lambda w: (granted_territory(w), {})[1],
        secret=lambda w: "Vaulx-en-Velin (matrice)",
    ),
    Case("territories:create", DIRECTOR),
    invalid_post("territories:create", DIRECTOR),
    Case("territories:detail", GRANTED, kwargs=_territory_pk, secret=lambda w: "Vaulx-en-Velin (matrice)"),
    Case("territories:edit", DIRECTOR, kwargs=_territory_pk),
    Case("territories:areas", DIRECTOR, kwargs=_territory_pk, query="q=vaulx"),
    Case(
        "territories:areas",
        DIRECTOR_POST,
        method="post",
        kwargs=_territory_pk,
        data=lambda w: {"area": _area(w).pk},
        id="post:territories:areas",
    ),
    Case("territories:move", TEAM, kwargs=_territory_pk),
    invalid_post("territories:move", TEAM, kwargs=_territory_pk),
    Case("territories:partner.add", TEAM, kwargs=_territory_pk),
    invalid_post("territories:partner.add", TEAM, kwargs=_territory_pk),
    Case(
        "territories:partner.remove",
        TEAM_REDIRECT,
        method="post",
        kwargs=lambda w: {"pk": granted_territory(w).partners.get().pk},
    ),
    Case("territories:referent.add", TEAM, kwargs=_territory_pk),
    invalid_post("territories:referent.add", TEAM, kwargs=_territory_pk),
    Case(
        "territories:referent.remove",
        TEAM_REDIRECT,
        method="post",
        kwargs=lambda w: {"pk": _referenced(w).pk, "person_pk": w.person_b.pk},
    ),
    Case("territories:grant.add", DIRECTOR, kwargs=_territory_pk),
    invalid_post("territories:grant.add", DIRECTOR, kwargs=_territory_pk),
    Case(
        "territories:grant.remove",
        DIRECTOR_POST,
        method="post",
        kwargs=lambda w: {"pk": granted_territory(w).grants.get().pk},
    ),
    Case("territories:stage.list", TEAM),
    Case("territories:stage.create", DIRECTOR),
    invalid_post("territories:stage.create", DIRECTOR),
    Case(
        "territories:stage.edit",
        DIRECTOR,
        kwargs=lambda w: {"pk": granted_territory(w).programme.stages.get().pk},
    ),
]


def _referenced(world):
    territory = granted_territory(world)
    territory.referents.add(world.person_b)
    return territory
