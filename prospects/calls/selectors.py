"""Reads of the calls for applications. The team's reads take the acting user and go through
`programme.access`; the public reads find a published call by its unguessable address and an application
by the secret of its link, and answer 404 for anything else."""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from programme import access
from programme.models import Person, User

from ..models import Prospect
from .models import Answer, Application, ApplicationStatus, Call


def calls_for(user: User) -> QuerySet[Call]:
    """The team's calls with their counts of submitted applications and drafts (one query)."""
    return (
        access.scoped(user, Call)
        .select_related("programme", "cohort")
        .annotate(
            submitted_count=Count("applications", filter=Q(applications__status=ApplicationStatus.SUBMITTED)),
            draft_count=Count("applications", filter=Q(applications__status=ApplicationStatus.DRAFT)),
        )
        .order_by("-opens_at", "title", "pk")
    )


def call_for(user: User, pk: int) -> Call:
    return access.get_for_user_or_404(calls_for(user), pk=pk)


def applications_for(user: User, call: Call) -> QuerySet[Application]:
    return (
        access.scoped(user, Application)
        .filter(call=call)
        .select_related("prospect", "prospect__organisation")
        .order_by("status", "-submitted_at", "-updated_at", "-pk")
    )


def application_for(user: User, pk: int) -> Application:
    queryset = access.scoped(user, Application).select_related(
        "call", "call__programme", "prospect", "prospect__organisation"
    )
    return access.get_for_user_or_404(queryset, pk=pk)


def answers_of(application: Application) -> QuerySet[Answer]:
    return application.answers.select_related("question").order_by("question__position", "question_id")


def answer_for(user: User, pk: int) -> Answer:
    queryset = access.scoped(user, Answer).select_related("application")
    return access.get_for_user_or_404(queryset.exclude(file=""), pk=pk)


def prospect_applications(user: User, prospect: Prospect) -> list[Application]:
    """The applications sent by a prospect, with their answers (for the prospect's record): 3 queries."""
    answers = Answer.objects.select_related("question").order_by("question__position", "question_id")
    return list(
        access.scoped(user, Application)
        .filter(prospect=prospect, status=ApplicationStatus.SUBMITTED)
        .select_related("call")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("-submitted_at")
    )


# --- Public reads ----------------------------------------------------------------------------------------


def public_call(user: User, slug: str) -> Call:
    """A call by its public address: published, or previewed by the team; anyone else gets 404."""
    queryset = Call.objects.select_related("programme", "cohort").prefetch_related("questions")
    if not access.is_team(user):
        queryset = queryset.filter(is_published=True)
    return access.get_for_user_or_404(queryset, slug=slug)


def public_application(call: Call, token: str) -> Application:
    """An application by the secret of its link, within its call: 404 for a wrong or another call's token."""
    if not token or len(token) > 64:
        raise Http404
    return access.get_for_user_or_404(Application.objects.filter(call=call), token=token)


def applications_of_person(person: Person) -> list[dict[str, Any]]:
    """Every application a contact made — sent (it made or found them: `contact`) or still a draft (under
    their e-mail) — as plain data, for their personal-data export (registered in prospects/apps.py with
    programme/privacy.py). Three queries."""
    found = Q(contact=person)
    if person.email:
        found |= Q(email__iexact=person.email)
    applications = (
        Application.objects.filter(found)
        .select_related("call", "call__programme")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")))
        .order_by("created_at", "pk")
    )
    return [
        {
            "appel": application.call.title,
            "programme": application.call.programme.name,
            "statut": application.get_status_display(),
            "commencée le": application.created_at.isoformat(),
            "envoyée le": application.submitted_at.isoformat() if application.submitted_at else None,
            "structure": application.organisation_name,
            "SIREN": application.siren,
            "forme": application.organisation_kind_label,
            "code postal": application.postcode,
            "commune": application.town,
            "prénom": application.first_name,
            "nom": application.last_name,
            "e-mail": application.email,
            "téléphone": application.phone,
            "fonction": application.job_title,
            "consentement donné le": application.consent_at.isoformat() if application.consent_at else None,
            "idée de projet": application.project_idea,
            "membres du collectif": application.members,
            "réponses": [
                {"question": answer.question.label, "réponse": answer.file_name or answer.value}
                for answer in application.answers.all()
            ],
        }
        for application in applications
    ]
