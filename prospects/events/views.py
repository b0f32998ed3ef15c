"""The team's pages of events and trainings: list, detail, create/edit, agenda, co-organisers, invitations
and registrations, check-in, attendance per sequence, write-up, questionnaire, prospects met, the training
catalogue. Team only (`access.team_required`: partners get 404, anonymous the login page); objects through
`programme.access`; writes through `prospects.events.services`."""

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit
from programme.files import private_file_response
from programme.identity import folded
from programme.models import Person
from programme.pages import form_page, posted, render_filtered_list, submitted
from programme.territories.selectors import territory_get

from .. import services as prospect_services
from . import selectors, services
from .filters import EventFilter
from .forms import (
    AttachmentForm,
    EventForm,
    EventLinkForm,
    EventNewProspectForm,
    EventPartnerForm,
    InviteForm,
    RegisterPersonForm,
    SequenceForm,
    TrainingModuleForm,
    WriteUpForm,
)
from .models import Event, EventAttachment, EventPartner, Registration, RegistrationStatus, Sequence


def event_tabs(event: Event, current: str) -> list[dict[str, Any]]:
    """The tab row of one event's pages (drawn by includes/_tabs.html, as every tab row)."""
    tabs = [
        ("overview", "prospects:event.detail", _("Aperçu")),
        ("registrations", "prospects:event.registrations", _("Inscriptions")),
        ("checkin", "prospects:event.checkin", _("Accueil")),
        ("attendance", "prospects:event.attendance", _("Présences par séquence")),
        ("write_up", "prospects:event.write_up", _("Compte-rendu")),
    ]
    return [
        {"url": reverse(name, args=[event.pk]), "label": label, "current": key == current}
        for key, name, label in tabs
    ]


# --- Events ----------------------------------------------------------------------------------------------


