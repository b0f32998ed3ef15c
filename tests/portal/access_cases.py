"""Every partner-portal URL, as every role. Portal pages are for partners only (the team gets 404, it has
its own pages); objects of partner A's collective are A's alone."""

from datetime import timedelta

from django.utils import timezone

from projects.models import PhasePeriod, Project
from tests.access import LOGIN, PARTNERS, TEAM_REDIRECT, Case

from .helpers import build_side

#: An object of partner A's collective seen through the portal: A only.
A_ONLY = {"anonymous": LOGIN, "staff": 404, "director": 404, "partner_a": 200, "partner_b": 404}
#: A form of A's collective posted with nothing: A gets the form back with errors, others 404.
A_ONLY_INVALID = {**A_ONLY, "partner_a": 400}


def a(world):
    """Partner A's collective, built once per test world."""
    if not hasattr(world, "_portal_a"):
        world._portal_a = build_side(world, "A")
    return world._portal_a


def pk(name):
    return lambda w: {"pk": getattr(a(w), name).pk}


def secret(w) -> str:
    return a(w).marker


def _owed_end_of_emergence(w):
    """A's collective moved on to Expérimentation: the end of its Émergence is owed, not started yet."""
    side = a(w)
    yesterday = timezone.localdate() - timedelta(days=1)
    PhasePeriod.objects.filter(pk=side.period.pk).update(actual_end=yesterday)
    PhasePeriod.objects.create(
        project=side.project, phase="experimentation", planned_start=yesterday, actual_start=yesterday
    )
    Project.objects.filter(pk=side.project.pk).update(phase="experimentation")
    return {"pk": side.project.pk, "phase": "emergence", "moment": "end"}


CASES = [
    Case("portal:home", PARTNERS),
    Case("portal:project", A_ONLY, kwargs=pk("project"), secret=secret),
    Case("portal:filrouge", A_ONLY, kwargs=pk("project"), secret=secret),
    Case("portal:deliverable", A_ONLY, kwargs=pk("deliverable"), secret=secret),
    Case(
        "portal:deliverable",
        A_ONLY_INVALID,
        kwargs=pk("deliverable"),
        method="post",
        data=lambda w: {},
        id="post:portal:deliverable (no file)",
    ),
    Case(
        "portal:deliverable.download",
        A_ONLY,
        kwargs=lambda w: {"pk": a(w).deliverable.pk, "number": 1},
        secret=secret,
    ),
    Case("portal:document.download", A_ONLY, kwargs=pk("document")),
    Case("portal:action.done", A_ONLY, kwargs=pk("action"), secret=secret),
    Case("portal:workshop", A_ONLY, kwargs=pk("workshop"), secret=secret),
    Case("portal:committee", A_ONLY, kwargs=pk("committee"), secret=secret),
    Case("portal:funding", A_ONLY, kwargs=pk("project"), secret=secret),
    Case("portal:organisation", PARTNERS),
    Case("portal:organisation.edit", PARTNERS),
    Case("portal:contact.create", PARTNERS),
    Case("portal:contact.edit", A_ONLY, kwargs=pk("person"), secret=lambda w: w.person_a.email),
    Case("portal:my_data", PARTNERS),
    Case("portal:indicator", A_ONLY, kwargs=pk("project_indicator"), secret=secret),
    Case("portal:measurement", A_ONLY, kwargs=pk("measurement"), secret=secret),
    Case("portal:measurement.evidence", A_ONLY, kwargs=pk("measurement")),
    Case("portal:maturity", A_ONLY, kwargs=pk("maturity")),
    Case("portal:maturity.moment", A_ONLY, kwargs=lambda w: _owed_end_of_emergence(w)),
    # A partner's message in a thread of their project (projects.conversations); back to the page.
    Case(
        "portal:comment.post",
        {**A_ONLY, "partner_a": 302},
        kwargs=lambda w: {"key": "deliverable", "object_id": a(w).deliverable.pk},
        method="post",
        data=lambda w: {"body": "Le fichier est bien lisible."},
    ),
    Case(
        "portal:comment.post",
        {**A_ONLY, "partner_a": 302},
        kwargs=lambda w: {"key": "project", "object_id": a(w).project.pk},
        method="post",
        data=lambda w: {},
        id="post:portal:comment.post (empty)",
    ),
    # A team action living in the portal namespace (opening a self-assessment to the collective).
    Case(
        "portal:maturity.open",
        TEAM_REDIRECT,
        kwargs=pk("project"),
        method="post",
        data=lambda w: {"moment": "end"},
    ),
]
