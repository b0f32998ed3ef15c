"""Isolation proven: partner A against every URL pattern of Parcours, with collective B's objects.

The test is data-driven: it walks the URL resolver (like tests/test_access_matrix.py) and fills each URL's
kwargs with B's object of the right model, from the maps below. A URL pattern it does not know how to fill
makes it FAIL, listing the patterns — add them to `PK_OF` (or `BY_KWARG` / `FIXED`) when a URL lands.

For every URL with kwargs, partner A gets 404 on GET and on POST (with nothing and with "extra" fields),
and the body holds nothing of B. To prove the ids are real (a wrong map would 404 trivially), the same
URL is requested by a director, who must NOT get 404. Pages without kwargs that a partner may open (their
home, the portal lists, preferences, calendar) are fetched plain, as HTMX partials and with filter
parameters naming B's objects: no B data may appear, in the page or in its choice lists.
"""

import pytest
from django.urls import reverse

from tests.access import our_url_patterns
from tests.conftest import client_for

#: The object of collective B a URL's `pk` names, by URL name (keys of tests/portal/helpers.build_side).
PK_OF = {
    # programme settings (team only): B's promotion (shared by both sides: partners get 404 on all of them)
    "setup:edit": "cohort",
    "setup:archive": "cohort",
    "setup:delete": "cohort",
    "projects:phasetemplate.detail": "phase_template",
    "projects:phasetemplate.project": "project",
    # programme
    "programme:organisation.detail": "organisation",
    "programme:organisation.edit": "organisation",
    "programme:person.detail": "person",
    "programme:person.edit": "person",
    "programme:person.anonymise": "person",
    "programme:person.export": "person",
    # prospects
    "prospects:prospect.detail": "prospect",
    "prospects:prospect.edit": "prospect",
    "prospects:prospect.move": "prospect",
    "prospects:exchange.create": "prospect",
    "prospects:organisation.path": "organisation",
    "prospects:interview.create": "prospect",
    "prospects:interview.detail": "interview",
    "prospects:interview.score": "interview",
    "prospects:interview.complete": "interview",
    "prospects:interview.cancel": "interview",
    "prospects:event.detail": "event",
    "prospects:event.edit": "event",
    "prospects:event.prospects": "event",
    "prospects:event.prospects_from_attendees": "event",
    "prospects:event.sequence.create": "event",
    "prospects:event.sequence.edit": "event",
    "prospects:event.sequence.delete": "event",
    "prospects:event.partner.create": "event",
    "prospects:event.partner.delete": "event",
    "prospects:event.registrations": "event",
    "prospects:event.invite": "event",
    "prospects:event.register": "event",
    "prospects:event.registration.move": "event",
    "prospects:event.checkin": "event",
    "prospects:event.attendance": "event",
    "prospects:event.write_up": "event",
    "prospects:event.attachment.upload": "event",
    "prospects:event.attachment.download": "event_attachment",
    "prospects:event.survey.send": "event",
    "prospects:event.module.detail": "training_module",
    "prospects:event.module.edit": "training_module",
    "prospects:event.person_trainings": "person",
    "evaluation:event.figures": "event",
    "evaluation:event.sheet": "event",
    "evaluation:event.certificate": "registration",
    "portal:event.register": "event",
    # projects
    "projects:project.detail": "project",
    "projects:project.edit": "project",
    "projects:project.collective": "project",
    "projects:project.timeline": "project",
    "projects:project.workshops": "project",
    "projects:project.governance": "project",
    "projects:project.deployment": "project",
    "projects:project.deliverables": "project",
    "projects:project.documents": "project",
    "projects:gate.dossier": "project",
    "projects:gate.decide": "project",
    "projects:membership.create": "project",
    "projects:membership.edit": "membership",
    "projects:stakeholder.create": "project",
    "projects:stakeholder.edit": "stakeholder",
    "projects:workshop.create": "project",
    "projects:workshop.detail": "workshop",
    "projects:workshop.edit": "workshop",
    "projects:workshop.item.create": "workshop",
    "projects:committee.create": "project",
    "projects:committee.detail": "committee",
    "projects:committee.edit": "committee",
    "projects:committee.decision.create": "committee",
    "projects:action.create": "project",
    "projects:action.edit": "action",
    "projects:site.create": "project",
    "projects:site.edit": "site",
    "projects:dissemination.create": "project",
    "projects:dissemination.edit": "dissemination",
    "projects:advocacy.create": "project",
    "projects:advocacy.edit": "advocacy",
    "projects:milestone.create": "project",
    "projects:milestone.edit": "milestone",
    "projects:deliverable.create": "project",
    "projects:deliverable.edit": "deliverable",
    "projects:deliverable.upload": "deliverable",
    "projects:deliverable.review": "deliverable",
    "projects:deliverable.download": "deliverable",
    "projects:document.create": "project",
    "projects:document.upload": "document",
    "projects:document.download": "document",
    "projects:document.version.download": "document",
    "projects:selection.committee": "cohort",
    "projects:funding.page": "project",
    "projects:funding.share": "project",
    "projects:funding.line.create": "project",
    "projects:funding.line.edit": "budget_line",
    "projects:funding.line.delete": "budget_line",
    "projects:funding.request.create": "project",
    "projects:funding.request.edit": "funding_request",
    "projects:funding.request.move": "funding_request",
    "projects:funding.request.document": "funding_request",
    "projects:funding.request.document.download": "request_document",
    "projects:funding.convention.create": "funding_request",
    "projects:funding.convention.edit": "convention",
    "projects:funding.instalment.create": "convention",
    "projects:funding.instalment.edit": "instalment",
    "projects:funding.payment.create": "convention",
    "projects:funding.justification.create": "convention",
    "projects:funding.justification.edit": "justification",
    "projects:funding.justification.delete": "justification",
    "projects:funding.instalment.delete": "instalment",
    "projects:funding.payment.edit": "payment",
    "projects:funding.payment.delete": "payment",
    "projects:funding.programme.edit": "funder_programme",
    "evaluation:funding.cerfa": "convention",
    "projects:selection.decide": "cohort",
    "projects:structure.projects": "organisation",
    "projects:structure.timeline": "organisation",
    "projects:structure.exchange.create": "organisation",
    "projects:exchange.create": "project",
    "projects:exchange.edit": "exchange",
    "projects:exchange.done": "exchange",
    "projects:mailing.sent.detail": "outgoing_email",
    "projects:mailing.sent.retry": "outgoing_email",
    "projects:mailing.template.detail": "email_template",
    "projects:mailing.template.edit": "email_template",
    "projects:mailing.template.archive": "email_template",
    "projects:mailing.template.attachment": "email_template",
    "projects:mailing.compose.prospect": "prospect",
    "projects:mailing.compose.person": "person",
    "projects:mailing.compose.project": "project",
    # evaluation
    "evaluation:indicator.edit": "indicator",
    "evaluation:question.edit": "question",
    "evaluation:question.delete": "question",
    "evaluation:criterion.edit": "criterion",
    "evaluation:criterion.delete": "criterion",
    "evaluation:project_indicator.detail": "project_indicator",
    "evaluation:project_indicator.edit": "project_indicator",
    "evaluation:project_indicator.delete": "project_indicator",
    "evaluation:target.add": "project_indicator",
    "evaluation:target.delete": "target",
    "evaluation:measurement.create": "project_indicator",
    "evaluation:measurement.edit": "measurement",
    "evaluation:measurement.validate": "measurement",
    "evaluation:measurement.return": "measurement",
    "evaluation:measurement.unlock": "measurement",
    "evaluation:measurement.evidence": "measurement",
    "evaluation:maturity.edit": "maturity",
    "evaluation:lesson.detail": "lesson",
    "evaluation:lesson.edit": "lesson",
    "evaluation:lesson.delete": "lesson",
    "evaluation:report.detail": "report",
    "evaluation:report.status": "report",
    "evaluation:report.download": "report",
    "evaluation:report.retry": "report",
    "evaluation:report.share": "report",
    "evaluation:report.download_docx": "report",
    "evaluation:report.text": "draft_report",
    "evaluation:report.finalise": "draft_report",
    "evaluation:filrouge.indicator_outputs": "project_indicator",
    "evaluation:filrouge.lesson_sources": "lesson",
    "evaluation:lesson.share": "lesson",
    # portal
    "portal:project": "project",
    "portal:deliverable": "deliverable",
    "portal:deliverable.download": "deliverable",
    "portal:document.download": "document",
    "portal:action.done": "action",
    "portal:workshop": "workshop",
    "portal:committee": "committee",
    "portal:contact.edit": "person",
    "portal:indicator": "project_indicator",
    "portal:measurement": "measurement",
    "portal:measurement.evidence": "measurement",
    "portal:maturity": "maturity",
    "portal:maturity.moment": "project",
    "portal:maturity.open": "project",
    "portal:funding": "project",
    # Findings, dossiers and kits (evaluation/judgement)
    "evaluation:judgement.evidence.remove": "evidence",
    "evaluation:judgement.finding.share": "finding",
    "evaluation:judgement.dossier": "dossier",
    "evaluation:judgement.dossier.download": "dossier",
    "evaluation:judgement.dossier.share": "dossier",
    "evaluation:judgement.kit.download": "kit",
    "evaluation:judgement.kit.share": "kit",
    "portal:judgement.findings": "project",
    "portal:filrouge": "project",
    # Calls for applications and the register (prospects/calls, prospects/sirene): team only
    "prospects:call.detail": "call",
    "prospects:call.edit": "call",
    "prospects:call.questions": "call",
    "prospects:call.applications": "call",
    "prospects:call.application.add": "call",
    "prospects:call.applications.export": "call",
    "prospects:call.application": "application",
    "prospects:call.answer.file": "call_answer",
    "prospects:call.prospect": "application_prospect",
    "prospects:radar.search.delete": "saved_search",
    "prospects:register.organisation": "organisation",
    # Territories (programme/territories): team, or a partner given access (partner A has none on B's)
    "territories:detail": "territory",
    "territories:edit": "territory",
    "territories:areas": "territory",
    "territories:move": "territory",
    "territories:partner.add": "territory",
    "territories:partner.remove": "territory_partner",
    "territories:referent.add": "territory",
    "territories:referent.remove": "territory",
    "territories:grant.add": "territory",
    "territories:grant.remove": "territory_grant",
    "territories:stage.edit": "stage",
    # Action-research (evaluation/research): team, resources also read by a partner given access
    "evaluation:research.territory_activity": "territory",
    "evaluation:research.territory_research": "territory",
    "evaluation:research.territory_resources": "territory",
    "evaluation:research.pilot_project": "territory",
    "prospects:event.territory": "territory",
    "prospects:register.territory": "territory",
    "evaluation:research.condition": "condition",
    "evaluation:research.condition.edit": "condition",
    "evaluation:research.observation": "observation",
    "evaluation:research.source.add": "observation",
    "evaluation:research.source.download": "observation_source",
    "evaluation:research.resource": "resource",
    "evaluation:research.resource.edit": "resource",
    "evaluation:research.resource.download": "resource",
}

