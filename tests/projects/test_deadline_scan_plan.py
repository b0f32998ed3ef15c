"""The daily deadline scan reads the day's deadlines through the partial indexes on the due dates — on
SQLite too, where a parameterised `status IN (?, ?)` made it read every row (issue #16)."""

from datetime import date

import pytest
from django.db import connection

from projects.reminders import due_items_query

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_the_scan_searches_the_partial_due_date_indexes_on_sqlite():
    sql, params = due_items_query([date(2026, 12, 10), date(2026, 12, 17)]).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    for index in ("open_milestone_due_idx", "open_deliverable_due_idx", "open_action_due_idx"):
        assert f"USING INDEX {index}" in plan, plan
    for table in ("projects_milestone", "projects_deliverable", "projects_action"):
        assert f"SCAN {table}" not in plan, plan
