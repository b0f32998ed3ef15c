"""The e-mail URLs against every role (listed in tests/projects/access_cases.py, walked by the matrix):
team only, partners 404 everywhere."""

from tests.access import TEAM, TEAM_REDIRECT, Case, invalid_post, pk_of


def _template(w):
    from programme.audit import Edit
    from projects.mailing import services
    from projects.mailing.models import EmailTemplate

    from .factories import pdf_file

    template = EmailTemplate(
        name="Modèle secret A",
        subject_fr="Le {{ programme }}",
        body_fr="Bonjour {{ prenom }}, {{ structure }}",
    )
    return services.email_template_save(actor=w.staff, edit=Edit(obj=template), attachment=pdf_file())


def _email(w):
    from projects.mailing import services

    return services.email_send(
        actor=w.staff,
        person=w.person_a,
        draft=services.Draft(subject="Objet secret A", body="Texte secret A"),
    )


def _prospect(w):
    from tests.prospects.factories import prospect_in

    return prospect_in(w)


def mailing_cases() -> list[Case]:
    return [
        Case("projects:mailing.sent", TEAM),
        Case("projects:mailing.sent.detail", TEAM, kwargs=pk_of(_email)),
        # Not in failure: refused with a message, back to the message page.
        Case("projects:mailing.sent.retry", TEAM_REDIRECT, kwargs=pk_of(_email), method="post"),
        Case("projects:mailing.templates", TEAM),
        Case(
            "projects:mailing.templates", TEAM, query="archived=true", id="get:mailing.templates (archived)"
        ),
        Case("projects:mailing.template.create", TEAM),
        invalid_post("projects:mailing.template.create", TEAM),
        Case("projects:mailing.template.detail", TEAM, kwargs=pk_of(_template)),
        Case("projects:mailing.template.edit", TEAM, kwargs=pk_of(_template)),
        Case("projects:mailing.template.archive", TEAM_REDIRECT, kwargs=pk_of(_template), method="post"),
        Case("projects:mailing.template.attachment", TEAM, kwargs=pk_of(_template)),
        Case("projects:mailing.bulk", TEAM),
        Case(
            "projects:mailing.bulk",
            TEAM,
            kwargs=lambda w: (_template(w), {})[1],
            query="stage=identified",
            id="get:mailing.bulk (filtered)",
        ),
        Case(
            "projects:mailing.bulk",
            TEAM,
            method="post",
            data=lambda w: {"step": "preview", "filters": "", "language": "fr", "subject": "", "body": ""},
            id="post:mailing.bulk (invalid preview)",
        ),
        Case(
            "projects:mailing.bulk",
            TEAM,
            method="post",
            data=lambda w: (
                _prospect(w),
                {
                    "step": "preview",
                    "filters": "",
                    "language": "fr",
                    "subject": "Objet",
                    "body": "{{ prenom }}",
                },
            )[1],
            id="post:mailing.bulk (preview)",
        ),
        Case("projects:mailing.bulk.link", TEAM),
        Case("projects:mailing.bulk.projects", TEAM),
        Case(
            "projects:mailing.bulk.projects",
            TEAM,
            query="phase=emergence",
            id="get:mailing.bulk.projects (filtered)",
        ),
        Case(
            "projects:mailing.bulk.projects",
            TEAM,
            method="post",
            data=lambda w: {
                "step": "preview",
                "filters": "",
                "language": "fr",
                "subject": "Objet",
                "body": "{{ prenom }} ({{ projet }})",
            },
            id="post:mailing.bulk.projects (preview)",
        ),
        Case("projects:mailing.bulk.projects.link", TEAM),
        Case("projects:mailing.compose.prospect", TEAM, kwargs=pk_of(_prospect)),
        Case(
            "projects:mailing.compose.prospect",
            TEAM,
            kwargs=lambda w: {"pk": _prospect(w).pk},
            query="template=",
            id="get:mailing.compose.prospect (no template)",
        ),
        Case("projects:mailing.compose.person", TEAM, kwargs=lambda w: {"pk": w.person_a.pk}),
        Case("projects:mailing.compose.project", TEAM, kwargs=lambda w: {"pk": w.project_a.pk}),
        invalid_post("projects:mailing.compose.project", TEAM, kwargs=lambda w: {"pk": w.project_a.pk}),
    ]