#: Other id kwargs, whatever the URL: kwarg name → key of B's object (or a callable on B's side).
BY_KWARG = {
    "project_pk": "project",
    "question_pk": "question",
    "prospect_pk": "prospect",
    "number": lambda b: 1,  # the first version of B's file
    # A thread (projects.conversations): B's deliverable's.
    "key": lambda b: "deliverable",
    "object_id": "deliverable",
    "decision_pk": "gate_decision",
    "site_pk": "site",
    "finding_pk": "finding",
    # An event's agenda, co-organisers and registrations (#20): B's event's.
    "sequence_pk": "event_sequence",
    "partner_pk": "event_partner",
    "registration_pk": "registration",
    "person_pk": "person",  # a referent of B's territory
    "item_pk": "deliverable",  # an item of the team inbox (projects/inbox): B's deliverable
}

#: Kwargs that are not ids: secrets and formats. A made-up token is a 404 for everyone, so the director
#: check is skipped for URLs that take one.
FIXED = {
    "token": "x" * 43,
    "public_key": "x" * 22,  # an event's public page (#20)
    # A call's public slug (prospects/calls: secrets.token_urlsafe(12), 16 characters).
    "slug": "x" * 16,
    "kind": "promotions",  # the settings pages' kind of record
    "fmt": "csv",
    "table": "indicators",
    # A maturity moment every collective owes (its Émergence start).
    "phase": "emergence",
    "moment": "start",
    "part": "pdf",  # an essaimage kit's PDF
    "source_key": "deliverables",  # a source of the team inbox (its « Réassigner » form)
}

