"""The deliverables and documents tabs: milestones, deliverables with their uploaded versions and review,
project documents, and the permission-checked downloads."""

from collections.abc import Callable
from datetime import date
from functools import partial
from html import escape
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.batch import Prepared, PreparedModels, stand_in
from programme.files import private_file_response
from programme.formatting import date_writer, fr_date
from programme.models import User
from programme.pages import acted, posted, reverse_pair_pattern, reverse_pattern

from .. import services
from ..conversations import selectors as conversations
from ..forms import DeliverableForm, DocumentForm, MilestoneForm, UploadForm
from ..models import (
    OPEN_MILESTONE_STATUSES,
    Deliverable,
    DeliverableStatus,
    DeliverableVersion,
    Document,
    DocumentVersion,
    Milestone,
    MilestoneStatus,
    Project,
)
from .base import (
    HEAD_PREFETCH,
    RecordPage,
    child_for,
    project_for,
    record_form,
    record_views,
    render_tab,
    save_or_show,
)

MILESTONE = RecordPage(
    tab="projects:project.deliverables",
    create_title=gettext_lazy("Nouveau jalon"),
    edit_title=gettext_lazy("Modifier le jalon"),
    created=gettext_lazy("Jalon enregistré."),
    updated=gettext_lazy("Jalon mis à jour."),
)
DELIVERABLE = RecordPage(
    tab="projects:project.deliverables",
    create_title=gettext_lazy("Nouveau livrable"),
    edit_title=gettext_lazy("Modifier le livrable"),
    created=gettext_lazy("Livrable enregistré."),
    updated=gettext_lazy("Livrable mis à jour."),
)


def _upload_data(request: AuthedRequest) -> tuple:
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


#: What the milestones' rows show (`_milestone_rows`), read as values: no model built for a hundred rows.
MILESTONE_COLUMNS = (
    "pk",
    "title",
    "due_date",
    "status",
    "done_on",
    "owner_id",
    "owner__first_name",
    "owner__last_name",
    "owner__email",
)


def _milestone_rows(milestones: "list[dict[str, Any]]", today: date) -> str:
    """The milestones' rows (`MILESTONE_COLUMNS` values), written with string joins — the markup the
    template's loop wrote, byte for byte (a hundred milestones through the template engine, a link
    reversed per row, were most of the tab's time). Labels and the edit link are prepared once for the
    page; a milestone is late as `Milestone.is_late` says, its owner named as `str(User)`."""
    edit = reverse_pattern("projects:milestone.edit")
    statuses = {value: escape(str(label)) for value, label in MilestoneStatus.choices}
    late = ' <span class="badge badge--danger">{}</span>'.format(escape(_("en retard")))
    modify = escape(_("Modifier"))
    open_statuses = set(OPEN_MILESTONE_STATUSES)
    write_date = date_writer()

    def owner(m: "dict[str, Any]") -> str:
        if m["owner_id"] is None:
            return "—"
        return User.name_of(m["owner__first_name"], m["owner__last_name"], m["owner__email"])

    return "".join(
        f"<tr><td>{escape(m['title'])}</td>"
        f"<td>{escape(write_date(m['due_date']))}"
        f"{late if m['status'] in open_statuses and m['due_date'] < today else ''}</td>"
        f"<td>{escape(owner(m))}</td>"
        f"<td>{statuses.get(m['status'], escape(m['status']))}"
        f"{f' ({escape(write_date(m["done_on"]))})' if m['done_on'] else ''}</td>"
        f'<td><a href="{edit.format(m["pk"])}">{modify}</a></td></tr>'
        for m in milestones
    )


