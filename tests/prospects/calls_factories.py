"""Builders for the calls for applications tests: an open call with its questions, a draft, a submitted
application (through the services, as an applicant would)."""

from datetime import timedelta

import factory
from django.utils import timezone

from prospects.calls import services
from prospects.calls.models import Application, Call, Question, QuestionKind


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    programme = factory.SubFactory("tests.factories.ProgrammeFactory")
    title = factory.Sequence(lambda n: f"Appel {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    text = "Nous cherchons des collectifs qui coopèrent sur leur territoire."
    eligibility = "Structures de l’ESS implantées dans la région."
    is_published = True


def open_call(world, **extra) -> Call:
    """A published, open call of the world's programme with a short, a long, a choice, a number and a file
    question (the short and the choice required)."""
    call = CallFactory(programme=world.programme, cohort=world.cohort, **extra)
    Question.objects.create(call=call, position=1, label="Nombre de salariés", kind=QuestionKind.NUMBER)
    Question.objects.create(
        call=call, position=2, label="Votre territoire", kind=QuestionKind.SHORT, required=True
    )
    Question.objects.create(
        call=call,
        position=3,
        label="Secteur",
        kind=QuestionKind.CHOICE,
        options="Alimentation\nMobilité",
        required=True,
    )
    Question.objects.create(call=call, position=4, label="Vos motivations", kind=QuestionKind.LONG)
    Question.objects.create(call=call, position=5, label="Statuts", kind=QuestionKind.FILE)
    return call


def draft_for(call: Call, *, email: str = "candidate@example.org", **extra) -> Application:
    data = services.ApplicationData(
        email=email,
        consent=True,
        organisation_name=extra.pop("organisation_name", "Épicerie Coopérative"),
        **extra,
    )
    return services.application_save(call=call, application=None, data=data)


def submitted_for(call: Call, **extra) -> Application:
    answers = {
        q.pk: ("Alimentation" if q.kind == QuestionKind.CHOICE else "Lyon 8e")
        for q in call.questions.filter(required=True)
    }
    data = services.ApplicationData(
        email=extra.pop("email", "candidate@example.org"),
        consent=True,
        organisation_name=extra.pop("organisation_name", "Épicerie Coopérative"),
        organisation_kind="association",
        first_name="Claire",
        last_name="Candidate",
        project_idea=extra.pop("project_idea", "Une épicerie solidaire partagée par trois associations."),
        answers=answers,
        **extra,
    )
    draft = services.application_save(call=call, application=None, data=data)
    return services.application_submit(application=draft)
