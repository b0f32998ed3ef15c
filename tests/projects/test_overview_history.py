"""The overview's history (`programme.audit.record_history`, a statement compiled once per process) lists the
same entries as the ORM's `history` — the project's and its records', newest first, the last 30 — and none
of another project's."""

import pytest

from programme.audit import audit_log, history, record_history
from projects.models import Milestone
from projects.selectors import PROJECT_TRAIL

from .factories import DeliverableFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def _children(project):
    return [model._default_manager.filter(**{path: project.pk}) for model, path in PROJECT_TRAIL]


def _seen(entries):
    return [
        (e.created_at, e.actor, e.action, e.subject, [(c.label, c.before, c.after) for c in e.changes])
        for e in entries
    ]


@pytest.mark.parametrize("limit", [3, 30])
def test_record_history_is_the_projects_trail_newest_first(world, limit):
    a, b = world.project_a, world.project_b
    milestone = MilestoneFactory(project=a, title="Comité de lancement")
    deliverable = DeliverableFactory(project=a)
    other = MilestoneFactory(project=b, title="Jalon de B")
    audit_log(actor=world.staff, obj=a, action="project.updated", changes={"title": ["Projet", "Projet A"]})
    audit_log(actor=world.staff, obj=milestone, action="milestone.updated", changes={"title": ["x", "y"]})
    audit_log(actor=None, obj=deliverable, action="deliverable.created", changes={})
    audit_log(actor=world.staff, obj=other, action="milestone.updated", changes={"title": ["B1", "B2"]})
    audit_log(actor=world.staff, obj=b, action="project.updated", changes={"title": ["B", "Projet B"]})

    mine = record_history(a, *PROJECT_TRAIL, limit=limit)

    assert _seen(mine) == _seen(history(a, *_children(a), limit=limit))
    assert len(mine) == min(limit, 3)
    subjects = " ".join(e.subject for e in mine)
    assert "Jalon de B" not in subjects
    assert all("B2" not in [c.after for c in e.changes] for e in mine)
    if limit == 30:
        assert any(
            e.subject.startswith(str(Milestone._meta.verbose_name).capitalize())
            and "Comité de lancement" in e.subject
            for e in mine
        )
    # The same statement serves every project: B's page lists B's entries only.
    assert _seen(record_history(b, *PROJECT_TRAIL, limit=limit)) == _seen(
        history(b, *_children(b), limit=limit)
    )
    assert {e.action for e in record_history(b, *PROJECT_TRAIL)} == {
        e.action for e in history(b, *_children(b))
    }