def _deliverable_rows(
    request: AuthedRequest,
    deliverables: list[Deliverable],
    uploads: "dict[int, list[tuple[Any, ...]]]",
    comments: dict[int, int],
    today: date,
) -> str:
    """The deliverables' rows, written with string joins like the milestones' — the markup the template's
    loop wrote, byte for byte; a submitted deliverable's review forms stay in their template
    (projects/conversations/_review.html, shared with the thread page)."""
    upload = reverse_pattern("projects:deliverable.upload")
    edit = reverse_pattern("projects:deliverable.edit")
    thread = reverse_pattern("projects:comment.list", "deliverable")
    statuses = {value: escape(str(label)) for value, label in DeliverableStatus.choices}
    late = ' <span class="badge badge--danger">{}</span>'.format(escape(_("en retard")))
    none = '<span class="muted">—</span>'
    deposit, modify, discussion = escape(_("Déposer")), escape(_("Modifier")), escape(_("Discussion"))
    # A version's link: one reverse per page, the deliverable's pk and the version's number put in per row.
    download = reverse_pair_pattern("projects:deliverable.download")
    token = get_token(request)
    write_date = date_writer()

    def versions(d: Deliverable) -> str:
        return "".join(
            f'<a href="{download.format(pk=d.pk, n=number)}">v{number}</a> '
            f'<span class="muted">{escape(name)}, {escape(filesizeformat(size))}, '
            f"{escape(write_date(uploaded_at))}</span><br>"
            for number, name, size, uploaded_at in uploads.get(d.pk, ())
        )

    def review(d: Deliverable) -> str:
        if d.status != DeliverableStatus.SUBMITTED:
            return ""
        return render_to_string("projects/conversations/_review.html", {"d": d, "csrf_token": token})

    def milestone(d: Deliverable) -> str:
        return f'<br><span class="muted">{escape(str(d.milestone))}</span>' if d.milestone else ""

    return "".join(
        f"<tr>\n    <td>{escape(d.title)}{milestone(d)}</td>\n"
        f"    <td>{escape(write_date(d.due_date))}{late if d.is_late(today) else ''}</td>\n"
        f"    <td>{escape(str(d.owner_organisation or d.owner_user or '—'))}</td>\n"
        f"    <td>{statuses.get(d.status, escape(d.status))}</td>\n"
        f"    <td>{versions(d) or none}</td>\n"
        f'    <td class="row-actions"><a href="{upload.format(d.pk)}">{deposit}</a> · '
        f'<a href="{edit.format(d.pk)}">{modify}</a> · <a href="{thread.format(d.pk)}" aria-label="'
        f'{_("Discussion — %(t)s") % {"t": escape(d.title)}}">{discussion} ({comments.get(d.pk, 0)})</a>\n'
        f"      {review(d)}</td>\n  </tr>"
        for d in deliverables
    )


def _deliverables_round(_shape: object) -> list[QuerySet[Any, Any]]:
    """The deliverables tab's small rows for the project stand_in(0): its milestones (`MILESTONE_COLUMNS`)
    and its deliverables' versions (`VERSION_COLUMNS`)."""
    project = stand_in(0)
    return [
        Milestone.objects.filter(project_id=project).order_by().values(*MILESTONE_COLUMNS),
        DeliverableVersion.objects.filter(deliverable__project_id=project)
        .order_by()
        .values_list(*VERSION_COLUMNS),
    ]


def _project_deliverables(_shape: object) -> QuerySet[Deliverable]:
    """The deliverables of the project stand_in(0), with what their rows name (owner, milestone)."""
    return Deliverable.objects.filter(project_id=stand_in(0)).select_related(
        "owner_user", "owner_organisation", "milestone"
    )


#: The tab's deliverables, their query compiled once per process (programme.batch.PreparedModels): building
#: and compiling a queryset with three joined models cost twice its SQL for a project's fifteen rows.
PROJECT_DELIVERABLES = PreparedModels(_project_deliverables)


#: What a deliverable's version shows on the tab: (its deliverable,) number, file name, size, date.
VERSION_COLUMNS = ("deliverable_id", "number", "original_name", "size", "uploaded_at")
#: The milestones and the versions in one statement (programme.batch.Prepared), compiled once per process.
DELIVERABLES_ROUND = Prepared(_deliverables_round)


