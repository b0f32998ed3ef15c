"""Partner portal pages (projects side): deliverables, actions, shared workshops and committees, the
partner's own structure and personal data. Typed function views; every object comes through the
`programme.access` helpers, so anything outside the partner's current collectives is a 404.

The "Mon projet" page itself is served by evaluation/portal_views.py (it adds indicators and maturity,
which this app may not import); it builds its projects part with `project_page_context` below."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programme import access
from programme.files import private_file_response
from programme.models import Person

from . import portal_services, selectors, timeline
from .models import (
    OPEN_ACTION_STATUSES,
    OPEN_DELIVERABLE_STATUSES,
    DeliverableStatus,
    DeliverableVersion,
    DocumentVersion,
    MemberRole,
    Project,
)
from .portal_forms import ActionDoneForm, DeliverableUploadForm, PortalContactForm, PortalOrganisationForm

#: How far ahead "next deadlines" look, and how many shared minutes and decisions the page shows.
DEADLINE_DAYS = 120
RECENT_WORKSHOPS = 5
RECENT_DECISIONS = 10


def portal_project(request: HttpRequest, pk: int) -> Project:
    """One of the partner's current projects, or 404."""
    return get_object_or_404(
        access.projects_for(request.user).select_related("lead_organisation", "programme"), pk=pk
    )


