"""Every URL of the calls for applications as every role: the team's pages are the team's (partners 404,
anonymous to login); the public pages open without login but only for a published call and, for a draft,
its own secret token — an unpublished call, a wrong token or another call's token is a 404 for everyone."""

from django.core.files.base import ContentFile

from prospects.calls.models import Answer, QuestionKind
from tests.access import EVERYONE_404, PUBLIC, TEAM, Case, invalid_post, pk_of

from .calls_factories import CallFactory, draft_for, open_call, submitted_for

#: An unpublished call: the team previews it, nobody else knows it exists.
PREVIEW = {"anonymous": 404, "staff": 200, "director": 200, "partner_a": 404, "partner_b": 404}


def _call(w):
    return open_call(w)


def _submitted(w):
    return submitted_for(open_call(w), project_idea="idée secrète du candidat")


def _file_answer(w):
    application = submitted_for(open_call(w))
    question = application.call.questions.get(kind=QuestionKind.FILE)
    answer = Answer(
        application=application, question=question, file_name="statuts.pdf", file_type="application/pdf"
    )
    answer.file.save("statuts.pdf", ContentFile(b"%PDF-1.4 statuts"), save=True)
    return answer


def _resume(w):
    draft = draft_for(open_call(w))
    return {"slug": draft.call.slug, "token": draft.token}


def _other_calls_token(w):
    draft = draft_for(open_call(w))
    return {"slug": open_call(w).slug, "token": draft.token}


CASES = [
    Case("prospects:call.list", TEAM),
    Case("prospects:call.list", TEAM, query="is_published=true&q=Appel", id="get:call.list (filtered)"),
    Case("prospects:call.create", TEAM),
    invalid_post("prospects:call.create", TEAM),
    Case("prospects:call.detail", TEAM, kwargs=pk_of(_call)),
    Case("prospects:call.edit", TEAM, kwargs=pk_of(_call)),
    Case("prospects:call.questions", TEAM, kwargs=pk_of(_call)),
    invalid_post("prospects:call.questions", TEAM, kwargs=pk_of(_call)),
    Case("prospects:call.applications", TEAM, kwargs=lambda w: {"pk": _submitted(w).call_id}),
    Case("prospects:call.application.add", TEAM, kwargs=pk_of(_call)),
    invalid_post("prospects:call.application.add", TEAM, kwargs=pk_of(_call)),
    Case(
        "prospects:call.applications.export",
        TEAM,
        kwargs=lambda w: {"pk": _submitted(w).call_id, "fmt": "csv"},
        id="get:call.applications.export csv",
    ),
    Case(
        "prospects:call.applications.export",
        TEAM,
        kwargs=lambda w: {"pk": _submitted(w).call_id, "fmt": "xlsx"},
        id="get:call.applications.export xlsx",
    ),
    Case(
        "prospects:call.application",
        TEAM,
        kwargs=pk_of(_submitted),
        secret=lambda w: "idée secrète du candidat",
    ),
    Case("prospects:call.answer.file", TEAM, kwargs=pk_of(_file_answer)),
    Case("prospects:call.prospect", TEAM, kwargs=lambda w: {"pk": _submitted(w).prospect_id}),
    # Public pages
    Case("apply:call", PUBLIC, kwargs=lambda w: {"slug": _call(w).slug}),
    Case(
        "apply:call",
        PREVIEW,
        kwargs=lambda w: {"slug": CallFactory(programme=w.programme, is_published=False).slug},
        id="get:apply:call (unpublished)",
    ),
    Case("apply:call", EVERYONE_404, kwargs=lambda w: {"slug": "inconnu"}, id="get:apply:call (unknown)"),
    Case("apply:call", PUBLIC, method="post", kwargs=lambda w: {"slug": _call(w).slug}, data=lambda w: {}),
    Case("apply:resume", PUBLIC, kwargs=lambda w: _resume(w)),
    Case(
        "apply:resume",
        PUBLIC,
        kwargs=lambda w: {"slug": (a := _submitted(w)).call.slug, "token": a.token},
        id="get:apply:resume (submitted)",
    ),
    Case(
        "apply:resume",
        EVERYONE_404,
        kwargs=lambda w: {"slug": _call(w).slug, "token": "x" * 43},
        id="get:apply:resume (guessed token)",
    ),
    Case("apply:resume", EVERYONE_404, kwargs=_other_calls_token, id="get:apply:resume (other call's token)"),
    # The structure's lookup in the register (tests/prospects/test_calls_lookup.py: what it says).
    Case("apply:register", PUBLIC, kwargs=lambda w: {"slug": _call(w).slug}, query="q=epicerie"),
    Case(
        "apply:register",
        PREVIEW,
        kwargs=lambda w: {"slug": CallFactory(programme=w.programme, is_published=False).slug},
        query="q=epicerie",
        id="get:apply:register (unpublished)",
    ),
    Case(
        "apply:register",
        EVERYONE_404,
        kwargs=lambda w: {"slug": "inconnu"},
        id="get:apply:register (unknown)",
    ),
]
