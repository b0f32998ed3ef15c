"""The pieces of an event that need evaluation: its figures (the one definition, evaluation.selectors),
loaded by URL into the event page of prospects, and the PDFs laid out by WeasyPrint through
evaluation.reports.pdf (the attendance sheet, a participant's attendance certificate). Team only."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from evaluation.figures import FIGURES
from evaluation.reports.pdf import html_to_pdf
from evaluation.selectors import Filters, event_figures
from programme import access
from programme.access import AuthedRequest
from prospects.events import selectors as event_selectors
from prospects.events.models import Registration, RegistrationStatus, Sequence


def _pdf(html: str, name: str) -> HttpResponse:
    response = HttpResponse(html_to_pdf(html).content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@access.team_required
def event_figures_panel(request: AuthedRequest, pk: int) -> HttpResponse:
    event = event_selectors.event_detail(request.user, pk)
    figures = event_figures(user=request.user, filters=Filters(), event_id=event.pk)
    return render(
        request,
        "evaluation/partials/_event_figures.html",
        {"event": event, "figures": figures, "defs": FIGURES},
    )


@access.team_required
def attendance_sheet(request: AuthedRequest, pk: int) -> HttpResponse:
    """The emargement sheet: every person expected (registered, present), a signature column."""
    event = event_selectors.event_detail(request.user, pk)
    rows = event_selectors.registrations(event).filter(
        status__in=(RegistrationStatus.REGISTERED, RegistrationStatus.PRESENT)
    )
    html = render_to_string(
        "reports/event_sheet.html",
        {
            "event": event,
            "rows": rows,
            "sequences": Sequence.objects.filter(event=event),
            "partners": event.partners.select_related("organisation"),
        },
        request=request,
    )
    return _pdf(html, f"emargement-{slugify(event.name)}")


@access.team_required
def attendance_certificate(request: AuthedRequest, pk: int) -> HttpResponse:
    """A participant's attendance certificate: the sequences attended and their hours."""
    registration = get_object_or_404(
        access.scoped(request.user, Registration).select_related(
            "event__module", "event__programme", "person"
        ),
        pk=pk,
        status=RegistrationStatus.PRESENT,
    )
    attended = [
        a.sequence
        for a in registration.attendances.select_related("sequence").order_by(
            "sequence__day", "sequence__start_time"
        )
    ]
    html = render_to_string(
        "reports/event_certificate.html",
        {
            "registration": registration,
            "event": registration.event,
            "person": registration.person,
            "sequences": attended,
            "hours": sum((s.hours for s in attended), start=0),
            "today": timezone.localdate(),
        },
        request=request,
    )
    return _pdf(html, f"attestation-{slugify(str(registration.person))}")