@access.team_required
def event_list(request: AuthedRequest) -> HttpResponse:
    return render_filtered_list(
        request,
        filterset=EventFilter(request.GET, queryset=selectors.event_list(request.user)),
        template="prospects/events/event_list.html",
        partial="prospects/events/partials/_event_table.html",
        context={"title": _("Événements")},
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def event_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Create an event (no pk) or edit one."""
    event = selectors.event_detail(request.user, pk) if pk is not None else None
    if event is None:
        form = EventForm(posted(request), initial={"staff": [request.user.pk], **_initial(request)})
    else:
        form = EventForm(posted(request), instance=event)
    return form_page(
        request,
        form,
        save=lambda: services.event_save(actor=request.user, edit=Edit.from_form(form)),
        refusals_on_form=True,
        message=lambda saved: (
            _("Événement « %(name)s » créé.") % {"name": saved.name}
            if event is None
            else _("Événement mis à jour.")
        ),
        template="prospects/events/event_form.html",
        context={"creating": event is None, "event": event},
    )


def _initial(request: AuthedRequest) -> dict[str, Any]:
    """A new session of a module (`?module=`) or a gathering of a cohort (`?cohort=`) starts filled in."""
    initial: dict[str, Any] = {}
    if request.GET.get("module", "").isdigit():
        initial.update(module=request.GET["module"], kind="training")
    if request.GET.get("cohort", "").isdigit():
        initial.update(cohort=request.GET["cohort"], kind="cohort")
    return initial


def _event_context(
    event: Event, *, link_form: BaseForm | None = None, new_form: BaseForm | None = None
) -> dict[str, Any]:
    return {
        **selectors.event_page(event),
        "event_tabs": event_tabs(event, "overview"),
        "link_form": link_form or EventLinkForm(event=event, prefix="link"),
        "new_form": new_form or EventNewProspectForm(prefix="new"),
    }


@access.team_required
def event_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(request.user, pk)
    return render(request, "prospects/events/event_detail.html", _event_context(event))


@access.team_required
@require_POST
def event_prospects(request: AuthedRequest, pk: int) -> HttpResponse:
    """Link an existing prospect to the event (`link-…` fields) or create a new one (`new-…` fields)."""
    event = selectors.event_detail(request.user, pk)
    if "link-prospect" in request.POST:
        link_form = EventLinkForm(request.POST, event=event, prefix="link")
        linked = submitted(
            request,
            link_form,
            lambda: (
                prospect_services.event_link_prospect(
                    actor=request.user, event=event, prospect=link_form.cleaned_data["prospect"]
                )
                or True
            ),
            message=_("Prospect ajouté aux rencontres de l’événement."),
        )
        if linked:
            return redirect(event)
        return render(
            request, "prospects/events/event_detail.html", _event_context(event, link_form=link_form)
        )
    new_form = EventNewProspectForm(request.POST, prefix="new")
    prospect = submitted(
        request,
        new_form,
        lambda: prospect_services.event_create_prospect(
            actor=request.user, event=event, owner=request.user, **new_form.cleaned_data
        ),
        message=lambda prospect: (
            _("« %(name)s » est rattaché à l’événement.") % {"name": prospect.organisation.name}
        ),
    )
    if prospect is not None:
        return redirect(event)
    return render(request, "prospects/events/event_detail.html", _event_context(event, new_form=new_form))


@access.team_required
@require_POST
def event_prospects_from_attendees(request: AuthedRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(request.user, pk)
    linked = services.prospects_from_attendees(actor=request.user, event=event)
    messages.success(
        request,
        ngettext(
            "%(n)s structure rencontrée ajoutée aux prospects de l’événement.",
            "%(n)s structures rencontrées ajoutées aux prospects de l’événement.",
            linked,
        )
        % {"n": linked},
    )
    return redirect(event)


# --- Agenda and co-organisers ----------------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def sequence_form(request: AuthedRequest, pk: int, sequence_pk: int | None = None) -> HttpResponse:
    event = selectors.event_detail(request.user, pk)
    sequence = (
        get_object_or_404(Sequence.objects.filter(event=event), pk=sequence_pk)
        if sequence_pk is not None
        else None
    )
    form = SequenceForm(posted(request), instance=sequence, event=event)

    def save() -> Event:
        services.sequence_save(actor=request.user, edit=Edit.from_form(form), event=event)
        return event

    return form_page(
        request,
        form,
        save=save,
        refusals_on_form=True,
        message=_("Programme de l’événement mis à jour."),
        template="prospects/events/sequence_form.html",
        context={"event": event, "sequence": sequence},
    )


@access.team_required
@require_POST
def sequence_delete(request: AuthedRequest, pk: int, sequence_pk: int) -> HttpResponse:
    event = selectors.event_detail(request.user, pk)
    sequence = get_object_or_404(Sequence.objects.filter(event=event), pk=sequence_pk)
    services.sequence_delete(actor=request.user, sequence=sequence)
    messages.success(request, _("Séquence retirée du programme."))
    return redirect(event)


@access.team_required
@require_http_methods(["GET", "POST"])
def partner_add(request: AuthedRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(request.user, pk)
    form = EventPartnerForm(posted(request), event=event)

    def save() -> Event:
        services.event_partner_save(actor=request.user, edit=Edit.from_form(form), event=event)
        return event

    return form_page(
        request,
        form,
        save=save,
        refusals_on_form=True,
        message=_("Structure associée à l’événement."),
        template="prospects/events/partner_form.html",
        context={"event": event},
    )


@access.team_required
@require_POST
def partner_delete(request: AuthedRequest, pk: int, partner_pk: int) -> HttpResponse:
    event = selectors.event_detail(request.user, pk)
    partner = get_object_or_404(EventPartner.objects.filter(event=event), pk=partner_pk)
    services.event_partner_delete(actor=request.user, partner=partner)
    messages.success(request, _("Structure retirée de l’événement."))
    return redirect(event)


# --- Invitations and registrations --------------------------------------------------------------------------


def _with_moves(registrations: Iterable[Registration]) -> list[Registration]:
    """Each row's status menu: only the moves the service allows from its status (`selectors.moves_for`),
    computed from the rows loaded — no query more."""
    rows = list(registrations)
    for r in rows:
        r.moves = [(move, RegistrationStatus(move).label) for move in selectors.moves_for(r.status)]  # type: ignore[attr-defined]
    return rows


def _registrations_context(event: Event, **forms: BaseForm) -> dict[str, Any]:
    return {
        "event": event,
        "event_tabs": event_tabs(event, "registrations"),
        "registrations": _with_moves(selectors.registrations(event)),
        "counts": selectors.status_counts(event),
        "invite_form": forms.get("invite_form") or InviteForm(prefix="invite"),
        "register_form": forms.get("register_form") or RegisterPersonForm(prefix="register"),
    }


@access.team_required
def registration_list(request: AuthedRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(request.user, pk)
    return render(request, "prospects/events/registrations.html", _registrations_context(event))


@access.team_required
@require_POST
def registration_invite(request: AuthedRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(request.user, pk)
    form = InviteForm(request.POST, prefix="invite")

    def invite() -> services.InviteResult:
        data = form.cleaned_data
        ids = selectors.invitee_ids(
            cohort_id=data["cohort"].pk if data.get("cohort") else None,
            territory_id=data["territory"].pk if data.get("territory") else None,
            emails=data.get("people") or [],
        )
        return services.registrations_invite(actor=request.user, event=event, person_ids=ids)

    if submitted(request, form, invite, message=_invite_message) is not None:
        return redirect("prospects:event.registrations", event.pk)
    return render(
        request, "prospects/events/registrations.html", _registrations_context(event, invite_form=form)
    )


def _invite_message(result: services.InviteResult) -> str:
    invited, already = result.invited, result.already
    text = ngettext("%(n)s contact invité.", "%(n)s contacts invités.", invited) % {"n": invited}
    if invited:
        text += " " + ngettext(
            "%(n)s reçoit l’invitation par e-mail.", "%(n)s reçoivent l’invitation par e-mail.", result.mailed
        ) % {"n": result.mailed}
    if already:
        text += " " + ngettext(
            "%(n)s l’était déjà : laissé tel quel.", "%(n)s l’étaient déjà : laissés tels quels.", already
        ) % {"n": already}
    return text


def register_message(result: services.RegisterResult) -> str:
    name = str(result.registration.person)
    if not result.registered:
        if result.waiting:
            return _("%(name)s est déjà sur la liste d’attente : rien n’a été ajouté.") % {"name": name}
        return _("%(name)s est déjà inscrit·e : rien n’a été ajouté.") % {"name": name}
    if result.waiting:
        return _("L’événement est complet : %(name)s est placé·e sur la liste d’attente.") % {"name": name}
    return _("%(name)s est inscrit·e.") % {"name": name}


@access.team_required
@require_POST
def registration_add(request: AuthedRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(request.user, pk)
    form = RegisterPersonForm(request.POST, prefix="register")
    if form.is_valid():
        person = Person.objects.filter(
            email__iexact=form.cleaned_data["email"], anonymised_at__isnull=True
        ).first()
        if person is None:
            form.add_error("email", _("Aucun contact n’a cette adresse : créez-le d’abord dans Contacts."))
        elif (
            submitted(
                request,
                form,
                lambda: services.registration_register(actor=request.user, event=event, person=person),
                message=register_message,
            )
            is not None
        ):
            return redirect("prospects:event.registrations", event.pk)
    return render(
        request, "prospects/events/registrations.html", _registrations_context(event, register_form=form)
    )


@access.team_required
@require_POST
def registration_move(request: AuthedRequest, pk: int, registration_pk: int) -> HttpResponse:
    """Change a registration's status (the registrations table and the check-in page); an HTMX request from
    the check-in page gets its row back."""
    event = selectors.event_detail(request.user, pk)
    registration = selectors.registration_for_event(request.user, event, registration_pk)
    status = request.POST.get("status", "")
    try:
        if status not in RegistrationStatus.values:
            raise ValidationError(_("Choisissez un statut."))
        registration = services.registration_set_status(
            actor=request.user, registration=registration, status=status
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if request.htmx:
            return render(
                request, "prospects/events/partials/_checkin_row.html", {"event": event, "r": registration}
            )
        messages.success(
            request,
            _("%(name)s : %(status)s.")
            % {"name": registration.person, "status": registration.get_status_display()},
        )
    back = request.POST.get("back") == "checkin"
    return redirect("prospects:event.checkin" if back else "prospects:event.registrations", event.pk)


# --- On the day -------------------------------------------------------------------------------------------


@access.team_required
def event_checkin(request: AuthedRequest, pk: int) -> HttpResponse:
    """The tablet page: every registrant with one large « Arrivé·e » button."""
    event = selectors.event_detail(request.user, pk)
    rows = selectors.registrations(event).exclude(status__in=("invited", "cancelled"))
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(person__search_text__contains=folded(query))
    return render(
        request,
        "prospects/events/checkin.html",
        {
            "event": event,
            "event_tabs": event_tabs(event, "checkin"),
            "rows": rows,
            "q": query,
            "counts": selectors.status_counts(event),
        },
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def event_attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    """Attendance per sequence (trainings: the hours attended): a grid of checkboxes `a-<registration>`."""
    event = selectors.event_detail(request.user, pk)
    rows = list(
        selectors.registrations(event)
        .exclude(status__in=("invited", "cancelled", "waiting"))
        .prefetch_related("attendances")
    )
    sequences = list(Sequence.objects.filter(event=event))
    if request.method == "POST":
        wanted = {r.pk: {int(v) for v in request.POST.getlist(f"a-{r.pk}") if v.isdigit()} for r in rows}
        services.attendance_set(actor=request.user, event=event, sequence_ids_by_registration=wanted)
        messages.success(request, _("Présences enregistrées."))
        return redirect("prospects:event.attendance", event.pk)
    attended = {(a.registration_id, a.sequence_id) for r in rows for a in r.attendances.all()}
    grid = [
        {
            "registration": r,
            "cells": [{"sequence": s, "checked": (r.pk, s.pk) in attended} for s in sequences],
            "hours": sum((s.hours for s in sequences if (r.pk, s.pk) in attended), start=0),
        }
        for r in rows
    ]
    return render(
        request,
        "prospects/events/attendance.html",
        {"event": event, "event_tabs": event_tabs(event, "attendance"), "sequences": sequences, "grid": grid},
    )


# --- Afterwards ----------------------------------------------------------------------------------------------


def _write_up_context(event: Event, upload: BaseForm) -> dict[str, Any]:
    return {
        "event": event,
        "event_tabs": event_tabs(event, "write_up"),
        "upload": upload,
        "attachments": EventAttachment.objects.filter(event=event),
    }


@access.team_required
@require_http_methods(["GET", "POST"])
def event_write_up(request: AuthedRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(request.user, pk)
    form = WriteUpForm(posted(request), instance=event)
    return form_page(
        request,
        form,
        save=lambda: services.event_save(actor=request.user, edit=Edit.from_form(form)),
        message=lambda saved: _("Compte-rendu enregistré."),
        template="prospects/events/write_up.html",
        context=_write_up_context(event, AttachmentForm(prefix="file")),
    )


@access.team_required
@require_POST
def attachment_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(request.user, pk)
    upload = AttachmentForm(request.POST, request.FILES, prefix="file")
    saved = submitted(
        request,
        upload,
        lambda: services.attachment_add(actor=request.user, event=event, upload=upload.cleaned_data["file"]),
        message=_("Pièce jointe ajoutée."),
        refusals_on_form=True,
    )
    if saved is not None:
        return redirect("prospects:event.write_up", event.pk)
    return render(
        request,
        "prospects/events/write_up.html",
        {**_write_up_context(event, upload), "form": WriteUpForm(instance=event)},
    )


@access.team_required
def attachment_download(request: AuthedRequest, pk: int) -> FileResponse:
    attachment = access.get_for_user_or_404(access.scoped(request.user, EventAttachment), pk=pk)
    return private_file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


@access.team_required
@require_POST
def survey_send(request: AuthedRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(request.user, pk)
    sent = services.surveys_send(actor=request.user, event=event)
    if sent:
        messages.success(
            request,
            ngettext(
                "Questionnaire envoyé à %(n)s participant.",
                "Questionnaire envoyé à %(n)s participants.",
                sent,
            )
            % {"n": sent},
        )
    else:
        messages.info(
            request, _("Aucun participant présent n’attend le questionnaire : rien n’a été envoyé.")
        )
    return redirect(event)


# --- Training catalogue --------------------------------------------------------------------------------------


@access.team_required
def module_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request, "prospects/events/module_list.html", {"modules": selectors.module_list(request.user)}
    )


@access.team_required
def module_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    module = selectors.module_detail(request.user, pk)
    sessions = selectors.event_list(request.user).filter(module=module)
    return render(request, "prospects/events/module_detail.html", {"module": module, "sessions": sessions})


@access.team_required
@require_http_methods(["GET", "POST"])
def module_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    module = selectors.module_detail(request.user, pk) if pk is not None else None
    form = TrainingModuleForm(posted(request), instance=module)
    return form_page(
        request,
        form,
        save=lambda: services.training_module_save(actor=request.user, edit=Edit.from_form(form)),
        message=lambda saved: _("Module « %(title)s » enregistré.") % {"title": saved.title},
        template="prospects/events/module_form.html",
        context={"module": module, "creating": module is None},
    )


@access.team_required
def person_trainings(request: AuthedRequest, pk: int) -> HttpResponse:
    """A contact's training history, loaded by URL into the contact page (programme's, a lower app)."""
    person = access.get_for_user_or_404(access.scoped(request.user, Person), pk=pk)
    return render(
        request,
        "prospects/events/partials/_person_trainings.html",
        {"person": person, "rows": selectors.training_history(request.user, person)},
    )


@access.team_required
def events_panel(request: AuthedRequest) -> HttpResponse:
    """The home page's « Prochains événements » panel, loaded by URL."""
    return render(
        request, "prospects/events/partials/_panel.html", {"events": selectors.upcoming_events(request.user)}
    )


# --- The territory page's section (registered into programme.territories by prospects.apps) -----------------


@access.team_required
def territory_events(request: AuthedRequest, pk: int) -> HttpResponse:
    """« Événements et formations »: the events held on the territory, upcoming then past."""
    territory = territory_get(user=request.user, pk=pk)
    context = {"territory": territory, **selectors.territory_events(request.user, territory)}
    return render(request, "prospects/events/partials/_territory_events.html", context)
