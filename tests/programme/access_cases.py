from tests.access import EVERYONE_404, LOGIN, PUBLIC, SIGNED_IN, TEAM, TEAM_REDIRECT, Case, invalid_post

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