#: Team actions living in the portal namespace (checked with the director).
TEAM_PORTAL_URLS = {"portal:maturity.open"}


#: Strings that exist only in collective B's world.
def b_strings(world, b) -> list[str]:
    return [b.marker, world.project_b.title, world.org_b.name, world.person_b.last_name, world.person_b.email]


#: Query parameters a partner could try on lists and filters, naming B's objects.
def probe_queries(world, b) -> list[str]:
    return [
        f"project={b.project.pk}&organisation={b.organisation.pk}&pk={b.project.pk}",
        f"projects={b.project.pk}&cohort={world.cohort.pk}&owner={world.partner_b.pk}&person={b.person.pk}",
    ]


#: Posted on every form as partner A: fields a partner must never be able to set.
EXTRA_FIELDS = {
    "status": "validated",
    "validated": "on",
    "locked": "on",
    "shared_with_collective": "on",
}


def url_patterns() -> dict[str, list[str]]:
    """Our URL names with the names of their kwargs (path converters or regex groups)."""
    return {
        name: list(pattern.pattern.converters.keys()) or list(pattern.pattern.regex.groupindex.keys())
        for name, pattern in our_url_patterns().items()
    }


def fill(name: str, kwarg_names: list[str], b) -> dict | None:
    """B's kwargs for a URL, or None when the maps do not say how to fill it."""
    kwargs = {}
    for kwarg in kwarg_names:
        if kwarg == "pk" and name in PK_OF:
            kwargs[kwarg] = getattr(b, PK_OF[name]).pk
        elif kwarg in BY_KWARG:
            source = BY_KWARG[kwarg]
            kwargs[kwarg] = source(b) if callable(source) else getattr(b, source).pk
        elif kwarg in FIXED:
            kwargs[kwarg] = FIXED[kwarg]
        else:
            return None
    return kwargs


