"""One place decides access.

Every view gets its objects through these functions. The programme team (staff and directors) sees
everything in the programme; a partner sees only the projects whose collective currently includes their
organisation, and within them only what is shared with the collective. Outsiders get 404 — never 403,
never the object.

Higher apps' models are looked up lazily with `apps.get_model` so this module stays at the bottom of the
import graph (`evaluation` → `projects` → `prospects` → `programme`).
"""

from collections.abc import Callable
from functools import wraps

from django.apps import apps
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Organisation, Person, Role, User


def is_team(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in (Role.STAFF, Role.DIRECTOR))


def is_director(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.DIRECTOR)


def is_partner(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.PARTNER
        and user.organisation_id is not None
    )


def _role_required(check: Callable[[User], bool]):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


#: Pages of the programme team (staff and directors). Anyone else gets 404.
team_required = _role_required(is_team)
#: Decisions reserved to directors (gates, selection). Anyone else gets 404.
director_required = _role_required(is_director)
#: Partner portal pages. Anyone else gets 404.
partner_required = _role_required(is_partner)


def active_membership_q(prefix: str = "") -> Q:
    """Memberships in force today: joined (or no date) and not left."""
    today = timezone.localdate()
    return Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": today})


# --- Core records -----------------------------------------------------------------------------


def organisations_for(user) -> QuerySet[Organisation]:
    if is_team(user):
        return Organisation.objects.all()
    if is_partner(user):
        return Organisation.objects.filter(pk=user.organisation_id)
    return Organisation.objects.none()


def people_for(user) -> QuerySet[Person]:
    if is_team(user):
        return Person.objects.all()
    if is_partner(user):
        return Person.objects.filter(organisation_id=user.organisation_id, anonymised_at__isnull=True)
    return Person.objects.none()


# --- Prospects (staff only) ---------------------------------------------------------------------


def prospects_app_qs(user, model_name: str) -> QuerySet:
    """Anything in the prospects app: team only. Partners never see prospects or interview scores."""
    model = apps.get_model("prospects", model_name)
    return model.objects.all() if is_team(user) else model.objects.none()


# --- Projects -------------------------------------------------------------------------------------


def partner_project_ids(user) -> QuerySet:
    """Ids of the projects whose collective currently includes the partner's organisation."""
    Membership = apps.get_model("projects", "Membership")
    return (
        Membership.objects.filter(organisation_id=user.organisation_id)
        .filter(active_membership_q())
        .values("project_id")
    )


def projects_for(user) -> QuerySet:
    Project = apps.get_model("projects", "Project")
    if is_team(user):
        return Project.objects.all()
    if is_partner(user):
        return Project.objects.filter(pk__in=partner_project_ids(user))
    return Project.objects.none()


def project_children_for(
    user, model: type[Model], *, project_field: str = "project", shared_field: str | None = None
) -> QuerySet:
    """Rows that hang off a project. Partners see those of their projects, and only the shared ones
    when the model has a "shared with the collective" flag (`shared_field`)."""
    if is_team(user):
        return model.objects.all()
    if is_partner(user):
        qs = model.objects.filter(**{f"{project_field}__in": partner_project_ids(user)})
        if shared_field:
            qs = qs.filter(**{shared_field: True})
        return qs
    return model.objects.none()


def get_for_user_or_404(queryset: QuerySet, **lookup):
    """Fetch one object from an already-scoped queryset; outsiders get 404."""
    return get_object_or_404(queryset, **lookup)


# --- Reports (PDF) --------------------------------------------------------------------------------


def reports_for(user) -> QuerySet:
    """PDF reports the user may read. The team reads every report; a partner reads only the funder
    reports of their own projects that the team has shared with the collective."""
    Report = apps.get_model("evaluation", "Report")
    if is_team(user):
        return Report.objects.all()
    if is_partner(user):
        return Report.objects.filter(kind="funder", shared_with_partners=True, project__in=projects_for(user))
    return Report.objects.none()


# --- Evaluation (indicators, measurements, maturity, lessons) --------------------------------------


def indicators_for(user) -> QuerySet:
    """The indicator library: the team sees it all; a partner sees the indicators of their projects."""
    Indicator = apps.get_model("evaluation", "Indicator")
    if is_team(user):
        return Indicator.objects.all()
    if is_partner(user):
        return Indicator.objects.filter(project_indicators__project__in=partner_project_ids(user)).distinct()
    return Indicator.objects.none()


