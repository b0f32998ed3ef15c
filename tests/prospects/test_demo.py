"""The demo step builds ~60 prospects across every stage and source, and is idempotent."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from programme.models import Cohort
from projects.models import Project
from prospects.models import (
    Event,
    Exchange,
    Interview,
    Prospect,
    Score,
    SelectionDecision,
    Source,
    Stage,
    StageChange,
)


def test_seed_demo_twice(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    _events_of_the_demo()
    counts = (
        Prospect.objects.count(),
        Exchange.objects.count(),
        Interview.objects.count(),
        Event.objects.count(),
    )
    dates = sorted(StageChange.objects.values_list("pk", "changed_at"))
    call_command("seed_demo", verbosity=0)
    assert sorted(StageChange.objects.values_list("pk", "changed_at")) == dates  # the same dates again
    _stage_histories_read_like_months_of_work()
    assert counts == (
        Prospect.objects.count(),
        Exchange.objects.count(),
        Interview.objects.count(),
        Event.objects.count(),
    )
    assert 55 <= counts[0] <= 65
    assert set(Prospect.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(Prospect.objects.values_list("source", flat=True)) == set(Source.values)
    assert (
        Event.objects.count() == 5
    )  # 2 where prospects were met, 3 of #20 (2 training sessions, a gathering)
    assert Score.objects.values("interviewer").distinct().count() == 2
    first = Cohort.objects.order_by("year").first()
    assert SelectionDecision.objects.filter(cohort=first, decision="retained").count() == 4
    assert Project.objects.filter(title="Alimentation solidaire au Tonkin").count() == 1


def _stage_histories_read_like_months_of_work() -> None:
    """Not every prospect created and moved today: each history in order, none in the future, the last move
    the prospect's stage and date, spread over months."""
    today = timezone.localdate()
    days = set()
    for prospect in Prospect.objects.prefetch_related("stage_changes"):
        history = sorted(prospect.stage_changes.all(), key=lambda c: (c.changed_at, c.pk))
        assert history and [c.pk for c in history] == sorted(c.pk for c in history), prospect
        assert timezone.localtime(history[-1].changed_at).date() <= today
        assert history[-1].to_stage == prospect.stage and history[-1].changed_at == prospect.stage_changed_at
        assert prospect.created_at <= history[0].changed_at
        days |= {timezone.localtime(c.changed_at).date() for c in history}
    assert len(days) > 30 and min(days) < today - timedelta(days=90)


def _events_of_the_demo() -> None:
    """#20 item 10: a regional day with its agenda, 40 registrants, attendance and answers; a training
    module with two sessions (one held); a gathering of the first cohort with its collectives invited —
    and the programme's event figures read them."""
    from evaluation.selectors import Filters, event_figures
    from programme.models import User
    from prospects.events.models import EventKind, Registration, SurveyAnswer, TrainingModule

    day = Event.objects.get(kind=EventKind.REGIONAL_DAY, is_public=True)
    assert day.sequences.count() >= 3 and day.partners.exists()
    assert day.registrations.count() == 40 and day.registrations.filter(status="present").exists()
    assert SurveyAnswer.objects.filter(registration__event=day).count() == 20
    module = TrainingModule.objects.get()
    assert module.sessions.count() == 2
    assert Registration.objects.filter(event__module=module, attendances__isnull=False).exists()
    gathering = Event.objects.get(kind=EventKind.COHORT)
    assert gathering.cohort_id is not None and gathering.registrations.exists()
    figures = event_figures(user=User.objects.filter(role="director").first(), filters=Filters())
    assert figures["participants"] > 0 and figures["satisfaction_rate"] is not None
    assert figures["training_hours"] > 0 and {"regional_day", "training"} <= {
        row["kind"] for row in figures["by_kind"]
    }
