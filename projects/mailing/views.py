"""The pages of e-mail from the record: the team's templates (list, create, edit, archive, preview), writing
to a contact from a prospect, a contact page or a project, a bulk send to the filtered prospect list or to the
collectives of the filtered project list (message → preview with the count and the skipped → confirmation), and
the messages sent.

Team only (partners get 404 everywhere). Objects come through `programme.access`; writes go through
`projects.mailing.services`; a refusal is shown next to its field and nothing is saved or sent."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_filters import FilterSet

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit
from programme.context_processors import navigation
from programme.files import private_file_response
from programme.models import Person
from programme.pages import create_edit_views, form_page, posted, render_filtered_list, save_once, submitted
from prospects import selectors as prospect_selectors
from prospects.filters import ProspectFilter
from prospects.models import Prospect

from .. import selectors as project_selectors
from ..filters import ProjectFilter
from ..models import Project
from ..views.base import project_for
from . import placeholders, selectors, services
from .filters import SentFilter, TemplateFilter
from .forms import BulkConfirmForm, BulkDraftForm, ComposeForm, StartForm, TemplateForm
from .models import EmailTemplate, Language, OutgoingEmail

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# --- Templates --------------------------------------------------------------------------------------------


@access.team_required
def template_list(request: AuthedRequest) -> HttpResponse:
    filterset = TemplateFilter(request.GET, queryset=selectors.templates_for(request.user, archived=None))
    return render_filtered_list(
        request,
        filterset=filterset,
        template="projects/mailing/template_list.html",
        partial="projects/mailing/partials/_template_table.html",
        context={"title": _("Modèles d’e-mail")},
    )


def _template_form_page(request: AuthedRequest, template: EmailTemplate | None) -> HttpResponse:
    creating = template is None
    template = template or EmailTemplate()
    form = TemplateForm(posted(request), request.FILES or None, instance=template)
    return form_page(
        request,
        form,
        save=lambda: services.email_template_save(
            actor=request.user,
            edit=Edit.from_form(form),
            attachment=form.cleaned_data.get("attachment_file"),
            remove_attachment=bool(form.cleaned_data.get("remove_attachment")),
        ),
        refusals_on_form=True,
        message=lambda saved: _("Modèle enregistré."),
        template="projects/mailing/template_form.html",
        context={
            "title": _("Nouveau modèle d’e-mail") if creating else _("Modifier le modèle"),
            "template_obj": template,
            "placeholders": placeholders.PLACEHOLDERS,
            "cancel": template.get_absolute_url() if not creating else reverse("projects:mailing.templates"),
        },
    )


template_create, template_edit = create_edit_views(
    _template_form_page,
    required=access.team_required,
    get=lambda request, pk: selectors.template_for(request.user, pk),
)


def _preview(subject: str, body: str, values: dict[str, str]) -> dict[str, str]:
    """A message with the placeholders that have a value filled in (the others left as written)."""

    def filled(text: str) -> str:
        return placeholders.PATTERN.sub(lambda m: values.get(m.group(1)) or m.group(0), text)

    return {"subject": filled(subject), "body": filled(body)}


@access.team_required
def template_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    template = selectors.template_for(request.user, pk)
    examples = placeholders.examples()
    previews = [{"language": Language.FR.label, **_preview(template.subject_fr, template.body_fr, examples)}]
    if template.has_english:
        previews.append(
            {"language": Language.EN.label, **_preview(template.subject_en, template.body_en, examples)}
        )
    return render(
        request,
        "projects/mailing/template_detail.html",
        {
            "title": template.name,
            "template_obj": template,
            "previews": previews,
            "placeholders": placeholders.PLACEHOLDERS,
            "sent_count": template.emails.count(),
        },
    )


@access.team_required
@require_POST
def template_archive(request: AuthedRequest, pk: int) -> HttpResponse:
    template = selectors.template_for(request.user, pk)
    archived = request.POST.get("archived", "1") != "0"
    services.email_template_archive(actor=request.user, template=template, archived=archived)
    messages.success(request, _("Modèle archivé.") if archived else _("Modèle rétabli."))
    return redirect(template)


@access.team_required
def template_attachment(request: AuthedRequest, pk: int) -> FileResponse:
    template = selectors.template_for(request.user, pk)
    return private_file_response(
        template.attachment, filename=template.attachment_name, content_type=template.attachment_type
    )


def _template_of(
    form: BulkDraftForm | ComposeForm, templates: QuerySet[EmailTemplate]
) -> EmailTemplate | None:
    """The template a bound message form names (for its attachment box), None if none or not usable."""
    pk = str(form.data.get(form.add_prefix("template")) or "")
    return templates.filter(pk=int(pk)).first() if pk.isdigit() else None


# --- One message ------------------------------------------------------------------------------------------


def _compose(
    request: AuthedRequest,
    *,
    people: QuerySet[Person],
    back: str,
    title: str,
    fixed_person: Person | None = None,
    prospect: Prospect | None = None,
    project: Project | None = None,
    crumbs: list[tuple[str, str]],
    section: str | None = None,
) -> HttpResponse:
    """The page that writes to a contact: choose the recipient (unless fixed), a template and a language
    (GET), then edit the message prefilled in that language and send it (POST, once)."""
    templates = selectors.templates_for(request.user)
    start = StartForm(request.GET or None, people=None if fixed_person else people, templates=templates)
    start.is_valid()
    chosen: dict[str, Any] = start.cleaned_data if start.is_bound else {}
    person = fixed_person or chosen.get("contact")
    if person is None:
        person = selectors.reachable(people).order_by("last_name", "first_name").first() or people.first()
    template: EmailTemplate | None = chosen.get("template")
    language = chosen.get("lang") or selectors.contact_language(person)
    if template is not None and language == Language.EN and not template.has_english:
        messages.info(request, _("Ce modèle n’a pas de version anglaise : le texte français est proposé."))
        language = Language.FR
    if not start.is_bound:
        start = StartForm(
            initial={"contact": person, "lang": language},
            people=None if fixed_person else people,
            templates=templates,
        )
    initial: dict[str, Any] = {"contact": person, "language": language, "template": template}
    if template is not None:
        values = selectors.placeholder_values(
            person=person,
            organisation=prospect.organisation if prospect else (person.organisation if person else None),
            sender=request.user,
            language=language,
            prospect=prospect,
            project=project,
            programme=None if (prospect or project) else selectors.default_programme(),
        )
        initial.update(
            _preview(template.subject_in(language), template.body_in(language), values),
            attach=bool(template.attachment),
        )
    form = ComposeForm(posted(request), initial=initial, people=people, templates=templates)

    def send() -> OutgoingEmail:
        data = form.cleaned_data
        return services.email_send(
            actor=request.user,
            person=data["contact"],
            prospect=prospect,
            project=project,
            draft=services.Draft(
                subject=data["subject"],
                body=data["body"],
                language=data["language"],
                template=data.get("template"),
                attach=bool(data.get("attach")),
            ),
        )

    email = submitted(
        request,
        form,
        send,
        message=lambda email: (
            _("E-mail envoyé à %(to)s : il est noté dans les échanges de %(org)s.")
            % {"to": email.to, "org": email.organisation}
        ),
        refusals_on_form=True,
    )
    if email is not None:
        return redirect(back)
    recipient = form.cleaned_data.get("contact") if form.is_bound and hasattr(form, "cleaned_data") else None
    recipient = recipient or person
    if form.is_bound:  # the template the message was started from, for its attachment box
        template = _template_of(form, templates)
    return render(
        request,
        "projects/mailing/compose.html",
        {
            "title": title,
            "start": start,
            "form": form,
            "recipient": recipient,
            "template_obj": template,
            "back": back,
            "crumbs": crumbs,
            "project": project,
            "has_people": people.exists(),
            # The sidebar marks the section the message is written from (a prospect: « Prospects »).
            **(navigation(request, at=section) if section else {}),
            "recent": selectors.recent_for(
                request.user,
                **(
                    {"prospect": prospect}
                    if prospect
                    else {"project": project}
                    if project
                    else {"contact": fixed_person}
                ),
            ),
        },
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def compose_prospect(request: AuthedRequest, pk: int) -> HttpResponse:
    prospect = prospect_selectors.prospect_detail(request.user, pk)
    return _compose(
        request,
        people=selectors.prospect_people(request.user, prospect),
        back=prospect.get_absolute_url(),
        title=_("Écrire un e-mail à %(name)s") % {"name": prospect.organisation.name},
        prospect=prospect,
        section=reverse("prospects:prospect.list"),
        crumbs=[
            (reverse("prospects:prospect.list"), _("Prospects")),
            (prospect.get_absolute_url(), prospect.organisation.name),
        ],
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def compose_person(request: AuthedRequest, pk: int) -> HttpResponse:
    people = (
        access.scoped(request.user, Person).filter(anonymised_at__isnull=True).select_related("organisation")
    )
    person = get_object_or_404(people, pk=pk)
    return _compose(
        request,
        people=people.filter(pk=person.pk),
        fixed_person=person,
        back=person.get_absolute_url(),
        title=_("Écrire un e-mail à %(name)s") % {"name": person},
        section=reverse("programme:person.list"),
        crumbs=[(reverse("programme:person.list"), _("Contacts")), (person.get_absolute_url(), str(person))],
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def compose_project(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    return _compose(
        request,
        people=selectors.project_people(request.user, project).select_related("organisation"),
        back=reverse("projects:project.collective", args=[project.pk]),
        title=_("Écrire un e-mail au collectif"),
        project=project,
        crumbs=[
            (reverse("projects:project.list"), _("Projets")),
            (project.get_absolute_url(), project.title),
        ],
    )


# --- Bulk send to a filtered list (the prospects, or the projects' collectives) ------------------------


def _filtered(query: QueryDict, filterset: type[FilterSet], queryset: QuerySet) -> QuerySet:
    """The rows of a list with the filters of `query` (the same filters as the list's, the page left out)."""
    query = query.copy()
    query.pop("page", None)
    return filterset(query, queryset=queryset).qs


@dataclass(frozen=True)
class MailList:
    """A list a message can be sent to, filtered as on its page (`bulk_send`, `bulk_link`)."""

    projects: bool  # the wording of the pages: a project's collective, else a prospect's contact
    url: str  # the send page
    list_url: str  # the list page the send starts from and returns to
    rows: Callable[[AuthedRequest, QueryDict], QuerySet[Prospect] | QuerySet[Project]]
    title: "StrOrPromise"
    sent: Callable[[int], str]  # the confirmation once sent


PROSPECTS = MailList(
    projects=False,
    url="projects:mailing.bulk",
    list_url="prospects:prospect.list",
    rows=lambda request, query: _filtered(
        query, ProspectFilter, prospect_selectors.prospects_for(request.user)
    ),
    title=gettext_lazy("E-mail aux prospects de la liste"),
    sent=lambda count: (
        ngettext(
            "%(count)s e-mail part : il est noté dans les échanges de son prospect.",
            "%(count)s e-mails partent : chacun est noté dans les échanges de son prospect.",
            count,
        )
        % {"count": count}
    ),
)
PROJECTS = MailList(
    projects=True,
    url="projects:mailing.bulk.projects",
    list_url="projects:project.list",
    rows=lambda request, query: _filtered(
        query, ProjectFilter, project_selectors.projects_with_status(request.user)
    ),
    title=gettext_lazy("E-mail aux collectifs des projets de la liste"),
    sent=lambda count: (
        ngettext(
            "%(count)s e-mail part : il est noté dans les échanges de la structure du contact et du projet.",
            "%(count)s e-mails partent : chacun est noté dans les échanges de la structure du contact et du "
            "projet.",
            count,
        )
        % {"count": count}
    ),
)


def _filters_of(text: str) -> QueryDict:
    return QueryDict(text or "", mutable=False)


def _filter_query(request: AuthedRequest) -> str:
    """The list's filters as a query string: the empty ones and the page left out."""
    query = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        kept = [value for value in values if value]
        if kept and name not in ("page", "template", "lang"):
            query.setlist(name, kept)
    return query.urlencode()


def _bulk_link(request: AuthedRequest, source: MailList) -> HttpResponse:
    """The « Envoyer un e-mail… » link above a list, for its current filters (loaded by the list page and
    refreshed when its results change)."""
    query = _filter_query(request)
    return render(
        request,
        "projects/mailing/partials/_bulk_link.html",
        {
            "count": source.rows(request, request.GET).count(),
            "url": reverse(source.url) + (f"?{query}" if query else ""),
            "projects": source.projects,
        },
    )


@access.team_required
def bulk_link(request: AuthedRequest) -> HttpResponse:
    return _bulk_link(request, PROSPECTS)


@access.team_required
def bulk_link_projects(request: AuthedRequest) -> HttpResponse:
    return _bulk_link(request, PROJECTS)


def _draft_of(data: dict[str, Any]) -> services.Draft:
    return services.Draft(
        subject=data["subject"],
        body=data["body"],
        language=data["language"],
        template=data.get("template"),
        attach=bool(data.get("attach")),
    )


def _bulk_send(request: AuthedRequest, source: MailList) -> HttpResponse:
    """GET: the message for the filtered list (from a template, in a language). POST « Prévisualiser »: the
    count, who receives it and who is skipped, and a sample; POST « Confirmer l’envoi »: one message per
    recipient, each logged as an exchange, sent by tasks."""
    templates = selectors.templates_for(request.user)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step == "confirm":
        confirm = BulkConfirmForm(request.POST, templates=templates)
        if confirm.is_valid():
            data = confirm.cleaned_data
            rows = source.rows(request, _filters_of(data["filters"]))
            emails = save_once(
                confirm,
                lambda: services.email_bulk_send(
                    actor=request.user,
                    rows=rows,
                    draft=_draft_of(data),
                    confirm_large=bool(data.get("confirm_large")),
                    # Who the preview showed (`BulkPlan.fingerprint`, in the page's form).
                    previewed=str(request.POST.get("recipients", "")) or None,
                ),
                refusals_on_form=True,
            )
            if emails is not None:
                messages.success(request, source.sent(len(emails)))
                query = data["filters"]
                return redirect(reverse(source.list_url) + (f"?{query}" if query else ""))
        return _bulk_preview(request, source, confirm, templates)
    if step == "edit":  # back from the preview, with the message as it was
        edited = BulkDraftForm(request.POST, templates=templates)
        return _bulk_compose(request, source, edited, templates, str(request.POST.get("filters", "")))
    if step == "preview":
        draft = BulkDraftForm(request.POST, templates=templates)
        if draft.is_valid():
            confirm = BulkConfirmForm(initial=draft.cleaned_data, templates=templates)
            return _bulk_preview(request, source, confirm, templates, data=draft.cleaned_data)
        return _bulk_compose(request, source, draft, templates, draft.data.get("filters", ""))
    # The first step: the message, from a template in a language.
    filters = _filter_query(request)
    start = StartForm(request.GET or None, people=None, templates=templates)
    start.is_valid()
    chosen = start.cleaned_data if start.is_bound else {}
    template: EmailTemplate | None = chosen.get("template")
    language = chosen.get("lang") or Language.FR
    if template is not None and language == Language.EN and not template.has_english:
        messages.info(request, _("Ce modèle n’a pas de version anglaise : le texte français est proposé."))
        language = Language.FR
    initial: dict[str, Any] = {"language": language, "template": template, "filters": filters}
    if template is not None:
        initial.update(
            subject=template.subject_in(language),
            body=template.body_in(language),
            attach=bool(template.attachment),
        )
    if not start.is_bound:
        start = StartForm(initial={"lang": language}, people=None, templates=templates)
    form = BulkDraftForm(initial=initial, templates=templates)
    return _bulk_compose(request, source, form, templates, filters, start=start)


@access.team_required
@require_http_methods(["GET", "POST"])
def bulk_send(request: AuthedRequest) -> HttpResponse:
    """A message to the filtered prospect list: each prospect's first contact who may be written to."""
    return _bulk_send(request, PROSPECTS)


@access.team_required
@require_http_methods(["GET", "POST"])
def bulk_send_projects(request: AuthedRequest) -> HttpResponse:
    """A message to the collectives of the filtered project list: every contact who may be written to."""
    return _bulk_send(request, PROJECTS)


def _bulk_compose(
    request: AuthedRequest,
    source: MailList,
    form: BulkDraftForm,
    templates: QuerySet[EmailTemplate],
    filters: str,
    *,
    start: StartForm | None = None,
) -> HttpResponse:
    template = _template_of(form, templates) if form.is_bound else form.initial.get("template")
    return render(
        request,
        "projects/mailing/bulk_compose.html",
        {
            "template_obj": template,
            "title": source.title,
            **navigation(request, at=reverse(source.list_url)),
            "start": start or StartForm(people=None, templates=templates),
            "form": form,
            "count": source.rows(request, _filters_of(filters)).count(),
            "projects": source.projects,
            "filters": filters,
            "filter_hidden": list(_filters_of(filters).lists()),
            "list_url": reverse(source.list_url) + (f"?{filters}" if filters else ""),
        },
    )


#: Recipients and skipped rows listed on the preview (the counts are always complete).
PREVIEW_ROWS = 100


def _bulk_preview(
    request: AuthedRequest,
    source: MailList,
    confirm: BulkConfirmForm,
    templates: QuerySet[EmailTemplate],
    *,
    data: dict[str, Any] | None = None,
) -> HttpResponse:
    data = data or (confirm.cleaned_data if confirm.is_bound and hasattr(confirm, "cleaned_data") else {})
    raw = confirm.data if confirm.is_bound else confirm.initial
    filters = str(data.get("filters", raw.get("filters", "")) or "")
    subject = str(data.get("subject", raw.get("subject", "")) or "")
    body = str(data.get("body", raw.get("body", "")) or "")
    language = str(data.get("language", raw.get("language", Language.FR)) or Language.FR)
    rows = source.rows(request, _filters_of(filters))
    plan = selectors.plan_for(rows, sender=request.user, language=language, texts=(subject, body))
    sample = None
    if plan.recipients:
        first = plan.recipients[0]
        sample = {
            "to": first.person,
            "row": first.row,
            "subject": placeholders.fill(subject, first.values)
            if not placeholders.unknown(subject)
            else subject,
            "body": placeholders.fill(body, first.values) if not placeholders.unknown(body) else body,
        }
    return render(
        request,
        "projects/mailing/bulk_preview.html",
        {
            "title": _("Vérifier l’envoi"),
            **navigation(request, at=reverse(source.list_url)),
            "projects": source.projects,
            "form": confirm,
            "plan": plan,
            "recipients": plan.recipients[:PREVIEW_ROWS],
            "skipped": plan.skipped[:PREVIEW_ROWS],
            "preview_rows": PREVIEW_ROWS,
            "large_limit": selectors.LARGE_BULK,
            "sample": sample,
            "list_url": reverse(source.list_url) + (f"?{filters}" if filters else ""),
        },
    )


# --- Messages sent ---------------------------------------------------------------------------------------


@access.team_required
def sent_list(request: AuthedRequest) -> HttpResponse:
    filterset = SentFilter(request.GET, queryset=selectors.sent_emails(request.user))
    return render_filtered_list(
        request,
        filterset=filterset,
        template="projects/mailing/sent_list.html",
        partial="projects/mailing/partials/_sent_table.html",
        context={"title": _("E-mails envoyés")},
    )


@access.team_required
def sent_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    email = access.get_for_user_or_404(selectors.sent_emails(request.user).select_related("template"), pk=pk)
    return render(request, "projects/mailing/sent_detail.html", {"title": email.subject, "email": email})


@access.team_required
@require_POST
def sent_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    """« Renvoyer »: a message in failure goes back to the queue (`outgoing_email_retry`)."""
    email = access.get_for_user_or_404(selectors.sent_emails(request.user), pk=pk)
    try:
        services.outgoing_email_retry(actor=request.user, email=email)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, _("L’e-mail repart : son état se met à jour une fois envoyé."))
    return redirect("projects:mailing.sent.detail", email.pk)
