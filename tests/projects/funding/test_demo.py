"""The demo's money tells a believable story (issue #12 item 10), checked on one run of `seed_demo`."""

from django.core.management import call_command
from django.utils import timezone

from programme.models import User
from projects.funding import selectors
from projects.funding.models import Budget, BudgetVersion, Convention, FundingRequest, Justification
from projects.models import Phase, Project


def test_every_project_past_selection_has_a_budget_funders_and_something_late(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent: nothing doubles
    today = timezone.localdate()
    staff = User.objects.get(email="staff@demo.parcours.fr")
    past_selection = Project.objects.exclude(phase=Phase.SELECTION)
    assert past_selection.exists()
    money = selectors.money_by_project(user=staff, projects=past_selection, today=today)
    for project in past_selection:
        assert Budget.objects.filter(project=project, version=BudgetVersion.PLANNED).exists(), project
        funders = set(FundingRequest.objects.filter(project=project).values_list("funder", flat=True))
        assert 2 <= len(funders) <= 4, project
        assert Convention.objects.filter(project=project).exists(), project
        figures = money[project.pk]
        assert figures.need > 0 and figures.secured > 0 and figures.received > 0, project
        # Nothing received beyond what was granted, nothing paid in the future.
        assert figures.received <= figures.secured, project
    assert any(m.overdue > 0 for m in money.values())
    late = [j for j in Justification.objects.all() if j.is_late(today)]
    assert late
    for convention in Convention.objects.prefetch_related("payments"):
        assert all(convention.period_start <= p.received_on <= today for p in convention.payments.all())