def project_page_context(request: HttpRequest, project: Project) -> dict:
    """The projects part of "Mon projet": phase and timeline, what the partner's structure must hand in,
    their actions, shared workshops, committee decisions and documents."""
    user = request.user
    today = timezone.localdate()
    now = timezone.now()
    periods = sorted(project.phase_periods.all(), key=lambda p: p.planned_start)
    workshops = list(
        access.project_workshops_for(user)
        .filter(project=project)
        .select_related("facilitator")
        .order_by("starts_at")
    )
    committees = list(access.project_committees_for(user).filter(project=project).order_by("date"))
    deliverables = list(
        access.portal_deliverables_for(user)
        .filter(project=project)
        .select_related("milestone")
        .prefetch_related(Prefetch("versions", queryset=DeliverableVersion.objects.order_by("-number")))
        .order_by("due_date", "pk")
    )
    actions = list(
        access.portal_actions_for(user)
        .filter(project=project)
        .select_related("committee")
        .order_by("due_date", "pk")
    )
    horizon = today + timedelta(days=DEADLINE_DAYS)
    deadlines = sorted(
        [
            *[
                {
                    "kind": _("Livrable"),
                    "date": d.due_date,
                    "title": d.title,
                    "late": d.is_late(today),
                    "obj": d,
                }
                for d in deliverables
                if d.status in OPEN_DELIVERABLE_STATUSES and d.due_date <= horizon
            ],
            *[
                {
                    "kind": _("Action"),
                    "date": a.due_date,
                    "title": a.title,
                    "late": a.due_date < today,
                    "obj": a,
                }
                for a in actions
                if a.status in OPEN_ACTION_STATUSES and a.due_date <= horizon
            ],
            *[
                {
                    "kind": _("Atelier"),
                    "date": timezone.localtime(w.starts_at).date(),
                    "title": w.title,
                    "late": False,
                    "obj": w,
                }
                for w in workshops
                if now <= w.starts_at and timezone.localtime(w.starts_at).date() <= horizon
            ],
        ],
        key=lambda item: (item["date"], item["title"]),
    )
    decisions = list(
        access.portal_committee_decisions_for(user)
        .filter(committee__project=project)
        .select_related("committee")
        .order_by("-committee__date", "-pk")[:RECENT_DECISIONS]
    )
    documents = list(
        access.project_documents_for(user)
        .filter(project=project)
        .prefetch_related(Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number")))
        .order_by("title")
    )
    members = list(
        project.memberships.filter(access.active_membership_q())
        .select_related("organisation")
        .order_by("role", "organisation__name")
    )
    period = selectors.current_period(project)
    return {
        "project": project,
        "projects": list(access.projects_for(user).order_by("title").only("pk", "title", "phase")),
        "period": period,
        "late_decision": bool(period and period.is_late(today)),
        # Milestones are the team's planning and are not shared: the partner's timeline shows phases,
        # shared workshops and shared committees.
        "tl": timeline.build(
            project, periods=periods, milestones=[], workshops=workshops, committees=committees
        ),
        "deadlines": deadlines,
        "deliverables": deliverables,
        "actions": actions,
        "open_actions": [a for a in actions if a.status in OPEN_ACTION_STATUSES],
        "done_actions": [a for a in actions if a.status not in OPEN_ACTION_STATUSES],
        "recent_workshops": [w for w in reversed(workshops) if w.starts_at <= now][:RECENT_WORKSHOPS],
        "decisions": decisions,
        "documents": documents,
        "members": members,
        "lead_role": MemberRole.LEAD,
        "staff_leads": list(project.staff_leads.filter(is_active=True).order_by("first_name")),
        "today": today,
    }


# --- Deliverables ----------------------------------------------------------------------------------


@access.partner_required
@require_http_methods(["GET", "POST"])
def deliverable_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A deliverable assigned to the partner's structure: its versions, and a form to add one."""
    deliverable = get_object_or_404(
        access.portal_deliverables_for(request.user).select_related("project", "milestone"), pk=pk
    )
    can_upload = deliverable.status != DeliverableStatus.ACCEPTED
    form = DeliverableUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    status = 200
    if request.method == "POST":
        if not can_upload:
            messages.error(request, _("Ce livrable est validé : contactez l'équipe pour le modifier."))
            return redirect("portal:deliverable", deliverable.pk)
        if form.is_valid():
            try:
                version = portal_services.portal_deliverable_upload(
                    actor=request.user,
                    deliverable=deliverable,
                    file=form.cleaned_data["file"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                form.add_error("file", error.messages)
            else:
                messages.success(
                    request,
                    _("Version %(n)s de « %(t)s » déposée. L'équipe du programme est prévenue.")
                    % {"n": version.number, "t": deliverable.title},
                )
                return redirect("portal:deliverable", deliverable.pk)
        status = 400
    context = {
        "deliverable": deliverable,
        "project": deliverable.project,
        "versions": deliverable.versions.select_related("uploaded_by").order_by("-number"),
        "form": form,
        "can_upload": can_upload,
        "today": timezone.localdate(),
    }
    return render(request, "portal/deliverable.html", context, status=status)


@access.partner_required
def deliverable_download(request: HttpRequest, pk: int, number: int) -> FileResponse:
    deliverable = get_object_or_404(access.portal_deliverables_for(request.user), pk=pk)
    version = get_object_or_404(DeliverableVersion.objects.filter(deliverable=deliverable), number=number)
    return private_file_response(
        version.file, filename=version.original_name, content_type=version.content_type
    )


@access.partner_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """The latest version of a document shared with the partner's collective."""
    document = get_object_or_404(access.project_documents_for(request.user), pk=pk)
    version = DocumentVersion.objects.filter(document=document).order_by("-number").first()
    if version is None:
        raise Http404
    return private_file_response(
        version.file, filename=version.original_name, content_type=version.content_type
    )


# --- Actions ---------------------------------------------------------------------------------------


@access.partner_required
@require_http_methods(["GET", "POST"])
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the partner's actions done, with an optional comment."""
    action = get_object_or_404(
        access.portal_actions_for(request.user).select_related("project", "committee"), pk=pk
    )
    form = ActionDoneForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                portal_services.portal_action_complete(
                    actor=request.user, action=action, comment=form.cleaned_data["comment"]
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Action « %(t)s » marquée comme faite.") % {"t": action.title})
                return redirect("portal:project", action.project_id)
        status = 400
    context = {
        "action": action,
        "project": action.project,
        "form": form,
        "open": action.status in OPEN_ACTION_STATUSES,
    }
    return render(request, "portal/action_done.html", context, status=status)


# --- Shared workshops and committees ---------------------------------------------------------------


@access.partner_required
def workshop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = get_object_or_404(
        access.project_workshops_for(request.user).select_related("project", "facilitator"), pk=pk
    )
    context = {
        "workshop": workshop,
        "project": workshop.project,
        "present_count": workshop.attendances.filter(present=True).count(),
    }
    return render(request, "portal/workshop.html", context)


@access.partner_required
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    committee = get_object_or_404(
        access.project_committees_for(request.user).select_related("project"), pk=pk
    )
    context = {
        "committee": committee,
        "project": committee.project,
        "decisions": access.portal_committee_decisions_for(request.user).filter(committee=committee),
        "my_actions": access.portal_actions_for(request.user)
        .filter(committee=committee)
        .order_by("due_date"),
    }
    return render(request, "portal/committee.html", context)


# --- The partner's structure -----------------------------------------------------------------------


def _own_organisation(request: HttpRequest):
    return get_object_or_404(access.organisations_for(request.user), pk=request.user.organisation_id)


@access.partner_required
def organisation_detail(request: HttpRequest) -> HttpResponse:
    organisation = _own_organisation(request)
    context = {
        "organisation": organisation,
        "people": access.people_for(request.user).order_by("last_name", "first_name"),
    }
    return render(request, "portal/organisation.html", context)


@access.partner_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest) -> HttpResponse:
    organisation = _own_organisation(request)
    form = PortalOrganisationForm(request.POST if request.method == "POST" else None, instance=organisation)
    if request.method == "POST":
        if form.is_valid():
            portal_services.portal_organisation_update(actor=request.user, form=form)
            messages.success(request, _("Les informations de votre structure sont enregistrées."))
            return redirect("portal:organisation")
        return render(
            request, "portal/organisation_form.html", {"form": form, "organisation": organisation}, status=400
        )
    return render(request, "portal/organisation_form.html", {"form": form, "organisation": organisation})


def _contact_page(request: HttpRequest, person: Person | None) -> HttpResponse:
    form = PortalContactForm(request.POST if request.method == "POST" else None, instance=person)
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = portal_services.portal_contact_save(actor=request.user, form=form)
            except PermissionDenied:
                raise Http404
            messages.success(request, _("Contact « %(name)s » enregistré.") % {"name": saved})
            return redirect("portal:organisation")
        status = 400
    else:
        status = 200
    context = {"form": form, "person": person, "organisation": _own_organisation(request)}
    return render(request, "portal/contact_form.html", context, status=status)


@access.partner_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest) -> HttpResponse:
    return _contact_page(request, None)


@access.partner_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(access.people_for(request.user), pk=pk)
    return _contact_page(request, person)


# --- Personal data ---------------------------------------------------------------------------------


@access.partner_required
def my_data(request: HttpRequest) -> JsonResponse:
    """Everything Parcours holds about the signed-in partner, as a JSON download."""
    response = JsonResponse(
        portal_services.personal_data(request.user), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-parcours.json"'
    response["Cache-Control"] = "private, no-store"
    return response
