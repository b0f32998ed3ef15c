"""Project steering pages. Typed function views; objects only through programme.access."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.audit import audit_entries_for
from programme.files import private_file_response
from programme.models import Person, User
from programme.pages import render_filtered_list

from . import calendar_feed as ics
from . import selectors, services, timeline
from .filters import ProjectFilter
from .forms import (
    ActionForm,
    AdvocacyActionForm,
    CommitteeDecisionForm,
    CommitteeForm,
    DeliverableForm,
    DeploymentSiteForm,
    DisseminationForm,
    DocumentForm,
    GateDecisionForm,
    MembershipForm,
    MilestoneForm,
    ProjectCreateForm,
    ProjectForm,
    StakeholderForm,
    UploadForm,
    WorkshopForm,
    WorkshopItemForm,
)
from .models import (
    Action,
    AdvocacyAction,
    Committee,
    Deliverable,
    DeliverableVersion,
    DeploymentSite,
    Dissemination,
    Document,
    DocumentVersion,
    Membership,
    Milestone,
    Project,
    Stakeholder,
    Workshop,
)

TABS = [
    ("project.detail", "overview"),
    ("project.collective", "collective"),
    ("project.timeline", "timeline"),
    ("project.workshops", "workshops"),
    ("project.governance", "governance"),
    ("project.deployment", "deployment"),
    ("project.deliverables", "deliverables"),
    ("project.documents", "documents"),
]


def _project(request: HttpRequest, pk: int) -> Project:
    queryset = access.projects_for(request.user).select_related(
        "lead_organisation", "cohort", "territory", "programme"
    )
    return get_object_or_404(queryset.prefetch_related("phase_periods", "staff_leads", "themes"), pk=pk)


def _people(project: Project):
    """Contacts of the collective: people of member organisations and people named in a membership."""
    return (
        Person.objects.filter(anonymised_at__isnull=True)
        .filter(Q(organisation__memberships__project=project) | Q(memberships__project=project))
        .distinct()
        .order_by("last_name", "first_name")
    )


def _tab(request: HttpRequest, project: Project, tab: str, template: str, context: dict) -> HttpResponse:
    period = selectors.current_period(project)
    base = {
        "project": project,
        "tab": tab,
        "period": period,
        "late": bool(period and period.is_late()),
        "is_director": access.is_director(request.user),
    }
    return render(request, template, {**base, **context})


def _form_page(request, *, project, form, title, cancel, multipart=False, status=200) -> HttpResponse:
    return render(
        request,
        "projects/form.html",
        {"form": form, "project": project, "title": title, "cancel": cancel, "multipart": multipart},
        status=status,
    )


def _save_record(request, *, project, form, action, title, tab, message) -> HttpResponse:
    cancel = reverse(tab, args=[project.pk])
    if request.method == "POST" and form.is_valid():
        services.record_save(actor=request.user, form=form, project=project, action=action)
        messages.success(request, message)
        return redirect(cancel)
    return _form_page(request, project=project, form=form, title=title, cancel=cancel)


def _child(request, model, pk: int, **related):
    """A record hanging off a project, fetched through the access rules (404 for outsiders)."""
    queryset = access.project_children_for(request.user, model).select_related(
        "project", *related.get("sr", [])
    )
    return get_object_or_404(queryset, pk=pk)


# --- Lists and board ------------------------------------------------------------------------------


@access.team_required
def project_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.projects_with_status(request.user).order_by("title")
    filterset = ProjectFilter(request.GET, queryset=queryset)
    return render_filtered_list(
        request,
        filterset=filterset,
        template="projects/project_list.html",
        partial="projects/partials/_project_table.html",
    )


@access.team_required
def project_board(request: HttpRequest) -> HttpResponse:
    columns, closed = selectors.board(request.user)
    return render(request, "projects/project_board.html", {"columns": columns, "closed": closed})


@access.team_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    form = ProjectCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        project = services.project_save(actor=request.user, form=form)
        messages.success(request, _("Projet « %(title)s » créé.") % {"title": project.title})
        return redirect(project)
    return _form_page(
        request, project=None, form=form, title=_("Nouveau projet"), cancel=reverse("projects:project.list")
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = ProjectForm(request.POST if request.method == "POST" else None, instance=project)
    if request.method == "POST" and form.is_valid():
        services.project_save(actor=request.user, form=form)
        messages.success(request, _("Projet mis à jour."))
        return redirect(project)
    return _form_page(
        request, project=project, form=form, title=_("Modifier le projet"), cancel=project.get_absolute_url()
    )


# --- Project tabs ----------------------------------------------------------------------------------


@access.team_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    today = timezone.localdate()
    members = (
        project.memberships.filter(access.active_membership_q())
        .select_related("organisation", "person")
        .order_by("role", "organisation__name")
    )
    upcoming = sorted(
        [
            *project.milestones.filter(
                status__in=["planned", "in_progress"], due_date__lte=today + timedelta(days=60)
            ),
            *project.deliverables.filter(
                status__in=["expected", "returned"], due_date__lte=today + timedelta(days=60)
            ),
            *project.actions.filter(
                status__in=["open", "in_progress"], due_date__lte=today + timedelta(days=60)
            ),
        ],
        key=lambda o: o.due_date,
    )
    context = {
        "members": members,
        "upcoming": upcoming,
        "today": today,
        "decisions": project.gate_decisions.select_related("decided_by"),
        "audit_entries": audit_entries_for(project)[:30],
    }
    return _tab(request, project, "overview", "projects/project_detail.html", context)


@access.team_required
def project_collective(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    memberships = list(
        project.memberships.select_related("organisation", "person").order_by("role", "organisation__name")
    )
    today = timezone.localdate()
    stakeholders = list(project.stakeholders.select_related("organisation"))
    # The influence × interest map: 3 × 3 cells, strongest influence on top.
    grid = [
        [[s for s in stakeholders if s.influence == infl and s.interest == inter] for inter in (1, 2, 3)]
        for infl in (3, 2, 1)
    ]
    context = {
        "current": [m for m in memberships if m.left_on is None or m.left_on > today],
        "former": [m for m in memberships if m.left_on is not None and m.left_on <= today],
        "stakeholders": stakeholders,
        "grid": grid,
        "levels": ["Fort", "Moyen", "Faible"],
    }
    return _tab(request, project, "collective", "projects/project_collective.html", context)


@access.team_required
def project_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    periods = sorted(project.phase_periods.all(), key=lambda p: p.planned_start)
    tl = timeline.build(
        project,
        periods=periods,
        milestones=list(project.milestones.all()),
        workshops=list(project.workshops.order_by("starts_at")),
        committees=list(project.committees.order_by("date")),
    )
    return _tab(
        request, project, "timeline", "projects/project_timeline.html", {"tl": tl, "periods": periods}
    )


@access.team_required
def project_workshops(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    workshops = project.workshops.select_related("facilitator").annotate(
        present_count=Count("attendances", filter=Q(attendances__present=True)),
        invited_count=Count("attendances", filter=Q(attendances__invited=True)),
    )
    items = list(project.design_items.select_related("workshop"))
    needs = [i for i in items if i.kind == "need"]
    context = {
        "workshops": workshops,
        "needs": needs,
        "children": {i.pk: [c for c in items if c.answers_id == i.pk] for i in items},
        "orphans": [i for i in items if i.kind != "need" and i.answers_id is None],
    }
    return _tab(request, project, "workshops", "projects/project_workshops.html", context)


@access.team_required
def project_governance(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    context = {
        "committees": project.committees.prefetch_related("decisions").annotate(
            n_attendees=Count("attendees")
        ),
        "actions": project.actions.select_related("owner_user", "owner_person", "committee"),
        "today": timezone.localdate(),
    }
    return _tab(request, project, "governance", "projects/project_governance.html", context)


@access.team_required
def project_deployment(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    context = {
        "sites": project.deployment_sites.select_related("territory", "partner"),
        "disseminations": project.disseminations.all(),
        "advocacy": project.advocacy_actions.all(),
    }
    return _tab(request, project, "deployment", "projects/project_deployment.html", context)


@access.team_required
def project_deliverables(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    context = {
        "milestones": project.milestones.select_related("owner"),
        "deliverables": project.deliverables.select_related(
            "owner_user", "owner_organisation", "milestone"
        ).prefetch_related(
            Prefetch("versions", queryset=DeliverableVersion.objects.select_related("uploaded_by"))
        ),
        "today": timezone.localdate(),
    }
    return _tab(request, project, "deliverables", "projects/project_deliverables.html", context)


@access.team_required
def project_documents(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    documents = project.documents.prefetch_related(
        Prefetch("versions", queryset=DocumentVersion.objects.select_related("uploaded_by"))
    )
    return _tab(request, project, "documents", "projects/project_documents.html", {"documents": documents})


# --- Collective ------------------------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def membership_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = MembershipForm(
        request.POST if request.method == "POST" else None, initial={"joined_on": timezone.localdate()}
    )
    return _save_record(
        request,
        project=project,
        form=form,
        action="membership",
        title=_("Ajouter un membre au collectif"),
        tab="projects:project.collective",
        message=_("Membre ajouté au collectif."),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _child(request, Membership, pk)
    form = MembershipForm(request.POST if request.method == "POST" else None, instance=membership)
    return _save_record(
        request,
        project=membership.project,
        form=form,
        action="membership",
        title=_("Modifier le membre"),
        tab="projects:project.collective",
        message=_("Membre mis à jour."),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def stakeholder_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = StakeholderForm(request.POST if request.method == "POST" else None)
    return _save_record(
        request,
        project=project,
        form=form,
        action="stakeholder",
        title=_("Ajouter une partie prenante"),
        tab="projects:project.collective",
        message=_("Partie prenante ajoutée."),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stakeholder = _child(request, Stakeholder, pk)
    form = StakeholderForm(request.POST if request.method == "POST" else None, instance=stakeholder)
    return _save_record(
        request,
        project=stakeholder.project,
        form=form,
        action="stakeholder",
        title=_("Modifier la partie prenante"),
        tab="projects:project.collective",
        message=_("Partie prenante mise à jour."),
    )


# --- Gate decision ------------------------------------------------------------------------------------


def _dossier_page(request, project, form, status=200) -> HttpResponse:
    context = {
        "dossier": selectors.gate_dossier(request.user, project, request=request),
        "form": form,
        "outcomes": services.allowed_outcomes(project),
    }
    response = _tab(request, project, "dossier", "projects/gate_dossier.html", context)
    response.status_code = status
    return response


@access.team_required
def gate_dossier(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    outcomes = services.allowed_outcomes(project)
    form = (
        GateDecisionForm(project=project, outcomes=outcomes)
        if access.is_director(request.user) and outcomes
        else None
    )
    return _dossier_page(request, project, form)


@access.director_required
@require_http_methods(["GET", "POST"])
def gate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    outcomes = services.allowed_outcomes(project)
    if not outcomes:
        messages.error(
            request,
            _("Ce projet est « %(phase)s » : plus aucune décision d'étape n'est possible.")
            % {"phase": project.get_phase_display()},
        )
        return redirect(project)
    form = GateDecisionForm(
        request.POST if request.method == "POST" else None, project=project, outcomes=outcomes
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.project_move(
                actor=request.user,
                project=project,
                to_phase=services.target_phase(project.phase, data["outcome"]),
                outcome=data["outcome"],
                decided_on=data["decided_on"],
                rationale=data["rationale"],
                committee=data["committee"],
                conditions=data["conditions"],
                new_planned_end=data["new_planned_end"],
                expected_version=data["expected_version"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
            return _dossier_page(request, project, form, status=200)
        messages.success(
            request,
            _("Décision enregistrée : %(outcome)s — le projet est maintenant en « %(phase)s ».")
            % {"outcome": decision.get_outcome_display(), "phase": decision.get_to_phase_display()},
        )
        return redirect(project)
    return _dossier_page(request, project, form)


# --- Workshops ------------------------------------------------------------------------------------------


def _workshop_form_page(request, project, workshop=None) -> HttpResponse:
    people = _people(project)
    form = WorkshopForm(request.POST if request.method == "POST" else None, instance=workshop, people=people)
    if request.method == "POST" and form.is_valid():
        workshop = services.workshop_save(
            actor=request.user,
            form=form,
            project=project,
            invited=list(form.cleaned_data["invited"]),
            present=list(form.cleaned_data["present"]),
        )
        messages.success(request, _("Atelier « %(title)s » enregistré.") % {"title": workshop.title})
        return redirect(workshop)
    title = _("Modifier l'atelier") if workshop else _("Nouvel atelier")
    cancel = (
        workshop.get_absolute_url() if workshop else reverse("projects:project.workshops", args=[project.pk])
    )
    return _form_page(request, project=project, form=form, title=title, cancel=cancel)


@access.team_required
@require_http_methods(["GET", "POST"])
def workshop_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _workshop_form_page(request, _project(request, pk))


@access.team_required
@require_http_methods(["GET", "POST"])
def workshop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _child(request, Workshop, pk)
    return _workshop_form_page(request, workshop.project, workshop)


@access.team_required
def workshop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _child(request, Workshop, pk, sr=["facilitator"])
    project = workshop.project
    context = {
        "workshop": workshop,
        "attendances": workshop.attendances.select_related("person__organisation").order_by(
            "person__last_name"
        ),
        "items": workshop.items.select_related("answers"),
        "item_form": WorkshopItemForm(project=project),
        "audit_entries": audit_entries_for(workshop)[:20],
    }
    return _tab(request, project, "workshops", "projects/workshop_detail.html", context)


@access.team_required
@require_POST
def workshop_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _child(request, Workshop, pk)
    project = workshop.project
    form = WorkshopItemForm(request.POST, project=project)
    if form.is_valid():
        form.instance.workshop = workshop
        services.record_save(actor=request.user, form=form, project=project, action="design_item")
        messages.success(request, _("Élément ajouté."))
        return redirect(workshop)
    return _form_page(
        request,
        project=project,
        form=form,
        title=_("Ajouter un besoin, une idée ou un prototype"),
        cancel=workshop.get_absolute_url(),
    )


# --- Governance ------------------------------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def committee_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = CommitteeForm(request.POST if request.method == "POST" else None, people=_people(project))
    return _save_record(
        request,
        project=project,
        form=form,
        action="committee",
        title=_("Nouveau comité"),
        tab="projects:project.governance",
        message=_("Comité enregistré."),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def committee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _child(request, Committee, pk)
    form = CommitteeForm(
        request.POST if request.method == "POST" else None,
        instance=committee,
        people=_people(committee.project),
    )
    return _save_record(
        request,
        project=committee.project,
        form=form,
        action="committee",
        title=_("Modifier le comité"),
        tab="projects:project.governance",
        message=_("Comité mis à jour."),
    )


@access.team_required
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _child(request, Committee, pk)
    context = {
        "committee": committee,
        "decisions": committee.decisions.all(),
        "actions": committee.actions.select_related("owner_user", "owner_person"),
        "attendees": committee.attendees.select_related("organisation"),
        "staff_attendees": committee.staff_attendees.all(),
        "decision_form": CommitteeDecisionForm(),
        "today": timezone.localdate(),
    }
    return _tab(request, committee.project, "governance", "projects/committee_detail.html", context)


@access.team_required
@require_POST
def committee_decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _child(request, Committee, pk)
    form = CommitteeDecisionForm(request.POST)
    if form.is_valid():
        form.instance.committee = committee
        services.record_save(actor=request.user, form=form, action="committee_decision")
        messages.success(request, _("Décision ajoutée au comité."))
        return redirect(committee)
    return _form_page(
        request,
        project=committee.project,
        form=form,
        title=_("Ajouter une décision"),
        cancel=committee.get_absolute_url(),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    initial = {}
    if request.GET.get("committee", "").isdigit():
        initial["committee"] = request.GET["committee"]
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        project=project,
        people=_people(project),
        initial=initial,
    )
    return _save_record(
        request,
        project=project,
        form=form,
        action="action",
        title=_("Nouvelle action"),
        tab="projects:project.governance",
        message=_("Action enregistrée."),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = _child(request, Action, pk)
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        instance=action,
        project=action.project,
        people=_people(action.project),
    )
    return _save_record(
        request,
        project=action.project,
        form=form,
        action="action",
        title=_("Modifier l'action"),
        tab="projects:project.governance",
        message=_("Action mise à jour."),
    )


# --- Deployment ------------------------------------------------------------------------------------------


def _deployment_view(model, form_class, action, create_title, edit_title):
    @access.team_required
    @require_http_methods(["GET", "POST"])
    def create(request: HttpRequest, pk: int) -> HttpResponse:
        project = _project(request, pk)
        return _save_record(
            request,
            project=project,
            form=form_class(request.POST if request.method == "POST" else None),
            action=action,
            title=create_title,
            tab="projects:project.deployment",
            message=_("Enregistré."),
        )

    @access.team_required
    @require_http_methods(["GET", "POST"])
    def edit(request: HttpRequest, pk: int) -> HttpResponse:
        obj = _child(request, model, pk)
        return _save_record(
            request,
            project=obj.project,
            form=form_class(request.POST if request.method == "POST" else None, instance=obj),
            action=action,
            title=edit_title,
            tab="projects:project.deployment",
            message=_("Enregistré."),
        )

    return create, edit


site_create, site_edit = _deployment_view(
    DeploymentSite,
    DeploymentSiteForm,
    "deployment_site",
    _("Nouveau site d'essaimage"),
    _("Modifier le site d'essaimage"),
)
dissemination_create, dissemination_edit = _deployment_view(
    Dissemination, DisseminationForm, "dissemination", _("Nouvelle diffusion"), _("Modifier la diffusion")
)
advocacy_create, advocacy_edit = _deployment_view(
    AdvocacyAction,
    AdvocacyActionForm,
    "advocacy",
    _("Nouvelle action de plaidoyer"),
    _("Modifier l'action de plaidoyer"),
)


# --- Milestones and deliverables --------------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def milestone_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = MilestoneForm(request.POST if request.method == "POST" else None)
    return _save_record(
        request,
        project=project,
        form=form,
        action="milestone",
        title=_("Nouveau jalon"),
        tab="projects:project.deliverables",
        message=_("Jalon enregistré."),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _child(request, Milestone, pk)
    form = MilestoneForm(request.POST if request.method == "POST" else None, instance=milestone)
    return _save_record(
        request,
        project=milestone.project,
        form=form,
        action="milestone",
        title=_("Modifier le jalon"),
        tab="projects:project.deliverables",
        message=_("Jalon mis à jour."),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def deliverable_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = DeliverableForm(request.POST if request.method == "POST" else None, project=project)
    return _save_record(
        request,
        project=project,
        form=form,
        action="deliverable",
        title=_("Nouveau livrable"),
        tab="projects:project.deliverables",
        message=_("Livrable enregistré."),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def deliverable_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = _child(request, Deliverable, pk)
    form = DeliverableForm(
        request.POST if request.method == "POST" else None, instance=deliverable, project=deliverable.project
    )
    return _save_record(
        request,
        project=deliverable.project,
        form=form,
        action="deliverable",
        title=_("Modifier le livrable"),
        tab="projects:project.deliverables",
        message=_("Livrable mis à jour."),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def deliverable_upload(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = _child(request, Deliverable, pk)
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    cancel = reverse("projects:project.deliverables", args=[deliverable.project_id])
    if request.method == "POST" and form.is_valid():
        version = services.deliverable_upload(
            actor=request.user,
            deliverable=deliverable,
            file=form.cleaned_data["file"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Version %(n)s déposée.") % {"n": version.number})
        return redirect(cancel)
    return _form_page(
        request,
        project=deliverable.project,
        form=form,
        multipart=True,
        cancel=cancel,
        title=_("Déposer une version de « %(t)s »") % {"t": deliverable.title},
    )


@access.team_required
@require_POST
def deliverable_review(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = _child(request, Deliverable, pk)
    status = request.POST.get("status")
    try:
        services.deliverable_review(actor=request.user, deliverable=deliverable, status=status)
        messages.success(request, _("Livrable mis à jour."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("projects:project.deliverables", deliverable.project_id)


def deliverable_download(request: HttpRequest, pk: int, number: int) -> FileResponse:
    """A deliverable's file version: the team, or a partner for the deliverables assigned to their
    structure (the same scope as the portal's own download)."""
    scope = (
        access.project_deliverables_for(request.user)
        if access.is_team(request.user)
        else access.portal_deliverables_for(request.user)
    )
    deliverable = get_object_or_404(scope, pk=pk)
    version = get_object_or_404(DeliverableVersion.objects.filter(deliverable=deliverable), number=number)
    return private_file_response(
        version.file, filename=version.original_name, content_type=version.content_type
    )


# --- Documents --------------------------------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = DocumentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    cancel = reverse("projects:project.documents", args=[project.pk])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.document_upload(
            actor=request.user,
            project=project,
            file=data["file"],
            title=data["title"],
            description=data["description"],
            shared_with_collective=data["shared_with_collective"],
            comment=data["comment"],
        )
        messages.success(request, _("Document « %(t)s » enregistré.") % {"t": data["title"]})
        return redirect(cancel)
    return _form_page(
        request, project=project, form=form, title=_("Nouveau document"), cancel=cancel, multipart=True
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    document = _child(request, Document, pk)
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    cancel = reverse("projects:project.documents", args=[document.project_id])
    if request.method == "POST" and form.is_valid():
        version = services.document_upload(
            actor=request.user,
            project=document.project,
            document=document,
            file=form.cleaned_data["file"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Version %(n)s enregistrée.") % {"n": version.number})
        return redirect(cancel)
    return _form_page(
        request,
        project=document.project,
        form=form,
        multipart=True,
        cancel=cancel,
        title=_("Nouvelle version de « %(t)s »") % {"t": document.title},
    )


def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """The latest version of a document: team, or the collective when the document is shared."""
    document = get_object_or_404(access.project_documents_for(request.user), pk=pk)
    version = DocumentVersion.objects.filter(document=document).order_by("-number").first()
    if version is None:
        raise Http404
    return private_file_response(
        version.file, filename=version.original_name, content_type=version.content_type
    )


def document_version_download(request: HttpRequest, pk: int, number: int) -> FileResponse:
    document = get_object_or_404(access.project_documents_for(request.user), pk=pk)
    version = get_object_or_404(DocumentVersion.objects.filter(document=document), number=number)
    return private_file_response(
        version.file, filename=version.original_name, content_type=version.content_type
    )


# --- Deadlines and calendar -------------------------------------------------------------------------------


@access.team_required
def deadline_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    items = selectors.deadlines_for(
        request.user, start=today - timedelta(days=90), end=today + timedelta(days=90)
    )
    return render(
        request,
        "projects/deadline_list.html",
        {
            "overdue": [d for d in items if d.late],
            "upcoming": [d for d in items if not d.late],
            "today": today,
        },
    )


def calendar_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    feed_url = None
    if user.calendar_token:
        feed_url = request.build_absolute_uri(reverse("projects:calendar.feed", args=[user.calendar_token]))
    return render(request, "projects/calendar.html", {"feed_url": feed_url})


@require_POST
def calendar_token(request: HttpRequest) -> HttpResponse:
    if request.POST.get("action") == "revoke":
        services.calendar_token_revoke(user=request.user)
        messages.success(
            request, _("Le lien de votre agenda est révoqué : l'ancienne adresse ne fonctionne plus.")
        )
    else:
        services.calendar_token_rotate(user=request.user)
        messages.success(request, _("Nouveau lien d'agenda créé. L'ancienne adresse ne fonctionne plus."))
    return redirect("projects:calendar")


@login_not_required
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's private iCalendar feed, reachable without a session by its secret token."""
    if len(token) < 20:
        raise Http404
    user = User.objects.filter(calendar_token=token, is_active=True).first()
    if user is None:
        raise Http404
    body = ics.render(user, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="parcours.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
