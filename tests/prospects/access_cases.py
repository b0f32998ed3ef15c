"""Every prospects URL (and the selection committee's, in projects) as every role. Partners get 404 on
every prospect page, import and export; decisions are the director's."""

from tests.access import DIRECTOR, LOGIN, TEAM, TEAM_REDIRECT, Case, invalid_post, pk_of

from .events.access_cases import event_cases
from .factories import candidate_in, interview_for, pending_import, prospect_in

#: Only the uploader of a pending import sees it (here: staff); everyone else gets 404.
UPLOADER = {"anonymous": LOGIN, "staff": 200, "director": 404, "partner_a": 404, "partner_b": 404}
UPLOADER_302 = {**UPLOADER, "staff": 302}


def _imported(w):
    import_file = pending_import(w)
    import_file.status = "imported"
    import_file.save()
    return import_file


def _token(build):
    return lambda w: {"token": build(w).token}


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
    Case("prospects:organisation.path", TEAM, kwargs=lambda w: {"pk": w.org_a.pk}),
    Case("prospects:prospect.create", TEAM),
    Case(
        "prospects:prospect.options",
        TEAM,
        query="q=structure&field=prospect",
        id="get:prospect.options (search)",
    ),
    invalid_post("prospects:prospect.create", TEAM),
    Case("prospects:prospect.export", TEAM, kwargs=lambda w: {"fmt": "csv"}, id="get:prospect.export csv"),
    Case("prospects:prospect.export", TEAM, kwargs=lambda w: {"fmt": "xlsx"}, id="get:prospect.export xlsx"),
    Case("prospects:prospect.bulk", TEAM, query="action=move&all=True", id="get:prospect.bulk (all)"),
    Case("prospects:prospect.bulk", TEAM_REDIRECT, id="get:prospect.bulk (no action)"),
    Case(
        "prospects:prospect.bulk",
        TEAM,
        method="post",
        data=lambda w: {
            "action": "move",
            "ids": [prospect_in(w).pk],
            "to_stage": "contacted",
            "step": "preview",
        },
    ),
    invalid_post("prospects:prospect.bulk", TEAM_REDIRECT),
    Case(
        "prospects:prospect.detail",
        TEAM,
        kwargs=lambda w: {"pk": prospect_in(w, notes="note interne secrète").pk},
        secret=lambda w: "note interne secrète",
    ),
    Case("prospects:prospect.edit", TEAM, kwargs=pk_of(prospect_in)),
    Case(
        "prospects:prospect.move",
        TEAM_REDIRECT,
        method="post",
        kwargs=pk_of(prospect_in),
        data=lambda w: {"to_stage": "contacted"},
    ),
    invalid_post("prospects:exchange.create", TEAM, kwargs=pk_of(prospect_in)),
    Case("prospects:interview.create", TEAM, kwargs=pk_of(prospect_in)),
    Case("prospects:interview.detail", TEAM, kwargs=pk_of(interview_for)),
    invalid_post("prospects:interview.score", TEAM, kwargs=pk_of(interview_for)),
    invalid_post("prospects:interview.complete", TEAM, kwargs=pk_of(interview_for)),
    Case("prospects:interview.cancel", TEAM_REDIRECT, method="post", kwargs=pk_of(interview_for)),
    Case("prospects:grid.detail", TEAM),
    Case("prospects:grid.edit", DIRECTOR),
    Case("prospects:import.upload", TEAM),
    invalid_post("prospects:import.upload", TEAM),
    Case("prospects:import.preview", UPLOADER, kwargs=_token(pending_import)),
    Case("prospects:import.confirm", UPLOADER_302, method="post", kwargs=_token(pending_import)),
    Case("prospects:import.status", UPLOADER, kwargs=_token(_imported)),
    Case("prospects:import.cancel", UPLOADER_302, method="post", kwargs=_token(pending_import)),
    Case("projects:selection.list", TEAM),
    Case("projects:selection.committee", TEAM, kwargs=lambda w: {"pk": w.cohort.pk}),
    Case(
        "projects:selection.decide",
        DIRECTOR,
        kwargs=lambda w: {"pk": w.cohort.pk, "prospect_pk": candidate_in(w).pk},
    ),
    invalid_post(
        "projects:selection.decide",
        DIRECTOR,
        kwargs=lambda w: {"pk": w.cohort.pk, "prospect_pk": candidate_in(w).pk},
    ),
    # --- Events and trainings (prospects/events) ---
    *event_cases(),
]

# The calls for applications (prospects/calls/): their cases live with their tests.
from .calls_access import CASES as CALL_CASES  # noqa: E402

CASES += CALL_CASES
# The SIRENE register and its radar (prospects/sirene).
from .sirene_cases import CASES as SIRENE_CASES  # noqa: E402

CASES += SIRENE_CASES

# The territory page's sections prospects provides (its events, the register's density there): team only —
# a local partner given access to the territory (partner A) gets 404 as anyone outside the team.


def _granted_territory(w):
    from tests.programme.access_cases import granted_territory

    return {"pk": granted_territory(w).pk}


CASES += [
    Case("prospects:event.territory", TEAM, kwargs=_granted_territory),
    Case("prospects:register.territory", TEAM, kwargs=_granted_territory),
]