@access.team_required
def project_deliverables(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, prefetch=HEAD_PREFETCH)
    today = timezone.localdate()
    deliverables = PROJECT_DELIVERABLES.objects(values={stand_in(0): project.pk}, today=today)
    comments = conversations.counts(user=request.user, model=Deliverable, ids=[d.pk for d in deliverables])
    milestones, versions = DELIVERABLES_ROUND.rows(values={stand_in(0): project.pk}, today=today)
    milestones.sort(key=lambda m: (m["due_date"], m["pk"]))  # the model's order: due date, then id
    uploads: dict[int, list[tuple[Any, ...]]] = {}
    for deliverable_id, *version in sorted(versions, key=lambda v: (v[0], -v[1])):  # newest version first
        uploads.setdefault(deliverable_id, []).append(tuple(version))
    context = {
        "milestones": milestones,
        "milestone_rows": mark_safe(_milestone_rows(milestones, today)),  # noqa: S308 — escaped there
        "deliverables": deliverables,
        "deliverable_rows": mark_safe(_deliverable_rows(request, deliverables, uploads, comments, today)),  # noqa: S308 — escaped
        "today": today,
    }
    return render_tab(request, project, "deliverables", "projects/project_deliverables.html", context)


def _document_rows(documents: list[Document]) -> str:
    """The documents' rows, written with string joins — the markup the template's loop wrote, byte for
    byte; labels and links prepared once for the page."""
    download = reverse_pattern("projects:document.download")
    upload = reverse_pattern("projects:document.upload")
    version = reverse_pair_pattern("projects:document.version.download")
    shared = '<span class="badge badge--info">{}</span>'.format(escape(_("partagé avec le collectif")))
    team_only = '<span class="badge">{}</span>'.format(escape(_("équipe seulement")))
    new_version = escape(_("Nouvelle version"))

    def versions(doc: Document) -> str:
        return "".join(
            f'<a href="{version.format(pk=doc.pk, n=v.number)}">v{v.number}</a> '
            f'<span class="muted">{escape(v.original_name)}, {escape(filesizeformat(v.size))}, '
            f"{escape(fr_date(v.uploaded_at))}"
            f"{f', {escape(str(v.uploaded_by))}' if v.uploaded_by else ''}</span><br>"
            for v in doc.versions.all()
        )

    return "".join(
        f'<tr>\n    <td><a href="{download.format(doc.pk)}">{escape(doc.title)}</a>'
        f"{f'<br><span class="muted">{escape(doc.description)}</span>' if doc.description else ''}</td>\n"
        f"    <td>{shared if doc.shared_with_collective else team_only}</td>\n"
        f"    <td>{versions(doc)}</td>\n"
        f'    <td><a href="{upload.format(doc.pk)}">{new_version}</a></td>\n  </tr>'
        for doc in documents
    )