def test_every_url_pattern_is_known_to_the_isolation_test():
    from types import SimpleNamespace

    fake = SimpleNamespace(
        **{
            key: SimpleNamespace(pk=1)
            for key in {*PK_OF.values(), *(v for v in BY_KWARG.values() if isinstance(v, str))}
        }
    )
    unknown = sorted(name for name, kwargs in url_patterns().items() if fill(name, kwargs, fake) is None)
    assert not unknown, (
        "URL patterns the isolation test does not know how to fill with B's objects — add them to PK_OF / "
        f"BY_KWARG / FIXED in tests/portal/test_isolation.py: {unknown}"
    )


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.mark.django_db
def test_partner_a_gets_404_on_every_url_naming_bs_objects(sides, world):
    b = sides["B"]
    partner_a = client_for(world.partner_a)
    director = client_for(world.director)
    partner_b = client_for(world.partner_b)
    secrets = b_strings(world, b)
    failures: list[str] = []
    checked = 0
    for name, kwarg_names in sorted(url_patterns().items()):
        if not kwarg_names:
            continue
        kwargs = fill(name, kwarg_names, b)
        if kwargs is None:
            continue  # reported by test_every_url_pattern_is_known_to_the_isolation_test
        url = reverse(name, kwargs=kwargs)
        checked += 1
        for method, data in (("get", {}), ("post", {}), ("post", {**EXTRA_FIELDS, "project": b.project.pk})):
            response = getattr(partner_a, method)(url, data)
            # 405: the view only takes another method — said before any lookup, the same for every id.
            if response.status_code not in (404, 405):
                failures.append(f"{name} {method.upper()} {url} → {response.status_code} (expected 404)")
            body = _body(response)
            leaked = [s for s in secrets if s and s in body]
            if leaked:
                failures.append(f"{name} {method.upper()} {url}: body shows B's {leaked}")
        if not any(k in FIXED for k in kwarg_names):
            # The ids are real: the director (who sees everything) or partner B (on portal pages) does not
            # get 404 — otherwise the maps name the wrong model and the 404 above proves nothing.
            owner = partner_b if name.startswith("portal:") and name not in TEAM_PORTAL_URLS else director
            status = owner.get(url).status_code
            if status == 404:
                failures.append(f"{name} {url}: B's owner gets 404 too — is PK_OF naming the right model?")
    assert checked > 50
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_pages_without_ids_show_partner_a_nothing_of_b(sides, world):
    b = sides["B"]
    partner_a = client_for(world.partner_a)
    secrets = b_strings(world, b)
    failures: list[str] = []
    for name, kwarg_names in sorted(url_patterns().items()):
        if kwarg_names:
            continue
        base = reverse(name)
        for query in ["", *probe_queries(world, b)]:
            url = f"{base}?{query}" if query else base
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                response = partner_a.get(url, **headers)
                if response.status_code not in (200, 302, 404, 405):
                    failures.append(f"{name} GET {url} → {response.status_code}")
                body = _body(response)
                leaked = [s for s in secrets if s and s in body]
                if leaked:
                    failures.append(f"{name} GET {url} {headers or ''}: body shows B's {leaked}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_partner_a_calendar_feed_holds_nothing_of_b(sides, world):
    from projects.services import calendar_token_rotate

    token = calendar_token_rotate(user=world.partner_a)
    response = client_for(None).get(reverse("projects:calendar.feed", args=[token]))
    assert response.status_code == 200
    body = _body(response)
    assert sides["A"].action.title in body
    for secret in b_strings(world, sides["B"]):
        assert secret not in body
    # Nor the team's internal items of A's own project.
    for internal in (
        sides["A"].internal_workshop.title,
        sides["A"].staff_action.title,
        sides["A"].milestone.title,
    ):
        assert internal not in body


@pytest.mark.django_db
def test_within_their_own_project_partner_a_sees_only_what_is_shared(sides, world):
    a = sides["A"]
    partner_a = client_for(world.partner_a)
    home = partner_a.get(reverse("portal:project", args=[a.project.pk])).content.decode()
    for shared in (
        a.workshop.title,
        a.committee_decision.text,
        a.action.title,
        a.deliverable.title,
        a.document.title,
        a.report.title,
    ):
        assert shared in home, shared
    for internal in (
        a.internal_workshop.title,
        a.internal_decision.text,
        a.staff_action.title,
        a.staff_deliverable.title,
        a.internal_document.title,
        a.stakeholder.name,
        a.staff_indicator.name,
        a.lesson.title,
        a.milestone.title,
        "Idée SECRET-A",
        a.project.problem,
    ):
        assert internal not in home, internal
    for url in (
        reverse("portal:workshop", args=[a.internal_workshop.pk]),
        reverse("portal:committee", args=[a.internal_committee.pk]),
        reverse("portal:document.download", args=[a.internal_document.pk]),
        reverse("projects:document.download", args=[a.internal_document.pk]),
        reverse("portal:deliverable", args=[a.staff_deliverable.pk]),
        reverse("portal:action.done", args=[a.staff_action.pk]),
    ):
        assert partner_a.get(url).status_code == 404, url


@pytest.mark.django_db
def test_team_files_of_their_own_project_are_not_downloadable_by_a_partner(sides, world):
    """Within their own project, a partner downloads only the files of deliverables assigned to their
    structure (the portal links to portal:deliverable.download, which is scoped that way)."""
    from projects.services import deliverable_upload

    from .helpers import pdf

    a = sides["A"]
    deliverable_upload(actor=world.staff, deliverable=a.staff_deliverable, file=pdf("interne.pdf"))
    url = reverse("projects:deliverable.download", args=[a.staff_deliverable.pk, 1])
    assert client_for(world.partner_a).get(url).status_code == 404


@pytest.mark.django_db
def test_partner_a_reads_the_shared_messages_of_their_deliverable_never_the_internal_notes(sides, world):
    a = sides["A"]
    page = client_for(world.partner_a).get(reverse("portal:deliverable", args=[a.deliverable.pk]))
    body = page.content.decode()
    assert a.comment.body in body
    assert a.internal_note.body not in body and "Note interne" not in body
    # The team sees both, the note marked as one.
    team = client_for(world.staff).get(
        reverse("projects:comment.list", args=["deliverable", a.deliverable.pk])
    )
    assert a.comment.body in team.content.decode() and a.internal_note.body in team.content.decode()


@pytest.mark.django_db
def test_partner_a_sees_their_structures_shared_exchanges_only(sides, world):
    """The portal's « Ma structure » lists A's exchanges marked shared: never A's internal ones (nor the
    prospect path they belong to), never B's, even shared."""
    a, b = sides["A"], sides["B"]
    body = _body(client_for(world.partner_a).get(reverse("portal:organisation")))
    assert a.exchange.summary in body
    assert a.internal_exchange.summary not in body
    assert b.exchange.summary not in body and b.marker not in body
