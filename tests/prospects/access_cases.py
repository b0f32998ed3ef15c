"""Every prospects URL (and the selection committee's, in projects) as every role. Partners get 404 on
every prospect page, import and export; decisions are the director's."""

from tests.access import DIRECTOR, LOGIN, TEAM, Case

from .factories import EventFactory, candidate_in, interview_for, pending_import, prospect_in

#: Team pages answered with a redirect (a successful POST).
TEAM_302 = {**TEAM, "staff": 302, "director": 302}
#: Only the uploader of a pending import sees it (here: staff); everyone else gets 404.
UPLOADER = {"anonymous": LOGIN, "staff": 200, "director": 404, "partner_a": 404, "partner_b": 404}
UPLOADER_302 = {**UPLOADER, "staff": 302}


def _imported(w):
    import_file = pending_import(w)
    import_file.status = "imported"
    import_file.save()
    return import_file


def _event(w):
    return EventFactory(programme=w.programme)


CASES = [
    Case("prospects:prospect.list", TEAM),
    Case(
        "prospects:prospect.list",
        TEAM,
        query="stage=identified&overdue=1&o=-name",
        id="get:prospect.list (filtered)",
    ),
    Case("prospects:prospect.board", TEAM),
    Case("prospects:panel.pipeline", TEAM),
    Case("prospects:prospect.create", TEAM),
    Case(
        "prospects:prospect.create",
        TEAM,
        method="post",
        data=lambda w: {},
        id="post:prospect.create (invalid)",
    ),
    Case("prospects:prospect.export", TEAM, kwargs=lambda w: {"fmt": "csv"}, id="get:prospect.export csv"),
    Case("prospects:prospect.export", TEAM, kwargs=lambda w: {"fmt": "xlsx"}, id="get:prospect.export xlsx"),
    Case(
        "prospects:prospect.detail",
        TEAM,
        kwargs=lambda w: {"pk": prospect_in(w, notes="note interne secrète").pk},
        secret=lambda w: "note interne secrète",
    ),
    Case("prospects:prospect.edit", TEAM, kwargs=lambda w: {"pk": prospect_in(w).pk}),
    Case(
        "prospects:prospect.move",
        TEAM_302,
        method="post",
        kwargs=lambda w: {"pk": prospect_in(w).pk},
        data=lambda w: {"to_stage": "contacted"},
    ),
    Case(
        "prospects:interaction.create",
        TEAM,
        method="post",
        kwargs=lambda w: {"pk": prospect_in(w).pk},
        data=lambda w: {},
        id="post:interaction.create (invalid)",
    ),
    Case("prospects:interview.create", TEAM, kwargs=lambda w: {"pk": prospect_in(w).pk}),
    Case("prospects:interview.detail", TEAM, kwargs=lambda w: {"pk": interview_for(w).pk}),
    Case(
        "prospects:interview.score",
        TEAM,
        method="post",
        kwargs=lambda w: {"pk": interview_for(w).pk},
        data=lambda w: {},
        id="post:interview.score (invalid)",
    ),
    Case(
        "prospects:interview.complete",
        TEAM,
        method="post",
        kwargs=lambda w: {"pk": interview_for(w).pk},
        data=lambda w: {},
        id="post:interview.complete (invalid)",
    ),
    Case("prospects:interview.cancel", TEAM_302, method="post", kwargs=lambda w: {"pk": interview_for(w).pk}),
    Case("prospects:grid.detail", TEAM),
    Case("prospects:grid.edit", TEAM),
    Case("prospects:event.list", TEAM),
    Case("prospects:event.create", TEAM),
    Case("prospects:event.detail", TEAM, kwargs=lambda w: {"pk": _event(w).pk}),
    Case("prospects:event.edit", TEAM, kwargs=lambda w: {"pk": _event(w).pk}),
    Case(
        "prospects:event.prospects",
        TEAM,
        method="post",
        kwargs=lambda w: {"pk": _event(w).pk},
        data=lambda w: {},
        id="post:event.prospects (invalid)",
    ),
    Case("prospects:import.upload", TEAM),
    Case(
        "prospects:import.upload", TEAM, method="post", data=lambda w: {}, id="post:import.upload (invalid)"
    ),
    Case("prospects:import.preview", UPLOADER, kwargs=lambda w: {"token": pending_import(w).token}),
    Case(
        "prospects:import.confirm",
        UPLOADER_302,
        method="post",
        kwargs=lambda w: {"token": pending_import(w).token},
    ),
    Case("prospects:import.status", UPLOADER, kwargs=lambda w: {"token": _imported(w).token}),
    Case(
        "prospects:import.cancel",
        UPLOADER_302,
        method="post",
        kwargs=lambda w: {"token": pending_import(w).token},
    ),
    Case("projects:selection.list", TEAM),
    Case("projects:selection.committee", TEAM, kwargs=lambda w: {"pk": w.cohort.pk}),
    Case(
        "projects:selection.decide",
        DIRECTOR,
        method="post",
        kwargs=lambda w: {"pk": w.cohort.pk, "prospect_pk": candidate_in(w).pk},
        data=lambda w: {},
        id="post:selection.decide (invalid)",
    ),
]
