"""The governance tab: committees (COPIL, COTECH, operational meetings) with their decisions, and the
actions to do."""

from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit
from programme.pages import posted

from .. import selectors, services
from ..forms import ActionForm, CommitteeDecisionForm, CommitteeForm
from ..models import Action, Committee
from .base import RecordPage, child_for, project_for, record_form, render_tab, save_or_show

COMMITTEE = RecordPage(
    tab="projects:project.governance",
    create_title=gettext_lazy("Nouveau comité"),
    edit_title=gettext_lazy("Modifier le comité"),
    created=gettext_lazy("Comité enregistré."),
    updated=gettext_lazy("Comité mis à jour."),
)
ACTION = RecordPage(
    tab="projects:project.governance",
    create_title=gettext_lazy("Nouvelle action"),
    edit_title=gettext_lazy("Modifier l’action"),
    created=gettext_lazy("Action enregistrée."),
    updated=gettext_lazy("Action mise à jour."),
)


@access.team_required
def project_governance(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    context = {
        "committees": project.committees.prefetch_related("decisions").annotate(
            n_attendees=Count("attendees")
        ),
        "actions": project.actions.select_related("owner_user", "owner_person", "committee"),
        "today": timezone.localdate(),
    }
    return render_tab(request, project, "governance", "projects/project_governance.html", context)


@access.team_required
@require_http_methods(["GET", "POST"])
def committee_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    people = selectors.collective_people(request.user, project)
    return record_form(request, COMMITTEE, CommitteeForm(posted(request), people=people), project=project)


@access.team_required
@require_http_methods(["GET", "POST"])
def committee_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    committee = child_for(request, Committee, pk)
    people = selectors.collective_people(request.user, committee.project)
    form = CommitteeForm(posted(request), instance=committee, people=people)
    return record_form(request, COMMITTEE, form, project=committee.project)


@access.team_required
def committee_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    committee = child_for(request, Committee, pk)
    context = {
        "committee": committee,
        "decisions": committee.decisions.all(),
        "actions": committee.actions.select_related("owner_user", "owner_person"),
        "attendees": committee.attendees.select_related("organisation"),
        "staff_attendees": committee.staff_attendees.all(),
        "decision_form": CommitteeDecisionForm(),
        "today": timezone.localdate(),
    }
    return render_tab(request, committee.project, "governance", "projects/committee_detail.html", context)


@access.team_required
@require_POST
def committee_decision_create(request: AuthedRequest, pk: int) -> HttpResponse:
    committee = child_for(request, Committee, pk)
    form = CommitteeDecisionForm(request.POST)
    form.instance.committee = committee
    return save_or_show(
        request,
        form,
        lambda: services.record_save(actor=request.user, edit=Edit.from_form(form)),
        message=_("Décision ajoutée au comité."),
        project=committee.project,
        title=_("Ajouter une décision"),
        cancel=committee.get_absolute_url(),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def action_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    initial = {}
    if request.GET.get("committee", "").isdigit():
        initial["committee"] = request.GET["committee"]
    people = selectors.collective_people(request.user, project)
    form = ActionForm(posted(request), project=project, people=people, initial=initial)
    return record_form(request, ACTION, form, project=project)


@access.team_required
@require_http_methods(["GET", "POST"])
def action_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    action = child_for(request, Action, pk)
    people = selectors.collective_people(request.user, action.project)
    form = ActionForm(posted(request), instance=action, project=action.project, people=people)
    return record_form(request, ACTION, form, project=action.project)
