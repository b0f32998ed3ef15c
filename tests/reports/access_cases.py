"""Every report URL, as every role. Reports are created on the fly for the world of each case.

- activity reports: the programme team only;
- a funder report of project A: the team always; partner A only once staff have shared it; partner B never.
"""

from django.core.files.base import ContentFile

from tests.access import LOGIN, NOBODY, PARTNER_A_OBJECT, SIGNED_IN, TEAM, TEAM_REDIRECT, Case

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: Stands for a Word document (a zip): the download view serves the stored bytes as they are.
MINIMAL_DOCX = b"PK\x05\x06" + b"\x00" * 18


def _report(world, *, kind="funder", shared=False, status="done", stage="generated"):
    from evaluation.models import Report

    report = Report.objects.create(
        kind=kind,
        programme=world.programme,
        project=world.project_a if kind == "funder" else None,
        parameters={"project": world.project_a.pk}
        if kind == "funder"
        else {"period_start": "2026-01-01", "period_end": "2026-12-31"},
        dedupe_key=f"{kind}-{shared}-{status}-{Report.objects.count()}",
        title=f"Rapport {kind} secret-projet-A",
        requested_by=world.staff,
        status=status,
        progress=100 if status == "done" else 30,
        shared_with_partners=shared,
        pages=1 if status == "done" else None,
        size=len(MINIMAL_PDF) if status == "done" else None,
        error="Erreur de rendu" if status == "failed" else "",
        stage=stage,
    )
    if status == "done":
        report.file.save(f"rapport-{report.pk}.pdf", ContentFile(MINIMAL_PDF))
        report.docx.save(f"rapport-{report.pk}.docx", ContentFile(MINIMAL_DOCX))
    return report


def shared_funder(world):
    return {"pk": _report(world, shared=True).pk}


def unshared_funder(world):
    return {"pk": _report(world, shared=False).pk}


def draft_funder(world):
    return {"pk": _report(world, stage="draft").pk}


def shared_final_funder(world):
    return {"pk": _report(world, shared=True, stage="final").pk}


def activity(world):
    return {"pk": _report(world, kind="activity").pk}


def failed_activity(world):
    return {"pk": _report(world, kind="activity", status="failed").pk}


def running_activity(world):
    return {"pk": _report(world, kind="activity", status="running").pk}


def convention_a(world, *, fmt: str = "xlsx", shared: bool = True):
    """A convention of project A whose money is shared with the collective: the compte rendu financier
    is still the team's only (a document the team prepares for the funder)."""
    from projects.funding import services as funding_services
    from tests.projects.funding import factories as money

    req = money.request(world.staff, world.project_a, title="Demande secret-projet-A", status="granted")
    convention = money.convention(world.staff, req, reference=f"CONV-A-{req.pk}")
    funding_services.funding_share(actor=world.staff, project=world.project_a, shared=shared)
    return {"pk": convention.pk, "fmt": fmt}


def secret(world):
    return "secret-projet-A"


CASES = [
    # List: everyone signed in; partners see only what was shared with their collective.
    Case("evaluation:report.list", SIGNED_IN),
    Case("evaluation:report.create", TEAM),
    Case(
        "evaluation:report.create",
        TEAM,  # invalid form: 200 with errors for the team
        method="post",
        data=lambda w: {"kind": "funder"},
        id="post:report.create (invalid)",
    ),
    Case(
        "evaluation:report.create",
        TEAM_REDIRECT,
        method="post",
        data=lambda w: {
            "kind": "activity",
            "programme": w.programme.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
        },
        id="post:report.create (valid)",
    ),
    # Activity reports: the team only.
    Case("evaluation:report.detail", TEAM, kwargs=activity, id="get:report.detail (activity)"),
    Case("evaluation:report.status", TEAM, kwargs=running_activity, id="get:report.status (activity)"),
    Case("evaluation:report.download", TEAM, kwargs=activity, id="get:report.download (activity)"),
    # A funder report of project A, shared with the collective: partner A reads it, partner B 404.
    Case(
        "evaluation:report.detail",
        PARTNER_A_OBJECT,
        kwargs=shared_funder,
        secret=secret,
        id="get:report.detail (shared)",
    ),
    Case(
        "evaluation:report.status",
        PARTNER_A_OBJECT,
        kwargs=shared_funder,
        secret=secret,
        id="get:report.status (shared)",
    ),
    Case(
        "evaluation:report.download",
        PARTNER_A_OBJECT,
        kwargs=shared_funder,
        secret=secret,
        id="get:report.download (shared)",
    ),
    # Not shared: partner A gets 404 like everyone outside the team.
    Case("evaluation:report.detail", TEAM, kwargs=unshared_funder, id="get:report.detail (not shared)"),
    Case("evaluation:report.download", TEAM, kwargs=unshared_funder, id="get:report.download (not shared)"),
    # The Word document: the same access as the PDF.
    Case("evaluation:report.download_docx", TEAM, kwargs=activity, id="get:report.download_docx (activity)"),
    Case(
        "evaluation:report.download_docx",
        PARTNER_A_OBJECT,
        kwargs=shared_funder,
        secret=secret,
        id="get:report.download_docx (shared)",
    ),
    Case(
        "evaluation:report.download_docx",
        TEAM,
        kwargs=unshared_funder,
        id="get:report.download_docx (not shared)",
    ),
    # A draft is the team's, even when shared: partners 404 on its pages and files.
    Case("evaluation:report.detail", TEAM, kwargs=draft_funder, id="get:report.detail (draft)"),
    Case("evaluation:report.text", TEAM, kwargs=draft_funder, id="get:report.text (draft)"),
    Case("evaluation:report.text", TEAM, kwargs=shared_final_funder, id="get:report.text (final, shared)"),
    Case(
        "evaluation:report.text",
        TEAM_REDIRECT,
        method="post",
        kwargs=draft_funder,
        data=lambda w: {"introduction": "Texte de l’équipe."},
        id="post:report.text",
    ),
    Case(
        "evaluation:report.finalise",
        TEAM_REDIRECT,
        method="post",
        kwargs=draft_funder,
        id="post:report.finalise",
    ),
    # Actions: the team only, partners 404 even on a report they may read.
    Case("evaluation:report.retry", TEAM_REDIRECT, method="post", kwargs=failed_activity),
    Case(
        "evaluation:report.share",
        TEAM_REDIRECT,
        method="post",
        kwargs=shared_funder,
        data=lambda w: {"shared": "0"},
    ),
    # The compte rendu financier of a convention (Cerfa 15059): the team only, partners never — even on a
    # project whose money is shared with them.
    Case("evaluation:funding.cerfa", TEAM, kwargs=convention_a, secret=secret, id="get:funding.cerfa (xlsx)"),
    Case(
        "evaluation:funding.cerfa",
        TEAM,
        kwargs=lambda w: convention_a(w, fmt="pdf"),
        secret=secret,
        id="get:funding.cerfa (pdf)",
    ),
    Case(
        "evaluation:funding.cerfa",
        NOBODY,
        kwargs=lambda w: convention_a(w, fmt="docx"),
        id="get:funding.cerfa (unknown format)",
    ),
    Case(
        "evaluation:report.retry",
        {**TEAM, "staff": 405, "director": 405, "partner_a": 404, "partner_b": 404, "anonymous": LOGIN},
        kwargs=failed_activity,
        id="get:report.retry (method not allowed)",
    ),
]
