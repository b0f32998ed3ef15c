"""The columns of a call's applications export (written by programme.exports as CSV or XLSX): the
applicant, the structure, the project, the members and one column per question."""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from programme.exports import choice_labels
from programme.formatting import fr_datetime

from .models import Application, Call, Question


def headers(questions: list[Question]) -> list[str]:
    return [
        _("Statut"),
        _("Envoyée le"),
        _("Structure"),
        _("SIREN"),
        _("Forme"),
        _("Code postal"),
        _("Commune"),
        _("Prénom"),
        _("Nom"),
        _("E-mail"),
        _("Téléphone"),
        _("Fonction"),
        _("Idée de projet"),
        _("Membres du collectif"),
        *[q.label for q in questions],
    ]


def _members(application: Application) -> str:
    return " ; ".join(
        " — ".join(part for part in (m.get("name", ""), m.get("organisation", ""), m.get("role", "")) if part)
        for m in application.members
    )


def rows(applications: Iterable[Application], questions: list[Question]) -> Iterable[list[str]]:
    statuses = choice_labels(Application, "status")
    for a in applications:
        answers = {answer.question_id: answer for answer in a.answers.all()}
        cells = []
        for question in questions:
            answer = answers.get(question.pk)
            cells.append("" if answer is None else (answer.file_name or answer.value))
        yield [
            statuses.get(a.status, a.status),
            fr_datetime(a.submitted_at) if a.submitted_at else "",
            a.organisation_name,
            a.siren,
            a.organisation_kind_label,
            a.postcode,
            a.town,
            a.first_name,
            a.last_name,
            a.email,
            a.phone,
            a.job_title,
            a.project_idea,
            _members(a),
            *cells,
        ]


def file_name(call: Call) -> str:
    return f"candidatures-{call.pk}-{timezone.localdate():%Y-%m-%d}"
