"""The money URLs against every role (listed in tests/projects/access_cases.py, walked by the matrix)."""

from datetime import date
from decimal import Decimal as D

from projects.funding.models import BudgetLine, Instalment, Justification, RequestStatus
from tests.access import TEAM, TEAM_REDIRECT, Case, invalid_post, pk_of

from ..factories import pdf_file
from .factories import ADVANCE, budget_line, convention, request


def _request(w):
    return request(w.staff, w.project_a, title="Demande secrète A", amount="4242")


def _granted(w):
    return request(
        w.staff, w.project_a, title="Demande accordée A", amount="4242", status=RequestStatus.GRANTED
    )


def _convention(w):
    return convention(
        w.staff, _granted(w), reference="CONV-SECRETE-A", schedule=[(ADVANCE, date(2026, 2, 1), "1000")]
    )


def _line(w) -> BudgetLine:
    return budget_line(w.staff, w.project_a, label="Ligne secrète A")


def _instalment(w) -> Instalment:
    return _convention(w).instalments.get()


def _justification(w) -> Justification:
    return _convention(w).justifications.first()


def _payment(w):
    from projects.funding.services import payment_record

    return payment_record(
        actor=w.staff, convention=_convention(w), received_on=date(2026, 2, 1), amount=D("1000")
    )


def _due_justification(w) -> Justification:
    return _convention(w).justifications.filter(status="due").first()


def _document(w):
    from projects.funding.services import request_document_add

    return request_document_add(actor=w.staff, request=_request(w), file=pdf_file())


def _programme(w):
    from programme.audit import Edit
    from projects.funding.models import FunderProgramme
    from projects.funding.services import funder_programme_save

    from .factories import funder

    return funder_programme_save(
        actor=w.staff, edit=Edit(obj=FunderProgramme(funder=funder(), name="AAP Test"))
    )


def pk_a(w):
    return {"pk": w.project_a.pk}


def funding_cases() -> list[Case]:
    return [
        Case("projects:funding.funders", TEAM),
        Case("projects:funding.programme.create", TEAM),
        Case("projects:funding.programme.edit", TEAM, kwargs=pk_of(_programme)),
        Case("projects:funding.page", TEAM, kwargs=pk_a),
        Case(
            "projects:funding.page",
            TEAM,
            kwargs=lambda w: {"pk": _convention(w).project_id},
            id="get:funding.page (convention)",
        ),
        Case(
            "projects:funding.share",
            TEAM_REDIRECT,
            kwargs=pk_a,
            method="post",
            data=lambda w: {"shared": "1"},
        ),
        Case("projects:funding.line.create", TEAM, kwargs=pk_a),
        Case("projects:funding.line.edit", TEAM, kwargs=pk_of(_line)),
        Case("projects:funding.line.delete", TEAM_REDIRECT, kwargs=pk_of(_line), method="post"),
        Case("projects:funding.request.create", TEAM, kwargs=pk_a),
        invalid_post("projects:funding.request.create", TEAM, kwargs=pk_a),
        Case("projects:funding.request.edit", TEAM, kwargs=pk_of(_request)),
        Case("projects:funding.request.move", TEAM, kwargs=pk_of(_request)),
        Case("projects:funding.request.document", TEAM, kwargs=pk_of(_request)),
        Case(
            "projects:funding.request.document.download",
            TEAM,
            kwargs=pk_of(_document),
            secret=lambda w: "%PDF-1.4",
        ),
        Case("projects:funding.convention.create", TEAM, kwargs=pk_of(_granted)),
        Case("projects:funding.convention.edit", TEAM, kwargs=pk_of(_convention)),
        Case("projects:funding.instalment.create", TEAM, kwargs=pk_of(_convention)),
        Case("projects:funding.instalment.edit", TEAM, kwargs=pk_of(_instalment)),
        Case("projects:funding.payment.create", TEAM, kwargs=pk_of(_convention)),
        invalid_post("projects:funding.payment.create", TEAM, kwargs=pk_of(_convention)),
        Case("projects:funding.justification.create", TEAM, kwargs=pk_of(_convention)),
        Case("projects:funding.justification.edit", TEAM, kwargs=pk_of(_justification)),
        Case(
            "projects:funding.line.delete", TEAM, kwargs=pk_of(_line), id="get:funding.line.delete (confirm)"
        ),
        Case("projects:funding.instalment.delete", TEAM, kwargs=pk_of(_instalment)),
        Case("projects:funding.instalment.delete", TEAM_REDIRECT, kwargs=pk_of(_instalment), method="post"),
        Case("projects:funding.payment.edit", TEAM, kwargs=pk_of(_payment)),
        invalid_post("projects:funding.payment.edit", TEAM, kwargs=pk_of(_payment)),
        Case("projects:funding.payment.delete", TEAM, kwargs=pk_of(_payment)),
        Case("projects:funding.payment.delete", TEAM_REDIRECT, kwargs=pk_of(_payment), method="post"),
        Case("projects:funding.justification.delete", TEAM, kwargs=pk_of(_due_justification)),
        Case(
            "projects:funding.justification.delete",
            TEAM_REDIRECT,
            kwargs=pk_of(_due_justification),
            method="post",
        ),
    ]
