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