@access.team_required
def project_documents(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    documents = list(
        project.documents.prefetch_related(
            Prefetch("versions", queryset=DocumentVersion.objects.select_related("uploaded_by"))
        )
    )
    context = {
        "documents": documents,
        "document_rows": mark_safe(_document_rows(documents)),  # noqa: S308 — every value escaped there
    }
    return render_tab(request, project, "documents", "projects/project_documents.html", context)


# --- Milestones and deliverables --------------------------------------------------------------------------


milestone_create, milestone_edit = record_views(MILESTONE, MilestoneForm, Milestone)


@access.team_required
@require_http_methods(["GET", "POST"])
def deliverable_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    form = DeliverableForm(posted(request), project=project)
    return record_form(request, DELIVERABLE, form, project=project)


@access.team_required
@require_http_methods(["GET", "POST"])
def deliverable_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    deliverable = child_for(request, Deliverable, pk)
    form = DeliverableForm(posted(request), instance=deliverable, project=deliverable.project)
    return record_form(request, DELIVERABLE, form, project=deliverable.project)


def _version_form(
    request: AuthedRequest,
    *,
    project: Project,
    tab: str,
    title: str,
    confirmation: str,
    store: Callable[..., DeliverableVersion | DocumentVersion],
) -> HttpResponse:
    """Upload a new version of a deliverable or a document: `store(file=..., comment=...)` is the
    service call, `confirmation` the translated message with the version number as %(n)s."""
    form = UploadForm(*_upload_data(request))
    return save_or_show(
        request,
        form,
        lambda: store(file=form.cleaned_data["file"], comment=form.cleaned_data["comment"]),
        message=lambda version: confirmation % {"n": version.number},
        project=project,
        title=title,
        cancel=reverse(tab, args=[project.pk]),
        multipart=True,
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def deliverable_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    deliverable = child_for(request, Deliverable, pk)
    return _version_form(
        request,
        project=deliverable.project,
        tab="projects:project.deliverables",
        title=_("Déposer une version de « %(t)s »") % {"t": deliverable.title},
        confirmation=_("Version %(n)s déposée."),
        store=partial(services.deliverable_upload, actor=request.user, deliverable=deliverable),
    )


@access.team_required
@require_POST
def deliverable_review(request: AuthedRequest, pk: int) -> HttpResponse:
    """Accept a deliverable, or send it back with the reason (which opens its thread with the collective)."""
    deliverable = child_for(request, Deliverable, pk)
    status = request.POST.get("status", "")
    acted(
        request,
        lambda: services.deliverable_review(
            actor=request.user, deliverable=deliverable, status=status, reason=request.POST.get("reason", "")
        ),
        message=_("Livrable renvoyé au collectif avec le motif ; il en est prévenu.")
        if status == "returned"
        else _("Livrable mis à jour."),
    )
    if request.POST.get("next") == "thread":
        return redirect("projects:comment.list", "deliverable", deliverable.pk)
    return redirect("projects:project.deliverables", deliverable.project_id)


def deliverable_download(request: AuthedRequest, pk: int, number: int) -> FileResponse:
    """A deliverable's file version: the team, or a partner for the deliverables assigned to their
    structure (the same scope as the portal's own download)."""
    scope = (
        access.scoped(request.user, Deliverable)
        if access.is_team(request.user)
        else access.portal_scoped(request.user, Deliverable)
    )
    deliverable = get_object_or_404(scope, pk=pk)
    return version_response(get_object_or_404(deliverable.versions.all(), number=number))


def version_response(version: DeliverableVersion | DocumentVersion) -> FileResponse:
    """A stored version of a deliverable or a document, downloaded under the name it was uploaded with."""
    return private_file_response(
        version.file, filename=version.original_name, content_type=version.content_type
    )


# --- Documents --------------------------------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def document_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    form = DocumentForm(*_upload_data(request))
    return save_or_show(
        request,
        form,
        lambda: services.document_upload(actor=request.user, project=project, **form.cleaned_data),
        message=lambda saved: _("Document « %(t)s » enregistré.") % {"t": form.cleaned_data["title"]},
        project=project,
        title=_("Nouveau document"),
        cancel=reverse("projects:project.documents", args=[project.pk]),
        multipart=True,
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def document_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    document = child_for(request, Document, pk)
    return _version_form(
        request,
        project=document.project,
        tab="projects:project.documents",
        title=_("Nouvelle version de « %(t)s »") % {"t": document.title},
        confirmation=_("Version %(n)s enregistrée."),
        store=partial(
            services.document_upload, actor=request.user, project=document.project, document=document
        ),
    )


def document_download(request: AuthedRequest, pk: int) -> FileResponse:
    """The latest version of a document: team, or the collective when the document is shared."""
    document = get_object_or_404(access.scoped(request.user, Document), pk=pk)
    version = document.versions.order_by("-number").first()
    if version is None:
        raise Http404
    return version_response(version)


def document_version_download(request: AuthedRequest, pk: int, number: int) -> FileResponse:
    document = get_object_or_404(access.scoped(request.user, Document), pk=pk)
    return version_response(get_object_or_404(document.versions.all(), number=number))
