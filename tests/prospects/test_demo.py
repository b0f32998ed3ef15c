"""The demo step builds ~60 prospects across every stage and source, and is idempotent."""

from django.core.management import call_command

from programme.models import Cohort
from projects.models import Project
from prospects.models import Event, Exchange, Interview, Prospect, Score, SelectionDecision, Source, Stage


def test_seed_demo_twice(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    counts = (
        Prospect.objects.count(),
        Exchange.objects.count(),
        Interview.objects.count(),
        Event.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
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
