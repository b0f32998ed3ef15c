"""Deliverables assigned to the partner's structure, their actions, and the workshops and committees
shared with the collective."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programme import access
from programme.access import AuthedRequest
from programme.pages import posted, save_once
from projects import services as project_services
from projects.models import (
    OPEN_ACTION_STATUSES,
    Action,
    Committee,
    CommitteeDecision,
    Deliverable,
    DeliverableStatus,
    Workshop,
)
from projects.views import deliverables as project_views

from ..forms import ActionDoneForm, DeliverableUploadForm
from .conversations import portal_thread

# --- Deliverables -------------------------------------------------------------------------------------


@access.partner_required
@require_http_methods(["GET", "POST"])
def deliverable_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A deliverable assigned to the partner's structure: its versions, and a form to add one."""
    deliverable = get_object_or_404(
        access.portal_scoped(request.user, Deliverable).select_related("project", "milestone"), pk=pk
    )
    can_upload = deliverable.status != DeliverableStatus.ACCEPTED
    form = DeliverableUploadForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
    )
    status = 200
    if request.method == "POST":
        if not can_upload:
            messages.error(request, _("Ce livrable est validé : contactez l’équipe pour le modifier."))
            return redirect("portal:deliverable", deliverable.pk)
        if form.is_valid():
            try:
                version = save_once(
                    form,
                    lambda: project_services.deliverable_upload(
                        actor=request.user, deliverable=deliverable, **form.cleaned_data
                    ),
                )
            except ValidationError as error:
                form.add_error("file", error.messages)
                version = None
            if version is not None:
                messages.success(
                    request,
                    _("Version %(n)s de « %(t)s » déposée. L’équipe du programme est prévenue.")
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
        **portal_thread(request.user, deliverable.project, deliverable),
    }
    return render(request, "portal/deliverable.html", context, status=status)


# The downloads are the projects app's own (the same access rules: a partner gets the versions of the
# deliverables assigned to their structure, the latest version of the documents shared with the collective),
# under the portal's URLs, for partners only.
deliverable_download = access.partner_required(project_views.deliverable_download)
document_download = access.partner_required(project_views.document_download)


# --- Actions ------------------------------------------------------------------------------------------


@access.partner_required
@require_http_methods(["GET", "POST"])
def action_done(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one of the partner's actions done, with an optional comment."""
    action = get_object_or_404(
        access.portal_scoped(request.user, Action).select_related("project", "committee"), pk=pk
    )
    form = ActionDoneForm(posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                done = save_once(
                    form,
                    lambda: project_services.action_complete(
                        actor=request.user, action=action, comment=form.cleaned_data["comment"]
                    ),
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                if done is not None:
                    messages.success(
                        request, _("Action « %(t)s » marquée comme faite.") % {"t": action.title}
                    )
                    return redirect("portal:project", action.project_id)
        status = 400
    context = {
        "action": action,
        "project": action.project,
        "form": form,
        "open": action.status in OPEN_ACTION_STATUSES,
        **portal_thread(request.user, action.project, action),
    }
    return render(request, "portal/action_done.html", context, status=status)


# --- Shared workshops and committees ------------------------------------------------------------------


@access.partner_required
def workshop_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = get_object_or_404(
        access.scoped(request.user, Workshop).select_related("project", "facilitator"), pk=pk
    )
    context = {
        "workshop": workshop,
        "project": workshop.project,
        "present_count": workshop.attendances.filter(present=True).count(),
    }
    return render(request, "portal/workshop.html", context)


@access.partner_required
def committee_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    committee = get_object_or_404(access.scoped(request.user, Committee).select_related("project"), pk=pk)
    context = {
        "committee": committee,
        "project": committee.project,
        "decisions": access.portal_scoped(request.user, CommitteeDecision).filter(committee=committee),
        "my_actions": access.portal_scoped(request.user, Action)
        .filter(committee=committee)
        .order_by("due_date"),
    }
    return render(request, "portal/committee.html", context)
