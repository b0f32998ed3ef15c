"""Benchmark data for the history sections: the audit trail a programme of this size leaves — every project,
member, milestone, deliverable, action and workshop created, the projects, milestones and deliverables
changed once, every measurement validated: about 1.5 million entries at scale 1, spread over two years.

A history section with children (a project's overview: the project and nine kinds of records) reads the
newest entries among them; on an empty trail, as before this generator, it measured nothing of that.

Written by INSERT … SELECT from the rows the other generators made (no row through Python), after them. The
benchmark database's trail is the generator's own: a regeneration empties it first."""

import time
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction

from programme.models import AuditEntry, User

#: (model, the action's verb, its changes as JSON, the lookup from the model's table to the programme).
_ENTRIES: list[tuple[str, str, str, str]] = [
    ("projects.Project", "created", "{}", "t.programme_id"),
    ("projects.Project", "updated", '{"title": ["Projet", "Projet bench"]}', "t.programme_id"),
    ("projects.Membership", "created", "{}", "p.programme_id"),
    ("projects.Milestone", "created", "{}", "p.programme_id"),
    ("projects.Milestone", "updated", '{"status": ["planned", "done"]}', "p.programme_id"),
    ("projects.Deliverable", "created", "{}", "p.programme_id"),
    ("projects.Deliverable", "updated", '{"status": ["expected", "submitted"]}', "p.programme_id"),
    ("projects.Action", "created", "{}", "p.programme_id"),
    ("projects.Workshop", "created", "{}", "p.programme_id"),
    ("evaluation.Measurement", "validated", '{"status": ["submitted", "validated"]}', "p.programme_id"),
]

#: How a row of each model reaches its project (`p`): its own column, or through its project indicator.
_PROJECT_JOIN = {
    "evaluation.Measurement": (
        "JOIN evaluation_projectindicator pi ON pi.id = t.project_indicator_id "
        "JOIN projects_project p ON p.id = pi.project_id"
    ),
}


def _moment() -> str:
    """An entry's date from its row's id: up to two years back, to the minute (`%%`: a statement with
    parameters)."""
    if connection.vendor == "postgresql":
        return "now() - (t.id %% 730) * interval '1 day' - (t.id %% 1440) * interval '1 minute'"
    return "datetime('now', '-' || (t.id %% 730) || ' days', '-' || (t.id %% 1440) || ' minutes')"


def _json(text: str) -> str:
    quoted = "'" + text.replace("'", "''") + "'"
    return f"CAST({quoted} AS jsonb)" if connection.vendor == "postgresql" else quoted


def _insert(label: str, verb: str, changes: str, programme_column: str, *, programme: Any, actor: int) -> int:
    from django.apps import apps

    model: type[models.Model] = apps.get_model(label)
    table = model._meta.db_table
    audit = AuditEntry._meta.db_table
    content_type = ContentType.objects.get_for_model(model).pk
    join = _PROJECT_JOIN.get(
        label, "" if programme_column.startswith("t.") else "JOIN projects_project p ON p.id = t.project_id"
    )
    # Table and column names are the models' own; the values are parameters.
    sql = (
        f"INSERT INTO {audit} (action, object_id, object_repr, changes, created_at, actor_id, content_type_id) "  # noqa: S608
        f"SELECT %s, CAST(t.id AS TEXT), %s, {_json(changes)}, {_moment()}, "
        f"CASE WHEN t.id %% 3 = 0 THEN NULL ELSE %s END, %s "
        f"FROM {table} t {join} WHERE {programme_column} = %s"
    )
    action = f"{model._meta.model_name}.{verb}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [action, f"{model._meta.verbose_name} bench", actor, content_type, programme.pk])
        return cursor.rowcount


def generate(*, programme: Any, scale: float) -> None:
    started = time.perf_counter()
    actor = (
        User.objects.filter(email__endswith="@bench-projects.parcours")
        .order_by("pk")
        .values_list("pk", flat=True)[0]
    )
    with transaction.atomic():
        AuditEntry.objects.all()._raw_delete(AuditEntry.objects.db)
        total = sum(_insert(*entry, programme=programme, actor=actor) for entry in _ENTRIES)
    print(f"audit: {total} entries in {time.perf_counter() - started:.0f} s")
