"""Demo data: partner A and partner B each have a live project with deliverables due, indicators to
report and a workshop to read — after every demo step, including the portal's own (idempotent)."""

from django.urls import reverse

from evaluation.management.commands.seed_demo import STEPS
from evaluation.models import Lesson, ProjectIndicator
from evaluation.portal import demo as portal_demo
from programme import access
from programme.demo import DemoContext
from projects.models import ACTIVE_PHASES, OPEN_DELIVERABLE_STATUSES, Deliverable, Project, Workshop
from tests.conftest import client_for


def _run_demo():
    ctx = DemoContext()
    for step in [s for s in STEPS if s is not portal_demo.build] + [portal_demo.build]:
        step(ctx)
    return ctx


def _counts():
    from evaluation.models import MaturityAssessment, Measurement, ProjectIndicator
    from projects.models import Action, Committee, Deliverable, Workshop

    return [
        m.objects.count()
        for m in (Deliverable, Workshop, Action, Committee, ProjectIndicator, Measurement, MaturityAssessment)
    ]


def test_demo_partners_have_something_to_do_and_the_step_is_idempotent(db):
    ctx = _run_demo()
    before = _counts()
    portal_demo.build(ctx)
    assert _counts() == before

    projects_seen = []
    for key in ("partner_a", "partner_b"):
        user = ctx.users[key]
        projects = list(access.scoped(user, Project).filter(phase__in=ACTIVE_PHASES))
        assert projects, key
        project = projects[0]
        projects_seen.append(project.pk)
        due = access.portal_scoped(user, Deliverable).filter(
            project=project, status__in=OPEN_DELIVERABLE_STATUSES
        )
        assert due.exists(), key
        assert access.portal_scoped(user, ProjectIndicator).filter(project=project).exists(), key
        assert access.scoped(user, Workshop).filter(project=project).exclude(minutes="").exists(), key
        # A lesson shared with the collective, and none of the team's own.
        lessons = access.scoped(user, Lesson)
        assert lessons.exists(), key
        assert not lessons.filter(shared_with_collective=False).exists(), key
        page = client_for(user).get(reverse("portal:home"))
        assert page.status_code == 200
        assert project.title in page.content.decode()
    assert projects_seen[0] != projects_seen[1]
