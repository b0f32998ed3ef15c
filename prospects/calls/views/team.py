"""The team's pages of the calls for applications: list, detail, create/edit, question editor, a call's
applications (filtered, counted, exported), one application, its files, and the applications on a
prospect's record. Team only: partners and anonymous visitors get 404 or the login page."""

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit
from programme.exports import export_response
from programme.files import private_file_response
from programme.forms import SubmissionForm
from programme.pages import guarded, posted, render_filtered_list, submitted

from ...selectors import prospect_detail
from .. import exports, selectors, services
from ..filters import ApplicationFilter, CallFilter
from ..forms import CallForm, QuestionFormSet, TeamApplicationForm, member_formset, question_initial
from ..models import Application, Call


@access.team_required
def call_list(request: AuthedRequest) -> HttpResponse:
    filterset = CallFilter(request.GET, queryset=selectors.calls_for(request.user))
    return render_filtered_list(
        request,
        filterset=filterset,
        template="prospects/calls/call_list.html",
        partial="prospects/calls/partials/_call_table.html",
        context={"title": _("Appels à candidatures"), "now": timezone.now()},
    )


def _call_form_page(request: AuthedRequest, call: Call) -> HttpResponse:
    creating = call.pk is None
    form = CallForm(posted(request), instance=call)
    saved = submitted(
        request,
        form,
        lambda: services.call_save(actor=request.user, edit=Edit.from_form(form)),
        message=lambda saved: _("Appel « %(title)s » enregistré.") % {"title": saved.title},
        refusals_on_form=True,
    )
    if saved is not None:
        return redirect(saved)
    return render(
        request,
        "prospects/calls/call_form.html",
        {
            "title": _("Nouvel appel à candidatures") if creating else _("Modifier l’appel"),
            "form": form,
            "call": call,
        },
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def call_create(request: AuthedRequest) -> HttpResponse:
    return _call_form_page(request, Call())


@access.team_required
@require_http_methods(["GET", "POST"])
def call_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _call_form_page(request, selectors.call_for(request.user, pk))


@access.team_required
def call_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    call = selectors.call_for(request.user, pk)
    return render(
        request,
        "prospects/calls/call_detail.html",
        {
            "title": call.title,
            "call": call,
            "questions": list(call.questions.all()),
            "public_url": settings.SITE_URL + call.get_public_url(),
            "is_open": call.is_open(),
            "now": timezone.now(),
        },
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def call_questions(request: AuthedRequest, pk: int) -> HttpResponse:
    call = selectors.call_for(request.user, pk)
    formset = QuestionFormSet(posted(request), initial=question_initial(call), prefix="questions")
    submission = SubmissionForm(posted(request), prefix="questions")
    if formset.is_valid():
        save = guarded(
            submission,
            lambda: services.call_questions_save(actor=request.user, call=call, rows=formset.rows()),
        )
        if submitted(request, submission, save, message=_("Questions enregistrées.")) is not None:
            return redirect(call)
    return render(
        request,
        "prospects/calls/call_questions.html",
        {
            "title": _("Questions de l’appel"),
            "call": call,
            "formset": formset,
            "submission": submission,
        },
    )


@access.team_required
def application_list(request: AuthedRequest, pk: int) -> HttpResponse:
    call = selectors.call_for(request.user, pk)
    filterset = ApplicationFilter(request.GET, queryset=selectors.applications_for(request.user, call))
    return render_filtered_list(
        request,
        filterset=filterset,
        template="prospects/calls/application_list.html",
        partial="prospects/calls/partials/_application_table.html",
        context={"title": _("Candidatures"), "call": call, "query": request.GET.urlencode()},
    )


@access.team_required
def application_export(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    call = selectors.call_for(request.user, pk)
    filterset = ApplicationFilter(request.GET, queryset=selectors.applications_for(request.user, call))
    questions = list(call.questions.all())
    return export_response(
        fmt=fmt,
        filename=exports.file_name(call),
        title=_("Candidatures"),
        headers=exports.headers(questions),
        rows=exports.rows(filterset.qs.prefetch_related("answers"), questions),
    )


@access.team_required
def application_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    return render(
        request,
        "prospects/calls/application_detail.html",
        {
            "title": str(application),
            "application": application,
            "call": application.call,
            "answers": list(selectors.answers_of(application)),
        },
    )


@access.team_required
def answer_file(request: AuthedRequest, pk: int) -> FileResponse:
    answer = selectors.answer_for(request.user, pk)
    return private_file_response(answer.file, filename=answer.file_name, content_type=answer.file_type)


@access.team_required
def prospect_applications(request: AuthedRequest, pk: int) -> HttpResponse:
    """The applications a prospect sent, with their answers: a partial of the prospect's record (loaded by
    URL), empty when it sent none."""
    prospect = prospect_detail(request.user, pk)
    return render(
        request,
        "prospects/calls/partials/_prospect_applications.html",
        {"prospect": prospect, "applications": selectors.prospect_applications(request.user, prospect)},
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def application_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """« Ajouter une candidature reçue »: an application that came by post or e-mail, typed in by the team;
    it becomes a prospect as one sent online does."""
    call = selectors.call_for(request.user, pk)
    form = TeamApplicationForm(posted(request), request.FILES or None, call=call)
    members = member_formset(posted(request), None)

    def save() -> Application:
        return services.application_record(
            actor=request.user,
            call=call,
            data=form.data_for_service(members.members()),
            channel=form.cleaned_data["channel"],
            confirm=form.cleaned_data["confirm"],
        )

    saved = (
        submitted(
            request,
            form,
            save,
            message=lambda saved: (
                _("Candidature enregistrée : « %(name)s » est prospect du programme.") % {"name": saved}
            ),
            refusals_on_form=True,
        )
        if members.is_valid()
        else None
    )
    if saved is not None:
        return redirect(saved.get_absolute_url())
    return render(
        request,
        "prospects/calls/application_add.html",
        {
            "title": _("Ajouter une candidature reçue"),
            "call": call,
            "form": form,
            "members": members,
        },
    )