def project_indicators_for(user) -> QuerySet:
    """Indicators of a project's protocol, through the project's collective."""
    return project_children_for(user, apps.get_model("evaluation", "ProjectIndicator"))


def evaluation_questions_for(user) -> QuerySet:
    return project_children_for(user, apps.get_model("evaluation", "EvaluationQuestion"))


def evaluation_criteria_for(user) -> QuerySet:
    return project_children_for(
        user, apps.get_model("evaluation", "EvaluationCriterion"), project_field="question__project"
    )


def indicator_targets_for(user) -> QuerySet:
    return project_children_for(
        user, apps.get_model("evaluation", "IndicatorTarget"), project_field="project_indicator__project"
    )


def measurements_for(user) -> QuerySet:
    """Measurements (and their evidence files) of the projects the user may see."""
    return project_children_for(
        user, apps.get_model("evaluation", "Measurement"), project_field="project_indicator__project"
    )


def maturity_assessments_for(user) -> QuerySet:
    return project_children_for(user, apps.get_model("evaluation", "MaturityAssessment"))


def lessons_for(user) -> QuerySet:
    """Lessons learned are the team's capitalisation notes: partners never see them."""
    Lesson = apps.get_model("evaluation", "Lesson")
    return Lesson.objects.all() if is_team(user) else Lesson.objects.none()


# --- Project steering (projects app, issue #4) ---------------------------------------------------
# Children of a project that carry a "shared with the collective" flag: partners see only shared ones.


def project_workshops_for(user) -> QuerySet:
    return project_children_for(
        user, apps.get_model("projects", "Workshop"), shared_field="shared_with_collective"
    )


def project_committees_for(user) -> QuerySet:
    return project_children_for(
        user, apps.get_model("projects", "Committee"), shared_field="shared_with_collective"
    )


def project_documents_for(user) -> QuerySet:
    return project_children_for(
        user, apps.get_model("projects", "Document"), shared_field="shared_with_collective"
    )


def project_deliverables_for(user) -> QuerySet:
    """Deliverables are the collective's work: every member of the project sees them."""
    return project_children_for(user, apps.get_model("projects", "Deliverable"))


# --- Partner portal (issue #6) ---------------------------------------------------------------------
# What a partner handles in the portal, narrower than what the collective may read: the deliverables
# assigned to their own organisation, the actions they own, the indicators the collective reports.


def portal_deliverables_for(user) -> QuerySet:
    """Deliverables of the partner's current projects that are assigned to their organisation."""
    if not is_partner(user):
        return apps.get_model("projects", "Deliverable").objects.none()
    return project_deliverables_for(user).filter(owner_organisation_id=user.organisation_id)


def portal_actions_for(user) -> QuerySet:
    """Actions of the partner's current projects that they own (as a contact of the collective)."""
    Action = apps.get_model("projects", "Action")
    if not is_partner(user) or user.person_id is None:
        return Action.objects.none()
    return project_children_for(user, Action).filter(owner_person_id=user.person_id)


def portal_committee_decisions_for(user) -> QuerySet:
    """Decisions of the committees shared with the partner's collectives."""
    CommitteeDecision = apps.get_model("projects", "CommitteeDecision")
    if not is_partner(user):
        return CommitteeDecision.objects.none()
    return CommitteeDecision.objects.filter(committee__in=project_committees_for(user))


def portal_project_indicators_for(user) -> QuerySet:
    """Indicators the partner reports: the collective's ones (reporter "partner"), either for any
    member or for the partner's own organisation."""
    ProjectIndicator = apps.get_model("evaluation", "ProjectIndicator")
    if not is_partner(user):
        return ProjectIndicator.objects.none()
    return project_indicators_for(user).filter(
        Q(reporter="partner"),
        Q(reporter_organisation__isnull=True) | Q(reporter_organisation_id=user.organisation_id),
    )


def portal_measurements_for(user) -> QuerySet:
    """Measurements (and their evidence) of the indicators the partner reports."""
    Measurement = apps.get_model("evaluation", "Measurement")
    if not is_partner(user):
        return Measurement.objects.none()
    return Measurement.objects.filter(project_indicator__in=portal_project_indicators_for(user))


def portal_maturity_assessments_for(user) -> QuerySet:
    """Cooperative maturity assessments of the partner's current collectives."""
    if not is_partner(user):
        return apps.get_model("evaluation", "MaturityAssessment").objects.none()
    return maturity_assessments_for(user)
